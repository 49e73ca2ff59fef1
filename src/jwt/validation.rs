//! What a JWT must satisfy once its signature has verified, and the clock that says when "now"
//! is.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

use crate::error::{ClaimError, Error};
use crate::json::{Seen, Tap};
use crate::limits::Limits;
use crate::time::{Clock, NumericDate, ceil_saturating, floor_saturating};

/// Where a [`Validation`] reads the time.
#[derive(Clone)]
enum Time {
    /// A fixed instant.
    Fixed(NumericDate),
    /// A clock read on every check.
    Clock(Arc<dyn Clock>),
}

/// The rules a JWT's claims and type must satisfy, checked by [`decode`](super::decode) after
/// the signature has verified.
///
/// The defaults fail closed (RFC 7519, RFC 8725):
///
/// * `exp` is required, and the token is rejected from `exp` on (RFC 7519 §4.1.4); opt out
///   with [`with_optional_exp`](Self::with_optional_exp);
/// * `nbf` is checked when present; `iat` may not be in the future;
/// * leeway is 0 seconds: clock skew is a choice, set with [`with_leeway`](Self::with_leeway);
/// * a token with an `aud` is rejected unless an expected [`with_audience`](Self::with_audience) is in
///   it (RFC 7519 §4.1.3);
/// * the header `typ` must be absent or `JWT`, so that explicitly typed tokens (`at+jwt`,
///   `refresh+jwt`, `dpop+jwt`, ...) are only accepted where their type is asked for with
///   [`with_typ`](Self::with_typ) (RFC 8725 §3.11);
/// * `exp`, `nbf`, `iat`, `iss`, `sub`, `aud` and `jti` of the wrong JSON type (a string
///   date, `null`, ...) are errors, never "absent".
///
/// * a token bound to a key with `cnf.jkt` (RFC 9449 §6, RFC 7800) is rejected unless a DPoP
///   proof by that key was checked and named with [`with_dpop`](Self::with_dpop): a stolen
///   sender-constrained token never passes as a bearer token.
///
/// Naming an issuer, a subject, a maximum age, scopes, roles or a DPoP proof makes the claim it
/// reads required.
///
/// Revocation is not a rule here: state lives in the caller's store, often behind an async
/// call. Require the `jti` ([`with_required`](Self::with_required)`("jti")`), read it from
/// the verified claims, and ask your store after [`decode`](super::decode) succeeded, so that
/// forged or expired tokens never reach it (see the how-to on logout in
/// [`manual::howto`](crate::manual::howto)).
///
/// ```
/// use jose_ring::jwt::{NumericDate, Validation};
/// let rules = Validation::new(NumericDate::from_seconds(1_700_000_000))
///     .with_issuer("https://auth.example")
///     .with_audience("api")
///     .with_typ("at+jwt")
///     .with_scope("read:users")
///     .with_leeway(30);
/// assert_eq!(rules.now(), NumericDate::from_seconds(1_700_000_000));
/// ```
#[derive(Clone)]
pub struct Validation {
    time: Time,
    leeway: i64,
    require_exp: bool,
    max_age: Option<u64>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    subject: Option<String>,
    required: Vec<String>,
    typ: Typ,
    scopes: Vec<String>,
    roles_claim: &'static str,
    roles: Vec<String>,
    dpop_jkt: Option<String>,
    limits: Limits,
}

/// The `typ` header rule.
#[derive(Clone, Debug)]
enum Typ {
    /// Absent or `JWT`.
    Jwt,
    /// This type, compared as RFC 7515 §4.1.9 says.
    Exactly(String),
    /// Anything.
    Any,
}

/// The most scopes, roles and required claims a validation can check; more fail closed (every
/// token is rejected naming the first one beyond the limit).
const MAX_NAMES: usize = 239;

impl Validation {
    /// The default rules, at the fixed time `now`.
    ///
    /// `now` is a [`NumericDate`] rather than a bare integer so that milliseconds cannot be
    /// passed for seconds by mistake.
    #[must_use]
    pub fn new(now: NumericDate) -> Self {
        Self::from_time(Time::Fixed(now))
    }

    /// The default rules, reading the time from `clock` on every check: build it once and share
    /// it (a clone shares the clock).
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// use std::sync::Arc;
    /// use jose_ring::jwt::{SystemClock, Validation};
    /// let rules = Validation::from_clock(Arc::new(SystemClock)).with_audience("api");
    /// assert!(rules.now().as_seconds() > 1_700_000_000);
    /// # }
    /// ```
    #[must_use]
    pub fn from_clock(clock: Arc<dyn Clock>) -> Self {
        Self::from_time(Time::Clock(clock))
    }

    fn from_time(time: Time) -> Self {
        Self {
            time,
            leeway: 0,
            require_exp: true,
            max_age: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            subject: None,
            required: Vec::new(),
            typ: Typ::Jwt,
            scopes: Vec::new(),
            roles_claim: "roles",
            roles: Vec::new(),
            dpop_jkt: None,
            limits: Limits::DEFAULT,
        }
    }

    /// The time the rules check against now: the fixed time, or the clock's reading.
    #[must_use]
    pub fn now(&self) -> NumericDate {
        match &self.time {
            Time::Fixed(now) => *now,
            Time::Clock(clock) => clock.now(),
        }
    }

    /// Sets a fixed time to check against, replacing the time or clock set before.
    #[must_use]
    pub fn with_time(mut self, now: NumericDate) -> Self {
        self.time = Time::Fixed(now);
        self
    }

    /// Allows `seconds` of clock skew on `exp`, `nbf` and `iat` (and the maximum age).
    /// Default 0.
    #[must_use]
    pub fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway = i64::try_from(seconds).unwrap_or(i64::MAX);
        self
    }

    /// Accepts tokens without `exp` (which then never expire). A present `exp` is still
    /// checked.
    #[must_use]
    pub fn with_optional_exp(mut self) -> Self {
        self.require_exp = false;
        self
    }

    /// Rejects tokens issued more than `seconds` ago (plus leeway); `iat` becomes required.
    #[must_use]
    pub fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Adds an accepted issuer: `iss` becomes required and must equal one of them.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// These rules with `issuer` as the one accepted issuer, whatever issuers they named
    /// before ([`with_issuer`](Self::with_issuer) adds one): for rules applied to the keys of
    /// one issuer, such as [`jwks::Issuers`](crate::jwks::Issuers) and a guard built for an
    /// issuer, where a token verifies only as the issuer whose keys were chosen for it.
    ///
    /// ```
    /// use jose_ring::jwt::{NumericDate, Validation};
    /// let rules = Validation::new(NumericDate::EPOCH)
    ///     .with_issuer("https://a.example")
    ///     .with_sole_issuer("https://b.example");
    /// assert!(format!("{rules:?}").contains(r#"issuers: ["https://b.example"]"#));
    /// ```
    #[must_use]
    pub fn with_sole_issuer(mut self, issuer: &str) -> Self {
        self.issuers.clear();
        self.issuers.push(String::from(issuer));
        self
    }

    /// Adds an accepted audience: `aud` becomes required and must contain one of them.
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Requires `sub` to be `subject`.
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Requires a claim of this name to be present and not `null`, whatever its value.
    #[must_use]
    pub fn with_required(mut self, claim: impl Into<String>) -> Self {
        self.required.push(claim.into());
        self
    }

    /// Requires the header `typ` to be `typ`, compared as RFC 7515 §4.1.9 says: ignoring
    /// ASCII case, and with an `application/` prefix ignored (`at+jwt` matches
    /// `application/at+JWT`). An absent `typ` is then rejected.
    #[must_use]
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Typ::Exactly(typ.into());
        self
    }

    /// Accepts any header `typ`, or none: gives up explicit typing (RFC 8725 §3.11).
    #[must_use]
    pub fn with_any_typ(mut self) -> Self {
        self.typ = Typ::Any;
        self
    }

    /// Requires `scope` among the space-delimited scopes of the `scope` claim (RFC 8693 §4.2,
    /// RFC 9068 §2.2.3); `scope` becomes required.
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// The name of the claim holding the roles as an array of strings. Default `roles`
    /// (RFC 9068 §2.2.3.1).
    #[must_use]
    pub fn with_roles_claim(mut self, name: &'static str) -> Self {
        self.roles_claim = name;
        self
    }

    /// Requires `role` in the roles claim; the claim becomes required.
    #[must_use]
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.roles.push(role.into());
        self
    }

    /// Requires the token to be bound to the key of this verified DPoP proof (RFC 9449 §6,
    /// §7.1): its `cnf.jkt` must be the proof's [`jkt`](crate::dpop::VerifiedProof::jkt).
    /// `cnf.jkt` becomes required: a token without one is rejected with
    /// [`ClaimError::Missing`]`("cnf")`, one bound to another key with
    /// [`ClaimError::ProofKeyMismatch`].
    ///
    /// Without this rule a token that has a `cnf.jkt` is rejected with
    /// [`ClaimError::ProofRequired`]. Check the proof with
    /// [`ProofValidation::with_access_token`](crate::dpop::ProofValidation::with_access_token)
    /// too, so that the proof was made for this token (`ath`).
    #[must_use]
    pub fn with_dpop(self, proof: &crate::dpop::VerifiedProof) -> Self {
        self.with_dpop_jkt(proof.jkt())
    }

    /// [`with_dpop`](Self::with_dpop) with the thumbprint given as it is (RFC 7638, SHA-256,
    /// base64url), for a proof checked elsewhere.
    #[must_use]
    pub fn with_dpop_jkt(mut self, jkt: impl Into<String>) -> Self {
        self.dpop_jkt = Some(jkt.into());
        self
    }

    /// Sets the size limits for the token, checked before any decoding; default
    /// [`Limits::DEFAULT`] (a token of at most 64 KiB).
    ///
    /// ```
    /// use jose_ring::jwt::{NumericDate, Validation};
    /// use jose_ring::Limits;
    /// let rules = Validation::new(NumericDate::from_seconds(1_700_000_000))
    ///     .with_limits(Limits::default().with_token_len(1024));
    /// assert_eq!(rules.limits().token_len(), 1024);
    /// ```
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The size limits [`decode`](super::decode) applies to the token.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Checks the header `typ`.
    pub(crate) fn check_typ(&self, typ: Option<&str>) -> Result<(), Error> {
        let ok = match (&self.typ, typ) {
            (Typ::Any, _) | (Typ::Jwt, None) => true,
            (Typ::Jwt, Some(typ)) => same_media_type(typ, "JWT"),
            (Typ::Exactly(want), Some(typ)) => same_media_type(typ, want),
            (Typ::Exactly(_), None) => false,
        };
        if ok {
            Ok(())
        } else {
            Err(ClaimError::InvalidTyp.into())
        }
    }

    /// Checks what `seen` observed of the claims, in this order: JSON types, `exp`, `nbf`,
    /// `iat`, `iss`, `aud`, `sub`, required claims, scopes, roles, and last the key binding
    /// (`cnf.jkt`). Returns the times.
    pub(crate) fn check(&self, seen: &Observer<'_>) -> Result<Times, Error> {
        if let Some(name) = seen.wrong_type() {
            return Err(ClaimError::InvalidType(name).into());
        }
        let now = self.now();
        let exp = seen.exp.get().date(floor_saturating);
        let nbf = seen.nbf.get().date(ceil_saturating);
        let iat = seen.iat.get().date(ceil_saturating);
        match exp {
            Some(exp) if now >= exp.saturating_add(self.leeway) => {
                return Err(ClaimError::Expired { now, exp }.into());
            }
            None if self.require_exp => return Err(missing("exp").into()),
            _ => {}
        }
        if let Some(nbf) = nbf {
            if now < nbf.saturating_sub(self.leeway) {
                return Err(ClaimError::NotYetValid { now, nbf }.into());
            }
        }
        if let Some(iat) = iat {
            if iat.saturating_sub(self.leeway) > now {
                return Err(ClaimError::IssuedInFuture { now, iat }.into());
            }
        }
        if let Some(max_age) = self.max_age {
            let iat = iat.ok_or(missing("iat"))?;
            let limit = i64::try_from(max_age)
                .unwrap_or(i64::MAX)
                .saturating_add(self.leeway);
            if now.seconds_since(iat) > limit {
                return Err(ClaimError::TooOld { now, iat }.into());
            }
        }
        if !self.issuers.is_empty() {
            match seen.iss.get() {
                StringClaim::Absent => return Err(missing("iss").into()),
                StringClaim::Mismatch => return Err(ClaimError::InvalidIssuer.into()),
                StringClaim::Match | StringClaim::Wrong => {}
            }
        }
        match (self.audiences.is_empty(), seen.aud.get()) {
            (true, Aud::Absent) | (false, Aud::Present { matched: true }) => {}
            (true, _) => return Err(ClaimError::UnexpectedAudience.into()),
            (false, Aud::Absent) => return Err(missing("aud").into()),
            (false, _) => return Err(ClaimError::InvalidAudience.into()),
        }
        if self.subject.is_some() {
            match seen.sub.get() {
                StringClaim::Absent => return Err(missing("sub").into()),
                StringClaim::Mismatch => return Err(ClaimError::InvalidSubject.into()),
                StringClaim::Match | StringClaim::Wrong => {}
            }
        }
        for (index, name) in self.required.iter().enumerate() {
            let present = match seen.registered_presence(name) {
                Some(present) => present,
                None => bit(&seen.custom.get(), index),
            };
            if !present {
                return Err(ClaimError::Missing(name.clone().into()).into());
            }
        }
        if let Some(first) = self.scopes.first() {
            match seen.scope.get() {
                Scope::Checked { missing: None } => {}
                Scope::Checked {
                    missing: Some(index),
                } => {
                    let scope = self.scopes.get(index).unwrap_or(first);
                    return Err(ClaimError::MissingScope(boxed(scope)).into());
                }
                Scope::Absent | Scope::Wrong => {
                    return Err(ClaimError::MissingScope(boxed(first)).into());
                }
            }
        }
        if !self.roles.is_empty() {
            let found = match seen.roles.get() {
                Presence::Present => seen.role_bits.get(),
                Presence::Absent | Presence::Wrong => [0; 4],
            };
            if let Some((_, role)) = self
                .roles
                .iter()
                .enumerate()
                .find(|(index, _)| !bit(&found, *index))
            {
                return Err(ClaimError::MissingRole(boxed(role)).into());
            }
        }
        match (&self.dpop_jkt, seen.cnf.get()) {
            (None, Cnf::Absent | Cnf::NoJkt) | (Some(_), Cnf::Jkt { matched: true }) => {}
            (None, Cnf::Jkt { .. }) => return Err(ClaimError::ProofRequired.into()),
            (Some(_), Cnf::Jkt { matched: false }) => {
                return Err(ClaimError::ProofKeyMismatch.into());
            }
            (Some(_), Cnf::Absent | Cnf::NoJkt) => return Err(missing("cnf").into()),
            // Reported by `wrong_type` first.
            (_, Cnf::Wrong) => return Err(ClaimError::InvalidType("cnf").into()),
        }
        Ok(Times { exp, nbf, iat })
    }
}

impl fmt::Debug for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validation")
            .field(
                "time",
                &match &self.time {
                    Time::Fixed(now) => Some(*now),
                    Time::Clock(_) => None,
                },
            )
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .field("max_age", &self.max_age)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("subject", &self.subject)
            .field("required", &self.required)
            .field("typ", &self.typ)
            .field("scopes", &self.scopes)
            .field("roles_claim", &self.roles_claim)
            .field("roles", &self.roles)
            .field("dpop_jkt", &self.dpop_jkt)
            .field("limits", &self.limits)
            .finish()
    }
}

/// The times of a token that passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Times {
    pub(crate) exp: Option<NumericDate>,
    pub(crate) nbf: Option<NumericDate>,
    pub(crate) iat: Option<NumericDate>,
}

/// Whether two `typ` values name the same media type (RFC 7515 §4.1.9): ASCII case ignored,
/// and a value without `/` read as if `application/` came first.
fn same_media_type(a: &str, b: &str) -> bool {
    fn full(t: &str) -> (&str, &str) {
        match t.split_once('/') {
            Some((kind, rest)) => (kind, rest),
            None => ("application", t),
        }
    }
    if a == b {
        return true; // The common case, `JWT` against `JWT`, without splitting.
    }
    let ((kind_a, sub_a), (kind_b, sub_b)) = (full(a), full(b));
    kind_a.eq_ignore_ascii_case(kind_b) && sub_a.eq_ignore_ascii_case(sub_b)
}

/// The error for a claim the rules read that is absent.
const fn missing(name: &'static str) -> ClaimError {
    ClaimError::Missing(Cow::Borrowed(name))
}

fn boxed(name: &str) -> Box<str> {
    name.into()
}

/// Whether bit `index` is set.
fn bit(bits: &[u64; 4], index: usize) -> bool {
    bits.get(index / 64)
        .is_some_and(|word| word & (1u64 << (index % 64)) != 0)
}

/// Sets bit `index` (beyond the set: nothing, so the name counts as absent).
fn set_bit(bits: &Cell<[u64; 4]>, index: usize) {
    let mut words = bits.get();
    if let Some(word) = words.get_mut(index / 64) {
        *word |= 1u64 << (index % 64);
    }
    bits.set(words);
}

/// A date claim as seen.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Date {
    Absent,
    Int(i64),
    Float(f64),
    Wrong,
}

impl Date {
    fn date(self, round: fn(f64) -> i64) -> Option<NumericDate> {
        match self {
            Self::Int(n) => Some(NumericDate::from_seconds(n)),
            Self::Float(x) => Some(NumericDate::from_seconds(round(x))),
            Self::Absent | Self::Wrong => None,
        }
    }

    fn from_seen(seen: Seen<'_>) -> Self {
        match seen {
            Seen::Unsigned(n) => Self::Int(i64::try_from(n).unwrap_or(i64::MAX)),
            Seen::Signed(n) => Self::Int(n),
            Seen::Float(x) => Self::Float(x),
            _ => Self::Wrong,
        }
    }
}

/// A string claim as seen, compared with what is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StringClaim {
    Absent,
    /// Equal to an expected value, or present with nothing expected.
    Match,
    Mismatch,
    Wrong,
}

/// `aud` as seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aud {
    Absent,
    Present { matched: bool },
    Wrong,
}

/// `scope` as seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Absent,
    /// The index of the first required scope that is missing.
    Checked {
        missing: Option<usize>,
    },
    Wrong,
}

/// `cnf` (RFC 7800) as seen: whether it binds the token to a JWK thumbprint (`jkt`,
/// RFC 9449 §6) and whether that is the expected one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cnf {
    Absent,
    /// An object without `jkt` (another confirmation method, or none).
    NoJkt,
    Jkt {
        matched: bool,
    },
    /// Not an object, or a `jkt` that is not a string.
    Wrong,
}

/// Presence of an array claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Presence {
    Absent,
    Present,
    Wrong,
}

// Identifiers of the members the observer asks to see.
const EXP: u8 = 0;
const NBF: u8 = 1;
const IAT: u8 = 2;
const ISS: u8 = 3;
const SUB: u8 = 4;
const AUD: u8 = 5;
const JTI: u8 = 6;
const SCOPE: u8 = 7;
const ROLES: u8 = 8;
const CNF: u8 = 9;
/// Required claims other than these are `CUSTOM + index`.
const CUSTOM: u8 = 16;

/// What the validation needs from the claims, recorded during the one pass that deserializes
/// the caller's type. Strings are compared as they pass; none is kept.
pub(crate) struct Observer<'v> {
    rules: &'v Validation,
    exp: Cell<Date>,
    nbf: Cell<Date>,
    iat: Cell<Date>,
    iss: Cell<StringClaim>,
    sub: Cell<StringClaim>,
    aud: Cell<Aud>,
    jti: Cell<StringClaim>,
    scope: Cell<Scope>,
    roles: Cell<Presence>,
    role_bits: Cell<[u64; 4]>,
    custom: Cell<[u64; 4]>,
    cnf: Cell<Cnf>,
    /// Whether the member of `cnf` being shown is `jkt`.
    cnf_jkt_next: Cell<bool>,
}

impl<'v> Observer<'v> {
    pub(crate) const fn new(rules: &'v Validation) -> Self {
        Self {
            rules,
            exp: Cell::new(Date::Absent),
            nbf: Cell::new(Date::Absent),
            iat: Cell::new(Date::Absent),
            iss: Cell::new(StringClaim::Absent),
            sub: Cell::new(StringClaim::Absent),
            aud: Cell::new(Aud::Absent),
            jti: Cell::new(StringClaim::Absent),
            scope: Cell::new(Scope::Absent),
            roles: Cell::new(Presence::Absent),
            role_bits: Cell::new([0; 4]),
            custom: Cell::new([0; 4]),
            cnf: Cell::new(Cnf::Absent),
            cnf_jkt_next: Cell::new(false),
        }
    }

    /// The first claim seen with the wrong JSON type.
    pub(crate) fn wrong_type(&self) -> Option<&'static str> {
        let dates = [("exp", &self.exp), ("nbf", &self.nbf), ("iat", &self.iat)];
        if let Some((name, _)) = dates
            .into_iter()
            .find(|(_, d)| matches!(d.get(), Date::Wrong))
        {
            return Some(name);
        }
        let texts = [("iss", &self.iss), ("sub", &self.sub)];
        if let Some((name, _)) = texts
            .into_iter()
            .find(|(_, t)| t.get() == StringClaim::Wrong)
        {
            return Some(name);
        }
        if self.aud.get() == Aud::Wrong {
            return Some("aud");
        }
        if self.jti.get() == StringClaim::Wrong {
            return Some("jti");
        }
        if self.scope.get() == Scope::Wrong {
            return Some("scope");
        }
        if self.roles.get() == Presence::Wrong {
            return Some(self.rules.roles_claim);
        }
        if self.cnf.get() == Cnf::Wrong {
            return Some("cnf");
        }
        None
    }

    /// Whether the claim `name` is present, if the observer tracks it apart from the custom
    /// required claims.
    fn registered_presence(&self, name: &str) -> Option<bool> {
        let rules = self.rules;
        Some(match name {
            "exp" => !matches!(self.exp.get(), Date::Absent),
            "nbf" => !matches!(self.nbf.get(), Date::Absent),
            "iat" => !matches!(self.iat.get(), Date::Absent),
            "iss" => self.iss.get() != StringClaim::Absent,
            "sub" => self.sub.get() != StringClaim::Absent,
            "aud" => self.aud.get() != Aud::Absent,
            "jti" => self.jti.get() != StringClaim::Absent,
            "cnf" => self.cnf.get() != Cnf::Absent,
            "scope" if !rules.scopes.is_empty() => self.scope.get() != Scope::Absent,
            _ if !rules.roles.is_empty() && name == rules.roles_claim => {
                self.roles.get() != Presence::Absent
            }
            _ => return None,
        })
    }

    fn string_claim(
        &self,
        seen: Seen<'_>,
        expected: &mut dyn Iterator<Item = &'v str>,
    ) -> StringClaim {
        match seen {
            Seen::Str(value) => {
                let mut expected = expected.peekable();
                if expected.peek().is_none() || expected.any(|e| e == value) {
                    StringClaim::Match
                } else {
                    StringClaim::Mismatch
                }
            }
            _ => StringClaim::Wrong,
        }
    }
}

impl Observer<'_> {
    /// `cnf` and, one level deep, its members: the object, then each name and value.
    fn see_cnf(&self, seen: Seen<'_>) {
        let jkt_next = self.cnf_jkt_next.replace(false);
        let cnf = match (self.cnf.get(), seen) {
            (Cnf::Absent, Seen::Object) => Cnf::NoJkt,
            (Cnf::Wrong, _) => Cnf::Wrong,
            (cnf, Seen::Key(name)) => {
                self.cnf_jkt_next.set(name == "jkt");
                cnf
            }
            (_, Seen::Item(jkt)) if jkt_next => Cnf::Jkt {
                matched: self.rules.dpop_jkt.as_deref() == Some(jkt),
            },
            (_, Seen::OtherItem) if jkt_next => Cnf::Wrong,
            (cnf @ (Cnf::NoJkt | Cnf::Jkt { .. }), Seen::Item(_) | Seen::OtherItem) => cnf,
            _ => Cnf::Wrong,
        };
        self.cnf.set(cnf);
    }
}

impl Tap for Observer<'_> {
    fn members(&self, member: u8) -> bool {
        member == CNF
    }

    fn member(&self, name: &str) -> Option<u8> {
        let rules = self.rules;
        Some(match name {
            "exp" => EXP,
            "nbf" => NBF,
            "iat" => IAT,
            "iss" => ISS,
            "sub" => SUB,
            "aud" => AUD,
            "jti" => JTI,
            "cnf" => CNF,
            "scope" if !rules.scopes.is_empty() => SCOPE,
            _ if !rules.roles.is_empty() && name == rules.roles_claim => ROLES,
            _ => {
                // Beyond the limit a required claim is not tracked, so it counts as absent.
                let index = rules.required.iter().position(|r| r == name)?;
                CUSTOM.checked_add(u8::try_from(index).ok()?)?
            }
        })
    }

    fn value(&self, member: u8, seen: Seen<'_>) {
        let rules = self.rules;
        match member {
            EXP => self.exp.set(Date::from_seen(seen)),
            NBF => self.nbf.set(Date::from_seen(seen)),
            IAT => self.iat.set(Date::from_seen(seen)),
            ISS => self
                .iss
                .set(self.string_claim(seen, &mut rules.issuers.iter().map(String::as_str))),
            SUB => self
                .sub
                .set(self.string_claim(seen, &mut rules.subject.iter().map(String::as_str))),
            JTI => {
                self.jti
                    .set(self.string_claim(seen, &mut core::iter::empty()));
            }
            AUD => {
                let expected = |aud: &str| rules.audiences.iter().any(|a| a == aud);
                let aud = match (self.aud.get(), seen) {
                    (_, Seen::Str(aud)) => Aud::Present {
                        matched: expected(aud),
                    },
                    (_, Seen::Array) => Aud::Present { matched: false },
                    (Aud::Present { matched }, Seen::Item(aud)) => Aud::Present {
                        matched: matched || expected(aud),
                    },
                    _ => Aud::Wrong,
                };
                self.aud.set(aud);
            }
            SCOPE => self.scope.set(match seen {
                Seen::Str(scope) => Scope::Checked {
                    missing: rules
                        .scopes
                        .iter()
                        .take(MAX_NAMES)
                        .position(|want| !scope.split(' ').any(|have| have == want))
                        .or_else(|| (rules.scopes.len() > MAX_NAMES).then_some(MAX_NAMES)),
                },
                _ => Scope::Wrong,
            }),
            ROLES => match (self.roles.get(), seen) {
                (_, Seen::Array) => self.roles.set(Presence::Present),
                (Presence::Present, Seen::Item(role)) => {
                    for (index, want) in rules.roles.iter().enumerate().take(MAX_NAMES) {
                        if want == role {
                            set_bit(&self.role_bits, index);
                        }
                    }
                }
                _ => self.roles.set(Presence::Wrong),
            },
            CNF => self.see_cnf(seen),
            custom => {
                // A required claim: present unless `null`. Elements of an array are not
                // separate claims.
                let index = usize::from(custom.saturating_sub(CUSTOM));
                if !matches!(seen, Seen::Null | Seen::Item(_) | Seen::OtherItem)
                    && index < MAX_NAMES
                {
                    set_bit(&self.custom, index);
                }
            }
        }
    }
}
