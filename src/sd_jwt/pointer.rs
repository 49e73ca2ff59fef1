//! JSON Pointers (RFC 6901): how the issuer names the claims it makes selectively disclosable
//! and the holder the claims it discloses.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use crate::error::{Error, Misuse};

/// One step of a pointer: a reference token, unescaped (`~1` is `/`, `~0` is `~`).
///
/// In an object it names a member; in an array it is an index (decimal, no leading zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token(String);

impl Token {
    /// The member name this token names in an object.
    pub(crate) fn name(&self) -> &str {
        &self.0
    }

    /// The index this token names in an array: `0`, or digits without a leading zero
    /// (RFC 6901 §4); `-` and anything else name no element.
    pub(crate) fn index(&self) -> Option<usize> {
        let digits = self.0.as_bytes();
        let canonical = match digits {
            [b'0'] => true,
            [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
            _ => false,
        };
        canonical.then(|| self.0.parse().ok()).flatten()
    }
}

/// Parses `pointer` into its reference tokens; the empty pointer (the whole document) has none.
///
/// # Errors
///
/// [`Misuse::Pointer`] for text that is not a JSON Pointer: not empty and not starting with
/// `/`, or a `~` not followed by `0` or `1`.
pub(crate) fn parse(pointer: &str) -> Result<Vec<Token>, Error> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer.strip_prefix('/').ok_or(Misuse::Pointer)?;
    rest.split('/').map(unescape).collect()
}

/// Parses `pointer` as [`parse`] does and refuses the empty pointer: a claim, not the whole
/// payload.
///
/// # Errors
///
/// [`Misuse::Pointer`].
pub(crate) fn parse_claim(pointer: &str) -> Result<Vec<Token>, Error> {
    let tokens = parse(pointer)?;
    if tokens.is_empty() {
        return Err(Misuse::Pointer.into());
    }
    Ok(tokens)
}

/// The value `tokens` name below `value`, if any.
pub(crate) fn resolve<'v>(value: &'v Value, tokens: &[Token]) -> Option<&'v Value> {
    tokens.iter().try_fold(value, |value, token| match value {
        Value::Object(members) => members.get(token.name()),
        Value::Array(items) => items.get(token.index()?),
        _ => None,
    })
}

/// One reference token, unescaped.
fn unescape(raw: &str) -> Result<Token, Error> {
    if !raw.contains('~') {
        return Ok(Token(raw.into()));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (c, c == '~') {
            (_, false) => out.push(c),
            (_, true) => match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return Err(Misuse::Pointer.into()),
            },
        }
    }
    Ok(Token(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn names(pointer: &str) -> Result<Vec<String>, Error> {
        parse(pointer).map(|tokens| tokens.into_iter().map(|t| t.0).collect())
    }

    #[test]
    fn rfc6901_section5_examples() {
        let doc = serde_json::json!({
            "foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
            "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8
        });
        let cases: [(&str, Option<Value>); 12] = [
            ("", Some(doc.clone())),
            ("/foo", doc.get("foo").cloned()),
            ("/foo/0", Some(Value::from("bar"))),
            ("/", Some(Value::from(0))),
            ("/a~1b", Some(Value::from(1))),
            ("/c%d", Some(Value::from(2))),
            ("/e^f", Some(Value::from(3))),
            ("/g|h", Some(Value::from(4))),
            ("/i\\j", Some(Value::from(5))),
            ("/k\"l", Some(Value::from(6))),
            ("/ ", Some(Value::from(7))),
            ("/m~0n", Some(Value::from(8))),
        ];
        for (pointer, want) in cases {
            let tokens = parse(pointer).unwrap();
            assert_eq!(resolve(&doc, &tokens), want.as_ref(), "{pointer}");
        }
    }

    #[test]
    fn malformed_pointers_and_indices() {
        assert_eq!(names("/a~01"), Ok(vec!["a~1".into()]));
        for bad in ["a", "/~", "/~2", "/a~"] {
            assert_eq!(names(bad), Err(Misuse::Pointer.into()), "{bad}");
        }
        assert_eq!(parse_claim(""), Err(Misuse::Pointer.into()));
        let doc = serde_json::json!({"a": [10, 11]});
        for (pointer, found) in [
            ("/a/1", true),
            ("/a/01", false),
            ("/a/-", false),
            ("/a/2", false),
        ] {
            let tokens = parse(pointer).unwrap();
            assert_eq!(resolve(&doc, &tokens).is_some(), found, "{pointer}");
        }
        assert_eq!(resolve(&doc, &parse("/a/0/x").unwrap()), None);
    }
}
