//! Reading one cookie of a request: the value of the first pair with a given name in the
//! `Cookie` fields (RFC 6265 §5.4: pairs separated by `; `, the one with the longest path
//! first). Shared by the guard's cookie source, the CSRF layer and applications' own session
//! cookies, so that every reader agrees on which value a name has.

use http::HeaderMap;
use http::header::COOKIE;

/// The value of the cookie `name` in the request's `Cookie` fields: the first pair with that
/// exact (case-sensitive) name, its surrounding double quotes removed (RFC 6265 §4.1.1
/// `cookie-value`). `None` when no field has it, or the fields are not text.
///
/// ```
/// use jose_ring_axum::cookie_value;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("cookie", "theme=dark; __Host-Http-session=abc; other=1".parse()?);
/// assert_eq!(cookie_value(&headers, "__Host-Http-session"), Some("abc"));
/// assert_eq!(cookie_value(&headers, "session"), None);
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
#[must_use]
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|field| field.to_str().ok())
        .flat_map(|field| field.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|inner| inner.strip_suffix('"'))
                .unwrap_or(value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(fields: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for field in fields {
            map.append(COOKIE, HeaderValue::from_str(field).unwrap());
        }
        map
    }

    #[test]
    fn the_first_pair_with_the_exact_name_in_any_field() {
        let map = headers(&["a=1; s=first", "s=second"]);
        assert_eq!(cookie_value(&map, "s"), Some("first"));
        assert_eq!(cookie_value(&map, "a"), Some("1"));
        assert_eq!(cookie_value(&headers(&["S=1"]), "s"), None);
        assert_eq!(cookie_value(&headers(&["xs=1; s2=2"]), "s"), None);
        assert_eq!(cookie_value(&HeaderMap::new(), "s"), None);
    }

    #[test]
    fn quotes_are_removed_and_empty_values_kept() {
        assert_eq!(cookie_value(&headers(&["s=\"v\""]), "s"), Some("v"));
        assert_eq!(cookie_value(&headers(&["s=\"v"]), "s"), Some("\"v"));
        assert_eq!(cookie_value(&headers(&["s="]), "s"), Some(""));
        assert_eq!(cookie_value(&headers(&["  s = 1 "]), "s"), None);
        assert_eq!(cookie_value(&headers(&["t=1;s=2"]), "s"), Some("2"));
    }
}
