//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client which
//! authorization servers issue tokens for this resource, and how to send them.

use jose_ring::jwks::UriPolicy;
use serde::Serialize;

/// The protected resource metadata (RFC 9728 §2) the layer serves at
/// `/.well-known/oauth-protected-resource` (with the resource's path appended, §3.1), and
/// names in its 401 challenges as `resource_metadata` (§5.1).
///
/// The guard fills in what it knows: `authorization_servers` (the issuers configured, unless
/// you name them), `bearer_methods_supported` (`["header"]`: a cookie is not a method RFC
/// 6750 defines), `dpop_signing_alg_values_supported` and
/// `dpop_bound_access_tokens_required` from the DPoP mode. `resource_signing_alg_values_supported`
/// is left out: this resource does not sign its responses.
///
/// ```
/// use jose_ring_axum::ResourceMetadata;
/// let metadata = ResourceMetadata::new("https://api.example")
///     .authorization_server("https://auth.example")
///     .scope("read")
///     .scope("admin")
///     .name("Example API");
/// assert_eq!(metadata.path(), "/.well-known/oauth-protected-resource");
/// assert_eq!(ResourceMetadata::new("https://api.example/v1/").path(),
///            "/.well-known/oauth-protected-resource/v1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceMetadata {
    resource: String,
    authorization_servers: Vec<String>,
    scopes: Vec<String>,
    name: Option<String>,
    documentation: Option<String>,
}

/// The document as written.
#[derive(Serialize)]
struct Document<'a> {
    resource: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    authorization_servers: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scopes_supported: &'a [String],
    bearer_methods_supported: [&'static str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_documentation: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    dpop_signing_alg_values_supported: Vec<&'static str>,
    dpop_bound_access_tokens_required: bool,
}

impl ResourceMetadata {
    /// The metadata of the resource identified by `resource` (an `https` URL without query
    /// or fragment, §2): what tokens name as their audience, usually.
    #[must_use]
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes: Vec::new(),
            name: None,
            documentation: None,
        }
    }

    /// Adds an authorization server's issuer identifier (`authorization_servers`).
    #[must_use]
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// Adds a scope to `scopes_supported`.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Sets `resource_name`.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets `resource_documentation` (a URL).
    #[must_use]
    pub fn documentation(mut self, url: impl Into<String>) -> Self {
        self.documentation = Some(url.into());
        self
    }

    /// The resource identifier.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// `scheme://authority` of the resource.
    pub(crate) fn origin(&self) -> &str {
        origin_of(&self.resource)
    }

    /// The path the document is served at (RFC 9728 §3.1): the well-known suffix inserted
    /// before the resource's path, a terminating `/` removed.
    #[must_use]
    pub fn path(&self) -> String {
        let origin = self.origin();
        let rest = self.resource.get(origin.len()..).unwrap_or_default();
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        format!("/.well-known/oauth-protected-resource{rest}")
    }

    /// The document's URL, for `resource_metadata`.
    pub(crate) fn url(&self) -> String {
        format!("{}{}", self.origin(), self.path())
    }

    /// Checks the resource identifier under `uris`: an absolute `https` URL with a host and
    /// no user information, query or fragment (RFC 9728 §1.2: no fragment, and RFC 8707 §2:
    /// no query, which the well-known path of §3.1 could not carry here).
    ///
    /// # Errors
    ///
    /// The library's [`KeySetError::InsecureUri`](jose_ring::KeySetError::InsecureUri).
    pub(crate) fn check(&self, uris: UriPolicy) -> Result<(), jose_ring::Error> {
        // The identifier rule is the issuer rule: https, a host, no userinfo, query, fragment.
        uris.check_issuer(&self.resource)
    }

    /// The JSON document, with what the guard knows.
    ///
    /// # Errors
    ///
    /// serde_json's, which a document of strings and a boolean never meets.
    pub(crate) fn to_json(
        &self,
        issuers: &[String],
        dpop_algorithms: &[&'static jose_ring::jwa::Algorithm],
        dpop_required: bool,
    ) -> Result<String, serde_json::Error> {
        let servers = if self.authorization_servers.is_empty() {
            issuers
        } else {
            &self.authorization_servers
        };
        let document = Document {
            resource: &self.resource,
            authorization_servers: servers,
            scopes_supported: &self.scopes,
            bearer_methods_supported: ["header"],
            resource_name: self.name.as_deref(),
            resource_documentation: self.documentation.as_deref(),
            dpop_signing_alg_values_supported: dpop_algorithms.iter().map(|a| a.name()).collect(),
            dpop_bound_access_tokens_required: dpop_required,
        };
        serde_json::to_string(&document)
    }
}

/// `scheme://authority` of an absolute URL (all of it if it has no path), once the library
/// has checked its shape ([`UriPolicy`]).
pub(crate) fn origin_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i.saturating_add(3));
    let end = url
        .get(start..)
        .and_then(|rest| rest.find(['/', '?', '#']))
        .map_or(url.len(), |i| i.saturating_add(start));
    url.get(..end).unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose_ring::jwa;

    #[test]
    fn documents_and_paths() {
        let m = ResourceMetadata::new("https://api.example/v1")
            .scope("read")
            .name("api");
        assert_eq!(m.path(), "/.well-known/oauth-protected-resource/v1");
        assert_eq!(
            m.url(),
            "https://api.example/.well-known/oauth-protected-resource/v1"
        );
        assert_eq!(
            m.to_json(&["https://as.example".into()], &[&jwa::ES256], true)
                .unwrap(),
            r#"{"resource":"https://api.example/v1","authorization_servers":["https://as.example"],"scopes_supported":["read"],"bearer_methods_supported":["header"],"resource_name":"api","dpop_signing_alg_values_supported":["ES256"],"dpop_bound_access_tokens_required":true}"#
        );
        assert_eq!(
            ResourceMetadata::new("http://127.0.0.1:8080")
                .to_json(&[], &[], false)
                .unwrap(),
            r#"{"resource":"http://127.0.0.1:8080","bearer_methods_supported":["header"],"dpop_bound_access_tokens_required":false}"#
        );
        let loopback = UriPolicy::AllowHttpLoopback;
        assert_eq!(m.check(loopback), Ok(()));
        assert_eq!(
            ResourceMetadata::new("http://127.0.0.1:8080").check(loopback),
            Ok(())
        );
        for bad in [
            "api.example",
            "https://",
            "https://a.example/?q",
            "https://a.example/#x",
            "https://user@a.example/",
            "http://a.example/",
        ] {
            assert_eq!(
                ResourceMetadata::new(bad).check(loopback),
                Err(jose_ring::KeySetError::InsecureUri("issuer").into()),
                "{bad}"
            );
        }
        assert_eq!(
            origin_of("https://a.example:8443/x/y"),
            "https://a.example:8443"
        );
        assert_eq!(origin_of("https://a.example"), "https://a.example");
    }
}
