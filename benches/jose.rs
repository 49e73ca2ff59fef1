//! Criterion benches of jose-ring against the floor (the same work with `ring`, `base64ct` and
//! `serde_json` alone, in `shared/mod.rs`), one id per algorithm, on a typical access token.
//!
//! Groups: `sign` (claims to compact JWT), `verify` (compact JWS to payload bytes),
//! `jwt_decode` (verify, check the claims, deserialize into a struct), `parse` (split and parse
//! the header), `jwk` (parse, thumbprint, bind) and `key_import` (PEM and JWK to a key). Ids
//! `HS256`, ... are jose-ring; `floor_HS256`, ... the floor, measured in the same run.
//!
//! ```sh
//! cargo bench --bench jose -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! The peers (jsonwebtoken, jwt-simple) are in `benches/compare/`, a crate of its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs,
    reason = "a benchmark: a panic is a failed fixture"
)]

mod shared;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jose_ring::jwk::Jwk;
use jose_ring::jwt::{self, SystemClock, Validation};
use jose_ring::{HmacKey, SigningKey, VerifyingKey, jws};
use ring::rand::SystemRandom;

use shared::{ALGS, BorrowedClaims, Claims, Floor, LibKey};

/// One algorithm's fixtures: jose-ring's key, the floor's key, and the token both verify.
struct Case {
    name: &'static str,
    alg: &'static jose_ring::jwa::Algorithm,
    lib: LibKey,
    floor: Floor,
    token: String,
}

fn cases() -> Vec<Case> {
    let claims = Claims::typical();
    ALGS.iter()
        .map(|&alg| {
            let lib = LibKey::load(alg);
            let floor = Floor::load(alg);
            let token = shared::lib_sign(&lib, &claims);
            shared::assert_alg(&token, alg.name(), "jose-ring");
            // The floor signs the same claims into a token jose-ring accepts, and accepts
            // jose-ring's: both sides do the same work.
            let floor_token = floor.sign(&claims).unwrap();
            shared::assert_alg(&floor_token, alg.name(), "floor");
            let rules = rules();
            for t in [&token, &floor_token] {
                let decoded: jwt::Verified<Claims> = match &lib {
                    LibKey::Hmac(k) => jwt::decode(t, k, &rules),
                    LibKey::Pair(_, v) => jwt::decode(t, v, &rules),
                }
                .unwrap();
                assert_eq!(decoded.claims(), &claims);
                assert_eq!(floor.decode(t, shared::now()).unwrap(), claims);
            }
            Case {
                name: alg.name(),
                alg,
                lib,
                floor,
                token,
            }
        })
        .collect()
}

/// The rules of the typical API: jose-ring's defaults (`exp` required, `nbf` and `iat`
/// checked, `typ` absent or JWT) with an issuer and an audience, reading the system clock.
fn rules() -> Validation {
    Validation::from_clock(std::sync::Arc::new(SystemClock))
        .with_issuer(shared::ISS)
        .with_audience(shared::AUD)
}

fn sign(c: &mut Criterion, cases: &[Case]) {
    let claims = Claims::typical();
    let mut group = c.benchmark_group("sign");
    for case in cases {
        group.bench_function(case.name, |b| match &case.lib {
            LibKey::Hmac(k) => b.iter(|| jwt::encode(black_box(&claims), k).unwrap()),
            LibKey::Pair(k, _) => b.iter(|| jwt::encode(black_box(&claims), k).unwrap()),
        });
        group.bench_function(format!("floor_{}", case.name), |b| {
            b.iter(|| case.floor.sign(black_box(&claims)).unwrap());
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("verify");
    for case in cases {
        let token = case.token.as_str();
        group.bench_function(case.name, |b| match &case.lib {
            LibKey::Hmac(k) => b.iter(|| jws::verify(black_box(token), k).unwrap()),
            LibKey::Pair(_, v) => b.iter(|| jws::verify(black_box(token), v).unwrap()),
        });
        group.bench_function(format!("floor_{}", case.name), |b| {
            b.iter(|| case.floor.verify_jws(black_box(token)).unwrap());
        });
    }
    group.finish();
}

fn jwt_decode(c: &mut Criterion, cases: &[Case]) {
    let rules = rules();
    let mut group = c.benchmark_group("jwt_decode");
    for case in cases {
        let token = case.token.as_str();
        group.bench_function(case.name, |b| match &case.lib {
            LibKey::Hmac(k) => {
                b.iter(|| jwt::decode::<Claims, _>(black_box(token), k, &rules).unwrap())
            }
            LibKey::Pair(_, v) => {
                b.iter(|| jwt::decode::<Claims, _>(black_box(token), v, &rules).unwrap());
            }
        });
        group.bench_function(format!("borrowed_{}", case.name), |b| {
            let mut buffer = Vec::new();
            match &case.lib {
                LibKey::Hmac(k) => b.iter(|| {
                    let v: jwt::Verified<BorrowedClaims<'_>> =
                        jwt::decode_borrowed(black_box(token), k, &rules, &mut buffer).unwrap();
                    black_box(v.claims().exp)
                }),
                LibKey::Pair(_, key) => b.iter(|| {
                    let v: jwt::Verified<BorrowedClaims<'_>> =
                        jwt::decode_borrowed(black_box(token), key, &rules, &mut buffer).unwrap();
                    black_box(v.claims().exp)
                }),
            }
        });
        group.bench_function(format!("floor_{}", case.name), |b| {
            b.iter(|| case.floor.decode(black_box(token), shared::now()).unwrap());
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("parse");
    for case in cases {
        let token = case.token.as_str();
        group.bench_function(case.name, |b| {
            b.iter(|| jws::Unverified::parse(black_box(token)).unwrap());
        });
        group.bench_function(format!("floor_{}", case.name), |b| {
            b.iter(|| Floor::parse(black_box(token)).unwrap());
        });
    }
    group.finish();
}

/// The public JWK of each case (the `oct` JWK, with its secret, for HS*).
fn jwk_json(case: &Case) -> Vec<u8> {
    match &case.lib {
        LibKey::Hmac(k) => Jwk::from_hmac_key(k).to_private_json().expose().to_vec(),
        LibKey::Pair(_, v) => Jwk::from_verifying_key(v).to_json().unwrap().into_bytes(),
    }
}

fn jwk(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("jwk");
    for case in cases {
        let json = jwk_json(case);
        let parsed = Jwk::from_json(&json).unwrap();
        group.bench_function(format!("parse/{}", case.name), |b| {
            b.iter(|| Jwk::from_json(black_box(&json)).unwrap());
        });
        group.bench_function(format!("thumbprint/{}", case.name), |b| {
            b.iter(|| black_box(&parsed).thumbprint());
        });
        let alg = case.alg;
        group.bench_function(format!("bind/{}", case.name), |b| match &case.lib {
            LibKey::Hmac(_) => b.iter(|| black_box(&parsed).hmac_key(alg).unwrap()),
            LibKey::Pair(..) => b.iter(|| black_box(&parsed).verifying_key(alg).unwrap()),
        });
    }
    group.finish();
}

fn key_import(c: &mut Criterion, cases: &[Case]) {
    let rng = SystemRandom::new();
    let mut group = c.benchmark_group("key_import");
    group.bench_function("hmac/HS256", |b| {
        b.iter(|| HmacKey::new(&jose_ring::jwa::HS256, black_box(shared::HMAC_SECRET)).unwrap());
    });
    group.bench_function("floor_hmac/HS256", |b| {
        b.iter(|| ring::hmac::Key::new(ring::hmac::HMAC_SHA256, black_box(shared::HMAC_SECRET)));
    });
    for case in cases {
        let Some((private, public)) = shared::pem_pair(case.alg) else {
            continue;
        };
        // PS256 uses the RS256 key: the same import.
        if case.name == "PS256" {
            continue;
        }
        let (alg, name) = (case.alg, case.name);
        group.bench_function(format!("pem_private/{name}"), |b| {
            b.iter(|| SigningKey::from_pem(alg, black_box(private)).unwrap());
        });
        group.bench_function(format!("floor_pem_private/{name}"), |b| match name {
            "RS256" => b.iter(|| Floor::rsa_from_pem(black_box(private))),
            "ES256" => b.iter(|| {
                Floor::ecdsa_from_pem(
                    &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    black_box(private),
                    &rng,
                )
            }),
            "ES384" => b.iter(|| {
                Floor::ecdsa_from_pem(
                    &ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    black_box(private),
                    &rng,
                )
            }),
            _ => b.iter(|| Floor::ed25519_from_pem(black_box(private))),
        });
        group.bench_function(format!("pem_public/{name}"), |b| {
            b.iter(|| VerifyingKey::from_pem(alg, black_box(public)).unwrap());
        });
        let json = jwk_json(case);
        group.bench_function(format!("jwk_public/{name}"), |b| {
            b.iter(|| {
                Jwk::from_json(black_box(&json))
                    .unwrap()
                    .verifying_key(alg)
                    .unwrap()
            });
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let cases = cases();
    sign(c, &cases);
    verify(c, &cases);
    jwt_decode(c, &cases);
    parse(c, &cases);
    jwk(c, &cases);
    key_import(c, &cases);
}

criterion_group! {
    name = jose;
    // 50 samples: RSA signing (about 1.5 ms) fits the 3-second measurement this way.
    config = Criterion::default().sample_size(50);
    targets = benches
}
criterion_main!(jose);
