//! Weak keys are refused on every import path (issue: "weak keys never verify anything"):
//! Ed25519 public keys that name a point of small order or are not canonically encoded, and
//! RSA moduli with the ROCA structure. Each case is data from `test-vectors/weak/`, tried
//! through every constructor, beside positive controls that still work.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{b64, jwk};
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::{Error, KeyRejected, SigningKey, VerifyingKey, jwa, jws};
use proptest::prelude::*;
use serde_json::{Value, json};

const SMALL_ORDER: &str = include_str!("../test-vectors/weak/ed25519_small_order.json");
const ROCA_SPKI: &[u8] = include_bytes!("../test-vectors/weak/roca2048.spki.pem");
const ROCA_PKCS1: &[u8] = include_bytes!("../test-vectors/weak/roca2048.pkcs1.pem");
const ROCA_PKCS8: &[u8] = include_bytes!("../test-vectors/weak/roca2048.pkcs8.pem");
const ROCA_JWK: &str = include_str!("../test-vectors/weak/roca2048.jwk.json");

/// The DER `SubjectPublicKeyInfo` prefix of an Ed25519 key (RFC 8410 §4).
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The base64url `x` of each Ed25519 encoding of the vector file's list `list`.
fn encodings(list: &str) -> Vec<(String, Vec<u8>)> {
    let file: Value = serde_json::from_str(SMALL_ORDER).unwrap();
    file[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let x = case["x"].as_str().unwrap().to_owned();
            let bytes = common::b64_decode(&x);
            (x, bytes)
        })
        .collect()
}

fn spki_der(x: &[u8]) -> Vec<u8> {
    [&ED25519_SPKI_PREFIX[..], x].concat()
}

fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    let text = Base64::encode_string(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
    .into_bytes()
}

/// Every import path of a public Ed25519 key `x` (base64url) and its bytes, with the error
/// each gave: the raw bytes, SPKI DER and PEM, a public JWK, a private JWK whose `x` is the
/// weak key, and a JWK Set's key ring.
fn ed25519_paths(x: &str, bytes: &[u8]) -> Vec<(&'static str, Result<(), Error>)> {
    let alg = &jwa::EdDSA;
    let public = json!({"kty":"OKP","crv":"Ed25519","x":x});
    let private = json!({"kty":"OKP","crv":"Ed25519","x":x,"d":b64(&[7; 32])});
    let set = JwkSet::from_json(json!({"keys":[public]}).to_string().as_bytes()).unwrap();
    let ring = set.key_ring(&[alg]);
    let ring_error = match (ring.is_empty(), ring.skipped().first()) {
        (true, Some(skipped)) => Err(skipped.error().clone()),
        _ => Ok(()),
    };
    vec![
        (
            "from_ed25519_bytes",
            VerifyingKey::from_ed25519_bytes(alg, bytes).map(|_| ()),
        ),
        (
            "from_spki_der",
            VerifyingKey::from_spki_der(alg, &spki_der(bytes)).map(|_| ()),
        ),
        (
            "from_pem",
            VerifyingKey::from_pem(alg, &pem("PUBLIC KEY", &spki_der(bytes))).map(|_| ()),
        ),
        (
            "jwk verifying_key",
            jwk(&public).verifying_key(alg).map(|_| ()),
        ),
        (
            "jwk signing_key",
            jwk(&private).signing_key(alg).map(|_| ()),
        ),
        ("jwk set key_ring", ring_error),
    ]
}

#[test]
fn ed25519_small_order_points_are_refused_on_every_path() {
    let cases = encodings("small_order");
    assert_eq!(cases.len(), 10, "8 points, 2 of them also as negative zero");
    for (x, bytes) in &cases {
        for (path, result) in ed25519_paths(x, bytes) {
            assert_eq!(
                result,
                Err(Error::KeyRejected(KeyRejected::SmallOrderPoint)),
                "{path}: {x}"
            );
        }
    }
}

#[test]
fn ed25519_non_canonical_encodings_are_refused_on_every_path() {
    let cases = encodings("non_canonical");
    assert_eq!(cases.len(), 8);
    for (x, bytes) in &cases {
        for (path, result) in ed25519_paths(x, bytes) {
            assert_eq!(
                result,
                Err(Error::KeyRejected(KeyRejected::NonCanonicalPoint)),
                "{path}: {x}"
            );
        }
    }
}

#[test]
fn ordinary_ed25519_keys_still_import_and_verify() {
    let v = common::vectors("rfc8037");
    let public = jwk(&v["A.2"]["jwk"]);
    let key = public.verifying_key(&jwa::EdDSA).unwrap();
    let x = public.to_json().unwrap();
    let x: Value = serde_json::from_str(&x).unwrap();
    for (path, result) in ed25519_paths(
        x["x"].as_str().unwrap(),
        &common::b64_decode(x["x"].as_str().unwrap()),
    ) {
        // The private JWK of the control uses another `d`: a mismatch, not a weak key.
        let expected = if path == "jwk signing_key" {
            Err(Error::KeyRejected(KeyRejected::Inconsistent))
        } else {
            Ok(())
        };
        assert_eq!(result, expected, "{path}");
    }
    let signer = SigningKey::generate(&jwa::EdDSA).unwrap();
    let token = jws::sign(b"ok", &jws::Header::new(), &signer).unwrap();
    assert_eq!(
        jws::verify(&token, &signer.verifying_key())
            .unwrap()
            .payload(),
        b"ok"
    );
    assert!(jws::verify(&token, &key).is_err());
}

/// The attack the checks stop: with the identity as public key, the signature `R = identity,
/// S = 0` verifies in ring for every message. Through this crate the key never exists.
#[test]
fn the_identity_key_forgery_works_in_ring_and_not_here() {
    let identity = common::b64_decode("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&identity);
    let ring_key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &identity);
    for message in [&b"any payload"[..], b"another one", b""] {
        assert!(ring_key.verify(message, &forged).is_ok(), "ring alone");
    }
    // The same token through the crate: the key is refused before any verification.
    let header = b64(br#"{"alg":"EdDSA"}"#);
    let token = format!("{header}.{}.{}", b64(b"any payload"), b64(&forged));
    let jwk = jwk(&json!({"kty":"OKP","crv":"Ed25519","x":b64(&identity)}));
    assert_eq!(
        jwk.verifying_key(&jwa::EdDSA).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::SmallOrderPoint))
    );
    let set = JwkSet::from_iter([jwk]);
    assert_eq!(
        jws::verify(&token, &set.key_ring(&[&jwa::EdDSA])).map(|_| ()),
        Err(Error::NoKey(jose_ring::NoKey::Algorithm))
    );
}

/// The group order of edwards25519, L = 2^252 + 27742317777372353535851937790883648493,
/// little-endian (RFC 8032 §5.1).
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// `a + b`, little-endian, 32 bytes (no carry out: S < L and L < 2^253).
fn add_le(a: &[u8], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    out
}

/// RFC 8032 §5.1.7 requires S < L; ring checks it. A signature with S + L in place of S (the
/// same scalar modulo L, so a verifier that reduced S would accept it) is refused.
#[test]
fn ed25519_signatures_with_s_not_below_l_are_refused() {
    let signer = SigningKey::generate(&jwa::EdDSA).unwrap();
    let token = jws::sign(b"malleable?", &jws::Header::new(), &signer).unwrap();
    let key = signer.verifying_key();
    assert!(jws::verify(&token, &key).is_ok(), "control");
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut signature = common::b64_decode(signature);
    let s_plus_l = add_le(&signature[32..], &L);
    signature[32..].copy_from_slice(&s_plus_l);
    let malleated = format!("{input}.{}", b64(&signature));
    assert_eq!(
        jws::verify(&malleated, &key).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}

/// Every import path of the ROCA key, public and private.
#[test]
fn roca_moduli_are_refused_on_every_path() {
    let roca = Err(Error::KeyRejected(KeyRejected::RocaModulus));
    let private: Value = serde_json::from_str(ROCA_JWK).unwrap();
    let public = json!({"kty":"RSA","n":private["n"],"e":private["e"],"kid":"roca-2048"});
    let set = JwkSet::from_json(json!({"keys":[public]}).to_string().as_bytes()).unwrap();
    let ring = set.key_ring(&[&jwa::RS256]);
    assert!(ring.is_empty());
    let n = common::b64_decode(private["n"].as_str().unwrap());
    for alg in [&jwa::RS256, &jwa::PS256, &jwa::RS512] {
        let results = [
            (
                "spki pem",
                VerifyingKey::from_pem(alg, ROCA_SPKI).map(|_| ()),
            ),
            (
                "components",
                VerifyingKey::from_rsa_components(alg, &n, &[1, 0, 1]).map(|_| ()),
            ),
            (
                "pkcs1 pem",
                SigningKey::from_pem(alg, ROCA_PKCS1).map(|_| ()),
            ),
            (
                "pkcs8 pem",
                SigningKey::from_pem(alg, ROCA_PKCS8).map(|_| ()),
            ),
            ("jwk public", jwk(&public).verifying_key(alg).map(|_| ())),
            ("jwk private", jwk(&private).signing_key(alg).map(|_| ())),
        ];
        for (path, result) in results {
            assert_eq!(result, roca, "{path} {}", alg.name());
        }
    }
    assert_eq!(
        ring.skipped().first().map(|s| s.error().clone()),
        Some(Error::KeyRejected(KeyRejected::RocaModulus))
    );
}

#[test]
fn ordinary_rsa_keys_still_import() {
    for (private, public) in [
        (
            &include_bytes!("../test-vectors/keys/rsa2048.pkcs8.pem")[..],
            &include_bytes!("../test-vectors/keys/rsa2048.spki.pem")[..],
        ),
        (
            include_bytes!("../test-vectors/keys/rsa4096.pkcs8.pem"),
            include_bytes!("../test-vectors/keys/rsa4096.spki.pem"),
        ),
    ] {
        let signer = SigningKey::from_pem(&jwa::RS256, private).unwrap();
        let key = VerifyingKey::from_pem(&jwa::RS256, public).unwrap();
        let token = jws::sign(b"ok", &jws::Header::new(), &signer).unwrap();
        assert_eq!(jws::verify(&token, &key).unwrap().payload(), b"ok");
    }
    // The RFC 7517 and RFC 7520 RSA keys too.
    let v = common::vectors("rfc7520_keys");
    let rsa = jwk(&v["keys"]["3.4"]["jwk"]);
    assert!(rsa.verifying_key(&jwa::RS256).is_ok());
    assert!(rsa.signing_key(&jwa::RS256).is_ok());
}

/// `y` little-endian with the top bit free, as a 32-byte Ed25519 encoding with `sign`.
fn with_sign(mut y: [u8; 32], sign: bool) -> [u8; 32] {
    y[31] = (y[31] & 0x7f) | if sign { 0x80 } else { 0 };
    y
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No import path accepts any small-order encoding, whatever its sign bit.
    #[test]
    fn no_path_accepts_a_small_order_encoding(index in 0usize..10, sign in any::<bool>()) {
        let (_, bytes) = &encodings("small_order")[index];
        let bytes = with_sign(<[u8; 32]>::try_from(&bytes[..]).unwrap(), sign);
        for (path, result) in ed25519_paths(&b64(&bytes), &bytes) {
            prop_assert_eq!(
                result,
                Err(Error::KeyRejected(KeyRejected::SmallOrderPoint)),
                "{}", path
            );
        }
    }

    /// No import path accepts a `y` of 2^255 − 19 or more, whatever its sign bit.
    #[test]
    fn no_path_accepts_a_non_canonical_y(low in 0xedu8..=0xff, sign in any::<bool>()) {
        let mut y = [0xff; 32];
        y[0] = low;
        let bytes = with_sign(y, sign);
        for (path, result) in ed25519_paths(&b64(&bytes), &bytes) {
            prop_assert_eq!(
                result,
                Err(Error::KeyRejected(KeyRejected::NonCanonicalPoint)),
                "{}", path
            );
        }
    }

    /// Real keys are never refused as weak.
    #[test]
    fn generated_ed25519_keys_pass(_seed in any::<u8>()) {
        let key = SigningKey::generate(&jwa::EdDSA).unwrap().verifying_key();
        let jwk = Jwk::from_verifying_key(&key);
        prop_assert!(jwk.verifying_key(&jwa::EdDSA).is_ok());
    }

    /// Random odd 2048-bit moduli pass the ROCA check (false positives: about 4·10⁻⁹).
    #[test]
    fn random_moduli_are_not_roca(mut n in proptest::collection::vec(any::<u8>(), 256)) {
        n[0] |= 0x80;
        n[255] |= 1;
        prop_assert_eq!(
            VerifyingKey::from_rsa_components(&jwa::RS256, &n, &[1, 0, 1]).map(|_| ()),
            Ok(())
        );
    }
}
