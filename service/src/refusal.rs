//! The service's own refusals: at the token endpoints as RFC 6749 §5.2 says (400 with the
//! registered `error` code, 401 with `WWW-Authenticate` only for client authentication), and
//! 503 with `Retry-After` wherever the state store cannot answer, 429 with `Retry-After`
//! when a throttling budget is spent. The guard answers for
//! itself on the routes it guards.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::request_log::Note;
use crate::store::Unavailable;

/// Seconds a client is told to wait after a 503 (`Retry-After`): the store's reconnection
/// delay is at most half a second.
pub const RETRY_AFTER: u32 = 1;

/// A refusal: status, OAuth `error` code and fixed description, the reason code for the log,
/// and a challenge for a 401.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: Option<&'static str>,
    reason: &'static str,
    challenge: Option<HeaderValue>,
    retry_after: Option<u64>,
}

impl Refusal {
    const fn new(status: StatusCode, error: &'static str, reason: &'static str) -> Self {
        Self {
            status,
            error,
            description: None,
            reason,
            challenge: None,
            retry_after: None,
        }
    }

    /// The reason code (for the log and the audit trail).
    #[must_use]
    pub const fn reason(&self) -> &'static str {
        self.reason
    }

    /// The status.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        self.status
    }

    /// 429 `too_many_attempts` (Auth0's code for the same answer) with `Retry-After`: a
    /// throttling budget has no room for another attempt ([`crate::throttle`]).
    #[must_use]
    pub const fn throttled(retry_after: u64) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: "too_many_attempts",
            description: Some("too many failed attempts: try again after Retry-After seconds"),
            reason: "throttled",
            challenge: None,
            retry_after: Some(retry_after),
        }
    }

    /// 400 `invalid_request`: a malformed request.
    #[must_use]
    pub const fn invalid_request() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "invalid_request",
        )
    }

    /// 400 `invalid_grant`: the password, or the refresh token, does not grant tokens
    /// (`reason` for the log, `description` for the client).
    #[must_use]
    pub const fn invalid_grant(reason: &'static str, description: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description: Some(description),
            reason,
            challenge: None,
            retry_after: None,
        }
    }

    /// 400 `invalid_dpop_proof` (RFC 9449 §5): the `DPoP` header is not a valid proof for
    /// this request, or was used before.
    #[must_use]
    pub const fn invalid_dpop_proof() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_dpop_proof",
            "invalid_dpop_proof",
        )
    }

    /// 401 `invalid_client` with a challenge of the `scheme` the client tried: its clients
    /// are public (RFC 6749 §2.1), so any client authentication fails (§5.2).
    #[must_use]
    pub fn invalid_client(scheme: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: Some("this service has public clients only: send no client credentials"),
            reason: "invalid_client",
            challenge: HeaderValue::from_str(&format!(r#"{scheme} realm="jose-service""#)).ok(),
            retry_after: None,
        }
    }

    /// 400 with the RFC 6749 §5.2 (RFC 8707 §2, RFC 7009 §2.2.1) `error` code `error` and a
    /// fixed `description`: `invalid_request`, `unsupported_grant_type`, `invalid_scope`,
    /// `invalid_target`, `unauthorized_client`.
    #[must_use]
    pub const fn oauth(error: &'static str, description: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: Some(description),
            reason: error,
            challenge: None,
            retry_after: None,
        }
    }

    /// 401 `invalid_client` with `WWW-Authenticate: Basic realm="jose-service"` (RFC 6749
    /// §5.2, the scheme a client can authenticate with): client authentication failed (unknown
    /// client, wrong secret, bad assertion, no authentication), with a fixed `description`.
    #[must_use]
    pub fn client_authentication(description: &'static str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: Some(description),
            reason: "invalid_client",
            challenge: Some(HeaderValue::from_static(r#"Basic realm="jose-service""#)),
            retry_after: None,
        }
    }

    /// 503 `temporarily_unavailable` with `Retry-After`: the state store cannot answer.
    #[must_use]
    pub const fn unavailable(_: Unavailable) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "temporarily_unavailable",
        )
    }

    /// 500 `server_error`.
    #[must_use]
    pub const fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "server_error",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = match self.description {
            Some(text) => serde_json::json!({ "error": self.error, "error_description": text }),
            None => serde_json::json!({ "error": self.error }),
        };
        let mut response = (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Json(body),
        )
            .into_response();
        let retry_after = match (self.retry_after, self.status) {
            (Some(seconds), _) => Some(seconds),
            (None, StatusCode::SERVICE_UNAVAILABLE) => Some(u64::from(RETRY_AFTER)),
            (None, _) => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(challenge) = self.challenge {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        Note::refused(&mut response, self.reason);
        response
    }
}
