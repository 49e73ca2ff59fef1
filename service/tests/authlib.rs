//! Tested with a client others wrote (issue 25 item 8): Python's authlib (PyPI, pinned in
//! `tests/authlib/requirements.txt`) drives the service's standard endpoints, as any
//! application using it would: RFC 8414 metadata, `client_credentials` with
//! `client_secret_basic` and with `private_key_jwt` (aud the token endpoint, then the
//! issuer), `refresh_token` for a public client (rotation, then reuse refused), RFC 7662
//! introspection and RFC 7009 revocation (`tests/authlib/interop.py`).
//!
//! Runs when `JOSE_AUTHLIB_PYTHON` names a Python with those packages (`.ci/run` makes a venv
//! and sets it); skipped with a loud message otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test: a panic is a failed test"
)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::oauth::*;
use common::*;
use jose_ring::jwk::Jwk;
use serde_json::json;

#[tokio::test]
async fn authlib_drives_the_oauth_endpoints() {
    let Ok(python) = std::env::var("JOSE_AUTHLIB_PYTHON") else {
        eprintln!(
            "\n!!!!!!!! SKIPPED: set JOSE_AUTHLIB_PYTHON to a Python with \
             service/tests/authlib/requirements.txt installed (.ci/run makes one) to run the \
             authlib interop !!!!!!!!\n"
        );
        return;
    };
    let dir = temp_dir("authlib");
    let key = es256();
    let clients = write_clients(&dir, &key);
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
        // No grace window: the second presentation of a refresh token is a reuse.
        &[
            "--clients",
            clients.to_str().unwrap(),
            "--refresh-grace",
            "0",
        ],
    );
    let http = client();
    let refresh_token = login(&http, &service, ADA, None)
        .await
        .token("refresh_token");
    let second_refresh_token = login(&http, &service, ADA, None)
        .await
        .token("refresh_token");
    let private_jwk: serde_json::Value = serde_json::from_slice(
        Jwk::from_signing_key(&key)
            .unwrap()
            .to_private_json()
            .expose(),
    )
    .unwrap();
    let config = json!({
        "metadata": format!("{origin}/.well-known/oauth-authorization-server"),
        "batch": [BATCH.0, BATCH.1],
        "resource_server": [RESOURCE_SERVER.0, RESOURCE_SERVER.1],
        "signer": { "client_id": SIGNER, "jwk": private_jwk },
        "public_client": "demo-client",
        "refresh_token": refresh_token,
        "second_refresh_token": second_refresh_token,
        "resource": RESOURCE,
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/authlib/interop.py");
    let mut child = Command::new(&python)
        .arg(script)
        // authlib refuses plain http unless told: the service is on loopback here.
        .env("AUTHLIB_INSECURE_TRANSPORT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(config.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "interop.py failed:\n{}\nservice log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        service.log()
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    println!("authlib saw: {seen:#}");
    assert_eq!(seen["metadata"]["issuer"], origin);
    assert_eq!(
        seen["client_secret_basic"],
        json!({"token_type": "Bearer", "scope": "reports:read", "expires_in": 900, "refresh_token": false})
    );
    assert_eq!(seen["wrong_secret"], "invalid_client");
    for name in ["private_key_jwt", "private_key_jwt_issuer_aud"] {
        assert_eq!(
            seen[name],
            json!({"token_type": "Bearer", "scope": "reports:read"})
        );
    }
    assert_eq!(seen["private_key_jwt_introspection"], true);
    assert_eq!(
        seen["refresh_token"],
        json!({"token_type": "Bearer", "rotated": true})
    );
    assert_eq!(
        seen["refresh_token_reused"],
        json!([
            "invalid_grant",
            "refresh token already used: its family is revoked"
        ])
    );
    let introspection = &seen["introspection"];
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["client_id"], BATCH.0);
    assert_eq!(introspection["aud"], RESOURCE);
    assert_eq!(introspection["scope"], "reports:read");
    assert_eq!(seen["revocation_status"], 200);
    assert_eq!(
        seen["introspection_after_revocation"],
        json!({"active": false})
    );
    assert_eq!(seen["refresh_revocation_status"], 200);
    assert_eq!(
        seen["refresh_after_revocation"],
        json!(["invalid_grant", "refresh token revoked"])
    );
}
