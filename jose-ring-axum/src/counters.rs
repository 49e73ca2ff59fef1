//! A cheap snapshot of what the guard did: atomics, no locks.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::reason::Reason;

/// The live counters of a guard.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    accepted: AtomicU64,
    rejected: [AtomicU64; Reason::ALL.len()],
    fetches: AtomicU64,
    fetch_failures: AtomicU64,
}

impl Cells {
    pub(crate) fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rejected(&self, reason: Reason) {
        if let Some(cell) = self.rejected.get(reason.index()) {
            cell.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn fetched(&self, ok: bool) {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.fetch_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let mut rejected = [0; Reason::ALL.len()];
        for (out, cell) in rejected.iter_mut().zip(&self.rejected) {
            *out = cell.load(Ordering::Relaxed);
        }
        Counters {
            accepted: self.accepted.load(Ordering::Relaxed),
            rejected,
            fetches: self.fetches.load(Ordering::Relaxed),
            fetch_failures: self.fetch_failures.load(Ordering::Relaxed),
        }
    }
}

/// What a guard has done since it was built: requests accepted, rejected by [`Reason`], and
/// key-set or discovery fetches (and how many failed). A snapshot of relaxed atomics: each
/// number is exact, the set of them is not one instant.
///
/// ```
/// # let guard = jose_ring_axum::Guard::from_hmac_key_ring(jose_ring::jwk::KeyRing::new_hmac())
/// #     .build().unwrap();
/// let counters = guard.counters();
/// assert_eq!(counters.accepted(), 0);
/// assert_eq!(counters.rejected(jose_ring_axum::Reason::Expired), 0);
/// assert_eq!(counters.rejected_total(), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counters {
    accepted: u64,
    rejected: [u64; Reason::ALL.len()],
    fetches: u64,
    fetch_failures: u64,
}

impl Counters {
    /// Requests let through every guard layer on their way (a route's refusal counts as
    /// that refusal only).
    #[must_use]
    pub fn accepted(&self) -> u64 {
        self.accepted
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
