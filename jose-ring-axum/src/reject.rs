//! The answers (RFC 6750 §3, RFC 9449 §7 and §8, RFC 9728 §5.1): status, `WWW-Authenticate`
//! challenges, `DPoP-Nonce`, `Retry-After`; a small JSON body a hook can replace; and the
//! [`Responder`] that counts, logs and writes each refusal, which a guard and every `Auth`
//! it issued share.

use std::sync::Arc;

use axum_core::body::Body;
use axum_core::response::Response;
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};
use jose_ring::dpop::{Challenge, ChallengeError};

use crate::counters::Cells;
use crate::credentials::Scheme;
use crate::reason::Reason;

/// A refusal: why, with what status, and the challenges sent with it. Given to the
/// [`on_reject`](crate::GuardBuilder::on_reject) hook, which may write another body; the
/// status and the authentication headers stay the guard's. Every 503 carries `Retry-After`.
#[derive(Clone, Debug)]
pub struct Rejection {
    pub(crate) reason: Reason,
    pub(crate) scheme: Option<Scheme>,
    pub(crate) description: Option<String>,
    /// The parameters of a 403 or a step-up refusal; boxed: rare, and refusals stay small.
    pub(crate) params: Option<Box<Params>>,
    pub(crate) nonce: Option<String>,
    pub(crate) retry_after: Option<u64>,
    pub(crate) challenges: Vec<String>,
}

impl Rejection {
    /// A refusal for `reason`; a 503 says to retry after a second unless told otherwise
    /// ([`with_retry_after`](Self::with_retry_after)).
    pub(crate) fn new(reason: Reason, scheme: Option<Scheme>) -> Self {
        Self {
            reason,
            scheme,
            description: None,
            params: None,
            nonce: None,
            retry_after: (reason.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(1),
            challenges: Vec::new(),
        }
    }

    /// A text of the library's errors or of this crate's: never a token or a claim value.
    pub(crate) fn with_description(mut self, text: &str) -> Self {
        self.description = Some(text.to_owned());
        self
    }

    pub(crate) fn with_scope(mut self, scope: &str) -> Self {
        self.params.get_or_insert_default().scope = Some(scope.to_owned());
        self
    }

    pub(crate) fn with_acr_values(mut self, acr_values: String) -> Self {
        self.params.get_or_insert_default().acr_values = Some(acr_values);
        self
    }

    pub(crate) fn with_max_age(mut self, seconds: u64) -> Self {
        self.params.get_or_insert_default().max_age = Some(seconds);
        self
    }

    pub(crate) fn with_nonce(mut self, nonce: String) -> Self {
        self.nonce = Some(nonce);
        self
    }

    pub(crate) fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Why.
    #[must_use]
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The status sent (the hook cannot change it).
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.reason.status()
    }

    /// The description sent as `error_description`, if any: a fixed text of this crate's or
    /// an error text of the library's, never a value from the request.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The `WWW-Authenticate` values sent, one challenge each.
    #[must_use]
    pub fn challenges(&self) -> &[String] {
        &self.challenges
    }

    /// The `acr_values` of a step-up refusal (RFC 9470 §3): the authentication context
    /// classes the route accepts, space-delimited, in order of preference.
    #[must_use]
    pub fn acr_values(&self) -> Option<&str> {
        self.params.as_ref()?.acr_values.as_deref()
    }

    /// The `max_age` of a step-up refusal (RFC 9470 §3): the most seconds since the user's
    /// last authentication the route accepts.
    #[must_use]
    pub fn max_age(&self) -> Option<u64> {
        self.params.as_ref()?.max_age
    }

    /// The `Retry-After` seconds of a 503, if any.
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }
}

/// What a refusal names beyond its error: the scope of a 403, the requirements of a
/// step-up (RFC 9470 §3).
#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    pub(crate) scope: Option<String>,
    pub(crate) acr_values: Option<String>,
    pub(crate) max_age: Option<u64>,
}

/// Marks a response as a guard's refusal, so that a guard layer around it does not count the
/// request as accepted too.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Refused;

/// A hook that writes the response for a rejection.
pub(crate) type Hook = Box<dyn Fn(&Rejection) -> Response + Send + Sync>;

/// The answering part of a guard: its counters, how it writes challenges, and the reject
/// hook. Shared (in an `Arc`) by the guard and every [`Auth`](crate::Auth) it issued, so
/// that an extractor refuses the way the guard does; its address identifies the guard.
pub(crate) struct Responder {
    pub(crate) counters: Arc<Cells>,
    pub(crate) answers: Answers,
    pub(crate) on_reject: Option<Hook>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("answers", &self.answers)
            .field("on_reject", &self.on_reject.is_some())
            .finish_non_exhaustive()
    }
}

impl Responder {
    /// Counts, logs and answers a refusal of `method path` (marked [`Refused`]).
    pub(crate) fn reject(&self, mut rejection: Rejection, method: &str, path: &str) -> Response {
        self.record(&mut rejection, method, path);
        let response = match &self.on_reject {
            Some(hook) => hook(&rejection),
            None => default_body(&rejection),
        };
        let mut response = seal(&rejection, response);
        response.extensions_mut().insert(Refused);
        response
    }

    /// Counts and logs a refusal of `method path`, and writes its challenges: what every
    /// transport's answer starts from.
    pub(crate) fn record(&self, rejection: &mut Rejection, method: &str, path: &str) {
        let reason = rejection.reason;
        self.counters.rejected(reason, rejection.scheme);
        tracing::info!(
            target: "jose_ring_axum",
            reason = reason.as_str(),
            status = reason.status().as_u16(),
            method,
            path,
            detail = rejection.description.as_deref().unwrap_or(""),
            "request rejected"
        );
        rejection.challenges = self.answers.challenges(rejection);
    }

    /// Counts a request let through every guard layer with a token of `scheme`.
    pub(crate) fn accepted(&self, scheme: Scheme) {
        self.counters.accepted(scheme);
    }

    /// Counts a request let through every guard layer without credentials.
    pub(crate) fn anonymous(&self) {
        self.counters.anonymous();
    }
}

/// How the guard writes challenges.
#[derive(Debug)]
pub(crate) struct Answers {
    /// Whether `Bearer` tokens are accepted.
    pub(crate) bearer: bool,
    /// The algorithms of DPoP proofs, when DPoP is accepted.
    pub(crate) dpop: Option<Vec<&'static jose_ring::jwa::Algorithm>>,
    pub(crate) realm: Option<String>,
    pub(crate) resource_metadata: Option<String>,
}

impl Answers {
    /// The challenges for `rejection`: one per scheme accepted, the one the request used
    /// carrying the error (RFC 6750 §3, RFC 9449 §7.1).
    pub(crate) fn challenges(&self, rejection: &Rejection) -> Vec<String> {
        let reason = rejection.reason;
        if reason.status().is_server_error() {
            return Vec::new();
        }
        let error = match reason {
            Reason::MissingCredentials => None,
            Reason::InvalidRequest => Some(ChallengeError::InvalidRequest),
            Reason::InsufficientScope | Reason::InsufficientRole => {
                Some(ChallengeError::InsufficientScope)
            }
            Reason::InsufficientUserAuthentication => {
                Some(ChallengeError::InsufficientUserAuthentication)
            }
            Reason::InvalidDpopProof | Reason::DpopReplayed => Some(ChallengeError::InvalidProof),
            Reason::UseDpopNonce => Some(ChallengeError::UseNonce),
            _ => Some(ChallengeError::InvalidToken),
        };
        // Which challenge carries the error: the scheme used, else the one accepted.
        let on_dpop = match rejection.scheme {
            Some(Scheme::Dpop) => true,
            Some(Scheme::Bearer) => reason == Reason::DpopRequired,
            None => !self.bearer,
        };
        let finish = |mut challenge: Challenge, with_error: bool| {
            if let Some(realm) = &self.realm {
                challenge = challenge.with_realm(realm);
            }
            if with_error {
                if let Some(error) = error {
                    challenge = challenge.with_error(error);
                    if let Some(text) = &rejection.description {
                        challenge = challenge.with_description(text);
                    }
                }
                if let Some(scope) = rejection.params.as_ref().and_then(|p| p.scope.as_deref()) {
                    challenge = challenge.with_scope(scope);
                }
                if let Some(acr_values) = rejection.acr_values() {
                    challenge = challenge.with_acr_values(acr_values);
                }
                if let Some(max_age) = rejection.max_age() {
                    challenge = challenge.with_max_age(max_age);
                }
            }
            if let Some(url) = &self.resource_metadata {
                challenge = challenge.with_resource_metadata(url);
            }
            challenge.to_string()
        };
        let mut out = Vec::with_capacity(2);
        if self.bearer {
            out.push(finish(Challenge::bearer(), !on_dpop));
        }
        if let Some(algs) = &self.dpop {
            out.push(finish(Challenge::new(algs), on_dpop));
        }
        out
    }
}

/// The default body: `{"error":"<code>","reason":"<reason>"}` (fixed texts only).
fn default_body(rejection: &Rejection) -> Response {
    let reason = rejection.reason;
    let body = match reason.error_code() {
        Some(code) => format!(r#"{{"error":"{code}","reason":"{}"}}"#, reason.as_str()),
        None => format!(r#"{{"reason":"{}"}}"#, reason.as_str()),
    };
    let mut response = Response::new(Body::from(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Puts the guard's status and headers on `response`, whoever wrote its body.
fn seal(rejection: &Rejection, mut response: Response) -> Response {
    *response.status_mut() = rejection.status();
    let headers = response.headers_mut();
    headers.remove(WWW_AUTHENTICATE);
    for challenge in &rejection.challenges {
        if let Ok(value) = HeaderValue::from_str(challenge) {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    if let Some(nonce) = rejection.nonce.as_deref() {
        if let Ok(value) = HeaderValue::from_str(nonce) {
            headers.insert("dpop-nonce", value);
        }
    }
    if let Some(seconds) = rejection.retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    headers.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose_ring::jwa;

    fn answers(bearer: bool, dpop: bool) -> Answers {
        Answers {
            bearer,
            dpop: dpop.then(|| vec![&jwa::ES256, &jwa::Ed25519]),
            realm: None,
            resource_metadata: None,
        }
    }

    fn render(a: &Answers, reason: Reason, scheme: Option<Scheme>) -> Vec<String> {
        a.challenges(&Rejection::new(reason, scheme))
    }

    #[test]
    fn no_credentials_has_no_error_code() {
        assert_eq!(
            render(&answers(true, false), Reason::MissingCredentials, None),
            ["Bearer"]
        );
        assert_eq!(
            render(&answers(true, true), Reason::MissingCredentials, None),
            ["Bearer", r#"DPoP algs="ES256 Ed25519""#]
        );
        assert_eq!(
            render(&answers(false, true), Reason::MissingCredentials, None),
            [r#"DPoP algs="ES256 Ed25519""#]
        );
    }

    #[test]
    fn the_scheme_used_carries_the_error() {
        let both = answers(true, true);
        let bad = Rejection::new(Reason::Expired, Some(Scheme::Bearer))
            .with_description("jwt rejected: expired");
        assert_eq!(
            both.challenges(&bad),
            [
                r#"Bearer error="invalid_token", error_description="jwt rejected: expired""#,
                r#"DPoP algs="ES256 Ed25519""#
            ]
        );
        assert_eq!(
            render(&both, Reason::InvalidDpopProof, Some(Scheme::Dpop)),
            [
                "Bearer",
                r#"DPoP error="invalid_dpop_proof", algs="ES256 Ed25519""#
            ]
        );
        assert_eq!(
            render(
                &answers(false, true),
                Reason::DpopRequired,
                Some(Scheme::Bearer)
            ),
            [r#"DPoP error="invalid_token", algs="ES256 Ed25519""#]
        );
        assert_eq!(
            render(&both, Reason::UseDpopNonce, Some(Scheme::Dpop)),
            [
                "Bearer",
                r#"DPoP error="use_dpop_nonce", algs="ES256 Ed25519""#
            ]
        );
    }

    #[test]
    fn scope_realm_and_metadata() {
        let a = Answers {
            realm: Some("api".into()),
            resource_metadata: Some(
                "https://r.example/.well-known/oauth-protected-resource".into(),
            ),
            ..answers(true, false)
        };
        let r = Rejection::new(Reason::InsufficientScope, Some(Scheme::Bearer)).with_scope("admin");
        assert_eq!(
            a.challenges(&r),
            [
                r#"Bearer realm="api", error="insufficient_scope", scope="admin", resource_metadata="https://r.example/.well-known/oauth-protected-resource""#
            ]
        );
        assert_eq!(
            render(&a, Reason::InvalidRequest, None),
            [
                r#"Bearer realm="api", error="invalid_request", resource_metadata="https://r.example/.well-known/oauth-protected-resource""#
            ]
        );
    }

    #[test]
    fn step_up_names_what_would_do_on_the_scheme_used() {
        let r = Rejection::new(Reason::InsufficientUserAuthentication, Some(Scheme::Dpop))
            .with_description("a different authentication level is required")
            .with_acr_values("phrh phr".into())
            .with_max_age(300);
        assert_eq!(
            answers(true, true).challenges(&r),
            [
                "Bearer",
                r#"DPoP error="insufficient_user_authentication", error_description="a different authentication level is required", acr_values="phrh phr", max_age="300", algs="ES256 Ed25519""#
            ]
        );
        let r = Rejection::new(Reason::InsufficientUserAuthentication, Some(Scheme::Bearer))
            .with_max_age(0);
        assert_eq!(
            answers(true, false).challenges(&r),
            [r#"Bearer error="insufficient_user_authentication", max_age="0""#]
        );
        assert_eq!(
            (r.acr_values(), r.max_age(), r.status()),
            (None, Some(0), StatusCode::UNAUTHORIZED)
        );
    }

    #[test]
    fn server_errors_have_no_challenge() {
        assert!(
            render(
                &answers(true, true),
                Reason::KeysUnavailable,
                Some(Scheme::Bearer)
            )
            .is_empty()
        );
        assert!(render(&answers(true, true), Reason::RevocationUnavailable, None).is_empty());
    }

    #[test]
    fn every_503_says_when_to_retry() {
        for reason in Reason::ALL {
            let rejection = Rejection::new(reason, Some(Scheme::Bearer));
            let sealed = seal(&rejection, default_body(&rejection));
            assert_eq!(
                sealed
                    .headers()
                    .get(RETRY_AFTER)
                    .map(|v| v.to_str().unwrap()),
                (reason.status() == StatusCode::SERVICE_UNAVAILABLE).then_some("1"),
                "{reason}"
            );
        }
    }

    #[test]
    fn sealing_keeps_the_status_and_headers() {
        let mut r =
            Rejection::new(Reason::UseDpopNonce, Some(Scheme::Dpop)).with_nonce("n-1".into());
        r.challenges = vec!["DPoP error=\"use_dpop_nonce\"".into()];
        let mut custom = Response::new(Body::from("custom"));
        *custom.status_mut() = StatusCode::OK;
        let sealed = seal(&r, custom);
        assert_eq!(sealed.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(sealed.headers()["dpop-nonce"], "n-1");
        assert_eq!(
            sealed.headers()[WWW_AUTHENTICATE],
            "DPoP error=\"use_dpop_nonce\""
        );
        let r = Rejection::new(Reason::KeysUnavailable, None).with_retry_after(7);
        let sealed = seal(&r, default_body(&r));
        assert_eq!(sealed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(sealed.headers()[RETRY_AFTER], "7");
        assert!(sealed.headers().get(WWW_AUTHENTICATE).is_none());
    }
}
