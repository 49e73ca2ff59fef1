//! SD-JWT interoperability with the `sd-jwt` package of PyPI (`sd_jwt_interop.py`): issued here
//! and verified there, issued there and verified here, with and without key binding.
//!
//! Runs only with `JOSE_INTEROP=1` (the Python packages must be installed: `.ci/run` makes a
//! venv with `sd_jwt_interop_requirements.txt` and sets `JOSE_SD_JWT_PYTHON` to its
//! interpreter).
#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "tests: a failure is a failed test, and the report is the output"
)]

use std::process::Command;

#[test]
fn sd_jwt_reference_implementation_both_directions() {
    if std::env::var("JOSE_INTEROP").as_deref() != Ok("1") {
        eprintln!("skipped: set JOSE_INTEROP=1 (and JOSE_SD_JWT_PYTHON) to run the interop checks");
        return;
    }
    let python = std::env::var("JOSE_SD_JWT_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sd_jwt_interop.py");
    let out = Command::new(&python)
        .args([script, env!("CARGO_BIN_EXE_jose")])
        .output()
        .expect("run the interop script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "interop failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
