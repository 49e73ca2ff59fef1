//! JSON values that keep their member order, so that what a token or the user wrote is shown in
//! the order it was written and claims are edited in place.
//!
//! Nothing here reads JSON text: every text is parsed by jose-ring's strict reader
//! (`dangerous::from_json`, `dangerous::Peek::claims`, `jwt::decode`), which rejects repeated
//! member names, deep nesting and trailing bytes, into this type. Strings are zeroized when
//! dropped: a private JWK passes through here on its way to stdout.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use zeroize::Zeroize;

/// A JSON value whose objects keep their members in order. No `Debug`: it may hold a private
/// JWK.
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `name` of an object.
    pub(crate) fn get(&self, name: &str) -> Option<&Self> {
        match self {
            Self::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The members of an object (empty for anything else).
    pub(crate) fn members(&self) -> &[(String, Self)] {
        match self {
            Self::Object(members) => members,
            _ => &[],
        }
    }

    /// The string value, if this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// Sets the member `name` of an object: in place if present, appended otherwise.
    pub(crate) fn set(&mut self, name: &str, value: Self) {
        if let Self::Object(members) = self {
            match members.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value,
                None => members.push((name.into(), value)),
            }
        }
    }

    /// Removes the member `name` of an object.
    pub(crate) fn remove(&mut self, name: &str) {
        if let Self::Object(members) = self {
            members.retain(|(n, _)| n != name);
        }
    }

    /// Pretty-printed, two-space indent, members in order.
    pub(crate) fn pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl Drop for Json {
    fn drop(&mut self) {
        match self {
            Self::String(text) => text.zeroize(),
            Self::Object(members) => members.iter_mut().for_each(|(name, _)| name.zeroize()),
            Self::Null | Self::Bool(_) | Self::Number(_) | Self::Array(_) => {}
        }
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Self::Number(n.into())
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Number(n) => n.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((name, value)) = map.next_entry()? {
            members.push((name, value));
        }
        Ok(Json::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use jose_ring::dangerous;

    use super::*;

    #[test]
    fn keeps_order_through_the_library_reader() {
        let json: Json = dangerous::from_json(br#"{"z":1,"a":[true,null,1.5],"m":{"b":"x"}}"#)
            .unwrap_or(Json::Null);
        assert_eq!(
            serde_json::to_string(&json).ok().as_deref(),
            Some(r#"{"z":1,"a":[true,null,1.5],"m":{"b":"x"}}"#)
        );
    }
}
