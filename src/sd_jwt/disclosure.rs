//! One disclosure (RFC 9901 §4.2): how an issuer makes it (a fresh salt, the JSON array,
//! base64url), how its digest is taken (§4.2.3), and how a holder or verifier opens it.

use alloc::string::String;
use alloc::vec::Vec;

use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;

use crate::b64;
use crate::error::{Error, JsonProblem, Malformed, SdJwt};
use crate::json;

/// The one `_sd_alg` this crate uses, and the default when the claim is absent (§4.1.1).
pub(crate) const SHA_256: &str = "sha-256";

/// The bytes of randomness in a salt: 128 bits, the minimum RFC 9901 §9.3 recommends.
const SALT_BYTES: usize = 16;

/// The base64url SHA-256 digest of `text`'s ASCII bytes (§4.2.3): of a disclosure as it is
/// sent, of random bytes for a decoy (§4.2.5), or of an SD-JWT for `sd_hash` (§4.3.1).
pub(crate) fn digest_of(text: &[u8]) -> String {
    b64::encode(digest(&SHA256, text).as_ref())
}

/// Where a disclosure was referenced from, which fixes its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// From an object's `_sd`: `[salt, claim name, value]` (§4.2.1).
    Member,
    /// From an array element `{"...": digest}`: `[salt, value]` (§4.2.2).
    Element,
}

/// The contents of a disclosure: the claim name (for an object member) and the value.
#[derive(Debug, PartialEq)]
pub(crate) struct Contents {
    pub(crate) name: Option<String>,
    pub(crate) value: Value,
}

/// Decodes and reads the disclosure `text`, referenced as `kind`.
///
/// # Errors
///
/// [`Malformed::Base64`]`("disclosure")`; [`Malformed::Json`] (part `disclosure`) for JSON
/// that is not strict; [`SdJwt::DisclosureNotArray`]; [`SdJwt::ObjectDisclosure`] or
/// [`SdJwt::ArrayDisclosure`] for the wrong number of elements; [`SdJwt::Salt`] and
/// [`SdJwt::ClaimName`] for a salt or name that is not a string.
pub(crate) fn open(text: &str, kind: Kind) -> Result<Contents, Error> {
    let bytes = b64::decode(text.as_bytes(), "disclosure")?;
    let mut elements: Vec<Value> = json::array_from_slice(&bytes).map_err(|problem| {
        if problem == JsonProblem::NotArray {
            Error::from(SdJwt::DisclosureNotArray)
        } else {
            Malformed::Json {
                part: "disclosure",
                problem,
            }
            .into()
        }
    })?;
    let (want, wrong) = match kind {
        Kind::Member => (3, SdJwt::ObjectDisclosure),
        Kind::Element => (2, SdJwt::ArrayDisclosure),
    };
    if elements.len() != want {
        return Err(wrong.into());
    }
    let value = elements.pop().ok_or(wrong)?;
    let name = match kind {
        Kind::Member => match elements.pop() {
            Some(Value::String(name)) => Some(name),
            _ => return Err(SdJwt::ClaimName.into()),
        },
        Kind::Element => None,
    };
    if !matches!(elements.first(), Some(Value::String(_))) {
        return Err(SdJwt::Salt.into());
    }
    Ok(Contents { name, value })
}

/// A fresh salt: 128 bits from the system's secure random number generator, base64url
/// (22 characters).
///
/// # Errors
///
/// [`Error::SigningFailed`] if the random number generator fails.
pub(crate) fn salt(rng: &SystemRandom) -> Result<String, Error> {
    let mut bytes = [0u8; SALT_BYTES];
    rng.fill(&mut bytes).map_err(|_| Error::SigningFailed)?;
    Ok(b64::encode(&bytes))
}

/// A decoy digest (§4.2.5): the digest of 128 fresh random bits.
///
/// # Errors
///
/// [`Error::SigningFailed`] if the random number generator fails.
pub(crate) fn decoy(rng: &SystemRandom) -> Result<String, Error> {
    let mut bytes = [0u8; SALT_BYTES];
    rng.fill(&mut bytes).map_err(|_| Error::SigningFailed)?;
    Ok(digest_of(&bytes))
}

/// The disclosure of the object member `name: value` (§4.2.1), with salt `salt`.
///
/// # Errors
///
/// [`Malformed::Json`] (part `disclosure`) if `value` nests deeper than a reader accepts.
pub(crate) fn for_member(salt: &str, name: &str, value: &Value) -> Result<String, Error> {
    encode(&(salt, name, value))
}

/// The disclosure of the array element `value` (§4.2.2), with salt `salt`.
///
/// # Errors
///
/// As [`for_member`].
pub(crate) fn for_element(salt: &str, value: &Value) -> Result<String, Error> {
    encode(&(salt, value))
}

/// The JSON array `elements`, written strictly, base64url.
fn encode<T: serde::Serialize>(elements: &T) -> Result<String, Error> {
    let json = json::array_to_vec(elements, "disclosure")?;
    Ok(b64::encode(&json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9901_section_4_2_examples() {
        // §4.2.1 and §4.2.3: the family_name disclosure and its digest.
        let text = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
        assert_eq!(
            digest_of(text.as_bytes()),
            "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
        );
        let opened = open(text, Kind::Member).unwrap();
        assert_eq!(opened.name.as_deref(), Some("family_name"));
        assert_eq!(opened.value, Value::from("Möbius"));
        // The three other encodings of the same claim open to the same contents.
        for variant in [
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNXHUwMGY2Yml1cyJd",
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsImZhbWlseV9uYW1lIiwiTcO2Yml1cyJd",
            "WwoiXzI2YmM0TFQtYWM2cTJLSTZjQlc1ZXMiLAoiZmFtaWx5X25hbWUiLAoiTcO2Yml1cyIKXQ",
        ] {
            assert_eq!(open(variant, Kind::Member).unwrap(), opened);
        }
        // §4.2.2: an array element.
        let element = open("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0", Kind::Element).unwrap();
        assert_eq!(
            element,
            Contents {
                name: None,
                value: Value::from("FR")
            }
        );
    }

    #[test]
    fn shapes_are_checked_for_where_the_disclosure_was_referenced() {
        let enc = |json: &str| b64::encode(json.as_bytes());
        let cases: [(&str, Kind, Error); 9] = [
            (
                r#"["s","n","v"]"#,
                Kind::Element,
                SdJwt::ArrayDisclosure.into(),
            ),
            (r#"["s","v"]"#, Kind::Member, SdJwt::ObjectDisclosure.into()),
            (
                r#"["s","n","v",1]"#,
                Kind::Member,
                SdJwt::ObjectDisclosure.into(),
            ),
            (r#"[]"#, Kind::Element, SdJwt::ArrayDisclosure.into()),
            (r#"[1,"n","v"]"#, Kind::Member, SdJwt::Salt.into()),
            (r#"[null,"v"]"#, Kind::Element, SdJwt::Salt.into()),
            (r#"["s",1,"v"]"#, Kind::Member, SdJwt::ClaimName.into()),
            (r#"{"s":1}"#, Kind::Member, SdJwt::DisclosureNotArray.into()),
            (
                r#"["s","n",{"a":1,"a":2}]"#,
                Kind::Member,
                Malformed::Json {
                    part: "disclosure",
                    problem: JsonProblem::DuplicateMember,
                }
                .into(),
            ),
        ];
        for (json, kind, want) in cases {
            assert_eq!(open(&enc(json), kind), Err(want), "{json}");
        }
        assert_eq!(
            open("WyJz=", Kind::Element),
            Err(Malformed::Base64("disclosure").into())
        );
    }

    #[test]
    fn made_disclosures_open_again() {
        let rng = SystemRandom::new();
        let salt = salt(&rng).unwrap();
        assert_eq!(salt.len(), 22);
        assert_ne!(salt, super::salt(&rng).unwrap());
        let value = serde_json::json!({"street": "Schulstr. 12", "n": [1, 2]});
        let member = for_member(&salt, "address", &value).unwrap();
        let opened = open(&member, Kind::Member).unwrap();
        assert_eq!(
            (opened.name.as_deref(), &opened.value),
            (Some("address"), &value)
        );
        let element = for_element(&salt, &Value::from("DE")).unwrap();
        assert_eq!(
            open(&element, Kind::Element).unwrap().value,
            Value::from("DE")
        );
        assert_eq!(decoy(&rng).unwrap().len(), 43);
    }
}
