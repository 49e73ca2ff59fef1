//! End to end, over real sockets (issue 24 items 1-3): optional authentication
//! (`optional_layer`, `Option<Auth>`, `Option<Claims<T>>`), scopes and roles read from the
//! claim shapes providers emit (`tests/fixtures/provider-claims.json`, each shape cited
//! from its provider's documentation), and step-up (RFC 9470: `acr`, `auth_time`). The app
//! runs on 127.0.0.1 behind the guard; tokens are HS256; the client is reqwest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use jose_ring_axum::{Auth, BuildError, ClaimSource, Claims, Guard, Reason};
use serde_json::{Value, json};
use support::app::{Bound, bearer, client, get_with};
use support::tokens::{self, ISSUER, claims, hs256, now, with};

/// What `Option<Auth>` and `Option<Claims<Value>>` saw, as JSON.
async fn maybe(auth: Option<Auth>, claims: Option<Claims<Value>>) -> axum::Json<Value> {
    axum::Json(json!({
        "auth": auth.as_ref().map(|a| a.subject()),
        "claims": claims.map(|Claims(c)| c["sub"].clone()),
    }))
}

/// The scopes, roles, `acr` and `auth_time` the guard read.
async fn facts(auth: Auth) -> axum::Json<Value> {
    axum::Json(json!({
        "scopes": auth.scopes().collect::<Vec<_>>(),
        "roles": auth.roles().collect::<Vec<_>>(),
        "acr": auth.acr(),
        "auth_time": auth.auth_time().map(|t| t.as_seconds()),
    }))
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

// ---- 1. Optional authentication ----

#[tokio::test]
async fn an_optional_router_lets_requests_without_credentials_through_anonymous() {
    let guard = tokens::hs256_guard().build().unwrap();
    let app = Bound::new().await.serve(
        Router::new()
            .route("/feed", get(maybe))
            .route(
                "/post",
                get(|| async { "posted" }).layer(guard.require_scope("write")),
            )
            .layer(guard.optional_layer()),
    );
    let http = client();

    // No credentials, or another scheme (no credentials for this guard): the handler runs,
    // and both optional extractors are None.
    for headers in [vec![], vec![("authorization", "Basic YWRhOnB3")]] {
        let answer = get_with(&http, &app.url("/feed"), &headers).await;
        assert_eq!(answer.status, 200, "{headers:?}: {}", answer.body);
        assert_eq!(json_of(&answer.body), json!({"auth": null, "claims": null}));
        assert!(answer.header("www-authenticate").is_none());
    }

    // A valid token: both are Some.
    let token = hs256(&claims(ISSUER));
    let answer = bearer(&http, &app.url("/feed"), &token).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        json_of(&answer.body),
        json!({"auth": "ada", "claims": "ada"})
    );

    // Credentials that do not pass are refused, never taken as anonymous.
    let expired = hs256(&with(claims(ISSUER), "exp", json!(now() - 60)));
    let forged = {
        let mut t = token.clone();
        t.pop();
        t.push(if token.ends_with('A') { 'B' } else { 'A' });
        t
    };
    for (bad, reason) in [(&expired, "expired"), (&forged, "invalid_token")] {
        let answer = bearer(&http, &app.url("/feed"), bad).await;
        assert_eq!(answer.status, 401, "{reason}: {}", answer.body);
        assert!(
            answer
                .challenge("Bearer")
                .starts_with(r#"Bearer error="invalid_token""#),
            "{reason}: {:?}",
            answer.challenges()
        );
        assert_eq!(
            json_of(&answer.body),
            json!({"error": "invalid_token", "reason": reason})
        );
        answer.assert_leaks_nothing_of(bad);
    }
    // A malformed request stays a malformed request (400), not anonymous.
    let answer = get_with(&http, &app.url("/feed"), &[("authorization", "Bearer")]).await;
    assert_eq!(answer.status, 400);

    // A required layer behind the optional one still refuses anonymous requests, as a
    // request without credentials (RFC 6750 §3.1: no error code).
    let answer = get_with(&http, &app.url("/post"), &[]).await;
    assert_eq!(
        (answer.status, answer.challenges()),
        (401, vec!["Bearer".to_owned()])
    );
    let answer = bearer(&http, &app.url("/post"), &token).await;
    assert_eq!(answer.status, 403, "the token lacks write: {}", answer.body);
    let writer = hs256(&with(claims(ISSUER), "scope", json!("read write")));
    let answer = bearer(&http, &app.url("/post"), &writer).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "posted"));

    let counters = guard.counters();
    // Anonymous: the two /feed requests only (the refused /post one is a refusal).
    assert_eq!(counters.anonymous(), 2);
    assert_eq!(counters.accepted(), 2);
    assert_eq!(counters.rejected(Reason::MissingCredentials), 1);
    assert_eq!(counters.rejected(Reason::Expired), 1);
    assert_eq!(counters.rejected(Reason::InvalidToken), 1);
    assert_eq!(counters.rejected(Reason::InvalidRequest), 1);
    assert_eq!(counters.rejected(Reason::InsufficientScope), 1);
}

#[tokio::test]
async fn optional_per_route_and_no_layer_at_all_fails_closed() {
    let guard = tokens::hs256_guard().build().unwrap();
    let app = Bound::new().await.serve(
        Router::new()
            .route("/maybe", get(maybe).layer(guard.optional_layer()))
            .route("/must", get(maybe).layer(guard.layer()))
            // A route whose author forgot the layer: `Option<Auth>` must not read as
            // anonymous there.
            .route("/forgot", get(maybe)),
    );
    let http = client();
    let answer = get_with(&http, &app.url("/maybe"), &[]).await;
    assert_eq!(
        (answer.status, json_of(&answer.body)),
        (200, json!({"auth": null, "claims": null}))
    );
    let answer = get_with(&http, &app.url("/must"), &[]).await;
    assert_eq!(answer.status, 401);
    let token = hs256(&claims(ISSUER));
    let answer = bearer(&http, &app.url("/must"), &token).await;
    assert_eq!(
        (answer.status, json_of(&answer.body)),
        (200, json!({"auth": "ada", "claims": "ada"}))
    );
    for headers in [vec![], vec![("authorization", format!("Bearer {token}"))]] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = get_with(&http, &app.url("/forgot"), &headers).await;
        assert_eq!(answer.status, 500, "{headers:?}");
        assert_eq!(
            answer.body,
            "authentication is not configured for this route"
        );
    }
}

// ---- 2. Scopes and roles from the shapes providers emit ----

/// A claim source of the fixture: `{"path": .., "prefix": .., "delimiter": ..}`.
fn source(spec: &Value) -> ClaimSource {
    let mut source = ClaimSource::new(spec["path"].as_str().unwrap());
    if let Some(prefix) = spec["prefix"].as_str() {
        source = source.prefix(prefix);
    }
    if let Some(delimiter) = spec["delimiter"].as_str() {
        source = source.delimiter(delimiter.chars().next().unwrap());
    }
    source
}

#[tokio::test]
async fn scopes_and_roles_are_read_from_each_providers_documented_shape() {
    let fixtures: Value =
        serde_json::from_str(include_str!("fixtures/provider-claims.json")).unwrap();
    let providers = fixtures["providers"].as_array().unwrap();
    assert_eq!(providers.len(), 6);
    let http = client();
    for provider in providers {
        let name = provider["name"].as_str().unwrap();
        assert!(
            provider["sources"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["url"].as_str().unwrap().starts_with("https://")
                    && !s["title"].as_str().unwrap().is_empty()),
            "{name}: every shape cites its page"
        );
        let mut builder = tokens::hs256_guard();
        if provider["scope_claims"] != "default" {
            builder = builder.scope_claims(
                provider["scope_claims"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(source),
            );
        }
        if provider["role_claims"] != "default" {
            builder = builder.role_claims(
                provider["role_claims"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(source),
            );
        }
        let guard = builder.build().unwrap();
        let roles: Vec<&str> = provider["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let first_role = roles.first().copied().unwrap_or("none");
        let app = Bound::new().await.serve(
            Router::new()
                .route("/facts", get(facts))
                .route(
                    "/role",
                    get(|| async { "role" }).layer(guard.require_role(first_role)),
                )
                .route(
                    "/other-role",
                    get(|| async { "role" }).layer(guard.require_role("not-granted")),
                )
                .layer(guard.layer()),
        );
        let mut payload = claims(ISSUER);
        for (member, value) in provider["claims"].as_object().unwrap() {
            payload = with(payload, member, value.clone());
        }
        if provider["claims"].get("scope").is_none() {
            payload = with(payload, "scope", Value::Null);
        }
        let token = hs256(&payload);
        let answer = bearer(&http, &app.url("/facts"), &token).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
        let read = json_of(&answer.body);
        // Names come in the order the claims are in the token: compare them sorted.
        let sorted = |v: &Value| {
            let mut names: Vec<String> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            sorted(&read["scopes"]),
            sorted(&provider["scopes"]),
            "{name}: scopes"
        );
        assert_eq!(
            sorted(&read["roles"]),
            sorted(&provider["roles"]),
            "{name}: roles"
        );
        let answer = bearer(&http, &app.url("/role"), &token).await;
        assert_eq!(
            answer.status,
            if roles.is_empty() { 403 } else { 200 },
            "{name}: require_role({first_role})"
        );
        let answer = bearer(&http, &app.url("/other-role"), &token).await;
        assert_eq!(answer.status, 403, "{name}: a role not granted");
        assert_eq!(
            json_of(&answer.body),
            json!({"error": "insufficient_scope", "reason": "insufficient_role"})
        );
    }
}

#[tokio::test]
async fn require_scope_reads_okta_arrays_entra_strings_and_auth0_permissions() {
    // Auth0 with RBAC: `permissions` beside `scope`; an Entra-style `scp` string and an
    // Okta-style `scp` array through the defaults.
    let guard = tokens::hs256_guard()
        .scope_claims(["scope", "scp", "permissions"])
        .build()
        .unwrap();
    let app = Bound::new().await.serve(
        Router::new()
            .route(
                "/orders",
                get(|| async { "orders" }).layer(guard.require_scope("orders:write")),
            )
            .layer(guard.layer()),
    );
    let http = client();
    let base = || with(claims(ISSUER), "scope", Value::Null);
    for (member, value, status) in [
        ("scp", json!("orders:read orders:write"), 200),
        ("scp", json!(["orders:read", "orders:write"]), 200),
        ("permissions", json!(["orders:write"]), 200),
        ("permissions", json!("orders:write"), 200),
        ("scope", json!("orders:read"), 403),
        ("scp", json!({"orders:write": true}), 403),
        ("roles", json!(["orders:write"]), 403),
    ] {
        let token = hs256(&with(base(), member, value.clone()));
        let answer = bearer(&http, &app.url("/orders"), &token).await;
        assert_eq!(answer.status, status, "{member}: {value}");
        if status == 403 {
            assert_eq!(
                answer.challenge("Bearer"),
                r#"Bearer error="insufficient_scope", error_description="the token lacks a scope this route needs", scope="orders:write""#
            );
        }
    }
}

#[test]
fn a_claim_path_that_cannot_be_read_is_a_build_error() {
    for bad in [
        "",
        "realm_access.",
        "a..b",
        r#""https://example.com/roles"#,
        "sub",
        "acr",
    ] {
        let built = tokens::hs256_guard().role_claims([bad]).build();
        match built {
            Err(BuildError::ClaimPath(path)) => assert_eq!(path, bad),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    let error = tokens::hs256_guard()
        .scope_claims(["a..b"])
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"claim path "a..b" is not a dotted path of claim names (quote a name with dots)"#
    );
}

// ---- 3. Step-up (RFC 9470) ----

/// The app of the step-up tests: `/facts` any token; `/admin` scope `admin`, `acr` one of
/// `phrh phr`, authenticated at most 300 s ago; `/recent` the age only.
async fn step_up_app() -> (support::app::App, Guard) {
    let guard = tokens::hs256_guard().build().unwrap();
    let app = Bound::new().await.serve(
        Router::new()
            .route("/facts", get(facts))
            .route(
                "/admin",
                get(|| async { "admin" }).layer(
                    guard
                        .require_scope("admin")
                        .acr(["phrh", "phr"])
                        .max_auth_age(Duration::from_secs(300)),
                ),
            )
            .route(
                "/recent",
                get(|| async { "recent" })
                    .layer(guard.require_max_auth_age(Duration::from_secs(60))),
            )
            .layer(guard.layer()),
    );
    (app, guard)
}

fn admin_token(acr: Value, auth_time: Value) -> String {
    let payload = with(claims(ISSUER), "scope", json!("read admin"));
    hs256(&with(with(payload, "acr", acr), "auth_time", auth_time))
}

#[tokio::test]
async fn step_up_passes_a_strong_recent_authentication() {
    let (app, guard) = step_up_app().await;
    let http = client();
    let at = now() - 10;
    let token = admin_token(json!("phr"), json!(at));
    let answer = bearer(&http, &app.url("/admin"), &token).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "admin"));
    let answer = bearer(&http, &app.url("/facts"), &token).await;
    let read = json_of(&answer.body);
    assert_eq!(
        (read["acr"].clone(), read["auth_time"].clone()),
        (json!("phr"), json!(at))
    );
    // A fractional auth_time (a NumericDate may be one) counts its whole seconds.
    let token = admin_token(
        json!("phrh"),
        json!(f64::from(u32::try_from(now() - 5).unwrap()) + 0.5),
    );
    assert_eq!(bearer(&http, &app.url("/admin"), &token).await.status, 200);
    assert_eq!(guard.counters().accepted(), 3);
}

#[tokio::test]
async fn a_weak_or_old_authentication_gets_the_rfc_9470_challenge() {
    let (app, guard) = step_up_app().await;
    let http = client();
    let level = r#"Bearer error="insufficient_user_authentication", error_description="a different authentication level is required", acr_values="phrh phr", max_age="300""#;
    let recency = r#"Bearer error="insufficient_user_authentication", error_description="more recent authentication is required", acr_values="phrh phr", max_age="300""#;
    let recent = json!(now() - 10);
    for (acr, auth_time, challenge) in [
        (json!("1"), recent.clone(), level), // Keycloak's default acr
        (json!("urn:mace:incommon:iap:silver"), recent.clone(), level),
        (Value::Null, recent.clone(), level),        // no acr
        (json!(["phr"]), recent.clone(), level),     // not a string
        (json!("phr"), json!(now() - 301), recency), // too long ago
        (json!("phr"), Value::Null, recency),        // no auth_time
        (json!("phr"), json!("yesterday"), recency), // not a NumericDate
        (json!("1"), json!(now() - 301), level),     // both: the level is named first
    ] {
        let token = admin_token(acr.clone(), auth_time.clone());
        let answer = bearer(&http, &app.url("/admin"), &token).await;
        assert_eq!(answer.status, 401, "{acr} {auth_time}: {}", answer.body);
        assert_eq!(answer.challenges(), [challenge], "{acr} {auth_time}");
        assert_eq!(
            json_of(&answer.body),
            json!({"error": "insufficient_user_authentication", "reason": "insufficient_user_authentication"})
        );
        answer.assert_leaks_nothing_of(&token);
    }
    // A route with a maximum age only names max_age.
    let token = admin_token(json!("phr"), json!(now() - 61));
    let answer = bearer(&http, &app.url("/recent"), &token).await;
    assert_eq!(
        answer.challenges(),
        [
            r#"Bearer error="insufficient_user_authentication", error_description="more recent authentication is required", max_age="60""#
        ]
    );
    // Scopes come first: re-authenticating would not give the token a scope (403).
    let weak_without_admin = hs256(&with(claims(ISSUER), "acr", json!("1")));
    let answer = bearer(&http, &app.url("/admin"), &weak_without_admin).await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        guard
            .counters()
            .rejected(Reason::InsufficientUserAuthentication),
        9
    );
    assert_eq!(guard.counters().rejected(Reason::InsufficientScope), 1);
}

#[tokio::test]
async fn the_reject_hook_sees_what_step_up_requires() {
    let guard = tokens::hs256_guard()
        .on_reject(|rejection| {
            axum::response::IntoResponse::into_response(axum::Json(json!({
                "acr_values": rejection.acr_values(),
                "max_age": rejection.max_age(),
            })))
        })
        .build()
        .unwrap();
    let app = Bound::new().await.serve(
        Router::new()
            .route(
                "/pay",
                get(|| async { "paid" }).layer(guard.require_acr(["urn:example:mfa"])),
            )
            .layer(guard.layer()),
    );
    let token = hs256(&claims(ISSUER));
    let answer = bearer(&client(), &app.url("/pay"), &token).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        json_of(&answer.body),
        json!({"acr_values": "urn:example:mfa", "max_age": null})
    );
    assert_eq!(
        answer.challenges(),
        [
            r#"Bearer error="insufficient_user_authentication", error_description="a different authentication level is required", acr_values="urn:example:mfa""#
        ]
    );
}
