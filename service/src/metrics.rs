//! `GET /metrics`: the guard's metrics and the service's own in one Prometheus exposition
//! (OpenMetrics text), needing no credentials. The service counts logins, refreshes and
//! client authentications by outcome and throttled attempts, and times every state-store
//! call and every request.
//!
//! | Metric | Type | Labels |
//! |---|---|---|
//! | `jose_service_logins_total` | counter | `outcome`: `ok` or the refusal's reason code (`invalid_credentials`, `throttled`, ...) |
//! | `jose_service_refreshes_total` | counter | `outcome`: `ok`, `retried` (grace window) or the reason code (`refresh_token_reused`, `family_revoked`, ...) |
//! | `jose_service_client_authentications_total` | counter | `outcome`: `ok` or the reason code (`invalid_client`, ...) |
//! | `jose_service_throttled_total` | counter | `kind` (`password`, `refresh_token`, `client_secret`), `scope` (`account_ip`, `account`, `ip`) |
//! | `jose_service_store_errors_total` | counter | `operation` (`insert_new`, `insert`, `any`, `rotate`, `put`, `get`, `remove`, `throttle`) |
//! | `jose_service_store_duration_seconds` | histogram | `operation` |
//! | `jose_service_request_duration_seconds` | histogram | `method`, `route` (the matched route, `<unmatched>` for a 404), `status` |
//!
//! No label holds a value from a request: outcomes, kinds, scopes and operations are fixed
//! sets, `route` is one of the router's, `method` one of the standard methods (`other`
//! otherwise).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::Method;
use axum::routing::get;
use jose_ring_axum::prometheus_client::encoding::{EncodeLabelSet, LabelSetEncoder};
use jose_ring_axum::prometheus_client::metrics::counter::Counter;
use jose_ring_axum::prometheus_client::metrics::family::Family;
use jose_ring_axum::prometheus_client::metrics::histogram::Histogram;
use jose_ring_axum::prometheus_client::registry::{Registry, Unit};
use jose_ring_axum::{BoxFuture, Guard, Metrics};

use crate::rotation::Outcome;
use crate::store::{RotateRequest, Store, Unavailable};

/// Request durations' bucket bounds, seconds: OpenTelemetry's for
/// `http.server.request.duration` (5 ms to 10 s), below them 0.5, 1 and 2.5 ms, since most
/// of this service's answers take less than 5 ms.
const REQUEST_BUCKETS: [f64; 17] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
    7.5, 10.0,
];

/// Store calls' bucket bounds, seconds: 50 µs to the 500 ms the service waits for Redis.
const STORE_BUCKETS: [f64; 13] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
];

/// One label from a fixed set.
type Fixed = [(&'static str, &'static str); 1];
/// Two labels from fixed sets.
type FixedPair = [(&'static str, &'static str); 2];

fn request_histogram() -> Histogram {
    Histogram::new(REQUEST_BUCKETS)
}

fn store_histogram() -> Histogram {
    Histogram::new(STORE_BUCKETS)
}

/// A request's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

impl EncodeLabelSet for RequestLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder<'_>) -> std::fmt::Result {
        [("method", self.method)].encode(encoder)?;
        [("route", self.route.as_str())].encode(encoder)?;
        [("status", self.status)].encode(encoder)
    }
}

/// The service's own metrics (cheap to clone: every clone counts into the same cells).
#[derive(Debug, Clone)]
pub struct ServiceMetrics {
    logins: Family<Fixed, Counter>,
    refreshes: Family<Fixed, Counter>,
    client_authentications: Family<Fixed, Counter>,
    throttled: Family<FixedPair, Counter>,
    store_errors: Family<Fixed, Counter>,
    store_seconds: Family<Fixed, Histogram, fn() -> Histogram>,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
}

impl Default for ServiceMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ServiceMetrics {
    /// Every metric at zero.
    #[must_use]
    pub fn new() -> Self {
        Self {
            logins: Family::default(),
            refreshes: Family::default(),
            client_authentications: Family::default(),
            throttled: Family::default(),
            store_errors: Family::default(),
            store_seconds: Family::new_with_constructor(store_histogram),
            requests: Family::new_with_constructor(request_histogram),
        }
    }

    /// Registers the metrics in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "jose_service_logins",
            "Logins at /login, by outcome: ok or the refusal's reason code.",
            self.logins.clone(),
        );
        registry.register(
            "jose_service_refreshes",
            "Refresh-token presentations, by outcome: ok, retried (grace window) or the refusal's reason code.",
            self.refreshes.clone(),
        );
        registry.register(
            "jose_service_client_authentications",
            "Client authentications at the token endpoints, by outcome: ok or the refusal's reason code.",
            self.client_authentications.clone(),
        );
        registry.register(
            "jose_service_throttled",
            "Attempts refused by a throttling budget (429), by what they tried to prove and the budget spent.",
            self.throttled.clone(),
        );
        registry.register(
            "jose_service_store_errors",
            "State-store calls that failed (the request got 503, or throttling fell back to memory).",
            self.store_errors.clone(),
        );
        registry.register_with_unit(
            "jose_service_store_duration",
            "Time of each state-store call.",
            Unit::Seconds,
            self.store_seconds.clone(),
        );
        registry.register_with_unit(
            "jose_service_request_duration",
            "Time to answer each request, by method, matched route and status.",
            Unit::Seconds,
            self.requests.clone(),
        );
    }

    /// A login that ended with `outcome` (`ok` or a reason code).
    pub fn login(&self, outcome: &'static str) {
        self.logins.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// A refresh that ended with `outcome` (`ok`, `retried` or a reason code).
    pub fn refresh(&self, outcome: &'static str) {
        self.refreshes.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// A client authentication that ended with `outcome` (`ok` or a reason code).
    pub fn client_authentication(&self, outcome: &'static str) {
        self.client_authentications
            .get_or_create(&[("outcome", outcome)])
            .inc();
    }

    /// An attempt to prove `kind` refused by the `scope` budget.
    pub fn throttled(&self, kind: &'static str, scope: &'static str) {
        self.throttled
            .get_or_create(&[("kind", kind), ("scope", scope)])
            .inc();
    }

    /// A state-store `operation` that took `elapsed` and succeeded or not.
    pub fn store_call(&self, operation: &'static str, elapsed: Duration, ok: bool) {
        let labels = [("operation", operation)];
        self.store_seconds
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
        if !ok {
            self.store_errors.get_or_create(&labels).inc();
        }
    }

    /// A request answered: `method` `route` (the matched one) with `status`, in `elapsed`.
    pub fn request(&self, method: &Method, route: String, status: u16, elapsed: Duration) {
        let labels = RequestLabels {
            method: method_name(method),
            route,
            status,
        };
        self.requests
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Times `call`, a store `operation`.
    async fn timed<T>(
        &self,
        operation: &'static str,
        call: BoxFuture<'_, Result<T, Unavailable>>,
    ) -> Result<T, Unavailable> {
        let started = Instant::now();
        let result = call.await;
        self.store_call(operation, started.elapsed(), result.is_ok());
        result
    }
}

/// The standard methods by name; `other` for the rest (a label never takes a request's
/// bytes).
fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "other",
    }
}

/// The `/metrics` route: `guard`'s metrics and `service`'s, in one registry (the guard's
/// [`Metrics`]), served as OpenMetrics text to anyone who asks.
pub fn router<S: Clone + Send + Sync + 'static>(
    guard: &Guard,
    service: &ServiceMetrics,
) -> Router<S> {
    let mut metrics = Metrics::new();
    metrics.register_guard(guard);
    service.register(metrics.registry_mut());
    let metrics = Arc::new(metrics);
    Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move { metrics.response() }
        }),
    )
}

/// A [`Store`] whose calls are timed and whose failures are counted.
pub struct MeteredStore {
    inner: Arc<dyn Store>,
    metrics: ServiceMetrics,
}

impl MeteredStore {
    /// `inner`, timed into `metrics`.
    #[must_use]
    pub fn new(inner: Arc<dyn Store>, metrics: ServiceMetrics) -> Self {
        Self { inner, metrics }
    }
}

impl Store for MeteredStore {
    fn insert_new<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, Unavailable>> {
        Box::pin(
            self.metrics
                .timed("insert_new", self.inner.insert_new(key, ttl)),
        )
    }

    fn insert<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(self.metrics.timed("insert", self.inner.insert(key, ttl)))
    }

    fn any<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<bool, Unavailable>> {
        Box::pin(self.metrics.timed("any", self.inner.any(keys)))
    }

    fn rotate<'a>(
        &'a self,
        request: &'a RotateRequest<'a>,
    ) -> BoxFuture<'a, Result<Outcome, Unavailable>> {
        Box::pin(self.metrics.timed("rotate", self.inner.rotate(request)))
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(self.metrics.timed("put", self.inner.put(key, value, ttl)))
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Unavailable>> {
        Box::pin(self.metrics.timed("get", self.inner.get(key)))
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(self.metrics.timed("remove", self.inner.remove(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_names_each_metric_and_its_labels() {
        let metrics = ServiceMetrics::new();
        metrics.login("ok");
        metrics.login("invalid_credentials");
        metrics.login("ok");
        metrics.throttled("password", "account_ip");
        metrics.store_call("rotate", Duration::from_micros(300), true);
        metrics.store_call("any", Duration::from_millis(600), false);
        metrics.request(
            &Method::POST,
            "/login".into(),
            200,
            Duration::from_micros(700),
        );
        metrics.request(
            &Method::from_bytes(b"BREW").unwrap_or(Method::GET),
            "<unmatched>".into(),
            404,
            Duration::ZERO,
        );
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        let mut text = String::new();
        let encoded =
            jose_ring_axum::prometheus_client::encoding::text::encode(&mut text, &registry);
        assert_eq!(encoded, Ok(()));
        for line in [
            "# TYPE jose_service_logins counter",
            "jose_service_logins_total{outcome=\"ok\"} 2",
            "jose_service_logins_total{outcome=\"invalid_credentials\"} 1",
            "jose_service_throttled_total{kind=\"password\",scope=\"account_ip\"} 1",
            "# UNIT jose_service_store_duration_seconds seconds",
            "jose_service_store_duration_seconds_bucket{le=\"0.0005\",operation=\"rotate\"} 1",
            "jose_service_store_duration_seconds_count{operation=\"any\"} 1",
            "jose_service_store_errors_total{operation=\"any\"} 1",
            "jose_service_request_duration_seconds_bucket{le=\"0.001\",method=\"POST\",route=\"/login\",status=\"200\"} 1",
            "jose_service_request_duration_seconds_count{method=\"other\",route=\"<unmatched>\",status=\"404\"} 1",
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
        }
        assert!(!text.contains("store_errors_total{operation=\"rotate\"}"));
    }
}
