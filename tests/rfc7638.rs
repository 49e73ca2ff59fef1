//! JWK thumbprints: RFC 7638 §3.1, RFC 8037 A.3, RFC 9278 URIs, and the derived values as a
//! cross-check.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{flip, jwk, parse, text, vectors, with};
use jose_ring::jwk::{Jwk, ThumbprintHash};
use serde_json::{Value, json};

/// base64url of the hash of `input`, computed apart from the crate.
fn expected(hash: &'static ring::digest::Algorithm, input: &str) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(
        ring::digest::digest(hash, input.as_bytes()).as_ref(),
    )
}

#[test]
fn rfc7638_section_3_1_exactly() {
    let v = vectors("rfc7638");
    let key = jwk(&v["jwk"]);
    let print = text(&v, "thumbprint_b64u");
    assert_eq!(key.thumbprint(), print);
    assert_eq!(key.thumbprint_with(ThumbprintHash::Sha256), print);
    let octets: Vec<u8> = v["sha256_octets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| u8::try_from(o.as_u64().unwrap()).unwrap())
        .collect();
    assert_eq!(
        expected(&ring::digest::SHA256, text(&v, "canonical_json_utf8")),
        b64u(&octets)
    );
    let canonical = text(&v, "canonical_json_utf8");
    assert_eq!(
        key.thumbprint_with(ThumbprintHash::Sha384),
        expected(&ring::digest::SHA384, canonical)
    );
    assert_eq!(
        key.thumbprint_with(ThumbprintHash::Sha512),
        expected(&ring::digest::SHA512, canonical)
    );
    // RFC 9278 uses this very key in its example URI.
    assert_eq!(
        key.thumbprint_uri(ThumbprintHash::Sha256),
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert!(
        key.thumbprint_uri(ThumbprintHash::Sha512)
            .starts_with("urn:ietf:params:oauth:jwk-thumbprint:sha-512:")
    );

    // Only the required members count, in canonical order, whatever the input order.
    let reordered = br#"{"n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "use":"sig", "x-extra":[1,2], "e":"AQAB", "kty":"RSA"}"#;
    assert_eq!(Jwk::from_json(reordered).unwrap().thumbprint(), print);
    // Tampered: one character of `n` or of `e` changes the thumbprint.
    let n = text(&v["jwk"], "n");
    assert_ne!(
        jwk(&with(&v["jwk"], "n", json!(flip(n)))).thumbprint(),
        print
    );
    assert_ne!(
        jwk(&with(&v["jwk"], "e", json!("AQAD"))).thumbprint(),
        print
    );
}

fn b64u(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(bytes)
}

#[test]
fn rfc8037_a3_exactly() {
    let v = vectors("rfc8037");
    let a3 = &v["A.3"];
    let print = text(a3, "thumbprint_b64u");
    assert_eq!(jwk(&v["A.2"]["jwk"]).thumbprint(), print);
    // The private key has the thumbprint of its public key.
    assert_eq!(jwk(&v["A.1"]["jwk"]).thumbprint(), print);
    assert_eq!(b64u(&hex(text(a3, "sha256_hex"))), print);
    assert_eq!(
        expected(&ring::digest::SHA256, text(a3, "canonical_json_utf8")),
        print
    );
    let x = text(&v["A.2"]["jwk"], "x");
    assert_ne!(
        jwk(&with(&v["A.2"]["jwk"], "x", json!(flip(x)))).thumbprint(),
        print
    );
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn derived_thumbprints_cross_check() {
    let v = vectors("derived");
    let prints = v["thumbprints"].as_array().unwrap();
    assert_eq!(prints.len(), 10);
    for entry in prints {
        let canonical = text(entry, "canonical_json_utf8");
        let print = text(entry, "sha256_thumbprint_b64u");
        // The canonical JSON is itself a JWK; its thumbprint is the hash of its exact bytes.
        let key = Jwk::from_json(canonical.as_bytes()).unwrap();
        assert_eq!(key.thumbprint(), print, "{}", text(entry, "key"));
        assert_eq!(expected(&ring::digest::SHA256, canonical), print);
        // With the members shuffled and extra members added, the same.
        let mut shuffled: Value = serde_json::from_str(canonical).unwrap();
        shuffled
            .as_object_mut()
            .unwrap()
            .insert("kid".into(), json!("any"));
        shuffled
            .as_object_mut()
            .unwrap()
            .insert("zzz".into(), json!({"a": null}));
        assert_eq!(parse(&shuffled).unwrap().thumbprint(), print);
    }
}

#[test]
fn every_key_type_thumbprints_from_decoded_members() {
    // The RFC 7517 A.1 EC key: the value jwcrypto prints.
    let a1 = &vectors("rfc7517")["A.1"]["jwk_set"]["keys"];
    assert_eq!(
        jwk(&a1[0]).thumbprint(),
        "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"
    );
    assert_eq!(
        jwk(&a1[1]).thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // A JWK the crate emits has the thumbprint of the JWK it came from.
    let key = jose_ring::SigningKey::generate(&jose_ring::jwa::ES384).unwrap();
    let private = Jwk::from_signing_key(&key).unwrap();
    let public = Jwk::from_verifying_key(&key.verifying_key());
    assert_eq!(private.thumbprint(), public.thumbprint());
    assert_eq!(
        Jwk::from_json(public.to_json().unwrap().as_bytes())
            .unwrap()
            .thumbprint(),
        public.thumbprint()
    );
}
