//! Where the OAuth endpoints are and what they support, computed once at start: the URLs
//! clients use (the token endpoint is also an `aud` a client assertion may name) and the
//! RFC 8414 authorization server metadata document that lists them.

use jose_ring::jwa;
use serde::Serialize;

/// The endpoints' paths.
pub const TOKEN_PATH: &str = "/token";
/// `POST /revoke` (RFC 7009).
pub const REVOCATION_PATH: &str = "/revoke";
/// `POST /introspect` (RFC 7662).
pub const INTROSPECTION_PATH: &str = "/introspect";
/// The JWK Set.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The metadata document (RFC 8414 §3, for an issuer without a path).
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

/// The client authentication methods of every endpoint (RFC 8414 §2); `none` is a public
/// client naming itself (the refresh grant and revocation of `/login`'s tokens).
const AUTH_METHODS: [&str; 3] = ["client_secret_basic", "private_key_jwt", "none"];
/// Introspection is for confidential clients only.
const INTROSPECTION_AUTH_METHODS: [&str; 2] = ["client_secret_basic", "private_key_jwt"];

/// The URLs of the endpoints and the metadata document.
#[derive(Debug)]
pub struct Endpoints {
    /// The issuer identifier.
    pub issuer: String,
    /// The token endpoint URL (`<public origin>/token`).
    pub token_endpoint: String,
    /// The metadata document (JSON).
    pub document: String,
}

/// RFC 8414 §2.
#[derive(Serialize)]
struct Document<'a> {
    issuer: &'a str,
    token_endpoint: &'a str,
    jwks_uri: String,
    revocation_endpoint: String,
    introspection_endpoint: String,
    grant_types_supported: [&'static str; 2],
    /// Required by RFC 8414 §2; empty: no authorization endpoint.
    response_types_supported: [&'static str; 0],
    token_endpoint_auth_methods_supported: [&'static str; 3],
    token_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    revocation_endpoint_auth_methods_supported: [&'static str; 3],
    revocation_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    introspection_endpoint_auth_methods_supported: [&'static str; 2],
    introspection_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    /// RFC 9449 §5.1: the proofs `/token` (and the API) accept.
    dpop_signing_alg_values_supported: Vec<&'static str>,
}

impl Endpoints {
    /// The endpoints of `issuer`, reached at `origin` (`scheme://host[:port]`).
    #[must_use]
    pub fn new(issuer: &str, origin: &str) -> Self {
        let token_endpoint = format!("{origin}{TOKEN_PATH}");
        let algorithms: Vec<&'static str> = jwa::ASYMMETRIC.iter().map(|alg| alg.name()).collect();
        let document = Document {
            issuer,
            token_endpoint: &token_endpoint,
            jwks_uri: format!("{origin}{JWKS_PATH}"),
            revocation_endpoint: format!("{origin}{REVOCATION_PATH}"),
            introspection_endpoint: format!("{origin}{INTROSPECTION_PATH}"),
            grant_types_supported: ["client_credentials", "refresh_token"],
            response_types_supported: [],
            token_endpoint_auth_methods_supported: AUTH_METHODS,
            token_endpoint_auth_signing_alg_values_supported: algorithms.clone(),
            revocation_endpoint_auth_methods_supported: AUTH_METHODS,
            revocation_endpoint_auth_signing_alg_values_supported: algorithms.clone(),
            introspection_endpoint_auth_methods_supported: INTROSPECTION_AUTH_METHODS,
            introspection_endpoint_auth_signing_alg_values_supported: algorithms.clone(),
            dpop_signing_alg_values_supported: algorithms,
        };
        // Serializing a struct of strings cannot fail; an empty object would be refused by
        // any client (no `issuer`), never taken for a document.
        let document = serde_json::to_string(&document).unwrap_or_else(|_| "{}".to_owned());
        Self {
            issuer: issuer.to_owned(),
            token_endpoint,
            document,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_every_endpoint() {
        let endpoints = Endpoints::new("https://auth.example", "https://auth.example");
        assert_eq!(endpoints.token_endpoint, "https://auth.example/token");
        let document: serde_json::Value =
            serde_json::from_str(&endpoints.document).unwrap_or_default();
        assert_eq!(document["issuer"], "https://auth.example");
        assert_eq!(
            document["jwks_uri"],
            "https://auth.example/.well-known/jwks.json"
        );
        assert_eq!(
            document["revocation_endpoint"],
            "https://auth.example/revoke"
        );
        assert_eq!(
            document["introspection_endpoint"],
            "https://auth.example/introspect"
        );
        assert_eq!(
            document["grant_types_supported"],
            serde_json::json!(["client_credentials", "refresh_token"])
        );
        assert_eq!(
            document["dpop_signing_alg_values_supported"][0],
            jwa::ASYMMETRIC[0].name()
        );
    }
}
