//! What a handler gets: the [`Auth`] facts of the verified token, and its claims as your
//! type ([`Claims`]), with the rejections of these extractors.

use std::fmt;
use std::sync::Arc;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use jose_ring::jwa::Algorithm;
use jose_ring::jwt::{self, NumericDate};
use serde::de::DeserializeOwned;

use crate::authorities::{Kind, Names};
use crate::credentials::Scheme;
use crate::reason::Reason;
use crate::reject::{Rejection, Responder};

/// The facts of a verified access token: the layer inserts it as a request extension, and a
/// handler takes it as an extractor. Holds the token's verified claims (to read them into
/// your type without parsing the token again), never the token itself; `Debug` shows the
/// facts only.
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
    pub(crate) algorithm: Option<&'static Algorithm>,
    pub(crate) scheme: Scheme,
    /// The scopes and roles read.
    pub(crate) names: Names,
    pub(crate) acr: Option<String>,
    pub(crate) auth_time: Option<NumericDate>,
    /// The verified claims, as the token's payload decoded them.
    pub(crate) payload: Arc<[u8]>,
    /// The answering part of the guard that verified the token.
    pub(crate) responder: Arc<Responder>,
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

    /// The algorithm that verified the token's signature; `None` for an opaque token
    /// checked by introspection ([`Guard::from_introspection`](crate::Guard::from_introspection)).
    #[must_use]
    pub fn algorithm(&self) -> Option<&'static Algorithm> {
        self.algorithm
    }

    /// The scheme the token came with.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether `scope` is among the token's scopes (as [`scopes`](Self::scopes) lists them).
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.names.contains(Kind::Scope, scope)
    }

    /// Whether `role` is among the token's roles (as [`roles`](Self::roles) lists them).
    #[must_use]
    pub fn has_role(&self, role: &str) -> bool {
        self.names.contains(Kind::Role, role)
    }

    /// The token's scopes, read from the claims the guard was told
    /// ([`GuardBuilder::scope_claims`](crate::GuardBuilder::scope_claims); `scope` and
    /// `scp` by default), each with its source's prefix, in the order of the claims in the token.
    pub fn scopes(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter(Kind::Scope)
    }

    /// The token's roles, read from the claims the guard was told
    /// ([`GuardBuilder::role_claims`](crate::GuardBuilder::role_claims); `roles` by
    /// default), each with its source's prefix, in the order of the claims in the token.
    pub fn roles(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter(Kind::Role)
    }

    /// The token's `acr`: the authentication context class of the user's authentication
    /// (OpenID Connect Core §2, RFC 9470 §4).
    #[must_use]
    pub fn acr(&self) -> Option<&str> {
        self.acr.as_deref()
    }

    /// The token's `auth_time`: when the user last authenticated (whole seconds).
    #[must_use]
    pub fn auth_time(&self) -> Option<NumericDate> {
        self.auth_time
    }

    /// The verified claims, read into `T` from the payload the guard kept (the token is not
    /// parsed again).
    ///
    /// # Errors
    ///
    /// The library's [`Malformed::Json`](jose_ring::Malformed::Json) (part `claims`) when
    /// the claims do not fit `T`.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, jose_ring::Error> {
        jwt::parse_claims(&self.payload)
    }

    /// Whether the guard that verified the token is the one that owns `responder`.
    pub(crate) fn verified_by(&self, responder: &Arc<Responder>) -> bool {
        Arc::ptr_eq(&self.responder, responder)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("jkt", &self.jkt)
            .field("algorithm", &self.algorithm.map(Algorithm::name))
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

/// Marks a request an optional layer let through without credentials: `Option<Auth>` is
/// `None` only then. Without the mark and without an [`Auth`], no guard layer ran: 500, as
/// for `Auth` (fail closed).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Anonymous;

/// `Option<Auth>`: `Some` with a verified token, `None` for a request an optional layer
/// ([`Guard::optional_layer`](crate::Guard::optional_layer)) let through without
/// credentials; [`MissingAuth`] (500) when no guard layer ran.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Auth {
    type Rejection = MissingAuth;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match parts.extensions.get::<Self>() {
            Some(auth) => Ok(Some(auth.clone())),
            None if parts.extensions.get::<Anonymous>().is_some() => Ok(None),
            None => Err(MissingAuth),
        }
    }
}

/// The verified claims of the request's token, as your type: `Claims(claims): Claims<MyClaims>`.
///
/// The layer verified the token and kept its decoded claims; this reads them into `T` (a
/// second read of the claims' JSON, paid only by handlers that ask; the token is not parsed
/// again). Claims that do not fit `T` are answered as the guard answers a bad token (401
/// `invalid_token`, reason `invalid_token`): see [`ClaimsRejection`].
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
    type Rejection = ClaimsRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(auth) = parts.extensions.get::<Auth>() else {
            return Err(ClaimsRejection(Refusal::MissingAuth));
        };
        read_claims(auth, parts)
    }
}

/// `Option<Claims<T>>`: `None` for a request an optional layer let through without
/// credentials; otherwise as `Claims<T>` (claims that do not fit `T` are still refused).
impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequestParts<S> for Claims<T> {
    type Rejection = ClaimsRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match parts.extensions.get::<Auth>() {
            Some(auth) => read_claims(auth, parts).map(Some),
            None if parts.extensions.get::<Anonymous>().is_some() => Ok(None),
            None => Err(ClaimsRejection(Refusal::MissingAuth)),
        }
    }
}

/// The verified claims of `auth` as `T`, or the guard's refusal.
fn read_claims<T: DeserializeOwned>(
    auth: &Auth,
    parts: &Parts,
) -> Result<Claims<T>, ClaimsRejection> {
    auth.claims().map(Claims).map_err(|error| {
        ClaimsRejection(Refusal::Mismatch(Box::new(Mismatch {
            rejection: Rejection::new(Reason::InvalidToken, Some(auth.scheme))
                .with_description(&error.to_string()),
            responder: Arc::clone(&auth.responder),
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
        })))
    })
}

/// Why [`Claims<T>`] refused a request: no guard layer in front of the route (500, as
/// [`MissingAuth`]), or verified claims that do not fit `T` (answered by the guard that
/// verified them, as a bad token: 401 `invalid_token`, counted and logged, its reject hook
/// writing the body).
#[derive(Debug)]
pub struct ClaimsRejection(Refusal);

/// What a [`ClaimsRejection`] answers.
#[derive(Debug)]
enum Refusal {
    MissingAuth,
    Mismatch(Box<Mismatch>),
}

/// Claims that do not fit: the refusal, and what answering it needs.
#[derive(Debug)]
struct Mismatch {
    rejection: Rejection,
    responder: Arc<Responder>,
    method: http::Method,
    path: String,
}

impl ClaimsRejection {
    /// Why: [`Reason::Misconfigured`] without a layer, else [`Reason::InvalidToken`].
    #[must_use]
    pub fn reason(&self) -> Reason {
        match &self.0 {
            Refusal::MissingAuth => Reason::Misconfigured,
            Refusal::Mismatch(mismatch) => mismatch.rejection.reason(),
        }
    }

    /// The guard's refusal, for claims that do not fit `T` (its description names the
    /// library's error, never a claim value).
    #[must_use]
    pub fn rejection(&self) -> Option<&Rejection> {
        match &self.0 {
            Refusal::MissingAuth => None,
            Refusal::Mismatch(mismatch) => Some(&mismatch.rejection),
        }
    }
}

impl fmt::Display for ClaimsRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Refusal::MissingAuth => f.write_str("no guard layer in front of the route"),
            Refusal::Mismatch(_) => f.write_str("the verified claims do not fit the type"),
        }
    }
}

impl std::error::Error for ClaimsRejection {}

impl IntoResponse for ClaimsRejection {
    fn into_response(self) -> Response {
        match self.0 {
            Refusal::MissingAuth => MissingAuth.into_response(),
            Refusal::Mismatch(mismatch) => {
                let Mismatch {
                    rejection,
                    responder,
                    method,
                    path,
                } = *mismatch;
                responder.reject(rejection, method.as_str(), &path)
            }
        }
    }
}
