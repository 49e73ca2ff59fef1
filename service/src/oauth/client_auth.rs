//! Who calls an OAuth endpoint (RFC 6749 §2.3): a confidential client of the clients file by
//! `client_secret_basic` (§2.3.1) or `private_key_jwt` (RFC 7523 §2.2, §3), a public client
//! that names itself (`client_id` alone: `none`), or nobody; and the 401 `invalid_client`
//! answers of a failed authentication (§5.2).
//!
//! - **`client_secret_basic`**: `Authorization: Basic base64(id ":" secret)`, where the id and
//!   the secret are each form-urlencoded first (§2.3.1), so they are decoded here (`+` is a
//!   space, `%2B` a plus). Clients that skip that encoding (authlib, requests'
//!   `HTTPBasicAuth`) still match when the secret is made of unreserved characters
//!   (`A-Z a-z 0-9 - . _ ~`): `hash-client` warns otherwise.
//! - **`private_key_jwt`**: `client_assertion_type` =
//!   `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and `client_assertion`, a JWT
//!   signed by one of the client's keys with `iss` = `sub` = the client id, `aud` the issuer or
//!   the token endpoint URL (RFC 7523 §3; the draft successor of RFC 7523 recommends the
//!   issuer, Okta asks for the token endpoint, Auth0 for the issuer), `exp` at most
//!   [`ASSERTION_MAX_LIFETIME`] ahead, and a `jti` used once through the shared store (a
//!   replay on any instance is refused).
//! - One method per request (§2.3); `client_secret_post` is not offered (§2.3.1: "NOT
//!   RECOMMENDED").

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use base64ct::Encoding;
use jose_ring::jwt::{self, RegisteredClaims, Validation};

use crate::app::App;
use crate::audit;
use crate::oauth::clients::{Client, Credential, MAX_SECRET, valid_client_id};
use crate::oauth::form::Form;
use crate::refusal::Refusal;
use crate::throttle::{Attempt, Kind};
use crate::tokens::Policy;

/// The `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How far ahead a client assertion's `exp` may be, seconds: Okta's limit (one hour), which
/// is also authlib's default assertion lifetime (Auth0 allows 5 minutes). The `jti` is used
/// once whatever the lifetime, so a longer one costs only a longer-kept replay key.
pub const ASSERTION_MAX_LIFETIME: u64 = 3600;
/// Clock skew allowed on an assertion's `exp`, `nbf` and `iat`, seconds (Auth0's 10 s).
pub const ASSERTION_LEEWAY: u64 = 10;
/// The longest `jti` of an assertion accepted.
const MAX_JTI: usize = 256;

/// Who calls.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A confidential client that authenticated.
    Confidential(Arc<Client>),
    /// A public client naming itself (`client_id` alone, RFC 6749 §2.3: `none`).
    Public(String),
    /// Nobody named, no authentication.
    Anonymous,
}

impl Caller {
    /// The confidential client, or 401 `invalid_client` (an endpoint for confidential clients
    /// only: `client_credentials`, introspection).
    ///
    /// # Errors
    ///
    /// 401 `invalid_client` for a public or anonymous caller.
    pub fn confidential(self, app: &App, ip: IpAddr) -> Result<Arc<Client>, Refusal> {
        match self {
            Self::Confidential(client) => Ok(client),
            Self::Public(client_id) => {
                app.metrics.client_authentication("invalid_client");
                client_auth_failed(ip, Some(&client_id), "none", "no client authentication");
                Err(Refusal::client_authentication(
                    "client authentication required",
                ))
            }
            Self::Anonymous => {
                app.metrics.client_authentication("invalid_client");
                client_auth_failed(ip, None, "none", "no client authentication");
                Err(Refusal::client_authentication(
                    "client authentication required",
                ))
            }
        }
    }
}

/// Where client authentication happens: the `aud` values a client assertion may name.
#[derive(Debug, Clone, Copy)]
pub struct Audiences<'a> {
    /// The issuer identifier (RFC 8414 `issuer`).
    pub issuer: &'a str,
    /// The token endpoint URL.
    pub token_endpoint: &'a str,
}

/// Establishes who calls (from `ip`), from the request's `Authorization` field and form; a
/// client assertion may name the issuer or the token endpoint as its `aud`.
/// A secret or an assertion is checked only within the client's throttling budgets
/// ([`Kind::ClientSecret`]: per client and client IP, per client, per IP); every failure is
/// audited (`client_auth_failed`) and counted, with every success.
///
/// # Errors
///
/// 401 `invalid_client` when a client authentication is attempted and fails, or when a client
/// of the clients file names itself without authenticating; 400 `invalid_request` for two
/// methods at once or a malformed `Authorization`; 429 `too_many_attempts` when a budget is
/// spent; 503 if the replay store cannot answer.
pub async fn authenticate(
    app: &App,
    ip: IpAddr,
    headers: &HeaderMap,
    form: &Form,
) -> Result<Caller, Refusal> {
    let audiences = Audiences {
        issuer: &app.endpoints.issuer,
        token_endpoint: &app.endpoints.token_endpoint,
    };
    let caller = identify(app, ip, headers, form, audiences).await;
    match &caller {
        Ok(Caller::Confidential(_)) => app.metrics.client_authentication("ok"),
        Err(refusal) if refusal.reason() != "invalid_request" => {
            app.metrics.client_authentication(refusal.reason());
        }
        _ => {}
    }
    caller
}

async fn identify(
    app: &App,
    ip: IpAddr,
    headers: &HeaderMap,
    form: &Form,
    audiences: Audiences<'_>,
) -> Result<Caller, Refusal> {
    let mut authorizations = headers.get_all(header::AUTHORIZATION).iter();
    let authorization = authorizations.next();
    if authorizations.next().is_some() {
        return Err(Refusal::oauth(
            "invalid_request",
            "more than one Authorization field",
        ));
    }
    let assertion = form.get("client_assertion");
    let named = form.get("client_id");
    if form.get("client_secret").is_some() {
        client_auth_failed(ip, named, "client_secret_post", "method not offered");
        return Err(Refusal::client_authentication(
            "client_secret_post is not offered: use client_secret_basic or private_key_jwt",
        ));
    }
    if authorization.is_some() && assertion.is_some() {
        return Err(Refusal::oauth(
            "invalid_request",
            "more than one client authentication method",
        ));
    }
    if let Some(value) = authorization {
        let text = value.to_str().map_err(|_| basic_malformed())?;
        let (id, secret) = basic_credentials(ip, text)?;
        if named.is_some_and(|named| named != id) {
            client_auth_failed(ip, Some(&id), "client_secret_basic", "client_id mismatch");
            return Err(Refusal::client_authentication(
                "client_id is not the authenticated client",
            ));
        }
        return check_secret(app, ip, id, secret)
            .await
            .map(Caller::Confidential);
    }
    if let Some(assertion) = assertion {
        if form.get("client_assertion_type") != Some(ASSERTION_TYPE) {
            client_auth_failed(ip, named, "private_key_jwt", "client_assertion_type");
            return Err(Refusal::client_authentication(
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        return check_assertion(app, ip, assertion, named, audiences)
            .await
            .map(Caller::Confidential);
    }
    match named {
        None => Ok(Caller::Anonymous),
        Some(client_id) if !valid_client_id(client_id) => {
            Err(Refusal::oauth("invalid_request", "client_id is not one"))
        }
        Some(client_id) if app.clients().get(client_id).is_some() => {
            client_auth_failed(
                ip,
                Some(client_id),
                "none",
                "confidential client unauthenticated",
            );
            Err(Refusal::client_authentication(
                "this client must authenticate",
            ))
        }
        Some(client_id) => Ok(Caller::Public(client_id.to_owned())),
    }
}

/// The client id and secret of an `Authorization: Basic` value, form-urldecoded (RFC 6749
/// §2.3.1).
fn basic_credentials(ip: IpAddr, value: &str) -> Result<(String, String), Refusal> {
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        client_auth_failed(ip, None, "unknown", "Authorization scheme");
        return Err(Refusal::client_authentication(
            "client authentication is client_secret_basic (Basic) or private_key_jwt",
        ));
    }
    let decoded = base64ct::Base64::decode_vec(encoded.trim_start_matches(' '))
        .map_err(|_| basic_malformed())?;
    let text = String::from_utf8(decoded).map_err(|_| basic_malformed())?;
    let (id, secret) = text.split_once(':').ok_or_else(basic_malformed)?;
    let id = form_decode(id).ok_or_else(basic_malformed)?;
    let secret = form_decode(secret).ok_or_else(basic_malformed)?;
    if !valid_client_id(&id) || secret.is_empty() || secret.len() > MAX_SECRET {
        client_auth_failed(ip, None, "client_secret_basic", "malformed credentials");
        return Err(Refusal::client_authentication(
            "client authentication failed",
        ));
    }
    Ok((id, secret))
}

fn basic_malformed() -> Refusal {
    Refusal::oauth(
        "invalid_request",
        "Authorization: Basic is base64(client_id \":\" client_secret)",
    )
}

/// `application/x-www-form-urlencoded` decoding of one component: `+` is a space, `%XX` a
/// byte; the result must be UTF-8.
fn form_decode(component: &str) -> Option<String> {
    let spaced = component.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Charges a client authentication to the client's and `ip`'s budgets, or refuses it (429,
/// audited `throttled`).
async fn begin<'a>(app: &'a App, ip: IpAddr, client_id: &str) -> Result<Attempt<'a>, Refusal> {
    app.throttle
        .begin(Kind::ClientSecret, Some(client_id), ip)
        .await
        .map_err(|throttled| {
            app.metrics
                .throttled(throttled.kind.as_str(), throttled.scope.as_str());
            audit::throttled(
                throttled.kind.as_str(),
                Some(client_id),
                ip,
                throttled.scope.as_str(),
                throttled.retry_after,
            );
            Refusal::throttled(throttled.retry_after)
        })
}

/// Settles a client authentication's `attempt` by its `result` (a 5xx counts for nothing).
async fn settle<T>(attempt: Attempt<'_>, result: &Result<T, Refusal>) {
    match result {
        Ok(_) => attempt.succeeded().await,
        Err(refusal) if refusal.status().is_server_error() => attempt.not_counted().await,
        Err(_) => attempt.failed().await,
    }
}

async fn check_secret(
    app: &App,
    ip: IpAddr,
    id: String,
    secret: String,
) -> Result<Arc<Client>, Refusal> {
    let attempt = begin(app, ip, &id).await?;
    let result = check_secret_within(app, ip, id, secret).await;
    settle(attempt, &result).await;
    result
}

async fn check_secret_within(
    app: &App,
    ip: IpAddr,
    id: String,
    secret: String,
) -> Result<Arc<Client>, Refusal> {
    let clients = app.clients();
    // PBKDF2 is CPU work: off the async threads. Unknown clients take the same path.
    let checked = tokio::task::spawn_blocking(move || {
        let found = clients.check_secret(&id, &secret);
        (id, found)
    })
    .await
    .map_err(|_| Refusal::server_error())?;
    match checked {
        (_, Some(client)) => Ok(client),
        (id, None) => {
            client_auth_failed(
                ip,
                Some(&id),
                "client_secret_basic",
                "wrong secret or unknown client",
            );
            Err(Refusal::client_authentication(
                "client authentication failed",
            ))
        }
    }
}

async fn check_assertion(
    app: &App,
    ip: IpAddr,
    assertion: &str,
    named: Option<&str>,
    audiences: Audiences<'_>,
) -> Result<Arc<Client>, Refusal> {
    let failed = |client_id: Option<&str>, why: &'static str| {
        client_auth_failed(ip, client_id, "private_key_jwt", why);
        Refusal::client_authentication("client authentication failed")
    };
    // The client named in the form, else the assertion's `iss` (RFC 7523 §3: the client id),
    // read unverified only to choose the keys; `iss` and `sub` are then required to be it.
    let client_id = match named {
        Some(client_id) => client_id.to_owned(),
        None => jose_ring::dangerous::peek(assertion)
            .and_then(|peek| peek.iss())
            .ok()
            .flatten()
            .ok_or_else(|| failed(None, "assertion names no client"))?,
    };
    let clients = app.clients();
    let client = clients
        .get(&client_id)
        .filter(|client| matches!(client.credential, Credential::Keys(_)))
        .ok_or_else(|| failed(None, "unknown client or no keys"))?;
    let Credential::Keys(keys) = &client.credential else {
        return Err(failed(Some(&client_id), "no keys"));
    };
    let now = app.now();
    let rules = Validation::new(now)
        .with_issuer(client_id.as_str())
        .with_subject(client_id.as_str())
        .with_audience(audiences.issuer)
        .with_audience(audiences.token_endpoint)
        .with_required("jti")
        .with_leeway(ASSERTION_LEEWAY);
    let claims: RegisteredClaims = jwt::decode(assertion, keys, &rules)
        .map_err(|_| failed(Some(&client_id), "assertion refused"))?
        .into_claims();
    let latest = now.saturating_add(
        i64::try_from(ASSERTION_MAX_LIFETIME.saturating_add(ASSERTION_LEEWAY)).unwrap_or(i64::MAX),
    );
    if claims.exp.is_none_or(|exp| exp > latest) {
        return Err(failed(Some(&client_id), "assertion lives too long"));
    }
    let jti = claims.jti.as_deref().unwrap_or_default();
    if jti.is_empty() || jti.len() > MAX_JTI {
        return Err(failed(Some(&client_id), "assertion jti"));
    }
    let ttl =
        Policy::ttl_until(claims.exp, now).saturating_add(Duration::from_secs(ASSERTION_LEEWAY));
    let first = app
        .state
        .first_client_assertion(&client_id, jti, ttl)
        .await
        .map_err(Refusal::unavailable)?;
    if !first {
        return Err(failed(Some(&client_id), "assertion replayed"));
    }
    Ok(Arc::clone(client))
}

/// A failed client authentication from `ip`: the audit trail's `client_auth_failed`, with
/// the client id when known, the method and why, never a secret or an assertion.
fn client_auth_failed(
    ip: IpAddr,
    client_id: Option<&str>,
    method: &'static str,
    why: &'static str,
) {
    audit::client_auth_failed(client_id, ip, method, why);
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn basic_credentials_are_form_urldecoded() {
        // RFC 6749 §2.3.1: each part form-urlencoded, then base64 of "id:secret".
        let encoded = base64ct::Base64::encode_string(b"batch-1:a+b%2Bc%3Ad%25");
        assert_eq!(
            basic_credentials(IP, &format!("Basic {encoded}")),
            Ok(("batch-1".to_owned(), "a b+c:d%".to_owned()))
        );
        let lower = base64ct::Base64::encode_string(b"batch-1:s");
        assert!(basic_credentials(IP, &format!("basic {lower}")).is_ok());
        assert_eq!(basic_credentials(IP, "Basic !!!"), Err(basic_malformed()));
        let no_colon = base64ct::Base64::encode_string(b"batch-1");
        assert_eq!(
            basic_credentials(IP, &format!("Basic {no_colon}")),
            Err(basic_malformed())
        );
        let bad_utf8 = base64ct::Base64::encode_string(b"batch-1:%FF");
        assert_eq!(
            basic_credentials(IP, &format!("Basic {bad_utf8}")),
            Err(basic_malformed())
        );
        assert_eq!(
            basic_credentials(IP, "Bearer abc"),
            Err(Refusal::client_authentication(
                "client authentication is client_secret_basic (Basic) or private_key_jwt"
            ))
        );
    }
}
