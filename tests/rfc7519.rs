//! RFC 7519 §3.1 (the example JWT, clock pinned) and §6.1 (the unsecured JWT, rejected).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod common;

use common::{text, vectors};
use jose_ring::ClaimError;
use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring::{Error, HmacKey, Unsupported, jwa};
use serde::Deserialize;

/// The claims of the example, with its URI-named private claim.
#[derive(Debug, Deserialize, PartialEq)]
struct Example {
    iss: String,
    exp: NumericDate,
    #[serde(rename = "http://example.com/is_root")]
    is_root: bool,
}

fn key() -> HmacKey {
    let v = vectors("rfc7519");
    let k = text(&v["3.1"]["key"], "k");
    let secret = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(k).unwrap();
    HmacKey::new(&jwa::HS256, &secret).unwrap()
}

#[test]
fn section_3_1_example_jwt() {
    let v = vectors("rfc7519");
    let token = text(&v["3.1"], "jwt");
    // exp 1300819380: one second before, the token is valid; at exp, expired.
    let rules = Validation::new(NumericDate::from_seconds(1_300_819_379)).with_issuer("joe");
    let verified: jwt::Verified<Example> = jwt::decode(token, &key(), &rules).unwrap();
    assert_eq!(
        verified.claims(),
        &Example {
            iss: "joe".into(),
            exp: NumericDate::from_seconds(1_300_819_380),
            is_root: true,
        }
    );
    assert_eq!(verified.header().typ(), Some("JWT"));
    assert_eq!(verified.algorithm(), &jwa::HS256);
    assert_eq!(
        verified.expires_at(),
        Some(NumericDate::from_seconds(1_300_819_380))
    );
    let at_exp = rules
        .clone()
        .with_time(NumericDate::from_seconds(1_300_819_380));
    assert_eq!(
        jwt::decode::<Example, _>(token, &key(), &at_exp).map(|_| ()),
        Err(Error::from(ClaimError::Expired {
            now: NumericDate::from_seconds(1_300_819_380),
            exp: NumericDate::from_seconds(1_300_819_380),
        }))
    );
    // Today (any time after 2011) it is expired.
    #[cfg(feature = "std")]
    assert!(matches!(
        jwt::decode::<Example, _>(token, &key(), &Validation::from_clock(std::sync::Arc::new(jwt::SystemClock))),
        Err(Error::Claim(c)) if matches!(c, ClaimError::Expired { .. })
    ));
    common::assert_tampered_fail(token, &key());
}

#[test]
fn section_6_1_unsecured_jwt_is_rejected() {
    let v = vectors("rfc7519");
    let token = text(&v["6.1"], "jwt");
    let rules = Validation::new(NumericDate::from_seconds(1_300_819_379));
    assert_eq!(
        jwt::decode::<Example, _>(token, &key(), &rules).map(|_| ()),
        Err(Error::Unsupported(Unsupported::None))
    );
    // Also with a signature segment added, and with every spelling.
    for alg in ["none", "None", "NONE"] {
        let forged = common::forge(
            &format!(r#"{{"alg":"{alg}"}}"#),
            text(&v["6.1"], "claims_set_b64u"),
        );
        assert_eq!(
            jwt::decode::<Example, _>(&forged, &key(), &rules).map(|_| ()),
            Err(Error::Unsupported(Unsupported::None))
        );
    }
}
