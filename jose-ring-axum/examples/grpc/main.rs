//! A gRPC service protected by the guard, pointed at your identity provider:
//!
//! ```text
//! cargo run -p jose-ring-axum --example grpc -- --issuer https://auth.example --audience api \
//!     [--port 50051] [--allow-http-loopback] [--accept-jwt-typ] [--public-origin URL]
//! ```
//!
//! It serves `hello.Greeter/SayHello` (see `hello.rs` for the `.proto`) over h2c (HTTP/2
//! without TLS: put it behind your TLS terminator) on 127.0.0.1. Every call needs an access
//! token in the `authorization` metadata (`Bearer …`, or `DPoP …` with a `dpop` proof for
//! `htm` `POST` and `htu` the public origin followed by `/hello.Greeter/SayHello`; the public
//! origin defaults to `http://127.0.0.1:PORT`). The reply is `hello <sub>`.
//!
//! Refusals are gRPC statuses: `UNAUTHENTICATED` (no or bad token), `PERMISSION_DENIED`,
//! `UNAVAILABLE` (the provider's keys cannot be had), each with the challenge in the
//! `www-authenticate` metadata.
#![allow(
    clippy::print_stderr,
    reason = "an example says how it was called wrong"
)]

mod hello;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use jose_ring::jwt::{SystemClock, Validation};
use jose_ring_axum::{Auth, DpopMode, Guard, TypRule};
use serde::Deserialize;
use tonic::{Response, Status};

use hello::{GreeterServer, HelloReply};

/// The command line.
struct Args {
    issuer: String,
    audience: String,
    port: u16,
    allow_http_loopback: bool,
    accept_jwt_typ: bool,
    public_origin: Option<String>,
}

const USAGE: &str = "usage: grpc --issuer URL --audience AUD [--port N] [--allow-http-loopback] [--accept-jwt-typ] [--public-origin URL]";

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut issuer, mut audience, mut port) = (None, None, 50051);
    let (mut allow_http_loopback, mut accept_jwt_typ, mut public_origin) = (false, false, None);
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
            "--allow-http-loopback" => allow_http_loopback = true,
            "--accept-jwt-typ" => accept_jwt_typ = true,
            "--public-origin" => public_origin = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        issuer: issuer.ok_or("--issuer is required")?,
        audience: audience.ok_or("--audience is required")?,
        port,
        allow_http_loopback,
        accept_jwt_typ,
        public_origin,
    })
}

/// The claims the method reads.
#[derive(Deserialize)]
struct Caller {
    sub: String,
}

/// `SayHello`: `hello <sub>`, from the claims the guard verified.
fn say_hello(request: tonic::Request<hello::HelloRequest>) -> Result<Response<HelloReply>, Status> {
    let auth = request
        .extensions()
        .get::<Auth>()
        .ok_or_else(|| Status::internal("no guard in front of the service"))?;
    let caller: Caller = auth
        .claims()
        .map_err(|_| Status::unauthenticated("the token has no sub"))?;
    Ok(Response::new(HelloReply {
        message: format!("hello {}", caller.sub),
    }))
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
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("grpc: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    let rules = Validation::from_clock(Arc::new(SystemClock))
        .with_audience(&args.audience)
        .with_leeway(30);
    let origin = args
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let mut builder = Guard::from_issuer(&args.issuer)
        .validation(rules)
        .dpop(DpopMode::Allowed)
        .public_origin(origin);
    if args.accept_jwt_typ {
        builder = builder.typ(TypRule::FromValidation);
    }
    if args.allow_http_loopback {
        builder = builder.allow_http_loopback();
    }
    let guard = match builder.build() {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("grpc: {error}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(%addr, issuer = args.issuer, "serving hello.Greeter/SayHello over h2c");
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    let served = tonic::transport::Server::builder()
        .layer(guard.grpc_layer())
        .add_service(GreeterServer::new(say_hello))
        .serve_with_incoming(incoming)
        .await;
    if let Err(error) = served {
        eprintln!("grpc: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
