//! The browser mode in a real browser (issue 26): headless Chromium from Debian, driven by
//! Selenium (PyPI, pinned in `tests/browser/requirements.txt`) through
//! `tests/browser/browser.py`, against two instances over HTTPS on one `redis-server`, with a
//! certificate this test makes. Chromium trusts it by its public key only
//! (`--ignore-certificate-errors-spki-list` with the SHA-256 of its SubjectPublicKeyInfo,
//! honoured with a `--user-data-dir` of the test's own). The script checks the flow, the
//! cookie, the prefixes and the other origin's attempts in the browser; this test then checks
//! in the instances' logs that the forgeries the browser did send were refused by the CSRF
//! layer, and that only the person's own sign-out signed them out.
//!
//! Runs when `JOSE_BROWSER_PYTHON` names a Python with those packages (`.ci/run` makes a venv
//! and installs Chromium); skipped with a loud message otherwise. Screenshots go to
//! `JOSE_BROWSER_SCREENSHOTS` (default: a temporary directory, printed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "a test: a panic is a failed test"
)]

mod common;

use std::path::Path;
use std::process::Command;

use base64ct::{Base64, Encoding};
use common::*;

/// The first of `paths` that exists.
fn first_existing(paths: &[&str]) -> String {
    paths
        .iter()
        .find(|path| Path::new(path).exists())
        .unwrap_or(&paths[0])
        .to_string()
}

#[test]
fn chromium_signs_in_refreshes_and_signs_out_and_another_origin_cannot() {
    let Ok(python) = std::env::var("JOSE_BROWSER_PYTHON") else {
        eprintln!(
            "\n!!!!!!!! SKIPPED: set JOSE_BROWSER_PYTHON to a Python with \
             service/tests/browser/requirements.txt installed, and install Debian's chromium \
             and chromium-driver (.ci/run does both), to run the browser test !!!!!!!!\n"
        );
        return;
    };
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("browser");
    let generated =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let (cert, key) = (dir.join("tls.pem"), dir.join("tls.key"));
    std::fs::write(&cert, generated.cert.pem()).unwrap();
    std::fs::write(&key, generated.signing_key.serialize_pem()).unwrap();
    let spki = ring::digest::digest(
        &ring::digest::SHA256,
        &rcgen::PublicKeyData::subject_public_key_info(&generated.signing_key),
    );
    let flags = [
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        // Access tokens of 8 s: the page's silent refresh runs within the test.
        "--access-lifetime",
        "8",
    ];
    let at = ["--port", "0", "--issuer", ORIGIN];
    let a = Service::start_at(&at, &dir, Some(&redis), &flags);
    let b = Service::start_at(&at, &dir, Some(&redis), &flags);
    let screenshots = std::env::var("JOSE_BROWSER_SCREENSHOTS")
        .unwrap_or_else(|_| dir.join("screenshots").to_str().unwrap().to_owned());
    let settings = serde_json::json!({
        "a": a.base,
        "b": b.base,
        "cert": cert,
        "key": key,
        "spki": Base64::encode_string(spki.as_ref()),
        "screenshots": screenshots,
        "chromium": std::env::var("JOSE_CHROMIUM")
            .unwrap_or_else(|_| first_existing(&["/usr/lib/chromium/chromium", "/usr/bin/chromium"])),
        "chromedriver": std::env::var("JOSE_CHROMEDRIVER")
            .unwrap_or_else(|_| first_existing(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])),
    });
    let settings_file = dir.join("browser.json");
    std::fs::write(&settings_file, settings.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/browser.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&settings_file)
        .output()
        .unwrap();
    eprintln!(
        "{}{}\nscreenshots: {screenshots}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the browser script failed");

    // What reached the instance: each request the other origin's page made the browser send
    // carried the cookie (another port of the same host is same-site) and was refused by the
    // CSRF layer: the form POST, the credentialed GET, the no-cors POST, and the preflights
    // of the calls with the custom header, which the browser then never sent.
    let log = a.log();
    for (method, route) in [
        ("POST", "/session/logout"),
        ("GET", "/session/me"),
        ("POST", "/session/refresh"),
        ("OPTIONS", "/session/logout"),
        ("OPTIONS", "/session/api/{name}"),
    ] {
        let line =
            format!("method={method} route={route} status=403 reason=\"csrf_header_missing\"");
        assert_eq!(log.matches(&line).count(), 1, "{line}\n{log}");
    }
    assert_eq!(log.matches("status=403 reason=\"csrf_").count(), 5, "{log}");
    let served_logouts = format!("{log}{}", b.log())
        .matches("method=POST route=/session/logout status=204")
        .count();
    assert_eq!(served_logouts, 1);
}
