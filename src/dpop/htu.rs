//! The `htu` comparison of RFC 9449 §4.3 (check 9): an `http` or `https` URI without its query
//! and fragment, normalised as RFC 3986 §6.2.2 (syntax) and §6.2.3 (scheme) say, so that the
//! client's spelling and the server's agree.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Dpop, Error};

/// The longest URI normalised, in bytes; a longer one is [`Error::TooLarge`].
pub(crate) const MAX_URI_LEN: usize = 8192;

/// Normalises an `http` or `https` URI for the `htu` comparison (RFC 9449 §4.3):
///
/// - the query (`?...`) and the fragment (`#...`) are dropped;
/// - the scheme and the host are lowercased (RFC 3986 §6.2.2.1);
/// - percent-encodings are uppercased, and those of unreserved characters decoded
///   (§6.2.2.2): `%7e` and `%7E` become `~`, `%2f` becomes `%2F`;
/// - `.` and `..` segments are removed from the path (§6.2.2.3);
/// - an empty port and the scheme's default port (80, 443) are removed, and an empty path
///   becomes `/` (§6.2.3).
///
/// Only absolute URIs with an authority are accepted, and no userinfo (`user@`): a request
/// URI has none. Bytes outside the URI grammar (spaces, non-ASCII, a `%` without two hex
/// digits) are errors, never "fixed".
///
/// ```
/// use jose_ring::dpop::normalize_htu;
/// assert_eq!(
///     normalize_htu("HTTPS://Server.Example.COM:443/a/./b/../%7euser?q=1#top")?,
///     "https://server.example.com/a/~user"
/// );
/// assert_eq!(normalize_htu("http://example.com")?, "http://example.com/");
/// assert!(normalize_htu("ftp://example.com/").is_err());
/// # Ok::<(), jose_ring::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::TooLarge`] for a URI over 8 KiB, [`Dpop::InvalidUri`] for anything that is not an
/// absolute `http` or `https` URI as described.
pub fn normalize_htu(uri: &str) -> Result<String, Error> {
    if uri.len() > MAX_URI_LEN {
        return Err(Error::TooLarge {
            what: "URI",
            limit: MAX_URI_LEN,
        });
    }
    normalize(uri).ok_or_else(|| Dpop::InvalidUri.into())
}

/// `uri` without its query and fragment.
pub(crate) fn without_query(uri: &str) -> &str {
    uri.split(['?', '#']).next().unwrap_or_default()
}

fn normalize(uri: &str) -> Option<String> {
    let (scheme, rest) = without_query(uri).split_once("://")?;
    let (prefix, default_port): (&[u8], &[u8]) = if scheme.eq_ignore_ascii_case("https") {
        (b"https://", b"443")
    } else if scheme.eq_ignore_ascii_case("http") {
        (b"http://", b"80")
    } else {
        return None;
    };
    let (authority, path) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_port(authority)?;
    // ASCII only, byte by byte: the output is a `String` at the end.
    let mut out = Vec::with_capacity(uri.len().saturating_add(1));
    out.extend_from_slice(prefix);
    if let Some(literal) = host.strip_prefix('[') {
        // An IP literal (RFC 3986 §3.2.2): hex digits, `:` and `.`, or an IPvFuture.
        let inner = literal.strip_suffix(']')?;
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| is_unreserved(b) || is_sub_delim(b) || b == b':')
        {
            return None;
        }
        out.push(b'[');
        out.extend(inner.bytes().map(|b| b.to_ascii_lowercase()));
        out.push(b']');
    } else {
        if host.is_empty() {
            return None;
        }
        push_normalized(&mut out, host, is_sub_delim, true)?;
    }
    if let Some(port) = port.filter(|port| !port.is_empty()) {
        let digits = port.trim_start_matches('0');
        if !port.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 5 {
            return None;
        }
        let number: u32 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        if number > u32::from(u16::MAX) {
            return None;
        }
        let digits = if digits.is_empty() { "0" } else { digits };
        if digits.as_bytes() != default_port {
            out.push(b':');
            out.extend_from_slice(digits.as_bytes());
        }
    }
    let mut decoded = Vec::with_capacity(path.len());
    push_normalized(
        &mut decoded,
        path,
        |b| is_sub_delim(b) || matches!(b, b':' | b'@' | b'/'),
        false,
    )?;
    remove_dot_segments(&decoded, &mut out);
    String::from_utf8(out).ok()
}

/// `host` and the port after its last `:`, if any (`None` for no port, `Some("")` for an
/// empty one); an IP literal keeps its brackets.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at(close.checked_add(1)?);
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    Some(match authority.split_once(':') {
        Some((_, port)) if port.contains(':') => return None,
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Appends `part` with its percent-encodings normalised: the unreserved ones decoded, the
/// others in uppercase; other bytes must be unreserved or pass `allowed`. `lower`: lowercase
/// the letters (a host).
fn push_normalized(
    out: &mut Vec<u8>,
    part: &str,
    allowed: fn(u8) -> bool,
    lower: bool,
) -> Option<()> {
    let case = |b: u8| if lower { b.to_ascii_lowercase() } else { b };
    let mut bytes = part.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let high = hex(bytes.next()?)?;
            let low = hex(bytes.next()?)?;
            let value = high.checked_mul(16)?.checked_add(low)?;
            if is_unreserved(value) {
                out.push(case(value));
            } else {
                out.push(b'%');
                out.push(*HEX_UPPER.get(usize::from(high))?);
                out.push(*HEX_UPPER.get(usize::from(low))?);
            }
        } else if is_unreserved(byte) || allowed(byte) {
            out.push(case(byte));
        } else {
            return None;
        }
    }
    Some(())
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn hex(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// RFC 3986 §2.3.
const fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 §2.2.
const fn is_sub_delim(byte: u8) -> bool {
    matches!(
        byte,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Appends `path` (empty, or starting with `/`) without its `.` and `..` segments
/// (RFC 3986 §5.2.4); an empty path becomes `/` (§6.2.3).
fn remove_dot_segments(path: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let mut segments = path.split(|&b| b == b'/').skip(1).peekable();
    if segments.peek().is_none() {
        out.push(b'/');
    }
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            b"." => {}
            b".." => {
                // Drop the last segment kept, with its `/`.
                let kept = out.get(start..).unwrap_or_default();
                let cut = kept.iter().rposition(|&b| b == b'/').unwrap_or(0);
                out.truncate(start.saturating_add(cut));
            }
            _ => {
                out.push(b'/');
                out.extend_from_slice(segment);
                continue;
            }
        }
        if last {
            out.push(b'/');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(uri: &str) -> Result<String, Error> {
        normalize_htu(uri)
    }

    #[test]
    fn rfc_9449_example_request_uris() {
        assert_eq!(
            n("https://server.example.com/token").unwrap(),
            "https://server.example.com/token"
        );
        assert_eq!(
            n("https://resource.example.org/protectedresource").unwrap(),
            "https://resource.example.org/protectedresource"
        );
    }

    #[test]
    fn scheme_and_host_case() {
        assert_eq!(
            n("HtTpS://EXAMPLE.com/Path").unwrap(),
            "https://example.com/Path"
        );
        assert_eq!(n("HTTP://Example.COM/").unwrap(), "http://example.com/");
    }

    #[test]
    fn default_and_empty_ports() {
        assert_eq!(
            n("https://example.com:443/a").unwrap(),
            "https://example.com/a"
        );
        assert_eq!(
            n("http://example.com:80/a").unwrap(),
            "http://example.com/a"
        );
        assert_eq!(
            n("https://example.com:/a").unwrap(),
            "https://example.com/a"
        );
        assert_eq!(
            n("https://example.com:80/a").unwrap(),
            "https://example.com:80/a"
        );
        assert_eq!(
            n("http://example.com:443/a").unwrap(),
            "http://example.com:443/a"
        );
        assert_eq!(
            n("https://example.com:0443/a").unwrap(),
            "https://example.com/a"
        );
        assert_eq!(
            n("https://example.com:8443").unwrap(),
            "https://example.com:8443/"
        );
        assert_eq!(
            n("https://example.com:00000").unwrap(),
            "https://example.com:0/"
        );
        assert_eq!(
            n("https://example.com:65535/").unwrap(),
            "https://example.com:65535/"
        );
        for bad in [
            "https://example.com:65536/",
            "https://example.com:1x/",
            "https://example.com:123456/",
            "https://a:1:2/",
        ] {
            assert_eq!(n(bad), Err(Error::Dpop(Dpop::InvalidUri)), "{bad}");
        }
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(
            n("https://example.com/%7euser/%7E").unwrap(),
            "https://example.com/~user/~"
        );
        assert_eq!(
            n("https://example.com/a%2fb%2Fc").unwrap(),
            "https://example.com/a%2Fb%2Fc"
        );
        assert_eq!(
            n("https://example.com/%41%62%2D").unwrap(),
            "https://example.com/Ab-"
        );
        assert_eq!(n("https://%45xample.com/").unwrap(), "https://example.com/");
        assert_eq!(
            n("https://ex%2cample.com/").unwrap(),
            "https://ex%2Cample.com/"
        );
        for bad in [
            "https://example.com/%",
            "https://example.com/%4",
            "https://example.com/%zz",
            "https://example.com/%4g",
        ] {
            assert_eq!(n(bad), Err(Error::Dpop(Dpop::InvalidUri)), "{bad}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(n("https://example.com").unwrap(), "https://example.com/");
        assert_eq!(
            n("https://example.com/a/./b/../c").unwrap(),
            "https://example.com/a/c"
        );
        assert_eq!(
            n("https://example.com/a/b/..").unwrap(),
            "https://example.com/a/"
        );
        assert_eq!(
            n("https://example.com/a/b/.").unwrap(),
            "https://example.com/a/b/"
        );
        assert_eq!(
            n("https://example.com/../../x").unwrap(),
            "https://example.com/x"
        );
        assert_eq!(
            n("https://example.com/%2e%2E/x").unwrap(),
            "https://example.com/x"
        );
        assert_eq!(
            n("https://example.com/a//b/").unwrap(),
            "https://example.com/a//b/"
        );
        assert_eq!(n("https://example.com/.").unwrap(), "https://example.com/");
        assert_eq!(
            n("https://example.com/a:b@c;d=e,f").unwrap(),
            "https://example.com/a:b@c;d=e,f"
        );
    }

    #[test]
    fn query_and_fragment_are_ignored() {
        assert_eq!(
            n("https://example.com/a?x=1#f").unwrap(),
            "https://example.com/a"
        );
        assert_eq!(n("https://example.com?x").unwrap(), "https://example.com/");
        assert_eq!(n("https://example.com#f").unwrap(), "https://example.com/");
        assert_eq!(
            n("https://example.com/a#f?x").unwrap(),
            "https://example.com/a"
        );
        // What follows `?` is not checked: it is not compared.
        assert_eq!(
            n("https://example.com/a?%zz bad").unwrap(),
            "https://example.com/a"
        );
    }

    #[test]
    fn ip_literals() {
        assert_eq!(
            n("https://[2001:DB8::1]:443/").unwrap(),
            "https://[2001:db8::1]/"
        );
        assert_eq!(n("http://[::1]:8080/x").unwrap(), "http://[::1]:8080/x");
        assert_eq!(n("http://127.0.0.1/").unwrap(), "http://127.0.0.1/");
        for bad in [
            "http://[::1/",
            "http://[]/",
            "http://[::1]x/",
            "http://[::1]]/",
            "http://[::%31]/",
        ] {
            assert_eq!(n(bad), Err(Error::Dpop(Dpop::InvalidUri)), "{bad}");
        }
    }

    #[test]
    fn refused() {
        for bad in [
            "",
            "/token",
            "example.com/token",
            "ftp://example.com/",
            "https:/example.com/",
            "https://",
            "https:///path",
            "https://:443/",
            "https://user@example.com/",
            "https://user:pw@example.com/",
            "https://exa mple.com/",
            "https://example.com/a b",
            "https://exämple.com/",
            "https://example.com/ä",
            "https://example.com/\"",
            "https://example.com/\\",
            "https://example.com/<>",
            "https://ex\u{0}ample.com/",
            "javascript://example.com/",
        ] {
            assert_eq!(n(bad), Err(Error::Dpop(Dpop::InvalidUri)), "{bad:?}");
        }
    }

    #[test]
    fn bounded() {
        let long = alloc::format!("https://example.com/{}", "a".repeat(MAX_URI_LEN));
        assert_eq!(
            n(&long),
            Err(Error::TooLarge {
                what: "URI",
                limit: MAX_URI_LEN
            })
        );
        let fits = alloc::format!("https://example.com/{}", "a".repeat(MAX_URI_LEN - 20));
        assert_eq!(n(&fits).unwrap(), fits);
    }

    #[test]
    fn idempotent() {
        for uri in [
            "HTTPS://A.b:443/%7e/./x/../y%2f?q",
            "http://[::A]:0080/",
            "https://x.y/%c3%a4",
        ] {
            let once = n(uri).unwrap();
            assert_eq!(n(&once).unwrap(), once, "{uri}");
        }
    }

    #[test]
    fn without_query_strips_both() {
        assert_eq!(without_query("https://a/b?c#d"), "https://a/b");
        assert_eq!(without_query("https://a/b#d?c"), "https://a/b");
        assert_eq!(without_query("https://a/b"), "https://a/b");
    }
}
