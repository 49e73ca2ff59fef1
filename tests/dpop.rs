//! DPoP (RFC 9449): the RFC's examples, one test per check of §4.3 with its exact error, round
//! trips for every key type, and the token binding (`cnf.jkt`, §6).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{b64, b64_decode, tamper, text, vectors};
use jose_ring::dpop::{
    self, Challenge, ChallengeError, Confirmation, ProofBuilder, ProofValidation,
};
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{
    ClaimError, Dpop, Error, JsonProblem, KeyRejected, Malformed, SigningKey, Unsupported, jwa, jws,
};
use serde_json::{Value, json};

const RSA_PEM: &[u8] = include_bytes!("../test-vectors/keys/rsa2048.pkcs8.pem");
const SMALL_ORDER: &str = include_str!("../test-vectors/weak/ed25519_small_order.json");
const ROCA_JWK: &str = include_str!("../test-vectors/weak/roca2048.jwk.json");

const NOW: i64 = 1_700_000_000;
const HTU: &str = "https://server.example.com/token";

fn now() -> NumericDate {
    NumericDate::from_seconds(NOW)
}

fn rules() -> ProofValidation {
    ProofValidation::new("POST", HTU, now())
}

fn es256() -> SigningKey {
    SigningKey::generate(&jwa::ES256).unwrap()
}

/// The public JWK of `key`, as JSON.
fn public_jwk(key: &SigningKey) -> Value {
    serde_json::from_str(
        &Jwk::from_verifying_key(&key.verifying_key())
            .to_json()
            .unwrap(),
    )
    .unwrap()
}

/// A proof with this header (its `alg` must be the key's) and these claims, signed by `key`.
fn signed(header: &Value, claims: &Value, key: &SigningKey) -> String {
    jws::sign_with_header_json(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        key,
    )
    .unwrap()
}

/// A proof whose signature is garbage, for checks that come before the signature.
fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(&[0; 64])
    )
}

fn header(key: &SigningKey) -> Value {
    json!({"typ": "dpop+jwt", "alg": key.algorithm().name(), "jwk": public_jwk(key)})
}

fn claims() -> Value {
    json!({"jti": "j-1", "htm": "POST", "htu": HTU, "iat": NOW})
}

/// `value` with member `name` set, or removed for `Value::Null`.
fn with(value: &Value, name: &str, member: Value) -> Value {
    common::with(value, name, member)
}

fn check(proof: &str, rules: &ProofValidation) -> Result<(), Error> {
    dpop::verify(proof, rules).map(|_| ())
}

// --- RFC 9449's examples ---------------------------------------------------------------------

fn rfc_rules(example: &Value) -> ProofValidation {
    ProofValidation::new(
        text(example, "htm"),
        text(example, "htu"),
        NumericDate::from_seconds(example["iat"].as_i64().unwrap()),
    )
}

/// The proof verifies with its own key, gives the RFC's jkt, jti and iat, and fails with any
/// one character of it changed.
fn assert_rfc_proof(example: &Value, rules: &ProofValidation) {
    let v = vectors("rfc9449");
    let proof = text(example, "proof");
    let verified = dpop::verify(proof, rules).unwrap();
    assert_eq!(verified.jkt(), text(&v["jkt"], "value"));
    assert_eq!(verified.jti(), text(example, "jti"));
    assert_eq!(
        verified.iat().as_seconds(),
        example["iat"].as_i64().unwrap()
    );
    assert_eq!(verified.algorithm(), &jwa::ES256);
    assert!(dpop::verify(&tamper(proof, 0).unwrap(), rules).is_err());
    for segment in [1, 2] {
        assert_eq!(
            check(&tamper(proof, segment).unwrap(), rules),
            Err(Error::InvalidSignature),
            "segment {segment}"
        );
    }
}

#[test]
fn section_4_1_token_request_proof() {
    let v = vectors("rfc9449");
    let example = &v["token_request_proof"];
    assert_rfc_proof(example, &rfc_rules(example));
    // The proof was made for this request only.
    let get = ProofValidation::new(
        "GET",
        text(example, "htu"),
        NumericDate::from_seconds(1_562_262_616),
    );
    assert_eq!(
        check(text(example, "proof"), &get),
        Err(Dpop::HtmMismatch.into())
    );
    // And it is old now.
    let today = rfc_rules(example).clone();
    let today = ProofValidation::new("POST", HTU, now()).with_algorithms(today.algorithms());
    assert_eq!(
        check(text(example, "proof"), &today),
        Err(Dpop::TooOld {
            now: now(),
            iat: NumericDate::from_seconds(1_562_262_616)
        }
        .into())
    );
}

#[test]
fn section_5_refresh_proof() {
    let v = vectors("rfc9449");
    let example = &v["refresh_proof"];
    assert_rfc_proof(example, &rfc_rules(example));
}

#[test]
fn section_7_1_resource_proof_with_ath() {
    let v = vectors("rfc9449");
    let example = &v["resource_proof"];
    let token = text(example, "access_token");
    assert_eq!(dpop::ath(token), text(example, "ath"));
    let rules = rfc_rules(example).with_access_token(token);
    assert_rfc_proof(example, &rules);
    let other = rfc_rules(example).with_access_token("another-token");
    assert_eq!(
        check(text(example, "proof"), &other),
        Err(Dpop::AthMismatch.into())
    );
    // Without an access token (the token endpoint) `ath` is not compared.
    assert_eq!(check(text(example, "proof"), &rfc_rules(example)), Ok(()));
}

#[test]
fn section_6_1_jkt_is_the_thumbprint_of_the_proof_key() {
    let v = vectors("rfc9449");
    let jwk = Jwk::from_json(v["jwk"]["value"].to_string().as_bytes()).unwrap();
    assert_eq!(jwk.thumbprint(), text(&v["jkt"], "value"));
    // Figure 8's payload is Figure 9, and its cnf.jkt is that thumbprint.
    let bound = &v["bound_access_token"];
    let payload = text(bound, "token").split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&b64_decode(payload)).unwrap();
    assert_eq!(claims, bound["claims"]);
    assert_eq!(claims["cnf"]["jkt"], v["jkt"]["value"]);
    // The authorization server's key is not published, so the same claims are signed again
    // here to check the binding against the §4.1 proof.
    let issuer = SigningKey::generate(&jwa::ES256).unwrap();
    let token = jwt::encode(&claims, &issuer).unwrap();
    let at = NumericDate::from_seconds(1_562_262_616);
    let proof = dpop::verify(
        text(&v["token_request_proof"], "proof"),
        &rfc_rules(&v["token_request_proof"]),
    )
    .unwrap();
    let key = issuer.verifying_key();
    let ok: jwt::Verified<Value> =
        jwt::decode(&token, &key, &Validation::new(at).with_dpop(&proof)).unwrap();
    assert_eq!(ok.claims()["sub"], "someone@example.com");
    assert_eq!(
        jwt::decode::<Value, _>(&token, &key, &Validation::new(at)).map(|_| ()),
        Err(ClaimError::ProofRequired.into())
    );
}

#[test]
fn section_7_1_challenges() {
    let v = vectors("rfc9449");
    let figures = &v["challenges"];
    assert_eq!(
        Challenge::new(&[&jwa::ES256, &jwa::PS256]).to_string(),
        text(figures, "without_authentication")
    );
    assert_eq!(
        Challenge::new(&[&jwa::ES256])
            .with_error(ChallengeError::InvalidToken)
            .with_description("Invalid DPoP key binding")
            .to_string(),
        text(figures, "invalid_token")
    );
}

// --- §4.3, check by check ---------------------------------------------------------------------

#[test]
fn check_1_exactly_one_proof() {
    assert_eq!(
        dpop::single_proof(Vec::<String>::new()),
        Err(Dpop::NoProof.into())
    );
    assert_eq!(
        dpop::single_proof(["a.b.c", "a.b.c"]),
        Err(Dpop::SeveralProofs.into())
    );
    assert_eq!(
        dpop::single_proof(["a.b.c,a.b.c"]),
        Err(Dpop::SeveralProofs.into())
    );
    assert_eq!(
        dpop::single_proof([String::from("a.b.c")]),
        Ok(String::from("a.b.c"))
    );
}

#[test]
fn check_2_a_well_formed_jws() {
    assert_eq!(check("a.b", &rules()), Err(Malformed::Segments.into()));
    assert_eq!(check("a.b.c.d", &rules()), Err(Malformed::Segments.into()));
    assert_eq!(
        check(&format!("{}.e30.AAAA", b64(b"{\"typ\":")), &rules()),
        Err(Malformed::Json {
            part: "header",
            problem: JsonProblem::Syntax { line: 1, column: 7 }
        }
        .into())
    );
    let long = "a".repeat(dpop::MAX_PROOF_LEN + 1);
    assert_eq!(
        check(&long, &rules()),
        Err(Error::TooLarge {
            what: "token",
            limit: dpop::MAX_PROOF_LEN
        })
    );
    // An unencoded payload (RFC 7797) is not a JWT.
    let key = es256();
    let h = with(
        &with(&header(&key), "b64", json!(false)),
        "crit",
        json!(["b64"]),
    );
    let proof = jws::sign_with_header_json(h.to_string().as_bytes(), b"claims", &key).unwrap();
    assert_eq!(
        check(&proof, &rules()),
        Err(Malformed::InvalidMember("b64").into())
    );
}

#[test]
fn check_3_required_claims() {
    let key = es256();
    for name in ["jti", "htm", "htu", "iat"] {
        let proof = signed(&header(&key), &with(&claims(), name, Value::Null), &key);
        assert_eq!(
            check(&proof, &rules()),
            Err(Dpop::MissingClaim(name).into()),
            "{name}"
        );
    }
    for (name, value) in [
        ("jti", json!(7)),
        ("jti", json!("")),
        ("htm", json!(["POST"])),
        ("htu", json!(true)),
        ("htu", json!("/token")),
        ("iat", json!("1700000000")),
        ("ath", json!(1)),
        ("nonce", json!({})),
    ] {
        let proof = signed(&header(&key), &with(&claims(), name, value.clone()), &key);
        assert_eq!(
            check(&proof, &rules()),
            Err(Dpop::InvalidClaim(name).into()),
            "{name} {value}"
        );
    }
    let proof = signed(
        &header(&key),
        &with(&claims(), "jti", json!("x".repeat(257))),
        &key,
    );
    assert_eq!(
        check(&proof, &rules()),
        Err(Error::TooLarge {
            what: "jti",
            limit: 256
        })
    );
    let proof = signed(
        &header(&key),
        &with(&claims(), "jti", json!("x".repeat(256))),
        &key,
    );
    assert_eq!(check(&proof, &rules()), Ok(()));
    let proof = jws::sign_with_header_json(
        header(&key).to_string().as_bytes(),
        br#"{"jti":"a","jti":"b","htm":"POST","htu":"https://server.example.com/token","iat":1700000000}"#,
        &key,
    )
    .unwrap();
    assert_eq!(
        check(&proof, &rules()),
        Err(Malformed::Json {
            part: "claims",
            problem: JsonProblem::DuplicateMember
        }
        .into())
    );
}

#[test]
fn check_4_typ_is_exactly_dpop_jwt() {
    let key = es256();
    for typ in [
        Value::Null,
        json!("JWT"),
        json!("application/dpop+jwt"),
        json!("DPoP+JWT"),
    ] {
        let proof = signed(&with(&header(&key), "typ", typ.clone()), &claims(), &key);
        assert_eq!(
            check(&proof, &rules()),
            Err(Dpop::InvalidTyp.into()),
            "{typ}"
        );
    }
}

#[test]
fn check_5_alg_is_asymmetric_and_allowed() {
    let key = es256();
    let base = header(&key);
    let forged = |alg: &str| unsigned(&with(&base, "alg", json!(alg)), &claims());
    assert_eq!(
        check(&forged("none"), &rules()),
        Err(Unsupported::None.into())
    );
    assert_eq!(
        check(&forged("NONE"), &rules()),
        Err(Unsupported::None.into())
    );
    assert_eq!(
        check(&forged("HS256"), &rules()),
        Err(Dpop::SymmetricAlgorithm.into())
    );
    assert_eq!(
        check(&forged("ES512"), &rules()),
        Err(Unsupported::Algorithm("ES512").into())
    );
    assert_eq!(
        check(&forged("XS256"), &rules()),
        Err(Dpop::AlgorithmNotAllowed.into())
    );
    let es384_only = rules().with_algorithms(&[&jwa::ES384]);
    assert_eq!(
        check(&signed(&base, &claims(), &key), &es384_only),
        Err(Dpop::AlgorithmNotAllowed.into())
    );
    // An HMAC algorithm cannot be allowed.
    let hmac = rules().with_algorithms(&[&jwa::HS256, &jwa::ES256]);
    assert_eq!(hmac.algorithms(), &[&jwa::ES256]);
    assert_eq!(
        check(&forged("HS256"), &hmac),
        Err(Dpop::SymmetricAlgorithm.into())
    );
}

#[test]
fn check_6_signature_verifies_with_the_jwk_only() {
    let key = es256();
    let other = es256();
    // Signed by `other`, carrying `key`'s public key.
    let proof = signed(&header(&key), &claims(), &other);
    assert_eq!(check(&proof, &rules()), Err(Error::InvalidSignature));
    let good = signed(&header(&key), &claims(), &key);
    let (h, p, _) = jws::Unverified::parse(&good).unwrap().segments();
    let bad = format!("{h}.{p}.{}", b64(&[1; 64]));
    assert_eq!(check(&bad, &rules()), Err(Error::InvalidSignature));
}

#[test]
fn check_7_jwk_is_public_and_passes_every_import_check() {
    let key = es256();
    let base = header(&key);
    assert_eq!(
        check(
            &signed(&with(&base, "jwk", Value::Null), &claims(), &key),
            &rules()
        ),
        Err(Dpop::MissingJwk.into())
    );
    assert_eq!(
        check(
            &signed(&with(&base, "jwk", json!("key")), &claims(), &key),
            &rules()
        ),
        Err(Malformed::InvalidMember("jwk").into())
    );
    // The private key itself in the header.
    let private: Value = serde_json::from_slice(
        Jwk::from_signing_key(&key)
            .unwrap()
            .to_private_json()
            .expose(),
    )
    .unwrap();
    assert_eq!(
        check(
            &signed(&with(&base, "jwk", private), &claims(), &key),
            &rules()
        ),
        Err(Dpop::PrivateJwk.into())
    );
    let oct = json!({"kty": "oct", "k": b64(&[7; 32])});
    assert_eq!(
        check(&signed(&with(&base, "jwk", oct), &claims(), &key), &rules()),
        Err(Dpop::PrivateJwk.into())
    );
    // Not bound to the header's alg: a P-384 key, or an `alg` member of another algorithm.
    let p384 = public_jwk(&SigningKey::generate(&jwa::ES384).unwrap());
    assert_eq!(
        check(
            &signed(&with(&base, "jwk", p384), &claims(), &key),
            &rules()
        ),
        Err(KeyRejected::WrongAlgorithm { expected: "ES256" }.into())
    );
    let jwk = with(&public_jwk(&key), "alg", json!("ES384"));
    assert_eq!(
        check(&signed(&with(&base, "jwk", jwk), &claims(), &key), &rules()),
        Err(KeyRejected::WrongAlgorithm { expected: "ES256" }.into())
    );
    let jwk = with(&public_jwk(&key), "use", json!("enc"));
    assert_eq!(
        check(&signed(&with(&base, "jwk", jwk), &claims(), &key), &rules()),
        Err(KeyRejected::Usage.into())
    );
    let jwk = with(&public_jwk(&key), "x", json!(b64(&[1; 32])));
    assert!(matches!(
        check(&signed(&with(&base, "jwk", jwk), &claims(), &key), &rules()),
        Err(Error::KeyRejected(_))
    ));
    let jwk = with(&public_jwk(&key), "x", json!("not base64!"));
    assert_eq!(
        check(&signed(&with(&base, "jwk", jwk), &claims(), &key), &rules()),
        Err(Malformed::Base64("x").into())
    );
    // Weak keys: an Ed25519 point of small order, a ROCA modulus.
    let small: Value = serde_json::from_str(SMALL_ORDER).unwrap();
    for point in small["small_order"].as_array().unwrap() {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": point["x"]});
        let h = json!({"typ": "dpop+jwt", "alg": "EdDSA", "jwk": jwk});
        let result = check(&unsigned(&h, &claims()), &rules());
        assert!(
            result == Err(KeyRejected::SmallOrderPoint.into())
                || result == Err(KeyRejected::NonCanonicalPoint.into()),
            "{result:?}"
        );
    }
    let roca: Value = serde_json::from_str(ROCA_JWK).unwrap();
    let roca = json!({"kty": "RSA", "n": roca["n"], "e": roca["e"]});
    let h = json!({"typ": "dpop+jwt", "alg": "RS256", "jwk": roca});
    assert_eq!(
        check(&unsigned(&h, &claims()), &rules()),
        Err(KeyRejected::RocaModulus.into())
    );
}

#[test]
fn check_8_htm_equals_the_method() {
    let key = es256();
    for htm in ["GET", "post", "POST "] {
        let proof = signed(&header(&key), &with(&claims(), "htm", json!(htm)), &key);
        assert_eq!(
            check(&proof, &rules()),
            Err(Dpop::HtmMismatch.into()),
            "{htm}"
        );
    }
}

#[test]
fn check_9_htu_equals_the_uri_after_normalisation() {
    let key = es256();
    let proof = |htu: &str| signed(&header(&key), &with(&claims(), "htu", json!(htu)), &key);
    for same in [
        "HTTPS://Server.Example.COM:443/token",
        "https://server.example.com/%74oken",
        "https://server.example.com/a/../token",
        "https://server.example.com/token?code=1#f",
    ] {
        assert_eq!(check(&proof(same), &rules()), Ok(()), "{same}");
    }
    let received =
        ProofValidation::new("POST", "https://SERVER.example.com:443/./token?x=y", now());
    assert_eq!(check(&proof(HTU), &received), Ok(()));
    for other in [
        "http://server.example.com/token",
        "https://server.example.com:8443/token",
        "https://server.example.com/Token",
        "https://server.example.com/token/",
        "https://other.example.com/token",
        "https://server.example.com/token%2F",
    ] {
        assert_eq!(
            check(&proof(other), &rules()),
            Err(Dpop::HtuMismatch.into()),
            "{other}"
        );
    }
    assert_eq!(
        check(&proof(HTU), &ProofValidation::new("POST", "/token", now())),
        Err(Dpop::InvalidUri.into())
    );
}

#[test]
fn check_10_nonce() {
    let key = es256();
    let rules = rules().with_nonce("n-1").with_nonce("n-2");
    assert_eq!(
        check(&signed(&header(&key), &claims(), &key), &rules),
        Err(Dpop::MissingNonce.into())
    );
    let proof = |nonce: &str| signed(&header(&key), &with(&claims(), "nonce", json!(nonce)), &key);
    assert_eq!(
        check(&proof("n-3"), &rules),
        Err(Dpop::NonceMismatch.into())
    );
    assert_eq!(check(&proof("n-1"), &rules), Ok(()));
    assert_eq!(check(&proof("n-2"), &rules), Ok(()));
    // A server that set no nonce ignores one.
    assert_eq!(check(&proof("n-3"), &self::rules()), Ok(()));
}

#[test]
fn check_11_iat_window() {
    let key = es256();
    let at = |iat: i64| signed(&header(&key), &with(&claims(), "iat", json!(iat)), &key);
    let date = NumericDate::from_seconds;
    assert_eq!(
        check(&at(NOW + 1), &rules()),
        Err(Dpop::IssuedInFuture {
            now: now(),
            iat: date(NOW + 1)
        }
        .into())
    );
    assert_eq!(check(&at(NOW + 5), &rules().with_leeway(5)), Ok(()));
    assert_eq!(
        check(
            &at(NOW - i64::try_from(dpop::DEFAULT_MAX_AGE).unwrap()),
            &rules()
        ),
        Ok(())
    );
    assert_eq!(
        check(&at(NOW - 61), &rules()),
        Err(Dpop::TooOld {
            now: now(),
            iat: date(NOW - 61)
        }
        .into())
    );
    assert_eq!(check(&at(NOW - 61), &rules().with_leeway(1)), Ok(()));
    assert_eq!(check(&at(NOW - 300), &rules().with_max_age(300)), Ok(()));
    // A fractional iat is rounded up.
    let frac = signed(
        &header(&key),
        &with(&claims(), "iat", json!(NOW as f64 + 0.5)),
        &key,
    );
    assert_eq!(
        check(&frac, &rules()),
        Err(Dpop::IssuedInFuture {
            now: now(),
            iat: date(NOW + 1)
        }
        .into())
    );
}

#[test]
fn check_12_ath() {
    let key = es256();
    let rules = rules().with_access_token("token-1");
    assert_eq!(
        check(&signed(&header(&key), &claims(), &key), &rules),
        Err(Dpop::MissingAth.into())
    );
    let proof = |ath: &str| signed(&header(&key), &with(&claims(), "ath", json!(ath)), &key);
    assert_eq!(
        check(&proof(&dpop::ath("token-2")), &rules),
        Err(Dpop::AthMismatch.into())
    );
    assert_eq!(check(&proof(&dpop::ath("token-1")), &rules), Ok(()));
}

#[test]
fn replay_key_and_window_cover_every_moment_a_proof_is_acceptable() {
    // The replay check is the caller's, after `verify`: the key names the proof's key and
    // `jti` (two clients choosing one `jti` never collide), the window is as long as a proof
    // recorded now can still be accepted.
    let (key, other) = (es256(), es256());
    let rules = rules().with_max_age(60).with_leeway(5);
    assert_eq!(rules.replay_window(), 70);
    let first = dpop::verify(&signed(&header(&key), &claims(), &key), &rules).unwrap();
    assert_eq!(first.replay_key(), format!("{}:j-1", dpop::jkt(&key)));
    let twin = dpop::verify(&signed(&header(&other), &claims(), &other), &rules).unwrap();
    assert_ne!(twin.replay_key(), first.replay_key());
    // The latest `iat` accepted now is now + leeway; that proof is accepted up to
    // `replay_window` seconds from now, and not a second longer.
    let ahead = signed(&header(&key), &with(&claims(), "iat", json!(NOW + 5)), &key);
    let at = |seconds: i64| {
        ProofValidation::new("POST", HTU, NumericDate::from_seconds(seconds))
            .with_max_age(60)
            .with_leeway(5)
    };
    assert_eq!(check(&ahead, &at(NOW)), Ok(()));
    assert_eq!(check(&ahead, &at(NOW + 70)), Ok(()));
    assert_eq!(
        check(&ahead, &at(NOW + 71)),
        Err(Dpop::TooOld {
            now: NumericDate::from_seconds(NOW + 71),
            iat: NumericDate::from_seconds(NOW + 5)
        }
        .into())
    );
}

// --- client: round trips -----------------------------------------------------------------------

fn round_trip(key: &SigningKey, alg: &'static jwa::Algorithm) {
    let token = "an.access.token";
    let proof = ProofBuilder::new(key, "GET", "https://rs.example/data?page=2#top")
        .with_iat(now())
        .with_access_token(token)
        .with_nonce("n-1")
        .build()
        .unwrap();
    let rules = ProofValidation::new("GET", "https://rs.example/data", now())
        .with_access_token(token)
        .with_nonce("n-1");
    let verified = dpop::verify(&proof, &rules).unwrap();
    assert_eq!(verified.algorithm(), alg);
    assert_eq!(verified.jkt(), dpop::jkt(key));
    assert_eq!(verified.iat(), now());
    // The header is exactly typ, alg and the public key's required members.
    let unverified = jws::Unverified::parse(&proof).unwrap();
    let (h, p, _) = unverified.segments();
    let h: Value = serde_json::from_slice(&b64_decode(h)).unwrap();
    let jwk = Jwk::from_verifying_key(&key.verifying_key());
    let members: Vec<&str> = match jwk.kty() {
        "RSA" => vec!["e", "kty", "n"],
        "EC" => vec!["crv", "kty", "x", "y"],
        _ => vec!["crv", "kty", "x"],
    };
    assert_eq!(
        h["jwk"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        members
    );
    assert_eq!(h.as_object().unwrap().len(), 3);
    assert_eq!(
        (h["typ"].as_str(), h["alg"].as_str()),
        (Some("dpop+jwt"), Some(alg.name()))
    );
    let claims: Value = serde_json::from_slice(&b64_decode(p)).unwrap();
    assert_eq!(claims["htu"], "https://rs.example/data");
    assert_eq!(claims["ath"], dpop::ath(token));
    assert_eq!(claims["nonce"], "n-1");
    // 128 random bits.
    assert_eq!(b64_decode(claims["jti"].as_str().unwrap()).len(), 16);
    for segment in [1, 2] {
        assert_eq!(
            check(&tamper(&proof, segment).unwrap(), &rules),
            Err(Error::InvalidSignature)
        );
    }
}

#[test]
fn round_trip_es256() {
    round_trip(&es256(), &jwa::ES256);
}

#[test]
fn round_trip_es384() {
    round_trip(&SigningKey::generate(&jwa::ES384).unwrap(), &jwa::ES384);
}

#[test]
fn round_trip_ed25519() {
    // RFC 9864's name, as current clients (panva's `dpop`) sign; the deprecated one too.
    round_trip(&SigningKey::generate(&jwa::Ed25519).unwrap(), &jwa::Ed25519);
    round_trip(&SigningKey::generate(&jwa::EdDSA).unwrap(), &jwa::EdDSA);
}

#[test]
fn ed25519_and_eddsa_are_two_algorithms_for_proofs() {
    let key = SigningKey::generate(&jwa::Ed25519).unwrap();
    let proof = ProofBuilder::new(&key, "POST", HTU)
        .with_iat(now())
        .build()
        .unwrap();
    assert!(proof.starts_with(&b64(br#"{"typ":"dpop+jwt","alg":"Ed25519","jwk":"#)[..40]));
    let only_eddsa = rules().with_algorithms(&[&jwa::EdDSA]);
    assert_eq!(
        check(&proof, &only_eddsa),
        Err(Dpop::AlgorithmNotAllowed.into())
    );
    let only_ed25519 = rules().with_algorithms(&[&jwa::Ed25519]);
    assert_eq!(check(&proof, &only_ed25519), Ok(()));
    // The same key and signature under the other name: a jwk whose `alg` says Ed25519 does not
    // bind to EdDSA.
    let h = json!({"typ": "dpop+jwt", "alg": "EdDSA",
        "jwk": with(&public_jwk(&key), "alg", json!("Ed25519"))});
    assert_eq!(
        check(&unsigned(&h, &claims()), &rules()),
        Err(KeyRejected::WrongAlgorithm { expected: "EdDSA" }.into())
    );
}

#[test]
fn round_trip_rs256() {
    round_trip(
        &SigningKey::from_pem(&jwa::RS256, RSA_PEM).unwrap(),
        &jwa::RS256,
    );
}

#[test]
fn round_trip_ps256() {
    round_trip(
        &SigningKey::from_pem(&jwa::PS256, RSA_PEM).unwrap(),
        &jwa::PS256,
    );
}

#[test]
fn every_proof_has_its_own_jti() {
    let key = es256();
    let make = || {
        ProofBuilder::new(&key, "GET", "https://rs.example/")
            .with_iat(now())
            .build()
            .unwrap()
    };
    let (a, b) = (make(), make());
    let jti = |proof: &str| {
        dpop::verify(
            proof,
            &ProofValidation::new("GET", "https://rs.example/", now()),
        )
        .unwrap()
        .jti()
        .to_string()
    };
    assert_ne!(jti(&a), jti(&b));
}

#[test]
fn the_builder_refuses_a_uri_it_cannot_name() {
    let key = es256();
    for htu in ["/token", "ftp://x/", "https://exa mple/"] {
        assert_eq!(
            ProofBuilder::new(&key, "GET", htu).with_iat(now()).build(),
            Err(Dpop::InvalidUri.into()),
            "{htu}"
        );
    }
}

#[test]
fn the_builder_makes_no_proof_the_verifier_would_refuse_as_too_long() {
    // Found by the dpop_proof fuzz target: a long nonce made an 8 KiB+ proof.
    let key = es256();
    let long = "n".repeat(dpop::MAX_PROOF_LEN);
    assert_eq!(
        ProofBuilder::new(&key, "GET", "https://rs.example/")
            .with_iat(now())
            .with_nonce(&long)
            .build(),
        Err(Error::TooLarge {
            what: "token",
            limit: dpop::MAX_PROOF_LEN
        })
    );
    let fits = "n".repeat(5000);
    let proof = ProofBuilder::new(&key, "GET", "https://rs.example/")
        .with_iat(now())
        .with_nonce(&fits)
        .build()
        .unwrap();
    let rules = ProofValidation::new("GET", "https://rs.example/", now()).with_nonce(fits);
    assert_eq!(check(&proof, &rules), Ok(()));
}

#[cfg(feature = "std")]
#[test]
fn the_builder_reads_the_system_clock() {
    let key = es256();
    let proof = ProofBuilder::new(&key, "GET", "https://rs.example/")
        .build()
        .unwrap();
    let rules =
        ProofValidation::new("GET", "https://rs.example/", NumericDate::now()).with_leeway(5);
    assert_eq!(check(&proof, &rules), Ok(()));
}

#[cfg(not(feature = "std"))]
#[test]
fn without_std_the_builder_needs_a_time() {
    let key = es256();
    assert_eq!(
        ProofBuilder::new(&key, "GET", "https://rs.example/").build(),
        Err(jose_ring::Misuse::NoTime.into())
    );
}

// --- the header jwk is honoured here only ----------------------------------------------------------

#[test]
fn a_header_jwk_never_verifies_an_ordinary_token() {
    let victim = es256();
    let attacker = es256();
    let ring = JwkSet::from_json(format!(r#"{{"keys":[{}]}}"#, public_jwk(&victim)).as_bytes())
        .unwrap()
        .key_ring(&[&jwa::ES256]);
    // A JWT signed by the attacker, carrying the attacker's key in `jwk` (and `typ: JWT`).
    let header = json!({"alg": "ES256", "typ": "JWT", "jwk": public_jwk(&attacker)});
    let forged = signed(
        &header,
        &json!({"sub": "admin", "exp": NOW + 60}),
        &attacker,
    );
    assert_eq!(
        jws::verify(&forged, &ring).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        jwt::decode::<RegisteredClaims, _>(&forged, &ring, &Validation::new(now())).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // A DPoP proof is not an access token either, even for its own key.
    let proof = ProofBuilder::new(&victim, "GET", "https://rs.example/")
        .with_iat(now())
        .build()
        .unwrap();
    assert_eq!(
        jwt::decode::<Value, _>(
            &proof,
            &victim.verifying_key(),
            &Validation::new(now()).with_optional_exp()
        )
        .map(|_| ()),
        Err(ClaimError::InvalidTyp.into())
    );
}

// --- binding (§6, RFC 7800) -----------------------------------------------------------------------

fn bound_token(issuer: &SigningKey, cnf: Value) -> String {
    jwt::encode(&json!({"sub": "ada", "exp": NOW + 60, "cnf": cnf}), issuer).unwrap()
}

fn proof_by(key: &SigningKey) -> dpop::VerifiedProof {
    let proof = ProofBuilder::new(key, "POST", HTU)
        .with_iat(now())
        .build()
        .unwrap();
    dpop::verify(&proof, &rules()).unwrap()
}

fn decode(token: &str, issuer: &SigningKey, rules: &Validation) -> Result<(), Error> {
    jwt::decode::<Value, _>(token, &issuer.verifying_key(), rules).map(|_| ())
}

#[test]
fn a_bound_token_needs_the_proof_of_its_key() {
    let issuer = es256();
    let client = es256();
    let proof = proof_by(&client);
    let token = bound_token(&issuer, json!(Confirmation::from_proof(&proof)));
    assert_eq!(
        decode(&token, &issuer, &Validation::new(now())),
        Err(ClaimError::ProofRequired.into())
    );
    assert_eq!(
        decode(&token, &issuer, &Validation::new(now()).with_dpop(&proof)),
        Ok(())
    );
    assert_eq!(
        decode(
            &token,
            &issuer,
            &Validation::new(now()).with_dpop(&proof_by(&es256()))
        ),
        Err(ClaimError::ProofKeyMismatch.into())
    );
    assert_eq!(
        decode(
            &token,
            &issuer,
            &Validation::new(now()).with_dpop_jkt(dpop::jkt(&client))
        ),
        Ok(())
    );
}

#[test]
fn cnf_shapes() {
    let issuer = es256();
    let proof = proof_by(&es256());
    let jkt = proof.jkt();
    let dpop = Validation::new(now()).with_dpop(&proof);
    let plain = Validation::new(now());
    let unbound = jwt::encode(&json!({"sub": "ada", "exp": NOW + 60}), &issuer).unwrap();
    assert_eq!(
        decode(&unbound, &issuer, &dpop),
        Err(ClaimError::Missing("cnf".into()).into())
    );
    assert_eq!(decode(&unbound, &issuer, &plain), Ok(()));
    // Another confirmation method only (RFC 8705): not DPoP's business.
    let mtls = bound_token(
        &issuer,
        json!({"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}),
    );
    assert_eq!(decode(&mtls, &issuer, &plain), Ok(()));
    assert_eq!(
        decode(&mtls, &issuer, &dpop),
        Err(ClaimError::Missing("cnf".into()).into())
    );
    for wrong in [
        json!("jkt"),
        json!(null),
        json!([jkt]),
        json!({"jkt": 5}),
        json!({"jkt": [jkt]}),
    ] {
        assert_eq!(
            decode(&bound_token(&issuer, wrong.clone()), &issuer, &dpop),
            Err(ClaimError::InvalidType("cnf").into()),
            "{wrong}"
        );
        assert_eq!(
            decode(&bound_token(&issuer, wrong.clone()), &issuer, &plain),
            Err(ClaimError::InvalidType("cnf").into()),
            "{wrong}"
        );
    }
    // Only cnf's own jkt counts, wherever it is among the members.
    let nested = json!({"a": {"jkt": "other"}, "b": ["jkt"], "jkt": jkt, "x5t#S256": "z"});
    assert_eq!(
        decode(&bound_token(&issuer, nested), &issuer, &dpop),
        Ok(())
    );
    let decoy = json!({"a": {"jkt": jkt}, "jkt": "other"});
    assert_eq!(
        decode(&bound_token(&issuer, decoy), &issuer, &dpop),
        Err(ClaimError::ProofKeyMismatch.into())
    );
    let escaped = r#"{"sub":"ada","exp":1700000060,"cnf":{"\u006akt":"JKT"}}"#.replace("JKT", jkt);
    let token = jws::sign(
        escaped.as_bytes(),
        &jws::Header::new().with_typ("JWT"),
        &issuer,
    )
    .unwrap();
    assert_eq!(decode(&token, &issuer, &dpop), Ok(()));
    assert_eq!(
        decode(&token, &issuer, &plain),
        Err(ClaimError::ProofRequired.into())
    );
    // Required like any claim.
    assert_eq!(
        decode(&mtls, &issuer, &plain.clone().with_required("cnf")),
        Ok(())
    );
    assert_eq!(
        decode(&unbound, &issuer, &plain.with_required("cnf")),
        Err(ClaimError::Missing("cnf".into()).into())
    );
}

#[test]
fn confirmation_reads_back_from_claims() {
    #[derive(serde::Deserialize)]
    struct Claims {
        cnf: Confirmation,
    }
    let issuer = es256();
    let proof = proof_by(&es256());
    let token = bound_token(&issuer, json!({"jkt": proof.jkt(), "x5t#S256": "z"}));
    let verified: jwt::Verified<Claims> = jwt::decode(
        &token,
        &issuer.verifying_key(),
        &Validation::new(now()).with_dpop(&proof),
    )
    .unwrap();
    assert_eq!(verified.claims().cnf.jkt(), proof.jkt());
    assert_eq!(verified.claims().cnf, Confirmation::from_proof(&proof));
}

#[test]
fn challenges_for_errors() {
    let algs = rules().algorithms().to_vec();
    let nonce = Challenge::for_proof_error(&Dpop::MissingNonce.into(), &algs)
        .with_nonce("fresh-nonce")
        .unwrap();
    assert_eq!(nonce.error(), Some(ChallengeError::UseNonce));
    assert_eq!(nonce.nonce(), Some("fresh-nonce"));
    assert!(
        nonce
            .to_string()
            .starts_with(r#"DPoP error="use_dpop_nonce", algs="ES256 ES384 Ed25519 EdDSA"#)
    );
    // Errors never echo the proof: a proof whose every string is a marker.
    let marker = "SECRETMARKER";
    let key = es256();
    let h = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(&key), "kid": marker});
    for c in [
        json!({"jti": marker, "htm": marker, "htu": HTU, "iat": NOW}),
        json!({"jti": marker, "htm": "POST", "htu": format!("https://{marker}/"), "iat": NOW}),
        json!({"jti": marker, "htm": "POST", "htu": HTU, "iat": NOW, "nonce": marker, "ath": marker}),
        json!({"jti": marker, "htm": "POST", "htu": HTU, "iat": marker}),
    ] {
        let rules = rules().with_nonce("n").with_access_token("t");
        let error = dpop::verify(&signed(&h, &c, &key), &rules).unwrap_err();
        let challenge = Challenge::for_proof_error(&error, &algs).to_string();
        assert!(
            !format!("{error} {error:?} {challenge}").contains(marker),
            "{challenge}"
        );
    }
}
