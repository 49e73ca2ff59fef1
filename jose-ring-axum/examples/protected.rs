//! An API protected by the guard, pointed at your identity provider:
//!
//! ```text
//! cargo run -p jose-ring-axum --features metrics --example protected -- \
//!     --issuer https://auth.example --audience api \
//!     [--port 3000] [--allow-http-loopback] [--accept-jwt-typ] [--resource https://api.example] \
//!     [--metrics] [--optional] [--roles-claim PATH] [--acr VALUE]... [--max-auth-age SECS] \
//!     [--introspect URL --client-id ID --client-secret SECRET]
//! ```
//!
//! - `GET /hello`: any valid token; answers `hello <sub>`. With `--optional`, a request
//!   without credentials is answered `hello anonymous` (a bad token is still refused).
//! - `GET /admin`: a token with the scope `admin`; with `--roles-claim PATH`, a token with the
//!   role `admin` read at `PATH` instead (a dotted path such as `realm_access.roles`; a name
//!   with dots in double quotes, `"https://example.com/roles"`). With `--acr VALUE` (repeat
//!   for several: any one of them) and `--max-auth-age SECS`, step-up (RFC 9470): a token
//!   whose `acr` or `auth_time` falls short gets 401 `insufficient_user_authentication`.
//! - `GET /metrics` with `--metrics` (built with `--features metrics`): the guard's metrics
//!   in the Prometheus text format, outside the guard.
//!
//! Access tokens must be typed `at+jwt` (RFC 9068), the guard's default; `--accept-jwt-typ`
//! accepts `typ` `JWT` or none instead, for providers that send those (Keycloak, Entra ID,
//! Okta, Auth0 without its RFC 9068 profile: see the README's table).
//!
//! `--introspect URL --client-id ID --client-secret SECRET` checks opaque access tokens by
//! asking the authorization server's token introspection endpoint (RFC 7662) instead of
//! verifying JWTs with the issuer's keys, authenticating there with `client_secret_basic`;
//! `--issuer` is then optional (when given, the answers' `iss` must be it).
//!
//! Each decision is logged (target `jose_ring_axum`); the key set is fetched on the first
//! request, so the app starts even when the provider is down.
#![allow(
    clippy::print_stderr,
    reason = "an example says how it was called wrong"
)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use jose_ring::jwt::{SystemClock, Validation};
use jose_ring_axum::{
    Auth, BuildError, Claims, ClientAuth, Guard, GuardBuilder, ResourceMetadata, TypRule,
};
use serde::Deserialize;

/// The command line.
struct Args {
    issuer: Option<String>,
    audience: String,
    port: u16,
    allow_http_loopback: bool,
    accept_jwt_typ: bool,
    resource: Option<String>,
    metrics: bool,
    optional: bool,
    roles_claim: Option<String>,
    acr: Vec<String>,
    max_auth_age: Option<u64>,
    /// `--introspect URL --client-id ID --client-secret SECRET`.
    introspect: Option<(String, String, String)>,
}

const USAGE: &str = "usage: protected --issuer URL --audience AUD [--port N] [--allow-http-loopback] [--accept-jwt-typ] [--resource URL] [--metrics] [--optional] [--roles-claim PATH] [--acr VALUE]... [--max-auth-age SECS] [--introspect URL --client-id ID --client-secret SECRET]";

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut issuer, mut audience, mut port) = (None, None, 3000);
    let (mut allow_http_loopback, mut accept_jwt_typ, mut resource) = (false, false, None);
    let (mut metrics, mut optional, mut roles_claim) = (false, false, None);
    let (mut acr, mut max_auth_age) = (Vec::new(), None);
    let (mut introspect, mut client_id, mut client_secret) = (None, None, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--issuer" => issuer = Some(value()?),
            "--audience" => audience = Some(value()?),
            "--port" => {
                port = value()?
                    .parse()
                    .map_err(|_| "--port: not a port".to_owned())?
            }
            "--accept-jwt-typ" => accept_jwt_typ = true,
            "--resource" => resource = Some(value()?),
            "--allow-http-loopback" => allow_http_loopback = true,
            "--metrics" => metrics = true,
            "--optional" => optional = true,
            "--roles-claim" => roles_claim = Some(value()?),
            "--acr" => acr.push(value()?),
            "--max-auth-age" => {
                max_auth_age = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--max-auth-age: not a number of seconds".to_owned())?,
                );
            }
            "--introspect" => introspect = Some(value()?),
            "--client-id" => client_id = Some(value()?),
            "--client-secret" => client_secret = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let introspect = match (introspect, client_id, client_secret) {
        (Some(url), Some(id), Some(secret)) => Some((url, id, secret)),
        (None, None, None) => None,
        _ => return Err("--introspect needs --client-id and --client-secret".to_owned()),
    };
    if issuer.is_none() && introspect.is_none() {
        return Err("--issuer is required".to_owned());
    }
    Ok(Args {
        issuer,
        audience: audience.ok_or("--audience is required")?,
        port,
        allow_http_loopback,
        accept_jwt_typ,
        resource,
        metrics,
        optional,
        roles_claim,
        acr,
        max_auth_age,
        introspect,
    })
}

/// The claims `/hello` reads.
#[derive(Deserialize)]
struct Caller {
    sub: String,
}

async fn hello(caller: Option<Claims<Caller>>) -> String {
    match caller {
        Some(Claims(caller)) => format!("hello {}\n", caller.sub),
        None => "hello anonymous\n".to_owned(),
    }
}

async fn admin(auth: Auth) -> String {
    format!(
        "welcome, admin (key {}, {}; roles: {})\n",
        auth.kid().unwrap_or("-"),
        if auth.jkt().is_some() {
            "DPoP"
        } else {
            "Bearer"
        },
        auth.roles().collect::<Vec<_>>().join(" ")
    )
}

/// The settings every key source shares: the `typ` rule and the metadata document.
fn settings<K>(mut builder: GuardBuilder<K>, args: &Args) -> GuardBuilder<K> {
    if args.accept_jwt_typ {
        builder = builder.typ(TypRule::FromValidation);
    }
    if let Some(resource) = &args.resource {
        builder = builder.resource_metadata(ResourceMetadata::new(resource).scope("admin"));
    }
    if let Some(path) = &args.roles_claim {
        builder = builder.role_claims([path.as_str()]);
    }
    builder
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,jose_ring_axum=debug".into()),
        )
        .init();
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rules = Validation::from_clock(Arc::new(SystemClock))
        .with_audience(&args.audience)
        .with_leeway(30);
    let built = match (&args.introspect, &args.issuer) {
        (Some((url, id, secret)), issuer) => {
            let rules = match issuer {
                Some(issuer) => rules.with_issuer(issuer),
                None => rules,
            };
            let auth = ClientAuth::secret_basic(id, secret);
            let mut builder = settings(
                Guard::from_introspection(url, auth).validation(rules),
                &args,
            );
            if args.allow_http_loopback {
                builder = builder.allow_http_loopback();
            }
            builder.build()
        }
        (None, Some(issuer)) => {
            let mut builder = settings(Guard::from_issuer(issuer).validation(rules), &args);
            if args.allow_http_loopback {
                builder = builder.allow_http_loopback();
            }
            builder.build()
        }
        (None, None) => Err(BuildError::NoIssuers),
    };
    let guard = match built {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("protected: {error}");
            return ExitCode::from(2);
        }
    };
    let hello_layer = if args.optional {
        guard.optional_layer()
    } else {
        guard.layer()
    };
    let mut admin_layer = match &args.roles_claim {
        Some(_) => guard.require_role("admin"),
        None => guard.require_scope("admin"),
    };
    if !args.acr.is_empty() {
        admin_layer = admin_layer.acr(args.acr.iter().cloned());
    }
    if let Some(seconds) = args.max_auth_age {
        admin_layer = admin_layer.max_auth_age(Duration::from_secs(seconds));
    }
    let mut app = Router::new()
        .route("/hello", get(hello).layer(hello_layer))
        .route("/admin", get(admin).layer(admin_layer));
    if let Some(path) = guard.metadata_path() {
        let guard = guard.clone();
        app = app.route(
            path,
            get(move || {
                let response = guard.metadata_response();
                async move {
                    response.map_or_else(
                        || http::StatusCode::NOT_FOUND.into_response(),
                        IntoResponse::into_response,
                    )
                }
            }),
        );
    }
    if args.metrics {
        match metrics_route(&guard) {
            Ok(route) => app = app.merge(route),
            Err(message) => {
                eprintln!("protected: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("protected: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(%addr, issuer = args.issuer.as_deref(), introspect = args.introspect.as_ref().map(|i| i.0.as_str()), metrics = args.metrics, "serving GET /hello and GET /admin");
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("protected: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `GET /metrics`, outside the guard: the guard's metrics (feature `metrics`).
#[cfg(feature = "metrics")]
fn metrics_route(guard: &Guard) -> Result<Router, String> {
    let mut metrics = jose_ring_axum::Metrics::new();
    metrics.register_guard(guard);
    let metrics = Arc::new(metrics);
    Ok(Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move { metrics.response() }
        }),
    ))
}

/// Without the `metrics` feature, `--metrics` cannot be served.
#[cfg(not(feature = "metrics"))]
fn metrics_route(_guard: &Guard) -> Result<Router, String> {
    Err("--metrics needs the example built with --features metrics".to_owned())
}
