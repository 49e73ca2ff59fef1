//! The strict reader: `serde_json`'s parser behind a proxy deserializer that checks names and
//! depth as the target type deserializes.
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
//! genuine `serde_json` error is classified ([`error::classify`]).

use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

use super::error::{self, DeError};
use super::names::Names;
use super::tap::{Seen, Tap};
use super::{MAX_DEPTH, skip_whitespace};
use crate::JsonProblem;

/// What the top-level value must be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Top {
    /// An object: every JOSE JSON text.
    Object,
    /// An array: an SD-JWT disclosure (RFC 9901 §4.2).
    Array,
}

/// [`from_slice`](super::from_slice) with an optional [`Tap`], for a top-level value of the
/// kind `top`.
pub(super) fn parse<'de, T: de::Deserialize<'de>>(
    input: &'de [u8],
    tap: Option<&dyn Tap>,
    top: Top,
) -> Result<T, JsonProblem> {
    // The value starts at the first byte that is not JSON whitespace; an object starts with `{`,
    // an array with `[`.
    match (skip_whitespace(input).first(), top) {
        (Some(b'{'), Top::Object) | (Some(b'['), Top::Array) => {}
        (Some(_), Top::Object) => return Err(JsonProblem::NotObject),
        (Some(_), Top::Array) => return Err(JsonProblem::NotArray),
        (None, _) => return Err(error::end_of_input(input)),
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
        Some(json_err) => state.classify(&json_err, input),
        None => err.0,
    })?;
    json.end().map_err(|_| JsonProblem::TrailingCharacters)?;
    Ok(value)
}

/// What all wrappers of one [`from_slice`](super::from_slice) call share.
pub(super) struct State<'t> {
    /// The problem behind the placeholder `serde_json::Error` currently unwinding, if any.
    pub(super) stash: Cell<Option<JsonProblem>>,
    /// How many arrays and objects enclose the value being read.
    depth: Cell<usize>,
    /// Whether `serde_json` failed on a value [`MAX_DEPTH`] levels deep, where its own depth
    /// limit stops any array or object.
    limit_hit: Cell<bool>,
    /// The observer of top-level members, if any.
    tap: Option<&'t dyn Tap>,
    /// The top-level member whose value is being read, if the tap asked for it.
    tapped: Cell<Option<u8>>,
}

impl<'t> State<'t> {
    /// Fresh state for one input.
    pub(super) const fn new(tap: Option<&'t dyn Tap>) -> Self {
        Self {
            stash: Cell::new(None),
            depth: Cell::new(0),
            limit_hit: Cell::new(false),
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
                    if seen == Seen::Object && !tap.members(member) {
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
    pub(super) fn enter<E: de::Error>(&self) -> Result<(), E> {
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

    /// The problem behind an error that reached the top, from `input`.
    fn classify(&self, err: &serde_json::Error, input: &[u8]) -> JsonProblem {
        error::classify(err, self.stash.take(), self.limit_hit.get(), input)
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
        call(de, visitor).map_err(|err| {
            if state.depth.get() == MAX_DEPTH {
                state.limit_hit.set(true);
            }
            park(slot, err)
        })
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
        // Only the members of the top-level object are offered to the tap, and the names of
        // the members of a tapped object value (which is still tapped only if it asked).
        let top = state.tap.is_some() && state.depth.get() == 1;
        let keys = state.tapped.get().is_some() && state.depth.get() == 2;
        let mut access = StrictMap {
            map,
            state,
            names: Names::new(),
            pending: None,
            top,
            keys,
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
    /// Whether this object is the value of a tapped member whose members the tap asked for.
    keys: bool,
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
        if self.keys {
            if let (Some(tap), Some(member)) = (self.state.tap, self.state.tapped.get()) {
                tap.value(member, Seen::Key(&name));
            }
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
