//! The facts the guard reads from a verified token's claims for itself (`jti`, `iss`,
//! `sub`, `acr`, `auth_time`, and the scopes and roles its [`Plan`] names), in the one
//! pass of the library's reader over the claims, leniently: a claim of another JSON type
//! than the guard needs is read as absent here, without buffering it (the library's rules
//! still check the claims they are asked to).
//!
//! `jwt::decode_borrowed` reads the claims into a type, not with a seed, so the plan of the
//! guard that is decoding reaches the visitor through a thread-local ([`with_plan`]).

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use jose_ring::jwt::NumericDate;
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::authorities::{Names, Node, Plan};

/// The claims the guard reads for itself.
#[derive(Clone, Default)]
pub(crate) struct Facts {
    pub(crate) jti: Option<String>,
    pub(crate) iss: Option<String>,
    pub(crate) sub: Option<String>,
    /// `acr` (OpenID Connect Core §2, RFC 9470 §4).
    pub(crate) acr: Option<String>,
    /// `auth_time` (OpenID Connect Core §2, RFC 9470 §4), whole seconds.
    pub(crate) auth_time: Option<NumericDate>,
    /// The scopes and roles the plan names.
    pub(crate) names: Names,
}

thread_local! {
    /// The plan of the guard decoding on this thread (kept between calls: a pointer
    /// comparison when the same guard decodes again).
    static PLAN: RefCell<Option<Arc<Plan>>> = const { RefCell::new(None) };
}

/// No scope or role path: outside a guard's decoding.
static NO_PLAN: Node = Node::EMPTY;

/// Runs `decode` (which reads [`Facts`]) with `plan` as the plan its visitor follows.
pub(crate) fn with_plan<R>(plan: &Arc<Plan>, decode: impl FnOnce() -> R) -> R {
    PLAN.with_borrow_mut(|current| {
        if !current.as_ref().is_some_and(|held| Arc::ptr_eq(held, plan)) {
            *current = Some(Arc::clone(plan));
        }
    });
    decode()
}

impl<'de> Deserialize<'de> for Facts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PLAN.with_borrow(|plan| {
            let plan = plan.as_ref().map_or(&NO_PLAN, |plan| &plan.root);
            d.deserialize_struct("Facts", &[], FactsVisitor { plan })
        })
    }
}

/// A top-level member name, as the guard sees it.
enum Key<'p> {
    Jti,
    Iss,
    Sub,
    Acr,
    AuthTime,
    /// A member a scope or role path starts with.
    Path(&'p Node),
    Other,
}

/// Reads a top-level member name without keeping it.
struct KeySeed<'p>(&'p Node);

impl<'de, 'p> DeserializeSeed<'de> for KeySeed<'p> {
    type Value = Key<'p>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key<'p>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'p> Visitor<'_> for KeySeed<'p> {
    type Value = Key<'p>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E>(self, name: &str) -> Result<Key<'p>, E> {
        Ok(match name {
            "jti" => Key::Jti,
            "iss" => Key::Iss,
            "sub" => Key::Sub,
            "acr" => Key::Acr,
            "auth_time" => Key::AuthTime,
            _ => self.0.child(name).map_or(Key::Other, Key::Path),
        })
    }
}

/// Visits the claims object.
struct FactsVisitor<'p> {
    plan: &'p Node,
}

impl<'de> Visitor<'de> for FactsVisitor<'_> {
    type Value = Facts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Facts, A::Error> {
        let mut facts = Facts::default();
        while let Some(key) = map.next_key_seed(KeySeed(self.plan))? {
            match key {
                Key::Jti => facts.jti = map.next_value::<MaybeText>()?.0,
                Key::Iss => facts.iss = map.next_value::<MaybeText>()?.0,
                Key::Sub => facts.sub = map.next_value::<MaybeText>()?.0,
                Key::Acr => facts.acr = map.next_value::<MaybeText>()?.0,
                Key::AuthTime => facts.auth_time = map.next_value::<MaybeTime>()?.0,
                Key::Path(node) => map.next_value_seed(NodeSeed {
                    node,
                    names: &mut facts.names,
                })?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(facts)
    }
}

/// Reads the value a path reached: names for its sinks from a string or an array of
/// strings, the members its children name from an object; nothing from anything else.
struct NodeSeed<'p, 'o> {
    node: &'p Node,
    names: &'o mut Names,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        for sink in &self.node.sinks {
            self.names
                .push_split(sink.kind, &sink.prefix, value, sink.delimiter);
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<MaybeText>()? {
            if let Some(name) = item.0 {
                for sink in &self.node.sinks {
                    self.names.push(sink.kind, &sink.prefix, &name);
                }
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Self { node, names } = self;
        while let Some(key) = map.next_key_seed(KeySeed(node))? {
            match key {
                Key::Path(child) => map.next_value_seed(NodeSeed {
                    node: child,
                    names: &mut *names,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A string, or `None` for any other JSON value (read and ignored, without buffering).
#[derive(Default)]
pub(crate) struct MaybeText(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for MaybeText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Self)
    }
}

/// A NumericDate (a JSON number, whole seconds kept), or `None` for any other JSON value.
#[derive(Default)]
struct MaybeTime(Option<NumericDate>);

impl<'de> Deserialize<'de> for MaybeTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TimeVisitor).map(Self)
    }
}

/// Visits any value, keeping a string.
struct TextVisitor;

/// The `Ok` of a visit that ignores what it sees.
fn nothing<T, E>() -> Result<Option<T>, E> {
    Ok(None)
}

/// Implements the visits of scalars that a lenient visitor ignores, and of arrays and
/// objects, which it skips.
macro_rules! ignore_the_rest {
    ($($kind:ident),*) => {
        $(ignore_the_rest!(@one $kind);)*
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            nothing()
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            nothing()
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            nothing()
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            nothing()
        }
    };
    (@one bool) => { fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> { nothing() } };
    (@one str) => { fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> { nothing() } };
    (@one numbers) => {
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> { nothing() }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> { nothing() }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> { nothing() }
    };
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    ignore_the_rest!(bool, numbers);
}

/// Visits any value, keeping a number as whole seconds (a fraction dropped, as the
/// library's NumericDate comparisons do; out of range saturates).
struct TimeVisitor;

impl<'de> Visitor<'de> for TimeVisitor {
    type Value = Option<NumericDate>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(NumericDate::from_seconds(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(NumericDate::from_seconds(
            i64::try_from(v).unwrap_or(i64::MAX),
        )))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        if !v.is_finite() {
            return nothing();
        }
        // reason: a finite float is floored; `as` saturates at the bounds of i64.
        #[allow(
            clippy::cast_possible_truncation,
            reason = "saturating, floored on purpose"
        )]
        let seconds = v.floor() as i64;
        Ok(Some(NumericDate::from_seconds(seconds)))
    }
    ignore_the_rest!(bool, str);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorities::{ClaimSource, Kind};

    fn facts_with(plan: Plan, json: &str) -> Facts {
        with_plan(&Arc::new(plan), || {
            jose_ring::jwt::parse_claims::<Facts>(json.as_bytes()).unwrap()
        })
    }

    fn facts(json: &str) -> Facts {
        facts_with(Plan::defaults(), json)
    }

    fn scopes(f: &Facts) -> Vec<&str> {
        f.names.iter(Kind::Scope).collect()
    }

    fn roles(f: &Facts) -> Vec<&str> {
        f.names.iter(Kind::Role).collect()
    }

    #[test]
    fn strings_are_kept_and_other_types_ignored() {
        let f = facts(
            r#"{"jti":"j","iss":"i","sub":"s","scope":"a b","roles":["x",3,{"y":[1]},"z"],"acr":"phr","auth_time":1700000000}"#,
        );
        assert_eq!(
            (f.jti.as_deref(), f.iss.as_deref(), f.sub.as_deref()),
            (Some("j"), Some("i"), Some("s"))
        );
        assert_eq!(scopes(&f), ["a", "b"]);
        assert_eq!(roles(&f), ["x", "z"]);
        assert_eq!(f.acr.as_deref(), Some("phr"));
        assert_eq!(f.auth_time, Some(NumericDate::from_seconds(1_700_000_000)));
        for odd in ["5", "true", "null", "{\"a\":1}", "1.5", "-1"] {
            let f = facts(&format!(
                r#"{{"scope":{odd},"roles":{odd},"acr":{odd},"jti":{odd}}}"#
            ));
            assert_eq!((scopes(&f).len(), roles(&f).len()), (0, 0), "{odd}");
            assert_eq!((f.acr, f.jti), (None, None), "{odd}");
        }
        let f = facts(r#"{"auth_time":1700000000.9,"scp":["a","b c"]}"#);
        assert_eq!(f.auth_time, Some(NumericDate::from_seconds(1_700_000_000)));
        assert_eq!(scopes(&f), ["a", "b c"], "array items are whole names");
        for odd in ["\"1700000000\"", "true", "null", "[1]", "{}"] {
            let f = facts(&format!(r#"{{"auth_time":{odd}}}"#));
            assert_eq!(f.auth_time, None, "{odd}");
        }
        let f = facts("{}");
        assert_eq!((scopes(&f).len(), roles(&f).len()), (0, 0));
        assert_eq!(f.jti, None);
    }

    #[test]
    fn nested_paths_and_prefixes_in_one_pass() {
        let plan = Plan::new(
            &[ClaimSource::new("scope"), ClaimSource::new("scp")],
            &[
                ClaimSource::new("realm_access.roles"),
                ClaimSource::new("resource_access.api.roles").prefix("api:"),
                ClaimSource::new(r#""https://example.com/roles""#),
                ClaimSource::new("groups").prefix("group:"),
            ],
        )
        .unwrap();
        let f = facts_with(
            plan,
            r#"{"realm_access":{"roles":["admin","user"],"other":{"roles":["no"]}},
                "resource_access":{"web":{"roles":["no"]},"api":{"roles":["admin"],"x":1}},
                "https://example.com/roles":["editor"],"groups":"a b","roles":["not read"],
                "scope":"read","scp":"write"}"#,
        );
        assert_eq!(
            roles(&f),
            ["admin", "user", "api:admin", "editor", "group:a", "group:b"]
        );
        assert_eq!(scopes(&f), ["read", "write"]);
    }
}
