//! Time: the JSON numeric date of RFC 7519 §2 and the clock that says when "now" is.
//!
//! A leaf of the crate (it imports nothing of it), so that errors can carry dates and keys,
//! JWS and JWT can all read them without importing one another. The public paths are
//! `jwt::NumericDate`, `jwt::Clock` and `jwt::SystemClock`.

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
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
        Clock::now(&SystemClock)
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

/// A source of the current time.
///
/// Implement it for a test clock, or for a clock shared by a server; the `std` feature
/// provides [`SystemClock`]. What holds a clock holds an `Arc<dyn Clock>` (as rustls holds its
/// time provider): [`Validation::from_clock`](crate::jwt::Validation::from_clock),
/// [`SharedKeySet::with_clock`](crate::jwks::SharedKeySet::with_clock), the guard of
/// `jose-ring-axum`. Policies that never read a clock themselves (the key-set cache, DPoP proof
/// rules) are given the time instead.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicI64, Ordering};
/// use jose_ring::jwt::{Clock, NumericDate, Validation};
///
/// /// A clock a test moves by hand.
/// #[derive(Default)]
/// struct TestClock(AtomicI64);
/// impl Clock for TestClock {
///     fn now(&self) -> NumericDate {
///         NumericDate::from_seconds(self.0.load(Ordering::Relaxed))
///     }
/// }
///
/// let clock = Arc::new(TestClock::default());
/// let rules = Validation::from_clock(clock.clone());
/// clock.0.store(1_700_000_000, Ordering::Relaxed);
/// assert_eq!(rules.now(), NumericDate::from_seconds(1_700_000_000));
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> NumericDate;
}

/// A shared reference to a clock is a clock.
impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> NumericDate {
        (**self).now()
    }
}

/// The system clock (`std::time::SystemTime`), in whole seconds. A clock before 1970 reads as
/// the epoch.
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> NumericDate {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        NumericDate::from_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
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
}
