//! Opaque access tokens checked by token introspection (RFC 7662): one `POST` to the
//! authorization server per token (single flight), the answer checked by the library's claims
//! rules (`active`, `exp`, `iss`, `aud`, `scope`, `cnf`; `token_type` against the scheme) and
//! cached under the token's SHA-256 (never the token): a positive answer until the earlier of
//! its `exp` and a bound, a negative one for a short bound. JWT answers (RFC 9701) are
//! verified with the server's keys when asked for.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jose_ring::jwt::{self, Clock, NumericDate, Validation};
use jose_ring::{ClaimError, Error, dpop};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::OnceCell;

use crate::authorities::Plan;
use crate::client_auth::ClientAuth;
use crate::credentials::Scheme;
use crate::facts::{Facts, with_plan};
use crate::http::{BoxFuture, FetchError, FormPost, HttpClient};
use crate::reason::Reason;
use crate::reject::Rejection;

/// The media type of a JWT introspection answer (RFC 9701 §4).
const JWT_ANSWER: &str = "application/token-introspection+jwt";

/// How long a refusal for want of an answer is kept (and said in `Retry-After`), seconds.
const UNAVAILABLE_FOR: u64 = 1;

/// Verifies a JWT introspection answer (RFC 9701) with the authorization server's keys:
/// its decoded payload, or why not. Implemented by the guard with its key-set cache.
pub(crate) trait AnswerKeys: Send + Sync {
    /// The verified payload of `answer`.
    fn verify<'a>(&'a self, answer: &'a str) -> BoxFuture<'a, Result<Arc<[u8]>, Rejection>>;
}

/// How an introspector is set up.
pub(crate) struct Settings {
    pub(crate) endpoint: String,
    pub(crate) auth: ClientAuth,
    pub(crate) client: Arc<dyn HttpClient>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The rules of the guard, applied to every answer's claims.
    pub(crate) rules: Validation,
    pub(crate) fetch_timeout: Duration,
    /// The most a positive answer is kept (before its `exp`).
    pub(crate) positive: Duration,
    /// The most a negative answer is kept.
    pub(crate) negative: Duration,
    pub(crate) capacity: usize,
    pub(crate) max_len: usize,
    /// JWT answers only, verified with these keys.
    pub(crate) jwt: Option<Arc<dyn AnswerKeys>>,
}

/// The introspection key source of a guard.
pub(crate) struct Introspector {
    settings: Settings,
    cache: Mutex<Cache>,
}

impl fmt::Debug for Introspector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspector")
            .field("endpoint", &self.settings.endpoint)
            .field("auth", &self.settings.auth)
            .finish_non_exhaustive()
    }
}

/// An active token, as the server described it and the rules accepted.
pub(crate) struct Active {
    pub(crate) facts: Facts,
    /// The answer's claims (JSON), for [`Auth::claims`](crate::Auth::claims).
    pub(crate) payload: Arc<[u8]>,
    pub(crate) expires_at: Option<NumericDate>,
    cnf_jkt: Option<String>,
    token_type: Option<String>,
}

/// An answer read: its claims, and their JSON (what [`Auth::claims`](crate::Auth::claims) reads).
type Read = (Map<String, Value>, Arc<[u8]>);

/// Why a token was refused: a claim the library's rules refused (answered as the guard
/// answers a token's claims), or another refusal.
pub(crate) enum Denied {
    Token(Error),
    Refused(Rejection),
}

/// What an answer concluded, and until when it holds.
struct Outcome {
    until: NumericDate,
    result: Result<Arc<Active>, Refusal>,
}

/// A refusal kept in the cache.
#[derive(Clone)]
enum Refusal {
    Token(Error),
    Inactive,
    Unavailable,
}

/// Answers by token hash; each cell is filled once, by the first request that needs it, while
/// the others wait (single flight).
struct Cache {
    entries: HashMap<String, Arc<OnceCell<Outcome>>>,
    /// Before this, a full cache is not swept again.
    next_sweep: NumericDate,
}

/// The introspection answer members the guard reads for itself.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    active: Option<Value>,
    #[serde(default)]
    token_type: Option<Value>,
    #[serde(default)]
    cnf: Option<Value>,
}

/// A JWT answer's claims (RFC 9701 §5): the introspection answer is a member.
#[derive(Deserialize)]
struct JwtAnswer {
    token_introspection: Map<String, Value>,
}

impl Introspector {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            settings,
            cache: Mutex::new(Cache {
                entries: HashMap::new(),
                next_sweep: NumericDate::MIN,
            }),
        }
    }

    /// Checks `token`, sent with `scheme` (and a proof by the key `jkt`), reading scopes and
    /// roles as `plan` says: from the cache, or by asking the server once for every request
    /// that needs the same answer.
    pub(crate) async fn verify(
        &self,
        token: &str,
        scheme: Scheme,
        jkt: Option<&str>,
        plan: &Arc<Plan>,
    ) -> Result<Arc<Active>, Denied> {
        let cell = self.cell(token);
        let outcome = cell.get_or_init(|| self.introspect(token, plan)).await;
        let active = match &outcome.result {
            Ok(active) => active,
            Err(Refusal::Token(error)) => return Err(Denied::Token(error.clone())),
            Err(Refusal::Inactive) => {
                return Err(Denied::Refused(
                    Rejection::new(Reason::InvalidToken, Some(scheme))
                        .with_description("the token is not active"),
                ));
            }
            Err(Refusal::Unavailable) => {
                return Err(Denied::Refused(
                    Rejection::new(Reason::IntrospectionUnavailable, Some(scheme))
                        .with_retry_after(UNAVAILABLE_FOR),
                ));
            }
        };
        match (scheme, active.cnf_jkt.as_deref(), jkt) {
            (Scheme::Bearer, Some(_), _) => {
                return Err(Denied::Token(ClaimError::ProofRequired.into()));
            }
            (Scheme::Dpop, None, _) => {
                return Err(Denied::Token(
                    ClaimError::Missing(std::borrow::Cow::Borrowed("cnf")).into(),
                ));
            }
            (Scheme::Dpop, Some(bound), Some(proof)) if bound != proof => {
                return Err(Denied::Token(ClaimError::ProofKeyMismatch.into()));
            }
            _ => {}
        }
        if let Some(token_type) = &active.token_type {
            let expected = match scheme {
                Scheme::Bearer => "Bearer",
                Scheme::Dpop => "DPoP",
            };
            if !token_type.eq_ignore_ascii_case(expected) {
                return Err(Denied::Refused(
                    Rejection::new(Reason::InvalidToken, Some(scheme))
                        .with_description("the token's token_type is not its scheme"),
                ));
            }
        }
        Ok(Arc::clone(active))
    }

    /// The cache cell of `token`: a fresh answer's, the one being fetched, or a new one.
    fn cell(&self, token: &str) -> Arc<OnceCell<Outcome>> {
        let key = dpop::ath(token);
        let now = self.settings.clock.now();
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cell) = cache.entries.get(&key) {
            if cell.get().is_none_or(|outcome| now < outcome.until) {
                return Arc::clone(cell);
            }
        }
        let cell = Arc::new(OnceCell::new());
        if cache.entries.len() >= self.settings.capacity && now >= cache.next_sweep {
            cache
                .entries
                .retain(|_, cell| cell.get().is_none_or(|outcome| now < outcome.until));
            cache.next_sweep = now.saturating_add(1);
        }
        // A full cache of fresh answers keeps them: this token is asked about uncached.
        if cache.entries.len() < self.settings.capacity || cache.entries.contains_key(&key) {
            cache.entries.insert(key, Arc::clone(&cell));
        }
        cell
    }

    /// Asks the server about `token` and concludes.
    async fn introspect(&self, token: &str, plan: &Arc<Plan>) -> Outcome {
        let settings = &self.settings;
        let now = settings.clock.now();
        let unavailable = Outcome {
            until: now.saturating_add(seconds(Duration::from_secs(UNAVAILABLE_FOR))),
            result: Err(Refusal::Unavailable),
        };
        let accept = if settings.jwt.is_some() {
            JWT_ANSWER
        } else {
            "application/json"
        };
        let post = FormPost::new(&settings.endpoint, settings.max_len)
            .with_header("accept", accept)
            .with_field("token", token)
            .with_field("token_type_hint", "access_token");
        let post = match settings.auth.authenticate(post, now) {
            Ok(post) => post,
            Err(error) => {
                tracing::error!(target: "jose_ring_axum", %error, "the client assertion cannot be signed");
                return unavailable;
            }
        };
        let started = Instant::now();
        let result = tokio::time::timeout(settings.fetch_timeout, settings.client.post_form(&post))
            .await
            .unwrap_or(Err(FetchError::Timeout));
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let uri = settings.endpoint.as_str();
        let response = match result {
            Ok(response) if response.status() == 200 => response,
            Ok(response) => {
                tracing::warn!(target: "jose_ring_axum", kind = "introspection", uri, status = response.status(), duration_ms, "introspection refused");
                return unavailable;
            }
            Err(error) => {
                tracing::warn!(target: "jose_ring_axum", kind = "introspection", uri, %error, duration_ms, "introspection failed");
                return unavailable;
            }
        };
        let read = match &settings.jwt {
            Some(keys) => self.read_jwt(keys.as_ref(), response.body()).await,
            None => read_json(response.body()),
        };
        let (claims, payload) = match read {
            Ok(read) => read,
            Err(why) => {
                tracing::warn!(target: "jose_ring_axum", kind = "introspection", uri, why, duration_ms, "introspection answer refused");
                return unavailable;
            }
        };
        tracing::debug!(target: "jose_ring_axum", kind = "introspection", uri, status = 200, duration_ms, "token introspected");
        self.conclude(&claims, payload, plan, now)
    }

    /// A JWT answer, verified: its introspection claims and their JSON.
    async fn read_jwt(&self, keys: &dyn AnswerKeys, body: &[u8]) -> Result<Read, &'static str> {
        let answer = std::str::from_utf8(body)
            .map_err(|_| "not text")?
            .trim_ascii();
        if answer.starts_with('{') {
            return Err("a json answer where a jwt was asked for");
        }
        let verified = keys.verify(answer).await.map_err(|rejection| {
            tracing::warn!(target: "jose_ring_axum", detail = rejection.description().unwrap_or(""), "introspection jwt refused");
            "the jwt answer does not verify"
        })?;
        let outer: JwtAnswer =
            jwt::parse_claims(&verified).map_err(|_| "no token_introspection")?;
        let payload = serde_json::to_vec(&outer.token_introspection).map_err(|_| "unwritable")?;
        Ok((outer.token_introspection, Arc::from(payload)))
    }

    /// The outcome of an answer's `claims` (`payload` their JSON).
    fn conclude(
        &self,
        claims: &Map<String, Value>,
        payload: Arc<[u8]>,
        plan: &Arc<Plan>,
        now: NumericDate,
    ) -> Outcome {
        let settings = &self.settings;
        let negative = |refusal| Outcome {
            until: now.saturating_add(seconds(settings.negative)),
            result: Err(refusal),
        };
        let answer: Answer = match jwt::parse_claims(&payload) {
            Ok(answer) => answer,
            Err(error) => return negative(Refusal::Token(error)),
        };
        if answer.active != Some(Value::Bool(true)) {
            return negative(Refusal::Inactive);
        }
        let cnf_jkt = answer
            .cnf
            .as_ref()
            .and_then(|cnf| cnf.get("jkt"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        // The binding is checked per request (the proof's key); the other rules once.
        let bound;
        let rules = match &cnf_jkt {
            Some(jkt) => {
                bound = settings.rules.clone().with_dpop_jkt(jkt.as_str());
                &bound
            }
            None => &settings.rules,
        };
        let [exp, _, _] = match jwt::check_claims(claims, rules) {
            Ok(times) => times,
            Err(error) => return negative(Refusal::Token(error)),
        };
        let facts: Facts = match with_plan(plan, || jwt::parse_claims(&payload)) {
            Ok(facts) => facts,
            Err(error) => return negative(Refusal::Token(error)),
        };
        let bound_by_ttl = now.saturating_add(seconds(settings.positive));
        let until = exp.map_or(bound_by_ttl, |exp| exp.min(bound_by_ttl));
        let token_type = match answer.token_type {
            Some(Value::String(text)) => Some(text),
            _ => None,
        };
        Outcome {
            until,
            result: Ok(Arc::new(Active {
                facts,
                payload,
                expires_at: exp,
                cnf_jkt,
                token_type,
            })),
        }
    }
}

/// A JSON answer: its claims, and the body as their JSON.
fn read_json(body: &[u8]) -> Result<Read, &'static str> {
    let claims: Map<String, Value> = jwt::parse_claims(body).map_err(|_| "not a json object")?;
    Ok((claims, Arc::from(body)))
}

/// Whole seconds, as the clock counts.
fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}
