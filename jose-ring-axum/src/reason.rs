//! Why a request was refused: stable codes for logs, metrics and the hook.

use std::fmt;

use http::StatusCode;

/// Why the guard refused a request: each reason has a stable code ([`as_str`](Self::as_str)),
/// an HTTP status and an RFC 6750 / RFC 9449 error code.
///
/// | Reason | Code | Status | `error` |
/// |---|---|---|---|
/// | [`MissingCredentials`](Self::MissingCredentials) | `missing_credentials` | 401 | none |
/// | [`InvalidRequest`](Self::InvalidRequest) | `invalid_request` | 400 | `invalid_request` |
/// | [`InvalidToken`](Self::InvalidToken) | `invalid_token` | 401 | `invalid_token` |
/// | [`Expired`](Self::Expired) | `expired` | 401 | `invalid_token` |
/// | [`UnknownKey`](Self::UnknownKey) | `unknown_key` | 401 | `invalid_token` |
/// | [`Revoked`](Self::Revoked) | `revoked` | 401 | `invalid_token` |
/// | [`BoundTokenAsBearer`](Self::BoundTokenAsBearer) | `bound_token_as_bearer` | 401 | `invalid_token` |
/// | [`DpopRequired`](Self::DpopRequired) | `dpop_required` | 401 | `invalid_token` (DPoP) |
/// | [`InsufficientScope`](Self::InsufficientScope) | `insufficient_scope` | 403 | `insufficient_scope` |
/// | [`InsufficientRole`](Self::InsufficientRole) | `insufficient_role` | 403 | `insufficient_scope` |
/// | [`InsufficientUserAuthentication`](Self::InsufficientUserAuthentication) | `insufficient_user_authentication` | 401 | `insufficient_user_authentication` |
/// | [`InvalidDpopProof`](Self::InvalidDpopProof) | `invalid_dpop_proof` | 401 | `invalid_dpop_proof` |
/// | [`DpopReplayed`](Self::DpopReplayed) | `dpop_replayed` | 401 | `invalid_dpop_proof` |
/// | [`UseDpopNonce`](Self::UseDpopNonce) | `use_dpop_nonce` | 401 | `use_dpop_nonce` |
/// | [`KeysUnavailable`](Self::KeysUnavailable) | `keys_unavailable` | 503 | none |
/// | [`RevocationUnavailable`](Self::RevocationUnavailable) | `revocation_unavailable` | 503 | none |
/// | [`ReplayUnavailable`](Self::ReplayUnavailable) | `replay_unavailable` | 503 | none |
/// | [`IntrospectionUnavailable`](Self::IntrospectionUnavailable) | `introspection_unavailable` | 503 | none |
/// | [`Misconfigured`](Self::Misconfigured) | `misconfigured` | 500 | none |
///
/// ```
/// use jose_ring_axum::Reason;
/// assert_eq!(Reason::Expired.as_str(), "expired");
/// assert_eq!(Reason::Expired.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(Reason::Expired.error_code(), Some("invalid_token"));
/// assert_eq!(Reason::ALL.len(), 19);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// No `Authorization` field (or one with another scheme): RFC 6750 §3.1 says answer
    /// without an error code.
    MissingCredentials,
    /// Two `Authorization` fields, a scheme without credentials, credentials that are not a
    /// `token68`.
    InvalidRequest,
    /// The token does not verify (signature, structure, `typ`, audience, issuer, ...).
    InvalidToken,
    /// The token's `exp` has passed (or its `nbf` has not).
    Expired,
    /// No key for the token's `kid` (after the refetch the cooldown allowed), or its issuer
    /// is not configured.
    UnknownKey,
    /// The revocation store lists the token's `jti`, or a store is set and the token has none.
    Revoked,
    /// A DPoP-bound token (`cnf.jkt`) sent with the `Bearer` scheme (RFC 9449 §7.2).
    BoundTokenAsBearer,
    /// A `Bearer` token where only DPoP is accepted.
    DpopRequired,
    /// The token lacks a scope the route needs.
    InsufficientScope,
    /// The token lacks a role the route needs.
    InsufficientRole,
    /// The user's authentication behind the token is not the kind (`acr`) or not as recent
    /// (`auth_time`) as the route needs (RFC 9470 §3): the challenge says what would do
    /// (`acr_values`, `max_age`).
    InsufficientUserAuthentication,
    /// The DPoP proof is missing, malformed, or does not match the request or the token.
    InvalidDpopProof,
    /// The DPoP proof was used before.
    DpopReplayed,
    /// The DPoP proof lacks the server's current nonce (RFC 9449 §8).
    UseDpopNonce,
    /// No key set could be fetched (or it is stale beyond the policy): fail closed.
    KeysUnavailable,
    /// The revocation store cannot tell: fail closed.
    RevocationUnavailable,
    /// The replay store cannot tell: fail closed.
    ReplayUnavailable,
    /// The token introspection endpoint (RFC 7662) gave no usable answer (down, slow, an
    /// error status, a malformed or unverifiable answer): fail closed.
    IntrospectionUnavailable,
    /// An extractor ran without the guard's layer in front of it.
    Misconfigured,
}

impl Reason {
    /// Every reason, in the order of the table.
    pub const ALL: [Self; 19] = [
        Self::MissingCredentials,
        Self::InvalidRequest,
        Self::InvalidToken,
        Self::Expired,
        Self::UnknownKey,
        Self::Revoked,
        Self::BoundTokenAsBearer,
        Self::DpopRequired,
        Self::InsufficientScope,
        Self::InsufficientRole,
        Self::InsufficientUserAuthentication,
        Self::InvalidDpopProof,
        Self::DpopReplayed,
        Self::UseDpopNonce,
        Self::KeysUnavailable,
        Self::RevocationUnavailable,
        Self::ReplayUnavailable,
        Self::IntrospectionUnavailable,
        Self::Misconfigured,
    ];

    /// The stable code, for logs and metrics.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MissingCredentials => "missing_credentials",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::Expired => "expired",
            Self::UnknownKey => "unknown_key",
            Self::Revoked => "revoked",
            Self::BoundTokenAsBearer => "bound_token_as_bearer",
            Self::DpopRequired => "dpop_required",
            Self::InsufficientScope => "insufficient_scope",
            Self::InsufficientRole => "insufficient_role",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::DpopReplayed => "dpop_replayed",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::KeysUnavailable => "keys_unavailable",
            Self::RevocationUnavailable => "revocation_unavailable",
            Self::ReplayUnavailable => "replay_unavailable",
            Self::IntrospectionUnavailable => "introspection_unavailable",
            Self::Misconfigured => "misconfigured",
        }
    }

    /// The status of the answer.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::InsufficientScope | Self::InsufficientRole => StatusCode::FORBIDDEN,
            Self::KeysUnavailable
            | Self::RevocationUnavailable
            | Self::ReplayUnavailable
            | Self::IntrospectionUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Misconfigured => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The `error` of the `WWW-Authenticate` challenge (RFC 6750 §3.1, RFC 9449 §7.1, §8),
    /// if the answer has one.
    #[must_use]
    pub const fn error_code(self) -> Option<&'static str> {
        match self {
            Self::MissingCredentials
            | Self::KeysUnavailable
            | Self::RevocationUnavailable
            | Self::ReplayUnavailable
            | Self::IntrospectionUnavailable
            | Self::Misconfigured => None,
            Self::InvalidRequest => Some("invalid_request"),
            Self::InsufficientScope | Self::InsufficientRole => Some("insufficient_scope"),
            Self::InsufficientUserAuthentication => Some("insufficient_user_authentication"),
            Self::InvalidDpopProof | Self::DpopReplayed => Some("invalid_dpop_proof"),
            Self::UseDpopNonce => Some("use_dpop_nonce"),
            _ => Some("invalid_token"),
        }
    }

    /// The position in [`ALL`](Self::ALL).
    pub(crate) fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
