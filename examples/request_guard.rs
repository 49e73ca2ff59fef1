//! A request guard: read `Authorization: Bearer <token>`, verify it against the issuer's JWKS,
//! check the claims, and answer 401 or 403 the way RFC 6750 §3.1 says.
//!
//! Run with `cargo run --example request_guard`.
//!
//! This shows the library's part only. For an axum or tower service, use the `jose-ring-axum`
//! package of this workspace: it does this (and DPoP, key sets kept fresh, RFC 9728 metadata,
//! `tracing`) as a layer: `cargo run -p jose-ring-axum --example protected`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use jose_ring::ClaimError;
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{Error, KeySource, SigningKey, jwa, jws};
use serde::Deserialize;

/// The claims a handler needs.
#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "shown through `Debug`")]
struct Caller {
    sub: String,
}

/// What the guard answers.
#[derive(Debug)]
#[allow(dead_code, reason = "the fields are shown through `Debug`")]
enum Outcome {
    /// Let the request through, as this caller.
    Allow(Caller),
    /// 401 with `WWW-Authenticate: Bearer error="invalid_token"` (or no error for no token).
    Unauthorized(&'static str),
    /// 403 with `error="insufficient_scope"`.
    Forbidden(String),
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is compared ignoring
/// ASCII case (RFC 7235 §2.1: `bearer` and `BEARER` are `Bearer`), one or more spaces follow.
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The guard: the rules and keys are built once at startup and shared by every request.
fn guard<K: KeySource>(authorization: Option<&str>, keys: &K, rules: &Validation) -> Outcome {
    let Some(token) = authorization.and_then(bearer_token) else {
        return Outcome::Unauthorized("missing bearer token");
    };
    match jwt::decode::<Caller, _>(token, keys, rules) {
        Ok(verified) => Outcome::Allow(verified.into_claims()),
        Err(Error::Claim(why)) if matches!(why, ClaimError::MissingScope(_)) => {
            Outcome::Forbidden(why.to_string())
        }
        // Every other failure is the same 401 to the client; the error is safe to log.
        Err(error) => {
            println!("   (log: {error})");
            Outcome::Unauthorized("invalid_token")
        }
    }
}

fn main() -> Result<(), Error> {
    // The issuer's side: a signing key, and the JWKS it publishes.
    let signer = SigningKey::generate(&jwa::ES256)?.with_kid("2024-06");
    let mut published = JwkSet::new();
    published.push(Jwk::from_verifying_key(&signer.verifying_key()));
    let jwks_json = published.to_json()?;

    // The API's side, at startup: the JWKS bound to the algorithms it accepts.
    let keys = JwkSet::from_json(jwks_json.as_bytes())?.key_ring(&[&jwa::ES256, &jwa::RS256]);
    let now = NumericDate::from_seconds(1_700_000_000);
    let rules = Validation::new(now)
        .with_typ("at+jwt")
        .with_issuer("https://auth.example")
        .with_audience("api")
        .with_scope("read:users")
        .with_leeway(30);

    let token = |scope: &str| {
        let claims = serde_json::json!({
            "iss": "https://auth.example", "sub": "ada", "aud": "api", "scope": scope,
            "iat": now.as_seconds(), "exp": now.saturating_add(600),
        });
        jwt::encode_with_header(&claims, &jws::Header::new().with_typ("at+jwt"), &signer)
    };
    let good = format!("Bearer {}", token("read:users")?);
    let lower_case = format!("bearer {}", token("read:users")?);
    let narrow = format!("Bearer {}", token("read:orders")?);
    let foreign = SigningKey::generate(&jwa::ES256)?.with_kid("2024-06");
    let claims = RegisteredClaims::new()
        .with_issuer("https://auth.example")
        .with_audience("api")
        .with_lifetime(now, 600);
    let forged = format!(
        "Bearer {}",
        jwt::encode_with_header(&claims, &jws::Header::new().with_typ("at+jwt"), &foreign)?
    );

    for (what, header) in [
        ("good token", Some(good.as_str())),
        (
            "good token, scheme in lower case",
            Some(lower_case.as_str()),
        ),
        ("token without the scope", Some(narrow.as_str())),
        ("token signed by another key", Some(forged.as_str())),
        ("no header", None),
        ("basic auth", Some("Basic YWRhOnB3")),
    ] {
        println!("{what}: {:?}", guard(header, &keys, &rules));
    }
    Ok(())
}
