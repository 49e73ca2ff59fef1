//! Property tests: parsing never panics, signing round-trips for every algorithm, and no
//! single-character change of a token survives verification.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]

use std::sync::OnceLock;

use jose_ring::{HmacKey, KeyRef, KeySource, SigningKey, jwa, jws};
use proptest::prelude::*;

/// A signer and its verifier, for one algorithm.
enum Pair {
    Hmac(HmacKey),
    Asym(Box<SigningKey>, jose_ring::VerifyingKey),
}

impl Pair {
    fn sign(&self, payload: &[u8], header: &jws::Header) -> String {
        match self {
            Pair::Hmac(k) => jws::sign(payload, header, k).unwrap(),
            Pair::Asym(k, _) => jws::sign(payload, header, k.as_ref()).unwrap(),
        }
    }

    fn verifier(&self) -> KeyRef<'_> {
        match self {
            Pair::Hmac(k) => k.into(),
            Pair::Asym(_, v) => v.into(),
        }
    }
}

struct One<'a>(KeyRef<'a>);

impl KeySource for One<'_> {
    fn select(&self, _: &str, _: Option<&str>) -> Result<KeyRef<'_>, jose_ring::Error> {
        Ok(self.0)
    }
}

fn pairs() -> &'static Vec<Pair> {
    static PAIRS: OnceLock<Vec<Pair>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let rsa = include_bytes!("../test-vectors/keys/rsa2048.pkcs8.pem");
        jwa::ALL
            .iter()
            .map(|&alg| {
                if alg.is_symmetric() {
                    return Pair::Hmac(HmacKey::generate(alg).unwrap());
                }
                let key = match alg.name() {
                    n if n.starts_with("RS") || n.starts_with("PS") => {
                        SigningKey::from_pem(alg, rsa).unwrap()
                    }
                    _ => SigningKey::generate(alg).unwrap(),
                };
                assert_eq!(key.algorithm(), alg);
                let public = key.verifying_key();
                Pair::Asym(Box::new(key), public)
            })
            .collect()
    })
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ !";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_never_panics_on_strings(s in ".{0,300}") {
        let _ = jws::Unverified::parse(&s);
    }

    #[test]
    fn parsing_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = jws::Unverified::parse(&s);
        let _ = jose_ring::VerifyingKey::from_pem(&jwa::ES256, &bytes);
        let _ = jose_ring::VerifyingKey::from_spki_der(&jwa::RS256, &bytes);
        let _ = SigningKey::from_pkcs8_der(&jwa::EdDSA, &bytes);
    }

    #[test]
    fn parsing_never_panics_on_token_shapes(
        header in "\\{(\"[a-z0-9]{1,4}\":(\"[A-Za-z0-9]{0,6}\"|[0-9]{1,3}|true|null|\\[\\]|\\{\\}),?){0,5}\\}",
        payload in "[A-Za-z0-9_-]{0,40}",
        signature in "[A-Za-z0-9_-]{0,90}",
    ) {
        let token = format!(
            "{}.{payload}.{signature}",
            <base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode_string(header.as_bytes())
        );
        let key = HmacKey::new(&jwa::HS256, &[1; 32]).unwrap();
        let _ = jws::verify(&token, &key);
    }

    #[test]
    fn sign_then_verify_round_trips(
        which in 0..jwa::ALL.len(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
        kid in proptest::option::of("[ -~]{0,20}"),
    ) {
        let pair = &pairs()[which];
        let mut header = jws::Header::new().with_typ("JWT");
        if let Some(kid) = &kid {
            header = header.with_kid(kid.clone());
        }
        let token = pair.sign(&payload, &header);
        let verified = jws::verify(&token, &One(pair.verifier())).unwrap();
        prop_assert_eq!(verified.payload(), &payload[..]);
        prop_assert_eq!(verified.header().kid(), kid.as_deref());
        prop_assert_eq!(verified.algorithm(), jwa::ALL[which]);
        let detached = match pair {
            Pair::Hmac(k) => jws::sign_detached(&payload, &header, k).unwrap(),
            Pair::Asym(k, _) => jws::sign_detached(&payload, &header, k.as_ref()).unwrap(),
        };
        let verified = jws::verify_detached(&detached, &payload, &One(pair.verifier())).unwrap();
        prop_assert_eq!(verified.payload(), &payload[..]);
    }

    #[test]
    fn any_single_character_change_is_rejected(
        which in 0..jwa::ALL.len(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(ALPHABET),
    ) {
        let pair = &pairs()[which];
        let token = pair.sign(br#"{"sub":"ada","admin":false}"#, &jws::Header::new());
        let at = position.index(token.len());
        let mut bytes = token.clone().into_bytes();
        bytes[at] = replacement;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assume!(changed != token);
        prop_assert!(jws::verify(&changed, &One(pair.verifier())).is_err(), "{}", changed);
    }
}
