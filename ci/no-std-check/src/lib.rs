//! What an embedded or wasm verifier does with jose-ring, written against the library built
//! with `default-features = false` (no `std`): an HS256 round trip, a JWK Set parsed into a
//! key ring, ES256 and EdDSA tokens verified through it, and `jwt::decode` with a fixed time
//! (no clock on a bare-metal board), including the rejections that must happen.
//!
//! `src/main.rs` links this into a bare-metal RISC-V firmware image, which CI runs under QEMU
//! and measures; on wasm32-unknown-unknown the `jose_check` export below is the entry point of
//! the cdylib CI builds. `tests/wasi.rs` runs `run` for real, on wasm32-wasip1 under Node.
#![no_std]

extern crate alloc;

use jose_ring::jwk::JwkSet;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{ClaimError, Error, HmacKey, jwa, jws};

/// A JWK Set as an identity provider publishes it: one P-256 and one Ed25519 public key.
const JWKS: &[u8] = br#"{"keys":[
  {"kty":"EC","crv":"P-256","kid":"ec-1","alg":"ES256",
   "x":"emR4M3AKnfu4bjVyEP6hciiLJMpuvGQ8lju3LID-_k0",
   "y":"SFTn4MgJ9ZtiobIanZ4Cc9i9uX7mG7cb9rK7RHHbFkw"},
  {"kty":"OKP","crv":"Ed25519","kid":"ed-1","alg":"EdDSA",
   "x":"A6vAtDhD5w-Cy3MiZ4KhZBf2r9ZK4Aq8hBEV5ipNORM"}
]}"#;

/// Signed by the private half of `ec-1` (made with `jose sign`); claims
/// `{"iss":"https://auth.example","sub":"device-7","aud":"sensor","exp":1800000600,"iat":1800000000}`.
const ES256_TOKEN: &str = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImVjLTEifQ.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZSIsInN1YiI6ImRldmljZS03IiwiYXVkIjoic2Vuc29yIiwiZXhwIjoxODAwMDAwNjAwLCJpYXQiOjE4MDAwMDAwMDB9.vuUueky_dgpSonWy_zRG8U15IPDJ_dMzRHEZRt_a0GcP1MiL2qGF7ZgXhp7ippZCOpEG5HGK85X-9Ite8Lg9Fg";

/// The same claims signed by `ed-1`.
const EDDSA_TOKEN: &str = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6ImVkLTEifQ.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZSIsInN1YiI6ImRldmljZS03IiwiYXVkIjoic2Vuc29yIiwiZXhwIjoxODAwMDAwNjAwLCJpYXQiOjE4MDAwMDAwMDB9.tNQl8Iubcs8_zgnWWsefvu3S-zlYkfFzG6K_IV8R-e9XU3FbMSTFVbNMW8d9RVau_v_AfkeQnaPirKGw-IrbAQ";

/// The time the checks run at: between the tokens' `iat` and `exp`.
const NOW: i64 = 1_800_000_100;

/// The claims an embedded verifier reads: registered ones plus its own.
#[derive(serde::Deserialize)]
struct DeviceClaims {
    #[serde(flatten)]
    registered: RegisteredClaims,
}

/// Runs every check; the first failure is returned as it came from the library, and a
/// check that passed when it should have failed is `Error::InvalidSignature`.
///
/// # Errors
///
/// The first library error that a check did not expect.
pub fn run() -> Result<(), Error> {
    let now = NumericDate::from(NOW);
    let rules = || {
        Validation::new(now)
            .with_issuer("https://auth.example")
            .with_audience("sensor")
    };

    // HMAC: sign and verify, raw JWS and JWT.
    let hmac = HmacKey::new(&jwa::HS256, b"a device secret of thirty-two bytes!")?;
    let token = jws::sign(b"reading=21.5", &jws::Header::new(), &hmac)?;
    expect(jws::verify(&token, &hmac)?.payload() == b"reading=21.5")?;
    let claims = RegisteredClaims::new()
        .with_issuer("https://auth.example")
        .with_subject("device-7")
        .with_audience("sensor")
        .with_lifetime(now, 60);
    let token = jwt::encode(&claims, &hmac)?;
    let verified: jwt::Verified<RegisteredClaims> = jwt::decode(&token, &hmac, &rules())?;
    expect(verified.claims().sub.as_deref() == Some("device-7"))?;

    // A JWK Set, its keys chosen by `kid` and `alg` among the algorithms allowed.
    let keys = JwkSet::from_json(JWKS)?.key_ring(&[&jwa::ES256, &jwa::EdDSA]);
    expect(keys.len() == 2 && keys.skipped().is_empty())?;
    for token in [ES256_TOKEN, EDDSA_TOKEN] {
        let verified: jwt::Verified<DeviceClaims> = jwt::decode(token, &keys, &rules())?;
        expect(verified.claims().registered.sub.as_deref() == Some("device-7"))?;

        // Rejections: expired at a later time, a wrong audience, a flipped signature bit.
        let late = Validation::new(NumericDate::from(1_800_000_600)).with_audience("sensor");
        let expired = jwt::decode::<DeviceClaims, _>(token, &keys, &late).map(|_| ());
        expect(matches!(
            expired,
            Err(Error::Claim(ClaimError::Expired { .. }))
        ))?;
        let other = Validation::new(now).with_audience("actuator");
        let audience = jwt::decode::<DeviceClaims, _>(token, &keys, &other).map(|_| ());
        expect(audience == Err(Error::Claim(ClaimError::InvalidAudience)))?;
        let (signed, signature) = token.rsplit_once('.').ok_or(Error::InvalidSignature)?;
        let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
        let rest = signature.get(1..).unwrap_or_default();
        let tampered = alloc::format!("{signed}.{flipped}{rest}");
        let forged = jwt::decode::<DeviceClaims, _>(&tampered, &keys, &rules()).map(|_| ());
        expect(forged == Err(Error::InvalidSignature))?;
    }
    Ok(())
}

/// `Ok` if `condition` holds.
fn expect(condition: bool) -> Result<(), Error> {
    if condition {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// The wasm entry point: 0 if every check passed, 1 if one failed.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn jose_check() -> u32 {
    u32::from(run().is_err())
}
