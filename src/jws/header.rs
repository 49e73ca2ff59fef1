//! The JOSE header (RFC 7515 §4): building it for signing, parsing it from untrusted input, and
//! the rules for `crit` (RFC 7515 §4.1.11) and `b64` (RFC 7797).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{CritProblem, Error, JsonProblem, Malformed, Misuse, UnencodedProblem};
use crate::json::{self, skip_whitespace};
use crate::jwa;
use crate::limits::check_kid;

/// Header parameter names that RFC 7515 §4.1 and RFC 7516 §4.1 define: `crit` may not list
/// them, and [`Header::with_member`] leaves the ones with a method of their own to that method.
const REGISTERED: [&str; 20] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// The members a caller sets only through their own method.
const OWN_METHOD: [&str; 6] = ["alg", "typ", "cty", "kid", "crit", "b64"];

/// The JOSE header of a JWS, apart from `alg`, which always comes from the key.
///
/// For signing, build one with the `with_*` methods; the key supplies `alg` (and `kid`, unless
/// the header sets it). After verification, [`Verified::header`](super::Verified::header)
/// returns the header that was signed.
///
/// The members `jwk`, `jku`, `x5u` and `x5c` may appear in a token and can be read with
/// [`member`](Self::member), but this crate never uses them to find a key (RFC 8725 §3.10).
///
/// ```
/// use jose_ring::jws::Header;
/// let header = Header::new().with_typ("at+jwt").with_member("tenant", &"acme")?;
/// assert_eq!(header.typ(), Some("at+jwt"));
/// assert_eq!(header.member::<String>("tenant"), Some(Ok("acme".to_string())));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    // `Cow` so that the common `typ` of a JWT, "JWT", costs no allocation when parsed.
    typ: Option<Cow<'static, str>>,
    cty: Option<Cow<'static, str>>,
    kid: Option<Cow<'static, str>>,
    unencoded: bool,
    members: Vec<(String, Value)>,
}

impl Header {
    /// An empty header: the key will supply `alg` and its `kid`.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `typ`, the media type of the whole JWS (RFC 7515 §4.1.9), for example `JWT` or
    /// `at+jwt` (RFC 9068).
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(Cow::Owned(typ.into()));
        self
    }

    /// Sets `cty`, the media type of the payload (RFC 7515 §4.1.10).
    #[must_use]
    pub fn with_cty(mut self, cty: impl Into<String>) -> Self {
        self.cty = Some(Cow::Owned(cty.into()));
        self
    }

    /// Sets `kid`, overriding the key's own key ID.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(Cow::Owned(kid.into()));
        self
    }

    /// Signs the payload as it is, unencoded (RFC 7797): adds `"b64": false` and
    /// `"crit": ["b64"]`. In a compact serialization the payload must then be UTF-8 text
    /// without `.`, unless it is detached.
    #[must_use]
    pub fn with_unencoded_payload(mut self) -> Self {
        self.unencoded = true;
        self
    }

    /// Adds a member of any serializable value, replacing one of the same name.
    ///
    /// # Errors
    ///
    /// [`Misuse::OwnMethod`] for a name that has its own method (`alg`, `typ`, `cty`, `kid`,
    /// `crit`, `b64`), [`Misuse::Unserializable`] for a value that does not serialize to JSON,
    /// [`Malformed::Json`] ([`JsonProblem::TooDeep`]) for one nested deeper than a verifier
    /// accepts.
    pub fn with_member<T: Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &T,
    ) -> Result<Self, Error> {
        if let Some(&own) = OWN_METHOD.iter().find(|&&n| n == name) {
            return Err(Misuse::OwnMethod(own).into());
        }
        // Checked as the header object's member it becomes: a header this crate signs is one
        // it would accept.
        let value = json::to_member_value(value, "header").map_err(|err| match err {
            Error::Misuse(Misuse::Unserializable(_)) => {
                Misuse::Unserializable("header member").into()
            }
            err => err,
        })?;
        match self.members.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.members.push((name.into(), value)),
        }
        Ok(self)
    }

    /// `typ`, if present.
    #[must_use]
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// `cty`, if present.
    #[must_use]
    pub fn cty(&self) -> Option<&str> {
        self.cty.as_deref()
    }

    /// `kid`, if present.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether the payload is unencoded (`"b64": false`, RFC 7797).
    #[must_use]
    pub fn is_unencoded(&self) -> bool {
        self.unencoded
    }

    /// Reads any other member as `T`: `None` if absent.
    ///
    /// # Errors
    ///
    /// The inner result is [`Malformed::Json`] if the member does not fit `T`.
    #[must_use]
    pub fn member<T: serde::de::DeserializeOwned>(&self, name: &str) -> Option<Result<T, Error>> {
        let (_, value) = self.members.iter().find(|(n, _)| n == name)?;
        Some(T::deserialize(value).map_err(|_| {
            Malformed::Json {
                part: "header member",
                problem: JsonProblem::InvalidValue,
            }
            .into()
        }))
    }

    /// The JSON value of another member, as it was read: for the one reader of a header
    /// `jwk`, [`dpop::verify`](crate::dpop::verify).
    pub(crate) fn member_value(&self, name: &str) -> Option<&Value> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The names of the other members, in the order they appeared.
    pub fn member_names(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(n, _)| n.as_str())
    }

    /// Serializes the protected header for `alg`, with the key's `kid` unless the header has
    /// its own.
    pub(crate) fn to_json(
        &self,
        alg: &'static str,
        key_kid: Option<&str>,
    ) -> Result<Vec<u8>, Error> {
        let kid = self.kid().or(key_kid);
        check_kid(kid)?;
        let out = Protected {
            alg,
            header: self,
            kid,
        };
        json::to_vec(&out, "header member")
    }
}

/// The protected header as serialized for signing.
struct Protected<'a> {
    alg: &'static str,
    header: &'a Header,
    kid: Option<&'a str>,
}

impl Serialize for Protected<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let h = self.header;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("alg", self.alg)?;
        for (name, value) in [("typ", &h.typ), ("cty", &h.cty)] {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        if let Some(kid) = self.kid {
            map.serialize_entry("kid", kid)?;
        }
        if h.unencoded {
            map.serialize_entry("b64", &false)?;
            map.serialize_entry("crit", &["b64"])?;
        }
        for (name, value) in &h.members {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A protected header parsed from untrusted input: the `alg` it names and the rest.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The `alg` member: a static name for the algorithms this crate knows, so the common case
    /// does not allocate.
    pub(crate) alg: Cow<'static, str>,
    pub(crate) header: Header,
}

/// Parses and checks a decoded protected header.
///
/// # Errors
///
/// [`Malformed::Json`] for JSON that is not a strict object, [`Malformed::MissingMember`] or
/// [`Malformed::InvalidMember`] for `alg`, `kid`, `typ`, `cty` of the wrong type,
/// [`Error::TooLarge`] for a `kid` over 256 bytes, [`Malformed::Crit`] and
/// [`Malformed::Unencoded`] for the rules of `crit` and `b64`.
pub(crate) fn parse(json: &[u8]) -> Result<Parsed, Error> {
    let (alg, header) = parse_inner(json, true)?;
    let alg = alg.ok_or(Malformed::MissingMember("alg"))?;
    Ok(Parsed { alg, header })
}

/// Parses and checks the decoded protected header of one signature of a JWS JSON
/// serialization: as [`parse`], except that `alg` may be absent (it may be in the unprotected
/// header, which [`parse_unprotected`] checks).
///
/// # Errors
///
/// As [`parse`], without [`Malformed::MissingMember`].
pub(crate) fn parse_protected(json: &[u8]) -> Result<(Option<Cow<'static, str>>, Header), Error> {
    parse_inner(json, false)
}

/// [`parse`], with `alg` required or not.
fn parse_inner(
    json: &[u8],
    require_alg: bool,
) -> Result<(Option<Cow<'static, str>>, Header), Error> {
    let raw = match read_common(json) {
        Some(raw) => {
            // The two readers must agree: checked in every debug build, which includes the
            // test suite and the fuzz targets.
            debug_assert_eq!(json::from_slice::<Raw<'_>>(json).as_ref(), Ok(&raw));
            raw
        }
        None => json::from_slice_in(json, "header")?,
    };
    if let Some(name) = raw.invalid {
        return Err(Malformed::InvalidMember(name).into());
    }
    if require_alg && raw.alg.is_none() {
        return Err(Malformed::MissingMember("alg").into());
    }
    check_kid(raw.kid.as_deref())?;
    let b64 = raw
        .b64
        .transpose()
        .map_err(|()| Malformed::Unencoded(UnencodedProblem::Malformed))?;
    check_crit(raw.crit.as_deref(), b64)?;
    let alg = raw
        .alg
        .map(|alg| match jwa::ALL.iter().find(|a| a.name() == &*alg) {
            Some(known) => Cow::Borrowed(known.name()),
            None => Cow::Owned(alg.into_owned()),
        });
    let header = Header {
        typ: raw.typ.map(|typ| match &*typ {
            "JWT" => Cow::Borrowed("JWT"),
            _ => Cow::Owned(typ.into_owned()),
        }),
        cty: raw.cty.map(|cty| Cow::Owned(cty.into_owned())),
        kid: raw.kid.map(|kid| Cow::Owned(kid.into_owned())),
        unencoded: b64 == Some(false),
        members: raw.members,
    };
    Ok((alg, header))
}

/// The unprotected header of one signature of a JWS JSON serialization (RFC 7515 §7.2.1),
/// checked against the protected header of that signature.
#[derive(Debug)]
pub(crate) struct Unprotected {
    /// An `alg` found here (only ever used when the caller opts in).
    pub(crate) alg: Option<Cow<'static, str>>,
    /// The other members, read as a [`Header`] is.
    pub(crate) header: Header,
}

/// Checks the members of an unprotected header, in their order, against the protected header
/// of the same signature (`protected_alg`: whether it has `alg`).
///
/// # Errors
///
/// [`CritProblem::Unprotected`] for `crit`, [`UnencodedProblem::Malformed`] for `b64`,
/// [`Malformed::HeaderOverlap`] for a name the protected header has too,
/// [`Malformed::InvalidMember`] for `alg`, `typ`, `cty` or `kid` that is not a string, and
/// [`Error::TooLarge`] for a `kid` over 256 bytes.
pub(crate) fn parse_unprotected(
    members: Vec<(String, Value)>,
    protected_alg: bool,
    protected: &Header,
) -> Result<Unprotected, Error> {
    let mut out = Unprotected {
        alg: None,
        header: Header::new(),
    };
    for (name, value) in members {
        match name.as_str() {
            "crit" => return Err(Malformed::Crit(CritProblem::Unprotected).into()),
            "b64" => return Err(Malformed::Unencoded(UnencodedProblem::Malformed).into()),
            _ => {}
        }
        if (name == "alg" && protected_alg) || protected.has(&name) {
            return Err(Malformed::HeaderOverlap.into());
        }
        let slot = match name.as_str() {
            "alg" => Some((&mut out.alg, "alg")),
            "typ" => Some((&mut out.header.typ, "typ")),
            "cty" => Some((&mut out.header.cty, "cty")),
            "kid" => Some((&mut out.header.kid, "kid")),
            _ => None,
        };
        match (slot, value) {
            (Some((slot, _)), Value::String(text)) => *slot = Some(Cow::Owned(text)),
            (Some((_, member)), _) => return Err(Malformed::InvalidMember(member).into()),
            (None, value) => out.header.members.push((name, value)),
        }
    }
    check_kid(out.header.kid())?;
    Ok(out)
}

impl Header {
    /// Sets member `name` (not one of [`OWN_METHOD`]) to `value`, an already checked JSON
    /// value, or removes it when `value` is `None`: for rewriting the unprotected header of an
    /// SD-JWT presentation (`disclosures`, `kb_jwt`; RFC 9901 §8.1).
    pub(crate) fn set_member_value(&mut self, name: &str, value: Option<Value>) {
        let at = self.members.iter().position(|(n, _)| n == name);
        match (at, value) {
            (Some(at), Some(value)) => {
                if let Some(slot) = self.members.get_mut(at) {
                    slot.1 = value;
                }
            }
            (None, Some(value)) => self.members.push((name.into(), value)),
            (Some(at), None) => {
                self.members.remove(at);
            }
            (None, None) => {}
        }
    }

    /// Whether the header holds a member of this name (`alg` aside, which it never holds).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }

    /// The names of the members the header holds or serializes (`alg` aside).
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        let set =
            |value: &Option<Cow<'static, str>>, name: &'static str| value.as_ref().map(|_| name);
        [
            set(&self.typ, "typ"),
            set(&self.cty, "cty"),
            set(&self.kid, "kid"),
            self.unencoded.then_some("b64"),
            self.unencoded.then_some("crit"),
        ]
        .into_iter()
        .flatten()
        .chain(self.member_names())
    }
}

/// A header serialized as an unprotected header: its members, after `alg` when there is one
/// (only a parsed document that had it there carries one).
///
/// The caller checks first that the header does not ask for an unencoded payload, whose `b64`
/// and `crit` belong in the protected header.
pub(crate) struct AsUnprotected<'a> {
    pub(crate) alg: Option<&'a str>,
    pub(crate) header: &'a Header,
}

impl Serialize for AsUnprotected<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let h = self.header;
        let mut map = serializer.serialize_map(None)?;
        if let Some(alg) = self.alg {
            map.serialize_entry("alg", alg)?;
        }
        for (name, value) in [("typ", &h.typ), ("cty", &h.cty), ("kid", &h.kid)] {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &h.members {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// RFC 7515 §4.1.11 and RFC 7797 §6, for a header that is wholly protected.
fn check_crit(crit: Option<&[Cow<'_, str>]>, b64: Option<bool>) -> Result<(), Error> {
    let crit_error = |p| Error::Malformed(Malformed::Crit(p));
    let lists_b64 = match crit {
        None => false,
        Some([]) => return Err(crit_error(CritProblem::Malformed)),
        Some(names) => {
            for (i, name) in names.iter().enumerate() {
                if names
                    .iter()
                    .skip(i.saturating_add(1))
                    .any(|other| other == name)
                {
                    return Err(crit_error(CritProblem::Malformed));
                }
                if REGISTERED.contains(&&**name) {
                    return Err(crit_error(CritProblem::Registered));
                }
                if name != "b64" {
                    return Err(crit_error(CritProblem::Unknown));
                }
                if b64.is_none() {
                    return Err(crit_error(CritProblem::Absent));
                }
            }
            true
        }
    };
    if b64.is_some() && !lists_b64 {
        return Err(Malformed::Unencoded(UnencodedProblem::NotCritical).into());
    }
    Ok(())
}

/// Reads the header most tokens carry without going through serde: a JSON object whose only
/// members are `alg`, `typ`, `cty` and `kid`, each at most once, each a string without escape
/// sequences or control characters, with JSON whitespace anywhere between tokens.
///
/// `None` for anything else, which goes to the general reader (`json::from_slice`); that reader
/// decides what is wrong, so this one never reports an error. When this one reads a header, the
/// general reader reads the same [`Raw`], and the rules that follow are the same for both.
/// For `{"alg":"HS256","typ":"JWT"}` the whole header step (reading and rules) went from 2,457
/// instructions to 790 (BENCHMARKS.md, "Where the time goes").
fn read_common(json: &[u8]) -> Option<Raw<'_>> {
    let mut rest = skip_whitespace(json).strip_prefix(b"{")?;
    let mut slots: [Option<&[u8]>; 4] = [None; 4];
    loop {
        let name;
        (name, rest) = common_string(skip_whitespace(rest))?;
        rest = skip_whitespace(rest).strip_prefix(b":")?;
        let value;
        (value, rest) = common_string(skip_whitespace(rest))?;
        let index = [b"alg", b"typ", b"cty", b"kid"]
            .iter()
            .position(|n| n[..] == *name)?;
        match slots.get_mut(index)? {
            slot @ None => *slot = Some(value),
            Some(_) => return None, // A repeated name.
        }
        rest = skip_whitespace(rest);
        match rest.split_first()? {
            (b',', after) => rest = after,
            (b'}', after) => {
                rest = after;
                break;
            }
            _ => return None,
        }
    }
    if !skip_whitespace(rest).is_empty() {
        return None;
    }
    let mut texts = [None, None, None, None];
    for (text, slot) in texts.iter_mut().zip(slots) {
        if let Some(bytes) = slot {
            *text = Some(Cow::Borrowed(core::str::from_utf8(bytes).ok()?));
        }
    }
    let [alg, typ, cty, kid] = texts;
    Some(Raw {
        alg,
        typ,
        cty,
        kid,
        crit: None,
        b64: None,
        members: Vec::new(),
        invalid: None,
    })
}

/// A string at the start of `json` with no escape sequence or control character (its bytes,
/// not yet checked as UTF-8), and what follows it; `None` if there is none.
fn common_string(json: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = json.strip_prefix(b"\"")?;
    let end = body
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    let (text, rest) = body.split_at_checked(end)?;
    let rest = rest.strip_prefix(b"\"")?;
    Some((text, rest))
}

/// The header as read, before its rules are checked.
#[derive(Debug, PartialEq)]
struct Raw<'de> {
    alg: Option<Cow<'de, str>>,
    typ: Option<Cow<'de, str>>,
    cty: Option<Cow<'de, str>>,
    kid: Option<Cow<'de, str>>,
    crit: Option<Vec<Cow<'de, str>>>,
    /// `Err` for a `b64` that is not a boolean.
    b64: Option<Result<bool, ()>>,
    members: Vec<(String, Value)>,
    /// The first registered member found with a value of the wrong type.
    invalid: Option<&'static str>,
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        let mut raw = Raw {
            alg: None,
            typ: None,
            cty: None,
            kid: None,
            crit: None,
            b64: None,
            members: Vec::new(),
            invalid: None,
        };
        while let Some(name) = map.next_key::<MemberName<'de>>()? {
            let slot = match &*name.0 {
                "alg" => Some((&mut raw.alg, "alg")),
                "typ" => Some((&mut raw.typ, "typ")),
                "cty" => Some((&mut raw.cty, "cty")),
                "kid" => Some((&mut raw.kid, "kid")),
                _ => None,
            };
            if let Some((slot, member)) = slot {
                match map.next_value_seed(LooseSeed)? {
                    Loose::Text(text) => *slot = Some(text),
                    _ => {
                        raw.invalid.get_or_insert(member);
                    }
                }
                continue;
            }
            match &*name.0 {
                // A `crit` that is not an array of strings is as malformed as an empty one.
                "crit" => match map.next_value_seed(LooseSeed)? {
                    Loose::Texts(names) => raw.crit = Some(names),
                    _ => raw.crit = Some(Vec::new()),
                },
                "b64" => match map.next_value_seed(LooseSeed)? {
                    Loose::Bool(b) => raw.b64 = Some(Ok(b)),
                    _ => raw.b64 = Some(Err(())),
                },
                _ => {
                    let value: Value = map.next_value()?;
                    raw.members.push((name.0.into_owned(), value));
                }
            }
        }
        Ok(raw)
    }
}

/// A header member name, borrowed from the input when it has no escapes.
struct MemberName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(LooseSeed)? {
            Loose::Text(text) => Ok(Self(text)),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("non-string"),
                &"a string",
            )),
        }
    }
}

/// A member value read without failing on its type, so that a header member of the wrong type
/// is reported by name.
enum Loose<'de> {
    Text(Cow<'de, str>),
    Texts(Vec<Cow<'de, str>>),
    Bool(bool),
    Other,
}

/// Reads a [`Loose`] value.
struct LooseSeed;

impl<'de> DeserializeSeed<'de> for LooseSeed {
    type Value = Loose<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LooseSeed {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Owned(v.into())))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Loose::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut texts = Vec::new();
        let mut all_text = true;
        while let Some(item) = seq.next_element_seed(LooseSeed)? {
            match item {
                Loose::Text(text) if all_text => texts.push(text),
                _ => all_text = false,
            }
        }
        Ok(if all_text {
            Loose::Texts(texts)
        } else {
            Loose::Other
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Other)
    }
}

#[cfg(test)]
mod tests {
    use alloc::collections::BTreeMap;

    use super::*;
    use crate::limits::MAX_KID_LEN;

    fn nested(arrays: usize) -> Value {
        (1..arrays).fold(Value::Array(Vec::new()), |inner, _| {
            Value::Array(alloc::vec![inner])
        })
    }

    #[test]
    fn members_must_fit_the_parser_nesting_limit() {
        assert!(Header::new().with_member("x", &nested(126)).is_ok());
        assert_eq!(
            Header::new().with_member("x", &nested(127)),
            Err(Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::TooDeep
            }))
        );
    }

    #[test]
    fn caller_mistakes_are_misuse() {
        for own in OWN_METHOD {
            assert_eq!(
                Header::new().with_member(own, &1),
                Err(Error::Misuse(Misuse::OwnMethod(own)))
            );
        }
        let bytes_keys: alloc::collections::BTreeMap<Vec<u8>, u8> =
            [(alloc::vec![1], 1)].into_iter().collect();
        assert_eq!(
            Header::new().with_member("x", &bytes_keys),
            Err(Error::Misuse(Misuse::Unserializable("header member")))
        );
    }

    #[test]
    fn members_are_checked_by_the_writer() {
        /// A value that writes the same member name twice.
        struct Twice;
        impl Serialize for Twice {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("a", &1)?;
                map.serialize_entry("a", &2)?;
                map.end()
            }
        }
        assert_eq!(
            Header::new().with_member("x", &Twice),
            Err(Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::DuplicateMember
            }))
        );
        // A scalar is a member value like any other; a map key must be one JSON writes.
        assert!(Header::new().with_member("x", &1).is_ok());
        let by_unit = BTreeMap::from([((), 1)]);
        assert_eq!(
            Header::new().with_member("x", &by_unit),
            Err(Error::Misuse(Misuse::Unserializable("header member")))
        );
    }

    #[test]
    fn common_headers_skip_serde() {
        for (json, common) in [
            (r#"{"alg":"HS256","typ":"JWT"}"#, true),
            (r#"{"typ":"JWT","alg":"RS256","kid":"k-1"}"#, true),
            (r#"{"alg":"ES256","cty":"json","kid":"ключ"}"#, true),
            (" {\t\"alg\" :\r\n\"HS256\" , \"typ\":\"JWT\"}\n ", true),
            (r#"{"kid":"k"}"#, true), // No `alg`: the rules that follow refuse it.
            (r#"{"alg":"none"}"#, true), // Refused later, by algorithm.
            (r#"{}"#, false),
            (r#"{"alg":"HS256",}"#, false),
            (r#"{"alg":"HS256"}x"#, false),
            (r#"{"alg":"HS256"}}"#, false),
            (r#"{"alg":"HS256","alg":"none"}"#, false),
            (r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#, false),
            (r#"{"al\u0067":"HS256"}"#, false),
            (r#"{"alg":"HS\u0032256"}"#, false),
            (r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, false),
            (r#"{"alg":"HS256","x5u":"https://x"}"#, false),
            (r#"{"alg":256}"#, false),
            (r#"{"alg":null}"#, false),
            ("{\"alg\":\"HS\u{1}256\"}", false),
            (r#"["alg","HS256"]"#, false),
            ("\u{feff}{\"alg\":\"HS256\"}", false),
        ] {
            assert_eq!(read_common(json.as_bytes()).is_some(), common, "{json}");
        }
        // Not UTF-8 inside a string.
        assert!(read_common(b"{\"alg\":\"HS\xff\"}").is_none());
    }

    #[test]
    fn common_headers_follow_the_same_rules() {
        let long = alloc::format!(
            r#"{{"alg":"HS256","kid":"{}"}}"#,
            "k".repeat(MAX_KID_LEN + 1)
        );
        assert!(read_common(long.as_bytes()).is_some());
        assert_eq!(
            parse(long.as_bytes()).map(|_| ()),
            Err(Error::TooLarge {
                what: "kid",
                limit: MAX_KID_LEN
            })
        );
        assert_eq!(
            parse(br#"{"kid":"k"}"#).map(|_| ()),
            Err(Malformed::MissingMember("alg").into())
        );
        let parsed = parse(br#"{"typ":"JWT","alg":"HS256","kid":"k"}"#).unwrap();
        assert!(matches!(parsed.alg, Cow::Borrowed("HS256")));
        assert!(matches!(parsed.header.typ, Some(Cow::Borrowed("JWT"))));
        assert_eq!(parsed.header.kid(), Some("k"));
    }

    /// Mostly one of `common`, sometimes one of `other`.
    fn mostly(
        common: &'static [&'static str],
        other: &'static [&'static str],
    ) -> impl proptest::strategy::Strategy<Value = &'static str> {
        use proptest::sample::select;
        proptest::prop_oneof![6 => select(common), 1 => select(other)]
    }

    proptest::proptest! {
        /// Whatever the common reader reads, the general reader reads the same way.
        #[test]
        fn common_reader_agrees_with_the_general_one(
            members in proptest::collection::vec(
                (
                    mostly(&["alg", "typ", "cty", "kid"], &["b64", "x", "al\\u0067", "ALG", ""]),
                    mostly(
                        &["\"HS256\"", "\"JWT\"", "\"\"", "\"é\""],
                        &["\"a\\\"b\"", "\"\\u0041\"", "\"\u{7}\"", "1", "true", "null",
                          "[\"b64\"]", "{}", "{\"a\":1,\"a\":2}", "\"x"],
                    ),
                    mostly(&["", " ", "\n\t", "\r"], &["\u{a0}", "/"]),
                ),
                0..5,
            ),
            close in mostly(&["}", "} "], &["", "}}", ",}", "}x"]),
        ) {
            let mut json = String::from("{");
            for (i, (name, value, ws)) in members.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                json.push_str(&alloc::format!("{ws}\"{name}\"{ws}:{ws}{value}{ws}"));
            }
            json.push_str(close);
            if let Some(raw) = read_common(json.as_bytes()) {
                proptest::prop_assert_eq!(json::from_slice::<Raw<'_>>(json.as_bytes()), Ok(raw));
            }
        }
    }

    #[test]
    fn signing_refuses_a_kid_the_verifier_would_refuse() {
        let long = "k".repeat(MAX_KID_LEN + 1);
        let too_large = Err(Error::TooLarge {
            what: "kid",
            limit: MAX_KID_LEN,
        });
        assert_eq!(
            Header::new().with_kid(long.clone()).to_json("HS256", None),
            too_large
        );
        assert_eq!(Header::new().to_json("HS256", Some(&long)), too_large);
        assert!(Header::new().to_json("HS256", Some(&long[1..])).is_ok());
    }
}
