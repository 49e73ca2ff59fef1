//! The CSRF layer in front of a real axum router, with the guard reading its token from a
//! cookie (`GuardBuilder::cookie`): forged requests never reach the handler, the page's own
//! do; the refusal's answer and the guard's are each their own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests"
)]
#![allow(missing_docs, reason = "tests")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::post;
use http::{HeaderName, HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use jose_ring::jwk::KeyRing;
use jose_ring::jws::Header;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{HmacKey, jwa};
use jose_ring_axum::{CsrfLayer, CsrfRejection, Guard};
use tower::ServiceExt;

const APP: &str = "https://app.example";
const COOKIE: &str = "__Host-Http-at";

fn key() -> HmacKey {
    HmacKey::new(&jwa::HS256, &[7; 32]).unwrap()
}

/// A router whose `/transfer` counts its calls, behind the guard reading the cookie and the
/// CSRF layer (header `X-Requested-With: app`, only requests carrying the cookie).
fn app(calls: Arc<AtomicUsize>) -> Router {
    let guard = Guard::from_hmac_key_ring(KeyRing::new_hmac().with_hmac_key(key()))
        .validation(Validation::new(NumericDate::from_seconds(1_000)).with_typ("at+jwt"))
        .cookie(COOKIE)
        .build()
        .unwrap();
    let csrf = CsrfLayer::new([APP])
        .unwrap()
        .header(
            HeaderName::from_static("x-requested-with"),
            HeaderValue::from_static("app"),
        )
        .cookie(COOKIE)
        .on_reject(|rejection| {
            (
                StatusCode::FORBIDDEN,
                format!("refused: {}", rejection.code()),
            )
                .into_response()
        });
    Router::new()
        .route(
            "/transfer",
            post(move || async move {
                calls.fetch_add(1, Ordering::Relaxed);
                "done"
            }),
        )
        .layer(guard.layer())
        .layer(csrf)
}

fn token() -> String {
    let claims = RegisteredClaims::new()
        .with_subject("ada")
        .with_lifetime(NumericDate::from_seconds(900), 600);
    jwt::encode_with_header(&claims, &Header::new().with_typ("at+jwt"), &key()).unwrap()
}

async fn post_with(app: &Router, pairs: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::post("/transfer");
    for (name, value) in pairs {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn forged_requests_never_reach_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(Arc::clone(&calls));
    let cookie = format!("{COOKIE}={}", token());
    let forgeries: [(&[(&str, &str)], CsrfRejection); 4] = [
        // A form on another site: the cookie rides along, no custom header.
        (
            &[
                ("cookie", &cookie),
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            CsrfRejection::MissingHeader,
        ),
        // A script on another port of the same host (same-site): the header cannot come
        // without a preflight, but say it did.
        (
            &[
                ("cookie", &cookie),
                ("x-requested-with", "app"),
                ("origin", "https://app.example:8443"),
                ("sec-fetch-site", "same-site"),
            ],
            CsrfRejection::CrossSite,
        ),
        (
            &[
                ("cookie", &cookie),
                ("x-requested-with", "app"),
                ("origin", "https://evil.example"),
            ],
            CsrfRejection::ForeignOrigin,
        ),
        (
            &[("cookie", &cookie), ("x-requested-with", "app")],
            CsrfRejection::NoOrigin,
        ),
    ];
    for (pairs, rejection) in forgeries {
        assert_eq!(
            post_with(&app, pairs).await,
            (
                StatusCode::FORBIDDEN,
                format!("refused: {}", rejection.code())
            ),
            "{pairs:?}"
        );
    }
    assert_eq!(calls.load(Ordering::Relaxed), 0);

    // The page's own request passes both layers.
    let own = [
        ("cookie", cookie.as_str()),
        ("x-requested-with", "app"),
        ("origin", APP),
        ("sec-fetch-site", "same-origin"),
    ];
    assert_eq!(
        post_with(&app, &own).await,
        (StatusCode::OK, "done".to_owned())
    );
    assert_eq!(calls.load(Ordering::Relaxed), 1);

    // Without the cookie there is nothing to forge: the CSRF layer lets it by, and the guard
    // answers for itself (401, no credentials).
    let (status, _) = post_with(&app, &[("origin", "https://evil.example")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}
