//! The claims tap: what [`from_slice_tapped`](super::from_slice_tapped) shows an observer of
//! top-level members while the target type deserializes (and, when it asks, of the members of
//! one of them that is an object), and [`replay`], which shows it the same of an object
//! already read.

use alloc::string::String;

use serde_json::{Map, Value};

/// What a [`Tap`] is shown of a top-level member value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Seen<'v> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// A number with a fraction or exponent, or an integer beyond 64 bits.
    Float(f64),
    /// A string.
    Str(&'v str),
    /// An object. Its members are not shown, unless [`Tap::members`] asks for them: then
    /// each member name follows as [`Seen::Key`], and its value as [`Seen::Item`] (a string)
    /// or [`Seen::OtherItem`].
    Object,
    /// A member name of the object being shown (see [`Seen::Object`]).
    Key(&'v str),
    /// An array; its elements follow as [`Seen::Item`] and [`Seen::OtherItem`].
    Array,
    /// A string element of the array being shown.
    Item(&'v str),
    /// An element of the array being shown that is not a string.
    OtherItem,
}

/// An observer of top-level member values, for [`from_slice_tapped`](super::from_slice_tapped).
pub(crate) trait Tap {
    /// Whether to show the value of the top-level member `name`: an identifier for it, handed
    /// back to [`value`](Self::value), or `None` to skip it.
    fn member(&self, name: &str) -> Option<u8>;
    /// Shows what the value of `member` is.
    fn value(&self, member: u8, seen: Seen<'_>);
    /// Whether to show the members of `member`'s value when it is an object, one level deep
    /// (for `cnf`, RFC 7800). Default: no.
    fn members(&self, member: u8) -> bool {
        let _ = member;
        false
    }
}

/// Shows `tap` the members of `object`, an object read strictly before, exactly as
/// [`from_slice_tapped`](super::from_slice_tapped) would have shown them while reading its
/// text: for claims that were assembled rather than read in one piece (an SD-JWT's processed
/// payload, RFC 9901 §7.1), so that they are checked by the same observer without being
/// written and read again.
pub(crate) fn replay(object: &Map<String, Value>, tap: &dyn Tap) {
    for (name, value) in object {
        let Some(member) = tap.member(name) else {
            continue;
        };
        match value {
            Value::Array(items) => {
                tap.value(member, Seen::Array);
                for item in items {
                    tap.value(member, element(item));
                }
            }
            Value::Object(members) => {
                tap.value(member, Seen::Object);
                if tap.members(member) {
                    for (key, item) in members {
                        tap.value(member, Seen::Key(key));
                        tap.value(member, element(item));
                    }
                }
            }
            scalar => tap.value(member, seen(scalar)),
        }
    }
}

/// How the reader shows a top-level scalar: integers as 64-bit integers when they fit,
/// everything else by its kind.
fn seen(value: &Value) -> Seen<'_> {
    match value {
        Value::Null => Seen::Null,
        Value::Bool(_) => Seen::Bool,
        Value::Number(number) => match (number.as_u64(), number.as_i64()) {
            (Some(n), _) => Seen::Unsigned(n),
            (None, Some(n)) => Seen::Signed(n),
            (None, None) => Seen::Float(number.as_f64().unwrap_or_default()),
        },
        Value::String(text) => Seen::Str(text),
        Value::Array(_) => Seen::Array,
        Value::Object(_) => Seen::Object,
    }
}

/// How the reader shows an element of a tapped array or a member of a tapped object.
fn element(value: &Value) -> Seen<'_> {
    match value {
        Value::String(text) => Seen::Item(text),
        _ => Seen::OtherItem,
    }
}
