//! RFC 7515 Appendix A: the JWS examples, compact serialization.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{assert_verifies, jwk, text, vectors};
use jose_ring::{Error, Unsupported, jwa, jws};

#[test]
fn a1_hs256_verifies_and_signs_byte_for_byte() {
    let v = &vectors("rfc7515")["A.1"];
    let key = jwk(&v["jwk"]).hmac_key(&jwa::HS256).unwrap();
    let (token, payload) = (text(v, "compact"), text(v, "payload_utf8").as_bytes());
    assert_verifies(token, &key, payload);
    let verified = jws::verify(token, &key).unwrap();
    assert_eq!(verified.algorithm(), &jwa::HS256);
    assert_eq!(verified.header().typ(), Some("JWT"));
    let header = text(v, "protected_header_utf8").as_bytes();
    assert_eq!(
        jws::sign_with_header_json(header, payload, &key).unwrap(),
        token
    );
    // Appendix F: the same JWS with detached content.
    let (head, rest) = token.split_once('.').unwrap();
    let signature = rest.rsplit_once('.').unwrap().1;
    let detached = jws::sign_detached_with_header_json(header, payload, &key).unwrap();
    assert_eq!(detached, format!("{head}..{signature}"));
    assert_eq!(
        jws::verify_detached(&detached, payload, &key)
            .unwrap()
            .payload(),
        payload
    );
}

#[test]
fn a2_rs256_verifies_and_signs_byte_for_byte() {
    let v = &vectors("rfc7515")["A.2"];
    let private = jwk(&v["jwk"]);
    let (token, payload) = (text(v, "compact"), text(v, "payload_utf8").as_bytes());
    assert_verifies(token, &private.verifying_key(&jwa::RS256).unwrap(), payload);
    let key = private.signing_key(&jwa::RS256).unwrap();
    let header = text(v, "protected_header_utf8").as_bytes();
    assert_eq!(
        jws::sign_with_header_json(header, payload, &key).unwrap(),
        token
    );
    // The builder writes the same header, {"alg":"RS256"}.
    assert_eq!(
        jws::sign(payload, &jws::Header::new(), &key).unwrap(),
        token
    );
}

#[test]
fn a3_es256_verifies() {
    let v = &vectors("rfc7515")["A.3"];
    let key = jwk(&v["jwk"]).verifying_key(&jwa::ES256).unwrap();
    assert_verifies(text(v, "compact"), &key, text(v, "payload_utf8").as_bytes());
}

#[test]
fn a4_es512_is_unsupported() {
    let v = &vectors("rfc7515")["A.4"];
    let p521 = jwk(&v["jwk"]);
    assert_eq!(
        p521.verifying_key(&jwa::ES256).map(|_| ()),
        Err(Error::Unsupported(Unsupported::Curve("P-521")))
    );
    // Whatever key is offered, the token's algorithm is reported, not a generic failure.
    let other = jwk(&vectors("rfc7515")["A.3"]["jwk"])
        .verifying_key(&jwa::ES256)
        .unwrap();
    assert_eq!(
        jws::verify(text(v, "compact"), &other).map(|_| ()),
        Err(Error::Unsupported(Unsupported::Algorithm("ES512")))
    );
}

#[test]
fn a5_unsecured_is_rejected() {
    let v = &vectors("rfc7515")["A.5"];
    let key = jwk(&vectors("rfc7515")["A.1"]["jwk"])
        .hmac_key(&jwa::HS256)
        .unwrap();
    assert_eq!(
        jws::verify(text(v, "compact"), &key).map(|_| ()),
        Err(Error::Unsupported(Unsupported::None))
    );
}
