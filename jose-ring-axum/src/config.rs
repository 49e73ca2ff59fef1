//! What a built guard holds: its keys, its rules, its DPoP settings, its stores and its
//! answers; and the public choices that shape them ([`DpopMode`], [`TypRule`],
//! [`NonceSource`]). Built by `builder.rs`, read by `guard.rs`; it imports neither.

use std::sync::Arc;

use jose_ring::HmacKey;
use jose_ring::jwa::Algorithm;
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::Issuers;
use jose_ring::jwt::{Clock, Validation};

use crate::authorities::Plan;
use crate::credentials::CredentialSources;
use crate::introspection::Introspector;
use crate::keys::{IssuerKeys, Remote, StaticKeys};
use crate::reject::Responder;
use crate::store::{ReplayStore, RevocationStore};

/// Whether requests may, or must, prove possession of a key with DPoP (RFC 9449).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DpopMode {
    /// `Bearer` only; the `DPoP` scheme counts as another scheme. A DPoP-bound token sent
    /// as `Bearer` is still refused (its `cnf` asks for a proof).
    #[default]
    Disabled,
    /// `Bearer` or `DPoP`; bound tokens need their proof.
    Allowed,
    /// `DPoP` only: a `Bearer` token is refused (`dpop_required`).
    Required,
}

/// Which header `typ` an access token must have.
///
/// A guard checks access tokens, so by default it requires RFC 9068's explicit type:
/// `at+jwt` (RFC 9068 §2.1; `application/at+jwt` alike, RFC 7515 §4.1.9). That keeps an ID
/// token, a logout token or any other JWT signed by the same keys from passing as an access
/// token (RFC 9068 §4, RFC 8725 §3.11). Providers that send `JWT` or no `typ` (see the
/// table in the README) need [`FromValidation`](Self::FromValidation).
///
/// The rule is applied on top of the [`Validation`] given to
/// [`validation`](crate::GuardBuilder::validation): with [`AtJwt`](Self::AtJwt) a `typ`
/// rule set there is replaced; with [`FromValidation`](Self::FromValidation) it is the one
/// checked (the library's default: `JWT` or none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TypRule {
    /// `typ` must be `at+jwt` (compared as RFC 7515 §4.1.9 says): the default.
    #[default]
    AtJwt,
    /// The `typ` rule of the guard's [`Validation`]: `JWT` or none unless it says otherwise
    /// (`with_typ`, `with_any_typ`). For providers that do not type their access tokens.
    FromValidation,
}

/// The server's DPoP nonces (RFC 9449 §8): when set, every proof must carry the current
/// nonce (or the previous one, while clients catch up), and a proof without it is answered
/// `use_dpop_nonce` with the current one in `DPoP-Nonce`.
///
/// Rotate it on your own schedule (a timer task writing to an `RwLock`, a value shared by
/// your instances); each nonce must be 1*NQCHAR (RFC 9449 §8.1).
pub trait NonceSource: Send + Sync + 'static {
    /// The nonce to send and to accept.
    fn current(&self) -> String;
    /// The nonce before it, still accepted; none by default.
    fn previous(&self) -> Option<String> {
        None
    }
}

/// Where the keys come from.
#[derive(Debug)]
pub(crate) enum Keys {
    Ring(Arc<KeyRing>),
    Hmac(Arc<KeyRing<HmacKey>>),
    Handle(StaticKeys),
    Remote(Arc<Remote>),
    Issuers(Issuers<IssuerKeys>),
    /// Opaque tokens, asked about at an introspection endpoint (RFC 7662).
    Introspection(Arc<Introspector>),
}

/// How DPoP proofs are checked, when DPoP is on.
pub(crate) struct Proofs {
    /// The algorithms accepted (sent as `algs`).
    pub(crate) algorithms: Vec<&'static Algorithm>,
    /// The maximum age of a proof, seconds.
    pub(crate) max_age: u64,
    /// The leeway for clock skew, seconds.
    pub(crate) leeway: u64,
    /// `scheme://host[:port]` of the resource: the `htu` is this and the path.
    pub(crate) origin: String,
    pub(crate) nonces: Option<Arc<dyn NonceSource>>,
    pub(crate) replay: Arc<dyn ReplayStore>,
}

/// The protected resource metadata document, written once at build.
pub(crate) struct Metadata {
    /// Where it is served.
    pub(crate) path: String,
    /// The JSON document.
    pub(crate) json: String,
}

/// Everything a guard holds, shared by its clones.
pub(crate) struct Inner {
    pub(crate) keys: Keys,
    /// The rules, with the issuer (one issuer) and the `typ` rule applied.
    pub(crate) validation: Validation,
    pub(crate) dpop: DpopMode,
    /// `Some` when DPoP is allowed or required.
    pub(crate) proofs: Option<Proofs>,
    pub(crate) revocation: Option<Arc<dyn RevocationStore>>,
    pub(crate) sources: CredentialSources,
    /// Where scopes and roles are read from.
    pub(crate) plan: Arc<Plan>,
    pub(crate) metadata: Option<Metadata>,
    pub(crate) responder: Arc<Responder>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Every remote key set, for [`Guard::ready`](crate::Guard::ready).
    pub(crate) remotes: Vec<Arc<Remote>>,
}
