//! The claims tap: what [`from_slice_tapped`](super::from_slice_tapped) shows an observer of
//! top-level members while the target type deserializes.

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
    /// An object (its members are not shown).
    Object,
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
}
