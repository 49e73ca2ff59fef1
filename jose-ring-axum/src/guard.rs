//! The guard: reads the credentials, checks the DPoP proof, verifies the token with the right
//! keys and rules, asks the stores, and hands back the facts of the token or the refusal.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use axum_core::body::Body;
use axum_core::response::Response;
use http::{HeaderMap, HeaderValue, Method};
use jose_ring::dpop::{self, ProofValidation, VerifiedProof};
use jose_ring::jwa::Algorithm;
use jose_ring::jwt::{self, Clock, NumericDate, Validation};
use jose_ring::{ClaimError, Dpop, Error, KeySource, NoKey, jws};

use crate::auth::Auth;
use crate::authorities::Plan;
use crate::config::{DpopMode, Inner, Keys, Proofs};
use crate::counters::{Cells, Counters, Store};
use crate::credentials::{CredentialSources, Credentials, Scheme};
use crate::facts::{Facts, with_plan};
use crate::http::BoxFuture;
use crate::introspection::{AnswerKeys, Denied};
use crate::keys::{Lookup, Remote, Snapshot, Unknown};
use crate::reason::Reason;
use crate::reject::{Rejection, Responder};

/// A Bearer and DPoP guard: verifies the access token of each request and answers the way
/// RFC 6750 and RFC 9449 say. Cheap to clone (an `Arc` inside): build one at startup (from
/// where its keys are: [`Guard::from_issuer`] and the other constructors), then take its
/// [`layer`](Self::layer) for the router and [`require_scope`](Self::require_scope) layers
/// for routes.
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

/// A verified token: what the guard keeps of it.
struct Decoded {
    facts: Facts,
    /// The decoded claims, for [`Auth::claims`].
    payload: Arc<[u8]>,
    kid: Option<String>,
    /// `None` for an opaque token checked by introspection.
    algorithm: Option<&'static Algorithm>,
    expires_at: Option<NumericDate>,
}

thread_local! {
    /// The buffer each thread decodes payloads into, reused; a verified payload is copied
    /// from it into the `Arc` its [`Auth`] keeps.
    static PAYLOAD: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What verifying a token needs besides the keys and rules: where the facts are read from
/// and where the time it took goes.
#[derive(Clone, Copy)]
struct Reading<'g> {
    plan: &'g Arc<Plan>,
    #[cfg_attr(
        not(feature = "metrics"),
        allow(dead_code, reason = "timings need the feature")
    )]
    cells: &'g Cells,
}

/// Verifies `token` with `keys` under `rules` ([`jwt::decode_borrowed`]), reading the facts
/// `reading` names in the same pass and keeping the decoded payload; with the `metrics`
/// feature, records the time a verified token took under its algorithm.
fn decode<K: KeySource + ?Sized>(
    token: &str,
    keys: &K,
    rules: &Validation,
    reading: Reading<'_>,
) -> Result<Decoded, Error> {
    #[cfg(feature = "metrics")]
    let started = std::time::Instant::now();
    let decoded = PAYLOAD.with_borrow_mut(|buffer| {
        let verified: jwt::Verified<Facts> = with_plan(reading.plan, || {
            jwt::decode_borrowed(token, keys, rules, buffer)
        })?;
        Ok(Decoded {
            payload: Arc::from(buffer.as_slice()),
            kid: verified.header().kid().map(str::to_owned),
            algorithm: Some(verified.algorithm()),
            expires_at: verified.expires_at(),
            facts: verified.into_claims(),
        })
    });
    #[cfg(feature = "metrics")]
    if let Ok(decoded) = &decoded {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if let Some(at) = jose_ring::jwa::ALL.iter().position(|alg| {
            decoded
                .algorithm
                .is_some_and(|used| std::ptr::eq(*alg, used))
        }) {
            reading.cells.timings.record(at, nanos);
        }
    }
    decoded
}

/// A DPoP proof that passed, with how long it must be remembered.
struct CheckedProof {
    proof: VerifiedProof,
    replay_window: Duration,
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
        rejection
    } else {
        rejection.with_description(&error.to_string())
    }
}

impl Guard {
    /// The counters since the guard was built.
    #[must_use]
    pub fn counters(&self) -> Counters {
        self.inner.responder.counters.snapshot()
    }

    /// Where the guard reads credentials from: for a custom extractor or another
    /// transport's adapter that reads them as the guard does
    /// ([`Credentials::from_headers`]).
    #[must_use]
    pub fn credential_sources(&self) -> &CredentialSources {
        &self.inner.sources
    }

    /// The path of the protected resource metadata document (RFC 9728 §3.1) the layer
    /// serves, when [`resource_metadata`](crate::GuardBuilder::resource_metadata) is set.
    #[must_use]
    pub fn metadata_path(&self) -> Option<&str> {
        self.inner.metadata.as_ref().map(|m| m.path.as_str())
    }

    /// The metadata document's answer (200, `application/json`), for an application that
    /// mounts it itself.
    #[must_use]
    pub fn metadata_response(&self) -> Option<Response> {
        let metadata = self.inner.metadata.as_ref()?;
        let mut response = Response::new(Body::from(metadata.json.clone()));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Some(response)
    }

    /// The answer to `method path` if it is the metadata document's.
    pub(crate) fn serve_metadata(&self, method: &Method, path: &str) -> Option<Response> {
        let metadata = self.inner.metadata.as_ref()?;
        (metadata.path == path && (method == Method::GET || method == Method::HEAD))
            .then(|| self.metadata_response())
            .flatten()
    }

    /// Waits until every remote key set has keys (fetching them if needed), at most the
    /// fetch timeout each: `true` if they all have. Not needed for serving (the first
    /// request fetches them); for a readiness probe or a test.
    pub async fn ready(&self) -> bool {
        let mut all = true;
        for remote in &self.inner.remotes {
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

    /// The clock of the guard (step-up's maximum age).
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// How this guard reads the facts of a token.
    fn reading(&self) -> Reading<'_> {
        Reading {
            plan: &self.inner.plan,
            cells: &self.inner.responder.counters,
        }
    }

    /// The answering part, shared with every [`Auth`] this guard issues.
    pub(crate) fn responder(&self) -> &Arc<Responder> {
        &self.inner.responder
    }

    /// Authenticates a request to `method path` with these `headers`: the facts of its
    /// token, or the refusal.
    pub(crate) async fn authenticate(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Result<Auth, Rejection> {
        let inner = &*self.inner;
        let credentials = Credentials::from_headers(headers, &inner.sources)
            .map_err(|e| {
                Rejection::new(Reason::InvalidRequest, None).with_description(e.description())
            })?
            .ok_or_else(|| Rejection::new(Reason::MissingCredentials, None))?;
        let (scheme, token) = (credentials.scheme(), credentials.token());
        if scheme == Scheme::Bearer && inner.dpop == DpopMode::Required {
            return Err(Rejection::new(Reason::DpopRequired, Some(scheme))
                .with_description("this resource accepts dpop-bound tokens only"));
        }
        let proof = match scheme {
            Scheme::Dpop => Some(self.check_proof(method, path, &credentials)?),
            Scheme::Bearer => None,
        };
        let jkt = proof.as_ref().map(|p| p.proof.jkt());
        let (decoded, issuer) = self.verify_token(token, scheme, jkt).await?;
        let facts = decoded.facts;
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
                    inner.responder.counters.store_error(Store::Revocation);
                    tracing::warn!(target: "jose_ring_axum", %error, "revocation store unavailable");
                    return Err(Rejection::new(Reason::RevocationUnavailable, Some(scheme)));
                }
            }
        }
        if let (Some(checked), Some(proofs)) = (&proof, &inner.proofs) {
            let key = checked.proof.replay_key();
            match proofs.replay.first_use(&key, checked.replay_window).await {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Rejection::new(Reason::DpopReplayed, Some(scheme))
                        .with_description("dpop proof rejected: replayed"));
                }
                Err(error) => {
                    inner.responder.counters.store_error(Store::Replay);
                    tracing::warn!(target: "jose_ring_axum", %error, "replay store unavailable");
                    return Err(Rejection::new(Reason::ReplayUnavailable, Some(scheme)));
                }
            }
        }
        Ok(Auth {
            kid: decoded.kid,
            issuer: facts.iss.or(issuer),
            subject: facts.sub,
            jkt: proof.map(|p| p.proof.jkt().to_owned()),
            jti: facts.jti,
            expires_at: decoded.expires_at,
            algorithm: decoded.algorithm,
            scheme,
            names: facts.names,
            acr: facts.acr,
            auth_time: facts.auth_time,
            payload: decoded.payload,
            responder: Arc::clone(&inner.responder),
        })
    }

    /// Checks the request's DPoP proof (RFC 9449 §4.3, §7.1) for its token.
    fn check_proof(
        &self,
        method: &Method,
        path: &str,
        credentials: &Credentials<'_>,
    ) -> Result<CheckedProof, Rejection> {
        let invalid = |text: &str| {
            Rejection::new(Reason::InvalidDpopProof, Some(Scheme::Dpop)).with_description(text)
        };
        // The sources read the DPoP scheme only when DPoP is on: without its settings, the
        // proof cannot be checked, so it is refused.
        let proofs: &Proofs = self
            .inner
            .proofs
            .as_ref()
            .ok_or_else(|| invalid("dpop is not accepted"))?;
        let proof = credentials.proof().map_err(|e| invalid(&e.to_string()))?;
        let htu = format!("{}{path}", proofs.origin);
        let mut rules = ProofValidation::new(method.as_str(), &htu, self.inner.clock.now())
            .with_algorithms(&proofs.algorithms)
            .with_max_age(proofs.max_age)
            .with_leeway(proofs.leeway)
            .with_access_token(credentials.token());
        let nonce = proofs.nonces.as_ref().map(|n| (n.current(), n.previous()));
        if let Some((current, previous)) = &nonce {
            rules = rules.with_nonce(current.clone());
            if let Some(previous) = previous {
                rules = rules.with_nonce(previous.clone());
            }
        }
        let replay_window = Duration::from_secs(rules.replay_window());
        match dpop::verify(proof, &rules) {
            Ok(proof) => Ok(CheckedProof {
                proof,
                replay_window,
            }),
            Err(error @ Error::Dpop(Dpop::MissingNonce | Dpop::NonceMismatch)) => {
                let rejection = Rejection::new(Reason::UseDpopNonce, Some(Scheme::Dpop))
                    .with_description(&error.to_string());
                Err(match nonce {
                    Some((current, _)) => rejection.with_nonce(current),
                    None => rejection,
                })
            }
            Err(error) => Err(invalid(&error.to_string())),
        }
    }

    /// Verifies the token with the keys and rules that apply; with a DPoP proof, bound to
    /// its key. Returns the issuer whose keys verified it, when known.
    async fn verify_token(
        &self,
        token: &str,
        scheme: Scheme,
        jkt: Option<&str>,
    ) -> Result<(Decoded, Option<String>), Rejection> {
        let inner = &*self.inner;
        let bind = |rules| bind(rules, jkt);
        let fail = |e: Error| token_rejection(&e, scheme);
        let reading = self.reading();
        match &inner.keys {
            Keys::Ring(ring) => decode(token, &**ring, &bind(&inner.validation), reading)
                .map(|v| (v, None))
                .map_err(fail),
            Keys::Hmac(ring) => decode(token, &**ring, &bind(&inner.validation), reading)
                .map(|v| (v, None))
                .map_err(fail),
            Keys::Handle(handle) => decode(
                token,
                &Snapshot(handle.current()),
                &bind(&inner.validation),
                reading,
            )
            .map(|v| (v, None))
            .map_err(fail),
            Keys::Remote(remote) => {
                let rules = bind(&inner.validation);
                let decoded = Self::with_remote(remote, token, &rules, scheme, reading).await?;
                Ok((decoded, remote.issuer().map(str::to_owned)))
            }
            Keys::Issuers(issuers) => {
                let (keys, rules) = issuers.route(token).map_err(fail)?;
                let rules = bind(rules);
                let decoded = Self::with_remote(&keys.0, token, &rules, scheme, reading).await?;
                Ok((decoded, keys.0.issuer().map(str::to_owned)))
            }
            Keys::Introspection(introspector) => {
                // Boxed: the JWT paths' future stays as small as it was.
                let active = Box::pin(introspector.verify(token, scheme, jkt, &inner.plan))
                    .await
                    .map_err(|denied| match denied {
                        Denied::Token(error) => token_rejection(&error, scheme),
                        Denied::Refused(rejection) => rejection,
                    })?;
                let decoded = Decoded {
                    facts: active.facts.clone(),
                    payload: Arc::clone(&active.payload),
                    kid: None,
                    algorithm: None,
                    expires_at: active.expires_at,
                };
                Ok((decoded, None))
            }
        }
    }

    /// Verifies with a remote set: with the keys held if it has them (never waiting for a
    /// refresh); else waiting once for the fetch in flight; for an unknown `kid`, with a set
    /// fetched since, or after one refetch shared with every other asker, if the cache's
    /// cooldown allows.
    async fn with_remote(
        remote: &Arc<Remote>,
        token: &str,
        rules: &Validation,
        scheme: Scheme,
        reading: Reading<'_>,
    ) -> Result<Decoded, Rejection> {
        // Without keys, a token that does not even parse is still a bad token (401), not a
        // key problem (503).
        let unavailable = |seconds| match jws::Unverified::parse_with_limits(token, rules.limits())
        {
            Err(error) => token_rejection(&error, scheme),
            Ok(_) => {
                Rejection::new(Reason::KeysUnavailable, Some(scheme)).with_retry_after(seconds)
            }
        };
        let (mut waited, mut refetched) = (false, false);
        loop {
            match remote.lookup() {
                Lookup::Ready(ring) => match decode(token, &*ring, rules, reading) {
                    Err(Error::NoKey(NoKey::UnknownKid)) if !refetched => {
                        refetched = true;
                        match remote.unknown_kid(&ring) {
                            Unknown::Newer(newer) => {
                                return decode(token, &*newer, rules, reading)
                                    .map_err(|e| token_rejection(&e, scheme));
                            }
                            Unknown::Wait(waiter) => {
                                if !remote.wait(waiter).await {
                                    return Err(unavailable(1));
                                }
                            }
                            Unknown::Cooldown => {
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

    /// Logs a request whose token passed the guard's rules.
    pub(crate) fn authenticated(auth: &Auth, method: &str, path: &str) {
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
}

/// The rules, bound to the DPoP key `jkt` when there is a proof.
fn bind<'r>(rules: &'r Validation, jkt: Option<&str>) -> Cow<'r, Validation> {
    match jkt {
        Some(jkt) => Cow::Owned(rules.clone().with_dpop_jkt(jkt)),
        None => Cow::Borrowed(rules),
    }
}

/// The keys of an authorization server that signs its introspection answers (RFC 9701):
/// verified as the guard verifies tokens from a remote key set.
pub(crate) struct AnswerKeySet {
    pub(crate) remote: Arc<Remote>,
    /// `typ` `token-introspection+jwt`, the server as `iss`, the guard's client as `aud`.
    pub(crate) rules: Validation,
    pub(crate) plan: Arc<Plan>,
    pub(crate) cells: Arc<Cells>,
}

impl AnswerKeys for AnswerKeySet {
    fn verify<'a>(&'a self, answer: &'a str) -> BoxFuture<'a, Result<Arc<[u8]>, Rejection>> {
        Box::pin(async move {
            let reading = Reading {
                plan: &self.plan,
                cells: &self.cells,
            };
            Guard::with_remote(&self.remote, answer, &self.rules, Scheme::Bearer, reading)
                .await
                .map(|decoded| decoded.payload)
        })
    }
}
