//! Builds an example of a workspace package with cargo, for tests that run it as its own
//! process: the one place the test suites of `jose-ring-axum` and `jose-ring-service` do it
//! (each includes this file with `#[path]`). Uses std and serde_json only.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Builds `cargo build -p PACKAGE --example NAME` with `features` (none: the default ones) in
/// the workspace at `workspace`, and gives the executable's path.
///
/// What cargo set for the calling test process describes that package, not this build:
/// ring's and cc's build scripts rerun when `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME` or
/// `OUT_DIR` differ from the outer build's, which would rebuild the dependencies every run;
/// those variables are removed.
///
/// # Panics
///
/// When cargo cannot run, the build fails, or cargo names no executable: a failed test.
pub(crate) fn build_example(
    workspace: &str,
    package: &str,
    name: &str,
    features: &[&str],
) -> PathBuf {
    let cargo = std::env::var("CARGO")
        .ok()
        .or_else(|| option_env!("CARGO").map(str::to_owned))
        .unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    for (var, _) in std::env::vars_os() {
        let var = var.to_string_lossy();
        if var.starts_with("CARGO_PKG_")
            || var.starts_with("CARGO_BIN_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&var.as_ref())
        {
            build.env_remove(var.as_ref());
        }
    }
    build.args(["build", "-p", package, "--example", name]);
    if !features.is_empty() {
        build.args(["--features", &features.join(",")]);
    }
    let out = build
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(workspace)
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(out.status.success(), "cargo build --example {name} failed");
    String::from_utf8(out.stdout)
        .expect("cargo's messages are UTF-8")
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo named no executable for the example")
}
