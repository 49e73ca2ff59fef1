//! The registered claims of RFC 7519 §4.1 and their value types.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::time::NumericDate;

/// The `aud` claim: one audience as a string, or several as an array (RFC 7519 §4.1.3).
///
/// It serializes back in the form it was built with.
///
/// ```
/// use jose_ring::jwt::Audience;
/// let aud = Audience::from(["api", "web"]);
/// assert!(aud.contains("web"));
/// assert_eq!(serde_json::to_string(&aud).unwrap(), r#"["api","web"]"#);
/// assert_eq!(serde_json::to_string(&Audience::from("api")).unwrap(), r#""api""#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A single audience, as a JSON string.
    Single(String),
    /// Any number of audiences, as a JSON array.
    Multiple(Vec<String>),
}

impl Audience {
    /// Whether `audience` is one of the audiences.
    #[must_use]
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }

    /// The audiences.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (single, multiple) = match self {
            Self::Single(one) => (Some(one.as_str()), &[][..]),
            Self::Multiple(many) => (None, many.as_slice()),
        };
        single
            .into_iter()
            .chain(multiple.iter().map(String::as_str))
    }
}

impl From<&str> for Audience {
    fn from(audience: &str) -> Self {
        Self::Single(audience.into())
    }
}

impl From<String> for Audience {
    fn from(audience: String) -> Self {
        Self::Single(audience)
    }
}

impl From<Vec<String>> for Audience {
    fn from(audiences: Vec<String>) -> Self {
        Self::Multiple(audiences)
    }
}

impl<const N: usize> From<[&str; N]> for Audience {
    fn from(audiences: [&str; N]) -> Self {
        Self::Multiple(audiences.iter().map(|&a| a.into()).collect())
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Single(one) => serializer.serialize_str(one),
            Self::Multiple(many) => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AudienceVisitor)
    }
}

/// Reads an [`Audience`] from a string or an array of strings.
struct AudienceVisitor;

impl<'de> Visitor<'de> for AudienceVisitor {
    type Value = Audience;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Audience, E> {
        Ok(Audience::Single(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Audience, E> {
        Ok(Audience::Single(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
        let mut many = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(one) = seq.next_element::<String>()? {
            many.push(one);
        }
        Ok(Audience::Multiple(many))
    }
}

/// The registered claims of RFC 7519 §4.1, each optional.
///
/// Use it on its own, or flatten it into your own claims type with `#[serde(flatten)]`. For
/// decoding you need not include it at all: the [`Validation`](super::Validation) reads the
/// registered claims from the same pass over the payload, whatever your type contains, and
/// [`Verified`](super::Verified) reports the times.
///
/// ```
/// use jose_ring::jwt::{NumericDate, RegisteredClaims};
/// let now = NumericDate::from_seconds(1_700_000_000);
/// let claims = RegisteredClaims::new()
///     .with_issuer("https://auth.example")
///     .with_subject("ada")
///     .with_audience("api")
///     .with_issued_at(now)
///     .with_expiry(now.saturating_add(900))
///     .with_jwt_id("6d1f");
/// assert_eq!(
///     serde_json::to_string(&claims).unwrap(),
///     r#"{"iss":"https://auth.example","sub":"ada","aud":"api","exp":1700000900,"iat":1700000000,"jti":"6d1f"}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// `iss`: who issued the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `sub`: whom the token is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud`: whom the token is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// `exp`: the time on and after which the token must be rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// `nbf`: the time before which the token must be rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// `iat`: when the token was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// `jti`: a unique identifier of the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

impl RegisteredClaims {
    /// No claims.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `iss`.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.iss = Some(issuer.into());
        self
    }

    /// Sets `sub`.
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.sub = Some(subject.into());
        self
    }

    /// Sets `aud`: a string, or an array with `["a", "b"]` or a `Vec<String>`.
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<Audience>) -> Self {
        self.aud = Some(audience.into());
        self
    }

    /// Sets `exp`.
    #[must_use]
    pub fn with_expiry(mut self, exp: NumericDate) -> Self {
        self.exp = Some(exp);
        self
    }

    /// Sets `nbf`.
    #[must_use]
    pub fn with_not_before(mut self, nbf: NumericDate) -> Self {
        self.nbf = Some(nbf);
        self
    }

    /// Sets `iat`.
    #[must_use]
    pub fn with_issued_at(mut self, iat: NumericDate) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Sets `iat` to `now` and `exp` to `lifetime` seconds later (saturating): the usual pair
    /// for a freshly issued token.
    #[must_use]
    pub fn with_lifetime(self, now: NumericDate, lifetime: u64) -> Self {
        let seconds = i64::try_from(lifetime).unwrap_or(i64::MAX);
        self.with_issued_at(now)
            .with_expiry(now.saturating_add(seconds))
    }

    /// Sets `jti`.
    #[must_use]
    pub fn with_jwt_id(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences() {
        let one: Audience = serde_json::from_str(r#""a""#).unwrap();
        assert_eq!(one, Audience::Single("a".into()));
        let many: Audience = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(many.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(serde_json::from_str::<Audience>("[1]").is_err());
        assert!(!Audience::Multiple(Vec::new()).contains(""));
    }
}
