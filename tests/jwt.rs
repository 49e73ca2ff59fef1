//! JWT encode and decode: headers, round trips, borrowed claims, properties, allocations and a
//! timing against a hand-written floor.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod common;

use std::collections::BTreeMap;

use common::{b64, forge, hs256_key};
use jose_ring::ClaimError;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{Error, JsonProblem, Malformed, Misuse, SigningKey, jwa, jws};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

const NOW: i64 = 1_700_000_000;

/// An application's claims: its own members with the registered ones flattened in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct AppClaims {
    #[serde(flatten)]
    registered: RegisteredClaims,
    scope: String,
    tenant: String,
}

/// The same claims as plain fields, no flatten: the fast path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Flat {
    iss: String,
    sub: String,
    aud: Vec<String>,
    exp: i64,
    iat: i64,
    jti: String,
    scope: String,
}

fn flat() -> Flat {
    Flat {
        iss: "https://auth.example".into(),
        sub: "user-1234567890".into(),
        aud: vec!["api.example.com".into(), "web.example.com".into()],
        exp: NOW + 3600,
        iat: NOW,
        jti: "3f1c2a9e-5b7d-4e21-9c0f-8a6b2d4e1f3a".into(),
        scope: "read write".into(),
    }
}

fn rules() -> Validation {
    Validation::new(NumericDate::from_seconds(NOW))
        .with_issuer("https://auth.example")
        .with_audience("api.example.com")
        .with_scope("read")
}

#[test]
fn encode_sets_alg_typ_and_kid() {
    let key = hs256_key();
    let token = jwt::encode(&flat(), &key).unwrap();
    let header = token.split('.').next().unwrap();
    assert_eq!(header, b64(br#"{"alg":"HS256","typ":"JWT"}"#));
    let token = jwt::encode(&flat(), &key.with_kid("k1")).unwrap();
    let header = token.split('.').next().unwrap();
    assert_eq!(header, b64(br#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#));
    let typed = jwt::encode_with_header(
        &flat(),
        &jws::Header::new().with_typ("at+jwt"),
        &hs256_key(),
    )
    .unwrap();
    let verified: jwt::Verified<Flat> =
        jwt::decode(&typed, &hs256_key(), &rules().with_typ("at+jwt")).unwrap();
    assert_eq!(verified.header().typ(), Some("at+jwt"));
}

/// `jwt::encode` signs under a header segment the key built once; it must be the one the
/// general path writes, for every algorithm and `kid`, and the token must be allocated once at
/// its final size.
#[test]
fn encode_uses_the_header_the_general_path_writes() {
    let long = "k".repeat(257);
    for alg in jwa::ALL {
        // ECDSA and PSS signatures are randomized: compare what is deterministic.
        let randomized = matches!(alg.name(), "ES256" | "ES384" | "PS256" | "PS384" | "PS512");
        for kid in [None, Some("k1"), Some("quote \" slash / é")] {
            let [fast, general] = both(alg, kid).map(Result::unwrap);
            let what = format!("{} {kid:?}", alg.name());
            assert_eq!(fast.len(), fast.capacity(), "{what}");
            assert_eq!(fast.split('.').next(), general.split('.').next(), "{what}");
            if !randomized {
                assert_eq!(fast, general, "{what}");
            }
        }
        let too_large = Err(Error::TooLarge {
            what: "kid",
            limit: 256,
        });
        assert_eq!(both(alg, Some(&long)), [too_large.clone(), too_large]);
    }
}

/// `jwt::encode`, and the general path with the header `jwt::encode` documents, with a key for
/// `alg` carrying `kid`.
fn both(alg: &'static jwa::Algorithm, kid: Option<&str>) -> [Result<String, Error>; 2] {
    fn sign<K: jose_ring::Signer>(key: &K) -> [Result<String, Error>; 2] {
        let header = jws::Header::new().with_typ("JWT");
        [
            jwt::encode(&flat(), key),
            jwt::encode_with_header(&flat(), &header, key),
        ]
    }
    let file = match alg.name() {
        "HS256" | "HS384" | "HS512" => {
            let key = jose_ring::HmacKey::new(alg, &[7; 64]).unwrap();
            return match kid {
                Some(kid) => sign(&key.with_kid(kid)),
                None => sign(&key),
            };
        }
        "ES256" => "p256.pkcs8.pem",
        "ES384" => "p384.pkcs8.pem",
        "EdDSA" | "Ed25519" => "ed25519.pkcs8.pem",
        _ => "rsa2048.pkcs8.pem",
    };
    let pem = std::fs::read(format!("test-vectors/keys/{file}")).unwrap();
    let key = SigningKey::from_pem(alg, &pem).unwrap();
    match kid {
        Some(kid) => sign(&key.with_kid(kid)),
        None => sign(&key),
    }
}

#[test]
fn encode_refuses_what_no_strict_verifier_accepts() {
    let key = hs256_key();
    assert_eq!(
        jwt::encode(&[1, 2], &key),
        Err(Error::Malformed(Malformed::Json {
            part: "claims",
            problem: JsonProblem::NotObject
        }))
    );
    // A field and a flattened registered claim of the same name.
    #[derive(Serialize)]
    struct Clash {
        exp: i64,
        #[serde(flatten)]
        registered: RegisteredClaims,
    }
    let clash = Clash {
        exp: 1,
        registered: RegisteredClaims::new().with_expiry(NumericDate::from_seconds(2)),
    };
    assert_eq!(
        jwt::encode(&clash, &key),
        Err(Error::Malformed(Malformed::Json {
            part: "claims",
            problem: JsonProblem::DuplicateMember
        }))
    );
    let bad_map: BTreeMap<Vec<u8>, i32> = [(vec![1], 1)].into_iter().collect();
    assert_eq!(
        jwt::encode(&bad_map, &key),
        Err(Error::Misuse(Misuse::Unserializable("claims")))
    );
}

#[test]
fn round_trips_with_flattened_registered_claims() {
    let key = SigningKey::generate(&jwa::ES256).unwrap().with_kid("es");
    let now = NumericDate::from_seconds(NOW);
    let claims = AppClaims {
        registered: RegisteredClaims::new()
            .with_issuer("https://auth.example")
            .with_subject("ada")
            .with_audience(["api.example.com", "web"])
            .with_lifetime(now, 900)
            .with_not_before(now)
            .with_jwt_id("j-1"),
        scope: "read write".into(),
        tenant: "acme".into(),
    };
    let token = jwt::encode(&claims, &key).unwrap();
    let verified: jwt::Verified<AppClaims> =
        jwt::decode(&token, &key.verifying_key(), &rules().with_subject("ada")).unwrap();
    assert_eq!(verified.claims(), &claims);
    assert_eq!(verified.header().kid(), Some("es"));
    assert_eq!(verified.expires_at(), Some(now.saturating_add(900)));
    let late = rules().with_time(now.saturating_add(900));
    assert_eq!(
        jwt::decode::<AppClaims, _>(&token, &key.verifying_key(), &late).map(|_| ()),
        Err(Error::from(ClaimError::Expired {
            now: now.saturating_add(900),
            exp: now.saturating_add(900)
        }))
    );
}

#[test]
fn borrowed_claims() {
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        sub: &'a str,
        #[serde(borrow)]
        scope: std::borrow::Cow<'a, str>,
    }
    let token = jwt::encode(&flat(), &hs256_key()).unwrap();
    let mut buffer = Vec::new();
    for _ in 0..2 {
        let verified: jwt::Verified<Borrowed<'_>> =
            jwt::decode_borrowed(&token, &hs256_key(), &rules(), &mut buffer).unwrap();
        assert_eq!(verified.claims().sub, "user-1234567890");
        assert_eq!(verified.claims().scope, "read write");
    }
}

#[test]
fn payloads_of_any_size_decode_alike() {
    // `decode` keeps payloads up to 2048 bytes on the stack and larger ones on the heap;
    // `decode_borrowed` always uses the caller's buffer. Sizes on both sides of the limit.
    let base = serde_json::to_vec(&flat()).unwrap().len();
    let mut buffer = Vec::new();
    for len in [300, 2047, 2048, 2049, 5000] {
        let mut claims = flat();
        claims.scope = format!("read {}", "w".repeat(len - base + "read write".len() - 5));
        assert_eq!(serde_json::to_vec(&claims).unwrap().len(), len);
        let token = jwt::encode(&claims, &hs256_key()).unwrap();
        let owned: jwt::Verified<Flat> = jwt::decode(&token, &hs256_key(), &rules()).unwrap();
        let borrowed: jwt::Verified<Flat> =
            jwt::decode_borrowed(&token, &hs256_key(), &rules(), &mut buffer).unwrap();
        assert_eq!(owned.claims(), &claims, "{len}");
        assert_eq!(borrowed.claims(), &claims, "{len}");
    }
    // A signed payload segment that is not canonical base64url, short and long: the same error.
    for len in [400, 4000] {
        let token = forge(r#"{"alg":"HS256"}"#, &format!("{}B", "A".repeat(len)));
        let base64 = Err(Error::Malformed(Malformed::Base64("payload")));
        assert_eq!(
            jwt::decode::<Flat, _>(&token, &hs256_key(), &rules()).map(|_| ()),
            base64,
            "{len}"
        );
        assert_eq!(
            jwt::decode_borrowed::<Flat, _>(&token, &hs256_key(), &rules(), &mut buffer)
                .map(|_| ()),
            base64,
            "{len}"
        );
    }
}

#[test]
fn unencoded_payloads_are_not_jwts() {
    let header = jws::Header::new().with_unencoded_payload();
    let token = jws::sign(b"exp", &header, &hs256_key()).unwrap();
    assert_eq!(
        jwt::decode::<serde::de::IgnoredAny, _>(&token, &hs256_key(), &rules()).map(|_| ()),
        Err(Error::Malformed(Malformed::InvalidMember("b64")))
    );
}

/// Times `jwt::decode` against ring + base64ct + serde_json doing the same checks by hand:
/// `cargo test --release --test jwt timing -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a test"]
#[allow(clippy::print_stdout, reason = "reports the measurement")]
fn timing() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use std::time::Instant;

    let key = hs256_key();
    let token = jwt::encode(&flat(), &key).unwrap();
    let rules = rules();
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, common::SECRET);

    #[derive(Deserialize)]
    struct FloorHeader<'a> {
        alg: &'a str,
        #[allow(dead_code, reason = "read like a verifier would")]
        typ: Option<&'a str>,
    }
    let floor = |token: &str| -> Flat {
        let (input, sig) = token.rsplit_once('.').unwrap();
        let (header, payload) = input.split_once('.').unwrap();
        let header = Base64UrlUnpadded::decode_vec(header).unwrap();
        let header: FloorHeader<'_> = serde_json::from_slice(&header).unwrap();
        assert_eq!(header.alg, "HS256");
        let sig = Base64UrlUnpadded::decode_vec(sig).unwrap();
        ring::hmac::verify(&ring_key, input.as_bytes(), &sig).unwrap();
        let payload = Base64UrlUnpadded::decode_vec(payload).unwrap();
        let claims: Flat = serde_json::from_slice(&payload).unwrap();
        assert!(NOW < claims.exp && claims.iat <= NOW);
        assert_eq!(claims.iss, "https://auth.example");
        assert!(claims.aud.iter().any(|a| a == "api.example.com"));
        assert!(claims.scope.split(' ').any(|s| s == "read"));
        claims
    };
    const ROUNDS: u32 = 100_000;
    let time = |ours: bool| {
        let start = Instant::now();
        for _ in 0..ROUNDS {
            let token = std::hint::black_box(token.as_str());
            if ours {
                let verified: jwt::Verified<Flat> = jwt::decode(token, &key, &rules).unwrap();
                std::hint::black_box(verified);
            } else {
                std::hint::black_box(floor(token));
            }
        }
        start.elapsed() / ROUNDS
    };
    let (mut ours, mut by_hand) = (time(true), time(false));
    for _ in 0..7 {
        ours = ours.min(time(true));
        by_hand = by_hand.min(time(false));
    }
    println!(
        "{} byte token, best of 8: jwt::decode {ours:?}, floor {by_hand:?}, ratio {:.2}",
        token.len(),
        ours.as_secs_f64() / by_hand.as_secs_f64()
    );
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-z ]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{0,3}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "exp", "nbf", "iat", "iss", "sub", "aud", "jti", "scope", "roles", "tenant"
        ])
        .prop_map(String::from),
        "[a-z]{1,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics(
        members in prop::collection::btree_map(member_name(), json_value(), 0..8),
        now in any::<i64>(),
        leeway in any::<u64>(),
        max_age in any::<u64>(),
        raw in prop::collection::vec(any::<u8>(), 0..48),
    ) {
        let rules = Validation::new(NumericDate::from_seconds(now))
            .with_leeway(leeway)
            .with_max_age(max_age)
            .with_issuer("i")
            .with_audience("a")
            .with_scope("s")
            .with_role("r")
            .with_required("tenant")
            .with_required("jti");
        let object = serde_json::Value::Object(members.into_iter().collect());
        let payload = serde_json::to_vec(&object).unwrap();
        for payload in [payload, raw] {
            let token = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &b64(&payload));
            let _ = jwt::decode::<serde_json::Value, _>(&token, &hs256_key(), &rules);
            let _ = jwt::decode::<serde::de::IgnoredAny, _>(&token, &hs256_key(), &rules);
            let _ = jwt::decode::<Flat, _>(&token, &hs256_key(), &rules);
        }
    }

    #[test]
    fn signed_then_decoded_returns_exactly_the_claims(
        members in prop::collection::btree_map("[a-z]{1,6}", json_value(), 0..8),
        exp in (NOW + 1)..i64::MAX,
    ) {
        let mut object: serde_json::Map<String, serde_json::Value> = members
            .into_iter()
            .filter(|(name, _)| !["exp", "nbf", "iat", "iss", "sub", "aud", "jti", "cnf"].contains(&name.as_str()))
            .collect();
        object.insert("exp".into(), exp.into());
        let claims = serde_json::Value::Object(object);
        let token = jwt::encode(&claims, &hs256_key()).unwrap();
        let rules = Validation::new(NumericDate::from_seconds(NOW));
        let verified: jwt::Verified<serde_json::Value> = jwt::decode(&token, &hs256_key(), &rules).unwrap();
        // Floats are compared as serde_json reads them back from the same text.
        let expected: serde_json::Value = serde_json::from_slice(&serde_json::to_vec(&claims).unwrap()).unwrap();
        prop_assert_eq!(verified.claims(), &expected);
        prop_assert_eq!(verified.expires_at(), Some(NumericDate::from_seconds(exp)));
    }
}

/// Decodes `JWT_ROUNDS` times (default 0), for counting allocations from outside:
/// `valgrind target/release/deps/jwt-* --ignored --exact decode_rounds` with 0 and 1000 rounds.
#[test]
#[ignore = "a measurement, not a test"]
fn decode_rounds() {
    let rounds: usize = std::env::var("JWT_ROUNDS").map_or(0, |n| n.parse().unwrap());
    let key = hs256_key();
    let token = jwt::encode(&flat(), &key).unwrap();
    let rules = rules();
    let borrowed = std::env::var("JWT_BORROWED").is_ok();
    let mut buffer = Vec::new();
    for _ in 0..rounds {
        if borrowed {
            let verified =
                jwt::decode_borrowed::<serde::de::IgnoredAny, _>(&token, &key, &rules, &mut buffer);
            std::hint::black_box(verified.unwrap());
        } else {
            let verified = jwt::decode::<serde::de::IgnoredAny, _>(&token, &key, &rules);
            std::hint::black_box(verified.unwrap());
        }
    }
}

/// The limits reach `jwt::decode` through the `Validation`: a token longer than the limit is
/// refused before any decoding, one at the limit goes on to verify.
#[test]
fn decode_applies_the_validation_limits() {
    let key = hs256_key();
    let token = jwt::encode(&flat(), &key).unwrap();
    let at_limit = rules().with_limits(jose_ring::Limits::default().with_token_len(token.len()));
    let verified: Result<jwt::Verified<Flat>, Error> = jwt::decode(&token, &key, &at_limit);
    assert!(verified.is_ok());
    let below = rules().with_limits(jose_ring::Limits::default().with_token_len(token.len() - 1));
    let refused = Err(Error::TooLarge {
        what: "token",
        limit: token.len() - 1,
    });
    let decoded: Result<jwt::Verified<Flat>, Error> = jwt::decode(&token, &key, &below);
    assert_eq!(decoded.map(|_| ()), refused);
    let mut buffer = Vec::new();
    let borrowed: Result<jwt::Verified<Flat>, Error> =
        jwt::decode_borrowed(&token, &key, &below, &mut buffer);
    assert_eq!(borrowed.map(|_| ()), refused);
}
