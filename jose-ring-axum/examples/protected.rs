//! An API protected by the guard, pointed at your identity provider:
//!
//! ```text
//! cargo run -p jose-ring-axum --example protected -- --issuer https://auth.example --audience api \
//!     [--port 3000] [--allow-http-loopback] [--accept-jwt-typ] [--resource https://api.example]
//! ```
//!
//! - `GET /hello`: any valid token; answers `hello <sub>`.
//! - `GET /admin`: a token with the scope `admin`.
//!
//! Access tokens must be typed `at+jwt` (RFC 9068), the guard's default; `--accept-jwt-typ`
//! accepts `typ` `JWT` or none instead, for providers that send those (Keycloak, Entra ID,
//! Okta, Auth0 without its RFC 9068 profile: see the README's table).
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

use axum::Router;
use axum::routing::get;
use jose_ring::jwt::{SystemClock, Validation};
use jose_ring_axum::{Auth, Claims, Guard, ResourceMetadata, TypRule};
use serde::Deserialize;

/// The command line.
struct Args {
    issuer: String,
    audience: String,
    port: u16,
    allow_http_loopback: bool,
    accept_jwt_typ: bool,
    resource: Option<String>,
}

const USAGE: &str = "usage: protected --issuer URL --audience AUD [--port N] [--allow-http-loopback] [--accept-jwt-typ] [--resource URL]";

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut issuer, mut audience, mut port) = (None, None, 3000);
    let (mut allow_http_loopback, mut accept_jwt_typ, mut resource) = (false, false, None);
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
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        issuer: issuer.ok_or("--issuer is required")?,
        audience: audience.ok_or("--audience is required")?,
        port,
        allow_http_loopback,
        accept_jwt_typ,
        resource,
    })
}

/// The claims `/hello` reads.
#[derive(Deserialize)]
struct Caller {
    sub: String,
}

async fn hello(Claims(caller): Claims<Caller>) -> String {
    format!("hello {}\n", caller.sub)
}

async fn admin(auth: Auth) -> String {
    format!(
        "welcome, admin (key {}, {})\n",
        auth.kid().unwrap_or("-"),
        if auth.jkt().is_some() {
            "DPoP"
        } else {
            "Bearer"
        }
    )
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
    let mut builder = Guard::from_issuer(&args.issuer).validation(rules);
    if args.accept_jwt_typ {
        builder = builder.typ(TypRule::FromValidation);
    }
    if args.allow_http_loopback {
        builder = builder.allow_http_loopback();
    }
    if let Some(resource) = &args.resource {
        builder = builder.resource_metadata(ResourceMetadata::new(resource).scope("admin"));
    }
    let guard = match builder.build() {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("protected: {error}");
            return ExitCode::from(2);
        }
    };
    let app = Router::new()
        .route("/hello", get(hello))
        .route("/admin", get(admin).layer(guard.require_scope("admin")))
        .layer(guard.layer());
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("protected: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(%addr, issuer = args.issuer, "serving GET /hello and GET /admin");
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("protected: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
