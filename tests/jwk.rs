//! JWK member rules, binding, export, JWK Sets and key selection: negative tables and
//! properties.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{flip, jwk, parse, tamper, vectors, with};
use jose_ring::jwk::{Jwk, JwkSet, KeyRing};
use jose_ring::{
    Error, HmacKey, JsonProblem, KeyRejected, KeySource, Limits, Malformed, NoKey, SigningKey,
    Unsupported, jwa, jws,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::decode_vec(text).unwrap()
}

/// RFC 7517 A.1 P-256 public key, without `use`.
fn ec_public() -> Value {
    with(
        &vectors("rfc7517")["A.1"]["jwk_set"]["keys"][0],
        "use",
        Value::Null,
    )
}

/// RFC 7517 A.2 P-256 private key, without `use`.
fn ec_private() -> Value {
    with(
        &vectors("rfc7517")["A.2"]["jwk_set"]["keys"][0],
        "use",
        Value::Null,
    )
}

/// RFC 7520 §3.4 RSA private key (`use: sig`, no `alg`).
fn rsa_private() -> Value {
    vectors("rfc7520_keys")["keys"]["3.4"]["jwk"].clone()
}

/// RFC 7520 §3.3 RSA public key.
fn rsa_public() -> Value {
    vectors("rfc7520_keys")["keys"]["3.3"]["jwk"].clone()
}

/// RFC 8037 A.1 Ed25519 private key.
fn okp_private() -> Value {
    vectors("rfc8037")["A.1"]["jwk"].clone()
}

fn oct(k: &[u8]) -> Value {
    json!({"kty": "oct", "k": b64(k)})
}

fn malformed_member(name: &'static str) -> Result<(), Error> {
    Err(Error::Malformed(Malformed::InvalidMember(name)))
}

fn missing(name: &'static str) -> Result<(), Error> {
    Err(Error::Malformed(Malformed::MissingMember(name)))
}

fn base64(name: &'static str) -> Result<(), Error> {
    Err(Error::Malformed(Malformed::Base64(name)))
}

#[test]
fn member_rules() {
    let x = vectors("rfc7517")["A.1"]["jwk_set"]["keys"][0]["x"]
        .as_str()
        .unwrap()
        .to_string();
    let n = rsa_public()["n"].as_str().unwrap().to_string();
    let mut n_with_zero = vec![0];
    n_with_zero.extend(unb64(&n));
    let long_kid = "k".repeat(257);
    let table: Vec<(Value, Result<(), Error>)> = vec![
        // kty
        (with(&ec_public(), "kty", Value::Null), missing("kty")),
        (with(&ec_public(), "kty", json!(2)), malformed_member("kty")),
        (
            with(&ec_public(), "kty", json!("ec")),
            Err(Unsupported::KeyType.into()),
        ),
        (json!({"kty": "EC-XYZ"}), Err(Unsupported::KeyType.into())),
        // common members: types, length
        (
            with(&ec_public(), "kid", json!(123)),
            malformed_member("kid"),
        ),
        (
            with(&ec_public(), "kid", json!(long_kid)),
            Err(Error::TooLarge {
                what: "kid",
                limit: 256,
            }),
        ),
        (with(&ec_public(), "kid", json!("k".repeat(256))), Ok(())),
        (
            with(&ec_public(), "alg", json!(256)),
            malformed_member("alg"),
        ),
        (
            with(&ec_public(), "use", json!(true)),
            malformed_member("use"),
        ),
        (with(&ec_public(), "use", json!("other")), Ok(())),
        (with(&ec_public(), "x5u", json!(1)), malformed_member("x5u")),
        // key_ops: array of unique strings, agreeing with `use`
        (
            with(&ec_public(), "key_ops", json!("verify")),
            malformed_member("key_ops"),
        ),
        (
            with(&ec_public(), "key_ops", json!([1])),
            malformed_member("key_ops"),
        ),
        (
            with(&ec_public(), "key_ops", json!(["verify", "verify"])),
            malformed_member("key_ops"),
        ),
        (
            with(
                &with(&ec_public(), "use", json!("sig")),
                "key_ops",
                json!(["encrypt"]),
            ),
            malformed_member("key_ops"),
        ),
        (
            with(
                &with(&ec_public(), "use", json!("enc")),
                "key_ops",
                json!(["verify"]),
            ),
            malformed_member("key_ops"),
        ),
        (
            with(
                &with(&ec_public(), "use", json!("sig")),
                "key_ops",
                json!(["verify", "sign"]),
            ),
            Ok(()),
        ),
        (
            with(&ec_public(), "key_ops", json!(["verify", "futureOp"])),
            Ok(()),
        ),
        // x5c (standard base64, non-empty), x5t (20 bytes), x5t#S256 (32 bytes)
        (
            with(&ec_public(), "x5c", json!([])),
            malformed_member("x5c"),
        ),
        (
            with(&ec_public(), "x5c", json!("MIIB")),
            malformed_member("x5c"),
        ),
        (
            with(&ec_public(), "x5c", json!(["MIIB-_=="])),
            malformed_member("x5c"),
        ),
        (
            with(&ec_public(), "x5c", json!(["MII"])),
            malformed_member("x5c"),
        ),
        (with(&ec_public(), "x5c", json!(["AAEC"])), Ok(())),
        (
            with(&ec_public(), "x5t", json!(b64(&[1; 19]))),
            malformed_member("x5t"),
        ),
        (with(&ec_public(), "x5t", json!(b64(&[1; 20]))), Ok(())),
        (
            with(&ec_public(), "x5t", json!(format!("{}=", b64(&[1; 20])))),
            base64("x5t"),
        ),
        (
            with(&ec_public(), "x5t#S256", json!(b64(&[1; 20]))),
            malformed_member("x5t#S256"),
        ),
        (with(&ec_public(), "x5t#S256", json!(b64(&[1; 32]))), Ok(())),
        // EC: crv, full-length coordinates, base64url
        (with(&ec_public(), "crv", Value::Null), missing("crv")),
        (
            with(&ec_public(), "crv", json!(256)),
            malformed_member("crv"),
        ),
        (
            with(&ec_public(), "crv", json!("P-257")),
            Err(Unsupported::UnknownCurve.into()),
        ),
        (
            with(&ec_public(), "crv", json!("p-256")),
            Err(Unsupported::UnknownCurve.into()),
        ),
        (
            with(&ec_public(), "crv", json!("P-384")),
            malformed_member("x"),
        ),
        (with(&ec_public(), "x", Value::Null), missing("x")),
        (with(&ec_public(), "y", Value::Null), missing("y")),
        (with(&ec_public(), "x", json!(42)), malformed_member("x")),
        (
            with(&ec_public(), "x", json!(b64(&[7; 31]))),
            malformed_member("x"),
        ),
        (
            with(&ec_public(), "x", json!(b64(&[7; 33]))),
            malformed_member("x"),
        ),
        (
            with(
                &ec_public(),
                "x",
                json!(b64(&[[0].as_slice(), &unb64(&x)].concat())),
            ),
            malformed_member("x"),
        ),
        (
            with(&ec_public(), "y", json!(b64(&[7; 48]))),
            malformed_member("y"),
        ),
        (with(&ec_public(), "x", json!(format!("{x}="))), base64("x")),
        (
            with(&ec_public(), "x", json!(x.replacen('K', "+", 1))),
            base64("x"),
        ),
        (with(&ec_public(), "x", json!(format!(" {x}"))), base64("x")),
        (
            with(&ec_private(), "d", json!(b64(&[7; 31]))),
            malformed_member("d"),
        ),
        (with(&ec_private(), "d", json!(7)), malformed_member("d")),
        (
            with(
                &ec_private(),
                "d",
                json!("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAF"),
            ),
            base64("d"),
        ),
        // members of another key type
        (
            with(&ec_public(), "n", json!("AQAB")),
            malformed_member("n"),
        ),
        (
            with(&ec_public(), "k", json!("AQAB")),
            malformed_member("k"),
        ),
        (
            with(&okp_private(), "y", json!("AQAB")),
            malformed_member("y"),
        ),
        (
            with(&oct(&[1; 32]), "x", json!("AQAB")),
            malformed_member("x"),
        ),
        (
            with(&rsa_public(), "crv", json!("P-256")),
            malformed_member("crv"),
        ),
        (
            with(&rsa_public(), "k", json!("AQAB")),
            malformed_member("k"),
        ),
        // RSA: minimal n and e (a leading zero byte is rejected), CRT all or none, no oth
        (
            with(&rsa_public(), "n", json!(b64(&n_with_zero))),
            malformed_member("n"),
        ),
        (
            with(&rsa_public(), "e", json!("AAEAAQ")),
            malformed_member("e"),
        ),
        (with(&rsa_public(), "e", json!("")), malformed_member("e")),
        (
            with(&rsa_public(), "e", json!(65537)),
            malformed_member("e"),
        ),
        (with(&rsa_public(), "n", Value::Null), missing("n")),
        (with(&rsa_public(), "e", Value::Null), missing("e")),
        (with(&rsa_private(), "q", Value::Null), missing("q")),
        (with(&rsa_private(), "qi", Value::Null), missing("qi")),
        (with(&rsa_private(), "d", Value::Null), missing("d")),
        (
            with(&rsa_private(), "dp", json!("")),
            malformed_member("dp"),
        ),
        (
            with(
                &rsa_private(),
                "oth",
                json!([{"r": "AQ", "d": "AQ", "t": "AQ"}]),
            ),
            Err(Unsupported::RsaKeyShape.into()),
        ),
        (
            with(&rsa_public(), "oth", json!([])),
            Err(Unsupported::RsaKeyShape.into()),
        ),
        // OKP
        (
            with(&okp_private(), "crv", json!("Ed25519 ")),
            Err(Unsupported::UnknownCurve.into()),
        ),
        (
            with(&okp_private(), "crv", json!("Ed448")),
            malformed_member("x"),
        ),
        (
            with(&okp_private(), "x", json!(b64(&[9; 31]))),
            malformed_member("x"),
        ),
        (
            with(&okp_private(), "d", json!(b64(&[9; 33]))),
            malformed_member("d"),
        ),
        // oct
        (json!({"kty": "oct"}), missing("k")),
        (json!({"kty": "oct", "k": 5}), malformed_member("k")),
        (json!({"kty": "oct", "k": "AQ=="}), base64("k")),
        (json!({"kty": "oct", "k": ""}), Ok(())),
    ];
    for (input, expected) in table {
        assert_eq!(parse(&input).map(|_| ()), expected, "{input}");
    }
}

#[test]
fn json_rules() {
    let json_error = |problem| {
        Err(Error::Malformed(Malformed::Json {
            part: "jwk",
            problem,
        }))
    };
    assert_eq!(
        Jwk::from_json(b"[]").map(|_| ()),
        json_error(JsonProblem::NotObject)
    );
    assert_eq!(
        Jwk::from_json(br#"{"kty":"oct","k":"AQAB","k":"AQAB"}"#).map(|_| ()),
        json_error(JsonProblem::DuplicateMember)
    );
    assert_eq!(
        Jwk::from_json(br#"{"kty":"oct","k":"AQAB","x-a":{"b":1,"b":2}}"#).map(|_| ()),
        json_error(JsonProblem::DuplicateMember)
    );
    assert_eq!(
        Jwk::from_json(br#"{"kty":"oct","k":"AQAB"} {}"#).map(|_| ()),
        json_error(JsonProblem::TrailingCharacters)
    );
    for null in [
        br#"{"kty":"oct","k":"AQAB","kid":null}"#.as_slice(),
        br#"{"kty":null,"k":"AQAB"}"#,
    ] {
        assert!(matches!(
            Jwk::from_json(null),
            Err(Error::Malformed(Malformed::InvalidMember(_)))
        ));
    }
    let big = vec![b' '; (1 << 20) + 1];
    assert_eq!(
        Jwk::from_json(&big).map(|_| ()),
        Err(Error::TooLarge {
            what: "JWK",
            limit: 1 << 20
        })
    );
}

#[test]
fn unknown_members_are_kept_and_written_back() {
    let input = with(&ec_public(), "x-tenant", json!({"id": [1, 2, "three"]}));
    let key = parse(&input).unwrap();
    assert_eq!(key.member_names().collect::<Vec<_>>(), ["x-tenant"]);
    assert_eq!(
        key.member::<Value>("x-tenant"),
        Some(Ok(json!({"id": [1, 2, "three"]})))
    );
    assert_eq!(
        key.member::<String>("x-tenant"),
        Some(Err(Error::Malformed(Malformed::InvalidMember(
            "jwk member"
        ))))
    );
    assert_eq!(key.member::<Value>("absent"), None);
    let again = Jwk::from_json(key.to_json().unwrap().as_bytes()).unwrap();
    assert_eq!(again, key);
    let written: Value = serde_json::from_str(&key.to_json().unwrap()).unwrap();
    assert_eq!(written, input);
    // serde: Serialize writes the public members, Deserialize applies the rules.
    assert_eq!(serde_json::to_value(&key).unwrap(), input);
    let read: Jwk = serde_json::from_value(input).unwrap();
    assert_eq!(read, key);
    assert!(serde_json::from_value::<Jwk>(json!({"kty": "oct", "k": 1})).is_err());
    assert!(serde_json::to_string(&jwk(&oct(&[1; 32]))).is_err());
}

#[test]
fn debug_never_shows_key_material() {
    let private = jwk(&with(&rsa_private(), "kid", json!("debug-kid")));
    let text = format!("{private:?}");
    assert_eq!(
        text,
        r#"Jwk { kty: "RSA", crv: None, kid: Some("debug-kid"), alg: None, use: Some("sig"), key_ops: None, private: true, .. }"#
    );
    for (name, value) in rsa_private().as_object().unwrap() {
        if ["n", "e", "d", "p", "q", "dp", "dq", "qi"].contains(&name.as_str()) {
            let value = value.as_str().unwrap();
            assert!(!text.contains(&value[..value.len().min(8)]), "{name}");
        }
    }
    let mac = jwk(&oct(b"a very secret HMAC key, 32 bytes"));
    assert!(!format!("{mac:?}").contains("secret"));
    assert!(format!("{mac:?}").contains("private: true"));
}

#[test]
fn private_and_public_parts_must_match() {
    // EC: the A.2 private scalar with another P-256 point (RFC 7515 A.3's).
    let other = &vectors("rfc7515")["A.3"]["jwk"];
    let mut ec = ec_private();
    ec["x"] = other["x"].clone();
    ec["y"] = other["y"].clone();
    let ec = jwk(&ec);
    assert_eq!(
        ec.signing_key(&jwa::ES256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Inconsistent))
    );
    assert!(ec.verifying_key(&jwa::ES256).is_ok());
    // OKP: the RFC 8037 seed with another public key.
    let generated =
        Jwk::from_verifying_key(&SigningKey::generate(&jwa::EdDSA).unwrap().verifying_key());
    let generated: Value = serde_json::from_str(&generated.to_json().unwrap()).unwrap();
    let okp = jwk(&with(&okp_private(), "x", generated["x"].clone()));
    assert_eq!(
        okp.signing_key(&jwa::EdDSA).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Inconsistent))
    );
    // RSA: the RFC 7520 private parts with the RFC 7517 A.1 modulus.
    let a1_n = vectors("rfc7517")["A.1"]["jwk_set"]["keys"][1]["n"].clone();
    let rsa = jwk(&with(&rsa_private(), "n", a1_n));
    assert_eq!(
        rsa.signing_key(&jwa::RS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Inconsistent))
    );
    // RSA: one CRT parameter changed (ring checks p, q, qi; the binding's test signature
    // catches dp and dq).
    for name in ["p", "q", "dp", "dq", "qi"] {
        let value = rsa_private()[name].as_str().unwrap().to_string();
        let rsa = jwk(&with(&rsa_private(), name, json!(flip(&value))));
        assert_eq!(
            rsa.signing_key(&jwa::RS256).map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::Inconsistent)),
            "{name}"
        );
    }
    // The untouched keys sign.
    assert!(jwk(&ec_private()).signing_key(&jwa::ES256).is_ok());
    assert!(jwk(&okp_private()).signing_key(&jwa::EdDSA).is_ok());
    assert!(jwk(&rsa_private()).signing_key(&jwa::RS256).is_ok());
}

#[test]
fn points_must_be_on_the_curve() {
    let y = ec_public()["y"].as_str().unwrap().to_string();
    let off = jwk(&with(&ec_public(), "y", json!(flip(&y))));
    assert_eq!(
        off.verifying_key(&jwa::ES256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::InvalidComponent("point")))
    );
    let zero = jwk(&with(
        &with(&ec_public(), "x", json!(b64(&[0; 32]))),
        "y",
        json!(b64(&[0; 32])),
    ));
    assert!(matches!(
        zero.verifying_key(&jwa::ES256),
        Err(Error::KeyRejected(_))
    ));
    // A P-384 key with P-256 coordinates never parses; a real one binds to ES384 only.
    let p384 = Jwk::from_verifying_key(&SigningKey::generate(&jwa::ES384).unwrap().verifying_key());
    assert_eq!(p384.crv(), Some("P-384"));
    assert!(p384.verifying_key(&jwa::ES384).is_ok());
    let p384: Value = serde_json::from_str(&p384.to_json().unwrap()).unwrap();
    let p384 = jwk(&with(&p384, "alg", Value::Null));
    assert_eq!(
        p384.verifying_key(&jwa::ES256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "ES256"
        }))
    );
}

#[test]
fn use_and_key_ops_gate_binding() {
    let usage = Err(Error::KeyRejected(KeyRejected::Usage));
    let enc = jwk(&with(&ec_private(), "use", json!("enc")));
    assert_eq!(enc.verifying_key(&jwa::ES256).map(|_| ()), usage);
    assert_eq!(enc.signing_key(&jwa::ES256).map(|_| ()), usage);
    let other_use = jwk(&with(&ec_private(), "use", json!("other")));
    assert_eq!(other_use.verifying_key(&jwa::ES256).map(|_| ()), usage);
    let sign_only = jwk(&with(&ec_private(), "key_ops", json!(["sign"])));
    assert_eq!(sign_only.verifying_key(&jwa::ES256).map(|_| ()), usage);
    assert!(sign_only.signing_key(&jwa::ES256).is_ok());
    let verify_only = jwk(&with(&ec_private(), "key_ops", json!(["verify"])));
    assert!(verify_only.verifying_key(&jwa::ES256).is_ok());
    assert_eq!(verify_only.signing_key(&jwa::ES256).map(|_| ()), usage);
    let none = jwk(&with(&ec_private(), "key_ops", json!([])));
    assert_eq!(none.verifying_key(&jwa::ES256).map(|_| ()), usage);
    // An HmacKey signs and verifies: key_ops must allow both.
    let mac = oct(&[3; 32]);
    assert!(jwk(&mac).hmac_key(&jwa::HS256).is_ok());
    assert!(
        jwk(&with(&mac, "key_ops", json!(["sign", "verify"])))
            .hmac_key(&jwa::HS256)
            .is_ok()
    );
    assert_eq!(
        jwk(&with(&mac, "key_ops", json!(["verify"])))
            .hmac_key(&jwa::HS256)
            .map(|_| ()),
        usage
    );
    assert_eq!(
        jwk(&with(&mac, "use", json!("enc")))
            .hmac_key(&jwa::HS256)
            .map(|_| ()),
        usage
    );
    // ... but a key ring, which only verifies, takes a verify-only HMAC key.
    let verify_only = with(&with(&mac, "key_ops", json!(["verify"])), "kid", json!("m"));
    let ring = JwkSet::from_json(json!({"keys": [verify_only]}).to_string().as_bytes())
        .unwrap()
        .hmac_key_ring(&[&jwa::HS256]);
    assert_eq!(ring.len(), 1);
    // Too short for HS256: rejected when bound, reported by the ring.
    assert_eq!(
        jwk(&oct(&[3; 31])).hmac_key(&jwa::HS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::HmacTooShort { min: 32 }))
    );
}

#[test]
fn wrong_key_types_and_unsupported_curves() {
    let wrong = |alg: &'static jwa::Algorithm| {
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: alg.name(),
        }))
    };
    assert_eq!(
        jwk(&oct(&[3; 64])).verifying_key(&jwa::HS256).map(|_| ()),
        wrong(&jwa::HS256)
    );
    assert_eq!(
        jwk(&oct(&[3; 64])).signing_key(&jwa::RS256).map(|_| ()),
        wrong(&jwa::RS256)
    );
    assert_eq!(
        jwk(&rsa_public()).hmac_key(&jwa::HS256).map(|_| ()),
        wrong(&jwa::HS256)
    );
    assert_eq!(
        jwk(&rsa_public()).verifying_key(&jwa::EdDSA).map(|_| ()),
        wrong(&jwa::EdDSA)
    );
    assert_eq!(
        jwk(&okp_private()).verifying_key(&jwa::ES256).map(|_| ()),
        wrong(&jwa::ES256)
    );
    assert_eq!(
        jwk(&ec_public()).verifying_key(&jwa::EdDSA).map(|_| ()),
        wrong(&jwa::EdDSA)
    );
    let unsupported = |crv: &'static str| Err(Error::Unsupported(Unsupported::Curve(crv)));
    let k1 = json!({"kty": "EC", "crv": "secp256k1", "x": b64(&[1; 32]), "y": b64(&[2; 32])});
    assert_eq!(
        parse(&k1).unwrap().verifying_key(&jwa::ES256).map(|_| ()),
        unsupported("secp256k1")
    );
    let ed448 = json!({"kty": "OKP", "crv": "Ed448", "x": b64(&[1; 57])});
    assert_eq!(
        parse(&ed448)
            .unwrap()
            .verifying_key(&jwa::EdDSA)
            .map(|_| ()),
        unsupported("Ed448")
    );
    let x448 = json!({"kty": "OKP", "crv": "X448", "x": b64(&[1; 56]), "d": b64(&[2; 56])});
    assert_eq!(
        parse(&x448).unwrap().signing_key(&jwa::EdDSA).map(|_| ()),
        unsupported("X448")
    );
    // with_alg checks the fit too.
    assert_eq!(
        jwk(&rsa_public()).with_alg(&jwa::ES256).map(|_| ()),
        wrong(&jwa::ES256)
    );
    let pinned = jwk(&rsa_public()).with_alg(&jwa::PS512).unwrap();
    assert_eq!(pinned.alg(), Some("PS512"));
    assert_eq!(
        pinned.verifying_key(&jwa::RS256).map(|_| ()),
        wrong(&jwa::RS256)
    );
    // RSA size: the 2048-bit minimum is counted exactly.
    let small = json!({"kty": "RSA", "n": b64(&[0xff; 255]), "e": "AQAB"});
    assert_eq!(
        parse(&small)
            .unwrap()
            .verifying_key(&jwa::RS256)
            .map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::RsaModulusSize {
            bits: 2040
        }))
    );
}

#[test]
fn keys_convert_to_jwks_and_back() {
    for alg in [&jwa::ES256, &jwa::ES384, &jwa::EdDSA] {
        let key = SigningKey::generate(alg).unwrap().with_kid("gen");
        let private = Jwk::from_signing_key(&key).unwrap();
        assert_eq!(
            (private.alg(), private.kid(), private.is_private()),
            (Some(alg.name()), Some("gen"), true)
        );
        let again = private.signing_key(alg).unwrap();
        assert_eq!(again.to_pkcs8_der().expose(), key.to_pkcs8_der().expose());
        let public = Jwk::from_verifying_key(&key.verifying_key());
        assert_eq!(public, private.to_public().unwrap());
        assert_eq!(
            public.verifying_key(alg).unwrap().to_spki_der(),
            key.verifying_key().to_spki_der()
        );
        let token = jws::sign(b"round", &jws::Header::new(), &again).unwrap();
        assert_eq!(
            jws::verify(&token, &public.verifying_key(alg).unwrap())
                .unwrap()
                .payload(),
            b"round"
        );
    }
    let rsa = jwk(&rsa_private()).signing_key(&jwa::PS256).unwrap();
    let back = Jwk::from_signing_key(&rsa).unwrap();
    assert_eq!(
        back.signing_key(&jwa::PS256)
            .unwrap()
            .to_pkcs8_der()
            .expose(),
        rsa.to_pkcs8_der().expose()
    );
    let rsa_public_key = jwk(&rsa_public()).verifying_key(&jwa::RS512).unwrap();
    assert_eq!(
        Jwk::from(&rsa_public_key).thumbprint(),
        jwk(&rsa_public()).thumbprint()
    );
    let mac = HmacKey::new(&jwa::HS384, &[5; 48]).unwrap().with_kid("mac");
    let back = Jwk::from_hmac_key(&mac);
    assert_eq!(
        (back.kty(), back.alg(), back.kid()),
        ("oct", Some("HS384"), Some("mac"))
    );
    assert_eq!(
        back.to_json(),
        Err(Error::KeyRejected(KeyRejected::Symmetric))
    );
    let parsed = Jwk::from_json(back.to_private_json().expose()).unwrap();
    assert_eq!(parsed, back);
    let token = jws::sign(b"mac", &jws::Header::new(), &mac).unwrap();
    assert!(jws::verify(&token, &parsed.hmac_key(&jwa::HS384).unwrap()).is_ok());
    assert_eq!(
        std::str::from_utf8(back.to_private_json().expose()).unwrap(),
        format!(
            r#"{{"kty":"oct","kid":"mac","alg":"HS384","k":"{}"}}"#,
            b64(&[5; 48])
        )
    );
}

// ---------------------------------------------------------------------------------------------
// JWK Sets
// ---------------------------------------------------------------------------------------------

fn set_of(keys: Vec<Value>) -> JwkSet {
    JwkSet::from_json(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

#[test]
fn sets_skip_what_they_cannot_read() {
    let set = set_of(vec![
        json!({"kty": "XYZ", "kid": "future"}),
        ec_public(),
        json!("not an object"),
        json!({"kty": "EC", "crv": "P-256", "x": 1, "y": 2, "kid": 5}),
        json!({"kty": "EC", "crv": "brainpoolP256r1", "x": "AA", "y": "AA", "kid": "bp"}),
        rsa_public(),
    ]);
    assert_eq!(set.keys().len(), 2);
    let skipped: Vec<(usize, Option<&str>, &Error)> = set
        .skipped()
        .iter()
        .map(|s| (s.index(), s.kid(), s.error()))
        .collect();
    let not_object = Error::Malformed(Malformed::Json {
        part: "jwk",
        problem: JsonProblem::NotObject,
    });
    assert_eq!(
        skipped,
        [
            (0, Some("future"), &Error::Unsupported(Unsupported::KeyType)),
            (2, None, &not_object),
            (3, None, &Error::Malformed(Malformed::InvalidMember("kid"))),
            (
                4,
                Some("bp"),
                &Error::Unsupported(Unsupported::UnknownCurve)
            ),
        ]
    );
    // Publishing writes the keys it holds, public members only.
    let private = set_of(vec![rsa_private(), ec_private()]);
    let published = JwkSet::from_json(private.to_json().unwrap().as_bytes()).unwrap();
    assert_eq!(published.keys().len(), 2);
    assert!(published.keys().iter().all(|k| !k.is_private()));
    let built: JwkSet = private
        .keys()
        .iter()
        .map(|k| k.to_public().unwrap())
        .collect();
    assert_eq!(built, published);
}

#[test]
fn set_structure_and_limits() {
    let err = |bytes: &[u8]| JwkSet::from_json(bytes).map(|_| ());
    assert_eq!(err(b"{}"), missing("keys"));
    assert_eq!(err(br#"{"keys":{}}"#), malformed_member("keys"));
    assert_eq!(err(br#"{"keys":"x"}"#), malformed_member("keys"));
    assert_eq!(
        err(b"[]"),
        Err(Error::Malformed(Malformed::Json {
            part: "jwk set",
            problem: JsonProblem::NotObject
        }))
    );
    assert_eq!(
        err(br#"{"keys":[{"kty":"oct","k":"AQAB","k":"AQAB"}]}"#),
        Err(Error::Malformed(Malformed::Json {
            part: "jwk set",
            problem: JsonProblem::DuplicateMember
        }))
    );
    assert_eq!(
        JwkSet::from_json(br#"{"keys":[],"x-extra":1}"#).unwrap(),
        JwkSet::new()
    );
    // 10 MiB: rejected before any parsing.
    let mut huge = br#"{"keys":["#.to_vec();
    huge.resize(10 << 20, b' ');
    huge.extend_from_slice(b"]}");
    assert_eq!(
        err(&huge),
        Err(Error::TooLarge {
            what: "JWK Set",
            limit: 1 << 20
        })
    );
    // 10,000 tiny keys: over the 1,000-key limit (under 1 MiB, so the count is what stops it).
    let tiny: Vec<String> = (0..10_000)
        .map(|_| r#"{"kty":"oct","k":"AA"}"#.to_string())
        .collect();
    let many = format!(r#"{{"keys":[{}]}}"#, tiny.join(","));
    assert!(many.len() < 1 << 20);
    assert_eq!(
        err(many.as_bytes()),
        Err(Error::TooLarge {
            what: "JWK Set keys",
            limit: 1000
        })
    );
    // The limits are configurable both ways.
    let limits = Limits::default().with_jwks_keys(10_000);
    assert_eq!(
        JwkSet::from_json_with_limits(many.as_bytes(), &limits)
            .unwrap()
            .keys()
            .len(),
        10_000
    );
    let limits = Limits::default().with_jwks_len(100);
    assert_eq!(
        JwkSet::from_json_with_limits(many.as_bytes(), &limits).map(|_| ()),
        Err(Error::TooLarge {
            what: "JWK Set",
            limit: 100
        })
    );
    // 1,000 keys are fine, and bind quickly.
    let keys: Vec<Value> = (0..1000)
        .map(|i| with(&oct(&[7; 32]), "kid", json!(format!("k{i}"))))
        .collect();
    let set = set_of(keys);
    let ring = set.hmac_key_ring(&[&jwa::HS256]);
    assert_eq!(ring.len(), 1000);
    let token = jws::sign(
        b"k",
        &jws::Header::new().with_kid("k999"),
        &HmacKey::new(&jwa::HS256, &[7; 32]).unwrap(),
    )
    .unwrap();
    assert!(jws::verify(&token, &ring).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Key selection
// ---------------------------------------------------------------------------------------------

fn select(
    ring: &KeyRing,
    alg: &str,
    kid: Option<&str>,
) -> Result<(&'static str, Option<String>), Error> {
    ring.select(alg, kid)
        .map(|k| (k.algorithm().name(), k.kid().map(String::from)))
}

fn no_key(why: NoKey) -> Result<(&'static str, Option<String>), Error> {
    Err(Error::NoKey(why))
}

#[test]
fn selection_by_kid_and_alg() {
    let rsa = rsa_public(); // kid bilbo.baggins@hobbiton.example, no alg
    let es = with(&ec_public(), "kid", json!("ec"));
    let es_dup = with(
        &with(&ec_public(), "kid", json!("dup")),
        "x5u",
        json!("https://a"),
    );
    let ec384 =
        Jwk::from_verifying_key(&SigningKey::generate(&jwa::ES384).unwrap().verifying_key());
    let ec384: Value =
        serde_json::from_str(&ec384.with_kid("dup").unwrap().to_json().unwrap()).unwrap();
    let es_dup2 = with(&with(&ec_private(), "kid", json!("dup2")), "d", Value::Null);
    let other_p256 = with(
        &vectors("rfc7515")["A.3"]["jwk"].clone(),
        "kid",
        json!("dup2"),
    );
    let set = set_of(vec![rsa, es, es_dup, ec384, es_dup2, other_p256]);
    let ring = set.key_ring(&[&jwa::RS256, &jwa::PS256, &jwa::ES256, &jwa::ES384]);
    let bilbo = Some("bilbo.baggins@hobbiton.example");
    // One kid, two algorithms: the token's alg picks.
    assert_eq!(
        select(&ring, "RS256", bilbo),
        Ok(("RS256", bilbo.map(String::from)))
    );
    assert_eq!(
        select(&ring, "PS256", bilbo),
        Ok(("PS256", bilbo.map(String::from)))
    );
    assert_eq!(select(&ring, "RS512", bilbo), no_key(NoKey::Algorithm));
    assert_eq!(select(&ring, "ES256", bilbo), no_key(NoKey::Algorithm));
    assert_eq!(
        select(&ring, "RS256", Some("nobody")),
        no_key(NoKey::UnknownKid)
    );
    // kids compare exactly.
    assert_eq!(
        select(&ring, "ES256", Some("EC")),
        no_key(NoKey::UnknownKid)
    );
    // Same kid, different curves: fine.
    assert_eq!(
        select(&ring, "ES256", Some("dup")),
        Ok(("ES256", Some("dup".into())))
    );
    assert_eq!(
        select(&ring, "ES384", Some("dup")),
        Ok(("ES384", Some("dup".into())))
    );
    // Same kid, same algorithm, different keys: never chosen.
    assert_eq!(
        select(&ring, "ES256", Some("dup2")),
        no_key(NoKey::Ambiguous)
    );
    // No kid: only when exactly one key has the alg.
    assert_eq!(
        select(&ring, "RS256", None),
        Ok(("RS256", bilbo.map(String::from)))
    );
    assert_eq!(
        select(&ring, "ES384", None),
        Ok(("ES384", Some("dup".into())))
    );
    assert_eq!(select(&ring, "ES256", None), no_key(NoKey::Ambiguous));
    assert_eq!(select(&ring, "HS256", None), no_key(NoKey::Algorithm));
    // Empty ring.
    assert_eq!(
        select(&KeyRing::new(), "RS256", None),
        no_key(NoKey::Algorithm)
    );
    assert_eq!(
        select(&KeyRing::new(), "RS256", Some("a")),
        no_key(NoKey::UnknownKid)
    );
}

#[test]
fn a_ring_of_public_keys_never_holds_a_secret() {
    // An oct key next to an RSA key with the same kid: the classic confusion setup.
    let kid = "shared";
    let rsa = with(&rsa_private(), "kid", json!(kid));
    let mac = with(&oct(&[9; 32]), "kid", json!(kid));
    let set = set_of(vec![rsa.clone(), mac]);
    // Even asked for HS256, the ring of public keys leaves the secret out, and says why.
    let ring = set.key_ring(&[&jwa::RS256, &jwa::HS256]);
    assert_eq!(ring.len(), 1);
    let skipped: Vec<_> = ring
        .skipped()
        .iter()
        .map(|s| (s.index(), s.kid(), s.error().clone()))
        .collect();
    assert_eq!(
        skipped,
        [(1, Some(kid), Error::KeyRejected(KeyRejected::Symmetric))]
    );
    // The kid of the secret left out is ambiguous for the algorithms a secret serves; an RS256
    // token cannot have been meant for it.
    assert_eq!(select(&ring, "HS256", Some(kid)), no_key(NoKey::Ambiguous));
    assert_eq!(
        select(&ring, "RS256", Some(kid)),
        Ok(("RS256", Some(kid.into())))
    );
    // Without a kid the secret is not there to be chosen: HS256 finds nothing.
    assert_eq!(select(&ring, "HS256", None), no_key(NoKey::Algorithm));
    assert_eq!(
        select(&ring, "RS256", None),
        Ok(("RS256", Some(kid.into())))
    );
    // Through jws::verify: the RS256 token verifies, an HS256 token with the kid is refused.
    let signer = jwk(&rsa).signing_key(&jwa::RS256).unwrap();
    let token = jws::sign(b"x", &jws::Header::new(), &signer).unwrap();
    assert_eq!(jws::verify(&token, &ring).unwrap().payload(), b"x");
    let mac_key = HmacKey::new(&jwa::HS256, &[9; 32]).unwrap().with_kid(kid);
    let token = jws::sign(b"x", &jws::Header::new(), &mac_key).unwrap();
    assert_eq!(
        jws::verify(&token, &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Ambiguous))
    );
    // Without its kid, the HS256 token finds no key: the secret never verifies anything here.
    let bare = HmacKey::new(&jwa::HS256, &[9; 32]).unwrap();
    let token = jws::sign(b"x", &jws::Header::new(), &bare).unwrap();
    assert_eq!(
        jws::verify(&token, &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );
    // A verifier that uses HMAC keys builds a ring of HMAC keys: the secret, and nothing else.
    let secrets = set.hmac_key_ring(&[&jwa::RS256, &jwa::HS256]);
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets.skipped(), []);
    let token = jws::sign(b"x", &jws::Header::new(), &mac_key).unwrap();
    assert_eq!(jws::verify(&token, &secrets).unwrap().payload(), b"x");
    let token = jws::sign(b"x", &jws::Header::new(), &signer).unwrap();
    assert_eq!(
        jws::verify(&token, &secrets).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );
}

#[test]
fn a_kid_whose_member_was_skipped_is_ambiguous() {
    // Two entries share a kid; one is unusable. A token naming the kid may have been meant
    // for the one left out: it is refused, not verified with the twin.
    let signer = SigningKey::generate(&jwa::EdDSA).unwrap().with_kid("twin");
    let good = serde_json::to_value(Jwk::from_verifying_key(&signer.verifying_key())).unwrap();
    let token = jws::sign(b"x", &jws::Header::new(), &signer).unwrap();
    let okp = |x: &str| json!({"kty":"OKP","crv":"Ed25519","kid":"twin","x":x});
    let cases: [(&str, Value); 5] = [
        // Not canonical base64url (trailing bits set): skipped when the set is read.
        (
            "non-canonical x",
            okp("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp"),
        ),
        // Read, but not for signatures: skipped when the ring is built.
        ("use enc", with(&good, "use", json!("enc"))),
        // Read, but a curve ring lacks (EdDSA names Ed448 too).
        (
            "Ed448",
            json!({"kty":"OKP","crv":"Ed448","kid":"twin","x":"X9dEm1m0Yf0s54fsYWrUah2hNCSFpw4fig6nXYDpZ3jt8SR2m0bHBhvWeD3x5Q9s0foavq_oJWGA"}),
        ),
        // Read, but a weak key: the identity point.
        (
            "small-order x",
            okp("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ),
        // No kty at all: it might have been anything.
        ("no kty", json!({"kid":"twin","x":"AQAB"})),
    ];
    for (what, twin) in cases {
        let set = set_of(vec![twin, good.clone()]);
        let ring = set.key_ring(&[&jwa::EdDSA]);
        assert_eq!(ring.len(), 1, "{what}");
        let reasons = set.skipped().len() + ring.skipped().len();
        assert_eq!(reasons, 1, "{what}: skipped() says why");
        assert_eq!(
            jws::verify(&token, &ring).map(|_| ()),
            Err(Error::NoKey(NoKey::Ambiguous)),
            "{what}"
        );
    }
    // The control: the good key alone verifies the same token; so it does beside an unusable
    // member that could never have verified an EdDSA token (an RSA key, a key with another alg).
    let rsa_twin = json!({"kty":"RSA","kid":"twin","n":"AQAB","e":"AQAB"});
    let other_alg = with(&with(&good, "use", json!("enc")), "alg", json!("ES256"));
    for others in [vec![], vec![rsa_twin], vec![other_alg]] {
        let mut keys = others;
        keys.push(good.clone());
        let set = set_of(keys);
        let ring = set.key_ring(&[&jwa::EdDSA]);
        assert_eq!(jws::verify(&token, &ring).unwrap().payload(), b"x");
    }
    // Twin secrets in a ring of HMAC keys, one with a non-canonical `k` (the last symbol's
    // trailing bits set): the token naming them is refused.
    let secret = HmacKey::new(&jwa::HS256, &[7; 32]).unwrap().with_kid("mac");
    let good: Value =
        serde_json::from_slice(Jwk::from_hmac_key(&secret).to_private_json().expose()).unwrap();
    let bad_k = format!("{}B", &good["k"].as_str().unwrap()[..42]);
    let twin = with(&good, "k", json!(bad_k));
    let token = jws::sign(b"x", &jws::Header::new(), &secret).unwrap();
    let set = set_of(vec![twin, good.clone()]);
    assert_eq!(set.skipped().len(), 1);
    let ring = set.hmac_key_ring(&[&jwa::HS256]);
    assert_eq!(
        jws::verify(&token, &ring).map(|_| ()),
        Err(Error::NoKey(NoKey::Ambiguous))
    );
    let alone = set_of(vec![good]).hmac_key_ring(&[&jwa::HS256]);
    assert_eq!(jws::verify(&token, &alone).unwrap().payload(), b"x");
}

#[test]
fn rings_skip_unusable_keys() {
    let set = set_of(vec![
        with(&ec_public(), "use", json!("enc")),
        with(&ec_public(), "key_ops", json!(["encrypt"])),
        with(&ec_public(), "alg", json!("ES512")),
        with(&ec_public(), "alg", json!("none")),
        with(&ec_public(), "alg", json!("ECDH-ES")),
        vectors("rfc7520_keys")["keys"]["3.1"]["jwk"].clone(),
        json!({"kty": "RSA", "n": b64(&[0xff; 128]), "e": "AQAB", "kid": "small"}),
        with(
            &ec_public(),
            "y",
            json!(flip(ec_public()["y"].as_str().unwrap())),
        ),
        oct(&[1; 16]),
        okp_private(),
    ]);
    assert_eq!(set.skipped(), []);
    let ring = set.key_ring(&[&jwa::RS256, &jwa::ES256, &jwa::HS256]);
    // The Ed25519 key fits none of the algorithms: left out silently.
    assert!(ring.is_empty());
    let skipped: Vec<(usize, &Error)> = ring
        .skipped()
        .iter()
        .map(|s| (s.index(), s.error()))
        .collect();
    assert_eq!(
        skipped,
        [
            (0, &Error::KeyRejected(KeyRejected::Usage)),
            (1, &Error::KeyRejected(KeyRejected::Usage)),
            (2, &Error::Unsupported(Unsupported::Algorithm("ES512"))),
            (3, &Error::Unsupported(Unsupported::None)),
            (4, &Error::Unsupported(Unsupported::UnknownAlgorithm)),
            (5, &Error::Unsupported(Unsupported::Curve("P-521"))),
            (
                6,
                &Error::KeyRejected(KeyRejected::RsaModulusSize { bits: 1024 })
            ),
            (
                7,
                &Error::KeyRejected(KeyRejected::InvalidComponent("point"))
            ),
            // A ring of public keys never holds a secret, whatever `algs` says.
            (8, &Error::KeyRejected(KeyRejected::Symmetric)),
        ]
    );
    assert_eq!(ring.skipped()[6].kid(), Some("small"));
    // The ring of HMAC keys reads the secret, and finds it too short.
    let secrets = set.hmac_key_ring(&[&jwa::HS256]);
    let skipped: Vec<(usize, &Error)> = secrets
        .skipped()
        .iter()
        .map(|s| (s.index(), s.error()))
        .collect();
    assert_eq!(
        skipped.last(),
        Some(&(
            8,
            &Error::KeyRejected(KeyRejected::HmacTooShort { min: 32 })
        ))
    );
}

#[test]
fn a_single_key_and_a_ring_verify_through_the_same_function() {
    let signer = jwk(&rsa_private()).signing_key(&jwa::RS256).unwrap();
    let token = jws::sign(b"one verify", &jws::Header::new(), &signer).unwrap();
    let single = jwk(&rsa_public()).verifying_key(&jwa::RS256).unwrap();
    let ring = set_of(vec![rsa_public()]).key_ring(&[&jwa::RS256]);
    let manual = KeyRing::new().with_verifying_key(single.clone());
    fn check<K: KeySource + ?Sized>(token: &str, keys: &K) {
        assert_eq!(jws::verify(token, keys).unwrap().payload(), b"one verify");
        assert_eq!(
            jws::verify(&tamper(token, 2).unwrap(), keys).map(|_| ()),
            Err(Error::InvalidSignature)
        );
    }
    check(&token, &single);
    check(&token, &ring);
    check(&token, &manual);
    check(&token, &ring as &dyn KeySource);
    // A ring of HMAC keys holds no public key: under the same kid, the RS256 token finds no
    // key in it. (A ring of both kinds does not compile: see the `KeyRing` docs.)
    let mac = HmacKey::new(&jwa::HS256, &[4; 32])
        .unwrap()
        .with_kid("bilbo.baggins@hobbiton.example");
    let secrets = KeyRing::new_hmac().with_hmac_key(mac);
    assert_eq!(
        jws::verify(&token, &secrets).map(|_| ()),
        Err(Error::NoKey(NoKey::Algorithm))
    );
    // A token whose kid is not a string is malformed, not "no kid".
    let header = r#"{"alg":"RS256","kid":7}"#;
    let bad = format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(b"x"),
        b64(&[0; 256])
    );
    assert_eq!(
        jws::verify(&bad, &ring).map(|_| ()),
        Err(Error::Malformed(Malformed::InvalidMember("kid")))
    );
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Any JSON value, small and nested.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[A-Za-z0-9_-]{0,12}".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const NAMES: [&str; 20] = [
    "kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k", "kid", "alg", "use",
    "key_ops", "x5c", "x5t", "oth",
];

/// A JSON object with JWK member names and arbitrary values, plausible values often.
fn jwk_shaped() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        any_json(),
        prop::sample::select(vec![
            "oct", "RSA", "EC", "OKP", "P-256", "P-384", "Ed25519", "sig", "enc", "AQAB", "RS256"
        ])
        .prop_map(|s| json!(s)),
        prop::collection::vec(any::<u8>(), 0..70).prop_map(|b| json!(b64(&b))),
    ];
    prop::collection::btree_map(prop::sample::select(NAMES.to_vec()), value, 0..8)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parsing_arbitrary_json_never_panics(value in any_json(), shaped in jwk_shaped(), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        for input in [&value, &shaped] {
            let text = input.to_string();
            if let Ok(jwk) = Jwk::from_json(text.as_bytes()) {
                let _ = (jwk.thumbprint(), jwk.to_json(), jwk.to_private_json(), format!("{jwk:?}"));
                for alg in jwa::ALL {
                    let _ = (jwk.verifying_key(alg).is_ok(), jwk.hmac_key(alg).is_ok());
                }
            }
            let set = format!(r#"{{"keys":[{text},{text}]}}"#);
            if let Ok(set) = JwkSet::from_json(set.as_bytes()) {
                let ring = set.key_ring(&jwa::ALL);
                let _ = ring.select("ES256", None).is_ok();
            }
        }
        let _ = Jwk::from_json(&raw);
        let _ = JwkSet::from_json(&raw);
    }

    #[test]
    fn emitted_oct_keys_parse_back_equal(secret in prop::collection::vec(any::<u8>(), 0..80), kid in "[ -~]{0,20}", with_kid in any::<bool>()) {
        let mut key = jwk(&oct(&secret));
        if with_kid {
            key = key.with_kid(kid).unwrap();
        }
        let again = Jwk::from_json(key.to_private_json().expose()).unwrap();
        prop_assert_eq!(&again, &key);
        prop_assert_eq!(again.thumbprint(), key.thumbprint());
    }

    #[test]
    fn emitted_asymmetric_keys_parse_back_equal(which in 0usize..3, kid in "\\PC{0,12}", x5t in prop::collection::vec(any::<u8>(), 20..=20)) {
        let alg = [&jwa::ES256, &jwa::ES384, &jwa::EdDSA][which];
        let key = SigningKey::generate(alg).unwrap().with_kid(kid);
        let private = Jwk::from_signing_key(&key).unwrap();
        let again = Jwk::from_json(private.to_private_json().expose()).unwrap();
        prop_assert_eq!(&again, &private);
        let public = Jwk::from_verifying_key(&key.verifying_key());
        let mut value: Value = serde_json::from_str(&public.to_json().unwrap()).unwrap();
        value["x5t"] = json!(b64(&x5t));
        let with_x5t = parse(&value).unwrap();
        prop_assert_eq!(Jwk::from_json(with_x5t.to_json().unwrap().as_bytes()).unwrap(), with_x5t);
    }
}

#[test]
fn emitted_rsa_keys_parse_back_equal() {
    for value in [
        rsa_private(),
        rsa_public(),
        vectors("rfc7517")["C"]["C.1"]["jwk"].clone(),
    ] {
        let key = jwk(&value);
        assert_eq!(Jwk::from_json(key.to_private_json().expose()).unwrap(), key);
        assert_eq!(
            Jwk::from_json(key.to_json().unwrap().as_bytes()).unwrap(),
            key.to_public().unwrap()
        );
    }
}
