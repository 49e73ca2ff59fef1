//! jose-ring, the floor and the peers on the same workload: the typical access token of
//! `benches/shared/mod.rs`, the same keys (`test-vectors/keys/`), one id per library and
//! algorithm (`jose_ring/HS256`, `floor/HS256`, `jsonwebtoken9/HS256`, `jsonwebtoken11/HS256`,
//! `jwt_simple/HS256`).
//!
//! Every peer verifies the token jose-ring signed, and every token a peer signs is checked
//! (header `alg` asserted, then verified and decoded by jose-ring) before anything is measured,
//! so no row measures the wrong algorithm or a failing path.
//!
//! ```sh
//! cd benches/compare && cargo bench --bench peers -- --warm-up-time 1 --measurement-time 2
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark")]

#[path = "../../shared/mod.rs"]
#[allow(
    dead_code,
    reason = "shared with the library bench, which uses all of it"
)]
mod shared;

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jose_ring::jwt::{self, SystemClock, Validation};
use jose_ring::{SigningKey, VerifyingKey, jwa, jws};
use jwt_simple::prelude as js;
use jwt_simple::prelude::MACLike;
use serde::{Deserialize, Serialize};

use shared::{ALGS, AUD, BorrowedClaims, Claims, EXP, Floor, IAT, ISS, LibKey};

/// jwt-simple's custom claims: what its `JWTClaims` does not model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Custom {
    name: String,
    admin: bool,
    scope: String,
}

fn jwt_simple_claims() -> js::JWTClaims<Custom> {
    let typical = Claims::typical();
    let mut claims = js::Claims::with_custom_claims(
        Custom {
            name: typical.name,
            admin: typical.admin,
            scope: typical.scope,
        },
        js::Duration::from_secs(1),
    );
    claims.issued_at = Some(js::Duration::from_secs(IAT as u64));
    claims.invalid_before = Some(js::Duration::from_secs(IAT as u64));
    claims.expires_at = Some(js::Duration::from_secs(EXP as u64));
    claims.issuer = Some(ISS.into());
    claims.subject = Some(typical.sub);
    claims.audiences = Some(js::Audiences::AsString(AUD.into()));
    claims
}

fn jwt_simple_options() -> js::VerificationOptions {
    js::VerificationOptions {
        allowed_issuers: Some(HashSet::from([ISS.to_string()])),
        allowed_audiences: Some(HashSet::from([AUD.to_string()])),
        time_tolerance: Some(js::Duration::from_secs(0)),
        ..Default::default()
    }
}

/// jwt-simple's keys, one variant per algorithm.
enum JwtSimple {
    Hs256(js::HS256Key),
    Hs384(js::HS384Key),
    Hs512(js::HS512Key),
    Rs256(js::RS256KeyPair, js::RS256PublicKey),
    Ps256(js::PS256KeyPair, js::PS256PublicKey),
    Es256(js::ES256KeyPair, js::ES256PublicKey),
    Es384(js::ES384KeyPair, js::ES384PublicKey),
    Ed25519(js::Ed25519KeyPair, js::Ed25519PublicKey),
}

/// Runs `$body` with `$k` bound to the signing half and `$v` to the verifying half.
macro_rules! with_js {
    ($key:expr, |$k:ident, $v:ident| $body:expr) => {
        match $key {
            JwtSimple::Hs256($k) => {
                let $v = $k;
                $body
            }
            JwtSimple::Hs384($k) => {
                let $v = $k;
                $body
            }
            JwtSimple::Hs512($k) => {
                let $v = $k;
                $body
            }
            JwtSimple::Rs256($k, $v) => $body,
            JwtSimple::Ps256($k, $v) => $body,
            JwtSimple::Es256($k, $v) => $body,
            JwtSimple::Es384($k, $v) => $body,
            JwtSimple::Ed25519($k, $v) => $body,
        }
    };
}

// jwt-simple names its signing and verifying calls differently per key kind (MACLike for
// HMAC, the *KeyPairLike / *PublicKeyLike traits for the rest); these shims give them one name.
trait JsSign {
    fn js_sign(&self, claims: js::JWTClaims<Custom>) -> String;
}
trait JsVerify {
    fn js_verify<T: serde::de::DeserializeOwned + Serialize>(
        &self,
        token: &str,
        options: js::VerificationOptions,
    ) -> js::JWTClaims<T>;
}

macro_rules! js_mac {
    ($($t:ty),*) => {$(
        impl JsSign for $t {
            fn js_sign(&self, claims: js::JWTClaims<Custom>) -> String {
                self.authenticate(claims).unwrap()
            }
        }
        impl JsVerify for $t {
            fn js_verify<T: serde::de::DeserializeOwned + Serialize>(
                &self, token: &str, options: js::VerificationOptions,
            ) -> js::JWTClaims<T> {
                self.verify_token::<T>(token, Some(options)).unwrap()
            }
        }
    )*};
}
js_mac!(js::HS256Key, js::HS384Key, js::HS512Key);

macro_rules! js_pair {
    ($(($pair:ty, $public:ty, $pair_trait:path, $public_trait:path)),*) => {$(
        impl JsSign for $pair {
            fn js_sign(&self, claims: js::JWTClaims<Custom>) -> String {
                use $pair_trait;
                self.sign(claims).unwrap()
            }
        }
        impl JsVerify for $public {
            fn js_verify<T: serde::de::DeserializeOwned + Serialize>(
                &self, token: &str, options: js::VerificationOptions,
            ) -> js::JWTClaims<T> {
                use $public_trait;
                self.verify_token::<T>(token, Some(options)).unwrap()
            }
        }
    )*};
}
js_pair!(
    (
        js::RS256KeyPair,
        js::RS256PublicKey,
        js::RSAKeyPairLike,
        js::RSAPublicKeyLike
    ),
    (
        js::PS256KeyPair,
        js::PS256PublicKey,
        js::RSAKeyPairLike,
        js::RSAPublicKeyLike
    ),
    (
        js::ES256KeyPair,
        js::ES256PublicKey,
        js::ECDSAP256KeyPairLike,
        js::ECDSAP256PublicKeyLike
    ),
    (
        js::ES384KeyPair,
        js::ES384PublicKey,
        js::ECDSAP384KeyPairLike,
        js::ECDSAP384PublicKeyLike
    ),
    (
        js::Ed25519KeyPair,
        js::Ed25519PublicKey,
        js::EdDSAKeyPairLike,
        js::EdDSAPublicKeyLike
    )
);

fn pem_str(pem: &[u8]) -> &str {
    std::str::from_utf8(pem).unwrap()
}

fn load_jwt_simple(name: &str) -> JwtSimple {
    let pems = |alg| shared::pem_pair(alg).map(|(s, p)| (pem_str(s), pem_str(p)));
    let secret = shared::HMAC_SECRET.as_slice();
    match name {
        "HS256" => JwtSimple::Hs256(js::HS256Key::from_bytes(secret)),
        "HS384" => JwtSimple::Hs384(js::HS384Key::from_bytes(secret)),
        "HS512" => JwtSimple::Hs512(js::HS512Key::from_bytes(secret)),
        "RS256" => {
            let (s, p) = pems(&jwa::RS256).unwrap();
            JwtSimple::Rs256(
                js::RS256KeyPair::from_pem(s).unwrap(),
                js::RS256PublicKey::from_pem(p).unwrap(),
            )
        }
        "PS256" => {
            let (s, p) = pems(&jwa::PS256).unwrap();
            JwtSimple::Ps256(
                js::PS256KeyPair::from_pem(s).unwrap(),
                js::PS256PublicKey::from_pem(p).unwrap(),
            )
        }
        "ES256" => {
            let (s, p) = pems(&jwa::ES256).unwrap();
            JwtSimple::Es256(
                js::ES256KeyPair::from_pem(s).unwrap(),
                js::ES256PublicKey::from_pem(p).unwrap(),
            )
        }
        "ES384" => {
            let (s, p) = pems(&jwa::ES384).unwrap();
            JwtSimple::Es384(
                js::ES384KeyPair::from_pem(s).unwrap(),
                js::ES384PublicKey::from_pem(p).unwrap(),
            )
        }
        "EdDSA" => {
            let (s, p) = pems(&jwa::EdDSA).unwrap();
            JwtSimple::Ed25519(
                js::Ed25519KeyPair::from_pem(s).unwrap(),
                js::Ed25519PublicKey::from_pem(p).unwrap(),
            )
        }
        other => panic!("no jwt-simple key for {other}"),
    }
}

/// The same code for jsonwebtoken 9 and 11: their API is the same.
macro_rules! jsonwebtoken_peer {
    ($modname:ident, $krate:ident) => {
        mod $modname {
            use super::*;
            use $krate as jt;

            pub(crate) struct Peer {
                pub(crate) alg: jt::Algorithm,
                pub(crate) encoding: jt::EncodingKey,
                pub(crate) decoding: jt::DecodingKey,
                pub(crate) header: jt::Header,
                /// The typical API's rules: exp, nbf, iss, aud; leeway 0 as jose-ring's.
                pub(crate) rules: jt::Validation,
                /// Signature only: no claim required or checked (the claims are still read).
                pub(crate) signature_only: jt::Validation,
            }

            pub(crate) fn alg_of(name: &str) -> jt::Algorithm {
                match name {
                    "HS256" => jt::Algorithm::HS256,
                    "HS384" => jt::Algorithm::HS384,
                    "HS512" => jt::Algorithm::HS512,
                    "RS256" => jt::Algorithm::RS256,
                    "PS256" => jt::Algorithm::PS256,
                    "ES256" => jt::Algorithm::ES256,
                    "ES384" => jt::Algorithm::ES384,
                    "EdDSA" => jt::Algorithm::EdDSA,
                    other => panic!("no jsonwebtoken algorithm {other}"),
                }
            }

            pub(crate) fn encoding_key(name: &str, private: &[u8]) -> jt::EncodingKey {
                match name {
                    "RS256" | "PS256" => jt::EncodingKey::from_rsa_pem(private).unwrap(),
                    "ES256" | "ES384" => jt::EncodingKey::from_ec_pem(private).unwrap(),
                    _ => jt::EncodingKey::from_ed_pem(private).unwrap(),
                }
            }

            pub(crate) fn decoding_key(name: &str, public: &[u8]) -> jt::DecodingKey {
                match name {
                    "RS256" | "PS256" => jt::DecodingKey::from_rsa_pem(public).unwrap(),
                    "ES256" | "ES384" => jt::DecodingKey::from_ec_pem(public).unwrap(),
                    _ => jt::DecodingKey::from_ed_pem(public).unwrap(),
                }
            }

            pub(crate) fn load(a: &'static jwa::Algorithm) -> Peer {
                let name = a.name();
                let alg = alg_of(name);
                let (encoding, decoding) = match shared::pem_pair(a) {
                    None => (
                        jt::EncodingKey::from_secret(shared::HMAC_SECRET),
                        jt::DecodingKey::from_secret(shared::HMAC_SECRET),
                    ),
                    Some((private, public)) => {
                        (encoding_key(name, private), decoding_key(name, public))
                    }
                };
                let mut rules = jt::Validation::new(alg);
                rules.set_issuer(&[ISS]);
                rules.set_audience(&[AUD]);
                rules.validate_nbf = true;
                rules.leeway = 0;
                let mut signature_only = jt::Validation::new(alg);
                signature_only.required_spec_claims.clear();
                signature_only.validate_exp = false;
                signature_only.validate_aud = false;
                Peer {
                    alg,
                    encoding,
                    decoding,
                    header: jt::Header::new(alg),
                    rules,
                    signature_only,
                }
            }

            impl Peer {
                pub(crate) fn sign(&self, claims: &Claims) -> String {
                    jt::encode(&self.header, claims, &self.encoding).unwrap()
                }

                pub(crate) fn decode(&self, token: &str) -> Claims {
                    jt::decode::<Claims>(token, &self.decoding, &self.rules)
                        .unwrap()
                        .claims
                }

                pub(crate) fn verify(&self, token: &str) -> serde::de::IgnoredAny {
                    jt::decode::<serde::de::IgnoredAny>(token, &self.decoding, &self.signature_only)
                        .unwrap()
                        .claims
                }

                pub(crate) fn parse(&self, token: &str) -> jt::Algorithm {
                    let alg = jt::decode_header(token).unwrap().alg;
                    assert_eq!(alg, self.alg);
                    alg
                }
            }
        }
    };
}
jsonwebtoken_peer!(jt9, jsonwebtoken9);
jsonwebtoken_peer!(jt11, jsonwebtoken11);

struct Case {
    name: &'static str,
    lib: LibKey,
    floor: Floor,
    jt9: jt9::Peer,
    jt11: jt11::Peer,
    js: JwtSimple,
    token: String,
}

fn rules() -> Validation {
    Validation::from_clock(std::sync::Arc::new(SystemClock))
        .with_issuer(ISS)
        .with_audience(AUD)
}

fn lib_decode(lib: &LibKey, token: &str, rules: &Validation) -> Claims {
    match lib {
        LibKey::Hmac(k) => jwt::decode(token, k, rules),
        LibKey::Pair(_, v) => jwt::decode(token, v, rules),
    }
    .unwrap()
    .into_claims()
}

/// `jwt::decode_borrowed` into claims that borrow from a buffer reused across calls.
fn lib_decode_borrowed(lib: &LibKey, token: &str, rules: &Validation, buffer: &mut Vec<u8>) -> i64 {
    let verified: jwt::Verified<BorrowedClaims<'_>> = match lib {
        LibKey::Hmac(k) => jwt::decode_borrowed(token, k, rules, buffer),
        LibKey::Pair(_, v) => jwt::decode_borrowed(token, v, rules, buffer),
    }
    .unwrap();
    verified.claims().exp
}

fn cases() -> Vec<Case> {
    let claims = Claims::typical();
    let rules = rules();
    ALGS.iter()
        .map(|&alg| {
            let name = alg.name();
            let lib = LibKey::load(alg);
            let case = Case {
                name,
                floor: Floor::load(alg),
                jt9: jt9::load(alg),
                jt11: jt11::load(alg),
                js: load_jwt_simple(name),
                token: shared::lib_sign(&lib, &claims),
                lib,
            };
            // Each library's own token: the right alg, and jose-ring accepts it with the same
            // claims.
            let tokens = [
                ("jose_ring", case.token.clone()),
                ("floor", case.floor.sign(&claims).unwrap()),
                ("jsonwebtoken9", case.jt9.sign(&claims)),
                ("jsonwebtoken11", case.jt11.sign(&claims)),
                (
                    "jwt_simple",
                    with_js!(&case.js, |k, _v| k.js_sign(jwt_simple_claims())),
                ),
            ];
            for (who, token) in &tokens {
                shared::assert_alg(token, name, who);
                assert_eq!(lib_decode(&case.lib, token, &rules), claims, "{who} {name}");
            }
            // Every library accepts jose-ring's token, the one measured, with the same claims.
            shared::assert_alg(&case.token, name, "jose_ring");
            assert_eq!(
                case.floor.decode(&case.token, shared::now()).unwrap(),
                claims
            );
            assert_eq!(case.jt9.decode(&case.token), claims);
            assert_eq!(case.jt11.decode(&case.token), claims);
            let decoded = with_js!(&case.js, |_k, v| v
                .js_verify::<Custom>(&case.token, jwt_simple_options()));
            assert_eq!(decoded.custom.scope, claims.scope);
            assert_eq!(decoded.subject.as_deref(), Some(claims.sub.as_str()));
            case
        })
        .collect()
}

fn sign(c: &mut Criterion, cases: &[Case]) {
    let claims = Claims::typical();
    let mut group = c.benchmark_group("sign");
    for case in cases {
        let n = case.name;
        group.bench_function(format!("jose_ring/{n}"), |b| match &case.lib {
            LibKey::Hmac(k) => b.iter(|| jwt::encode(black_box(&claims), k).unwrap()),
            LibKey::Pair(k, _) => b.iter(|| jwt::encode(black_box(&claims), k).unwrap()),
        });
        group.bench_function(format!("floor/{n}"), |b| {
            b.iter(|| case.floor.sign(black_box(&claims)).unwrap());
        });
        group.bench_function(format!("jsonwebtoken9/{n}"), |b| {
            b.iter(|| case.jt9.sign(black_box(&claims)));
        });
        group.bench_function(format!("jsonwebtoken11/{n}"), |b| {
            b.iter(|| case.jt11.sign(black_box(&claims)));
        });
        // jwt-simple takes its claims by value: building them is part of its signing call.
        let js_claims = jwt_simple_claims();
        group.bench_function(format!("jwt_simple/{n}"), |b| {
            with_js!(&case.js, |k, _v| b
                .iter(|| k.js_sign(black_box(js_claims.clone()))));
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("verify");
    for case in cases {
        let (n, token) = (case.name, case.token.as_str());
        group.bench_function(format!("jose_ring/{n}"), |b| match &case.lib {
            LibKey::Hmac(k) => b.iter(|| jws::verify(black_box(token), k).unwrap()),
            LibKey::Pair(_, v) => b.iter(|| jws::verify(black_box(token), v).unwrap()),
        });
        group.bench_function(format!("floor/{n}"), |b| {
            b.iter(|| case.floor.verify_jws(black_box(token)).unwrap());
        });
        group.bench_function(format!("jsonwebtoken9/{n}"), |b| {
            b.iter(|| case.jt9.verify(black_box(token)));
        });
        group.bench_function(format!("jsonwebtoken11/{n}"), |b| {
            b.iter(|| case.jt11.verify(black_box(token)));
        });
        // jwt-simple has no signature-only call: its lightest verification reads the claims.
        let options = js::VerificationOptions::default();
        group.bench_function(format!("jwt_simple/{n}"), |b| {
            with_js!(&case.js, |_k, v| b.iter(|| {
                v.js_verify::<js::NoCustomClaims>(black_box(token), options.clone())
            }));
        });
    }
    group.finish();
}

fn jwt_decode(c: &mut Criterion, cases: &[Case]) {
    let rules = rules();
    let mut group = c.benchmark_group("jwt_decode");
    for case in cases {
        let (n, token) = (case.name, case.token.as_str());
        group.bench_function(format!("jose_ring/{n}"), |b| {
            b.iter(|| lib_decode(&case.lib, black_box(token), &rules));
        });
        group.bench_function(format!("jose_ring_borrowed/{n}"), |b| {
            let mut buffer = Vec::new();
            b.iter(|| lib_decode_borrowed(&case.lib, black_box(token), &rules, &mut buffer));
        });
        group.bench_function(format!("floor/{n}"), |b| {
            b.iter(|| case.floor.decode(black_box(token), shared::now()).unwrap());
        });
        group.bench_function(format!("jsonwebtoken9/{n}"), |b| {
            b.iter(|| case.jt9.decode(black_box(token)));
        });
        group.bench_function(format!("jsonwebtoken11/{n}"), |b| {
            b.iter(|| case.jt11.decode(black_box(token)));
        });
        let options = jwt_simple_options();
        group.bench_function(format!("jwt_simple/{n}"), |b| {
            with_js!(&case.js, |_k, v| b.iter(|| {
                v.js_verify::<Custom>(black_box(token), options.clone())
            }));
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("parse");
    // The header parse does not depend on the algorithm beyond the token's length.
    for case in cases
        .iter()
        .filter(|c| matches!(c.name, "HS256" | "RS256" | "ES256"))
    {
        let (n, token) = (case.name, case.token.as_str());
        group.bench_function(format!("jose_ring/{n}"), |b| {
            b.iter(|| jws::Unverified::parse(black_box(token)).unwrap());
        });
        group.bench_function(format!("floor/{n}"), |b| {
            b.iter(|| Floor::parse(black_box(token)).unwrap());
        });
        group.bench_function(format!("jsonwebtoken9/{n}"), |b| {
            b.iter(|| case.jt9.parse(black_box(token)));
        });
        group.bench_function(format!("jsonwebtoken11/{n}"), |b| {
            b.iter(|| case.jt11.parse(black_box(token)));
        });
        group.bench_function(format!("jwt_simple/{n}"), |b| {
            b.iter(|| js::Token::decode_metadata(black_box(token)).unwrap());
        });
    }
    group.finish();
}

/// PEM to a key, per library: what a server pays once per key (and jsonwebtoken again inside
/// every signature, where it keeps the DER and re-parses it).
fn key_import(c: &mut Criterion) {
    let mut group = c.benchmark_group("key_import");
    for alg in [&jwa::RS256, &jwa::ES256, &jwa::EdDSA] {
        let n = alg.name();
        let (private, public) = shared::pem_pair(alg).unwrap();
        group.bench_function(format!("jose_ring/pem_private/{n}"), |b| {
            b.iter(|| SigningKey::from_pem(alg, black_box(private)).unwrap());
        });
        group.bench_function(format!("jose_ring/pem_public/{n}"), |b| {
            b.iter(|| VerifyingKey::from_pem(alg, black_box(public)).unwrap());
        });
        group.bench_function(format!("jsonwebtoken9/pem_private/{n}"), |b| {
            b.iter(|| jt9::encoding_key(n, black_box(private)));
        });
        group.bench_function(format!("jsonwebtoken9/pem_public/{n}"), |b| {
            b.iter(|| jt9::decoding_key(n, black_box(public)));
        });
        group.bench_function(format!("jwt_simple/pem_pair/{n}"), |b| {
            b.iter(|| load_jwt_simple(black_box(n)));
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
    key_import(c);
}

criterion_group! {
    name = peers;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(peers);
