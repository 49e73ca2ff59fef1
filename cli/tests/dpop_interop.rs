//! DPoP interop, both directions, with two independent implementations from the npm registry
//! (`interop/dpop.mjs`): panva's `dpop` makes proofs that `jose dpop verify` must accept (and
//! refuse for another method, URI, access token or nonce); `jose dpop proof` makes proofs that
//! panva's `jose` (`compactVerify` with the header's key, plus the RFC 9449 §4.3 checks in the
//! script) must accept, with the same thumbprint, and refuse when the request differs. ES256,
//! Ed25519, PS256 and RS256 both ways; EdDSA (the deprecated name) ours to theirs.
//!
//! Runs only with `JOSE_INTEROP=1` and `JOSE_NODE_PREFIX` (the folder of
//! `npm install --prefix`: `.ci/run` installs pinned versions there); `JOSE_NODE` names the
//! `node` binary (default `node`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failure is a failed test, and the report is the output"
)]

mod common;
mod dpop_support;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{file, fixture, jose};
use dpop_support::{parts, tampered};
use serde_json::{Value, json};

const ACCESS_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZGEifQ.not-checked-here~";
const NONCE: &str = "eyJ7S_zG.eyJH0-Z.HX4w-7v";
const RESOURCE: &str = "https://rs.example/api/data";
const TOKEN_ENDPOINT: &str = "https://as.example/token";

/// Runs `node dpop.mjs mode` with `input` as JSON on stdin; its JSON output.
fn node(mode: &str, input: &Value) -> Value {
    let node = std::env::var("JOSE_NODE").unwrap_or_else(|_| "node".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/dpop.mjs");
    let mut child = Command::new(node)
        .args([script, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node dpop.mjs {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn unix_now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}

#[test]
fn panva_dpop_and_jose_both_directions() {
    if std::env::var("JOSE_INTEROP").as_deref() != Ok("1") {
        eprintln!("skipped: set JOSE_INTEROP=1 and JOSE_NODE_PREFIX to run the DPoP interop");
        return;
    }
    assert!(
        std::env::var_os("JOSE_NODE_PREFIX").is_some(),
        "JOSE_INTEROP=1 needs JOSE_NODE_PREFIX (the npm --prefix folder holding dpop and jose)"
    );
    let at = file("at.txt", ACCESS_TOKEN.as_bytes());
    let other_at = file("other-at.txt", b"another.access.token");
    let theirs = theirs_verify_here(&at, &other_at);
    let ours = ours_verify_there(&at);
    println!(
        "panva dpop -> jose dpop verify: {theirs} proofs accepted (resource server proofs also \
         refused for another htm, htu, access token and nonce; token endpoint proofs with an \
         access token)"
    );
    println!(
        "jose dpop proof -> panva jose: {ours} proofs accepted, with panva's thumbprint; the \
         checker refuses another htm, htu, access token, nonce, a stale iat and a changed \
         signature"
    );
}

/// panva's `dpop` makes proofs; `jose dpop verify` accepts them for their request only.
fn theirs_verify_here(at: &str, other_at: &str) -> usize {
    let algs = ["ES256", "Ed25519", "PS256", "RS256"];
    let mut requests = Vec::new();
    for alg in algs {
        requests.push(json!({
            "alg": alg, "htm": "GET", "htu": RESOURCE, "access_token": ACCESS_TOKEN, "nonce": NONCE,
        }));
        requests.push(json!({"alg": alg, "htm": "POST", "htu": TOKEN_ENDPOINT}));
    }
    let made = node("make", &Value::Array(requests));
    let made = made.as_array().unwrap();
    assert_eq!(made.len(), 2 * algs.len());
    for pair in made.chunks(2) {
        let (resource, token) = (&pair[0], &pair[1]);
        let alg = resource["alg"].as_str().unwrap();
        for m in pair {
            assert_eq!(parts(m["proof"].as_str().unwrap()).0["alg"], alg);
        }
        // The resource server, as it received the request: other case, the default port, a
        // query and a fragment.
        let proof = resource["proof"].as_str().unwrap();
        let served = "HTTPS://RS.Example:443/api/data?page=2#frag";
        let args = |htm: &'static str, htu: &'static str, token: &str, nonce: &'static str| {
            vec![
                "dpop".to_owned(),
                "verify".into(),
                "--htm".into(),
                htm.into(),
                "--htu".into(),
                htu.into(),
                "--access-token".into(),
                token.into(),
                "--nonce".into(),
                nonce.into(),
                proof.into(),
            ]
        };
        let run = |args: Vec<String>| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            jose(&args, b"")
        };
        let out = run(args("GET", served, at, NONCE)).ok().json();
        assert_eq!(
            out["jkt"], resource["jkt"],
            "{alg}: the thumbprint panva computed"
        );
        assert_eq!(out["jti"], parts(proof).1["jti"], "{alg}");
        run(args("POST", served, at, NONCE)).fails(1, "htm is not the request method");
        run(args("GET", "https://rs.example/api/other", at, NONCE))
            .fails(1, "htu is not the request URI");
        run(args("GET", served, other_at, NONCE))
            .fails(1, "ath is not the hash of the access token");
        run(args("GET", served, at, "another-nonce"))
            .fails(1, "nonce is not one the server accepts");
        // The token endpoint: no access token yet, so no ath.
        let proof = token["proof"].as_str().unwrap();
        let out = jose(
            &[
                "dpop",
                "verify",
                "--htm",
                "POST",
                "--htu",
                TOKEN_ENDPOINT,
                proof,
            ],
            b"",
        )
        .ok()
        .json();
        assert_eq!(out["jkt"], token["jkt"], "{alg}: one key pair per alg");
        jose(
            &[
                "dpop",
                "verify",
                "--htm",
                "POST",
                "--htu",
                TOKEN_ENDPOINT,
                "--access-token",
                at,
                proof,
            ],
            b"",
        )
        .fails(1, "an access token came and the proof has no ath");
    }
    made.len()
}

/// `jose dpop proof` makes proofs; panva's `jose` accepts them, and refuses them for another
/// request.
fn ours_verify_there(at: &str) -> usize {
    let generated = |alg: &str| {
        let run = jose(&["key", "generate", "--alg", alg], b"").ok();
        file("client.jwk", &run.stdout)
    };
    let keys: [(String, Option<&str>, &str); 5] = [
        (generated("ES256"), None, "ES256"),
        (generated("Ed25519"), None, "Ed25519"),
        (fixture("rsa2048.pkcs8.pem"), Some("PS256"), "PS256"),
        (fixture("rsa2048.pkcs8.pem"), Some("RS256"), "RS256"),
        (fixture("ed25519.pkcs8.pem"), Some("EdDSA"), "EdDSA"),
    ];
    let now = unix_now();
    let now_text = now.to_string();
    let expect = |name: String, proof: &str| {
        json!({
            "name": name, "proof": proof, "htm": "GET", "htu": RESOURCE,
            "access_token": ACCESS_TOKEN, "nonce": NONCE, "now": now, "max_age": 60,
        })
    };
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (key, alg, name) in &keys {
        let mut args = vec![
            "dpop",
            "proof",
            "--key",
            key,
            "--htm",
            "GET",
            "--htu",
            "https://rs.example/api/data?x=1#y",
            "--access-token",
            at,
            "--nonce",
            NONCE,
            "--now",
            &now_text,
        ];
        if let Some(alg) = alg {
            args.extend_from_slice(&["--alg", alg]);
        }
        let proof = jose(&args, b"").ok().text().trim().to_owned();
        let jkt = jose(&["key", "thumbprint", key], b"")
            .ok()
            .text()
            .trim()
            .to_owned();
        cases.push(expect((*name).to_owned(), &proof));
        expected.push((*name, jkt, proof));
    }
    // Negative controls: the checker refuses what it should, so its acceptance means something.
    let (_, _, first) = &expected[0];
    let tampered = tampered(first);
    let refusals: [(&str, Value, &str); 6] = [
        ("htm", json!({"htm": "POST"}), "htm"),
        ("htu", json!({"htu": "https://rs.example/api/other"}), "htu"),
        (
            "ath",
            json!({"access_token": "another.access.token"}),
            "ath",
        ),
        ("nonce", json!({"nonce": "another-nonce"}), "nonce"),
        ("stale", json!({"now": now + 61}), "iat"),
        (
            "signature",
            json!({"proof": tampered}),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        ),
    ];
    for (what, change, _) in &refusals {
        let mut case = expect(format!("refuse-{what}"), first);
        for (member, value) in change.as_object().unwrap() {
            case[member] = value.clone();
        }
        cases.push(case);
    }
    let results = node("check", &Value::Array(cases));
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), expected.len() + refusals.len());
    for ((name, jkt, proof), result) in expected.iter().zip(results) {
        assert_eq!(result["ok"], true, "{name}: {result}");
        assert_eq!(result["alg"], *name);
        assert_eq!(result["jkt"], jkt.as_str(), "{name}: panva's thumbprint");
        assert_eq!(result["jti"], parts(proof).1["jti"]);
        assert_eq!(result["iat"], now);
    }
    for ((what, _, error), result) in refusals.iter().zip(&results[expected.len()..]) {
        assert_eq!(result["ok"], false, "{what}: {result}");
        assert_eq!(result["error"], *error, "{what}");
    }
    expected.len()
}
