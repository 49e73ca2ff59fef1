//! The issuer (RFC 9901 §4.1, §4.2, §5.1): claims made selectively disclosable by JSON Pointer,
//! nested and recursive disclosures, decoy digests, the holder's key as `cnf.jwk`, and the
//! issuer-signed JWT in the compact or a JSON serialization.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value};

use super::disclosure::{self, SHA_256};
use super::pointer::{self, Token};
use crate::error::{Error, JsonProblem, Malformed, Misuse};
use crate::json;
use crate::jwk::Jwk;
use crate::jws::{self, Header, Serialization, Signatory};
use crate::key::Signer;

/// Makes an SD-JWT from a claims object: the claims named with
/// [`with_disclosable`](Self::with_disclosable) become disclosures, every other claim stays
/// visible in the issuer-signed JWT.
///
/// - Each named claim gets a fresh salt of 128 bits from the system's random number
///   generator (RFC 9901 §9.3); an object member is replaced by its digest in the object's
///   `_sd` (sorted, so the order of the claims does not show), an array element by
///   `{"...": digest}` in its place (§4.2.4).
/// - Nested pointers make recursive disclosures: `/address` and `/address/street_address`
///   make the street selectively disclosable inside a selectively disclosable address
///   (§4.2.6).
/// - [`with_decoys`](Self::with_decoys) adds digests of nothing (§4.2.5).
/// - `_sd_alg` is `sha-256` whenever the payload holds a digest.
/// - [`with_holder_key`](Self::with_holder_key) binds the SD-JWT to the holder's key
///   (`cnf.jwk`, §4.1.2); [`with_header`](Self::with_header) sets the protected header, whose
///   `typ` should name the kind of SD-JWT (`example+sd-jwt`, `dc+sd-jwt`: §9.11).
///
/// ```
/// use jose_ring::{jwa, sd_jwt, SigningKey};
/// let issuer_key = SigningKey::generate(&jwa::ES256)?;
/// let claims = serde_json::json!({"sub": "user_42", "given_name": "John",
///     "address": {"street_address": "123 Main St", "country": "US"}});
/// let issued = sd_jwt::Issuer::new(claims.as_object().cloned().unwrap_or_default())
///     .with_disclosable("/given_name")
///     .with_disclosable("/address")
///     .with_disclosable("/address/street_address")
///     .with_header(jose_ring::jws::Header::new().with_typ("example+sd-jwt"))
///     .sign(&issuer_key)?;
/// // The issuer-signed JWT, then three disclosures, each followed by `~`.
/// assert_eq!(issued.matches('~').count(), 4);
/// assert!(issued.ends_with('~'));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Issuer {
    claims: Map<String, Value>,
    disclosable: Vec<String>,
    decoys: Vec<(String, usize)>,
    visible: Vec<String>,
    header: Header,
}

impl Issuer {
    /// An issuer of `claims`, all of them visible so far, with an empty protected header (the
    /// key supplies `alg` and its `kid`).
    #[must_use]
    pub fn new(claims: Map<String, Value>) -> Self {
        Self {
            claims,
            disclosable: Vec::new(),
            decoys: Vec::new(),
            visible: Vec::new(),
            header: Header::new(),
        }
    }

    /// Makes the claim `pointer` names (RFC 6901: `/address`, `/nationalities/1`,
    /// `/address/street_address`) selectively disclosable: an object member or an array
    /// element, indices as the claims give them. Checked when signing.
    #[must_use]
    pub fn with_disclosable(mut self, pointer: impl Into<String>) -> Self {
        self.disclosable.push(pointer.into());
        self
    }

    /// Adds `count` decoy digests (RFC 9901 §4.2.5) to the object (in its `_sd`) or the array
    /// (as `{"...": digest}` elements at random places) that `pointer` names; `""` is the
    /// payload itself. Checked when signing.
    #[must_use]
    pub fn with_decoys(mut self, pointer: impl Into<String>, count: usize) -> Self {
        self.decoys.push((pointer.into(), count));
        self
    }

    /// Keeps the top-level claim `name` visible: signing fails if a pointer names it or
    /// anything inside it. For claims a verifier needs to see (RFC 9901 §9.7: `iss`, `exp`,
    /// `nbf`, `cnf`, ...; SD-JWT VC's list is [`vc::NEVER_DISCLOSABLE`](super::vc::NEVER_DISCLOSABLE)).
    #[must_use]
    pub fn with_visible(mut self, name: impl Into<String>) -> Self {
        self.visible.push(name.into());
        self
    }

    /// Binds the SD-JWT to the holder's key: `cnf` becomes `{"jwk": ...}` with the public
    /// members of `holder_key` (RFC 7800 §3.2, RFC 9901 §4.1.2), replacing any `cnf` the claims
    /// had. `cnf` is kept visible.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Symmetric`](crate::KeyRejected::Symmetric) for a symmetric key, which
    /// has no public form.
    pub fn with_holder_key(mut self, holder_key: &Jwk) -> Result<Self, Error> {
        let public = holder_key.to_public()?;
        let jwk = json::to_member_value(&public, "jwk member")?;
        let mut cnf = Map::new();
        cnf.insert("jwk".into(), jwk);
        self.claims.insert("cnf".into(), Value::Object(cnf));
        self.visible.push("cnf".into());
        Ok(self)
    }

    /// Sets the protected header of the issuer-signed JWT (its `typ`, a `kid`, other
    /// members); the key supplies `alg`, and its `kid` unless the header sets one.
    #[must_use]
    pub fn with_header(mut self, header: Header) -> Self {
        self.header = header;
        self
    }

    /// Sets the visible claim `name` to `value` (for the `vct` of an SD-JWT VC).
    pub(crate) fn with_claim(mut self, name: &str, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// The protected header set so far.
    pub(crate) fn header(&self) -> &Header {
        &self.header
    }

    /// Signs the SD-JWT in the compact serialization: `<JWT>~<Disclosure>~...~<Disclosure>~`.
    ///
    /// # Errors
    ///
    /// [`Misuse::Pointer`] for a pointer that is not one or names nothing;
    /// [`Misuse::SdClaims`] for claims that hold `_sd`, `_sd_alg` or `...`, or a pointer to a
    /// claim kept visible; [`Malformed::Json`] for claims nested deeper than a verifier
    /// reads; [`Error::SigningFailed`] if the random number generator or the key fails; and
    /// those of [`jws::sign`].
    pub fn sign<K: Signer + ?Sized>(&self, key: &K) -> Result<String, Error> {
        let (payload, disclosures) = self.prepare()?;
        let jwt = jws::sign(&payload, &self.header, key)?;
        Ok(compact(&jwt, &disclosures))
    }

    /// Signs the SD-JWT in `form`: [`Serialization::Compact`] as [`sign`](Self::sign) with
    /// the one key; [`Serialization::Flattened`] (one key) or [`Serialization::General`] (one
    /// signature per key) as RFC 9901 §8, with the disclosures in the first signature's
    /// unprotected header. Every signature has the protected header of
    /// [`with_header`](Self::with_header) and its key's `alg` and `kid`.
    ///
    /// # Errors
    ///
    /// As [`sign`](Self::sign), and those of [`jws::sign_as`]
    /// ([`Misuse::NoSignatory`] for no key, [`Malformed::Unrepresentable`] for several keys in
    /// a form that holds one signature).
    pub fn sign_as(&self, keys: &[&dyn Signer], form: Serialization) -> Result<String, Error> {
        if form == Serialization::Compact {
            return match keys {
                [key] => self.sign(*key),
                [] => Err(Misuse::NoSignatory.into()),
                _ => Err(Malformed::Unrepresentable(form).into()),
            };
        }
        let (payload, disclosures) = self.prepare()?;
        let first = Header::new().with_member("disclosures", &disclosures)?;
        let signatories: Vec<Signatory<'_>> = keys
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let signatory = Signatory::new(*key).with_protected(self.header.clone());
                if index == 0 {
                    signatory.with_unprotected(first.clone())
                } else {
                    signatory
                }
            })
            .collect();
        jws::sign_as(&payload, &signatories, form)
    }

    /// The payload to sign and the disclosures, in the order they were made (a recursive
    /// disclosure before the one that holds its digest).
    fn prepare(&self) -> Result<(Vec<u8>, Vec<String>), Error> {
        let mut marks = Marks::default();
        for pointer in &self.disclosable {
            let tokens = pointer::parse_claim(pointer)?;
            if let Some(first) = tokens.first() {
                if self.visible.iter().any(|name| name == first.name()) {
                    return Err(Misuse::SdClaims.into());
                }
            }
            marks.mark(&tokens, |mark| mark.disclosable = true);
        }
        for (pointer, count) in &self.decoys {
            let tokens = pointer::parse(pointer)?;
            marks.mark(&tokens, |mark| {
                mark.decoys = mark.decoys.saturating_add(*count)
            });
        }
        let mut claims = self.claims.clone();
        check_reserved(&claims, 1)?;
        let mut make = Make {
            rng: SystemRandom::new(),
            disclosures: Vec::new(),
            digests: 0,
        };
        make.object(&mut claims, &marks)?;
        if make.digests > 0 {
            claims.insert("_sd_alg".into(), Value::from(SHA_256));
        }
        let payload = json::to_vec(&claims, "claims")?;
        Ok((payload, make.disclosures))
    }
}

/// `<JWT>~<Disclosure>~...~`.
pub(crate) fn compact(jwt: &str, disclosures: &[impl AsRef<str>]) -> String {
    let len = disclosures
        .iter()
        .fold(jwt.len().saturating_add(1), |len, d| {
            len.saturating_add(d.as_ref().len()).saturating_add(1)
        });
    let mut out = String::with_capacity(len);
    out.push_str(jwt);
    out.push('~');
    for disclosure in disclosures {
        out.push_str(disclosure.as_ref());
        out.push('~');
    }
    out
}

/// What the pointers ask of one value: to become a disclosure, to get decoys, and of the
/// values inside it.
#[derive(Default)]
struct Marks {
    disclosable: bool,
    decoys: usize,
    /// The marks of the values inside, by reference token, in the order first named.
    inside: Vec<(Token, Marks)>,
}

impl Marks {
    /// Applies `apply` to the marks of the value `tokens` name below this one, made if absent.
    fn mark<F: FnOnce(&mut Self)>(&mut self, tokens: &[Token], apply: F) {
        let Some((first, rest)) = tokens.split_first() else {
            apply(self);
            return;
        };
        let at = match self.inside.iter().position(|(token, _)| token == first) {
            Some(at) => at,
            None => {
                self.inside.push((first.clone(), Self::default()));
                self.inside.len().saturating_sub(1)
            }
        };
        if let Some((_, inner)) = self.inside.get_mut(at) {
            inner.mark(rest, apply);
        }
    }
}

/// The disclosures being made.
struct Make {
    rng: SystemRandom,
    disclosures: Vec<String>,
    /// How many digests (decoys included) the payload and disclosures hold.
    digests: usize,
}

impl Make {
    /// Applies `marks` inside `value`, which must be an object or an array if anything is
    /// marked inside it.
    fn inside(&mut self, value: &mut Value, marks: &Marks) -> Result<(), Error> {
        match value {
            Value::Object(members) => self.object(members, marks),
            Value::Array(items) => self.array(items, marks),
            _ if marks.inside.is_empty() && marks.decoys == 0 => Ok(()),
            _ => Err(Misuse::Pointer.into()),
        }
    }

    /// Makes the members marked disclosable into disclosures (inner ones first), their
    /// digests and the decoys the object's `_sd`.
    fn object(&mut self, members: &mut Map<String, Value>, marks: &Marks) -> Result<(), Error> {
        let mut digests = Vec::new();
        for (token, inner) in &marks.inside {
            let name = token.name();
            let value = members.get_mut(name).ok_or(Misuse::Pointer)?;
            self.inside(value, inner)?;
            if inner.disclosable {
                let value = members.remove(name).unwrap_or_default();
                let salt = disclosure::salt(&self.rng)?;
                let text = disclosure::for_member(&salt, name, &value)?;
                digests.push(disclosure::digest_of(text.as_bytes()));
                self.disclosures.push(text);
            }
        }
        for _ in 0..marks.decoys {
            digests.push(disclosure::decoy(&self.rng)?);
        }
        if !digests.is_empty() {
            self.digests = self.digests.saturating_add(digests.len());
            // Sorted, so the digests' order says nothing of the claims' (§4.2.4.1).
            digests.sort_unstable();
            let digests = digests.into_iter().map(Value::from).collect();
            members.insert("_sd".into(), Value::Array(digests));
        }
        Ok(())
    }

    /// Replaces the elements marked disclosable by placeholders (inner ones first), and
    /// inserts decoy placeholders at random places.
    fn array(&mut self, items: &mut Vec<Value>, marks: &Marks) -> Result<(), Error> {
        for (token, inner) in &marks.inside {
            let index = token.index().ok_or(Misuse::Pointer)?;
            let item = items.get_mut(index).ok_or(Misuse::Pointer)?;
            self.inside(item, inner)?;
            if inner.disclosable {
                let value = core::mem::replace(item, Value::Null);
                let salt = disclosure::salt(&self.rng)?;
                let text = disclosure::for_element(&salt, &value)?;
                *item = placeholder(disclosure::digest_of(text.as_bytes()));
                self.disclosures.push(text);
                self.digests = self.digests.saturating_add(1);
            }
        }
        for _ in 0..marks.decoys {
            let mut random = [0u8; 8];
            self.rng
                .fill(&mut random)
                .map_err(|_| Error::SigningFailed)?;
            let slots = u64::try_from(items.len())
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let at = u64::from_le_bytes(random)
                .checked_rem(slots)
                .unwrap_or_default();
            let at = usize::try_from(at).unwrap_or_default();
            let decoy = placeholder(disclosure::decoy(&self.rng)?);
            if at <= items.len() {
                items.insert(at, decoy);
            }
            self.digests = self.digests.saturating_add(1);
        }
        Ok(())
    }
}

/// `{"...": digest}`.
fn placeholder(digest: String) -> Value {
    let mut members = Map::new();
    members.insert("...".to_string(), Value::String(digest));
    Value::Object(members)
}

/// Refuses claims that hold a name SD-JWT reserves (`_sd`, `...`, `_sd_alg`: RFC 9901 §4.1),
/// at any depth up to the JSON reader's.
fn check_reserved(members: &Map<String, Value>, depth: usize) -> Result<(), Error> {
    if depth > json::MAX_DEPTH {
        return Err(Malformed::Json {
            part: "claims",
            problem: JsonProblem::TooDeep,
        }
        .into());
    }
    if ["_sd", "...", "_sd_alg"]
        .iter()
        .any(|name| members.contains_key(*name))
    {
        return Err(Misuse::SdClaims.into());
    }
    members
        .values()
        .try_for_each(|value| check_reserved_in(value, depth))
}

/// [`check_reserved`] inside `value`, a value `depth` levels deep.
fn check_reserved_in(value: &Value, depth: usize) -> Result<(), Error> {
    match value {
        Value::Object(members) => check_reserved(members, depth.saturating_add(1)),
        Value::Array(items) => {
            if depth.saturating_add(1) > json::MAX_DEPTH {
                return check_reserved(&Map::new(), json::MAX_DEPTH.saturating_add(1));
            }
            items
                .iter()
                .try_for_each(|item| check_reserved_in(item, depth.saturating_add(1)))
        }
        _ => Ok(()),
    }
}
