//! `jose dpop proof` and `jose dpop verify`: what they print, and the exit code of each check
//! (0 accepted, 1 rejected with the reason on stderr, 2 unusable input), stdout empty on
//! failure.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failed test"
)]

mod common;
mod dpop_support;

use common::{file, fixture, jose};
use dpop_support::parts;

/// RFC 9449 §7.1: an access token and its `ath`.
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const ATH: &str = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";
const NOW: i64 = 1_700_000_000;
const HTU: &str = "https://rs.example/data";

/// A private JWK made by `jose key generate`.
fn generated(alg: &str) -> String {
    let run = jose(&["key", "generate", "--alg", alg, "--kid", "c1"], b"").ok();
    file("client.jwk", &run.stdout)
}

fn token_file() -> String {
    file("at.txt", format!("{ACCESS_TOKEN}\n").as_bytes())
}

/// A proof by `key` for `GET HTU` at `NOW`, with `extra` arguments.
fn proof(key: &str, extra: &[&str]) -> String {
    let now = NOW.to_string();
    let mut args = vec![
        "dpop", "proof", "--key", key, "--htm", "GET", "--htu", HTU, "--now", &now,
    ];
    args.extend_from_slice(extra);
    jose(&args, b"").ok().text().trim().to_owned()
}

/// `jose dpop verify` of `proof` at `now`, with `extra` arguments, for `GET HTU` unless they
/// name another `--htm` or `--htu`.
fn verify(proof: &str, now: i64, extra: &[&str]) -> common::Run {
    let now = now.to_string();
    let mut args = vec!["dpop", "verify", "--now", &now];
    for (flag, default) in [("--htm", "GET"), ("--htu", HTU)] {
        if !extra.contains(&flag) {
            args.extend_from_slice(&[flag, default]);
        }
    }
    args.extend_from_slice(extra);
    args.push(proof);
    jose(&args, b"")
}

#[test]
fn a_proof_carries_the_request_and_verifies() {
    let ed25519 = generated("Ed25519");
    let es256 = generated("ES256");
    let rsa = fixture("rsa2048.pkcs8.pem");
    let at = token_file();
    let cases: [(&str, &[&str], &str); 3] = [
        (&es256, &[], "ES256"),
        (&ed25519, &[], "Ed25519"),
        (&rsa, &["--alg", "PS256"], "PS256"),
    ];
    for (key, alg, name) in cases {
        let now = NOW.to_string();
        let mut args = vec![
            "dpop",
            "proof",
            "--key",
            key,
            "--htm",
            "GET",
            "--htu",
            "https://rs.example/data?page=2#top",
            "--access-token",
            &at,
            "--nonce",
            "n-1",
            "--now",
            &now,
        ];
        args.extend_from_slice(alg);
        let proof = jose(&args, b"").ok().text().trim().to_owned();
        let (header, claims) = parts(&proof);
        assert_eq!(header["typ"], "dpop+jwt", "{name}");
        assert_eq!(header["alg"], name);
        let jwk = header["jwk"].as_object().unwrap();
        assert!(!jwk.contains_key("d") && !jwk.contains_key("kid"), "{name}");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], HTU, "{name}: query and fragment left out");
        assert_eq!(claims["iat"], NOW);
        assert_eq!(claims["ath"], ATH);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["jti"].as_str().unwrap().len(), 22, "128 random bits");

        // The server's view of the URI: case, default port, query and fragment differ.
        let run = jose(
            &[
                "dpop",
                "verify",
                "--htm",
                "GET",
                "--htu",
                "HTTPS://RS.Example:443/data?page=3#x",
                "--access-token",
                &at,
                "--nonce",
                "n-0",
                "--nonce",
                "n-1",
                "--now",
                &(NOW + 5).to_string(),
                &proof,
            ],
            b"",
        )
        .ok();
        let printed = run.text().trim().to_owned();
        let order: Vec<usize> = ["\"jkt\"", "\"jti\"", "\"iat\""]
            .iter()
            .map(|name| printed.find(name).unwrap())
            .collect();
        assert!(order.is_sorted(), "{printed}");
        let out = run.json();
        assert_eq!(out.as_object().unwrap().len(), 3);
        let thumbprint = jose(&["key", "thumbprint", key], b"")
            .ok()
            .text()
            .trim()
            .to_owned();
        assert_eq!(out["jkt"], thumbprint.as_str(), "{name}");
        assert_eq!(out["jti"], claims["jti"]);
        assert_eq!(out["iat"], NOW);
    }
}

#[test]
fn each_proof_has_its_own_jti() {
    let key = generated("ES256");
    let (_, a) = parts(&proof(&key, &[]));
    let (_, b) = parts(&proof(&key, &[]));
    assert_ne!(a["jti"], b["jti"]);
}

#[test]
fn ed25519_and_eddsa_proofs_are_told_apart() {
    // A key generated for Ed25519 names it: its proofs say "Ed25519", and it cannot sign
    // under the other name.
    let key = generated("Ed25519");
    assert_eq!(parts(&proof(&key, &[])).0["alg"], "Ed25519");
    jose(
        &[
            "dpop", "proof", "--key", &key, "--alg", "EdDSA", "--htm", "GET", "--htu", HTU,
        ],
        b"",
    )
    .fails(2, "key does not fit algorithm EdDSA");
    // A PEM key names none: --alg chooses, and the verifier's --alg list decides.
    let pem = fixture("ed25519.pkcs8.pem");
    let eddsa = proof(&pem, &["--alg", "EdDSA"]);
    assert_eq!(parts(&eddsa).0["alg"], "EdDSA");
    verify(&eddsa, NOW, &["--alg", "EdDSA"]).ok();
    verify(&eddsa, NOW, &["--alg", "Ed25519"])
        .fails(1, "dpop proof rejected: alg is not an accepted algorithm");
    let ed25519 = proof(&pem, &["--alg", "Ed25519"]);
    verify(&ed25519, NOW, &["--alg", "Ed25519"]).ok();
    verify(&ed25519, NOW, &["--alg", "EdDSA"])
        .fails(1, "dpop proof rejected: alg is not an accepted algorithm");
    // Both are accepted by default, with the same thumbprint: the same key.
    let a = verify(&eddsa, NOW, &[]).ok().json();
    let b = verify(&ed25519, NOW, &[]).ok().json();
    assert_eq!(a["jkt"], b["jkt"]);
}

#[test]
fn every_failed_check_exits_1_with_its_reason() {
    let key = generated("ES256");
    let at = token_file();
    let other_at = file("other.txt", b"another-token");
    let plain = proof(&key, &[]);
    let full = proof(&key, &["--access-token", &at, "--nonce", "n-1"]);
    // One character in the middle of the signature: still canonical base64url.
    let mut tampered = full.clone();
    let middle = full.len() - 20;
    let new = if &full[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(middle..=middle, new);
    let jwt = jose(
        &[
            "sign",
            "--key",
            &key,
            "--now",
            &NOW.to_string(),
            "--iat",
            "-",
        ],
        br#"{"htm":"GET","htu":"https://rs.example/data","jti":"x"}"#,
    )
    .ok()
    .text()
    .trim()
    .to_owned();
    let with_token: &[&str] = &["--access-token", &at, "--nonce", "n-1"];
    let cases: [(&str, &str, i64, Vec<&str>, &str); 14] = [
        (
            "htm",
            &full,
            NOW,
            vec!["--htm", "POST"],
            "htm is not the request method",
        ),
        (
            "htm case",
            &full,
            NOW,
            vec!["--htm", "get"],
            "htm is not the request method",
        ),
        (
            "htu path",
            &full,
            NOW,
            vec!["--htu", "https://rs.example/other"],
            "htu is not the request URI",
        ),
        (
            "htu scheme",
            &full,
            NOW,
            vec!["--htu", "http://rs.example/data"],
            "htu is not the request URI",
        ),
        (
            "htu port",
            &full,
            NOW,
            vec!["--htu", "https://rs.example:8443/data"],
            "htu is not the request URI",
        ),
        (
            "ath",
            &full,
            NOW,
            vec!["--access-token", &other_at, "--nonce", "n-1"],
            "ath is not the hash of the access token",
        ),
        (
            "no ath",
            &plain,
            NOW,
            vec!["--access-token", &at],
            "an access token came and the proof has no ath",
        ),
        (
            "nonce",
            &full,
            NOW,
            vec!["--access-token", &at, "--nonce", "n-2"],
            "nonce is not one the server accepts",
        ),
        (
            "no nonce",
            &plain,
            NOW,
            vec!["--nonce", "n-1"],
            "the server requires a nonce and the proof has none",
        ),
        (
            "too old",
            &full,
            NOW + 61,
            with_token.to_vec(),
            "older than the maximum age",
        ),
        (
            "future",
            &full,
            NOW - 1,
            with_token.to_vec(),
            "issued in the future",
        ),
        (
            "alg",
            &full,
            NOW,
            vec!["--alg", "ES384", "--alg", "Ed25519"],
            "alg is not an accepted algorithm",
        ),
        (
            "signature",
            &tampered,
            NOW,
            with_token.to_vec(),
            "invalid signature",
        ),
        ("typ", &jwt, NOW, vec![], "header typ is not dpop+jwt"),
    ];
    for (what, proof, now, extra, message) in cases {
        let run = verify(proof, now, &extra);
        assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        run.fails(1, message);
    }
    verify("not-a-proof", NOW, &[]).fails(1, "malformed input");
    // The same proof passes once the rule that refused it is widened.
    verify(
        &full,
        NOW + 61,
        &[&["--max-age", "61"], with_token].concat(),
    )
    .ok();
    verify(&full, NOW + 65, &[&["--leeway", "5"], with_token].concat()).ok();
    verify(&full, NOW - 5, &[&["--leeway", "5"], with_token].concat()).ok();
    verify(&full, NOW, &[&["--alg", "ES256"], with_token].concat()).ok();
    // Without --access-token or --nonce, ath and nonce are not asked for.
    verify(&full, NOW, &[]).ok();
}

#[test]
fn unusable_input_exits_2() {
    let key = generated("ES256");
    let good = proof(&key, &[]);
    let now = NOW.to_string();
    let empty = file("empty.txt", b" \n");
    let verify_cases: [(&[&str], &str); 7] = [
        (&["--htu", "ftp://rs.example/data"], "--htu: "),
        (&["--htu", "/data"], "--htu: "),
        (
            &["--alg", "HS256"],
            "--alg HS256: a DPoP proof is signed with a key pair",
        ),
        (&["--alg", "XY256"], "--alg XY256"),
        (
            &["--access-token", "/nonexistent/at.txt"],
            "cannot read /nonexistent/at.txt",
        ),
        (&["--access-token", &empty], "empty"),
        (
            &["--access-token", "-"],
            "only one input can be read from stdin",
        ),
    ];
    for (extra, message) in verify_cases {
        let mut args = vec!["dpop", "verify", "--htm", "GET", "--now", &now];
        if !extra.contains(&"--htu") {
            args.extend_from_slice(&["--htu", HTU]);
        }
        args.extend_from_slice(extra);
        args.push(if extra.contains(&"-") { "-" } else { &good });
        jose(&args, b"").fails(2, message);
    }

    let hmac = generated("HS256");
    let public_jwk = jose(&["key", "public", &key], b"")
        .ok()
        .text()
        .trim()
        .to_owned();
    let public = file("public.jwk", public_jwk.as_bytes());
    let jwks = file(
        "set.jwks",
        format!(r#"{{"keys":[{public_jwk}]}}"#).as_bytes(),
    );
    let pem = fixture("p256.pkcs8.pem");
    let proof_cases: [(&str, &[&str], &str); 8] = [
        (
            &hmac,
            &[],
            "--alg HS256: a DPoP proof is signed with a key pair",
        ),
        (&public, &[], "a public key cannot sign"),
        (&pem, &[], "--alg is needed"),
        (&pem, &["--alg", "RS256"], "does not fit algorithm RS256"),
        (&jwks, &[], "this is a JWK Set"),
        (&key, &["--htu", "ftp://rs.example/data"], "--htu: "),
        (
            &key,
            &["--access-token", "/nonexistent/at.txt"],
            "cannot read",
        ),
        (
            "/nonexistent/key.jwk",
            &[],
            "cannot read /nonexistent/key.jwk",
        ),
    ];
    for (key, extra, message) in proof_cases {
        let mut args = vec!["dpop", "proof", "--key", key, "--htm", "GET"];
        if !extra.contains(&"--htu") {
            args.extend_from_slice(&["--htu", HTU]);
        }
        args.extend_from_slice(extra);
        jose(&args, b"").fails(2, message);
    }
}

#[test]
fn stdin_holds_the_proof_or_the_access_token() {
    let key = generated("Ed25519");
    let full = proof(&key, &["--access-token", &token_file()]);
    let now = NOW.to_string();
    let base = [
        "dpop", "verify", "--htm", "GET", "--htu", HTU, "--now", &now,
    ];
    let at = token_file();
    jose(
        &[&base[..], &["--access-token", &at, "-"]].concat(),
        format!("{full}\n").as_bytes(),
    )
    .ok();
    jose(
        &[&base[..], &["--access-token", "-", &full]].concat(),
        ACCESS_TOKEN.as_bytes(),
    )
    .ok();
    // The access token for a proof, from stdin.
    let from_stdin = jose(
        &[
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            HTU,
            "--access-token",
            "-",
        ],
        ACCESS_TOKEN.as_bytes(),
    )
    .ok()
    .text()
    .trim()
    .to_owned();
    assert_eq!(parts(&from_stdin).1["ath"], ATH);
}

#[test]
fn help_shows_an_example() {
    for command in ["proof", "verify"] {
        let run = jose(&["dpop", command, "--help"], b"").ok();
        assert!(
            run.text().trim().to_owned().contains("Example:\n  jose "),
            "{command}"
        );
    }
}
