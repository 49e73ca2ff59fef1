//! The URIs a remote key set is fetched from: `https`, or loopback `http` when allowed.

use crate::error::{Error, KeySetError};

/// Which URIs an issuer, its `jwks_uri` and other fetched or published URLs may have: the one
/// "https, or loopback http in tests" rule of the workspace (the guard's builder and metadata,
/// the CLI's fetches and this crate's discovery all ask it).
///
/// ```
/// use jose_ring::jwks::UriPolicy;
/// use jose_ring::{Error, KeySetError};
/// assert_eq!(UriPolicy::default(), UriPolicy::HttpsOnly);
/// assert_eq!(UriPolicy::HttpsOnly.check_url("https://auth.example/keys?v=2", "jwks_uri"), Ok(()));
/// assert_eq!(UriPolicy::HttpsOnly.check_issuer("http://127.0.0.1:8080"),
///            Err(Error::KeySet(KeySetError::InsecureUri("issuer"))));
/// assert_eq!(UriPolicy::AllowHttpLoopback.check_issuer("http://127.0.0.1:8080"), Ok(()));
/// // User information and fragments are never accepted.
/// assert!(UriPolicy::HttpsOnly.check_url("https://user@auth.example/#x", "jwks_uri").is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UriPolicy {
    /// Only `https` URIs (OpenID Connect Discovery 1.0 §3, RFC 8414 §2): the default.
    #[default]
    HttpsOnly,
    /// `https` URIs, and `http` URIs whose host is `127.0.0.1`, `[::1]` or `localhost`: for
    /// tests against a server on the same machine. Never in production.
    AllowHttpLoopback,
}

impl UriPolicy {
    /// Checks an issuer identifier (OpenID Connect Discovery 1.0 §3, RFC 8414 §2): an absolute
    /// `https` URI (or loopback `http`, when allowed) with a host and no user information,
    /// query or fragment, at most 2048 bytes of visible ASCII.
    ///
    /// # Errors
    ///
    /// [`KeySetError::InsecureUri`]`("issuer")`.
    pub fn check_issuer(self, uri: &str) -> Result<(), Error> {
        check(uri, self, "issuer", false).map(|_| ())
    }

    /// Checks a URL to fetch or to publish (a `jwks_uri`, a resource identifier): as
    /// [`check_issuer`](Self::check_issuer), but a query is allowed; `what` names it in the
    /// error.
    ///
    /// # Errors
    ///
    /// [`KeySetError::InsecureUri`]`(what)`.
    pub fn check_url(self, uri: &str, what: &'static str) -> Result<(), Error> {
        check(uri, self, what, true).map(|_| ())
    }
}

/// The longest URI accepted, in bytes.
const MAX_URI_LEN: usize = 2048;

/// An absolute URI split at the end of its authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// `scheme://authority`.
    pub(crate) origin: &'a str,
    /// The rest: path, query and fragment, possibly empty.
    pub(crate) rest: &'a str,
}

/// Checks that `uri` is an absolute `https` URI (or a loopback `http` one, when `policy`
/// allows) with a host, no user information, no fragment, and no query unless `query` allows
/// one; `what` names it in the error.
///
/// # Errors
///
/// [`KeySetError::InsecureUri`]`(what)`.
pub(crate) fn check<'a>(
    uri: &'a str,
    policy: UriPolicy,
    what: &'static str,
    query: bool,
) -> Result<Split<'a>, Error> {
    let insecure = || Error::KeySet(KeySetError::InsecureUri(what));
    if uri.is_empty() || uri.len() > MAX_URI_LEN || !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(insecure());
    }
    let (scheme, after) = uri.split_once("://").ok_or_else(insecure)?;
    let authority_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at_checked(authority_len).ok_or_else(insecure)?;
    let host = host(authority).ok_or_else(insecure)?;
    let secure = scheme.eq_ignore_ascii_case("https")
        || (scheme.eq_ignore_ascii_case("http")
            && policy == UriPolicy::AllowHttpLoopback
            && is_loopback(host));
    if !secure || rest.contains('#') || (!query && rest.contains('?')) {
        return Err(insecure());
    }
    let origin_len = scheme
        .len()
        .saturating_add(3)
        .saturating_add(authority.len());
    let origin = uri.get(..origin_len).ok_or_else(insecure)?;
    Ok(Split { origin, rest })
}

/// The host of an authority without user information, with a port of digits if any; `None`
/// if it has none or is not of that shape.
fn host(authority: &str) -> Option<&str> {
    if authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?.checked_add(1)?;
        let (host, port) = authority.split_at_checked(end)?;
        (host, port)
    } else {
        let colon = authority.find(':').unwrap_or(authority.len());
        authority.split_at_checked(colon)?
    };
    let port_ok = match port.strip_prefix(':') {
        Some(digits) => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    };
    (port_ok && !host.is_empty() && host != "[]").then_some(host)
}

/// Whether `host` is the loopback interface, as a URI writes it.
fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(uri: &str, policy: UriPolicy) -> bool {
        check(uri, policy, "jwks_uri", true).is_ok()
    }

    #[test]
    fn https_and_loopback_http() {
        use UriPolicy::{AllowHttpLoopback as Loop, HttpsOnly as Https};
        for uri in [
            "https://a.example",
            "https://a.example/keys?x=1",
            "HTTPS://a.example:443/k",
            "https://[2001:db8::1]:8443/k",
        ] {
            assert!(ok(uri, Https), "{uri}");
        }
        for uri in [
            "http://127.0.0.1:8080/k",
            "http://[::1]/k",
            "http://LocalHost:1",
        ] {
            assert!(!ok(uri, Https), "{uri}");
            assert!(ok(uri, Loop), "{uri}");
        }
        for uri in [
            "",
            "http://a.example/k",
            "http://127.0.0.2/k",
            "http://localhost.evil.example/k",
            "http://127.0.0.1@evil.example/k",
            "https://user@a.example/k",
            "https:///k",
            "https://a.example:/k",
            "https://a.example:x/k",
            "https://[]/k",
            "https://a.example/k#frag",
            "https://a.example/ k",
            "ftp://a.example/k",
            "a.example/k",
            "https://[::1/k",
        ] {
            assert!(!ok(uri, Loop), "{uri}");
        }
        assert!(check("https://a.example/?q", Https, "issuer", false).is_err());
        assert_eq!(
            check("https://a.example:8443/t/1?q", Https, "x", true).map(|s| (s.origin, s.rest)),
            Ok(("https://a.example:8443", "/t/1?q"))
        );
        assert_eq!(
            check("https://a.example?x", Https, "x", false),
            Err(Error::KeySet(KeySetError::InsecureUri("x")))
        );
    }
}
