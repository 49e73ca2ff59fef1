//! OpenID Connect Discovery 1.0 and OAuth 2.0 Authorization Server Metadata (RFC 8414): where
//! an issuer publishes its keys, and with which algorithms it signs.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Deserialize;

use super::uri::{self, UriPolicy};
use crate::error::{Error, KeySetError};
use crate::jwa::Algorithm;

/// The longest discovery document read, in bytes (64 KiB: real ones are a few KiB).
pub const MAX_DOCUMENT_LEN: usize = 64 * 1024;

/// Which well-known document describes an issuer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WellKnown {
    /// OpenID Connect Discovery 1.0 §4: `/.well-known/openid-configuration` appended to the
    /// issuer.
    OpenIdConfiguration,
    /// RFC 8414 §3.1: `/.well-known/oauth-authorization-server` inserted between the issuer's
    /// host and its path.
    OAuthAuthorizationServer,
}

/// The URI of an issuer's discovery document.
///
/// A terminating `/` of the issuer's path is removed first, as both specifications ask.
///
/// ```
/// use jose_ring::jwks::{discovery_uri, UriPolicy, WellKnown};
/// assert_eq!(
///     discovery_uri("https://auth.example/tenant/", WellKnown::OpenIdConfiguration, UriPolicy::HttpsOnly)?,
///     "https://auth.example/tenant/.well-known/openid-configuration"
/// );
/// assert_eq!(
///     discovery_uri("https://auth.example/tenant", WellKnown::OAuthAuthorizationServer, UriPolicy::HttpsOnly)?,
///     "https://auth.example/.well-known/oauth-authorization-server/tenant"
/// );
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`KeySetError::InsecureUri`]`("issuer")` for an issuer `uris` does not allow
/// ([`UriPolicy::check_issuer`]).
pub fn discovery_uri(issuer: &str, kind: WellKnown, uris: UriPolicy) -> Result<String, Error> {
    let split = uri::check(issuer, uris, "issuer", false)?;
    let path = split.rest.strip_suffix('/').unwrap_or(split.rest);
    Ok(match kind {
        WellKnown::OpenIdConfiguration => {
            alloc::format!("{}{path}/.well-known/openid-configuration", split.origin)
        }
        WellKnown::OAuthAuthorizationServer => {
            alloc::format!(
                "{}/.well-known/oauth-authorization-server{path}",
                split.origin
            )
        }
    })
}

/// An issuer's discovery document, checked: its `issuer` is the one expected and its
/// `jwks_uri` is `https` (or what the [`UriPolicy`] allows).
///
/// **The algorithms of access tokens are not here.** No member of either document lists the
/// algorithms an issuer signs *access tokens* with: `id_token_signing_alg_values_supported`
/// (OpenID Connect Discovery 1.0 §3) describes ID tokens, and the other
/// `*_signing_alg_values_supported` members list what the server accepts from clients or signs
/// other responses with. A provider may sign ID tokens with RS256 only and access tokens with
/// ES384 (oidc-provider does, per resource server). A resource server binds the keys of the
/// `jwks_uri` to the algorithms the keys themselves allow ([`jwa::ASYMMETRIC`](crate::jwa::ASYMMETRIC),
/// narrowed by your own list): what [`KeySetCache::discover`](super::KeySetCache::discover)
/// does. [`id_token_algorithms`](Self::id_token_algorithms) is for relying parties that verify
/// ID tokens.
///
/// ```
/// use jose_ring::{jwa, jwks::{Discovery, UriPolicy}, Error, KeySetError};
/// let json = br#"{"issuer":"https://auth.example","jwks_uri":"https://auth.example/keys",
///   "id_token_signing_alg_values_supported":["RS256","ES256","ES512","none","HS256"]}"#;
/// let found = Discovery::from_json(json, "https://auth.example", UriPolicy::HttpsOnly)?;
/// assert_eq!(found.jwks_uri(), "https://auth.example/keys");
/// assert_eq!(found.id_token_algorithms(), [&jwa::RS256, &jwa::ES256]);
///
/// // The issuer must be exactly the one expected: a trailing slash is another issuer.
/// assert_eq!(
///     Discovery::from_json(json, "https://auth.example/", UriPolicy::HttpsOnly).map(|_| ()),
///     Err(Error::KeySet(KeySetError::IssuerMismatch))
/// );
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    issuer: String,
    jwks_uri: String,
    algorithms: Vec<&'static Algorithm>,
}

/// The members read; all others are ignored.
#[derive(Deserialize)]
struct Document {
    issuer: String,
    #[serde(default)]
    jwks_uri: Option<String>,
    #[serde(default)]
    id_token_signing_alg_values_supported: Option<Vec<String>>,
}

impl Discovery {
    /// Reads a discovery document (OpenID Connect Discovery 1.0 §3 or RFC 8414 §2) fetched
    /// for `expected_issuer`.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] over [`MAX_DOCUMENT_LEN`]; [`Malformed::Json`](crate::Malformed::Json)
    /// (`"discovery"`) for JSON that is not a strict object or whose `issuer`, `jwks_uri` or
    /// `id_token_signing_alg_values_supported` has the wrong type (or `issuer` is absent);
    /// [`Malformed::MissingMember`](crate::Malformed::MissingMember)`("jwks_uri")`;
    /// [`KeySetError::IssuerMismatch`] when `issuer` is not byte for byte `expected_issuer`
    /// (OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3);
    /// [`KeySetError::InsecureUri`] (`"issuer"`, `"jwks_uri"`) for a URI `uris` does not
    /// allow, an issuer with a query or fragment, or a `jwks_uri` with a fragment.
    pub fn from_json(json: &[u8], expected_issuer: &str, uris: UriPolicy) -> Result<Self, Error> {
        if json.len() > MAX_DOCUMENT_LEN {
            return Err(Error::TooLarge {
                what: "discovery document",
                limit: MAX_DOCUMENT_LEN,
            });
        }
        let document: Document = crate::json::from_slice_in(json, "discovery")?;
        if document.issuer != expected_issuer {
            return Err(KeySetError::IssuerMismatch.into());
        }
        uri::check(&document.issuer, uris, "issuer", false)?;
        let jwks_uri = document
            .jwks_uri
            .ok_or(crate::Malformed::MissingMember("jwks_uri"))?;
        uri::check(&jwks_uri, uris, "jwks_uri", true)?;
        let mut algorithms: Vec<&'static Algorithm> = Vec::new();
        let names = document.id_token_signing_alg_values_supported;
        for name in names.iter().flatten() {
            if let Ok(alg) = Algorithm::from_name(name) {
                if !alg.is_symmetric() && !algorithms.contains(&alg) {
                    algorithms.push(alg);
                }
            }
        }
        Ok(Self {
            issuer: document.issuer,
            jwks_uri,
            algorithms,
        })
    }

    /// The issuer: the one expected.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Where the issuer's JWK Set is.
    #[must_use]
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    /// The algorithms the issuer signs **ID tokens** with
    /// (`id_token_signing_alg_values_supported`), those this crate implements, asymmetric
    /// only, in the document's order, each once; empty when the document lists none (RFC 8414
    /// metadata usually does not). Names this crate does not implement are ignored, `none` is
    /// never kept, and HMAC is left out (an HMAC ID token is keyed with the client secret,
    /// never with the JWKS).
    ///
    /// Never bind the keys that verify access tokens to this list: see the type's
    /// documentation.
    #[must_use]
    pub fn id_token_algorithms(&self) -> &[&'static Algorithm] {
        &self.algorithms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{JsonProblem, Malformed};
    use crate::jwa;

    const HTTPS: UriPolicy = UriPolicy::HttpsOnly;

    fn read(json: &str, expected: &str, uris: UriPolicy) -> Result<Discovery, Error> {
        Discovery::from_json(json.as_bytes(), expected, uris)
    }

    #[test]
    fn reads_the_members_it_needs() {
        let json = r#"{"issuer":"https://a.example/t","jwks_uri":"https://keys.example/j?v=2",
            "id_token_signing_alg_values_supported":["EdDSA","RS256","RS256","XX1","None"],
            "token_endpoint_auth_signing_alg_values_supported":["PS512"],"extra":{"a":[1]}}"#;
        let found = read(json, "https://a.example/t", HTTPS).unwrap();
        assert_eq!(found.issuer(), "https://a.example/t");
        assert_eq!(found.jwks_uri(), "https://keys.example/j?v=2");
        assert_eq!(found.id_token_algorithms(), [&jwa::EdDSA, &jwa::RS256]);
    }

    #[test]
    fn refuses_what_the_specs_refuse() {
        let doc =
            |iss: &str, jwks: &str| alloc::format!(r#"{{"issuer":"{iss}","jwks_uri":"{jwks}"}}"#);
        let uri_err = |what| Err(Error::KeySet(KeySetError::InsecureUri(what)));
        let cases: [(String, &str, UriPolicy, Result<(), Error>); 8] = [
            (doc("https://a", "https://a/k"), "https://a", HTTPS, Ok(())),
            (
                doc("https://a", "https://a/k"),
                "https://A",
                HTTPS,
                Err(KeySetError::IssuerMismatch.into()),
            ),
            (
                doc("https://a", "http://a/k"),
                "https://a",
                HTTPS,
                uri_err("jwks_uri"),
            ),
            (
                doc("https://a", "http://127.0.0.1:9/k"),
                "https://a",
                HTTPS,
                uri_err("jwks_uri"),
            ),
            (
                doc("http://127.0.0.1:9", "http://127.0.0.1:9/k"),
                "http://127.0.0.1:9",
                UriPolicy::AllowHttpLoopback,
                Ok(()),
            ),
            (
                doc("http://a", "https://a/k"),
                "http://a",
                HTTPS,
                uri_err("issuer"),
            ),
            (
                doc("https://a?x", "https://a/k"),
                "https://a?x",
                HTTPS,
                uri_err("issuer"),
            ),
            (
                String::from(r#"{"issuer":"https://a"}"#),
                "https://a",
                HTTPS,
                Err(Malformed::MissingMember("jwks_uri").into()),
            ),
        ];
        for (json, expected, uris, want) in cases {
            assert_eq!(read(&json, expected, uris).map(|_| ()), want, "{json}");
        }
    }

    #[test]
    fn strict_json_and_size() {
        assert_eq!(
            read(
                r#"{"issuer":"https://a","issuer":"https://a"}"#,
                "https://a",
                HTTPS
            ),
            Err(Malformed::Json {
                part: "discovery",
                problem: JsonProblem::DuplicateMember
            }
            .into())
        );
        assert!(matches!(
            read(
                r#"{"issuer":"https://a","jwks_uri":"https://a/k","id_token_signing_alg_values_supported":"RS256"}"#,
                "https://a",
                HTTPS
            ),
            Err(Error::Malformed(Malformed::Json {
                part: "discovery",
                problem: JsonProblem::InvalidType { .. }
            }))
        ));
        let big = alloc::format!(
            r#"{{"issuer":"https://a","jwks_uri":"https://a/k","x":"{}"}}"#,
            "a".repeat(MAX_DOCUMENT_LEN)
        );
        assert_eq!(
            read(&big, "https://a", HTTPS),
            Err(Error::TooLarge {
                what: "discovery document",
                limit: MAX_DOCUMENT_LEN
            })
        );
    }

    #[test]
    fn well_known_uris() {
        use WellKnown::{OAuthAuthorizationServer as OAuth, OpenIdConfiguration as Oidc};
        for (issuer, oidc, oauth) in [
            (
                "https://a.example",
                "https://a.example/.well-known/openid-configuration",
                "https://a.example/.well-known/oauth-authorization-server",
            ),
            (
                "https://a.example/",
                "https://a.example/.well-known/openid-configuration",
                "https://a.example/.well-known/oauth-authorization-server",
            ),
            (
                "http://127.0.0.1:8080/realms/x",
                "http://127.0.0.1:8080/realms/x/.well-known/openid-configuration",
                "http://127.0.0.1:8080/.well-known/oauth-authorization-server/realms/x",
            ),
        ] {
            let loopback = UriPolicy::AllowHttpLoopback;
            assert_eq!(discovery_uri(issuer, Oidc, loopback).unwrap(), oidc);
            assert_eq!(discovery_uri(issuer, OAuth, loopback).unwrap(), oauth);
        }
        for bad in [
            "http://a.example",
            "https://a.example?x",
            "https://a.example#f",
            "a.example",
        ] {
            assert_eq!(
                discovery_uri(bad, Oidc, UriPolicy::AllowHttpLoopback),
                Err(Error::KeySet(KeySetError::InsecureUri("issuer")))
            );
        }
        assert_eq!(
            discovery_uri("http://127.0.0.1:8080", Oidc, HTTPS),
            Err(Error::KeySet(KeySetError::InsecureUri("issuer")))
        );
    }
}
