//! The verifier (RFC 9901 §7.1, §7.3, §8.4): what a presentation must satisfy, and the one
//! pass that checks it and hands out the processed payload.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::form::Jwt;
use super::key_binding::{self, Checked, Expect};
use super::limits::Limits;
use super::process::{self, Rules};
use super::unverified::Unverified;
use super::vc;
use crate::b64;
use crate::error::{Error, Malformed, SdJwt};
use crate::json;
use crate::jwa::{self, Algorithm};
use crate::jws::{self, Header, Policy};
use crate::jwt::{self, NumericDate};
use crate::key::KeySource;

/// The default window for a KB-JWT's `iat`, in seconds: how old one may be.
pub const DEFAULT_KB_MAX_AGE: u64 = 300;

/// What an SD-JWT presentation must satisfy: the claims rules for the issuer-signed JWT
/// ([`jwt::Validation`]: issuer, `exp`, `typ`, audience, ... checked against the processed
/// payload, RFC 9901 §7.1 step 6), whether key binding is required and what it must say,
/// the size limits, and SD-JWT VC when asked.
///
/// Key binding is the verifier's decision, made here and never from the presentation
/// (§7.3 step 1, §9.5):
///
/// - [`Validation::new`] expects an SD-JWT without key binding: a presentation that carries a
///   KB-JWT is refused ([`SdJwt::UnexpectedKeyBinding`]), since the verifier would not check
///   it;
/// - [`with_key_binding`](Self::with_key_binding) requires an SD-JWT+KB for this verifier and
///   nonce: one without a KB-JWT is refused ([`SdJwt::MissingKeyBinding`]), and the KB-JWT is
///   checked (§4.3, §7.3 step 5) with the key of `cnf.jwk`.
///
/// | Setting | Default | Why |
/// |---|---|---|
/// | KB-JWT `iat` window | 300 s ([`DEFAULT_KB_MAX_AGE`]) | a KB-JWT is made for one request just before it is sent, but a phone's clock may be minutes off; Keycloak (`allowedMaxAge`) and SdJwt.Net (`MaxKeyBindingJwtAge`) make the window a setting too |
/// | KB-JWT leeway | 0 s | as the crate's claims rules: clock skew is a choice |
/// | KB-JWT algorithms | the asymmetric algorithms of [`jwa`] | a KB-JWT proves possession of a key pair |
/// | JWS JSON signatures | [`Policy::Any`] | one issuer key known is enough (RFC 7515 §7.2: the application decides) |
///
/// ```
/// use jose_ring::{jwt, sd_jwt};
/// let now = jwt::NumericDate::from_seconds(1_748_537_250);
/// let rules = sd_jwt::Validation::new(jwt::Validation::new(now).with_typ("example+sd-jwt"))
///     .with_key_binding("https://verifier.example.org", "1234567890")
///     .with_kb_max_age(60);
/// assert!(rules.requires_key_binding());
/// ```
#[derive(Clone, Debug)]
pub struct Validation {
    pub(super) claims: jwt::Validation,
    pub(super) key_binding: Option<(String, String)>,
    pub(super) kb_max_age: u64,
    pub(super) kb_leeway: u64,
    pub(super) kb_algorithms: Vec<&'static Algorithm>,
    pub(super) limits: Limits,
    pub(super) policy: Policy,
    pub(super) vc: Option<vc::Rules>,
}

impl Validation {
    /// Presentations without key binding whose issuer-signed JWT passes `claims` (checked
    /// against the processed payload), with the default limits.
    #[must_use]
    pub fn new(claims: jwt::Validation) -> Self {
        Self {
            claims,
            key_binding: None,
            kb_max_age: DEFAULT_KB_MAX_AGE,
            kb_leeway: 0,
            kb_algorithms: jwa::ASYMMETRIC.to_vec(),
            limits: Limits::DEFAULT,
            policy: Policy::Any,
            vc: None,
        }
    }

    /// Requires key binding (RFC 9901 §7.3): a KB-JWT whose `aud` is `audience` (this
    /// verifier) and whose `nonce` is `nonce` (this transaction's), made within the window,
    /// over this very presentation (`sd_hash`), and signed by the key of the payload's
    /// `cnf.jwk`.
    #[must_use]
    pub fn with_key_binding(
        mut self,
        audience: impl Into<String>,
        nonce: impl Into<String>,
    ) -> Self {
        self.key_binding = Some((audience.into(), nonce.into()));
        self
    }

    /// Accepts a KB-JWT made at most `seconds` before the claims rules' time (plus the
    /// leeway). Default [`DEFAULT_KB_MAX_AGE`].
    #[must_use]
    pub fn with_kb_max_age(mut self, seconds: u64) -> Self {
        self.kb_max_age = seconds;
        self
    }

    /// Allows `seconds` of clock skew on the KB-JWT's `iat`, `exp` and `nbf`. Default 0.
    #[must_use]
    pub fn with_kb_leeway(mut self, seconds: u64) -> Self {
        self.kb_leeway = seconds;
        self
    }

    /// Accepts KB-JWTs signed with these algorithms only; symmetric ones are dropped.
    #[must_use]
    pub fn with_kb_algorithms(mut self, algorithms: &[&'static Algorithm]) -> Self {
        self.kb_algorithms = algorithms
            .iter()
            .copied()
            .filter(|alg| !alg.is_symmetric())
            .collect();
        self
    }

    /// Sets the size limits; default [`Limits::DEFAULT`].
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Which signatures of a JWS JSON serialization must verify; default [`Policy::Any`].
    #[must_use]
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Whether a KB-JWT is required.
    #[must_use]
    pub fn requires_key_binding(&self) -> bool {
        self.key_binding.is_some()
    }

    /// The size limits.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The claims rules of the issuer-signed JWT.
    #[must_use]
    pub fn claims(&self) -> &jwt::Validation {
        &self.claims
    }
}

/// An SD-JWT presentation that passed every check of a [`Validation`]: the processed payload
/// (RFC 9901 §7.1: disclosures in place, `_sd`, `_sd_alg` and undisclosed array elements
/// removed) and what was verified. Only verification builds one.
#[derive(Debug)]
pub struct Verified {
    alg: &'static Algorithm,
    header: Header,
    claims: Map<String, Value>,
    times: [Option<NumericDate>; 3],
    key_binding: Option<Checked>,
}

impl Verified {
    /// The algorithm that verified the issuer's signature.
    #[must_use]
    pub fn algorithm(&self) -> &'static Algorithm {
        self.alg
    }

    /// The issuer-signed JWT's protected header (of the first signature that verified, for a
    /// JSON serialization).
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The processed payload.
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The processed payload, by value.
    #[must_use]
    pub fn into_claims(self) -> Map<String, Value> {
        self.claims
    }

    /// `exp`, if the processed payload has one (a fraction rounded down).
    #[must_use]
    pub fn expires_at(&self) -> Option<NumericDate> {
        self.times[0]
    }

    /// `nbf`, if the processed payload has one (a fraction rounded up).
    #[must_use]
    pub fn not_before(&self) -> Option<NumericDate> {
        self.times[1]
    }

    /// `iat`, if the processed payload has one (a fraction rounded up).
    #[must_use]
    pub fn issued_at(&self) -> Option<NumericDate> {
        self.times[2]
    }

    /// The KB-JWT's `iat` and algorithm, when key binding was required (and so checked).
    #[must_use]
    pub fn key_binding(&self) -> Option<(NumericDate, &'static Algorithm)> {
        self.key_binding.map(|checked| (checked.iat, checked.alg))
    }
}

/// Verifies an SD-JWT presentation, compact or JSON: `Unverified::parse_with_limits(input,
/// rules.limits())?.verify(keys, rules)`.
///
/// # Errors
///
/// Those of [`Unverified::parse_with_limits`] and [`Unverified::verify`].
pub fn verify<K: KeySource + ?Sized>(
    presentation: &str,
    keys: &K,
    rules: &Validation,
) -> Result<Verified, Error> {
    Unverified::parse_with_limits(presentation, &rules.limits)?.verify(keys, rules)
}

impl Unverified<'_> {
    /// Verifies the presentation against `rules` with the issuer keys `keys`, in this order,
    /// each step only if the one before passed (RFC 9901 §7.3, §7.1):
    ///
    /// 1. key binding as the rules decide: required and absent, or not required and present,
    ///    is refused;
    /// 2. the issuer-signed JWT: the JWS checks of [`jws::Unverified::verify`] (or, for a
    ///    JSON serialization, [`jws::UnverifiedJson::verify`] under the rules' [`Policy`]),
    ///    its payload encoded, its `typ` (the claims rules', or `dc+sd-jwt` for SD-JWT VC);
    /// 3. the payload, a strict JSON object, processed with the disclosures: every rule of
    ///    §7.1 steps 3 to 5 (see [`SdJwt`] for each), within the [`Limits`];
    /// 4. the processed payload against the claims rules (§7.1 step 6), and for SD-JWT VC its
    ///    `vct`;
    /// 5. the KB-JWT, when required (§7.3 step 5).
    ///
    /// # Errors
    ///
    /// [`SdJwt::MissingKeyBinding`], [`SdJwt::UnexpectedKeyBinding`]; the JWS errors
    /// ([`Error::Unsupported`], [`Error::NoKey`], [`Error::AlgorithmMismatch`],
    /// [`Error::InvalidSignature`], [`Error::Malformed`]); [`ClaimError::InvalidTyp`](crate::ClaimError::InvalidTyp) or
    /// [`SdJwt::VcTyp`]; [`Malformed::Json`] (part `claims`); the [`SdJwt`] reasons of
    /// processing and [`Error::TooLarge`]; [`Error::Claim`] for the claims rules; those of
    /// the KB-JWT check ([`SdJwt::NoHolderKey`], [`SdJwt::KbTyp`], ... [`SdJwt::KbSdHash`]).
    pub fn verify<K: KeySource + ?Sized>(
        self,
        keys: &K,
        rules: &Validation,
    ) -> Result<Verified, Error> {
        let parts = self.parts;
        if parts.disclosures.len() > rules.limits.disclosures() {
            return Err(Error::TooLarge {
                what: "number of disclosures",
                limit: rules.limits.disclosures(),
            });
        }
        match (&rules.key_binding, &parts.kb_jwt) {
            (Some(_), None) => return Err(SdJwt::MissingKeyBinding.into()),
            (None, Some(_)) => return Err(SdJwt::UnexpectedKeyBinding.into()),
            _ => {}
        }
        // What `sd_hash` covers, taken before a JSON serialization is consumed.
        let sd_jwt_text: Option<String> = match (&rules.key_binding, &parts.jwt) {
            (Some(_), Jwt::Json(_)) => Some(parts.sd_jwt_text().into_owned()),
            _ => None,
        };
        let (alg, headers, payload) = issuer_signature(parts.jwt, keys, rules)?;
        for header in &headers {
            match &rules.vc {
                Some(vc) => vc.check_typ(header.typ())?,
                None => rules.claims.check_typ(header.typ())?,
            }
        }
        let claims: Map<String, Value> = json::from_slice_in(&payload, "claims")?;
        let never: &[&'static str] = match rules.vc {
            Some(_) => &vc::NEVER_DISCLOSABLE,
            None => &[],
        };
        let processed = process::process(
            claims,
            &parts.disclosures,
            Rules {
                depth: self.limits.depth().min(rules.limits.depth()),
                never_disclosable: never,
                record: false,
            },
        )?;
        let claims = processed.claims;
        let times = jwt::check_claims(&claims, &rules.claims)?;
        if let Some(vc) = &rules.vc {
            vc.check_vct(&claims)?;
        }
        let key_binding = match (&rules.key_binding, &parts.kb_jwt) {
            (Some((audience, nonce)), Some(kb_jwt)) => {
                let sd_jwt = match (&sd_jwt_text, parts.compact_sd_jwt) {
                    (Some(text), _) => text.as_str(),
                    (None, Some(text)) => text,
                    // Unreachable: a compact form always has its SD-JWT text.
                    (None, None) => return Err(SdJwt::Format.into()),
                };
                let expect = Expect {
                    audience,
                    nonce,
                    now: rules.claims.now(),
                    max_age: rules.kb_max_age,
                    leeway: rules.kb_leeway,
                    algorithms: &rules.kb_algorithms,
                };
                Some(key_binding::check(kb_jwt, sd_jwt, &claims, &expect)?)
            }
            _ => None,
        };
        let header = headers.into_iter().next().unwrap_or_default();
        Ok(Verified {
            alg,
            header,
            claims,
            times,
            key_binding,
        })
    }
}

/// Verifies the issuer-signed JWT with `keys`: its algorithm, the protected header of every
/// signature that verified, and the decoded payload.
fn issuer_signature<K: KeySource + ?Sized>(
    jwt: Jwt<'_>,
    keys: &K,
    rules: &Validation,
) -> Result<(&'static Algorithm, Vec<Header>, Vec<u8>), Error> {
    match jwt {
        Jwt::Compact(jwt) => {
            let unverified = jws::Unverified::parse_with_limits(jwt, rules.claims.limits())?;
            if unverified.header().is_unencoded() {
                return Err(Malformed::InvalidMember("b64").into());
            }
            let (alg, header, segment) = unverified.verify_signature(keys)?;
            let payload = b64::decode(segment.as_bytes(), "payload")?;
            Ok((alg, alloc::vec![header], payload))
        }
        Jwt::Json(document) => {
            let verified = document.verify(keys, rules.policy)?;
            let alg = verified
                .signatures()
                .first()
                .map(jws::VerifiedSignature::algorithm)
                .ok_or(Error::InvalidSignature)?;
            let headers = verified
                .signatures()
                .iter()
                .map(|signature| signature.header().clone())
                .collect();
            Ok((alg, headers, verified.into_payload()))
        }
    }
}

impl Validation {
    /// Verifies SD-JWT VCs: the header `typ` must be `dc+sd-jwt` ([`SdJwt::VcTyp`]; this
    /// replaces the `typ` rule of the claims rules), `vct` must be a string
    /// ([`ClaimError::Missing`](crate::ClaimError::Missing), [`ClaimError::InvalidType`](crate::ClaimError::InvalidType)), and no claim of
    /// [`NEVER_DISCLOSABLE`](vc::NEVER_DISCLOSABLE) (nor anything inside one) may come from a disclosure
    /// ([`SdJwt::NeverDisclosable`]).
    ///
    /// ```
    /// use jose_ring::{jwt, sd_jwt};
    /// let now = jwt::NumericDate::from_seconds(1_748_537_250);
    /// let rules = sd_jwt::Validation::new(jwt::Validation::new(now))
    ///     .with_vct("urn:eudi:pid:de:1")
    ///     .with_key_binding("https://verifier.example.org", "1234567890");
    /// assert!(rules.is_vc());
    /// ```
    #[must_use]
    pub fn with_vc(mut self) -> Self {
        self.vc.get_or_insert_with(vc::Rules::default);
        self
    }

    /// [`with_vc`](Self::with_vc), accepting only credentials of the type `vct` (called
    /// again, of any of the types named): another is refused with [`SdJwt::VctMismatch`].
    #[must_use]
    pub fn with_vct(mut self, vct: impl Into<String>) -> Self {
        self.vc
            .get_or_insert_with(vc::Rules::default)
            .vct
            .push(vct.into());
        self
    }

    /// [`with_vc`](Self::with_vc), also accepting the `typ` `vc+sd-jwt` that issuers used
    /// before November 2024; the draft recommends it for a transitional period.
    #[must_use]
    pub fn with_legacy_vc_typ(mut self) -> Self {
        self.vc.get_or_insert_with(vc::Rules::default).legacy_typ = true;
        self
    }

    /// Whether the rules verify SD-JWT VCs.
    #[must_use]
    pub fn is_vc(&self) -> bool {
        self.vc.is_some()
    }
}
