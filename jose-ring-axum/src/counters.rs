//! What the guard did, as relaxed atomics (no locks): requests by outcome, reason and
//! scheme; store errors; fetches and unknown-`kid` decisions of each remote key set; with
//! the `metrics` feature, verification times by algorithm. [`Counters`] is the public
//! snapshot; `metrics.rs` exports the rest.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::credentials::Scheme;
use crate::reason::Reason;

/// The position of `scheme` among the cells: none, `Bearer`, `DPoP`.
pub(crate) fn scheme_index(scheme: Option<Scheme>) -> usize {
    match scheme {
        None => 0,
        Some(Scheme::Bearer) => 1,
        Some(Scheme::Dpop) => 2,
    }
}

/// The stores whose errors are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    Revocation,
    Replay,
}

/// The stores, in the order of the cells.
pub(crate) const STORES: [Store; 2] = [Store::Revocation, Store::Replay];

impl Store {
    #[cfg(feature = "metrics")]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Revocation => "revocation",
            Self::Replay => "replay",
        }
    }
}

fn add(cell: &AtomicU64) {
    cell.fetch_add(1, Ordering::Relaxed);
}

fn read(cell: &AtomicU64) -> u64 {
    cell.load(Ordering::Relaxed)
}

/// The live counters of a guard.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    /// Accepted, by scheme.
    accepted: [AtomicU64; 3],
    /// Let through an optional layer without credentials.
    anonymous: AtomicU64,
    /// Refused, by reason and scheme.
    rejected: [[AtomicU64; 3]; Reason::ALL.len()],
    fetches: AtomicU64,
    fetch_failures: AtomicU64,
    /// Errors of the stores, in the order of [`STORES`].
    store_errors: [AtomicU64; 2],
    #[cfg(feature = "metrics")]
    pub(crate) timings: Timings,
}

impl Cells {
    pub(crate) fn accepted(&self, scheme: Scheme) {
        if let Some(cell) = self.accepted.get(scheme_index(Some(scheme))) {
            add(cell);
        }
    }

    pub(crate) fn anonymous(&self) {
        add(&self.anonymous);
    }

    pub(crate) fn rejected(&self, reason: Reason, scheme: Option<Scheme>) {
        if let Some(cell) = self
            .rejected
            .get(reason.index())
            .and_then(|row| row.get(scheme_index(scheme)))
        {
            add(cell);
        }
    }

    pub(crate) fn fetched(&self, ok: bool) {
        add(&self.fetches);
        if !ok {
            add(&self.fetch_failures);
        }
    }

    pub(crate) fn store_error(&self, store: Store) {
        if let Some(cell) = STORES
            .iter()
            .position(|s| *s == store)
            .and_then(|at| self.store_errors.get(at))
        {
            add(cell);
        }
    }

    #[cfg(feature = "metrics")]
    /// Accepted with `scheme` (none: 0).
    pub(crate) fn accepted_with(&self, scheme: Option<Scheme>) -> u64 {
        match scheme {
            None => 0,
            Some(_) => self.accepted.get(scheme_index(scheme)).map_or(0, read),
        }
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn anonymous_count(&self) -> u64 {
        read(&self.anonymous)
    }

    #[cfg(feature = "metrics")]
    /// Refused for `reason` with `scheme`.
    pub(crate) fn rejected_with(&self, reason: Reason, scheme: Option<Scheme>) -> u64 {
        self.rejected
            .get(reason.index())
            .and_then(|row| row.get(scheme_index(scheme)))
            .map_or(0, read)
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn store_errors(&self, store: Store) -> u64 {
        STORES
            .iter()
            .position(|s| *s == store)
            .and_then(|at| self.store_errors.get(at))
            .map_or(0, read)
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let mut rejected = [0; Reason::ALL.len()];
        for (out, row) in rejected.iter_mut().zip(&self.rejected) {
            *out = row.iter().map(read).fold(0, u64::saturating_add);
        }
        Counters {
            accepted: self.accepted.iter().map(read).fold(0, u64::saturating_add),
            anonymous: read(&self.anonymous),
            rejected,
            fetches: read(&self.fetches),
            fetch_failures: read(&self.fetch_failures),
        }
    }
}

/// What a fetch of a key set or discovery document came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FetchResult {
    Ok,
    NotModified,
    /// An answer the cache refused (status, body).
    Refused,
    Timeout,
    /// No answer (network, TLS, size).
    Failed,
}

/// The fetch results, in the order of the cells.
pub(crate) const FETCH_RESULTS: [FetchResult; 5] = [
    FetchResult::Ok,
    FetchResult::NotModified,
    FetchResult::Refused,
    FetchResult::Timeout,
    FetchResult::Failed,
];

impl FetchResult {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NotModified => "not_modified",
            Self::Refused => "refused",
            Self::Timeout => "timeout",
            Self::Failed => "failed",
        }
    }
}

/// What a token with an unknown `kid` was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnknownKid {
    /// A newer set than the one tried was held: tried with it.
    Newer,
    /// A refetch was started for it.
    Fetch,
    /// It waited for a fetch in flight.
    Wait,
    /// The cooldown allowed no refetch: refused.
    Cooldown,
}

/// The unknown-`kid` decisions, in the order of the cells.
pub(crate) const UNKNOWN_KID: [UnknownKid; 4] = [
    UnknownKid::Newer,
    UnknownKid::Fetch,
    UnknownKid::Wait,
    UnknownKid::Cooldown,
];

impl UnknownKid {
    #[cfg(feature = "metrics")]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Newer => "newer",
            Self::Fetch => "fetch",
            Self::Wait => "wait",
            Self::Cooldown => "cooldown",
        }
    }
}

/// The counters of one remote key set.
#[derive(Debug, Default)]
pub(crate) struct KeyCells {
    /// By target (discovery, key set) and result.
    fetches: [[AtomicU64; 5]; 2],
    unknown_kid: [AtomicU64; 4],
}

impl KeyCells {
    /// A fetch of the discovery document (`discovery`) or of the key set.
    pub(crate) fn fetched(&self, discovery: bool, result: FetchResult) {
        let at = FETCH_RESULTS.iter().position(|r| *r == result);
        if let Some(cell) = self
            .fetches
            .get(usize::from(!discovery))
            .and_then(|row| at.and_then(|at| row.get(at)))
        {
            add(cell);
        }
    }

    pub(crate) fn unknown_kid(&self, decision: UnknownKid) {
        let at = UNKNOWN_KID.iter().position(|d| *d == decision);
        if let Some(cell) = at.and_then(|at| self.unknown_kid.get(at)) {
            add(cell);
        }
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn fetches(&self, discovery: bool, result: FetchResult) -> u64 {
        let at = FETCH_RESULTS.iter().position(|r| *r == result);
        self.fetches
            .get(usize::from(!discovery))
            .and_then(|row| at.and_then(|at| row.get(at)))
            .map_or(0, read)
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn unknown_kids(&self, decision: UnknownKid) -> u64 {
        let at = UNKNOWN_KID.iter().position(|d| *d == decision);
        at.and_then(|at| self.unknown_kid.get(at)).map_or(0, read)
    }
}

/// The upper bounds of the verification-time buckets, nanoseconds: 2.5 µs (an HS256
/// token) to 10 ms (an RSA-8192 one on a loaded machine).
#[cfg(feature = "metrics")]
pub(crate) const BUCKETS_NS: [u64; 12] = [
    2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    5_000_000, 10_000_000,
];

/// Verification times by algorithm (in the order of `jwa::ALL`): a count per bucket (not
/// cumulative; above the last bound only in the total), the total and the sum in
/// nanoseconds.
#[cfg(feature = "metrics")]
#[derive(Debug, Default)]
pub(crate) struct Timings {
    buckets: [[AtomicU64; 12]; 13],
    count: [AtomicU64; 13],
    sum_ns: [AtomicU64; 13],
}

/// A histogram as read: per-bucket counts, total, sum in nanoseconds.
#[cfg(feature = "metrics")]
pub(crate) struct Histogram {
    pub(crate) buckets: [u64; 12],
    pub(crate) count: u64,
    pub(crate) sum_ns: u64,
}

#[cfg(feature = "metrics")]
impl Timings {
    /// One verification with `algorithm` (its position in `jwa::ALL`) took `nanos`.
    pub(crate) fn record(&self, algorithm: usize, nanos: u64) {
        let bucket = BUCKETS_NS.iter().position(|bound| nanos <= *bound);
        if let Some(cell) = bucket.and_then(|b| self.buckets.get(algorithm).and_then(|r| r.get(b)))
        {
            add(cell);
        }
        if let (Some(count), Some(sum)) = (self.count.get(algorithm), self.sum_ns.get(algorithm)) {
            add(count);
            sum.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    /// The histogram of `algorithm`.
    pub(crate) fn read(&self, algorithm: usize) -> Histogram {
        let mut buckets = [0; 12];
        if let Some(row) = self.buckets.get(algorithm) {
            for (out, cell) in buckets.iter_mut().zip(row) {
                *out = read(cell);
            }
        }
        Histogram {
            buckets,
            count: self.count.get(algorithm).map_or(0, read),
            sum_ns: self.sum_ns.get(algorithm).map_or(0, read),
        }
    }
}

/// What a guard has done since it was built: requests accepted, let through anonymous,
/// rejected by [`Reason`], and key-set or discovery fetches (and how many failed). A
/// snapshot of relaxed atomics: each number is exact, the set of them is not one instant.
/// The `metrics` feature exports these and more in the Prometheus text format
/// (`Metrics`).
///
/// ```
/// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(jose_ring::jwk::KeyRing::new_hmac())
/// #     .build().unwrap();
/// let counters = guard.counters();
/// assert_eq!(counters.accepted(), 0);
/// assert_eq!(counters.anonymous(), 0);
/// assert_eq!(counters.rejected(jose_ring_axum::Reason::Expired), 0);
/// assert_eq!(counters.rejected_total(), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counters {
    accepted: u64,
    anonymous: u64,
    rejected: [u64; Reason::ALL.len()],
    fetches: u64,
    fetch_failures: u64,
}

impl Counters {
    /// Requests let through every guard layer on their way with a valid token (a route's
    /// refusal counts as that refusal only).
    #[must_use]
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Requests without credentials let through an optional layer
    /// ([`Guard::optional_layer`](crate::Guard::optional_layer)) and every layer after it.
    #[must_use]
    pub fn anonymous(&self) -> u64 {
        self.anonymous
    }

    /// Requests refused for `reason`.
    #[must_use]
    pub fn rejected(&self, reason: Reason) -> u64 {
        self.rejected.get(reason.index()).copied().unwrap_or(0)
    }

    /// Requests refused, for every reason.
    #[must_use]
    pub fn rejected_total(&self) -> u64 {
        self.rejected
            .iter()
            .fold(0, |sum, n| sum.saturating_add(*n))
    }

    /// Each reason with its count, in the order of [`Reason::ALL`].
    pub fn rejections(&self) -> impl Iterator<Item = (Reason, u64)> + '_ {
        Reason::ALL
            .iter()
            .copied()
            .zip(self.rejected.iter().copied())
    }

    /// Fetches completed (discovery and key sets), successful or not.
    #[must_use]
    pub fn fetches(&self) -> u64 {
        self.fetches
    }

    /// Fetches that gave no usable answer (network, timeout, status, body).
    #[must_use]
    pub fn fetch_failures(&self) -> u64 {
        self.fetch_failures
    }
}
