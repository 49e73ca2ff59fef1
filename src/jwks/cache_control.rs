//! The two response header fields a key-set cache reads: `Cache-Control` (RFC 9111 §5.2)
//! and `ETag` (RFC 9110 §8.8.3).

use alloc::string::String;

/// What a `Cache-Control` field value says about how long a response stays fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// `max-age=N`, saturating beyond `u64`.
    MaxAge(u64),
    /// Fresh for no time: `no-store`, `no-cache`, or a `max-age` that is invalid or repeated
    /// with different values (RFC 9111 §4.2.1: treat as stale).
    None,
    /// No directive about freshness (an absent or unintelligible field).
    Unstated,
}

/// Reads a `Cache-Control` field value: comma-separated directives, names compared without
/// case, `max-age` as a token or quoted string of digits. Other directives (`s-maxage`,
/// `public`, `must-revalidate`, extensions) are ignored.
pub(crate) fn freshness(field: &str) -> Freshness {
    let mut max_age: Option<Option<u64>> = None;
    let mut no_cache = false;
    for directive in field.split(',') {
        let directive = directive.trim_matches([' ', '\t']);
        let (name, value) = match directive.split_once('=') {
            Some((name, value)) => (name.trim_end_matches([' ', '\t']), Some(value)),
            None => (directive, None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            no_cache = true;
        } else if name.eq_ignore_ascii_case("max-age") {
            let seconds = value.and_then(delta_seconds);
            max_age = match max_age {
                None => Some(seconds),
                Some(before) if before == seconds => Some(before),
                Some(_) => Some(None),
            };
        }
    }
    match (no_cache, max_age) {
        (true, _) | (false, Some(None)) => Freshness::None,
        (false, Some(Some(seconds))) => Freshness::MaxAge(seconds),
        (false, None) => Freshness::Unstated,
    }
}

/// `delta-seconds` (RFC 9111 §1.2.2), bare or quoted; saturating.
fn delta_seconds(value: &str) -> Option<u64> {
    let value = value.trim_matches([' ', '\t']);
    let digits = match value.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => value,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |n, digit| {
        n.saturating_mul(10)
            .saturating_add(u64::from(digit.wrapping_sub(b'0')))
    }))
}

/// The longest entity tag kept, in bytes.
const MAX_ETAG_LEN: usize = 256;

/// An `ETag` field value worth sending back in `If-None-Match`: `"..."` or `W/"..."` with
/// only `etagc` bytes inside (RFC 9110 §8.8.3, obs-text excluded), at most 256 bytes.
/// Anything else is dropped, so that a header injected by a provider is never echoed.
pub(crate) fn entity_tag(field: &str) -> Option<String> {
    let field = field.trim_matches([' ', '\t']);
    let opaque = field.strip_prefix("W/").unwrap_or(field);
    let inner = opaque.strip_prefix('"')?.strip_suffix('"')?;
    let etagc = |b: u8| b == 0x21 || (0x23..=0x7e).contains(&b);
    (field.len() <= MAX_ETAG_LEN && inner.bytes().all(etagc)).then(|| String::from(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control() {
        for (field, want) in [
            ("max-age=600", Freshness::MaxAge(600)),
            (
                "public, Max-Age = 60 , must-revalidate",
                Freshness::MaxAge(60),
            ),
            ("max-age=\"30\"", Freshness::MaxAge(30)),
            (
                "max-age=99999999999999999999999",
                Freshness::MaxAge(u64::MAX),
            ),
            ("max-age=60, max-age=60", Freshness::MaxAge(60)),
            ("max-age=60, max-age=61", Freshness::None),
            ("max-age=-1", Freshness::None),
            ("max-age=", Freshness::None),
            ("max-age", Freshness::None),
            ("max-age=1e3", Freshness::None),
            ("max-age=\"30", Freshness::None),
            ("no-store", Freshness::None),
            ("max-age=600, NO-CACHE", Freshness::None),
            ("no-cache=\"set-cookie\"", Freshness::None),
            ("s-maxage=600", Freshness::Unstated),
            ("", Freshness::Unstated),
            ("garbage ;; = ,,", Freshness::Unstated),
            ("max-agex=5", Freshness::Unstated),
        ] {
            assert_eq!(freshness(field), want, "{field}");
        }
    }

    #[test]
    fn entity_tags() {
        for (field, want) in [
            ("\"v1\"", Some("\"v1\"")),
            ("W/\"abc-123\"", Some("W/\"abc-123\"")),
            (" \"\" ", Some("\"\"")),
            ("v1", None),
            ("\"a\"b\"", None),
            ("\"a\r\nX-Evil: 1\"", None),
            ("\"a b\"", None),
            ("w/\"a\"", None),
            ("\"caf\u{e9}\"", None),
        ] {
            assert_eq!(entity_tag(field).as_deref(), want, "{field:?}");
        }
        let long = alloc::format!("\"{}\"", "a".repeat(MAX_ETAG_LEN));
        assert_eq!(entity_tag(&long), None);
    }
}
