//! One JWK: parse, re-emit, thumbprint, and bind to every algorithm.
//!
//! Properties of a JWK that parses:
//! - `to_private_json` parses back to an equal JWK with the same thumbprint; `to_json` (public
//!   keys) parses back to `to_public()`, holds no private members, same thumbprint;
//! - for every algorithm: a key binds (`verifying_key`, `hmac_key`, `signing_key`) only if
//!   `fits(alg)` says so, is bound to that algorithm, and its JWK export has the same
//!   thumbprint; a verifying key's SPKI re-imports to the same SPKI; a signing key signs a JWS
//!   that its own public half and the JWK's verifying key (when that binds) verify; an HMAC key
//!   verifies what it signs.
#![no_main]

use jose_ring::jwk::{Jwk, ThumbprintHash};
use jose_ring::{VerifyingKey, jwa, jws};
use libfuzzer_sys::fuzz_target;

const MESSAGE: &[u8] = b"jose-ring fuzz";

fuzz_target!(|data: &[u8]| {
    let Ok(jwk) = Jwk::from_json(data) else {
        return;
    };
    let print = jwk.thumbprint();
    assert_eq!(print, jwk.thumbprint_with(ThumbprintHash::Sha256));
    assert!(jwk.thumbprint_uri(ThumbprintHash::Sha256).ends_with(&print));

    let private = jwk.to_private_json();
    let again = Jwk::from_json(private.expose()).expect("to_private_json parses back");
    // Numbers in members the crate does not interpret round-trip exactly too (serde_json's
    // `float_roundtrip`; tests/regression.rs, `jwk_float_member`).
    assert!(again == jwk, "to_private_json did not round-trip");
    assert_eq!(again.thumbprint(), print);

    match (jwk.kty(), jwk.to_json(), jwk.to_public()) {
        ("oct", Err(_), Err(_)) => {}
        ("oct", json, public) => panic!("oct exported publicly: {:?} {}", json, public.is_ok()),
        (_, Ok(json), Ok(public)) => {
            let parsed = Jwk::from_json(json.as_bytes()).expect("to_json parses back");
            assert!(parsed == public, "to_json did not round-trip to to_public");
            assert!(!parsed.is_private());
            assert_eq!(parsed.thumbprint(), print);
            assert_eq!(public.to_json().ok().as_deref(), Some(json.as_str()));
        }
        (kty, json, public) => panic!("{kty}: to_json {:?}, to_public {}", json, public.is_ok()),
    }

    for &alg in &jwa::ALL {
        let fits = jwk.fits(alg);
        let verifying = jwk.verifying_key(alg);
        let hmac = jwk.hmac_key(alg);
        let signing = jwk.signing_key(alg);
        if !fits {
            assert!(
                verifying.is_err() && hmac.is_err() && signing.is_err(),
                "bound without fitting {alg}"
            );
            continue;
        }
        if let Ok(vk) = &verifying {
            assert!(!alg.is_symmetric());
            assert_eq!(vk.algorithm(), alg);
            let spki = vk.to_spki_der();
            let re = VerifyingKey::from_spki_der(alg, &spki).expect("own SPKI re-imports");
            assert_eq!(re.to_spki_der(), spki);
            let pem = VerifyingKey::from_pem(alg, vk.to_spki_pem().as_bytes())
                .expect("own PEM re-imports");
            assert_eq!(pem.to_spki_der(), spki);
            assert_eq!(Jwk::from_verifying_key(vk).thumbprint(), print);
        }
        if let Ok(hk) = &hmac {
            assert!(alg.is_symmetric());
            assert_eq!(hk.algorithm(), alg);
            assert_eq!(Jwk::from_hmac_key(hk).thumbprint(), print);
            let token = jws::sign(MESSAGE, &jws::Header::new(), hk).expect("hmac signs");
            assert_eq!(
                jws::verify(&token, hk).expect("hmac verifies").payload(),
                MESSAGE
            );
        }
        if let Ok(sk) = &signing {
            assert!(!alg.is_symmetric());
            assert_eq!(sk.algorithm(), alg);
            assert_eq!(sk.kid(), jwk.kid());
            let public = sk.verifying_key();
            assert_eq!(Jwk::from_verifying_key(&public).thumbprint(), print);
            assert_eq!(
                Jwk::from_signing_key(sk).expect("export").thumbprint(),
                print
            );
            let token = jws::sign(MESSAGE, &jws::Header::new(), sk).expect("signs");
            assert_eq!(
                jws::verify(&token, &public)
                    .expect("own public half verifies")
                    .payload(),
                MESSAGE
            );
            if let Ok(vk) = &verifying {
                assert_eq!(vk.to_spki_der(), public.to_spki_der());
                jws::verify(&token, vk).expect("the JWK's verifying key verifies");
            }
        }
    }
});
