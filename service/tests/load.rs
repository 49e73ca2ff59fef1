//! A bounded load test: two instances of the real binary on one real `redis-server`, many
//! clients each running login → /me → refresh → /me → logout (and, one session in four, a
//! second refresh and then a reuse of the first refresh token, which must revoke the family)
//! against both instances in turn. It ends
//! with zero 5xx and zero revoked tokens accepted: every revoked access token and every
//! spent refresh token is replayed against both instances at the end.
//!
//! Not part of `cargo test` (ignored). Run it with:
//!
//! ```text
//! LOAD_SECS=20 LOAD_CLIENTS=32 cargo test --release -p jose-ring-service --test load -- --ignored --nocapture
//! ```
//!
//! The test users have 1,000 PBKDF2 iterations, so that logins do not dominate.
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

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::load::{self, Patience, env_number};
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run with --ignored (see the file's docs)"]
async fn load_two_instances_one_redis() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("load");
    let a = Arc::new(Service::start(&dir, Some(&redis), &[]));
    let b = Arc::new(Service::start(&dir, Some(&redis), &[]));
    let seconds = env_number("LOAD_SECS", 20);
    let clients = env_number("LOAD_CLIENTS", 32);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let total = load::run([&a, &b], clients, deadline, Patience::None).await;
    let elapsed = started.elapsed();

    // Replay every revoked token against both instances.
    let (accepted, replay_errors, wrong) = load::replay([&a, &b], &total).await;
    println!(
        "load: {clients} clients, {:.1} s, 2 instances, 1 redis: {}; replayed {} revoked \
         access tokens and {} spent refresh tokens: {accepted} accepted, {replay_errors} 5xx",
        elapsed.as_secs_f64(),
        load::summary(&total, elapsed),
        total.revoked_access.len(),
        total.spent_refresh.len(),
    );
    assert!(!total.seen.is_empty());
    assert_eq!(total.server_errors(), (0, 0), "5xx while Redis was up");
    assert!(total.unexpected.is_empty(), "{:#?}", total.unexpected);
    assert_eq!(
        (accepted, replay_errors),
        (0, 0),
        "a revoked token was accepted: {wrong:#?}"
    );
    drop(redis);
}
