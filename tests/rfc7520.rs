//! RFC 7520 §4.1–4.5: the JOSE cookbook's JWS examples, compact serialization.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{assert_tampered_fail, assert_verifies, jwk, text, vectors};
use jose_ring::{Error, Unsupported, jwa, jws};
use serde_json::Value;

fn example(section: &str) -> Value {
    vectors("rfc7520")["examples"][section]["example"].clone()
}

fn payload(e: &Value) -> &[u8] {
    text(&e["input"], "payload").as_bytes()
}

#[test]
fn section_4_1_rs256_verifies_and_signs_byte_for_byte() {
    let e = example("4.1");
    let key = jwk(&e["input"]["key"]);
    let token = text(&e["output"], "compact");
    assert_verifies(token, &key.verifying_key(&jwa::RS256).unwrap(), payload(&e));
    let signer = key.signing_key(&jwa::RS256).unwrap();
    assert_eq!(
        jws::sign(payload(&e), &jws::Header::new(), &signer).unwrap(),
        token
    );
}

#[test]
fn section_4_2_ps384_verifies_and_round_trips() {
    let e = example("4.2");
    let key = jwk(&e["input"]["key"]);
    let public = key.verifying_key(&jwa::PS384).unwrap();
    assert_verifies(text(&e["output"], "compact"), &public, payload(&e));
    // PSS is randomised: a fresh signature differs but verifies.
    let signer = key.signing_key(&jwa::PS384).unwrap();
    let token = jws::sign(payload(&e), &jws::Header::new(), &signer).unwrap();
    assert_ne!(token, text(&e["output"], "compact"));
    assert_verifies(&token, &public, payload(&e));
    // The same RSA key bound to RS384 does not accept the PS384 token.
    let rs384 = key.verifying_key(&jwa::RS384).unwrap();
    assert_eq!(
        jws::verify(&token, &rs384).map(|_| ()),
        Err(Error::AlgorithmMismatch { expected: "RS384" })
    );
}

#[test]
fn section_4_3_es512_is_unsupported() {
    let e = example("4.3");
    assert_eq!(
        jwk(&e["input"]["key"])
            .verifying_key(&jwa::ES256)
            .map(|_| ()),
        Err(Error::Unsupported(Unsupported::Curve("P-521")))
    );
    let any = jose_ring::SigningKey::generate(&jwa::ES256)
        .unwrap()
        .verifying_key();
    assert_eq!(
        jws::verify(text(&e["output"], "compact"), &any).map(|_| ()),
        Err(Error::Unsupported(Unsupported::Algorithm("ES512")))
    );
}

#[test]
fn section_4_4_hs256_verifies_and_signs_byte_for_byte() {
    let e = example("4.4");
    let key = jwk(&e["input"]["key"]).hmac_key(&jwa::HS256).unwrap();
    let token = text(&e["output"], "compact");
    assert_verifies(token, &key, payload(&e));
    assert_eq!(
        jws::sign(payload(&e), &jws::Header::new(), &key).unwrap(),
        token
    );
}

#[test]
fn section_4_5_detached_content() {
    let e = example("4.5");
    let key = jwk(&e["input"]["key"]).hmac_key(&jwa::HS256).unwrap();
    let token = text(&e["output"], "compact");
    assert!(token.contains(".."));
    let verified = jws::verify_detached(token, payload(&e), &key).unwrap();
    assert_eq!(verified.payload(), payload(&e));
    assert_eq!(
        jws::sign_detached(payload(&e), &jws::Header::new(), &key).unwrap(),
        token
    );
    let mut other = payload(&e).to_vec();
    other[0] ^= 1;
    assert_eq!(
        jws::verify_detached(token, &other, &key).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // The detached token with its payload put back is the attached token of §4.4.
    let attached = text(&example("4.4")["output"], "compact").to_string();
    assert_tampered_fail(&attached, &key);
    assert_eq!(
        jws::verify_detached(&attached, payload(&e), &key).map(|_| ()),
        Err(Error::Malformed(jose_ring::Malformed::NotDetached))
    );
}
