//! The registered claims of RFC 7519 §4.1 and their value types.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// A JSON numeric date (RFC 7519 §2): whole seconds since 1970-01-01T00:00:00Z, ignoring leap
/// seconds.
///
/// On input any JSON number is accepted: a fraction is rounded down (`floor`), and values
/// beyond `i64` (such as `1e300`) saturate to [`NumericDate::MAX`] or [`NumericDate::MIN`].
/// On output it is always an integer. Arithmetic saturates.
///
/// ```
/// use jose_ring::jwt::NumericDate;
/// let issued = NumericDate::from_seconds(1_700_000_000);
/// assert_eq!(issued.saturating_add(3600).as_seconds(), 1_700_003_600);
/// assert_eq!(NumericDate::MAX.saturating_add(1), NumericDate::MAX);
/// assert_eq!(NumericDate::from_f64(1e300), NumericDate::MAX);
/// assert_eq!(NumericDate::from_f64(1.9).as_seconds(), 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate(i64);

impl NumericDate {
    /// The earliest date: `i64::MIN` seconds.
    pub const MIN: Self = Self(i64::MIN);
    /// The latest date: `i64::MAX` seconds.
    pub const MAX: Self = Self(i64::MAX);
    /// 1970-01-01T00:00:00Z.
    pub const EPOCH: Self = Self(0);

    /// The date `seconds` after the epoch (before it, if negative).
    #[must_use]
    pub const fn from_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// The date of a JSON number with a fraction: rounded down, saturating beyond `i64`;
    /// `NaN` (which JSON cannot express) becomes the epoch.
    #[must_use]
    pub fn from_f64(seconds: f64) -> Self {
        Self(floor_saturating(seconds))
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_seconds(self) -> i64 {
        self.0
    }

    /// `seconds` later (earlier, if negative), saturating.
    #[must_use]
    pub const fn saturating_add(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// `seconds` earlier (later, if negative), saturating.
    #[must_use]
    pub const fn saturating_sub(self, seconds: i64) -> Self {
        Self(self.0.saturating_sub(seconds))
    }

    /// The seconds from `earlier` to `self`, saturating (negative if `earlier` is later).
    #[must_use]
    pub const fn seconds_since(self, earlier: Self) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// The current time of the system clock.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn now() -> Self {
        super::Clock::now(&super::SystemClock)
    }
}

/// `f64` to `i64`, rounded down, saturating, `NaN` to 0.
pub(crate) fn floor_saturating(x: f64) -> i64 {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "`as` from f64 to i64 saturates and maps NaN to 0 (Rust reference, numeric \
                  casts); that is the conversion wanted"
    )]
    let n = floor(x) as i64;
    n
}

/// `f64` to `i64`, rounded up, saturating, `NaN` to 0.
pub(crate) fn ceil_saturating(x: f64) -> i64 {
    let down = floor_saturating(x);
    // Only a finite `x` below 2^52 in magnitude can have a fraction.
    if floor(x) < x {
        down.saturating_add(1)
    } else {
        down
    }
}

/// `f64::floor` without `std`: exact for every `f64`.
fn floor(x: f64) -> f64 {
    // Beyond 2^52 every `f64` is an integer; NaN and infinities pass through.
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_precision_loss,
        reason = "|x| < 2^52: the integer part fits an i64 exactly and converts back exactly"
    )]
    let truncated = (x as i64) as f64;
    if truncated > x {
        truncated - 1.0
    } else {
        truncated
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<i64> for NumericDate {
    fn from(seconds: i64) -> Self {
        Self(seconds)
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

/// Reads a [`NumericDate`] from any JSON number.
struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = NumericDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a NumericDate")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
        Ok(NumericDate(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
        Ok(NumericDate(i64::try_from(v).unwrap_or(i64::MAX)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
        Ok(NumericDate::from_f64(v))
    }
}

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
    fn float_conversions() {
        for (x, down, up) in [
            (0.0, 0, 0),
            (1.5, 1, 2),
            (-1.5, -2, -1),
            (-0.5, -1, 0),
            (1e300, i64::MAX, i64::MAX),
            (-1e300, i64::MIN, i64::MIN),
            (f64::INFINITY, i64::MAX, i64::MAX),
            (f64::NEG_INFINITY, i64::MIN, i64::MIN),
            (f64::NAN, 0, 0),
            (
                9.223_372_036_854_775e18,
                9_223_372_036_854_774_784,
                9_223_372_036_854_774_784,
            ),
            (9.223_372_036_854_776e18, i64::MAX, i64::MAX),
            (
                4_503_599_627_370_497.0,
                4_503_599_627_370_497,
                4_503_599_627_370_497,
            ),
            (1_300_819_380.999, 1_300_819_380, 1_300_819_381),
        ] {
            assert_eq!(floor_saturating(x), down, "{x}");
            assert_eq!(ceil_saturating(x), up, "{x}");
        }
    }

    #[test]
    fn dates_from_json() {
        let date = |s: &str| serde_json::from_str::<NumericDate>(s).map(NumericDate::as_seconds);
        assert_eq!(date("1300819380").unwrap(), 1_300_819_380);
        assert_eq!(date("-5").unwrap(), -5);
        assert_eq!(date("1300819380.75").unwrap(), 1_300_819_380);
        assert_eq!(date("1e300").unwrap(), i64::MAX);
        assert_eq!(date("18446744073709551615").unwrap(), i64::MAX);
        assert!(date("\"1\"").is_err());
        assert_eq!(
            serde_json::to_string(&NumericDate::MIN).unwrap(),
            "-9223372036854775808"
        );
    }

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
