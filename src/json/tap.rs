//! The claims tap: what [`from_slice_tapped`](super::from_slice_tapped) shows an observer of
//! top-level members while the target type deserializes (and, when it asks, of the members of
//! one of them that is an object).

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
