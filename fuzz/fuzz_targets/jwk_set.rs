//! A JWK Set: parse leniently, re-emit, build a key ring for every algorithm, select keys.
//!
//! Properties of a set that parses:
//! - every entry of `"keys"` is either kept or listed in `skipped()` (indexes increasing, in
//!   range, never both);
//! - `to_json` (sets without `oct` keys) parses back to the public form of the same keys;
//! - `key_ring(ALL)`: every key it selects is bound to the algorithm asked for and, when a kid
//!   was asked for, carries that kid; a ring entry is skipped only with an error;
//! - a private key of the set that also binds for verification signs a JWS that the ring
//!   verifies, or the ring refuses with a `NoKey` error (ambiguity): never a wrong signature.
#![no_main]

use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::{Error, KeySource, jwa, jws};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(set) = JwkSet::from_json(data) else {
        return;
    };
    let entries = serde_json::from_slice::<Value>(data)
        .ok()
        .and_then(|v| v.get("keys").and_then(Value::as_array).map(Vec::len));
    let skipped: Vec<usize> = set.skipped().iter().map(|s| s.index()).collect();
    assert!(
        skipped.windows(2).all(|w| w[0] < w[1]),
        "skipped indexes not increasing"
    );
    if let Some(entries) = entries {
        assert_eq!(set.keys().len() + skipped.len(), entries, "entries lost");
        assert!(skipped.iter().all(|&i| i < entries));
    }

    if set.keys().iter().all(|k| k.kty() != "oct") {
        let json = set.to_json().expect("a set without oct keys exports");
        let again = JwkSet::from_json(json.as_bytes()).expect("exported set parses");
        assert!(again.skipped().is_empty(), "an exported key was skipped");
        assert_eq!(again.keys().len(), set.keys().len());
        for (a, b) in again.keys().iter().zip(set.keys()) {
            let public = b.to_public().expect("public form");
            assert!(*a == public, "to_json did not round-trip");
            assert_eq!(a.thumbprint(), public.thumbprint());
        }
    } else {
        assert!(set.to_json().is_err(), "oct keys exported");
    }
    for key in set.keys() {
        if let Some(kid) = key.kid() {
            assert!(set.find(kid).any(|k| k == key));
        }
    }

    let ring = set.key_ring(&jwa::ALL);
    for s in ring.skipped() {
        assert!(s.index() < set.keys().len());
    }
    let mut kids: Vec<Option<&str>> = vec![None];
    kids.extend(set.keys().iter().filter_map(Jwk::kid).map(Some));
    kids.truncate(16);
    for &alg in &jwa::ALL {
        for &kid in &kids {
            if let Ok(key) = ring.select(alg.name(), kid) {
                assert_eq!(key.algorithm(), alg);
                if let Some(kid) = kid {
                    assert_eq!(key.kid(), Some(kid));
                }
            }
        }
    }

    // Private keys in the set: what they sign, the ring verifies or refuses to choose.
    for jwk in set.keys().iter().take(4) {
        for &alg in &jwa::ALL {
            let token = if let Ok(k) = jwk.signing_key(alg) {
                jws::sign(b"set", &jws::Header::new(), &k)
            } else if let Ok(k) = jwk.hmac_key(alg) {
                jws::sign(b"set", &jws::Header::new(), &k)
            } else {
                continue;
            };
            let token = token.expect("a bound key signs");
            // Only a key the ring holds (one that binds for verification) must be found.
            if jwk.verifying_key(alg).is_err() && jwk.hmac_key(alg).is_err() {
                continue;
            }
            match jws::verify(&token, &ring) {
                Ok(verified) => assert_eq!(verified.payload(), b"set"),
                Err(Error::NoKey(_)) => {}
                Err(other) => panic!("ring rejected a set key's token with {other:?}"),
            }
        }
    }
});
