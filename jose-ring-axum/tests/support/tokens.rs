//! Claims, HS256 tokens and DPoP proofs for the end-to-end tests, made with the library's own
//! encoders (`jwt::encode_with_header`, `dpop::ProofBuilder`).

use jose_ring::jws::Header;
use jose_ring::jwt::{self, NumericDate};
use jose_ring::{HmacKey, SigningKey, dpop, jwa};
use serde_json::{Value, json};

/// The audience the protected app expects.
pub const AUDIENCE: &str = "https://api.example";

/// The shared secret of the HS256 tests (32 bytes: the HS256 minimum).
pub const HS256_SECRET: [u8; 32] = *b"e2e-hs256-secret-of-32-bytes!!!!";

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    NumericDate::now().as_seconds()
}

/// Access-token claims (RFC 9068): `iss`, `sub` "ada", `aud` [`AUDIENCE`], `exp` in two
/// hours (the key tests move their clock up to an hour forward), `iat` now, a fresh `jti`, `scope` "read", `client_id`.
pub fn claims(issuer: &str) -> Value {
    let now = now();
    json!({
        "iss": issuer,
        "sub": "ada",
        "aud": AUDIENCE,
        "exp": now + 7200,
        "iat": now,
        "jti": fresh_jti(),
        "scope": "read",
        "client_id": "e2e-client",
    })
}

/// `claims` with `member` set to `value` (or removed, for `Value::Null`).
pub fn with(mut claims: Value, member: &str, value: Value) -> Value {
    let object = claims.as_object_mut().unwrap();
    if value.is_null() {
        object.remove(member);
    } else {
        object.insert(member.to_owned(), value);
    }
    claims
}

/// A `jti` no other test uses.
pub fn fresh_jti() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "jti-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// The HS256 key of the static-key tests, kid `hs1`.
pub fn hs256_key() -> HmacKey {
    HmacKey::new(&jwa::HS256, &HS256_SECRET)
        .unwrap()
        .with_kid("hs1")
}

/// Signs `claims` with [`hs256_key`], header `typ` `at+jwt`.
pub fn hs256(claims: &Value) -> String {
    sign_with(claims, &hs256_key(), Some("at+jwt"))
}

/// Signs `claims` with `key` (its kid in the header) and this `typ`.
pub fn sign_with<K: jose_ring::Signer + ?Sized>(
    claims: &Value,
    key: &K,
    typ: Option<&str>,
) -> String {
    let mut header = Header::new();
    if let Some(kid) = key.kid() {
        header = header.with_kid(kid);
    }
    if let Some(typ) = typ {
        header = header.with_typ(typ);
    }
    jwt::encode_with_header(claims, &header, key).unwrap()
}

/// A DPoP client key (ES256, generated).
pub fn dpop_key() -> SigningKey {
    SigningKey::generate(&jwa::ES256).unwrap()
}

/// `claims` bound to `key` (`cnf.jkt`, RFC 9449 §6).
pub fn bound(claims: Value, key: &SigningKey) -> Value {
    with(claims, "cnf", json!({ "jkt": dpop::jkt(key) }))
}

/// A DPoP proof by `key` for `htm` `htu` and `token` (its `ath`), `iat` now.
pub fn proof(key: &SigningKey, htm: &str, htu: &str, token: &str) -> String {
    dpop::ProofBuilder::new(key, htm, htu)
        .with_access_token(token)
        .build()
        .unwrap()
}

/// The same with a `nonce`.
pub fn proof_with_nonce(
    key: &SigningKey,
    htm: &str,
    htu: &str,
    token: &str,
    nonce: &str,
) -> String {
    dpop::ProofBuilder::new(key, htm, htu)
        .with_access_token(token)
        .with_nonce(nonce)
        .build()
        .unwrap()
}

/// The same with this `iat`.
pub fn proof_at(key: &SigningKey, htm: &str, htu: &str, token: &str, iat: i64) -> String {
    dpop::ProofBuilder::new(key, htm, htu)
        .with_access_token(token)
        .with_iat(NumericDate::from_seconds(iat))
        .build()
        .unwrap()
}

/// The issuer of the static-key (HS256) tests.
pub const ISSUER: &str = "https://issuer.example";

/// The rules of the static-key tests: [`ISSUER`], [`AUDIENCE`], system clock (the guard
/// adds `typ` `at+jwt`, its default).
pub fn rules() -> jose_ring::jwt::Validation {
    jose_ring::jwt::Validation::from_clock(std::sync::Arc::new(jwt::SystemClock))
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
}

/// A guard builder with the HS256 key ring of [`hs256_key`] and [`rules`].
pub fn hs256_guard() -> jose_ring_axum::GuardBuilder<jose_ring_axum::LocalKeys> {
    jose_ring_axum::Guard::from_hmac_key_ring(
        jose_ring::jwk::KeyRing::new_hmac().with_hmac_key(hs256_key()),
    )
    .validation(rules())
}
