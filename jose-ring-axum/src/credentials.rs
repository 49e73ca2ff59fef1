//! Reading the credentials of a request (RFC 6750 §2.1, RFC 9449 §4.3 and §7, RFC 7235
//! §2.1): the `Authorization` field, the `DPoP` proof field, and a cookie only if one is
//! named. Never the query string. Public, so that a custom extractor or another transport's
//! adapter (gRPC metadata is a `HeaderMap` too) reads exactly what the guard reads.

use std::fmt;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use jose_ring::{Dpop, Error, Malformed, dpop};

use crate::cookie::cookie_value;

/// The scheme the access token came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: Bearer` (RFC 6750), or the named cookie.
    Bearer,
    /// `Authorization: DPoP` with a `DPoP` proof (RFC 9449).
    Dpop,
}

/// Where credentials may come from: `Authorization: Bearer` always; `Authorization: DPoP`
/// when DPoP is accepted; a cookie when one is named. A guard's own is
/// [`Guard::credential_sources`](crate::Guard::credential_sources).
///
/// ```
/// use jose_ring_axum::{CredentialSources, Credentials, Scheme};
/// let sources = CredentialSources::new().dpop(true);
/// let mut headers = http::HeaderMap::new();
/// headers.insert("authorization", "DPoP a.b.c".parse()?);
/// headers.insert("dpop", "d.e.f".parse()?);
/// let credentials = Credentials::from_headers(&headers, &sources)?.expect("a token");
/// assert_eq!((credentials.scheme(), credentials.token()), (Scheme::Dpop, "a.b.c"));
/// assert_eq!(credentials.proof()?, "d.e.f");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialSources {
    dpop: bool,
    cookie: Option<String>,
}

impl CredentialSources {
    /// `Authorization: Bearer` only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `Authorization: DPoP` is read too; when it is not, it counts as another
    /// scheme (no credentials).
    #[must_use]
    pub fn dpop(mut self, accepted: bool) -> Self {
        self.dpop = accepted;
        self
    }

    /// Also reads a `Bearer` token from the cookie `name` when there is no `Authorization`
    /// field.
    #[must_use]
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    /// Whether `Authorization: DPoP` is read.
    #[must_use]
    pub fn accepts_dpop(&self) -> bool {
        self.dpop
    }

    /// The cookie read, if any.
    #[must_use]
    pub fn cookie_name(&self) -> Option<&str> {
        self.cookie.as_deref()
    }
}

/// The credentials of a request: an access token, its scheme, and (for `DPoP`) where its
/// proof is. `Debug` shows the scheme only, never the token.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    scheme: Scheme,
    token: &'a str,
    headers: &'a HeaderMap,
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl<'a> Credentials<'a> {
    /// The credentials of a request with these `headers`: exactly one `Authorization` field
    /// with the `Bearer` or (when accepted) `DPoP` scheme, compared ignoring ASCII case (RFC
    /// 7235 §2.1), one or more spaces, and a `token68`; else, when `sources` names a cookie,
    /// that cookie as a `Bearer` token. `None` when there are none: no `Authorization` field
    /// (and no such cookie), or one with another scheme (`Basic`, ...).
    ///
    /// # Errors
    ///
    /// [`CredentialError`] for a malformed request (answered 400 `invalid_request`).
    pub fn from_headers(
        headers: &'a HeaderMap,
        sources: &CredentialSources,
    ) -> Result<Option<Self>, CredentialError> {
        let found = |scheme, token| {
            Some(Self {
                scheme,
                token,
                headers,
            })
        };
        let mut fields = headers.get_all(AUTHORIZATION).iter();
        let Some(field) = fields.next() else {
            return Ok(sources
                .cookie
                .as_deref()
                .and_then(|name| from_cookie(headers, name))
                .and_then(|token| found(Scheme::Bearer, token)));
        };
        if fields.next().is_some() {
            return Err(CredentialError::SeveralFields);
        }
        let value = field.to_str().map_err(|_| CredentialError::NotText)?;
        let (scheme_name, rest) = value.split_once(' ').unwrap_or((value, ""));
        let scheme = if scheme_name.eq_ignore_ascii_case("bearer") {
            Scheme::Bearer
        } else if sources.dpop && scheme_name.eq_ignore_ascii_case("dpop") {
            Scheme::Dpop
        } else {
            return Ok(None);
        };
        let token = rest.trim_start_matches(' ');
        if token.is_empty() {
            return Err(CredentialError::NoToken);
        }
        if !is_token68(token) {
            return Err(CredentialError::NotToken68);
        }
        Ok(found(scheme, token))
    }

    /// The scheme the token came with.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The access token (a `token68`; not verified).
    #[must_use]
    pub fn token(&self) -> &'a str {
        self.token
    }

    /// The request's DPoP proof: its one `DPoP` field (RFC 9449 §4.3, check 1). Not verified:
    /// give it to [`jose_ring::dpop::verify`].
    ///
    /// # Errors
    ///
    /// [`Dpop::NoProof`] without a `DPoP` field, [`Dpop::SeveralProofs`] with more than one
    /// (or one holding a list), [`Malformed::Character`] for a value that is not visible
    /// ASCII.
    pub fn proof(&self) -> Result<&'a str, Error> {
        let mut fields = self.headers.get_all("dpop").iter();
        let (Some(field), None) = (fields.next(), fields.next()) else {
            return Err(match self.headers.contains_key("dpop") {
                true => Dpop::SeveralProofs.into(),
                false => Dpop::NoProof.into(),
            });
        };
        let value = field
            .to_str()
            .map_err(|_| Error::Malformed(Malformed::Character))?;
        dpop::single_proof([value])
    }
}

/// Why credentials could not be read: a malformed request (400 `invalid_request`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialError {
    /// More than one `Authorization` field.
    SeveralFields,
    /// A field value that is not visible ASCII.
    NotText,
    /// `Bearer` or `DPoP` without a token.
    NoToken,
    /// A token that is not a `token68`.
    NotToken68,
}

impl CredentialError {
    /// A fixed text, sent as the `error_description`.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::SeveralFields => "more than one authorization field",
            Self::NotText => "the authorization field is not text",
            Self::NoToken => "the authorization scheme has no token",
            Self::NotToken68 => "the credentials are not a token68",
        }
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl std::error::Error for CredentialError {}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` (RFC 7235 §2.1;
/// RFC 6750's `b64token` is the same). Every byte is looked at, without branching on it, so
/// that the compiler vectorises the loop: a token is read on every request.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty() && body.bytes().fold(true, |all, b| all & is_token68_byte(b))
}

/// Whether `b` may appear in a `token68` before its padding.
const fn is_token68_byte(b: u8) -> bool {
    let lower = b | 0x20;
    (lower >= b'a') & (lower <= b'z')
        | (b >= b'0') & (b <= b'9')
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
        | (b == b'+')
        | (b == b'/')
}

/// The value of the cookie `name`, if a `Cookie` field has it and it is a `token68`.
fn from_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    cookie_value(headers, name).filter(|value| is_token68(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use proptest::prelude::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn sources() -> CredentialSources {
        CredentialSources::new().dpop(true).cookie("at")
    }

    /// `(scheme, token)` of what `pairs` carry, read with [`sources`].
    fn read(pairs: &[(&str, &str)]) -> Result<Option<(Scheme, String)>, CredentialError> {
        read_with(&headers(pairs), &sources())
    }

    fn read_with(
        map: &HeaderMap,
        sources: &CredentialSources,
    ) -> Result<Option<(Scheme, String)>, CredentialError> {
        Credentials::from_headers(map, sources)
            .map(|found| found.map(|c| (c.scheme(), c.token().to_owned())))
    }

    fn token(scheme: Scheme, token: &str) -> Result<Option<(Scheme, String)>, CredentialError> {
        Ok(Some((scheme, token.to_owned())))
    }

    #[test]
    fn schemes_are_case_insensitive() {
        for value in [
            "Bearer a.b.c",
            "bearer a.b.c",
            "BEARER a.b.c",
            "bEaReR   a.b.c",
        ] {
            assert_eq!(
                read(&[("authorization", value)]),
                token(Scheme::Bearer, "a.b.c"),
                "{value}"
            );
        }
        for value in ["DPoP a.b.c", "dpop a.b.c", "DPOP a.b.c"] {
            assert_eq!(
                read(&[("authorization", value)]),
                token(Scheme::Dpop, "a.b.c"),
                "{value}"
            );
        }
        // Without DPoP support the scheme is someone else's.
        let map = headers(&[("authorization", "DPoP a.b.c")]);
        assert_eq!(read_with(&map, &CredentialSources::new()), Ok(None));
    }

    #[test]
    fn other_schemes_and_absence_are_no_credentials() {
        assert_eq!(read(&[]), Ok(None));
        assert_eq!(read(&[("authorization", "Basic YWRhOnB3")]), Ok(None));
        assert_eq!(read(&[("authorization", "Bearerx a.b.c")]), Ok(None));
    }

    #[test]
    fn malformed_requests() {
        assert_eq!(
            read(&[("authorization", "Bearer a"), ("authorization", "Bearer b")]),
            Err(CredentialError::SeveralFields)
        );
        assert_eq!(
            read(&[("authorization", "Bearer")]),
            Err(CredentialError::NoToken)
        );
        assert_eq!(
            read(&[("authorization", "Bearer ")]),
            Err(CredentialError::NoToken)
        );
        for bad in [
            "Bearer a b",
            "Bearer a,b",
            "Bearer =abc",
            "Bearer a=b",
            "Bearer a\tb",
            "Bearer ====",
        ] {
            assert_eq!(
                read(&[("authorization", bad)]),
                Err(CredentialError::NotToken68),
                "{bad}"
            );
        }
        let mut map = HeaderMap::new();
        map.insert(
            AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
        );
        assert_eq!(read_with(&map, &sources()), Err(CredentialError::NotText));
        assert_eq!(
            CredentialError::NotText.to_string(),
            "the authorization field is not text"
        );
    }

    #[test]
    fn token68_bytes_are_exactly_the_rfc_7235_alphabet() {
        for b in 0..=u8::MAX {
            let expected =
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
            assert_eq!(is_token68_byte(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn token68_alphabet() {
        assert!(is_token68("aZ09-._~+/=="));
        assert!(is_token68("abc"));
        assert!(!is_token68(""));
        assert!(!is_token68("="));
        assert!(!is_token68("a=b"));
        assert!(!is_token68("a%b"));
    }

    #[test]
    fn the_cookie_only_when_named_and_never_over_the_header() {
        assert_eq!(
            read(&[("cookie", "x=1; at=a.b.c; y=2")]),
            token(Scheme::Bearer, "a.b.c")
        );
        let map = headers(&[("cookie", "at=a.b.c")]);
        assert_eq!(read_with(&map, &CredentialSources::new()), Ok(None));
        assert_eq!(
            read(&[("cookie", "at=a.b.c"), ("authorization", "Bearer d.e.f")]),
            token(Scheme::Bearer, "d.e.f")
        );
        assert_eq!(read(&[("cookie", "at=a b")]), Ok(None));
    }

    #[test]
    fn the_proof_is_the_one_dpop_field() {
        let proof = |pairs: &[(&str, &str)]| {
            let map = headers(pairs);
            let credentials = Credentials::from_headers(&map, &sources())
                .unwrap()
                .unwrap();
            credentials.proof().map(str::to_owned)
        };
        let auth = ("authorization", "DPoP a.b.c");
        assert_eq!(proof(&[auth, ("dpop", "p.q.r")]), Ok("p.q.r".to_owned()));
        assert_eq!(proof(&[auth]), Err(Dpop::NoProof.into()));
        assert_eq!(
            proof(&[auth, ("dpop", "p.q.r"), ("dpop", "p.q.r")]),
            Err(Dpop::SeveralProofs.into())
        );
        assert_eq!(
            proof(&[auth, ("dpop", "p.q.r, s.t.u")]),
            Err(Dpop::SeveralProofs.into())
        );
        let mut map = headers(&[auth]);
        map.insert("dpop", HeaderValue::from_bytes(b"p.\xffq.r").unwrap());
        let credentials = Credentials::from_headers(&map, &sources())
            .unwrap()
            .unwrap();
        assert_eq!(
            credentials.proof(),
            Err(Error::Malformed(Malformed::Character))
        );
        assert_eq!(
            format!("{credentials:?}"),
            "Credentials { scheme: Dpop, .. }"
        );
    }

    /// A header value: visible ASCII and spaces mostly, sometimes a byte of obs-text.
    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                8 => 0x20u8..0x7f,
                1 => Just(b'\t'),
                1 => 0x80u8..=0xff,
            ],
            0..40,
        )
    }

    /// An `Authorization` value: a scheme of the guard's or another, spaces, a token.
    fn authorization() -> impl Strategy<Value = Vec<u8>> {
        (
            prop_oneof![
                Just("Bearer"),
                Just("bearer"),
                Just("DPoP"),
                Just("dpop"),
                Just("Basic"),
                Just("")
            ],
            0usize..3,
            value(),
        )
            .prop_map(|(scheme, spaces, rest)| {
                let mut out = scheme.as_bytes().to_vec();
                out.extend(std::iter::repeat_n(b' ', spaces));
                out.extend(rest);
                out
            })
    }

    fn header_map(fields: &[(u8, Vec<u8>)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in fields {
            let name = match name % 3 {
                0 => "authorization",
                1 => "dpop",
                _ => "cookie",
            };
            if let Ok(value) = HeaderValue::from_bytes(value) {
                map.append(name, value);
            }
        }
        map
    }

    proptest! {
        /// Whatever the fields: no panic; a token read is a `token68` found verbatim after
        /// its scheme in the one `Authorization` field (or in the cookie when there is
        /// none); a scheme is read only when the field starts with it; a proof read is the
        /// one `DPoP` field, verbatim.
        #[test]
        fn reading_is_exact(
            fields in prop::collection::vec(
                (any::<u8>(), prop_oneof![authorization(), value()]), 0..4),
            dpop in any::<bool>(),
            cookie in any::<bool>(),
        ) {
            let map = header_map(&fields);
            let mut sources = CredentialSources::new().dpop(dpop);
            if cookie {
                sources = sources.cookie("at");
            }
            let authorizations: Vec<&[u8]> =
                map.get_all(AUTHORIZATION).iter().map(HeaderValue::as_bytes).collect();
            match Credentials::from_headers(&map, &sources) {
                Err(CredentialError::SeveralFields) => prop_assert!(authorizations.len() > 1),
                Err(other) => {
                    prop_assert_eq!(authorizations.len(), 1);
                    prop_assert!(other != CredentialError::NotText
                        || std::str::from_utf8(authorizations[0]).is_err()
                        || authorizations[0].iter().any(|b| !(b' '..=b'~').contains(b)));
                }
                Ok(None) => prop_assert!(authorizations.len() <= 1),
                Ok(Some(found)) => {
                    prop_assert!(is_token68(found.token()));
                    match authorizations.as_slice() {
                        [] => {
                            prop_assert!(cookie);
                            prop_assert_eq!(found.scheme(), Scheme::Bearer);
                        }
                        [field] => {
                            let field = std::str::from_utf8(field).unwrap();
                            let (name, rest) = field.split_once(' ').unwrap();
                            prop_assert_eq!(rest.trim_start_matches(' '), found.token());
                            let expected = if name.eq_ignore_ascii_case("bearer") {
                                Scheme::Bearer
                            } else {
                                prop_assert!(dpop && name.eq_ignore_ascii_case("dpop"));
                                Scheme::Dpop
                            };
                            prop_assert_eq!(found.scheme(), expected);
                        }
                        _ => prop_assert!(false, "several fields read"),
                    }
                    let proofs: Vec<&[u8]> =
                        map.get_all("dpop").iter().map(HeaderValue::as_bytes).collect();
                    match found.proof() {
                        Ok(proof) => {
                            prop_assert_eq!(proofs.len(), 1);
                            prop_assert_eq!(proof.as_bytes(), proofs[0]);
                            prop_assert!(!proof.contains(','));
                        }
                        Err(Error::Dpop(Dpop::NoProof)) => prop_assert!(proofs.is_empty()),
                        Err(Error::Dpop(Dpop::SeveralProofs)) => prop_assert!(
                            proofs.len() > 1 || proofs[0].contains(&b',')
                        ),
                        Err(error) => {
                            prop_assert_eq!(error, Error::Malformed(Malformed::Character));
                            prop_assert_eq!(proofs.len(), 1);
                        }
                    }
                }
            }
        }
    }
}
