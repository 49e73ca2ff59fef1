//! A bounded load test: two instances of the real binary on one real `redis-server`, many
//! clients each running login → /me → refresh → /me → logout (and, one session in four, a
//! second refresh and then a reuse of the first refresh token, which must revoke the family)
//! against both instances in turn. It ends
//! with zero 5xx and zero revoked tokens accepted: every revoked access token and every
//! spent refresh token is replayed against both instances at the end.
//!
//! Throttling and auditing are on, with the default budgets: each session comes from an
//! address of its own as one of 256 users (`common::load`), so that the reuse in one session
//! of four (a failure) never spends a budget; every answer must be the expected one, so a
//! 429 fails the test. Beside the sessions, one attacker guesses a user's password from one
//! address every 50 ms: at most the (account, IP) budget's 10 guesses are checked, the rest
//! are slowed down (429).
//!
//! Not part of `cargo test` (ignored). Run it with (`LOAD_TLS=1`: over HTTPS, with a
//! certificate the test generates, which the clients alone trust):
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

use common::load::{self, Patience, env_number, post_from};
use common::*;

/// A certificate for 127.0.0.1 in `dir` (`cert.pem`, `key.pem`) and its PEM.
fn certificate(dir: &std::path::Path) -> String {
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    std::fs::write(dir.join("cert.pem"), generated.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), generated.signing_key.serialize_pem()).unwrap();
    generated.cert.pem()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run with --ignored (see the file's docs)"]
async fn load_two_instances_one_redis() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("load");
    let tls = std::env::var("LOAD_TLS").is_ok_and(|v| v == "1");
    let pem = tls.then(|| certificate(&dir));
    let mut flags = load::instance_flags(&dir);
    if tls {
        for (flag, file) in [("--tls-cert", "cert.pem"), ("--tls-key", "key.pem")] {
            flags.extend([flag.to_owned(), dir.join(file).to_str().unwrap().to_owned()]);
        }
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let a = Arc::new(Service::start(&dir, Some(&redis), &flags));
    let b = Arc::new(Service::start(&dir, Some(&redis), &flags));
    let seconds = env_number("LOAD_SECS", 20);
    let clients = env_number("LOAD_CLIENTS", 32);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);

    // The attacker: wrong passwords for u1 from one address, every 50 ms.
    let attacker = {
        let (a, b, http) = (
            Arc::clone(&a),
            Arc::clone(&b),
            load::http_client(pem.as_deref()),
        );
        tokio::spawn(async move {
            let (mut checked, mut slowed, mut other) = (0u64, 0u64, Vec::new());
            let mut n = 0u64;
            while Instant::now() < deadline {
                let service = if n % 2 == 0 { &*a } else { &*b };
                let body = serde_json::json!({ "username": "u1", "password": "a guess" });
                let answer =
                    post_from(&http, service, "/login", "198.51.100.1", Some(body), None).await;
                match answer.status {
                    400 => checked += 1,
                    429 => slowed += 1,
                    status => other.push(status),
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (checked, slowed, other)
        })
    };
    let total = load::run_with([&a, &b], clients, deadline, Patience::None, pem.as_deref()).await;
    let elapsed = started.elapsed();
    let (guesses_checked, guesses_slowed, guesses_other) = attacker.await.unwrap();

    // Replay every revoked token against both instances.
    let http = load::http_client(pem.as_deref());
    let (accepted, replay_errors, wrong) = load::replay_with([&a, &b], &total, &http).await;
    println!(
        "load{}: {clients} clients, {:.1} s, 2 instances, 1 redis: {}; replayed {} revoked \
         access tokens and {} spent refresh tokens: {accepted} accepted, {replay_errors} 5xx; \
         attacker: {guesses_checked} guesses checked, {guesses_slowed} slowed down (429)",
        if tls { " (https)" } else { "" },
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
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The attacker: the (account, IP) budget's 10 guesses, one more every 2 minutes; the
    // rest slowed down.
    assert!(guesses_other.is_empty(), "{guesses_other:?}");
    let guesses = guesses_checked + guesses_slowed;
    assert!(
        (guesses.min(10)..=guesses.min(11 + seconds / 120)).contains(&guesses_checked),
        "{guesses_checked} of {guesses} guesses checked"
    );
    drop(redis);
}
