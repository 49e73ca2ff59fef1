//! Criterion benches of DPoP (RFC 9449) against the sum of its parts, measured in the same run.
//!
//! - `verify_ath`: [`dpop::verify`] of an ES256 proof with `ath`, the per-request rules built
//!   inside the loop (URI normalised, access token hashed), against the parts measured alone:
//!   `part_es256_verify` ([`jws::verify`] of the same proof with its key already bound),
//!   `part_jwk_bind` (the proof's `jwk` parsed and bound to ES256), `part_thumbprint` and
//!   `part_sha256` ([`dpop::ath`] of the access token); `parts_together` runs the four in one
//!   iteration.
//! - `build`: [`dpop::ProofBuilder`] with `ath` against `part_es256_sign`, [`jws::sign`] of the
//!   same claims under the same header.
//!
//! ```sh
//! cargo bench --bench dpop -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs,
    reason = "a benchmark: a panic is a failed fixture"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jose_ring::dpop::{self, ProofBuilder, ProofValidation};
use jose_ring::jwk::Jwk;
use jose_ring::jwt::NumericDate;
use jose_ring::{SigningKey, jwa, jws};
use serde_json::Value;

const HTU: &str = "https://resource.example.org/protectedresource";

/// A typical RS256-sized access token: what `ath` hashes.
fn access_token() -> String {
    let segment = "x".repeat(110);
    format!(
        "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.{segment}{segment}.{}",
        "s".repeat(342)
    )
}

fn dpop_benches(c: &mut Criterion) {
    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let now = NumericDate::from_seconds(1_700_000_000);
    let token = access_token();
    let proof = ProofBuilder::new(&key, "GET", HTU)
        .with_iat(now)
        .with_access_token(&token)
        .build()
        .unwrap();
    let rules = || ProofValidation::new("GET", HTU, now).with_access_token(&token);
    assert!(dpop::verify(&proof, &rules()).is_ok());

    // The parts, on the same proof.
    let unverified = jws::Unverified::parse(&proof).unwrap();
    let (header, payload, _) = unverified.segments();
    let header: Value = serde_json::from_slice(&decode(header)).unwrap();
    let jwk_json = header["jwk"].to_string();
    let claims = decode(payload);
    let bound = key.verifying_key();
    let jwk = Jwk::from_json(jwk_json.as_bytes()).unwrap();
    assert_eq!(jwk.thumbprint(), dpop::jkt(&key));
    assert!(jws::verify(&proof, &bound).is_ok());

    let mut group = c.benchmark_group("dpop");
    group.bench_function("verify_ath", |b| {
        b.iter(|| dpop::verify(black_box(&proof), &rules()).unwrap());
    });
    group.bench_function("part_es256_verify", |b| {
        b.iter(|| jws::verify(black_box(&proof), &bound).unwrap());
    });
    group.bench_function("part_jwk_bind", |b| {
        b.iter(|| {
            Jwk::from_json(black_box(jwk_json.as_bytes()))
                .unwrap()
                .verifying_key(&jwa::ES256)
                .unwrap()
        });
    });
    group.bench_function("part_thumbprint", |b| {
        b.iter(|| black_box(&jwk).thumbprint());
    });
    group.bench_function("part_sha256", |b| {
        b.iter(|| dpop::ath(black_box(&token)));
    });
    group.bench_function("parts_together", |b| {
        b.iter(|| {
            let verified = jws::verify(black_box(&proof), &bound).unwrap();
            let jwk = Jwk::from_json(black_box(jwk_json.as_bytes())).unwrap();
            let key = jwk.verifying_key(&jwa::ES256).unwrap();
            (
                verified,
                key,
                jwk.thumbprint(),
                dpop::ath(black_box(&token)),
            )
        });
    });

    // Build: the proof against `jws::sign` of the same claims under the same header.
    let same_header = jws::Header::new()
        .with_typ("dpop+jwt")
        .with_member("jwk", &header["jwk"])
        .unwrap();
    group.bench_function("build", |b| {
        b.iter(|| {
            ProofBuilder::new(&key, "GET", black_box(HTU))
                .with_iat(now)
                .with_access_token(black_box(&token))
                .build()
                .unwrap()
        });
    });
    group.bench_function("part_es256_sign", |b| {
        b.iter(|| jws::sign(black_box(&claims), &same_header, &key).unwrap());
    });
    group.finish();
}

fn decode(segment: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::decode_vec(segment).unwrap()
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = dpop_benches
}
criterion_main!(benches);
