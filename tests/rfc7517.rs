//! RFC 7517 Appendices A and C, RFC 7520 §3 keys (and §4 through a JWK Set), RFC 8037 A.1–A.2:
//! parse, round-trip, bind, sign and verify.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{jwk, tamper, text, vectors, with};
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::{Error, KeyRejected, KeySource, Malformed, NoKey, Unsupported, jwa, jws};
use serde_json::{Value, json};

fn set(section: &str) -> Vec<Value> {
    vectors("rfc7517")[section]["jwk_set"]["keys"]
        .as_array()
        .unwrap()
        .clone()
}

/// Parse, write back and parse again: the same key. Private keys also round-trip through
/// `to_private_json`, and their public form equals the parsed public JWK.
fn assert_round_trips(jwk: &Jwk) {
    let private = Jwk::from_json(jwk.to_private_json().expose()).unwrap();
    assert_eq!(&private, jwk);
    if jwk.kty() != "oct" {
        let public = Jwk::from_json(jwk.to_json().unwrap().as_bytes()).unwrap();
        assert_eq!(public, jwk.to_public().unwrap());
        assert!(!public.is_private());
        assert_eq!(public.thumbprint(), jwk.thumbprint());
    }
}

#[test]
fn a1_public_keys_parse_round_trip_and_bind() {
    let keys = set("A.1");
    let ec = jwk(&keys[0]);
    assert_eq!(
        (ec.kty(), ec.crv(), ec.kid(), ec.key_use()),
        ("EC", Some("P-256"), Some("1"), Some("enc"))
    );
    assert!(!ec.is_private());
    assert_round_trips(&ec);
    // An encryption key is never a verification key.
    assert_eq!(
        ec.verifying_key(&jwa::ES256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Usage))
    );
    // Without `use`, it binds to ES256 only.
    let ec_sig = jwk(&with(&keys[0], "use", Value::Null));
    assert_eq!(ec_sig.verifying_key(&jwa::ES256).unwrap().kid(), Some("1"));
    assert_eq!(
        ec_sig.verifying_key(&jwa::ES384).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "ES384"
        }))
    );

    let rsa = jwk(&keys[1]);
    assert_eq!(
        (rsa.kty(), rsa.alg(), rsa.kid()),
        ("RSA", Some("RS256"), Some("2011-04-29"))
    );
    assert_round_trips(&rsa);
    let key = rsa.verifying_key(&jwa::RS256).unwrap();
    assert_eq!(
        (key.algorithm(), key.kid()),
        (&jwa::RS256, Some("2011-04-29"))
    );
    // `alg` pins the key to RS256: PS256 fits the key type but not the member.
    for alg in [&jwa::PS256, &jwa::RS384, &jwa::ES256, &jwa::HS256] {
        assert_eq!(
            rsa.verifying_key(alg).map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
                expected: alg.name()
            }))
        );
    }
    assert_eq!(
        rsa.signing_key(&jwa::RS256).map(|_| ()),
        Err(Error::Malformed(Malformed::MissingMember("d")))
    );

    // The set: the EC key is an encryption key, so the ring holds the RSA key only.
    let set = JwkSet::from_json(json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    assert_eq!((set.keys().len(), set.skipped().len()), (2, 0));
    let ring = set.key_ring(&[&jwa::RS256, &jwa::ES256]);
    assert_eq!(ring.len(), 1);
    assert_eq!(ring.skipped().len(), 1);
    assert_eq!(ring.skipped()[0].index(), 0);
    assert_eq!(ring.skipped()[0].kid(), Some("1"));
    assert_eq!(
        ring.skipped()[0].error(),
        &Error::KeyRejected(KeyRejected::Usage)
    );
}

#[test]
fn a2_private_keys_sign_and_the_a1_keys_verify() {
    let (private, public) = (set("A.2"), set("A.1"));
    // EC: the key is `use: enc`; without it, it signs ES256 and the A.1 key verifies.
    let ec = jwk(&private[0]);
    assert!(ec.is_private());
    assert_round_trips(&ec);
    assert_eq!(ec.to_public().unwrap(), jwk(&public[0]));
    assert_eq!(
        ec.signing_key(&jwa::ES256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Usage))
    );
    let signer = jwk(&with(&private[0], "use", json!("sig")))
        .signing_key(&jwa::ES256)
        .unwrap();
    let verifier = jwk(&with(&public[0], "use", json!("sig")))
        .verifying_key(&jwa::ES256)
        .unwrap();
    let token = jws::sign(b"A.2 EC", &jws::Header::new(), &signer).unwrap();
    assert!(token.starts_with("eyJhbGciOiJFUzI1NiIsImtpZCI6IjEifQ.")); // {"alg":"ES256","kid":"1"}
    assert_eq!(jws::verify(&token, &verifier).unwrap().payload(), b"A.2 EC");
    for segment in [1, 2] {
        assert_eq!(
            jws::verify(&tamper(&token, segment).unwrap(), &verifier).map(|_| ()),
            Err(Error::InvalidSignature)
        );
    }

    // RSA: signs RS256 (deterministic), and only RS256 (its `alg`).
    let rsa = jwk(&private[1]);
    assert_round_trips(&rsa);
    assert_eq!(rsa.to_public().unwrap(), jwk(&public[1]));
    let signer = rsa.signing_key(&jwa::RS256).unwrap();
    assert_eq!(signer.kid(), Some("2011-04-29"));
    assert_eq!(
        rsa.signing_key(&jwa::PS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "PS256"
        }))
    );
    let verifier = jwk(&public[1]).verifying_key(&jwa::RS256).unwrap();
    let token = jws::sign(b"A.2 RSA", &jws::Header::new(), &signer).unwrap();
    assert_eq!(
        jws::sign(b"A.2 RSA", &jws::Header::new(), &signer).unwrap(),
        token
    );
    assert_eq!(
        jws::verify(&token, &verifier).unwrap().payload(),
        b"A.2 RSA"
    );
    for segment in [1, 2] {
        assert_eq!(
            jws::verify(&tamper(&token, segment).unwrap(), &verifier).map(|_| ()),
            Err(Error::InvalidSignature)
        );
    }
    // The private key exported from the signing key is the A.2 key.
    assert_eq!(Jwk::from_signing_key(&signer).unwrap(), rsa);
}

#[test]
fn a3_symmetric_keys() {
    let keys = set("A.3");
    let kw = jwk(&keys[0]);
    assert_eq!(
        (kw.kty(), kw.alg(), kw.is_private()),
        ("oct", Some("A128KW"), true)
    );
    assert_round_trips(&kw);
    // A key-wrapping key never becomes an HMAC key.
    assert_eq!(
        kw.hmac_key(&jwa::HS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "HS256"
        }))
    );
    assert_eq!(
        kw.to_json(),
        Err(Error::KeyRejected(KeyRejected::Symmetric))
    );

    let mac = jwk(&keys[1]);
    assert_eq!(
        mac.kid(),
        Some("HMAC key used in JWS spec Appendix A.1 example")
    );
    assert_round_trips(&mac);
    for alg in [&jwa::HS256, &jwa::HS384, &jwa::HS512] {
        assert_eq!(mac.hmac_key(alg).unwrap().algorithm(), alg);
    }
    assert_eq!(
        mac.verifying_key(&jwa::HS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "HS256"
        }))
    );

    // The A.3 set verifies the RFC 7515 A.1 token (no kid: the only HS256 key is chosen).
    let set = JwkSet::from_json(json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    let ring = set.hmac_key_ring(&[&jwa::HS256, &jwa::RS256]);
    assert_eq!(ring.len(), 1);
    assert_eq!(
        ring.skipped()[0].error(),
        &Error::Unsupported(Unsupported::UnknownAlgorithm)
    );
    // A ring of public keys takes neither secret.
    let public = set.key_ring(&[&jwa::HS256, &jwa::RS256]);
    assert!(public.is_empty());
    assert_eq!(
        public.skipped()[0].error(),
        &Error::KeyRejected(KeyRejected::Symmetric)
    );
    let v = &vectors("rfc7515")["A.1"];
    let token = text(v, "compact");
    assert_eq!(
        jws::verify(token, &ring).unwrap().payload(),
        text(v, "payload_utf8").as_bytes()
    );
    assert_eq!(
        jws::verify(&tamper(token, 2).unwrap(), &ring).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        set.to_json(),
        Err(Error::KeyRejected(KeyRejected::Symmetric))
    );
}

#[test]
fn c1_private_rsa_key() {
    let c1 = &vectors("rfc7517")["C"]["C.1"]["jwk"];
    let key = jwk(c1);
    assert_eq!(
        (key.kty(), key.kid(), key.key_use()),
        ("RSA", Some("juliet@capulet.lit"), Some("enc"))
    );
    assert!(key.is_private());
    assert_round_trips(&key);
    // The key is for encryption.
    assert_eq!(
        key.signing_key(&jwa::RS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Usage))
    );
    assert_eq!(
        key.verifying_key(&jwa::RS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Usage))
    );
    // Used for signatures, its parts agree (ring checks them) and it signs PS256.
    let sig = jwk(&with(c1, "use", json!("sig")));
    let signer = sig.signing_key(&jwa::PS256).unwrap();
    let verifier = sig.verifying_key(&jwa::PS256).unwrap();
    let token = jws::sign(b"C.1", &jws::Header::new(), &signer).unwrap();
    assert_eq!(jws::verify(&token, &verifier).unwrap().payload(), b"C.1");
    assert_eq!(
        jws::verify(&tamper(&token, 1).unwrap(), &verifier).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // `d` without the CRT parameters parses, and cannot sign with ring.
    let mut bare = c1.clone();
    for name in ["p", "q", "dp", "dq", "qi", "use"] {
        bare.as_object_mut().unwrap().remove(name);
    }
    let bare = jwk(&bare);
    assert!(bare.is_private());
    assert_eq!(
        bare.signing_key(&jwa::RS256).map(|_| ()),
        Err(Error::Unsupported(Unsupported::RsaKeyShape))
    );
    assert!(bare.verifying_key(&jwa::RS256).is_ok());
}

fn rfc7520_key(section: &str) -> Value {
    vectors("rfc7520_keys")["keys"][section]["jwk"].clone()
}

#[test]
fn rfc7520_section_3_keys() {
    for section in ["3.1", "3.2"] {
        let p521 = jwk(&rfc7520_key(section));
        assert_eq!(p521.crv(), Some("P-521"));
        assert_round_trips(&p521);
        for alg in [&jwa::ES256, &jwa::ES384, &jwa::RS256] {
            assert_eq!(
                p521.verifying_key(alg).map(|_| ()),
                Err(Error::Unsupported(Unsupported::Curve("P-521")))
            );
            assert_eq!(
                p521.signing_key(alg).map(|_| ()),
                Err(Error::Unsupported(Unsupported::Curve("P-521")))
            );
        }
    }
    let public = jwk(&rfc7520_key("3.3"));
    let private = jwk(&rfc7520_key("3.4"));
    assert_round_trips(&public);
    assert_round_trips(&private);
    assert_eq!(private.to_public().unwrap(), public);
    // No `alg`: the RSA key fits every RS* and PS* algorithm.
    for alg in [
        &jwa::RS256,
        &jwa::RS384,
        &jwa::RS512,
        &jwa::PS256,
        &jwa::PS384,
        &jwa::PS512,
    ] {
        assert!(public.fits(alg));
        let verifier = public.verifying_key(alg).unwrap();
        assert_eq!(verifier.kid(), Some("bilbo.baggins@hobbiton.example"));
        let token = jws::sign(
            b"3.4",
            &jws::Header::new(),
            &private.signing_key(alg).unwrap(),
        )
        .unwrap();
        assert_eq!(jws::verify(&token, &verifier).unwrap().payload(), b"3.4");
        assert_eq!(
            jws::verify(&tamper(&token, 2).unwrap(), &verifier).map(|_| ()),
            Err(Error::InvalidSignature)
        );
    }
    assert!(!public.fits(&jwa::ES256));

    let mac = jwk(&rfc7520_key("3.5"));
    assert_round_trips(&mac);
    assert_eq!(
        mac.hmac_key(&jwa::HS256).unwrap().kid(),
        Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037")
    );
    assert_eq!(
        mac.hmac_key(&jwa::HS384).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "HS384"
        }))
    );
    let enc = jwk(&rfc7520_key("3.6"));
    assert_round_trips(&enc);
    assert_eq!(
        enc.hmac_key(&jwa::HS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "HS256"
        }))
    );
    assert_eq!(
        jwk(&with(&rfc7520_key("3.6"), "alg", Value::Null))
            .hmac_key(&jwa::HS256)
            .map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Usage))
    );
}

/// All §3 keys in one set; the §4 examples are verified through it, the key chosen by `kid`:
/// the ring of its public keys, and the ring of its secrets.
fn rfc7520_rings() -> (
    jose_ring::jwk::KeyRing,
    jose_ring::jwk::KeyRing<jose_ring::HmacKey>,
) {
    let keys: Vec<Value> = ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]
        .iter()
        .map(|s| rfc7520_key(s))
        .collect();
    let set = JwkSet::from_json(json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    assert_eq!((set.keys().len(), set.skipped().len()), (6, 0));
    assert_eq!(set.find("bilbo.baggins@hobbiton.example").count(), 4);
    let algs = [&jwa::RS256, &jwa::PS384, &jwa::ES256, &jwa::HS256];
    let ring = set.key_ring(&algs);
    // 3.3 and 3.4 are the same public key under the same kid: bound once per algorithm.
    assert_eq!(ring.len(), 2);
    let skipped: Vec<(usize, &Error)> = ring
        .skipped()
        .iter()
        .map(|s| (s.index(), s.error()))
        .collect();
    assert_eq!(
        skipped,
        [
            (0, &Error::Unsupported(Unsupported::Curve("P-521"))),
            (1, &Error::Unsupported(Unsupported::Curve("P-521"))),
            (4, &Error::KeyRejected(KeyRejected::Symmetric)),
            (5, &Error::KeyRejected(KeyRejected::Symmetric)),
        ]
    );
    let secrets = set.hmac_key_ring(&algs);
    assert_eq!(secrets.len(), 1);
    let skipped: Vec<(usize, &Error)> = secrets
        .skipped()
        .iter()
        .map(|s| (s.index(), s.error()))
        .collect();
    assert_eq!(skipped, [(5, &Error::KeyRejected(KeyRejected::Usage))]);
    (ring, secrets)
}

fn example(section: &str) -> Value {
    vectors("rfc7520")["examples"][section]["example"].clone()
}

#[test]
fn rfc7520_section_4_through_a_jwk_set() {
    let (ring, secrets) = rfc7520_rings();
    for section in ["4.1", "4.2", "4.4"] {
        let e = example(section);
        let token = text(&e["output"], "compact");
        let keys: &dyn KeySource = if section == "4.4" { &secrets } else { &ring };
        let verified = jws::verify(token, keys).unwrap();
        assert_eq!(
            verified.payload(),
            text(&e["input"], "payload").as_bytes(),
            "{section}"
        );
        assert_eq!(verified.algorithm().name(), text(&e["input"], "alg"));
        for segment in [1, 2] {
            assert_eq!(
                jws::verify(&tamper(token, segment).unwrap(), keys).map(|_| ()),
                Err(Error::InvalidSignature)
            );
        }
    }
    // The 4.4 HMAC token never verifies with the ring of public keys: its kid names a secret
    // that was left out.
    let e = example("4.4");
    assert_eq!(
        jws::verify(text(&e["output"], "compact"), &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Ambiguous))
    );
    // 4.3 is ES512: rejected before any key is looked at, P-521 key or not.
    let e = example("4.3");
    assert_eq!(
        jws::verify(text(&e["output"], "compact"), &ring).map(|_| ()),
        Err(Error::Unsupported(Unsupported::Algorithm("ES512")))
    );
    // The same ring refuses tokens it has no key for, saying why.
    let token = jws::sign(
        b"x",
        &jws::Header::new().with_kid("nobody"),
        &jose_ring::HmacKey::new(&jwa::HS256, &[7; 32]).unwrap(),
    )
    .unwrap();
    assert_eq!(
        jws::verify(&token, &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::UnknownKid))
    );
    let token = jws::sign(
        b"x",
        &jws::Header::new().with_kid("bilbo.baggins@hobbiton.example"),
        &jose_ring::HmacKey::new(&jwa::HS256, &[7; 32]).unwrap(),
    )
    .unwrap();
    assert_eq!(
        jws::verify(&token, &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );
}

#[test]
fn rfc8037_a1_a2_ed25519() {
    let v = vectors("rfc8037");
    let private = jwk(&v["A.1"]["jwk"]);
    let public = jwk(&v["A.2"]["jwk"]);
    assert_round_trips(&private);
    assert_round_trips(&public);
    assert_eq!(private.to_public().unwrap(), public);
    let signer = private.signing_key(&jwa::EdDSA).unwrap();
    let verifier = public.verifying_key(&jwa::EdDSA).unwrap();
    let a4 = &v["A.4"];
    let token = jws::sign(
        text(a4, "payload_utf8").as_bytes(),
        &jws::Header::new(),
        &signer,
    )
    .unwrap();
    assert_eq!(token, text(a4, "compact"));
    assert_eq!(
        jws::verify(&token, &verifier).unwrap().payload(),
        text(a4, "payload_utf8").as_bytes()
    );
    assert_eq!(
        jws::verify(&tamper(&token, 2).unwrap(), &verifier).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        Jwk::from_signing_key(&signer).unwrap(),
        private.with_alg(&jwa::EdDSA).unwrap()
    );
    // X25519 (A.6) parses, and is not a signature key.
    let x25519 = jwk(&v["A.6"]["recipient_public_jwk"]);
    assert_eq!(x25519.crv(), Some("X25519"));
    assert_eq!(
        x25519.verifying_key(&jwa::EdDSA).map(|_| ()),
        Err(Error::Unsupported(Unsupported::Curve("X25519")))
    );
}
