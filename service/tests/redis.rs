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

/// Redis and two instances A and B on one key directory, with `extra` flags.
fn two_instances(name: &str, extra: &[&str]) -> Option<(Redis, Service, Service)> {
    let redis = Redis::start()?;
    let dir = temp_dir(name);
    let a = Service::start(&dir, Some(&redis), extra);
    let b = Service::start(&dir, Some(&redis), extra);
    Some((redis, a, b))
}

#[tokio::test]
async fn logout_on_a_is_refused_on_b() {
    let Some((_redis, a, b)) = two_instances("logout", &[]) else {
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
    assert_eq!(again.refusal(), (400, "invalid_grant", FAMILY_REVOKED));
}

#[tokio::test]
async fn refresh_reused_on_b_after_rotation_on_a_revokes_the_family_on_both() {
    let Some((_redis, a, b)) = two_instances("reuse", &[]) else {
        return;
    };
    let http = client();
    let pair = login(&http, &a, ADA, None).await;
    let first = pair.token("refresh_token");
    let rotated = refresh(&http, &a, &first, None).await;
    assert_eq!(rotated.status, 200);
    let rotated = refresh(&http, &b, &rotated.token("refresh_token"), None).await;
    assert_eq!(rotated.status, 200);
    let (access3, refresh3) = (
        rotated.token("access_token"),
        rotated.token("refresh_token"),
    );
    assert_eq!(
        call(&http, &a, "GET", "/me", &access3, None).await.status,
        200
    );

    // Two rotations back: past any grace window.
    let reused = refresh(&http, &b, &first, None).await;
    assert_eq!(reused.refusal(), (400, "invalid_grant", REUSED));
    for service in [&a, &b] {
        let me = call(&http, service, "GET", "/me", &access3, None).await;
        assert_eq!((me.status, me.error()), (401, "revoked"));
        let next = refresh(&http, service, &refresh3, None).await;
        assert_eq!(next.refusal(), (400, "invalid_grant", FAMILY_REVOKED));
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
    let Some((_redis, a, b)) = two_instances("dpop", &[]) else {
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
    let Some((mut redis, a, b)) = two_instances("down", &[]) else {
        return;
    };
    let http = client();
    let pair = login(&http, &a, ADA, None).await;
    let (access, refresh_token) = (pair.token("access_token"), pair.token("refresh_token"));
    assert_eq!(
        call(&http, &b, "GET", "/me", &access, None).await.status,
        200
    );

    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let bound = login(&http, &a, ADA, Some(&key))
        .await
        .token("access_token");

    redis.stop();
    for service in [&a, &b] {
        // The guard's 503s: the revocation check failed.
        for (method, path) in [
            ("GET", "/me"),
            ("POST", "/logout"),
            ("GET", "/admin"),
            ("GET", "/reports"),
        ] {
            let answer = call(&http, service, method, path, &access, None).await;
            assert_eq!(
                (answer.status, answer.error()),
                (503, "revocation_unavailable"),
                "{method} {path}: {}",
                answer.body
            );
            assert_eq!(
                answer.retry_after.as_deref(),
                Some("1"),
                "{method} {path}: no Retry-After"
            );
        }
        // A DPoP request too (the guard asks the revocation store before it records the proof).
        let answer = call(&http, service, "GET", "/me", &bound, Some(&key)).await;
        assert_eq!(
            (answer.status, answer.error()),
            (503, "revocation_unavailable"),
            "{}",
            answer.body
        );
        assert_eq!(
            answer.retry_after.as_deref(),
            Some("1"),
            "DPoP /me: no Retry-After"
        );
        // The service's own: the rotation, and a token-endpoint proof's replay check.
        let rotated = refresh(&http, service, &refresh_token, None).await;
        let dpop_login = login(&http, service, ADA, Some(&key)).await;
        for answer in [rotated, dpop_login] {
            assert_eq!(
                (answer.status, answer.error(), answer.retry_after.as_deref()),
                (503, "temporarily_unavailable", Some("1")),
                "{}",
                answer.body
            );
        }
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
    let log = a.log();
    for reason in ["revocation_unavailable", "temporarily_unavailable"] {
        assert!(
            log.contains(&format!("status=503 reason=\"{reason}\"")),
            "{log}"
        );
    }
}

#[tokio::test]
async fn a_refresh_retried_in_the_grace_window_keeps_the_session_on_either_instance() {
    let Some((_redis, a, b)) = two_instances("grace", &[]) else {
        return;
    };
    let http = client();
    common::grace::retry_in_the_window_supersedes_the_first_pair(&http, &a, &b).await;
    common::grace::concurrent_presentations_leave_one_pair(&http, &[&a, &b], 16).await;
}

#[tokio::test]
async fn a_refresh_replayed_after_the_grace_window_revokes_the_family_on_both() {
    let Some((_redis, a, b)) = two_instances("grace-end", &["--refresh-grace", "2"]) else {
        return;
    };
    let http = client();
    common::grace::replay_after_the_window_revokes_the_family(&http, &a, &b, 2).await;
}

/// The family's rotation hash, as the service wrote it.
async fn rotation_state(redis: &Redis, family: &str) -> std::collections::HashMap<String, String> {
    let mut connection = redis.connection().await;
    redis::cmd("HGETALL")
        .arg(format!("jr:rot:{family}"))
        .query_async(&mut connection)
        .await
        .unwrap()
}

/// Pauses Redis's writes for `millis` (`CLIENT PAUSE <ms> WRITE`) from the test's own
/// connection.
async fn pause_writes(redis: &Redis, millis: u64) {
    let mut connection = redis.connection().await;
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(millis)
        .arg("WRITE")
        .query_async(&mut connection)
        .await
        .unwrap();
}

/// A refresh whose rotation script is held by `CLIENT PAUSE ... WRITE` beyond the service's
/// 500 ms Redis timeout is answered 503; the script runs when the pause ends. The client
/// retries after `Retry-After` and keeps its session (the grace window); the successor that
/// was written but never delivered is revoked. With the window off, the same retry is taken
/// for a reuse and the session is lost: the defect the window fixes.
#[tokio::test]
async fn a_refresh_answered_503_whose_write_was_applied_keeps_the_session_on_retry() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("pause");
    let service = Service::start(&dir, Some(&redis), &[]);
    let no_grace = Service::start(&dir, Some(&redis), &["--refresh-grace", "0"]);
    let http = client();
    // One rotation first, so that Redis holds the script: a first EVALSHA held by the pause
    // would meet NOSCRIPT when it ends, and the client that would load the script has given
    // up (the timeout).
    let warm = login(&http, &service, ADA, None)
        .await
        .token("refresh_token");
    assert_eq!(refresh(&http, &service, &warm, None).await.status, 200);

    for (service, window) in [(&service, true), (&no_grace, false)] {
        let pair = login(&http, service, ADA, None).await;
        let first = pair.token("refresh_token");
        let family = claims(&first)["fam"].as_str().unwrap().to_owned();
        let jti = claims(&first)["jti"].as_str().unwrap().to_owned();

        pause_writes(&redis, 1500).await;
        let started = Instant::now();
        let paused = refresh(&http, service, &first, None).await;
        let took = started.elapsed();
        eprintln!("paused refresh answered {} after {took:?}", paused.status);
        // A read on the same instance meanwhile is answered: the connection that holds the
        // script was set aside at the timeout (it stays open, so the script still runs), the
        // read goes on a new one, and `CLIENT PAUSE WRITE` holds writes only.
        let me = call(
            &http,
            service,
            "GET",
            "/me",
            &pair.token("access_token"),
            None,
        )
        .await;
        eprintln!(
            "/me during the pause: {} after {:?}",
            me.status,
            started.elapsed()
        );
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(
            (paused.status, paused.error(), paused.retry_after.as_deref()),
            (503, "temporarily_unavailable", Some("1")),
            "{}",
            paused.body
        );
        eprintln!(
            "state during the pause: {:?}",
            rotation_state(&redis, &family).await
        );
        // Wait as told, plus the rest of the pause.
        tokio::time::sleep(Duration::from_millis(1600).saturating_sub(started.elapsed())).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let state = rotation_state(&redis, &family).await;
        eprintln!("state after the pause: {state:?}");
        assert_eq!(
            state.get("previous"),
            Some(&jti),
            "the paused write was applied"
        );
        let undelivered_access = state["current_access"].clone();

        let retried = refresh(&http, service, &first, None).await;
        if !window {
            assert_eq!(retried.refusal(), (400, "invalid_grant", REUSED));
            continue;
        }
        assert_eq!(retried.status, 200, "{}", retried.body);
        let access = retried.token("access_token");
        assert_eq!(
            call(&http, service, "GET", "/me", &access, None)
                .await
                .status,
            200
        );
        // The successor written during the pause is revoked, the family is not.
        let mut connection = redis.connection().await;
        let revoked: (bool, bool) = redis::pipe()
            .exists(format!("jr:jti:{undelivered_access}"))
            .exists(format!("jr:fam:{family}"))
            .query_async(&mut connection)
            .await
            .unwrap();
        assert_eq!(revoked, (true, false));
        let next = refresh(&http, service, &retried.token("refresh_token"), None).await;
        assert_eq!(next.status, 200, "{}", next.body);
    }
}

/// A logout whose revocation write is held by `CLIENT PAUSE ... WRITE`: the guard's checks
/// (reads) pass, the write times out, and the service answers its own 503 with
/// `Retry-After`; the write is applied when the pause ends, so the token is revoked after all.
#[tokio::test]
async fn a_logout_whose_write_is_paused_answers_503_with_retry_after() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("pause-logout");
    let service = Service::start(&dir, Some(&redis), &[]);
    let http = client();
    let access = login(&http, &service, ADA, None)
        .await
        .token("access_token");
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, None)
            .await
            .status,
        200
    );

    pause_writes(&redis, 1000).await;
    let out = call(&http, &service, "POST", "/logout", &access, None).await;
    assert_eq!(
        (out.status, out.error(), out.retry_after.as_deref()),
        (503, "temporarily_unavailable", Some("1")),
        "{}",
        out.body
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let me = call(&http, &service, "GET", "/me", &access, None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
}
