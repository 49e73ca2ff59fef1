//! The tower [`Layer`] and [`Service`]: authenticate, then call the inner service with the
//! [`Auth`] facts as a request extension (or, on an optional layer, without credentials,
//! anonymous), or answer the refusal.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_core::response::Response;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::{Anonymous, Auth};
use crate::guard::Guard;
use crate::http::BoxFuture;
use crate::reason::Reason;
use crate::reject::Refused;
use crate::route::Route;

/// The guard as a tower layer: [`Guard::layer`] for a whole router,
/// [`Guard::optional_layer`] where credentials are optional, or [`Guard::require_scope`] /
/// [`Guard::require_role`] / [`Guard::require_acr`] / [`Guard::require_max_auth_age`] for a
/// route that needs more (and [`scope`](Self::scope), [`role`](Self::role),
/// [`acr`](Self::acr), [`max_auth_age`](Self::max_auth_age) for more than one).
///
/// Behind a layer of the same guard (the router's), a route's layer does not verify the
/// token again: it checks its own rules on the [`Auth`] the outer layer inserted. Alone, it
/// authenticates the request itself.
#[derive(Clone, Debug)]
pub struct GuardLayer {
    guard: Guard,
    route: Arc<Route>,
}

impl GuardLayer {
    fn with(self, change: impl FnOnce(&mut Route)) -> Self {
        let mut route = Route {
            optional: self.route.optional,
            scopes: self.route.scopes.clone(),
            roles: self.route.roles.clone(),
            acr: self.route.acr.clone(),
            max_auth_age: self.route.max_auth_age,
        };
        change(&mut route);
        Self {
            guard: self.guard,
            route: Arc::new(route),
        }
    }

    /// Also requires `scope`, among the scopes the guard reads (the `scope` and `scp`
    /// claims by default; [`GuardBuilder::scope_claims`](crate::GuardBuilder::scope_claims)).
    ///
    /// ```
    /// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(jose_ring::jwk::KeyRing::new_hmac())
    /// #     .build().unwrap();
    /// let layer = guard.require_scope("orders:read").scope("orders:write").role("clerk");
    /// ```
    #[must_use]
    pub fn scope(self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        self.with(|route| route.scopes.push(scope))
    }

    /// Also requires `role`, among the roles the guard reads (the `roles` claim by default,
    /// RFC 9068 §2.2.3.1; [`GuardBuilder::role_claims`](crate::GuardBuilder::role_claims)).
    #[must_use]
    pub fn role(self, role: impl Into<String>) -> Self {
        let role = role.into();
        self.with(|route| route.roles.push(role))
    }

    /// Step-up (RFC 9470): also requires the token's `acr` to be one of `values` (given in
    /// order of preference: they are sent as `acr_values` when the token falls short).
    #[must_use]
    pub fn acr<I>(self, values: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        self.with(|route| route.acr.extend(values))
    }

    /// Step-up (RFC 9470): also requires the user to have authenticated at most `age` ago
    /// (the token's `auth_time`; whole seconds, sent as `max_age` when it falls short). A
    /// token without `auth_time` falls short.
    #[must_use]
    pub fn max_auth_age(self, age: Duration) -> Self {
        self.with(|route| route.max_auth_age = Some(age.as_secs()))
    }
}

impl Guard {
    fn layer_for(&self, route: Route) -> GuardLayer {
        GuardLayer {
            guard: self.clone(),
            route: Arc::new(route),
        }
    }

    /// The layer for a router: every request must carry a token that passes the guard's
    /// rules. Use `Router::layer` (not `route_layer`) so that it also serves the metadata
    /// document, when one is set.
    #[must_use]
    pub fn layer(&self) -> GuardLayer {
        self.layer_for(Route::default())
    }

    /// The layer for a router or a route where credentials are optional: a request without
    /// any (no `Authorization` field, or another scheme) reaches the handler anonymous, and
    /// `Option<Auth>` / `Option<Claims<T>>` are `None`; a request with credentials must pass
    /// every rule, as with [`layer`](Self::layer): a bad token is refused (401), never
    /// taken as anonymous.
    ///
    /// Behind it, a route's [`require_scope`](Self::require_scope) (or any other required
    /// layer) still refuses an anonymous request (401, no error code). Rules added to the
    /// optional layer itself ([`GuardLayer::scope`], ...) apply to requests with credentials.
    ///
    /// ```
    /// # use jose_ring::{jwa, jwk::KeyRing, HmacKey};
    /// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(
    /// #     KeyRing::new_hmac().with_hmac_key(HmacKey::new(&jwa::HS256, &[7; 32]).unwrap()))
    /// #     .build().unwrap();
    /// use axum::{Router, routing::get};
    /// use jose_ring_axum::Auth;
    ///
    /// let app: Router = Router::new()
    ///     .route("/feed", get(|auth: Option<Auth>| async move {
    ///         match auth.as_ref().and_then(Auth::subject) {
    ///             Some(sub) => format!("your feed, {sub}"),
    ///             None => "the public feed".to_owned(),
    ///         }
    ///     }))
    ///     .route("/post", get(|| async { "posted" }).layer(guard.require_scope("write")))
    ///     .layer(guard.optional_layer());
    /// ```
    #[must_use]
    pub fn optional_layer(&self) -> GuardLayer {
        self.layer_for(Route {
            optional: true,
            ..Route::default()
        })
    }

    /// A layer for a route that needs `scope`: 403 `insufficient_scope` with
    /// `scope="…"` without it.
    #[must_use]
    pub fn require_scope(&self, scope: impl Into<String>) -> GuardLayer {
        self.layer().scope(scope)
    }

    /// A layer for a route that needs `role` among the token's roles: 403
    /// `insufficient_scope` (reason `insufficient_role`) without it.
    #[must_use]
    pub fn require_role(&self, role: impl Into<String>) -> GuardLayer {
        self.layer().role(role)
    }

    /// A layer for a route that needs the user to have authenticated with one of the
    /// authentication context classes `values` (the token's `acr`, RFC 9470 §4): without it,
    /// 401 `insufficient_user_authentication` with `acr_values="…"` (reason
    /// `insufficient_user_authentication`), so that the client can ask for a new token with
    /// `acr_values` (RFC 9470 §4).
    ///
    /// ```
    /// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(jose_ring::jwk::KeyRing::new_hmac())
    /// #     .build().unwrap();
    /// use std::time::Duration;
    /// let layer = guard.require_acr(["phrh", "phr"]).max_auth_age(Duration::from_secs(300));
    /// ```
    #[must_use]
    pub fn require_acr<I>(&self, values: I) -> GuardLayer
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.layer().acr(values)
    }

    /// A layer for a route that needs the user to have authenticated at most `age` ago (the
    /// token's `auth_time`): otherwise 401 `insufficient_user_authentication` with
    /// `max_age="…"` (whole seconds).
    #[must_use]
    pub fn require_max_auth_age(&self, age: Duration) -> GuardLayer {
        self.layer().max_auth_age(age)
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

/// What a layer decided for a request that may go on.
#[allow(
    clippy::large_enum_variant,
    reason = "one per request, on the stack: boxing the Auth would allocate"
)]
enum Pass {
    /// An outer layer of the same guard verified the token; this one's rules passed.
    Verified,
    /// This layer verified the token.
    New(Auth),
    /// No credentials, and this layer lets such requests through.
    Anonymous,
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
            let (guard, route) = (&layer.guard, &*layer.route);
            let (mut parts, body) = request.into_parts();
            if let Some(response) = guard.serve_metadata(&parts.method, parts.uri.path()) {
                return Ok(response);
            }
            let clock = guard.clock();
            let outcome = match parts.extensions.get::<Auth>() {
                // The same guard verified the token in an outer layer: only the route's rules.
                Some(auth) if auth.verified_by(guard.responder()) => {
                    route.check(auth, clock).map(|()| Pass::Verified)
                }
                _ => match guard
                    .authenticate(&parts.method, parts.uri.path(), &parts.headers)
                    .await
                {
                    Ok(auth) => route.check(&auth, clock).map(|()| Pass::New(auth)),
                    Err(rejection)
                        if route.optional && rejection.reason() == Reason::MissingCredentials =>
                    {
                        Ok(Pass::Anonymous)
                    }
                    Err(rejection) => Err(rejection),
                },
            };
            match outcome {
                Ok(Pass::Verified) => inner.call(Request::from_parts(parts, body)).await,
                Ok(Pass::New(auth)) => {
                    // Counted once it has passed the route's layers and extractors too: their
                    // refusals come back marked, and are counted as those refusals only.
                    Guard::authenticated(&auth, parts.method.as_str(), parts.uri.path());
                    let scheme = auth.scheme();
                    parts.extensions.insert(auth);
                    let mut response = inner.call(Request::from_parts(parts, body)).await?;
                    if response.extensions_mut().remove::<Refused>().is_none() {
                        guard.responder().accepted(scheme);
                    }
                    Ok(response)
                }
                Ok(Pass::Anonymous) => {
                    // Counted by the outermost optional layer, unless a layer inside refused.
                    let first = parts.extensions.insert(Anonymous).is_none();
                    let mut response = inner.call(Request::from_parts(parts, body)).await?;
                    if first && response.extensions_mut().remove::<Refused>().is_none() {
                        guard.responder().anonymous();
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
