//! Two instances of the real binary sharing one real `redis-server` (started by each test on
//! an ephemeral loopback port): what one instance revokes, the other refuses; Redis down
//! means 503 for every request that needs a revocation check, and the service recovers by
//! itself when Redis is back.
//!
//! Without `redis-server` on PATH these tests fail under CI (`CI=true`) and are skipped
//! with a loud message elsewhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test: a panic is a failed test, and it prints its figures"
)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use jose_ring::{SigningKey, jwa};

/// Redis and two instances A and B on one key directory.
fn two_instances(name: &str) -> Option<(Redis, Service, Service)> {
    let redis = Redis::start()?;
    let dir = temp_dir(name);
    let a = Service::start(&dir, Some(&redis), &[]);
    let b = Service::start(&dir, Some(&redis), &[]);
    Some((redis, a, b))
}

#[tokio::test]
async fn logout_on_a_is_refused_on_b() {
    let Some((_redis, a, b)) = two_instances("logout") else {
        return;
    };
    let http = client();
    let pair = login(&http, &a, ADA, None).await;
    let access = pair.token("access_token");
    // B verifies A's token (shared keys) and both accept it.
    assert_eq!(
        call(&http, &b, "GET", "/me", &access, None).await.status,
        200
    );
    assert_eq!(
        call(&http, &a, "POST", "/logout", &access, None)
            .await
            .status,
        204
    );
    let me = call(&http, &b, "GET", "/me", &access, None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
    let again = refresh(&http, &b, &pair.token("refresh_token"), None).await;
    assert_eq!((again.status, again.error()), (401, "family_revoked"));
}

#[tokio::test]
async fn refresh_reused_on_b_after_rotation_on_a_revokes_the_family_on_both() {
    let Some((_redis, a, b)) = two_instances("reuse") else {
        return;
    };
    let http = client();
    let pair = login(&http, &a, ADA, None).await;
    let first = pair.token("refresh_token");
    let rotated = refresh(&http, &a, &first, None).await;
    assert_eq!(rotated.status, 200);
    let (access2, refresh2) = (
        rotated.token("access_token"),
        rotated.token("refresh_token"),
    );
    assert_eq!(
        call(&http, &b, "GET", "/me", &access2, None).await.status,
        200
    );

    let reused = refresh(&http, &b, &first, None).await;
    assert_eq!(
        (reused.status, reused.error()),
        (401, "refresh_token_reused")
    );
    for service in [&a, &b] {
        let me = call(&http, service, "GET", "/me", &access2, None).await;
        assert_eq!((me.status, me.error()), (401, "revoked"));
        let next = refresh(&http, service, &refresh2, None).await;
        assert_eq!((next.status, next.error()), (401, "family_revoked"));
    }
    // Another family is untouched.
    let other = login(&http, &b, ADA, None).await.token("access_token");
    assert_eq!(
        call(&http, &a, "GET", "/me", &other, None).await.status,
        200
    );
}

#[tokio::test]
async fn a_dpop_proof_replayed_on_the_other_instance_is_refused() {
    let Some((_redis, a, b)) = two_instances("dpop") else {
        return;
    };
    let http = client();
    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let access = login(&http, &a, ADA, Some(&key))
        .await
        .token("access_token");
    let once = proof(&key, "GET", "/me", Some(&access));
    assert_eq!(
        call_with_proof(&http, &a, "/me", &access, &once)
            .await
            .status,
        200
    );
    let replay = call_with_proof(&http, &b, "/me", &access, &once).await;
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert_eq!(replay.error(), "dpop_replayed");
    // A fresh proof works on B.
    assert_eq!(
        call(&http, &b, "GET", "/me", &access, Some(&key))
            .await
            .status,
        200
    );

    // At the token endpoint too: a login proof replayed on B.
    let login_proof = proof(&key, "POST", "/login", None);
    let body = serde_json::json!({ "username": ADA.0, "password": ADA.1 });
    let first = http
        .post(a.url("/login"))
        .header("DPoP", &login_proof)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = http
        .post(b.url("/login"))
        .header("DPoP", &login_proof)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 400);
}

/// Polls `check` until it returns true or `limit` passes.
async fn eventually(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn redis_down_fails_closed_and_the_service_recovers_by_itself() {
    let Some((mut redis, a, b)) = two_instances("down") else {
        return;
    };
    let http = client();
    let pair = login(&http, &a, ADA, None).await;
    let (access, refresh_token) = (pair.token("access_token"), pair.token("refresh_token"));
    assert_eq!(
        call(&http, &b, "GET", "/me", &access, None).await.status,
        200
    );

    redis.stop();
    for service in [&a, &b] {
        let me = call(&http, service, "GET", "/me", &access, None).await;
        assert_eq!(
            (me.status, me.error()),
            (503, "revocation_unavailable"),
            "{}",
            me.body
        );
        let logout = call(&http, service, "POST", "/logout", &access, None).await;
        assert_eq!(logout.status, 503);
        let rotated = refresh(&http, service, &refresh_token, None).await;
        assert_eq!(
            (rotated.status, rotated.error()),
            (503, "temporarily_unavailable")
        );
        // What needs no state still works: keys, and a plain login.
        assert_eq!(
            http.get(service.url("/.well-known/jwks.json"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(login(&http, service, ADA, None).await.status, 200);
    }

    redis.resume();
    for service in [&a, &b] {
        let back = eventually(Duration::from_secs(5), async || {
            call(&http, service, "GET", "/me", &access, None)
                .await
                .status
                == 200
        })
        .await;
        assert!(
            back,
            "{} did not recover after Redis came back",
            service.base
        );
    }
    let rotated = refresh(&http, &b, &refresh_token, None).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert!(
        a.log()
            .contains("status=503 reason=\"revocation_unavailable\"")
    );
}
