//! RFC 9864: the fully-specified `alg` `Ed25519`, and the deprecated `EdDSA` beside it.
//!
//! The two names run the same signature scheme but are distinct algorithms for binding: a key
//! bound to one never verifies the other's tokens. The vector is generated (RFC 9864 has no
//! JOSE example): see `test-vectors/README.md`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{assert_verifies, jwk, parse, text, vectors, with};
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{Error, KeyRejected, NoKey, SigningKey, Unsupported, VerifyingKey, jwa, jws};
use serde_json::{Value, json};

fn vector() -> Value {
    serde_json::from_str(include_str!("../test-vectors/rfc/rfc9864_ed25519.json")).unwrap()
}

/// The RFC 8037 A.4 token, `{"alg":"EdDSA"}`, made with the same key.
fn eddsa_token() -> String {
    text(&vectors("rfc8037")["A.4"], "compact").to_owned()
}

const ED448: &str = r#"{"kty":"OKP","crv":"Ed448","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}"#;

#[test]
fn the_name_is_registered() {
    assert_eq!(jwa::Algorithm::from_name("Ed25519"), Ok(&jwa::Ed25519));
    assert_eq!(jwa::Algorithm::from_name("EdDSA"), Ok(&jwa::EdDSA));
    assert_eq!(jwa::Ed25519.name(), "Ed25519");
    assert_ne!(jwa::Ed25519, jwa::EdDSA);
    assert_eq!(jwa::ALL.len(), 13);
    assert_eq!(jwa::ALL[12], &jwa::Ed25519);
    assert!(!jwa::Ed25519.is_symmetric());
    // Names are case-sensitive; Ed448 stays unsupported.
    assert_eq!(
        jwa::Algorithm::from_name("ed25519"),
        Err(Error::Unsupported(Unsupported::UnknownAlgorithm))
    );
    assert_eq!(
        jwa::Algorithm::from_name("Ed448"),
        Err(Error::Unsupported(Unsupported::Algorithm("Ed448")))
    );
}

#[test]
fn the_generated_vector_signs_byte_for_byte() {
    let v = vector();
    let key = jwk(&v["private_jwk"]).signing_key(&jwa::Ed25519).unwrap();
    let token = jws::sign(
        text(&v, "payload_utf8").as_bytes(),
        &jws::Header::new(),
        &key,
    )
    .unwrap();
    assert_eq!(token, text(&v, "compact"));
    let (header, _) = token.split_once('.').unwrap();
    assert_eq!(header, text(&v, "protected_b64u"));
}

#[test]
fn the_generated_vector_verifies_and_tampered_fails() {
    let v = vector();
    let key = jwk(&v["public_jwk"]).verifying_key(&jwa::Ed25519).unwrap();
    assert_verifies(
        text(&v, "compact"),
        &key,
        text(&v, "payload_utf8").as_bytes(),
    );
    // The same key from its raw bytes and from its SPKI.
    let x = VerifyingKey::from_ed25519_bytes(&jwa::Ed25519, key.to_spki_der().get(12..).unwrap())
        .unwrap();
    assert_verifies(text(&v, "compact"), &x, b"Example of Ed25519 signing");
    let spki = VerifyingKey::from_spki_der(&jwa::Ed25519, &key.to_spki_der()).unwrap();
    assert_verifies(text(&v, "compact"), &spki, b"Example of Ed25519 signing");
}

#[test]
fn a_key_bound_to_one_name_refuses_the_other() {
    let v = vector();
    let public = jwk(&v["public_jwk"]);
    let ed25519 = public.verifying_key(&jwa::Ed25519).unwrap();
    let eddsa = public.verifying_key(&jwa::EdDSA).unwrap();
    assert_eq!(
        jws::verify(text(&v, "compact"), &eddsa).map(|_| ()),
        Err(Error::AlgorithmMismatch { expected: "EdDSA" })
    );
    assert_eq!(
        jws::verify(&eddsa_token(), &ed25519).map(|_| ()),
        Err(Error::AlgorithmMismatch {
            expected: "Ed25519"
        })
    );
    // Each verifies its own.
    assert_eq!(
        jws::verify(&eddsa_token(), &eddsa).unwrap().payload(),
        b"Example of Ed25519 signing"
    );
    assert_eq!(
        jws::verify(text(&v, "compact"), &ed25519)
            .unwrap()
            .algorithm(),
        &jwa::Ed25519
    );
}

#[test]
fn a_jwk_alg_member_binds_to_that_name_only() {
    let v = vector();
    let named = |alg: &str| parse(&with(&v["public_jwk"], "alg", json!(alg))).unwrap();
    let ed25519 = named("Ed25519");
    assert!(ed25519.fits(&jwa::Ed25519));
    assert!(!ed25519.fits(&jwa::EdDSA));
    assert_eq!(
        ed25519.verifying_key(&jwa::EdDSA).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "EdDSA"
        }))
    );
    let eddsa = named("EdDSA");
    assert!(eddsa.fits(&jwa::EdDSA));
    assert_eq!(
        eddsa.verifying_key(&jwa::Ed25519).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "Ed25519"
        }))
    );
    // The same rule for signing keys.
    let private = parse(&with(&v["private_jwk"], "alg", json!("Ed25519"))).unwrap();
    assert!(private.signing_key(&jwa::Ed25519).is_ok());
    assert_eq!(
        private.signing_key(&jwa::EdDSA).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "EdDSA"
        }))
    );
    // `with_alg` sets either name on an Ed25519 key, and nothing else fits one.
    assert_eq!(
        jwk(&v["public_jwk"]).with_alg(&jwa::Ed25519).unwrap().alg(),
        Some("Ed25519")
    );
    let p256 = Jwk::from_verifying_key(&SigningKey::generate(&jwa::ES256).unwrap().verifying_key());
    assert_eq!(
        p256.with_alg(&jwa::Ed25519).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "Ed25519"
        }))
    );
}

#[test]
fn a_jwk_without_alg_binds_to_either_name_when_asked() {
    let v = vector();
    let public = jwk(&v["public_jwk"]);
    assert_eq!(public.alg(), None);
    for alg in [&jwa::Ed25519, &jwa::EdDSA] {
        assert!(public.fits(alg));
        assert_eq!(public.verifying_key(alg).unwrap().algorithm(), alg);
        let signer = jwk(&v["private_jwk"]).signing_key(alg).unwrap();
        assert_eq!(signer.algorithm(), alg);
    }
}

#[test]
fn ed448_stays_unsupported_under_both_names() {
    let ed448 = Jwk::from_json(ED448.as_bytes()).unwrap();
    for alg in [&jwa::Ed25519, &jwa::EdDSA] {
        assert_eq!(
            ed448.verifying_key(alg).map(|_| ()),
            Err(Error::Unsupported(Unsupported::Curve("Ed448")))
        );
    }
    // A token signed with Ed448 names its own algorithm: unsupported before any key is used.
    let key = jwk(&vector()["public_jwk"])
        .verifying_key(&jwa::Ed25519)
        .unwrap();
    let ed448_token = "eyJhbGciOiJFZDQ0OCJ9.eA.AAAA";
    assert_eq!(
        jws::verify(ed448_token, &key).map(|_| ()),
        Err(Error::Unsupported(Unsupported::Algorithm("Ed448")))
    );
}

#[test]
fn signing_keys_from_pkcs8_and_jwk_under_either_name() {
    let v = vector();
    let pkcs8 = jwk(&v["private_jwk"])
        .signing_key(&jwa::EdDSA)
        .unwrap()
        .to_pkcs8_der();
    let key = SigningKey::from_pkcs8_der(&jwa::Ed25519, pkcs8.expose()).unwrap();
    let token = jws::sign(b"Example of Ed25519 signing", &jws::Header::new(), &key).unwrap();
    assert_eq!(token, text(&v, "compact"));
    let pem = SigningKey::from_pem(&jwa::Ed25519, key.to_pkcs8_pem().expose()).unwrap();
    assert_eq!(pem.algorithm(), &jwa::Ed25519);
    // The exported JWK carries the name the key was bound to.
    assert_eq!(Jwk::from_signing_key(&key).unwrap().alg(), Some("Ed25519"));
    assert_eq!(
        Jwk::from_verifying_key(&key.verifying_key()).alg(),
        Some("Ed25519")
    );
    let generated = SigningKey::generate(&jwa::Ed25519).unwrap();
    assert_eq!(generated.algorithm(), &jwa::Ed25519);
    let back = Jwk::from_signing_key(&generated).unwrap();
    assert_eq!(
        back.signing_key(&jwa::Ed25519).unwrap().algorithm(),
        &jwa::Ed25519
    );
    // Neither name fits another key type.
    let p256 = fixture_p256();
    assert_eq!(
        SigningKey::from_pem(&jwa::Ed25519, p256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "Ed25519"
        }))
    );
}

fn fixture_p256() -> &'static [u8] {
    include_bytes!("../test-vectors/keys/p256.pkcs8.pem")
}

#[test]
fn key_rings_select_by_name() {
    let v = vector();
    let ed25519_token = text(&v, "compact").to_owned();
    let eddsa_token = eddsa_token();
    let no_alg = json!({"keys": [v["public_jwk"]]});
    let set = JwkSet::from_json(no_alg.to_string().as_bytes()).unwrap();

    let only_new = set.key_ring(&[&jwa::Ed25519]);
    assert_eq!(only_new.len(), 1);
    assert!(jws::verify(&ed25519_token, &only_new).is_ok());
    assert_eq!(
        jws::verify(&eddsa_token, &only_new).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );

    let only_old = set.key_ring(&[&jwa::EdDSA]);
    assert!(jws::verify(&eddsa_token, &only_old).is_ok());
    assert_eq!(
        jws::verify(&ed25519_token, &only_old).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );

    // Both names: the key is bound twice, and each token finds exactly one key.
    let both = set.key_ring(&[&jwa::Ed25519, &jwa::EdDSA]);
    assert_eq!(both.len(), 2);
    assert!(jws::verify(&ed25519_token, &both).is_ok());
    assert!(jws::verify(&eddsa_token, &both).is_ok());

    // A member naming `Ed25519` is bound to it only, even when both are allowed.
    let named = json!({"keys": [with(&v["public_jwk"], "alg", json!("Ed25519"))]});
    let set = JwkSet::from_json(named.to_string().as_bytes()).unwrap();
    let ring = set.key_ring(&[&jwa::Ed25519, &jwa::EdDSA]);
    assert_eq!(ring.len(), 1);
    assert!(jws::verify(&ed25519_token, &ring).is_ok());
    assert_eq!(
        jws::verify(&eddsa_token, &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );
    assert!(set.key_ring(&[&jwa::EdDSA]).is_empty());
}

#[test]
fn a_skipped_ed448_twin_blocks_eddsa_tokens_only() {
    // An Ed448 key could have been meant by an `EdDSA` token (that name covers Ed448), never
    // by an `Ed25519` one: its kid is ambiguous for the first only.
    let v = vector();
    let ed448: Value = serde_json::from_str(ED448).unwrap();
    let keys = json!({"keys": [
        with(&ed448, "kid", json!("twin")),
        with(&v["private_jwk"], "kid", json!("twin")),
    ]});
    let set = JwkSet::from_json(keys.to_string().as_bytes()).unwrap();
    let ring = set.key_ring(&[&jwa::Ed25519, &jwa::EdDSA]);
    assert_eq!(ring.skipped().len(), 1);
    let private = &set.keys()[1];
    let sign = |alg| {
        let key = private.signing_key(alg).unwrap();
        jws::sign(b"x", &jws::Header::new(), &key.with_kid("twin")).unwrap()
    };
    assert_eq!(
        jws::verify(&sign(&jwa::Ed25519), &ring).unwrap().payload(),
        b"x"
    );
    assert_eq!(
        jws::verify(&sign(&jwa::EdDSA), &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Ambiguous))
    );
}

#[test]
fn jwts_carry_the_name() {
    let key = SigningKey::generate(&jwa::Ed25519).unwrap().with_kid("k1");
    let now = NumericDate::from_seconds(1_700_000_000);
    let claims = RegisteredClaims::new()
        .with_subject("ada")
        .with_lifetime(now, 60);
    let token = jwt::encode(&claims, &key).unwrap();
    let (header, _) = token.split_once('.').unwrap();
    assert_eq!(
        common::b64(br#"{"alg":"Ed25519","typ":"JWT","kid":"k1"}"#),
        header
    );
    let verified: jwt::Verified<RegisteredClaims> =
        jwt::decode(&token, &key.verifying_key(), &Validation::new(now)).unwrap();
    assert_eq!(verified.claims().sub.as_deref(), Some("ada"));
}
