//! The protected axum app on a real socket (127.0.0.1, ephemeral port) and a real HTTP client
//! (reqwest, plain HTTP, no connection reuse surprises: one client per test).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use jose_ring_axum::{Auth, Claims, Guard};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// A listening socket for the app, before the app exists: its URL is known, so that the
/// guard can be told its origin (the DPoP `htu`) and its resource identifier.
pub struct Bound {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
}

impl Bound {
    /// Binds 127.0.0.1, ephemeral port.
    pub async fn new() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        Self { listener, addr }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `router`.
    pub fn serve(self, router: Router) -> App {
        let listener = self.listener;
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        App {
            addr: self.addr,
            task,
        }
    }

    /// Serves the protected app of the tests ([`routes`]) behind `guard`.
    pub fn protect(self, guard: &Guard) -> App {
        self.serve(routes(guard))
    }
}

/// A running app. Dropping it stops the server.
pub struct App {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl App {
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The routes, all behind `guard.layer()`:
/// - `GET`/`POST /hello`: any valid token; answers `hello <sub>` (the `Claims` extractor);
/// - `GET /whoami`: the `Auth` extractor's values as JSON;
/// - `GET /admin`: needs scope `admin` (`guard.require_scope`);
/// - `GET /staff`: needs role `staff` (`guard.require_role`).
pub fn routes(guard: &Guard) -> Router {
    Router::new()
        .route("/hello", get(hello).post(hello))
        .route("/whoami", get(whoami))
        .route(
            "/admin",
            get(|| async { "admin" }).layer(guard.require_scope("admin")),
        )
        .route(
            "/staff",
            get(|| async { "staff" }).layer(guard.require_role("staff")),
        )
        .layer(guard.layer())
}

async fn hello(Claims(claims): Claims<Value>) -> String {
    format!("hello {}", claims["sub"].as_str().unwrap_or("?"))
}

async fn whoami(auth: Auth) -> axum::Json<Value> {
    axum::Json(json!({
        "kid": auth.kid(),
        "issuer": auth.issuer(),
        "subject": auth.subject(),
        "jkt": auth.jkt(),
        "jti": auth.jti(),
        "exp": auth.expires_at().map(|exp| exp.as_seconds()),
        "alg": auth.algorithm().map(|alg| alg.name()),
    }))
}

/// A plain-HTTP client with a 10 s overall timeout.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    pub elapsed: Duration,
}

impl Answer {
    /// Every `WWW-Authenticate` field value, in order.
    pub fn challenges(&self) -> Vec<String> {
        self.headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The challenge of `scheme` (`Bearer` or `DPoP`), which must be there exactly once.
    pub fn challenge(&self, scheme: &str) -> String {
        let found: Vec<String> = self
            .challenges()
            .into_iter()
            .filter(|c| {
                c.split_once(' ')
                    .map_or(c.as_str(), |(s, _)| s)
                    .eq_ignore_ascii_case(scheme)
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one {scheme} challenge in {:?}",
            self.challenges()
        );
        found.into_iter().next().unwrap()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts that no header and not the body contains any of `secrets` (a token, a segment
    /// of it, a claim value).
    pub fn assert_leaks_none(&self, secrets: &[&str]) {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            assert!(
                !self.body.contains(secret),
                "the body {:?} contains {secret:?}",
                self.body
            );
            for (name, value) in &self.headers {
                let value = String::from_utf8_lossy(value.as_bytes());
                assert!(
                    !value.contains(secret),
                    "header {name}: {value:?} contains {secret:?}"
                );
            }
        }
    }

    /// Asserts no leak of `token`: the whole token, each of its segments, and its claims'
    /// string values (`sub`, `jti`, ...).
    pub fn assert_leaks_nothing_of(&self, token: &str) {
        let mut secrets: Vec<String> = vec![token.to_owned()];
        secrets.extend(token.split('.').filter(|s| s.len() > 8).map(str::to_owned));
        if let Ok(peeked) = jose_ring::dangerous::peek(token) {
            if let Ok(claims) = peeked.claims::<Value>() {
                for (name, value) in claims.as_object().into_iter().flatten() {
                    // `iss` and `aud` are configuration, not secrets; `scope` names are what a
                    // 403 must name, `acr` values what a step-up 401 names (the route's).
                    if matches!(name.as_str(), "iss" | "aud" | "scope" | "acr") {
                        continue;
                    }
                    if let Some(text) = value.as_str() {
                        secrets.push(text.to_owned());
                    }
                }
            }
        }
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        self.assert_leaks_none(&secrets);
    }
}

/// `GET url` with these headers (each appended: a name given twice is sent twice).
pub async fn get_with(client: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Answer {
    send(client, reqwest::Method::GET, url, headers).await
}

/// `method url` with these headers.
pub async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = client.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let start = Instant::now();
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    Answer {
        status,
        headers,
        body,
        elapsed: start.elapsed(),
    }
}

/// `GET url` with `Authorization: Bearer <token>`.
pub async fn bearer(client: &reqwest::Client, url: &str, token: &str) -> Answer {
    let value = format!("Bearer {token}");
    get_with(client, url, &[("authorization", &value)]).await
}

/// `method url` with `Authorization: DPoP <token>` and `DPoP: <proof>`.
pub async fn dpop(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    proof: &str,
) -> Answer {
    let value = format!("DPoP {token}");
    send(
        client,
        method,
        url,
        &[("authorization", &value), ("dpop", proof)],
    )
    .await
}

/// `GET url` with `token` and a fresh proof for it by `key`.
pub async fn dpop_get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    key: &jose_ring::SigningKey,
) -> Answer {
    let proof = super::tokens::proof(key, "GET", url, token);
    dpop(client, reqwest::Method::GET, url, token, &proof).await
}
