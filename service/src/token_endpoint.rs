//! The token endpoints, `POST /login` (a password, RFC 6749 §4.3) and `POST /refresh` (a
//! refresh token, RFC 6749 §6, rotated as [`crate::rotation`] says): the request's DPoP proof
//! if any (RFC 9449 §5), the throttling of failed attempts ([`crate::throttle`]), the audit
//! trail ([`crate::audit`]) and the metrics, and the answers of RFC 6749 §5.1 and §5.2. The
//! refresh grant (`refresh_grant`, audited by `audit_refresh`) is the one `POST /token` runs
//! too.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State as AxumState;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jose_ring::dpop::{self, Confirmation, ProofValidation, VerifiedProof};
use jose_ring::jwt::{self, NumericDate};
use jose_ring::{ClaimError, Error};
use serde::Deserialize;

use crate::app::App;
use crate::audit;
use crate::client_ip::ClientIp;
use crate::oauth::clients::valid_client_id;
use crate::refusal::Refusal;
use crate::request_log::Note;
use crate::rotation::{self, Outcome, Presentation};
use crate::throttle::{Attempt, Kind, Throttled};
use crate::tokens::{IssueError, PairIds, RefreshClaims, TokenResponse};
use crate::users::{MAX_PASSWORD, User};

/// The longest user name accepted.
const MAX_USERNAME: usize = 256;
/// The `client_id` of a login that names none.
const DEFAULT_CLIENT: &str = "demo-client";
/// Clock skew allowed on a proof's `iat`, seconds (the guard's default too).
const PROOF_LEEWAY: u64 = 5;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    username: String,
    password: String,
    #[serde(default)]
    client_id: Option<String>,
}

impl LoginRequest {
    /// A login of `username` with `password` through `client_id`.
    pub(crate) fn new(username: String, password: String, client_id: &str) -> Self {
        Self {
            username,
            password,
            client_id: Some(client_id.to_owned()),
        }
    }
}

/// A pair issued to a user at a token endpoint (or for a browser session): the tokens, whom
/// for, and the ids the session keeps (the family, the access token's `jti` and expiry).
#[derive(Debug)]
pub(crate) struct Issued {
    /// The tokens, as the token endpoints answer them.
    pub(crate) tokens: TokenResponse,
    /// The user.
    pub(crate) sub: String,
    /// The family.
    pub(crate) family: String,
    /// The access token's `jti`.
    pub(crate) access_jti: String,
    /// The access token's `exp`, Unix seconds.
    pub(crate) access_exp: i64,
}

impl Issued {
    /// The token endpoints' answer (RFC 6749 §5.1: JSON, `Cache-Control: no-store`).
    pub(crate) fn into_response(self) -> Response {
        token_answer(self.tokens, self.sub)
    }
}

/// The token endpoints' answer of `tokens` issued for `sub`.
fn token_answer(tokens: TokenResponse, sub: String) -> Response {
    let mut response = (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(tokens),
    )
        .into_response();
    Note::served(&mut response, Some(sub));
    response
}

/// What was issued, or 500 (logged) if signing failed.
fn signed(issued: Result<TokenResponse, IssueError>) -> Result<TokenResponse, Refusal> {
    issued.map_err(|error| {
        tracing::error!(%error, "issuing tokens failed");
        Refusal::server_error()
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefreshRequest {
    refresh_token: String,
    /// A public client may name itself (RFC 6749 §3.2.1); it must be the token's.
    #[serde(default)]
    client_id: Option<String>,
}

/// Client authentication (RFC 6749 §2.3): the service's clients are public, so a request
/// that tries it (an `Authorization` field) is refused with 401 and a challenge of the
/// scheme it used (§5.2).
fn no_client_authentication(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(());
    };
    let text = value.to_str().map_err(|_| Refusal::invalid_request())?;
    let scheme = text.split_once(' ').map_or(text, |(scheme, _)| scheme);
    let token = !scheme.is_empty()
        && scheme.len() <= 32
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if token {
        Err(Refusal::invalid_client(scheme))
    } else {
        Err(Refusal::invalid_request())
    }
}

/// The request's DPoP proof for `POST <origin><path>`, checked and recorded once in the
/// shared state (a replay anywhere is refused), if it carries one.
///
/// # Errors
///
/// 400 `invalid_dpop_proof`, or 503 if the store cannot answer.
pub(crate) async fn proof(
    app: &App,
    headers: &HeaderMap,
    path: &str,
    now: NumericDate,
) -> Result<Option<VerifiedProof>, Refusal> {
    let values: Vec<&HeaderValue> = headers.get_all("dpop").iter().collect();
    if values.is_empty() {
        return Ok(None);
    }
    let texts: Vec<&str> = values
        .iter()
        .map(|value| value.to_str())
        .collect::<Result<_, _>>()
        .map_err(|_| Refusal::invalid_dpop_proof())?;
    let proof = dpop::single_proof(texts).map_err(|_| Refusal::invalid_dpop_proof())?;
    let htu = format!("{}{path}", app.public_origin);
    let rules = ProofValidation::new(Method::POST.as_str(), &htu, now).with_leeway(PROOF_LEEWAY);
    let checked = dpop::verify(proof, &rules).map_err(|_| Refusal::invalid_dpop_proof())?;
    if !app
        .state
        .first_proof(
            &checked.replay_key(),
            Duration::from_secs(rules.replay_window()),
        )
        .await
        .map_err(Refusal::unavailable)?
    {
        return Err(Refusal::invalid_dpop_proof());
    }
    Ok(Some(checked))
}

/// Issues a pair with `ids` signed with the current key.
///
/// # Errors
///
/// 500 `server_error` if signing failed.
fn issue(
    app: &App,
    user: &User,
    client_id: &str,
    ids: &PairIds,
    cnf: Option<Confirmation>,
    now: NumericDate,
) -> Result<Issued, Refusal> {
    let keys = app.keys();
    let tokens = signed(
        app.policy
            .issue(keys.signer(), user, client_id, ids, cnf, now),
    )?;
    let lifetime = i64::try_from(app.policy.access_lifetime).unwrap_or(i64::MAX);
    Ok(Issued {
        tokens,
        sub: user.username.clone(),
        family: ids.family.clone(),
        access_jti: ids.access.clone(),
        access_exp: now.as_seconds().saturating_add(lifetime),
    })
}

/// The token endpoints' answer (RFC 6749 §5.1: JSON, `Cache-Control: no-store`) of what was
/// issued for `sub`, or 500 if it could not be.
///
/// # Errors
///
/// 500 `server_error` if issuing failed.
pub(crate) fn answer(
    issued: Result<TokenResponse, IssueError>,
    sub: &str,
) -> Result<Response, Refusal> {
    Ok(token_answer(signed(issued)?, sub.to_owned()))
}

/// What the audit trail says of one attempt, learnt as the handler goes.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// The account, when the request is for one that exists.
    account: Option<String>,
    client_id: Option<String>,
    family: Option<String>,
    dpop: bool,
    retried: bool,
    reused: bool,
    throttled: Option<Throttled>,
}

impl Seen {
    /// Charges an attempt to prove `kind` for `account` from `ip`, or refuses it (429).
    async fn begin<'a>(
        &mut self,
        app: &'a App,
        kind: Kind,
        account: Option<&str>,
        ip: IpAddr,
    ) -> Result<Attempt<'a>, Refusal> {
        app.throttle
            .begin(kind, account, ip)
            .await
            .map_err(|throttled| {
                app.metrics
                    .throttled(throttled.kind.as_str(), throttled.scope.as_str());
                self.throttled = Some(throttled);
                Refusal::throttled(throttled.retry_after)
            })
    }

    /// The audit event of a refusal: `throttled`, `client_auth_failed` (counted as a client
    /// authentication), or `failed`'s.
    fn refused(&self, app: &App, ip: IpAddr, refusal: &Refusal, failed: impl FnOnce()) {
        if let Some(throttled) = self.throttled {
            audit::throttled(
                throttled.kind.as_str(),
                self.account.as_deref(),
                ip,
                throttled.scope.as_str(),
                throttled.retry_after,
            );
        } else if refusal.reason() == "invalid_client" {
            // The service's public clients authenticate nowhere but `/token`.
            audit::client_auth_failed(
                self.client_id.as_deref(),
                ip,
                "unsupported",
                refusal.reason(),
            );
            app.metrics.client_authentication(refusal.reason());
        } else {
            failed();
        }
    }
}

/// Settles `attempt` by the status it was `refused` with, if it was: a success is given
/// back, a refusal for want of the store or of the service (5xx) counts for nothing, any
/// other refusal is a failure.
async fn settle(attempt: Attempt<'_>, refused: Option<StatusCode>) {
    match refused {
        None => attempt.succeeded().await,
        Some(status) if status.is_server_error() => attempt.not_counted().await,
        Some(_) => attempt.failed().await,
    }
}

/// `POST /login`: a password for a new family's first pair, bound to the proof's key if the
/// request carries a proof. Audited: `login_ok`, `login_failed`, `throttled`.
pub(crate) async fn login(
    AxumState(app): AxumState<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, Refusal> {
    let request = body
        .map(|Json(request)| request)
        .map_err(|_| Refusal::invalid_request());
    password_login(&app, ip, &headers, request, Some("/login"))
        .await
        .map(Issued::into_response)
}

/// A login by password (`POST /login`, and a browser session's), counted, audited
/// (`login_ok`, `login_failed`, `throttled`) and throttled; the pair bound to the request's
/// DPoP proof for `POST <origin><proof_path>` if it carries one, a proof refused when
/// `proof_path` is `None`.
///
/// # Errors
///
/// As RFC 6749 §5.2 says, 429 when throttled, 503 when the store cannot answer.
pub(crate) async fn password_login(
    app: &App,
    ip: IpAddr,
    headers: &HeaderMap,
    request: Result<LoginRequest, Refusal>,
    proof_path: Option<&str>,
) -> Result<Issued, Refusal> {
    let mut seen = Seen::default();
    let outcome = password_grant(app, ip, headers, request, proof_path, &mut seen).await;
    app.metrics
        .login(outcome.as_ref().map_or_else(Refusal::reason, |_| "ok"));
    match &outcome {
        Ok(_) => audit::login_ok(
            seen.account.as_deref().unwrap_or_default(),
            ip,
            seen.client_id.as_deref().unwrap_or_default(),
            seen.dpop,
        ),
        Err(refusal) => seen.refused(app, ip, refusal, || {
            audit::login_failed(seen.account.as_deref(), ip, refusal.reason());
        }),
    }
    outcome
}

async fn password_grant(
    app: &App,
    ip: IpAddr,
    headers: &HeaderMap,
    request: Result<LoginRequest, Refusal>,
    proof_path: Option<&str>,
    seen: &mut Seen,
) -> Result<Issued, Refusal> {
    no_client_authentication(headers)?;
    let request = request?;
    let client_id = request
        .client_id
        .unwrap_or_else(|| DEFAULT_CLIENT.to_owned());
    if !valid_client_id(&client_id)
        || request.password.len() > MAX_PASSWORD
        || request.username.len() > MAX_USERNAME
    {
        return Err(Refusal::invalid_request());
    }
    seen.client_id = Some(client_id.clone());
    if app.clients().get(&client_id).is_some() {
        // A confidential client of the clients file authenticates, at `/token`; its id is not
        // a public client's name to take here.
        return Err(Refusal::client_authentication(
            "a client of the clients file authenticates at /token",
        ));
    }
    let users = app.users();
    if users.get(&request.username).is_some() {
        seen.account = Some(request.username.clone());
    }
    let now = app.now();
    let proof = match proof_path {
        Some(path) => proof(app, headers, path, now).await?,
        None if headers.contains_key("dpop") => return Err(Refusal::invalid_dpop_proof()),
        None => None,
    };
    seen.dpop = proof.is_some();
    let attempt = seen
        .begin(app, Kind::Password, Some(&request.username), ip)
        .await?;
    // PBKDF2 is CPU work: off the async threads. Unknown users take the same path.
    let (username, password) = (request.username, request.password);
    let checked = tokio::task::spawn_blocking(move || users.check(&username, &password).cloned())
        .await
        .map_err(|_| Refusal::server_error())
        .and_then(|user| {
            user.ok_or(Refusal::invalid_grant(
                "invalid_credentials",
                "wrong user name or password",
            ))
        });
    let result = checked.and_then(|user| {
        let ids = PairIds::new_family().map_err(|_| Refusal::server_error())?;
        let cnf = proof.as_ref().map(Confirmation::from_proof);
        issue(app, &user, &client_id, &ids, cnf, now)
    });
    settle(attempt, result.as_ref().err().map(Refusal::status)).await;
    result
}

/// `POST /refresh`: a refresh token for the next pair of its family. Audited:
/// `refresh_ok`, `refresh_failed`, `refresh_reused` and `family_revoked`, `throttled`.
pub(crate) async fn refresh(
    AxumState(app): AxumState<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<RefreshRequest>, JsonRejection>,
) -> Result<Response, Refusal> {
    let mut seen = Seen::default();
    let outcome = async {
        no_client_authentication(&headers)?;
        let Json(request) = body.map_err(|_| Refusal::invalid_request())?;
        let now = app.now();
        let proof = proof(&app, &headers, "/refresh", now).await?;
        let presenter = Presenter::Public(request.client_id.as_deref());
        let presented = Presented {
            refresh_token: &request.refresh_token,
            presenter,
            proof: proof.as_ref(),
            scope: None,
            ip,
        };
        refresh_grant(&app, presented, now, &mut seen).await
    }
    .await;
    audit_refresh(&app, ip, &seen, &outcome);
    outcome.map(Issued::into_response)
}

/// The audit event and the metric of a refresh (at `/refresh` or `/token`) that ended with
/// `outcome`, as `seen`.
pub(crate) fn audit_refresh<T>(app: &App, ip: IpAddr, seen: &Seen, outcome: &Result<T, Refusal>) {
    app.metrics.refresh(match outcome {
        Ok(_) if seen.retried => "retried",
        Ok(_) => "ok",
        Err(refusal) => refusal.reason(),
    });
    let account = seen.account.as_deref().unwrap_or_default();
    let family = seen.family.as_deref().unwrap_or_default();
    match outcome {
        Ok(_) => audit::refresh_ok(
            account,
            ip,
            seen.client_id.as_deref().unwrap_or_default(),
            family,
            seen.retried,
        ),
        Err(_) if seen.reused => {
            audit::refresh_reused(account, ip, family);
            audit::family_revoked(account, ip, family, "reuse");
        }
        Err(refusal) => seen.refused(app, ip, refusal, || {
            audit::refresh_failed(
                seen.account.as_deref(),
                ip,
                seen.family.as_deref(),
                refusal.reason(),
            );
        }),
    }
}

/// A refresh token as presented: by whom, with which proof, asking for which scope, from
/// which client IP.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Presented<'a> {
    /// The refresh token.
    pub(crate) refresh_token: &'a str,
    /// Who presents it.
    pub(crate) presenter: Presenter<'a>,
    /// The request's DPoP proof.
    pub(crate) proof: Option<&'a VerifiedProof>,
    /// The `scope` asked for (`/token` only).
    pub(crate) scope: Option<&'a str>,
    /// The client's address (throttling).
    pub(crate) ip: IpAddr,
}

/// Who presents a refresh token, as the endpoint established it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Presenter<'a> {
    /// A public client, naming itself or not (RFC 6749 §3.2.1): the name must be the token's.
    Public(Option<&'a str>),
    /// A confidential client that authenticated (RFC 6749 §6): it must be the token's.
    Confidential(&'a str),
}

/// The refresh grant (RFC 6749 §6) of `/refresh` and of `/token`: the refresh token
/// `presented` by its presenter with its proof, checked against the throttling budgets of
/// the token's account and the client IP, rotated as [`crate::rotation`] says (grace window,
/// reuse revokes the family), and the next pair. A `scope` asked for must be the grant's (the
/// user's scopes as the users file says now): narrowing is not offered. What it learns goes
/// to `seen`, for [`audit_refresh`].
///
/// # Errors
///
/// 400 `invalid_grant` (invalid, expired, reused, revoked, another client's, an unknown
/// user's, or bound to a DPoP key the request did not prove), 400 `invalid_scope`, 401
/// `invalid_client` for a confidential client's token presented without its
/// authentication, 429 `too_many_attempts`, 503 if the store cannot answer.
pub(crate) async fn refresh_grant(
    app: &App,
    presented: Presented<'_>,
    now: NumericDate,
    seen: &mut Seen,
) -> Result<Issued, Refusal> {
    let Presented {
        refresh_token,
        presenter,
        proof,
        scope,
        ip,
    } = presented;
    let mut rules = app.policy.refresh_rules(now);
    if let Some(proof) = proof {
        // A bound refresh token needs a proof by its key (RFC 9449 §5); an unbound one
        // presented with a proof is refused, as RFC 9449 §5 allows, rather than bound late.
        rules = rules.with_dpop(proof);
    }
    let verified =
        jwt::decode::<RefreshClaims, _>(refresh_token, &*app.guard_keys.current(), &rules)
            .map(jwt::Verified::into_claims)
            .map_err(|error| match error {
                Error::Claim(ClaimError::Expired { .. }) => {
                    Refusal::invalid_grant("expired_refresh_token", "refresh token expired")
                }
                Error::Claim(ClaimError::ProofRequired) => Refusal::invalid_grant(
                    "use_dpop_proof",
                    "refresh token bound to a DPoP key: send a proof by that key",
                ),
                _ => Refusal::invalid_grant("invalid_grant", "refresh token invalid"),
            });
    // The token's account, when it verified: its budgets; otherwise the IP's alone.
    if let Ok(claims) = &verified {
        seen.account.clone_from(&claims.registered.sub);
        seen.family = Some(claims.fam.clone());
        seen.client_id = Some(claims.client_id.clone());
    }
    let account = seen.account.clone();
    let attempt = seen
        .begin(app, Kind::RefreshToken, account.as_deref(), ip)
        .await?;
    let result = match verified {
        Ok(claims) => rotate(app, claims, presenter, proof, scope, now, seen).await,
        Err(refusal) => Err(refusal),
    };
    settle(attempt, result.as_ref().err().map(Refusal::status)).await;
    result
}

/// Rotates the verified refresh token's family and issues the next pair.
async fn rotate(
    app: &App,
    claims: RefreshClaims,
    presenter: Presenter<'_>,
    proof: Option<&VerifiedProof>,
    scope: Option<&str>,
    now: NumericDate,
    seen: &mut Seen,
) -> Result<Issued, Refusal> {
    let named = match presenter {
        Presenter::Public(_) if app.clients().get(&claims.client_id).is_some() => {
            return Err(Refusal::client_authentication(
                "this client must authenticate",
            ));
        }
        Presenter::Public(named) => named,
        Presenter::Confidential(client_id) => Some(client_id),
    };
    if named.is_some_and(|client_id| client_id != claims.client_id) {
        return Err(Refusal::invalid_grant(
            "wrong_client",
            "refresh token issued to another client",
        ));
    }
    let jti = claims.registered.jti.as_deref().unwrap_or_default();
    let sub = claims.registered.sub.as_deref().unwrap_or_default();
    let users = app.users();
    let user = users.get(sub).ok_or(Refusal::invalid_grant(
        "unknown_user",
        "the refresh token's user no longer exists",
    ))?;
    if scope.is_some_and(|asked| !same_scopes(asked, &user.scope)) {
        return Err(Refusal::oauth(
            "invalid_scope",
            "a refresh keeps the scopes of its grant",
        ));
    }
    let ids = PairIds::new(&claims.fam).map_err(|_| Refusal::server_error())?;
    let binding = rotation::binding(&claims.client_id, proof.map(VerifiedProof::jkt));
    let presentation = Presentation {
        jti,
        binding: &binding,
        now: now.as_seconds(),
        grace: app.policy.refresh_grace,
        successor: &ids,
    };
    let outcome = app
        .state
        .rotate(
            &claims.fam,
            presentation,
            app.policy.family_ttl(),
            app.policy.access_ttl(),
        )
        .await
        .map_err(Refusal::unavailable)?;
    match outcome {
        Outcome::Rotated => {}
        Outcome::Retried => seen.retried = true,
        Outcome::Reused => {
            seen.reused = true;
            return Err(Refusal::invalid_grant(
                "refresh_token_reused",
                "refresh token already used: its family is revoked",
            ));
        }
        Outcome::FamilyRevoked => {
            return Err(Refusal::invalid_grant(
                "family_revoked",
                "refresh token revoked",
            ));
        }
    }
    issue(app, user, &claims.client_id, &ids, claims.cnf, now)
}

/// Whether two space-separated scope lists name the same scopes.
fn same_scopes(a: &str, b: &str) -> bool {
    fn set(scopes: &str) -> Vec<&str> {
        let mut set: Vec<&str> = scopes.split(' ').filter(|s| !s.is_empty()).collect();
        set.sort_unstable();
        set.dedup();
        set
    }
    set(a) == set(b)
}
