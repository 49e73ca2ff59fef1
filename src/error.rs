//! The one error type of the crate, and the reasons it carries.
//!
//! Every message is lowercase, names the part of the input at fault, and never contains bytes
//! of a token, a claim or a key: an [`Error`] is safe to log as it is. A signature that does not
//! verify is reported as [`Error::InvalidSignature`] and nothing more.

use core::fmt;

use crate::serialization::Serialization;
use crate::time::NumericDate;

/// Everything that can go wrong in this crate.
///
/// The variants say which step failed; the sub-enums say why. Matching on the variant is stable;
/// new variants and new reasons may be added in minor releases.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a well-formed JOSE object: wrong structure, encoding or JSON.
    Malformed(Malformed),
    /// The input asks for an algorithm, curve or extension this crate does not implement or never
    /// accepts (`alg: none`).
    Unsupported(Unsupported),
    /// A token's `alg` (or that of a header given as JSON for signing) is not the algorithm
    /// the key is bound to.
    ///
    /// This is how an RS256 public key used as an HS256 secret, or any other algorithm
    /// substitution, fails: before any cryptography runs. It is about a token and a key that
    /// exists; [`KeyRejected::WrongAlgorithm`] is about key material that cannot become a key
    /// for the algorithm asked for.
    AlgorithmMismatch {
        /// The name of the algorithm the key is bound to.
        expected: &'static str,
    },
    /// No key of the key source fits the token.
    NoKey(NoKey),
    /// The signature or MAC does not verify.
    InvalidSignature,
    /// A key could not be built from the material given.
    KeyRejected(KeyRejected),
    /// An input is larger than the limit set for it.
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in force, in bytes or items as `what` says.
        limit: usize,
    },
    /// Signing failed: the random number generator or the signer reported an error.
    SigningFailed,
    /// A JWT's signature verified but its claims or type do not pass the
    /// [`Validation`](crate::jwt::Validation).
    Claim(ClaimError),
    /// The caller's own values cannot make a JWS, a JWT or a JWK: a mistake in the calling
    /// code, never caused by untrusted input (the signing side's counterpart of
    /// [`Error::Malformed`]).
    Misuse(Misuse),
    /// A remote key set or its discovery document cannot serve: see [`jwks`](crate::jwks).
    KeySet(KeySetError),
    /// A DPoP proof (RFC 9449) is refused by [`dpop::verify`](crate::dpop::verify) for a
    /// reason of DPoP's own; the JWS and JWK steps of the check report their usual errors
    /// ([`Error::InvalidSignature`], [`Error::KeyRejected`], ...).
    Dpop(Dpop),
    /// An SD-JWT (RFC 9901), its Key Binding JWT or an SD-JWT VC is refused by
    /// [`sd_jwt`](crate::sd_jwt) for a reason of SD-JWT's own; the JWS, JWK and claim steps
    /// report their usual errors ([`Error::InvalidSignature`], [`Error::Claim`], ...).
    SdJwt(SdJwt),
}

/// Why a remote key set ([`jwks`](crate::jwks)) cannot serve a token, or why a discovery
/// document is refused.
///
/// Verification fails closed with one of these: the token may be fine, but its keys cannot
/// be established (an HTTP service answers 503, not 401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySetError {
    /// No key set has been fetched successfully yet.
    NotFetched,
    /// The last good key set is older than the policy's maximum staleness (the provider has
    /// not answered for too long).
    Stale {
        /// Seconds since the set was last fetched or revalidated.
        age: u64,
        /// The most the policy allows, in seconds.
        max: u64,
    },
    /// The fetch function reported an error (network, timeout, TLS).
    FetchFailed,
    /// The key set endpoint answered with an HTTP status other than 200, or 304 to a request
    /// that was not conditional.
    Status(u16),
    /// A fetch completed was not the one the cache started last (it was abandoned, or
    /// completed twice): its outcome is ignored.
    StaleFetch,
    /// A discovery document's `issuer` is not, exactly, the issuer expected.
    IssuerMismatch,
    /// A URI (`issuer`, `jwks_uri`) is not an absolute `https` URI without credentials (or a
    /// loopback `http` URI, when allowed); an issuer also has no query or fragment.
    InsecureUri(&'static str),
}

/// A mistake of the calling code on the signing side: what it passed cannot be written.
///
/// Untrusted input never causes one, so a `Misuse` is a bug to fix rather than a token to
/// refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// A value the caller gave does not serialize to JSON (its `Serialize` failed, or a map
    /// has keys JSON cannot hold): `"header member"`, `"claims"` or `"jwk member"`.
    Unserializable(&'static str),
    /// [`Header::with_member`](crate::jws::Header::with_member) was given a name that is set
    /// with a method of its own (`alg`, `typ`, `cty`, `kid`, `crit`, `b64`).
    OwnMethod(&'static str),
    /// A JWS JSON serialization was to be signed with no signatory.
    NoSignatory,
    /// No time was given where the `std` clock is not available: a DPoP proof built without
    /// `std` needs [`ProofBuilder::with_iat`](crate::dpop::ProofBuilder::with_iat).
    NoTime,
    /// A DPoP nonce the server would send is not 1 or more `NQCHAR`s (visible ASCII other
    /// than the double quote and the backslash, RFC 9449 §8.1).
    DpopNonce,
    /// A JSON Pointer (RFC 6901) given to [`sd_jwt`](crate::sd_jwt) is not one, or names
    /// nothing in the claims (or names the whole object).
    Pointer,
    /// Claims to issue as an SD-JWT hold a name SD-JWT reserves (`_sd`, `_sd_alg`, `...`,
    /// RFC 9901 §4.1), or a claim kept visible was named selectively disclosable.
    SdClaims,
}

/// Why a JWT whose signature verified is still rejected (RFC 7519 §4.1, RFC 8725 §3.11).
///
/// Times are the validation's `now` and the token's value in seconds; names are registered
/// claim names or names from the caller's own configuration. No message quotes a string from
/// the token: a wrong `iss` or `aud` is reported without its value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimError {
    /// `now` is at or after `exp` (plus leeway).
    Expired {
        /// The validation's time.
        now: NumericDate,
        /// The token's `exp`.
        exp: NumericDate,
    },
    /// `now` is before `nbf` (minus leeway).
    NotYetValid {
        /// The validation's time.
        now: NumericDate,
        /// The token's `nbf`.
        nbf: NumericDate,
    },
    /// `iat` is after `now` (plus leeway).
    IssuedInFuture {
        /// The validation's time.
        now: NumericDate,
        /// The token's `iat`.
        iat: NumericDate,
    },
    /// The token is older than the validation's maximum age, counted from `iat`.
    TooOld {
        /// The validation's time.
        now: NumericDate,
        /// The token's `iat`.
        iat: NumericDate,
    },
    /// A claim the validation requires is absent: a registered claim its rules read, or one
    /// named with [`Validation::with_required`](crate::jwt::Validation::with_required) (absent or `null`).
    Missing(alloc::borrow::Cow<'static, str>),
    /// A claim the validation reads has the wrong JSON type (`"exp":"123"`, `null`, ...).
    InvalidType(&'static str),
    /// `iss` is not one of the expected issuers.
    InvalidIssuer,
    /// `aud` holds none of the expected audiences.
    InvalidAudience,
    /// The token has an `aud` and the validation expects none (RFC 7519 §4.1.3).
    UnexpectedAudience,
    /// `sub` is not the expected subject.
    InvalidSubject,
    /// The header's `typ` is not the expected token type (RFC 8725 §3.11).
    InvalidTyp,
    /// The `scope` claim lacks this required scope.
    MissingScope(alloc::boxed::Box<str>),
    /// The roles claim lacks this required role.
    MissingRole(alloc::boxed::Box<str>),
    /// The token's `jti` is revoked. The library never decides this itself (revocation is the
    /// caller's lookup after verification): a caller reports its store's answer with it, so
    /// that answers ([`Challenge::for_token_error`](crate::dpop::Challenge::for_token_error))
    /// and logs keep one vocabulary.
    Revoked,
    /// The token is bound to a key (`cnf.jkt`, RFC 9449 §6) and the validation checked no
    /// DPoP proof: set one with
    /// [`Validation::with_dpop`](crate::jwt::Validation::with_dpop).
    ProofRequired,
    /// The token's `cnf.jkt` is not the thumbprint of the DPoP proof's key (RFC 9449 §6.1).
    ProofKeyMismatch,
}

/// Why an input is not well-formed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// A compact serialization is not exactly three segments separated by `.`.
    Segments,
    /// A compact serialization holds a byte outside `A-Z a-z 0-9 - _ .`.
    Character,
    /// A member or segment is not canonical, unpadded base64url (RFC 7515 §2).
    Base64(&'static str),
    /// A JSON text is not acceptable.
    Json {
        /// Which JSON text: `"header"`, `"payload"`, `"jwk"`, ...
        part: &'static str,
        /// What is wrong with it.
        problem: JsonProblem,
    },
    /// Detached content was given for a JWS whose payload is not detached (empty).
    NotDetached,
    /// A required member is absent.
    MissingMember(&'static str),
    /// A member has the wrong JSON type or a value outside what the specification allows.
    InvalidMember(&'static str),
    /// The `crit` header member breaks a rule of RFC 7515 §4.1.11.
    Crit(CritProblem),
    /// An unencoded payload (RFC 7797 `b64: false`) is used against the rules of RFC 7797.
    Unencoded(UnencodedProblem),
    /// Not a JWS JSON serialization (RFC 7515 §7.2): the input is not a JSON object (a compact
    /// token, for example), or it has neither `signatures` (general syntax) nor `signature`
    /// (flattened syntax), or it mixes the two.
    Serialization,
    /// A header parameter is in both the protected and the unprotected header of one signature
    /// (RFC 7515 §7.2.1: their names must be disjoint).
    HeaderOverlap,
    /// A header parameter that this crate only honours when integrity protected (`alg`) is in
    /// an unprotected header and not in the protected one.
    Unprotected(&'static str),
    /// The JWS cannot be written in this serialization: the compact one holds exactly one
    /// signature and no unprotected header, the flattened one exactly one signature.
    Unrepresentable(Serialization),
}

/// What is wrong with a JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonProblem {
    /// Not valid JSON (syntax, encoding, end of input), at this line and column.
    Syntax {
        /// One-based line of the error.
        line: usize,
        /// One-based column of the error.
        column: usize,
    },
    /// The top level is not a JSON object.
    NotObject,
    /// An object has two members with the same name (RFC 7515 §5.2, RFC 7519 §4).
    DuplicateMember,
    /// Arrays and objects are nested deeper than the limit.
    TooDeep,
    /// Valid JSON is followed by more than whitespace.
    TrailingCharacters,
    /// A member the target type requires is absent.
    MissingField(&'static str),
    /// A value has the wrong JSON type for the target type.
    InvalidType {
        /// What the target type expected, in its own words.
        expected: alloc::boxed::Box<str>,
        /// The kind of JSON value found (`string`, `integer`, ...), never the value.
        found: &'static str,
    },
    /// A value has the right type but does not fit the target type (length, range, variant).
    InvalidValue,
    /// The top level is not a JSON array, where one is expected (an SD-JWT disclosure).
    NotArray,
}

/// Why a `crit` header member is rejected (RFC 7515 §4.1.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CritProblem {
    /// `crit` is not a non-empty array of unique strings.
    Malformed,
    /// `crit` names an extension this crate does not understand (only `b64` is understood).
    Unknown,
    /// `crit` names a header parameter this specification already defines.
    Registered,
    /// `crit` names a header parameter that the protected header does not contain.
    Absent,
    /// `crit` appears outside the protected header.
    Unprotected,
}

/// Why an unencoded payload (RFC 7797) is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnencodedProblem {
    /// `b64` is present but `crit` does not list it (RFC 7797 §6).
    NotCritical,
    /// `b64` is not a boolean, or appears outside the protected header.
    Malformed,
    /// An unencoded payload in a compact serialization is not text without `.` (RFC 7797 §5.2).
    PayloadCharacters,
    /// The signatures of one JWS disagree on `b64` (RFC 7797 §3).
    Inconsistent,
    /// An unencoded payload carried in a JWS JSON serialization is not UTF-8 text (it travels
    /// as a JSON string; detach it to sign other bytes).
    NotText,
}

/// An algorithm, curve, key type or feature this crate recognises but does not provide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// An unsecured JWS (`alg: none`, in any spelling). It is never accepted.
    None,
    /// A registered algorithm `ring` does not implement (for example `ES512`, `ES256K`).
    Algorithm(&'static str),
    /// An algorithm name this crate does not know.
    UnknownAlgorithm,
    /// An elliptic curve `ring` does not implement (for example `P-521`, `secp256k1`, `Ed448`).
    Curve(&'static str),
    /// A key type this crate does not know.
    KeyType,
    /// An RSA private key without its CRT parameters, or with more than two primes.
    RsaKeyShape,
    /// RSA key generation: `ring` cannot generate RSA keys (use `openssl genpkey`).
    RsaKeyGeneration,
    /// A JWK `crv` this crate does not know.
    UnknownCurve,
}

/// Why a key source holds no key for a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoKey {
    /// The token names a `kid` that no usable key has.
    UnknownKid,
    /// No key for the token's `alg` (with its `kid`, if it names one).
    Algorithm,
    /// More than one key fits and the token does not tell them apart.
    Ambiguous,
    /// The token has no `iss`, or one that names none of the issuers a
    /// [`jwks::Issuers`](crate::jwks::Issuers) verifier knows.
    UnknownIssuer,
}

/// Why a key could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyRejected {
    /// An HMAC secret shorter than the hash output of its algorithm (RFC 7518 §3.2).
    HmacTooShort {
        /// The algorithm's minimum, in bytes.
        min: usize,
    },
    /// An RSA modulus outside 2048..=8192 bits, counted exactly.
    RsaModulusSize {
        /// The modulus size found, in bits.
        bits: usize,
    },
    /// An RSA public exponent ring does not accept (even, below 3, or over 33 bits).
    RsaExponent,
    /// Key material that cannot be bound to the algorithm asked for: a key type, curve or
    /// JWK `alg` member that does not fit it. Raised when a key is built, before any token is
    /// seen; a token whose `alg` is not its key's is [`Error::AlgorithmMismatch`].
    WrongAlgorithm {
        /// The algorithm asked for.
        expected: &'static str,
    },
    /// A private key is encrypted; decrypt it first (for example with `openssl pkcs8`).
    Encrypted,
    /// Not a PEM document this crate reads, or a PEM label that does not fit the call.
    Pem,
    /// Not valid DER, or not the ASN.1 structure the call expects.
    Der,
    /// A component of the key is out of range or of the wrong length.
    InvalidComponent(&'static str),
    /// The private and public parts of a key do not match, or ring rejected the key.
    Inconsistent,
    /// The key may not be used for this operation (`use` or `key_ops`).
    Usage,
    /// The random number generator failed while generating a key.
    Rng,
    /// A symmetric key has no public form: it cannot be written as a public JWK, nor join a
    /// [`KeyRing`](crate::jwk::KeyRing) of public keys.
    Symmetric,
    /// An Ed25519 public key names a point of small order (the identity, or one of the seven
    /// other points whose order divides 8): with it, fixed signatures verify for any message.
    SmallOrderPoint,
    /// An Ed25519 public key is not canonically encoded: its `y` is not below 2^255 − 19.
    NonCanonicalPoint,
    /// An RSA modulus has the ROCA structure (CVE-2017-15361): anyone can factor it.
    RocaModulus,
}

/// Why a DPoP proof (RFC 9449 §4.3) is refused, for the checks that are DPoP's own.
///
/// [`MissingNonce`](Self::MissingNonce) and [`NonceMismatch`](Self::NonceMismatch) are the two
/// a server answers with `error="use_dpop_nonce"` and a fresh `DPoP-Nonce`; every other
/// reason (and every other error of [`dpop::verify`](crate::dpop::verify)) is
/// `error="invalid_dpop_proof"`. [`dpop::Challenge::for_proof_error`](crate::dpop::Challenge::for_proof_error)
/// makes that choice.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dpop {
    /// The request carries no `DPoP` header.
    NoProof,
    /// The request carries more than one `DPoP` header (RFC 9449 §4.3, check 1).
    SeveralProofs,
    /// The header `typ` is not exactly `dpop+jwt`.
    InvalidTyp,
    /// The header `alg` names a symmetric (HMAC) algorithm: a proof needs a key pair.
    SymmetricAlgorithm,
    /// The header `alg` is not one of the asymmetric algorithms the server accepts.
    AlgorithmNotAllowed,
    /// The header has no `jwk`.
    MissingJwk,
    /// The header `jwk` holds private key members (RFC 9449 §4.3, check 7).
    PrivateJwk,
    /// A required claim (`jti`, `htm`, `htu`, `iat`) is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an unusable value (an empty `jti`, an `htu` that is
    /// not an absolute `http` or `https` URI).
    InvalidClaim(&'static str),
    /// `htm` is not the method of the request.
    HtmMismatch,
    /// `htu` is not the URI of the request, compared after normalisation and without query
    /// and fragment.
    HtuMismatch,
    /// A URI given to [`normalize_htu`](crate::dpop::normalize_htu) (the request's, or a
    /// client's `htu`) is not an absolute `http` or `https` URI this crate can normalise.
    InvalidUri,
    /// `iat` is after `now` plus the leeway.
    IssuedInFuture {
        /// The validation's time.
        now: crate::time::NumericDate,
        /// The proof's `iat`.
        iat: crate::time::NumericDate,
    },
    /// `iat` is older than the maximum age plus the leeway.
    TooOld {
        /// The validation's time.
        now: crate::time::NumericDate,
        /// The proof's `iat`.
        iat: crate::time::NumericDate,
    },
    /// The server asked for a nonce and the proof has none.
    MissingNonce,
    /// The proof's `nonce` is not one the server accepts.
    NonceMismatch,
    /// An access token came with the proof and the proof has no `ath`.
    MissingAth,
    /// The proof's `ath` is not the hash of the access token it came with.
    AthMismatch,
    /// The proof (its [`replay_key`](crate::dpop::VerifiedProof::replay_key)) was seen before.
    /// The library never decides this itself (replay is the caller's lookup after
    /// verification): a caller reports its store's answer with it.
    Replayed,
}

/// Why an SD-JWT, an SD-JWT+KB (RFC 9901) or an SD-JWT VC is refused, for the rules that are
/// SD-JWT's own. Section numbers are RFC 9901's unless said otherwise.
///
/// No message quotes a claim name or value from the input: a claim name in a reason is one of
/// this crate's fixed lists.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SdJwt {
    /// Not `<JWT>~<Disclosure>~...~<Disclosure>~<KB-JWT or nothing>`: no `~` after the
    /// issuer-signed JWT, or an empty disclosure between two `~` (§4).
    Format,
    /// A disclosure is not a JSON array (§4.2).
    DisclosureNotArray,
    /// A disclosure's salt is not a string (§4.2.1).
    Salt,
    /// A disclosure's claim name is not a string (§4.2.1).
    ClaimName,
    /// A disclosure referenced from an object's `_sd` is not an array of three elements
    /// (salt, claim name, value: §7.1 step 3.3.2.1).
    ObjectDisclosure,
    /// A disclosure referenced from an array element is not an array of two elements (salt,
    /// value: §7.1 step 3.3.3.1).
    ArrayDisclosure,
    /// A disclosure names its claim `_sd` or `...` (§7.1 step 3.3.2.2).
    ReservedClaimName,
    /// A disclosure's claim name is already a claim of the object it goes into (§7.1 step
    /// 3.3.2.3).
    ClaimNameCollision,
    /// An `_sd` member is not an array of strings (§4.2.4.1).
    SdNotDigests,
    /// `...` appears other than as the only member, a string, of an array element (§4.2.4.2).
    Placeholder,
    /// A digest appears more than once in the payload and the disclosures (§7.1 step 4).
    DuplicateDigest,
    /// A disclosure is referenced by no digest of the payload or of another disclosure
    /// (§7.1 step 5).
    UnreferencedDisclosure,
    /// The same disclosure is sent more than once (§4).
    DuplicateDisclosure,
    /// `_sd_alg` appears below the top level of the payload (§4.1.1).
    NestedSdAlg,
    /// `_sd_alg` is not `sha-256`, the one hash algorithm this crate uses (§4.1.1, §7.1
    /// step 2.4).
    UnsupportedSdAlg,
    /// The verifier requires key binding and the presentation has no KB-JWT (§7.3 step 2).
    MissingKeyBinding,
    /// A KB-JWT came where none is expected: the verifier did not ask for key binding, so it
    /// expects an SD-JWT whose last component is empty (§4, §7.3 step 1); or a holder was
    /// given an SD-JWT+KB (§7.2).
    UnexpectedKeyBinding,
    /// Key binding is required and the payload's `cnf` has no `jwk` (§4.1.2, §7.3 step 5.1).
    NoHolderKey,
    /// The holder's key in `cnf.jwk` holds private key members.
    PrivateHolderKey,
    /// The KB-JWT's header `typ` is not `kb+jwt` (§4.3).
    KbTyp,
    /// The KB-JWT's `alg` is not one of the asymmetric algorithms the verifier accepts
    /// (§7.3 step 5.2).
    KbAlgorithm,
    /// A claim the KB-JWT must have (`iat`, `aud`, `nonce`, `sd_hash`) is absent (§4.3).
    KbMissingClaim(&'static str),
    /// A KB-JWT claim has the wrong JSON type (§4.3: `aud` a single string).
    KbInvalidClaim(&'static str),
    /// The KB-JWT's `iat` is after `now` plus the leeway (§7.3 step 5.5).
    KbIssuedInFuture {
        /// The verifier's time.
        now: NumericDate,
        /// The KB-JWT's `iat`.
        iat: NumericDate,
    },
    /// The KB-JWT's `iat` is older than the verifier's window (§7.3 step 5.5).
    KbTooOld {
        /// The verifier's time.
        now: NumericDate,
        /// The KB-JWT's `iat`.
        iat: NumericDate,
    },
    /// The KB-JWT has an `exp` and `now` is at or after it (§7.3 step 5.8).
    KbExpired {
        /// The verifier's time.
        now: NumericDate,
        /// The KB-JWT's `exp`.
        exp: NumericDate,
    },
    /// The KB-JWT has an `nbf` and `now` is before it (§7.3 step 5.8).
    KbNotYetValid {
        /// The verifier's time.
        now: NumericDate,
        /// The KB-JWT's `nbf`.
        nbf: NumericDate,
    },
    /// The KB-JWT's `aud` is not the verifier (§7.3 step 5.6).
    KbAudience,
    /// The KB-JWT's `nonce` is not the one of this transaction (§7.3 step 5.6).
    KbNonce,
    /// The KB-JWT's `sd_hash` is not the digest of the SD-JWT it came with (§4.3.1, §7.3
    /// step 5.7).
    KbSdHash,
    /// `disclosures` or `kb_jwt` is in an unprotected header other than the first
    /// signature's, or is not of its type (§8.1, §8.3).
    JsonHeader,
    /// SD-JWT VC: a claim that must never be selectively disclosed (`iss`, `nbf`, `exp`,
    /// `cnf`, `vct`, `vct#integrity`, `status`), or a member of one, came in a disclosure
    /// (draft-ietf-oauth-sd-jwt-vc §3.2.2.2).
    NeverDisclosable(&'static str),
    /// SD-JWT VC: the header `typ` is not `dc+sd-jwt` (draft-ietf-oauth-sd-jwt-vc §3.2.1).
    VcTyp,
    /// SD-JWT VC: `vct` is not the credential type the verifier expects.
    VctMismatch,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed input: {why}"),
            Self::Unsupported(why) => write!(f, "unsupported: {why}"),
            Self::AlgorithmMismatch { expected } => {
                write!(f, "token alg does not match the key's algorithm {expected}")
            }
            Self::NoKey(why) => write!(f, "no key for this token: {why}"),
            Self::InvalidSignature => f.write_str("invalid signature"),
            Self::KeyRejected(why) => write!(f, "key rejected: {why}"),
            Self::TooLarge { what, limit } => {
                write!(f, "{what} is larger than the limit of {limit}")
            }
            Self::SigningFailed => f.write_str("signing failed"),
            Self::Claim(why) => write!(f, "jwt rejected: {why}"),
            Self::Misuse(why) => write!(f, "misuse: {why}"),
            Self::KeySet(why) => write!(f, "key set: {why}"),
            Self::Dpop(why) => write!(f, "dpop proof rejected: {why}"),
            Self::SdJwt(why) => write!(f, "sd-jwt rejected: {why}"),
        }
    }
}

impl fmt::Display for ClaimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Expired { now, exp } => write!(f, "expired at {exp} (now {now})"),
            Self::NotYetValid { now, nbf } => write!(f, "not valid before {nbf} (now {now})"),
            Self::IssuedInFuture { now, iat } => {
                write!(f, "issued in the future at {iat} (now {now})")
            }
            Self::TooOld { now, iat } => {
                write!(f, "issued at {iat}, older than the maximum age (now {now})")
            }
            Self::Missing(name) => write!(f, "claim `{name}` is missing"),
            Self::InvalidType(name) => write!(f, "claim `{name}` has the wrong JSON type"),
            Self::InvalidIssuer => f.write_str("iss is not an expected issuer"),
            Self::InvalidAudience => f.write_str("aud holds no expected audience"),
            Self::UnexpectedAudience => f.write_str("aud is present but no audience is expected"),
            Self::InvalidSubject => f.write_str("sub is not the expected subject"),
            Self::InvalidTyp => f.write_str("header typ is not the expected token type"),
            Self::MissingScope(scope) => write!(f, "scope `{scope}` is missing"),
            Self::MissingRole(role) => write!(f, "role `{role}` is missing"),
            Self::Revoked => f.write_str("token is revoked"),
            Self::ProofRequired => {
                f.write_str("token is bound to a key (cnf.jkt) and no DPoP proof was checked")
            }
            Self::ProofKeyMismatch => {
                f.write_str("cnf.jkt is not the thumbprint of the DPoP proof's key")
            }
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Segments => f.write_str("compact serialization needs exactly three segments"),
            Self::Character => f.write_str("compact serialization holds a byte outside base64url"),
            Self::Base64(part) => write!(f, "{part} is not canonical unpadded base64url"),
            Self::Json { part, problem } => write!(f, "{part}: {problem}"),
            Self::NotDetached => f.write_str("detached content needs an empty payload segment"),
            Self::MissingMember(name) => write!(f, "member `{name}` is missing"),
            Self::InvalidMember(name) => write!(f, "member `{name}` has an invalid value"),
            Self::Crit(why) => write!(f, "crit: {why}"),
            Self::Unencoded(why) => write!(f, "b64: {why}"),
            Self::Serialization => f.write_str(
                "not a JWS JSON serialization: needs `signatures` (general) or `signature` \
                 (flattened), not both",
            ),
            Self::HeaderOverlap => {
                f.write_str("a header parameter is in both the protected and unprotected header")
            }
            Self::Unprotected(name) => {
                write!(f, "header parameter `{name}` is not integrity protected")
            }
            Self::Unrepresentable(form) => {
                write!(f, "the {form} serialization cannot hold this JWS")
            }
        }
    }
}

impl fmt::Display for KeySetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFetched => f.write_str("no key set has been fetched yet"),
            Self::Stale { age, max } => write!(
                f,
                "the last good key set is {age} s old, beyond the maximum staleness of {max} s"
            ),
            Self::FetchFailed => f.write_str("fetching the key set failed"),
            Self::Status(status) => write!(f, "the key set endpoint answered HTTP {status}"),
            Self::StaleFetch => f.write_str("a fetch the cache no longer waits for was ignored"),
            Self::IssuerMismatch => f.write_str("issuer is not the issuer expected"),
            Self::InsecureUri(what) => {
                write!(f, "{what} is not an https URI this policy allows")
            }
        }
    }
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unserializable(what) => write!(f, "cannot write the {what} as JSON"),
            Self::OwnMethod(name) => {
                write!(f, "header member `{name}` is set with its own method")
            }
            Self::NoSignatory => f.write_str("signing needs at least one signatory"),
            Self::NoTime => f.write_str("no clock without std: set the time explicitly"),
            Self::Pointer => {
                f.write_str("a JSON pointer is malformed or names nothing in the claims")
            }
            Self::SdClaims => f.write_str(
                "claims hold a name SD-JWT reserves, or a claim kept visible was made disclosable",
            ),
            Self::DpopNonce => {
                f.write_str("a DPoP nonce must be visible ASCII without quotes or backslashes")
            }
        }
    }
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, column } => {
                write!(f, "invalid JSON at line {line} column {column}")
            }
            Self::NotObject => f.write_str("top level is not a JSON object"),
            Self::DuplicateMember => f.write_str("duplicate member name"),
            Self::TooDeep => f.write_str("JSON nested too deeply"),
            Self::TrailingCharacters => f.write_str("trailing characters after the JSON value"),
            Self::MissingField(name) => write!(f, "missing member `{name}`"),
            Self::InvalidType { expected, found } => {
                write!(f, "invalid type: found {found}, expected {expected}")
            }
            Self::InvalidValue => f.write_str("a value does not fit the expected type"),
            Self::NotArray => f.write_str("top level is not a JSON array"),
        }
    }
}

impl fmt::Display for CritProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "not a non-empty array of unique names",
            Self::Unknown => "names an extension that is not understood",
            Self::Registered => "names a header parameter the specification defines",
            Self::Absent => "names a parameter absent from the protected header",
            Self::Unprotected => "is not in the protected header",
        })
    }
}

impl fmt::Display for UnencodedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotCritical => "present but not listed in crit",
            Self::Malformed => "not a boolean in the protected header",
            Self::PayloadCharacters => {
                "an unencoded payload in compact form must be text without '.'"
            }
            Self::Inconsistent => "signatures disagree on b64",
            Self::NotText => "an unencoded payload in JSON form must be UTF-8 text",
        })
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("unsecured JWS (alg none) is never accepted"),
            Self::Algorithm(name) => write!(f, "algorithm {name} is not implemented by ring"),
            Self::UnknownAlgorithm => f.write_str("unknown algorithm"),
            Self::Curve(name) => write!(f, "curve {name} is not implemented by ring"),
            Self::KeyType => f.write_str("unknown key type"),
            Self::RsaKeyShape => {
                f.write_str("RSA private keys need exactly two primes and their CRT parameters")
            }
            Self::RsaKeyGeneration => f.write_str("ring cannot generate RSA keys"),
            Self::UnknownCurve => f.write_str("unknown curve"),
        }
    }
}

impl fmt::Display for NoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownKid => "unknown kid",
            Self::Algorithm => "no key for this alg",
            Self::Ambiguous => "ambiguous: several keys fit and the token does not tell them apart",
            Self::UnknownIssuer => "iss names no known issuer",
        })
    }
}

impl fmt::Display for KeyRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HmacTooShort { min } => write!(f, "HMAC secret shorter than {min} bytes"),
            Self::RsaModulusSize { bits } => {
                write!(f, "RSA modulus of {bits} bits is outside 2048..=8192")
            }
            Self::RsaExponent => f.write_str("RSA public exponent is not accepted"),
            Self::WrongAlgorithm { expected } => {
                write!(f, "key does not fit algorithm {expected}")
            }
            Self::Encrypted => f.write_str("private key is encrypted; decrypt it first"),
            Self::Pem => f.write_str("not a PEM document of the expected kind"),
            Self::Der => f.write_str("not valid DER of the expected structure"),
            Self::InvalidComponent(name) => write!(f, "key component `{name}` is invalid"),
            Self::Inconsistent => f.write_str("private and public parts do not match"),
            Self::Usage => f.write_str("key use or key_ops does not allow this operation"),
            Self::Rng => f.write_str("random number generator failed"),
            Self::Symmetric => f.write_str("a symmetric key has no public form"),
            Self::SmallOrderPoint => f.write_str("Ed25519 public key is a point of small order"),
            Self::NonCanonicalPoint => f.write_str("Ed25519 public key is not canonically encoded"),
            Self::RocaModulus => f.write_str("RSA modulus has the ROCA structure (CVE-2017-15361)"),
        }
    }
}

impl fmt::Display for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoProof => f.write_str("the request has no DPoP header"),
            Self::SeveralProofs => f.write_str("the request has more than one DPoP header"),
            Self::InvalidTyp => f.write_str("header typ is not dpop+jwt"),
            Self::SymmetricAlgorithm => f.write_str("alg is symmetric; a proof needs a key pair"),
            Self::AlgorithmNotAllowed => f.write_str("alg is not an accepted algorithm"),
            Self::MissingJwk => f.write_str("header has no jwk"),
            Self::PrivateJwk => f.write_str("header jwk holds private key members"),
            Self::MissingClaim(name) => write!(f, "claim `{name}` is missing"),
            Self::InvalidClaim(name) => write!(f, "claim `{name}` has an invalid value"),
            Self::HtmMismatch => f.write_str("htm is not the request method"),
            Self::HtuMismatch => f.write_str("htu is not the request URI"),
            Self::InvalidUri => f.write_str("not an absolute http or https URI"),
            Self::IssuedInFuture { now, iat } => {
                write!(f, "issued in the future at {iat} (now {now})")
            }
            Self::TooOld { now, iat } => {
                write!(f, "issued at {iat}, older than the maximum age (now {now})")
            }
            Self::MissingNonce => f.write_str("the server requires a nonce and the proof has none"),
            Self::NonceMismatch => f.write_str("nonce is not one the server accepts"),
            Self::MissingAth => f.write_str("an access token came and the proof has no ath"),
            Self::AthMismatch => f.write_str("ath is not the hash of the access token"),
            Self::Replayed => f.write_str("the proof was seen before (replay)"),
        }
    }
}

impl fmt::Display for SdJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format => f.write_str(
                "not <JWT>~<disclosure>~...~<KB-JWT or nothing>: a `~` or a disclosure is missing",
            ),
            Self::DisclosureNotArray => f.write_str("a disclosure is not a JSON array"),
            Self::Salt => f.write_str("a disclosure's salt is not a string"),
            Self::ClaimName => f.write_str("a disclosure's claim name is not a string"),
            Self::ObjectDisclosure => {
                f.write_str("a disclosure referenced from _sd is not [salt, claim name, value]")
            }
            Self::ArrayDisclosure => {
                f.write_str("a disclosure referenced from an array is not [salt, value]")
            }
            Self::ReservedClaimName => f.write_str("a disclosure names its claim _sd or ..."),
            Self::ClaimNameCollision => {
                f.write_str("a disclosed claim name is already a claim of its object")
            }
            Self::SdNotDigests => f.write_str("_sd is not an array of strings"),
            Self::Placeholder => f.write_str(
                "... appears other than as the only member, a string, of an array element",
            ),
            Self::DuplicateDigest => f.write_str("a digest appears more than once"),
            Self::UnreferencedDisclosure => f.write_str("a disclosure is referenced by no digest"),
            Self::DuplicateDisclosure => f.write_str("a disclosure is sent more than once"),
            Self::NestedSdAlg => f.write_str("_sd_alg appears below the top level"),
            Self::UnsupportedSdAlg => f.write_str("_sd_alg is not sha-256"),
            Self::MissingKeyBinding => {
                f.write_str("key binding is required and the presentation has no KB-JWT")
            }
            Self::UnexpectedKeyBinding => {
                f.write_str("a KB-JWT came where an SD-JWT without key binding is expected")
            }
            Self::NoHolderKey => f.write_str("cnf names no holder key (jwk)"),
            Self::PrivateHolderKey => f.write_str("cnf.jwk holds private key members"),
            Self::KbTyp => f.write_str("KB-JWT typ is not kb+jwt"),
            Self::KbAlgorithm => f.write_str("KB-JWT alg is not an accepted algorithm"),
            Self::KbMissingClaim(name) => write!(f, "KB-JWT claim `{name}` is missing"),
            Self::KbInvalidClaim(name) => {
                write!(f, "KB-JWT claim `{name}` has the wrong JSON type")
            }
            Self::KbIssuedInFuture { now, iat } => {
                write!(f, "KB-JWT issued in the future at {iat} (now {now})")
            }
            Self::KbTooOld { now, iat } => {
                write!(
                    f,
                    "KB-JWT issued at {iat}, older than the window allows (now {now})"
                )
            }
            Self::KbExpired { now, exp } => write!(f, "KB-JWT expired at {exp} (now {now})"),
            Self::KbNotYetValid { now, nbf } => {
                write!(f, "KB-JWT not valid before {nbf} (now {now})")
            }
            Self::KbAudience => f.write_str("KB-JWT aud is not this verifier"),
            Self::KbNonce => f.write_str("KB-JWT nonce is not this transaction's"),
            Self::KbSdHash => f.write_str("KB-JWT sd_hash is not the digest of the SD-JWT"),
            Self::JsonHeader => f.write_str(
                "disclosures or kb_jwt is misplaced or mistyped in a JWS JSON unprotected header",
            ),
            Self::NeverDisclosable(name) => {
                write!(f, "claim `{name}` must never be selectively disclosed")
            }
            Self::VcTyp => f.write_str("header typ is not dc+sd-jwt"),
            Self::VctMismatch => f.write_str("vct is not the expected credential type"),
        }
    }
}

impl core::error::Error for Error {}

impl From<Dpop> for Error {
    fn from(why: Dpop) -> Self {
        Self::Dpop(why)
    }
}

impl From<SdJwt> for Error {
    fn from(why: SdJwt) -> Self {
        Self::SdJwt(why)
    }
}

impl From<Malformed> for Error {
    fn from(why: Malformed) -> Self {
        Self::Malformed(why)
    }
}

impl From<Unsupported> for Error {
    fn from(why: Unsupported) -> Self {
        Self::Unsupported(why)
    }
}

impl From<KeyRejected> for Error {
    fn from(why: KeyRejected) -> Self {
        Self::KeyRejected(why)
    }
}

impl From<NoKey> for Error {
    fn from(why: NoKey) -> Self {
        Self::NoKey(why)
    }
}

impl From<Misuse> for Error {
    fn from(why: Misuse) -> Self {
        Self::Misuse(why)
    }
}

impl From<KeySetError> for Error {
    fn from(why: KeySetError) -> Self {
        Self::KeySet(why)
    }
}

impl From<ClaimError> for Error {
    fn from(why: ClaimError) -> Self {
        Self::Claim(why)
    }
}
