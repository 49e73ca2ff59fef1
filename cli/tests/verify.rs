//! Runs the built `jose verify` with key files: round trips per algorithm, every rejection
//! (exit 1) with the library's error, key files it cannot use (exit 2). Fetched keys are in
//! `fetch.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use jose_ring::jwk::Jwk;
use jose_ring::{jwa, jwt};
use serde_json::{Value, json};

use common::{CLAIMS, GENERATED_ALGS, NOW, RSA_ALGS, file, fixture, generated, jose, sign_with};

#[test]
fn generate_sign_verify_round_trip_per_algorithm() {
    let claims: Value = serde_json::from_slice(CLAIMS).unwrap();
    for alg in GENERATED_ALGS {
        let (private, public) = generated(alg);
        let jwk = jose(&["key", "generate", "--alg", alg], b"").ok().json();
        assert_eq!(jwk["alg"], alg);
        let token = sign_with(&private, alg);
        // The public JWK names its alg, so --alg is not needed.
        let verified = jose(
            &[
                "verify", "--key", &public, "--aud", "api", "--now", NOW, &token,
            ],
            b"",
        )
        .ok();
        assert_eq!(verified.json(), claims, "{alg}");
        // The same from stdin, with --alg given.
        let verified = jose(
            &[
                "verify", "--key", &public, "--alg", alg, "--aud", "api", "--now", NOW, "-",
            ],
            format!("{token}\n").as_bytes(),
        )
        .ok();
        assert_eq!(verified.json(), claims, "{alg}");
    }
}

#[test]
fn rsa_fixtures_sign_and_verify_every_rsa_algorithm() {
    let claims: Value = serde_json::from_slice(CLAIMS).unwrap();
    let jwk = jose(
        &[
            "key",
            "convert",
            &fixture("rsa2048.spki.pem"),
            "--to",
            "jwk",
        ],
        b"",
    )
    .ok();
    assert!(jwk.json().get("alg").is_none(), "a PEM key names no alg");
    let jwk = file("rsa.jwk", &jwk.stdout);
    for alg in RSA_ALGS {
        for private in ["rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem"] {
            let token = sign_with(&fixture(private), alg);
            for public in [
                fixture("rsa2048.spki.pem"),
                fixture("rsa2048.pkcs1-public.pem"),
                fixture("rsa2048.pkcs8.pem"),
                jwk.clone(),
            ] {
                let run = jose(
                    &[
                        "verify", "--key", &public, "--alg", alg, "--aud", "api", "--now", NOW,
                        &token,
                    ],
                    b"",
                )
                .ok();
                assert_eq!(run.json(), claims, "{alg} {private} {public}");
            }
        }
    }
}

#[test]
fn library_tokens_are_verified_by_the_cli() {
    let key = jose_ring::SigningKey::generate(&jwa::ES384)
        .unwrap()
        .with_kid("lib");
    let public = Jwk::from_verifying_key(&key.verifying_key())
        .to_json()
        .unwrap();
    let jwks = file("lib.jwks", format!(r#"{{"keys":[{public}]}}"#).as_bytes());
    let claims = json!({"sub": "lib", "exp": 1_700_000_900});
    let token = jwt::encode(&claims, &key).unwrap();
    let run = jose(&["verify", "--key", &jwks, "--now", NOW, &token], b"").ok();
    assert_eq!(run.json(), claims);
}

#[test]
fn verify_rejections_exit_1_with_the_library_error() {
    let (private, public) = generated("ES256");
    let token = sign_with(&private, "ES256");
    let verify = |extra: &[&str], token: &str| {
        let mut args = vec!["verify", "--key", public.as_str()];
        args.extend_from_slice(extra);
        args.push(token);
        jose(&args, b"")
    };
    verify(&["--aud", "api", "--now", "1700000900"], &token).expect(
        1,
        "error: jwt rejected: expired at 1700000900 (now 1700000900)",
    );
    verify(
        &["--aud", "api", "--now", "1700000900", "--leeway", "1"],
        &token,
    )
    .ok();
    verify(&["--aud", "web", "--now", NOW], &token)
        .expect(1, "error: jwt rejected: aud holds no expected audience");
    verify(&["--now", NOW], &token).expect(
        1,
        "error: jwt rejected: aud is present but no audience is expected",
    );
    verify(
        &[
            "--aud",
            "api",
            "--iss",
            "https://evil.example",
            "--now",
            NOW,
        ],
        &token,
    )
    .expect(1, "error: jwt rejected: iss is not an expected issuer");
    verify(&["--aud", "api", "--typ", "at+jwt", "--now", NOW], &token).expect(
        1,
        "error: jwt rejected: header typ is not the expected token type",
    );
    verify(
        &[
            "--aud",
            "api",
            "--iss",
            "https://auth.example",
            "--now",
            NOW,
        ],
        &token,
    )
    .ok();
    verify(&["--aud", "api", "--now", NOW], "not.a.token").expect(1, "error: malformed input");
    verify(&["--aud", "api", "--now", NOW], "abc").expect(
        1,
        "error: malformed input: compact serialization needs exactly three segments",
    );
    let (head, sig) = token.rsplit_once('.').unwrap();
    let other = if sig.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{head}.{other}{}", &sig[1..]);
    verify(&["--aud", "api", "--now", NOW], &tampered).expect(1, "error: invalid signature");
    // Without exp.
    let no_exp = jose(&["sign", "--key", &private, "-"], br#"{"sub":"ada"}"#)
        .ok()
        .text();
    verify(&["--now", NOW], no_exp.trim()).expect(1, "error: jwt rejected: claim `exp` is missing");
    verify(&["--now", NOW, "--no-exp"], no_exp.trim()).ok();
    // A token for another algorithm: no key.
    let (hs, _) = generated("HS256");
    let hs_token = sign_with(&hs, "HS256");
    verify(&["--aud", "api", "--now", NOW], &hs_token).expect(1, "error: no key for this token");
    // alg none is never accepted.
    verify(&["--now", NOW], "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.").expect(
        1,
        "error: unsupported: unsecured JWS (alg none) is never accepted",
    );
}

#[test]
fn verify_with_a_jwks_picks_by_kid_and_reports_unknown_kids() {
    let (private_a, public_a) = generated("ES256");
    let public_a: Value = serde_json::from_slice(&std::fs::read(&public_a).unwrap()).unwrap();
    let (_, public_b) = generated("EdDSA");
    let mut public_b: Value = serde_json::from_slice(&std::fs::read(&public_b).unwrap()).unwrap();
    public_b["kid"] = json!("k2");
    let p521 = json!({"kty":"EC","crv":"P-521","kid":"old","x":"AHKZ","y":"AdYm"});
    let jwks = file(
        "set.jwks",
        json!({"keys": [public_a, public_b, p521]})
            .to_string()
            .as_bytes(),
    );
    let token = sign_with(&private_a, "ES256");
    let run = jose(
        &[
            "verify", "--key", &jwks, "--aud", "api", "--now", NOW, &token,
        ],
        b"",
    )
    .ok();
    assert_eq!(run.json()["sub"], "ada");
    // A kid the set does not have.
    let other = jose(
        &[
            "sign", "--key", &private_a, "--kid", "k9", "--exp-in", "60", "-",
        ],
        b"{}",
    )
    .ok()
    .text();
    let run = jose(&["verify", "--key", &jwks, other.trim()], b"")
        .expect(1, "error: no key for this token: unknown kid");
    assert!(
        run.stderr
            .contains("note: key 2 in the file (kid \"old\") was left out"),
        "{}",
        run.stderr
    );
    // Allowed algorithms narrow the set: ES256 is not allowed.
    jose(
        &[
            "verify", "--key", &jwks, "--alg", "EdDSA", "--aud", "api", "--now", NOW, &token,
        ],
        b"",
    )
    .expect(1, "error: no key for this token");
    // A set whose keys name no algorithm needs --alg.
    let bare = file("bare.jwks", br#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#);
    jose(&["verify", "--key", &bare, &token], b"").expect(
        2,
        "--alg is needed: the keys of the set do not name their algorithms",
    );
    jose(&["verify", "--key", &bare, "--alg", "RS256", &token], b"")
        .expect(2, "key file: no key of the set verifies RS256");
}

#[test]
fn bad_key_files_exit_2() {
    let token = "eyJhbGciOiJFUzI1NiJ9.e30.AAAA";
    let verify = |key: &str, alg: Option<&str>| {
        let mut args = vec!["verify", "--key", key];
        if let Some(alg) = alg {
            args.extend(["--alg", alg]);
        }
        args.push(token);
        jose(&args, b"")
    };
    verify("/nonexistent/key.pem", Some("ES256"))
        .expect(2, "error: cannot read /nonexistent/key.pem");
    verify(&file("junk", b"hello"), Some("ES256")).expect(2, "not a JWK, a JWK Set or a PEM key");
    verify(
        &file("bad.jwk", br#"{"kty":"EC","crv":"P-256","x":1}"#),
        Some("ES256"),
    )
    .expect(2, "key file");
    verify(
        &file("dup.jwk", br#"{"kty":"oct","k":"AA","k":"AA"}"#),
        Some("HS256"),
    )
    .expect(2, "duplicate");
    // The password-protected PEMs: the tool never asks for a password; it says what to do.
    verify(&fixture("p256.encrypted-pkcs8.pem"), Some("ES256")).expect(
        2,
        "error: key file: key rejected: private key is encrypted; decrypt it first",
    );
    verify(&fixture("p256.sec1-legacy-encrypted.pem"), Some("ES256"))
        .expect(2, "private key is encrypted");
    verify(&fixture("p256.spki.pem"), None).expect(2, "--alg is needed: a PEM key");
    verify(&fixture("p256.spki.pem"), Some("RS256")).expect(2, "key rejected");
    verify(&fixture("rsa2044.spki.pem"), Some("RS256")).expect(2, "2044");
    verify(&fixture("p521.spki.pem"), Some("ES256")).expect(2, "key file");
    verify(
        &file(
            "cert.pem",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ),
        Some("ES256"),
    )
    .expect(
        2,
        "a PEM CERTIFICATE is not a key (extract its public key with `openssl x509",
    );
    let jwk = file(
        "noalg.jwk",
        br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
    );
    verify(&jwk, None).expect(2, "--alg is needed: the key does not name its algorithm");
    verify(&jwk, Some("ES256")).expect(2, "key file: a OKP Ed25519 key does not fit ES256");
}

#[test]
fn verify_prints_the_claims_in_the_token_s_order() {
    let (private, public) = generated("EdDSA");
    let token = sign_with(&private, "EdDSA");
    let text = jose(
        &[
            "verify", "--key", &public, "--aud", "api", "--now", NOW, &token,
        ],
        b"",
    )
    .ok()
    .text();
    assert_eq!(
        text,
        "{\n  \"iss\": \"https://auth.example\",\n  \"sub\": \"ada\",\n  \"aud\": \"api\",\n  \
         \"exp\": 1700000900,\n  \"admin\": true\n}\n"
    );
}
