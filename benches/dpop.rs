//! Criterion benches of DPoP (RFC 9449) against the sum of its parts, measured in the same run.
//!
//! - `verify_ath`: [`dpop::verify`] of an ES256 proof with `ath`, the per-request rules built
//!   inside the loop (URI normalised, access token hashed), against the parts measured alone:
//!   `part_es256_verify` ([`jws::verify`] of the same proof with its key already bound),
//!   `part_jwk_bind` (the proof's `jwk` parsed and bound to ES256), `part_thumbprint` and
//!   `part_sha256` ([`dpop::ath`] of the access token); `parts_together` runs the four in one
//!   iteration.
//! - `build`: [`dpop::ProofBuilder`] with `ath` against `part_es256_sign`, [`jws::sign`] of the
//!   same claims under the same header (and `part_sha256`, the hash `ath` needs);
//!   `build_no_ath` (a token endpoint's proof) against `part_es256_sign_no_ath`.
//!
//! ```sh
//! cargo bench --bench dpop -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! On a loaded machine, count instructions instead (valgrind): with `DPOP_OPS=<id>:<n>` the
//! bench binary runs `n` iterations of one id and exits; run it with `n = 0` and `n = N` and
//! divide the difference by `N`:
//!
//! ```sh
//! bin=$(ls -t target/release/deps/dpop-* | grep -v '\.d$' | head -1)
//! for n in 0 1000; do DPOP_OPS=verify_ath:$n valgrind --tool=callgrind \
//!   --callgrind-out-file=/dev/null "$bin" 2>&1 | grep Collected; done
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

use criterion::{Criterion, criterion_group};
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

const P256_PEM: &[u8] = include_bytes!("../test-vectors/keys/p256.pkcs8.pem");

/// The fixtures every id shares.
struct Fixture {
    key: SigningKey,
    now: NumericDate,
    token: String,
    proof: String,
    jwk_json: String,
    jwk: Jwk,
    claims: Vec<u8>,
    /// The claims of a proof without `ath` (at the token endpoint).
    claims_no_ath: Vec<u8>,
    bound: jose_ring::VerifyingKey,
    same_header: jws::Header,
}

impl Fixture {
    fn new() -> Self {
        let key = SigningKey::from_pem(&jwa::ES256, P256_PEM).unwrap();
        let now = NumericDate::from_seconds(1_700_000_000);
        let token = access_token();
        let proof = ProofBuilder::new(&key, "GET", HTU)
            .with_iat(now)
            .with_access_token(&token)
            .build()
            .unwrap();
        let unverified = jws::Unverified::parse(&proof).unwrap();
        let (header, payload, _) = unverified.segments();
        let header: Value = serde_json::from_slice(&decode(header)).unwrap();
        let jwk_json = header["jwk"].to_string();
        let claims = decode(payload);
        let no_ath = ProofBuilder::new(&key, "GET", HTU)
            .with_iat(now)
            .build()
            .unwrap();
        let claims_no_ath = decode(no_ath.split('.').nth(1).unwrap());
        let bound = key.verifying_key();
        let jwk = Jwk::from_json(jwk_json.as_bytes()).unwrap();
        // The same claims under the same header, for `jws::sign`.
        let same_header = jws::Header::new()
            .with_typ("dpop+jwt")
            .with_member("jwk", &header["jwk"])
            .unwrap();
        let fixture = Self {
            key,
            now,
            token,
            proof,
            jwk_json,
            jwk,
            claims,
            claims_no_ath,
            bound,
            same_header,
        };
        assert!(dpop::verify(&fixture.proof, &fixture.rules()).is_ok());
        assert_eq!(fixture.jwk.thumbprint(), dpop::jkt(&fixture.key));
        assert!(jws::verify(&fixture.proof, &fixture.bound).is_ok());
        let signed = jws::sign(&fixture.claims, &fixture.same_header, &fixture.key).unwrap();
        assert_eq!(signed.len(), fixture.proof.len());
        fixture
    }

    /// The per-request rules: built in the loop, as a server builds them.
    fn rules(&self) -> ProofValidation {
        ProofValidation::new("GET", HTU, self.now).with_access_token(&self.token)
    }

    /// Runs the operation `id` once.
    fn run(&self, id: &str) {
        match id {
            "verify_ath" => drop(black_box(
                dpop::verify(black_box(&self.proof), &self.rules()).unwrap(),
            )),
            "part_es256_verify" => drop(black_box(
                jws::verify(black_box(&self.proof), &self.bound).unwrap(),
            )),
            "part_jwk_bind" => drop(black_box(
                Jwk::from_json(black_box(self.jwk_json.as_bytes()))
                    .unwrap()
                    .verifying_key(&jwa::ES256)
                    .unwrap(),
            )),
            "part_thumbprint" => drop(black_box(black_box(&self.jwk).thumbprint())),
            "part_sha256" => drop(black_box(dpop::ath(black_box(&self.token)))),
            "parts_together" => {
                let verified = jws::verify(black_box(&self.proof), &self.bound).unwrap();
                let jwk = Jwk::from_json(black_box(self.jwk_json.as_bytes())).unwrap();
                let key = jwk.verifying_key(&jwa::ES256).unwrap();
                let print = jwk.thumbprint();
                drop(black_box((
                    verified,
                    key,
                    print,
                    dpop::ath(black_box(&self.token)),
                )));
            }
            "build" => drop(black_box(
                ProofBuilder::new(&self.key, "GET", black_box(HTU))
                    .with_iat(self.now)
                    .with_access_token(black_box(&self.token))
                    .build()
                    .unwrap(),
            )),
            "part_es256_sign" => drop(black_box(
                jws::sign(black_box(&self.claims), &self.same_header, &self.key).unwrap(),
            )),
            "build_no_ath" => drop(black_box(
                ProofBuilder::new(&self.key, "GET", black_box(HTU))
                    .with_iat(self.now)
                    .build()
                    .unwrap(),
            )),
            "part_es256_sign_no_ath" => drop(black_box(
                jws::sign(black_box(&self.claims_no_ath), &self.same_header, &self.key).unwrap(),
            )),
            other => panic!("no id {other}"),
        }
    }
}

const IDS: [&str; 10] = [
    "verify_ath",
    "part_es256_verify",
    "part_jwk_bind",
    "part_thumbprint",
    "part_sha256",
    "parts_together",
    "build",
    "part_es256_sign",
    "build_no_ath",
    "part_es256_sign_no_ath",
];

fn dpop_benches(c: &mut Criterion) {
    let fixture = Fixture::new();
    let mut group = c.benchmark_group("dpop");
    for id in IDS {
        group.bench_function(id, |b| b.iter(|| fixture.run(id)));
    }
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

fn main() {
    if let Ok(spec) = std::env::var("DPOP_OPS") {
        let (id, n) = spec.split_once(':').unwrap();
        let fixture = Fixture::new();
        for _ in 0..n.parse::<usize>().unwrap() {
            fixture.run(id);
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
