//! RFC 7797 §4: the unencoded payload option, compact serialization.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{assert_verifies, jwk, text, vectors};
use jose_ring::{Error, Malformed, UnencodedProblem, jwa, jws};

#[test]
fn section_4_1_ordinary_payload() {
    let v = vectors("rfc7797");
    let key = jwk(&v["key"]).hmac_key(&jwa::HS256).unwrap();
    let payload = text(&v, "payload_utf8").as_bytes();
    assert_verifies(text(&v["4.1"], "compact"), &key, payload);
    assert_eq!(
        jws::sign(payload, &jws::Header::new(), &key).unwrap(),
        text(&v["4.1"], "compact")
    );
}

#[test]
fn section_4_2_unencoded_detached() {
    let v = vectors("rfc7797");
    let key = jwk(&v["key"]).hmac_key(&jwa::HS256).unwrap();
    let payload = text(&v, "payload_utf8").as_bytes();
    let token = text(&v["4.2"], "compact_detached");

    let verified = jws::verify_detached(token, payload, &key).unwrap();
    assert!(verified.header().is_unencoded());
    assert_eq!(verified.payload(), payload);
    assert_eq!(
        jws::verify_detached(token, b"$.03", &key).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // Attached, the payload is empty: the signature is over "$.02", not "".
    assert_eq!(
        jws::verify(token, &key).map(|_| ()),
        Err(Error::InvalidSignature)
    );

    let header = jws::Header::new().with_unencoded_payload();
    assert_eq!(jws::sign_detached(payload, &header, &key).unwrap(), token);
    // "$.02" holds '.', so it cannot travel unencoded inside a compact token.
    assert_eq!(
        jws::sign(payload, &header, &key),
        Err(Error::Malformed(Malformed::Unencoded(
            UnencodedProblem::PayloadCharacters
        )))
    );
}

#[test]
fn unencoded_attached_round_trip() {
    let key = jose_ring::HmacKey::generate(&jwa::HS256).unwrap();
    let header = jws::Header::new().with_unencoded_payload();
    let token = jws::sign(b"plain text, no dots", &header, &key).unwrap();
    assert!(token.contains(".plain text, no dots."));
    let verified = jws::verify(&token, &key).unwrap();
    assert_eq!(verified.payload(), b"plain text, no dots");
    let forged = token.replace("no dots", "no dot!");
    assert_eq!(
        jws::verify(&forged, &key).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}
