//! Acceptance against a real OpenID Provider (issue 23): panva's oidc-provider
//! (`ci/oidc-provider`) issues RFC 9068 access tokens (`typ: at+jwt`) by client credentials,
//! signed with each of its five keys (RS256, PS256, ES256, ES384, EdDSA, each with its `alg`),
//! and `jose verify --issuer` must accept every one of them, as a user would run it:
//! `--issuer URL --aud RESOURCE --allow-http-loopback --typ at+jwt` (the CLI's default `typ`
//! rule is "absent or JWT", so an RFC 9068 token needs `--typ at+jwt`). A token for another
//! audience and a tampered one are refused with exit 1, as `jose verify --help` documents.
//!
//! Runs with `JOSE_OIDC=1` after `npm ci --prefix target/oidc-provider` (`.ci/run` does both);
//! skipped with a loud message otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failure is a failed test, and the report is the output"
)]

mod common;
#[path = "../../ci/oidc-provider/provider.rs"]
mod provider;

use common::{Run, jose};
use provider::{ALGORITHMS, AUDIENCE, OTHER_AUDIENCE, Provider, header, resource};

/// `jose verify --issuer ISSUER --aud AUDIENCE --allow-http-loopback --typ at+jwt TOKEN`.
fn verify(provider: &Provider, token: &str) -> Run {
    jose(
        &[
            "verify",
            "--issuer",
            provider.issuer(),
            "--aud",
            AUDIENCE,
            "--allow-http-loopback",
            "--typ",
            "at+jwt",
            token,
        ],
        b"",
    )
}

#[test]
fn verify_issuer_accepts_the_access_tokens_of_every_algorithm() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let mut refused = Vec::new();
    for alg in ALGORITHMS {
        let token = provider.token(&resource(alg), Some("admin"));
        let (signed_with, typ, kid) = header(&token);
        assert_eq!(
            signed_with, alg,
            "{alg}: the provider signed with {signed_with}"
        );
        assert_eq!(typ.as_deref(), Some("at+jwt"), "{alg}: the token's typ");
        let run = verify(&provider, &token);
        if run.code != 0 {
            refused.push(format!(
                "{alg} (kid {}): exit {}, {}",
                kid.unwrap_or_default(),
                run.code,
                run.stderr.trim_end()
            ));
            continue;
        }
        let claims = run.json();
        assert_eq!(claims["iss"], provider.issuer(), "{alg}: iss");
        assert_eq!(claims["aud"], AUDIENCE, "{alg}: aud");
        assert_eq!(claims["scope"], "admin", "{alg}: scope");
        assert_eq!(claims["client_id"], "acceptance", "{alg}: client_id");
        assert_eq!(claims["sub"], "acceptance", "{alg}: sub");
    }
    assert!(
        refused.is_empty(),
        "`jose verify --issuer` refused the provider's access tokens:\n  {}",
        refused.join("\n  ")
    );
}

#[test]
fn verify_issuer_refuses_another_audience_and_a_tampered_token() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();

    let other = provider.token(OTHER_AUDIENCE, None);
    verify(&provider, &other).fails(1, "jwt rejected: aud holds no expected audience");

    let token = provider.token(&resource("RS256"), None);
    verify(&provider, &token).ok();
    // One character in the middle of the signature: still base64url, another signature.
    let middle = token.rfind('.').unwrap() + (token.len() - token.rfind('.').unwrap()) / 2;
    let flipped = if token.as_bytes()[middle] == b'A' {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{flipped}{}", &token[..middle], &token[middle + 1..]);
    verify(&provider, &tampered).fails(1, "error: invalid signature");
}
