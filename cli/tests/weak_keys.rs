//! Runs the built `jose` with weak keys: every case is refused with the library's typed
//! reason, exit 1 (the token is rejected) or 2 (the key is unusable), and nothing on stdout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use jose_ring::jwk::Jwk;
use jose_ring::{HmacKey, SigningKey, jwa, jws};
use serde_json::{Value, json};

use common::{file, jose};

fn weak_vector(name: &str) -> String {
    format!("{}/../test-vectors/weak/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The Ed25519 identity point, base64url: `y = 1`, `x = 0`.
const IDENTITY: &str = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn public_jwk(key: &SigningKey) -> Value {
    serde_json::from_str(
        &Jwk::from_verifying_key(&key.verifying_key())
            .to_json()
            .unwrap(),
    )
    .unwrap()
}

/// The universal forgery of an Ed25519 identity key: `{"alg":"EdDSA"}`, the payload
/// `any payload`, and the signature `R = identity, S = 0`.
const FORGED: &str = "eyJhbGciOiJFZERTQSJ9.YW55IHBheWxvYWQ.\
    AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The identity as a DER `SubjectPublicKeyInfo` (RFC 8410 §4), in PEM.
const IDENTITY_PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
    MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\
    -----END PUBLIC KEY-----\n";

fn leaked_again(secret: &HmacKey) -> Value {
    serde_json::from_slice(Jwk::from_hmac_key(secret).to_private_json().expose()).unwrap()
}

#[test]
fn small_order_and_non_canonical_ed25519_keys_are_refused() {
    let cases: Value =
        serde_json::from_slice(&std::fs::read(weak_vector("ed25519_small_order.json")).unwrap())
            .unwrap();
    let token = FORGED;
    for (list, message) in [
        (
            "small_order",
            "Ed25519 public key is a point of small order",
        ),
        (
            "non_canonical",
            "Ed25519 public key is not canonically encoded",
        ),
    ] {
        for case in cases[list].as_array().unwrap() {
            let jwk = json!({"kty":"OKP","crv":"Ed25519","x":case["x"]}).to_string();
            let key = file("weak.jwk", jwk.as_bytes());
            jose(
                &["jws", "verify", "--key", &key, "--alg", "EdDSA", token],
                b"",
            )
            .fails(2, message);
            jose(&["verify", "--key", &key, "--alg", "EdDSA", token], b"").fails(2, message);
        }
    }
    // The identity as an SPKI PEM key.
    let key = file("identity.pem", IDENTITY_PEM.as_bytes());
    jose(
        &["jws", "verify", "--key", &key, "--alg", "EdDSA", token],
        b"",
    )
    .fails(2, "Ed25519 public key is a point of small order");
}

#[test]
fn roca_keys_are_refused() {
    let signer = SigningKey::generate(&jwa::ES256).unwrap();
    let token = jws::sign(b"x", &jws::Header::new(), &signer).unwrap();
    let message = "RSA modulus has the ROCA structure (CVE-2017-15361)";
    for (key, alg) in [
        (weak_vector("roca2048.spki.pem"), "RS256"),
        (weak_vector("roca2048.pkcs8.pem"), "PS256"),
        (weak_vector("roca2048.pkcs1.pem"), "RS512"),
        (weak_vector("roca2048.jwk.json"), "RS256"),
    ] {
        jose(&["jws", "verify", "--key", &key, "--alg", alg, &token], b"").fails(2, message);
    }
    jose(
        &[
            "sign",
            "--key",
            &weak_vector("roca2048.jwk.json"),
            "--alg",
            "RS256",
            "-",
        ],
        b"",
    )
    .fails(2, message);
}

#[test]
fn a_secret_beside_public_keys_never_verifies() {
    let ec = SigningKey::generate(&jwa::ES256).unwrap().with_kid("ec");
    let secret = HmacKey::new(&jwa::HS256, &[5; 32]).unwrap().with_kid("mac");
    let leaked: Value =
        serde_json::from_slice(Jwk::from_hmac_key(&secret).to_private_json().expose()).unwrap();
    let set = json!({"keys":[public_jwk(&ec), leaked]}).to_string();
    let set = file("mixed.jwks", set.as_bytes());
    // An HS256 token made with the smuggled secret, with its kid and without.
    let with_kid = jws::sign(b"x", &jws::Header::new(), &secret).unwrap();
    let bare = HmacKey::new(&jwa::HS256, &[5; 32]).unwrap();
    let without_kid = jws::sign(b"x", &jws::Header::new(), &bare).unwrap();
    jose(
        &[
            "jws", "verify", "--key", &set, "--alg", "HS256", "--alg", "ES256", &with_kid,
        ],
        b"",
    )
    .fails(1, "ambiguous");
    jose(
        &[
            "jws",
            "verify",
            "--key",
            &set,
            "--alg",
            "HS256",
            "--alg",
            "ES256",
            &without_kid,
        ],
        b"",
    )
    .fails(1, "no key for this alg");
    // The control: the EC token verifies through the same set.
    let ec_token = jws::sign(b"x", &jws::Header::new(), &ec).unwrap();
    jose(
        &[
            "jws", "verify", "--key", &set, "--alg", "HS256", "--alg", "ES256", &ec_token,
        ],
        b"",
    )
    .ok();
    // A file of secrets only is a ring of HMAC keys: the token verifies there.
    let secrets = json!({"keys":[leaked_again(&secret)]}).to_string();
    let secrets = file("secrets.jwks", secrets.as_bytes());
    jose(
        &[
            "jws", "verify", "--key", &secrets, "--alg", "HS256", &with_kid,
        ],
        b"",
    )
    .ok();
}

#[test]
fn a_kid_whose_twin_was_skipped_is_ambiguous() {
    let signer = SigningKey::generate(&jwa::EdDSA).unwrap().with_kid("twin");
    let token = jws::sign(b"x", &jws::Header::new(), &signer).unwrap();
    let weak = json!({"kty":"OKP","crv":"Ed25519","kid":"twin","x":IDENTITY});
    let set = json!({"keys":[weak, public_jwk(&signer)]}).to_string();
    let set = file("twins.jwks", set.as_bytes());
    jose(
        &["jws", "verify", "--key", &set, "--alg", "EdDSA", &token],
        b"",
    )
    .fails(1, "ambiguous");
    let alone = json!({"keys":[public_jwk(&signer)]}).to_string();
    jose(
        &[
            "jws",
            "verify",
            "--key",
            &file("alone.jwks", alone.as_bytes()),
            &token,
        ],
        b"",
    )
    .ok();
}
