//! What the CLI's test files share: running the built `jose` and scratch files.
#![allow(dead_code, reason = "each test file uses its own part of this module")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const JOSE: &str = env!("CARGO_BIN_EXE_jose");

/// What a run of `jose` gave.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        String::from_utf8(self.stdout.clone()).unwrap()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.text(),
                self.stderr
            )
        })
    }

    /// Asserts the exit code, and that stderr holds `message` on failure.
    #[track_caller]
    pub fn expect(self, code: i32, message: &str) -> Self {
        assert_eq!(
            self.code,
            code,
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        );
        assert!(
            self.stderr.contains(message),
            "stderr {:?} lacks {message:?}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        self.expect(0, "")
    }

    /// Asserts the exit code, an empty stdout, and `message` on stderr: a failed command
    /// prints nothing a script could take for a result.
    #[track_caller]
    pub fn fails(self, code: i32, message: &str) -> Self {
        assert!(
            self.stdout.is_empty(),
            "stdout on failure: {:?}",
            String::from_utf8_lossy(&self.stdout)
        );
        self.expect(code, message)
    }
}

/// Runs `jose args...` with `stdin`.
pub fn jose(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(JOSE)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The child may exit before reading stdin (a usage error): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A fresh file holding `contents`, in the test's scratch directory.
pub fn file(name: &str, contents: &[u8]) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jose-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}
