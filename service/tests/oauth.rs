//! The standard OAuth endpoints (issue 25 item 6) on the real binary, one instance, in memory:
//! RFC 8414 metadata, `POST /token` (`client_credentials` by `client_secret_basic` and
//! `private_key_jwt`, `refresh_token` as `/refresh`, DPoP), RFC 7009 revocation, RFC 7662
//! introspection, RFC 6749 §5.2 errors, `hash-client`, and the clients file re-read.
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

use std::time::Duration;

use common::oauth::*;
use common::*;
use jose_ring::SigningKey;

const TOKEN_ENDPOINT: &str = "https://jose-service.test/token";

fn start(key: &SigningKey, extra: &[&str]) -> (Service, std::path::PathBuf) {
    let dir = temp_dir("oauth");
    let clients = write_clients(&dir, key);
    let mut args = vec!["--clients", clients.to_str().unwrap()];
    args.extend_from_slice(extra);
    (Service::start(&dir, None, &args), clients)
}

fn invalid_client(answer: &Answer, description: &str) {
    assert_eq!(
        answer.refusal(),
        (401, "invalid_client", description),
        "{}",
        answer.body
    );
    assert_eq!(
        answer.www_authenticate.as_deref(),
        Some(r#"Basic realm="jose-service""#)
    );
}

#[tokio::test]
async fn metadata_needs_no_credentials() {
    let (service, _) = start(&es256(), &[]);
    let http = client();
    let response = http
        .get(service.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: serde_json::Value = response.json().await.unwrap();
    assert_eq!(document["issuer"], ORIGIN);
    assert_eq!(document["token_endpoint"], TOKEN_ENDPOINT);
    assert_eq!(
        document["jwks_uri"],
        format!("{ORIGIN}/.well-known/jwks.json")
    );
    assert_eq!(document["revocation_endpoint"], format!("{ORIGIN}/revoke"));
    assert_eq!(
        document["introspection_endpoint"],
        format!("{ORIGIN}/introspect")
    );
    assert_eq!(
        document["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "private_key_jwt", "none"])
    );
    assert_eq!(
        document["grant_types_supported"],
        serde_json::json!(["client_credentials", "refresh_token"])
    );
    assert!(
        document["dpop_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&"ES256".into())
    );
}

#[tokio::test]
async fn client_credentials_by_client_secret_basic() {
    let (service, _) = start(&es256(), &[]);
    let http = client();

    // The client's scopes and first resource by default; no refresh token (RFC 6749 §4.4.3).
    let token = client_credentials(&http, &service, BATCH, &[]).await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.body["token_type"], "Bearer");
    assert_eq!(token.body["expires_in"], 900);
    assert_eq!(token.body["scope"], "reports:read profile");
    assert!(token.body.get("refresh_token").is_none(), "{}", token.body);
    let payload = claims(&token.token("access_token"));
    assert_eq!(payload["sub"], BATCH.0);
    assert_eq!(payload["client_id"], BATCH.0);
    assert_eq!(payload["aud"], RESOURCE);
    assert_eq!(payload["iss"], ORIGIN);
    assert!(payload.get("fam").is_none() && payload.get("roles").is_none());

    // RFC 8707: another allowed resource is the audience; scopes narrowed, repeats once.
    let narrowed = client_credentials(
        &http,
        &service,
        BATCH,
        &[("resource", OTHER_RESOURCE), ("scope", "profile profile")],
    )
    .await;
    assert_eq!(narrowed.status, 200, "{}", narrowed.body);
    assert_eq!(narrowed.body["scope"], "profile");
    assert_eq!(
        claims(&narrowed.token("access_token"))["aud"],
        OTHER_RESOURCE
    );

    // RFC 6749 §2.3.1: id and secret form-urlencoded before base64.
    let special = client_credentials(&http, &service, SPECIAL, &[]).await;
    assert_eq!(special.status, 200, "{}", special.body);
    // A client without resources gets the service's own audience: its API accepts it.
    let access = special.token("access_token");
    assert_eq!(claims(&access)["aud"], "jose-service");
    let me = call(&http, &service, "GET", "/me", &access, None).await;
    assert_eq!((me.status, me.body["sub"].as_str()), (200, Some(SPECIAL.0)));
    // ... not its encoding skipped (the '+' is then a space).
    let raw = format!(
        "Basic {}",
        base64ct_encode(format!("{}:{}", SPECIAL.0, SPECIAL.1).as_bytes())
    );
    let skipped = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "client_credentials")],
        Auth {
            authorization: Some(raw),
            ..Auth::default()
        },
    )
    .await;
    invalid_client(&skipped, "client authentication failed");

    // RFC 6749 §5.2 errors.
    let scope = client_credentials(&http, &service, BATCH, &[("scope", "profile admin")]).await;
    assert_eq!(
        scope.refusal(),
        (
            400,
            "invalid_scope",
            "a scope asked for is not one this client may have"
        )
    );
    let target = client_credentials(
        &http,
        &service,
        BATCH,
        &[("resource", "https://elsewhere.test")],
    )
    .await;
    assert_eq!(
        target.refusal(),
        (
            400,
            "invalid_target",
            "the resource is not one this client may have"
        )
    );
    let two = client_credentials(
        &http,
        &service,
        BATCH,
        &[("resource", RESOURCE), ("resource", OTHER_RESOURCE)],
    )
    .await;
    assert_eq!(
        two.refusal(),
        (
            400,
            "invalid_target",
            "only a single resource indicator value is supported for this grant type"
        )
    );
    let wrong = client_credentials(&http, &service, (BATCH.0, "batch-secret-4b1e"), &[]).await;
    invalid_client(&wrong, "client authentication failed");
    assert_eq!(wrong.header("cache-control").as_deref(), Some("no-store"));
    let unknown = client_credentials(&http, &service, ("nobody", BATCH.1), &[]).await;
    invalid_client(&unknown, "client authentication failed");
    let anonymous = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "client_credentials")],
        Auth::default(),
    )
    .await;
    invalid_client(&anonymous, "client authentication required");
    let unauthenticated = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "client_credentials"), ("client_id", BATCH.0)],
        Auth::default(),
    )
    .await;
    invalid_client(&unauthenticated, "this client must authenticate");
    let post = post_form(
        &http,
        &service,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", BATCH.0),
            ("client_secret", BATCH.1),
        ],
        Auth::default(),
    )
    .await;
    invalid_client(
        &post,
        "client_secret_post is not offered: use client_secret_basic or private_key_jwt",
    );
    let grant = client_credentials(&http, &service, BATCH, &[("grant_type", "password")]).await;
    assert_eq!(
        grant.refusal(),
        (
            400,
            "invalid_request",
            "a parameter is included more than once"
        )
    );
    let unsupported = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "password")],
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(
        unsupported.refusal(),
        (
            400,
            "unsupported_grant_type",
            "grant_type is client_credentials or refresh_token"
        )
    );
    let json = http
        .post(service.url("/token"))
        .header("Authorization", basic(BATCH.0, BATCH.1))
        .json(&serde_json::json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(json).await.refusal(),
        (
            400,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded"
        )
    );
    // No secret in the log.
    assert!(!service.log().contains(BATCH.1), "{}", service.log());
}

fn base64ct_encode(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

#[tokio::test]
async fn client_credentials_by_private_key_jwt() {
    let key = es256();
    let (service, _) = start(&key, &[]);
    let http = client();
    let with_assertion = |assertion: String| {
        let http = http.clone();
        let service = &service;
        async move {
            post_form(
                &http,
                service,
                "/token",
                &[
                    ("grant_type", "client_credentials"),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
                Auth::default(),
            )
            .await
        }
    };
    // `aud` the token endpoint (Okta) or the issuer (Auth0, the draft successor of RFC 7523).
    for aud in [TOKEN_ENDPOINT, ORIGIN] {
        let token = with_assertion(assertion(&key, SIGNER, aud, 60)).await;
        assert_eq!(token.status, 200, "{aud}: {}", token.body);
        let claims = claims(&token.token("access_token"));
        assert_eq!(
            (claims["sub"].as_str(), claims["aud"].as_str()),
            (Some(SIGNER), Some("jose-service"))
        );
        assert_eq!(token.body["scope"], "reports:read");
    }
    // Used once, on every instance (the shared store).
    let once = assertion(&key, SIGNER, TOKEN_ENDPOINT, 60);
    assert_eq!(with_assertion(once.clone()).await.status, 200);
    invalid_client(&with_assertion(once).await, "client authentication failed");
    // Another audience, a lifetime beyond an hour, another key, another client's name.
    let refused = [
        assertion(&key, SIGNER, "https://elsewhere.test/token", 60),
        assertion(&key, SIGNER, TOKEN_ENDPOINT, 3700),
        assertion(&es256(), SIGNER, TOKEN_ENDPOINT, 60),
        assertion(&key, BATCH.0, TOKEN_ENDPOINT, 60),
        assertion(&key, SIGNER, TOKEN_ENDPOINT, -30),
        "not.a.jwt".to_owned(),
    ];
    for assertion in refused {
        invalid_client(
            &with_assertion(assertion).await,
            "client authentication failed",
        );
    }
    // The wrong assertion type; two methods at once.
    let typed = post_form(
        &http,
        &service,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:example:other"),
            (
                "client_assertion",
                &assertion(&key, SIGNER, TOKEN_ENDPOINT, 60),
            ),
        ],
        Auth::default(),
    )
    .await;
    invalid_client(
        &typed,
        "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
    let both = post_form(
        &http,
        &service,
        "/token",
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            (
                "client_assertion",
                &assertion(&key, SIGNER, TOKEN_ENDPOINT, 60),
            ),
        ],
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(
        both.refusal(),
        (
            400,
            "invalid_request",
            "more than one client authentication method"
        )
    );
}

#[tokio::test]
async fn dpop_on_the_token_endpoint_binds_the_token() {
    let (service, _) = start(&es256(), &[]);
    let http = client();
    let dpop_key = es256();
    let token = client_credentials_with_proof(
        &http,
        &service,
        SPECIAL,
        proof(&dpop_key, "POST", "/token", None),
    )
    .await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.body["token_type"], "DPoP");
    let access = token.token("access_token");
    assert_eq!(
        claims(&access)["cnf"]["jkt"],
        jose_ring::dpop::jkt(&dpop_key)
    );
    let me = call(&http, &service, "GET", "/me", &access, Some(&dpop_key)).await;
    assert_eq!(
        (me.status, me.body["dpop_bound"].as_bool()),
        (200, Some(true))
    );
    let bearer = call(&http, &service, "GET", "/me", &access, None).await;
    assert_eq!(bearer.status, 401);
    // A proof for another endpoint is refused.
    let wrong = client_credentials_with_proof(
        &http,
        &service,
        SPECIAL,
        proof(&dpop_key, "POST", "/login", None),
    )
    .await;
    assert_eq!(wrong.refusal(), (400, "invalid_dpop_proof", ""));
}

#[tokio::test]
async fn refresh_token_grant_is_the_refresh_of_refresh() {
    let (service, _) = start(&es256(), &[]);
    let http = client();
    let refresh_at_token = |token: String, extra: Vec<(&'static str, &'static str)>| {
        let http = http.clone();
        let service = &service;
        async move {
            let mut params = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", token.as_str()),
            ];
            params.extend(extra);
            post_form(&http, service, "/token", &params, Auth::default()).await
        }
    };
    let pair = login(&http, &service, ADA, None).await;
    let first = pair.token("refresh_token");
    // A public client names itself (RFC 6749 §3.2.1) or not.
    let rotated = refresh_at_token(first.clone(), vec![("client_id", "demo-client")]).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_eq!(rotated.body["token_type"], "Bearer");
    let second = rotated.token("refresh_token");
    // Rotated at /token, then rotated again at /refresh: one family, one state.
    let again = refresh(&http, &service, &second, None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    // The first token, long spent, presented at /token: a reuse revokes the family
    // everywhere.
    let reused = refresh_at_token(first, vec![]).await;
    assert_eq!(reused.refusal(), (400, "invalid_grant", REUSED));
    let revoked = refresh_at_token(again.token("refresh_token"), vec![]).await;
    assert_eq!(revoked.refusal(), (400, "invalid_grant", FAMILY_REVOKED));

    let fresh = login(&http, &service, ADA, None)
        .await
        .token("refresh_token");
    let other = refresh_at_token(fresh.clone(), vec![("client_id", "other-app")]).await;
    assert_eq!(
        other.refusal(),
        (
            400,
            "invalid_grant",
            "refresh token issued to another client"
        )
    );
    let narrower = refresh_at_token(fresh.clone(), vec![("scope", "profile")]).await;
    assert_eq!(
        narrower.refusal(),
        (
            400,
            "invalid_scope",
            "a refresh keeps the scopes of its grant"
        )
    );
    let same = refresh_at_token(fresh, vec![("scope", "reports:read profile")]).await;
    assert_eq!(same.status, 200, "{}", same.body);
    let missing = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "refresh_token")],
        Auth::default(),
    )
    .await;
    assert_eq!(
        missing.refusal(),
        (400, "invalid_request", "refresh_token is required")
    );
    // A confidential client cannot be named by /login, nor refresh a public client's token.
    let taken = http
        .post(service.url("/login"))
        .json(&serde_json::json!({"username": ADA.0, "password": ADA.1, "client_id": BATCH.0}))
        .send()
        .await
        .unwrap();
    invalid_client(
        &answer(taken).await,
        "a client of the clients file authenticates at /token",
    );
    let fresh = login(&http, &service, ADA, None)
        .await
        .token("refresh_token");
    let stolen = post_form(
        &http,
        &service,
        "/token",
        &[("grant_type", "refresh_token"), ("refresh_token", &fresh)],
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(
        stolen.refusal(),
        (
            400,
            "invalid_grant",
            "refresh token issued to another client"
        )
    );
}

async fn introspect(
    http: &reqwest::Client,
    service: &Service,
    client: (&str, &str),
    token: &str,
) -> Answer {
    post_form(
        http,
        service,
        "/introspect",
        &[("token", token)],
        Auth {
            authorization: Some(basic(client.0, client.1)),
            ..Auth::default()
        },
    )
    .await
}

async fn revoke(http: &reqwest::Client, service: &Service, token: &str, auth: Auth<'_>) -> Answer {
    post_form(http, service, "/revoke", &[("token", token)], auth).await
}

#[tokio::test]
async fn introspection_and_revocation() {
    let (service, _) = start(&es256(), &[]);
    let http = client();
    let token = client_credentials(&http, &service, BATCH, &[]).await;
    let access = token.token("access_token");

    // Never an answer without client authentication.
    let anonymous = post_form(
        &http,
        &service,
        "/introspect",
        &[("token", &access)],
        Auth::default(),
    )
    .await;
    invalid_client(&anonymous, "client authentication required");
    assert!(anonymous.body.get("active").is_none());

    // The token's client, and the server of its audience, see it.
    for client in [BATCH, RESOURCE_SERVER] {
        let seen = introspect(&http, &service, client, &access).await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.body["active"], true);
        assert_eq!(seen.body["client_id"], BATCH.0);
        assert_eq!(seen.body["sub"], BATCH.0);
        assert_eq!(seen.body["aud"], RESOURCE);
        assert_eq!(seen.body["scope"], "reports:read profile");
        assert_eq!(seen.body["iss"], ORIGIN);
        assert_eq!(seen.body["token_type"], "Bearer");
        assert_eq!(seen.header("cache-control").as_deref(), Some("no-store"));
    }
    // Another client does not; nor does anyone see garbage or a refresh token.
    let inactive = serde_json::json!({ "active": false });
    assert_eq!(
        introspect(&http, &service, SPECIAL, &access).await.body,
        inactive
    );
    assert_eq!(
        introspect(&http, &service, BATCH, "garbage").await.body,
        inactive
    );
    let pair = login(&http, &service, ADA, None).await;
    assert_eq!(
        introspect(&http, &service, BATCH, &pair.token("refresh_token"))
            .await
            .body,
        inactive
    );

    // Revocation (RFC 7009): 200 for anything, another client's token refused to a
    // confidential client, its own revoked at once.
    let unknown = revoke(
        &http,
        &service,
        "garbage",
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (200, serde_json::Value::Null)
    );
    let foreign = revoke(
        &http,
        &service,
        &access,
        Auth {
            authorization: Some(basic(SPECIAL.0, SPECIAL.1)),
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(
        foreign.refusal(),
        (
            400,
            "invalid_request",
            "client is not authorized to revoke the presented token"
        )
    );
    // A public caller may not revoke a confidential client's token: 200, nothing done.
    assert_eq!(
        revoke(&http, &service, &access, Auth::default())
            .await
            .status,
        200
    );
    assert_eq!(
        introspect(&http, &service, BATCH, &access).await.body["active"],
        true
    );
    let revoked = revoke(
        &http,
        &service,
        &access,
        Auth {
            authorization: Some(basic(BATCH.0, BATCH.1)),
            extra: &[("token_type_hint", "access_token")],
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        introspect(&http, &service, RESOURCE_SERVER, &access)
            .await
            .body,
        inactive
    );
    // Wrong secret: 401 even for revocation.
    let wrong = revoke(
        &http,
        &service,
        &access,
        Auth {
            authorization: Some(basic(BATCH.0, "x")),
            ..Auth::default()
        },
    )
    .await;
    invalid_client(&wrong, "client authentication failed");

    // A user's refresh token revoked by the public client: its family goes.
    let access = pair.token("access_token");
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, None)
            .await
            .status,
        200
    );
    let by_public = revoke(
        &http,
        &service,
        &pair.token("refresh_token"),
        Auth {
            extra: &[
                ("client_id", "demo-client"),
                ("token_type_hint", "refresh_token"),
            ],
            ..Auth::default()
        },
    )
    .await;
    assert_eq!(by_public.status, 200, "{}", by_public.body);
    let me = call(&http, &service, "GET", "/me", &access, None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
    let next = refresh(&http, &service, &pair.token("refresh_token"), None).await;
    assert_eq!(next.refusal(), (400, "invalid_grant", FAMILY_REVOKED));

    // A user's access token: revoked by jti; its refresh token lives on.
    let pair = login(&http, &service, BOB, None).await;
    let by_anyone = revoke(
        &http,
        &service,
        &pair.token("access_token"),
        Auth::default(),
    )
    .await;
    assert_eq!(by_anyone.status, 200);
    let me = call(
        &http,
        &service,
        "GET",
        "/me",
        &pair.token("access_token"),
        None,
    )
    .await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
    assert_eq!(
        refresh(&http, &service, &pair.token("refresh_token"), None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_bound_token_is_introspected_with_its_key() {
    let (service, _) = start(&es256(), &[]);
    let http = client();
    let dpop_key = es256();
    let token = client_credentials_with_proof(
        &http,
        &service,
        BATCH,
        proof(&dpop_key, "POST", "/token", None),
    )
    .await;
    let seen = introspect(
        &http,
        &service,
        RESOURCE_SERVER,
        &token.token("access_token"),
    )
    .await;
    assert_eq!(seen.body["active"], true, "{}", seen.body);
    assert_eq!(seen.body["token_type"], "DPoP");
    assert_eq!(seen.body["cnf"]["jkt"], jose_ring::dpop::jkt(&dpop_key));
}

#[tokio::test]
async fn hash_client_prints_an_entry_and_warns_about_unencoded_secrets() {
    let (entry, warning) = hash_client(
        &[
            "--client-id",
            "c1",
            "--scope",
            "a b",
            "--resource",
            RESOURCE,
        ],
        "plain-secret",
    );
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(entry["client_id"], "c1");
    assert_eq!(entry["scope"], "a b");
    assert_eq!(entry["resources"], serde_json::json!([RESOURCE]));
    assert_eq!(entry["secret"]["alg"], "PBKDF2-HMAC-SHA256");
    assert_eq!(entry["secret"]["iterations"], 1000);
    assert_eq!(warning, "");
    let (_, warning) = hash_client(&["--client-id", "c1"], "p+s");
    assert!(
        warning.contains("warning: the secret has characters other than"),
        "{warning}"
    );
    // A bad entry fails at once.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jose-service"))
        .args([
            "hash-client",
            "--client-id",
            "c1",
            "--resource",
            "http://remote.test",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn the_clients_file_is_re_read() {
    let key = es256();
    let (service, clients) = start(&key, &["--key-reload", "1"]);
    let http = client();
    let newcomer = ("newcomer", "newcomer-secret-1");
    let refused = client_credentials(&http, &service, newcomer, &[]).await;
    invalid_client(&refused, "client authentication failed");
    let mut file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&clients).unwrap()).unwrap();
    let (entry, _) = hash_client(
        &["--client-id", newcomer.0, "--scope", "profile"],
        newcomer.1,
    );
    file["clients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::from_str(&entry).unwrap());
    std::fs::write(&clients, serde_json::to_vec(&file).unwrap()).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let token = client_credentials(&http, &service, newcomer, &[]).await;
        if token.status == 200 {
            assert_eq!(token.body["scope"], "profile");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not re-read: {}",
            service.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        service.log().contains("clients file re-read"),
        "{}",
        service.log()
    );
}
