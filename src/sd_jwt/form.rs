//! The outer forms of an SD-JWT (RFC 9901 §4, §8): the compact `<JWT>~<D>~...~<KB-JWT>` and
//! the JWS JSON serializations (flattened and general) with `disclosures` and `kb_jwt` in the
//! first signature's unprotected header; split into their parts, and written back with other
//! disclosures and a KB-JWT.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use super::limits::Limits;
use crate::error::{Error, Malformed, SdJwt};
use crate::json;
use crate::jws::{Serialization, UnverifiedJson};

/// The issuer-signed JWT of an SD-JWT, as it came.
#[derive(Debug)]
pub(crate) enum Jwt<'a> {
    /// A compact JWS (`header.payload.signature`).
    Compact(&'a str),
    /// A JWS JSON serialization, its disclosures and KB-JWT already taken out of it.
    Json(UnverifiedJson<'a>),
}

/// An SD-JWT or SD-JWT+KB split into its parts; nothing decoded beyond the JSON envelope.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub(crate) jwt: Jwt<'a>,
    /// The disclosures as they were sent.
    pub(crate) disclosures: Vec<Cow<'a, str>>,
    /// The KB-JWT, if any.
    pub(crate) kb_jwt: Option<Cow<'a, str>>,
    /// The compact SD-JWT `sd_hash` covers (§4.3.1): borrowed from the input when it came
    /// compact, made when it is needed otherwise.
    pub(crate) compact_sd_jwt: Option<&'a str>,
}

/// Splits `input`, a compact SD-JWT (+KB) or a JWS JSON serialization of one (told apart by
/// the first byte that is not whitespace: `{`), under `limits`.
///
/// # Errors
///
/// [`Error::TooLarge`] for input beyond [`Limits::total_len`] or more disclosures than
/// [`Limits::disclosures`]; [`SdJwt::Format`] for a compact form without `~` or with an
/// empty disclosure; the errors of [`UnverifiedJson::parse_with_limits`] for a JSON form, and
/// [`SdJwt::JsonHeader`] for `disclosures` or `kb_jwt` of the wrong type or outside the first
/// signature's unprotected header.
pub(crate) fn split<'a>(input: &'a str, limits: &Limits) -> Result<Parts<'a>, Error> {
    if input.len() > limits.total_len() {
        return Err(Error::TooLarge {
            what: "SD-JWT",
            limit: limits.total_len(),
        });
    }
    if json::skip_whitespace(input.as_bytes()).first() == Some(&b'{') {
        return split_json(input, limits);
    }
    let (jwt, rest) = input.split_once('~').ok_or(SdJwt::Format)?;
    // The last component is the KB-JWT, or empty for an SD-JWT (§4); each disclosure before
    // it is followed by `~`.
    let (disclosed, kb_jwt) = match rest.rsplit_once('~') {
        Some((disclosed, kb_jwt)) => (Some(disclosed), kb_jwt),
        None => (None, rest),
    };
    let sd_jwt_len = input.len().saturating_sub(kb_jwt.len());
    let mut disclosures = Vec::new();
    if let Some(disclosed) = disclosed {
        for text in disclosed.split('~') {
            if text.is_empty() {
                return Err(SdJwt::Format.into());
            }
            if disclosures.len() == limits.disclosures() {
                return Err(too_many(limits));
            }
            disclosures.push(Cow::Borrowed(text));
        }
    }
    Ok(Parts {
        jwt: Jwt::Compact(jwt),
        disclosures,
        kb_jwt: (!kb_jwt.is_empty()).then_some(Cow::Borrowed(kb_jwt)),
        compact_sd_jwt: input.get(..sd_jwt_len),
    })
}

fn too_many(limits: &Limits) -> Error {
    Error::TooLarge {
        what: "number of disclosures",
        limit: limits.disclosures(),
    }
}

/// [`split`] for a JWS JSON serialization (§8).
fn split_json<'a>(input: &'a str, limits: &Limits) -> Result<Parts<'a>, Error> {
    let jws_limits = crate::Limits::DEFAULT.with_token_len(limits.total_len());
    let document = UnverifiedJson::parse_with_limits(input.as_bytes(), &jws_limits)?;
    let mut disclosures = Vec::new();
    let mut kb_jwt = None;
    for (index, signature) in document.signatures().iter().enumerate() {
        let Some(header) = signature.unprotected() else {
            continue;
        };
        let listed = header.member_value("disclosures");
        let kb = header.member_value("kb_jwt");
        if index > 0 {
            if listed.is_some() || kb.is_some() {
                return Err(SdJwt::JsonHeader.into());
            }
            continue;
        }
        match listed {
            None => {}
            Some(Value::Array(items)) => {
                if items.len() > limits.disclosures() {
                    return Err(too_many(limits));
                }
                for item in items {
                    match item {
                        Value::String(text) if !text.is_empty() => {
                            disclosures.push(Cow::Owned(text.clone()));
                        }
                        _ => return Err(SdJwt::JsonHeader.into()),
                    }
                }
            }
            Some(_) => return Err(SdJwt::JsonHeader.into()),
        }
        kb_jwt = match kb {
            None => None,
            Some(Value::String(text)) if !text.is_empty() => Some(Cow::Owned(text.clone())),
            Some(_) => return Err(SdJwt::JsonHeader.into()),
        };
    }
    if document.is_detached() {
        return Err(Malformed::MissingMember("payload").into());
    }
    if document.is_unencoded() {
        return Err(Malformed::InvalidMember("b64").into());
    }
    Ok(Parts {
        jwt: Jwt::Json(document),
        disclosures,
        kb_jwt,
        compact_sd_jwt: None,
    })
}

impl Parts<'_> {
    /// Which serialization the SD-JWT came in.
    pub(crate) fn serialization(&self) -> Serialization {
        match &self.jwt {
            Jwt::Compact(_) => Serialization::Compact,
            Jwt::Json(document) => document.serialization(),
        }
    }

    /// The issuer-signed JWT in compact form: for a JSON serialization, its first signature's
    /// `protected.payload.signature` (§8.1).
    pub(crate) fn compact_jwt(&self) -> Cow<'_, str> {
        match &self.jwt {
            Jwt::Compact(jwt) => Cow::Borrowed(jwt),
            Jwt::Json(document) => {
                let first = document.signatures().first();
                let parts = [
                    first
                        .and_then(|s| s.protected_segment())
                        .unwrap_or_default(),
                    document.payload_segment().unwrap_or_default(),
                    first.map(|s| s.signature_segment()).unwrap_or_default(),
                ];
                Cow::Owned(parts.join("."))
            }
        }
    }

    /// The SD-JWT `sd_hash` covers (§4.3.1, §8.1): `<JWT>~<D1>~...~<Dn>~`.
    pub(crate) fn sd_jwt_text(&self) -> Cow<'_, str> {
        match self.compact_sd_jwt {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(super::issue::compact(
                &self.compact_jwt(),
                &self.disclosures,
            )),
        }
    }

    /// The same SD-JWT in the same serialization with only `disclosures` and, when given,
    /// `kb_jwt`.
    ///
    /// # Errors
    ///
    /// [`Malformed::HeaderOverlap`] for a JSON serialization whose protected header has
    /// `disclosures` or `kb_jwt`.
    pub(crate) fn write(self, disclosures: &[&str], kb_jwt: Option<&str>) -> Result<String, Error> {
        match self.jwt {
            Jwt::Compact(jwt) => {
                let mut out = super::issue::compact(jwt, disclosures);
                out.push_str(kb_jwt.unwrap_or_default());
                Ok(out)
            }
            Jwt::Json(mut document) => {
                let listed = Value::Array(disclosures.iter().map(|d| Value::from(*d)).collect());
                document.set_unprotected_member(0, "disclosures", Some(listed))?;
                document.set_unprotected_member(0, "kb_jwt", kb_jwt.map(Value::from))?;
                let form = document.serialization();
                document.serialize(form)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact_parts(input: &str) -> Result<(usize, Option<String>), Error> {
        split(input, &Limits::DEFAULT)
            .map(|parts| (parts.disclosures.len(), parts.kb_jwt.map(Cow::into_owned)))
    }

    #[test]
    fn compact_forms_of_section_4() {
        assert_eq!(compact_parts("a.b.c~"), Ok((0, None)));
        assert_eq!(compact_parts("a.b.c~d1~d2~"), Ok((2, None)));
        assert_eq!(compact_parts("a.b.c~k.b.j"), Ok((0, Some("k.b.j".into()))));
        assert_eq!(
            compact_parts("a.b.c~d1~k.b.j"),
            Ok((1, Some("k.b.j".into())))
        );
        for bad in ["a.b.c", "a.b.c~~", "a.b.c~d1~~", "a.b.c~~k.b.j", ""] {
            assert_eq!(compact_parts(bad), Err(SdJwt::Format.into()), "{bad}");
        }
        let parts = split("a.b.c~d1~k.b.j", &Limits::DEFAULT).unwrap();
        assert_eq!(parts.sd_jwt_text(), "a.b.c~d1~");
        assert_eq!(parts.compact_jwt(), "a.b.c");
    }

    #[test]
    fn limits_come_first() {
        let limits = Limits::DEFAULT.with_disclosures(2).with_total_len(20);
        assert_eq!(
            split("a.b.c~d1~d2~d3~", &limits).map(|_| ()),
            Err(Error::TooLarge {
                what: "number of disclosures",
                limit: 2
            })
        );
        assert_eq!(
            split("a.b.c~d1~d2~d3~d4~d5~", &limits).map(|_| ()),
            Err(Error::TooLarge {
                what: "SD-JWT",
                limit: 20
            })
        );
    }
}
