//! Discovery documents from the specifications' own examples.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::jwa::Algorithm;
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwks::{
    Discovery, KeySetCache, Response, Target, UriPolicy, WellKnown, discovery_uri,
};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{Error, KeySetError, NoKey, SigningKey, jwa};
use serde_json::Value;

const VECTORS: &str = include_str!("../test-vectors/jwks/discovery.json");

#[test]
fn the_specification_examples() {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    for v in vectors {
        let issuer = v["issuer"].as_str().unwrap();
        let json = serde_json::to_vec(&v["document"]).unwrap();
        let found = Discovery::from_json(&json, issuer, UriPolicy::HttpsOnly).unwrap();
        assert_eq!(found.issuer(), issuer);
        assert_eq!(
            found.jwks_uri(),
            v["expected"]["jwks_uri"].as_str().unwrap()
        );
        let names: Vec<&str> = found
            .id_token_algorithms()
            .iter()
            .map(|a| a.name())
            .collect();
        let want: Vec<&str> = v["expected"]["algorithms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(names, want, "{}", v["name"]);
        // Another issuer than the one asked for is refused, whatever the document says.
        assert_eq!(
            Discovery::from_json(&json, "https://server.example.com/", UriPolicy::HttpsOnly),
            Err(Error::KeySet(KeySetError::IssuerMismatch))
        );
    }
}

#[test]
fn rfc8414_metadata_lists_no_id_token_algorithms() {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    let json = serde_json::to_vec(&file["vectors"][1]["document"]).unwrap();
    let found =
        Discovery::from_json(&json, "https://server.example.com", UriPolicy::HttpsOnly).unwrap();
    assert_eq!(found.id_token_algorithms(), [] as [&Algorithm; 0]);
    assert_eq!(
        discovery_uri(
            found.issuer(),
            WellKnown::OAuthAuthorizationServer,
            UriPolicy::HttpsOnly
        )
        .unwrap(),
        "https://server.example.com/.well-known/oauth-authorization-server"
    );
}

/// An issuer whose ID tokens are RS256 only and whose access tokens are signed with each of
/// the other keys of its JWKS (as oidc-provider does per resource server).
const ISSUER: &str = "https://op.example";

fn discovered_cache(keys: &JwkSet, algorithms: &[&'static Algorithm]) -> KeySetCache {
    let now = NumericDate::from_seconds(1_700_000_000);
    let mut cache = KeySetCache::discover(
        ISSUER,
        WellKnown::OpenIdConfiguration,
        UriPolicy::HttpsOnly,
        algorithms,
    )
    .unwrap();
    let document = serde_json::json!({
        "issuer": ISSUER,
        "jwks_uri": "https://op.example/jwks",
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let first = cache.poll(now).unwrap();
    assert_eq!(first.target(), Target::Discovery);
    let body = serde_json::to_vec(&document).unwrap();
    let next = cache
        .complete(first, now, &Response::new(200, body))
        .unwrap()
        .unwrap();
    assert_eq!(
        (next.target(), next.uri()),
        (Target::KeySet, "https://op.example/jwks")
    );
    let body = keys.to_json().unwrap().into_bytes();
    assert_eq!(
        cache
            .complete(next, now, &Response::new(200, body))
            .unwrap(),
        None
    );
    cache
}

#[test]
fn access_token_algorithms_come_from_the_keys_not_the_id_token_list() {
    let now = NumericDate::from_seconds(1_700_000_000);
    let rsa = include_bytes!("../test-vectors/keys/rsa2048.pkcs8.pem");
    // Each signer's JWK: with its `alg` (ES384, Ed25519), or without one (the RSA key, used
    // for PS256 here: its kty allows RS* and PS*).
    let signers = [
        (
            SigningKey::generate(&jwa::ES384).unwrap().with_kid("ec384"),
            true,
        ),
        (
            SigningKey::generate(&jwa::Ed25519).unwrap().with_kid("ed"),
            true,
        ),
        (
            SigningKey::from_pem(&jwa::PS256, rsa)
                .unwrap()
                .with_kid("rsa"),
            false,
        ),
    ];
    let keys: JwkSet = signers
        .iter()
        .map(|(key, with_alg)| {
            let jwk = Jwk::from_verifying_key(&key.verifying_key());
            if *with_alg {
                jwk
            } else {
                let mut members: Value = serde_json::from_str(&jwk.to_json().unwrap()).unwrap();
                members.as_object_mut().unwrap().remove("alg");
                Jwk::from_json(members.to_string().as_bytes()).unwrap()
            }
        })
        .collect();
    assert_eq!(keys.keys()[2].alg(), None);
    let cache = discovered_cache(&keys, &jwa::ASYMMETRIC);
    let ring = cache.keys(now).unwrap();
    let rules = Validation::new(now);
    let claims = RegisteredClaims::new().with_lifetime(now, 300);
    for (key, _) in &signers {
        let token = jwt::encode(&claims, key).unwrap();
        let verified: jwt::Verified<RegisteredClaims> = jwt::decode(&token, &**ring, &rules)
            .unwrap_or_else(|e| panic!("{}: {e}", key.algorithm().name()));
        assert_eq!(verified.algorithm(), key.algorithm());
    }
    // The RSA key without `alg` also verifies RS256 (its kty fits); the ES384 key, having an
    // `alg`, binds to nothing else.
    let rs256 = SigningKey::from_pem(&jwa::RS256, rsa)
        .unwrap()
        .with_kid("rsa");
    assert!(
        jwt::decode::<RegisteredClaims, _>(&jwt::encode(&claims, &rs256).unwrap(), &**ring, &rules)
            .is_ok()
    );

    // The caller's list narrows what the keys allow: here RS256 only.
    let narrowed = discovered_cache(&keys, &[&jwa::RS256]);
    let ring = narrowed.keys(now).unwrap();
    let es384 = jwt::encode(&claims, &signers[0].0).unwrap();
    assert_eq!(
        jwt::decode::<RegisteredClaims, _>(&es384, &**ring, &rules).map(|_| ()),
        Err(Error::NoKey(NoKey::UnknownKid))
    );
}
