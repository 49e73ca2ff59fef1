//! The guard's credential parsing (jose-ring-axum `Credentials`): the `Authorization`,
//! `DPoP` and `Cookie` fields of a request, as RFC 6750 §2.1, RFC 9449 §4.3 and §7 and RFC
//! 7235 §2.1 say.
//!
//! Input: a first line of settings (`dpop` turns the DPoP scheme on, `cookie=NAME` names a
//! cookie), then one header field per line, `name: value` (any bytes; a field the `http`
//! crate refuses is left out, as a server never sees it).
//!
//! Properties:
//! - nothing panics, and reading twice gives the same answer;
//! - more than one `Authorization` field is refused (`SeveralFields`), and only then;
//! - a token read is a `token68` found verbatim after its scheme and spaces in the one
//!   `Authorization` field, whose scheme is `Bearer` (or `DPoP` when on) ignoring case; with
//!   no such field, it is the named cookie's value, as `Bearer`;
//! - no credentials means no field with a scheme the guard reads;
//! - a proof read is the one `DPoP` field, verbatim, without a `,`; otherwise the error
//!   says why (none, several, not visible ASCII).
#![no_main]

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};
use jose_ring::{Dpop, Error, Malformed};
use jose_ring_axum::{CredentialError, CredentialSources, Credentials, Scheme};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|b| *b == b'\n');
    let settings = String::from_utf8_lossy(lines.next().unwrap_or_default());
    let mut sources = CredentialSources::new();
    let mut cookie = None;
    for word in settings.split(' ') {
        if word == "dpop" {
            sources = sources.dpop(true);
        } else if let Some(name) = word.strip_prefix("cookie=") {
            sources = sources.cookie(name);
            cookie = Some(name.to_owned());
        }
    }
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    check(&headers, &sources, cookie.as_deref());
});

fn check(headers: &HeaderMap, sources: &CredentialSources, cookie: Option<&str>) {
    let read = Credentials::from_headers(headers, sources);
    let again = Credentials::from_headers(headers, sources);
    assert_eq!(summary(&read), summary(&again), "deterministic");
    let fields: Vec<&HeaderValue> = headers.get_all(AUTHORIZATION).iter().collect();
    let scheme_of = |field: &HeaderValue| {
        let text = field.to_str().ok()?;
        let name = text.split(' ').next().unwrap_or_default();
        if name.eq_ignore_ascii_case("bearer") {
            Some(Scheme::Bearer)
        } else if sources.accepts_dpop() && name.eq_ignore_ascii_case("dpop") {
            Some(Scheme::Dpop)
        } else {
            None
        }
    };
    match read {
        Err(CredentialError::SeveralFields) => assert!(fields.len() > 1),
        Err(error) => {
            assert_eq!(fields.len(), 1, "{error}");
            if error == CredentialError::NotText {
                assert!(fields[0].to_str().is_err());
            } else {
                assert!(scheme_of(fields[0]).is_some(), "{error}");
            }
        }
        Ok(None) => match fields.as_slice() {
            [] => {}
            [field] => assert_eq!(scheme_of(field), None),
            _ => panic!("several authorization fields read as none"),
        },
        Ok(Some(found)) => {
            let token = found.token();
            assert!(is_token68(token), "a token68");
            match fields.as_slice() {
                [] => {
                    assert_eq!(found.scheme(), Scheme::Bearer);
                    let name = cookie.expect("a cookie is named");
                    let seen = headers
                        .get_all(COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .any(|v| v.contains(&format!("{name}=")) && v.contains(token));
                    assert!(seen, "the token is the cookie's");
                }
                [field] => {
                    assert_eq!(scheme_of(field), Some(found.scheme()));
                    let text = field.to_str().expect("text");
                    let (_, rest) = text.split_once(' ').expect("a scheme and a token");
                    assert_eq!(rest.trim_start_matches(' '), token);
                }
                _ => panic!("several authorization fields read"),
            }
            let proofs: Vec<&HeaderValue> = headers.get_all("dpop").iter().collect();
            match found.proof() {
                Ok(proof) => {
                    assert_eq!(proofs.len(), 1);
                    assert_eq!(proof.as_bytes(), proofs[0].as_bytes());
                    assert!(!proof.contains(','));
                }
                Err(Error::Dpop(Dpop::NoProof)) => assert!(proofs.is_empty()),
                Err(Error::Dpop(Dpop::SeveralProofs)) => {
                    assert!(proofs.len() > 1 || proofs[0].as_bytes().contains(&b','));
                }
                Err(Error::Malformed(Malformed::Character)) => {
                    assert_eq!(proofs.len(), 1);
                    assert!(proofs[0].to_str().is_err());
                }
                Err(other) => panic!("unexpected proof error {other:?}"),
            }
        }
    }
}

/// What a reading says, comparable.
fn summary(
    read: &Result<Option<Credentials<'_>>, CredentialError>,
) -> Result<Option<(Scheme, String)>, CredentialError> {
    read.map(|found| found.map(|c| (c.scheme(), c.token().to_owned())))
}

/// RFC 7235 §2.1's `token68`, written here independently of the guard.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}
