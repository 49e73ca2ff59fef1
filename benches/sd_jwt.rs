//! Criterion benches of SD-JWT (RFC 9901) verification against the sum of its parts, measured
//! in the same run.
//!
//! The presentation: an ES256 issuer-signed JWT with 10 selectively disclosable claims, all 10
//! disclosed, and an ES256 KB-JWT by the holder key of its `cnf.jwk`.
//!
//! - `verify_kb_10`: [`sd_jwt::verify`] with key binding required.
//! - The parts, each measured alone: `part_issuer_signature` ([`jws::verify`] of the
//!   issuer-signed JWT with the issuer key already bound), `part_kb_signature` (the holder's
//!   `cnf.jwk` parsed and bound to ES256, as every verifier must per presentation, and
//!   [`jws::verify`] of the KB-JWT with it), `part_hashes` (SHA-256 of the 10 disclosures and
//!   of the SD-JWT for `sd_hash`), `part_json` (base64url decoding and `serde_json` parsing of
//!   the payload, the 10 disclosures and the KB-JWT claims); `parts_together` runs the four in
//!   one iteration.
//!
//! ```sh
//! cargo bench --bench sd_jwt -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! On a loaded machine, count instructions instead (valgrind): with `SD_JWT_OPS=<id>:<n>` the
//! bench binary runs `n` iterations of one id and exits; run it with `n = 0` and `n = N` and
//! divide the difference by `N`:
//!
//! ```sh
//! bin=$(ls -t target/release/deps/sd_jwt-* | grep -v '\.d$' | head -1)
//! for n in 0 1000; do SD_JWT_OPS=verify_kb_10:$n valgrind --tool=callgrind \
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

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group};
use jose_ring::jwk::Jwk;
use jose_ring::jws::{self, Header};
use jose_ring::jwt::{self, NumericDate};
use jose_ring::sd_jwt::{self, Issuer, KeyBinding, Unverified, Validation};
use jose_ring::{SigningKey, VerifyingKey, jwa};
use serde_json::{Map, Value, json};

const P256_PEM: &[u8] = include_bytes!("../test-vectors/keys/p256.pkcs8.pem");

/// The JSON a verifier parses: the payload, the disclosures, the KB-JWT claims.
type Parsed = (Map<String, Value>, Vec<Vec<Value>>, Map<String, Value>);

/// The fixtures every id shares.
struct Fixture {
    presentation: String,
    rules: Validation,
    issuer: VerifyingKey,
    jwt: String,
    disclosures: Vec<String>,
    sd_jwt: String,
    kb_jwt: String,
    holder_jwk: String,
}

impl Fixture {
    fn new() -> Self {
        let issuer_key = SigningKey::from_pem(&jwa::ES256, P256_PEM).unwrap();
        let holder_key = SigningKey::generate(&jwa::ES256).unwrap();
        let now = NumericDate::from_seconds(1_700_000_000);
        let claims = json!({
            "iss": "https://issuer.example.com", "iat": 1_683_000_000, "exp": 1_883_000_000,
            "sub": "user_42", "given_name": "John", "family_name": "Doe",
            "email": "johndoe@example.com", "phone_number": "+1-202-555-0101",
            "phone_number_verified": true, "birthdate": "1940-01-01", "updated_at": 1_570_000_000,
            "address": {"street_address": "123 Main St", "locality": "Anytown",
                "region": "Anystate", "country": "US"},
            "nationalities": ["US", "DE"],
        });
        let pointers = [
            "/given_name",
            "/family_name",
            "/email",
            "/phone_number",
            "/phone_number_verified",
            "/birthdate",
            "/updated_at",
            "/address",
            "/nationalities/0",
            "/nationalities/1",
        ];
        let mut issuer = Issuer::new(claims.as_object().unwrap().clone())
            .with_header(Header::new().with_typ("example+sd-jwt"))
            .with_holder_key(&Jwk::from_signing_key(&holder_key).unwrap())
            .unwrap();
        for pointer in pointers {
            issuer = issuer.with_disclosable(pointer);
        }
        let issued = issuer.sign(&issuer_key).unwrap();
        let binding = KeyBinding::new("https://verifier.example.org", "1234567890", now);
        let presentation = Unverified::parse(&issued)
            .unwrap()
            .present_all()
            .unwrap()
            .with_key_binding(&binding, &holder_key)
            .unwrap();
        let rules = Validation::new(jwt::Validation::new(now).with_typ("example+sd-jwt"))
            .with_key_binding("https://verifier.example.org", "1234567890");
        let (sd_jwt, kb_jwt) = presentation.rsplit_once('~').unwrap();
        let sd_jwt = format!("{sd_jwt}~");
        let mut components = sd_jwt.split('~');
        let jwt = components.next().unwrap().to_string();
        let disclosures: Vec<String> = components
            .filter(|d| !d.is_empty())
            .map(String::from)
            .collect();
        assert_eq!(disclosures.len(), 10);
        let holder_jwk = Jwk::from_signing_key(&holder_key)
            .unwrap()
            .to_json()
            .unwrap();
        let fixture = Self {
            kb_jwt: kb_jwt.to_string(),
            presentation,
            rules,
            issuer: issuer_key.verifying_key(),
            jwt,
            disclosures,
            sd_jwt,
            holder_jwk,
        };
        let verified = sd_jwt::verify(&fixture.presentation, &fixture.issuer, &fixture.rules);
        assert_eq!(verified.unwrap().claims().len(), 14);
        fixture
    }

    /// Runs the operation `id` once.
    fn run(&self, id: &str) {
        match id {
            "verify_kb_10" => drop(black_box(
                sd_jwt::verify(black_box(&self.presentation), &self.issuer, &self.rules).unwrap(),
            )),
            "part_issuer_signature" => drop(black_box(self.issuer_signature())),
            "part_kb_signature" => drop(black_box(self.kb_signature())),
            "part_hashes" => drop(black_box(self.hashes())),
            "part_json" => drop(black_box(self.json())),
            "parts_together" => drop(black_box((
                self.issuer_signature(),
                self.kb_signature(),
                self.hashes(),
                self.json(),
            ))),
            other => panic!("no id {other}"),
        }
    }

    fn issuer_signature(&self) -> jws::Verified {
        jws::verify(black_box(&self.jwt), &self.issuer).unwrap()
    }

    fn kb_signature(&self) -> jws::Verified {
        let key = Jwk::from_json(black_box(self.holder_jwk.as_bytes()))
            .unwrap()
            .verifying_key(&jwa::ES256)
            .unwrap();
        jws::verify(black_box(&self.kb_jwt), &key).unwrap()
    }

    fn hashes(&self) -> Vec<ring::digest::Digest> {
        let mut out: Vec<ring::digest::Digest> = self
            .disclosures
            .iter()
            .map(|d| ring::digest::digest(&ring::digest::SHA256, black_box(d).as_bytes()))
            .collect();
        out.push(ring::digest::digest(
            &ring::digest::SHA256,
            black_box(&self.sd_jwt).as_bytes(),
        ));
        out
    }

    fn json(&self) -> Parsed {
        let decode = |segment: &str| Base64UrlUnpadded::decode_vec(segment).unwrap();
        let payload = decode(self.jwt.split('.').nth(1).unwrap());
        let payload: Map<String, Value> = serde_json::from_slice(&payload).unwrap();
        let disclosures = self
            .disclosures
            .iter()
            .map(|d| serde_json::from_slice(&decode(d)).unwrap())
            .collect();
        let kb = decode(self.kb_jwt.split('.').nth(1).unwrap());
        (payload, disclosures, serde_json::from_slice(&kb).unwrap())
    }
}

const IDS: [&str; 6] = [
    "verify_kb_10",
    "part_issuer_signature",
    "part_kb_signature",
    "part_hashes",
    "part_json",
    "parts_together",
];

fn sd_jwt_benches(c: &mut Criterion) {
    let fixture = Fixture::new();
    let mut group = c.benchmark_group("sd_jwt");
    for id in IDS {
        group.bench_function(id, |b| b.iter(|| fixture.run(id)));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = sd_jwt_benches
}

fn main() {
    if let Ok(spec) = std::env::var("SD_JWT_OPS") {
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
