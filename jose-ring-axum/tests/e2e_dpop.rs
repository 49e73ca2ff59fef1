//! End to end, over real sockets: DPoP (RFC 9449 §7) through the guard: proofs made with
//! `jose_ring::dpop::ProofBuilder`, DPoP allowed or required, proof failures answered with
//! `WWW-Authenticate: DPoP … algs="…"`, server nonces (`use_dpop_nonce` and `DPoP-Nonce`),
//! proof replay, and a DPoP-bound token refused as a bearer token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use jose_ring::dpop;
use jose_ring_axum::{DpopMode, Guard, NonceSource, Reason};
use reqwest::Method;
use serde_json::Value;
use support::app::{self, App, Bound, bearer, client, get_with};
use support::tokens::{self, ISSUER, bound, claims, dpop_key, hs256, proof};

/// A fixed server nonce.
struct Nonce(&'static str);

impl NonceSource for Nonce {
    fn current(&self) -> String {
        self.0.to_owned()
    }
}

async fn app_with(mode: DpopMode, nonce: Option<&'static str>) -> (App, Guard) {
    let bound_socket = Bound::new().await;
    let mut builder = tokens::hs256_guard()
        .dpop(mode)
        .public_origin(bound_socket.origin());
    if let Some(nonce) = nonce {
        builder = builder.dpop_nonces(Nonce(nonce));
    }
    let guard = builder.build().unwrap();
    (bound_socket.protect(&guard), guard)
}

/// The `algs` parameter a DPoP challenge must carry.
fn assert_dpop_challenge(challenge: &str, error: Option<&str>) {
    assert!(challenge.starts_with("DPoP "), "{challenge}");
    match error {
        Some(error) => assert!(
            challenge.contains(&format!(r#"error="{error}""#)),
            "{error} in {challenge}"
        ),
        None => assert!(!challenge.contains("error="), "{challenge}"),
    }
    assert!(challenge.contains(r#"algs=""#), "{challenge}");
    assert!(challenge.contains("ES256"), "{challenge}");
}

#[tokio::test]
async fn a_dpop_bound_token_with_its_proof_passes_and_names_the_key() {
    let (app, guard) = app_with(DpopMode::Allowed, None).await;
    let http = client();
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    for (method, path) in [
        (Method::GET, "/hello"),
        (Method::POST, "/hello"),
        (Method::GET, "/whoami"),
    ] {
        let url = app.url(path);
        let proof = proof(&key, method.as_str(), &url, &token);
        let answer = app::dpop(&http, method.clone(), &url, &token, &proof).await;
        assert_eq!(answer.status, 200, "{method} {path}: {}", answer.body);
        if path == "/whoami" {
            let facts: Value = serde_json::from_str(&answer.body).unwrap();
            assert_eq!(facts["jkt"], Value::from(dpop::jkt(&key)));
        }
    }
    // The scheme name is case-insensitive too.
    let url = app.url("/hello");
    let proof = proof(&key, "GET", &url, &token);
    let value = format!("dpop {token}");
    let answer = get_with(&http, &url, &[("authorization", &value), ("dpop", &proof)]).await;
    assert_eq!(answer.status, 200);
    // Allowed, not required: a plain bearer token still passes.
    let plain = hs256(&claims(ISSUER));
    assert_eq!(bearer(&http, &url, &plain).await.status, 200);
    assert_eq!(guard.counters().accepted(), 5);
}

#[tokio::test]
async fn a_dpop_bound_token_sent_as_bearer_is_refused() {
    let (app, guard) = app_with(DpopMode::Allowed, None).await;
    let http = client();
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    let answer = bearer(&http, &app.url("/hello"), &token).await;
    assert_eq!(answer.status, 401);
    let challenge = answer.challenge("Bearer");
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token""#),
        "{challenge}"
    );
    assert_dpop_challenge(&answer.challenge("DPoP"), None);
    answer.assert_leaks_nothing_of(&token);
    assert_eq!(guard.counters().rejected(Reason::BoundTokenAsBearer), 1);
    // Also with the DPoP guard off: the library's rule still refuses a bound token.
    let guard = tokens::hs256_guard().build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let answer = bearer(&http, &app.url("/hello"), &token).await;
    assert_eq!(answer.status, 401);
    assert!(
        answer
            .challenge("Bearer")
            .starts_with(r#"Bearer error="invalid_token""#)
    );
}

#[tokio::test]
async fn dpop_required_refuses_bearer_and_challenges_with_dpop_only() {
    let (app, guard) = app_with(DpopMode::Required, None).await;
    let http = client();
    let url = app.url("/hello");
    let answer = get_with(&http, &url, &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.challenges().len(), 1, "{:?}", answer.challenges());
    assert_dpop_challenge(&answer.challenge("DPoP"), None);
    let plain = hs256(&claims(ISSUER));
    let answer = bearer(&http, &url, &plain).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.challenges().len(), 1, "{:?}", answer.challenges());
    assert_dpop_challenge(&answer.challenge("DPoP"), Some("invalid_token"));
    answer.assert_leaks_nothing_of(&plain);
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    let answer = app::dpop_get(&http, &url, &token, &key).await;
    assert_eq!(answer.status, 200);
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::DpopRequired), 1);
    assert_eq!(counters.accepted(), 1);
}

#[tokio::test]
async fn proof_failures_are_401_invalid_dpop_proof_with_algs() {
    let (app, guard) = app_with(DpopMode::Allowed, None).await;
    let http = client();
    let url = app.url("/hello");
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    let other_token = hs256(&bound(claims(ISSUER), &key));
    let now = tokens::now();
    let dpop_value = format!("DPoP {token}");
    let good = proof(&key, "GET", &url, &token);
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("no proof", vec![("authorization", dpop_value.clone())]),
        (
            "two proofs",
            vec![
                ("authorization", dpop_value.clone()),
                ("dpop", good.clone()),
                ("dpop", proof(&key, "GET", &url, &token)),
            ],
        ),
        (
            "not a jws",
            vec![
                ("authorization", dpop_value.clone()),
                ("dpop", "abc.def.ghi".to_owned()),
            ],
        ),
        (
            "another method",
            vec![
                ("authorization", dpop_value.clone()),
                ("dpop", proof(&key, "POST", &url, &token)),
            ],
        ),
        (
            "another uri",
            vec![
                ("authorization", dpop_value.clone()),
                ("dpop", proof(&key, "GET", &app.url("/whoami"), &token)),
            ],
        ),
        (
            "another origin",
            vec![
                ("authorization", dpop_value.clone()),
                (
                    "dpop",
                    proof(&key, "GET", "https://rs.example/hello", &token),
                ),
            ],
        ),
        (
            "another token's ath",
            vec![
                ("authorization", dpop_value.clone()),
                ("dpop", proof(&key, "GET", &url, &other_token)),
            ],
        ),
        (
            "too old",
            vec![
                ("authorization", dpop_value.clone()),
                (
                    "dpop",
                    tokens::proof_at(&key, "GET", &url, &token, now - 600),
                ),
            ],
        ),
        (
            "from the future",
            vec![
                ("authorization", dpop_value.clone()),
                (
                    "dpop",
                    tokens::proof_at(&key, "GET", &url, &token, now + 600),
                ),
            ],
        ),
    ];
    for (name, headers) in &cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = get_with(&http, &url, &headers).await;
        assert_eq!(answer.status, 401, "{name}: {}", answer.body);
        assert_dpop_challenge(&answer.challenge("DPoP"), Some("invalid_dpop_proof"));
        // The Bearer challenge is there, without an error: the client did not use it.
        assert_eq!(answer.challenge("Bearer"), "Bearer", "{name}");
        answer.assert_leaks_nothing_of(&token);
    }
    assert_eq!(guard.counters().rejected(Reason::InvalidDpopProof), 9);
    // The same good proof still passes: the failures above consumed nothing.
    let answer = app::dpop(&http, Method::GET, &url, &token, &good).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_proof_by_another_key_than_the_token_is_bound_to_is_refused() {
    let (app, guard) = app_with(DpopMode::Allowed, None).await;
    let http = client();
    let url = app.url("/hello");
    let (holder, thief) = (dpop_key(), dpop_key());
    let token = hs256(&bound(claims(ISSUER), &holder));
    let answer = app::dpop(
        &http,
        Method::GET,
        &url,
        &token,
        &proof(&thief, "GET", &url, &token),
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_dpop_challenge(&answer.challenge("DPoP"), Some("invalid_token"));
    answer.assert_leaks_nothing_of(&token);
    // A plain (unbound) token with a proof: nothing binds it to the proof's key.
    let plain = hs256(&claims(ISSUER));
    let answer = app::dpop(
        &http,
        Method::GET,
        &url,
        &plain,
        &proof(&thief, "GET", &url, &plain),
    )
    .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_dpop_challenge(&answer.challenge("DPoP"), Some("invalid_token"));
    assert_eq!(guard.counters().accepted(), 0);
}

#[tokio::test]
async fn a_replayed_proof_is_refused() {
    let (app, guard) = app_with(DpopMode::Required, None).await;
    let http = client();
    let url = app.url("/hello");
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    let once = proof(&key, "GET", &url, &token);
    assert_eq!(
        app::dpop(&http, Method::GET, &url, &token, &once)
            .await
            .status,
        200
    );
    let answer = app::dpop(&http, Method::GET, &url, &token, &once).await;
    assert_eq!(answer.status, 401);
    assert_dpop_challenge(&answer.challenge("DPoP"), Some("invalid_dpop_proof"));
    answer.assert_leaks_nothing_of(&token);
    // A fresh proof (new jti) passes.
    let fresh = proof(&key, "GET", &url, &token);
    assert_eq!(
        app::dpop(&http, Method::GET, &url, &token, &fresh)
            .await
            .status,
        200
    );
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::DpopReplayed), 1);
    assert_eq!(counters.accepted(), 2);
}

#[tokio::test]
async fn a_server_nonce_is_asked_for_with_use_dpop_nonce() {
    let (app, guard) = app_with(DpopMode::Required, Some("n-2026")).await;
    let http = client();
    let url = app.url("/hello");
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    // Without a nonce: 401 use_dpop_nonce and the nonce to use.
    let answer = app::dpop_get(&http, &url, &token, &key).await;
    assert_eq!(answer.status, 401);
    assert_dpop_challenge(&answer.challenge("DPoP"), Some("use_dpop_nonce"));
    let nonce = answer.header("dpop-nonce").expect("a DPoP-Nonce header");
    assert_eq!(nonce, "n-2026");
    answer.assert_leaks_nothing_of(&token);
    // With another nonce: the same.
    let stale = tokens::proof_with_nonce(&key, "GET", &url, &token, "n-1999");
    let answer = app::dpop(&http, Method::GET, &url, &token, &stale).await;
    assert_eq!(answer.status, 401);
    assert_dpop_challenge(&answer.challenge("DPoP"), Some("use_dpop_nonce"));
    assert_eq!(answer.header("dpop-nonce").as_deref(), Some("n-2026"));
    // With it: 200.
    let retried = tokens::proof_with_nonce(&key, "GET", &url, &token, &nonce);
    let answer = app::dpop(&http, Method::GET, &url, &token, &retried).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::UseDpopNonce), 2);
    assert_eq!(counters.accepted(), 1);
}

#[tokio::test]
async fn the_dpop_scheme_is_no_credentials_when_dpop_is_disabled() {
    let guard = tokens::hs256_guard().build().unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let url = app.url("/hello");
    let key = dpop_key();
    let token = hs256(&bound(claims(ISSUER), &key));
    let answer = app::dpop_get(&http, &url, &token, &key).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.challenges(), ["Bearer"]);
    assert_eq!(guard.counters().rejected(Reason::MissingCredentials), 1);
}
