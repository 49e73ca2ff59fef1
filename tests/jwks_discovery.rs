//! Discovery documents from the specifications' own examples.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::jwa::Algorithm;
use jose_ring::jwks::{Discovery, UriPolicy, WellKnown, discovery_uri};
use jose_ring::{Error, KeySetError, jwa};
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
        let names: Vec<&str> = found.algorithms().iter().map(|a| a.name()).collect();
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
fn rfc8414_metadata_falls_back_to_the_callers_algorithms() {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    let json = serde_json::to_vec(&file["vectors"][1]["document"]).unwrap();
    let found =
        Discovery::from_json(&json, "https://server.example.com", UriPolicy::HttpsOnly).unwrap();
    let fallback: [&'static Algorithm; 1] = [&jwa::PS256];
    assert_eq!(found.algorithms_or(&fallback), [&jwa::PS256]);
    assert_eq!(
        discovery_uri(found.issuer(), WellKnown::OAuthAuthorizationServer).unwrap(),
        "https://server.example.com/.well-known/oauth-authorization-server"
    );
}
