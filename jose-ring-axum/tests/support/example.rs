//! The package's examples as their own processes: built once each with cargo
//! (`cargo build --example NAME`), started with the flags outside tests use, stopped when
//! dropped, their output kept in a log file for failure messages.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

#[path = "../../../ci/test-support/build_example.rs"]
mod build_example;

/// The binary of the example `name`, built once per test process.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let path = build_example::build_example(workspace, "jose-ring-axum", name, &[]);
    built.insert(name.to_owned(), path.clone());
    path
}

/// A free loopback port (bound, then released: another process could take it in between).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A running example. Dropping it kills the process.
pub struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    /// Starts the example `name` with `arguments` and waits until it listens on `port`.
    pub fn start(name: &str, arguments: &[&str], port: u16) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("example-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join(format!("{}-{port}.log", std::process::id()));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(binary(name))
            .args(arguments)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start the example");
        let mut running = Self { child, log };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = running.child.try_wait().unwrap() {
                panic!("{name} {arguments:?} exited ({status}):\n{}", running.log());
            }
            assert!(
                Instant::now() < deadline,
                "{name} {arguments:?} is not listening after 20 s:\n{}",
                running.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        running
    }

    /// What the example wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
