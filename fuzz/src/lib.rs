//! Shared pieces of the jose-ring fuzz targets: the fixed keys (built once) and small helpers.
//! Everything here goes through jose-ring's public API.

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};

mod keys;
pub use keys::{HMAC_SECRET, Keys};

/// The fixed keys, built on first use and shared by every input of the process.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(Keys::build)
}

/// base64url without padding, by the reference codec (`base64ct`).
pub fn b64e(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Strict base64url decoding by the reference codec (`base64ct`).
pub fn b64d(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// The three segments of a compact token, if it has exactly three.
pub fn segments(token: &str) -> Option<(&str, &str, &str)> {
    let (header, rest) = token.split_once('.')?;
    let (payload, signature) = rest.split_once('.')?;
    (!signature.contains('.')).then_some((header, payload, signature))
}

/// An HMAC-SHA256 tag over `input` with [`HMAC_SECRET`], computed with `ring` directly (the
/// library never signs an arbitrary signing input, so the reference is built here).
pub fn hs256_tag(input: &[u8]) -> Vec<u8> {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, HMAC_SECRET);
    ring::hmac::sign(&key, input).as_ref().to_vec()
}

/// A JSON value built by `arbitrary`: every JSON type except non-integer numbers (serde_json
/// does not promise float round trips without its `float_roundtrip` feature).
#[derive(Debug, arbitrary::Arbitrary)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A non-negative integer past `i64::MAX` too.
    UInt(u64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object (later duplicate names replace earlier ones).
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(i) => Value::from(*i),
            Self::UInt(u) => Value::from(*u),
            Self::Str(s) => Value::String(s.clone()),
            Self::Array(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            Self::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Serializes as written: an object's repeated names are kept (unlike [`Json::to_value`]).
impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Int(i) => s.serialize_i64(*i),
            Self::UInt(u) => s.serialize_u64(*u),
            Self::Str(text) => s.serialize_str(text),
            Self::Array(items) => s.collect_seq(items),
            Self::Object(members) => s.collect_map(members.iter().map(|(k, v)| (k, v))),
        }
    }
}

/// The nesting depth of a JSON value as a JSON parser counts it (a scalar is 0, `[]` is 1).
pub fn value_depth(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    match value {
        Value::Array(items) => 1 + items.iter().map(value_depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(value_depth).max().unwrap_or(0),
        _ => 0,
    }
}
