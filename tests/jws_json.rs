//! RFC 7515 §7.2: the JWS JSON serializations (general and flattened), with RFC 7515 A.6/A.7,
//! RFC 7520 §4.1–4.8 in every form they are given, RFC 7797 §4.2, negative tables and property
//! tests.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{b64, flip, jwk, text, vectors};
use jose_ring::jwk::{JwkSet, KeyRing};
use jose_ring::jws::{self, Policy, Serialization, Signatory, UnverifiedJson};
use jose_ring::{
    CritProblem, Error, HmacKey, JsonProblem, KeyRef, KeySource, Limits, Malformed, Misuse, NoKey,
    SigningKey, UnencodedProblem, Unsupported, jwa,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A key store of the tests' own for JWSs signed with an HMAC key and public keys at once:
/// what a `KeyRing` never is (it holds one kind of key), written as a user who needs it would,
/// sending each `alg` to the store of its kind.
struct Mixed {
    hmac: KeyRing<HmacKey>,
    public: KeyRing,
}

impl Mixed {
    fn new(hmac: HmacKey, public: KeyRing) -> Self {
        Self {
            hmac: KeyRing::new_hmac().with_hmac_key(hmac),
            public,
        }
    }
}

impl KeySource for Mixed {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        match jwa::Algorithm::from_name(alg) {
            Ok(found) if found.is_symmetric() => self.hmac.select(alg, kid),
            _ => self.public.select(alg, kid),
        }
    }
}

fn example(section: &str) -> Value {
    vectors("rfc7520")["examples"][section]["example"].clone()
}

fn payload(e: &Value) -> &[u8] {
    text(&e["input"], "payload").as_bytes()
}

fn to_bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).unwrap()
}

fn verify(doc: &Value, keys: &(impl KeySource + ?Sized), policy: Policy) -> Result<Vec<u8>, Error> {
    jws::verify_json(&to_bytes(doc), keys, policy).map(|v| v.into_payload())
}

fn parse_err(doc: &Value) -> Error {
    UnverifiedJson::parse(&to_bytes(doc)).unwrap_err()
}

/// The signature objects of a general or flattened document.
fn entries(doc: &Value) -> Vec<Value> {
    match doc.get("signatures") {
        Some(list) => list.as_array().unwrap().clone(),
        None => vec![doc.clone()],
    }
}

/// `doc` with `f` applied to signature object `index` (the document itself when flattened).
fn with_entry(doc: &Value, index: usize, f: impl FnOnce(&mut Value)) -> Value {
    let mut doc = doc.clone();
    match doc.get_mut("signatures") {
        Some(list) => f(&mut list[index]),
        None => f(&mut doc),
    }
    doc
}

/// Changes one character of each base64url member (payload, every protected header, every
/// signature) in turn: each change makes verification under `Policy::All` fail, the payload and
/// the signatures with exactly `InvalidSignature`.
fn assert_json_tampered_fail(doc: &Value, keys: &(impl KeySource + ?Sized)) {
    if let Some(p) = doc["payload"].as_str() {
        let mut bad = doc.clone();
        bad["payload"] = Value::from(flip(p));
        assert_eq!(
            verify(&bad, keys, Policy::All),
            Err(Error::InvalidSignature),
            "payload"
        );
    }
    for i in 0..entries(doc).len() {
        let bad = with_entry(doc, i, |e| {
            e["signature"] = flip(e["signature"].as_str().unwrap()).into()
        });
        assert_eq!(
            verify(&bad, keys, Policy::All),
            Err(Error::InvalidSignature),
            "signature {i}"
        );
        if entries(doc)[i].get("protected").is_some() {
            let bad = with_entry(doc, i, |e| {
                e["protected"] = flip(e["protected"].as_str().unwrap()).into()
            });
            assert!(verify(&bad, keys, Policy::All).is_err(), "protected {i}");
        }
    }
}

/// Verifies `doc` under both policies (it has one signature, or all of them verify), checks
/// the payload, and that tampering fails.
fn assert_json_verifies(doc: &Value, keys: &(impl KeySource + ?Sized), expected: &[u8]) {
    for policy in [Policy::All, Policy::Any] {
        let verified = jws::verify_json(&to_bytes(doc), keys, policy).unwrap();
        assert_eq!(verified.payload(), expected);
        assert_eq!(verified.signatures().len(), entries(doc).len());
        assert!(verified.rejected().is_empty());
    }
    assert_json_tampered_fail(doc, keys);
}

fn hs256(secret: &[u8]) -> HmacKey {
    HmacKey::new(&jwa::HS256, secret).unwrap()
}

/// A flattened JWS over `payload_b64` with any protected header JSON, MACed with `key`.
fn flattened(
    protected: Option<&str>,
    header: Option<Value>,
    payload_b64: &str,
    key: &HmacKey,
) -> Value {
    let protected_b64 = protected.map(|p| b64(p.as_bytes())).unwrap_or_default();
    let input = format!("{protected_b64}.{payload_b64}");
    // The crate's signer refuses most of these headers: MAC with ring directly.
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key_secret(key)),
        input.as_bytes(),
    );
    let mut doc = json!({ "payload": payload_b64, "signature": b64(tag.as_ref()) });
    if protected.is_some() {
        doc["protected"] = protected_b64.into();
    }
    if let Some(header) = header {
        doc["header"] = header;
    }
    doc
}

/// The secret of the keys made by [`key_a`] and [`key_b`].
fn key_secret(key: &HmacKey) -> &'static [u8] {
    if key.kid() == Some("b") {
        SECRET_B
    } else {
        SECRET_A
    }
}

const SECRET_A: &[u8] = b"secret A: thirty-two bytes long!";
const SECRET_B: &[u8] = b"secret B: thirty-two bytes long!";

fn key_a() -> HmacKey {
    hs256(SECRET_A).with_kid("a")
}

fn key_b() -> HmacKey {
    hs256(SECRET_B).with_kid("b")
}

const HI: &str = "aGk"; // "hi"

// ---------------------------------------------------------------------------------------------
// RFC 7515 Appendix A.6 and A.7

#[test]
fn rfc7515_a6_general_two_signatures() {
    let a6 = &vectors("rfc7515")["A.6"];
    let rsa = jwk(&a6["keys"]["2010-12-29"]);
    let ec = jwk(&a6["keys"]["e9bc097a-ce51-4036-9562-d2ade882db0d"]);
    let ring = KeyRing::new()
        .with_verifying_key(rsa.verifying_key(&jwa::RS256).unwrap())
        .with_verifying_key(ec.verifying_key(&jwa::ES256).unwrap());
    let doc_text = text(a6, "json_text_no_whitespace");
    let doc: Value = serde_json::from_str(doc_text).unwrap();
    assert_eq!(doc, a6["json"]);
    let expected = vectors("rfc7515")["A.1"]["payload_utf8"]
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec();

    let unverified = UnverifiedJson::parse(doc_text.as_bytes()).unwrap();
    assert_eq!(unverified.serialization(), Serialization::General);
    let sigs = unverified.signatures();
    assert_eq!(sigs.len(), 2);
    assert_eq!(
        (sigs[0].alg(), sigs[1].alg()),
        (Some("RS256"), Some("ES256"))
    );
    // The kids are unprotected: shown, never used to choose a key.
    assert_eq!(sigs[0].header().kid(), None);
    assert_eq!(sigs[0].unprotected().unwrap().kid(), Some("2010-12-29"));
    let verified = unverified.verify(&ring, Policy::All).unwrap();
    assert_eq!(verified.payload(), expected);
    let algs: Vec<_> = verified
        .signatures()
        .iter()
        .map(|s| (s.index(), s.algorithm()))
        .collect();
    assert_eq!(algs, [(0, &jwa::RS256), (1, &jwa::ES256)]);
    assert_eq!(
        verified.signatures()[1].unprotected().unwrap().kid(),
        Some("e9bc097a-ce51-4036-9562-d2ade882db0d")
    );
    assert_json_verifies(&doc, &ring, &expected);

    // Signing: the RS256 signature is reproduced byte for byte, the ES256 one verifies.
    let rsa_signer = rsa.signing_key(&jwa::RS256).unwrap();
    let ec_signer = ec.signing_key(&jwa::ES256).unwrap();
    let signatories = [
        Signatory::new(&rsa_signer).with_unprotected(jws::Header::new().with_kid("2010-12-29")),
        Signatory::new(&ec_signer)
            .with_unprotected(jws::Header::new().with_kid("e9bc097a-ce51-4036-9562-d2ade882db0d")),
    ];
    let signed = jws::sign_as(&expected, &signatories, Serialization::General).unwrap();
    let signed_doc: Value = serde_json::from_str(&signed).unwrap();
    assert_eq!(signed_doc["payload"], doc["payload"]);
    assert_eq!(signed_doc["signatures"][0], doc["signatures"][0]);
    assert_eq!(
        signed_doc["signatures"][1]["protected"],
        doc["signatures"][1]["protected"]
    );
    assert_eq!(
        signed_doc["signatures"][1]["header"],
        doc["signatures"][1]["header"]
    );
    // Member order as in the RFC.
    assert!(signed.starts_with(&doc_text[..doc_text.find("DtEh").unwrap()]));
    assert_json_verifies(&signed_doc, &ring, &expected);
}

#[test]
fn rfc7515_a7_flattened() {
    let a7 = &vectors("rfc7515")["A.7"];
    let key = jwk(&a7["jwk"]).verifying_key(&jwa::ES256).unwrap();
    let expected = vectors("rfc7515")["A.1"]["payload_utf8"]
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let doc_text = text(a7, "json_text_no_whitespace");
    let unverified = UnverifiedJson::parse(doc_text.as_bytes()).unwrap();
    assert_eq!(unverified.serialization(), Serialization::Flattened);
    assert_eq!(unverified.signatures().len(), 1);
    assert_json_verifies(&a7["json"], &key, &expected);
    // With an unprotected header there is no compact form; the general one holds it.
    let unverified = UnverifiedJson::parse(doc_text.as_bytes()).unwrap();
    assert_eq!(
        unverified.serialize(Serialization::Compact),
        Err(Error::Malformed(Malformed::Unrepresentable(
            Serialization::Compact
        )))
    );
    let general: Value =
        serde_json::from_str(&unverified.serialize(Serialization::General).unwrap()).unwrap();
    assert_eq!(
        general,
        vectors("rfc7515")["A.6"]["json"]
            .as_object()
            .map(|o| {
                let mut g = o.clone();
                g["signatures"] = json!([g["signatures"][1].clone()]);
                Value::Object(g)
            })
            .unwrap()
    );
    assert_json_verifies(&general, &key, &expected);
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 §4

/// The JSON forms of an RFC 7520 example: (`json`, general) and (`json_flat`, flattened).
fn json_forms(e: &Value) -> [(Value, Serialization); 2] {
    [
        (e["output"]["json"].clone(), Serialization::General),
        (e["output"]["json_flat"].clone(), Serialization::Flattened),
    ]
}

/// Checks that every given form of `e` says what it is, and that converting each to the
/// others gives the forms the RFC gives (as JSON values; the compact form as text).
fn assert_forms_convert(e: &Value) {
    let out = &e["output"];
    for (doc, form) in json_forms(e) {
        let bytes = to_bytes(&doc);
        let parsed = UnverifiedJson::parse(&bytes).unwrap();
        assert_eq!(parsed.serialization(), form);
        for (other, other_form) in json_forms(e) {
            let written = parsed.serialize(other_form).unwrap();
            assert_eq!(
                serde_json::from_str::<Value>(&written).unwrap(),
                other,
                "{form} -> {other_form}"
            );
        }
        if let Some(compact) = out["compact"].as_str() {
            assert_eq!(parsed.serialize(Serialization::Compact).unwrap(), compact);
            let from = UnverifiedJson::from_compact(compact).unwrap();
            assert_eq!(from.serialization(), Serialization::Compact);
            let back = from.serialize(form).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&back).unwrap(), doc);
            let any = UnverifiedJson::parse_any(compact.as_bytes()).unwrap();
            assert_eq!(any.serialization(), Serialization::Compact);
        }
        let any = UnverifiedJson::parse_any(&bytes).unwrap();
        assert_eq!(any.serialization(), form);
    }
}

#[test]
fn rfc7520_4_1_rs256_general_and_flattened() {
    let e = example("4.1");
    let key = jwk(&e["input"]["key"]);
    let public = key.verifying_key(&jwa::RS256).unwrap();
    for (doc, _) in json_forms(&e) {
        assert_json_verifies(&doc, &public, payload(&e));
    }
    assert_forms_convert(&e);
    // Signed byte for byte in all three forms.
    let signer = key.signing_key(&jwa::RS256).unwrap();
    let signatories = [Signatory::new(&signer)];
    for (doc, form) in json_forms(&e) {
        let signed = jws::sign_as(payload(&e), &signatories, form).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&signed).unwrap(), doc);
    }
    assert_eq!(
        jws::sign_as(payload(&e), &signatories, Serialization::Compact).unwrap(),
        text(&e["output"], "compact")
    );
}

#[test]
fn rfc7520_4_2_ps384_general_and_flattened() {
    let e = example("4.2");
    let key = jwk(&e["input"]["key"]);
    let public = key.verifying_key(&jwa::PS384).unwrap();
    for (doc, _) in json_forms(&e) {
        assert_json_verifies(&doc, &public, payload(&e));
        // The same RSA key bound to PS256 is not used for a PS384 signature.
        assert_eq!(
            verify(&doc, &key.verifying_key(&jwa::PS256).unwrap(), Policy::Any),
            Err(Error::AlgorithmMismatch { expected: "PS256" })
        );
    }
    assert_forms_convert(&e);
    // PSS is randomised: a fresh signature differs but verifies.
    let signer = key.signing_key(&jwa::PS384).unwrap();
    for (doc, form) in json_forms(&e) {
        let signed: Value = serde_json::from_str(
            &jws::sign_as(payload(&e), &[Signatory::new(&signer)], form).unwrap(),
        )
        .unwrap();
        assert_ne!(signed, doc);
        assert_json_verifies(&signed, &public, payload(&e));
    }
}

#[test]
fn rfc7520_4_3_es512_is_unsupported_in_every_form() {
    let e = example("4.3");
    let any_key = SigningKey::generate(&jwa::ES256).unwrap().verifying_key();
    for (doc, _) in json_forms(&e) {
        for policy in [Policy::All, Policy::Any] {
            assert_eq!(
                verify(&doc, &any_key, policy),
                Err(Error::Unsupported(Unsupported::Algorithm("ES512")))
            );
        }
    }
    assert_forms_convert(&e);
}

#[test]
fn rfc7520_4_4_hs256_general_and_flattened() {
    let e = example("4.4");
    let key = jwk(&e["input"]["key"]).hmac_key(&jwa::HS256).unwrap();
    for (doc, _) in json_forms(&e) {
        assert_json_verifies(&doc, &key, payload(&e));
        let signed = jws::sign_as(
            payload(&e),
            &[Signatory::new(&key)],
            json_forms(&e).iter().find(|(d, _)| *d == doc).unwrap().1,
        )
        .unwrap();
        assert_eq!(serde_json::from_str::<Value>(&signed).unwrap(), doc);
    }
    assert_forms_convert(&e);
}

#[test]
fn rfc7520_4_5_detached_general_and_flattened() {
    let e = example("4.5");
    let key = jwk(&e["input"]["key"]).hmac_key(&jwa::HS256).unwrap();
    for (doc, form) in json_forms(&e) {
        assert!(doc.get("payload").is_none());
        let bytes = to_bytes(&doc);
        let parsed = UnverifiedJson::parse(&bytes).unwrap();
        assert!(parsed.is_detached());
        let verified = parsed
            .verify_detached(payload(&e), &key, Policy::All)
            .unwrap();
        assert_eq!(verified.payload(), payload(&e));
        // Other content, a tampered signature, or no content: rejected.
        let mut other = payload(&e).to_vec();
        other[0] ^= 1;
        let detached = |doc: &Value, content: &[u8]| {
            UnverifiedJson::parse(&to_bytes(doc))
                .unwrap()
                .verify_detached(content, &key, Policy::All)
                .map(|_| ())
        };
        assert_eq!(detached(&doc, &other), Err(Error::InvalidSignature));
        let bad = with_entry(&doc, 0, |s| {
            s["signature"] = flip(s["signature"].as_str().unwrap()).into()
        });
        assert_eq!(detached(&bad, payload(&e)), Err(Error::InvalidSignature));
        assert_eq!(
            verify(&doc, &key, Policy::All),
            Err(Error::Malformed(Malformed::MissingMember("payload")))
        );
        // Signed byte for byte.
        let signed = jws::sign_detached_as(payload(&e), &[Signatory::new(&key)], form).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&signed).unwrap(), doc);
    }
    assert_forms_convert(&e);
    // The §4.4 documents carry the payload: not detached.
    for (doc, _) in json_forms(&example("4.4")) {
        assert_eq!(
            UnverifiedJson::parse(&to_bytes(&doc))
                .unwrap()
                .verify_detached(payload(&e), &key, Policy::All)
                .map(|_| ()),
            Err(Error::Malformed(Malformed::NotDetached))
        );
    }
    assert_eq!(
        jws::sign_detached_as(payload(&e), &[Signatory::new(&key)], Serialization::Compact)
            .unwrap(),
        text(&e["output"], "compact")
    );
}

#[test]
fn rfc7520_4_6_protected_and_unprotected_header() {
    let e = example("4.6");
    let key = jwk(&e["input"]["key"]).hmac_key(&jwa::HS256).unwrap();
    assert!(e["output"].get("compact").is_none());
    for (doc, form) in json_forms(&e) {
        assert_json_verifies(&doc, &key, payload(&e));
        let verified = jws::verify_json(&to_bytes(&doc), &key, Policy::All).unwrap();
        let signature = &verified.signatures()[0];
        assert_eq!(signature.header().kid(), None);
        assert_eq!(
            signature.unprotected().unwrap().kid(),
            Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037")
        );
        assert_eq!(
            signature.key_kid(),
            Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037")
        );
        // The unprotected header is not signed: changing it does not break the signature.
        let changed = with_entry(&doc, 0, |s| s["header"]["kid"] = "another".into());
        assert_eq!(verify(&changed, &key, Policy::All).unwrap(), payload(&e));
        // Signed byte for byte: an unprotected kid keeps the key's kid out of the protected one.
        let signatories = [Signatory::new(&key)
            .with_unprotected(jws::Header::new().with_kid("018c0ae5-4d9b-471b-bfd6-eef314bc7037"))];
        let signed = jws::sign_as(payload(&e), &signatories, form).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&signed).unwrap(), doc);
        assert_eq!(
            jws::sign_as(payload(&e), &signatories, Serialization::Compact),
            Err(Error::Malformed(Malformed::Unrepresentable(
                Serialization::Compact
            )))
        );
    }
    assert_forms_convert(&e);
}

#[test]
fn rfc7520_4_7_unprotected_alg_is_rejected_unless_opted_in() {
    let e = example("4.7");
    let key = jwk(&e["input"]["key"]).hmac_key(&jwa::HS256).unwrap();
    for (doc, _) in json_forms(&e) {
        let bytes = to_bytes(&doc);
        for policy in [Policy::All, Policy::Any] {
            assert_eq!(
                verify(&doc, &key, policy),
                Err(Error::Malformed(Malformed::Unprotected("alg")))
            );
        }
        let parsed = UnverifiedJson::parse(&bytes).unwrap();
        assert_eq!(parsed.signatures()[0].alg(), None);
        assert_eq!(parsed.signatures()[0].unprotected_alg(), Some("HS256"));
        let verified = parsed
            .accept_unprotected_alg()
            .verify(&key, Policy::All)
            .unwrap();
        assert_eq!(verified.payload(), payload(&e));
        assert_eq!(verified.signatures()[0].algorithm(), &jwa::HS256);
        // Opted in, tampering still fails, and the alg is still only compared with the key's.
        let opted = |doc: &Value| {
            UnverifiedJson::parse(&to_bytes(doc))
                .unwrap()
                .accept_unprotected_alg()
                .verify(&key, Policy::All)
                .map(|_| ())
        };
        let mut bad = doc.clone();
        bad["payload"] = flip(doc["payload"].as_str().unwrap()).into();
        assert_eq!(opted(&bad), Err(Error::InvalidSignature));
        let bad = with_entry(&doc, 0, |s| {
            s["signature"] = flip(s["signature"].as_str().unwrap()).into()
        });
        assert_eq!(opted(&bad), Err(Error::InvalidSignature));
        for (alg, error) in [
            ("HS384", Error::AlgorithmMismatch { expected: "HS256" }),
            ("none", Error::Unsupported(Unsupported::None)),
        ] {
            let bad = with_entry(&doc, 0, |s| s["header"]["alg"] = alg.into());
            assert_eq!(opted(&bad), Err(error));
        }
        // No compact form without a protected header.
        assert_eq!(
            UnverifiedJson::parse(&bytes)
                .unwrap()
                .serialize(Serialization::Compact),
            Err(Error::Malformed(Malformed::Unrepresentable(
                Serialization::Compact
            )))
        );
    }
    assert_forms_convert(&e);
}

#[test]
fn rfc7520_4_8_multiple_signatures() {
    let e = example("4.8");
    let keys = e["input"]["key"].as_array().unwrap();
    let set = JwkSet::from_json(&serde_json::to_vec(&json!({ "keys": keys })).unwrap()).unwrap();
    let algs = [&jwa::RS256, &jwa::HS256, &jwa::ES256];
    // The set holds an RSA key and a secret: a ring of public keys leaves the secret out, so
    // the test's own store routes each alg to the ring of its kind.
    let public = set.key_ring(&algs);
    let skipped: Vec<_> = public.skipped().iter().map(|s| s.error().clone()).collect();
    assert_eq!(
        skipped,
        [
            Error::Unsupported(Unsupported::Curve("P-521")),
            Error::KeyRejected(jose_ring::KeyRejected::Symmetric)
        ]
    );
    let ring = Mixed {
        hmac: set.hmac_key_ring(&algs),
        public,
    };
    let doc = e["output"]["json"].clone();
    assert!(e["output"].get("json_flat").is_none() && e["output"].get("compact").is_none());
    let bytes = to_bytes(&doc);
    let expected = payload(&e);
    // The ring of public keys alone verifies the RS256 signature only.
    let only_public = jws::verify_json(&bytes, &ring.public, Policy::Any).unwrap();
    let ok: Vec<_> = only_public.signatures().iter().map(|s| s.index()).collect();
    assert_eq!(ok, [0]);

    // Any: RS256 (0) and HS256 (2) verify; the ES512 signature has its alg unprotected.
    let verified = jws::verify_json(&bytes, &ring, Policy::Any).unwrap();
    assert_eq!(verified.payload(), expected);
    let ok: Vec<_> = verified
        .signatures()
        .iter()
        .map(|s| (s.index(), s.algorithm().name(), s.key_kid()))
        .collect();
    assert_eq!(
        ok,
        [
            (0, "RS256", Some("bilbo.baggins@hobbiton.example")),
            (2, "HS256", Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037"))
        ]
    );
    assert_eq!(
        verified.rejected(),
        [(1, Error::Malformed(Malformed::Unprotected("alg")))]
    );
    // Opted in to unprotected alg: the ES512 signature is reported unsupported, the others verify.
    let verified = UnverifiedJson::parse(&bytes)
        .unwrap()
        .accept_unprotected_alg()
        .verify(&ring, Policy::Any)
        .unwrap();
    assert_eq!(verified.signatures().len(), 2);
    assert_eq!(
        verified.rejected(),
        [(1, Error::Unsupported(Unsupported::Algorithm("ES512")))]
    );
    // All: the ES512 signature fails the whole JWS.
    assert_eq!(
        verify(&doc, &ring, Policy::All),
        Err(Error::Malformed(Malformed::Unprotected("alg")))
    );
    assert_eq!(
        UnverifiedJson::parse(&bytes)
            .unwrap()
            .accept_unprotected_alg()
            .verify(&ring, Policy::All)
            .map(|_| ()),
        Err(Error::Unsupported(Unsupported::Algorithm("ES512")))
    );
    // Tampered: the payload fails every signature; a signature fails alone.
    let mut bad = doc.clone();
    bad["payload"] = flip(doc["payload"].as_str().unwrap()).into();
    assert_eq!(
        verify(&bad, &ring, Policy::Any),
        Err(Error::InvalidSignature)
    );
    for i in [0, 2] {
        let bad = with_entry(&doc, i, |s| {
            s["signature"] = flip(s["signature"].as_str().unwrap()).into()
        });
        let verified = jws::verify_json(&to_bytes(&bad), &ring, Policy::Any).unwrap();
        assert_eq!(verified.signatures().len(), 1);
        assert!(verified.rejected().contains(&(i, Error::InvalidSignature)));
    }
    // A verifier with only the HMAC key: one signature verifies, the RSA one has no key.
    let hmac = jwk(&keys[2]).hmac_key(&jwa::HS256).unwrap();
    let verified = jws::verify_json(&bytes, &hmac, Policy::Any).unwrap();
    assert_eq!(verified.signatures()[0].index(), 2);
    assert_eq!(
        verified.rejected()[0],
        (0, Error::AlgorithmMismatch { expected: "HS256" })
    );
    // No compact or flattened form for three signatures.
    let parsed = UnverifiedJson::parse(&bytes).unwrap();
    for form in [Serialization::Compact, Serialization::Flattened] {
        assert_eq!(
            parsed.serialize(form),
            Err(Error::Malformed(Malformed::Unrepresentable(form)))
        );
    }
    assert_eq!(
        serde_json::from_str::<Value>(&parsed.serialize(Serialization::General).unwrap()).unwrap(),
        doc
    );

    // Signing with RS256 and HS256 in one call reproduces signatures 0 and 2 byte for byte.
    let rsa = jwk(&keys[0]).signing_key(&jwa::RS256).unwrap();
    let signatories = [
        Signatory::new(&rsa)
            .with_unprotected(jws::Header::new().with_kid("bilbo.baggins@hobbiton.example")),
        Signatory::new(&hmac),
    ];
    let signed: Value = serde_json::from_str(
        &jws::sign_as(expected, &signatories, Serialization::General).unwrap(),
    )
    .unwrap();
    assert_eq!(signed["payload"], doc["payload"]);
    assert_eq!(
        signed["signatures"],
        json!([doc["signatures"][0], doc["signatures"][2]])
    );
    assert_json_verifies(&signed, &ring, expected);
}

// ---------------------------------------------------------------------------------------------
// RFC 7797 §4.2 in flattened form

#[test]
fn rfc7797_4_2_flattened_unencoded() {
    let v = vectors("rfc7797");
    let key = jwk(&v["key"]).hmac_key(&jwa::HS256).unwrap();
    let doc = v["4.2"]["json_flattened"].clone();
    let expected = text(&v, "payload_utf8").as_bytes();
    let bytes = to_bytes(&doc);
    let parsed = UnverifiedJson::parse(&bytes).unwrap();
    assert!(parsed.is_unencoded());
    assert_eq!(
        parsed.verify(&key, Policy::All).unwrap().payload(),
        expected
    );
    let mut bad = doc.clone();
    bad["payload"] = "$.03".into();
    assert_eq!(
        verify(&bad, &key, Policy::All),
        Err(Error::InvalidSignature)
    );
    assert_json_tampered_fail(&with_entry(&doc, 0, |_| {}), &key);

    let signatories =
        [Signatory::new(&key).with_protected(jws::Header::new().with_unencoded_payload())];
    let signed = jws::sign_as(expected, &signatories, Serialization::Flattened).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&signed).unwrap(), doc);
    // "$.02" holds '.': no compact form, unless detached.
    let parsed = UnverifiedJson::parse(signed.as_bytes()).unwrap();
    assert_eq!(
        parsed.serialize(Serialization::Compact),
        Err(Error::Malformed(Malformed::Unencoded(
            UnencodedProblem::PayloadCharacters
        )))
    );
    assert_eq!(
        jws::sign_as(expected, &signatories, Serialization::Compact),
        Err(Error::Malformed(Malformed::Unencoded(
            UnencodedProblem::PayloadCharacters
        )))
    );
    assert_eq!(
        jws::sign_detached_as(expected, &signatories, Serialization::Compact).unwrap(),
        text(&v["4.2"], "compact_detached")
    );
    // Detached and general: the same signature.
    let general = jws::sign_detached_as(expected, &signatories, Serialization::General).unwrap();
    let parsed = UnverifiedJson::parse(general.as_bytes()).unwrap();
    assert_eq!(parsed.signatures().len(), 1);
    assert!(general.contains(text(&v["4.2"], "signature_b64u")));
    assert_eq!(
        parsed
            .verify_detached(expected, &key, Policy::All)
            .unwrap()
            .payload(),
        expected
    );
    // Unencoded in JSON form, the payload must be text (detached, any bytes).
    assert_eq!(
        jws::sign_as(&[0xff, 0x00], &signatories, Serialization::General),
        Err(Error::Malformed(Malformed::Unencoded(
            UnencodedProblem::NotText
        )))
    );
    let bytes = jws::sign_detached_as(&[0xff, 0x00], &signatories, Serialization::General).unwrap();
    assert!(
        UnverifiedJson::parse(bytes.as_bytes())
            .unwrap()
            .verify_detached(&[0xff, 0x00], &key, Policy::All)
            .is_ok()
    );
}

// ---------------------------------------------------------------------------------------------
// Negative tables

#[test]
fn header_rules_per_signature() {
    let key = key_a();
    let overlap = Err(Error::Malformed(Malformed::HeaderOverlap));
    let table: Vec<(Option<&str>, Value, Result<(), Error>)> = vec![
        // Disjoint names (RFC 7515 §7.2.1).
        (
            Some(r#"{"alg":"HS256","kid":"a"}"#),
            json!({"kid":"a"}),
            overlap.clone(),
        ),
        (
            Some(r#"{"alg":"HS256","typ":"x"}"#),
            json!({"typ":"y"}),
            overlap.clone(),
        ),
        (
            Some(r#"{"alg":"HS256","x-custom":1}"#),
            json!({"x-custom":1}),
            overlap.clone(),
        ),
        (
            Some(r#"{"alg":"HS256"}"#),
            json!({"alg":"HS256"}),
            overlap.clone(),
        ),
        (
            Some(r#"{"alg":"HS256","cty":"t"}"#),
            json!({"cty":"t"}),
            overlap.clone(),
        ),
        // crit and b64 only protected.
        (
            Some(r#"{"alg":"HS256"}"#),
            json!({"crit":["b64"]}),
            Err(Error::Malformed(Malformed::Crit(CritProblem::Unprotected))),
        ),
        (
            Some(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#),
            json!({"crit":["b64"]}),
            Err(Error::Malformed(Malformed::Crit(CritProblem::Unprotected))),
        ),
        (
            Some(r#"{"alg":"HS256"}"#),
            json!({"b64":true}),
            Err(Error::Malformed(Malformed::Unencoded(
                UnencodedProblem::Malformed,
            ))),
        ),
        // The protected header keeps its own rules.
        (
            Some(r#"{"alg":"HS256","crit":["b64"]}"#),
            json!({"kid":"a"}),
            Err(Error::Malformed(Malformed::Crit(CritProblem::Absent))),
        ),
        (
            Some(r#"{"alg":"HS256","b64":false}"#),
            json!({"kid":"a"}),
            Err(Error::Malformed(Malformed::Unencoded(
                UnencodedProblem::NotCritical,
            ))),
        ),
        (
            Some(r#"{"alg":"HS256","alg":"none"}"#),
            json!({}),
            Err(Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::DuplicateMember,
            })),
        ),
        (
            Some(r#"{"alg":"HS256"}"#),
            json!({"x":{"y":1}, "kid":5}),
            Err(Error::Malformed(Malformed::InvalidMember("kid"))),
        ),
        (
            Some(r#"{"alg":"HS256"}"#),
            json!({"kid":"k".repeat(257)}),
            Err(Error::TooLarge {
                what: "kid",
                limit: 256,
            }),
        ),
        (Some(r#"{"alg":"HS256"}"#), json!({"alg":7}), overlap),
        // alg: somewhere, and protected unless opted in.
        (
            None,
            json!({"kid":"a"}),
            Err(Error::Malformed(Malformed::MissingMember("alg"))),
        ),
        (
            Some(r#"{"kid":"a"}"#),
            json!({"typ":"t"}),
            Err(Error::Malformed(Malformed::MissingMember("alg"))),
        ),
        (
            Some(r#"{"typ":"t"}"#),
            json!({"alg":"HS256"}),
            Err(Error::Malformed(Malformed::Unprotected("alg"))),
        ),
        (
            None,
            json!({"alg":"HS256"}),
            Err(Error::Malformed(Malformed::Unprotected("alg"))),
        ),
        // Fine: disjoint, with an empty unprotected header, or none.
        (
            Some(r#"{"alg":"HS256"}"#),
            json!({"kid":"a","x-hint":[1,2]}),
            Ok(()),
        ),
        (Some(r#"{"alg":"HS256","kid":"a"}"#), json!({}), Ok(())),
    ];
    for (protected, header, expected) in table {
        let doc = flattened(protected, Some(header.clone()), HI, &key);
        assert_eq!(
            verify(&doc, &key, Policy::Any).map(|_| ()),
            expected,
            "{protected:?} {header}"
        );
        let general = json!({"payload": HI, "signatures": [with_entry(&doc, 0, |d| { d.as_object_mut().unwrap().remove("payload"); })]});
        assert_eq!(
            verify(&general, &key, Policy::All).map(|_| ()),
            expected,
            "general {protected:?} {header}"
        );
    }
    // No protected header and no unprotected one: no alg at all.
    let doc = json!({"payload": HI, "signature": "c2ln"});
    assert_eq!(
        parse_err(&doc),
        Error::Malformed(Malformed::MissingMember("alg"))
    );
}

#[test]
fn unprotected_kid_never_chooses_the_key() {
    // Two HS256 keys: without a protected kid, the choice is ambiguous, whatever the
    // unprotected header says.
    let ring = KeyRing::new_hmac()
        .with_hmac_key(key_a())
        .with_hmac_key(key_b());
    let doc = flattened(
        Some(r#"{"alg":"HS256"}"#),
        Some(json!({"kid":"b"})),
        HI,
        &key_b(),
    );
    assert_eq!(
        verify(&doc, &ring, Policy::Any),
        Err(Error::NoKey(NoKey::Ambiguous))
    );
    let doc = flattened(Some(r#"{"alg":"HS256","kid":"b"}"#), None, HI, &key_b());
    assert_eq!(verify(&doc, &ring, Policy::Any).unwrap(), b"hi");
    // A single key with another kid: the protected kid decides.
    let doc = flattened(Some(r#"{"alg":"HS256","kid":"b"}"#), None, HI, &key_a());
    assert_eq!(
        verify(&doc, &key_a(), Policy::Any),
        Err(Error::NoKey(NoKey::UnknownKid))
    );
}

#[test]
fn b64_must_agree_across_signatures() {
    let key = key_a();
    let plain = flattened(Some(r#"{"alg":"HS256"}"#), None, HI, &key);
    let unencoded = flattened(
        Some(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#),
        None,
        "hi",
        &key,
    );
    let entry = |d: &Value| json!({"protected": d["protected"], "signature": d["signature"]});
    for payload in [HI, "hi"] {
        let doc = json!({"payload": payload, "signatures": [entry(&plain), entry(&unencoded)]});
        assert_eq!(
            parse_err(&doc),
            Error::Malformed(Malformed::Unencoded(UnencodedProblem::Inconsistent))
        );
    }
    let doc = json!({"payload": "hi", "signatures": [entry(&unencoded), entry(&unencoded)]});
    assert_eq!(verify(&doc, &key, Policy::All).unwrap(), b"hi");
    // Signing refuses to mix them too.
    let signatories = [
        Signatory::new(&key),
        Signatory::new(&key).with_protected(jws::Header::new().with_unencoded_payload()),
    ];
    assert_eq!(
        jws::sign_as(b"hi", &signatories, Serialization::General),
        Err(Error::Malformed(Malformed::Unencoded(
            UnencodedProblem::Inconsistent
        )))
    );
}

#[test]
fn structure_and_member_types() {
    let key = key_a();
    let good = flattened(Some(r#"{"alg":"HS256"}"#), None, HI, &key);
    let sig = good["signature"].clone();
    let prot = good["protected"].clone();
    let entry = json!({"protected": prot, "signature": sig});
    let invalid = |name| Error::Malformed(Malformed::InvalidMember(name));
    let serialization = Error::Malformed(Malformed::Serialization);
    let table: Vec<(Value, Error)> = vec![
        (
            json!({"payload": HI, "signatures": []}),
            invalid("signatures"),
        ),
        (
            json!({"payload": HI, "signatures": {}}),
            invalid("signatures"),
        ),
        (
            json!({"payload": HI, "signatures": "x"}),
            invalid("signatures"),
        ),
        (
            json!({"payload": HI, "signatures": null}),
            invalid("signatures"),
        ),
        (
            json!({"payload": HI, "signatures": [entry, 1]}),
            invalid("signatures"),
        ),
        (
            json!({"payload": HI, "signatures": [[entry]]}),
            invalid("signatures"),
        ),
        (
            json!({"payload": 1, "signatures": [entry]}),
            invalid("payload"),
        ),
        (
            json!({"payload": null, "protected": prot, "signature": sig}),
            invalid("payload"),
        ),
        (
            json!({"payload": [HI], "protected": prot, "signature": sig}),
            invalid("payload"),
        ),
        (
            json!({"payload": HI, "protected": {"alg":"HS256"}, "signature": sig}),
            invalid("protected"),
        ),
        (
            json!({"payload": HI, "protected": prot, "header": "kid", "signature": sig}),
            invalid("header"),
        ),
        (
            json!({"payload": HI, "protected": prot, "header": [], "signature": sig}),
            invalid("header"),
        ),
        (
            json!({"payload": HI, "protected": prot, "signature": true}),
            invalid("signature"),
        ),
        (
            json!({"payload": HI, "signatures": [{"protected": 5, "signature": sig}]}),
            invalid("protected"),
        ),
        (
            json!({"payload": HI, "signatures": [{"protected": prot, "header": 5, "signature": sig}]}),
            invalid("header"),
        ),
        (
            json!({"payload": HI, "signatures": [{"protected": prot, "signature": {}}]}),
            invalid("signature"),
        ),
        (
            json!({"payload": HI, "signatures": [{"protected": prot}]}),
            Error::Malformed(Malformed::MissingMember("signature")),
        ),
        (
            json!({"payload": HI, "protected": prot}),
            Error::Malformed(Malformed::MissingMember("signature")),
        ),
        // Neither syntax, or both.
        (json!({"payload": HI}), serialization.clone()),
        (json!({}), serialization.clone()),
        (
            json!({"payload": HI, "signatures": [entry], "signature": sig}),
            serialization.clone(),
        ),
        (
            json!({"payload": HI, "signatures": [entry], "protected": prot}),
            serialization.clone(),
        ),
        (
            json!({"payload": HI, "signatures": [entry], "header": {"kid":"a"}}),
            serialization.clone(),
        ),
        // Encodings.
        (
            json!({"payload": HI, "protected": "eyJhbGciOiJIUzI1NiJ9=", "signature": sig}),
            Error::Malformed(Malformed::Base64("protected")),
        ),
        (
            json!({"payload": HI, "protected": "", "signature": sig}),
            Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::Syntax { line: 1, column: 0 },
            }),
        ),
        (
            json!({"payload": HI, "protected": b64(b"[1]"), "signature": sig}),
            Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::NotObject,
            }),
        ),
    ];
    for (doc, expected) in table {
        assert_eq!(parse_err(&doc), expected, "{doc}");
    }
    // Errors found only when verifying.
    let verify_table: Vec<(Value, Error)> = vec![
        (
            json!({"payload": HI, "protected": prot, "signature": "c2ln="}),
            Error::Malformed(Malformed::Base64("signature")),
        ),
        (
            json!({"payload": "aGk=", "protected": prot, "signature": sig}),
            Error::InvalidSignature,
        ),
        (
            flattened(Some(r#"{"alg":"HS256"}"#), None, "aGk=", &key),
            Error::Malformed(Malformed::Base64("payload")),
        ),
        (
            flattened(Some(r#"{"alg":"HS256"}"#), None, "", &key)
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.remove("payload");
                    Value::Object(o)
                })
                .unwrap(),
            Error::Malformed(Malformed::MissingMember("payload")),
        ),
        (
            flattened(Some(r#"{"alg":"none"}"#), None, HI, &key),
            Error::Unsupported(Unsupported::None),
        ),
        (
            flattened(Some(r#"{"alg":"RS256"}"#), None, HI, &key),
            Error::AlgorithmMismatch { expected: "HS256" },
        ),
    ];
    for (doc, expected) in verify_table {
        assert_eq!(verify(&doc, &key, Policy::All), Err(expected), "{doc}");
    }
    // Members this crate does not know are ignored (RFC 7515 §7.2.1), but strictly parsed.
    let mut extra = good.clone();
    extra["x-extension"] = json!({"nested": [1, 2]});
    assert_eq!(verify(&extra, &key, Policy::All).unwrap(), b"hi");
    let general = json!({"payload": HI, "signatures": [{"protected": prot, "signature": sig, "x": 1, "payload": 5}], "x": null});
    assert_eq!(verify(&general, &key, Policy::All).unwrap(), b"hi");
    // Escaped strings are the same strings.
    let escaped = serde_json::to_string(&good)
        .unwrap()
        .replacen("\"aGk\"", "\"\\u0061Gk\"", 1);
    assert_eq!(
        jws::verify_json(escaped.as_bytes(), &key, Policy::All)
            .unwrap()
            .payload(),
        b"hi"
    );
}

#[test]
fn strict_json() {
    let key = key_a();
    let good =
        serde_json::to_string(&flattened(Some(r#"{"alg":"HS256"}"#), None, HI, &key)).unwrap();
    let json_err = |problem| {
        Error::Malformed(Malformed::Json {
            part: "JWS JSON",
            problem,
        })
    };
    let table: Vec<(String, Error)> = vec![
        (good.replacen('{', r#"{"payload":"aGk","#, 1), json_err(JsonProblem::DuplicateMember)),
        (good.replacen('{', r#"{"x":{"a":1,"a":2},"#, 1), json_err(JsonProblem::DuplicateMember)),
        (
            r#"{"payload":"aGk","signatures":[{"signature":"x","signature":"y"}]}"#.into(),
            json_err(JsonProblem::DuplicateMember),
        ),
        (
            r#"{"payload":"aGk","protected":"eyJhbGciOiJIUzI1NiJ9","header":{"k":1,"k":2},"signature":"x"}"#.into(),
            json_err(JsonProblem::DuplicateMember),
        ),
        (format!("{good} x"), json_err(JsonProblem::TrailingCharacters)),
        (format!("{good}{{}}"), json_err(JsonProblem::TrailingCharacters)),
        (format!("{}{}", "[".repeat(200), "]".repeat(200)), Error::Malformed(Malformed::Serialization)),
        (
            format!(r#"{{"x":{}1{},"payload":"aGk"}}"#, "[".repeat(200), "]".repeat(200)),
            json_err(JsonProblem::TooDeep),
        ),
        ("{".into(), json_err(JsonProblem::Syntax { line: 1, column: 1 })),
        ("".into(), Error::Malformed(Malformed::Serialization)),
        ("   ".into(), Error::Malformed(Malformed::Serialization)),
        ("null".into(), Error::Malformed(Malformed::Serialization)),
        (r#""payload""#.into(), Error::Malformed(Malformed::Serialization)),
    ];
    for (input, expected) in table {
        assert_eq!(
            UnverifiedJson::parse(input.as_bytes()).map(|_| ()),
            Err(expected),
            "{input}"
        );
    }
    // Whitespace around the document is fine.
    assert!(jws::verify_json(format!(" \n{good}\n ").as_bytes(), &key, Policy::All).is_ok());
}

#[test]
fn compact_and_json_are_not_confused() {
    let key = key_a();
    let token = jws::sign(b"hi", &jws::Header::new(), &key).unwrap();
    // A compact token where JSON is expected.
    assert_eq!(
        jws::verify_json(token.as_bytes(), &key, Policy::All).map(|_| ()),
        Err(Error::Malformed(Malformed::Serialization))
    );
    // JSON where a compact token is expected.
    let json = jws::sign_as(b"hi", &[Signatory::new(&key)], Serialization::Flattened).unwrap();
    assert_eq!(
        jws::verify(&json, &key).map(|_| ()),
        Err(Error::Malformed(Malformed::Segments))
    );
    let general = jws::sign_as(b"hi", &[Signatory::new(&key)], Serialization::General).unwrap();
    assert_eq!(
        jws::verify(&general, &key).map(|_| ()),
        Err(Error::Malformed(Malformed::Segments))
    );
    assert_eq!(
        UnverifiedJson::from_compact(&json).map(|_| ()),
        Err(Error::Malformed(Malformed::Segments))
    );
    // parse_any tells all three apart.
    for (input, form) in [
        (token.as_str(), Serialization::Compact),
        (json.as_str(), Serialization::Flattened),
        (general.as_str(), Serialization::General),
    ] {
        let parsed = UnverifiedJson::parse_any(input.as_bytes()).unwrap();
        assert_eq!(parsed.serialization(), form);
        assert_eq!(parsed.verify(&key, Policy::All).unwrap().payload(), b"hi");
    }
    assert_eq!(
        UnverifiedJson::parse_any(b"\xff.\xff.\xff").map(|_| ()),
        Err(Error::Malformed(Malformed::Character))
    );
}

#[test]
fn signature_count_limit() {
    let key = key_a();
    let one = flattened(Some(r#"{"alg":"HS256"}"#), None, HI, &key);
    let entry = json!({"protected": one["protected"], "signature": one["signature"]});
    let doc = |n: usize| to_bytes(&json!({"payload": HI, "signatures": vec![entry.clone(); n]}));
    let too_many = |limit| Error::TooLarge {
        what: "number of signatures",
        limit,
    };
    // 16 is the default limit.
    let verified = jws::verify_json(&doc(16), &key, Policy::All).unwrap();
    assert_eq!(verified.signatures().len(), 16);
    assert_eq!(
        UnverifiedJson::parse(&doc(17)).map(|_| ()),
        Err(too_many(16))
    );
    let limits = Limits::default().with_signatures(2);
    assert_eq!(
        UnverifiedJson::parse_with_limits(&doc(3), &limits).map(|_| ()),
        Err(too_many(2))
    );
    assert!(UnverifiedJson::parse_with_limits(&doc(2), &limits).is_ok());
    // 10,000 signatures: over the default length limit, and over the count limit once the
    // length limit is raised.
    let huge = doc(10_000);
    assert_eq!(
        UnverifiedJson::parse(&huge).map(|_| ()),
        Err(Error::TooLarge {
            what: "JWS JSON serialization",
            limit: 64 * 1024
        })
    );
    let long = Limits::default().with_token_len(huge.len());
    assert_eq!(
        UnverifiedJson::parse_with_limits(&huge, &long).map(|_| ()),
        Err(too_many(16))
    );
    // 10,000 entries that are not even objects: still the count limit first.
    let ints = to_bytes(&json!({"payload": HI, "signatures": vec![0; 10_000]}));
    assert_eq!(
        UnverifiedJson::parse_with_limits(&ints, &long).map(|_| ()),
        Err(too_many(16))
    );
}

#[test]
fn signing_rules() {
    let (a, b) = (key_a(), key_b());
    let unrepresentable = |form| Err(Error::Malformed(Malformed::Unrepresentable(form)));
    assert_eq!(
        jws::sign_as(b"hi", &[], Serialization::General),
        Err(Error::Misuse(Misuse::NoSignatory))
    );
    let two = [Signatory::new(&a), Signatory::new(&b)];
    assert_eq!(
        jws::sign_as(b"hi", &two, Serialization::Compact),
        unrepresentable(Serialization::Compact)
    );
    assert_eq!(
        jws::sign_as(b"hi", &two, Serialization::Flattened),
        unrepresentable(Serialization::Flattened)
    );
    let with_unprotected = [Signatory::new(&a).with_unprotected(jws::Header::new().with_typ("t"))];
    assert_eq!(
        jws::sign_as(b"hi", &with_unprotected, Serialization::Compact),
        unrepresentable(Serialization::Compact)
    );
    let overlap = [Signatory::new(&a)
        .with_protected(jws::Header::new().with_typ("t"))
        .with_unprotected(jws::Header::new().with_typ("u"))];
    assert_eq!(
        jws::sign_as(b"hi", &overlap, Serialization::General),
        Err(Error::Malformed(Malformed::HeaderOverlap))
    );
    let overlap = [Signatory::new(&a)
        .with_protected(jws::Header::new().with_kid("p"))
        .with_unprotected(jws::Header::new().with_kid("u"))];
    assert_eq!(
        jws::sign_as(b"hi", &overlap, Serialization::General),
        Err(Error::Malformed(Malformed::HeaderOverlap))
    );
    let unencoded_unprotected =
        [Signatory::new(&a).with_unprotected(jws::Header::new().with_unencoded_payload())];
    assert_eq!(
        jws::sign_as(b"hi", &unencoded_unprotected, Serialization::General),
        Err(Error::Malformed(Malformed::Unencoded(
            UnencodedProblem::Malformed
        )))
    );
    // The key's kid goes into the protected header and chooses the key.
    let ring = KeyRing::new_hmac()
        .with_hmac_key(key_a())
        .with_hmac_key(key_b());
    let signed = jws::sign_as(b"hi", &two, Serialization::General).unwrap();
    let parsed = UnverifiedJson::parse(signed.as_bytes()).unwrap();
    assert_eq!(parsed.signatures()[1].header().kid(), Some("b"));
    let verified = parsed.verify(&ring, Policy::All).unwrap();
    let kids: Vec<_> = verified.signatures().iter().map(|s| s.key_kid()).collect();
    assert_eq!(kids, [Some("a"), Some("b")]);
    // All: one unknown key fails the JWS; Any: it is reported.
    assert_eq!(
        jws::verify_json(signed.as_bytes(), &key_a(), Policy::All).map(|_| ()),
        Err(Error::NoKey(NoKey::UnknownKid))
    );
    let verified = jws::verify_json(signed.as_bytes(), &key_a(), Policy::Any).unwrap();
    assert_eq!(verified.rejected(), [(1, Error::NoKey(NoKey::UnknownKid))]);
    // Any with no signature verifying: the first signature's error.
    let other = hs256(b"another secret of thirty-two b!!");
    assert_eq!(
        jws::verify_json(signed.as_bytes(), &other, Policy::Any).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // Different key types in one call.
    let ec = SigningKey::generate(&jwa::ES256).unwrap();
    let ed = SigningKey::generate(&jwa::EdDSA).unwrap();
    let mixed = [Signatory::new(&a), Signatory::new(&ec), Signatory::new(&ed)];
    let signed = jws::sign_as(b"hi", &mixed, Serialization::General).unwrap();
    let ring = Mixed::new(
        key_a(),
        KeyRing::new()
            .with_verifying_key(ec.verifying_key())
            .with_verifying_key(ed.verifying_key()),
    );
    let verified = jws::verify_json(signed.as_bytes(), &ring, Policy::All).unwrap();
    let algs: Vec<_> = verified
        .signatures()
        .iter()
        .map(|s| s.algorithm().name())
        .collect();
    assert_eq!(algs, ["HS256", "ES256", "EdDSA"]);
    assert_json_verifies(&serde_json::from_str(&signed).unwrap(), &ring, b"hi");
}

#[test]
fn conversions_keep_the_signature() {
    let key = key_a();
    let header = jws::Header::new().with_typ("JWT");
    let compact = jws::sign(b"hi", &header, &key).unwrap();
    let parsed = UnverifiedJson::from_compact(&compact).unwrap();
    assert_eq!(parsed.serialize(Serialization::Compact).unwrap(), compact);
    for form in [Serialization::Flattened, Serialization::General] {
        let json = parsed.serialize(form).unwrap();
        let back = UnverifiedJson::parse(json.as_bytes()).unwrap();
        assert_eq!(back.serialization(), form);
        assert_eq!(back.serialize(Serialization::Compact).unwrap(), compact);
        assert_eq!(
            back.verify(&key, Policy::All).unwrap().signatures()[0]
                .header()
                .typ(),
            Some("JWT")
        );
    }
    // A detached compact token is detached JSON.
    let detached = jws::sign_detached(b"hi", &header, &key).unwrap();
    let json = UnverifiedJson::from_compact(&detached)
        .unwrap()
        .serialize(Serialization::General)
        .unwrap();
    assert!(!json.contains("payload"));
    let parsed = UnverifiedJson::parse(json.as_bytes()).unwrap();
    assert_eq!(parsed.serialize(Serialization::Compact).unwrap(), detached);
    assert_eq!(
        parsed
            .verify_detached(b"hi", &key, Policy::All)
            .unwrap()
            .payload(),
        b"hi"
    );
    // An empty compact payload segment: verified as an empty payload, as `jws::verify` does,
    // and written as detached content in JSON form.
    let empty = jws::sign(b"", &header, &key).unwrap();
    let parsed = UnverifiedJson::from_compact(&empty).unwrap();
    assert!(parsed.is_detached());
    assert_eq!(parsed.verify(&key, Policy::All).unwrap().payload(), b"");
    // A JSON signature whose bytes cannot go into a compact token.
    let mut doc = flattened(Some(r#"{"alg":"HS256"}"#), None, HI, &key);
    doc["signature"] = "a+b".into();
    assert_eq!(
        UnverifiedJson::parse(&to_bytes(&doc))
            .unwrap()
            .serialize(Serialization::Compact),
        Err(Error::Malformed(Malformed::Base64("signature")))
    );
    doc["payload"] = "a b".into();
    assert_eq!(
        UnverifiedJson::parse(&to_bytes(&doc))
            .unwrap()
            .serialize(Serialization::Compact),
        Err(Error::Malformed(Malformed::Base64("payload")))
    );
}

#[test]
fn error_texts_name_no_input() {
    let marker = "SECRETMARKER";
    let key = key_a();
    let docs = [
        format!(
            r#"{{"payload":"{marker}","signatures":[{{"protected":"{marker}","signature":"x"}}]}}"#
        ),
        format!(
            r#"{{"payload":"aGk","protected":"eyJhbGciOiJIUzI1NiJ9","header":{{"{marker}":1,"{marker}":2}},"signature":"x"}}"#
        ),
        format!(r#"{{"{marker}":1,"{marker}":1}}"#),
        format!(r#"{{"payload":"aGk","header":{{"alg":"{marker}"}},"signature":"x"}}"#),
        format!(
            r#"{{"payload":"aGk","protected":"{}","signature":"x"}}"#,
            b64(format!(r#"{{"alg":"{marker}"}}"#).as_bytes())
        ),
    ];
    for doc in &docs {
        let error = jws::verify_json(doc.as_bytes(), &key, Policy::Any).unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains(marker), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

mod props {
    use super::*;
    use proptest::prelude::*;

    fn member() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            "[A-Za-z0-9_=.$-]{0,12}".prop_map(Value::from),
            Just(Value::from("eyJhbGciOiJIUzI1NiJ9")),
            Just(Value::from(
                "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19"
            )),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "protected",
                        "header",
                        "signature",
                        "payload",
                        "alg",
                        "kid",
                        "crit",
                        "b64",
                        "x"
                    ]),
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(
                    m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                )),
            ]
        })
    }

    fn document() -> impl Strategy<Value = Value> {
        prop::collection::btree_map(
            prop::sample::select(vec![
                "payload",
                "protected",
                "header",
                "signature",
                "signatures",
                "x",
            ]),
            member(),
            0..6,
        )
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn parse_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..128)) {
            let key = key_a();
            if let Ok(parsed) = UnverifiedJson::parse_any(&bytes) {
                let _ = parsed.serialize(Serialization::General);
                let _ = parsed.verify(&key, Policy::Any);
            }
        }

        #[test]
        fn parse_never_panics_on_mutated_documents(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            general in any::<bool>(),
        ) {
            let keys = fixtures();
            let signatories = [
                Signatory::new(keys.signer(0)).with_unprotected(jws::Header::new().with_typ("t")),
                Signatory::new(keys.signer(1)),
            ];
            let form = if general { Serialization::General } else { Serialization::Flattened };
            let signatories = if general { &signatories[..] } else { &signatories[..1] };
            let mut bytes = jws::sign_as(b"hi", signatories, form).unwrap().into_bytes();
            for (at, byte) in edits {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            if let Ok(parsed) = UnverifiedJson::parse_any(&bytes) {
                for form in [Serialization::Compact, Serialization::Flattened, Serialization::General] {
                    let _ = parsed.serialize(form);
                }
                let _ = parsed.accept_unprotected_alg().verify(&keys.ring, Policy::Any);
            }
        }

        #[test]
        fn parse_never_panics_on_documents(doc in document(), opt_in in any::<bool>()) {
            let key = key_a();
            let bytes = to_bytes(&doc);
            if let Ok(parsed) = UnverifiedJson::parse(&bytes) {
                for form in [Serialization::Compact, Serialization::Flattened, Serialization::General] {
                    let _ = parsed.serialize(form);
                }
                let parsed = if opt_in { parsed.accept_unprotected_alg() } else { parsed };
                let _ = parsed.verify(&key, Policy::Any);
            }
        }

        #[test]
        fn sign_serialize_parse_verify_round_trips(
            payload in prop::collection::vec(any::<u8>(), 0..64),
            text in "[ -~]{0,32}",
            signers in prop::collection::vec(0usize..3, 1..4),
            form in prop::sample::select(vec![Serialization::Compact, Serialization::Flattened, Serialization::General]),
            unencoded in any::<bool>(),
            detached in any::<bool>(),
            typ in proptest::option::of("[a-z]{1,8}"),
        ) {
            let keys = fixtures();
            let mut protected = jws::Header::new();
            if let Some(typ) = &typ {
                protected = protected.with_typ(typ.clone());
            }
            if unencoded {
                protected = protected.with_unencoded_payload();
            }
            // An unencoded attached payload must be text (and, compact, without '.').
            let payload = if unencoded && !detached { text.replace('.', "").into_bytes() } else { payload };
            let signers = if form == Serialization::General { signers } else { vec![signers[0]] };
            let signatories: Vec<Signatory<'_>> = signers
                .iter()
                .enumerate()
                .map(|(i, &k)| {
                    let s = Signatory::new(keys.signer(k)).with_protected(protected.clone());
                    if form != Serialization::Compact && i % 2 == 1 {
                        s.with_unprotected(jws::Header::new().with_member("x-note", &i).unwrap())
                    } else {
                        s
                    }
                })
                .collect();
            let out = if detached {
                jws::sign_detached_as(&payload, &signatories, form).unwrap()
            } else {
                jws::sign_as(&payload, &signatories, form).unwrap()
            };
            let parsed = UnverifiedJson::parse_any(out.as_bytes()).unwrap();
            prop_assert_eq!(parsed.serialization(), form);
            prop_assert_eq!(parsed.signatures().len(), signers.len());
            let verified = if detached {
                parsed.verify_detached(&payload, &keys.ring, Policy::All).unwrap()
            } else {
                parsed.verify(&keys.ring, Policy::All).unwrap()
            };
            prop_assert_eq!(verified.payload(), &payload[..]);
            prop_assert_eq!(verified.signatures().len(), signers.len());
            // Re-serialized in every form that can hold it, it still verifies.
            let parsed = UnverifiedJson::parse_any(out.as_bytes()).unwrap();
            for other in [Serialization::Compact, Serialization::Flattened, Serialization::General] {
                if let Ok(written) = parsed.serialize(other) {
                    let again = UnverifiedJson::parse_any(written.as_bytes()).unwrap();
                    let ok = if again.is_detached() {
                        again.verify_detached(&payload, &keys.ring, Policy::All).map(|v| v.into_payload())
                    } else {
                        again.verify(&keys.ring, Policy::All).map(|v| v.into_payload())
                    };
                    prop_assert_eq!(ok.unwrap(), payload.clone());
                }
            }
        }
    }

    /// One key of each kind, generated once.
    struct Fixtures {
        hmac: HmacKey,
        ec: SigningKey,
        ed: SigningKey,
        ring: Mixed,
    }

    impl Fixtures {
        fn signer(&self, i: usize) -> &dyn jose_ring::Signer {
            match i {
                0 => &self.hmac,
                1 => &self.ec,
                _ => &self.ed,
            }
        }
    }

    fn fixtures() -> &'static Fixtures {
        static KEYS: std::sync::OnceLock<Fixtures> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| {
            let hmac = key_a();
            let ec = SigningKey::generate(&jwa::ES256).unwrap().with_kid("ec");
            let ed = SigningKey::generate(&jwa::EdDSA).unwrap().with_kid("ed");
            let ring = Mixed::new(
                key_a(),
                KeyRing::new()
                    .with_verifying_key(ec.verifying_key())
                    .with_verifying_key(ed.verifying_key()),
            );
            Fixtures { hmac, ec, ed, ring }
        })
    }
}
