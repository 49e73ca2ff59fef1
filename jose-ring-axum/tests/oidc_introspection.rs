//! Opaque access tokens checked by token introspection (RFC 7662) against a real
//! authorization server (issue 24, item 6): panva's oidc-provider (`ci/oidc-provider`), which
//! hands out opaque access tokens for the resource `https://api.example/opaque` by a real
//! client-credentials `POST /token`, and answers introspection for three resource-server
//! clients:
//!
//! - `client_secret_basic`: a guard from [`Guard::from_introspection`] serves the token, its
//!   scope and `sub`-less claims, refuses a made-up token (`active: false`), another
//!   audience's token, and a token used as `DPoP`;
//! - `private_key_jwt` (RFC 7523): the assertion signed by the library with a key the provider
//!   knows by its public JWK;
//! - RFC 9701 JWT answers, verified with the provider's own keys (discovery, its JWK Set),
//!   and refused when checked against another provider's;
//! - the `protected` example with `--introspect URL --client-id ID --client-secret SECRET`,
//!   run as its own process.
//!
//! Runs with `JOSE_OIDC=1` after `npm ci --prefix target/oidc-provider` (`.ci/run` does both);
//! skipped with a loud message otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failure is a failed test, and the report is the output"
)]

#[path = "../../ci/oidc-provider/provider.rs"]
mod provider;
mod support;

use std::sync::Arc;

use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwt::{SystemClock, Validation};
use jose_ring::{SigningKey, jwa};
use jose_ring_axum::{ClientAuth, Guard, GuardBuilder, Introspection, Reason};
use provider::{
    AUDIENCE, INTROSPECTION_PATH, OPAQUE_RESOURCE, OTHER_AUDIENCE, Provider, RS_CLIENT_ID,
    RS_CLIENT_SECRET, RS_JWT_CLIENT_ID, RS_SIGNED_CLIENT_ID,
};
use support::app::{Bound, bearer, client, get_with};

/// A guard asking `provider` about tokens with `auth`, for [`AUDIENCE`] and the provider's
/// `iss`.
fn guard(provider: &Provider, auth: ClientAuth) -> GuardBuilder<Introspection> {
    let endpoint = format!("{}{INTROSPECTION_PATH}", provider.issuer());
    Guard::from_introspection(endpoint, auth)
        .validation(
            Validation::from_clock(Arc::new(SystemClock))
                .with_audience(AUDIENCE)
                .with_issuer(provider.issuer()),
        )
        .allow_http_loopback()
}

/// Serves the tests' routes behind `guard`: `/hello` answers `hello <sub>`, `/admin` needs
/// the scope `admin`.
async fn serve(guard: &Guard) -> support::app::App {
    Bound::new().await.protect(guard)
}

#[tokio::test]
async fn client_secret_basic_serves_opaque_tokens_and_refuses_the_others() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let guard = guard(
        &provider,
        ClientAuth::secret_basic(RS_CLIENT_ID, RS_CLIENT_SECRET),
    )
    .build()
    .unwrap();
    let app = serve(&guard).await;
    let http = client();

    let admin = provider.token(OPAQUE_RESOURCE, Some("admin"));
    assert_eq!(admin.split('.').count(), 1, "an opaque token: {admin}");
    let answer = bearer(&http, &app.url("/admin"), &admin).await;
    assert_eq!(
        answer.status,
        200,
        "{answer:?}\nprovider log: {}",
        provider.log()
    );

    let plain = provider.token(OPAQUE_RESOURCE, None);
    let answer = bearer(&http, &app.url("/admin"), &plain).await;
    assert_eq!(answer.status, 403, "{answer:?}");
    assert!(answer.challenge("Bearer").contains(r#"scope="admin""#));

    let made_up = "tTzxv8JQpJ4Jjzxny7UrLzKkSDBDNMrZMUW2AiEB9-e";
    let answer = bearer(&http, &app.url("/admin"), made_up).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(
        answer.challenge("Bearer"),
        r#"Bearer error="invalid_token", error_description="the token is not active""#
    );

    // An opaque token for another audience: active, but not for this API.
    let other = provider.token(OTHER_AUDIENCE, None);
    let answer = bearer(&http, &app.url("/admin"), &other).await;
    assert_eq!(answer.status, 401, "{answer:?}");

    // The same token again: answered from the cache, the provider asked once per token.
    let answer = bearer(&http, &app.url("/admin"), &admin).await;
    assert_eq!(answer.status, 200);
    let counters = guard.counters();
    assert_eq!(counters.accepted(), 2);
    assert_eq!(counters.rejected(Reason::InsufficientScope), 1);
    assert_eq!(counters.rejected(Reason::InvalidToken), 2);
}

#[tokio::test]
async fn private_key_jwt_signed_by_the_library_is_accepted_by_the_provider() {
    if !provider::enabled() {
        return;
    }
    let key = SigningKey::generate(&jwa::ES256)
        .unwrap()
        .with_kid("rs-key-1");
    let mut set = JwkSet::new();
    set.push(Jwk::from_verifying_key(&key.verifying_key()));
    let set: serde_json::Value = serde_json::from_str(&set.to_json().unwrap()).unwrap();
    let provider = Provider::start_with_rs_jwk(&set["keys"][0].to_string());
    let guard = guard(
        &provider,
        ClientAuth::private_key_jwt(RS_JWT_CLIENT_ID, key),
    )
    .build()
    .unwrap();
    let app = serve(&guard).await;
    let http = client();
    // Two tokens: two assertions, each with its own jti (the provider refuses a second use).
    for _ in 0..2 {
        let token = provider.token(OPAQUE_RESOURCE, Some("admin"));
        let answer = bearer(&http, &app.url("/admin"), &token).await;
        assert_eq!(
            answer.status,
            200,
            "{answer:?}\nprovider log: {}",
            provider.log()
        );
    }
    // A key the provider does not know: its answer is 401 to the guard, so 503 here.
    let stranger = SigningKey::generate(&jwa::ES256)
        .unwrap()
        .with_kid("rs-key-1");
    let guard = guard_with(
        &provider,
        ClientAuth::private_key_jwt(RS_JWT_CLIENT_ID, stranger),
    );
    let app = serve(&guard).await;
    let token = provider.token(OPAQUE_RESOURCE, Some("admin"));
    let answer = bearer(&http, &app.url("/admin"), &token).await;
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.header("retry-after").as_deref(), Some("1"));
    assert_eq!(
        guard.counters().rejected(Reason::IntrospectionUnavailable),
        1
    );
}

fn guard_with(provider: &Provider, auth: ClientAuth) -> Guard {
    guard(provider, auth).build().unwrap()
}

#[tokio::test]
async fn jwt_answers_are_verified_with_the_providers_keys() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let signed = guard(
        &provider,
        ClientAuth::secret_basic(RS_SIGNED_CLIENT_ID, RS_CLIENT_SECRET),
    )
    .jwt_answers(provider.issuer())
    .build()
    .unwrap();
    let app = serve(&signed).await;
    let http = client();
    let token = provider.token(OPAQUE_RESOURCE, Some("admin"));
    let answer = bearer(&http, &app.url("/admin"), &token).await;
    assert_eq!(
        answer.status,
        200,
        "{answer:?}\nprovider log: {}",
        provider.log()
    );
    let answer = bearer(&http, &app.url("/admin"), "no-such-token-at-all").await;
    assert_eq!(answer.status, 401, "{answer:?}");

    // oidc-provider signs every client's JWT answers (RS256 unless the client says
    // otherwise): the plain client's too.
    let plain = guard(
        &provider,
        ClientAuth::secret_basic(RS_CLIENT_ID, RS_CLIENT_SECRET),
    )
    .jwt_answers(provider.issuer())
    .build()
    .unwrap();
    let app = serve(&plain).await;
    let answer = bearer(&http, &app.url("/admin"), &token).await;
    assert_eq!(answer.status, 200, "{answer:?}");

    // Answers checked against another server's keys (and issuer) do not verify: 503.
    let elsewhere = Provider::start();
    let misled = guard(
        &provider,
        ClientAuth::secret_basic(RS_SIGNED_CLIENT_ID, RS_CLIENT_SECRET),
    )
    .jwt_answers(elsewhere.issuer())
    .build()
    .unwrap();
    let app = serve(&misled).await;
    let answer = bearer(&http, &app.url("/admin"), &token).await;
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.header("retry-after").as_deref(), Some("1"));
    assert_eq!(
        misled.counters().rejected(Reason::IntrospectionUnavailable),
        1
    );
}

#[tokio::test]
async fn the_protected_example_introspects_with_its_flags() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let port = support::example::free_port();
    let endpoint = format!("{}{INTROSPECTION_PATH}", provider.issuer());
    let running = support::example::Running::start(
        "protected",
        &[
            "--introspect",
            &endpoint,
            "--client-id",
            RS_CLIENT_ID,
            "--client-secret",
            RS_CLIENT_SECRET,
            "--audience",
            AUDIENCE,
            "--port",
            &port.to_string(),
            "--allow-http-loopback",
        ],
        port,
    );
    let http = client();
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let admin = provider.token(OPAQUE_RESOURCE, Some("admin"));
    let answer = bearer(&http, &url("/admin"), &admin).await;
    assert_eq!(
        answer.status,
        200,
        "{answer:?}\nthe example's log:\n{}",
        running.log()
    );
    assert!(
        answer.body.starts_with("welcome, admin (key -, Bearer"),
        "{answer:?}"
    );
    let answer = get_with(&http, &url("/admin"), &[]).await;
    assert_eq!(answer.status, 401);
    let answer = bearer(&http, &url("/admin"), "made-up-token").await;
    assert_eq!(answer.status, 401);
    assert!(
        !running.log().contains(&admin),
        "the token appears in the example's log"
    );
}
