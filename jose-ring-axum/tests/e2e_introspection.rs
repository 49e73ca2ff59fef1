//! Token introspection (RFC 7662) end to end against a mock authorization server on a real
//! socket, with a clock the test moves: the guard's cache and single flight, its refusals,
//! and the request it sends (issue 24, item 6). The real server (oidc-provider) is in
//! `oidc_introspection.rs`.
//!
//! - an answer is asked for once per token and kept until the earlier of its `exp` and the
//!   bound; a negative one for the short bound only;
//! - concurrent requests with one token share one introspection request;
//! - a server that answers an error status, or none, is 503 with `Retry-After`;
//! - the request: `POST` form `token` and `token_type_hint`, `Authorization: Basic`,
//!   `Accept: application/json`;
//! - DPoP: an answer with `cnf.jkt` needs a proof by that key; `token_type` names the scheme.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failure is a failed test"
)]

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use jose_ring::jwt::{Clock, Validation};
use jose_ring_axum::{ClientAuth, DpopMode, Guard, Reason};
use serde_json::{Value, json};
use support::app::{App, Bound, bearer, client, dpop};
use support::clock::TestClock;
use support::tokens::{self, AUDIENCE};

/// The mock authorization server's issuer (`iss` of its answers).
const AS: &str = "https://as.example";

/// What the mock server knows and saw.
#[derive(Default)]
struct Server {
    /// The answer for each token; anything else `{"active":false}`.
    answers: Mutex<HashMap<String, Value>>,
    /// Answer with this status instead, when set.
    status: Mutex<Option<u16>>,
    delay_ms: AtomicU64,
    requests: AtomicUsize,
    /// The last request's form, `Authorization` and `Accept`.
    last: Mutex<Option<(String, String, String)>>,
}

async fn introspect(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    form: String,
) -> (StatusCode, String) {
    server.requests.fetch_add(1, Ordering::SeqCst);
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    *server.last.lock().unwrap() = Some((form.clone(), header("authorization"), header("accept")));
    let delay = server.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if let Some(status) = *server.status.lock().unwrap() {
        return (StatusCode::from_u16(status).unwrap(), "{}".into());
    }
    let token = form
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .unwrap_or("")
        .to_owned();
    let answer = server
        .answers
        .lock()
        .unwrap()
        .get(&token)
        .cloned()
        .unwrap_or_else(|| json!({ "active": false }));
    (StatusCode::OK, answer.to_string())
}

/// The mock server on 127.0.0.1 and its introspection endpoint.
async fn start_server() -> (Arc<Server>, App, String) {
    let server = Arc::new(Server::default());
    let router = Router::new()
        .route("/introspect", post(introspect))
        .with_state(Arc::clone(&server));
    let app = Bound::new().await.serve(router);
    let endpoint = app.url("/introspect");
    (server, app, endpoint)
}

/// An active answer for [`AUDIENCE`] from [`AS`], expiring `exp_in` seconds after `clock`'s
/// now.
fn active(clock: &TestClock, exp_in: i64) -> Value {
    json!({
        "active": true,
        "iss": AS,
        "aud": AUDIENCE,
        "sub": "ada",
        "scope": "read admin",
        "client_id": "app",
        "token_type": "Bearer",
        "exp": clock.seconds() + exp_in,
        "iat": clock.seconds(),
    })
}

/// A guard asking `endpoint`, on `clock`.
fn guard(
    endpoint: &str,
    clock: &Arc<TestClock>,
) -> jose_ring_axum::GuardBuilder<jose_ring_axum::Introspection> {
    let clock: Arc<dyn Clock> = Arc::clone(clock) as Arc<dyn Clock>;
    Guard::from_introspection(endpoint, ClientAuth::secret_basic("rs", "rs secret"))
        .validation(
            Validation::from_clock(Arc::clone(&clock))
                .with_issuer(AS)
                .with_audience(AUDIENCE),
        )
        .clock(clock)
        .allow_http_loopback()
}

#[tokio::test]
async fn an_answer_is_kept_until_the_earlier_of_the_bound_and_its_exp() {
    let (server, _as_app, endpoint) = start_server().await;
    let clock = TestClock::new();
    let guard = guard(&endpoint, &clock).build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let long = "opaque-token-long-lived";
    let short = "opaque-token-short-lived";
    server
        .answers
        .lock()
        .unwrap()
        .insert(long.into(), active(&clock, 3600));

    for _ in 0..3 {
        assert_eq!(
            bearer(&http, &app.url("/hello"), long).await.body,
            "hello ada"
        );
    }
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        1,
        "one request for three uses"
    );
    clock.advance(29);
    assert_eq!(bearer(&http, &app.url("/admin"), long).await.status, 200);
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        1,
        "still within the 30 s bound"
    );
    clock.advance(2);
    assert_eq!(bearer(&http, &app.url("/admin"), long).await.status, 200);
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        2,
        "asked again after 30 s"
    );

    // Kept until its exp (10 s), then asked again: the server's answer has expired.
    server
        .answers
        .lock()
        .unwrap()
        .insert(short.into(), active(&clock, 10));
    assert_eq!(bearer(&http, &app.url("/admin"), short).await.status, 200);
    clock.advance(9);
    assert_eq!(bearer(&http, &app.url("/admin"), short).await.status, 200);
    assert_eq!(server.requests.load(Ordering::SeqCst), 3);
    clock.advance(1);
    let answer = bearer(&http, &app.url("/admin"), short).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 4);
    assert_eq!(guard.counters().rejected(Reason::Expired), 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_token_share_one_introspection() {
    let (server, _as_app, endpoint) = start_server().await;
    server.delay_ms.store(300, Ordering::SeqCst);
    let clock = TestClock::new();
    let guard = guard(&endpoint, &clock).build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let token = "opaque-token-wanted-by-many";
    server
        .answers
        .lock()
        .unwrap()
        .insert(token.into(), active(&clock, 3600));
    let url = app.url("/admin");
    let all = (0..50).map(|_| {
        let (http, url) = (http.clone(), url.clone());
        tokio::spawn(async move { bearer(&http, &url, token).await.status })
    });
    for status in futures_join(all).await {
        assert_eq!(status, 200);
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

/// Awaits every task.
async fn futures_join<T>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_negative_answer_is_kept_for_the_short_bound_only() {
    let (server, _as_app, endpoint) = start_server().await;
    let clock = TestClock::new();
    let guard = guard(&endpoint, &clock).build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let token = "opaque-token-not-yet-known";
    for _ in 0..3 {
        let answer = bearer(&http, &app.url("/admin"), token).await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.challenge("Bearer"),
            r#"Bearer error="invalid_token", error_description="the token is not active""#
        );
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
    // The server learns the token; after 5 s the guard asks again.
    server
        .answers
        .lock()
        .unwrap()
        .insert(token.into(), active(&clock, 3600));
    clock.advance(4);
    assert_eq!(bearer(&http, &app.url("/admin"), token).await.status, 401);
    clock.advance(1);
    assert_eq!(bearer(&http, &app.url("/admin"), token).await.status, 200);
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
    // Claims the rules refuse are a negative answer too: another audience.
    let other = "opaque-token-for-another-api";
    let mut answer = active(&clock, 3600);
    answer["aud"] = json!("https://other.example");
    server.answers.lock().unwrap().insert(other.into(), answer);
    let refused = bearer(&http, &app.url("/admin"), other).await;
    assert_eq!(refused.status, 401);
    assert!(
        refused.challenge("Bearer").contains("audience"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn no_usable_answer_is_503_with_retry_after() {
    let (server, _as_app, endpoint) = start_server().await;
    let clock = TestClock::new();
    let guard = guard(&endpoint, &clock).build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let token = "opaque-token-during-an-outage";
    server
        .answers
        .lock()
        .unwrap()
        .insert(token.into(), active(&clock, 3600));
    for status in [500, 401, 400] {
        *server.status.lock().unwrap() = Some(status);
        clock.advance(1);
        let answer = bearer(&http, &app.url("/admin"), token).await;
        assert_eq!(answer.status, 503, "the server answered {status}");
        assert_eq!(answer.header("retry-after").as_deref(), Some("1"));
        assert!(answer.challenges().is_empty());
    }
    // Kept for a second: the same request within it does not ask again.
    let asked = server.requests.load(Ordering::SeqCst);
    assert_eq!(bearer(&http, &app.url("/admin"), token).await.status, 503);
    assert_eq!(server.requests.load(Ordering::SeqCst), asked);
    *server.status.lock().unwrap() = None;
    clock.advance(1);
    assert_eq!(bearer(&http, &app.url("/admin"), token).await.status, 200);
    assert_eq!(
        guard.counters().rejected(Reason::IntrospectionUnavailable),
        4
    );

    // Nobody listening, or a server too slow.
    let nobody = format!(
        "http://127.0.0.1:{}/introspect",
        support::example::free_port()
    );
    let down = guard_at(&nobody, &clock, Duration::from_secs(5));
    let app = Bound::new().await.protect(&down);
    assert_eq!(bearer(&http, &app.url("/admin"), token).await.status, 503);
    server.delay_ms.store(2000, Ordering::SeqCst);
    let slow = guard_at(&endpoint, &clock, Duration::from_millis(200));
    let app = Bound::new().await.protect(&slow);
    let answer = bearer(&http, &app.url("/admin"), token).await;
    assert_eq!(answer.status, 503);
    assert!(
        answer.elapsed < Duration::from_millis(1500),
        "{:?}",
        answer.elapsed
    );
}

fn guard_at(endpoint: &str, clock: &Arc<TestClock>, timeout: Duration) -> Guard {
    guard(endpoint, clock)
        .fetch_timeout(timeout)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_request_carries_the_form_and_basic_credentials() {
    let (server, _as_app, endpoint) = start_server().await;
    let clock = TestClock::new();
    let guard = guard(&endpoint, &clock).build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let token = "a.b~c_d-e+f/g=";
    bearer(&client(), &app.url("/admin"), token).await;
    let (form, authorization, accept) = server.last.lock().unwrap().clone().unwrap();
    assert_eq!(
        form,
        "token=a.b%7Ec_d-e%2Bf%2Fg%3D&token_type_hint=access_token"
    );
    // base64("rs:rs+secret"): RFC 6749 §2.3.1 form-encodes the id and the secret first.
    assert_eq!(authorization, "Basic cnM6cnMrc2VjcmV0");
    assert_eq!(accept, "application/json");
}

#[tokio::test]
async fn dpop_bound_answers_need_a_proof_by_their_key() {
    let (server, _as_app, endpoint) = start_server().await;
    let clock = TestClock::new();
    let bound = Bound::new().await;
    let origin = bound.origin();
    let guard = guard(&endpoint, &clock)
        .dpop(DpopMode::Allowed)
        .public_origin(&origin)
        .build()
        .unwrap();
    let app = bound.protect(&guard);
    let http = client();
    let key = tokens::dpop_key();
    let token = "opaque-token-bound-to-a-key";
    let mut answer = active(&clock, 3600);
    answer["cnf"] = json!({ "jkt": jose_ring::dpop::jkt(&key) });
    answer["token_type"] = json!("DPoP");
    server.answers.lock().unwrap().insert(token.into(), answer);
    let url = app.url("/admin");

    let ok = dpop(
        &http,
        reqwest::Method::GET,
        &url,
        token,
        &tokens::proof(&key, "GET", &url, token),
    )
    .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    let as_bearer = bearer(&http, &url, token).await;
    assert_eq!(as_bearer.status, 401);
    let other = tokens::dpop_key();
    let wrong_key = dpop(
        &http,
        reqwest::Method::GET,
        &url,
        token,
        &tokens::proof(&other, "GET", &url, token),
    )
    .await;
    assert_eq!(wrong_key.status, 401);
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::BoundTokenAsBearer), 1);
    assert_eq!(counters.rejected(Reason::InvalidToken), 1);
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);

    // A Bearer answer (no cnf) used with DPoP, and a token_type that is not the scheme.
    let plain = "opaque-token-not-bound";
    server
        .answers
        .lock()
        .unwrap()
        .insert(plain.into(), active(&clock, 3600));
    let as_dpop = dpop(
        &http,
        reqwest::Method::GET,
        &url,
        plain,
        &tokens::proof(&key, "GET", &url, plain),
    )
    .await;
    assert_eq!(as_dpop.status, 401);
    let odd = "opaque-token-odd-type";
    let mut answer = active(&clock, 3600);
    answer["token_type"] = json!("refresh_token");
    server.answers.lock().unwrap().insert(odd.into(), answer);
    let refused = bearer(&http, &url, odd).await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.challenge("Bearer"),
        r#"Bearer error="invalid_token", error_description="the token's token_type is not its scheme""#
    );
}
