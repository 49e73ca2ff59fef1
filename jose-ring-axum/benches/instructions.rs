//! Instructions per request through the guard's layer, for valgrind's callgrind: a count the
//! load of a shared machine does not move. Makes N HS256 requests (argv[1], default 1000)
//! through `guard.layer()` around a handler that answers at once, polled with a no-op waker
//! as `benches/layer.rs` does; `benches/instructions.sh` runs it with N and with 0 under
//! callgrind, built with and without the `metrics` feature, and divides the difference by N.
//! With `jwt` as argv[2] it calls `jwt::decode` alone instead (the floor the layer adds to);
//! with `bare`, the handler without the layer; with `opaque`, an opaque token through the layer
//! of a guard built by `Guard::from_introspection`, its answer in the cache (filled once, in
//! a runtime, before the count: an introspection cache hit per request).
#![allow(missing_docs, reason = "a benchmark driver")]
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
use http::Request;
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::{Request as KeySetRequest, Response as HttpResponse};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, SystemClock, Validation};
use jose_ring::{HmacKey, jwa, jws};
use jose_ring_axum::{BoxFuture, ClientAuth, FetchError, FormPost, Guard, HttpClient};
use tower::{Layer, Service};

fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the guard suspended"),
    }
}

/// An introspection endpoint in the process: every token is active, with these claims.
struct Active(serde_json::Value);

impl HttpClient for Active {
    fn get<'a>(&'a self, _: &'a KeySetRequest) -> BoxFuture<'a, Result<HttpResponse, FetchError>> {
        Box::pin(async { Err(FetchError::Unsupported) })
    }

    fn post_form<'a>(&'a self, _: &'a FormPost) -> BoxFuture<'a, Result<HttpResponse, FetchError>> {
        let mut answer = self.0.clone();
        if let Some(object) = answer.as_object_mut() {
            object.insert("active".into(), serde_json::json!(true));
            object.insert("token_type".into(), serde_json::json!("Bearer"));
        }
        Box::pin(async move { Ok(HttpResponse::new(200, answer.to_string().into_bytes())) })
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1000, |a| a.parse().unwrap());
    let mode = args.next().unwrap_or_default();
    let floor = mode == "jwt";
    let hmac = || HmacKey::new(&jwa::HS256, &[7; 32]).unwrap().with_kid("k1");
    let rules = Validation::from_clock(std::sync::Arc::new(SystemClock))
        .with_issuer("https://auth.example")
        .with_audience("https://api.example")
        .with_typ("at+jwt");
    let now_s = NumericDate::now();
    let claims = serde_json::json!({
        "iss": "https://auth.example", "sub": "248289761001", "aud": "https://api.example",
        "scope": "openid profile read:users", "client_id": "s6BhdRkqt3", "jti": "dbe39bf3a3ba4238a513f51d6e1691c4",
        "iat": now_s.as_seconds(), "exp": now_s.saturating_add(3600),
    });
    let token = jwt::encode_with_header(
        &claims,
        &jws::Header::new().with_typ("at+jwt").with_kid("k1"),
        &hmac(),
    )
    .unwrap();
    let ring = KeyRing::new_hmac().with_hmac_key(hmac());
    if floor {
        for _ in 0..n {
            let verified: jwt::Verified<RegisteredClaims> =
                jwt::decode(black_box(&token), &ring, &rules).unwrap();
            black_box(verified);
        }
        return;
    }
    let handler = tower::service_fn(|_req: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::empty()))
    });
    if mode == "bare" {
        let mut service = handler;
        let authorization = format!("Bearer {token}");
        for _ in 0..n {
            let request = Request::get("/hello")
                .header("authorization", &authorization)
                .body(Body::empty())
                .unwrap();
            let response = now(service.call(black_box(request))).unwrap();
            assert_eq!(response.status(), 200);
        }
        return;
    }
    let (guard, token) = if mode == "opaque" {
        let guard = Guard::from_introspection(
            "https://auth.example/introspect",
            ClientAuth::secret_basic("api", "secret"),
        )
        .validation(rules)
        .http_client(Active(claims.clone()))
        .cache_ttl(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
        (
            guard,
            "2YotnFZFEjr1zCsicMWpAA-opaque-access-token".to_owned(),
        )
    } else {
        let guard = Guard::from_hmac_key_ring(KeyRing::new_hmac().with_hmac_key(hmac()))
            .validation(rules)
            .build()
            .unwrap();
        (guard, token)
    };
    let mut service = guard.layer().layer(handler);
    let authorization = format!("Bearer {token}");
    if mode == "opaque" {
        let request = Request::get("/hello")
            .header("authorization", &authorization)
            .body(Body::empty())
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        assert_eq!(
            runtime.block_on(service.call(request)).unwrap().status(),
            200
        );
    }
    for _ in 0..n {
        let request = Request::get("/hello")
            .header("authorization", &authorization)
            .body(Body::empty())
            .unwrap();
        let response = now(service.call(black_box(request))).unwrap();
        assert_eq!(response.status(), 200);
    }
}
