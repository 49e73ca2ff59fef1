//! The tower [`Layer`] and [`Service`]: authenticate, then call the inner service with the
//! [`Auth`] facts as a request extension, or answer the refusal.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::response::Response;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::Auth;
use crate::guard::Guard;
use crate::http::BoxFuture;
use crate::reject::Refused;

/// The guard as a tower layer: [`Guard::layer`] for a whole router, or
/// [`Guard::require_scope`] / [`Guard::require_role`] for a route that needs more (and
/// [`scope`](Self::scope) / [`role`](Self::role) for more than one).
///
/// Behind a layer of the same guard (the router's), a route's layer does not verify the
/// token again: it checks its scopes and roles on the [`Auth`] the outer layer inserted.
/// Alone, it authenticates the request itself.
#[derive(Clone, Debug)]
pub struct GuardLayer {
    guard: Guard,
    scopes: Arc<[String]>,
    roles: Arc<[String]>,
}

impl GuardLayer {
    /// Also requires `scope` (in the token's space-delimited `scope` claim).
    ///
    /// ```
    /// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(jose_ring::jwk::KeyRing::new_hmac())
    /// #     .build().unwrap();
    /// let layer = guard.require_scope("orders:read").scope("orders:write").role("clerk");
    /// ```
    #[must_use]
    pub fn scope(self, scope: impl Into<String>) -> Self {
        let mut scopes = self.scopes.to_vec();
        scopes.push(scope.into());
        Self {
            scopes: scopes.into(),
            ..self
        }
    }

    /// Also requires `role` (in the token's `roles` claim, RFC 9068 §2.2.3.1).
    #[must_use]
    pub fn role(self, role: impl Into<String>) -> Self {
        let mut roles = self.roles.to_vec();
        roles.push(role.into());
        Self {
            roles: roles.into(),
            ..self
        }
    }
}

impl Guard {
    /// The layer for a router: every request must carry a token that passes the guard's
    /// rules. Use `Router::layer` (not `route_layer`) so that it also serves the metadata
    /// document, when one is set.
    #[must_use]
    pub fn layer(&self) -> GuardLayer {
        GuardLayer {
            guard: self.clone(),
            scopes: Arc::from(Vec::new()),
            roles: Arc::from(Vec::new()),
        }
    }

    /// A layer for a route that needs `scope`: 403 `insufficient_scope` with
    /// `scope="…"` without it.
    #[must_use]
    pub fn require_scope(&self, scope: impl Into<String>) -> GuardLayer {
        self.layer().scope(scope)
    }

    /// A layer for a route that needs `role` in the token's `roles` claim: 403
    /// `insufficient_scope` (reason `insufficient_role`) without it.
    #[must_use]
    pub fn require_role(&self, role: impl Into<String>) -> GuardLayer {
        self.layer().role(role)
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = GuardService<S>;

    fn layer(&self, inner: S) -> GuardService<S> {
        GuardService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of a [`GuardLayer`].
#[derive(Clone, Debug)]
pub struct GuardService<S> {
    inner: S,
    layer: GuardLayer,
}

impl<S, B> Service<Request<B>> for GuardService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone-on-call pattern: the service made ready goes into the future, the clone
        // stays for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let guard = &layer.guard;
            let (mut parts, body) = request.into_parts();
            if let Some(response) = guard.serve_metadata(&parts.method, parts.uri.path()) {
                return Ok(response);
            }
            let outcome = match parts.extensions.get::<Auth>() {
                // The same guard verified the token in an outer layer: only the route's rules.
                Some(auth) if auth.verified_by(guard.responder()) => {
                    Guard::check_route(auth, &layer.scopes, &layer.roles).map(|()| None)
                }
                _ => match guard
                    .authenticate(&parts.method, parts.uri.path(), &parts.headers)
                    .await
                {
                    Ok(auth) => {
                        Guard::check_route(&auth, &layer.scopes, &layer.roles).map(|()| Some(auth))
                    }
                    Err(rejection) => Err(rejection),
                },
            };
            match outcome {
                Ok(None) => inner.call(Request::from_parts(parts, body)).await,
                Ok(Some(auth)) => {
                    // Counted once it has passed the route's layers and extractors too: their
                    // refusals come back marked, and are counted as those refusals only.
                    Guard::authenticated(&auth, parts.method.as_str(), parts.uri.path());
                    parts.extensions.insert(auth);
                    let mut response = inner.call(Request::from_parts(parts, body)).await?;
                    if response.extensions_mut().remove::<Refused>().is_none() {
                        guard.responder().accepted();
                    }
                    Ok(response)
                }
                Err(rejection) => {
                    Ok(guard
                        .responder()
                        .reject(rejection, parts.method.as_str(), parts.uri.path()))
                }
            }
        })
    }
}
