//! End to end, over real sockets: the answers of RFC 6750 §3 (issue 18 item 4), the rules of
//! item 3 (audience, `typ`, scopes, roles), the extractors of item 6, the RFC 9728 metadata
//! document of item 5, the reject hook and the counters. The app runs on 127.0.0.1 behind the
//! guard; tokens are HS256 (static keys) or ES256 from the mock identity provider.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use std::sync::Arc;

use axum::response::IntoResponse;
use jose_ring::jwt::{SystemClock, Validation};
use jose_ring::{HmacKey, jwa};
use jose_ring_axum::{Guard, Reason, ResourceMetadata, TypRule};
use serde_json::{Value, json};
use support::app::{self, App, Bound, bearer, client, get_with};
use support::idp::Idp;
use support::tokens::{self, AUDIENCE, ISSUER, claims, hs256, rules, with};

/// The app behind a guard with the HS256 key of the tests.
async fn hs256_app() -> (App, Guard) {
    let guard = tokens::hs256_guard().build().unwrap();
    (Bound::new().await.protect(&guard), guard)
}

#[tokio::test]
async fn no_credentials_is_401_bearer_without_an_error_code() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let answer = get_with(&http, &app.url("/hello"), &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.challenges(), ["Bearer"]);
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    // Another scheme is no credentials for this guard (RFC 6750 §3.1: no error code).
    let answer = get_with(
        &http,
        &app.url("/hello"),
        &[("authorization", "Basic YWRhOnB3")],
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.challenges(), ["Bearer"]);
    // The query string is never read (RFC 6750 §2.3 is not supported, on purpose).
    let token = hs256(&claims(ISSUER));
    let answer = get_with(
        &http,
        &app.url(&format!("/hello?access_token={token}")),
        &[],
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.challenges(), ["Bearer"]);
    answer.assert_leaks_nothing_of(&token);
    assert_eq!(guard.counters().rejected(Reason::MissingCredentials), 3);
    assert_eq!(guard.counters().accepted(), 0);
}

#[tokio::test]
async fn a_valid_token_passes_with_any_case_of_the_scheme() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let token = hs256(&claims(ISSUER));
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let value = format!("{scheme} {token}");
        let answer = get_with(&http, &app.url("/hello"), &[("authorization", &value)]).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (200, "hello ada"),
            "{scheme}"
        );
    }
    // Several spaces between the scheme and the token (RFC 7235 §2.1: 1*SP).
    let value = format!("Bearer   {token}");
    let answer = get_with(&http, &app.url("/hello"), &[("authorization", &value)]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(guard.counters().accepted(), 5);
}

#[tokio::test]
async fn a_bad_token_is_401_invalid_token_and_nothing_of_it_comes_back() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let other = HmacKey::new(&jwa::HS256, &[9; 32]).unwrap().with_kid("hs1");
    let now = tokens::now();
    let cases = [
        ("not a jwt", "abc.def.ghi".to_owned()),
        (
            "another key",
            tokens::sign_with(&claims(ISSUER), &other, Some("at+jwt")),
        ),
        (
            "expired",
            hs256(&with(claims(ISSUER), "exp", json!(now - 10))),
        ),
        (
            "not yet valid",
            hs256(&with(claims(ISSUER), "nbf", json!(now + 600))),
        ),
        ("wrong issuer", hs256(&claims("https://evil.example"))),
        ("tampered", {
            let token = hs256(&claims(ISSUER));
            let (rest, _) = token.rsplit_once('.').unwrap();
            format!("{rest}.AAAA")
        }),
    ];
    for (name, token) in &cases {
        let answer = bearer(&http, &app.url("/hello"), token).await;
        assert_eq!(answer.status, 401, "{name}");
        let challenge = answer.challenge("Bearer");
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{name}: {challenge}"
        );
        assert!(
            answer.body.contains(r#""error":"invalid_token""#),
            "{name}: {}",
            answer.body
        );
        answer.assert_leaks_nothing_of(token);
    }
    let counters = guard.counters();
    assert_eq!(
        counters.rejected(Reason::Expired),
        2,
        "expired and not yet valid"
    );
    assert_eq!(counters.rejected(Reason::InvalidToken), 4);
    assert_eq!(counters.rejected_total(), 6);
    assert_eq!(counters.accepted(), 0);
}

#[tokio::test]
async fn a_malformed_request_is_400_invalid_request() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let token = hs256(&claims(ISSUER));
    let good = format!("Bearer {token}");
    let cases: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "two authorization fields",
            vec![("authorization", &good), ("authorization", &good)],
        ),
        (
            "bearer and basic",
            vec![("authorization", &good), ("authorization", "Basic YQ==")],
        ),
        ("no token", vec![("authorization", "Bearer")]),
        (
            "no token after the space",
            vec![("authorization", "Bearer ")],
        ),
        ("not a token68", vec![("authorization", "Bearer a,b c")]),
    ];
    for (name, headers) in &cases {
        let answer = get_with(&http, &app.url("/hello"), headers).await;
        assert_eq!(answer.status, 400, "{name}");
        let challenge = answer.challenge("Bearer");
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_request""#),
            "{name}: {challenge}"
        );
        answer.assert_leaks_nothing_of(&token);
    }
    assert_eq!(guard.counters().rejected(Reason::InvalidRequest), 5);
}

#[tokio::test]
async fn audience_and_explicit_typing_are_enforced() {
    let (app, _guard) = hs256_app().await;
    let http = client();
    let url = app.url("/hello");
    let base = claims(ISSUER);
    let refused = [
        (
            "another audience",
            hs256(&with(base.clone(), "aud", json!("https://other.example"))),
        ),
        (
            "no audience",
            hs256(&with(base.clone(), "aud", Value::Null)),
        ),
        (
            "typ JWT",
            tokens::sign_with(&base, &tokens::hs256_key(), Some("JWT")),
        ),
        (
            "no typ",
            tokens::sign_with(&base, &tokens::hs256_key(), None),
        ),
        (
            "typ refresh+jwt",
            tokens::sign_with(&base, &tokens::hs256_key(), Some("refresh+jwt")),
        ),
    ];
    for (name, token) in &refused {
        let answer = bearer(&http, &url, token).await;
        assert_eq!(answer.status, 401, "{name}");
        assert!(
            answer
                .challenge("Bearer")
                .starts_with(r#"Bearer error="invalid_token""#),
            "{name}"
        );
    }
    let accepted = [
        (
            "audience in an array",
            hs256(&with(base.clone(), "aud", json!(["x", AUDIENCE]))),
        ),
        (
            "typ application/at+jwt",
            tokens::sign_with(&base, &tokens::hs256_key(), Some("application/at+JWT")),
        ),
    ];
    for (name, token) in &accepted {
        let answer = bearer(&http, &url, token).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }
}

/// `at+jwt` is the guard's default whatever `typ` rule the validation it is given has;
/// [`TypRule::FromValidation`] is the one switch, and then the validation's rule is the one
/// checked (the library's default: `JWT` or none).
#[tokio::test]
async fn the_typ_rule_is_at_jwt_unless_switched_to_the_validation_s() {
    let key = tokens::hs256_key();
    let base = claims(ISSUER);
    let signed = |typ| tokens::sign_with(&base, &key, typ);
    let (at_jwt, jwt, none, other) = (
        signed(Some("at+jwt")),
        signed(Some("JWT")),
        signed(None),
        signed(Some("id_token+jwt")),
    );
    let cases = [
        // The default replaces a typ rule of the validation given.
        (
            "default, rules with typ JWT",
            tokens::hs256_guard().validation(rules().with_typ("JWT")),
            [200, 401, 401, 401],
        ),
        (
            "switched, the library's default rule",
            tokens::hs256_guard().typ(TypRule::FromValidation),
            [401, 200, 200, 401],
        ),
        (
            "switched, rules accepting any typ",
            tokens::hs256_guard()
                .validation(rules().with_any_typ())
                .typ(TypRule::FromValidation),
            [200, 200, 200, 200],
        ),
        (
            "switched, rules asking for at+jwt",
            tokens::hs256_guard()
                .validation(rules().with_typ("application/at+jwt"))
                .typ(TypRule::FromValidation),
            [200, 401, 401, 401],
        ),
    ];
    let http = client();
    for (name, builder, expected) in cases {
        let app = Bound::new().await.protect(&builder.build().unwrap());
        let url = app.url("/hello");
        let mut got = Vec::new();
        for token in [&at_jwt, &jwt, &none, &other] {
            got.push(bearer(&http, &url, token).await.status);
        }
        assert_eq!(got, expected, "{name}: at+jwt, JWT, none, id_token+jwt");
    }
}

#[tokio::test]
async fn a_missing_scope_is_403_insufficient_scope_naming_it() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let read_only = hs256(&claims(ISSUER));
    let answer = bearer(&http, &app.url("/admin"), &read_only).await;
    assert_eq!(answer.status, 403);
    let challenge = answer.challenge("Bearer");
    assert!(
        challenge.starts_with(r#"Bearer error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(challenge.contains(r#"scope="admin""#), "{challenge}");
    answer.assert_leaks_nothing_of(&read_only);
    // A scope that only starts like the one needed is another scope.
    let near = hs256(&with(claims(ISSUER), "scope", json!("read administrator")));
    assert_eq!(bearer(&http, &app.url("/admin"), &near).await.status, 403);
    let admin = hs256(&with(claims(ISSUER), "scope", json!("read admin")));
    let answer = bearer(&http, &app.url("/admin"), &admin).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "admin"));
    // The route rule does not leak into the other routes.
    assert_eq!(
        bearer(&http, &app.url("/hello"), &read_only).await.status,
        200
    );
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::InsufficientScope), 2);
    assert_eq!(counters.rejected_total(), 2);
}

#[tokio::test]
async fn a_missing_role_is_403_insufficient_scope() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let url = app.url("/staff");
    let none = hs256(&claims(ISSUER));
    let other = hs256(&with(claims(ISSUER), "roles", json!(["guest"])));
    let staff = hs256(&with(claims(ISSUER), "roles", json!(["guest", "staff"])));
    for token in [&none, &other] {
        let answer = bearer(&http, &url, token).await;
        assert_eq!(answer.status, 403);
        assert!(
            answer
                .challenge("Bearer")
                .starts_with(r#"Bearer error="insufficient_scope""#)
        );
        answer.assert_leaks_nothing_of(token);
    }
    let answer = bearer(&http, &url, &staff).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "staff"));
    assert_eq!(guard.counters().rejected(Reason::InsufficientRole), 2);
}

#[tokio::test]
async fn scope_and_role_rules_of_the_whole_router() {
    let guard = tokens::hs256_guard()
        .validation(rules().with_scope("write").with_role("editor"))
        .build()
        .unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let url = app.url("/hello");
    let read = hs256(&claims(ISSUER));
    let answer = bearer(&http, &url, &read).await;
    assert_eq!(answer.status, 403);
    let challenge = answer.challenge("Bearer");
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(challenge.contains(r#"scope="write""#), "{challenge}");
    let writer = hs256(&with(claims(ISSUER), "scope", json!("read write")));
    assert_eq!(bearer(&http, &url, &writer).await.status, 403, "no role");
    let editor = hs256(&with(
        with(claims(ISSUER), "scope", json!("write")),
        "roles",
        json!(["editor"]),
    ));
    assert_eq!(bearer(&http, &url, &editor).await.status, 200);
}

#[tokio::test]
async fn the_extractors_give_the_verified_facts() {
    let idp = Idp::start().await;
    let guard = Guard::from_issuer(idp.issuer())
        .allow_http_loopback()
        .validation(Validation::from_clock(Arc::new(SystemClock)).with_audience(AUDIENCE))
        .build()
        .unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let claims = claims(&idp.issuer());
    let token = idp.sign(&claims);
    let answer = bearer(&http, &app.url("/whoami"), &token).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let facts: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        facts,
        json!({
            "kid": "k1",
            "issuer": idp.issuer(),
            "subject": "ada",
            "jkt": null,
            "jti": claims["jti"],
            "exp": claims["exp"],
            "alg": "ES256",
        })
    );
    let answer = bearer(&http, &app.url("/hello"), &token).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "hello ada"));
}

#[tokio::test]
async fn the_protected_resource_metadata_document() {
    let idp = Idp::start().await;
    let bound = Bound::new().await;
    let resource = bound.origin();
    let guard = Guard::from_issuer(idp.issuer())
        .allow_http_loopback()
        .validation(Validation::from_clock(Arc::new(SystemClock)).with_audience(AUDIENCE))
        .resource_metadata(
            ResourceMetadata::new(resource.clone())
                .scope("read")
                .scope("admin")
                .name("e2e"),
        )
        .build()
        .unwrap();
    let app = bound.protect(&guard);
    let http = client();
    let metadata_url = format!("{resource}/.well-known/oauth-protected-resource");
    // Served without credentials (RFC 9728 §3), as JSON.
    let answer = get_with(&http, &metadata_url, &[]).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let document: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(document["resource"], json!(resource));
    assert_eq!(document["authorization_servers"], json!([idp.issuer()]));
    assert_eq!(document["scopes_supported"], json!(["read", "admin"]));
    assert_eq!(document["bearer_methods_supported"], json!(["header"]));
    assert_eq!(document["dpop_bound_access_tokens_required"], json!(false));
    assert_eq!(document["resource_name"], json!("e2e"));
    assert_eq!(
        guard.metadata_path(),
        Some("/.well-known/oauth-protected-resource")
    );
    // Every 401 names it (RFC 9728 §5.1), with or without an error code.
    let answer = get_with(&http, &app.url("/hello"), &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.challenges(),
        [format!(r#"Bearer resource_metadata="{metadata_url}""#)]
    );
    // Serving the document and refusing a request without credentials fetched nothing.
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (0, 0));
    let answer = bearer(&http, &app.url("/hello"), "abc.def.ghi").await;
    assert_eq!(answer.status, 401);
    let challenge = answer.challenge("Bearer");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    assert!(
        challenge.contains(&format!(r#"resource_metadata="{metadata_url}""#)),
        "{challenge}"
    );
}

#[tokio::test]
async fn the_metadata_document_of_a_dpop_only_resource() {
    let bound = Bound::new().await;
    let resource = format!("{}/api/", bound.origin());
    let guard = tokens::hs256_guard()
        .dpop(jose_ring_axum::DpopMode::Required)
        .resource_metadata(ResourceMetadata::new(resource.clone()).authorization_server(ISSUER))
        .build()
        .unwrap();
    let app = bound.protect(&guard);
    let http = client();
    // RFC 9728 §3.1: the well-known part goes before the resource's path.
    let answer = get_with(
        &http,
        &app.url("/.well-known/oauth-protected-resource/api"),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let document: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(document["resource"], json!(resource));
    assert_eq!(document["authorization_servers"], json!([ISSUER]));
    assert_eq!(document["dpop_bound_access_tokens_required"], json!(true));
    let algs = document["dpop_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&json!("ES256")), "{algs:?}");
}

#[tokio::test]
async fn the_reject_hook_writes_the_body_and_the_guard_keeps_the_semantics() {
    let guard = tokens::hs256_guard()
        .on_reject(|rejection| {
            // Even a hook answering 200 cannot turn a refusal into a success.
            (
                axum::http::StatusCode::OK,
                format!("custom: {}", rejection.reason().as_str()),
            )
                .into_response()
        })
        .build()
        .unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let answer = get_with(&http, &app.url("/hello"), &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, "custom: missing_credentials");
    assert_eq!(answer.challenges(), ["Bearer"]);
    let token = hs256(&claims(ISSUER));
    let answer = bearer(&http, &app.url("/admin"), &token).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body, "custom: insufficient_scope");
    assert!(answer.challenge("Bearer").contains(r#"scope="admin""#));
}

#[tokio::test]
async fn the_counters_snapshot_adds_up() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let url = app.url("/hello");
    let token = hs256(&claims(ISSUER));
    for _ in 0..7 {
        assert_eq!(bearer(&http, &url, &token).await.status, 200);
    }
    let _ = get_with(&http, &url, &[]).await;
    let _ = bearer(&http, &url, "abc.def.ghi").await;
    let _ = bearer(&http, &app.url("/admin"), &token).await;
    let expired = hs256(&with(claims(ISSUER), "exp", json!(tokens::now() - 1)));
    let _ = bearer(&http, &url, &expired).await;
    let counters = guard.counters();
    // Eleven requests, each counted once: 7 let through, 4 refused (the /admin one by the
    // route's rule, after the router's layer verified the token).
    assert_eq!(counters.accepted(), 7);
    assert_eq!(counters.accepted() + counters.rejected_total(), 11);
    assert_eq!(counters.rejected(Reason::MissingCredentials), 1);
    assert_eq!(counters.rejected(Reason::InvalidToken), 1);
    assert_eq!(counters.rejected(Reason::InsufficientScope), 1);
    assert_eq!(counters.rejected(Reason::Expired), 1);
    assert_eq!(counters.rejected_total(), 4);
    assert_eq!(
        (counters.fetches(), counters.fetch_failures()),
        (0, 0),
        "static keys"
    );
    let listed: u64 = counters.rejections().map(|(_, n)| n).sum();
    assert_eq!(listed, 4);
}

/// Each request is counted once: one refused by a route's rule (403) was not let through, so
/// it is not counted as accepted too ("Requests let through", says `Counters::accepted`).
#[tokio::test]
async fn a_request_refused_by_a_route_rule_is_not_also_counted_accepted() {
    let (app, guard) = hs256_app().await;
    let http = client();
    let read = hs256(&claims(ISSUER));
    let admin = hs256(&with(claims(ISSUER), "scope", json!("read admin")));
    assert_eq!(bearer(&http, &app.url("/admin"), &read).await.status, 403);
    assert_eq!(bearer(&http, &app.url("/staff"), &read).await.status, 403);
    assert_eq!(bearer(&http, &app.url("/admin"), &admin).await.status, 200);
    assert_eq!(bearer(&http, &app.url("/hello"), &read).await.status, 200);
    let counters = guard.counters();
    assert_eq!(counters.rejected_total(), 2);
    assert_eq!(counters.accepted(), 2);
}

/// The handler-side answer when a route forgets the layer: a 500, not a pass.
#[tokio::test]
async fn an_extractor_without_the_layer_fails_closed() {
    let router = axum::Router::new().route(
        "/hello",
        axum::routing::get(|auth: jose_ring_axum::Auth| async move {
            auth.subject().unwrap_or_default().to_owned()
        }),
    );
    let app = Bound::new().await.serve(router);
    let token = hs256(&claims(ISSUER));
    let answer = app::bearer(&client(), &app.url("/hello"), &token).await;
    assert_eq!(answer.status, 500);
    answer.assert_leaks_nothing_of(&token);
}
