//! The guard: reads the credentials, checks the DPoP proof, verifies the token with the right
//! keys and rules, asks the stores, and answers.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use axum_core::body::Body;
use axum_core::response::Response;
use http::request::Parts;
use http::{HeaderValue, Method};
use jose_ring::dpop::{self, ProofValidation, VerifiedProof};
use jose_ring::jwa::Algorithm;
use jose_ring::jwk::KeyRing;
use jose_ring::jwks::{Issuers, KeyProvider};
use jose_ring::jwt::{self, Clock, Validation};
use jose_ring::{ClaimError, Dpop, Error, HmacKey, KeySource, NoKey};
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::auth::Auth;
use crate::builder::{DpopMode, GuardBuilder};
use crate::counters::{Cells, Counters};
use crate::credentials::{self, Credentials, Scheme};
use crate::keys::{Lookup, Remote, Snapshot, StaticKeys, Unknown};
use crate::reason::Reason;
use crate::reject::{self, Answers, Hook, Rejection};
use crate::store::{ReplayStore, RevocationStore};

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

/// The keys of one issuer among several.
#[derive(Debug)]
pub(crate) struct IssuerKeys(pub(crate) Arc<Remote>);

impl KeyProvider for IssuerKeys {
    type Keys<'a> = Snapshot;

    fn keys(&self) -> Result<Snapshot, Error> {
        self.0.held().map(Snapshot)
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
}

/// Everything a guard holds, shared by its clones.
pub(crate) struct Inner {
    pub(crate) keys: Keys,
    pub(crate) validation: Validation,
    pub(crate) dpop: DpopMode,
    pub(crate) dpop_algorithms: Vec<&'static Algorithm>,
    pub(crate) dpop_max_age: u64,
    pub(crate) dpop_leeway: u64,
    pub(crate) origin: Option<String>,
    pub(crate) replay: Option<Arc<dyn ReplayStore>>,
    pub(crate) revocation: Option<Arc<dyn RevocationStore>>,
    pub(crate) nonces: Option<Arc<dyn NonceSource>>,
    pub(crate) cookie: Option<String>,
    /// The metadata document's path and JSON.
    pub(crate) metadata: Option<(String, String)>,
    pub(crate) answers: Answers,
    pub(crate) on_reject: Option<Hook>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) counters: Arc<Cells>,
    /// The remote sets of several issuers, for [`Guard::ready`].
    pub(crate) issuer_remotes: Vec<Arc<Remote>>,
}

/// The claims the guard reads for itself, leniently: a `scope` or `roles` of another type
/// is ignored here (the library's rules still check them when asked to).
#[derive(Deserialize)]
struct Facts {
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    scope: MaybeText,
    #[serde(default)]
    roles: Texts,
}

/// A string, or `None` for any other JSON value (read and ignored, without buffering).
#[derive(Default)]
struct MaybeText(Option<String>);

impl<'de> Deserialize<'de> for MaybeText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Self)
    }
}

/// The strings of an array (others skipped); empty for any other JSON value.
#[derive(Default)]
struct Texts(Vec<String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextsVisitor).map(Self)
    }
}

/// Visits any value, keeping a string.
struct TextVisitor;

/// The `Ok` of a visit that ignores what it sees.
fn nothing<T, E>() -> Result<Option<T>, E> {
    Ok(None)
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        nothing()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        nothing()
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        nothing()
    }
}

/// Visits any value, keeping the strings of an array.
struct TextsVisitor;

impl<'de> Visitor<'de> for TextsVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<MaybeText>()? {
            out.extend(item.0);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        TextVisitor.visit_map(map).map(|_| Vec::new())
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

/// A Bearer and DPoP guard: verifies the access token of each request and answers the way
/// RFC 6750 and RFC 9449 say. Cheap to clone (an `Arc` inside): build one at startup, then
/// take its [`layer`](Self::layer) for the router and [`require_scope`](Self::require_scope)
/// layers for routes.
///
/// See the [crate documentation](crate) for a tour.
#[derive(Clone)]
pub struct Guard {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("keys", &self.inner.keys)
            .field("dpop", &self.inner.dpop)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused, from the library's error.
fn token_rejection(error: &Error, scheme: Scheme) -> Rejection {
    let reason = match error {
        Error::Claim(ClaimError::Expired { .. } | ClaimError::NotYetValid { .. }) => {
            Reason::Expired
        }
        Error::Claim(ClaimError::MissingScope(scope)) => {
            return Rejection::new(Reason::InsufficientScope, Some(scheme))
                .with_description(&error.to_string())
                .with_scope(scope);
        }
        Error::Claim(ClaimError::MissingRole(_)) => Reason::InsufficientRole,
        Error::Claim(ClaimError::ProofRequired) => Reason::BoundTokenAsBearer,
        Error::Claim(ClaimError::Revoked) => Reason::Revoked,
        Error::NoKey(NoKey::UnknownKid | NoKey::UnknownIssuer) => Reason::UnknownKey,
        Error::KeySet(_) => Reason::KeysUnavailable,
        _ => Reason::InvalidToken,
    };
    let rejection = Rejection::new(reason, Some(scheme));
    if reason == Reason::KeysUnavailable {
        rejection.with_retry_after(1)
    } else {
        rejection.with_description(&error.to_string())
    }
}

impl Guard {
    /// A builder: choose the keys, then the rules.
    pub fn builder() -> GuardBuilder {
        GuardBuilder::new()
    }

    /// The counters since the guard was built.
    #[must_use]
    pub fn counters(&self) -> Counters {
        self.inner.counters.snapshot()
    }

    /// The path of the protected resource metadata document (RFC 9728 §3.1) the layer
    /// serves, when [`resource_metadata`](GuardBuilder::resource_metadata) is set.
    #[must_use]
    pub fn metadata_path(&self) -> Option<&str> {
        self.inner.metadata.as_ref().map(|(path, _)| path.as_str())
    }

    /// The metadata document's answer (200, `application/json`), for an application that
    /// mounts it itself.
    #[must_use]
    pub fn metadata_response(&self) -> Option<Response> {
        let (_, json) = self.inner.metadata.as_ref()?;
        let mut response = Response::new(Body::from(json.clone()));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Some(response)
    }

    /// The answer to `method path` if it is the metadata document's.
    pub(crate) fn serve_metadata(&self, method: &Method, path: &str) -> Option<Response> {
        let (at, _) = self.inner.metadata.as_ref()?;
        (at == path && (method == Method::GET || method == Method::HEAD))
            .then(|| self.metadata_response())
            .flatten()
    }

    /// Waits until every remote key set has keys (fetching them if needed), at most the
    /// fetch timeout each: `true` if they all have. Not needed for serving (the first
    /// request fetches them); for a readiness probe or a test.
    pub async fn ready(&self) -> bool {
        let remotes: Vec<&Arc<Remote>> = match &self.inner.keys {
            Keys::Remote(remote) => vec![remote],
            Keys::Issuers(_) => self.remotes(),
            Keys::Ring(_) | Keys::Hmac(_) | Keys::Handle(_) => Vec::new(),
        };
        let mut all = true;
        for remote in remotes {
            let mut waited = false;
            let ok = loop {
                match remote.lookup() {
                    Lookup::Ready(_) => break true,
                    Lookup::Wait(waiter) if !waited => {
                        waited = true;
                        if !remote.wait(waiter).await {
                            break false;
                        }
                    }
                    Lookup::Wait(_) | Lookup::Unavailable { .. } => break false,
                }
            };
            all &= ok;
        }
        all
    }

    fn remotes(&self) -> Vec<&Arc<Remote>> {
        self.inner.issuer_remotes.iter().collect()
    }

    /// Authenticates a request: the facts of its token, or the refusal.
    pub(crate) async fn authenticate(&self, parts: &Parts) -> Result<Auth, Rejection> {
        let inner = &*self.inner;
        let dpop_on = inner.dpop != DpopMode::Disabled;
        let credentials = credentials::read(&parts.headers, inner.cookie.as_deref(), dpop_on)
            .map_err(|m| Rejection::new(Reason::InvalidRequest, None).with_description(m.text()))?;
        let (scheme, token) = match credentials {
            Credentials::None => return Err(Rejection::new(Reason::MissingCredentials, None)),
            Credentials::Token(scheme, token) => (scheme, token),
        };
        if scheme == Scheme::Bearer && inner.dpop == DpopMode::Required {
            return Err(Rejection::new(Reason::DpopRequired, Some(scheme))
                .with_description("this resource accepts dpop-bound tokens only"));
        }
        let proof = match scheme {
            Scheme::Dpop => Some(self.check_proof(parts, token)?),
            Scheme::Bearer => None,
        };
        let jkt = proof.as_ref().map(VerifiedProof::jkt);
        let (verified, issuer) = self.verify_token(token, scheme, jkt).await?;
        let kid = verified.header().kid().map(str::to_owned);
        let algorithm = verified.algorithm();
        let expires_at = verified.expires_at();
        let facts = verified.into_claims();
        if let Some(store) = &inner.revocation {
            let Some(jti) = facts.jti.as_deref() else {
                return Err(Rejection::new(Reason::Revoked, Some(scheme))
                    .with_description("a token without jti cannot be checked for revocation"));
            };
            match store.is_revoked(jti).await {
                Ok(false) => {}
                Ok(true) => {
                    return Err(Rejection::new(Reason::Revoked, Some(scheme))
                        .with_description("the token is revoked"));
                }
                Err(error) => {
                    tracing::warn!(target: "jose_ring_axum", %error, "revocation store unavailable");
                    return Err(Rejection::new(Reason::RevocationUnavailable, Some(scheme)));
                }
            }
        }
        if let (Some(proof), Some(store)) = (&proof, &inner.replay) {
            let key = format!("{}:{}", proof.jkt(), proof.jti());
            let window = inner
                .dpop_max_age
                .saturating_add(inner.dpop_leeway.saturating_mul(2));
            match store.first_use(&key, Duration::from_secs(window)).await {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Rejection::new(Reason::DpopReplayed, Some(scheme))
                        .with_description("dpop proof rejected: replayed"));
                }
                Err(error) => {
                    tracing::warn!(target: "jose_ring_axum", %error, "replay store unavailable");
                    return Err(Rejection::new(Reason::ReplayUnavailable, Some(scheme)));
                }
            }
        }
        Ok(Auth {
            kid,
            issuer: facts.iss.or(issuer),
            subject: facts.sub,
            jkt: proof.map(|p| p.jkt().to_owned()),
            jti: facts.jti,
            expires_at,
            algorithm,
            scheme,
            scope: facts.scope.0,
            roles: facts.roles.0,
            token: Arc::from(token),
            guard: self.clone(),
        })
    }

    /// Checks the request's DPoP proof (RFC 9449 §4.3, §7.1) for `token`.
    fn check_proof(&self, parts: &Parts, token: &str) -> Result<VerifiedProof, Rejection> {
        let inner = &*self.inner;
        let invalid = |text: &str| {
            Rejection::new(Reason::InvalidDpopProof, Some(Scheme::Dpop)).with_description(text)
        };
        let values = parts
            .headers
            .get_all("dpop")
            .iter()
            .map(HeaderValue::to_str)
            .collect::<Result<Vec<&str>, _>>()
            .map_err(|_| invalid("dpop proof rejected: the dpop field is not text"))?;
        let proof = dpop::single_proof(values).map_err(|e| invalid(&e.to_string()))?;
        let origin = inner.origin.as_deref().unwrap_or_default();
        let htu = format!("{origin}{}", parts.uri.path());
        let mut rules = ProofValidation::new(parts.method.as_str(), &htu, inner.clock.now())
            .with_algorithms(&inner.dpop_algorithms)
            .with_max_age(inner.dpop_max_age)
            .with_leeway(inner.dpop_leeway)
            .with_access_token(token);
        let nonce = inner.nonces.as_ref().map(|n| (n.current(), n.previous()));
        if let Some((current, previous)) = &nonce {
            rules = rules.with_nonce(current.clone());
            if let Some(previous) = previous {
                rules = rules.with_nonce(previous.clone());
            }
        }
        dpop::verify(proof, &rules).map_err(|error| match error {
            Error::Dpop(Dpop::MissingNonce | Dpop::NonceMismatch) => {
                let rejection = Rejection::new(Reason::UseDpopNonce, Some(Scheme::Dpop))
                    .with_description(&error.to_string());
                match nonce {
                    Some((current, _)) => rejection.with_nonce(current),
                    None => rejection,
                }
            }
            error => invalid(&error.to_string()),
        })
    }

    /// Verifies the token with the keys and rules that apply; with a DPoP proof, bound to
    /// its key. Returns the issuer whose keys verified it, when known.
    async fn verify_token(
        &self,
        token: &str,
        scheme: Scheme,
        jkt: Option<&str>,
    ) -> Result<(jwt::Verified<Facts>, Option<String>), Rejection> {
        let inner = &*self.inner;
        let bind = |rules| bind(rules, jkt);
        let fail = |e: Error| token_rejection(&e, scheme);
        match &inner.keys {
            Keys::Ring(ring) => decode(token, &**ring, &bind(&inner.validation))
                .map(|v| (v, None))
                .map_err(fail),
            Keys::Hmac(ring) => decode(token, &**ring, &bind(&inner.validation))
                .map(|v| (v, None))
                .map_err(fail),
            Keys::Handle(handle) => {
                decode(token, &Snapshot(handle.current()), &bind(&inner.validation))
                    .map(|v| (v, None))
                    .map_err(fail)
            }
            Keys::Remote(remote) => {
                let rules = bind(&inner.validation);
                let verified = self.with_remote(remote, token, &rules, scheme).await?;
                Ok((verified, remote.issuer().map(str::to_owned)))
            }
            Keys::Issuers(issuers) => {
                let (keys, rules) = issuers.route(token).map_err(fail)?;
                let rules = bind(rules);
                let verified = self.with_remote(&keys.0, token, &rules, scheme).await?;
                Ok((verified, keys.0.issuer().map(str::to_owned)))
            }
        }
    }

    /// Verifies with a remote set: with the keys held if it has them (never waiting for a
    /// refresh); else waiting once for the fetch in flight; for an unknown `kid`, one refetch
    /// shared with every other asker, if the cooldown allows.
    async fn with_remote(
        &self,
        remote: &Arc<Remote>,
        token: &str,
        rules: &Validation,
        scheme: Scheme,
    ) -> Result<jwt::Verified<Facts>, Rejection> {
        // Without keys, a token that does not even parse is still a bad token (401), not a
        // key problem (503).
        let unavailable = |seconds| match jose_ring::dangerous::peek(token) {
            Err(error) => token_rejection(&error, scheme),
            Ok(_) => {
                Rejection::new(Reason::KeysUnavailable, Some(scheme)).with_retry_after(seconds)
            }
        };
        let (mut waited, mut refetched) = (false, false);
        loop {
            match remote.lookup() {
                Lookup::Ready(ring) => match decode(token, &*ring, rules) {
                    Err(Error::NoKey(NoKey::UnknownKid)) if !refetched => {
                        refetched = true;
                        match remote.unknown_kid() {
                            Unknown::Wait(waiter) => {
                                if !remote.wait(waiter).await {
                                    return Err(unavailable(1));
                                }
                            }
                            Unknown::Cooldown => {
                                // The shared refetch may have ended between our lookup and
                                // this question: try once more with the set held now.
                                if remote.held().is_ok_and(|now| !Arc::ptr_eq(&now, &ring)) {
                                    continue;
                                }
                                return Err(token_rejection(
                                    &Error::NoKey(NoKey::UnknownKid),
                                    scheme,
                                ));
                            }
                        }
                    }
                    other => return other.map_err(|e| token_rejection(&e, scheme)),
                },
                Lookup::Wait(waiter) if !waited => {
                    waited = true;
                    if !remote.wait(waiter).await {
                        return Err(unavailable(1));
                    }
                }
                Lookup::Wait(_) => return Err(unavailable(1)),
                Lookup::Unavailable { retry_after } => return Err(unavailable(retry_after)),
            }
        }
    }

    /// Counts, logs and answers a refusal.
    pub(crate) fn reject(&self, mut rejection: Rejection, method: &str, path: &str) -> Response {
        let inner = &*self.inner;
        let reason = rejection.reason;
        inner.counters.rejected(reason);
        tracing::info!(
            target: "jose_ring_axum",
            reason = reason.as_str(),
            status = reason.status().as_u16(),
            method,
            path,
            detail = rejection.description.as_deref().unwrap_or(""),
            "request rejected"
        );
        rejection.challenges = inner.answers.challenges(&rejection);
        let response = match &inner.on_reject {
            Some(hook) => hook(&rejection),
            None => reject::default_body(&rejection),
        };
        reject::seal(&rejection, response)
    }

    /// Counts a request let through every guard layer.
    pub(crate) fn count_accepted(&self) {
        self.inner.counters.accepted();
    }

    /// Logs a request whose token passed the guard's rules.
    pub(crate) fn authenticated(&self, auth: &Auth, method: &str, path: &str) {
        tracing::debug!(
            target: "jose_ring_axum",
            method,
            path,
            kid = auth.kid(),
            issuer = auth.issuer(),
            dpop = auth.jkt().is_some(),
            "request authenticated"
        );
    }

    /// Checks the route's scopes and roles on a verified token.
    pub(crate) fn check_route(
        auth: &Auth,
        scopes: &[String],
        roles: &[String],
    ) -> Result<(), Rejection> {
        if let Some(missing) = scopes.iter().find(|s| !auth.has_scope(s)) {
            return Err(Rejection::new(Reason::InsufficientScope, Some(auth.scheme))
                .with_description("the token lacks a scope this route needs")
                .with_scope(missing));
        }
        if roles.iter().any(|r| !auth.has_role(r)) {
            return Err(Rejection::new(Reason::InsufficientRole, Some(auth.scheme))
                .with_description("the token lacks a role this route needs"));
        }
        Ok(())
    }
}

/// The rules, bound to the DPoP key `jkt` when there is a proof.
fn bind<'r>(rules: &'r Validation, jkt: Option<&str>) -> Cow<'r, Validation> {
    match jkt {
        Some(jkt) => Cow::Owned(rules.clone().with_dpop_jkt(jkt)),
        None => Cow::Borrowed(rules),
    }
}

/// [`jwt::decode`] into the guard's facts.
fn decode<K: KeySource + ?Sized>(
    token: &str,
    keys: &K,
    rules: &Validation,
) -> Result<jwt::Verified<Facts>, Error> {
    jwt::decode(token, keys, rules)
}
