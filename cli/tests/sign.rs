//! Runs the built `jose sign`: what it writes (times, header), that the library verifies it,
//! and the input it refuses (exit 2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use jose_ring::jwk::Jwk;
use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring::{jwa, jws};
use serde_json::{Value, json};

use common::{GENERATED_ALGS, NOW, RSA_ALGS, file, fixture, generated, jose, sign_with};

#[test]
fn sign_output_is_verified_by_the_library() {
    for alg in GENERATED_ALGS {
        let (private, public) = generated(alg);
        let token = sign_with(&private, alg);
        let algorithm = jwa::Algorithm::from_name(alg).unwrap();
        let jwk = Jwk::from_json(&std::fs::read(&public).unwrap()).unwrap();
        let rules = Validation::new(NumericDate::from_seconds(1_700_000_000)).with_audience("api");
        let verified: jwt::Verified<Value> = if algorithm.is_symmetric() {
            jwt::decode(&token, &jwk.hmac_key(algorithm).unwrap(), &rules).unwrap()
        } else {
            jwt::decode(&token, &jwk.verifying_key(algorithm).unwrap(), &rules).unwrap()
        };
        assert_eq!(verified.claims()["sub"], "ada");
        assert_eq!(verified.header().typ(), Some("JWT"));
        assert_eq!(verified.header().kid(), Some("k1"));
    }
    for alg in RSA_ALGS {
        let token = sign_with(&fixture("rsa2048.pkcs8.pem"), alg);
        let algorithm = jwa::Algorithm::from_name(alg).unwrap();
        let pem = std::fs::read(fixture("rsa2048.spki.pem")).unwrap();
        let key = jose_ring::VerifyingKey::from_pem(algorithm, &pem).unwrap();
        let rules = Validation::new(NumericDate::from_seconds(1_700_000_000)).with_audience("api");
        let verified: jwt::Verified<Value> = jwt::decode(&token, &key, &rules).unwrap();
        assert_eq!(verified.claims()["admin"], true);
    }
}

#[test]
fn sign_sets_times_and_header() {
    let (private, public) = generated("ES256");
    let run = jose(
        &[
            "sign",
            "--key",
            &private,
            "--alg",
            "ES256",
            "--kid",
            "other",
            "--typ",
            "at+jwt",
            "--header",
            r#"{"x5t#S256":"abc","cty":"demo"}"#,
            "--exp-in",
            "60",
            "--iat",
            "--now",
            NOW,
            "-",
        ],
        br#"{"sub":"ada","exp":1}"#,
    )
    .ok();
    let token = run.text().trim().to_owned();
    let unverified = jws::Unverified::parse(&token).unwrap();
    assert_eq!(unverified.header().kid(), Some("other"));
    assert_eq!(unverified.header().typ(), Some("at+jwt"));
    assert_eq!(unverified.header().cty(), Some("demo"));
    let claims = jose(
        &[
            "verify", "--key", &public, "--typ", "at+jwt", "--now", NOW, &token,
        ],
        b"",
    )
    .expect(1, "no key for this token: unknown kid")
    .stderr;
    assert!(!claims.is_empty());
    // The kid of the header is "other": a key ring of the key's own kid does not fit it; the
    // PEM form of the key has no kid and does.
    let pem = file(
        "p.pem",
        &jose(&["key", "convert", &public, "--to", "pem"], b"")
            .ok()
            .stdout,
    );
    let claims = jose(
        &[
            "verify", "--key", &pem, "--alg", "ES256", "--typ", "at+jwt", "--now", NOW, &token,
        ],
        b"",
    )
    .ok()
    .json();
    assert_eq!(
        claims,
        json!({"sub": "ada", "exp": 1_700_000_060, "iat": 1_700_000_000})
    );
}

#[test]
fn sign_input_errors_exit_2() {
    let (private, public) = generated("ES256");
    jose(&["sign", "--key", &private, "-"], b"[1,2]").expect(
        2,
        "claims stdin: malformed input: json: top level is not a JSON object",
    );
    jose(&["sign", "--key", &private, "-"], b"{\"sub\":1,\"sub\":2}").expect(
        2,
        "claims stdin: malformed input: json: duplicate member name",
    );
    jose(&["sign", "--key", &private, "-"], b"{oops").expect(
        2,
        "claims stdin: malformed input: json: invalid JSON at line 1 column 2",
    );
    jose(
        &["sign", "--key", &private, "/nonexistent/claims.json"],
        b"",
    )
    .expect(2, "cannot read /nonexistent/claims.json");
    jose(&["sign", "--key", &private, "--alg", "ES384", "-"], b"{}").expect(
        2,
        "key file: key rejected: key does not fit algorithm ES384",
    );
    jose(
        &[
            "sign",
            "--key",
            &private,
            "--header",
            r#"{"alg":"HS256"}"#,
            "-",
        ],
        b"{}",
    )
    .expect(2, "--header: `alg` differs");
    jose(
        &[
            "sign",
            "--key",
            &private,
            "--header",
            r#"{"crit":["b64"]}"#,
            "-",
        ],
        b"{}",
    )
    .expect(2, "--header: `crit` cannot be set here");
    jose(&["sign", "--key", &private, "--header", "[]", "-"], b"{}").expect(
        2,
        "--header: malformed input: json: top level is not a JSON object",
    );
    let pem = file(
        "pub.pem",
        &jose(&["key", "convert", &public, "--to", "pem"], b"")
            .ok()
            .stdout,
    );
    jose(&["sign", "--key", &pem, "--alg", "ES256", "-"], b"{}")
        .expect(2, "a public key cannot sign");
    jose(
        &["sign", "--key", &fixture("rsa2048.pkcs8.pem"), "-"],
        b"{}",
    )
    .expect(2, "--alg is needed: a PEM key does not name its algorithm");
    jose(
        &[
            "sign",
            "--key",
            &fixture("rsa2048.pkcs8.pem"),
            "--alg",
            "HS256",
            "-",
        ],
        b"{}",
    )
    .expect(2, "key rejected");
}
