//! DPoP proofs (RFC 9449): arbitrary proofs against arbitrary requests, and arbitrary URIs.
//!
//! Input: `METHOD URI NOW [NONCE [ACCESS_TOKEN]]`, a newline, then the proof (any text).
//!
//! Properties:
//! - nothing panics; `normalize_htu` is idempotent, and what it returns is an `http(s)` URI
//!   without query or fragment;
//! - an accepted proof is one its own `jwk` really signed: the header `jwk`, parsed again and
//!   bound to the header `alg`, verifies the proof with `jws::verify`; `jkt` is that key's
//!   thumbprint, `typ` is `dpop+jwt`, `htm` is the method, `htu` normalises to the URI's form;
//! - a proof built with a fixed key for the request verifies, and with any one byte of it
//!   changed (to a base64url byte) it does not.
#![no_main]

use jose_ring::dpop::{self, ProofBuilder, ProofValidation};
use jose_ring::jwk::Jwk;
use jose_ring::jwt::NumericDate;
use jose_ring::{Error, jws};
use jose_ring_fuzz::{b64d, keys, segments};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (request, proof) = text.split_once('\n').unwrap_or((text, ""));
    let mut words = request.split(' ');
    let htm = words.next().unwrap_or_default();
    let htu = words.next().unwrap_or_default();
    let now = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let nonce = words.next();
    let token = words.next();
    let now = NumericDate::from_seconds(now);

    check_normalizer(htu);
    check_normalizer(proof);

    let mut rules = ProofValidation::new(htm, htu, now).with_leeway(5);
    if let Some(nonce) = nonce {
        rules = rules.with_nonce(nonce);
    }
    if let Some(token) = token {
        rules = rules.with_access_token(token);
    }
    if let Ok(verified) = dpop::verify(proof, &rules) {
        check_accepted(proof, htm, htu, &verified);
    }

    // A proof made here for this request, then changed in one byte.
    let Ok(expected_htu) = dpop::normalize_htu(htu) else {
        return;
    };
    let key = &keys().signing[data.len() % keys().signing.len()];
    let mut builder = ProofBuilder::new(key, htm, htu).with_iat(now);
    if let Some(nonce) = nonce {
        builder = builder.with_nonce(nonce);
    }
    if let Some(token) = token {
        builder = builder.with_access_token(token);
    }
    let built = builder.build().expect("a proof for a URI that normalises");
    let verified = dpop::verify(&built, &rules).expect("a proof made for the request verifies");
    assert_eq!(verified.jkt(), dpop::jkt(key));
    assert_eq!(dpop::normalize_htu(htu).ok(), Some(expected_htu));
    let position = data.iter().fold(0usize, |sum, &b| {
        sum.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    let mut bytes = built.clone().into_bytes();
    let at = position % bytes.len();
    if bytes[at] == b'.' {
        return;
    }
    let replacement = ALPHABET
        .iter()
        .copied()
        .cycle()
        .skip(position % ALPHABET.len())
        .find(|&b| b != bytes[at])
        .unwrap_or(b'A');
    bytes[at] = replacement;
    let tampered = String::from_utf8(bytes).expect("ASCII");
    assert!(
        dpop::verify(&tampered, &rules).is_err(),
        "a proof changed at byte {at} still verifies"
    );
});

fn check_normalizer(uri: &str) {
    if let Ok(normal) = dpop::normalize_htu(uri) {
        assert!(normal.starts_with("https://") || normal.starts_with("http://"));
        assert!(!normal.contains('?') && !normal.contains('#'));
        assert_eq!(dpop::normalize_htu(&normal).as_deref(), Ok(normal.as_str()));
    } else {
        assert!(matches!(
            dpop::normalize_htu(uri),
            Err(Error::Dpop(jose_ring::Dpop::InvalidUri) | Error::TooLarge { .. })
        ));
    }
}

/// An accepted proof, checked again with other parts of the public API.
fn check_accepted(proof: &str, htm: &str, htu: &str, verified: &dpop::VerifiedProof) {
    let unverified = jws::Unverified::parse(proof).expect("an accepted proof parses");
    assert_eq!(unverified.header().typ(), Some("dpop+jwt"));
    assert_eq!(unverified.alg(), verified.algorithm().name());
    let jwk: Value = unverified
        .header()
        .member("jwk")
        .expect("an accepted proof has a jwk")
        .expect("a JSON jwk");
    let jwk = Jwk::from_json(jwk.to_string().as_bytes()).expect("an accepted jwk parses");
    assert!(!jwk.is_private());
    assert_eq!(jwk.thumbprint(), verified.jkt());
    let key = jwk
        .verifying_key(verified.algorithm())
        .expect("an accepted jwk binds");
    jws::verify(proof, &key).expect("an accepted proof is signed by its jwk");
    let (_, payload, _) = segments(proof).expect("three segments");
    let claims: Value = serde_json::from_slice(&b64d(payload).expect("base64url")).expect("JSON");
    assert_eq!(claims["htm"].as_str(), Some(htm));
    let claimed = claims["htu"].as_str().expect("htu");
    assert_eq!(
        dpop::normalize_htu(claimed).ok(),
        dpop::normalize_htu(htu).ok()
    );
    assert_eq!(claims["jti"].as_str(), Some(verified.jti()));
}
