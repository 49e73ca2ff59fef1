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

use common::*;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    server_errors: u64,
    unexpected: Vec<String>,
    revoked_access: Vec<String>,
    spent_refresh: Vec<String>,
}

impl Tally {
    fn record(&mut self, what: &str, started: Instant, answer: &Answer, expected: u16) {
        self.latencies.push(started.elapsed());
        if answer.status >= 500 {
            self.server_errors += 1;
        }
        if answer.status != expected && self.unexpected.len() < 20 {
            self.unexpected
                .push(format!("{what}: {} {}", answer.status, answer.body));
        }
    }
}

async fn session(http: &reqwest::Client, services: [&Service; 2], n: u64, tally: &mut Tally) {
    let [x, y] = services;
    let t = Instant::now();
    let pair = login(http, x, ADA, None).await;
    tally.record("login", t, &pair, 200);
    if pair.status != 200 {
        return;
    }
    let (access, first) = (pair.token("access_token"), pair.token("refresh_token"));
    for service in [y, x, y] {
        let t = Instant::now();
        let me = call(http, service, "GET", "/me", &access, None).await;
        tally.record("me", t, &me, 200);
    }
    let t = Instant::now();
    let rotated = refresh(http, y, &first, None).await;
    tally.record("refresh", t, &rotated, 200);
    if rotated.status != 200 {
        return;
    }
    let (access2, refresh2) = (
        rotated.token("access_token"),
        rotated.token("refresh_token"),
    );
    tally.spent_refresh.push(first.clone());
    let t = Instant::now();
    let me = call(http, x, "GET", "/me", &access2, None).await;
    tally.record("me", t, &me, 200);
    if n % 4 == 0 {
        // A stolen, already used refresh token (two rotations back: past the grace window
        // of a retry): the family goes.
        let t = Instant::now();
        let again = refresh(http, y, &refresh2, None).await;
        tally.record("refresh", t, &again, 200);
        tally.spent_refresh.push(refresh2);
        if again.status == 200 {
            tally.spent_refresh.push(again.token("refresh_token"));
        }
        let t = Instant::now();
        let reused = refresh(http, x, &first, None).await;
        tally.record("reuse", t, &reused, 400);
    } else {
        let t = Instant::now();
        let out = call(http, y, "POST", "/logout", &access2, None).await;
        tally.record("logout", t, &out, 204);
        tally.spent_refresh.push(refresh2);
    }
    tally.revoked_access.push(access);
    tally.revoked_access.push(access2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run with --ignored (see the file's docs)"]
async fn load_two_instances_one_redis() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("load");
    let a = Arc::new(Service::start(&dir, Some(&redis), &[]));
    let b = Arc::new(Service::start(&dir, Some(&redis), &[]));
    let seconds = env_number("LOAD_SECS", 20);
    let clients = env_number("LOAD_CLIENTS", 32);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();

    let mut workers = Vec::new();
    for worker in 0..clients {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        workers.push(tokio::spawn(async move {
            // One connection per instance per client.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut tally = Tally::default();
            let mut n = worker;
            while Instant::now() < deadline {
                let pair = if n % 2 == 0 { [&*a, &*b] } else { [&*b, &*a] };
                session(&http, pair, n, &mut tally).await;
                n += clients;
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        let tally = worker.await.unwrap();
        total.latencies.extend(tally.latencies);
        total.server_errors += tally.server_errors;
        total.unexpected.extend(tally.unexpected);
        total.revoked_access.extend(tally.revoked_access);
        total.spent_refresh.extend(tally.spent_refresh);
    }
    let elapsed = started.elapsed();

    // Replay every revoked token against both instances.
    let http = client();
    let mut accepted = 0u64;
    let mut replay_errors = 0u64;
    for (i, token) in total.revoked_access.iter().enumerate() {
        let service = if i % 2 == 0 { &*a } else { &*b };
        let me = call(&http, service, "GET", "/me", token, None).await;
        accepted += u64::from(me.status == 200);
        replay_errors += u64::from(me.status >= 500);
    }
    for (i, token) in total.spent_refresh.iter().enumerate() {
        let service = if i % 2 == 0 { &*b } else { &*a };
        let again = refresh(&http, service, token, None).await;
        accepted += u64::from(again.status == 200);
        replay_errors += u64::from(again.status >= 500);
    }

    total.latencies.sort();
    let count = total.latencies.len();
    let at = |q: f64| {
        let index = ((count as f64) * q).ceil() as usize;
        total
            .latencies
            .get(index.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "load: {clients} clients, {:.1} s, 2 instances, 1 redis: {count} requests, {:.0} req/s, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; 5xx {}; unexpected {}; replayed {} revoked \
         access tokens and {} spent refresh tokens: {accepted} accepted, {replay_errors} 5xx",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
        total.server_errors,
        total.unexpected.len(),
        total.revoked_access.len(),
        total.spent_refresh.len(),
    );
    assert!(count > 0);
    assert_eq!(total.server_errors, 0, "5xx while Redis was up");
    assert!(total.unexpected.is_empty(), "{:#?}", total.unexpected);
    assert_eq!(
        (accepted, replay_errors),
        (0, 0),
        "a revoked token was accepted"
    );
    drop(redis);
}
