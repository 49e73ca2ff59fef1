//! Finding the Redis primary and keeping connections to it: at the one address of a
//! `redis://` URL, or wherever Redis Sentinel says the primary of a service is
//! (`redis+sentinel://`). A connection is forgotten after any error, after a write no replica
//! acknowledged, and when a sentinel announces `+switch-master`; the next command finds the
//! primary again, so a failover is followed without a restart.
//!
//! Finding through Sentinel follows Redis's guidelines for Sentinel clients (ask the
//! sentinels, connect, confirm with `ROLE` that the node is a primary) with one addition: every
//! sentinel is asked at once (`SENTINEL MASTER <service>`), and the answer with the highest
//! `config-epoch` wins, as it does among the sentinels themselves. So a sentinel that has not
//! yet learnt of a failover, or the one still running it, is outvoted as soon as any other
//! one has switched, and an old primary that comes back (it still calls itself a primary for
//! about ten seconds, until Sentinel turns it into a replica) is never chosen again.
//!
//! Two kinds of connection (lanes) are kept: [`Lane::Read`] for reads and for writes that
//! need no acknowledgement, [`Lane::Acked`] for writes followed by `WAIT`, which blocks the
//! connection it is sent on until the replicas answer: reads never queue behind it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client};
use tokio::time::Instant;

/// The port of a sentinel whose address names none (Sentinel's own default).
pub const SENTINEL_PORT: u16 = 26379;

/// After a failed attempt to reach the primary, commands fail at once for this long rather
/// than each trying again (a dead primary costs one attempt per interval, not one per
/// request).
const RETRY_SPACING: Duration = Duration::from_millis(100);

/// How long a forgotten connection stays open for the commands already sent on it.
const LINGER: Duration = Duration::from_secs(10);

/// How long a sentinel's `+switch-master` subscription waits before it connects again.
const RESUBSCRIBE: Duration = Duration::from_secs(1);

/// Where the Redis of a `REDIS_URL` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// One Redis, at a `redis://` (or `rediss://`, `unix://`) URL, given to the `redis` crate
    /// as it is.
    Single(String),
    /// The primary that Redis Sentinel names for `service`, asking `sentinels`.
    Sentinel {
        /// Each sentinel's host and port.
        sentinels: Vec<(String, u16)>,
        /// The name of the primary, as in `sentinel monitor <name> ...`.
        service: String,
    },
}

/// A `REDIS_URL` that is not one. Its text says what is wrong, never the URL (it may hold a
/// password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadUrl(pub &'static str);

impl std::fmt::Display for BadUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid REDIS_URL: {}", self.0)
    }
}

impl std::error::Error for BadUrl {}

impl Location {
    /// Reads a `REDIS_URL`: `redis+sentinel://HOST[:PORT][,HOST[:PORT]...]/SERVICE` (port
    /// 26379 when absent, IPv6 hosts in brackets) selects Sentinel; anything else is a single
    /// Redis, checked by the `redis` crate when the store is made.
    ///
    /// # Errors
    ///
    /// [`BadUrl`] if a Sentinel URL has no sentinel, no service name, a bad port, or
    /// credentials, a query or a fragment (not supported).
    pub fn parse(url: &str) -> Result<Self, BadUrl> {
        let Some(rest) = url.strip_prefix("redis+sentinel://") else {
            return Ok(Self::Single(url.to_owned()));
        };
        if rest.contains(['@', '?', '#']) {
            return Err(BadUrl(
                "credentials, queries and fragments are not supported in a sentinel URL",
            ));
        }
        let (hosts, service) = rest
            .split_once('/')
            .ok_or(BadUrl("a sentinel URL ends with /SERVICE_NAME"))?;
        let service_ok = !service.is_empty()
            && service.len() <= 128
            && service.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
        if !service_ok {
            return Err(BadUrl(
                "the service name after the slash is missing or invalid",
            ));
        }
        let sentinels = hosts
            .split(',')
            .map(host_port)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Sentinel {
            sentinels,
            service: service.to_owned(),
        })
    }

    /// Whether the primary is found through Sentinel.
    #[must_use]
    pub fn is_sentinel(&self) -> bool {
        matches!(self, Self::Sentinel { .. })
    }
}

/// `host:port`, `host` (port 26379), `[v6]:port` or `[v6]`.
fn host_port(text: &str) -> Result<(String, u16), BadUrl> {
    const BAD_PORT: BadUrl = BadUrl("a sentinel's port is not a number from 1 to 65535");
    let (host, port) = if let Some(v6) = text.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or(BadUrl("an IPv6 sentinel address lacks its ']'"))?;
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return Err(BadUrl("unexpected text after an IPv6 sentinel address")),
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    if !host_ok {
        return Err(BadUrl("a sentinel's host is missing or invalid"));
    }
    let port = match port {
        None => SENTINEL_PORT,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|port| *port != 0)
            .ok_or(BAD_PORT)?,
    };
    Ok((host.to_owned(), port))
}

/// Why the primary cannot be reached; the text names the kind of failure only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoPrimary(pub &'static str);

/// The two kinds of connection to the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Reads, and writes whose loss lets no token through.
    Read,
    /// Writes followed by `WAIT` (it blocks its connection until the replicas answer).
    Acked,
}

/// A connection to the primary as it was known when the connection was handed out; give it
/// back to [`Primary::lost`] when a command on it fails.
#[derive(Clone)]
pub struct Link {
    /// The connection (multiplexed: clones share it).
    pub connection: MultiplexedConnection,
    generation: u64,
}

impl Link {
    /// Whether `other` goes to the same primary, as known then (no failure in between).
    #[must_use]
    pub fn same_primary(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

/// How the primary is found.
enum Finder {
    Single(Client),
    Sentinel {
        sentinels: Vec<Client>,
        service: String,
    },
}

/// The primary as known now: the node and a connection per lane. The generation counts the
/// times it was forgotten, so that a failure seen on an old connection forgets nothing newer.
#[derive(Default)]
struct Known {
    generation: u64,
    node: Option<Client>,
    read: Option<MultiplexedConnection>,
    acked: Option<MultiplexedConnection>,
}

impl Known {
    fn lane(&mut self, lane: Lane) -> &mut Option<MultiplexedConnection> {
        match lane {
            Lane::Read => &mut self.read,
            Lane::Acked => &mut self.acked,
        }
    }
}

/// The primary and the connections to it, shared by every request of an instance.
pub struct Primary {
    finder: Finder,
    /// Bounds connecting and each sentinel's answer.
    timeout: Duration,
    /// The response timeout of each lane's connection.
    read_timeout: Duration,
    acked_timeout: Duration,
    known: Mutex<Known>,
    /// Held while connecting (one attempt at a time); when the last attempt failed.
    connecting: tokio::sync::Mutex<Option<Instant>>,
    watching: AtomicBool,
}

impl std::fmt::Debug for Primary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.finder {
            Finder::Single(_) => "Primary(single)",
            Finder::Sentinel { .. } => "Primary(sentinel)",
        })
    }
}

impl Primary {
    /// The primary at `location`, not connected yet. `timeout` bounds connecting (and each
    /// sentinel's answer); the lanes' connections time out their commands after
    /// `read_timeout` and `acked_timeout`.
    ///
    /// # Errors
    ///
    /// [`BadUrl`] if the `redis` crate refuses the URL or a sentinel's address.
    pub fn new(
        location: Location,
        timeout: Duration,
        read_timeout: Duration,
        acked_timeout: Duration,
    ) -> Result<Self, BadUrl> {
        let finder = match location {
            Location::Single(url) => {
                Finder::Single(Client::open(url.as_str()).map_err(|_| BadUrl("not a Redis URL"))?)
            }
            Location::Sentinel { sentinels, service } => Finder::Sentinel {
                sentinels: sentinels
                    .into_iter()
                    .map(Client::open)
                    .collect::<Result<_, _>>()
                    .map_err(|_| BadUrl("a sentinel's address is not usable"))?,
                service,
            },
        };
        Ok(Self {
            finder,
            timeout,
            read_timeout,
            acked_timeout,
            known: Mutex::new(Known::default()),
            connecting: tokio::sync::Mutex::new(None),
            watching: AtomicBool::new(false),
        })
    }

    /// A connection of `lane` to the primary: the one in use, or a new one to the primary
    /// found again. `since`: when the caller started; if an attempt failed after that, or
    /// less than 100 ms ago, the answer is at once [`NoPrimary`].
    ///
    /// # Errors
    ///
    /// [`NoPrimary`] if no primary can be found or connected to.
    pub async fn link(&self, lane: Lane, since: Instant) -> Result<Link, NoPrimary> {
        if let Some(link) = self.current(lane)? {
            return Ok(link);
        }
        let mut failed = self.connecting.lock().await;
        if let Some(link) = self.current(lane)? {
            return Ok(link);
        }
        if failed.is_some_and(|at| at >= since || at.elapsed() < RETRY_SPACING) {
            return Err(NoPrimary("redis primary unreachable (retrying)"));
        }
        match self.connect(lane).await {
            Ok(link) => {
                *failed = None;
                Ok(link)
            }
            Err(error) => {
                *failed = Some(Instant::now());
                Err(error)
            }
        }
    }

    /// Forgets the primary that `link` went to (if it is still the one known), after a
    /// command on it failed: the next command finds the primary again.
    pub fn lost(&self, link: &Link, why: &'static str) {
        self.forget(Some(link.generation), why);
    }

    /// Starts following Sentinel's `+switch-master` announcements (once; nothing to follow
    /// for a single Redis): each sentinel is subscribed to, and an announcement for this
    /// service forgets the primary at once, even on an instance that sends no command.
    /// Needs a Tokio runtime.
    pub fn watch(primary: &Arc<Self>) {
        let Finder::Sentinel { sentinels, service } = &primary.finder else {
            return;
        };
        if primary.watching.load(Ordering::Acquire) || primary.watching.swap(true, Ordering::AcqRel)
        {
            return;
        }
        for sentinel in sentinels {
            let (sentinel, service, primary) =
                (sentinel.clone(), service.clone(), Arc::downgrade(primary));
            tokio::spawn(follow(sentinel, service, primary));
        }
    }

    fn current(&self, lane: Lane) -> Result<Option<Link>, NoPrimary> {
        let mut known = self.known.lock().map_err(|_| NoPrimary("poisoned lock"))?;
        let generation = known.generation;
        Ok(known.lane(lane).as_ref().map(|connection| Link {
            connection: connection.clone(),
            generation,
        }))
    }

    fn forget(&self, generation: Option<u64>, why: &'static str) {
        let Ok(mut known) = self.known.lock() else {
            return;
        };
        if generation.is_some_and(|g| g != known.generation) {
            return;
        }
        let next = Known {
            generation: known.generation.wrapping_add(1),
            ..Known::default()
        };
        let old = std::mem::replace(&mut *known, next);
        drop(known);
        if old.node.is_some() {
            tracing::warn!(why, "redis primary forgotten; finding it again");
        }
        // Commands already sent on the old connections (a write held by a paused or slow
        // primary) still run: closing a connection would make Redis drop them. Their callers
        // were answered 503 either way, and a retry is safe either way.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(LINGER).await;
                drop(old);
            });
        }
    }

    fn config(&self, lane: Lane) -> AsyncConnectionConfig {
        AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(match lane {
                Lane::Read => self.read_timeout,
                Lane::Acked => self.acked_timeout,
            }))
    }

    /// Connects `lane` to the node known, or to the node found again.
    async fn connect(&self, lane: Lane) -> Result<Link, NoPrimary> {
        let (generation, node) = {
            let known = self.known.lock().map_err(|_| NoPrimary("poisoned lock"))?;
            (known.generation, known.node.clone())
        };
        let config = self.config(lane);
        let (node, connection) = match node {
            Some(node) => {
                let connecting = bounded(
                    self.timeout,
                    node.get_multiplexed_async_connection_with_config(&config),
                )
                .await;
                match connecting {
                    Ok(connection) => (node, connection),
                    Err(error) => {
                        // Gone since the other lane connected: find the primary again.
                        self.forget(Some(generation), error.0);
                        return Err(error);
                    }
                }
            }
            None => self.find(&config).await?,
        };
        let mut known = self.known.lock().map_err(|_| NoPrimary("poisoned lock"))?;
        if known.generation != generation {
            return Err(NoPrimary("redis primary changed while connecting"));
        }
        if known.node.is_none() {
            if let Finder::Sentinel { .. } = self.finder {
                tracing::info!(primary = %node.get_connection_info().addr(), "redis primary found through sentinel");
            }
            known.node = Some(node);
        }
        *known.lane(lane) = Some(connection.clone());
        Ok(Link {
            connection,
            generation,
        })
    }

    /// The primary and a connection to it: the single Redis, or the node the sentinels name
    /// with the highest configuration epoch, confirmed by `ROLE`.
    async fn find(
        &self,
        config: &AsyncConnectionConfig,
    ) -> Result<(Client, MultiplexedConnection), NoPrimary> {
        let (sentinels, service) = match &self.finder {
            Finder::Single(client) => {
                let connection = bounded(
                    self.timeout,
                    client.get_multiplexed_async_connection_with_config(config),
                )
                .await?;
                return Ok((client.clone(), connection));
            }
            Finder::Sentinel { sentinels, service } => (sentinels, service),
        };
        let mut asking = tokio::task::JoinSet::new();
        for sentinel in sentinels {
            let (sentinel, service, config) = (sentinel.clone(), service.clone(), config.clone());
            let timeout = self.timeout;
            asking.spawn(async move {
                tokio::time::timeout(timeout, ask(&sentinel, &service, &config))
                    .await
                    .ok()
                    .flatten()
            });
        }
        let mut best: Option<Named> = None;
        while let Some(answer) = asking.join_next().await {
            let Ok(Some(named)) = answer else { continue };
            if best.as_ref().is_none_or(|b| named.epoch > b.epoch) {
                best = Some(named);
            }
        }
        let named = best.ok_or(NoPrimary("no sentinel names a primary that is up"))?;
        let node = Client::open((named.host, named.port))
            .map_err(|_| NoPrimary("the sentinels' primary address is not usable"))?;
        let mut connection = bounded(
            self.timeout,
            node.get_multiplexed_async_connection_with_config(config),
        )
        .await?;
        let role = tokio::time::timeout(
            self.timeout,
            redis::cmd("ROLE").query_async::<redis::Role>(&mut connection),
        )
        .await;
        match role {
            Ok(Ok(redis::Role::Primary { .. })) => Ok((node, connection)),
            Ok(Ok(_)) => Err(NoPrimary("the node the sentinels name is not a primary")),
            _ => Err(NoPrimary("the node the sentinels name does not answer")),
        }
    }
}

/// A connection within `timeout`, or why not.
async fn bounded(
    timeout: Duration,
    connecting: impl Future<Output = redis::RedisResult<MultiplexedConnection>>,
) -> Result<MultiplexedConnection, NoPrimary> {
    match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(_)) => Err(NoPrimary("redis unreachable")),
        Err(_) => Err(NoPrimary("redis timed out")),
    }
}

/// A primary as one sentinel names it.
struct Named {
    epoch: u64,
    host: String,
    port: u16,
}

/// What `sentinel` says of `service`'s primary, if it names one it does not think down.
async fn ask(sentinel: &Client, service: &str, config: &AsyncConnectionConfig) -> Option<Named> {
    let mut connection = sentinel
        .get_multiplexed_async_connection_with_config(config)
        .await
        .ok()?;
    let info: HashMap<String, String> = redis::cmd("SENTINEL")
        .arg("MASTER")
        .arg(service)
        .query_async(&mut connection)
        .await
        .ok()?;
    let flags = info.get("flags")?;
    let up = flags.split(',').any(|flag| flag == "master")
        && !flags
            .split(',')
            .any(|flag| flag == "s_down" || flag == "o_down");
    if !up {
        return None;
    }
    Some(Named {
        epoch: info.get("config-epoch")?.parse().ok()?,
        host: info.get("ip")?.clone(),
        port: info.get("port")?.parse().ok()?,
    })
}

/// Follows one sentinel's `+switch-master` announcements for as long as the primary lives,
/// subscribing again after any failure.
async fn follow(sentinel: Client, service: String, primary: Weak<Primary>) {
    loop {
        if primary.strong_count() == 0 {
            return;
        }
        let subscribed = match tokio::time::timeout(RESUBSCRIBE, sentinel.get_async_pubsub()).await
        {
            Ok(Ok(mut pubsub)) => pubsub
                .subscribe("+switch-master")
                .await
                .map(|()| pubsub)
                .ok(),
            _ => None,
        };
        if let Some(mut pubsub) = subscribed {
            let mut messages = pubsub.on_message();
            while let Some(message) = futures_util::StreamExt::next(&mut messages).await {
                // "<service> <old ip> <old port> <new ip> <new port>"
                let payload: String = message.get_payload().unwrap_or_default();
                if payload.split(' ').next() != Some(service.as_str()) {
                    continue;
                }
                let Some(primary) = primary.upgrade() else {
                    return;
                };
                primary.forget(None, "sentinel announced +switch-master");
            }
        }
        tokio::time::sleep(RESUBSCRIBE).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls() {
        assert_eq!(
            Location::parse("redis+sentinel://127.0.0.1:26379,[::1]:26380,sentinel-c/mymaster"),
            Ok(Location::Sentinel {
                sentinels: vec![
                    ("127.0.0.1".into(), 26379),
                    ("::1".into(), 26380),
                    ("sentinel-c".into(), SENTINEL_PORT),
                ],
                service: "mymaster".into(),
            })
        );
        assert_eq!(
            Location::parse("redis://127.0.0.1:6379/"),
            Ok(Location::Single("redis://127.0.0.1:6379/".into()))
        );
        for (url, why) in [
            (
                "redis+sentinel://127.0.0.1:26379",
                "a sentinel URL ends with /SERVICE_NAME",
            ),
            (
                "redis+sentinel://127.0.0.1:26379/",
                "the service name after the slash is missing or invalid",
            ),
            (
                "redis+sentinel://127.0.0.1:26379/a/b",
                "the service name after the slash is missing or invalid",
            ),
            (
                "redis+sentinel://h:0/m",
                "a sentinel's port is not a number from 1 to 65535",
            ),
            (
                "redis+sentinel://h:65536/m",
                "a sentinel's port is not a number from 1 to 65535",
            ),
            (
                "redis+sentinel://a,,b/m",
                "a sentinel's host is missing or invalid",
            ),
            (
                "redis+sentinel://[::1/m",
                "an IPv6 sentinel address lacks its ']'",
            ),
            (
                "redis+sentinel://[::1]x/m",
                "unexpected text after an IPv6 sentinel address",
            ),
            (
                "redis+sentinel://:secret@h/m",
                "credentials, queries and fragments are not supported in a sentinel URL",
            ),
        ] {
            assert_eq!(Location::parse(url), Err(BadUrl(why)), "{url}");
        }
    }
}
