//! Strict serialization: JSON that [`from_slice`](super::from_slice) would accept, checked
//! while `serde_json` writes it, not by parsing it again.
//!
//! [`to_vec`], [`to_string`] and [`to_member_value`] hand `serde_json` the value wrapped in [`Checked`]. Its `Serialize` gives the
//! value a [`Strict`] serializer instead of `serde_json`'s; `Strict` forwards every call and
//! wraps every nested value in `Checked` again, and its compound serializers ([`Compound`])
//! record member names. On the way it refuses what the strict parser refuses:
//!
//! * a top-level value that is not an object;
//! * a member name repeated in one object, at any depth (map keys are compared as the text
//!   `serde_json` writes for them, so the key `1` and the key `"1"` are the same name);
//! * arrays and objects nested deeper than [`MAX_DEPTH`].
//!
//! A refusal is parked in a [`Cell`] and replaced by a placeholder `serde_json` error, as on
//! the parsing side.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt::Display;

use serde::ser::{self, Serialize, Serializer};

use super::MAX_DEPTH;
use super::names::{CopiedNames, Names};
use crate::JsonProblem;
use crate::error::{Error, Malformed, Misuse};

/// Serializes `value` to JSON that the strict parser accepts, or says why not.
///
/// # Errors
///
/// [`Malformed::Json`] for `part` with [`JsonProblem::NotObject`],
/// [`JsonProblem::DuplicateMember`] or [`JsonProblem::TooDeep`];
/// [`Misuse::Unserializable`] (`part`) if `value` does not serialize (its own error, a map
/// key that is not a string, a number or a boolean).
pub(crate) fn to_vec<T: Serialize + ?Sized>(
    value: &T,
    part: &'static str,
) -> Result<Vec<u8>, Error> {
    write(0, false, value, part, |checked| serde_json::to_vec(checked))
}

/// [`to_vec`] for a value whose top level is an array (an SD-JWT disclosure, RFC 9901 §4.2),
/// which [`array_from_slice`](super::array_from_slice) reads back.
///
/// # Errors
///
/// As [`to_vec`], with [`JsonProblem::NotArray`] for a top level that is not an array.
pub(crate) fn array_to_vec<T: Serialize + ?Sized>(
    value: &T,
    part: &'static str,
) -> Result<Vec<u8>, Error> {
    write(0, true, value, part, |checked| serde_json::to_vec(checked))
}

/// [`to_vec`], as a `String`.
///
/// # Errors
///
/// As [`to_vec`].
pub(crate) fn to_string<T: Serialize + ?Sized>(
    value: &T,
    part: &'static str,
) -> Result<String, Error> {
    write(0, false, value, part, |checked| {
        serde_json::to_string(checked)
    })
}

/// `value` as the value of a member of a top-level object, checked as [`to_vec`] would check it
/// there (its arrays and objects count from the second level), as a `serde_json::Value` to be
/// written later inside that object.
///
/// # Errors
///
/// As [`to_vec`], except that a value that is not an object is fine.
pub(crate) fn to_member_value<T: Serialize + ?Sized>(
    value: &T,
    part: &'static str,
) -> Result<serde_json::Value, Error> {
    write(1, false, value, part, |checked| {
        serde_json::to_value(checked)
    })
}

/// Runs `serde_json`'s writer `out` on `value`, checked as a value `depth` arrays and objects
/// deep (at the top, an array if `array_top`, an object otherwise), and says why it refused.
fn write<T: Serialize + ?Sized, R>(
    depth: usize,
    array_top: bool,
    value: &T,
    part: &'static str,
    out: impl FnOnce(&Checked<'_, T>) -> serde_json::Result<R>,
) -> Result<R, Error> {
    let problem = Cell::new(None);
    let checked = Checked {
        value,
        at: Level {
            depth,
            array_top,
            problem: &problem,
        },
    };
    out(&checked).map_err(|_| match problem.take() {
        Some(problem) => Malformed::Json { part, problem }.into(),
        None => Misuse::Unserializable(part).into(),
    })
}

/// Where a value is: `depth` arrays and objects deep, and where a refusal is parked.
#[derive(Clone, Copy)]
struct Level<'a> {
    depth: usize,
    /// Whether the top-level value is an array rather than an object.
    array_top: bool,
    problem: &'a Cell<Option<JsonProblem>>,
}

/// A value to serialize at a [`Level`].
struct Checked<'a, T: ?Sized> {
    value: &'a T,
    at: Level<'a>,
}

impl<T: Serialize + ?Sized> Serialize for Checked<'_, T> {
    fn serialize<S: Serializer>(&self, inner: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Strict { inner, at: self.at })
    }
}

/// `serde_json`'s serializer for one value at a [`Level`].
struct Strict<'a, S> {
    inner: S,
    at: Level<'a>,
}

/// Parks `problem` and returns the placeholder error that stands for it.
fn raise<E: ser::Error>(slot: &Cell<Option<JsonProblem>>, problem: JsonProblem) -> E {
    slot.set(Some(problem));
    E::custom("rejected by jose-ring")
}

impl<'a> Level<'a> {
    /// A value that is not an object (or an array, if that is the top): refused at the top
    /// level.
    fn scalar<E: ser::Error>(&self) -> Result<(), E> {
        if self.depth == 0 {
            return Err(raise(self.problem, self.wrong_top()));
        }
        Ok(())
    }

    /// What a top level of the wrong kind is.
    const fn wrong_top(&self) -> JsonProblem {
        if self.array_top {
            JsonProblem::NotArray
        } else {
            JsonProblem::NotObject
        }
    }

    /// Opens `levels` arrays or objects, at the top level only of the kind it must be;
    /// returns the compound serializer for their members.
    fn open<C, E: ser::Error>(
        &self,
        levels: usize,
        array: bool,
        inner: Result<C, E>,
    ) -> Result<Compound<'a, C>, E> {
        if self.depth == 0 && array != self.array_top {
            return Err(raise(self.problem, self.wrong_top()));
        }
        let at = self.deeper(levels)?;
        Ok(Compound {
            inner: inner?,
            at,
            names: Names::new(),
            keys: CopiedNames::new(),
        })
    }

    /// This level `levels` deeper, refused beyond [`MAX_DEPTH`].
    fn deeper<E: ser::Error>(self, levels: usize) -> Result<Self, E> {
        let depth = self.depth.saturating_add(levels);
        if depth > MAX_DEPTH {
            return Err(raise(self.problem, JsonProblem::TooDeep));
        }
        Ok(Self { depth, ..self })
    }

    /// `value` at this level.
    fn holding<'b, T: ?Sized>(self, value: &'b T) -> Checked<'b, T>
    where
        'a: 'b,
    {
        Checked { value, at: self }
    }
}

/// Forwards scalar `serialize_*` methods, refusing them at the top level.
macro_rules! scalars {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.at.scalar()?;
            self.inner.$method($($arg),*)
        }
    )*};
}

impl<'a, S: Serializer> Serializer for Strict<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'a, S::SerializeSeq>;
    type SerializeTuple = Compound<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'a, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'a, S::SerializeMap>;
    type SerializeStruct = Compound<'a, S::SerializeStruct>;
    type SerializeStructVariant = Compound<'a, S::SerializeStructVariant>;

    scalars! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.at.scalar()?;
        self.inner.collect_str(value)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(&self.at.holding(value))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_struct(name, &self.at.holding(value))
    }

    /// `{"variant": value}`: one object around the value.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let at = self.at.deeper(1)?;
        self.inner
            .serialize_newtype_variant(name, index, variant, &at.holding(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.at.open(1, true, self.inner.serialize_seq(len))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.at.open(1, true, self.inner.serialize_tuple(len))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.at
            .open(1, true, self.inner.serialize_tuple_struct(name, len))
    }

    /// `{"variant": [..]}`: an array in an object.
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.at.open(
            2,
            false,
            self.inner
                .serialize_tuple_variant(name, index, variant, len),
        )
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.at.open(1, false, self.inner.serialize_map(len))
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.at
            .open(1, false, self.inner.serialize_struct(name, len))
    }

    /// `{"variant": {..}}`: an object in an object.
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.at.open(
            2,
            false,
            self.inner
                .serialize_struct_variant(name, index, variant, len),
        )
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The members of an array or object of `serde_json`'s, `depth` levels deep.
struct Compound<'a, C> {
    inner: C,
    /// The level of the members.
    at: Level<'a>,
    /// The field names so far, for a struct.
    names: Names<'static>,
    /// The member names so far, for a map.
    keys: CopiedNames,
}

impl<C> Compound<'_, C> {
    /// Records a struct field's name.
    fn field<E: ser::Error>(&mut self, name: &'static str) -> Result<(), E> {
        if self.names.insert_borrowed(name) {
            Ok(())
        } else {
            Err(raise(self.at.problem, JsonProblem::DuplicateMember))
        }
    }

    /// Records a map key's name: the text `serde_json` writes for it.
    fn key<K: Serialize + ?Sized, E: ser::Error>(&mut self, key: &K) -> Result<(), E> {
        let new = match key.serialize(KeyText(&mut self.keys)) {
            Ok(new) => new,
            Err(NotText) => {
                let name = match serde_json::to_value(key) {
                    Ok(serde_json::Value::String(name)) => name,
                    Ok(serde_json::Value::Number(name)) => name.to_string(),
                    Ok(serde_json::Value::Bool(name)) => {
                        String::from(if name { "true" } else { "false" })
                    }
                    // Not a key `serde_json` writes; refused, whatever it would do with it.
                    _ => return Err(E::custom("unsupported map key")),
                };
                self.keys.insert(&name)
            }
        };
        if !new {
            return Err(raise(self.at.problem, JsonProblem::DuplicateMember));
        }
        Ok(())
    }
}

/// Implements the element-only compound traits by forwarding.
macro_rules! elements {
    ($($trait:ident::$method:ident;)*) => {$(
        impl<C: ser::$trait> ser::$trait for Compound<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.inner.$method(&self.at.holding(value))
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.inner.end()
            }
        }
    )*};
}

elements! {
    SerializeSeq::serialize_element;
    SerializeTuple::serialize_element;
    SerializeTupleStruct::serialize_field;
    SerializeTupleVariant::serialize_field;
}

/// Implements the struct-like compound traits: named fields, each name recorded.
macro_rules! fields {
    ($($trait:ident;)*) => {$(
        impl<C: ser::$trait> ser::$trait for Compound<'_, C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Result<(), C::Error> {
                self.field(name)?;
                self.inner.serialize_field(name, &self.at.holding(value))
            }

            fn skip_field(&mut self, name: &'static str) -> Result<(), C::Error> {
                self.inner.skip_field(name)
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.inner.end()
            }
        }
    )*};
}

fields! {
    SerializeStruct;
    SerializeStructVariant;
}

impl<C: ser::SerializeMap> ser::SerializeMap for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.key(key)?;
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.inner.serialize_value(&self.at.holding(value))
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), C::Error> {
        self.key(key)?;
        self.inner.serialize_entry(key, &self.at.holding(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

/// A serializer that records a map key given as a string (the common case) in a
/// [`CopiedNames`] without copying it first: `Ok(false)` if it was seen already. Any other key
/// is [`NotText`], for [`Compound::key`] to read the slow way.
struct KeyText<'n>(&'n mut CopiedNames);

/// A map key that [`KeyText`] does not read.
#[derive(Debug)]
struct NotText;

impl Display for NotText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("not a string")
    }
}

impl ser::StdError for NotText {}

impl ser::Error for NotText {
    fn custom<T: Display>(_msg: T) -> Self {
        Self
    }
}

/// Implements `serialize_*` methods of [`KeyText`] that refuse their value.
macro_rules! not_text {
    ($($method:ident($($ty:ty),*);)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<bool, NotText> {
            Err(NotText)
        }
    )*};
}

impl Serializer for KeyText<'_> {
    type Ok = bool;
    type Error = NotText;
    type SerializeSeq = ser::Impossible<bool, NotText>;
    type SerializeTuple = ser::Impossible<bool, NotText>;
    type SerializeTupleStruct = ser::Impossible<bool, NotText>;
    type SerializeTupleVariant = ser::Impossible<bool, NotText>;
    type SerializeMap = ser::Impossible<bool, NotText>;
    type SerializeStruct = ser::Impossible<bool, NotText>;
    type SerializeStructVariant = ser::Impossible<bool, NotText>;

    fn serialize_str(self, v: &str) -> Result<bool, NotText> {
        Ok(self.0.insert(v))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<bool, NotText> {
        value.serialize(self)
    }

    not_text! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<bool, NotText> {
        Err(NotText)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<bool, NotText> {
        Err(NotText)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, NotText> {
        Err(NotText)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, NotText> {
        Err(NotText)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, NotText> {
        Err(NotText)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, NotText> {
        Err(NotText)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, NotText> {
        Err(NotText)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, NotText> {
        Err(NotText)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, NotText> {
        Err(NotText)
    }
}
