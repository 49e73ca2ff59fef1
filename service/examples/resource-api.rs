//! A second API that trusts the reference service, configured only with its issuer URL:
//!
//! ```text
//! RESOURCE_API_CLIENT_ID=resource-server RESOURCE_API_CLIENT_SECRET=... \
//! cargo run -p jose-ring-service --example resource-api -- \
//!     --issuer http://127.0.0.1:8080 --audience https://resource-api.example --port 3001 --allow-http-loopback
//! ```
//!
//! - `GET /hello`: any valid token; answers `hello <sub>`.
//! - `GET /reports`: a token with the scope `reports:read`.
//!
//! **Keys** come from the service's RFC 8414 metadata (`/.well-known/oauth-authorization-server`
//! → `jwks_uri`), fetched by jose-ring-axum at the first request and kept fresh: a key the
//! service rotates in (`jose-service rotate-key`) is followed without a restart. Tokens must
//! be `at+jwt`, issued by `--issuer`, for `--audience` (the RFC 8707 resource the client asked
//! for), unexpired (5 s leeway), Bearer or DPoP-bound.
//!
//! **Revocation** is checked by RFC 7662 introspection at the service's
//! `introspection_endpoint` (from the same metadata), authenticated as the client named by the
//! environment (credentials stay out of the command line, where `ps` shows them):
//! `RESOURCE_API_CLIENT_ID` and either `RESOURCE_API_CLIENT_KEY` (a file holding the client's
//! private JWK: `private_key_jwt`, a fresh assertion per request, cheap for the service) or
//! `RESOURCE_API_CLIENT_SECRET` (`client_secret_basic`: the service checks the secret's PBKDF2
//! hash at every request, as costly as a login). Every request that passes the guard costs one
//! round trip to the service, and a token revoked there (RFC 7009) is refused at the next
//! request. A token found inactive is remembered until its `exp`, so that repeating it costs
//! nothing. If the service cannot answer, the request is refused with 503 and `Retry-After`
//! (fail closed). Without credentials the API checks tokens locally only, says so at start,
//! and a revoked token is accepted until it expires: keep access tokens short then.
#![allow(
    clippy::print_stderr,
    clippy::print_stdout,
    reason = "an example says where it listens and how it was called wrong"
)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jose_ring::dpop::{Challenge, ChallengeError};
use jose_ring::jwk::Jwk;
use jose_ring::jwks::{UriPolicy, WellKnown, discovery_uri};
use jose_ring::jwt::{self, NumericDate, SystemClock, Validation};
use jose_ring::{SigningKey, jwa};
use jose_ring_axum::{Auth, Claims, Credentials, DpopMode, ExpiringSet, Guard, Scheme};
use serde::Deserialize;
use tokio::sync::OnceCell;

const USAGE: &str =
    "usage: resource-api --issuer URL --audience AUD --port N [--allow-http-loopback]";

/// The command line: exactly these.
struct Args {
    issuer: String,
    audience: String,
    port: u16,
    allow_http_loopback: bool,
}

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut issuer, mut audience, mut port, mut allow_http_loopback) = (None, None, None, false);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--issuer" => issuer = Some(value()?),
            "--audience" => audience = Some(value()?),
            "--port" => {
                port = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--port: not a port".to_owned())?,
                );
            }
            "--allow-http-loopback" => allow_http_loopback = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        issuer: issuer.ok_or("--issuer is required")?,
        audience: audience.ok_or("--audience is required")?,
        port: port.ok_or("--port is required")?,
        allow_http_loopback,
    })
}

/// The claims the handlers read.
#[derive(Deserialize)]
struct Caller {
    sub: String,
    #[serde(default)]
    scope: String,
}

async fn hello(Claims(caller): Claims<Caller>) -> String {
    format!("hello {}\n", caller.sub)
}

async fn reports(Claims(caller): Claims<Caller>) -> String {
    format!("reports for {} (scope {})\n", caller.sub, caller.scope)
}

/// How the API asks the service whether a token is still active.
struct Introspection {
    /// The metadata document's URL.
    metadata: String,
    /// Its `introspection_endpoint`, read once.
    endpoint: OnceCell<String>,
    /// How the API's own client authenticates.
    client: ClientAuth,
    http: reqwest::Client,
    /// Tokens found inactive, by `jti`, until their `exp`.
    inactive: ExpiringSet,
}

/// How the API authenticates to the service as its own client.
enum ClientAuth {
    /// `client_secret_basic`: this `Authorization` value.
    Basic(HeaderValue),
    /// `private_key_jwt`: assertions by this key for this client, `aud` the issuer.
    Key {
        client_id: String,
        key: Box<SigningKey>,
        issuer: String,
    },
}

impl ClientAuth {
    /// A client assertion (RFC 7523 §3) living 60 s, its `jti` fresh.
    fn assertion(client_id: &str, key: &SigningKey, issuer: &str) -> Option<String> {
        use ring::rand::SecureRandom;
        let mut jti = [0u8; 16];
        ring::rand::SystemRandom::new().fill(&mut jti).ok()?;
        let now = NumericDate::now().as_seconds();
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": issuer,
            "iat": now,
            "exp": now.saturating_add(60),
            "jti": jti.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        });
        jwt::encode(&claims, key).ok()
    }
}

/// The RFC 8414 members read.
#[derive(Deserialize)]
struct Metadata {
    introspection_endpoint: String,
}

/// The RFC 7662 member read.
#[derive(Deserialize)]
struct Active {
    active: bool,
}

impl Introspection {
    /// Whether `token` is active, asking the service.
    async fn active(&self, token: &str) -> Result<bool, reqwest::Error> {
        let endpoint = self
            .endpoint
            .get_or_try_init(|| async {
                let found: Metadata = self
                    .http
                    .get(&self.metadata)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                Ok::<_, reqwest::Error>(found.introspection_endpoint)
            })
            .await?;
        let request = self.http.post(endpoint);
        let form = [("token", token), ("token_type_hint", "access_token")];
        let request = match &self.client {
            ClientAuth::Basic(authorization) => request
                .header(header::AUTHORIZATION, authorization.clone())
                .form(&form),
            ClientAuth::Key {
                client_id,
                key,
                issuer,
            } => {
                let assertion = ClientAuth::assertion(client_id, key, issuer).unwrap_or_default();
                request.form(&[
                    form[0],
                    form[1],
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ])
            }
        };
        let answer: Active = request.send().await?.error_for_status()?.json().await?;
        Ok(answer.active)
    }
}

/// `Basic` credentials for `id` and `secret`, each form-urlencoded first (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> Option<HeaderValue> {
    use base64ct::Encoding;
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(id), encode(secret));
    HeaderValue::from_str(&format!(
        "Basic {}",
        base64ct::Base64::encode_string(pair.as_bytes())
    ))
    .ok()
}

/// A 401 `invalid_token` in the scheme the request used (RFC 6750 §3, RFC 9449 §7.1).
fn not_active(scheme: Scheme) -> Response {
    let challenge = match scheme {
        Scheme::Dpop => Challenge::new(&jwa::ASYMMETRIC),
        Scheme::Bearer => Challenge::bearer(),
    }
    .with_error(ChallengeError::InvalidToken)
    .with_description("the token is not active (revoked)");
    let value = HeaderValue::from_str(&challenge.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, value)],
        "the token is not active\n",
    )
        .into_response()
}

/// After the guard: asks the service whether the token is still active (revocation).
async fn check_revocation(
    State((introspection, guard)): State<(Arc<Introspection>, Guard)>,
    request: Request,
    next: Next,
) -> Response {
    let (Some(auth), Ok(Some(credentials))) = (
        request.extensions().get::<Auth>(),
        Credentials::from_headers(request.headers(), guard.credential_sources()),
    ) else {
        // The guard runs first and inserts both for every request it lets through.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let jti = auth.jti().unwrap_or_default().to_owned();
    let scheme = auth.scheme();
    if introspection.inactive.contains(&jti).unwrap_or(false) {
        return not_active(scheme);
    }
    match introspection.active(credentials.token()).await {
        Ok(true) => next.run(request).await,
        Ok(false) => {
            let left = auth
                .expires_at()
                .map_or(0, |exp| exp.seconds_since(NumericDate::now()));
            let ttl = Duration::from_secs(u64::try_from(left).unwrap_or(0).saturating_add(1));
            // Full: the next request asks the service again; nothing is lost.
            let _ = introspection.inactive.insert(&jti, ttl);
            tracing::info!(jti, "token refused: not active at the service");
            not_active(scheme)
        }
        Err(error) => {
            tracing::warn!(%error, "introspection failed: refusing (fail closed)");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                "revocation status unavailable\n",
            )
                .into_response()
        }
    }
}

/// The API's own client credentials, from the environment: a key file or a secret.
fn client_auth(issuer: &str) -> Result<Option<ClientAuth>, String> {
    let Ok(client_id) = std::env::var("RESOURCE_API_CLIENT_ID") else {
        return Ok(None);
    };
    if let Ok(path) = std::env::var("RESOURCE_API_CLIENT_KEY") {
        let json = std::fs::read(&path).map_err(|error| format!("{path}: {error}"))?;
        let key = Jwk::from_json(&json)
            .and_then(|jwk| {
                let alg = jwk
                    .alg()
                    .and_then(|name| jwa::ASYMMETRIC.iter().find(|alg| alg.name() == name))
                    .copied()
                    .unwrap_or(&jwa::ES256);
                jwk.signing_key(alg)
            })
            .map_err(|error| format!("{path}: {error}"))?;
        return Ok(Some(ClientAuth::Key {
            client_id,
            key: Box::new(key),
            issuer: issuer.to_owned(),
        }));
    }
    match std::env::var("RESOURCE_API_CLIENT_SECRET") {
        Ok(secret) => basic(&client_id, &secret)
            .map(|value| Some(ClientAuth::Basic(value)))
            .ok_or_else(|| "RESOURCE_API_CLIENT_SECRET: not a header value".to_owned()),
        Err(_) => Ok(None),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,jose_ring_axum=info".into()),
        )
        .init();
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener =
        match tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("resource-api: cannot listen on port {}: {error}", args.port);
                return ExitCode::FAILURE;
            }
        };
    let Ok(local) = listener.local_addr() else {
        eprintln!("resource-api: no local address");
        return ExitCode::FAILURE;
    };
    let rules = Validation::from_clock(Arc::new(SystemClock))
        .with_audience(&args.audience)
        .with_leeway(5);
    let mut builder = Guard::from_issuer(&args.issuer)
        .well_known(WellKnown::OAuthAuthorizationServer)
        .validation(rules)
        .dpop(DpopMode::Allowed)
        .public_origin(format!("http://{local}"));
    if args.allow_http_loopback {
        builder = builder.allow_http_loopback();
    }
    let guard = match builder.build() {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("resource-api: {error}");
            return ExitCode::from(2);
        }
    };
    let policy = if args.allow_http_loopback {
        UriPolicy::AllowHttpLoopback
    } else {
        UriPolicy::HttpsOnly
    };
    let client = match client_auth(&args.issuer) {
        Ok(client) => client,
        Err(message) => {
            eprintln!("resource-api: {message}");
            return ExitCode::from(2);
        }
    };
    let introspection = match client {
        Some(client) => {
            let Ok(metadata) =
                discovery_uri(&args.issuer, WellKnown::OAuthAuthorizationServer, policy)
            else {
                eprintln!("resource-api: --issuer is not an issuer URL");
                return ExitCode::from(2);
            };
            let http = match reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
            {
                Ok(http) => http,
                Err(error) => {
                    eprintln!("resource-api: {error}");
                    return ExitCode::FAILURE;
                }
            };
            Some(Arc::new(Introspection {
                metadata,
                endpoint: OnceCell::new(),
                client,
                http,
                inactive: ExpiringSet::new(),
            }))
        }
        None => {
            tracing::warn!(
                "RESOURCE_API_CLIENT_ID with RESOURCE_API_CLIENT_KEY or RESOURCE_API_CLIENT_SECRET \
                 unset: revocation is not checked, a revoked token is accepted until it expires"
            );
            None
        }
    };
    let mut app = Router::new().route("/hello", get(hello)).route(
        "/reports",
        get(reports).layer(guard.require_scope("reports:read")),
    );
    if let Some(introspection) = introspection {
        app = app.layer(middleware::from_fn_with_state(
            (introspection, guard.clone()),
            check_revocation,
        ));
    }
    let app = app.layer(guard.layer());
    println!("listening on http://{local}");
    tracing::info!(
        issuer = args.issuer,
        audience = args.audience,
        "serving GET /hello and GET /reports"
    );
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("resource-api: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
