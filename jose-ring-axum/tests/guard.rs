//! The guard called in process (no sockets): every answer, the rules, DPoP, the stores, and
//! the key-set single flight with an in-memory HTTP client on tokio's paused clock. The
//! real-socket end-to-end suite is `tests/e2e*`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests"
)]
#![allow(clippy::arithmetic_side_effects, missing_docs, reason = "tests")]

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use jose_ring::jwk::{Jwk, JwkSet, KeyRing};
use jose_ring::jwks::{Request as JwksRequest, Response as JwksResponse};
use jose_ring::jwt::{self, Clock, NumericDate, Validation};
use jose_ring::{HmacKey, SigningKey, dpop, jwa, jws};
use jose_ring_axum::{
    Auth, BoxFuture, Claims, DpopMode, FetchError, Guard, GuardBuilder, HttpClient, LocalKeys,
    MemoryRevocationStore, NonceSource, Reason, ResourceMetadata, RevocationStore, StaticKeys,
    StoreError,
};
use serde_json::json;
use tower::ServiceExt;

/// A clock the test moves.
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> NumericDate {
        NumericDate::from_seconds(self.0.load(Ordering::SeqCst))
    }
}

fn clock() -> Arc<TestClock> {
    Arc::new(TestClock(AtomicI64::new(1_700_000_000)))
}

const SECRET: [u8; 32] = [7; 32];

fn hmac() -> HmacKey {
    HmacKey::new(&jwa::HS256, &SECRET).unwrap()
}

fn claims(now: NumericDate, extra: serde_json::Value) -> serde_json::Value {
    let mut c = json!({"iss": "https://as.example", "sub": "ada", "aud": "api",
        "iat": now.as_seconds(), "exp": now.saturating_add(300), "jti": "t-1"});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        c.extend(extra.clone());
    }
    c
}

fn token(key: &impl jose_ring::Signer, claims: &serde_json::Value) -> String {
    jwt::encode_with_header(claims, &jws::Header::new().with_typ("at+jwt"), key).unwrap()
}

fn rules(clock: &Arc<TestClock>) -> Validation {
    Validation::from_clock(clock.clone()).with_audience("api")
}

#[derive(serde::Deserialize)]
struct Caller {
    sub: String,
}

fn app(guard: &Guard) -> Router {
    Router::new()
        .route(
            "/hello",
            get(|Claims(c): Claims<Caller>| async move { format!("hello {}", c.sub) }),
        )
        .route(
            "/admin",
            get(|auth: Auth| async move { format!("admin {:?}", auth.jkt().is_some()) })
                .layer(guard.require_scope("admin")),
        )
        .route(
            "/ops",
            get(|| async { "ops" }).layer(guard.require_role("ops")),
        )
        .layer(guard.layer())
}

struct Answer {
    status: StatusCode,
    challenges: Vec<String>,
    headers: http::HeaderMap,
    body: String,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let challenges = headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        challenges,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

async fn authed(app: &Router, path: &str, authorization: &str) -> Answer {
    send(app, get_with(path, &[("authorization", authorization)])).await
}

async fn dpop_call(app: &Router, path: &str, authorization: &str, proof: &str) -> Answer {
    send(
        app,
        get_with(path, &[("authorization", authorization), ("dpop", proof)]),
    )
    .await
}

fn get_with(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

fn hmac_builder(clock: &Arc<TestClock>) -> GuardBuilder<LocalKeys> {
    Guard::from_hmac_key_ring(KeyRing::new_hmac().with_hmac_key(hmac()))
        .validation(rules(clock))
        .clock(clock.clone())
}

fn hmac_guard(clock: &Arc<TestClock>) -> Guard {
    hmac_builder(clock).build().unwrap()
}

#[tokio::test]
async fn bearer_answers() {
    let clock = clock();
    let guard = hmac_guard(&clock);
    let app = app(&guard);
    let now = clock.now();
    let good = token(&hmac(), &claims(now, json!({})));

    let a = send(&app, get_with("/hello", &[])).await;
    assert_eq!(
        (a.status, a.challenges.as_slice()),
        (StatusCode::UNAUTHORIZED, &["Bearer".to_owned()][..])
    );
    assert_eq!(a.body, r#"{"reason":"missing_credentials"}"#);

    for scheme in ["Bearer", "bearer", "BEARER"] {
        let a = authed(&app, "/hello", &format!("{scheme} {good}")).await;
        assert_eq!(
            (a.status, a.body.as_str()),
            (StatusCode::OK, "hello ada"),
            "{scheme}"
        );
    }

    // Never from the query string.
    let a = send(&app, get_with(&format!("/hello?access_token={good}"), &[])).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.challenges, ["Bearer"]);

    let a = send(
        &app,
        get_with(
            "/hello",
            &[
                ("authorization", &format!("Bearer {good}")),
                ("authorization", &format!("Bearer {good}")),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.challenges,
        [
            r#"Bearer error="invalid_request", error_description="more than one authorization field""#
        ]
    );

    let a = send(&app, get_with("/hello", &[("authorization", "Bearer a b")])).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);

    let forged = token(
        &HmacKey::new(&jwa::HS256, &[8; 32]).unwrap(),
        &claims(now, json!({})),
    );
    let a = authed(&app, "/hello", &format!("Bearer {forged}")).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.challenges,
        [r#"Bearer error="invalid_token", error_description="invalid signature""#]
    );
    assert!(!a.body.contains(&forged) && !a.challenges[0].contains("ada"));

    let old = token(
        &hmac(),
        &claims(
            NumericDate::from_seconds(now.as_seconds() - 1000),
            json!({}),
        ),
    );
    let a = authed(&app, "/hello", &format!("Bearer {old}")).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.challenges[0].starts_with(r#"Bearer error="invalid_token""#));

    let counters = guard.counters();
    assert_eq!(counters.accepted(), 3);
    assert_eq!(counters.rejected(Reason::MissingCredentials), 2);
    assert_eq!(counters.rejected(Reason::InvalidRequest), 2);
    assert_eq!(counters.rejected(Reason::InvalidToken), 1);
    assert_eq!(counters.rejected(Reason::Expired), 1);
}

#[tokio::test]
async fn scopes_and_roles_per_route() {
    let clock = clock();
    let guard = hmac_guard(&clock);
    let app = app(&guard);
    let now = clock.now();
    let plain = token(&hmac(), &claims(now, json!({"scope": "read"})));
    let admin = token(
        &hmac(),
        &claims(now, json!({"scope": "read admin", "roles": ["ops"]})),
    );

    let a = authed(&app, "/admin", &format!("Bearer {plain}")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.challenges,
        [
            r#"Bearer error="insufficient_scope", error_description="the token lacks a scope this route needs", scope="admin""#
        ]
    );
    let a = authed(&app, "/admin", &format!("Bearer {admin}")).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::OK, "admin false"));

    let a = authed(&app, "/ops", &format!("Bearer {plain}")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = authed(&app, "/ops", &format!("Bearer {admin}")).await;
    assert_eq!(a.status, StatusCode::OK);
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::InsufficientRole), 1);
    // Each request counted once: the route's refusals are not also accepted.
    assert_eq!((counters.accepted(), counters.rejected_total()), (2, 2));

    // Claims of other types are not an error to the guard: they hold no scope or role.
    let odd = token(
        &hmac(),
        &claims(now, json!({"scope": 5, "roles": ["ops", 3, {"a": [1]}]})),
    );
    assert_eq!(
        authed(&app, "/ops", &format!("Bearer {odd}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        authed(&app, "/admin", &format!("Bearer {odd}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Both forms providers emit are read, as Spring Security's converter reads them: an
    // array of names (Okta's `scp`) and a delimited string (a space by default).
    let odd = token(
        &hmac(),
        &claims(now, json!({"scope": ["admin"], "roles": "ops"})),
    );
    assert_eq!(
        authed(&app, "/ops", &format!("Bearer {odd}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        authed(&app, "/admin", &format!("Bearer {odd}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        authed(&app, "/hello", &format!("Bearer {odd}"))
            .await
            .status,
        StatusCode::OK
    );

    // A scope in the router's rules: the library's check, the same answer.
    let strict = Guard::from_hmac_key_ring(KeyRing::new_hmac().with_hmac_key(hmac()))
        .validation(rules(&clock).with_scope("write"))
        .build()
        .unwrap();
    let a = send(
        &app_of(&strict),
        get_with("/", &[("authorization", &format!("Bearer {plain}"))]),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        a.challenges[0].ends_with(r#"scope="write""#),
        "{:?}",
        a.challenges
    );
}

fn app_of(guard: &Guard) -> Router {
    Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(guard.layer())
}

#[tokio::test]
async fn metadata_hook_and_realm() {
    let clock = clock();
    let guard = hmac_builder(&clock)
        .resource_metadata(
            ResourceMetadata::new("https://api.example")
                .authorization_server("https://as.example")
                .scope("admin"),
        )
        .on_reject(|r| {
            axum::response::IntoResponse::into_response((
                StatusCode::OK,
                format!("custom {}", r.reason()),
            ))
        })
        .build()
        .unwrap();
    let app = app_of(&guard);
    let a = send(&app, get_with("/.well-known/oauth-protected-resource", &[])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.body,
        r#"{"resource":"https://api.example","authorization_servers":["https://as.example"],"scopes_supported":["admin"],"bearer_methods_supported":["header"],"dpop_bound_access_tokens_required":false}"#
    );
    let a = send(&app, get_with("/", &[])).await;
    assert_eq!(
        a.status,
        StatusCode::UNAUTHORIZED,
        "the hook cannot change the status"
    );
    assert_eq!(a.body, "custom missing_credentials");
    assert_eq!(
        a.challenges,
        [r#"Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource""#]
    );
}

/// A client key, its thumbprint, and a token bound to it.
fn bound(now: NumericDate) -> (SigningKey, String) {
    let client = SigningKey::generate(&jwa::ES256).unwrap();
    let jkt = dpop::jkt(&client);
    (
        client,
        token(
            &hmac(),
            &claims(now, json!({"cnf": {"jkt": jkt}, "scope": "admin"})),
        ),
    )
}

fn proof(
    client: &SigningKey,
    method: &str,
    url: &str,
    now: NumericDate,
    token: &str,
    nonce: Option<&str>,
) -> String {
    let mut builder = dpop::ProofBuilder::new(client, method, url)
        .with_iat(now)
        .with_access_token(token);
    if let Some(nonce) = nonce {
        builder = builder.with_nonce(nonce);
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn dpop_allowed() {
    let clock = clock();
    let guard = hmac_builder(&clock)
        .dpop(DpopMode::Allowed)
        .dpop_algorithms(&[&jwa::ES256])
        .public_origin("https://api.example")
        .build()
        .unwrap();
    let app = app(&guard);
    let now = clock.now();
    let (client, bound_token) = bound(now);
    let p = proof(
        &client,
        "GET",
        "https://api.example/admin",
        now,
        &bound_token,
        None,
    );
    let auth = format!("DPoP {bound_token}");

    let a = dpop_call(&app, "/admin", &auth, &p).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::OK, "admin true"));

    // The same proof again: replayed.
    let a = dpop_call(&app, "/admin", &auth, &p).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        a.challenges,
        [
            "Bearer",
            r#"DPoP error="invalid_dpop_proof", error_description="dpop proof rejected: replayed", algs="ES256""#
        ]
    );
    assert_eq!(guard.counters().rejected(Reason::DpopReplayed), 1);

    // A proof for another URI.
    let other = proof(
        &client,
        "GET",
        "https://api.example/hello",
        now,
        &bound_token,
        None,
    );
    let a = dpop_call(&app, "/admin", &auth, &other).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.challenges[1].starts_with(r#"DPoP error="invalid_dpop_proof""#));

    // No proof; two proofs.
    let a = authed(&app, "/admin", &auth).await;
    assert!(a.challenges[1].starts_with(r#"DPoP error="invalid_dpop_proof""#));
    let p2 = proof(
        &client,
        "GET",
        "https://api.example/admin",
        now,
        &bound_token,
        None,
    );
    let a = send(
        &app,
        get_with(
            "/admin",
            &[("authorization", &auth), ("dpop", &p2), ("dpop", &p2)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // The bound token as a Bearer token.
    let a = authed(&app, "/admin", &format!("Bearer {bound_token}")).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(
        a.challenges[0].starts_with(r#"Bearer error="invalid_token""#),
        "{:?}",
        a.challenges
    );
    assert_eq!(guard.counters().rejected(Reason::BoundTokenAsBearer), 1);

    // Another key's proof for the bound token.
    let thief = SigningKey::generate(&jwa::ES256).unwrap();
    let stolen = proof(
        &thief,
        "GET",
        "https://api.example/admin",
        now,
        &bound_token,
        None,
    );
    let a = dpop_call(&app, "/admin", &auth, &stolen).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(
        a.challenges[1].starts_with(r#"DPoP error="invalid_token""#),
        "{:?}",
        a.challenges
    );

    // No credentials: both challenges, no error.
    let a = send(&app, get_with("/admin", &[])).await;
    assert_eq!(a.challenges, ["Bearer", r#"DPoP algs="ES256""#]);
}

struct FixedNonce;

impl NonceSource for FixedNonce {
    fn current(&self) -> String {
        "n-2".into()
    }
    fn previous(&self) -> Option<String> {
        Some("n-1".into())
    }
}

#[tokio::test]
async fn dpop_required_with_nonces() {
    let clock = clock();
    let guard = hmac_builder(&clock)
        .dpop(DpopMode::Required)
        .dpop_nonces(FixedNonce)
        .resource_metadata(ResourceMetadata::new("https://api.example"))
        .build()
        .unwrap();
    let app = app_of(&guard);
    let now = clock.now();
    let (client, bound_token) = bound(now);
    let auth = format!("DPoP {bound_token}");
    let url = "https://api.example/";

    let a = dpop_call(
        &app,
        "/",
        &auth,
        &proof(&client, "GET", url, now, &bound_token, None),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.headers["dpop-nonce"], "n-2");
    assert!(
        a.challenges[0].starts_with(r#"DPoP error="use_dpop_nonce""#),
        "{:?}",
        a.challenges
    );
    assert!(a.challenges[0].ends_with(
        r#"resource_metadata="https://api.example/.well-known/oauth-protected-resource""#
    ));

    for nonce in ["n-2", "n-1"] {
        let a = dpop_call(
            &app,
            "/",
            &auth,
            &proof(&client, "GET", url, now, &bound_token, Some(nonce)),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{nonce}");
    }
    let a = dpop_call(
        &app,
        "/",
        &auth,
        &proof(&client, "GET", url, now, &bound_token, Some("n-0")),
    )
    .await;
    assert_eq!(a.headers["dpop-nonce"], "n-2");

    // Bearer is refused outright; the challenge is DPoP's only.
    let plain = token(&hmac(), &claims(now, json!({})));
    let a = authed(&app, "/", &format!("Bearer {plain}")).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.challenges.len(), 1);
    assert!(a.challenges[0].starts_with(r#"DPoP error="invalid_token""#));
    let a = send(&app, get_with("/.well-known/oauth-protected-resource", &[])).await;
    assert!(
        a.body
            .contains(r#""dpop_bound_access_tokens_required":true"#),
        "{}",
        a.body
    );
    assert!(
        a.body.contains(
            r#""dpop_signing_alg_values_supported":["ES256","Ed25519","EdDSA","PS256","RS256"]"#
        ),
        "{}",
        a.body
    );
}

struct Down;

impl RevocationStore for Down {
    fn is_revoked<'a>(&'a self, _jti: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async { Err(StoreError::new("down")) })
    }
}

#[tokio::test]
async fn revocation_fails_closed() {
    let clock = clock();
    let store = Arc::new(MemoryRevocationStore::new());
    let guard = hmac_builder(&clock)
        .revocation(Arc::clone(&store))
        .build()
        .unwrap();
    let app = app_of(&guard);
    let now = clock.now();
    let t = token(&hmac(), &claims(now, json!({})));
    let bearer = format!("Bearer {t}");
    assert_eq!(authed(&app, "/", &bearer).await.status, StatusCode::OK);
    store.revoke("t-1", Duration::from_secs(300)).unwrap();
    let a = authed(&app, "/", &bearer).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(guard.counters().rejected(Reason::Revoked), 1);

    let down = hmac_builder(&clock).revocation(Down).build().unwrap();
    let a = send(&app_of(&down), get_with("/", &[("authorization", &bearer)])).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(a.challenges.is_empty());
}

#[tokio::test]
async fn static_keys_replaced_at_runtime() {
    let clock = clock();
    let old = SigningKey::generate(&jwa::ES256).unwrap().with_kid("old");
    let new = SigningKey::generate(&jwa::ES256).unwrap().with_kid("new");
    let keys = StaticKeys::new(KeyRing::new().with_verifying_key(old.verifying_key()));
    let guard = Guard::from_keys(keys.clone())
        .validation(rules(&clock))
        .build()
        .unwrap();
    let app = app_of(&guard);
    let now = clock.now();
    let by_new = format!("Bearer {}", token(&new, &claims(now, json!({}))));
    assert_eq!(
        authed(&app, "/", &by_new).await.status,
        StatusCode::UNAUTHORIZED
    );
    keys.replace(KeyRing::new().with_verifying_key(new.verifying_key()));
    assert_eq!(authed(&app, "/", &by_new).await.status, StatusCode::OK);
}

/// An identity provider in memory: serves a JWKS (or fails), after a delay, counting.
struct Provider {
    jwks: Mutex<Option<String>>,
    delay: Mutex<Duration>,
    hits: AtomicUsize,
}

impl Provider {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            jwks: Mutex::new(None),
            delay: Mutex::new(Duration::from_millis(50)),
            hits: AtomicUsize::new(0),
        })
    }

    fn publish(&self, keys: &[&SigningKey]) {
        let mut set = JwkSet::new();
        for key in keys {
            set.push(Jwk::from_verifying_key(&key.verifying_key()));
        }
        *self.jwks.lock().unwrap() = Some(set.to_json().unwrap());
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

struct Client(Arc<Provider>);

impl HttpClient for Client {
    fn get<'a>(
        &'a self,
        request: &'a JwksRequest,
    ) -> BoxFuture<'a, Result<JwksResponse, FetchError>> {
        let uri = request.uri();
        Box::pin(async move {
            self.0.hits.fetch_add(1, Ordering::SeqCst);
            let delay = *self.0.delay.lock().unwrap();
            tokio::time::sleep(delay).await;
            if uri.ends_with("/.well-known/openid-configuration") {
                let doc = json!({"issuer": "https://as.example", "jwks_uri": "https://as.example/jwks",
                    "id_token_signing_alg_values_supported": ["ES256"]});
                return Ok(JwksResponse::new(200, doc.to_string().into_bytes()));
            }
            let body = self.0.jwks.lock().unwrap().clone();
            match body {
                Some(body) => {
                    Ok(JwksResponse::new(200, body.into_bytes()).with_cache_control("max-age=600"))
                }
                None => Err(FetchError::network("connection refused")),
            }
        })
    }
}

fn remote_guard(clock: &Arc<TestClock>, provider: &Arc<Provider>) -> Guard {
    Guard::from_jwks_uri("https://as.example/jwks")
        .http_client(Client(Arc::clone(provider)))
        .validation(rules(clock))
        .clock(clock.clone())
        .build()
        .unwrap()
}

fn advance(clock: &TestClock, seconds: i64) {
    clock.0.fetch_add(seconds, Ordering::SeqCst);
}

#[tokio::test(start_paused = true)]
async fn provider_down_at_startup_then_up() {
    let clock = clock();
    let provider = Provider::new();
    let guard = remote_guard(&clock, &provider);
    let app = app_of(&guard);
    let key = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    let bearer = format!("Bearer {}", token(&key, &claims(clock.now(), json!({}))));

    // Down: the first request waits for the first fetch, which fails: 503, Retry-After.
    let a = authed(&app, "/", &bearer).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.headers["retry-after"], "30");
    assert_eq!(provider.hits(), 1);
    // Within the cooldown: no new fetch, 503 at once.
    advance(&clock, 10);
    let a = authed(&app, "/", &bearer).await;
    assert_eq!(
        (a.status, provider.hits()),
        (StatusCode::SERVICE_UNAVAILABLE, 1)
    );
    assert_eq!(a.headers["retry-after"], "20");

    // A token that does not parse is a bad token, keys or not.
    let a = send(
        &app,
        get_with("/", &[("authorization", "Bearer not.a.jwt")]),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    provider.publish(&[&key]);
    advance(&clock, 20);
    let a = authed(&app, "/", &bearer).await;
    assert_eq!((a.status, provider.hits()), (StatusCode::OK, 2));
    let counters = guard.counters();
    assert_eq!((counters.fetches(), counters.fetch_failures()), (2, 1));
    assert_eq!(counters.rejected(Reason::KeysUnavailable), 2);
}

#[tokio::test(start_paused = true)]
async fn rotation_costs_one_fetch_for_200_requests() {
    let clock = clock();
    let provider = Provider::new();
    let k1 = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    let k2 = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k2");
    provider.publish(&[&k1]);
    let guard = remote_guard(&clock, &provider);
    let app = app_of(&guard);
    assert!(guard.ready().await);
    assert_eq!(provider.hits(), 1);

    advance(&clock, 60);
    provider.publish(&[&k1, &k2]);
    let bearer = format!("Bearer {}", token(&k2, &claims(clock.now(), json!({}))));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (app, bearer) = (app.clone(), bearer.clone());
        tasks.spawn(async move { authed(&app, "/", &bearer).await.status });
    }
    let mut ok = 0;
    while let Some(status) = tasks.join_next().await {
        ok += usize::from(status.unwrap() == StatusCode::OK);
    }
    assert_eq!((ok, provider.hits()), (200, 2));

    // A made-up kid within the cooldown: no fetch, 401.
    let k3 = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k3");
    let a = send(
        &app,
        get_with(
            "/",
            &[(
                "authorization",
                &format!("Bearer {}", token(&k3, &claims(clock.now(), json!({})))),
            )],
        ),
    )
    .await;
    assert_eq!((a.status, provider.hits()), (StatusCode::UNAUTHORIZED, 2));
    assert_eq!(guard.counters().rejected(Reason::UnknownKey), 1);
}

#[tokio::test(start_paused = true)]
async fn known_keys_never_wait_and_outlive_an_outage() {
    let clock = clock();
    let provider = Provider::new();
    let k1 = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    provider.publish(&[&k1]);
    let guard = remote_guard(&clock, &provider);
    let app = app_of(&guard);
    assert!(guard.ready().await);

    // Refresh due (last quarter of 600 s), the provider slow and then down.
    advance(&clock, 500);
    *provider.delay.lock().unwrap() = Duration::from_secs(4);
    *provider.jwks.lock().unwrap() = None;
    let bearer = format!("Bearer {}", token(&k1, &claims(clock.now(), json!({}))));
    let started = tokio::time::Instant::now();
    let a = authed(&app, "/", &bearer).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "a known kid does not wait for the refresh"
    );
    tokio::time::sleep(Duration::from_secs(5)).await; // the refresh fails in the background
    assert_eq!(provider.hits(), 2);

    // Expired, within the maximum staleness: last known good.
    advance(&clock, 600);
    let bearer = format!("Bearer {}", token(&k1, &claims(clock.now(), json!({}))));
    assert_eq!(authed(&app, "/", &bearer).await.status, StatusCode::OK);
    // Beyond it: fail closed.
    advance(&clock, 3700);
    let bearer = format!("Bearer {}", token(&k1, &claims(clock.now(), json!({}))));
    let a = authed(&app, "/", &bearer).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(start_paused = true)]
async fn discovery_then_keys() {
    let clock = clock();
    let provider = Provider::new();
    let k1 = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    provider.publish(&[&k1]);
    let guard = Guard::from_issuer("https://as.example")
        .http_client(Client(Arc::clone(&provider)))
        .validation(rules(&clock))
        .clock(clock.clone())
        .build()
        .unwrap();
    let app = app_of(&guard);
    let bearer = format!("Bearer {}", token(&k1, &claims(clock.now(), json!({}))));
    let a = authed(&app, "/", &bearer).await;
    assert_eq!((a.status, provider.hits()), (StatusCode::OK, 2));
    // Another issuer's token is refused: the rules require iss.
    let other = format!(
        "Bearer {}",
        token(
            &k1,
            &claims(clock.now(), json!({"iss": "https://evil.example"}))
        )
    );
    assert_eq!(
        authed(&app, "/", &other).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// The keys decide the algorithms of a remote set (each JWK's `alg`, or what its `kty`/`crv`
/// allow); `algorithms` narrows them.
#[tokio::test(start_paused = true)]
async fn the_keys_decide_the_algorithms_and_a_list_narrows_them() {
    let clock = clock();
    let provider = Provider::new();
    let k1 = SigningKey::generate(&jwa::ES384).unwrap().with_kid("k1");
    provider.publish(&[&k1]);
    let bearer = format!("Bearer {}", token(&k1, &claims(clock.now(), json!({}))));
    let open = remote_guard(&clock, &provider);
    assert_eq!(
        authed(&app_of(&open), "/", &bearer).await.status,
        StatusCode::OK
    );
    let narrow = Guard::from_jwks_uri("https://as.example/jwks")
        .algorithms(&[&jwa::ES256, &jwa::RS256])
        .http_client(Client(Arc::clone(&provider)))
        .validation(rules(&clock))
        .clock(clock.clone())
        .build()
        .unwrap();
    let a = authed(&app_of(&narrow), "/", &bearer).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(narrow.counters().rejected(Reason::UnknownKey), 1);
}

#[derive(Debug, serde::Deserialize)]
#[expect(dead_code, reason = "read to fail")]
struct NeedsTenant {
    tenant: String,
}

/// `Claims<T>` reads the payload the layer kept; claims that do not fit `T` are refused by
/// the guard that verified them: 401 `invalid_token`, counted, its hook writing the body.
#[tokio::test]
async fn claims_that_do_not_fit_are_answered_by_the_guard_that_verified_them() {
    let clock = clock();
    let guard = hmac_builder(&clock)
        .on_reject(|r| axum::response::IntoResponse::into_response(format!("hook {}", r.reason())))
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/tenant",
            get(|Claims(c): Claims<NeedsTenant>| async move { format!("{c:?}") }),
        )
        .layer(guard.layer());
    let good = token(&hmac(), &claims(clock.now(), json!({})));
    let a = authed(&app, "/tenant", &format!("Bearer {good}")).await;
    assert_eq!(
        (a.status, a.body.as_str()),
        (StatusCode::UNAUTHORIZED, "hook invalid_token")
    );
    assert_eq!(
        a.challenges,
        [
            r#"Bearer error="invalid_token", error_description="malformed input: claims: missing member `tenant`""#
        ]
    );
    let counters = guard.counters();
    assert_eq!(
        (counters.rejected(Reason::InvalidToken), counters.accepted()),
        (1, 0)
    );
    // With the claim, the same payload is read into the type.
    let with = token(&hmac(), &claims(clock.now(), json!({"tenant": "t-1"})));
    let a = authed(&app, "/tenant", &format!("Bearer {with}")).await;
    assert_eq!(
        (a.status, a.body.as_str()),
        (StatusCode::OK, r#"NeedsTenant { tenant: "t-1" }"#)
    );
}

#[test]
fn build_errors() {
    use jose_ring_axum::BuildError;
    let error = |result: Result<Guard, BuildError>| result.map(|_| ()).unwrap_err().to_string();
    // No key source and mixed key sources cannot be written: the source is the constructor.
    assert_eq!(
        error(Guard::from_issuers(Vec::<String>::new()).build()),
        "no issuer given"
    );
    assert_eq!(
        error(Guard::from_issuer("http://as.example").build()),
        "issuer is not an https url"
    );
    assert_eq!(
        error(Guard::from_jwks_uri("http://as.example/jwks").build()),
        "jwks_uri is not an https url"
    );
    assert_eq!(
        error(
            Guard::from_hmac_key_ring(KeyRing::new_hmac())
                .dpop(DpopMode::Allowed)
                .build()
        ),
        "dpop needs the public origin of the resource"
    );
    assert_eq!(
        error(
            Guard::from_key_ring(KeyRing::new())
                .resource_metadata(ResourceMetadata::new("https://api.example/?q"))
                .build()
        ),
        "resource is not an https url"
    );
    assert!(
        Guard::from_issuer("http://127.0.0.1:1")
            .allow_http_loopback()
            .build()
            .is_ok()
    );
    assert!(
        Guard::from_issuers(["https://a.example", "https://b.example"])
            .build()
            .is_ok()
    );
}

#[tokio::test(start_paused = true)]
async fn a_guard_for_one_issuer_accepts_that_issuer_only_whatever_its_rules_name() {
    // The user's rules name another issuer too; the guard built for https://as.example still
    // accepts only tokens whose `iss` is that issuer: its keys vouch for it alone.
    let clock = clock();
    let provider = Provider::new();
    let key = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    provider.publish(&[&key]);
    let guard = Guard::from_issuer("https://as.example")
        .http_client(Client(Arc::clone(&provider)))
        .validation(rules(&clock).with_issuer("https://other.example"))
        .clock(clock.clone())
        .build()
        .unwrap();
    let app = app_of(&guard);
    let ours = format!("Bearer {}", token(&key, &claims(clock.now(), json!({}))));
    assert_eq!(authed(&app, "/", &ours).await.status, StatusCode::OK);
    let theirs = claims(clock.now(), json!({"iss": "https://other.example"}));
    let theirs = format!("Bearer {}", token(&key, &theirs));
    let answer = authed(&app, "/", &theirs).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(provider.hits(), 2); // the discovery document, then the key set
}
