//! The guard's decisions in the Prometheus exposition format (feature `metrics`): a
//! [`Collector`] that reads the guard's atomics at scrape time, and [`Metrics`], the
//! registry an application serves at `/metrics` and adds its own metrics to.
//!
//! Built on the Prometheus project's `prometheus-client` crate (re-exported as
//! [`prometheus_client`](crate::prometheus_client)): its OpenMetrics encoder writes the
//! text (escaping, `_total`, units, cumulative buckets, `# EOF`), and its `Registry` is
//! where an application registers its own counters, gauges and histograms beside the
//! guard's. The guard itself counts with plain atomics in fixed arrays (no label lookup,
//! no lock, nothing allocated per request): the crate only runs at scrape time.

use std::fmt;

use axum_core::body::Body;
use axum_core::response::Response;
use http::HeaderValue;
use http::header::CONTENT_TYPE;
use jose_ring::jwa;
use jose_ring::jwks::CacheState;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::{Registry, Unit};

use crate::counters::{BUCKETS_NS, FETCH_RESULTS, STORES, UNKNOWN_KID};
use crate::credentials::Scheme;
use crate::guard::Guard;
use crate::reason::Reason;

/// The content type of the exposition: OpenMetrics 1.0 text, which Prometheus asks for
/// first and parses.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The metrics of a guard, and of whatever else the application registers, in one
/// exposition to serve at `/metrics` (feature `metrics`).
///
/// | Metric | Type | Labels | What |
/// |---|---|---|---|
/// | `jose_guard_requests_total` | counter | `result` (`success`, `failure`, `none`), `reason`, `scheme` (`Bearer`, `DPoP`) | requests decided: accepted (`success`, by scheme), refused (`failure`, or `none` with `reason="missing_credentials"`: no credentials on a required route), let through anonymous by an optional layer (`none`, no reason) |
/// | `jose_guard_verification_seconds` | histogram | `alg` | time to verify a token that verified (signature, claims, facts), by algorithm |
/// | `jose_guard_key_set_fetches_total` | counter | `issuer`, `target` (`discovery`, `jwks`), `result` (`ok`, `not_modified`, `refused`, `timeout`, `failed`) | fetches of each remote key set |
/// | `jose_guard_keys` | gauge | `issuer` | keys held |
/// | `jose_guard_key_set_state` | gauge | `issuer`, `state` (`empty`, `fresh`, `refresh_due`, `stale`, `too_stale`) | 1 for the set's state, 0 for the others |
/// | `jose_guard_unknown_kid_total` | counter | `issuer`, `decision` (`newer`, `fetch`, `wait`, `cooldown`) | what tokens with a `kid` the set lacked were given |
/// | `jose_guard_store_errors_total` | counter | `store` (`revocation`, `replay`) | store calls that failed (the request got 503) |
///
/// `result` follows ASP.NET Core's `aspnetcore.authentication.result` (`success`,
/// `failure`, `none`); `reason` is a [`Reason`] code. **No label ever holds a value from a
/// request**: reasons, schemes, algorithms, results and states are fixed sets, and `issuer`
/// is one of the issuers (or the JWKS URI) the guard was built with.
///
/// **Adding your own metrics**: [`registry_mut`](Self::registry_mut) is a
/// `prometheus_client` [`Registry`]; register counters, gauges and histograms there (or a
/// [`Collector`] of your own) and they are served in the same exposition.
///
/// ```
/// # use jose_ring::{jwa, jwk::KeyRing, HmacKey};
/// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(
/// #     KeyRing::new_hmac().with_hmac_key(HmacKey::new(&jwa::HS256, &[7; 32]).unwrap()))
/// #     .build().unwrap();
/// use std::sync::Arc;
/// use axum::{Router, routing::get};
/// use jose_ring_axum::Metrics;
/// use jose_ring_axum::prometheus_client::metrics::counter::Counter;
///
/// let logins = Counter::<u64>::default();
/// let mut metrics = Metrics::new();
/// metrics.register_guard(&guard);
/// metrics.registry_mut().register("myapp_logins", "Logins", logins.clone());
/// let metrics = Arc::new(metrics);
///
/// let api: Router = Router::new()
///     .route("/hello", get(|| async { "hello" }))
///     .layer(guard.layer());
/// let app: Router = Router::new()
///     .route("/metrics", get(move || { let m = Arc::clone(&metrics); async move { m.response() } }))
///     .merge(api);                                  // /metrics is outside the guard
/// logins.inc();
/// ```
#[derive(Debug, Default)]
pub struct Metrics {
    registry: Registry,
}

impl Metrics {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Around a registry the application already has.
    #[must_use]
    pub fn from_registry(registry: Registry) -> Self {
        Self { registry }
    }

    /// Adds `guard`'s metrics. Register one guard per registry (two would write the same
    /// families twice); for several, give each its own [`Metrics`] or a
    /// `sub_registry_with_prefix`.
    pub fn register_guard(&mut self, guard: &Guard) -> &mut Self {
        self.registry
            .register_collector(Box::new(GuardCollector(guard.clone())));
        self
    }

    /// The registry, to add the application's own metrics.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The registry.
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The exposition: OpenMetrics text, ending with `# EOF`.
    ///
    /// # Errors
    ///
    /// [`fmt::Error`] if a collector fails to write (the guard's never does).
    pub fn encode(&self) -> Result<String, fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// The answer to `GET /metrics`: 200 with the exposition and
    /// [`CONTENT_TYPE_OPENMETRICS`], or 500 if it cannot be written.
    #[must_use]
    pub fn response(&self) -> Response {
        match self.encode() {
            Ok(text) => {
                let mut response = Response::new(Body::from(text));
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static(CONTENT_TYPE_OPENMETRICS),
                );
                response
            }
            Err(_) => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                response
            }
        }
    }
}

/// A guard's metrics as a `prometheus_client` [`Collector`], for a [`Registry`] of your
/// own ([`Metrics::register_guard`] registers one).
#[derive(Debug, Clone)]
pub struct GuardCollector(Guard);

impl GuardCollector {
    /// The collector of `guard`.
    #[must_use]
    pub fn new(guard: &Guard) -> Self {
        Self(guard.clone())
    }
}

/// `Bearer` or `DPoP`, as the scheme is written.
fn scheme_name(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Bearer => "Bearer",
        Scheme::Dpop => "DPoP",
    }
}

fn counter(encoder: prometheus_client::encoding::MetricEncoder<'_>, value: u64) -> fmt::Result {
    ConstCounter::new(value).encode(encoder)
}

fn gauge(encoder: prometheus_client::encoding::MetricEncoder<'_>, value: u64) -> fmt::Result {
    ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX)).encode(encoder)
}

/// The name of a key set's state.
fn state_name(state: CacheState) -> &'static str {
    match state {
        CacheState::Empty => "empty",
        CacheState::Fresh => "fresh",
        CacheState::RefreshDue => "refresh_due",
        CacheState::Stale => "stale",
        CacheState::TooStale => "too_stale",
    }
}

const STATES: [CacheState; 5] = [
    CacheState::Empty,
    CacheState::Fresh,
    CacheState::RefreshDue,
    CacheState::Stale,
    CacheState::TooStale,
];

impl Collector for GuardCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let inner = &*self.0.inner;
        let cells = &inner.responder.counters;

        let mut family = encoder.encode_descriptor(
            "jose_guard_requests",
            "Requests the guard decided, by result (success, failure, none), reason code and scheme.",
            None,
            MetricType::Counter,
        )?;
        for scheme in [Scheme::Bearer, Scheme::Dpop] {
            let labels = [("result", "success"), ("scheme", scheme_name(scheme))];
            counter(
                family.encode_family(&labels)?,
                cells.accepted_with(Some(scheme)),
            )?;
        }
        counter(
            family.encode_family(&[("result", "none")])?,
            cells.anonymous_count(),
        )?;
        for reason in Reason::ALL {
            let result = if reason == Reason::MissingCredentials {
                "none"
            } else {
                "failure"
            };
            for scheme in [None, Some(Scheme::Bearer), Some(Scheme::Dpop)] {
                let n = cells.rejected_with(reason, scheme);
                if n == 0 {
                    continue;
                }
                match scheme {
                    None => {
                        let labels = [("result", result), ("reason", reason.as_str())];
                        counter(family.encode_family(&labels)?, n)?;
                    }
                    Some(scheme) => {
                        let labels = [
                            ("result", result),
                            ("reason", reason.as_str()),
                            ("scheme", scheme_name(scheme)),
                        ];
                        counter(family.encode_family(&labels)?, n)?;
                    }
                }
            }
        }

        let mut family = encoder.encode_descriptor(
            "jose_guard_verification",
            "Time to verify a token that verified, by algorithm.",
            Some(&Unit::Seconds),
            MetricType::Histogram,
        )?;
        for (at, alg) in jwa::ALL.iter().enumerate() {
            let histogram = cells.timings.read(at);
            if histogram.count == 0 {
                continue;
            }
            let mut buckets: Vec<(f64, u64)> = BUCKETS_NS
                .iter()
                .zip(histogram.buckets)
                .map(|(bound, n)| (nanos_to_seconds(*bound), n))
                .collect();
            let counted = histogram
                .buckets
                .iter()
                .fold(0, |s: u64, n| s.saturating_add(*n));
            buckets.push((f64::INFINITY, histogram.count.saturating_sub(counted)));
            family
                .encode_family(&[("alg", alg.name())])?
                .encode_histogram::<NoLabelSet>(
                    nanos_to_seconds(histogram.sum_ns),
                    histogram.count,
                    &buckets,
                    None,
                )?;
        }

        let mut family = encoder.encode_descriptor(
            "jose_guard_key_set_fetches",
            "Fetches of each remote key set and its discovery document, by result.",
            None,
            MetricType::Counter,
        )?;
        for remote in &inner.remotes {
            for (discovery, target) in [(true, "discovery"), (false, "jwks")] {
                for result in FETCH_RESULTS {
                    let n = remote.cells().fetches(discovery, result);
                    if n == 0 {
                        continue;
                    }
                    let labels = [
                        ("issuer", remote.label()),
                        ("target", target),
                        ("result", result.as_str()),
                    ];
                    counter(family.encode_family(&labels)?, n)?;
                }
            }
        }

        let states: Vec<(usize, CacheState)> =
            inner.remotes.iter().map(|remote| remote.state()).collect();
        let mut family = encoder.encode_descriptor(
            "jose_guard_keys",
            "Keys held in each remote key set.",
            None,
            MetricType::Gauge,
        )?;
        for (remote, (keys, _)) in inner.remotes.iter().zip(&states) {
            let n = u64::try_from(*keys).unwrap_or(u64::MAX);
            gauge(family.encode_family(&[("issuer", remote.label())])?, n)?;
        }
        let mut family = encoder.encode_descriptor(
            "jose_guard_key_set_state",
            "The state of each remote key set: 1 for the one it is in.",
            None,
            MetricType::Gauge,
        )?;
        for (remote, (_, now)) in inner.remotes.iter().zip(&states) {
            for state in STATES {
                let labels = [("issuer", remote.label()), ("state", state_name(state))];
                gauge(family.encode_family(&labels)?, u64::from(state == *now))?;
            }
        }

        let mut family = encoder.encode_descriptor(
            "jose_guard_unknown_kid",
            "What tokens with a kid the key set lacked were given: a newer set, a fetch, a wait for one, or the cooldown.",
            None,
            MetricType::Counter,
        )?;
        for remote in &inner.remotes {
            for decision in UNKNOWN_KID {
                let labels = [("issuer", remote.label()), ("decision", decision.as_str())];
                counter(
                    family.encode_family(&labels)?,
                    remote.cells().unknown_kids(decision),
                )?;
            }
        }

        let mut family = encoder.encode_descriptor(
            "jose_guard_store_errors",
            "Calls to the revocation or replay store that failed (answered 503).",
            None,
            MetricType::Counter,
        )?;
        for store in STORES {
            counter(
                family.encode_family(&[("store", store.as_str())])?,
                cells.store_errors(store),
            )?;
        }
        Ok(())
    }
}

/// Nanoseconds as seconds.
fn nanos_to_seconds(nanos: u64) -> f64 {
    // reason: nanosecond sums stay far below 2^53 for years of verifications.
    #[allow(clippy::cast_precision_loss, reason = "exact below 2^53 ns (104 days)")]
    let nanos = nanos as f64;
    nanos / 1e9
}
