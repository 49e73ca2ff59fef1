//! What a handler gets: the [`Auth`] facts of the verified token, and its claims as your type.

use std::fmt;
use std::sync::Arc;

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use jose_ring::dangerous;
use jose_ring::jwa::Algorithm;
use jose_ring::jwt::NumericDate;
use serde::de::DeserializeOwned;

use crate::credentials::Scheme;
use crate::guard::Guard;
use crate::reason::Reason;
use crate::reject::Rejection;

/// The facts of a verified access token: the layer inserts it as a request extension, and a
/// handler takes it as an extractor. Never holds or shows the token itself (`Debug` shows the
/// facts only).
///
/// ```
/// use jose_ring_axum::Auth;
/// async fn whoami(auth: Auth) -> String {
///     format!("kid {:?}, issuer {:?}, dpop {}", auth.kid(), auth.issuer(), auth.jkt().is_some())
/// }
/// ```
#[derive(Clone)]
pub struct Auth {
    pub(crate) kid: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) jkt: Option<String>,
    pub(crate) jti: Option<String>,
    pub(crate) expires_at: Option<NumericDate>,
    pub(crate) algorithm: &'static Algorithm,
    pub(crate) scheme: Scheme,
    pub(crate) scope: Option<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) token: Arc<str>,
    pub(crate) guard: Guard,
}

impl Auth {
    /// The `kid` of the key that verified the token, if the token named one.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The token's `iss` (verified: with several issuers, the one whose keys verified it).
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The token's `sub`.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The thumbprint of the DPoP key the token is bound to, when it came with a proof.
    #[must_use]
    pub fn jkt(&self) -> Option<&str> {
        self.jkt.as_deref()
    }

    /// The token's `jti`.
    #[must_use]
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// The token's `exp`.
    #[must_use]
    pub fn expires_at(&self) -> Option<NumericDate> {
        self.expires_at
    }

    /// The algorithm that verified the signature.
    #[must_use]
    pub fn algorithm(&self) -> &'static Algorithm {
        self.algorithm
    }

    /// The scheme the token came with.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether the token's `scope` claim (space-delimited) has `scope`.
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|s| s == scope))
    }

    /// Whether the token's `roles` claim (RFC 9068 §2.2.3.1: an array of strings) has `role`.
    #[must_use]
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The verified claims, read into `T`.
    ///
    /// # Errors
    ///
    /// The library's [`Malformed::Json`](jose_ring::Malformed::Json) when the claims do not
    /// fit `T`.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, jose_ring::Error> {
        // The token's signature and claims were verified by the layer; this reads its
        // payload again, into the caller's type.
        dangerous::peek(&self.token)?.claims()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("jkt", &self.jkt)
            .field("algorithm", &self.algorithm.name())
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

/// Answers 500 for an extractor without the layer in front of it (a configuration mistake:
/// fail closed).
#[derive(Debug)]
pub struct MissingAuth;

impl IntoResponse for MissingAuth {
    fn into_response(self) -> Response {
        tracing::error!(target: "jose_ring_axum", reason = Reason::Misconfigured.as_str(), "an Auth or Claims extractor ran without the guard layer");
        (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "authentication is not configured for this route",
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = MissingAuth;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Self>().cloned().ok_or(MissingAuth)
    }
}

/// The verified claims of the request's token, as your type: `Claims(claims): Claims<MyClaims>`.
///
/// The layer verified the token; this reads its claims into `T` (a second parse of the
/// payload, paid only by handlers that ask). Claims that do not fit `T` are answered as the
/// guard answers a bad token (401 `invalid_token`, reason `invalid_token`).
///
/// ```
/// use jose_ring_axum::Claims;
/// #[derive(serde::Deserialize)]
/// struct Caller { sub: String }
/// async fn hello(Claims(caller): Claims<Caller>) -> String {
///     format!("hello {}", caller.sub)
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Claims<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Claims<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(auth) = parts.extensions.get::<Auth>() else {
            return Err(MissingAuth.into_response());
        };
        match auth.claims() {
            Ok(claims) => Ok(Self(claims)),
            Err(error) => {
                let rejection = Rejection::new(Reason::InvalidToken, Some(auth.scheme))
                    .with_description(&error.to_string());
                Err(auth
                    .guard
                    .reject(rejection, parts.method.as_str(), parts.uri.path()))
            }
        }
    }
}
