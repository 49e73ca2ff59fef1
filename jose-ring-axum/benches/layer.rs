//! The guard's own cost: the tower service called in process (no sockets, no runtime: the
//! futures are polled with a no-op waker, as the guard with static keys never suspends),
//! with and without the layer, for HS256 and ES256 tokens, next to `jwt::decode` alone.
//!
//! Overhead of the layer = (with the layer) − (without) − (`jwt::decode` alone).
//!
//! `opaque/...`: an opaque token checked by introspection ([`Guard::from_introspection`]),
//! its answer already in the cache (the first call, in a runtime, fills it from an
//! in-process client): a cache hit = (with the layer) − (without); `dpop::ath alone` is the
//! token hash the cache is keyed by.
//!
//! Run with `cargo bench -p jose-ring-axum --bench layer`, and with `--features metrics` for
//! the layer with its metrics (the same ids: run the two builds alternately and compare).
#![allow(missing_docs, reason = "criterion's macros")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark"
)]

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum_core::body::Body;
use axum_core::response::Response;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::Response as HttpResponse;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, SystemClock, Validation};
use jose_ring::{HmacKey, SigningKey, jwa, jws};
use jose_ring_axum::{BoxFuture, ClientAuth, FetchError, FormPost, Guard, HttpClient};
use tower::{Layer, Service};

/// Polls a future that never suspends.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the guard suspended"),
    }
}

fn request(authorization: &str) -> Request<Body> {
    Request::get("/hello")
        .header("authorization", authorization)
        .body(Body::empty())
        .unwrap()
}

fn handler() -> impl Service<Request<Body>, Response = Response, Error = Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    tower::service_fn(|_req: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::empty()))
    })
}

fn token(key: &impl jose_ring::Signer) -> String {
    let now = NumericDate::now();
    let claims = serde_json::json!({
        "iss": "https://auth.example", "sub": "248289761001", "aud": "https://api.example",
        "scope": "openid profile read:users", "client_id": "s6BhdRkqt3", "jti": "dbe39bf3a3ba4238a513f51d6e1691c4",
        "iat": now.as_seconds(), "exp": now.saturating_add(3600),
    });
    jwt::encode_with_header(
        &claims,
        &jws::Header::new().with_typ("at+jwt").with_kid("k1"),
        key,
    )
    .unwrap()
}

fn rules() -> Validation {
    Validation::from_clock(std::sync::Arc::new(SystemClock))
        .with_issuer("https://auth.example")
        .with_audience("https://api.example")
        .with_typ("at+jwt")
}

fn bench(c: &mut Criterion) {
    let hmac = || HmacKey::new(&jwa::HS256, &[7; 32]).unwrap().with_kid("k1");
    let es = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k1");
    let hmac_guard = Guard::from_hmac_key_ring(KeyRing::new_hmac().with_hmac_key(hmac()))
        .validation(rules())
        .build()
        .unwrap();
    let es_ring = || KeyRing::new().with_verifying_key(es.verifying_key());
    let es_guard = Guard::from_key_ring(es_ring())
        .validation(rules())
        .build()
        .unwrap();
    let hmac_ring = KeyRing::new_hmac().with_hmac_key(hmac());
    let es_ring = es_ring();
    let cases = [
        ("HS256", token(&hmac()), hmac_guard),
        ("ES256", token(&es), es_guard),
    ];
    let rules = rules();
    let mut group = c.benchmark_group("layer");
    for (name, token, guard) in &cases {
        let authorization = format!("Bearer {token}");
        let mut bare = handler();
        let mut guarded = guard.layer().layer(handler());
        assert_eq!(
            now(guarded.call(request(&authorization))).unwrap().status(),
            200
        );
        group.bench_function(format!("{name}/without layer"), |b| {
            b.iter(|| now(bare.call(black_box(request(&authorization)))).unwrap());
        });
        group.bench_function(format!("{name}/jwt::decode alone"), |b| {
            b.iter(|| {
                let verified: jwt::Verified<RegisteredClaims> = if *name == "HS256" {
                    jwt::decode(black_box(token), &hmac_ring, &rules).unwrap()
                } else {
                    jwt::decode(black_box(token), &es_ring, &rules).unwrap()
                };
                verified
            });
        });
        group.bench_function(format!("{name}/with layer"), |b| {
            b.iter(|| now(guarded.call(black_box(request(&authorization)))).unwrap());
        });
    }
    group.finish();
    // What the `metrics` feature adds to a request beyond a few relaxed atomic additions:
    // reading the monotonic clock before and after verifying.
    c.bench_function("metrics/Instant::now() twice", |b| {
        b.iter(|| {
            let start = std::time::Instant::now();
            black_box(start.elapsed())
        });
    });
}

/// An introspection endpoint in the process: every token is active.
struct Active;

impl HttpClient for Active {
    fn get<'a>(
        &'a self,
        _request: &'a jose_ring::jwks::Request,
    ) -> BoxFuture<'a, Result<HttpResponse, FetchError>> {
        Box::pin(async { Err(FetchError::Unsupported) })
    }

    fn post_form<'a>(
        &'a self,
        _request: &'a FormPost,
    ) -> BoxFuture<'a, Result<HttpResponse, FetchError>> {
        let now = NumericDate::now();
        let answer = serde_json::json!({
            "active": true, "iss": "https://auth.example", "sub": "248289761001",
            "aud": "https://api.example", "scope": "openid profile read:users",
            "client_id": "s6BhdRkqt3", "token_type": "Bearer",
            "iat": now.as_seconds(), "exp": now.saturating_add(3600),
        });
        Box::pin(async move { Ok(HttpResponse::new(200, answer.to_string().into_bytes())) })
    }
}

fn bench_introspection(c: &mut Criterion) {
    let guard = Guard::from_introspection(
        "https://auth.example/introspect",
        ClientAuth::secret_basic("api", "secret"),
    )
    .validation(rules())
    .http_client(Active)
    .cache_ttl(std::time::Duration::from_secs(3600))
    .build()
    .unwrap();
    let token = "2YotnFZFEjr1zCsicMWpAA-opaque-access-token";
    let authorization = format!("Bearer {token}");
    let mut bare = handler();
    let mut guarded = guard.layer().layer(handler());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let first = runtime.block_on(guarded.call(request(&authorization)));
    assert_eq!(first.unwrap().status(), 200);
    let mut group = c.benchmark_group("layer");
    group.bench_function("opaque/without layer", |b| {
        b.iter(|| now(bare.call(black_box(request(&authorization)))).unwrap());
    });
    group.bench_function("opaque/dpop::ath alone", |b| {
        b.iter(|| jose_ring::dpop::ath(black_box(token)));
    });
    group.bench_function("opaque/with layer (cache hit)", |b| {
        b.iter(|| now(guarded.call(black_box(request(&authorization)))).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench, bench_introspection);
criterion_main!(benches);
