//! Throttling of failed attempts on the real binary: small budgets, clients told apart by
//! `X-Forwarded-For` behind a trusted proxy (the test itself, on 127.0.0.1), one instance in
//! memory and two sharing one `redis-server`; and (ignored) the default budgets measured
//! for a minute against each attack.
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

/// Budgets small enough to spend in a test: 3 per (account, IP), 5 per account, 8 per IP,
/// each refilled over an hour; the test is the trusted proxy.
const SMALL: [&str; 8] = [
    "--trusted-proxy",
    "127.0.0.1/32",
    "--throttle-account-ip",
    "3/1h",
    "--throttle-account",
    "5/1h",
    "--throttle-ip",
    "8/1h",
];

/// `POST /login` as `user` from `ip` (through the trusted proxy).
async fn login_from(
    http: &reqwest::Client,
    service: &Service,
    user: (&str, &str),
    ip: &str,
) -> Answer {
    let request = http
        .post(service.url("/login"))
        .header("x-forwarded-for", ip)
        .json(&serde_json::json!({ "username": user.0, "password": user.1 }));
    answer(request.send().await.unwrap()).await
}

/// Status and `Retry-After` (seconds).
fn outcome(answer: &Answer) -> (u16, Option<u64>) {
    (
        answer.status,
        answer.retry_after.as_deref().map(|s| s.parse().unwrap()),
    )
}

/// A 429 whose `Retry-After` is `seconds`, give or take the seconds the test has run.
fn assert_throttled(answer: &Answer, seconds: u64) {
    assert_eq!(
        (answer.status, answer.error()),
        (429, "too_many_attempts"),
        "{}",
        answer.body
    );
    let retry = outcome(answer).1.unwrap();
    assert!(
        (seconds.saturating_sub(30)..=seconds).contains(&retry),
        "Retry-After {retry}, expected about {seconds}"
    );
}

const WRONG: (&str, &str) = ("ada", "not her password");

/// The three attacks and refresh failures against small budgets, alternating between `a`
/// and `b` (one instance, or two sharing Redis: one behaviour, two stores).
async fn attacks_are_slowed_down_and_the_owner_still_gets_in(
    http: &reqwest::Client,
    a: &Service,
    b: &Service,
) {
    // One IP against one account: 3 tries, then 429 for 20 minutes (an hour over 3), the
    // right password included.
    for service in [a, b, a] {
        assert_eq!(
            outcome(&login_from(http, service, WRONG, "198.51.100.1").await),
            (400, None)
        );
    }
    assert_throttled(&login_from(http, b, WRONG, "198.51.100.1").await, 1200);
    assert_throttled(&login_from(http, a, ADA, "198.51.100.1").await, 1200);
    // The owner on another IP gets in (and that IP is now one ada logs in from).
    assert_eq!(login_from(http, b, ADA, "192.0.2.10").await.status, 200);

    // Many IPs against one account: the account's 5 (3 spent above) run out...
    assert_eq!(login_from(http, a, WRONG, "203.0.113.1").await.status, 400);
    assert_eq!(login_from(http, b, WRONG, "203.0.113.2").await.status, 400);
    assert_throttled(&login_from(http, a, WRONG, "203.0.113.3").await, 720);
    // ... for IPs ada has not logged in from, even with her password ...
    assert_throttled(&login_from(http, b, ADA, "203.0.113.4").await, 720);
    // ... but not where she logged in before.
    assert_eq!(login_from(http, a, ADA, "192.0.2.10").await.status, 200);
    assert_eq!(login_from(http, b, WRONG, "192.0.2.10").await.status, 400);
    // Another account is untouched.
    assert_eq!(login_from(http, a, BOB, "203.0.113.3").await.status, 200);

    // One IP against many accounts: 8, then 429 for 7.5 minutes (an hour over 8).
    for n in 0..8 {
        let user = format!("user{n}");
        let service = if n % 2 == 0 { a } else { b };
        let answer = login_from(http, service, (&user, "guess"), "198.51.100.50").await;
        assert_eq!(answer.status, 400);
    }
    assert_throttled(
        &login_from(http, a, ("user9", "guess"), "198.51.100.50").await,
        450,
    );
    assert_throttled(&login_from(http, b, BOB, "198.51.100.50").await, 450);

    // Refresh tokens: failures from one IP count too (IP budget: no account without a
    // token that verifies); the refreshes of a valid session are never held.
    let bad = |service: &Service| {
        http.post(service.url("/refresh"))
            .header("x-forwarded-for", "198.51.100.60")
            .json(&serde_json::json!({ "refresh_token": "not.a.token" }))
    };
    for n in 0..8 {
        let service = if n % 2 == 0 { a } else { b };
        assert_eq!(answer(bad(service).send().await.unwrap()).await.status, 400);
    }
    assert_throttled(&answer(bad(a).send().await.unwrap()).await, 450);
    let mut token = login_from(http, a, BOB, "198.51.100.61")
        .await
        .token("refresh_token");
    for n in 0..12 {
        let service = if n % 2 == 0 { a } else { b };
        let rotated = http
            .post(service.url("/refresh"))
            .header("x-forwarded-for", "198.51.100.61")
            .json(&serde_json::json!({ "refresh_token": token }));
        let rotated = answer(rotated.send().await.unwrap()).await;
        assert_eq!(rotated.status, 200, "{}", rotated.body);
        token = rotated.token("refresh_token");
    }

    // The audit trail and the request log say who was slowed down, and why.
    let log = a.log() + &b.log();
    assert!(
        log.contains(
            " WARN audit event=\"throttled\" kind=\"password\" account=\"ada\" ip=198.51.100.1 \
             scope=\"account_ip\" retry_after="
        ),
        "{log}"
    );
    assert!(log.contains(
        " WARN audit event=\"throttled\" kind=\"password\" account=\"ada\" ip=203.0.113.3 \
         scope=\"account\""
    ));
    assert!(log.contains(
        " WARN audit event=\"throttled\" kind=\"password\" ip=198.51.100.50 scope=\"ip\""
    ));
    assert!(log.contains(
        " WARN audit event=\"throttled\" kind=\"refresh_token\" ip=198.51.100.60 scope=\"ip\""
    ));
    assert!(log.contains("route=/login status=429 reason=\"throttled\""));
}

#[tokio::test]
async fn budgets_slow_attackers_down_and_the_owner_still_gets_in() {
    let dir = temp_dir("throttle");
    let service = Service::start(&dir, None, &SMALL);
    attacks_are_slowed_down_and_the_owner_still_gets_in(&client(), &service, &service).await;
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let dir = temp_dir("throttle-xff");
    let service = Service::start(&dir, None, &SMALL[2..]);
    let http = client();
    // Every request claims another client; all come from 127.0.0.1.
    for n in 1..=3 {
        let answer = login_from(&http, &service, WRONG, &format!("198.51.100.{n}")).await;
        assert_eq!(answer.status, 400);
    }
    assert_throttled(
        &login_from(&http, &service, WRONG, "198.51.100.4").await,
        1200,
    );
    assert!(
        service
            .log()
            .contains("account=\"ada\" ip=127.0.0.1 scope=\"account_ip\"")
    );
}

#[tokio::test]
async fn every_instance_shares_the_budgets_and_each_throttles_alone_while_redis_is_down() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let dir = temp_dir("throttle-redis");
    let a = Service::start(&dir, Some(&redis), &SMALL);
    let b = Service::start(&dir, Some(&redis), &SMALL);
    let http = client();
    attacks_are_slowed_down_and_the_owner_still_gets_in(&http, &a, &b).await;
    // The budgets live in Redis, with a TTL: nothing grows forever.
    let mut connection = redis.connection().await;
    let ttl: i64 = redis::cmd("PTTL")
        .arg("jr:thr:password:pair:198.51.100.1 ada")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((3_500_000..=3_600_000).contains(&ttl), "{ttl}");
    // A success marks the pair as known for 30 days, on the shared store.
    let known: i64 = redis::cmd("TTL")
        .arg("jr:thr:user:known:192.0.2.10 ada")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((2_591_000..=2_592_000).contains(&known), "{known}");

    // Redis down: logins go on, each instance throttling in memory.
    redis.stop();
    assert_eq!(login_from(&http, &a, ADA, "192.0.2.20").await.status, 200);
    for _ in 0..3 {
        assert_eq!(
            login_from(&http, &a, WRONG, "198.51.100.2").await.status,
            400
        );
    }
    assert_throttled(&login_from(&http, &a, WRONG, "198.51.100.2").await, 1200);
    // B has its own memory: an attacker gets one budget per instance while Redis is down.
    assert_eq!(
        login_from(&http, &b, WRONG, "198.51.100.2").await.status,
        400
    );
    assert!(
        a.log()
            .contains("throttling in memory until the store answers")
    );

    // Redis back (empty): shared again.
    redis.resume();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = login_from(&http, &b, WRONG, "198.51.100.3").await;
        assert_eq!(answer.status, 400);
        if b.log()
            .contains("throttling shared through the store again")
        {
            break;
        }
        assert!(Instant::now() < deadline, "{}", b.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Counts over one scenario: answers 400 (a try that was checked), 429 (slowed down), and
/// the owner's logins from her own address.
#[derive(Default, Debug)]
struct Tally {
    tried: u64,
    slowed: u64,
    owner_ok: u64,
    owner_refused: u64,
}

/// The `n`th attempt of an attack: the user name and the client IP.
type Attack = Box<dyn Fn(u64) -> (String, String)>;

/// Runs `attack(n)` for `seconds` (at most 20 attempts a second, alternating instances), the
/// `owner` (the account attacked, or another) logging in from her own address every 5 s.
async fn measure(
    http: &reqwest::Client,
    services: [&Service; 2],
    seconds: u64,
    owner: (&str, &str),
    attack: impl Fn(u64) -> (String, String),
) -> Tally {
    let mut tally = Tally::default();
    let started = Instant::now();
    let mut n = 0u64;
    let mut owner_at = Duration::ZERO;
    while started.elapsed() < Duration::from_secs(seconds) {
        let (user, ip) = attack(n);
        let answer = login_from(
            http,
            services[(n % 2) as usize],
            (&user, "a wrong guess"),
            &ip,
        )
        .await;
        match answer.status {
            400 => tally.tried += 1,
            429 => tally.slowed += 1,
            other => panic!("{other}: {}", answer.body),
        }
        if started.elapsed() >= owner_at {
            let owner = login_from(http, services[0], owner, "192.0.2.200").await;
            if owner.status == 200 {
                tally.owner_ok += 1;
            } else {
                tally.owner_refused += 1;
            }
            owner_at += Duration::from_secs(5);
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tally
}

/// The default budgets, measured: each attack for a minute (`THROTTLE_SECS`) against two
/// instances on one Redis. Run with:
///
/// ```text
/// cargo test --release -p jose-ring-service --test throttle -- --ignored --nocapture
/// ```
#[tokio::test]
#[ignore = "a minute per attack: run with --ignored"]
async fn measure_the_default_budgets() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let seconds = std::env::var("THROTTLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = temp_dir("throttle-measure");
    let proxy = ["--trusted-proxy", "127.0.0.1/32"];
    let a = Service::start(&dir, Some(&redis), &proxy);
    let b = Service::start(&dir, Some(&redis), &proxy);
    let http = client();
    // The owners have logged in from their address before.
    for owner in [ADA, BOB] {
        assert_eq!(
            login_from(&http, &a, owner, "192.0.2.200").await.status,
            200
        );
    }
    // Each attack on an account of its own: ada, then bob.
    let scenarios: [(&str, (&str, &str), Attack); 3] = [
        (
            "one IP, one account",
            ADA,
            Box::new(|_| ("ada".into(), "198.51.100.1".into())),
        ),
        (
            "many IPs, one account",
            BOB,
            Box::new(|n| {
                (
                    "bob".into(),
                    format!("10.{}.{}.{}", n / 65536 % 256, n / 256 % 256, n % 256),
                )
            }),
        ),
        (
            "one IP, many accounts",
            ADA,
            Box::new(|n| (format!("user{n}"), "203.0.113.50".into())),
        ),
    ];
    for (name, owner, attack) in scenarios {
        let tally = measure(&http, [&a, &b], seconds, owner, attack).await;
        let per_minute = |count: u64| count as f64 * 60.0 / seconds as f64;
        println!(
            "{name}: {:.0} tries/min checked, {:.0}/min slowed down (429); {} from a known \
             address: {} logins ok, {} refused",
            per_minute(tally.tried),
            per_minute(tally.slowed),
            owner.0,
            tally.owner_ok,
            tally.owner_refused,
        );
        assert_eq!(tally.owner_refused, 0);
    }
}

#[tokio::test]
async fn client_secrets_at_the_token_endpoint_are_throttled_and_audited() {
    use common::oauth::{BATCH, RESOURCE_SERVER, client_credentials, es256, write_clients};
    let dir = temp_dir("throttle-token");
    let clients = write_clients(&dir, &es256());
    let service = Service::start(
        &dir,
        None,
        &[
            "--clients",
            clients.to_str().unwrap(),
            "--throttle-account-ip",
            "3/1h",
        ],
    );
    let http = client();
    for _ in 0..3 {
        let wrong = client_credentials(&http, &service, (BATCH.0, "not-the-secret"), &[]).await;
        assert_eq!((wrong.status, wrong.error()), (401, "invalid_client"));
    }
    // The fourth is not checked, the right secret included...
    assert_throttled(
        &client_credentials(&http, &service, (BATCH.0, "again"), &[]).await,
        1200,
    );
    assert_throttled(&client_credentials(&http, &service, BATCH, &[]).await, 1200);
    // ... while another client from the same address gets its token.
    let other = client_credentials(&http, &service, RESOURCE_SERVER, &[]).await;
    assert_eq!(other.status, 200, "{}", other.body);
    let log = service.log();
    assert!(
        log.contains(
            " WARN audit event=\"client_auth_failed\" client_id=\"batch\" ip=127.0.0.1 \
             method=\"client_secret_basic\" reason=\"wrong secret or unknown client\""
        ),
        "{log}"
    );
    assert!(log.contains(
        " WARN audit event=\"throttled\" kind=\"client_secret\" account=\"batch\" ip=127.0.0.1 \
         scope=\"account_ip\""
    ));
}
