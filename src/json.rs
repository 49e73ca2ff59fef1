//! Strict, one-pass JSON deserialization for untrusted JOSE input.
//!
//! [`from_slice`] runs `serde_json`'s parser once over the input and deserializes any
//! `T: Deserialize` from it, and on the way enforces what RFC 7515 §5.2 and RFC 7519 §4 ask of
//! a JOSE JSON text and `serde_json` alone does not:
//!
//! * the top-level value is an object;
//! * no object, at any depth, has two members with the same name after unescaping, including
//!   objects inside values the target type ignores and inside `serde_json::Value`;
//! * arrays and objects nest at most [`MAX_DEPTH`] deep;
//! * nothing but whitespace follows the value;
//! * errors are [`JsonProblem`]s that carry no byte of the input, only positions, member names
//!   of the target type and kinds of values.
//!
//! # How
//!
//! The target type sees a [`Strict`] deserializer instead of `serde_json`'s. `Strict` forwards
//! to `serde_json` with a [`Wrap`]ped visitor; `Wrap` forwards every `visit_*` call to the
//! target's visitor and hands it [`StrictMap`] / [`StrictSeq`] instead of `serde_json`'s
//! accessors, which check member names and depth and wrap every nested value in `Strict` again
//! (through [`WrapSeed`]). Values the target ignores are walked by `deserialize_any`, never
//! skipped by `serde_json`'s lenient `ignore_value`.
//!
//! Most type-specific `deserialize_*` calls are answered with `deserialize_any`, so a value of
//! the wrong JSON type reaches the target's own visitor, whose `invalid_type` call then builds a
//! structured [`DeError`] instead of a `serde_json` message quoting the value.
//!
//! Errors cross `serde_json`'s stack frames in two ways. A [`DeError`] returned by the target
//! inside a `serde_json` callback is parked in [`State::stash`] and replaced by a placeholder
//! `serde_json::Error`; an error of `serde_json` (or a placeholder) that reaches a `Strict`
//! wrapper is parked in a slot owned by the wrapper's caller and handed back unchanged when
//! control returns there. At the top, a placeholder is replaced by the stashed problem and a
//! genuine `serde_json` error is classified by its category and position, never its message.

use alloc::borrow::{Cow, ToOwned};
use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

use crate::JsonProblem;

mod ser;

pub(crate) use ser::to_vec;

/// The deepest nesting of arrays and objects accepted: the top-level object counts as 1.
///
/// This is the limit `serde_json`'s parser enforces itself (it counts down from 128 and fails
/// when it reaches 0, so 127 levels parse and 128 do not); it cannot be raised without
/// `serde_json`'s `unbounded_depth` feature. Exceeding it is reported as
/// [`JsonProblem::TooDeep`], whichever of the two checks notices first.
pub(crate) const MAX_DEPTH: usize = 127;

/// Members of one object whose names are kept inline (no heap allocation) for the duplicate
/// check, as long as their names contain no escape sequence.
const INLINE_MEMBERS: usize = 16;

/// Deserializes one JSON object from `input` strictly.
///
/// # Errors
///
/// [`JsonProblem::NotObject`] if the top-level value is not an object,
/// [`JsonProblem::DuplicateMember`] if any object repeats a member name,
/// [`JsonProblem::TooDeep`] beyond [`MAX_DEPTH`] levels, [`JsonProblem::TrailingCharacters`]
/// after the value, [`JsonProblem::Syntax`] for anything that is not JSON, and
/// [`JsonProblem::MissingField`], [`JsonProblem::InvalidType`] or [`JsonProblem::InvalidValue`]
/// when the JSON does not fit `T`.
pub(crate) fn from_slice<'de, T: de::Deserialize<'de>>(input: &'de [u8]) -> Result<T, JsonProblem> {
    parse(input, None)
}

/// [`from_slice`], showing `tap` the values of the top-level members it asks for while `T`
/// deserializes, whether `T` reads those members or ignores them: one pass over `input` serves
/// both.
///
/// For each top-level member name, [`Tap::member`] says whether to observe the value; if so,
/// [`Tap::value`] sees it as a [`Seen`]: a scalar, or an array start followed by its elements.
/// Nested objects and arrays deeper than that are reported only by their kind.
///
/// `tap` sees values before `T` does; when `T` rejects a value, what `tap` saw up to that point
/// is still there for the caller.
///
/// # Errors
///
/// As [`from_slice`].
pub(crate) fn from_slice_tapped<'de, T: de::Deserialize<'de>>(
    input: &'de [u8],
    tap: &dyn Tap,
) -> Result<T, JsonProblem> {
    parse(input, Some(tap))
}

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

/// An observer of top-level member values, for [`from_slice_tapped`].
pub(crate) trait Tap {
    /// Whether to show the value of the top-level member `name`: an identifier for it, handed
    /// back to [`value`](Self::value), or `None` to skip it.
    fn member(&self, name: &str) -> Option<u8>;
    /// Shows what the value of `member` is.
    fn value(&self, member: u8, seen: Seen<'_>);
}

/// [`from_slice`] with an optional [`Tap`].
fn parse<'de, T: de::Deserialize<'de>>(
    input: &'de [u8],
    tap: Option<&dyn Tap>,
) -> Result<T, JsonProblem> {
    // The value starts at the first byte that is not JSON whitespace; an object starts with `{`.
    match input.iter().find(|byte| !is_json_whitespace(**byte)) {
        Some(b'{') => {}
        Some(_) => return Err(JsonProblem::NotObject),
        None => return Err(end_of_input(input)),
    }
    let state = State::new(tap);
    let mut json = serde_json::Deserializer::from_slice(input);
    let mut slot = None;
    let value = T::deserialize(Strict {
        de: &mut json,
        state: &state,
        slot: &mut slot,
    })
    .map_err(|err| match slot.take() {
        Some(json_err) => state.classify(&json_err),
        None => err.0,
    })?;
    json.end().map_err(|_| JsonProblem::TrailingCharacters)?;
    Ok(value)
}

/// [`from_slice`], with its problem reported as [`crate::Malformed::Json`] for `part`
/// (`"header"`, `"payload"`, `"jwk"`, ...).
///
/// # Errors
///
/// [`crate::Error::Malformed`] with [`crate::Malformed::Json`], for the reasons [`from_slice`]
/// gives.
pub(crate) fn from_slice_in<'de, T: de::Deserialize<'de>>(
    input: &'de [u8],
    part: &'static str,
) -> Result<T, crate::Error> {
    from_slice(input).map_err(|problem| crate::Malformed::Json { part, problem }.into())
}

/// Whether `byte` is whitespace in JSON (RFC 8259 §2), which is what `serde_json` skips.
pub(crate) const fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The problem of an input that holds only whitespace: `serde_json`'s end-of-input position.
fn end_of_input(input: &[u8]) -> JsonProblem {
    match serde_json::from_slice::<de::IgnoredAny>(input) {
        Err(err) => JsonProblem::Syntax {
            line: err.line(),
            column: err.column(),
        },
        Ok(_) => JsonProblem::NotObject,
    }
}

/// Whether `err`'s message starts with `prefix`, found without copying the message anywhere.
///
/// Only ever used on syntax errors, whose messages are fixed texts and positions.
fn message_starts_with(err: &serde_json::Error, prefix: &str) -> bool {
    /// A [`fmt::Write`] that compares what is written with `rest` and stops at the first
    /// difference or once all of `rest` has been seen.
    struct Prefix<'p> {
        /// The part of the prefix not seen yet.
        rest: &'p str,
        /// Whether the text written differs from the prefix.
        differs: bool,
    }
    impl fmt::Write for Prefix<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            if let Some(rest) = self.rest.strip_prefix(s) {
                // `s` is the next piece of the prefix (or empty).
                self.rest = rest;
                Ok(())
            } else if s.starts_with(self.rest) {
                // The prefix ends inside `s`: matched, no need to see more.
                self.rest = "";
                Err(fmt::Error)
            } else {
                self.differs = true;
                Err(fmt::Error)
            }
        }
    }
    let mut probe = Prefix {
        rest: prefix,
        differs: false,
    };
    // The result only says whether `probe` stopped the formatting early.
    let _ = fmt::write(&mut probe, format_args!("{err}"));
    !probe.differs && probe.rest.is_empty()
}

/// The error type the target type sees: a [`JsonProblem`], never any byte of the input.
#[derive(Debug)]
struct DeError(JsonProblem);

impl DeError {
    /// The placeholder returned to the target when the real error is parked in a slot.
    ///
    /// Its problem is only seen if the target swallows the error and returns a different one.
    const fn deferred() -> Self {
        Self(JsonProblem::InvalidValue)
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl de::StdError for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        // Custom messages may quote the input: dropped.
        Self(JsonProblem::InvalidValue)
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self(JsonProblem::InvalidType {
            expected: exp.to_string().into_boxed_str(),
            found: kind_of(unexp),
        })
    }

    fn invalid_value(_unexp: Unexpected<'_>, _exp: &dyn Expected) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn invalid_length(_len: usize, _exp: &dyn Expected) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn unknown_variant(_variant: &str, _expected: &'static [&'static str]) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn unknown_field(_field: &str, _expected: &'static [&'static str]) -> Self {
        Self(JsonProblem::InvalidValue)
    }

    fn missing_field(field: &'static str) -> Self {
        Self(JsonProblem::MissingField(field))
    }

    fn duplicate_field(_field: &'static str) -> Self {
        Self(JsonProblem::DuplicateMember)
    }
}

/// The kind of an unexpected value, without the value.
const fn kind_of(unexp: Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Bool(_) => "boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "integer",
        Unexpected::Float(_) => "floating point number",
        Unexpected::Char(_) => "character",
        Unexpected::Str(_) => "string",
        Unexpected::Bytes(_) => "byte array",
        Unexpected::Unit => "null",
        Unexpected::Option => "option",
        Unexpected::NewtypeStruct => "newtype struct",
        Unexpected::Seq => "array",
        Unexpected::Map => "object",
        Unexpected::Enum => "enum",
        Unexpected::UnitVariant => "unit variant",
        Unexpected::NewtypeVariant => "newtype variant",
        Unexpected::TupleVariant => "tuple variant",
        Unexpected::StructVariant => "struct variant",
        Unexpected::Other(_) => "other value",
    }
}

/// What all wrappers of one [`from_slice`] call share.
struct State<'t> {
    /// The problem behind the placeholder `serde_json::Error` currently unwinding, if any.
    stash: Cell<Option<JsonProblem>>,
    /// How many arrays and objects enclose the value being read.
    depth: Cell<usize>,
    /// The observer of top-level members, if any.
    tap: Option<&'t dyn Tap>,
    /// The top-level member whose value is being read, if the tap asked for it.
    tapped: Cell<Option<u8>>,
}

impl<'t> State<'t> {
    /// Fresh state for one input.
    const fn new(tap: Option<&'t dyn Tap>) -> Self {
        Self {
            stash: Cell::new(None),
            depth: Cell::new(0),
            tap,
            tapped: Cell::new(None),
        }
    }

    /// Shows the tap `seen` if the value being visited is a tapped top-level member value
    /// (depth 1) or an element of one (depth 2; `item` is what to show then).
    ///
    /// Called before the target's visitor sees the value.
    fn observe(&self, seen: Seen<'_>, item: Seen<'_>) {
        if let (Some(tap), Some(member)) = (self.tap, self.tapped.get()) {
            match self.depth.get() {
                1 => tap.value(member, seen),
                2 => tap.value(member, item),
                _ => {}
            }
        }
    }

    /// Shows the tap a container being visited; an object ends the observation of its member.
    fn observe_container(&self, seen: Seen<'_>) {
        if let (Some(tap), Some(member)) = (self.tap, self.tapped.get()) {
            match self.depth.get() {
                1 => {
                    tap.value(member, seen);
                    if seen == Seen::Object {
                        // Its members are not shown.
                        self.tapped.set(None);
                    }
                }
                2 => tap.value(member, Seen::OtherItem),
                _ => {}
            }
        }
    }

    /// Parks `err` and returns a placeholder of the error type of the deserializer around us.
    fn raise<E: de::Error>(&self, err: DeError) -> E {
        self.stash.set(Some(err.0));
        E::custom("rejected by jose-ring")
    }

    /// Steps into an array or object, failing beyond [`MAX_DEPTH`].
    fn enter<E: de::Error>(&self) -> Result<(), E> {
        match self.depth.get().checked_add(1) {
            Some(depth) if depth <= MAX_DEPTH => {
                self.depth.set(depth);
                Ok(())
            }
            _ => Err(self.raise(DeError(JsonProblem::TooDeep))),
        }
    }

    /// Steps out of an array or object.
    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    /// The problem behind an error that reached the top.
    fn classify(&self, err: &serde_json::Error) -> JsonProblem {
        let stashed = self.stash.take();
        if err.is_data() {
            // Our placeholders are data errors. `serde_json` raises none of its own through
            // the calls `Strict` makes; if it did, its message might quote the input.
            return stashed.unwrap_or(JsonProblem::InvalidValue);
        }
        if message_starts_with(err, "recursion limit exceeded") {
            return JsonProblem::TooDeep;
        }
        JsonProblem::Syntax {
            line: err.line(),
            column: err.column(),
        }
    }
}

/// Parks `err` in `slot` and returns the placeholder that stands for it.
fn park<E>(slot: &mut Option<E>, err: E) -> DeError {
    *slot = Some(err);
    DeError::deferred()
}

/// What the visitor of the value being read expects, beyond its own methods.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing more.
    Plain,
    /// A struct: an object only, never `serde_json`'s array-as-struct.
    Struct,
    /// An enum in `serde_json`'s external tagging: `"Variant"` or `{"Variant": value}`.
    Enum,
}

/// The deserializer the target type sees: `de`, with every value read strictly.
///
/// `E` is `D::Error`; errors of `de` are parked in `slot` for the caller to rethrow.
struct Strict<'a, D, E> {
    /// The deserializer of `serde_json` (or one of its helpers) for this value.
    de: D,
    /// The shared state of this input.
    state: &'a State<'a>,
    /// Where an error of `de` waits for the caller.
    slot: &'a mut Option<E>,
}

impl<'a, D, E> Strict<'a, D, E> {
    /// Runs `call` on the inner deserializer with `visitor` wrapped for `mode`.
    fn run<'de, V, F>(self, visitor: V, mode: Mode, call: F) -> Result<V::Value, DeError>
    where
        D: Deserializer<'de, Error = E>,
        V: Visitor<'de>,
        F: FnOnce(D, Wrap<'a, V>) -> Result<V::Value, E>,
    {
        let Self { de, state, slot } = self;
        let visitor = Wrap {
            visitor,
            state,
            mode,
        };
        call(de, visitor).map_err(|err| park(slot, err))
    }
}

/// Implements `deserialize_*` methods of [`Strict`] as `deserialize_any` of the inner
/// deserializer, with the visitor wrapped for the given [`Mode`].
macro_rules! strict_via_any {
    ($($method:ident($($arg:ident: $ty:ty),*) => $mode:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, DeError> {
            $(let _ = $arg;)*
            self.run(visitor, Mode::$mode, |de, visitor| de.deserialize_any(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<'_, D, D::Error> {
    type Error = DeError;

    // The JSON type decides which `visit_*` is called, whatever the target asked for, so a
    // mismatch reaches the target's visitor and is reported through `DeError`. This is what
    // `serde_json` does for these types too, except that it reports mismatches itself.
    strict_via_any! {
        deserialize_any() => Plain;
        deserialize_bool() => Plain;
        deserialize_i8() => Plain;
        deserialize_i16() => Plain;
        deserialize_i32() => Plain;
        deserialize_i64() => Plain;
        deserialize_u8() => Plain;
        deserialize_u16() => Plain;
        deserialize_u32() => Plain;
        deserialize_u64() => Plain;
        deserialize_f32() => Plain;
        deserialize_f64() => Plain;
        deserialize_char() => Plain;
        deserialize_str() => Plain;
        deserialize_string() => Plain;
        // `serde_json` would hand over the raw bytes of a string without checking UTF-8 or
        // surrogates; here a string is a string.
        deserialize_bytes() => Plain;
        deserialize_byte_buf() => Plain;
        deserialize_unit() => Plain;
        deserialize_unit_struct(name: &'static str) => Plain;
        deserialize_seq() => Plain;
        deserialize_tuple(len: usize) => Plain;
        deserialize_tuple_struct(name: &'static str, len: usize) => Plain;
        deserialize_map() => Plain;
        deserialize_struct(name: &'static str, fields: &'static [&'static str]) => Struct;
        deserialize_enum(name: &'static str, variants: &'static [&'static str]) => Enum;
        deserialize_identifier() => Plain;
        // Ignored values are walked like any other, so that they are checked as strictly.
        deserialize_ignored_any() => Plain;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // `null` is `visit_none`; anything else is `visit_some` with the deserializer itself.
        self.run(visitor, Mode::Plain, |de, visitor| {
            de.deserialize_option(visitor)
        })
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // The name goes through so that `serde_json`'s magic names keep working. Note that the
        // text of a `serde_json::value::RawValue` (feature `raw_value`, not enabled here) would
        // be captured by `serde_json` without a duplicate-member check.
        self.run(visitor, Mode::Plain, |de, visitor| {
            de.deserialize_newtype_struct(name, visitor)
        })
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // `deserialize_any` would read integers beyond 64 bits as floats. A value that is not
        // an integer here is reported by `serde_json` as a syntax error ("invalid number").
        self.run(visitor, Mode::Plain, |de, visitor| {
            de.deserialize_i128(visitor)
        })
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // As `deserialize_i128`.
        self.run(visitor, Mode::Plain, |de, visitor| {
            de.deserialize_u128(visitor)
        })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// The target's visitor `visitor`, seen by `serde_json`: every call is forwarded, with
/// accessors and nested deserializers wrapped so that nested values are strict too.
struct Wrap<'a, V> {
    /// The target's visitor.
    visitor: V,
    /// The shared state of this input.
    state: &'a State<'a>,
    /// What the target asked for.
    mode: Mode,
}

/// Implements `visit_*` methods of [`Wrap`] that carry a plain value, shown to the tap as
/// what `$seen` makes of it.
macro_rules! wrap_visit {
    ($($method:ident($ty:ty) => $seen:expr;)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            let state = self.state;
            if state.tapped.get().is_some() {
                #[allow(clippy::redundant_closure_call, reason = "one macro for all kinds")]
                state.observe(($seen)(&v), Seen::OtherItem);
            }
            self.visitor.$method(v).map_err(|err| state.raise(err))
        }
    )*};
}

/// How the tap sees an `i128` read by a target that asked for one.
fn seen_i128(v: i128) -> Seen<'static> {
    match (u64::try_from(v), i64::try_from(v)) {
        (Ok(u), _) => Seen::Unsigned(u),
        (_, Ok(i)) => Seen::Signed(i),
        // Beyond 64 bits: the sign is what matters to a date, and the tap saturates.
        _ if v < 0 => Seen::Signed(i64::MIN),
        _ => Seen::Unsigned(u64::MAX),
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    // `serde_json` calls `visit_bool`, `visit_i64`, `visit_u64` and `visit_f64` (and the
    // 128-bit ones when asked); the others are shown by their nearest kind.
    wrap_visit! {
        visit_bool(bool) => |_| Seen::Bool;
        visit_i8(i8) => |v: &i8| Seen::Signed(i64::from(*v));
        visit_i16(i16) => |v: &i16| Seen::Signed(i64::from(*v));
        visit_i32(i32) => |v: &i32| Seen::Signed(i64::from(*v));
        visit_i64(i64) => |v: &i64| u64::try_from(*v).map_or(Seen::Signed(*v), Seen::Unsigned);
        visit_i128(i128) => |v: &i128| seen_i128(*v);
        visit_u8(u8) => |v: &u8| Seen::Unsigned(u64::from(*v));
        visit_u16(u16) => |v: &u16| Seen::Unsigned(u64::from(*v));
        visit_u32(u32) => |v: &u32| Seen::Unsigned(u64::from(*v));
        visit_u64(u64) => |v: &u64| Seen::Unsigned(*v);
        visit_u128(u128) => |v: &u128| Seen::Unsigned(u64::try_from(*v).unwrap_or(u64::MAX));
        visit_f32(f32) => |v: &f32| Seen::Float(f64::from(*v));
        visit_f64(f64) => |v: &f64| Seen::Float(*v);
        visit_char(char) => |_| Seen::Object;
        visit_bytes(&[u8]) => |_| Seen::Object;
        visit_borrowed_bytes(&'de [u8]) => |_| Seen::Object;
        visit_byte_buf(Vec<u8>) => |_| Seen::Object;
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let state = self.state;
        if state.tapped.get().is_some() {
            state.observe(Seen::Str(v), Seen::Item(v));
        }
        match self.mode {
            Mode::Enum => self.visitor.visit_enum(UnitEnum(Text::Transient(v))),
            Mode::Plain | Mode::Struct => self.visitor.visit_str(v),
        }
        .map_err(|err| state.raise(err))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let state = self.state;
        if state.tapped.get().is_some() {
            state.observe(Seen::Str(v), Seen::Item(v));
        }
        match self.mode {
            Mode::Enum => self.visitor.visit_enum(UnitEnum(Text::Borrowed(v))),
            Mode::Plain | Mode::Struct => self.visitor.visit_borrowed_str(v),
        }
        .map_err(|err| state.raise(err))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        let state = self.state;
        if state.tapped.get().is_some() {
            state.observe(Seen::Str(&v), Seen::Item(&v));
        }
        match self.mode {
            Mode::Enum => self.visitor.visit_enum(UnitEnum(Text::Transient(&v))),
            Mode::Plain | Mode::Struct => self.visitor.visit_string(v),
        }
        .map_err(|err| state.raise(err))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        let state = self.state;
        if state.tapped.get().is_some() {
            state.observe(Seen::Null, Seen::OtherItem);
        }
        self.visitor.visit_unit().map_err(|err| state.raise(err))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        let state = self.state;
        if state.tapped.get().is_some() {
            state.observe(Seen::Null, Seen::OtherItem);
        }
        self.visitor.visit_none().map_err(|err| state.raise(err))
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        let state = self.state;
        let mut slot = None;
        let strict = Strict {
            de,
            state,
            slot: &mut slot,
        };
        self.visitor
            .visit_some(strict)
            .map_err(|err| slot.take().unwrap_or_else(|| state.raise(err)))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        let state = self.state;
        let mut slot = None;
        let strict = Strict {
            de,
            state,
            slot: &mut slot,
        };
        self.visitor
            .visit_newtype_struct(strict)
            .map_err(|err| slot.take().unwrap_or_else(|| state.raise(err)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let state = self.state;
        if self.mode == Mode::Struct {
            let err = de::Error::invalid_type(Unexpected::Seq, &self.visitor);
            return Err(state.raise(err));
        }
        if state.tapped.get().is_some() {
            state.observe_container(Seen::Array);
        }
        state.enter()?;
        let mut access = StrictSeq {
            seq,
            state,
            pending: None,
        };
        let result = self.visitor.visit_seq(&mut access).and_then(|value| {
            // A target that stops early (a tuple given too many elements) would otherwise make
            // `serde_json` report a syntax error.
            match access.next_element::<de::IgnoredAny>()? {
                None => Ok(value),
                Some(_) => Err(de::Error::invalid_length(0, &"fewer elements")),
            }
        });
        state.leave();
        result.map_err(|err| access.pending.take().unwrap_or_else(|| state.raise(err)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let state = self.state;
        if state.tapped.get().is_some() {
            state.observe_container(Seen::Object);
        }
        state.enter()?;
        // Only the members of the top-level object are offered to the tap.
        let top = state.tap.is_some() && state.depth.get() == 1;
        let mut access = StrictMap {
            map,
            state,
            names: Names::new(),
            pending: None,
            top,
            tap_member: None,
        };
        let result = match self.mode {
            Mode::Enum => self.visitor.visit_enum(MapEnum(&mut access)),
            Mode::Plain | Mode::Struct => self.visitor.visit_map(&mut access),
        }
        .and_then(|value| {
            // An enum is an object of one member; any other target that stops early would
            // otherwise make `serde_json` report a syntax error.
            match access.next_key::<de::IgnoredAny>()? {
                None => Ok(value),
                Some(_) => Err(de::Error::invalid_length(0, &"fewer members")),
            }
        });
        state.leave();
        result.map_err(|err| access.pending.take().unwrap_or_else(|| state.raise(err)))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        // `serde_json` never calls this from the methods `Strict` calls; here for completeness.
        let state = self.state;
        let mut slot = None;
        let access = StrictEnum {
            access: data,
            state,
            slot: &mut slot,
        };
        self.visitor
            .visit_enum(access)
            .map_err(|err| slot.take().unwrap_or_else(|| state.raise(err)))
    }
}

/// A seed of the target, seen by `serde_json`: deserializes from a [`Strict`] deserializer.
struct WrapSeed<'a, S> {
    /// The target's seed.
    seed: S,
    /// The shared state of this input.
    state: &'a State<'a>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for WrapSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        let state = self.state;
        let mut slot = None;
        let strict = Strict {
            de,
            state,
            slot: &mut slot,
        };
        self.seed
            .deserialize(strict)
            .map_err(|err| slot.take().unwrap_or_else(|| state.raise(err)))
    }
}

/// The elements of an array, each read strictly. `E` is `A::Error`.
struct StrictSeq<'a, A, E> {
    /// `serde_json`'s access.
    seq: A,
    /// The shared state of this input.
    state: &'a State<'a>,
    /// An error of `seq`, waiting for [`Wrap::visit_seq`] to rethrow it.
    pending: Option<E>,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<'_, A, A::Error> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let seed = WrapSeed {
            seed,
            state: self.state,
        };
        self.seq
            .next_element_seed(seed)
            .map_err(|err| park(&mut self.pending, err))
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// The members of an object: names checked for duplicates, values read strictly.
/// `E` is `A::Error`.
struct StrictMap<'a, 'de, A, E> {
    /// `serde_json`'s access.
    map: A,
    /// The shared state of this input.
    state: &'a State<'a>,
    /// The member names seen so far.
    names: Names<'de>,
    /// An error of `map`, waiting for [`Wrap::visit_map`] to rethrow it.
    pending: Option<E>,
    /// Whether this is the top-level object and there is a tap.
    top: bool,
    /// The tap's identifier for the member whose name was just read, if it asked for it.
    tap_member: Option<u8>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'_, 'de, A, A::Error> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let name = match self.map.next_key_seed(CaptureName) {
            Ok(Some(name)) => name,
            Ok(None) => return Ok(None),
            Err(err) => return Err(park(&mut self.pending, err)),
        };
        if self.top {
            self.tap_member = self.state.tap.and_then(|tap| tap.member(&name));
        }
        match name {
            Cow::Borrowed(name) => {
                if !self.names.insert_borrowed(name) {
                    return Err(DeError(JsonProblem::DuplicateMember));
                }
                seed.deserialize(Text::Borrowed(name)).map(Some)
            }
            Cow::Owned(name) => {
                if self.names.contains(&name) {
                    return Err(DeError(JsonProblem::DuplicateMember));
                }
                let key = seed.deserialize(Text::Transient(&name))?;
                self.names.insert_owned(name);
                Ok(Some(key))
            }
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let seed = WrapSeed {
            seed,
            state: self.state,
        };
        if !self.top {
            return self
                .map
                .next_value_seed(seed)
                .map_err(|err| park(&mut self.pending, err));
        }
        self.state.tapped.set(self.tap_member.take());
        let result = self.map.next_value_seed(seed);
        self.state.tapped.set(None);
        result.map_err(|err| park(&mut self.pending, err))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// The member names of one object, for the duplicate check.
///
/// The first [`INLINE_MEMBERS`] names borrowed from the input are kept inline and compared
/// one by one; later names, and names with escape sequences (which `serde_json` unescapes into
/// a scratch buffer), go to a `BTreeSet`, so that a large object costs `O(n log n)` and not
/// `O(n²)`.
struct Names<'de> {
    /// Names borrowed from the input; the first `inline_len` are in use.
    inline: [&'de str; INLINE_MEMBERS],
    /// How many of `inline` are in use.
    inline_len: usize,
    /// All other names.
    spill: BTreeSet<Cow<'de, str>>,
    /// One bit per name seen, chosen by [`Names::bit`]: a name whose bit is clear is new,
    /// which settles most lookups without comparing strings.
    seen: u64,
}

impl<'de> Names<'de> {
    /// No names yet. Does not allocate.
    const fn new() -> Self {
        Self {
            inline: [""; INLINE_MEMBERS],
            inline_len: 0,
            spill: BTreeSet::new(),
            seen: 0,
        }
    }

    /// The filter bit of `name`: a hash of its length and its first and last bytes.
    fn bit(name: &str) -> u64 {
        let bytes = name.as_bytes();
        let first = bytes.first().copied().unwrap_or_default();
        let last = bytes.last().copied().unwrap_or_default();
        let hash = (u64::from(first) | (u64::from(last) << 8) | ((name.len() as u64) << 16))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        1 << (hash >> 58)
    }

    /// Whether `name` has been seen.
    fn contains(&self, name: &str) -> bool {
        self.seen & Self::bit(name) != 0
            && (self
                .inline
                .iter()
                .take(self.inline_len)
                .any(|seen| *seen == name)
                || (!self.spill.is_empty() && self.spill.contains(name)))
    }

    /// Records `name`; `false` if it had been seen already.
    fn insert_borrowed(&mut self, name: &'de str) -> bool {
        if self.contains(name) {
            return false;
        }
        self.seen |= Self::bit(name);
        match self.inline.get_mut(self.inline_len) {
            Some(free) => {
                *free = name;
                self.inline_len = self.inline_len.saturating_add(1);
            }
            None => {
                self.spill.insert(Cow::Borrowed(name));
            }
        }
        true
    }

    /// Records `name`, which the caller has checked is new.
    fn insert_owned(&mut self, name: String) {
        self.seen |= Self::bit(&name);
        self.spill.insert(Cow::Owned(name));
    }
}

/// A seed that reads a member name as it is in the input, borrowed when it has no escapes.
struct CaptureName;

impl<'de> DeserializeSeed<'de> for CaptureName {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for CaptureName {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// A string already read from the input: a member name, or an enum variant in `"Variant"` form.
/// As a deserializer it plays the part of `serde_json`'s member-name deserializer.
#[derive(Clone, Copy)]
enum Text<'de, 'k> {
    /// Borrowed from the input: no escape sequences.
    Borrowed(&'de str),
    /// Unescaped into a buffer that lives only for the call.
    Transient(&'k str),
}

impl<'de> Text<'de, '_> {
    /// The text.
    const fn as_str(&self) -> &str {
        match *self {
            Self::Borrowed(text) => text,
            Self::Transient(text) => text,
        }
    }

    /// Hands the text to `visitor` as a string.
    fn visit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Self::Borrowed(text) => visitor.visit_borrowed_str(text),
            Self::Transient(text) => visitor.visit_str(text),
        }
    }

    /// Hands the text to `visitor` as a number, as `serde_json` does for member names that a
    /// map with numeric keys asks for. The text must start like a JSON number.
    fn visit_number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = self.as_str();
        if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            if let Ok(n) = text.parse::<u64>() {
                return visitor.visit_u64(n);
            }
            if let Ok(n) = text.parse::<i64>() {
                return visitor.visit_i64(n);
            }
            if let Ok(n) = text.parse::<f64>() {
                if n.is_finite() {
                    return visitor.visit_f64(n);
                }
            }
        }
        Err(de::Error::invalid_type(Unexpected::Str(text), &visitor))
    }
}

/// Implements `deserialize_*` methods of [`Text`] that read the text as a number.
macro_rules! text_as_number {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.visit_number(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for Text<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visit(visitor)
    }

    text_as_number! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.as_str().parse::<i128>() {
            Ok(n) => visitor.visit_i128(n),
            Err(_) => Err(de::Error::invalid_type(
                Unexpected::Str(self.as_str()),
                &visitor,
            )),
        }
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.as_str().parse::<u128>() {
            Ok(n) => visitor.visit_u128(n),
            Err(_) => Err(de::Error::invalid_type(
                Unexpected::Str(self.as_str()),
                &visitor,
            )),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => self.visit(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // A member name is never `null`.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(UnitEnum(self))
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An enum value in `"Variant"` form: a unit variant.
struct UnitEnum<'de, 'k>(Text<'de, 'k>);

impl<'de> EnumAccess<'de> for UnitEnum<'de, '_> {
    type Error = DeError;
    type Variant = UnitOnly;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, UnitOnly), DeError> {
        seed.deserialize(self.0).map(|variant| (variant, UnitOnly))
    }
}

/// The content of a variant in `"Variant"` form: nothing.
struct UnitOnly;

impl<'de> VariantAccess<'de> for UnitOnly {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _seed: S) -> Result<S::Value, DeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, DeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// An enum value in `{"Variant": value}` form, read from a [`StrictMap`]; the caller checks
/// that the object has no further member.
struct MapEnum<'m, M>(&'m mut M);

impl<'de, M: MapAccess<'de, Error = DeError>> EnumAccess<'de> for MapEnum<'_, M> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), DeError> {
        match self.0.next_key_seed(seed)? {
            Some(variant) => Ok((variant, self)),
            None => Err(de::Error::invalid_length(0, &"an object of one member")),
        }
    }
}

impl<'de, M: MapAccess<'de, Error = DeError>> VariantAccess<'de> for MapEnum<'_, M> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        self.0.next_value_seed(PhantomData::<()>)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, DeError> {
        self.0.next_value_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.0.next_value_seed(TupleSeed { visitor, len })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.0.next_value_seed(StructSeed { visitor, fields })
    }
}

/// A seed that reads a tuple variant's content with `visitor`.
struct TupleSeed<V> {
    /// The target's visitor.
    visitor: V,
    /// The number of fields.
    len: usize,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for TupleSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        de.deserialize_tuple(self.len, self.visitor)
    }
}

/// A seed that reads a struct variant's content with `visitor`.
struct StructSeed<V> {
    /// The target's visitor.
    visitor: V,
    /// The names of the fields.
    fields: &'static [&'static str],
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        de.deserialize_struct("", self.fields, self.visitor)
    }
}

/// An enum handed over by the inner deserializer itself, with its content read strictly.
/// `E` is `A::Error`.
struct StrictEnum<'a, A, E> {
    /// The inner access.
    access: A,
    /// The shared state of this input.
    state: &'a State<'a>,
    /// Where an error of `access` waits for [`Wrap::visit_enum`].
    slot: &'a mut Option<E>,
}

impl<'a, 'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<'a, A, A::Error> {
    type Error = DeError;
    type Variant = StrictVariant<'a, A::Variant, A::Error>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), DeError> {
        let Self {
            access,
            state,
            slot,
        } = self;
        match access.variant_seed(WrapSeed { seed, state }) {
            Ok((value, variant)) => Ok((
                value,
                StrictVariant {
                    variant,
                    state,
                    slot,
                },
            )),
            Err(err) => Err(park(slot, err)),
        }
    }
}

/// The content of a variant handed over by the inner deserializer. `E` is `A::Error`.
struct StrictVariant<'a, A, E> {
    /// The inner access.
    variant: A,
    /// The shared state of this input.
    state: &'a State<'a>,
    /// Where an error of `variant` waits for [`Wrap::visit_enum`].
    slot: &'a mut Option<E>,
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<'_, A, A::Error> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        self.variant
            .unit_variant()
            .map_err(|err| park(self.slot, err))
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, DeError> {
        let seed = WrapSeed {
            seed,
            state: self.state,
        };
        self.variant
            .newtype_variant_seed(seed)
            .map_err(|err| park(self.slot, err))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        let visitor = Wrap {
            visitor,
            state: self.state,
            mode: Mode::Plain,
        };
        self.variant
            .tuple_variant(len, visitor)
            .map_err(|err| park(self.slot, err))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let visitor = Wrap {
            visitor,
            state: self.state,
            mode: Mode::Struct,
        };
        self.variant
            .struct_variant(fields, visitor)
            .map_err(|err| park(self.slot, err))
    }
}

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;
    use alloc::collections::BTreeMap;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    use serde::Deserialize;

    use super::{MAX_DEPTH, Names, from_slice, from_slice_in};
    use crate::{Error, JsonProblem, Malformed};

    /// Registered claims, as a JWT library would read them.
    #[derive(Debug, Deserialize, PartialEq)]
    struct Claims {
        iss: String,
        sub: Option<String>,
        exp: u64,
        nbf: Option<u64>,
        aud: Option<Audience>,
    }

    /// `aud`: one string or an array of strings.
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(untagged)]
    enum Audience {
        One(String),
        Many(Vec<String>),
    }

    /// Only `a`.
    #[derive(Debug, Deserialize, PartialEq)]
    struct OnlyA {
        a: u32,
    }

    fn problem<'de, T: Deserialize<'de> + core::fmt::Debug>(input: &'de [u8]) -> JsonProblem {
        match from_slice::<T>(input) {
            Ok(value) => panic!("accepted {value:?}"),
            Err(problem) => problem,
        }
    }

    fn nested(depth: usize, open: &str, close: &str) -> String {
        let mut s = String::new();
        s.push_str(&open.repeat(depth.saturating_sub(1)));
        s.push_str("{\"x\":1}");
        s.push_str(&close.repeat(depth.saturating_sub(1)));
        s
    }

    #[test]
    fn derived_struct() {
        let claims: Claims =
            from_slice(br#"{"iss":"me","exp":1700000000,"aud":["a","b"],"extra":{"k":[1,2]}}"#)
                .unwrap();
        assert_eq!(
            claims,
            Claims {
                iss: "me".into(),
                sub: None,
                exp: 1_700_000_000,
                nbf: None,
                aud: Some(Audience::Many(vec!["a".into(), "b".into()])),
            }
        );
        let claims: Claims =
            from_slice(br#" {"iss":"me","exp":1,"sub":null,"nbf":5,"aud":"x"} "#).unwrap();
        assert_eq!(claims.nbf, Some(5));
        assert_eq!(claims.aud, Some(Audience::One("x".into())));
        assert_eq!(claims.sub, None);
    }

    #[test]
    fn duplicate_top_level() {
        assert_eq!(
            problem::<Claims>(br#"{"iss":"me","exp":1,"exp":9999999999}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<serde_json::Value>(br#"{"exp":1,"exp":1}"#),
            JsonProblem::DuplicateMember
        );
    }

    #[test]
    fn duplicate_via_escape() {
        assert_eq!(
            problem::<serde_json::Value>(br#"{"a":1,"\u0061":2}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<OnlyA>(br#"{"\u0061":1,"a":2}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<serde_json::Value>(br#"{"\u0062":1,"\u0062":2}"#),
            JsonProblem::DuplicateMember
        );
        let value: serde_json::Value = from_slice(br#"{"\u0061":1,"b":2}"#).unwrap();
        assert_eq!(value, serde_json::json!({"a": 1, "b": 2}));
    }

    #[test]
    fn duplicate_inside_ignored_member() {
        assert_eq!(
            problem::<OnlyA>(br#"{"a":1,"x":{"b":1,"b":2}}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<OnlyA>(br#"{"x":[0,{"y":[{"b":1,"b":2}]}],"a":1}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<de_ignored::Unit>(br#"{"x":{"b":1,"b":2}}"#),
            JsonProblem::DuplicateMember
        );
    }

    /// A type that ignores its whole content through `deserialize_ignored_any`.
    mod de_ignored {
        /// Ignores everything.
        #[derive(Debug)]
        pub(super) struct Unit;

        impl<'de> serde::Deserialize<'de> for Unit {
            fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
                serde::de::IgnoredAny::deserialize(de).map(|_| Unit)
            }
        }
    }

    #[test]
    fn duplicate_inside_value_and_arrays() {
        assert_eq!(
            problem::<serde_json::Value>(br#"{"v":{"w":{"a":1,"a":1}}}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<serde_json::Value>(br#"{"v":[{"a":1},{"a":1,"b":2,"a":3}]}"#),
            JsonProblem::DuplicateMember
        );
        /// Holds an array of maps.
        #[derive(Debug, Deserialize)]
        struct Keys {
            keys: Vec<BTreeMap<String, serde_json::Value>>,
        }
        assert_eq!(
            problem::<Keys>(br#"{"keys":[{"kty":"oct"},{"kty":"RSA","kty":"EC"}]}"#),
            JsonProblem::DuplicateMember
        );
        // The same name in different objects is fine.
        let keys: Keys = from_slice(br#"{"keys":[{"kty":"oct"},{"kty":"RSA"}]}"#).unwrap();
        assert_eq!(keys.keys.len(), 2);
    }

    #[test]
    fn top_level_not_object() {
        for input in [
            &b"[]"[..],
            b"1",
            b"\"s\"",
            b"null",
            b"true",
            b" [1,2]",
            b"x",
            b"\xff",
        ] {
            assert_eq!(
                problem::<serde_json::Value>(input),
                JsonProblem::NotObject,
                "{input:?}"
            );
        }
        /// Two fields, which `serde_json` would also read from `[1,2]`.
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "only deserialized")]
        struct Pair {
            a: u32,
            b: u32,
        }
        assert_eq!(problem::<Pair>(b"[1,2]"), JsonProblem::NotObject);
        assert!(serde_json::from_slice::<Pair>(b"[1,2]").is_ok());
        // Nested structs must be objects too.
        /// Holds a pair.
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "only deserialized")]
        struct Outer {
            p: Pair,
        }
        assert_eq!(
            problem::<Outer>(br#"{"p":[1,2]}"#),
            JsonProblem::InvalidType {
                expected: "struct Pair".into(),
                found: "array"
            }
        );
        assert!(from_slice::<Outer>(br#"{"p":{"a":1,"b":2}}"#).is_ok());
    }

    #[test]
    fn empty_input() {
        assert!(matches!(
            problem::<serde_json::Value>(b""),
            JsonProblem::Syntax { .. }
        ));
        assert!(matches!(
            problem::<serde_json::Value>(b" \n "),
            JsonProblem::Syntax { .. }
        ));
    }

    #[test]
    fn depth_limit() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            // The innermost `{"x":1}` is level `depth` when wrapped `depth - 1` times; the
            // outermost must be an object.
            let ok = format!(
                "{{\"o\":{}}}",
                nested(MAX_DEPTH.saturating_sub(1), open, close)
            );
            let value: serde_json::Value = from_slice(ok.as_bytes()).unwrap();
            assert!(value.is_object());
            assert_eq!(
                from_slice::<OnlyA>(ok.as_bytes()),
                Err(JsonProblem::MissingField("a"))
            );
            let deep = format!("{{\"o\":{}}}", nested(MAX_DEPTH, open, close));
            assert_eq!(
                problem::<serde_json::Value>(deep.as_bytes()),
                JsonProblem::TooDeep
            );
            assert_eq!(problem::<OnlyA>(deep.as_bytes()), JsonProblem::TooDeep);
            let deeper = format!("{{\"o\":{}}}", nested(1000, open, close));
            assert_eq!(problem::<OnlyA>(deeper.as_bytes()), JsonProblem::TooDeep);
        }
        // The limit of `serde_json` itself: 127 levels parse, 128 do not.
        let ok = nested(MAX_DEPTH, "[", "]");
        assert!(serde_json::from_str::<serde_json::Value>(&ok).is_ok());
        let deep = nested(MAX_DEPTH.saturating_add(1), "[", "]");
        assert!(serde_json::from_str::<serde_json::Value>(&deep).is_err());
    }

    #[test]
    fn own_depth_check() {
        // `serde_json` stops first at its own limit; check ours directly.
        let state = super::State::new(None);
        for _ in 0..MAX_DEPTH {
            state.enter::<serde_json::Error>().unwrap();
        }
        assert!(state.enter::<serde_json::Error>().is_err());
        assert_eq!(state.stash.take(), Some(JsonProblem::TooDeep));
    }

    #[test]
    fn trailing_characters() {
        assert_eq!(
            problem::<OnlyA>(br#"{"a":1} x"#),
            JsonProblem::TrailingCharacters
        );
        assert_eq!(
            problem::<OnlyA>(br#"{"a":1}{}"#),
            JsonProblem::TrailingCharacters
        );
        assert_eq!(
            from_slice::<OnlyA>(b"\r\n\t {\"a\":1} \r\n\t "),
            Ok(OnlyA { a: 1 })
        );
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(
            problem::<OnlyA>(b"{\"a\":1,\n\"b\":\"\xff\"}"),
            JsonProblem::Syntax { line: 2, column: 6 }
        );
        assert_eq!(
            problem::<serde_json::Value>(b"{\"\xc3\":1}"),
            JsonProblem::Syntax { line: 1, column: 3 }
        );
        for input in [
            &br#"{"a":"\ud800"}"#[..],
            br#"{"a":"\udc00x"}"#,
            br#"{"\ud800":1}"#,
            br#"{"a":1"#,
            br#"{"a":1,}"#,
            br#"{"a" 1}"#,
            br#"{a:1}"#,
            br#"{"a":01}"#,
            br#"{"a":1e999}"#,
            b"{",
        ] {
            assert!(
                matches!(problem::<OnlyA>(input), JsonProblem::Syntax { .. }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn missing_field() {
        assert_eq!(
            problem::<Claims>(br#"{"iss":"me"}"#),
            JsonProblem::MissingField("exp")
        );
    }

    #[test]
    fn invalid_type_never_quotes_the_value() {
        let secret = "s3cr3t-token-value";
        let input = format!(r#"{{"iss":"me","exp":"{secret}"}}"#);
        assert_eq!(
            problem::<Claims>(input.as_bytes()),
            JsonProblem::InvalidType {
                expected: "u64".into(),
                found: "string"
            }
        );
        let error = from_slice_in::<Claims>(input.as_bytes(), "payload").unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("payload"));
        // Strings given where a number is expected, in a key, ...
        let input = format!(r#"{{"{secret}":1}}"#);
        let error = from_slice::<BTreeMap<u32, u32>>(input.as_bytes()).unwrap_err();
        assert!(!format!("{error} {error:?}").contains(secret));
        // ... or a number where a string is expected.
        assert_eq!(
            problem::<Claims>(br#"{"iss":12345678,"exp":1}"#),
            JsonProblem::InvalidType {
                expected: "a string".into(),
                found: "integer"
            }
        );
        assert_eq!(
            problem::<Claims>(br#"{"iss":"a","exp":1.5}"#),
            JsonProblem::InvalidType {
                expected: "u64".into(),
                found: "floating point number"
            }
        );
        assert_eq!(
            problem::<Claims>(br#"{"iss":{},"exp":1}"#),
            JsonProblem::InvalidType {
                expected: "a string".into(),
                found: "object"
            }
        );
        assert_eq!(
            problem::<Claims>(br#"{"iss":null,"exp":1}"#),
            JsonProblem::InvalidType {
                expected: "a string".into(),
                found: "null"
            }
        );
        // Out of range is a value problem.
        assert_eq!(
            problem::<Claims>(br#"{"iss":"a","exp":-1}"#),
            JsonProblem::InvalidValue
        );
        // `u128` mismatches are reported by `serde_json`, as a syntax error.
        /// A `u128`.
        #[derive(Debug, Deserialize)]
        struct Big {
            n: u128,
        }
        let input = format!(r#"{{"n":"{secret}"}}"#);
        let error = problem::<Big>(input.as_bytes());
        assert_eq!(error, JsonProblem::Syntax { line: 1, column: 6 });
        assert!(!format!("{error} {error:?}").contains(secret));
        let big: Big = from_slice(br#"{"n":340282366920938463463374607431768211455}"#).unwrap();
        assert_eq!(big.n, u128::MAX);
    }

    #[test]
    fn borrowed_str() {
        /// Borrows from the input.
        #[derive(Debug, Deserialize)]
        struct Borrowed<'a> {
            #[serde(borrow)]
            name: &'a str,
            #[serde(borrow)]
            other: Option<&'a str>,
        }
        let input = br#"{"name":"alice","other":"bob","ignored":"x"}"#.to_vec();
        let value: Borrowed<'_> = from_slice(&input).unwrap();
        assert_eq!(value.name, "alice");
        assert_eq!(value.other, Some("bob"));
        // A string with escapes cannot be borrowed: an error, not a panic.
        assert!(matches!(
            from_slice::<Borrowed<'_>>(br#"{"name":"a\nb"}"#),
            Err(JsonProblem::InvalidType { .. })
        ));
        // Cow handles both.
        /// Borrows when it can.
        #[derive(Debug, Deserialize)]
        struct Cows<'a> {
            #[serde(borrow)]
            name: alloc::borrow::Cow<'a, str>,
        }
        let value: Cows<'_> = from_slice(br#"{"name":"a\nb"}"#).unwrap();
        assert_eq!(value.name, "a\nb");
    }

    #[test]
    fn enums() {
        /// Externally tagged.
        #[derive(Debug, Deserialize, PartialEq)]
        enum Kind {
            Unit,
            Newtype(u32),
            Tuple(u32, String),
            Struct { a: u32 },
        }
        /// Holds a kind.
        #[derive(Debug, Deserialize, PartialEq)]
        struct Holder {
            k: Kind,
        }
        let holder = |input: &[u8]| from_slice::<Holder>(input).map(|h| h.k);
        assert_eq!(holder(br#"{"k":"Unit"}"#), Ok(Kind::Unit));
        assert_eq!(holder(br#"{"k":"\u0055nit"}"#), Ok(Kind::Unit));
        assert_eq!(holder(br#"{"k":{"Unit":null}}"#), Ok(Kind::Unit));
        assert_eq!(holder(br#"{"k":{"Newtype":7}}"#), Ok(Kind::Newtype(7)));
        assert_eq!(
            holder(br#"{"k":{"Tuple":[7,"x"]}}"#),
            Ok(Kind::Tuple(7, "x".into()))
        );
        assert_eq!(
            holder(br#"{"k":{"Struct":{"a":3}}}"#),
            Ok(Kind::Struct { a: 3 })
        );
        assert_eq!(
            holder(br#"{"k":{"Struct":{"a":3,"a":4}}}"#),
            Err(JsonProblem::DuplicateMember)
        );
        assert_eq!(
            holder(br#"{"k":{"Struct":[3]}}"#),
            Err(JsonProblem::InvalidType {
                expected: "struct variant Kind::Struct".into(),
                found: "array"
            })
        );
        assert_eq!(
            holder(br#"{"k":{"Newtype":1,"Unit":null}}"#),
            Err(JsonProblem::InvalidValue)
        );
        assert_eq!(
            holder(br#"{"k":{"Newtype":1,"Newtype":2}}"#),
            Err(JsonProblem::DuplicateMember)
        );
        assert_eq!(holder(br#"{"k":{}}"#), Err(JsonProblem::InvalidValue));
        assert_eq!(holder(br#"{"k":"Other"}"#), Err(JsonProblem::InvalidValue));
        assert_eq!(
            holder(br#"{"k":"Newtype"}"#),
            Err(JsonProblem::InvalidType {
                expected: "newtype variant".into(),
                found: "unit variant"
            })
        );
        assert!(matches!(
            holder(br#"{"k":5}"#),
            Err(JsonProblem::InvalidType {
                found: "integer",
                ..
            })
        ));
        assert_eq!(
            holder(br#"{"k":{"Unit":1}}"#),
            Err(JsonProblem::InvalidType {
                expected: "unit".into(),
                found: "integer"
            })
        );

        /// Internally tagged.
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(tag = "kty")]
        enum Key {
            #[serde(rename = "oct")]
            Oct { k: String },
        }
        assert_eq!(
            from_slice::<Key>(br#"{"kty":"oct","k":"abc"}"#),
            Ok(Key::Oct { k: "abc".into() })
        );
        assert_eq!(
            problem::<Key>(br#"{"kty":"oct","k":"abc","kty":"oct"}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<Key>(br#"{"kty":"oct"}"#),
            JsonProblem::MissingField("k")
        );
    }

    #[test]
    fn flatten() {
        /// Known members plus the rest.
        #[derive(Debug, Deserialize)]
        struct Header {
            alg: String,
            #[serde(flatten)]
            rest: BTreeMap<String, serde_json::Value>,
        }
        let header: Header = from_slice(br#"{"alg":"HS256","kid":"k1","x":{"y":1}}"#).unwrap();
        assert_eq!(header.alg, "HS256");
        assert_eq!(header.rest.len(), 2);
        assert_eq!(
            problem::<Header>(br#"{"alg":"HS256","kid":"a","kid":"b"}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<Header>(br#"{"alg":"HS256","alg":"none"}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<Header>(br#"{"alg":"HS256","x":{"y":1,"y":2}}"#),
            JsonProblem::DuplicateMember
        );
        assert_eq!(
            problem::<Header>(br#"{"kid":"a"}"#),
            JsonProblem::MissingField("alg")
        );
    }

    #[test]
    fn deny_unknown_fields() {
        /// Strict about members.
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only deserialized")]
        struct Closed {
            a: u32,
        }
        assert_eq!(
            problem::<Closed>(br#"{"a":1,"b":2}"#),
            JsonProblem::InvalidValue
        );
        assert!(from_slice::<Closed>(br#"{"a":1}"#).is_ok());
    }

    #[test]
    fn many_members() {
        let members: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        let input = format!("{{{}}}", members.join(","));
        let value: BTreeMap<String, u32> = from_slice(input.as_bytes()).unwrap();
        assert_eq!(value.len(), 40);
        assert_eq!(value.get("m39"), Some(&39));
        for dup in ["m0", "m15", "m16", "m39"] {
            let input = format!("{{{},\"{dup}\":0}}", members.join(","));
            assert_eq!(
                problem::<BTreeMap<String, u32>>(input.as_bytes()),
                JsonProblem::DuplicateMember,
                "{dup}"
            );
            // Escaped duplicates of inline and spilled names.
            let escaped = format!("\\u006d{}", dup.get(1..).unwrap());
            let input = format!("{{{},\"{escaped}\":0}}", members.join(","));
            assert_eq!(
                problem::<serde_json::Value>(input.as_bytes()),
                JsonProblem::DuplicateMember,
                "{escaped}"
            );
        }
    }

    #[test]
    fn small_objects_do_not_allocate_names() {
        let names: Vec<String> = (0..16).map(|i| format!("n{i}")).collect();
        let mut set = Names::new();
        for name in &names {
            assert!(set.insert_borrowed(name));
        }
        assert!(set.spill.is_empty());
        assert!(!set.insert_borrowed("n3"));
        assert!(set.insert_borrowed("n16"));
        assert_eq!(set.spill.len(), 1);
        assert!(!set.insert_borrowed("n16"));
        assert!(set.contains("n0") && set.contains("n16") && !set.contains("n17"));
    }

    #[test]
    fn numeric_and_enum_keys() {
        let map: BTreeMap<u32, i8> = from_slice(br#"{"1":-1,"20":2}"#).unwrap();
        assert_eq!(map.get(&20), Some(&2));
        let map: BTreeMap<i64, bool> = from_slice(br#"{"-5":true}"#).unwrap();
        assert_eq!(map.get(&-5), Some(&true));
        let map: BTreeMap<bool, u8> = from_slice(br#"{"true":1}"#).unwrap();
        assert_eq!(map.get(&true), Some(&1));
        assert!(matches!(
            from_slice::<BTreeMap<u32, u8>>(br#"{"x":1}"#),
            Err(JsonProblem::InvalidType {
                found: "string",
                ..
            })
        ));
        /// A member name as an enum.
        #[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
        #[serde(rename_all = "lowercase")]
        enum Op {
            Sign,
            Verify,
        }
        let map: BTreeMap<Op, u8> = from_slice(br#"{"sign":1,"verify":2}"#).unwrap();
        assert_eq!(map.get(&Op::Verify), Some(&2));
    }

    #[test]
    fn raw_value_free_types_round_trip() {
        let input = br#"{"a":[1,-2,3.5,"s",null,true,{"b":{}}],"c":"\u00e9\n"}"#;
        let strict: serde_json::Value = from_slice(input).unwrap();
        let plain: serde_json::Value = serde_json::from_slice(input).unwrap();
        assert_eq!(strict, plain);
    }

    #[test]
    fn from_slice_in_wraps() {
        assert_eq!(
            from_slice_in::<OnlyA>(b"[]", "header").unwrap_err(),
            Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::NotObject
            })
        );
    }

    #[test]
    fn unit_and_newtype_structs() {
        /// A newtype.
        #[derive(Debug, Deserialize, PartialEq)]
        struct Seconds(u64);
        /// A unit struct.
        #[derive(Debug, Deserialize, PartialEq)]
        struct Marker;
        /// Holds both, and a tuple.
        #[derive(Debug, Deserialize, PartialEq)]
        struct Holder {
            s: Seconds,
            m: Marker,
            t: (u8, String),
            c: char,
        }
        assert_eq!(
            from_slice::<Holder>(br#"{"s":5,"m":null,"t":[1,"x"],"c":"z"}"#),
            Ok(Holder {
                s: Seconds(5),
                m: Marker,
                t: (1, "x".to_owned()),
                c: 'z'
            })
        );
        assert_eq!(
            problem::<Holder>(br#"{"s":5,"m":null,"t":[1,"x",3],"c":"z"}"#),
            JsonProblem::InvalidValue
        );
        // A newtype at the top level is still an object.
        /// A newtype around a map.
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "only deserialized")]
        struct Wrapped(BTreeMap<String, u8>);
        assert!(from_slice::<Wrapped>(br#"{"a":1}"#).is_ok());
        assert_eq!(
            problem::<Wrapped>(br#"{"a":1,"a":2}"#),
            JsonProblem::DuplicateMember
        );
        let none: Option<OnlyA> = from_slice(br#"{"a":1}"#).unwrap();
        assert_eq!(none, Some(OnlyA { a: 1 }));
    }

    mod props {
        use alloc::string::String;
        use alloc::vec::Vec;

        use proptest::prelude::*;

        use super::super::from_slice;
        use crate::JsonProblem;

        fn json_value() -> impl Strategy<Value = serde_json::Value> {
            let leaf = prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                any::<u64>().prop_map(serde_json::Value::from),
                (-1.0e6f64..1.0e6).prop_map(serde_json::Value::from),
                ".{0,8}".prop_map(serde_json::Value::from),
            ];
            leaf.prop_recursive(6, 64, 8, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                    prop::collection::btree_map(".{0,6}", inner, 0..24)
                        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn never_panics_and_never_accepts_what_serde_json_rejects(
                bytes in prop::collection::vec(any::<u8>(), 0..64)
            ) {
                let strict = from_slice::<serde_json::Value>(&bytes);
                if let Ok(value) = strict {
                    let plain: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    prop_assert_eq!(value, plain);
                }
            }

            #[test]
            fn agrees_with_serde_json_on_objects(
                members in prop::collection::btree_map(".{0,6}", json_value(), 0..24),
                pretty in any::<bool>(),
            ) {
                let object = serde_json::Value::Object(members.into_iter().collect());
                let text = if pretty {
                    serde_json::to_string_pretty(&object).unwrap()
                } else {
                    serde_json::to_string(&object).unwrap()
                };
                // `serde_json` does not round-trip every float exactly: compare with what it
                // reads from the same text.
                let plain: serde_json::Value = serde_json::from_slice(text.as_bytes()).unwrap();
                let strict: serde_json::Value = from_slice(text.as_bytes()).unwrap();
                prop_assert_eq!(strict, plain);
            }

            #[test]
            fn a_repeated_member_is_always_found(
                names in prop::collection::btree_set("[a-z\\\\\"é]{0,4}", 1..40),
                pick in any::<prop::sample::Index>(),
            ) {
                let names: Vec<String> = names.into_iter().collect();
                let dup = pick.get(&names).clone();
                let mut members: Vec<String> = names
                    .iter()
                    .map(|name| serde_json::to_string(name).unwrap())
                    .collect();
                members.push(serde_json::to_string(&dup).unwrap());
                let text = alloc::format!("{{\"x\":{{{}}}}}", members.iter().map(|m| alloc::format!("{m}:0")).collect::<Vec<_>>().join(","));
                prop_assert_eq!(
                    from_slice::<serde_json::Value>(text.as_bytes()),
                    Err(JsonProblem::DuplicateMember)
                );
            }
        }
    }

    /// Times strict against plain parsing of a typical claims set:
    /// `cargo test --release --lib json::tests::timing -- --ignored --nocapture`.
    #[cfg(feature = "std")]
    #[test]
    #[ignore = "a measurement, not a test"]
    #[allow(clippy::print_stdout, reason = "reports the measurement")]
    fn timing() {
        extern crate std;
        use std::time::Instant;

        /// A typical claims set.
        #[derive(Debug, Deserialize)]
        #[expect(dead_code, reason = "only deserialized")]
        struct Typical {
            iss: String,
            sub: String,
            aud: Vec<String>,
            exp: u64,
            nbf: u64,
            iat: u64,
            jti: String,
            scope: Option<String>,
        }
        let input = br#"{"iss":"https://issuer.example.com/","sub":"user-1234567890","aud":["api.example.com","web.example.com"],"exp":1700003600,"nbf":1700000000,"iat":1700000000,"jti":"3f1c2a9e-5b7d-4e21-9c0f-8a6b2d4e1f3a","scope":"read write","email":"someone@example.com"}"#;
        assert!((200..=300).contains(&input.len()));
        const ROUNDS: u32 = 100_000;
        let time = |strict: bool| {
            let start = Instant::now();
            for _ in 0..ROUNDS {
                let value: Typical = if strict {
                    from_slice(core::hint::black_box(input)).unwrap()
                } else {
                    serde_json::from_slice(core::hint::black_box(input)).unwrap()
                };
                core::hint::black_box(value);
            }
            start.elapsed()
        };
        // The machine may be busy: the best of several interleaved runs.
        let (mut strict, mut plain) = (time(true), time(false));
        for _ in 0..7 {
            strict = strict.min(time(true));
            plain = plain.min(time(false));
        }
        std::println!(
            "{} bytes, {ROUNDS} parses, best of 8: strict {strict:?}, plain {plain:?}, ratio {:.2}",
            input.len(),
            strict.as_secs_f64() / plain.as_secs_f64()
        );
    }
}
