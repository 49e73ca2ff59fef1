//! Throttling of failed authentication attempts: budgets per (account, client IP), per
//! account and per client IP, shared by every instance through one Redis script
//! ([`LUA`]), the same steps in memory for one process. It slows an attacker down (429 with
//! `Retry-After`), never locks an account.
//!
//! Each budget is a GCRA bucket (the generic cell rate algorithm: a token bucket kept as one
//! timestamp) of `burst` failures refilled evenly over `window`. Only failures count:
//!
//! - a secret that can be guessed (a password, a client secret) is charged to every bucket
//!   before it is checked, so that concurrent guesses cannot overrun a budget, and given
//!   back if it was right;
//! - a refresh token cannot be guessed: the budgets are checked before it is presented and
//!   charged only if it fails, so that concurrent refreshes of one session are never held.
//!
//! A right password (or client secret) also marks the (account, IP) pair as one the account
//! has logged in from: for 30 days, that pair skips the account-wide budget. So:
//!
//! - one IP against one account is held by the (account, IP) budget;
//! - many IPs against one account are held by the account budget, which only IPs the
//!   account has not logged in from share: its owner, back at an address they logged in
//!   from, still gets in;
//! - one IP against many accounts is held by the IP budget.
//!
//! Without Redis (it is down or slow), each instance throttles in memory until it is back:
//! an attacker then gets at most one budget per instance, and logins go on.

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::metrics::ServiceMetrics;
use crate::store::{Durability, RedisStore, Unavailable};

/// The atomic step on Redis: take, refund or succeed, over the attempt's buckets.
pub const LUA: &str = include_str!("throttle.lua");

/// How long a success marks an (account, IP) pair as known to the account.
pub const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// Live entries the in-memory limiter keeps at most (buckets and marks together).
const MEMORY_CAPACITY: usize = 100_000;

/// What an attempt tries to prove; each kind has its own buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A password (`/login`).
    Password,
    /// A refresh token (`/refresh`, `/token` with `grant_type=refresh_token`).
    RefreshToken,
    /// A client's secret or assertion (`/token` client authentication).
    ClientSecret,
}

impl Kind {
    /// The name in keys, logs and metrics.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::RefreshToken => "refresh_token",
            Self::ClientSecret => "client_secret",
        }
    }
}

/// Which budget refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The (account, client IP) budget.
    AccountIp,
    /// The account's budget (IPs the account has not logged in from).
    Account,
    /// The client IP's budget.
    Ip,
}

impl Scope {
    /// The name in logs and metrics.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AccountIp => "account_ip",
            Self::Account => "account",
            Self::Ip => "ip",
        }
    }
}

/// A budget: `burst` failures at once, refilled evenly over `window` (one every
/// `window / burst`). Written `BURST/WINDOW` with the window in `s`, `m` or `h`: `10/20m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    burst: u32,
    window: Duration,
    /// `window / burst` in whole milliseconds (the same in memory and in Redis).
    interval: Duration,
}

impl Budget {
    /// `burst` failures refilled over `window`, if `burst` is at least 1, `window` at least
    /// one second and at most a day, and the refill interval at least a millisecond.
    #[must_use]
    pub fn new(burst: u32, window: Duration) -> Option<Self> {
        if burst == 0 || window < Duration::from_secs(1) || window > Duration::from_secs(86_400) {
            return None;
        }
        let window_ms = u64::try_from(window.as_millis()).ok()?;
        let interval = window_ms.checked_div(u64::from(burst))?;
        (interval >= 1).then_some(Self {
            burst,
            window,
            interval: Duration::from_millis(interval),
        })
    }

    /// Failures allowed at once.
    #[must_use]
    pub const fn burst(self) -> u32 {
        self.burst
    }

    /// The time one failure takes to be forgotten (`window / burst`).
    #[must_use]
    pub const fn interval(self) -> Duration {
        self.interval
    }

    /// The time a spent budget takes to refill.
    #[must_use]
    pub const fn window(self) -> Duration {
        self.window
    }

    /// How far ahead of now the bucket's TAT may be: `burst` intervals.
    fn limit(self) -> Duration {
        self.interval.saturating_mul(self.burst)
    }

    fn interval_ms(self) -> u64 {
        u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX)
    }
}

impl FromStr for Budget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong = || format!("{text:?} is not a budget BURST/WINDOW such as 10/20m");
        let (burst, window) = text.split_once('/').ok_or_else(wrong)?;
        let burst: u32 = burst.trim().parse().map_err(|_| wrong())?;
        let window = window.trim();
        let (number, unit) = window
            .split_at_checked(window.len().saturating_sub(1))
            .ok_or_else(wrong)?;
        let number: u64 = number.parse().map_err(|_| wrong())?;
        let seconds = match unit {
            "s" => Some(number),
            "m" => number.checked_mul(60),
            "h" => number.checked_mul(3600),
            _ => None,
        }
        .ok_or_else(wrong)?;
        Self::new(burst, Duration::from_secs(seconds)).ok_or_else(|| {
            format!("{text:?}: the burst must be at least 1 and the window 1 s to 24 h")
        })
    }
}

impl std::fmt::Display for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seconds = self.window().as_secs();
        match (seconds % 3600, seconds % 60) {
            (0, _) => write!(f, "{}/{}h", self.burst, seconds / 3600),
            (_, 0) => write!(f, "{}/{}m", self.burst, seconds / 60),
            _ => write!(f, "{}/{}s", self.burst, seconds),
        }
    }
}

/// The three budgets (the same numbers for each [`Kind`], counted apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Per (account, client IP): `10/20m` by default.
    pub account_ip: Budget,
    /// Per account, shared by the IPs it has not logged in from: `20/20m`.
    pub account: Budget,
    /// Per client IP (an IPv6 address counts as its /64): `100/10m`.
    pub ip: Budget,
}

/// 10 at once then one every 2 min; 20 then one a minute; 100 then ten a minute.
pub const DEFAULT_BUDGETS: Budgets = Budgets {
    account_ip: Budget {
        burst: 10,
        window: Duration::from_secs(1200),
        interval: Duration::from_secs(120),
    },
    account: Budget {
        burst: 20,
        window: Duration::from_secs(1200),
        interval: Duration::from_secs(60),
    },
    ip: Budget {
        burst: 100,
        window: Duration::from_secs(600),
        interval: Duration::from_secs(6),
    },
};

impl Default for Budgets {
    fn default() -> Self {
        DEFAULT_BUDGETS
    }
}

/// An attempt refused: wait `retry_after` seconds (`Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// What was being proved.
    pub kind: Kind,
    /// The budget that is spent.
    pub scope: Scope,
    /// Seconds until that budget has room for one more attempt (at least 1).
    pub retry_after: u64,
}

/// One bucket: its key and budget.
#[derive(Debug, Clone)]
struct Bucket {
    key: String,
    budget: Budget,
    scope: Scope,
}

/// The buckets of one attempt: the IP's, and with an account, the pair's and the account's
/// (in [`LUA`]'s order) and the pair's mark.
#[derive(Debug, Clone)]
struct Buckets {
    list: Vec<Bucket>,
    known: Option<String>,
}

impl Buckets {
    /// The buckets charged: all but the account's if `skip_account`.
    fn charged(&self, skip_account: bool) -> impl Iterator<Item = &Bucket> {
        self.list
            .iter()
            .filter(move |bucket| !(skip_account && bucket.scope == Scope::Account))
    }
}

/// The key part for an IP: the address, or an IPv6 address's /64 (one host's usual share).
fn ip_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
    }
}

/// What a limiter answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Room in every bucket (and for `Take` and `Force`, charged; `account`: the account's
    /// bucket was, the pair not being known).
    Charged {
        account: bool,
    },
    Refused {
        wait: Duration,
        scope: Scope,
    },
}

/// One step of [`LUA`] (its `ARGV[1]`), the same in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Charge every bucket if each has room.
    Take,
    /// Tell whether each has room, charging nothing.
    Peek,
    /// Charge every bucket, room or not (a failure after a peek).
    Force,
    /// Give back what a take charged.
    Refund,
    /// Give back what a take charged and mark the pair as known.
    Succeed,
}

impl Step {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Take => "take",
            Self::Peek => "peek",
            Self::Force => "force",
            Self::Refund => "refund",
            Self::Succeed => "succeed",
        }
    }
}

/// The in-memory limiter: each bucket's TAT (and each mark's expiry) in one bounded map.
#[derive(Debug)]
struct MemoryLimiter {
    entries: Mutex<HashMap<String, Instant>>,
    capacity: usize,
}

impl MemoryLimiter {
    fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        match self.entries.lock() {
            Ok(held) => held,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Keeps `key` until `until`. Full, it drops what has expired, then the entry that
    /// expires first (the least spent bucket, or the oldest mark): throttling state may be
    /// lost under a flood of keys, a login is never refused for lack of room.
    fn put(&self, map: &mut HashMap<String, Instant>, key: &str, until: Instant, now: Instant) {
        if !map.contains_key(key) && map.len() >= self.capacity {
            map.retain(|_, at| *at > now);
            if map.len() >= self.capacity {
                let first = map
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(key, _)| key.clone());
                if let Some(first) = first {
                    map.remove(&first);
                }
            }
        }
        map.insert(key.to_owned(), until);
    }

    /// `Take`, `Peek` or `Force`.
    fn check(&self, buckets: &Buckets, step: Step) -> Verdict {
        let now = Instant::now();
        let mut map = self.lock();
        let known = buckets
            .known
            .as_ref()
            .is_some_and(|key| map.get(key).is_some_and(|until| *until > now));
        let mut worst: Option<(Duration, Scope)> = None;
        let mut tats = Vec::with_capacity(buckets.list.len());
        for bucket in buckets.charged(known) {
            let tat = map
                .get(&bucket.key)
                .copied()
                .filter(|tat| *tat > now)
                .unwrap_or(now);
            let new = tat.checked_add(bucket.budget.interval).unwrap_or(tat);
            let ahead = new.saturating_duration_since(now);
            let wait = ahead.saturating_sub(bucket.budget.limit());
            if !wait.is_zero() && worst.is_none_or(|(longest, _)| wait > longest) {
                worst = Some((wait, bucket.scope));
            }
            tats.push((bucket.key.as_str(), new));
        }
        match (worst, step) {
            (Some((wait, scope)), Step::Take | Step::Peek) => {
                return Verdict::Refused { wait, scope };
            }
            (_, Step::Take | Step::Force) => {
                for (key, tat) in tats {
                    self.put(&mut map, key, tat, now);
                }
            }
            _ => {}
        }
        Verdict::Charged {
            account: !known && buckets.known.is_some(),
        }
    }

    fn refund(&self, buckets: &Buckets, account_charged: bool, mark: bool) {
        let now = Instant::now();
        let mut map = self.lock();
        for bucket in buckets.charged(!account_charged) {
            let Some(tat) = map.get(&bucket.key).copied() else {
                continue;
            };
            match tat.checked_sub(bucket.budget.interval) {
                Some(earlier) if earlier > now => {
                    map.insert(bucket.key.clone(), earlier);
                }
                _ => {
                    map.remove(&bucket.key);
                }
            }
        }
        if let (true, Some(key)) = (mark, &buckets.known) {
            let until = now.checked_add(KNOWN_FOR).unwrap_or(now);
            self.put(&mut map, key, until, now);
        }
    }
}

/// The Redis limiter: [`LUA`] on the store's connection, each call timed.
#[derive(Debug)]
struct RedisLimiter {
    store: RedisStore,
    script: redis::Script,
    metrics: ServiceMetrics,
}

impl RedisLimiter {
    async fn run(
        &self,
        buckets: &Buckets,
        step: Step,
        account_charged: bool,
    ) -> Result<Vec<i64>, Unavailable> {
        let mut invocation = self.script.prepare_invoke();
        for bucket in &buckets.list {
            invocation.key(&bucket.key);
        }
        if let Some(known) = &buckets.known {
            invocation.key(known);
        }
        invocation
            .arg(step.as_str())
            .arg(if account_charged { "1" } else { "0" });
        for bucket in &buckets.list {
            invocation
                .arg(bucket.budget.interval_ms())
                .arg(bucket.budget.burst);
        }
        invocation.arg(KNOWN_FOR.as_secs());
        let started = std::time::Instant::now();
        // On the primary only: a lost counter lets no token through.
        let reply = self.store.script(&invocation, Durability::Primary).await;
        self.metrics
            .store_call("throttle", started.elapsed(), reply.is_ok());
        reply
    }

    /// `Take`, `Peek` or `Force`.
    async fn check(&self, buckets: &Buckets, step: Step) -> Result<Verdict, Unavailable> {
        let reply = self.run(buckets, step, false).await?;
        match reply.as_slice() {
            [0, account] => Ok(Verdict::Charged {
                account: *account == 1,
            }),
            [wait, which] if *wait > 0 => {
                let scope = match which {
                    1 => Scope::Ip,
                    2 => Scope::AccountIp,
                    3 => Scope::Account,
                    _ => return Err(Unavailable("unexpected script reply")),
                };
                let wait = Duration::from_millis(u64::try_from(*wait).unwrap_or(u64::MAX));
                Ok(Verdict::Refused { wait, scope })
            }
            _ => Err(Unavailable("unexpected script reply")),
        }
    }
}

/// The throttle the token endpoints share: [`Throttle::begin`] before checking a secret,
/// then [`Attempt::succeeded`] (or [`Attempt::failed`]) once it is known.
#[derive(Debug)]
pub struct Throttle {
    budgets: Budgets,
    redis: Option<RedisLimiter>,
    memory: MemoryLimiter,
    degraded: AtomicBool,
}

impl Throttle {
    /// A throttle for one process, in memory.
    #[must_use]
    pub fn memory(budgets: Budgets) -> Self {
        Self {
            budgets,
            redis: None,
            memory: MemoryLimiter::new(MEMORY_CAPACITY),
            degraded: AtomicBool::new(false),
        }
    }

    /// A throttle shared through `store` by every instance that uses it (in memory while
    /// the store cannot answer), its store calls timed into `metrics`.
    #[must_use]
    pub fn redis(store: RedisStore, budgets: Budgets, metrics: ServiceMetrics) -> Self {
        Self {
            redis: Some(RedisLimiter {
                store,
                script: redis::Script::new(LUA),
                metrics,
            }),
            ..Self::memory(budgets)
        }
    }

    /// The budgets in force.
    #[must_use]
    pub const fn budgets(&self) -> Budgets {
        self.budgets
    }

    fn buckets(&self, kind: Kind, account: Option<&str>, ip: IpAddr) -> Buckets {
        // Users log in with passwords and refresh; clients authenticate with secrets.
        let namespace = match kind {
            Kind::Password | Kind::RefreshToken => "user",
            Kind::ClientSecret => "client",
        };
        let kind = kind.as_str();
        let ip = ip_key(ip);
        let mut list = vec![Bucket {
            key: format!("jr:thr:{kind}:ip:{ip}"),
            budget: self.budgets.ip,
            scope: Scope::Ip,
        }];
        let known = account.map(|account| {
            list.push(Bucket {
                key: format!("jr:thr:{kind}:pair:{ip} {account}"),
                budget: self.budgets.account_ip,
                scope: Scope::AccountIp,
            });
            list.push(Bucket {
                key: format!("jr:thr:{kind}:acct:{account}"),
                budget: self.budgets.account,
                scope: Scope::Account,
            });
            format!("jr:thr:{}:known:{ip} {account}", namespace)
        });
        Buckets { list, known }
    }

    /// Charges an attempt to prove `kind` for `account` (when the request names one) from
    /// `ip` to its budgets, or refuses it. A token endpoint calls it once it knows who the
    /// attempt is for and before it checks the secret, then settles the [`Attempt`]; the
    /// client IP comes from the [`ClientIp`](crate::client_ip::ClientIp) extractor.
    ///
    /// # Errors
    ///
    /// [`Throttled`] when a budget has no room: answer 429 with `Retry-After`
    /// ([`Refusal::throttled`](crate::refusal::Refusal::throttled)), without checking the
    /// secret.
    ///
    /// ```
    /// use jose_ring_service::throttle::{Budgets, Kind, Scope, Throttle};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let throttle = Throttle::memory(Budgets::default());
    /// let ip = "198.51.100.7".parse().unwrap();
    /// // A client secret at `/token`: ten wrong ones from one address...
    /// for _ in 0..10 {
    ///     let attempt = throttle.begin(Kind::ClientSecret, Some("billing"), ip).await.unwrap();
    ///     // ... check the secret: wrong.
    ///     attempt.failed().await;
    /// }
    /// // ... and the eleventh waits two minutes, without being checked.
    /// let refused = throttle.begin(Kind::ClientSecret, Some("billing"), ip).await.unwrap_err();
    /// assert_eq!((refused.scope, refused.retry_after), (Scope::AccountIp, 120));
    /// // Another client from the same address is let through; a right secret costs nothing.
    /// let attempt = throttle.begin(Kind::ClientSecret, Some("reports"), ip).await.unwrap();
    /// attempt.succeeded().await;
    /// # }
    /// ```
    pub async fn begin(
        &self,
        kind: Kind,
        account: Option<&str>,
        ip: IpAddr,
    ) -> Result<Attempt<'_>, Throttled> {
        let buckets = self.buckets(kind, account, ip);
        let reserve = kind != Kind::RefreshToken;
        let step = if reserve { Step::Take } else { Step::Peek };
        let (verdict, local) = match &self.redis {
            Some(redis) => match redis.check(&buckets, step).await {
                Ok(verdict) => {
                    if self.degraded.swap(false, Ordering::Relaxed) {
                        tracing::info!("throttling shared through the store again");
                    }
                    (verdict, false)
                }
                Err(error) => {
                    if !self.degraded.swap(true, Ordering::Relaxed) {
                        tracing::warn!(%error, "throttling in memory until the store answers");
                    }
                    (self.memory.check(&buckets, step), true)
                }
            },
            None => (self.memory.check(&buckets, step), true),
        };
        match verdict {
            Verdict::Charged { account } => Ok(Attempt {
                throttle: self,
                buckets,
                reserved: reserve,
                account_charged: account,
                local,
            }),
            Verdict::Refused { wait, scope } => Err(Throttled {
                kind,
                scope,
                retry_after: whole_seconds(wait),
            }),
        }
    }
}

/// `wait` in whole seconds, rounded up, at least 1.
fn whole_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs();
    let seconds = if wait.subsec_nanos() > 0 {
        seconds.saturating_add(1)
    } else {
        seconds
    };
    seconds.max(1)
}

/// An attempt let through: settle it once its outcome is known. A password or client
/// secret attempt dropped without settling counts as a failure; a refresh token's as nothing.
#[derive(Debug)]
#[must_use = "settle the attempt: succeeded(), failed() or not_counted()"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    buckets: Buckets,
    /// Charged before the secret was checked (a password or client secret).
    reserved: bool,
    account_charged: bool,
    local: bool,
}

impl Attempt<'_> {
    /// The secret was right: what was charged is given back, and for a password or client
    /// secret the (account, IP) pair is marked as one the account logs in from.
    pub async fn succeeded(self) {
        if self.reserved {
            self.apply(Step::Succeed).await;
        }
    }

    /// The attempt says nothing about the secret (the store could not answer, or the
    /// service failed): what was charged is given back.
    pub async fn not_counted(self) {
        if self.reserved {
            self.apply(Step::Refund).await;
        }
    }

    /// The secret was wrong: the attempt counts against every budget.
    pub async fn failed(self) {
        if !self.reserved {
            self.apply(Step::Force).await;
        }
    }

    async fn apply(self, step: Step) {
        match (&self.throttle.redis, self.local) {
            (Some(redis), false) => {
                if let Err(error) = redis.run(&self.buckets, step, self.account_charged).await {
                    tracing::debug!(%error, "throttle update lost");
                }
            }
            _ => match step {
                Step::Force => {
                    let _ = self.throttle.memory.check(&self.buckets, step);
                }
                _ => self.throttle.memory.refund(
                    &self.buckets,
                    self.account_charged,
                    step == Step::Succeed,
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(text: &str) -> Budget {
        text.parse().unwrap_or(DEFAULT_BUDGETS.ip)
    }

    fn small() -> Budgets {
        Budgets {
            account_ip: budget("3/1h"),
            account: budget("5/1h"),
            ip: budget("8/1h"),
        }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([198, 51, 100, last])
    }

    async fn fail(
        throttle: &Throttle,
        account: Option<&str>,
        from: IpAddr,
    ) -> Result<(), Throttled> {
        throttle
            .begin(Kind::Password, account, from)
            .await?
            .failed()
            .await;
        Ok(())
    }

    #[test]
    fn budgets_parse_and_print() {
        let budget = budget("10/20m");
        assert_eq!(
            (budget.burst(), budget.interval()),
            (10, Duration::from_secs(120))
        );
        assert_eq!(budget.to_string(), "10/20m");
        assert_eq!("100/10m".parse(), Ok(DEFAULT_BUDGETS.ip));
        assert_eq!("20/20m".parse(), Ok(DEFAULT_BUDGETS.account));
        assert_eq!("10/20m".parse(), Ok(DEFAULT_BUDGETS.account_ip));
        assert_eq!(
            "3/1h".parse::<Budget>().map(|b| b.to_string()),
            Ok("3/1h".into())
        );
        assert_eq!(
            "7/90s".parse::<Budget>().map(|b| b.to_string()),
            Ok("7/90s".into())
        );
        for wrong in ["", "10", "10/", "x/1m", "10/1d", "10/m", "-1/1m"] {
            assert_eq!(
                wrong.parse::<Budget>(),
                Err(format!(
                    "{wrong:?} is not a budget BURST/WINDOW such as 10/20m"
                ))
            );
        }
        assert_eq!(
            "0/1m".parse::<Budget>(),
            Err("\"0/1m\": the burst must be at least 1 and the window 1 s to 24 h".into())
        );
        assert!("10/25h".parse::<Budget>().is_err());
        assert!("5000/1s".parse::<Budget>().is_err());
    }

    #[test]
    fn ipv6_counts_as_its_64() {
        assert_eq!(
            ip_key("2001:db8:1:2:aaaa::1".parse().unwrap_or(ip(0))),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            ip_key("::ffff:192.0.2.1".parse().unwrap_or(ip(0))),
            "192.0.2.1"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_ip_against_one_account_is_held_by_the_pair_budget() {
        let throttle = Throttle::memory(small());
        for _ in 0..3 {
            assert_eq!(fail(&throttle, Some("ada"), ip(1)).await, Ok(()));
        }
        // One every 20 minutes from now on.
        assert_eq!(
            fail(&throttle, Some("ada"), ip(1)).await,
            Err(Throttled {
                kind: Kind::Password,
                scope: Scope::AccountIp,
                retry_after: 1200
            })
        );
        // Another IP still gets in; the same IP for another account too.
        assert_eq!(fail(&throttle, Some("ada"), ip(2)).await, Ok(()));
        assert_eq!(fail(&throttle, Some("bob"), ip(1)).await, Ok(()));
        // Other kinds are counted apart.
        let refresh = throttle.begin(Kind::RefreshToken, Some("ada"), ip(1)).await;
        assert!(refresh.is_ok());
        tokio::time::advance(Duration::from_secs(1200)).await;
        assert_eq!(fail(&throttle, Some("ada"), ip(1)).await, Ok(()));
        assert!(fail(&throttle, Some("ada"), ip(1)).await.is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn many_ips_share_the_account_budget_but_not_where_it_logged_in_before() {
        let throttle = Throttle::memory(small());
        // The owner logged in from .200 once.
        if let Ok(attempt) = throttle.begin(Kind::Password, Some("ada"), ip(200)).await {
            attempt.succeeded().await;
        }
        for n in 0..5 {
            assert_eq!(fail(&throttle, Some("ada"), ip(n)).await, Ok(()));
        }
        assert_eq!(
            fail(&throttle, Some("ada"), ip(50)).await,
            Err(Throttled {
                kind: Kind::Password,
                scope: Scope::Account,
                retry_after: 720
            })
        );
        // The owner's address skips the account budget.
        let owner = throttle.begin(Kind::Password, Some("ada"), ip(200)).await;
        assert!(owner.is_ok());
        if let Ok(attempt) = owner {
            attempt.succeeded().await;
        }
        // Its successes cost nothing: three more in a row still leave its pair budget whole.
        for _ in 0..5 {
            let attempt = throttle.begin(Kind::Password, Some("ada"), ip(200)).await;
            assert!(attempt.is_ok());
            if let Ok(attempt) = attempt {
                attempt.succeeded().await;
            }
        }
        for _ in 0..3 {
            assert_eq!(fail(&throttle, Some("ada"), ip(200)).await, Ok(()));
        }
        assert_eq!(
            fail(&throttle, Some("ada"), ip(200))
                .await
                .map_err(|t| t.scope),
            Err(Scope::AccountIp)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_ip_against_many_accounts_is_held_by_the_ip_budget() {
        let throttle = Throttle::memory(small());
        for n in 0..8 {
            assert_eq!(
                fail(&throttle, Some(&format!("user{n}")), ip(1)).await,
                Ok(())
            );
        }
        assert_eq!(
            fail(&throttle, Some("user9"), ip(1))
                .await
                .map_err(|t| (t.scope, t.retry_after)),
            Err((Scope::Ip, 450))
        );
        // An attempt naming no account counts against the IP only.
        assert_eq!(
            fail(&throttle, None, ip(1)).await.map_err(|t| t.scope),
            Err(Scope::Ip)
        );
        assert_eq!(fail(&throttle, None, ip(2)).await, Ok(()));
        // The IPv6 neighbours of a /64 share one budget.
        let v6 = |host: u16| IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, host]);
        for n in 0..8 {
            assert_eq!(fail(&throttle, None, v6(n)).await, Ok(()));
        }
        assert_eq!(
            fail(&throttle, None, v6(99)).await.map_err(|t| t.scope),
            Err(Scope::Ip)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_attempt_charges_nothing_and_not_counted_gives_back() {
        let throttle = Throttle::memory(small());
        for _ in 0..3 {
            assert_eq!(fail(&throttle, Some("ada"), ip(1)).await, Ok(()));
        }
        for _ in 0..10 {
            assert!(fail(&throttle, Some("ada"), ip(1)).await.is_err());
        }
        // The refusals spent nothing of the IP's budget: five more accounts fit (3 + 5 = 8).
        for n in 0..5 {
            assert_eq!(fail(&throttle, Some(&format!("u{n}")), ip(1)).await, Ok(()));
        }
        let attempt = throttle.begin(Kind::Password, Some("zed"), ip(2)).await;
        if let Ok(attempt) = attempt {
            attempt.not_counted().await;
        }
        for _ in 0..3 {
            assert_eq!(fail(&throttle, Some("zed"), ip(2)).await, Ok(()));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn refresh_tokens_are_checked_first_and_charged_only_when_they_fail() {
        let throttle = Throttle::memory(small());
        // Any number of refreshes in flight at once: nothing is charged.
        let mut flying = Vec::new();
        for _ in 0..20 {
            let attempt = throttle.begin(Kind::RefreshToken, Some("ada"), ip(1)).await;
            assert!(attempt.is_ok());
            flying.extend(attempt.ok());
        }
        for attempt in flying {
            attempt.succeeded().await;
        }
        assert!(throttle.memory.lock().is_empty());
        // Failures are charged after the fact.
        for _ in 0..3 {
            let attempt = throttle.begin(Kind::RefreshToken, Some("ada"), ip(1)).await;
            if let Ok(attempt) = attempt {
                attempt.failed().await;
            }
        }
        assert_eq!(
            throttle
                .begin(Kind::RefreshToken, Some("ada"), ip(1))
                .await
                .map(|_| ())
                .map_err(|t| (t.kind, t.scope, t.retry_after)),
            Err((Kind::RefreshToken, Scope::AccountIp, 1200))
        );
        // A password's known pair is known to refreshes too.
        if let Ok(attempt) = throttle.begin(Kind::Password, Some("ada"), ip(7)).await {
            attempt.succeeded().await;
        }
        let map = throttle.memory.lock();
        assert!(map.contains_key("jr:thr:user:known:198.51.100.7 ada"));
        assert!(map.contains_key("jr:thr:refresh_token:pair:198.51.100.1 ada"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_memory_limiter_forgets_the_least_spent_bucket() {
        let throttle = Throttle {
            memory: MemoryLimiter::new(2),
            ..Throttle::memory(small())
        };
        assert_eq!(fail(&throttle, None, ip(1)).await, Ok(()));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(fail(&throttle, None, ip(2)).await, Ok(()));
        assert_eq!(fail(&throttle, None, ip(2)).await, Ok(()));
        assert_eq!(fail(&throttle, None, ip(3)).await, Ok(()));
        let map = throttle.memory.lock();
        assert_eq!(map.len(), 2);
        assert!(!map.contains_key("jr:thr:password:ip:198.51.100.1"));
    }
}
