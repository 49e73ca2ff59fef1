//! The HTTP service: routes, handlers, the guard, the request log.
//!
//! | route                         | guard                  | does                                      |
//! |-------------------------------|------------------------|-------------------------------------------|
//! | `POST /login`                 | none                   | password → access + refresh token         |
//! | `POST /refresh`               | none (its own checks)  | rotates both; reuse revokes the family    |
//! | `POST /logout`                | any valid access token | revokes the token and its family          |
//! | `GET /me`                     | any valid access token | who the token is for                      |
//! | `GET /admin`                  | role `admin`           | a route needing a role                    |
//! | `GET /reports`                | scope `reports:read`   | a route needing a scope                   |
//! | `GET /.well-known/jwks.json`  | none                   | the public keys                           |
//! | `GET /healthz`                | none                   | liveness (no store access)                |

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jose_ring::dpop::{self, Confirmation, ProofValidation};
use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring_axum::{Auth, Claims, DpopMode, Guard, StaticKeys};
use serde::Deserialize;

use crate::config::{Fatal, Serve};
use crate::keys::{self, KeySource, Keys};
use crate::store::{MemoryStore, RedisStore, RefreshUse, State, Store, Unavailable};
use crate::tokens::{self, AccessClaims, Policy, REFRESH_TYP, RefreshClaims, TokenResponse};
use crate::users::{MAX_PASSWORD, User, Users};

/// The bundled demo users (600,000 PBKDF2 iterations): `ada` / `correct horse battery
/// staple` (role `admin`, scopes `profile reports:read`), `bob` / `hunter2 hunter2` (scope
/// `profile`).
pub const DEMO_USERS: &str = include_str!("../demo-users.json");

/// The log filter when `RUST_LOG` is unset: this service's one line per request; the
/// guard's own refusal events (`jose_ring_axum=info`, with a log-safe detail) only on demand.
const DEFAULT_LOG: &str = "info,jose_ring_axum=warn";

/// The longest request body (login and refresh bodies are a few hundred bytes).
const MAX_BODY: usize = 16 * 1024;
/// The longest `client_id` accepted.
const MAX_CLIENT_ID: usize = 64;

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    policy: Policy,
    users: Users,
    state: State,
    public_origin: String,
    source: KeySource,
    keys: RwLock<Arc<Keys>>,
    guard_keys: StaticKeys,
    retain: Duration,
}

impl App {
    fn keys(&self) -> Arc<Keys> {
        match self.keys.read() {
            Ok(keys) => Arc::clone(&keys),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-reads the keys; on failure keeps the ones in force.
    fn reload_keys(&self) {
        match self.source.load(NumericDate::now(), self.retain) {
            Ok(fresh) => {
                let fresh = Arc::new(fresh);
                let changed = self.keys().kids() != fresh.kids();
                if changed {
                    tracing::info!(kids = ?fresh.kids(), "keys changed");
                }
                self.guard_keys.replace(fresh.ring());
                match self.keys.write() {
                    Ok(mut keys) => *keys = fresh,
                    Err(poisoned) => *poisoned.into_inner() = fresh,
                }
            }
            Err(error) => tracing::warn!(%error, "key reload failed; keeping the keys in force"),
        }
    }
}

/// What a handler tells the request log: the verified subject and the reason of a refusal.
#[derive(Debug, Clone, Default)]
struct Note {
    sub: Option<String>,
    reason: Option<&'static str>,
}

/// A refusal: status, OAuth-style `error` code (also the log's reason), optional header.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: &'static str,
}

impl Refusal {
    const fn new(status: StatusCode, code: &'static str) -> Self {
        Self { status, code }
    }

    fn unavailable(_: Unavailable) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, Json(serde_json::json!({ "error": self.code }))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(Note {
            sub: None,
            reason: Some(self.code),
        });
        response
    }
}

/// Issues a pair signed with the current key, as the token endpoints answer it.
fn issue(
    app: &App,
    user: &User,
    client_id: &str,
    fam: &str,
    cnf: Option<Confirmation>,
    now: NumericDate,
) -> Result<Response, Refusal> {
    let keys = app.keys();
    let pair = tokens::issue(&app.policy, keys.signer(), user, client_id, fam, cnf, now).map_err(
        |error| {
            tracing::error!(%error, "issuing tokens failed");
            Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error")
        },
    )?;
    Ok(tokens_response(pair, &user.username))
}

fn tokens_response(pair: TokenResponse, sub: &str) -> Response {
    let mut response = (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(pair),
    )
        .into_response();
    response.extensions_mut().insert(Note {
        sub: Some(sub.to_owned()),
        reason: None,
    });
    response
}

/// Starts the service and serves until Ctrl-C.
///
/// # Errors
///
/// If the users file, the keys or the listening socket cannot be set up.
pub async fn serve(options: Serve) -> Result<(), Fatal> {
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG)),
        )
        .init();
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port)).await?;
    let local = listener.local_addr()?;
    let app = Arc::new(build(&options, local)?);
    let router = router(&app)?;
    spawn_key_reload(&app, options.key_reload);
    // The one line a supervisor (or a test) reads to learn the port.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{local}")?;
        out.flush()?;
    }
    tracing::info!(
        addr = %local,
        store = if options.redis_url.is_some() { "redis" } else { "memory" },
        kid = app.keys().signer().kid().unwrap_or_default(),
        "jose-service started"
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn build(options: &Serve, local: SocketAddr) -> Result<App, Fatal> {
    let users = match &options.users {
        Some(path) => Users::from_json(
            &std::fs::read(path)
                .map_err(|error| format!("users file {}: {error}", path.display()))?,
        )?,
        None => Users::from_json(DEMO_USERS.as_bytes())?,
    };
    let store: Arc<dyn Store> = match &options.redis_url {
        Some(url) => Arc::new(RedisStore::new(url)?),
        None => Arc::new(MemoryStore::new()),
    };
    let source = match &options.key_dir {
        Some(dir) => {
            if !keys::has_keys(dir) {
                let kid = keys::add_key(dir, NumericDate::now())?;
                tracing::info!(%kid, dir = %dir.display(), "empty key directory: generated a key");
            }
            KeySource::Dir(dir.clone())
        }
        None => KeySource::Memory(Box::new(keys::generate()?)),
    };
    let retain = options.retain();
    let keys = source.load(NumericDate::now(), retain)?;
    let guard_keys = StaticKeys::new(keys.ring());
    let public_origin = options
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_owned();
    Ok(App {
        policy: Policy {
            issuer: options.issuer.clone(),
            audience: options.audience.clone(),
            access_lifetime: options.access_lifetime,
            refresh_lifetime: options.refresh_lifetime,
        },
        users,
        state: State::new(store),
        public_origin,
        source,
        keys: RwLock::new(Arc::new(keys)),
        guard_keys,
        retain,
    })
}

fn spawn_key_reload(app: &Arc<App>, every: u64) {
    let app = Arc::clone(app);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(every.max(1)));
        interval.tick().await;
        loop {
            interval.tick().await;
            let app = Arc::clone(&app);
            // File reads are blocking.
            let _ = tokio::task::spawn_blocking(move || app.reload_keys()).await;
        }
    });
}

/// The access-token rules: `typ: at+jwt`, issuer, audience, `exp`, `jti`.
fn access_rules(policy: &Policy) -> Validation {
    Validation::from_clock(std::sync::Arc::new(jwt::SystemClock))
        .with_typ(tokens::ACCESS_TYP)
        .with_issuer(policy.issuer.as_str())
        .with_audience(policy.audience.as_str())
        .with_required("jti")
}

fn router(app: &Arc<App>) -> Result<Router, Fatal> {
    let guard = Guard::from_keys(app.guard_keys.clone())
        .validation(access_rules(&app.policy))
        .dpop(DpopMode::Allowed)
        .public_origin(app.public_origin.as_str())
        .replay_store(app.state.clone())
        .revocation(app.state.clone())
        .on_reject(|rejection| {
            let reason = rejection.reason().as_str();
            let mut response = Json(serde_json::json!({ "error": reason })).into_response();
            response.extensions_mut().insert(Note {
                sub: None,
                reason: Some(reason),
            });
            response
        })
        .build()?;
    let protected = Router::new()
        .route("/me", get(me))
        .route("/logout", post(logout))
        .merge(
            Router::new()
                .route("/admin", get(admin))
                .layer(guard.require_role("admin")),
        )
        .merge(
            Router::new()
                .route("/reports", get(reports))
                .layer(guard.require_scope("reports:read")),
        )
        .layer(guard.layer());
    let router = Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/healthz", get(|| async { "ok\n" }))
        .merge(protected)
        .with_state(Arc::clone(app))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(log));
    Ok(router)
}

/// One line per request: method, route, status, reason of a refusal, `sub` when verified,
/// latency. Never a header, a body or a token.
async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let note = response
        .extensions()
        .get::<Note>()
        .cloned()
        .unwrap_or_default();
    let reason = note.reason;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
        method = %method,
        route = %route,
        status,
        reason = reason.unwrap_or("-"),
        sub = note.sub.as_deref().unwrap_or("-"),
        micros,
        "request"
    );
    response
}

async fn jwks(AxumState(app): AxumState<Arc<App>>) -> Response {
    let keys = app.keys();
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        keys.jwks_json().to_owned(),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
    #[serde(default)]
    client_id: Option<String>,
}

/// The DPoP proof of a request to the token endpoints, checked and recorded (replay), if the
/// request carries one.
async fn token_endpoint_proof(
    app: &App,
    headers: &HeaderMap,
    path: &str,
) -> Result<Option<dpop::VerifiedProof>, Refusal> {
    let values: Vec<&HeaderValue> = headers.get_all("dpop").iter().collect();
    if values.is_empty() {
        return Ok(None);
    }
    let bad = || Refusal::new(StatusCode::BAD_REQUEST, "invalid_dpop_proof");
    let texts: Vec<&str> = values
        .iter()
        .map(|value| value.to_str())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let proof = dpop::single_proof(texts).map_err(|_| bad())?;
    let now = NumericDate::now();
    let rules = ProofValidation::new(
        Method::POST.as_str(),
        &format!("{}{path}", app.public_origin),
        now,
    )
    .with_leeway(5);
    let checked = dpop::verify(proof, &rules).map_err(|_| bad())?;
    let window = Duration::from_secs(dpop::DEFAULT_MAX_AGE.saturating_add(10));
    let key = format!("{}:{}", checked.jkt(), checked.jti());
    if !app
        .state
        .first_proof(&key, window)
        .await
        .map_err(Refusal::unavailable)?
    {
        return Err(bad());
    }
    Ok(Some(checked))
}

async fn login(
    AxumState(app): AxumState<Arc<App>>,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Refusal> {
    let Json(request) =
        body.map_err(|_| Refusal::new(StatusCode::BAD_REQUEST, "invalid_request"))?;
    let client_id = request
        .client_id
        .unwrap_or_else(|| "demo-client".to_owned());
    let client_ok = !client_id.is_empty()
        && client_id.len() <= MAX_CLIENT_ID
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !client_ok || request.password.len() > MAX_PASSWORD || request.username.len() > 256 {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "invalid_request"));
    }
    let proof = token_endpoint_proof(&app, &headers, "/login").await?;
    // PBKDF2 is CPU work: off the async threads. Unknown users take the same path.
    let checker = Arc::clone(&app);
    let (username, password) = (request.username, request.password);
    let user =
        tokio::task::spawn_blocking(move || checker.users.check(&username, &password).cloned())
            .await
            .map_err(|_| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error"))?
            .ok_or(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
            ))?;
    let fam = tokens::random_id()
        .map_err(|_| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error"))?;
    let cnf = proof.as_ref().map(Confirmation::from_proof);
    issue(&app, &user, &client_id, &fam, cnf, NumericDate::now())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(
    AxumState(app): AxumState<Arc<App>>,
    headers: HeaderMap,
    body: Result<Json<RefreshRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Refusal> {
    let Json(request) =
        body.map_err(|_| Refusal::new(StatusCode::BAD_REQUEST, "invalid_request"))?;
    let proof = token_endpoint_proof(&app, &headers, "/refresh").await?;
    let now = NumericDate::now();
    let mut rules = Validation::new(now)
        .with_typ(REFRESH_TYP)
        .with_issuer(app.policy.issuer.as_str())
        .with_audience(app.policy.issuer.as_str())
        .with_required("jti");
    if let Some(proof) = &proof {
        // A bound refresh token needs a proof by its key (RFC 9449 §5); an unbound one
        // presented with a proof is refused, as RFC 9449 §5 allows, rather than bound late.
        rules = rules.with_dpop(proof);
    }
    let verified: jwt::Verified<RefreshClaims> = jwt::decode(
        &request.refresh_token,
        &*app.guard_keys.current(),
        &rules,
    )
    .map_err(|error| {
        let code = match error {
            jose_ring::Error::Claim(jose_ring::ClaimError::Expired { .. }) => {
                "expired_refresh_token"
            }
            jose_ring::Error::Claim(jose_ring::ClaimError::ProofRequired) => "use_dpop_proof",
            _ => "invalid_grant",
        };
        Refusal::new(StatusCode::UNAUTHORIZED, code)
    })?;
    let exp = verified.expires_at().unwrap_or(now);
    let claims = verified.into_claims();
    let jti = claims.registered.jti.clone().unwrap_or_default();
    let sub = claims.registered.sub.clone().unwrap_or_default();
    let ttl = Duration::from_secs(
        u64::try_from(exp.seconds_since(now))
            .unwrap_or(0)
            .saturating_add(1),
    );
    let family_ttl = Duration::from_secs(app.policy.refresh_lifetime.saturating_add(60));
    match app
        .state
        .use_refresh(&jti, &claims.fam, ttl, family_ttl)
        .await
        .map_err(Refusal::unavailable)?
    {
        RefreshUse::First => {}
        RefreshUse::Reused => {
            tracing::warn!(sub = %sub, "refresh token reused: family revoked");
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reused",
            ));
        }
        RefreshUse::FamilyRevoked => {
            return Err(Refusal::new(StatusCode::UNAUTHORIZED, "family_revoked"));
        }
    }
    let user = app
        .users
        .get(&sub)
        .ok_or(Refusal::new(StatusCode::UNAUTHORIZED, "invalid_grant"))?;
    issue(&app, user, &claims.client_id, &claims.fam, claims.cnf, now)
}

fn verified(claims: &AccessClaims, body: serde_json::Value) -> Response {
    let mut response = Json(body).into_response();
    response.extensions_mut().insert(Note {
        sub: claims.registered.sub.clone(),
        reason: None,
    });
    response
}

async fn me(Claims(claims): Claims<AccessClaims>) -> Response {
    let body = serde_json::json!({
        "sub": claims.registered.sub,
        "client_id": claims.client_id,
        "scope": claims.scope,
        "roles": claims.roles,
        "exp": claims.registered.exp,
        "dpop_bound": claims.cnf.is_some(),
    });
    verified(&claims, body)
}

async fn admin(Claims(claims): Claims<AccessClaims>) -> Response {
    let body = serde_json::json!({ "sub": claims.registered.sub, "area": "admin", "granted_by": "role admin" });
    verified(&claims, body)
}

async fn reports(Claims(claims): Claims<AccessClaims>) -> Response {
    let body = serde_json::json!({ "sub": claims.registered.sub, "reports": ["2026-q3", "2026-q4"], "granted_by": "scope reports:read" });
    verified(&claims, body)
}

async fn logout(
    AxumState(app): AxumState<Arc<App>>,
    auth: Auth,
    Claims(claims): Claims<AccessClaims>,
) -> Result<Response, Refusal> {
    let now = NumericDate::now();
    let jti = auth.jti().unwrap_or_default();
    let left = auth.expires_at().map_or(0, |exp| exp.seconds_since(now));
    let ttl = Duration::from_secs(u64::try_from(left).unwrap_or(0).saturating_add(1));
    app.state
        .revoke_token(jti, ttl)
        .await
        .map_err(Refusal::unavailable)?;
    let family_ttl = Duration::from_secs(app.policy.refresh_lifetime.saturating_add(60));
    app.state
        .revoke_family(&claims.fam, family_ttl)
        .await
        .map_err(Refusal::unavailable)?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(Note {
        sub: claims.registered.sub.clone(),
        reason: None,
    });
    Ok(response)
}
