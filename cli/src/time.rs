//! UTC dates for NumericDates, by hand: days since the epoch to a civil date (Howard
//! Hinnant's `civil_from_days`), valid for every `i64` second count that maps to a year
//! between -999999 and 999999; others are shown as seconds only.
#![allow(
    clippy::arithmetic_side_effects,
    reason = "the day arithmetic runs on values bounded by the `checked_*` steps and the ranges noted"
)]

/// `seconds` since the epoch as `YYYY-MM-DDTHH:MM:SSZ`, or `None` outside years ±999,999.
pub(crate) fn utc(seconds: i64) -> Option<String> {
    let days = seconds.div_euclid(86_400);
    let rem = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days)?;
    if !(-999_999..=999_999).contains(&year) {
        return None;
    }
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"
    ))
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> Option<(i64, i64, i64)> {
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe.checked_add(era.checked_mul(400)?)?;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y.checked_add(1)? } else { y };
    Some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(utc(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(utc(1_700_000_000).as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(utc(1_900_000_000).as_deref(), Some("2030-03-17T17:46:40Z"));
        assert_eq!(utc(951_782_400).as_deref(), Some("2000-02-29T00:00:00Z"));
        assert_eq!(utc(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(
            utc(253_402_300_799).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(utc(i64::MAX), None);
        assert_eq!(utc(i64::MIN), None);
    }
}
