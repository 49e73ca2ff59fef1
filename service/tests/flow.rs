//! The whole flow on one instance with the in-memory store (runs anywhere): the real binary,
//! a real HTTP client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test: a panic is a failed test, and it prints its figures"
)]

mod common;

use common::*;
use jose_ring::{SigningKey, jwa};

#[tokio::test]
async fn login_call_refresh_reuse_logout() {
    let dir = temp_dir("flow");
    let service = Service::start(&dir, None, &[]);
    let http = client();

    // Login: a Bearer pair with RFC 9068 claims.
    let pair = login(&http, &service, ADA, None).await;
    assert_eq!(pair.status, 200, "{}", pair.body);
    assert_eq!(pair.body["token_type"], "Bearer");
    assert_eq!(pair.body["expires_in"], 900);
    let access = pair.token("access_token");
    let first_refresh = pair.token("refresh_token");

    let me = call(&http, &service, "GET", "/me", &access, None).await;
    assert_eq!((me.status, me.body["sub"].as_str()), (200, Some("ada")));
    assert_eq!(me.body["roles"], serde_json::json!(["admin"]));
    assert_eq!(
        call(&http, &service, "GET", "/admin", &access, None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&http, &service, "GET", "/reports", &access, None)
            .await
            .status,
        200
    );

    // The refresh token is not an access token, nor the access token a refresh token.
    let wrong = call(&http, &service, "GET", "/me", &first_refresh, None).await;
    assert_eq!((wrong.status, wrong.error()), (401, "invalid_token"));
    let wrong = refresh(&http, &service, &access, None).await;
    assert_eq!((wrong.status, wrong.error()), (401, "invalid_grant"));

    // Rotation: a new pair, the old refresh token is spent.
    let rotated = refresh(&http, &service, &first_refresh, None).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let access2 = rotated.token("access_token");
    let refresh2 = rotated.token("refresh_token");
    assert_ne!(refresh2, first_refresh);
    assert_eq!(
        call(&http, &service, "GET", "/me", &access2, None)
            .await
            .status,
        200
    );

    // Reuse of the spent one revokes the whole family: the new refresh token and every
    // access token of the family stop working (RFC 9700 §4.14.2).
    let reused = refresh(&http, &service, &first_refresh, None).await;
    assert_eq!(
        (reused.status, reused.error()),
        (401, "refresh_token_reused")
    );
    let after = refresh(&http, &service, &refresh2, None).await;
    assert_eq!((after.status, after.error()), (401, "family_revoked"));
    for token in [&access, &access2] {
        let me = call(&http, &service, "GET", "/me", token, None).await;
        assert_eq!((me.status, me.error()), (401, "revoked"), "{}", me.body);
    }

    // A new login is a new family; logout ends it.
    let pair = login(&http, &service, ADA, None).await;
    let (access3, refresh3) = (pair.token("access_token"), pair.token("refresh_token"));
    assert_eq!(
        call(&http, &service, "GET", "/me", &access3, None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&http, &service, "POST", "/logout", &access3, None)
            .await
            .status,
        204
    );
    let me = call(&http, &service, "GET", "/me", &access3, None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
    let after = refresh(&http, &service, &refresh3, None).await;
    assert_eq!((after.status, after.error()), (401, "family_revoked"));

    // The log: one line per request, reason codes, `sub` only when verified, never a token.
    let log = service.log();
    assert!(
        !log.contains("request rejected"),
        "the guard's own events are off by default"
    );
    assert!(
        log.contains("method=GET route=/me status=200 reason=\"-\" sub=\"ada\""),
        "{log}"
    );
    assert!(
        log.contains(
            "method=POST route=/refresh status=401 reason=\"refresh_token_reused\" sub=\"-\""
        ),
        "{log}"
    );
    assert!(
        log.contains("method=GET route=/me status=401 reason=\"revoked\" sub=\"-\""),
        "{log}"
    );
    for token in [
        &access,
        &access2,
        &access3,
        &first_refresh,
        &refresh2,
        &refresh3,
    ] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!log.contains(signature), "a token in the log");
    }
    assert_eq!(
        log.lines()
            .filter(|line| line.contains(" request method="))
            .count(),
        17,
        "{log}"
    );
}

#[tokio::test]
async fn roles_scopes_and_credentials() {
    let dir = temp_dir("roles");
    let service = Service::start(&dir, None, &[]);
    let http = client();

    let bob = login(&http, &service, BOB, None)
        .await
        .token("access_token");
    assert_eq!(
        call(&http, &service, "GET", "/me", &bob, None).await.status,
        200
    );
    let admin = call(&http, &service, "GET", "/admin", &bob, None).await;
    assert_eq!(
        (admin.status, admin.error()),
        (403, "insufficient_role"),
        "{}",
        admin.body
    );
    let reports = call(&http, &service, "GET", "/reports", &bob, None).await;
    assert_eq!(
        (reports.status, reports.error()),
        (403, "insufficient_scope"),
        "{}",
        reports.body
    );

    // A wrong password and an unknown user answer exactly the same.
    let wrong_password = login(&http, &service, ("ada", "wrong"), None).await;
    let unknown_user = login(
        &http,
        &service,
        ("mallory", "correct horse battery staple"),
        None,
    )
    .await;
    assert_eq!(
        (wrong_password.status, &wrong_password.body),
        (401, &serde_json::json!({"error": "invalid_credentials"}))
    );
    assert_eq!(
        (unknown_user.status, &unknown_user.body),
        (401, &serde_json::json!({"error": "invalid_credentials"}))
    );

    // No token, a malformed one, a forged one.
    let none = http.get(service.url("/me")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(
        none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let forged_key = SigningKey::generate(&jwa::ES256).unwrap();
    let forged = jose_ring::jwt::encode(
        &serde_json::json!({"sub": "ada", "exp": 4_000_000_000u64}),
        &forged_key,
    )
    .unwrap();
    assert_eq!(
        call(&http, &service, "GET", "/me", &forged, None)
            .await
            .status,
        401
    );

    // The JWKS: the signing key, public members only.
    let jwks: serde_json::Value = http
        .get(service.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0]["kty"].as_str(), keys[0]["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    assert!(keys[0].get("d").is_none());
}

#[tokio::test]
async fn dpop_bound_tokens_need_proofs_by_their_key() {
    let dir = temp_dir("dpop");
    let service = Service::start(&dir, None, &[]);
    let http = client();
    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let other = SigningKey::generate(&jwa::ES256).unwrap();

    let pair = login(&http, &service, ADA, Some(&key)).await;
    assert_eq!(pair.status, 200, "{}", pair.body);
    assert_eq!(pair.body["token_type"], "DPoP");
    let access = pair.token("access_token");
    let refresh_token = pair.token("refresh_token");

    let me = call(&http, &service, "GET", "/me", &access, Some(&key)).await;
    assert_eq!(
        (me.status, me.body["dpop_bound"].as_bool()),
        (200, Some(true)),
        "{}",
        me.body
    );
    // As a Bearer token, or with another key's proof: refused.
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, None)
            .await
            .status,
        401
    );
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, Some(&other))
            .await
            .status,
        401
    );
    // The same proof twice: refused the second time.
    let once = proof(&key, "GET", "/me", Some(&access));
    assert_eq!(
        call_with_proof(&http, &service, "/me", &access, &once)
            .await
            .status,
        200
    );
    let replay = call_with_proof(&http, &service, "/me", &access, &once).await;
    assert_eq!(replay.status, 401, "{}", replay.body);

    // The refresh token is bound too: no proof, or another key's, is refused.
    let bare = refresh(&http, &service, &refresh_token, None).await;
    assert_eq!((bare.status, bare.error()), (401, "use_dpop_proof"));
    let stolen = refresh(&http, &service, &refresh_token, Some(&other)).await;
    assert_eq!((stolen.status, stolen.error()), (401, "invalid_grant"));
    let rotated = refresh(&http, &service, &refresh_token, Some(&key)).await;
    assert_eq!(
        (rotated.status, rotated.body["token_type"].as_str()),
        (200, Some("DPoP")),
        "{}",
        rotated.body
    );
    let access2 = rotated.token("access_token");
    assert_eq!(
        call(&http, &service, "GET", "/me", &access2, Some(&key))
            .await
            .status,
        200
    );
}

fn kid_of(token: &str) -> String {
    let header =
        jose_ring::jws::Unverified::parse(token).map(|u| u.header().kid().map(str::to_owned));
    header.unwrap().expect("no kid")
}

async fn published(http: &reqwest::Client, service: &Service) -> Vec<String> {
    let jwks: serde_json::Value = http
        .get(service.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// `rotate-key` on the shared directory: both instances publish the new key before either
/// signs with it, then sign with it, and drop the old key once its tokens have expired.
#[tokio::test]
async fn key_rotation_across_two_instances() {
    let dir = temp_dir("rotate");
    let short = [
        "--key-reload",
        "1",
        "--access-lifetime",
        "1",
        "--refresh-lifetime",
        "1",
    ];
    let a = Service::start(&dir, None, &short);
    let b = Service::start(&dir, None, &short);
    let http = client();
    let old_token = login(&http, &a, ADA, None).await.token("access_token");
    let old_kid = kid_of(&old_token);
    assert_eq!(published(&http, &b).await, std::slice::from_ref(&old_kid));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jose-service"))
        .args([
            "rotate-key",
            "--activate-in",
            "3",
            "--key-reload",
            "1",
            "--refresh-lifetime",
            "1",
            "--key-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_kid = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(',')
        .to_owned();

    // Published ahead on both, while the old key still signs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let (on_a, on_b) = (published(&http, &a).await, published(&http, &b).await);
        if on_a.contains(&new_kid) && on_b.contains(&new_kid) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "new key not published: {on_a:?} {on_b:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Then it signs; the other instance verifies at once (it published it before).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(6);
    let new_token = loop {
        let token = login(&http, &b, ADA, None).await.token("access_token");
        if kid_of(&token) == new_kid {
            break token;
        }
        assert!(std::time::Instant::now() < deadline, "new key never signed");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        call(&http, &a, "GET", "/me", &new_token, None).await.status,
        200
    );
    // The old key stays until its last token expired (lifetime 1 s + reload 1 s), then goes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while published(&http, &a).await.contains(&old_kid) {
        assert!(
            std::time::Instant::now() < deadline,
            "old key never retired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(published(&http, &a).await, [new_kid]);
}
