//! A replicated Redis of the test's own, as Sentinel deployments run it: one primary, two
//! replicas, three sentinels (quorum 2), each a `redis-server` process on an ephemeral
//! loopback port, no persistence; and the signals a failure test sends them.
//!
//! The sentinels are tuned for a fast failover (their defaults: `down-after-milliseconds`
//! 30,000, `failover-timeout` 180,000, `sentinel config get`/`sentinel master` on Redis
//! 7.0.15): a primary unanswering for 1 s is subjectively down.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, redis_server_present};

/// The name of the primary, as the sentinels monitor it.
pub const SERVICE: &str = "jr-primary";
/// `down-after-milliseconds` of the test's sentinels.
pub const DOWN_AFTER_MS: u64 = 1000;
/// `failover-timeout` of the test's sentinels.
pub const FAILOVER_TIMEOUT_MS: u64 = 5000;

/// One `redis-server` process (a data node or a sentinel).
pub struct Node {
    pub port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Node {
    fn spawn(port: u16, args: &[String], log: PathBuf) -> Self {
        let child = Command::new("redis-server")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let node = Self {
            port,
            child: Some(child),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server on {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        node
    }

    /// A data node on `port`, no persistence, a replica of the node on `primary` if given;
    /// its log in `dir`.
    pub fn data(dir: &Path, port: u16, primary: Option<u16>) -> Self {
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            // A replica's first full sync starts at once (default: 5 s later, waiting
            // for more replicas).
            "--repl-diskless-sync-delay",
            "0",
            "--logfile",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let log = dir.join(format!("redis-{port}.log"));
        args.push(log.display().to_string());
        // A replica's full sync writes the primary's snapshot (`dump.rdb`) to its working
        // directory, which every later redis-server started there would load: the test's
        // own directory, then.
        let own = dir.join(format!("redis-{port}"));
        std::fs::create_dir_all(&own).unwrap();
        args.extend(["--dir".into(), own.display().to_string()]);
        if let Some(primary) = primary {
            args.extend([
                "--replicaof".into(),
                "127.0.0.1".into(),
                primary.to_string(),
            ]);
        }
        Self::spawn(port, &args, log)
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// SIGKILL: a crash (or a host gone) as the others see it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGSTOP: frozen (a stalled VM, a long pause): connections stay open, nothing answers.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// SIGCONT.
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection of the test's own.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(5)));
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .unwrap()
    }

    /// `ROLE`'s first element (`master`, `slave`, `sentinel`), and for a replica its
    /// primary's port and link state; `error` if the connection failed (a node turned into a
    /// replica closes its clients' connections).
    pub async fn role(&self) -> (String, Option<u16>, String) {
        let mut connection = self.connection().await;
        let role: Vec<redis::Value> = match redis::cmd("ROLE").query_async(&mut connection).await {
            Ok(role) => role,
            Err(error) => return ("error".into(), None, error.to_string()),
        };
        let text = |v: Option<&redis::Value>| -> String {
            v.map(|v| redis::from_redis_value_ref::<String>(v).unwrap_or_default())
                .unwrap_or_default()
        };
        let kind = text(role.first());
        if kind == "slave" {
            let port = role
                .get(2)
                .and_then(|v| redis::from_redis_value_ref::<u16>(v).ok());
            (kind, port, text(role.get(3)))
        } else {
            (kind, None, String::new())
        }
    }

    /// How many replicas acknowledge a write of the test's own within 100 ms (`WAIT`).
    /// (`INFO replication` shows a replica `state=online` before that: after a diskless
    /// sync the primary streams to it only once it has sent its first acknowledgement.)
    pub async fn acknowledging_replicas(&self) -> u32 {
        let mut connection = self.connection().await;
        let reply: redis::RedisResult<((), u32)> = redis::pipe()
            .cmd("SET")
            .arg("jr:test-probe")
            .arg(1)
            .cmd("WAIT")
            .arg(2)
            .arg(100)
            .query_async(&mut connection)
            .await;
        reply.map(|(_, acked)| acked).unwrap_or(0)
    }

    /// What the process logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            // A frozen process must be thawed to die cleanly.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
        }
        self.kill();
    }
}

/// One primary, two replicas, three sentinels.
pub struct Replicated {
    /// The data nodes; the first was the primary at the start.
    pub nodes: Vec<Node>,
    pub sentinels: Vec<Node>,
    pub dir: PathBuf,
}

impl Replicated {
    /// Starts them in `dir` and waits until every sentinel sees both replicas and the other
    /// two sentinels; `None` (with a loud message) if `redis-server` is missing, except
    /// under CI.
    pub async fn start(dir: &Path) -> Option<Self> {
        if !redis_server_present() {
            return None;
        }
        let data = |port: u16, primary: Option<u16>| Node::data(dir, port, primary);
        let first = free_port();
        let mut nodes = vec![data(first, None)];
        for _ in 0..2 {
            nodes.push(data(free_port(), Some(first)));
        }
        let mut sentinels = Vec::new();
        for _ in 0..3 {
            let port = free_port();
            let conf = dir.join(format!("sentinel-{port}.conf"));
            let log = dir.join(format!("sentinel-{port}.log"));
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\nlogfile {}\n\
                     sentinel monitor {SERVICE} 127.0.0.1 {first} 2\n\
                     sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n\
                     sentinel failover-timeout {SERVICE} {FAILOVER_TIMEOUT_MS}\n",
                    log.display()
                ),
            )
            .unwrap();
            sentinels.push(Node::spawn(
                port,
                &[conf.display().to_string(), "--sentinel".into()],
                log,
            ));
        }
        let replicated = Self {
            nodes,
            sentinels,
            dir: dir.to_owned(),
        };
        replicated.settle(Duration::from_secs(20)).await;
        Some(replicated)
    }

    /// `REDIS_URL` for the service.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        format!("redis+sentinel://{}/{SERVICE}", hosts.join(","))
    }

    /// `SENTINEL MASTER` as each sentinel that answers sees it.
    async fn views(&self) -> Vec<std::collections::HashMap<String, String>> {
        let mut views = Vec::new();
        for sentinel in &self.sentinels {
            if sentinel.child.is_none() {
                continue;
            }
            let mut connection = sentinel.connection().await;
            if let Ok(view) = redis::cmd("SENTINEL")
                .arg("MASTER")
                .arg(SERVICE)
                .query_async(&mut connection)
                .await
            {
                views.push(view);
            }
        }
        views
    }

    /// Waits until every sentinel names one primary with no failure flag, sees two replicas
    /// and two other sentinels, and both replicas acknowledge a write; returns the primary's
    /// port.
    pub async fn settle(&self, limit: Duration) -> u16 {
        let deadline = Instant::now() + limit;
        loop {
            let views = self.views().await;
            let ports: Vec<&str> = views
                .iter()
                .filter(|v| {
                    v.get("flags").map(String::as_str) == Some("master")
                        && v.get("num-slaves").map(String::as_str) == Some("2")
                        && v.get("num-other-sentinels").map(String::as_str) == Some("2")
                })
                .filter_map(|v| v.get("port").map(String::as_str))
                .collect();
            if ports.len() == self.sentinels.len()
                && ports.windows(2).all(|w| w[0] == w[1])
                && self.acknowledging_replicas(ports[0].parse().unwrap()).await == 2
            {
                return ports[0].parse().unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "the sentinels did not settle: {views:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many replicas acknowledge a write on the node on `port`.
    pub async fn acknowledging_replicas(&self, port: u16) -> u32 {
        match self.nodes.iter().find(|n| n.port == port) {
            Some(node) => node.acknowledging_replicas().await,
            None => 0,
        }
    }

    /// The primary as a majority of the sentinels name it (`get-master-addr-by-name`).
    pub async fn primary_port(&self) -> Option<u16> {
        let mut named = Vec::new();
        for sentinel in &self.sentinels {
            if sentinel.child.is_none() {
                continue;
            }
            let mut connection = sentinel.connection().await;
            let address: Option<(String, u16)> = redis::cmd("SENTINEL")
                .arg("GET-MASTER-ADDR-BY-NAME")
                .arg(SERVICE)
                .query_async(&mut connection)
                .await
                .ok()
                .flatten();
            named.extend(address.map(|(_, port)| port));
        }
        named
            .iter()
            .copied()
            .find(|port| named.iter().filter(|p| *p == port).count() >= 2)
    }

    /// The data node on `port`.
    pub fn node(&mut self, port: u16) -> &mut Node {
        self.nodes.iter_mut().find(|n| n.port == port).unwrap()
    }

    /// Waits until a majority of the sentinels name a primary other than `old`; returns it
    /// and when it was first seen.
    pub async fn failed_over(&self, old: u16, limit: Duration) -> (u16, Instant) {
        let deadline = Instant::now() + limit;
        loop {
            match self.primary_port().await {
                Some(port) if port != old => return (port, Instant::now()),
                _ => {}
            }
            assert!(
                Instant::now() < deadline,
                "no failover within {limit:?}; sentinel logs:\n{}",
                self.sentinels
                    .iter()
                    .map(Node::log)
                    .collect::<Vec<_>>()
                    .join("\n---\n")
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The sentinels' log lines about the failover (`+sdown`, `+odown`, `+switch-master`...),
    /// for the test's output.
    pub fn failover_log(&self) -> String {
        let mut lines: Vec<String> = self
            .sentinels
            .iter()
            .flat_map(|s| {
                s.log()
                    .lines()
                    .filter(|l| {
                        [
                            "+sdown master",
                            "+odown",
                            "+elected-leader",
                            "+promoted-slave",
                            "+switch-master",
                            "+convert-to-slave",
                        ]
                        .iter()
                        .any(|e| l.contains(e))
                    })
                    .map(|l| format!("sentinel {}: {l}", s.port))
                    .collect::<Vec<_>>()
            })
            .collect();
        lines.sort_by(|a, b| {
            a.split_once(':')
                .map(|x| x.1)
                .cmp(&b.split_once(':').map(|x| x.1))
        });
        lines.join("\n")
    }
}
