//! What the `jose dpop` tests share: running the binary, scratch files, proof segments.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers, not all used by every test crate; a panic is a failed test"
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

pub const JOSE: &str = env!("CARGO_BIN_EXE_jose");

/// What a run of `jose` gave.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    /// Stdout, trimmed.
    pub fn text(&self) -> String {
        String::from_utf8(self.stdout.clone())
            .unwrap()
            .trim()
            .to_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap()
    }

    /// Asserts success.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        self
    }

    /// Asserts the exit code, an empty stdout, and `message` on stderr.
    #[track_caller]
    pub fn fails(self, code: i32, message: &str) -> Self {
        assert_eq!(
            self.code,
            code,
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "stdout on failure: {:?}",
            self.stdout
        );
        assert!(
            self.stderr.contains(message),
            "stderr {:?} lacks {message:?}",
            self.stderr
        );
        self
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
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jose-dpop-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A key fixture of `test-vectors/keys/`.
pub fn fixture(name: &str) -> String {
    format!("{}/../test-vectors/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The header and the claims of a compact proof, decoded without any check.
pub fn parts(proof: &str) -> (Value, Value) {
    let mut segments = proof.split('.');
    let mut next = || {
        let bytes = jose_ring::dangerous::decode_base64url(segments.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (next(), next())
}

/// `proof` with one character of its signature changed, in the middle so that the segment
/// stays canonical base64url.
pub fn tampered(proof: &str) -> String {
    let middle = proof.len() - 20;
    let new = if &proof[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let mut out = proof.to_owned();
    out.replace_range(middle..=middle, new);
    out
}
