//! The guard in front of a real tonic service, over real sockets (issue 24, item 5): a tonic
//! server on 127.0.0.1 behind [`Guard::grpc_layer`], called by a real tonic client over h2c.
//!
//! - a valid `Bearer` token reaches the method, which reads the verified claims;
//! - refusals are gRPC statuses, each with the HTTP layer's challenge in `www-authenticate`
//!   metadata: `UNAUTHENTICATED` (no token, a bad or expired one), `PERMISSION_DENIED` (a
//!   missing scope), `UNAVAILABLE` with `retry-after` (the provider's keys cannot be had);
//! - on the wire a refusal is trailers-only: HTTP 200, `grpc-status` in the headers, no body;
//! - DPoP works with `htm` `POST` and `htu` the public origin and the method's path;
//! - the `grpc` example, run as its own process with `--issuer --audience --port
//!   --allow-http-loopback` against the mock identity provider, serves the same way.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failure is a failed test"
)]

mod support;

#[path = "../examples/grpc/hello.rs"]
mod hello;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hello::{GreeterClient, GreeterServer, HelloReply, HelloRequest, SAY_HELLO};
use jose_ring::jwt::Validation;
use jose_ring_axum::{Auth, DpopMode, Guard, Reason};
use serde_json::{Value, json};
use support::idp::Idp;
use support::tokens::{self, AUDIENCE, ISSUER, claims, hs256, hs256_guard, with};
use tonic::transport::Channel;
use tonic::{Code, Response, Status};

/// The method: `hello <sub>` from the verified claims, `<scheme>` the scheme used.
fn say_hello(request: tonic::Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
    let auth = request
        .extensions()
        .get::<Auth>()
        .ok_or_else(|| Status::internal("no Auth"))?;
    let claims: Value = auth.claims().map_err(|_| Status::internal("claims"))?;
    Ok(Response::new(HelloReply {
        message: format!(
            "hello {} ({:?}, asked for {})",
            claims["sub"].as_str().unwrap_or("-"),
            auth.scheme(),
            request.get_ref().name
        ),
    }))
}

/// A tonic server behind `layer` on 127.0.0.1 (ephemeral port); dropped with the runtime.
async fn serve(layer: jose_ring_axum::GrpcLayer, listener: tokio::net::TcpListener) {
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tokio::spawn(
        tonic::transport::Server::builder()
            .layer(layer)
            .add_service(GreeterServer::new(say_hello))
            .serve_with_incoming(incoming),
    );
}

/// Binds 127.0.0.1 (ephemeral port): the listener and `http://127.0.0.1:PORT`.
async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    (listener, origin)
}

/// A tonic client of `origin` (h2c).
async fn client(origin: &str) -> GreeterClient {
    let channel = Channel::from_shared(origin.to_owned())
        .unwrap()
        .connect()
        .await
        .unwrap();
    GreeterClient::new(channel)
}

/// Calls `SayHello` with these metadata entries.
async fn call(
    client: &mut GreeterClient,
    metadata: &[(&'static str, &str)],
) -> Result<String, Status> {
    let mut request = tonic::Request::new(HelloRequest {
        name: "world".into(),
    });
    for (name, value) in metadata {
        request.metadata_mut().insert(*name, value.parse().unwrap());
    }
    client
        .say_hello(request)
        .await
        .map(|r| r.into_inner().message)
}

/// The `www-authenticate` entries of a refusal.
fn challenges(status: &Status) -> Vec<String> {
    status
        .metadata()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// A guard with the HS256 test keys, its server and a client.
async fn hs256_setup(
    layer: impl FnOnce(&Guard) -> jose_ring_axum::GrpcLayer,
) -> (Guard, GreeterClient) {
    let guard = hs256_guard().build().unwrap();
    let (listener, origin) = bind().await;
    serve(layer(&guard), listener).await;
    (guard.clone(), client(&origin).await)
}

#[tokio::test]
async fn a_valid_bearer_token_reaches_the_method_with_its_claims() {
    let (guard, mut client) = hs256_setup(Guard::grpc_layer).await;
    let token = hs256(&claims(ISSUER));
    let authorization = format!("Bearer {token}");
    let reply = call(&mut client, &[("authorization", &authorization)]).await;
    assert_eq!(reply.unwrap(), "hello ada (Bearer, asked for world)");
    let counters = guard.counters();
    assert_eq!((counters.accepted(), counters.rejected_total()), (1, 0));
}

#[tokio::test]
async fn no_token_is_unauthenticated_with_the_bearer_challenge() {
    let (guard, mut client) = hs256_setup(Guard::grpc_layer).await;
    let status = call(&mut client, &[]).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.message(), "missing_credentials");
    assert_eq!(challenges(&status), ["Bearer"]);
    assert_eq!(guard.counters().rejected(Reason::MissingCredentials), 1);
}

#[tokio::test]
async fn bad_and_expired_tokens_are_unauthenticated_with_invalid_token() {
    let (guard, mut client) = hs256_setup(Guard::grpc_layer).await;
    let expired = hs256(&with(claims(ISSUER), "exp", json!(tokens::now() - 1)));
    let status = call(
        &mut client,
        &[("authorization", &format!("Bearer {expired}"))],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    let message = status.message().to_owned();
    assert!(
        message.starts_with("jwt rejected: expired at "),
        "{message}"
    );
    assert_eq!(
        challenges(&status),
        [format!(
            r#"Bearer error="invalid_token", error_description="{message}""#
        )]
    );
    let other_audience = hs256(&with(claims(ISSUER), "aud", json!("https://other.example")));
    let status = call(
        &mut client,
        &[("authorization", &format!("Bearer {other_audience}"))],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(
        challenges(&status)[0].starts_with(r#"Bearer error="invalid_token""#),
        "{:?}",
        challenges(&status)
    );
    let status = call(&mut client, &[("authorization", "Bearer")])
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        challenges(&status),
        [
            r#"Bearer error="invalid_request", error_description="the authorization scheme has no token""#
        ]
    );
    let counters = guard.counters();
    assert_eq!(
        (
            counters.rejected(Reason::Expired),
            counters.rejected(Reason::InvalidToken),
            counters.rejected(Reason::InvalidRequest),
            counters.accepted()
        ),
        (1, 1, 1, 0)
    );
}

#[tokio::test]
async fn a_missing_scope_is_permission_denied_naming_the_scope() {
    let (_guard, mut client) =
        hs256_setup(|g| g.grpc_layer().method_scope(SAY_HELLO, "admin")).await;
    let token = hs256(&claims(ISSUER));
    let status = call(
        &mut client,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        challenges(&status),
        [
            r#"Bearer error="insufficient_scope", error_description="the token lacks a scope this route needs", scope="admin""#
        ]
    );
    let admin = hs256(&with(claims(ISSUER), "scope", json!("read admin")));
    let reply = call(
        &mut client,
        &[("authorization", &format!("Bearer {admin}"))],
    )
    .await;
    assert_eq!(reply.unwrap(), "hello ada (Bearer, asked for world)");
    // Another method's scope does not apply.
    let (_guard, mut client) =
        hs256_setup(|g| g.grpc_layer().method_scope("/hello.Greeter/Other", "admin")).await;
    let reply = call(
        &mut client,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(reply.unwrap(), "hello ada (Bearer, asked for world)");
}

#[tokio::test]
async fn keys_that_cannot_be_had_are_unavailable_with_retry_after() {
    let idp = Idp::start_down().await;
    let guard = Guard::from_issuer(idp.issuer())
        .validation(
            Validation::from_clock(std::sync::Arc::new(jose_ring::jwt::SystemClock))
                .with_audience(AUDIENCE),
        )
        .allow_http_loopback()
        .cache_policy(jose_ring::jwks::CachePolicy::DEFAULT.with_cooldown(1))
        .fetch_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let (listener, origin) = bind().await;
    serve(guard.grpc_layer(), listener).await;
    let mut client = client(&origin).await;
    let token = idp.sign(&claims(&idp.issuer()));
    let status = call(
        &mut client,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(status.message(), "keys_unavailable");
    assert!(challenges(&status).is_empty());
    let retry_after: u64 = status
        .metadata()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry_after, 1, "the cooldown is 1 s");
    assert_eq!(
        status.metadata().get("grpc-retry-pushback-ms").unwrap(),
        &(retry_after * 1000).to_string()
    );
    // Once the provider is up, the same client is served.
    idp.up().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match call(
            &mut client,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
        {
            Ok(reply) => {
                assert_eq!(reply, "hello ada (Bearer, asked for world)");
                break;
            }
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable);
                assert!(Instant::now() < deadline, "still unavailable");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

#[tokio::test]
async fn dpop_proofs_name_post_and_the_method_uri() {
    let guard = hs256_guard();
    let (listener, origin) = bind().await;
    let guard = guard
        .dpop(DpopMode::Allowed)
        .public_origin(&origin)
        .build()
        .unwrap();
    serve(guard.grpc_layer(), listener).await;
    let mut client = client(&origin).await;
    let key = tokens::dpop_key();
    let token = hs256(&tokens::bound(claims(ISSUER), &key));
    let authorization = format!("DPoP {token}");
    let htu = format!("{origin}{SAY_HELLO}");

    let proof = tokens::proof(&key, "POST", &htu, &token);
    let reply = call(
        &mut client,
        &[("authorization", &authorization), ("dpop", &proof)],
    )
    .await;
    assert_eq!(reply.unwrap(), "hello ada (Dpop, asked for world)");

    for (htm, htu) in [
        ("GET", htu.clone()),
        ("POST", format!("{origin}/hello.Greeter/Other")),
        ("POST", format!("http://127.0.0.2:1{SAY_HELLO}")),
    ] {
        let proof = tokens::proof(&key, htm, &htu, &token);
        let status = call(
            &mut client,
            &[("authorization", &authorization), ("dpop", &proof)],
        )
        .await
        .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{htm} {htu}");
        let all = challenges(&status);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0], "Bearer");
        assert!(
            all[1].starts_with(r#"DPoP error="invalid_dpop_proof""#),
            "{htm} {htu}: {all:?}"
        );
    }
    // The bound token without its proof, as Bearer.
    let status = call(
        &mut client,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(guard.counters().rejected(Reason::BoundTokenAsBearer), 1);
    // A replayed proof.
    let proof = tokens::proof(&key, "POST", &htu, &token);
    call(
        &mut client,
        &[("authorization", &authorization), ("dpop", &proof)],
    )
    .await
    .unwrap();
    let status = call(
        &mut client,
        &[("authorization", &authorization), ("dpop", &proof)],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(guard.counters().rejected(Reason::DpopReplayed), 1);
}

#[tokio::test]
async fn a_refusal_is_trailers_only_on_the_wire() {
    use http_body_util::BodyExt;
    let (listener, origin) = bind().await;
    let guard = hs256_guard().build().unwrap();
    serve(guard.grpc_layer(), listener).await;
    let addr: SocketAddr = origin.trim_start_matches("http://").parse().unwrap();
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    // A gRPC frame: uncompressed, length 7, `name: "world"`.
    let frame = bytes::Bytes::from_static(b"\x00\x00\x00\x00\x07\x0a\x05world");
    let request = http::Request::post(format!("{origin}{SAY_HELLO}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(http_body_util::Full::new(frame))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/grpc");
    assert_eq!(headers["grpc-status"], "16");
    assert_eq!(headers["grpc-message"], "missing_credentials");
    assert_eq!(headers["www-authenticate"], "Bearer");
    let collected = response.into_body().collect().await.unwrap();
    assert!(
        collected.trailers().is_none(),
        "a trailers-only answer has no trailers frame"
    );
    assert!(collected.to_bytes().is_empty());
}

/// The `grpc` example, run as its own process exactly with the flags outside tests use.
#[tokio::test]
async fn the_grpc_example_serves_with_issuer_audience_port_and_loopback_flags() {
    let idp = Idp::start().await;
    let port = support::example::free_port();
    let running = support::example::Running::start(
        "grpc",
        &[
            "--issuer",
            &idp.issuer(),
            "--audience",
            AUDIENCE,
            "--port",
            &port.to_string(),
            "--allow-http-loopback",
        ],
        port,
    );
    let origin = format!("http://127.0.0.1:{port}");
    let mut client = client(&origin).await;
    let token = idp.sign(&claims(&idp.issuer()));
    let reply = call(
        &mut client,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(
        reply.unwrap(),
        "hello ada",
        "the example's log:\n{}",
        running.log()
    );
    let status = call(&mut client, &[]).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        challenges(&status),
        ["Bearer", r#"DPoP algs="ES256 Ed25519 EdDSA PS256 RS256""#]
    );
    let other = idp.sign(&with(
        claims(&idp.issuer()),
        "aud",
        json!("https://other.example"),
    ));
    let status = call(
        &mut client,
        &[("authorization", &format!("Bearer {other}"))],
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    // DPoP with the example's default public origin.
    let key = tokens::dpop_key();
    let bound = idp.sign(&tokens::bound(claims(&idp.issuer()), &key));
    let proof = tokens::proof(&key, "POST", &format!("{origin}{SAY_HELLO}"), &bound);
    let reply = call(
        &mut client,
        &[
            ("authorization", &format!("DPoP {bound}")),
            ("dpop", &proof),
        ],
    )
    .await;
    assert_eq!(reply.unwrap(), "hello ada");
}
