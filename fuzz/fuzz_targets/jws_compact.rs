//! Compact JWS parse + verify with every fixed key and with a key ring.
//!
//! Input: a token, optionally followed by a NUL byte and detached content (then
//! `jws::verify_detached` is used). Properties:
//! - a token that does not parse fails `verify` with the same error;
//! - a key bound to another algorithm than the token's `alg` never reaches the signature
//!   check (the error is never `InvalidSignature`);
//! - a token that verifies: the algorithm is the key's and the header's, the header equals the
//!   parsed one, the payload and signature segments are the canonical base64url of what was
//!   decoded (or the payload as it is, unencoded / detached), and signing the same header JSON
//!   and payload again gives back the same token for the deterministic algorithms (HS256,
//!   EdDSA, Ed25519, RS256) and a token that verifies to the same header and payload for the others;
//! - the key ring verifies exactly when the single key for the token's `alg` does.
#![no_main]

use jose_ring::jws::{self, Verified};
use jose_ring::{Error, KeySource, Malformed, Signer};
use jose_ring_fuzz::{b64d, b64e, keys, segments};
use libfuzzer_sys::fuzz_target;

fn run<K: KeySource + ?Sized>(
    token: &str,
    detached: Option<&[u8]>,
    key: &K,
) -> Result<Verified, Error> {
    match detached {
        Some(payload) => jws::verify_detached(token, payload, key),
        None => jws::verify(token, key),
    }
}

fn check(token: &str, detached: Option<&[u8]>, signer: &dyn Signer, verified: &Verified) {
    let parsed = jws::Unverified::parse(token).expect("verified, so it parses");
    assert_eq!(verified.algorithm(), signer.algorithm());
    assert_eq!(verified.algorithm().name(), parsed.alg());
    assert_eq!(verified.header(), parsed.header());
    let (h, p, s) = segments(token).expect("three segments");
    let unencoded = verified.header().is_unencoded();
    match detached {
        Some(content) => {
            assert!(p.is_empty());
            assert_eq!(verified.payload(), content);
        }
        None if unencoded => assert_eq!(verified.payload(), p.as_bytes()),
        None => {
            assert_eq!(b64e(verified.payload()), p, "payload segment not canonical");
            assert_eq!(b64d(p).as_deref(), Some(verified.payload()));
        }
    }
    let signature = b64d(s).expect("signature segment is base64url");
    assert_eq!(b64e(&signature), s, "signature segment not canonical");
    let header_json = b64d(h).expect("header segment is base64url");
    assert_eq!(b64e(&header_json), h, "header segment not canonical");

    // Sign the same header JSON and payload again.
    let again = match detached {
        Some(_) => jws::sign_detached_with_header_json(&header_json, verified.payload(), signer),
        None => jws::sign_with_header_json(&header_json, verified.payload(), signer),
    }
    .expect("what verified can be signed again");
    if matches!(
        signer.algorithm().name(),
        "HS256" | "EdDSA" | "Ed25519" | "RS256"
    ) {
        assert_eq!(again, token, "deterministic signature differs");
    } else {
        let verifier = keys()
            .verifying
            .iter()
            .find(|k| k.algorithm() == signer.algorithm())
            .expect("key");
        let second = run(&again, detached, verifier).expect("re-signed token verifies");
        assert_eq!(second.payload(), verified.payload());
        assert_eq!(second.header(), verified.header());
    }
}

fuzz_target!(|data: &[u8]| {
    let (token, detached) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    let keys = keys();

    let parsed = match jws::Unverified::parse(token) {
        Ok(parsed) => parsed,
        Err(error) => {
            assert_eq!(run(token, detached, &keys.hmac).err(), Some(error.clone()));
            assert_eq!(run(token, detached, &keys.ring).err(), Some(error));
            return;
        }
    };
    let alg = parsed.alg().to_owned();
    let payload_segment_empty = segments(token).is_some_and(|(_, p, _)| p.is_empty());

    let mut pairs: Vec<(&dyn Signer, Result<Verified, Error>)> =
        vec![(&keys.hmac, run(token, detached, &keys.hmac))];
    for (signer, verifier) in keys.signing.iter().zip(&keys.verifying) {
        pairs.push((signer, run(token, detached, verifier)));
    }
    for (signer, result) in &pairs {
        match result {
            Ok(verified) => check(token, detached, *signer, verified),
            Err(error) => {
                if detached.is_some() && !payload_segment_empty {
                    assert_eq!(*error, Error::Malformed(Malformed::NotDetached));
                }
                if alg != signer.algorithm().name() {
                    assert_ne!(
                        *error,
                        Error::InvalidSignature,
                        "crypto ran for a foreign alg"
                    );
                }
            }
        }
    }

    let ring = run(token, detached, &keys.ring);
    let single = pairs.iter().find(|(s, _)| s.algorithm().name() == alg);
    match (&ring, single) {
        (Ok(by_ring), Some((_, Ok(by_key)))) => {
            assert_eq!(by_ring.payload(), by_key.payload());
            assert_eq!(by_ring.header(), by_key.header());
            assert_eq!(by_ring.algorithm(), by_key.algorithm());
        }
        (Ok(_), _) => panic!("the key ring verified what the single key did not"),
        (Err(_), Some((_, Ok(_)))) => panic!("the single key verified what the key ring did not"),
        (Err(_), _) => {}
    }
});
