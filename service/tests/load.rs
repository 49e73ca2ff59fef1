//! A bounded load test: two instances of the real binary on one real `redis-server`, many
//! clients each running login → /me → refresh → /me → logout (and, one session in four, a
//! second refresh and then a reuse of the first refresh token, which must revoke the family)
//! against both instances in turn. It ends
//! with zero 5xx and zero revoked tokens accepted: every revoked access token and every
//! spent refresh token is replayed against both instances at the end.
//!
//! Throttling and auditing are on, with the default budgets: the instances trust the test
//! as their proxy (`--trusted-proxy 127.0.0.1/32`) and each session comes from an address of
//! its own (`X-Forwarded-For`, as behind a load balancer) as one of 256 users, so that the
//! reuse in one session of four (a failure) never spends a budget; every answer must be the
//! expected one, so a 429 fails the test. Beside the sessions, one attacker guesses a
//! user's password from one address every 50 ms: at most the (account, IP) budget's 10
//! guesses are checked, the rest are slowed down (429).
//!
//! Not part of `cargo test` (ignored). Run it with (`LOAD_TLS=1`: over HTTPS, with a
//! certificate the test generates):
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

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

/// Users `u0` to `u255`, each with ada's password (and hash).
const USERS: u64 = 256;

/// A users file of [`USERS`] users in `dir`.
fn many_users(dir: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/users.json");
    let fixture: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let ada = &fixture["users"][0];
    let users: Vec<serde_json::Value> = (0..USERS)
        .map(|n| {
            let mut user = ada.clone();
            user["username"] = format!("u{n}").into();
            user
        })
        .collect();
    let path = dir.join("users.json");
    std::fs::write(&path, serde_json::json!({ "users": users }).to_string()).unwrap();
    path
}

/// The client address of session `n`: one of its own.
fn address(n: u64) -> String {
    format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)
}

/// `POST path` with a JSON `body` from `ip`.
async fn post_from(
    http: &reqwest::Client,
    service: &Service,
    path: &str,
    ip: &str,
    body: serde_json::Value,
) -> Answer {
    let request = http
        .post(service.url(path))
        .header("x-forwarded-for", ip)
        .json(&body);
    answer(request.send().await.unwrap()).await
}

async fn login_from(http: &reqwest::Client, service: &Service, user: &str, ip: &str) -> Answer {
    let body = serde_json::json!({ "username": user, "password": ADA.1 });
    post_from(http, service, "/login", ip, body).await
}

async fn refresh_from(http: &reqwest::Client, service: &Service, token: &str, ip: &str) -> Answer {
    let body = serde_json::json!({ "refresh_token": token });
    post_from(http, service, "/refresh", ip, body).await
}

/// A certificate for 127.0.0.1 in `dir` (`cert.pem`, `key.pem`) and its PEM.
fn certificate(dir: &Path) -> String {
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    std::fs::write(dir.join("cert.pem"), generated.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), generated.signing_key.serialize_pem()).unwrap();
    generated.cert.pem()
}

/// An HTTP client (trusting `pem` only, for HTTPS), one idle connection per host.
fn load_client(pem: Option<&str>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(10));
    if let Some(pem) = pem {
        builder = builder
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

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
    /// Each spent refresh token and the address of its session.
    spent_refresh: Vec<(String, String)>,
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
    let (user, ip) = (format!("u{}", n % USERS), address(n));
    let t = Instant::now();
    let pair = login_from(http, x, &user, &ip).await;
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
    let rotated = refresh_from(http, y, &first, &ip).await;
    tally.record("refresh", t, &rotated, 200);
    if rotated.status != 200 {
        return;
    }
    let (access2, refresh2) = (
        rotated.token("access_token"),
        rotated.token("refresh_token"),
    );
    tally.spent_refresh.push((first.clone(), ip.clone()));
    let t = Instant::now();
    let me = call(http, x, "GET", "/me", &access2, None).await;
    tally.record("me", t, &me, 200);
    if n % 4 == 0 {
        // A stolen, already used refresh token (two rotations back: past the grace window
        // of a retry): the family goes.
        let t = Instant::now();
        let again = refresh_from(http, y, &refresh2, &ip).await;
        tally.record("refresh", t, &again, 200);
        tally.spent_refresh.push((refresh2, ip.clone()));
        if again.status == 200 {
            tally
                .spent_refresh
                .push((again.token("refresh_token"), ip.clone()));
        }
        let t = Instant::now();
        let reused = refresh_from(http, x, &first, &ip).await;
        tally.record("reuse", t, &reused, 400);
    } else {
        let t = Instant::now();
        let out = http
            .post(y.url("/logout"))
            .header("authorization", format!("Bearer {access2}"))
            .header("x-forwarded-for", &ip)
            .send()
            .await
            .unwrap();
        let out = answer(out).await;
        tally.record("logout", t, &out, 204);
        tally.spent_refresh.push((refresh2, ip));
    }
    tally.revoked_access.push(access);
    tally.revoked_access.push(access2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run with --ignored (see the file's docs)"]
async fn load_two_instances_one_redis() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("load");
    let users = many_users(&dir);
    let tls = std::env::var("LOAD_TLS").is_ok_and(|v| v == "1");
    let pem = tls.then(|| certificate(&dir));
    let mut flags = vec![
        "--users",
        users.to_str().unwrap(),
        "--trusted-proxy",
        "127.0.0.1/32",
    ];
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if tls {
        flags.extend([
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]);
    }
    let a = Arc::new(Service::start(&dir, Some(&redis), &flags));
    let b = Arc::new(Service::start(&dir, Some(&redis), &flags));
    let seconds = env_number("LOAD_SECS", 20);
    let clients = env_number("LOAD_CLIENTS", 32);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();

    // The attacker: wrong passwords for u1 from one address, every 50 ms.
    let attacker = {
        let (a, b, http) = (Arc::clone(&a), Arc::clone(&b), load_client(pem.as_deref()));
        tokio::spawn(async move {
            let (mut checked, mut slowed, mut other) = (0u64, 0u64, Vec::new());
            let mut n = 0u64;
            while Instant::now() < deadline {
                let service = if n % 2 == 0 { &*a } else { &*b };
                let body = serde_json::json!({ "username": "u1", "password": "a guess" });
                let answer = post_from(&http, service, "/login", "198.51.100.1", body).await;
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

    let mut workers = Vec::new();
    for worker in 0..clients {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        let pem = pem.clone();
        workers.push(tokio::spawn(async move {
            // One connection per instance per client.
            let http = load_client(pem.as_deref());
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
    let (guesses_checked, guesses_slowed, guesses_other) = attacker.await.unwrap();

    // Replay every revoked token against both instances (each spent refresh token from its
    // session's address).
    let http = load_client(pem.as_deref());
    let mut accepted = 0u64;
    let mut replay_errors = 0u64;
    for (i, token) in total.revoked_access.iter().enumerate() {
        let service = if i % 2 == 0 { &*a } else { &*b };
        let me = call(&http, service, "GET", "/me", token, None).await;
        accepted += u64::from(me.status == 200);
        replay_errors += u64::from(me.status >= 500);
    }
    let mut replay_unexpected = Vec::new();
    for (i, (token, ip)) in total.spent_refresh.iter().enumerate() {
        let service = if i % 2 == 0 { &*b } else { &*a };
        let again = refresh_from(&http, service, token, ip).await;
        accepted += u64::from(again.status == 200);
        replay_errors += u64::from(again.status >= 500);
        if again.status != 400 && replay_unexpected.len() < 10 {
            replay_unexpected.push(format!("{} {}", again.status, again.body));
        }
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
        "load{}: {clients} clients, {:.1} s, 2 instances, 1 redis: {count} requests, {:.0} req/s, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; 5xx {}; unexpected {}; replayed {} revoked \
         access tokens and {} spent refresh tokens: {accepted} accepted, {replay_errors} 5xx; \
         attacker: {guesses_checked} guesses checked, {guesses_slowed} slowed down (429)",
        if tls { " (https)" } else { "" },
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
    assert!(replay_unexpected.is_empty(), "{replay_unexpected:#?}");
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
