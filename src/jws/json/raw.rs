//! The serde side of the JWS JSON serialization reader: the document as read (`RawDoc`), before
//! its rules are checked, with the seeds and visitors that read it in one pass, noting the first
//! member of the wrong JSON type instead of failing on it.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A JWS JSON serialization as read, before its rules are checked.
#[derive(Default)]
pub(super) struct RawDoc<'de> {
    pub(super) payload: Option<Cow<'de, str>>,
    /// The members a flattened serialization has at the top level (and, in `invalid`, the
    /// first member of the document found with a value of the wrong JSON type).
    pub(super) flat: RawEntry<'de>,
    pub(super) signatures: Option<RawList<'de>>,
}

/// The `signatures` array as read.
#[derive(Default)]
pub(super) struct RawList<'de> {
    pub(super) entries: Vec<RawEntry<'de>>,
    /// The number of elements, objects or not.
    pub(super) count: usize,
    /// Whether an element is not an object.
    pub(super) bad_element: bool,
}

/// One signature object as read.
#[derive(Default)]
pub(super) struct RawEntry<'de> {
    pub(super) protected: Option<Cow<'de, str>>,
    pub(super) header: Option<Vec<(String, Value)>>,
    pub(super) signature: Option<Cow<'de, str>>,
    /// The first member found with a value of the wrong JSON type.
    pub(super) invalid: Option<&'static str>,
}

/// The member names this module reads.
#[derive(Clone, Copy)]
enum Field {
    Payload,
    Protected,
    Header,
    Signature,
    Signatures,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
        Ok(match name {
            "payload" => Field::Payload,
            "protected" => Field::Protected,
            "header" => Field::Header,
            "signature" => Field::Signature,
            "signatures" => Field::Signatures,
            _ => Field::Other,
        })
    }
}

impl<'de> Deserialize<'de> for RawDoc<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocVisitor)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = RawDoc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWS JSON serialization")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDoc<'de>, A::Error> {
        let mut raw = RawDoc::default();
        while let Some(field) = map.next_key::<Field>()? {
            let invalid = &mut raw.flat.invalid;
            match field {
                Field::Payload => note(
                    map.next_value_seed(StrSeed)?,
                    &mut raw.payload,
                    invalid,
                    "payload",
                ),
                Field::Signatures => note(
                    map.next_value_seed(ListSeed)?,
                    &mut raw.signatures,
                    invalid,
                    "signatures",
                ),
                _ => read_entry_member(&mut map, field, &mut raw.flat)?,
            }
        }
        Ok(raw)
    }
}

/// Reads the value of one member of a signature object (`protected`, `header`, `signature`)
/// into `entry`; the value of any other member is skipped (strictly, like every value).
fn read_entry_member<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: Field,
    entry: &mut RawEntry<'de>,
) -> Result<(), A::Error> {
    let invalid = &mut entry.invalid;
    match field {
        Field::Protected => note(
            map.next_value_seed(StrSeed)?,
            &mut entry.protected,
            invalid,
            "protected",
        ),
        Field::Header => note(
            map.next_value_seed(MembersSeed)?,
            &mut entry.header,
            invalid,
            "header",
        ),
        Field::Signature => note(
            map.next_value_seed(StrSeed)?,
            &mut entry.signature,
            invalid,
            "signature",
        ),
        Field::Payload | Field::Signatures | Field::Other => {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

/// Stores a member value read with one of the seeds below, or notes `name` as invalid when the
/// value was of the wrong JSON type (`None`).
fn note<T>(
    value: Option<T>,
    slot: &mut Option<T>,
    invalid: &mut Option<&'static str>,
    name: &'static str,
) {
    match value {
        Some(value) => *slot = Some(value),
        None => {
            invalid.get_or_insert(name);
        }
    }
}

/// Reads a JSON string (`None` for any other value, which is consumed).
struct StrSeed;

/// Reads a JSON object as its members (`None` for any other value, which is consumed).
struct MembersSeed;

/// Reads the `signatures` array (`None` for any other value, which is consumed).
struct ListSeed;

/// Reads one signature object (`None` for any other value, which is consumed).
struct EntrySeed;

/// The `visit_*` methods of a visitor that accepts one JSON type and answers `None` for the
/// others, consuming them.
macro_rules! other_types_are_none {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
    (str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
    (seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
    (map) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.into())))
    }

    other_types_are_none!();
    other_types_are_none!(seq);
    other_types_are_none!(map);
}

impl<'de> DeserializeSeed<'de> for MembersSeed {
    type Value = Option<Vec<(String, Value)>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MembersSeed {
    type Value = Option<Vec<(String, Value)>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Value>()? {
            members.push(member);
        }
        Ok(Some(members))
    }

    other_types_are_none!();
    other_types_are_none!(str);
    other_types_are_none!(seq);
}

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Option<RawList<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Option<RawList<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of signature objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Every element is read (the input is bounded by the length limit); the caller
        // compares `count` with the limit before decoding anything.
        let mut list = RawList::default();
        while let Some(entry) = seq.next_element_seed(EntrySeed)? {
            list.count = list.count.saturating_add(1);
            match entry {
                Some(entry) => list.entries.push(entry),
                None => list.bad_element = true,
            }
        }
        Ok(Some(list))
    }

    other_types_are_none!();
    other_types_are_none!(str);
    other_types_are_none!(map);
}

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = Option<RawEntry<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed {
    type Value = Option<RawEntry<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a signature object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut raw = RawEntry::default();
        while let Some(field) = map.next_key::<Field>()? {
            read_entry_member(&mut map, field, &mut raw)?;
        }
        Ok(Some(raw))
    }

    other_types_are_none!();
    other_types_are_none!(str);
    other_types_are_none!(seq);
}
