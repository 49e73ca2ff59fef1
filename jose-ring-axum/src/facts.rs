//! The facts the guard reads from a verified token's claims for itself (`jti`, `iss`,
//! `sub`, `scope`, `roles`), leniently: a claim of another JSON type than the guard needs is
//! read as absent here, without buffering it (the library's rules still check the claims
//! they are asked to).

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The claims the guard reads for itself, leniently: a `scope` or `roles` of another type
/// is ignored here (the library's rules still check them when asked to).
#[derive(Deserialize)]
pub(crate) struct Facts {
    #[serde(default)]
    pub(crate) jti: Option<String>,
    #[serde(default)]
    pub(crate) iss: Option<String>,
    #[serde(default)]
    pub(crate) sub: Option<String>,
    #[serde(default)]
    pub(crate) scope: MaybeText,
    #[serde(default)]
    pub(crate) roles: Texts,
}

/// A string, or `None` for any other JSON value (read and ignored, without buffering).
#[derive(Default)]
pub(crate) struct MaybeText(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for MaybeText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Self)
    }
}

/// The strings of an array (others skipped); empty for any other JSON value.
#[derive(Default)]
pub(crate) struct Texts(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextsVisitor).map(Self)
    }
}

/// Visits any value, keeping a string.
struct TextVisitor;

/// The `Ok` of a visit that ignores what it sees.
fn nothing<T, E>() -> Result<Option<T>, E> {
    Ok(None)
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        nothing()
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        nothing()
    }
}

/// Visits any value, keeping the strings of an array.
struct TextsVisitor;

impl<'de> Visitor<'de> for TextsVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<MaybeText>()? {
            out.extend(item.0);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        TextVisitor.visit_map(map).map(|_| Vec::new())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(json: &str) -> Facts {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn strings_are_kept_and_other_types_ignored() {
        let f =
            facts(r#"{"jti":"j","iss":"i","sub":"s","scope":"a b","roles":["x",3,{"y":[1]},"z"]}"#);
        assert_eq!(
            (f.jti.as_deref(), f.iss.as_deref(), f.sub.as_deref()),
            (Some("j"), Some("i"), Some("s"))
        );
        assert_eq!(f.scope.0.as_deref(), Some("a b"));
        assert_eq!(f.roles.0, ["x", "z"]);
        for odd in ["5", "true", "null", "[\"a\"]", "{\"a\":1}", "1.5", "-1"] {
            let f = facts(&format!(r#"{{"scope":{odd},"roles":{odd}}}"#));
            assert_eq!(f.scope.0, None, "{odd}");
            assert!(f.roles.0.is_empty() || odd == "[\"a\"]", "{odd}");
        }
        let f = facts("{}");
        assert_eq!((f.jti, f.scope.0, f.roles.0.len()), (None, None, 0));
    }
}
