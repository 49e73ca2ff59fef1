//! A clock the test moves forward: the system clock plus an offset. The guard reads time
//! only through its `Clock` (design rule 1 of the deployment layer), so a test can step over
//! a 30 s cooldown or a 5 min cache lifetime without sleeping. Shared as an `Arc` with the
//! guard and its rules: nothing is leaked.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jose_ring::jwt::{Clock, NumericDate};

/// The system clock plus an offset in seconds.
#[derive(Debug, Default)]
pub struct TestClock {
    offset: AtomicI64,
}

impl TestClock {
    /// A new clock for one test.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Moves the clock `seconds` forward.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Seconds since the epoch on this clock.
    pub fn seconds(&self) -> i64 {
        self.now().as_seconds()
    }
}

impl Clock for TestClock {
    fn now(&self) -> NumericDate {
        let system = NumericDate::now().as_seconds();
        NumericDate::from_seconds(system.saturating_add(self.offset.load(Ordering::SeqCst)))
    }
}
