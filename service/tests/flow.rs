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
use jose_ring::jwt::NumericDate;
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
    assert_eq!(wrong.refusal(), (400, "invalid_grant", INVALID));

    // Rotation: a new pair, the old refresh token is spent; and again.
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
    let rotated = refresh(&http, &service, &refresh2, None).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let refresh3 = rotated.token("refresh_token");

    // Reuse of a spent one (past the grace window of a retry: it is two rotations back)
    // revokes the whole family: the newest refresh token and every access token of the
    // family stop working (RFC 9700 §4.14.2).
    let reused = refresh(&http, &service, &first_refresh, None).await;
    assert_eq!(reused.refusal(), (400, "invalid_grant", REUSED));
    let after = refresh(&http, &service, &refresh3, None).await;
    assert_eq!(after.refusal(), (400, "invalid_grant", FAMILY_REVOKED));
    for token in [&access, &access2] {
        let me = call(&http, &service, "GET", "/me", token, None).await;
        assert_eq!((me.status, me.error()), (401, "revoked"), "{}", me.body);
    }

    // A new login is a new family; logout ends it.
    let pair = login(&http, &service, ADA, None).await;
    let (access4, refresh4) = (pair.token("access_token"), pair.token("refresh_token"));
    assert_eq!(
        call(&http, &service, "GET", "/me", &access4, None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&http, &service, "POST", "/logout", &access4, None)
            .await
            .status,
        204
    );
    let me = call(&http, &service, "GET", "/me", &access4, None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
    let after = refresh(&http, &service, &refresh4, None).await;
    assert_eq!(after.refusal(), (400, "invalid_grant", FAMILY_REVOKED));

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
            "method=POST route=/refresh status=400 reason=\"refresh_token_reused\" sub=\"-\""
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
        &access4,
        &first_refresh,
        &refresh2,
        &refresh3,
        &refresh4,
    ] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!log.contains(signature), "a token in the log");
    }
    assert_eq!(
        log.lines()
            .filter(|line| line.contains(" request method="))
            .count(),
        18,
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
    let refused = serde_json::json!({
        "error": "invalid_grant",
        "error_description": "wrong user name or password"
    });
    assert_eq!(
        (wrong_password.status, &wrong_password.body),
        (400, &refused)
    );
    assert_eq!((unknown_user.status, &unknown_user.body), (400, &refused));
    assert_eq!(wrong_password.www_authenticate, None);

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
    assert_eq!(
        bare.refusal(),
        (
            400,
            "invalid_grant",
            "refresh token bound to a DPoP key: send a proof by that key"
        )
    );
    let stolen = refresh(&http, &service, &refresh_token, Some(&other)).await;
    assert_eq!(stolen.refusal(), (400, "invalid_grant", INVALID));
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

/// The published `kid`s and the `max-age` the answer allows caches.
async fn fetch_jwks(http: &reqwest::Client, service: &Service) -> (Vec<String>, u64) {
    let response = http
        .get(service.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    let cache_control = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    let max_age = cache_control
        .strip_prefix("public, max-age=")
        .unwrap_or_else(|| panic!("Cache-Control: {cache_control}"))
        .parse()
        .unwrap();
    let jwks: serde_json::Value = response.json().await.unwrap();
    let kids = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    (kids, max_age)
}

async fn published(http: &reqwest::Client, service: &Service) -> Vec<String> {
    fetch_jwks(http, service).await.0
}

/// A verifier's cache that keeps a key set exactly as long as `max-age` allows, then fetches
/// it again: the slowest a well-behaved cache can be.
struct StrictCache {
    kids: Vec<String>,
    until: std::time::Instant,
}

impl StrictCache {
    async fn fetch(http: &reqwest::Client, service: &Service) -> Self {
        let started = std::time::Instant::now();
        let (kids, max_age) = fetch_jwks(http, service).await;
        Self {
            kids,
            until: started + std::time::Duration::from_secs(max_age),
        }
    }

    async fn keep_fresh(&mut self, http: &reqwest::Client, service: &Service) {
        if std::time::Instant::now() >= self.until {
            *self = Self::fetch(http, service).await;
        }
    }
}

/// `rotate-key` with the service's key set `max-age` 2 s and reload 1 s: the new key is
/// published by both instances, and known to every cache that fetched the set just before
/// it was published, before any token is signed with it; a shorter lead is refused.
#[tokio::test]
async fn a_new_key_signs_only_once_every_cache_can_know_it() {
    let dir = temp_dir("cache");
    let flags = [
        "--key-reload",
        "1",
        "--jwks-max-age",
        "2",
        "--access-lifetime",
        "1",
        "--refresh-lifetime",
        "1",
    ];
    let a = Service::start(&dir, None, &flags);
    let b = Service::start(&dir, None, &flags);
    let http = client();
    let old_kid = kid_of(&login(&http, &a, ADA, None).await.token("access_token"));
    let rotate = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jose-service"))
            .args(["rotate-key", "--jwks-max-age", "2", "--key-reload", "1"])
            .args(["--refresh-lifetime", "1"])
            .args(extra)
            .arg("--key-dir")
            .arg(&dir)
            .output()
            .unwrap()
    };
    let short = rotate(&["--activate-in", "2"]);
    assert_eq!(
        String::from_utf8_lossy(&short.stderr),
        "jose-service: --activate-in 2 is shorter than --jwks-max-age + --key-reload (3 s): a \
         cache that fetched the key set just before the new key was published would not know \
         it when it signs\n"
    );

    // Caches that fetched the set before the rotation, and then every 100 ms until the new
    // key is published: the last of them fetched just before.
    let mut caches = vec![StrictCache::fetch(&http, &a).await];
    let out = rotate(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    let new_kid = words[2].trim_end_matches(',').to_owned();
    assert_eq!(words[6..9], ["(in", "3", "s);"], "{line}");
    let activation: i64 = words[5].parse().unwrap();

    let mut signed_by_new = 0;
    let mut stale_caches = 0;
    while NumericDate::now().as_seconds() < activation + 2 {
        let published_now = published(&http, &a).await.contains(&new_kid)
            && published(&http, &b).await.contains(&new_kid);
        if !published_now {
            caches.push(StrictCache::fetch(&http, &b).await);
        }
        for (i, cache) in caches.iter_mut().enumerate() {
            let service = if i % 2 == 0 { &a } else { &b };
            cache.keep_fresh(&http, service).await;
        }
        // Each instance signs with its key in force; every cache must know it.
        for service in [&a, &b] {
            let kid = kid_of(&login(&http, service, ADA, None).await.token("access_token"));
            if kid == new_kid {
                signed_by_new += 1;
            } else {
                assert_eq!(kid, old_kid);
            }
            let missing = caches.iter().filter(|c| !c.kids.contains(&kid)).count();
            assert_eq!(
                missing, 0,
                "{missing} caches do not know {kid} when it signs"
            );
        }
        stale_caches =
            stale_caches.max(caches.iter().filter(|c| !c.kids.contains(&new_kid)).count());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(signed_by_new > 0, "the new key never signed");
    assert!(
        stale_caches > 1,
        "no cache held the set without the new key"
    );
    // The other instance verifies the new key's tokens at once; the old key goes once its
    // last token expired (lifetime 1 s + reload 1 s).
    let new_token = login(&http, &b, ADA, None).await.token("access_token");
    assert_eq!(kid_of(&new_token), new_kid);
    assert_eq!(
        call(&http, &a, "GET", "/me", &new_token, None).await.status,
        200
    );
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

#[tokio::test]
async fn a_refresh_retried_in_the_grace_window_keeps_the_session() {
    let dir = temp_dir("grace");
    let service = Service::start(&dir, None, &[]);
    let http = client();
    common::grace::retry_in_the_window_supersedes_the_first_pair(&http, &service, &service).await;
    common::grace::concurrent_presentations_leave_one_pair(&http, &[&service], 8).await;
    let log = service.log();
    assert!(
        log.lines().any(|line| line.contains(" WARN audit event=\"refresh_ok\" account=\"ada\" ip=127.0.0.1 client_id=\"demo-client\" family=")
            && line.ends_with(" retried=true")),
        "{log}"
    );
}

#[tokio::test]
async fn a_refresh_replayed_after_the_grace_window_revokes_the_family() {
    let dir = temp_dir("grace-end");
    let short = Service::start(&dir, None, &["--refresh-grace", "2"]);
    let none = Service::start(&dir, None, &["--refresh-grace", "0"]);
    let http = client();
    common::grace::replay_after_the_window_revokes_the_family(&http, &short, &short, 2).await;
    common::grace::no_window_means_the_second_presentation_is_a_reuse(&http, &none).await;
}

/// RFC 6749 §5.2 at the token endpoints; 404 off the routes; a refresh token expired, or
/// named with another client.
#[tokio::test]
async fn token_endpoint_errors_and_unknown_routes() {
    let dir = temp_dir("errors");
    let service = Service::start(&dir, None, &["--refresh-lifetime", "1"]);
    let http = client();

    for (method, path) in [
        ("GET", "/nope"),
        ("POST", "/me/more"),
        ("GET", "/.well-known/openid-configuration"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = http
            .request(method, service.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers().get("www-authenticate").is_none());
    }

    // Client authentication: the clients are public; one that tries is told so (401, with a
    // challenge of its scheme).
    let body = serde_json::json!({ "username": ADA.0, "password": ADA.1 });
    let basic = answer(
        http.post(service.url("/login"))
            .basic_auth("demo-client", Some("secret"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (basic.refusal(), basic.www_authenticate.as_deref()),
        (
            (
                401,
                "invalid_client",
                "this service has public clients only: send no client credentials"
            ),
            Some(r#"Basic realm="jose-service""#)
        )
    );
    let pair = login(&http, &service, ADA, None).await;
    let token = pair.token("refresh_token");
    let malformed = http
        .post(service.url("/refresh"))
        .header("content-type", "application/json")
        .body("{\"refresh_token\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "error": "invalid_request" })
    );
    let other = refresh_with(
        &http,
        &service,
        serde_json::json!({ "refresh_token": token, "client_id": "another-client" }),
        None,
    )
    .await;
    assert_eq!(
        other.refusal(),
        (
            400,
            "invalid_grant",
            "refresh token issued to another client"
        )
    );
    let own = refresh_with(
        &http,
        &service,
        serde_json::json!({ "refresh_token": token, "client_id": "demo-client" }),
        None,
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = refresh(&http, &service, &own.token("refresh_token"), None).await;
    assert_eq!(
        expired.refusal(),
        (400, "invalid_grant", "refresh token expired")
    );
    assert_eq!(expired.www_authenticate, None);
}

/// The users file is re-read when it changes: roles and scopes at the next refresh, a
/// deleted user's refresh refused.
#[tokio::test]
async fn the_users_file_takes_effect_at_the_next_refresh() {
    let dir = temp_dir("users");
    let users = dir.join("users.json");
    let fixture: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/users.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let write = |file: &serde_json::Value| {
        let temporary = dir.join("users.json.tmp");
        std::fs::write(&temporary, serde_json::to_vec(file).unwrap()).unwrap();
        std::fs::rename(&temporary, &users).unwrap();
    };
    write(&fixture);
    let users_flag = users.to_str().unwrap();
    let service = Service::start(&dir, None, &["--users", users_flag, "--key-reload", "1"]);
    let http = client();
    let pair = login(&http, &service, BOB, None).await;
    assert_eq!(pair.body["scope"], "profile");
    let reports = call(
        &http,
        &service,
        "GET",
        "/reports",
        &pair.token("access_token"),
        None,
    )
    .await;
    assert_eq!(reports.status, 403);

    // Bob gains `reports:read`.
    let mut changed = fixture.clone();
    for user in changed["users"].as_array_mut().unwrap() {
        if user["username"] == "bob" {
            user["scope"] = "profile reports:read".into();
        }
    }
    write(&changed);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let rotated = refresh(&http, &service, &pair.token("refresh_token"), None).await;
    assert_eq!(
        rotated.body["scope"], "profile reports:read",
        "{}",
        rotated.body
    );
    let reports = call(
        &http,
        &service,
        "GET",
        "/reports",
        &rotated.token("access_token"),
        None,
    )
    .await;
    assert_eq!(reports.status, 200, "{}", reports.body);

    // Bob is deleted: his refresh token no longer grants anything.
    let mut without = fixture.clone();
    without["users"]
        .as_array_mut()
        .unwrap()
        .retain(|user| user["username"] != "bob");
    write(&without);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let gone = refresh(&http, &service, &rotated.token("refresh_token"), None).await;
    assert_eq!(
        gone.refusal(),
        (
            400,
            "invalid_grant",
            "the refresh token's user no longer exists"
        )
    );
    assert!(service.log().contains("users file re-read"));
}
