//! The guard in front of a gRPC service (tonic, or any tower server of `http` requests): the
//! same authentication as the HTTP layer ([`Guard::authenticate`]: the credentials read by
//! [`Credentials::from_headers`](crate::Credentials::from_headers), the DPoP proof checked
//! with `htm` `POST` and the method's URI), its refusals answered the way gRPC clients read
//! them: a trailers-only response (HTTP 200, `grpc-status`, `grpc-message`) with the
//! challenges in `www-authenticate` metadata.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::Auth;
use crate::guard::Guard;
use crate::http::BoxFuture;
use crate::reason::Reason;
use crate::reject::{Refused, Rejection};
use crate::route::Route;

/// The gRPC status code of `OK`'s refusing siblings (gRPC's `statuscodes.md`).
const UNAUTHENTICATED: u16 = 16;
const PERMISSION_DENIED: u16 = 7;
const UNAVAILABLE: u16 = 14;
const INTERNAL: u16 = 13;

impl Reason {
    /// The gRPC status code a refusal for this reason is answered with: `UNAUTHENTICATED`
    /// (16) for a missing, malformed or bad credential (the HTTP 401 and 400 reasons),
    /// `PERMISSION_DENIED` (7) for a missing scope or role (403), `UNAVAILABLE` (14) when the
    /// token's validity cannot be established (503), `INTERNAL` (13) for a misconfiguration.
    ///
    /// ```
    /// use jose_ring_axum::Reason;
    /// assert_eq!(Reason::Expired.grpc_code(), 16);
    /// assert_eq!(Reason::InsufficientScope.grpc_code(), 7);
    /// assert_eq!(Reason::KeysUnavailable.grpc_code(), 14);
    /// ```
    #[must_use]
    pub const fn grpc_code(self) -> u16 {
        match self.status().as_u16() {
            403 => PERMISSION_DENIED,
            503 => UNAVAILABLE,
            500 => INTERNAL,
            _ => UNAUTHENTICATED,
        }
    }
}

/// The guard as a tower layer for a gRPC server: [`Guard::grpc_layer`].
///
/// ```
/// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(jose_ring::jwk::KeyRing::new_hmac())
/// #     .build().unwrap();
/// // tonic: Server::builder().layer(guard.grpc_layer()).add_service(...)
/// let layer = guard.grpc_layer().method_scope("/shop.Orders/Cancel", "orders:write");
/// ```
///
/// Every call needs a token that passes the guard's rules, sent as gRPC clients send one
/// (`authorization: Bearer …` metadata, as grpc-go's `oauth` per-RPC credentials do;
/// `authorization: DPoP …` with a `dpop` proof for `htm` `POST` and `htu` the public origin
/// followed by `/package.Service/Method`). The handler finds the [`Auth`](crate::Auth) in the
/// request's extensions (`request.extensions().get::<Auth>()` in tonic).
///
/// A refusal is a trailers-only response: HTTP 200, `content-type: application/grpc`,
/// `grpc-status` ([`Reason::grpc_code`]), `grpc-message` (the fixed description, or the
/// reason's code), one `www-authenticate` entry per challenge (as the HTTP layer sends them),
/// `dpop-nonce` when the server asks for one, and for `UNAVAILABLE` `retry-after` (seconds)
/// and `grpc-retry-pushback-ms` (gRFC A6). The guard's [`on_reject`](crate::GuardBuilder::on_reject)
/// hook writes HTTP bodies and is not used here.
#[derive(Clone, Debug)]
pub struct GrpcLayer {
    guard: Guard,
    /// What every method needs.
    route: Arc<Route>,
    /// `(method path, what it needs too)`.
    methods: Arc<[(String, Route)]>,
}

impl Guard {
    /// The layer for a gRPC server: every call must carry a token that passes the guard's
    /// rules; refusals are gRPC statuses (see [`GrpcLayer`]).
    #[must_use]
    pub fn grpc_layer(&self) -> GrpcLayer {
        GrpcLayer {
            guard: self.clone(),
            route: Arc::new(Route::default()),
            methods: Arc::from(Vec::new()),
        }
    }
}

impl GrpcLayer {
    /// The layer with one more requirement for every method.
    fn with(self, change: impl FnOnce(&mut Route)) -> Self {
        let mut route = Route::clone(&self.route);
        change(&mut route);
        Self {
            route: Arc::new(route),
            ..self
        }
    }

    /// Also requires `scope` for every method: `PERMISSION_DENIED` without it.
    #[must_use]
    pub fn scope(self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        self.with(|route| route.scopes.push(scope))
    }

    /// Also requires `role` (among the roles the guard reads) for every method.
    #[must_use]
    pub fn role(self, role: impl Into<String>) -> Self {
        let role = role.into();
        self.with(|route| route.roles.push(role))
    }

    /// Also requires `scope` for the method `path` (`/package.Service/Method`).
    #[must_use]
    pub fn method_scope(self, path: impl Into<String>, scope: impl Into<String>) -> Self {
        let mut methods = self.methods.to_vec();
        methods.push((
            path.into(),
            Route {
                scopes: vec![scope.into()],
                ..Route::default()
            },
        ));
        Self {
            methods: methods.into(),
            ..self
        }
    }

    /// Checks a verified token against what a call to `path` needs.
    fn check(&self, auth: &Auth, path: &str) -> Result<(), Rejection> {
        let clock = self.guard.clock();
        self.route.check(auth, clock)?;
        self.methods
            .iter()
            .filter(|(method, _)| method == path)
            .try_for_each(|(_, route)| route.check(auth, clock))
    }
}

impl<S> Layer<S> for GrpcLayer {
    type Service = GrpcService<S>;

    fn layer(&self, inner: S) -> GrpcService<S> {
        GrpcService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of a [`GrpcLayer`].
#[derive(Clone, Debug)]
pub struct GrpcService<S> {
    inner: S,
    layer: GrpcLayer,
}

impl<S, B, R> Service<Request<B>> for GrpcService<S>
where
    S: Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<R>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let guard = &layer.guard;
            let (mut parts, body) = request.into_parts();
            let path = parts.uri.path();
            let outcome = match guard
                .authenticate(&parts.method, path, &parts.headers)
                .await
            {
                Ok(auth) => layer.check(&auth, path).map(|()| auth),
                Err(rejection) => Err(rejection),
            };
            match outcome {
                Ok(auth) => {
                    Guard::authenticated(&auth, parts.method.as_str(), path);
                    let scheme = auth.scheme();
                    parts.extensions.insert(auth);
                    let response = inner.call(Request::from_parts(parts, body)).await?;
                    guard.responder().accepted(scheme);
                    Ok(response)
                }
                Err(mut rejection) => {
                    guard
                        .responder()
                        .record(&mut rejection, parts.method.as_str(), path);
                    Ok(refusal(&rejection))
                }
            }
        })
    }
}

/// The trailers-only answer to a refused call.
fn refusal<R: Default>(rejection: &Rejection) -> Response<R> {
    let mut response = Response::new(R::default());
    response.extensions_mut().insert(Refused);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    let reason = rejection.reason();
    headers.insert("grpc-status", HeaderValue::from(reason.grpc_code()));
    let message = percent_encode(rejection.description().unwrap_or(reason.as_str()));
    if let Ok(value) = HeaderValue::from_str(&message) {
        headers.insert("grpc-message", value);
    }
    for challenge in rejection.challenges() {
        if let Ok(value) = HeaderValue::from_str(challenge) {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(nonce) = rejection.nonce.as_deref() {
        if let Ok(value) = HeaderValue::from_str(nonce) {
            headers.insert("dpop-nonce", value);
        }
    }
    if let Some(seconds) = rejection.retry_after() {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        headers.insert(
            "grpc-retry-pushback-ms",
            HeaderValue::from(seconds.saturating_mul(1000)),
        );
    }
    response
}

/// `grpc-message` encoding (gRPC's PROTOCOL-HTTP2.md): bytes outside `0x20..=0x7E`, and
/// `%`, as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..=0x7E).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(hex(byte >> 4));
            out.push(hex(byte & 0x0F));
        }
    }
    out
}

/// The upper-case hex digit of a nibble.
fn hex(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).map_or('0', |c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Scheme;

    #[test]
    fn grpc_codes_follow_the_http_status() {
        for reason in Reason::ALL {
            let want = match reason.status().as_u16() {
                400 | 401 => 16,
                403 => 7,
                503 => 14,
                500 => 13,
                other => panic!("{reason}: status {other} has no gRPC code"),
            };
            assert_eq!(reason.grpc_code(), want, "{reason}");
        }
    }

    #[test]
    fn grpc_message_is_percent_encoded() {
        assert_eq!(
            percent_encode("jwt rejected: expired"),
            "jwt rejected: expired"
        );
        assert_eq!(percent_encode("100% é\n"), "100%25 %C3%A9%0A");
    }

    #[test]
    fn a_refusal_is_trailers_only() {
        let mut rejection =
            Rejection::new(Reason::KeysUnavailable, Some(Scheme::Bearer)).with_retry_after(3);
        rejection.challenges = Vec::new();
        let response: Response<String> = refusal(&rejection);
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/grpc");
        assert_eq!(response.headers()["grpc-status"], "14");
        assert_eq!(response.headers()["grpc-message"], "keys_unavailable");
        assert_eq!(response.headers()["retry-after"], "3");
        assert_eq!(response.headers()["grpc-retry-pushback-ms"], "3000");
        assert!(response.headers().get("www-authenticate").is_none());
        assert_eq!(response.body(), "");
    }
}
