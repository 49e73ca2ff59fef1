//! A small, bounded HTTP/1.1 load generator: N keep-alive connections for T seconds, each
//! sending one request after the other, and the requests per second, the p50/p99 latencies
//! and the error count at the end.
//!
//! Against any URL:
//!
//! ```text
//! cargo run --release -p jose-ring-axum --example loadgen -- \
//!     --url http://127.0.0.1:3000/hello --header "Authorization: Bearer $TOKEN" \
//!     --connections 64 --duration 10
//! ```
//!
//! Or `--compare`: the same axum app, started here on 127.0.0.1 (ephemeral ports), without
//! the guard, and with it for HS256 and for ES256 tokens, one after the other; a table at the
//! end; exit status 1 if any request failed or got another status than 200:
//!
//! ```text
//! cargo run --release -p jose-ring-axum --example loadgen -- --compare --connections 64 --duration 10
//! ```
//!
//! The client is hyper's HTTP/1.1 connection API, one task per connection: exactly N
//! connections are opened and kept (a pooled client such as reqwest decides itself how many
//! connections it opens), and nothing sits between the loop and the socket. The server runs
//! on its own tokio runtime (`--server-threads`, default 1) and the client on another
//! (`--client-threads`, default 1), so that neither steals the other's workers.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line program: its output is its result"
)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::header::{HOST, HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What one run measured.
#[derive(Debug)]
struct Report {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    /// Latencies of the successful requests, in microseconds, sorted.
    latencies_us: Vec<u32>,
}

impl Report {
    fn per_second(&self) -> f64 {
        // reason: u64 counts of requests in a 10 s run are far below 2^52.
        #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let requests = self.requests as f64;
        requests / self.elapsed.as_secs_f64()
    }

    /// The latency at `per_mille` (500: median) in microseconds; 0 without samples.
    fn percentile(&self, per_mille: usize) -> u32 {
        let n = self.latencies_us.len();
        if n == 0 {
            return 0;
        }
        let rank = n.saturating_mul(per_mille).div_ceil(1000).saturating_sub(1);
        self.latencies_us
            .get(rank.min(n.saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    }
}

/// The options of one run.
#[derive(Clone, Debug)]
struct Target {
    addr: SocketAddr,
    authority: String,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Target {
    /// Parses `http://host:port/path` (plain HTTP, IP address hosts only: this is a loopback
    /// tool).
    fn parse(url: &str, headers: Vec<(HeaderName, HeaderValue)>) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or("--url must start with http://")?;
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, "/"),
        };
        let addr: SocketAddr = authority
            .parse()
            .map_err(|_| format!("--url needs an IP address and a port, not {authority:?}"))?;
        Ok(Self {
            addr,
            authority: authority.to_owned(),
            path: path.to_owned(),
            headers,
        })
    }

    fn request(&self) -> Result<Request<Empty<Bytes>>, String> {
        let mut request = Request::get(self.path.as_str())
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let headers = request.headers_mut();
        headers.insert(
            HOST,
            HeaderValue::from_str(&self.authority).map_err(|e| e.to_string())?,
        );
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        Ok(request)
    }
}

/// Runs `connections` keep-alive connections against `target` for `duration`.
async fn run(target: &Target, connections: usize, duration: Duration) -> Report {
    let start = Instant::now();
    let deadline = start.checked_add(duration).unwrap_or(start);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let target = target.clone();
        tasks.spawn(async move { connection(&target, deadline).await });
    }
    let mut report = Report {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((ok, errors, latencies)) => {
                report.requests = report.requests.saturating_add(ok).saturating_add(errors);
                report.errors = report.errors.saturating_add(errors);
                report.latencies_us.extend(latencies);
            }
            Err(_) => report.errors = report.errors.saturating_add(1),
        }
    }
    report.elapsed = start.elapsed();
    report.latencies_us.sort_unstable();
    report
}

/// One connection's loop: (successes, errors, latencies of the successes). A broken
/// connection counts one error and is opened again.
async fn connection(target: &Target, deadline: Instant) -> (u64, u64, Vec<u32>) {
    let mut ok = 0u64;
    let mut errors = 0u64;
    let mut latencies = Vec::with_capacity(65_536);
    'connect: while Instant::now() < deadline {
        let Ok(stream) = TcpStream::connect(target.addr).await else {
            errors = errors.saturating_add(1);
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok((mut sender, conn)) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
        else {
            errors = errors.saturating_add(1);
            continue;
        };
        let driver = tokio::spawn(conn);
        while Instant::now() < deadline {
            let Ok(request) = target.request() else {
                errors = errors.saturating_add(1);
                break 'connect;
            };
            let sent = Instant::now();
            let outcome = async {
                sender.ready().await.map_err(|_| ())?;
                let response = sender.send_request(request).await.map_err(|_| ())?;
                let status = response.status();
                response.into_body().collect().await.map_err(|_| ())?;
                Ok::<_, ()>(status)
            }
            .await;
            match outcome {
                Ok(status) if status == hyper::StatusCode::OK => {
                    ok = ok.saturating_add(1);
                    let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
                    latencies.push(micros);
                }
                Ok(_) => errors = errors.saturating_add(1),
                Err(()) => {
                    errors = errors.saturating_add(1);
                    driver.abort();
                    continue 'connect;
                }
            }
        }
        driver.abort();
    }
    (ok, errors, latencies)
}

fn print_report(name: &str, report: &Report) {
    println!(
        "{name:<28} {:>10.0} req/s   p50 {:>6} us   p99 {:>6} us   {:>8} requests   {} errors",
        report.per_second(),
        report.percentile(500),
        report.percentile(990),
        report.requests,
        report.errors,
    );
}

/// The app: `GET /hello` answers `hello`, behind `layer` when there is one.
mod apps {
    use super::{Router, get};
    use jose_ring::jwt::{NumericDate, RegisteredClaims, Validation};
    use jose_ring::{HmacKey, SigningKey, jwa, jwk::KeyRing, jwt};
    use jose_ring_axum::{Guard, TypRule};

    pub(super) const ISSUER: &str = "https://issuer.example";
    pub(super) const AUDIENCE: &str = "loadgen";

    pub(super) fn plain() -> Router {
        Router::new().route("/hello", get(|| async { "hello" }))
    }

    /// The rules; the tokens are `jwt::encode`'s (`typ` `JWT`), as the figures measured
    /// before RFC 9068 typing became the guard's default, hence `TypRule::FromValidation`.
    fn validation() -> Validation {
        Validation::from_clock(std::sync::Arc::new(jwt::SystemClock))
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE)
    }

    fn claims() -> RegisteredClaims {
        RegisteredClaims::new()
            .with_issuer(ISSUER)
            .with_subject("loadgen")
            .with_audience(AUDIENCE)
            .with_lifetime(NumericDate::now(), 3600)
    }

    /// The app behind a guard with an HS256 key, and a token for it.
    pub(super) fn hs256() -> Result<(Router, String), String> {
        let key = HmacKey::new(&jwa::HS256, &[7; 32])
            .map_err(|e| e.to_string())?
            .with_kid("hs");
        let token = jwt::encode(&claims(), &key).map_err(|e| e.to_string())?;
        let guard = Guard::from_hmac_key_ring(KeyRing::new_hmac().with_hmac_key(key))
            .validation(validation())
            .typ(TypRule::FromValidation)
            .build()
            .map_err(|e| e.to_string())?;
        Ok((plain().layer(guard.layer()), token))
    }

    /// The app behind a guard with an ES256 key, and a token for it.
    pub(super) fn es256() -> Result<(Router, String), String> {
        let key = SigningKey::generate(&jwa::ES256)
            .map_err(|e| e.to_string())?
            .with_kid("es");
        let token = jwt::encode(&claims(), &key).map_err(|e| e.to_string())?;
        let guard = Guard::from_key_ring(KeyRing::new().with_verifying_key(key.verifying_key()))
            .validation(validation())
            .typ(TypRule::FromValidation)
            .build()
            .map_err(|e| e.to_string())?;
        Ok((plain().layer(guard.layer()), token))
    }
}

/// Serves `app` on 127.0.0.1 (ephemeral port) on a runtime of its own; returns the address.
fn serve(app: Router, threads: usize) -> Result<SocketAddr, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("loadgen-server")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let _ = axum::serve(listener, app).await;
        });
    });
    Ok(addr)
}

struct Options {
    url: Option<String>,
    headers: Vec<(HeaderName, HeaderValue)>,
    connections: usize,
    duration: Duration,
    compare: bool,
    server_threads: usize,
    client_threads: usize,
}

const USAGE: &str = "usage: loadgen (--url http://IP:PORT/PATH [--header 'Name: value']... | --compare) \
[--connections N (64)] [--duration SECONDS (10)] [--server-threads N (1)] [--client-threads N (1)]";

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        url: None,
        headers: Vec::new(),
        connections: 64,
        duration: Duration::from_secs(10),
        compare: false,
        server_threads: 1,
        client_threads: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--url" => options.url = Some(value()?),
            "--header" => {
                let line = value()?;
                let (name, value) = line.split_once(':').ok_or("--header needs 'Name: value'")?;
                let name = HeaderName::try_from(name.trim()).map_err(|e| e.to_string())?;
                let value = HeaderValue::try_from(value.trim()).map_err(|e| e.to_string())?;
                options.headers.push((name, value));
            }
            "--connections" => options.connections = number(&value()?, 1, 4096)?,
            "--duration" => {
                options.duration = Duration::from_secs(
                    number(&value()?, 1, 600)?
                        .try_into()
                        .map_err(|_| "duration")?,
                )
            }
            "--server-threads" => options.server_threads = number(&value()?, 1, 64)?,
            "--client-threads" => options.client_threads = number(&value()?, 1, 64)?,
            "--compare" => options.compare = true,
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if options.compare == options.url.is_some() {
        return Err(USAGE.to_owned());
    }
    Ok(options)
}

fn number(text: &str, min: usize, max: usize) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{text:?}: expected a number from {min} to {max}")),
    }
}

fn main() -> ExitCode {
    match main_inner() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("loadgen: {message}");
            ExitCode::from(2)
        }
    }
}

/// Ok(false) when a request failed.
fn main_inner() -> Result<bool, String> {
    let options = parse_args()?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.client_threads)
        .thread_name("loadgen-client")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut runs: Vec<(String, Target)> = Vec::new();
    if let Some(url) = &options.url {
        runs.push((url.clone(), Target::parse(url, options.headers.clone())?));
    } else {
        let (hs256, hs_token) = apps::hs256()?;
        let (es256, es_token) = apps::es256()?;
        let bearer = |token: &str| -> Result<Vec<(HeaderName, HeaderValue)>, String> {
            let value =
                HeaderValue::try_from(format!("Bearer {token}")).map_err(|e| e.to_string())?;
            Ok(vec![(hyper::header::AUTHORIZATION, value)])
        };
        let apps = [
            ("without the layer", apps::plain(), Vec::new()),
            ("layer, HS256 token", hs256, bearer(&hs_token)?),
            ("layer, ES256 token", es256, bearer(&es_token)?),
        ];
        for (name, app, headers) in apps {
            let addr = serve(app, options.server_threads)?;
            let url = format!("http://{addr}/hello");
            runs.push((name.to_owned(), Target::parse(&url, headers)?));
        }
    }
    println!(
        "{} connections, {} s each, server threads {}, client threads {}",
        options.connections,
        options.duration.as_secs(),
        options.server_threads,
        options.client_threads
    );
    let mut clean = true;
    for (name, target) in &runs {
        // A short warm-up (connections, caches), not counted.
        client.block_on(run(target, options.connections, Duration::from_millis(300)));
        let report = client.block_on(run(target, options.connections, options.duration));
        print_report(name, &report);
        if report.errors > 0 || report.requests == 0 {
            clean = false;
        }
    }
    Ok(clean)
}
