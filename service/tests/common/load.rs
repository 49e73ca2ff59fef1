//! The load test's clients, shared by `tests/load.rs` (one Redis: any 5xx fails) and
//! `tests/failover.rs` (Redis nodes killed mid-run: a 503 is retried, as a client told
//! `Retry-After` does). Each client runs sessions against two instances in turn: login →
//! /me ×3 → refresh → /me → logout, or (one session in four) a second refresh and then a
//! reuse of the first refresh token, which must revoke the family. A session's tokens are
//! counted as revoked (to be replayed at the end) once its logout or reuse was answered.
//!
//! The service throttles failed attempts, and the reuse is one: so that the sessions never
//! spend a budget, the instances are started with [`instance_flags`] (trust the test as
//! their proxy, 256 users `u0`..`u255` with ada's password) and session `n` logs in as
//! `u{n % 256}` from an address of its own ([`address`], in `X-Forwarded-For`), from which
//! its spent refresh tokens are replayed too.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;

/// What a client does with a 503.
#[derive(Debug, Clone, Copy)]
pub enum Patience {
    /// Counts it as an unexpected answer; the session stops.
    None,
    /// Sends the request again after `every`, until `until` (then the session stops).
    Retry { every: Duration, until: Instant },
}

/// One answer as a client saw it.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub sent: Instant,
    pub answered: Instant,
    pub status: u16,
}

/// Everything the clients saw.
#[derive(Debug, Default)]
pub struct Tally {
    pub seen: Vec<Seen>,
    /// Answers neither expected nor a 503 retried (at most 20 kept), and 503s without
    /// `Retry-After`.
    pub unexpected: Vec<String>,
    pub unexpected_count: u64,
    pub revoked_access: Vec<String>,
    /// Each spent refresh token and the address of its session.
    pub spent_refresh: Vec<(String, String)>,
    /// Sessions given up (a 503 past the client's patience).
    pub given_up: u64,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.seen.extend(other.seen);
        let room = 20usize.saturating_sub(self.unexpected.len());
        self.unexpected
            .extend(other.unexpected.into_iter().take(room));
        self.unexpected_count += other.unexpected_count;
        self.revoked_access.extend(other.revoked_access);
        self.spent_refresh.extend(other.spent_refresh);
        self.given_up += other.given_up;
    }

    fn unexpected(&mut self, text: String) {
        self.unexpected_count += 1;
        if self.unexpected.len() < 20 {
            self.unexpected.push(text);
        }
    }

    /// Answers with a status of 500 or more, and of those the 503s.
    pub fn server_errors(&self) -> (u64, u64) {
        let errors = self.seen.iter().filter(|s| s.status >= 500).count() as u64;
        let unavailable = self.seen.iter().filter(|s| s.status == 503).count() as u64;
        (errors, unavailable)
    }

    /// The latency at quantile `q` (0..=1).
    pub fn latency(&self, q: f64) -> Duration {
        let mut all: Vec<Duration> = self
            .seen
            .iter()
            .map(|s| s.answered.duration_since(s.sent))
            .collect();
        all.sort();
        let index = ((all.len() as f64) * q).ceil() as usize;
        all.get(index.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    }
}

/// Users `u0` to `u255`, each with ada's password (and hash).
pub const USERS: u64 = 256;

/// The flags of an instance the load runs against: a users file in `dir` with the test
/// users and [`USERS`] more, and the test trusted as the proxy that names the client.
pub fn instance_flags(dir: &Path) -> Vec<String> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/users.json");
    let fixture: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let mut users = fixture["users"].as_array().unwrap().clone();
    let ada = users[0].clone();
    users.extend((0..USERS).map(|n| {
        let mut user = ada.clone();
        user["username"] = format!("u{n}").into();
        user
    }));
    let path = dir.join("load-users.json");
    std::fs::write(&path, serde_json::json!({ "users": users }).to_string()).unwrap();
    vec![
        "--users".into(),
        path.to_str().unwrap().into(),
        "--trusted-proxy".into(),
        "127.0.0.1/32".into(),
    ]
}

/// The client address of session `n`: one of its own.
pub fn address(n: u64) -> String {
    format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)
}

/// `POST path` from `ip` (`X-Forwarded-For`) with a JSON `body`, or with a Bearer `token`.
pub async fn post_from(
    http: &reqwest::Client,
    service: &Service,
    path: &str,
    ip: &str,
    body: Option<serde_json::Value>,
    token: Option<&str>,
) -> Answer {
    let mut request = http.post(service.url(path)).header("x-forwarded-for", ip);
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    answer(request.send().await.unwrap()).await
}

/// A request of a session, from the session's address.
#[derive(Clone, Copy)]
enum Call<'a> {
    Login(&'a Service, &'a str, &'a str),
    Me(&'a Service, &'a str),
    Refresh(&'a Service, &'a str, &'a str),
    Logout(&'a Service, &'a str, &'a str),
}

impl Call<'_> {
    async fn send(self, http: &reqwest::Client) -> Answer {
        match self {
            Self::Login(service, user, ip) => {
                let body = serde_json::json!({ "username": user, "password": ADA.1 });
                post_from(http, service, "/login", ip, Some(body), None).await
            }
            Self::Me(service, token) => call(http, service, "GET", "/me", token, None).await,
            Self::Refresh(service, token, ip) => {
                let body = serde_json::json!({ "refresh_token": token });
                post_from(http, service, "/refresh", ip, Some(body), None).await
            }
            Self::Logout(service, token, ip) => {
                post_from(http, service, "/logout", ip, None, Some(token)).await
            }
        }
    }
}

/// One client: its HTTP client, what it does with a 503, and what it saw.
pub struct Client {
    pub http: reqwest::Client,
    pub patience: Patience,
    pub tally: Tally,
}

/// An HTTP client with one idle connection per instance (trusting only `pem`, for HTTPS).
pub fn http_client(pem: Option<&str>) -> reqwest::Client {
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

impl Client {
    pub fn new(patience: Patience) -> Self {
        Self::with_http(patience, http_client(None))
    }

    pub fn with_http(patience: Patience, http: reqwest::Client) -> Self {
        Self {
            http,
            patience,
            tally: Tally::default(),
        }
    }

    /// Sends a request (again after each 503, as patience allows) until it is answered
    /// `expected`, or also `after_503` once a 503 was retried (a write that was applied
    /// before its 503); `None` if it never is.
    async fn ask(
        &mut self,
        what: &str,
        expected: u16,
        after_503: Option<u16>,
        request: Call<'_>,
    ) -> Option<Answer> {
        let mut retried = false;
        loop {
            let sent = Instant::now();
            let answer = request.send(&self.http).await;
            let answered = Instant::now();
            self.tally.seen.push(Seen {
                sent,
                answered,
                status: answer.status,
            });
            if answer.status == 503 {
                if answer.retry_after.is_none() {
                    self.tally
                        .unexpected(format!("{what}: 503 without Retry-After {}", answer.body));
                }
                if let Patience::Retry { every, until } = self.patience {
                    if answered < until {
                        retried = true;
                        tokio::time::sleep(every).await;
                        continue;
                    }
                    self.tally.given_up += 1;
                    return None;
                }
            }
            if answer.status == expected || (retried && Some(answer.status) == after_503) {
                return Some(answer);
            }
            self.tally
                .unexpected(format!("{what}: {} {}", answer.status, answer.body));
            return None;
        }
    }

    /// One session against `x` and `y` (see the module's docs).
    pub async fn session(&mut self, services: [&Service; 2], n: u64) -> Option<()> {
        let [x, y] = services;
        let (user, ip) = (format!("u{}", n % USERS), address(n));
        let pair = self
            .ask("login", 200, None, Call::Login(x, &user, &ip))
            .await?;
        let (access, first) = (pair.token("access_token"), pair.token("refresh_token"));
        for service in [y, x, y] {
            self.ask("me", 200, None, Call::Me(service, &access))
                .await?;
        }
        let rotated = self
            .ask("refresh", 200, None, Call::Refresh(y, &first, &ip))
            .await?;
        let (access2, refresh2) = (
            rotated.token("access_token"),
            rotated.token("refresh_token"),
        );
        self.ask("me", 200, None, Call::Me(x, &access2)).await?;
        if n % 4 == 0 {
            // A stolen, already used refresh token (two rotations back: past the grace
            // window of a retry): the family goes.
            let again = self
                .ask("refresh", 200, None, Call::Refresh(y, &refresh2, &ip))
                .await?;
            self.ask("reuse", 400, None, Call::Refresh(x, &first, &ip))
                .await?;
            self.tally.revoked_access.push(again.token("access_token"));
            self.tally
                .spent_refresh
                .push((again.token("refresh_token"), ip.clone()));
        } else {
            // A logout answered 503 may have been applied: its retry is then refused 401.
            self.ask("logout", 204, Some(401), Call::Logout(y, &access2, &ip))
                .await?;
        }
        self.tally.revoked_access.extend([access, access2]);
        self.tally
            .spent_refresh
            .extend([(first, ip.clone()), (refresh2, ip)]);
        Some(())
    }
}

/// `clients` clients running sessions against `a` and `b` until `deadline`, each with
/// `patience`; everything they saw.
pub async fn run(
    services: [&Arc<Service>; 2],
    clients: u64,
    deadline: Instant,
    patience: Patience,
) -> Tally {
    run_with(services, clients, deadline, patience, None).await
}

/// [`run`], over HTTPS trusting only `pem` when given.
pub async fn run_with(
    services: [&Arc<Service>; 2],
    clients: u64,
    deadline: Instant,
    patience: Patience,
    pem: Option<&str>,
) -> Tally {
    let mut workers = Vec::new();
    for worker in 0..clients {
        let (a, b) = (Arc::clone(services[0]), Arc::clone(services[1]));
        let http = http_client(pem);
        workers.push(tokio::spawn(async move {
            let mut client = Client::with_http(patience, http);
            let mut n = worker;
            while Instant::now() < deadline {
                let pair = if n % 2 == 0 { [&*a, &*b] } else { [&*b, &*a] };
                let _ = client.session(pair, n).await;
                n += clients;
            }
            client.tally
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        total.merge(worker.await.unwrap());
    }
    total
}

/// Replays every revoked access token and every spent refresh token of `tally` against
/// both instances in turn: how many were accepted, how many answered 5xx, and the first
/// few of those answers.
pub async fn replay(services: [&Service; 2], tally: &Tally) -> (u64, u64, Vec<String>) {
    replay_with(services, tally, &client()).await
}

/// [`replay`] with `http`. A spent refresh token must be refused 400 (a 429 would be the
/// throttle, not the rotation, refusing it): anything else is noted.
pub async fn replay_with(
    services: [&Service; 2],
    tally: &Tally,
    http: &reqwest::Client,
) -> (u64, u64, Vec<String>) {
    let http = http.clone();
    let (mut accepted, mut errors, mut seen) = (0u64, 0u64, Vec::new());
    let mut note = |what: &str, service: &Service, answer: &Answer| {
        let wrong = answer.status == 200
            || answer.status >= 500
            || (what == "spent refresh token" && answer.status != 400);
        accepted += u64::from(answer.status == 200);
        errors += u64::from(answer.status >= 500);
        if wrong && seen.len() < 10 {
            seen.push(format!(
                "{what} on {}: {} {}",
                service.base, answer.status, answer.body
            ));
        }
    };
    for (i, token) in tally.revoked_access.iter().enumerate() {
        let service = services[i % 2];
        let me = call(&http, service, "GET", "/me", token, None).await;
        note("revoked access token", service, &me);
    }
    for (i, (token, ip)) in tally.spent_refresh.iter().enumerate() {
        let service = services[(i + 1) % 2];
        let body = serde_json::json!({ "refresh_token": token });
        let again = post_from(&http, service, "/refresh", ip, Some(body), None).await;
        note("spent refresh token", service, &again);
    }
    (accepted, errors, seen)
}

/// One line of figures.
pub fn summary(tally: &Tally, elapsed: Duration) -> String {
    let count = tally.seen.len();
    let (errors, unavailable) = tally.server_errors();
    format!(
        "{count} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; 5xx {errors} \
         (503: {unavailable}); unexpected {}; sessions given up {}",
        count as f64 / elapsed.as_secs_f64(),
        tally.latency(0.50).as_secs_f64() * 1e3,
        tally.latency(0.99).as_secs_f64() * 1e3,
        tally.latency(1.0).as_secs_f64() * 1e3,
        tally.unexpected_count,
        tally.given_up,
    )
}

/// A number from the environment, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
