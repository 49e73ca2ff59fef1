//! Tests of the reader and the writer, through their entry points.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::Deserialize;

use super::de::State;
use super::names::{CopiedNames, Names};
use super::{MAX_DEPTH, from_slice, from_slice_in};
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

/// `serde_json`'s depth limit is told apart from its other syntax errors by position, never by
/// message; here its messages are the oracle, for every kind of error a value at the limit can
/// raise.
#[test]
fn too_deep_is_told_apart_from_other_syntax_errors_at_the_limit() {
    let oracle = |input: &[u8]| match serde_json::from_slice::<serde_json::Value>(input) {
        Err(err) if format!("{err}").starts_with("recursion limit exceeded") => {
            JsonProblem::TooDeep
        }
        Err(err) => JsonProblem::Syntax {
            line: err.line(),
            column: err.column(),
        },
        Ok(value) => panic!("accepted {value:?}"),
    };
    let tails: [&[u8]; 22] = [
        b"[",
        b"{",
        b" \n\t [",
        b"1,[",
        b"1, {",
        b"-[",
        b"1.[",
        b"1e[",
        b"tru[",
        b"nul{",
        b"\"\\[\"",
        b"\"\\u12[\"",
        // `serde_json` places these errors two bytes early: at the `[` or `{`.
        b"\"\xff,[\\n\\n\"",
        b"\"\xff:{\\n\\n\"",
        b"\",[",
        b"{\"a\":1,[",
        b"{\"a\" [",
        b"{[",
        b"]",
        b"1[",
        b"\"a\"[",
        b"\"\x01[",
    ];
    let mut too_deep = 0;
    for arrays in [MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1] {
        for separator in ["", "\n", " \r\n "] {
            for tail in tails {
                let mut input = b"{\"o\":".to_vec();
                for _ in 0..arrays {
                    input.push(b'[');
                    input.extend_from_slice(separator.as_bytes());
                }
                input.extend_from_slice(tail);
                let expected = oracle(&input);
                too_deep += usize::from(expected == JsonProblem::TooDeep);
                assert_eq!(
                    problem::<serde_json::Value>(&input),
                    expected,
                    "{}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
    // Both answers occur.
    assert!(too_deep > 0 && too_deep < 3 * 3 * tails.len());
}

#[test]
fn own_depth_check() {
    // `serde_json` stops first at its own limit; check ours directly.
    let state = State::new(None);
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
fn copied_names_find_every_repeat() {
    let mut set = CopiedNames::new();
    // Short names are copied inline, up to eight of them or 64 bytes; the rest spill.
    let long = "l".repeat(70);
    let names: Vec<String> = (0..12)
        .map(|i| format!("n{i}"))
        .chain([long.clone(), String::new(), "é\"".to_owned()])
        .collect();
    for name in &names {
        assert!(set.insert(name), "{name}");
    }
    for name in &names {
        assert!(!set.insert(name), "{name}");
    }
    assert!(set.insert("n12") && set.insert(&long[1..]) && set.insert("n"));
    assert!(!set.insert("n12") && !set.insert(&long[1..]) && !set.insert("n"));
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

/// The writer.
mod ser {
    use alloc::boxed::Box;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    use proptest::prelude::*;
    use serde::{Serialize, Serializer};

    use crate::JsonProblem;
    use crate::error::{Error, Malformed, Misuse};
    use crate::json::{MAX_DEPTH, from_slice, to_vec};

    /// A JSON-like tree whose objects may repeat names and whose keys may be numbers.
    #[derive(Clone, Debug)]
    enum Tree {
        Int(i64),
        Text(String),
        Array(Vec<Tree>),
        Object(Vec<(Key, Tree)>),
        /// `{"V": tree}`, as `serde` writes a newtype variant.
        Variant(Box<Tree>),
    }

    #[derive(Clone, Debug)]
    enum Key {
        Text(String),
        Number(u8),
    }

    impl Serialize for Key {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Self::Text(text) => s.serialize_str(text),
                Self::Number(n) => s.serialize_u8(*n),
            }
        }
    }

    impl Serialize for Tree {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Self::Int(n) => s.serialize_i64(*n),
                Self::Text(text) => s.serialize_str(text),
                Self::Array(items) => s.collect_seq(items),
                Self::Object(members) => s.collect_map(members.iter().map(|(k, v)| (k, v))),
                Self::Variant(inner) => s.serialize_newtype_variant("Tree", 0, "V", inner),
            }
        }
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let key = prop_oneof![
            "[ab1]{0,2}".prop_map(Key::Text),
            (0u8..3).prop_map(Key::Number),
        ];
        let leaf = prop_oneof![
            any::<i64>().prop_map(Tree::Int),
            "[ab1\"\\\\é]{0,3}".prop_map(Tree::Text)
        ];
        leaf.prop_recursive(4, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Tree::Array),
                proptest::collection::vec((key.clone(), inner.clone()), 0..4)
                    .prop_map(Tree::Object),
                inner.prop_map(|t| Tree::Variant(Box::new(t))),
            ]
        })
    }

    /// What the strict parser says of `serde_json`'s own output for `value`.
    fn parser_verdict<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
        let json = serde_json::to_vec(value).map_err(|_| Misuse::Unserializable("claims"))?;
        from_slice::<serde::de::IgnoredAny>(&json).map_err(|problem| Malformed::Json {
            part: "claims",
            problem,
        })?;
        Ok(json)
    }

    fn nested(levels: usize) -> Tree {
        (0..levels).fold(Tree::Int(1), |inner, _| Tree::Array(vec![inner]))
    }

    fn object(members: Vec<(Key, Tree)>) -> Tree {
        Tree::Object(members)
    }

    fn text(name: &str) -> Key {
        Key::Text(name.into())
    }

    #[test]
    fn refuses_what_the_parser_refuses() {
        let json = |problem| {
            Err(Error::from(Malformed::Json {
                part: "claims",
                problem,
            }))
        };
        let cases: Vec<(Tree, Result<&str, Error>)> = vec![
            (object(vec![]), Ok("{}")),
            (Tree::Variant(Box::new(Tree::Int(1))), Ok(r#"{"V":1}"#)),
            (Tree::Int(1), json(JsonProblem::NotObject)),
            (Tree::Text("a".into()), json(JsonProblem::NotObject)),
            (
                Tree::Array(vec![object(vec![])]),
                json(JsonProblem::NotObject),
            ),
            (
                object(vec![(text("a"), Tree::Int(1)), (text("a"), Tree::Int(2))]),
                json(JsonProblem::DuplicateMember),
            ),
            // The key 1 is written "1".
            (
                object(vec![
                    (text("1"), Tree::Int(1)),
                    (Key::Number(1), Tree::Int(2)),
                ]),
                json(JsonProblem::DuplicateMember),
            ),
            (
                object(vec![
                    (text("1"), Tree::Int(1)),
                    (Key::Number(2), Tree::Int(2)),
                ]),
                Ok(r#"{"1":1,"2":2}"#),
            ),
            // Same names in different objects.
            (
                object(vec![
                    (text("a"), object(vec![(text("a"), Tree::Int(1))])),
                    (text("b"), object(vec![(text("a"), Tree::Int(1))])),
                ]),
                Ok(r#"{"a":{"a":1},"b":{"a":1}}"#),
            ),
            // Deep inside an array.
            (
                object(vec![(
                    text("x"),
                    Tree::Array(vec![object(vec![
                        (text("b"), Tree::Int(1)),
                        (text("b"), Tree::Int(1)),
                    ])]),
                )]),
                json(JsonProblem::DuplicateMember),
            ),
        ];
        for (tree, expected) in cases {
            let got = to_vec(&tree, "claims");
            assert_eq!(
                got.clone().map(|j| String::from_utf8(j).unwrap()),
                expected.map(String::from),
                "{tree:?}"
            );
            assert_eq!(got, parser_verdict(&tree), "{tree:?}");
        }
    }

    #[test]
    fn depth_limit_is_the_parsers() {
        // The top-level object is one level: MAX_DEPTH - 1 arrays fit, one more does not,
        // and a newtype variant's object counts as a level.
        for (levels, variant, ok) in [
            (MAX_DEPTH - 1, false, true),
            (MAX_DEPTH, false, false),
            (MAX_DEPTH - 2, true, true),
            (MAX_DEPTH - 1, true, false),
        ] {
            let mut inner = nested(levels);
            if variant {
                inner = Tree::Variant(Box::new(inner));
            }
            let tree = object(vec![(text("a"), inner)]);
            let got = to_vec(&tree, "claims").map(|_| ());
            let want = if ok {
                Ok(())
            } else {
                Err(Error::from(Malformed::Json {
                    part: "claims",
                    problem: JsonProblem::TooDeep,
                }))
            };
            assert_eq!(got, want, "{levels} {variant}");
            assert_eq!(got, parser_verdict(&tree).map(|_| ()), "{levels} {variant}");
        }
    }

    #[test]
    fn keys_serde_json_cannot_write_are_refused() {
        let map: alloc::collections::BTreeMap<Vec<u8>, i32> = [(vec![1], 1)].into_iter().collect();
        assert_eq!(
            to_vec(&map, "claims"),
            Err(Misuse::Unserializable("claims").into())
        );
        let floats = [(1.5f64, 1)];
        struct Floats<'a>(&'a [(f64, i32)]);
        impl Serialize for Floats<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        assert_eq!(
            to_vec(&Floats(&floats), "claims"),
            Ok(format!("{{\"{}\":1}}", 1.5).into_bytes())
        );
    }

    proptest! {
        /// Refuses exactly what the strict parser refuses of `serde_json`'s output, with the
        /// same problem, and otherwise writes exactly that output.
        #[test]
        fn agrees_with_the_parser(tree in tree()) {
            prop_assert_eq!(to_vec(&tree, "claims"), parser_verdict(&tree));
        }
    }
}

#[test]
fn arrays_at_the_top_level_only_where_asked() {
    use super::array_from_slice;
    let value: Vec<serde_json::Value> =
        array_from_slice(br#" ["salt", "name", {"a": [1]}] "#).unwrap();
    assert_eq!(value.len(), 3);
    assert_eq!(
        array_from_slice::<Vec<u8>>(br#"{"a":1}"#),
        Err(JsonProblem::NotArray)
    );
    assert_eq!(
        from_slice::<serde_json::Value>(b"[1]"),
        Err(JsonProblem::NotObject)
    );
    // Every other rule holds inside the array: repeated names, depth, trailing bytes.
    assert_eq!(
        array_from_slice::<Vec<serde_json::Value>>(br#"["s", {"a":1,"a":2}]"#),
        Err(JsonProblem::DuplicateMember)
    );
    assert_eq!(
        array_from_slice::<Vec<serde_json::Value>>(b"[1] [2]"),
        Err(JsonProblem::TrailingCharacters)
    );
    let deep = nested(MAX_DEPTH + 1, "[", "]");
    assert_eq!(
        array_from_slice::<serde_json::Value>(deep.as_bytes()),
        Err(JsonProblem::TooDeep)
    );
    assert!(matches!(
        array_from_slice::<Vec<u8>>(b""),
        Err(JsonProblem::Syntax { .. })
    ));
}

#[test]
fn replay_shows_what_the_tapped_reader_shows() {
    use core::cell::RefCell;

    use super::{Seen, Tap, from_slice_tapped, replay};

    /// Records everything it is shown, as text.
    struct Recorder(RefCell<Vec<String>>);
    impl Tap for Recorder {
        fn member(&self, name: &str) -> Option<u8> {
            match name {
                "skip" => None,
                "cnf" => Some(1),
                _ => Some(0),
            }
        }
        fn value(&self, member: u8, seen: Seen<'_>) {
            self.0.borrow_mut().push(format!("{member}:{seen:?}"));
        }
        fn members(&self, member: u8) -> bool {
            member == 1
        }
    }
    let text = br#"{"exp":1700000000,"neg":-5,"big":18446744073709551616,"f":1.5,
        "s":"x","n":null,"b":true,"aud":["a",1,{"z":1},["q"]],"skip":{"a":1},
        "o":{"k":"v"},"cnf":{"jkt":"t","jwk":{"kty":"EC"},"n":2}}"#;
    let read = Recorder(RefCell::new(Vec::new()));
    let object: serde_json::Map<String, serde_json::Value> =
        from_slice_tapped(text, &read).unwrap();
    let replayed = Recorder(RefCell::new(Vec::new()));
    replay(&object, &replayed);
    // The object's members come back in name order (no `preserve_order`), so compare as sets
    // of per-member sequences.
    let mut read = read.0.into_inner();
    let mut replayed = replayed.0.into_inner();
    assert_eq!(read.len(), 20, "{read:?}");
    read.sort();
    replayed.sort();
    assert_eq!(read, replayed);
}
