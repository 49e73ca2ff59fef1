//! Writes acknowledged by replicas (`--redis-ack-replicas`), on a real `redis-server` and a
//! real replica of it: with no replica to acknowledge them, every write whose loss would
//! let a token through is answered 503 with `Retry-After` (fail closed) while reads are
//! answered, and so is a refusal that rests on such a write; once a replica is there, the
//! same requests succeed, and a retry of a write that was answered 503 is safe.
//!
//! Without `redis-server` on PATH these tests fail under CI (`CI=true`) and are skipped with
//! a loud message elsewhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::print_stderr,
    reason = "a test: a panic is a failed test"
)]

mod common;

use std::time::{Duration, Instant};

use common::sentinel::Node;
use common::*;
use jose_ring::{SigningKey, jwa};

/// `(status, error, Retry-After)` of an answer.
fn refusal(answer: &Answer) -> (u16, &str, Option<&str>) {
    (answer.status, answer.error(), answer.retry_after.as_deref())
}

#[tokio::test]
async fn without_a_replica_to_acknowledge_writes_fail_closed_and_a_retry_is_safe() {
    if !redis_server_present() {
        return;
    }
    let dir = temp_dir("ack");
    let primary = Node::data(&dir, free_port(), None);
    let flags = ["--redis-ack-replicas", "1", "--redis-ack-timeout", "100"];
    let service = Service::start_url(&dir, Some(&primary.url()), &flags);
    let http = client();
    let key = SigningKey::generate(&jwa::ES256).unwrap();

    // Reads and a plain login (no write) are answered.
    let pair = login(&http, &service, ADA, None).await;
    let (access, first) = (pair.token("access_token"), pair.token("refresh_token"));
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, None)
            .await
            .status,
        200
    );
    // Every write is refused once WAIT has waited 100 ms for a replica.
    let started = Instant::now();
    let rotated = refresh(&http, &service, &first, None).await;
    let waited = started.elapsed();
    assert_eq!(
        refusal(&rotated),
        (503, "temporarily_unavailable", Some("1"))
    );
    assert!(waited >= Duration::from_millis(100), "{waited:?}");
    // The proof's `jti`, recorded at the token endpoint.
    let bound = login(&http, &service, ADA, Some(&key)).await;
    assert_eq!(refusal(&bound), (503, "temporarily_unavailable", Some("1")));
    let out = call(&http, &service, "POST", "/logout", &access, None).await;
    assert_eq!(refusal(&out), (503, "temporarily_unavailable", Some("1")));
    let log = service.log();
    assert!(
        log.contains("write not acknowledged by enough replicas"),
        "{log}"
    );

    // The logout was applied on the primary all the same (unacknowledged): a refusal resting
    // on it would tell the client its token is gone while a failover could bring it back, so
    // the retry, and a refresh of the family, are 503 too until a replica holds it.
    let again = call(&http, &service, "POST", "/logout", &access, None).await;
    assert_eq!(refusal(&again), (503, "revocation_unavailable", Some("1")));
    let revoked = refresh(&http, &service, &first, None).await;
    assert_eq!(
        refusal(&revoked),
        (503, "temporarily_unavailable", Some("1"))
    );

    // A replica arrives: the same requests succeed.
    let _replica = Node::data(&dir, free_port(), Some(primary.port));
    let deadline = Instant::now() + Duration::from_secs(10);
    while primary.acknowledging_replicas().await != 1 {
        assert!(Instant::now() < deadline, "the replica did not connect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The logout answered 503 was applied on the primary (unacknowledged): its retry finds
    // the token revoked, and so does the refresh of its family.
    let again = call(&http, &service, "POST", "/logout", &access, None).await;
    assert_eq!(
        (again.status, again.error()),
        (401, "revoked"),
        "{}",
        service.log()
    );
    let revoked = refresh(&http, &service, &first, None).await;
    assert_eq!(revoked.refusal(), (400, "invalid_grant", FAMILY_REVOKED));
    // A new session: every write is acknowledged now.
    let pair = login(&http, &service, ADA, Some(&key)).await;
    assert_eq!(pair.status, 200, "{}", pair.body);
    let rotated = refresh(&http, &service, &pair.token("refresh_token"), Some(&key)).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let access = rotated.token("access_token");
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, Some(&key))
            .await
            .status,
        200
    );
    let out = call(&http, &service, "POST", "/logout", &access, Some(&key)).await;
    assert_eq!(out.status, 204, "{}", out.body);
}

#[tokio::test]
async fn a_single_redis_waits_for_no_replica_by_default() {
    if !redis_server_present() {
        return;
    }
    let dir = temp_dir("ack-default");
    let primary = Node::data(&dir, free_port(), None);
    let service = Service::start_url(&dir, Some(&primary.url()), &[]);
    let http = client();
    let access = login(&http, &service, ADA, None)
        .await
        .token("access_token");
    let out = call(&http, &service, "POST", "/logout", &access, None).await;
    assert_eq!(out.status, 204, "{}", out.body);
    assert!(
        service
            .log()
            .contains("redis store sentinel=false ack_replicas=0 ack_timeout_ms=250"),
        "{}",
        service.log()
    );
}
