//! A second API that trusts the service (issue 25 item 7), end to end over loopback with real
//! processes: the service, and the `resource-api` example configured only with its issuer URL
//! (keys through the RFC 8414 metadata, revocation through RFC 7662 introspection). A machine
//! client gets a token by `client_credentials` and calls it; a revoked token, an expired one
//! and one for another audience are refused; the service rotates its key and the API follows
//! without a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test: a panic is a failed test"
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::oauth::*;
use common::*;
use jose_ring::SigningKey;
use jose_ring::jwt::NumericDate;

/// Status, body and `WWW-Authenticate` of `GET path` at the API with `token`.
async fn get(
    http: &reqwest::Client,
    api: &Service,
    path: &str,
    token: Option<&str>,
    dpop: Option<&SigningKey>,
) -> (u16, String, String) {
    let mut request = http.get(api.url(path));
    request = match (token, dpop) {
        (Some(token), Some(key)) => {
            let htu = api.url(path);
            let proof = jose_ring::dpop::ProofBuilder::new(key, "GET", &htu)
                .with_iat(NumericDate::now())
                .with_access_token(token)
                .build()
                .unwrap();
            request
                .header("Authorization", format!("DPoP {token}"))
                .header("DPoP", proof)
        }
        (Some(token), None) => request.header("Authorization", format!("Bearer {token}")),
        (None, _) => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, response.text().await.unwrap(), challenge)
}

fn kid(token: &str) -> String {
    jose_ring::dangerous::peek(token)
        .unwrap()
        .kid()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_second_api_trusts_the_service() {
    let dir = temp_dir("resource-api");
    let clients = write_clients(&dir, &es256());
    // The API introspects as its own client, by private_key_jwt.
    let api_key = es256();
    add_key_client(&clients, "resource-api", &api_key, &[RESOURCE]);
    let api_key_file = dir.join("resource-api.jwk");
    write_private_jwk(&api_key_file, &api_key);
    let port = free_port().to_string();
    let origin = format!("http://127.0.0.1:{port}");
    let lifetime = 4;
    let service = Service::start_at(
        &[
            "--port",
            &port,
            "--issuer",
            &origin,
            "--public-origin",
            &origin,
        ],
        &dir,
        None,
        &[
            "--clients",
            clients.to_str().unwrap(),
            "--key-reload",
            "1",
            "--jwks-max-age",
            "1",
            "--access-lifetime",
            &lifetime.to_string(),
        ],
    );
    let mut command = Command::new(example("resource-api"));
    command
        .args(["--issuer", &origin, "--audience", RESOURCE])
        .args(["--port", "0", "--allow-http-loopback"])
        .env("RESOURCE_API_CLIENT_ID", "resource-api")
        .env("RESOURCE_API_CLIENT_KEY", &api_key_file);
    let api = Service::spawn(command, dir.join("resource-api.log"));
    let http = client();

    // A machine client's token for the API's audience is accepted (keys fetched through the
    // service's metadata at this first request).
    let token = client_credentials(&http, &service, BATCH, &[]).await;
    let access = token.token("access_token");
    let issued = Instant::now();
    let (status, body, _) = get(&http, &api, "/hello", Some(&access), None).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "hello batch\n"),
        "{}",
        api.log()
    );
    let (status, body, _) = get(&http, &api, "/reports", Some(&access), None).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "reports for batch (scope reports:read profile)\n")
    );

    // No token; another audience's token; a scope the token lacks.
    let (status, _, challenge) = get(&http, &api, "/hello", None, None).await;
    assert_eq!((status, challenge.starts_with("Bearer")), (401, true));
    let elsewhere = client_credentials(&http, &service, BATCH, &[("resource", OTHER_RESOURCE)])
        .await
        .token("access_token");
    let (status, _, challenge) = get(&http, &api, "/hello", Some(&elsewhere), None).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let narrow = client_credentials(&http, &service, BATCH, &[("scope", "profile")])
        .await
        .token("access_token");
    let (status, _, challenge) = get(&http, &api, "/reports", Some(&narrow), None).await;
    assert_eq!(status, 403, "{challenge}");
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );

    // A DPoP-bound token, used with proofs for the API.
    let dpop_key = es256();
    let bound = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "client_credentials")],
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            dpop: Some(
                jose_ring::dpop::ProofBuilder::new(&dpop_key, "POST", &format!("{origin}/token"))
                    .with_iat(NumericDate::now())
                    .build()
                    .unwrap(),
            ),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(bound.body["token_type"], "DPoP", "{}", bound.body);
    let bound = bound.token("access_token");
    let (status, body, _) = get(&http, &api, "/hello", Some(&bound), Some(&dpop_key)).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "hello batch\n"),
        "{}",
        api.log()
    );

    // Revoked at the service (RFC 7009): refused at the next request, and after.
    let revoked = client_credentials(&http, &service, BATCH, &[])
        .await
        .token("access_token");
    assert_eq!(
        get(&http, &api, "/hello", Some(&revoked), None).await.0,
        200
    );
    let answer = post_form(
        &http,
        &service,
        "/revoke",
        &[("token", &revoked)],
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(answer.status, 200);
    for _ in 0..2 {
        let (status, _, challenge) = get(&http, &api, "/hello", Some(&revoked), None).await;
        assert_eq!(status, 401);
        assert_eq!(
            challenge,
            r#"Bearer error="invalid_token", error_description="the token is not active (revoked)""#
        );
    }

    // The service rotates its key; the API accepts tokens signed with the new one at once,
    // without a restart.
    let before = kid(&access);
    let rotate = Command::new(env!("CARGO_BIN_EXE_jose-service"))
        .args(["rotate-key", "--key-dir", dir.to_str().unwrap()])
        .args(["--jwks-max-age", "1", "--key-reload", "1"])
        .output()
        .unwrap();
    assert!(
        rotate.status.success(),
        "{}",
        String::from_utf8_lossy(&rotate.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let rotated = loop {
        let token = client_credentials(&http, &service, BATCH, &[])
            .await
            .token("access_token");
        if kid(&token) != before {
            break token;
        }
        assert!(
            Instant::now() < deadline,
            "the service did not rotate: {}",
            service.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let (status, body, _) = get(&http, &api, "/hello", Some(&rotated), None).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "hello batch\n"),
        "{}",
        api.log()
    );

    // Expired: the first token, past its `exp`, is refused.
    let expiry = Duration::from_secs(lifetime + 1);
    if let Some(wait) = expiry.checked_sub(issued.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    let (status, _, challenge) = get(&http, &api, "/hello", Some(&access), None).await;
    assert_eq!(status, 401, "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    println!("resource-api log:\n{}", api.log());
}

/// The cost of the revocation check, side by side in one run: the API introspecting by
/// `private_key_jwt`, by `client_secret_basic` with the default 600,000 PBKDF2 iterations, and
/// without introspection (local verification only), `ROUNDS` rounds of `PER_ROUND`
/// sequential requests each, alternating.
/// `cargo test -p jose-ring-service --test resource_api -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement: run by hand"]
async fn introspection_cost() {
    const ROUNDS: usize = 5;
    const PER_ROUND: usize = 20;
    let dir = temp_dir("resource-api-cost");
    let clients = write_clients(&dir, &es256());
    let api_key = es256();
    add_key_client(&clients, "resource-api", &api_key, &[RESOURCE]);
    let api_key_file = dir.join("resource-api.jwk");
    write_private_jwk(&api_key_file, &api_key);
    // A secret client hashed as hash-client does by default.
    let mut file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&clients).unwrap()).unwrap();
    let hash = jose_ring_service::users::PasswordHash::new(
        b"rs-secret-600k",
        std::num::NonZeroU32::new(600_000).unwrap(),
    )
    .unwrap();
    file["clients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "client_id": "resource-api-600k", "secret": hash, "resources": [RESOURCE]
        }));
    std::fs::write(&clients, serde_json::to_vec(&file).unwrap()).unwrap();
    let port = free_port().to_string();
    let origin = format!("http://127.0.0.1:{port}");
    let service = Service::start_at(
        &[
            "--port",
            &port,
            "--issuer",
            &origin,
            "--public-origin",
            &origin,
        ],
        &dir,
        None,
        &["--clients", clients.to_str().unwrap()],
    );
    let start = |env: &[(&str, &str)], log: &str| {
        let mut command = Command::new(example("resource-api"));
        command
            .args(["--issuer", &origin, "--audience", RESOURCE])
            .args(["--port", "0", "--allow-http-loopback"])
            .env("RUST_LOG", "warn");
        for (name, value) in env {
            command.env(name, value);
        }
        Service::spawn(command, dir.join(log))
    };
    let key_file = api_key_file.to_str().unwrap();
    let apis = [
        (
            "private_key_jwt",
            start(
                &[
                    ("RESOURCE_API_CLIENT_ID", "resource-api"),
                    ("RESOURCE_API_CLIENT_KEY", key_file),
                ],
                "key.log",
            ),
        ),
        (
            "client_secret_basic, 600,000 iterations",
            start(
                &[
                    ("RESOURCE_API_CLIENT_ID", "resource-api-600k"),
                    ("RESOURCE_API_CLIENT_SECRET", "rs-secret-600k"),
                ],
                "secret.log",
            ),
        ),
        ("local verification only", start(&[], "local.log")),
    ];
    let http = client();
    let token = client_credentials(&http, &service, BATCH, &[])
        .await
        .token("access_token");
    let mut times = vec![Vec::new(); apis.len()];
    for _ in 0..ROUNDS {
        for (i, (_, api)) in apis.iter().enumerate() {
            for _ in 0..PER_ROUND {
                let started = Instant::now();
                let (status, _, _) = get(&http, api, "/hello", Some(&token), None).await;
                assert_eq!(status, 200);
                times[i].push(started.elapsed());
            }
        }
    }
    let local = {
        let last = times.last_mut().unwrap();
        last.sort();
        last[last.len() / 2]
    };
    for (i, (name, _)) in apis.iter().enumerate() {
        times[i].sort();
        let median = times[i][times[i].len() / 2];
        println!(
            "GET /hello, {} requests: median {median:?} ({:.1}x local) with {name}",
            ROUNDS * PER_ROUND,
            median.as_secs_f64() / local.as_secs_f64()
        );
    }
}
