//! The server side of RFC 9449: checking a DPoP proof (§4.3) against the request it came with.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::claims::{Compared, Iat, Jti, MAX_JTI_LEN, Observed};
use super::htu::normalize_htu;
use crate::b64;
use crate::error::{Dpop, Error, Malformed};
use crate::json;
use crate::jwa::{self, Algorithm};
use crate::jwk::Jwk;
use crate::jws;
use crate::limits::Limits;
use crate::time::NumericDate;

/// The longest proof accepted by default, in bytes: room for an 8192-bit RSA key and its
/// signature.
pub const MAX_PROOF_LEN: usize = 8 * 1024;

/// The default maximum age of a proof, in seconds.
pub const DEFAULT_MAX_AGE: u64 = 60;

/// What a DPoP proof must satisfy: the request it came with (method, URI, time), the server's
/// algorithms and nonce, and the access token it came with, if any.
///
/// Build one per request (it is cheap: the URI is normalised once, the access token hashed
/// once). Defaults: [`jwa::ASYMMETRIC`], a maximum age of 60 seconds ([`DEFAULT_MAX_AGE`]), no
/// leeway into the future, no nonce, proofs of at most 8 KiB ([`MAX_PROOF_LEN`]).
///
/// Replay (RFC 9449 §11.1) is the caller's check, in its own store, after [`verify`]
/// succeeded: record [`VerifiedProof::replay_key`] for [`replay_window`](Self::replay_window)
/// seconds with an atomic "insert if absent", and refuse the request if it was there.
///
/// ```
/// use jose_ring::dpop::ProofValidation;
/// use jose_ring::jwt::NumericDate;
/// use jose_ring::jwa;
/// let rules = ProofValidation::new("POST", "https://server.example.com/token", NumericDate::from_seconds(1_700_000_000))
///     .with_algorithms(&[&jwa::ES256, &jwa::HS256]) // HS256 is dropped: proofs need key pairs
///     .with_max_age(120)
///     .with_leeway(5);
/// assert_eq!(rules.algorithms(), &[&jwa::ES256]);
/// ```
#[derive(Clone)]
pub struct ProofValidation {
    htm: String,
    htu: Result<String, Error>,
    now: NumericDate,
    algorithms: Vec<&'static Algorithm>,
    max_age: u64,
    leeway: u64,
    nonces: Vec<String>,
    ath: Option<String>,
    limits: Limits,
}

impl ProofValidation {
    /// The rules for a request with method `htm` (`"GET"`, `"POST"`, compared exactly) to
    /// `htu` (the URI as the server received it: its query and fragment are ignored, and it is
    /// normalised with [`normalize_htu`]), checked at `now`.
    ///
    /// An `htu` that cannot be normalised makes every [`verify`] fail with its error.
    #[must_use]
    pub fn new(htm: &str, htu: &str, now: NumericDate) -> Self {
        Self {
            htm: htm.into(),
            htu: normalize_htu(htu),
            now,
            algorithms: jwa::ASYMMETRIC.to_vec(),
            max_age: DEFAULT_MAX_AGE,
            leeway: 0,
            nonces: Vec::new(),
            ath: None,
            limits: Limits::DEFAULT.with_token_len(MAX_PROOF_LEN),
        }
    }

    /// Accepts proofs signed with these algorithms only. Symmetric (HMAC) algorithms are
    /// dropped: a proof is signed with a key pair whose public half it carries.
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: &[&'static Algorithm]) -> Self {
        self.algorithms = algorithms
            .iter()
            .copied()
            .filter(|alg| !alg.is_symmetric())
            .collect();
        self
    }

    /// The algorithms accepted, for the `algs` of a [`Challenge`](super::Challenge).
    #[must_use]
    pub fn algorithms(&self) -> &[&'static Algorithm] {
        &self.algorithms
    }

    /// Rejects proofs issued more than `seconds` before `now` (plus the leeway). Default 60.
    #[must_use]
    pub fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_age = seconds;
        self
    }

    /// Allows `seconds` of clock skew, on both sides of the window. Default 0.
    #[must_use]
    pub fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Requires the proof's `nonce` (RFC 9449 §8, §9) to be `nonce`; called again, accepts
    /// any of the nonces given (while one is being replaced by the next).
    #[must_use]
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonces.push(nonce.into());
        self
    }

    /// The proof comes with this access token (RFC 9449 §7): its `ath` must be
    /// [`ath`](super::ath)`(access_token)`. Bind the token to the proof's key with
    /// [`Validation::with_dpop`](crate::jwt::Validation::with_dpop).
    #[must_use]
    pub fn with_access_token(mut self, access_token: &str) -> Self {
        self.ath = Some(super::ath(access_token));
        self
    }

    /// Sets the size limits for the proof; default [`MAX_PROOF_LEN`] bytes.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The time checked against.
    #[must_use]
    pub fn now(&self) -> NumericDate {
        self.now
    }

    /// How long, in seconds, a replay store must keep a proof these rules accepted: the maximum
    /// age plus twice the leeway. A proof accepted now may carry an `iat` up to the leeway in
    /// the future, and stays acceptable until that `iat` is the maximum age plus the leeway
    /// old.
    ///
    /// ```
    /// use jose_ring::{dpop::ProofValidation, jwt::NumericDate};
    /// let rules = ProofValidation::new("GET", "https://rs.example/", NumericDate::EPOCH).with_leeway(5);
    /// assert_eq!(rules.replay_window(), 70);
    /// ```
    #[must_use]
    pub fn replay_window(&self) -> u64 {
        self.max_age.saturating_add(self.leeway.saturating_mul(2))
    }
}

impl fmt::Debug for ProofValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofValidation")
            .field("htm", &self.htm)
            .field("htu", &self.htu)
            .field("now", &self.now)
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field("nonces", &self.nonces.len())
            .field("access_token", &self.ath.is_some())
            .field("limits", &self.limits)
            .finish()
    }
}

/// A DPoP proof that passed every check of a [`ProofValidation`]. Only [`verify`] builds one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    jkt: String,
    jti: String,
    iat: NumericDate,
    alg: &'static Algorithm,
}

impl VerifiedProof {
    /// The RFC 7638 thumbprint (SHA-256, base64url) of the proof's key: what an access token's
    /// `cnf.jkt` must be (RFC 9449 §6).
    #[must_use]
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// The proof's `jti`.
    #[must_use]
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The key a replay store records this proof under: its key's thumbprint and its `jti`
    /// (`"{jkt}:{jti}"`), so that two clients choosing the same `jti` never collide. Keep it
    /// for [`ProofValidation::replay_window`] seconds.
    ///
    /// ```
    /// use jose_ring::{dpop, jwa, jwt::NumericDate, SigningKey};
    /// let now = NumericDate::from_seconds(1_700_000_000);
    /// let key = SigningKey::generate(&jwa::ES256)?;
    /// let proof = dpop::ProofBuilder::new(&key, "GET", "https://rs.example/").with_iat(now).build()?;
    /// let checked = dpop::verify(&proof, &dpop::ProofValidation::new("GET", "https://rs.example/", now))?;
    /// assert_eq!(checked.replay_key(), format!("{}:{}", dpop::jkt(&key), checked.jti()));
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    #[must_use]
    pub fn replay_key(&self) -> String {
        format!("{}:{}", self.jkt, self.jti)
    }

    /// The proof's `iat` (a fraction rounded up).
    #[must_use]
    pub fn iat(&self) -> NumericDate {
        self.iat
    }

    /// The algorithm that verified the signature.
    #[must_use]
    pub fn algorithm(&self) -> &'static Algorithm {
        self.alg
    }
}

/// The one proof of a request, from the values of its `DPoP` header fields (RFC 9449 §4.3,
/// check 1): pass every value, as the HTTP library gives them.
///
/// A value with a `,` is two proofs joined by a proxy (RFC 9110 §5.3) and is refused too.
///
/// ```
/// use jose_ring::{dpop, Dpop, Error};
/// assert_eq!(dpop::single_proof(["a.b.c"]), Ok("a.b.c"));
/// assert_eq!(dpop::single_proof(Vec::<&str>::new()), Err(Error::Dpop(Dpop::NoProof)));
/// assert_eq!(dpop::single_proof(["a.b.c", "d.e.f"]), Err(Error::Dpop(Dpop::SeveralProofs)));
/// assert_eq!(dpop::single_proof(["a.b.c, d.e.f"]), Err(Error::Dpop(Dpop::SeveralProofs)));
/// ```
///
/// # Errors
///
/// [`Dpop::NoProof`] for no value, [`Dpop::SeveralProofs`] for more than one.
pub fn single_proof<T: AsRef<str>>(values: impl IntoIterator<Item = T>) -> Result<T, Error> {
    let mut values = values.into_iter();
    let first = values.next().ok_or(Dpop::NoProof)?;
    if values.next().is_some() || first.as_ref().contains(',') {
        return Err(Dpop::SeveralProofs.into());
    }
    Ok(first)
}

/// The longest decoded claims parsed without a heap allocation.
const CLAIMS_ON_STACK: usize = 1024;

/// Verifies a DPoP proof (RFC 9449 §4.3) against `rules`, in this order, each step only if the
/// one before passed:
///
/// 1. the request URI of the rules normalises; the proof is at most 8 KiB;
/// 2. it is a compact JWS whose protected header is strict JSON, with an attached, encoded
///    payload;
/// 3. `typ` is exactly `dpop+jwt`;
/// 4. `alg` is not `none`, not symmetric, and one of the rules' algorithms;
/// 5. `jwk` is present, an object, a JWK by every rule of [`Jwk::from_json`], without private
///    members, and binds to `alg` with every check of [`Jwk::verifying_key`] (weak keys
///    included);
/// 6. the signature verifies with that key, and only with it;
/// 7. the claims are a strict JSON object; `jti`, `htm`, `htu`, `iat` are present and of their
///    types (`ath`, `nonce` too, when present); `jti` is at most 256 bytes;
/// 8. `htm` equals the method, `htu` the URI (both normalised, without query and fragment);
/// 9. `iat` is at most the leeway in the future and at most the maximum age (plus leeway) old;
/// 10. the nonce, when the rules name one; `ath`, when they have an access token.
///
/// Then check replay yourself ([`VerifiedProof::replay_key`]).
///
/// This is the only place in the crate where a key carried in a header is used: `jws::verify`
/// and `jwt::decode` never look at `jwk`.
///
/// # Errors
///
/// [`Error::Dpop`] for the checks that are DPoP's own (each its own [`Dpop`] reason);
/// [`Error::TooLarge`], [`Error::Malformed`] for the JWS and JSON structure, the `jwk` members
/// and the payload; [`Unsupported::None`](crate::Unsupported::None) and [`Error::Unsupported`] for `none` and algorithms
/// `ring` lacks; [`Error::KeyRejected`] and [`Error::Unsupported`] for a `jwk` that does not
/// bind to `alg`; [`Error::InvalidSignature`]; [`Error::NoKey`] if the header has a `kid` that
/// is not the `jwk`'s own.
pub fn verify(proof: &str, rules: &ProofValidation) -> Result<VerifiedProof, Error> {
    let htu_expected = rules.htu.as_deref().map_err(Clone::clone)?;
    let unverified = jws::Unverified::parse_with_limits(proof, &rules.limits)?;
    let header = unverified.header();
    if header.is_unencoded() {
        return Err(Malformed::InvalidMember("b64").into());
    }
    if header.typ() != Some("dpop+jwt") {
        return Err(Dpop::InvalidTyp.into());
    }
    let alg = allowed(unverified.alg(), rules)?;
    let jwk = match header.member_value("jwk") {
        None => return Err(Dpop::MissingJwk.into()),
        Some(Value::Object(members)) => Jwk::from_members(members.clone())?,
        Some(_) => return Err(Malformed::InvalidMember("jwk").into()),
    };
    if jwk.is_private() {
        return Err(Dpop::PrivateJwk.into());
    }
    let key = jwk.verifying_key(alg)?;
    let (alg, _, payload) = unverified.verify_signature(&key)?;

    let mut stack = [0u8; CLAIMS_ON_STACK];
    let heap;
    let claims = match b64::decode_to_slice(payload.as_bytes(), "payload", &mut stack)? {
        Some(claims) => claims,
        None => {
            heap = b64::decode(payload.as_bytes(), "payload")?;
            &heap
        }
    };
    let seen = Observed::new(
        &rules.htm,
        htu_expected,
        rules.ath.as_deref(),
        &rules.nonces,
    );
    json::from_slice_tapped::<IgnoredAny>(claims, &seen).map_err(|problem| {
        Error::from(Malformed::Json {
            part: "claims",
            problem,
        })
    })?;
    let (jti, iat) = check_claims(&seen, rules)?;
    Ok(VerifiedProof {
        jkt: jwk.thumbprint(),
        jti,
        iat,
        alg,
    })
}

/// The accepted algorithm named `name` (RFC 9449 §4.3, check 5).
fn allowed(name: &str, rules: &ProofValidation) -> Result<&'static Algorithm, Error> {
    jwa::reject_unusable(name)?;
    if let Some(&alg) = rules.algorithms.iter().find(|alg| alg.name() == name) {
        return Ok(alg);
    }
    match jwa::Algorithm::from_name(name) {
        Ok(alg) if alg.is_symmetric() => Err(Dpop::SymmetricAlgorithm.into()),
        _ => Err(Dpop::AlgorithmNotAllowed.into()),
    }
}

/// The checks of the claims (RFC 9449 §4.3, checks 4 and 8 to 12), in the order of
/// [`verify`]. Returns `jti` and `iat`.
fn check_claims(
    seen: &Observed<'_>,
    rules: &ProofValidation,
) -> Result<(String, NumericDate), Error> {
    let jti = seen.jti.take();
    let (htm, htu, iat) = (seen.htm.get(), seen.htu.get(), seen.iat.get());
    let (ath, nonce) = (seen.ath.get(), seen.nonce.get());
    // Types first, then presence, then values.
    let invalid = [
        (matches!(jti, Jti::Invalid), "jti"),
        (htm == Compared::Invalid, "htm"),
        (htu == Compared::Invalid, "htu"),
        (iat == Iat::Invalid, "iat"),
        (ath == Compared::Invalid, "ath"),
        (nonce == Compared::Invalid, "nonce"),
    ];
    if let Some((_, name)) = invalid.iter().find(|(bad, _)| *bad) {
        return Err(Dpop::InvalidClaim(name).into());
    }
    let absent = [
        (matches!(jti, Jti::Absent), "jti"),
        (htm == Compared::Absent, "htm"),
        (htu == Compared::Absent, "htu"),
        (iat == Iat::Absent, "iat"),
    ];
    if let Some((_, name)) = absent.iter().find(|(missing, _)| *missing) {
        return Err(Dpop::MissingClaim(name).into());
    }
    let jti = match jti {
        Jti::Text(jti) => jti,
        Jti::TooLong => {
            return Err(Error::TooLarge {
                what: "jti",
                limit: MAX_JTI_LEN,
            });
        }
        Jti::Absent | Jti::Invalid => return Err(Dpop::MissingClaim("jti").into()),
    };
    if htm != Compared::Match {
        return Err(Dpop::HtmMismatch.into());
    }
    if htu != Compared::Match {
        return Err(Dpop::HtuMismatch.into());
    }
    let Iat::At(iat) = iat else {
        return Err(Dpop::MissingClaim("iat").into());
    };
    let now = rules.now;
    let leeway = i64::try_from(rules.leeway).unwrap_or(i64::MAX);
    if iat.saturating_sub(leeway) > now {
        return Err(Dpop::IssuedInFuture { now, iat }.into());
    }
    let max_age = i64::try_from(rules.max_age)
        .unwrap_or(i64::MAX)
        .saturating_add(leeway);
    if now.seconds_since(iat) > max_age {
        return Err(Dpop::TooOld { now, iat }.into());
    }
    if !rules.nonces.is_empty() {
        match nonce {
            Compared::Match => {}
            Compared::Absent => return Err(Dpop::MissingNonce.into()),
            Compared::Mismatch | Compared::Invalid => return Err(Dpop::NonceMismatch.into()),
        }
    }
    if rules.ath.is_some() {
        match ath {
            Compared::Match => {}
            Compared::Absent => return Err(Dpop::MissingAth.into()),
            Compared::Mismatch | Compared::Invalid => return Err(Dpop::AthMismatch.into()),
        }
    }
    Ok((jti, iat))
}
