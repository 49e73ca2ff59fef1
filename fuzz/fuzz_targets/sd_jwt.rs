//! SD-JWT (RFC 9901): arbitrary presentations parsed, processed and verified, and SD-JWTs
//! issued, presented and verified again from arbitrary claims.
//!
//! Input: any text, read three ways: as a presentation (compact or JSON); and, if it is a JSON
//! object, as claims to issue.
//!
//! Properties:
//! - nothing panics: not parsing, not a holder's processing and presenting, not verifying
//!   with or without key binding;
//! - an accepted presentation's processed payload holds no `_sd`, `_sd_alg` or `...` at any
//!   depth, and, without key binding, presenting all of it again verifies to the same payload;
//! - claims issued here with every top-level member disclosable (RFC 9901 §4) and presented
//!   with a KB-JWT verify back to the claims; with any one disclosure dropped, the KB-JWT's
//!   `sd_hash` no longer matches.
#![no_main]

use jose_ring::jwk::Jwk;
use jose_ring::jwt::{self, NumericDate};
use jose_ring::sd_jwt::{self, Issuer, KeyBinding, Unverified, Validation};
use jose_ring::{Error, SdJwt};
use jose_ring_fuzz::keys;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// The time, verifier and nonce of every check (the seeds are made for them).
const NOW: i64 = 1_700_000_000;
const AUD: &str = "https://verifier.example";
const NONCE: &str = "n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = NumericDate::from_seconds(NOW);
    let plain = Validation::new(jwt::Validation::new(now).with_any_typ().with_optional_exp());
    let bound = plain.clone().with_key_binding(AUD, NONCE);
    let keys = &keys().ring;

    if let Ok(sd) = Unverified::parse(text) {
        let _ = sd.unverified_claims();
        if let Ok(presented) = sd.present(&["/a", "/a/0"]) {
            let _ = presented.disclosures().count();
            let _ = presented.into_sd_jwt();
        }
    }
    if let Ok(sd) = Unverified::parse(text) {
        let _ = sd.present_all().map(sd_jwt::Presentation::into_sd_jwt);
    }
    for rules in [&plain, &bound] {
        if let Ok(verified) = sd_jwt::verify(text, keys, rules) {
            assert_clean(&Value::Object(verified.claims().clone()));
            if !rules.requires_key_binding() {
                let again = Unverified::parse(text)
                    .and_then(Unverified::present_all)
                    .and_then(sd_jwt::Presentation::into_sd_jwt)
                    .expect("an accepted SD-JWT presents");
                let reverified = sd_jwt::verify(&again, keys, rules).expect("and verifies again");
                assert_eq!(reverified.claims(), verified.claims());
            }
        }
    }

    let Ok(claims) = serde_json::from_str::<Map<String, Value>>(text) else {
        return;
    };
    round_trip(claims, &bound);
});

/// Issues `claims` with every top-level member disclosable and a KB-JWT, and checks the
/// verifier gets them back.
fn round_trip(claims: Map<String, Value>, rules: &Validation) {
    let keys = keys();
    let holder = &keys.signing[3];
    let mut issuer = Issuer::new(claims.clone());
    for name in claims.keys() {
        let escaped = name.replace('~', "~0").replace('/', "~1");
        issuer = issuer.with_disclosable(format!("/{escaped}"));
    }
    let issued = match issuer
        .with_holder_key(&Jwk::from_signing_key(holder).expect("jwk"))
        .expect("holder key")
        .sign(&keys.signing[0])
    {
        Ok(issued) => issued,
        // Claims SD-JWT reserves names of, or nested too deep to be read back.
        Err(Error::Misuse(_) | Error::Malformed(_)) => return,
        Err(other) => panic!("issuing failed: {other:?}"),
    };
    let binding = KeyBinding::new(AUD, NONCE, NumericDate::from_seconds(NOW));
    let presented = match Unverified::parse(&issued)
        .and_then(Unverified::present_all)
        .and_then(|p| p.with_key_binding(&binding, holder))
    {
        Ok(presented) => presented,
        Err(Error::TooLarge { .. }) => return,
        Err(other) => panic!("presenting failed: {other:?}"),
    };
    let mut expected = claims;
    let verified = match sd_jwt::verify(&presented, &keys.ring, rules) {
        Ok(verified) => verified,
        // Registered claims of the wrong type, times out of range, or nesting beyond the
        // processing limits: the claims rules speak, not the disclosures.
        Err(Error::Claim(_) | Error::TooLarge { .. }) => return,
        Err(other) => panic!("a fresh SD-JWT+KB is refused: {other:?}"),
    };
    expected.insert("cnf".into(), verified.claims()["cnf"].clone());
    assert_eq!(verified.claims(), &expected);
    // One disclosure fewer: the KB-JWT covered the other set.
    let components: Vec<&str> = presented.split('~').collect();
    if components.len() > 2 {
        let mut fewer = components.clone();
        fewer.remove(1);
        assert_eq!(
            sd_jwt::verify(&fewer.join("~"), &keys.ring, rules).map(|_| ()),
            Err(SdJwt::KbSdHash.into())
        );
    }
}

/// No name SD-JWT reserves survives processing.
fn assert_clean(value: &Value) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                assert!(name != "_sd" && name != "_sd_alg" && name != "...");
                assert_clean(member);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_clean),
        _ => {}
    }
}
