//! A mock identity provider on a real socket (127.0.0.1, ephemeral port): OpenID Connect
//! discovery and a JWK Set, which a test can rotate, take down, slow down or make lie, while
//! counting what it is asked.
//!
//! It speaks plain HTTP/1.1 with hyper, so the guard under test reaches it through its real
//! HTTP client (`allow_http_loopback`). The keys are ES256 keys generated at start and on each
//! rotation (no RSA key generation: it is slow in debug builds).
//!
//! What it serves:
//! - `GET /.well-known/openid-configuration`: `issuer` (this server's base URL), `jwks_uri`,
//!   `id_token_signing_alg_values_supported: ["ES256"]`;
//! - `GET /jwks`: the current JWK Set, with `ETag` (one per published set) and
//!   `Cache-Control` (settable); `If-None-Match` with the current tag gets `304`;
//! - anything else: `404`.
//!
//! What a test can do: [`Idp::rotate`] (swap the set for one new key), [`Idp::add_key`]
//! (publish a new key beside the old ones and sign with it), [`Idp::down`] and [`Idp::up`]
//! (close the listener and every open connection, so connections are refused; listen again on
//! the same port), [`Idp::set_delay`] (hold every answer), [`Idp::set_behavior`] (answer the
//! JWK Set with garbage, a 5 MB body, or `500`), and read the counts ([`Idp::jwks_requests`]
//! and friends).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jws::Header;
use jose_ring::{SigningKey, jwa, jwt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Path of the discovery document.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// Path of the JWK Set.
pub const JWKS_PATH: &str = "/jwks";
/// Size of the [`Behavior::Huge`] and [`Behavior::HugeChunked`] bodies: 5 MB.
pub const HUGE_LEN: usize = 5 * 1024 * 1024;

/// How the JWK Set is answered (the discovery document is always answered normally, subject to
/// [`Idp::down`] and [`Idp::set_delay`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    /// The current JWK Set, `200`, with `ETag` and `Cache-Control`; `304` on a matching
    /// `If-None-Match`.
    Normal,
    /// `200` with a body that is not JSON.
    Garbage,
    /// `200` with a 5 MB body (a JSON-looking prefix, then spaces), `Content-Length` set.
    Huge,
    /// The same 5 MB body in 64 KiB chunks, no `Content-Length`.
    HugeChunked,
    /// `500 Internal Server Error`.
    ServerError,
}

/// The mock identity provider. Dropping it stops the server.
pub struct Idp {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::sync::Mutex<Option<Server>>,
}

struct Server {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

struct Shared {
    base: String,
    keys: Mutex<Keys>,
    behavior: Mutex<Behavior>,
    cache_control: Mutex<Option<String>>,
    delay_ms: AtomicU64,
    next_kid: AtomicUsize,
    discovery: AtomicUsize,
    jwks: AtomicUsize,
    jwks_not_modified: AtomicUsize,
    other: AtomicUsize,
}

struct Keys {
    /// Published keys; the last one signs.
    published: Vec<SigningKey>,
    /// Bumped on each change of the set: the `ETag` is `"v<generation>"`.
    generation: u64,
    jwks: String,
}

impl Idp {
    /// Starts a provider listening on 127.0.0.1 (ephemeral port) with one ES256 key, `k1`.
    pub async fn start() -> Self {
        let idp = Self::start_down().await;
        idp.up().await;
        idp
    }

    /// A provider whose port is chosen but which is not listening yet: connections to it are
    /// refused until [`up`](Self::up). For "the provider is down when the app starts".
    pub async fn start_down() -> Self {
        // Reserve a port: bind, read it, close. Nothing else binds ephemeral ports on
        // 127.0.0.1 in the short gap before `up` binds it again (SO_REUSEADDR is set by tokio).
        let probe = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = probe.local_addr().unwrap();
        drop(probe);
        let base = format!("http://{addr}");
        let shared = Arc::new(Shared {
            base,
            keys: Mutex::new(Keys {
                published: Vec::new(),
                generation: 0,
                jwks: String::new(),
            }),
            behavior: Mutex::new(Behavior::Normal),
            cache_control: Mutex::new(Some("public, max-age=300".to_owned())),
            delay_ms: AtomicU64::new(0),
            next_kid: AtomicUsize::new(1),
            discovery: AtomicUsize::new(0),
            jwks: AtomicUsize::new(0),
            jwks_not_modified: AtomicUsize::new(0),
            other: AtomicUsize::new(0),
        });
        let idp = Self {
            shared,
            addr,
            server: tokio::sync::Mutex::new(None),
        };
        idp.rotate();
        idp
    }

    /// Listens (again) on the provider's port. Does nothing if it is already listening.
    pub async fn up(&self) {
        let mut server = self.server.lock().await;
        if server.is_some() {
            return;
        }
        let mut listener = None;
        for _ in 0..50 {
            match TcpListener::bind(self.addr).await {
                Ok(bound) => {
                    listener = Some(bound);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        let listener = listener.expect("the provider's port is free again within 1 s");
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::clone(&self.shared);
        let task = tokio::spawn(accept_loop(listener, shared, stopped));
        *server = Some(Server { stop, task });
    }

    /// Takes the provider down: the listener is closed and every open connection is dropped,
    /// so that new connections are refused and pooled ones fail. Returns once the port is
    /// closed.
    pub async fn down(&self) {
        let server = self.server.lock().await.take();
        if let Some(server) = server {
            let _ = server.stop.send(true);
            let _ = server.task.await;
        }
    }

    /// The issuer identifier, which is also the base URL: `http://127.0.0.1:<port>`.
    pub fn issuer(&self) -> String {
        self.shared.base.clone()
    }

    /// The JWK Set's URL.
    pub fn jwks_uri(&self) -> String {
        format!("{}{JWKS_PATH}", self.shared.base)
    }

    /// The discovery document's URL.
    pub fn discovery_uri(&self) -> String {
        format!("{}{DISCOVERY_PATH}", self.shared.base)
    }

    /// Holds every answer (discovery, JWK Set, 404) this long before sending it.
    pub fn set_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// How the JWK Set is answered from now on.
    pub fn set_behavior(&self, behavior: Behavior) {
        *lock(&self.shared.behavior) = behavior;
    }

    /// The `Cache-Control` of JWK Set answers (`None`: no such header). Default
    /// `public, max-age=300`.
    pub fn set_cache_control(&self, value: Option<&str>) {
        *lock(&self.shared.cache_control) = value.map(str::to_owned);
    }

    /// Replaces the published set with one new ES256 key (kid `k<n>`), which signs from now on.
    /// Returns its kid.
    pub fn rotate(&self) -> String {
        let key = self.new_key();
        let kid = key.kid().unwrap_or_default().to_owned();
        let mut keys = lock(&self.shared.keys);
        keys.published.clear();
        keys.published.push(key);
        keys.republish();
        kid
    }

    /// Publishes a new ES256 key beside the current ones; it signs from now on. Returns its kid.
    pub fn add_key(&self) -> String {
        let key = self.new_key();
        let kid = key.kid().unwrap_or_default().to_owned();
        let mut keys = lock(&self.shared.keys);
        keys.published.push(key);
        keys.republish();
        kid
    }

    /// A fresh ES256 key that the provider does not publish (for "signed by someone else"),
    /// with the kid given.
    pub fn unpublished_key(kid: &str) -> SigningKey {
        SigningKey::generate(&jwa::ES256).unwrap().with_kid(kid)
    }

    /// The kid of the key that signs now.
    pub fn kid(&self) -> String {
        let keys = lock(&self.shared.keys);
        keys.signer().kid().unwrap_or_default().to_owned()
    }

    /// The JWK Set served now.
    pub fn jwks_json(&self) -> String {
        lock(&self.shared.keys).jwks.clone()
    }

    /// Signs `claims` with the current key: header `{"alg":"ES256","typ":"at+jwt","kid":…}`
    /// (RFC 9068).
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_typ(claims, Some("at+jwt"))
    }

    /// Signs `claims` with the current key and this `typ` (`None`: no `typ` member).
    pub fn sign_typ(&self, claims: &Value, typ: Option<&str>) -> String {
        let keys = lock(&self.shared.keys);
        let key = keys.signer();
        let mut header = Header::new().with_kid(key.kid().unwrap_or_default());
        if let Some(typ) = typ {
            header = header.with_typ(typ);
        }
        jwt::encode_with_header(claims, &header, key).unwrap()
    }

    /// Discovery document requests received.
    pub fn discovery_requests(&self) -> usize {
        self.shared.discovery.load(Ordering::SeqCst)
    }

    /// JWK Set requests received (whatever the answer, `304` included).
    pub fn jwks_requests(&self) -> usize {
        self.shared.jwks.load(Ordering::SeqCst)
    }

    /// JWK Set requests answered `304 Not Modified`.
    pub fn jwks_not_modified(&self) -> usize {
        self.shared.jwks_not_modified.load(Ordering::SeqCst)
    }

    /// Requests for any other path.
    pub fn other_requests(&self) -> usize {
        self.shared.other.load(Ordering::SeqCst)
    }

    /// Waits until the JWK Set has been requested at least `n` times, for at most `within`.
    /// Returns whether it was.
    pub async fn wait_for_jwks_requests(&self, n: usize, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while self.jwks_requests() < n {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    fn new_key(&self) -> SigningKey {
        let n = self.shared.next_kid.fetch_add(1, Ordering::SeqCst);
        SigningKey::generate(&jwa::ES256)
            .unwrap()
            .with_kid(format!("k{n}"))
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        if let Ok(mut server) = self.server.try_lock() {
            if let Some(server) = server.take() {
                let _ = server.stop.send(true);
                server.task.abort();
            }
        }
    }
}

impl Keys {
    fn signer(&self) -> &SigningKey {
        self.published.last().expect("a provider always has a key")
    }

    fn republish(&mut self) {
        let mut set = JwkSet::new();
        for key in &self.published {
            set.push(Jwk::from_verifying_key(&key.verifying_key()));
        }
        self.jwks = set.to_json().unwrap();
        self.generation += 1;
    }

    fn etag(&self) -> String {
        format!("\"v{}\"", self.generation)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        answer(Arc::clone(&shared), request)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Dropping the set aborts every connection task, which closes its socket.
    connections.shutdown().await;
}

type Body = BoxBody<Bytes, Infallible>;

fn full(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).boxed());
    *response.status_mut() = status;
    response
}

async fn answer(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_owned();
    match path.as_str() {
        DISCOVERY_PATH => shared.discovery.fetch_add(1, Ordering::SeqCst),
        JWKS_PATH => shared.jwks.fetch_add(1, Ordering::SeqCst),
        _ => shared.other.fetch_add(1, Ordering::SeqCst),
    };
    let delay = shared.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let response = match path.as_str() {
        DISCOVERY_PATH => {
            let document = json!({
                "issuer": shared.base,
                "jwks_uri": format!("{}{JWKS_PATH}", shared.base),
                "id_token_signing_alg_values_supported": ["ES256"],
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
            });
            let mut response = full(StatusCode::OK, document.to_string());
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        JWKS_PATH => jwks_answer(&shared, &request),
        _ => full(StatusCode::NOT_FOUND, "not found"),
    };
    Ok(response)
}

fn jwks_answer(shared: &Shared, request: &Request<Incoming>) -> Response<Body> {
    let behavior = *lock(&shared.behavior);
    match behavior {
        Behavior::Normal => {}
        Behavior::Garbage => return full(StatusCode::OK, "<html>this is not a key set{{"),
        Behavior::ServerError => return full(StatusCode::INTERNAL_SERVER_ERROR, "oops"),
        Behavior::Huge => return full(StatusCode::OK, huge_body()),
        Behavior::HugeChunked => {
            let chunks = huge_body()
                .chunks(64 * 1024)
                .map(|chunk| Frame::data(Bytes::copy_from_slice(chunk)))
                .collect();
            return Response::new(ChunkBody { chunks }.boxed());
        }
    }
    let (etag, jwks) = {
        let keys = lock(&shared.keys);
        (keys.etag(), keys.jwks.clone())
    };
    let matches = request
        .headers()
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    let mut response = if matches {
        shared.jwks_not_modified.fetch_add(1, Ordering::SeqCst);
        full(StatusCode::NOT_MODIFIED, Bytes::new())
    } else {
        let mut response = full(StatusCode::OK, jwks);
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/jwk-set+json"),
        );
        response
    };
    response
        .headers_mut()
        .insert(ETAG, HeaderValue::from_str(&etag).unwrap());
    if let Some(value) = lock(&shared.cache_control).as_deref() {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_str(value).unwrap());
    }
    response
}

/// `{"keys":[` then spaces up to [`HUGE_LEN`]: a body a client must stop reading.
fn huge_body() -> Vec<u8> {
    let mut body = b"{\"keys\":[".to_vec();
    body.resize(HUGE_LEN, b' ');
    body
}

/// A body sent frame by frame, hence chunked (no `Content-Length`).
struct ChunkBody {
    chunks: std::collections::VecDeque<Frame<Bytes>>,
}

impl hyper::body::Body for ChunkBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.chunks.pop_front().map(Ok))
    }
}
