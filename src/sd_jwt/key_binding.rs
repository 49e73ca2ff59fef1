//! The Key Binding JWT (RFC 9901 §4.3): the holder signs one over the presentation it sends,
//! and the verifier checks it with the key the SD-JWT names (§7.3 step 5).

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::disclosure::digest_of;
use super::limits::MAX_KB_JWT_LEN;
use crate::b64;
use crate::error::{Error, KeyRejected, Malformed, SdJwt};
use crate::json;
use crate::jwa::{self, Algorithm};
use crate::jwk::Jwk;
use crate::jws::{self, Header};
use crate::key::Signer;
use crate::time::{NumericDate, ceil_saturating, floor_saturating};

/// The `typ` of a KB-JWT (§4.3).
pub(crate) const TYP: &str = "kb+jwt";

/// What a holder binds a presentation to: the verifier (`aud`), its transaction (`nonce`) and
/// the time (`iat`), RFC 9901 §4.3. The holder signs it with the key the SD-JWT names in
/// `cnf`, over the presentation's `sd_hash`: see
/// [`Presentation::with_key_binding`](super::Presentation::with_key_binding).
///
/// ```
/// use jose_ring::{jwt::NumericDate, sd_jwt::KeyBinding};
/// let kb = KeyBinding::new("https://verifier.example.org", "1234567890", NumericDate::from_seconds(1_748_537_243));
/// assert_eq!(kb.audience(), "https://verifier.example.org");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBinding {
    audience: String,
    nonce: String,
    iat: NumericDate,
}

impl KeyBinding {
    /// A key binding for the verifier `audience`, with its `nonce`, made at `iat`.
    #[must_use]
    pub fn new(audience: impl Into<String>, nonce: impl Into<String>, iat: NumericDate) -> Self {
        Self {
            audience: audience.into(),
            nonce: nonce.into(),
            iat,
        }
    }

    /// The verifier (`aud`).
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The verifier's nonce.
    #[must_use]
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// When the KB-JWT is made (`iat`).
    #[must_use]
    pub fn iat(&self) -> NumericDate {
        self.iat
    }
}

/// The claims of a KB-JWT as they are written.
#[derive(serde::Serialize)]
struct Written<'a> {
    iat: NumericDate,
    aud: &'a str,
    nonce: &'a str,
    sd_hash: &'a str,
}

/// Signs the KB-JWT of `kb` over `sd_jwt` (`<JWT>~<D1>~...~<Dn>~`) with `key`:
/// `{"alg":..,"typ":"kb+jwt"}` (and the key's `kid`) over `iat`, `aud`, `nonce` and
/// `sd_hash`.
///
/// # Errors
///
/// [`KeyRejected::Symmetric`] for an HMAC key: a KB-JWT proves possession of a key pair;
/// [`Error::SigningFailed`] if the key fails.
pub(crate) fn sign<K: Signer + ?Sized>(
    kb: &KeyBinding,
    sd_jwt: &str,
    key: &K,
) -> Result<String, Error> {
    if key.algorithm().is_symmetric() {
        return Err(KeyRejected::Symmetric.into());
    }
    let sd_hash = digest_of(sd_jwt.as_bytes());
    let claims = Written {
        iat: kb.iat,
        aud: &kb.audience,
        nonce: &kb.nonce,
        sd_hash: &sd_hash,
    };
    let payload = json::to_vec(&claims, "claims")?;
    jws::sign(&payload, &Header::new().with_typ(TYP), key)
}

/// What the verifier expects of a KB-JWT (§7.3 step 5).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expect<'r> {
    pub(crate) audience: &'r str,
    pub(crate) nonce: &'r str,
    pub(crate) now: NumericDate,
    /// The oldest `iat` accepted, in seconds before `now` (plus the leeway).
    pub(crate) max_age: u64,
    /// Clock skew allowed on `iat`, `exp` and `nbf`, in seconds.
    pub(crate) leeway: u64,
    pub(crate) algorithms: &'r [&'static Algorithm],
}

/// A KB-JWT that passed every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    pub(crate) iat: NumericDate,
    pub(crate) alg: &'static Algorithm,
}

/// The longest decoded KB-JWT claims parsed without a heap allocation.
const CLAIMS_ON_STACK: usize = 1024;

/// Checks `kb_jwt` against `expect`, as the KB-JWT of `sd_jwt` (the compact SD-JWT it came
/// with), whose processed payload is `claims`. In this order: the holder's key from
/// `cnf.jwk`; the JWS (size, structure, `typ`, `alg`, the key bound to it, the signature);
/// the claims (strict JSON; `iat`, `aud`, `nonce`, `sd_hash` present and of their types);
/// `iat` within the window; `exp` and `nbf` when present; `aud`; `nonce`; `sd_hash`.
///
/// # Errors
///
/// [`SdJwt::NoHolderKey`], [`SdJwt::PrivateHolderKey`], the errors of [`Jwk::from_json`] for
/// the key; [`Error::TooLarge`], [`Error::Malformed`], [`SdJwt::KbTyp`],
/// [`Error::Unsupported`], [`SdJwt::KbAlgorithm`], [`Error::KeyRejected`],
/// [`Error::InvalidSignature`] for the JWS; [`Malformed::Json`] for claims that are not a
/// strict object; [`SdJwt::KbInvalidClaim`], [`SdJwt::KbMissingClaim`],
/// [`SdJwt::KbIssuedInFuture`], [`SdJwt::KbTooOld`], [`SdJwt::KbExpired`],
/// [`SdJwt::KbNotYetValid`], [`SdJwt::KbAudience`], [`SdJwt::KbNonce`], [`SdJwt::KbSdHash`].
pub(crate) fn check(
    kb_jwt: &str,
    sd_jwt: &str,
    claims: &Map<String, Value>,
    expect: &Expect<'_>,
) -> Result<Checked, Error> {
    let jwk = holder_key(claims)?;
    let limits = crate::Limits::DEFAULT.with_token_len(MAX_KB_JWT_LEN);
    let unverified = jws::Unverified::parse_with_limits(kb_jwt, &limits)?;
    if unverified.header().is_unencoded() {
        return Err(Malformed::InvalidMember("b64").into());
    }
    if unverified.header().typ() != Some(TYP) {
        return Err(SdJwt::KbTyp.into());
    }
    let name = unverified.alg();
    jwa::reject_unusable(name)?;
    let alg = expect
        .algorithms
        .iter()
        .copied()
        .find(|alg| alg.name() == name && !alg.is_symmetric())
        .ok_or(SdJwt::KbAlgorithm)?;
    let key = jwk.verifying_key(alg)?;
    let (alg, _, segment) = unverified.verify_signature(&key)?;

    let mut stack = [0u8; CLAIMS_ON_STACK];
    let heap;
    let payload = match b64::decode_to_slice(segment.as_bytes(), "payload", &mut stack)? {
        Some(payload) => payload,
        None => {
            heap = b64::decode(segment.as_bytes(), "payload")?;
            &heap
        }
    };
    let read: Claims<'_> = json::from_slice(payload).map_err(|problem| Malformed::Json {
        part: "KB-JWT claims",
        problem,
    })?;
    let iat = read.iat.date("iat", ceil_saturating)?;
    let audience = read.aud.text("aud")?;
    let nonce = read.nonce.text("nonce")?;
    let sd_hash = read.sd_hash.text("sd_hash")?;
    let exp = read.exp.optional_date("exp", floor_saturating)?;
    let nbf = read.nbf.optional_date("nbf", ceil_saturating)?;

    let now = expect.now;
    let leeway = i64::try_from(expect.leeway).unwrap_or(i64::MAX);
    if iat.saturating_sub(leeway) > now {
        return Err(SdJwt::KbIssuedInFuture { now, iat }.into());
    }
    let window = i64::try_from(expect.max_age)
        .unwrap_or(i64::MAX)
        .saturating_add(leeway);
    if now.seconds_since(iat) > window {
        return Err(SdJwt::KbTooOld { now, iat }.into());
    }
    if let Some(exp) = exp {
        if now >= exp.saturating_add(leeway) {
            return Err(SdJwt::KbExpired { now, exp }.into());
        }
    }
    if let Some(nbf) = nbf {
        if now < nbf.saturating_sub(leeway) {
            return Err(SdJwt::KbNotYetValid { now, nbf }.into());
        }
    }
    if audience != expect.audience {
        return Err(SdJwt::KbAudience.into());
    }
    if nonce != expect.nonce {
        return Err(SdJwt::KbNonce.into());
    }
    if sd_hash != digest_of(sd_jwt.as_bytes()) {
        return Err(SdJwt::KbSdHash.into());
    }
    Ok(Checked { iat, alg })
}

/// The holder's public key: `cnf.jwk` of the processed payload (§4.1.2, §7.3 step 5.1).
fn holder_key(claims: &Map<String, Value>) -> Result<Jwk, Error> {
    let members = match claims.get("cnf") {
        Some(Value::Object(cnf)) => match cnf.get("jwk") {
            Some(Value::Object(members)) => members,
            Some(_) => return Err(Malformed::InvalidMember("jwk").into()),
            None => return Err(SdJwt::NoHolderKey.into()),
        },
        Some(_) => return Err(Malformed::InvalidMember("cnf").into()),
        None => return Err(SdJwt::NoHolderKey.into()),
    };
    let jwk = Jwk::from_members(members.clone())?;
    if jwk.is_private() {
        return Err(SdJwt::PrivateHolderKey.into());
    }
    Ok(jwk)
}

/// The members of a KB-JWT's claims this crate reads; the others are walked (strictly) and
/// ignored (draft-ietf-oauth-sd-jwt-vc §4.1: claims not understood are ignored).
#[derive(Deserialize)]
struct Claims<'a> {
    #[serde(default)]
    iat: Loose<'a>,
    #[serde(default, borrow)]
    aud: Loose<'a>,
    #[serde(default, borrow)]
    nonce: Loose<'a>,
    #[serde(default, borrow)]
    sd_hash: Loose<'a>,
    #[serde(default)]
    exp: Loose<'a>,
    #[serde(default)]
    nbf: Loose<'a>,
}

/// A claim read without a type in mind, so that a wrong type names the claim.
#[derive(Debug, Default)]
enum Loose<'a> {
    #[default]
    Absent,
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    /// `null`, a boolean, an array or an object.
    Other,
}

impl<'a> Loose<'a> {
    /// The string this required claim holds.
    fn text(self, name: &'static str) -> Result<Cow<'a, str>, Error> {
        match self {
            Self::Text(text) => Ok(text),
            Self::Absent => Err(SdJwt::KbMissingClaim(name).into()),
            _ => Err(SdJwt::KbInvalidClaim(name).into()),
        }
    }

    /// The date this required claim holds, a fraction rounded with `round`.
    fn date(self, name: &'static str, round: fn(f64) -> i64) -> Result<NumericDate, Error> {
        self.optional_date(name, round)?
            .ok_or_else(|| SdJwt::KbMissingClaim(name).into())
    }

    /// The date this optional claim holds, if present.
    fn optional_date(
        self,
        name: &'static str,
        round: fn(f64) -> i64,
    ) -> Result<Option<NumericDate>, Error> {
        match self {
            Self::Absent => Ok(None),
            Self::Int(n) => Ok(Some(NumericDate::from_seconds(n))),
            Self::Float(x) => Ok(Some(NumericDate::from_seconds(round(x)))),
            _ => Err(SdJwt::KbInvalidClaim(name).into()),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor(core::marker::PhantomData))
    }
}

struct LooseVisitor<'a>(core::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for LooseVisitor<'a> {
    type Value = Loose<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Owned(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Int(i64::try_from(v).unwrap_or(i64::MAX)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Int(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Loose::Float(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Other)
    }
}
