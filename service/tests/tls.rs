//! HTTPS on the real binary (`--tls-cert`, `--tls-key`): a certificate the test generates
//! (rcgen), a client that trusts only it, HSTS on every answer; plain http without.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a panic is a failed test"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// A self-signed certificate for `names` (DNS names or IP addresses) and its key, written
/// to `dir` as `<stem>.pem` and `<stem>.key`; and the certificate's PEM.
fn certificate(dir: &Path, stem: &str, names: &[&str]) -> (PathBuf, PathBuf, String) {
    let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    let generated = rcgen::generate_simple_self_signed(names).unwrap();
    let pem = generated.cert.pem();
    let (cert, key) = (
        dir.join(format!("{stem}.pem")),
        dir.join(format!("{stem}.key")),
    );
    std::fs::write(&cert, &pem).unwrap();
    std::fs::write(&key, generated.signing_key.serialize_pem()).unwrap();
    (cert, key, pem)
}

/// A client whose only trust anchor is `pem`.
fn trusting(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

fn tls_flags<'a>(cert: &'a Path, key: &'a Path) -> [&'a str; 4] {
    [
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]
}

#[tokio::test]
async fn https_with_a_generated_certificate_and_a_client_that_trusts_only_it() {
    let dir = temp_dir("tls");
    let (cert, key, pem) = certificate(&dir, "service", &["localhost", "127.0.0.1"]);
    let service = Service::start(&dir, None, &tls_flags(&cert, &key));
    assert!(
        service.base.starts_with("https://127.0.0.1:"),
        "{}",
        service.base
    );
    let http = trusting(&pem);

    let health = http.get(service.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.headers()["strict-transport-security"],
        "max-age=63072000"
    );
    // The whole flow over TLS, HSTS on refusals too.
    let pair = login(&http, &service, ADA, None).await;
    assert_eq!(pair.status, 200, "{}", pair.body);
    let me = call(
        &http,
        &service,
        "GET",
        "/me",
        &pair.token("access_token"),
        None,
    )
    .await;
    assert_eq!((me.status, me.body["sub"].as_str()), (200, Some("ada")));
    let refused = http.get(service.url("/me")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["strict-transport-security"],
        "max-age=63072000"
    );
    let missing = http.get(service.url("/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().contains_key("strict-transport-security"));

    // A client that trusts another certificate does not get through the handshake.
    let (_, _, other) = certificate(&dir, "other", &["localhost", "127.0.0.1"]);
    let error = trusting(&other)
        .get(service.url("/healthz"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    // (rcgen names every certificate alike: the issuer found by name fails its signature.)
    assert!(
        format!("{error:?}").contains("InvalidCertificate(BadSignature)"),
        "{error:?}"
    );
    // Nor does one that speaks plain http to the port; the service goes on serving.
    let plain = service.base.replacen("https://", "http://", 1);
    assert!(
        client()
            .get(format!("{plain}/healthz"))
            .send()
            .await
            .is_err()
    );
    let health = http.get(service.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_by_the_client() {
    let dir = temp_dir("tls-name");
    let (cert, key, pem) = certificate(&dir, "service", &["jose-service.test"]);
    let service = Service::start(&dir, None, &tls_flags(&cert, &key));
    let error = trusting(&pem)
        .get(service.url("/healthz"))
        .send()
        .await
        .unwrap_err();
    assert!(
        format!("{error:?}").contains("NotValidForName"),
        "{error:?}"
    );
}

#[tokio::test]
async fn plain_http_sends_no_hsts() {
    let dir = temp_dir("plain");
    let service = Service::start(&dir, None, &[]);
    assert!(service.base.starts_with("http://127.0.0.1:"));
    let health = client().get(service.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(!health.headers().contains_key("strict-transport-security"));
}

/// Runs the binary with `args` to its end: exit success and standard error.
fn run(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_jose-service"))
        .args(["--port", "0"])
        .args(args)
        .env_remove("TLS_CERT")
        .env_remove("TLS_KEY")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn unusable_tls_files_stop_the_service_before_it_listens() {
    let dir = temp_dir("tls-bad");
    let (cert, _, _) = certificate(&dir, "service", &["127.0.0.1"]);
    let (_, other_key, _) = certificate(&dir, "other", &["127.0.0.1"]);
    let missing = dir.join("missing.pem");
    let (ok, stderr) = run(&tls_flags(&cert, &missing));
    assert!(!ok);
    assert!(
        stderr.starts_with(&format!("jose-service: --tls-key {}: ", missing.display())),
        "{stderr}"
    );
    // A key file with no key in it, and a key that is not the certificate's.
    let (ok, stderr) = run(&tls_flags(&cert, &cert));
    assert!(!ok);
    assert!(stderr.starts_with("jose-service: --tls-key "), "{stderr}");
    let (ok, stderr) = run(&tls_flags(&cert, &other_key));
    assert!(!ok);
    assert!(
        stderr.starts_with("jose-service: --tls-cert/--tls-key: "),
        "{stderr}"
    );
    // One without the other is a usage error.
    let (ok, stderr) = run(&["--tls-cert", cert.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("--tls-key <TLS_KEY>"), "{stderr}");
}
