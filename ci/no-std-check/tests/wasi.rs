//! A handful of sign, verify and decode tests run on wasm32-wasip1 under Node's `node:wasi`
//! (`.ci/run`, with `ci/no-std-check/run-wasi.mjs`); they also pass on the host. Randomness
//! comes from WASI's `random_get`, so ES256 and EdDSA keys are generated for real.
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{Error, HmacKey, SigningKey, VerifyingKey, jwa, jws};

const NOW: i64 = 1_800_000_100;

fn claims() -> RegisteredClaims {
    RegisteredClaims::new()
        .with_issuer("https://auth.example")
        .with_audience("api")
        .with_lifetime(NumericDate::from(NOW), 300)
}

fn rules() -> Validation {
    Validation::new(NumericDate::from(NOW))
        .with_issuer("https://auth.example")
        .with_audience("api")
}

#[test]
fn the_no_std_checks_pass() {
    assert_eq!(jose_ring_no_std_check::run(), Ok(()));
}

#[test]
fn hs256_encode_then_decode() {
    let key = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes").unwrap();
    let token = jwt::encode(&claims(), &key).unwrap();
    let verified: jwt::Verified<RegisteredClaims> = jwt::decode(&token, &key, &rules()).unwrap();
    assert_eq!(
        verified.claims().iss.as_deref(),
        Some("https://auth.example")
    );
}

#[test]
fn es256_and_eddsa_generated_sign_and_verify_through_a_jwks() {
    for alg in [&jwa::ES256, &jwa::EdDSA] {
        let signer = SigningKey::generate(alg).unwrap().with_kid("k1");
        let jwks = JwkSet::from_iter([Jwk::from_verifying_key(&signer.verifying_key())])
            .to_json()
            .unwrap();
        let keys = JwkSet::from_json(jwks.as_bytes()).unwrap().key_ring(&[alg]);
        let token = jwt::encode(&claims(), &signer).unwrap();
        let verified: jwt::Verified<RegisteredClaims> =
            jwt::decode(&token, &keys, &rules()).unwrap();
        assert_eq!(verified.header().kid(), Some("k1"));
    }
}

#[test]
fn rs256_verifies_with_a_pem_key_and_rejects_a_tampered_payload() {
    let private = include_bytes!("../../../test-vectors/keys/rsa2048.pkcs8.pem");
    let public = include_bytes!("../../../test-vectors/keys/rsa2048.spki.pem");
    let signer = SigningKey::from_pem(&jwa::RS256, private).unwrap();
    let verifier = VerifyingKey::from_pem(&jwa::RS256, public).unwrap();
    let token = jws::sign(b"payload", &jws::Header::new(), &signer).unwrap();
    assert_eq!(
        jws::verify(&token, &verifier).unwrap().payload(),
        b"payload"
    );
    let (head, rest) = token.split_once('.').unwrap();
    let signature = rest.split_once('.').unwrap().1;
    let forged = format!("{head}.cGF5bG9hZQ.{signature}");
    assert_eq!(
        jws::verify(&forged, &verifier).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn an_algorithm_substitution_is_rejected() {
    let hmac = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes").unwrap();
    let signer = SigningKey::generate(&jwa::ES256).unwrap();
    let token = jwt::encode(&claims(), &hmac).unwrap();
    let result = jwt::decode::<RegisteredClaims, _>(&token, &signer.verifying_key(), &rules());
    assert_eq!(
        result.map(|_| ()),
        Err(Error::AlgorithmMismatch { expected: "ES256" })
    );
}
