//! JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc §5): where an SD-JWT VC issuer
//! publishes its keys, and the document that says so; its key set is then kept fresh by the
//! crate's sans-I/O [`KeySetCache`].

use alloc::string::String;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, KeySetError, Malformed};
use crate::json;
use crate::jwa::Algorithm;
use crate::jwk::{JwkSet, KeyRing};
use crate::jwks::{KeySetCache, MAX_DOCUMENT_LEN, UriPolicy};

/// The URI of the JWT VC Issuer Metadata of `issuer` (the `iss` of an SD-JWT VC):
/// `/.well-known/jwt-vc-issuer` inserted between the host and the path, a terminating `/` of
/// the path removed first (draft-ietf-oauth-sd-jwt-vc §5).
///
/// ```
/// use jose_ring::{jwks::UriPolicy, sd_jwt::vc};
/// assert_eq!(
///     vc::metadata_uri("https://example.com/tenant/1234/", UriPolicy::HttpsOnly)?,
///     "https://example.com/.well-known/jwt-vc-issuer/tenant/1234"
/// );
/// assert_eq!(
///     vc::metadata_uri("https://example.com", UriPolicy::HttpsOnly)?,
///     "https://example.com/.well-known/jwt-vc-issuer"
/// );
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`KeySetError::InsecureUri`]`("issuer")` for an issuer that `uris` does not allow (an
/// `https` URL with a host and no query, fragment or user information).
pub fn metadata_uri(issuer: &str, uris: UriPolicy) -> Result<String, Error> {
    uris.check_issuer(issuer)?;
    let insecure = || Error::from(KeySetError::InsecureUri("issuer"));
    let (scheme, after) = issuer.split_once("://").ok_or_else(insecure)?;
    let (authority, path) = match after.find('/') {
        Some(at) => after.split_at_checked(at).ok_or_else(insecure)?,
        None => (after, ""),
    };
    let path = path.strip_suffix('/').unwrap_or(path);
    Ok(alloc::format!(
        "{scheme}://{authority}/.well-known/jwt-vc-issuer{path}"
    ))
}

/// An SD-JWT VC issuer's metadata, checked: its `issuer` is the `iss` expected, and it names
/// its keys by exactly one of `jwks_uri` (allowed by the [`UriPolicy`]) and `jwks`.
///
/// The keys then come from [`key_cache`](Self::key_cache) (a `jwks_uri`: the crate's
/// [`KeySetCache`], fed by your HTTP client) or [`key_ring`](Self::key_ring) (`jwks` given in
/// the document). X.509 certificate chains (`x5c`), the draft's other way to find an issuer
/// key, are out of scope: this crate never takes a key from a token header.
///
/// ```
/// use jose_ring::{jwa, jwks::UriPolicy, sd_jwt::vc::IssuerMetadata};
/// let document = br#"{"issuer":"https://example.com","jwks_uri":"https://example.com/jwks.json"}"#;
/// let metadata = IssuerMetadata::from_json(document, "https://example.com", UriPolicy::HttpsOnly)?;
/// assert_eq!(metadata.jwks_uri(), Some("https://example.com/jwks.json"));
/// let cache = metadata.key_cache(&jwa::ASYMMETRIC).expect("a jwks_uri");
/// assert_eq!(cache.jwks_uri(), Some("https://example.com/jwks.json"));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct IssuerMetadata {
    issuer: String,
    keys: Keys,
}

#[derive(Debug)]
enum Keys {
    Uri(String),
    Set(JwkSet),
}

/// The members read; all others are ignored (§5.2: additional parameters MAY be used).
#[derive(Deserialize)]
struct Document {
    issuer: String,
    #[serde(default)]
    jwks_uri: Option<String>,
    #[serde(default)]
    jwks: Option<Value>,
}

impl IssuerMetadata {
    /// Reads JWT VC Issuer Metadata fetched for the issuer `expected_issuer`.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] over 64 KiB ([`MAX_DOCUMENT_LEN`]); [`Malformed::Json`]
    /// (`"issuer metadata"`) for JSON that is not a strict object or whose members have the
    /// wrong type; [`KeySetError::IssuerMismatch`] when `issuer` is not byte for byte
    /// `expected_issuer` (§5.3); [`Malformed::MissingMember`]`("jwks_uri")` when it names
    /// neither `jwks_uri` nor `jwks`, [`Malformed::InvalidMember`]`("jwks")` when it names both;
    /// [`KeySetError::InsecureUri`]`("jwks_uri")` for a URI `uris` does not allow; the errors of
    /// [`JwkSet::from_json`] for `jwks`.
    pub fn from_json(json: &[u8], expected_issuer: &str, uris: UriPolicy) -> Result<Self, Error> {
        if json.len() > MAX_DOCUMENT_LEN {
            return Err(Error::TooLarge {
                what: "issuer metadata",
                limit: MAX_DOCUMENT_LEN,
            });
        }
        let document: Document = json::from_slice_in(json, "issuer metadata")?;
        if document.issuer != expected_issuer {
            return Err(KeySetError::IssuerMismatch.into());
        }
        let keys = match (document.jwks_uri, document.jwks) {
            (Some(uri), None) => {
                uris.check_url(&uri, "jwks_uri")?;
                Keys::Uri(uri)
            }
            (None, Some(jwks)) => {
                let text = json::to_vec(&jwks, "issuer metadata")?;
                Keys::Set(JwkSet::from_json(&text)?)
            }
            (None, None) => return Err(Malformed::MissingMember("jwks_uri").into()),
            (Some(_), Some(_)) => return Err(Malformed::InvalidMember("jwks").into()),
        };
        Ok(Self {
            issuer: document.issuer,
            keys,
        })
    }

    /// The issuer: the one expected.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `jwks_uri`, if the keys are published there.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<&str> {
        match &self.keys {
            Keys::Uri(uri) => Some(uri),
            Keys::Set(_) => None,
        }
    }

    /// The `jwks`, if the keys are in the document.
    #[must_use]
    pub fn jwks(&self) -> Option<&JwkSet> {
        match &self.keys {
            Keys::Set(set) => Some(set),
            Keys::Uri(_) => None,
        }
    }

    /// A [`KeySetCache`] of the `jwks_uri`, its keys bound to `algorithms`: the crate's
    /// sans-I/O refresh policy (poll, fetch, complete), as for any issuer's JWK Set. `None`
    /// when the keys are in the document.
    #[must_use]
    pub fn key_cache(&self, algorithms: &[&'static Algorithm]) -> Option<KeySetCache> {
        self.jwks_uri().map(|uri| KeySetCache::new(uri, algorithms))
    }

    /// A key ring of the `jwks` in the document, bound to `algorithms`. `None` when the keys
    /// are at a `jwks_uri`.
    #[must_use]
    pub fn key_ring(&self, algorithms: &[&'static Algorithm]) -> Option<KeyRing> {
        self.jwks().map(|set| set.key_ring(algorithms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwa;

    const HTTPS: UriPolicy = UriPolicy::HttpsOnly;

    #[test]
    fn well_known_uri_of_section_5_1() {
        for (issuer, uri) in [
            (
                "https://example.com",
                "https://example.com/.well-known/jwt-vc-issuer",
            ),
            (
                "https://example.com/",
                "https://example.com/.well-known/jwt-vc-issuer",
            ),
            (
                "https://example.com/tenant/1234",
                "https://example.com/.well-known/jwt-vc-issuer/tenant/1234",
            ),
            (
                "https://example.com:8443/t",
                "https://example.com:8443/.well-known/jwt-vc-issuer/t",
            ),
        ] {
            assert_eq!(metadata_uri(issuer, HTTPS).unwrap(), uri);
        }
        for bad in [
            "http://example.com",
            "https://example.com?x",
            "https://u@example.com",
        ] {
            assert_eq!(
                metadata_uri(bad, HTTPS),
                Err(KeySetError::InsecureUri("issuer").into())
            );
        }
        assert_eq!(
            metadata_uri("http://127.0.0.1:9/i", UriPolicy::AllowHttpLoopback).unwrap(),
            "http://127.0.0.1:9/.well-known/jwt-vc-issuer/i"
        );
    }

    #[test]
    fn documents_of_section_5_2() {
        // The draft's example with `jwks` (its first key is RFC 9901 A.5's).
        let inline = br#"{"issuer":"https://example.com","jwks":{"keys":[
            {"kid":"doc-signer-05-25-2022","kty":"EC","crv":"P-256",
             "x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
             "y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}]}}"#;
        let metadata = IssuerMetadata::from_json(inline, "https://example.com", HTTPS).unwrap();
        assert_eq!(metadata.jwks().map(|set| set.keys().len()), Some(1));
        assert_eq!(metadata.key_ring(&[&jwa::ES256]).map(|r| r.len()), Some(1));
        assert!(metadata.key_cache(&[&jwa::ES256]).is_none());
        let cases: [(&[u8], Error); 5] = [
            (
                br#"{"issuer":"https://example.com/","jwks_uri":"https://example.com/k"}"#,
                KeySetError::IssuerMismatch.into(),
            ),
            (br#"{"issuer":"https://example.com"}"#, Malformed::MissingMember("jwks_uri").into()),
            (
                br#"{"issuer":"https://example.com","jwks_uri":"https://example.com/k","jwks":{"keys":[]}}"#,
                Malformed::InvalidMember("jwks").into(),
            ),
            (
                br#"{"issuer":"https://example.com","jwks_uri":"http://example.com/k"}"#,
                KeySetError::InsecureUri("jwks_uri").into(),
            ),
            (
                br#"{"issuer":"https://example.com","issuer":"https://example.com"}"#,
                Malformed::Json {
                    part: "issuer metadata",
                    problem: crate::JsonProblem::DuplicateMember,
                }
                .into(),
            ),
        ];
        for (json, want) in cases {
            assert_eq!(
                IssuerMetadata::from_json(json, "https://example.com", HTTPS).map(|_| ()),
                Err(want)
            );
        }
    }
}
