//! RFC 8037 Appendix A: Ed25519 signing and validation.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{assert_verifies, jwk, text, vectors};
use jose_ring::{jwa, jws};

#[test]
fn a4_signs_byte_for_byte() {
    let v = vectors("rfc8037");
    let key = jwk(&v["A.1"]["jwk"]).signing_key(&jwa::EdDSA).unwrap();
    let a4 = &v["A.4"];
    let payload = text(a4, "payload_utf8").as_bytes();
    assert_eq!(
        jws::sign(payload, &jws::Header::new(), &key).unwrap(),
        text(a4, "compact")
    );
}

#[test]
fn a5_verifies_with_the_public_key() {
    let v = vectors("rfc8037");
    let key = jwk(&v["A.2"]["jwk"]).verifying_key(&jwa::EdDSA).unwrap();
    let a4 = &v["A.4"];
    assert_verifies(
        text(a4, "compact"),
        &key,
        text(a4, "payload_utf8").as_bytes(),
    );
}
