//! Real parts for the tests: the built `jose-service` binary started as a process on an
//! ephemeral loopback port, a `redis-server` of the test's own, and an HTTP client.
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
    reason = "test harness: a panic is a failed test, and it prints its figures"
)]
#![allow(dead_code, reason = "each test file uses part of the harness")]

pub mod grace;
pub mod load;
pub mod oauth;
pub mod sentinel;

#[path = "../../../ci/test-support/build_example.rs"]
mod build_example;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jose_ring::jwt::NumericDate;
use jose_ring::{SigningKey, dpop};
use serde_json::Value;

/// The origin both instances are reached at (as behind one TLS-terminating load balancer):
/// `iss`, and the `htu` of DPoP proofs (the guard takes an `https` public origin, or `http`
/// on a loopback host only).
pub const ORIGIN: &str = "https://jose-service.test";
pub const ADA: (&str, &str) = ("ada", "correct horse battery staple");
pub const BOB: (&str, &str) = ("bob", "hunter2 hunter2");

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system's temporary one.
pub fn temp_dir(name: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("jose-service-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether `redis-server` is on PATH. Under CI (`CI=true`) a missing one fails the test;
/// elsewhere the test is skipped with a loud message.
pub fn redis_server_present() -> bool {
    if Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "redis-server is not on PATH: .ci/run installs it (apt-get install redis-server)"
    );
    eprintln!(
        "\n!!!!!!!! SKIPPED: redis-server is not on PATH; install it (apt-get install \
         redis-server) to run the Redis tests !!!!!!!!\n"
    );
    false
}

/// A `redis-server` of the test's own on an ephemeral loopback port, no persistence.
pub struct Redis {
    port: u16,
    child: Option<Child>,
}

impl Redis {
    /// Starts one, or `None` (with a loud message) if `redis-server` is not on PATH. Under
    /// CI (`CI=true`) a missing `redis-server` fails the test instead.
    pub fn start() -> Option<Self> {
        if !redis_server_present() {
            return None;
        }
        let mut redis = Self {
            port: free_port(),
            child: None,
        };
        redis.resume();
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection of the test's own (not the service's), for `CLIENT PAUSE` and for
    /// looking at what the service wrote.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    /// Stops the server (SIGKILL: as a crash or a partition looks to the service).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (empty: no persistence).
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server process (`jose-service`, or an example such as `resource-api`) whose first stdout
/// line is `listening on <base>`, killed when dropped.
pub struct Service {
    pub base: String,
    child: Child,
    pub log: PathBuf,
}

impl Service {
    /// Starts the binary with the test users (1,000 PBKDF2 iterations, to keep tests fast)
    /// unless `extra` names other `--users`, the shared `key_dir`, `--port 0`, and `extra`
    /// flags; waits for its `listening on` line.
    pub fn start(key_dir: &Path, redis: Option<&Redis>, extra: &[&str]) -> Self {
        Self::start_at(
            &["--port", "0", "--issuer", ORIGIN, "--public-origin", ORIGIN],
            key_dir,
            redis,
            extra,
        )
    }

    /// [`start`](Self::start) with `at` instead of `--port 0 --issuer ORIGIN --public-origin
    /// ORIGIN` (a service reached at its own loopback address, whose issuer URL is fetchable).
    pub fn start_at(at: &[&str], key_dir: &Path, redis: Option<&Redis>, extra: &[&str]) -> Self {
        Self::start_with(at, key_dir, redis.map(Redis::url).as_deref(), extra)
    }

    /// [`start`](Self::start) with `REDIS_URL` set to `redis_url` (a Sentinel URL too).
    pub fn start_url(key_dir: &Path, redis_url: Option<&str>, extra: &[&str]) -> Self {
        Self::start_with(
            &["--port", "0", "--issuer", ORIGIN, "--public-origin", ORIGIN],
            key_dir,
            redis_url,
            extra,
        )
    }

    fn start_with(at: &[&str], key_dir: &Path, redis_url: Option<&str>, extra: &[&str]) -> Self {
        let users = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/users.json");
        let log = key_dir.join(format!(
            "service-{}.log",
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut command = Command::new(env!("CARGO_BIN_EXE_jose-service"));
        command.args(at);
        if !extra.contains(&"--users") {
            command.arg("--users").arg(&users);
        }
        command
            .arg("--key-dir")
            .arg(key_dir)
            .args(extra)
            .env_remove("REDIS_URL");
        if let Some(url) = redis_url {
            command.env("REDIS_URL", url);
        }
        Self::spawn(command, log)
    }

    /// Starts `command` (its standard error to `log`, without `RUST_LOG`) and waits for its
    /// `listening on` line.
    pub fn spawn(mut command: Command, log: PathBuf) -> Self {
        command
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; log: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_owned();
        Self { base, child, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the service logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A status, the JSON body (Null when empty or not JSON), and the headers tests look at.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub www_authenticate: Option<String>,
    pub retry_after: Option<String>,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// A response header, as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn token(&self, name: &str) -> String {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            .to_owned()
    }

    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    /// The `error_description` of a token-endpoint error (RFC 6749 §5.2).
    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or("")
    }

    /// Status, `error` and `error_description`, for one assertion.
    pub fn refusal(&self) -> (u16, &str, &str) {
        (self.status, self.error(), self.description())
    }
}

/// The `error_description` of each refusal of `/refresh`, as the service writes them.
pub const REUSED: &str = "refresh token already used: its family is revoked";
pub const FAMILY_REVOKED: &str = "refresh token revoked";
pub const INVALID: &str = "refresh token invalid";

/// The answer of `response`.
pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let www_authenticate = header("www-authenticate");
    let retry_after = header("retry-after");
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    Answer {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        www_authenticate,
        retry_after,
        headers,
    }
}

/// A DPoP proof for `method` `path` at [`ORIGIN`], for `token` if given.
pub fn proof(key: &SigningKey, method: &str, path: &str, token: Option<&str>) -> String {
    let htu = format!("{ORIGIN}{path}");
    let mut builder = dpop::ProofBuilder::new(key, method, &htu).with_iat(NumericDate::now());
    if let Some(token) = token {
        builder = builder.with_access_token(token);
    }
    builder.build().unwrap()
}

pub async fn login(
    http: &reqwest::Client,
    service: &Service,
    user: (&str, &str),
    key: Option<&SigningKey>,
) -> Answer {
    let mut request = http
        .post(service.url("/login"))
        .json(&serde_json::json!({ "username": user.0, "password": user.1 }));
    if let Some(key) = key {
        request = request.header("DPoP", proof(key, "POST", "/login", None));
    }
    answer(request.send().await.unwrap()).await
}

pub async fn refresh(
    http: &reqwest::Client,
    service: &Service,
    token: &str,
    key: Option<&SigningKey>,
) -> Answer {
    refresh_with(
        http,
        service,
        serde_json::json!({ "refresh_token": token }),
        key,
    )
    .await
}

/// `POST /refresh` with `body`.
pub async fn refresh_with(
    http: &reqwest::Client,
    service: &Service,
    body: Value,
    key: Option<&SigningKey>,
) -> Answer {
    let mut request = http.post(service.url("/refresh")).json(&body);
    if let Some(key) = key {
        request = request.header("DPoP", proof(key, "POST", "/refresh", None));
    }
    answer(request.send().await.unwrap()).await
}

/// `method path` with `Authorization: Bearer` (or `DPoP` with a fresh proof when `key` is given).
pub async fn call(
    http: &reqwest::Client,
    service: &Service,
    method: &str,
    path: &str,
    token: &str,
    key: Option<&SigningKey>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = http.request(method.clone(), service.url(path));
    request = match key {
        Some(key) => request
            .header("Authorization", format!("DPoP {token}"))
            .header("DPoP", proof(key, method.as_str(), path, Some(token))),
        None => request.header("Authorization", format!("Bearer {token}")),
    };
    answer(request.send().await.unwrap()).await
}

/// The payload of a token (no verification: the test's own tokens).
pub fn claims(token: &str) -> Value {
    let peek = jose_ring::dangerous::peek(token).unwrap();
    peek.claims::<Value>().unwrap()
}

/// `call` with a given proof.
pub async fn call_with_proof(
    http: &reqwest::Client,
    service: &Service,
    path: &str,
    token: &str,
    proof: &str,
) -> Answer {
    let request = http
        .get(service.url(path))
        .header("Authorization", format!("DPoP {token}"))
        .header("DPoP", proof);
    answer(request.send().await.unwrap()).await
}

/// An example of this package, built once per test binary with cargo (the workspace's one
/// way: `ci/test-support/build_example.rs`), and its executable.
pub fn example(name: &'static str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(&'static str, PathBuf)>> =
        std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap();
    if let Some((_, path)) = built.iter().find(|(n, _)| *n == name) {
        return path.clone();
    }
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let path = build_example::build_example(workspace, "jose-ring-service", name, &[]);
    built.push((name, path.clone()));
    path
}
