//! The unverified inspection API (`jose_ring::dangerous`), `jws::Unverified`'s segments and
//! `Jwk::from_pem`: what a peek shows, that it decodes as strictly as verification, and that a
//! token that peeks fine is still never accepted unless it verifies.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::jwk::Jwk;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{
    Error, HmacKey, JsonProblem, KeyRejected, Limits, Malformed, SigningKey, Unsupported,
    VerifyingKey, dangerous, jwa, jws,
};
use serde_json::{Value, json};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../test-vectors/keys/", $name)).as_slice()
    };
}

const NOW: i64 = 1_700_000_000;

fn key() -> HmacKey {
    HmacKey::new(&jwa::HS256, &[7; 32]).unwrap().with_kid("k1")
}

/// `{"alg":"HS256"}`-style segments by hand.
fn b64(bytes: &[u8]) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(bytes)
}

#[test]
fn peek_shows_header_claims_and_signature_unverified() {
    let claims = json!({"iss": "https://a.example", "sub": "ada", "exp": NOW + 60});
    let token = jwt::encode(&claims, &key()).unwrap();
    let peek = dangerous::peek(&token).unwrap();
    assert_eq!(peek.alg(), "HS256");
    assert_eq!(peek.kid(), Some("k1"));
    assert_eq!(peek.typ(), Some("JWT"));
    assert_eq!(peek.header().kid(), Some("k1"));
    assert_eq!(
        peek.header_json(),
        br#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#
    );
    assert_eq!(peek.iss().unwrap().as_deref(), Some("https://a.example"));
    assert_eq!(peek.claims::<Value>().unwrap(), claims);
    assert_eq!(peek.payload(), serde_json::to_vec(&claims).unwrap());
    assert_eq!(peek.signature().len(), 32);
    assert_eq!(
        format!("{peek:?}"),
        r#"Peek { alg: "HS256", kid: Some("k1"), typ: Some("JWT"), .. }"#
    );
    // Routing done, the same parse verifies.
    let verified = peek.into_unverified().verify(&key()).unwrap();
    assert_eq!(verified.payload(), serde_json::to_vec(&claims).unwrap());
    // No iss: None.
    let token = jwt::encode(&json!({"sub": "ada"}), &key()).unwrap();
    assert_eq!(dangerous::peek(&token).unwrap().iss(), Ok(None));
}

#[test]
fn a_tampered_token_peeks_fine_but_never_verifies() {
    let claims = RegisteredClaims::new()
        .with_issuer("https://a.example")
        .with_lifetime(NumericDate::from_seconds(NOW), 60);
    let token = jwt::encode(&claims, &key()).unwrap();
    let (header, rest) = token.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let forged = b64(br#"{"iss":"https://evil.example","exp":1700000060}"#);
    let tampered = format!("{header}.{forged}.{signature}");
    let peek = dangerous::peek(&tampered).unwrap();
    assert_eq!(peek.iss().unwrap().as_deref(), Some("https://evil.example"));
    let rules = Validation::new(NumericDate::from_seconds(NOW));
    assert_eq!(
        jwt::decode::<Value, _>(&tampered, &key(), &rules).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        peek.into_unverified().verify(&key()).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // Unsigned: {"alg":"none"} peeks, and is never accepted.
    let unsigned = format!("{}.{forged}.", b64(br#"{"alg":"none"}"#));
    let peek = dangerous::peek(&unsigned).unwrap();
    assert_eq!((peek.alg(), peek.signature()), ("none", &b""[..]));
    assert_eq!(peek.iss().unwrap().as_deref(), Some("https://evil.example"));
    assert_eq!(
        jwt::decode::<Value, _>(&unsigned, &key(), &rules).map(|_| ()),
        Err(Error::Unsupported(Unsupported::None))
    );
}

#[test]
fn peek_decodes_as_strictly_as_verification() {
    let header = b64(br#"{"alg":"HS256"}"#);
    // "e30" is {}; "e31" has non-zero trailing bits.
    assert_eq!(
        dangerous::peek(&format!("{header}.e31.c2ln")).map(|_| ()),
        Err(Error::Malformed(Malformed::Base64("payload")))
    );
    assert_eq!(
        dangerous::peek(&format!("{header}.e30.c2l")).map(|_| ()),
        Err(Error::Malformed(Malformed::Base64("signature")))
    );
    assert_eq!(
        dangerous::peek("e30.e30").map(|_| ()),
        Err(Error::Malformed(Malformed::Segments))
    );
    assert_eq!(
        dangerous::peek(&format!("{header}.e30.c2l!")).map(|_| ()),
        Err(Error::Malformed(Malformed::Character))
    );
    let twice = b64(br#"{"alg":"HS256","alg":"none"}"#);
    assert_eq!(
        dangerous::peek(&format!("{twice}.e30.c2ln")).map(|_| ()),
        Err(Error::Malformed(Malformed::Json {
            part: "header",
            problem: JsonProblem::DuplicateMember
        }))
    );
    let token = format!("{header}.e30.c2ln");
    let limits = Limits::DEFAULT.with_token_len(10);
    assert_eq!(
        dangerous::peek_with_limits(&token, &limits).map(|_| ()),
        Err(Error::TooLarge {
            what: "token",
            limit: 10
        })
    );
    // The claims are read strictly too.
    let peek_claims = |claims: &[u8]| {
        let token = format!("{header}.{}.c2ln", b64(claims));
        dangerous::peek(&token).unwrap().claims::<Value>()
    };
    assert_eq!(
        peek_claims(br#"{"sub":"a","sub":"b"}"#),
        Err(Error::Malformed(Malformed::Json {
            part: "payload",
            problem: JsonProblem::DuplicateMember
        }))
    );
    assert_eq!(
        peek_claims(b"[1]"),
        Err(Error::Malformed(Malformed::Json {
            part: "payload",
            problem: JsonProblem::NotObject
        }))
    );
    let token = format!("{header}.{}.c2ln", b64(br#"{"iss":7}"#));
    assert!(matches!(
        dangerous::peek(&token).unwrap().iss(),
        Err(Error::Malformed(Malformed::Json {
            part: "payload",
            problem: JsonProblem::InvalidType {
                found: "integer",
                ..
            }
        }))
    ));
}

#[test]
fn peek_keeps_unencoded_and_detached_payloads_as_they_are() {
    let key = key();
    let header = jws::Header::new().with_unencoded_payload();
    let token = jws::sign(b"$02 text", &header, &key).unwrap();
    let peek = dangerous::peek(&token).unwrap();
    assert!(peek.header().is_unencoded());
    assert_eq!(peek.payload(), b"$02 text");
    let detached = jws::sign_detached(b"body", &jws::Header::new(), &key).unwrap();
    let peek = dangerous::peek(&detached).unwrap();
    assert_eq!(peek.payload(), b"");
    assert_eq!(peek.signature().len(), 32);
}

#[test]
fn unverified_segments_are_the_token_s() {
    let token = jws::sign(b"hi", &jws::Header::new(), &key()).unwrap();
    let unverified = jws::Unverified::parse(&token).unwrap();
    let (header, payload, signature) = unverified.segments();
    assert_eq!(format!("{header}.{payload}.{signature}"), token);
    assert_eq!(unverified.signing_input(), format!("{header}.{payload}"));
    assert_eq!(payload, "aGk");
}

#[test]
fn from_json_and_decode_base64url_are_the_strict_readers() {
    assert_eq!(
        dangerous::from_json::<Value>(br#"{"a":{"b":1}}"#),
        Ok(json!({"a": {"b": 1}}))
    );
    let error = |problem| {
        Err(Error::Malformed(Malformed::Json {
            part: "json",
            problem,
        }))
    };
    assert_eq!(
        dangerous::from_json::<Value>(br#"{"a":{"b":1,"b":2}}"#),
        error(JsonProblem::DuplicateMember)
    );
    assert_eq!(
        dangerous::from_json::<Value>(b"{} {}"),
        error(JsonProblem::TrailingCharacters)
    );
    assert_eq!(
        dangerous::from_json::<Value>(b"\"text\""),
        error(JsonProblem::NotObject)
    );
    let deep = format!("{}{}", "{\"a\":".repeat(128), "}".repeat(128));
    assert_eq!(
        dangerous::from_json::<Value>(deep.as_bytes()),
        error(JsonProblem::TooDeep)
    );
    assert_eq!(dangerous::decode_base64url("_wA"), Ok(vec![0xff, 0x00]));
    assert_eq!(dangerous::decode_base64url(""), Ok(vec![]));
    for bad in ["_wB", "AB==", "A", "a+b/", "e30 "] {
        assert_eq!(
            dangerous::decode_base64url(bad),
            Err(Error::Malformed(Malformed::Base64("segment"))),
            "{bad}"
        );
    }
}

/// A PEM fixture, the `kty`, `crv` and privacy of its JWK, and an algorithm it fits.
type Form = (
    &'static [u8],
    &'static str,
    Option<&'static str>,
    bool,
    &'static jwa::Algorithm,
);

#[test]
fn jwk_from_pem_finds_the_key_type_in_the_document() {
    let cases: [Form; 12] = [
        (
            fixture!("rsa2048.pkcs8.pem"),
            "RSA",
            None,
            true,
            &jwa::RS256,
        ),
        (
            fixture!("rsa2048.pkcs1.pem"),
            "RSA",
            None,
            true,
            &jwa::PS384,
        ),
        (
            fixture!("rsa2048.spki.pem"),
            "RSA",
            None,
            false,
            &jwa::RS512,
        ),
        (
            fixture!("rsa2048.pkcs1-public.pem"),
            "RSA",
            None,
            false,
            &jwa::PS256,
        ),
        (
            fixture!("rsa4096.spki.pem"),
            "RSA",
            None,
            false,
            &jwa::RS256,
        ),
        (
            fixture!("p256.pkcs8.pem"),
            "EC",
            Some("P-256"),
            true,
            &jwa::ES256,
        ),
        (
            fixture!("p256.sec1.pem"),
            "EC",
            Some("P-256"),
            true,
            &jwa::ES256,
        ),
        (
            fixture!("p256.sec1-params.pem"),
            "EC",
            Some("P-256"),
            true,
            &jwa::ES256,
        ),
        (
            fixture!("p384.sec1.pem"),
            "EC",
            Some("P-384"),
            true,
            &jwa::ES384,
        ),
        (
            fixture!("p384.spki.pem"),
            "EC",
            Some("P-384"),
            false,
            &jwa::ES384,
        ),
        (
            fixture!("ed25519.pkcs8.pem"),
            "OKP",
            Some("Ed25519"),
            true,
            &jwa::EdDSA,
        ),
        (
            fixture!("ed25519.spki.pem"),
            "OKP",
            Some("Ed25519"),
            false,
            &jwa::EdDSA,
        ),
    ];
    for (pem, kty, crv, private, alg) in cases {
        let jwk = Jwk::from_pem(pem).unwrap();
        assert_eq!(
            (jwk.kty(), jwk.crv(), jwk.is_private(), jwk.alg(), jwk.kid()),
            (kty, crv, private, None, None),
            "{alg}"
        );
        assert!(jwk.fits(alg), "{alg}");
        let expected = if private {
            Jwk::from_signing_key(&SigningKey::from_pem(alg, pem).unwrap()).unwrap()
        } else {
            Jwk::from_verifying_key(&VerifyingKey::from_pem(alg, pem).unwrap())
        };
        assert_eq!(jwk.thumbprint(), expected.thumbprint(), "{alg}");
        assert_eq!(jwk.with_alg(alg).unwrap(), expected, "{alg}");
    }
}

#[test]
fn jwk_from_pem_errors_are_the_key_constructors() {
    let cases: [(&[u8], Error); 10] = [
        (
            fixture!("p256.encrypted-pkcs8.pem"),
            KeyRejected::Encrypted.into(),
        ),
        (
            fixture!("p256.sec1-legacy-encrypted.pem"),
            KeyRejected::Encrypted.into(),
        ),
        (
            fixture!("p521.pkcs8.pem"),
            Unsupported::Curve("P-521").into(),
        ),
        (
            fixture!("p521.spki.pem"),
            Unsupported::Curve("P-521").into(),
        ),
        (
            fixture!("x25519.spki.pem"),
            Unsupported::Curve("X25519").into(),
        ),
        (
            fixture!("rsa3prime.pkcs8.pem"),
            Unsupported::RsaKeyShape.into(),
        ),
        (fixture!("rsapss.spki.pem"), Unsupported::KeyType.into()),
        (
            fixture!("rsa2044.spki.pem"),
            KeyRejected::RsaModulusSize { bits: 2044 }.into(),
        ),
        (b"hello", KeyRejected::Pem.into()),
        (
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            KeyRejected::Pem.into(),
        ),
    ];
    for (pem, error) in cases {
        assert_eq!(Jwk::from_pem(pem).map(|_| ()), Err(error));
    }
}
