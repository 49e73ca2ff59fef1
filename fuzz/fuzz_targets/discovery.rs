//! A discovery document (OpenID Connect Discovery 1.0, RFC 8414) for an expected issuer, and
//! the well-known URIs of that issuer.
//!
//! Input: the expected issuer, `\0`, the document. Properties:
//! - `Discovery::from_json` never panics; over `MAX_DOCUMENT_LEN` it is exactly `TooLarge`;
//! - a document accepted under `HttpsOnly` is accepted, the same, under `AllowHttpLoopback`;
//! - an accepted document: `issuer()` is the expected issuer byte for byte and the document's
//!   `issuer` member; `jwks_uri()` is its `jwks_uri` member, `https` (or loopback `http` under
//!   `AllowHttpLoopback`), without fragment; `id_token_algorithms()` holds no `none`, no
//!   HMAC, no repeat, each listed in `id_token_signing_alg_values_supported`, in its order;
//! - `discovery_uri` of an issuer accepted in a document succeeds for both kinds, starts with
//!   the issuer's scheme and authority and holds the well-known suffix once;
//! - a `KeySetCache::discover` for the issuer, given the document as its first response,
//!   goes on to fetch exactly the `jwks_uri` `Discovery::from_json` read, as one fetch still
//!   in flight; given a document `Discovery::from_json` refuses, it fails with the same error
//!   and has nothing in flight.
#![no_main]

use jose_ring::jwks::{
    Discovery, KeySetCache, MAX_DOCUMENT_LEN, Response, Target, UriPolicy, WellKnown, discovery_uri,
};
use jose_ring::jwt::NumericDate;
use jose_ring::{Error, jwa};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (issuer, json) = (&data[..split], &data[split + 1..]);
    let Ok(issuer) = std::str::from_utf8(issuer) else {
        return;
    };
    let strict = Discovery::from_json(json, issuer, UriPolicy::HttpsOnly);
    let loopback = Discovery::from_json(json, issuer, UriPolicy::AllowHttpLoopback);
    if let Ok(mut cache) = KeySetCache::discover(
        issuer,
        WellKnown::OpenIdConfiguration,
        UriPolicy::AllowHttpLoopback,
        &jwa::ASYMMETRIC,
    ) {
        let now = NumericDate::from_seconds(1_700_000_000);
        let first = cache.poll(now).expect("an empty cache fetches");
        assert_eq!(first.target(), Target::Discovery);
        match (
            cache.complete(first, now, &Response::new(200, json.to_vec())),
            &loopback,
        ) {
            (Ok(Some(next)), Ok(found)) => {
                assert_eq!(
                    (next.target(), next.uri()),
                    (Target::KeySet, found.jwks_uri())
                );
                assert!(cache.in_flight(now));
            }
            (Err(error), Err(expected)) => {
                assert_eq!(&error, expected);
                assert!(!cache.in_flight(now));
            }
            (outcome, expected) => panic!("cache {outcome:?}, document {expected:?}"),
        }
    }
    if json.len() > MAX_DOCUMENT_LEN {
        let too_large = Err(Error::TooLarge {
            what: "discovery document",
            limit: MAX_DOCUMENT_LEN,
        });
        assert_eq!(strict, too_large);
        assert_eq!(loopback, too_large);
        return;
    }
    if let Ok(found) = &strict {
        assert_eq!(
            loopback.as_ref(),
            Ok(found),
            "loopback policy refused an https document"
        );
        assert!(
            found
                .jwks_uri()
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        );
    }
    let Ok(found) = loopback else {
        return;
    };
    let doc: Value = serde_json::from_slice(json).expect("an accepted document is JSON");
    assert_eq!(found.issuer(), issuer);
    assert_eq!(doc["issuer"].as_str(), Some(issuer));
    assert_eq!(doc["jwks_uri"].as_str(), Some(found.jwks_uri()));
    let uri = found.jwks_uri().to_ascii_lowercase();
    assert!(uri.starts_with("https://") || uri.starts_with("http://"));
    assert!(!uri.contains('#'));
    let listed: Vec<&str> = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut position = 0;
    for (i, alg) in found.id_token_algorithms().iter().enumerate() {
        assert!(!alg.is_symmetric(), "an HMAC algorithm kept");
        assert!(!alg.name().eq_ignore_ascii_case("none"));
        assert!(jwa::ALL.contains(alg));
        assert!(
            !found.id_token_algorithms()[..i].contains(alg),
            "an algorithm kept twice"
        );
        let at = listed[position..]
            .iter()
            .position(|&n| n == alg.name())
            .expect("an algorithm the document does not list, or out of order");
        position += at + 1;
    }
    for (kind, suffix) in [
        (
            WellKnown::OpenIdConfiguration,
            "/.well-known/openid-configuration",
        ),
        (
            WellKnown::OAuthAuthorizationServer,
            "/.well-known/oauth-authorization-server",
        ),
    ] {
        let well_known = discovery_uri(issuer, kind, UriPolicy::AllowHttpLoopback)
            .expect("an accepted issuer has well-known URIs");
        let origin_end = issuer[issuer.find("://").unwrap() + 3..]
            .find('/')
            .map_or(issuer.len(), |i| i + issuer.find("://").unwrap() + 3);
        assert!(well_known.starts_with(&issuer[..origin_end]));
        assert_eq!(
            well_known.matches(suffix).count(),
            issuer.matches(suffix).count() + 1
        );
    }
});
