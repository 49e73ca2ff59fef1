//! PEM and DER key import, every format, every asymmetric algorithm.
//!
//! Input: byte 0 picks the algorithm (RS*, PS*, ES256, ES384, EdDSA, Ed25519), byte 1 the importer
//! (SigningKey: PEM, PKCS#8, PKCS#1, SEC1; VerifyingKey: PEM, SPKI, PKCS#1, RSA components,
//! EC point, Ed25519 bytes), the rest is the key material.
//!
//! Properties of a key that imports: it is bound to the algorithm asked for; its SPKI (DER and
//! PEM) re-imports to the same SPKI; its JWK binds back to the same SPKI; a signing key's
//! PKCS#8 (DER and PEM) re-imports to the same PKCS#8 and public key, and it signs a JWS that
//! its public half verifies; an Ed25519 key never verifies the small-order forgery.
#![no_main]

use jose_ring::jwk::Jwk;
use jose_ring::{SigningKey, VerifyingKey, jwa, jws};
use libfuzzer_sys::fuzz_target;

const ASYMMETRIC: [&jwa::Algorithm; 10] = [
    &jwa::RS256,
    &jwa::RS384,
    &jwa::RS512,
    &jwa::PS256,
    &jwa::PS384,
    &jwa::PS512,
    &jwa::ES256,
    &jwa::ES384,
    &jwa::EdDSA,
    &jwa::Ed25519,
];

/// `{"alg":"EdDSA"}`, payload `x`, signature `R = identity, S = 0`: it verifies under an
/// Ed25519 key of small order (always under the identity), never under an accepted key.
const FORGED_EDDSA: &str = "eyJhbGciOiJFZERTQSJ9.eA.\
    AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
/// The same forgery under `{"alg":"Ed25519"}` (RFC 9864).
const FORGED_ED25519: &str = "eyJhbGciOiJFZDI1NTE5In0.eA.\
    AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn check_public(alg: &'static jwa::Algorithm, vk: &VerifyingKey) {
    assert_eq!(vk.algorithm(), alg);
    let forged = match alg.name() {
        "EdDSA" => Some(FORGED_EDDSA),
        "Ed25519" => Some(FORGED_ED25519),
        _ => None,
    };
    if let Some(forged) = forged {
        assert!(
            jws::verify(forged, vk).is_err(),
            "a weak Ed25519 key was accepted"
        );
    }
    let spki = vk.to_spki_der();
    let der = VerifyingKey::from_spki_der(alg, &spki).expect("own SPKI re-imports");
    assert_eq!(der.to_spki_der(), spki);
    let pem = VerifyingKey::from_pem(alg, vk.to_spki_pem().as_bytes()).expect("own PEM re-imports");
    assert_eq!(pem.to_spki_der(), spki);
    let jwk = Jwk::from_verifying_key(vk);
    let back = jwk.verifying_key(alg).expect("own JWK binds");
    assert_eq!(back.to_spki_der(), spki);
    let json = jwk.to_json().expect("public JWK exports");
    let parsed = Jwk::from_json(json.as_bytes()).expect("exported JWK parses");
    assert_eq!(
        parsed.verifying_key(alg).expect("binds").to_spki_der(),
        spki
    );
}

fn check_private(alg: &'static jwa::Algorithm, sk: &SigningKey) {
    assert_eq!(sk.algorithm(), alg);
    let public = sk.verifying_key();
    check_public(alg, &public);
    let spki = public.to_spki_der();
    let pkcs8 = sk.to_pkcs8_der();
    let der = SigningKey::from_pkcs8_der(alg, pkcs8.expose()).expect("own PKCS#8 re-imports");
    assert_eq!(der.to_pkcs8_der().expose(), pkcs8.expose());
    assert_eq!(der.verifying_key().to_spki_der(), spki);
    let pem = SigningKey::from_pem(alg, sk.to_pkcs8_pem().expose()).expect("own PEM re-imports");
    assert_eq!(pem.to_pkcs8_der().expose(), pkcs8.expose());
    let jwk = Jwk::from_signing_key(sk).expect("exports as JWK");
    let from_jwk = jwk.signing_key(alg).expect("own JWK binds for signing");
    assert_eq!(from_jwk.verifying_key().to_spki_der(), spki);
    let token = jws::sign(b"import", &jws::Header::new(), sk).expect("signs");
    assert_eq!(
        jws::verify(&token, &public).expect("verifies").payload(),
        b"import"
    );
}

fuzz_target!(|data: &[u8]| {
    let [a, m, rest @ ..] = data else { return };
    let alg = ASYMMETRIC[usize::from(*a) % ASYMMETRIC.len()];
    let signing = match m % 10 {
        0 => Some(SigningKey::from_pem(alg, rest)),
        1 => Some(SigningKey::from_pkcs8_der(alg, rest)),
        2 => Some(SigningKey::from_pkcs1_der(alg, rest)),
        3 => Some(SigningKey::from_sec1_der(alg, rest)),
        _ => None,
    };
    if let Some(result) = signing {
        if let Ok(sk) = result {
            check_private(alg, &sk);
        }
        return;
    }
    let verifying = match m % 10 {
        4 => VerifyingKey::from_pem(alg, rest),
        5 => VerifyingKey::from_spki_der(alg, rest),
        6 => VerifyingKey::from_pkcs1_der(alg, rest),
        7 => {
            // First byte: the length of `e`, taken from the end.
            let Some((&e_len, key)) = rest.split_first() else {
                return;
            };
            let (n, e) = key.split_at(key.len().saturating_sub(usize::from(e_len)));
            VerifyingKey::from_rsa_components(alg, n, e)
        }
        8 => VerifyingKey::from_ec_point(alg, rest),
        _ => VerifyingKey::from_ed25519_bytes(alg, rest),
    };
    if let Ok(vk) = verifying {
        check_public(alg, &vk);
    }
});
