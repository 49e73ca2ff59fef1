//! Reading the credentials of a request (RFC 6750 §2.1, RFC 9449 §7, RFC 7235 §2.1): the
//! `Authorization` field, the `DPoP` field, and a cookie only if one is named. Never the
//! query string.

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

/// The scheme the access token came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: Bearer` (RFC 6750), or the named cookie.
    Bearer,
    /// `Authorization: DPoP` with a `DPoP` proof (RFC 9449).
    Dpop,
}

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No credentials for a scheme the guard knows.
    None,
    /// A token and its scheme.
    Token(Scheme, &'a str),
}

/// Why credentials could not be read: a malformed request (400 `invalid_request`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// More than one `Authorization` field.
    SeveralFields,
    /// A field value that is not visible ASCII.
    NotText,
    /// `Bearer` or `DPoP` without a token.
    NoToken,
    /// A token that is not a `token68`.
    NotToken68,
}

impl Malformed {
    /// A fixed text for the `error_description`.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::SeveralFields => "more than one authorization field",
            Self::NotText => "the authorization field is not text",
            Self::NoToken => "the authorization scheme has no token",
            Self::NotToken68 => "the credentials are not a token68",
        }
    }
}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` (RFC 7235 §2.1;
/// RFC 6750's `b64token` is the same).
pub(crate) fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// The credentials of a request: exactly one `Authorization` field with the `Bearer` or
/// `DPoP` scheme (compared ignoring ASCII case, RFC 7235 §2.1), one or more spaces, and a
/// `token68`; else, when `cookie` names one, that cookie (as a `Bearer` token). Another
/// scheme (`Basic`, ...) counts as no credentials. `dpop` says whether the `DPoP` scheme is
/// known; when it is not, it counts as another scheme.
pub(crate) fn read<'a>(
    headers: &'a HeaderMap,
    cookie: Option<&str>,
    dpop: bool,
) -> Result<Credentials<'a>, Malformed> {
    let mut fields = headers.get_all(AUTHORIZATION).iter();
    let Some(field) = fields.next() else {
        return Ok(cookie
            .and_then(|name| from_cookie(headers, name))
            .map_or(Credentials::None, |token| {
                Credentials::Token(Scheme::Bearer, token)
            }));
    };
    if fields.next().is_some() {
        return Err(Malformed::SeveralFields);
    }
    let value = field.to_str().map_err(|_| Malformed::NotText)?;
    let (scheme_name, rest) = value.split_once(' ').unwrap_or((value, ""));
    let scheme = if scheme_name.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if dpop && scheme_name.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else {
        return Ok(Credentials::None);
    };
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Err(Malformed::NoToken);
    }
    if !is_token68(token) {
        return Err(Malformed::NotToken68);
    }
    Ok(Credentials::Token(scheme, token))
}

/// The value of the cookie `name`, if a `Cookie` field has it and it is a `token68`.
fn from_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| is_token68(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

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

    fn read_one(pairs: &[(&str, &str)]) -> Result<Credentials<'static>, Malformed> {
        let map = Box::leak(Box::new(headers(pairs)));
        read(map, Some("at"), true)
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
                read_one(&[("authorization", value)]),
                Ok(Credentials::Token(Scheme::Bearer, "a.b.c")),
                "{value}"
            );
        }
        for value in ["DPoP a.b.c", "dpop a.b.c", "DPOP a.b.c"] {
            assert_eq!(
                read_one(&[("authorization", value)]),
                Ok(Credentials::Token(Scheme::Dpop, "a.b.c")),
                "{value}"
            );
        }
        // Without DPoP support the scheme is someone else's.
        let map = headers(&[("authorization", "DPoP a.b.c")]);
        assert_eq!(read(&map, None, false), Ok(Credentials::None));
    }

    #[test]
    fn other_schemes_and_absence_are_no_credentials() {
        assert_eq!(read_one(&[]), Ok(Credentials::None));
        assert_eq!(
            read_one(&[("authorization", "Basic YWRhOnB3")]),
            Ok(Credentials::None)
        );
        assert_eq!(
            read_one(&[("authorization", "Bearerx a.b.c")]),
            Ok(Credentials::None)
        );
    }

    #[test]
    fn malformed_requests() {
        assert_eq!(
            read_one(&[("authorization", "Bearer a"), ("authorization", "Bearer b")]),
            Err(Malformed::SeveralFields)
        );
        assert_eq!(
            read_one(&[("authorization", "Bearer")]),
            Err(Malformed::NoToken)
        );
        assert_eq!(
            read_one(&[("authorization", "Bearer ")]),
            Err(Malformed::NoToken)
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
                read_one(&[("authorization", bad)]),
                Err(Malformed::NotToken68),
                "{bad}"
            );
        }
        let mut map = HeaderMap::new();
        map.insert(
            AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
        );
        assert_eq!(read(&map, None, true), Err(Malformed::NotText));
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
            read_one(&[("cookie", "x=1; at=a.b.c; y=2")]),
            Ok(Credentials::Token(Scheme::Bearer, "a.b.c"))
        );
        let map = headers(&[("cookie", "at=a.b.c")]);
        assert_eq!(read(&map, None, true), Ok(Credentials::None));
        assert_eq!(
            read_one(&[("cookie", "at=a.b.c"), ("authorization", "Bearer d.e.f")]),
            Ok(Credentials::Token(Scheme::Bearer, "d.e.f"))
        );
        assert_eq!(read_one(&[("cookie", "at=a b")]), Ok(Credentials::None));
    }
}
