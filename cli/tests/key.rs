//! Runs the built `jose key`: generate, public, thumbprint (RFC 7638, RFC 9278) and convert,
//! and the algorithm a key is bound to (RFC 9864: `Ed25519` is not `EdDSA`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use jose_ring::jwk::Jwk;
use jose_ring::{jwa, jws};
use serde_json::Value;

use common::{CLAIMS, GENERATED_ALGS, NOW, RSA_ALGS, file, fixture, generated, jose, sign_with};

#[test]
fn key_generate_refuses_rsa_with_the_reason() {
    for alg in RSA_ALGS {
        jose(&["key", "generate", "--alg", alg], b"").expect(
            2,
            "ring cannot generate RSA keys; make one with `openssl genpkey",
        );
    }
}

#[test]
fn key_generate_writes_private_jwks_that_the_library_reads() {
    for alg in GENERATED_ALGS {
        let run = jose(&["key", "generate", "--alg", alg, "--kid", "gen"], b"").ok();
        let jwk = Jwk::from_json(&run.stdout).unwrap();
        assert!(jwk.is_private());
        assert_eq!((jwk.alg(), jwk.kid()), (Some(alg), Some("gen")));
    }
}

/// RFC 9864: `Ed25519` and `EdDSA` are two algorithms; a key bound to one refuses the other's
/// tokens, and a key that names neither is bound to the one `--alg` asks for.
#[test]
fn ed25519_and_eddsa_are_distinct_everywhere_an_alg_is_named() {
    let vector: Value =
        serde_json::from_str(include_str!("../../test-vectors/rfc/rfc9864_ed25519.json")).unwrap();
    let compact = vector["compact"].as_str().unwrap();
    let no_alg = file("ed25519.jwk", vector["public_jwk"].to_string().as_bytes());
    let run = jose(
        &[
            "jws", "verify", "--key", &no_alg, "--alg", "Ed25519", compact,
        ],
        b"",
    )
    .ok();
    assert_eq!(run.stdout, b"Example of Ed25519 signing");
    jose(
        &["jws", "verify", "--key", &no_alg, "--alg", "EdDSA", compact],
        b"",
    )
    .expect(1, "no key for this alg");
    // A key generated for one name signs tokens only the other name's verifier refuses.
    let (private, public) = generated("Ed25519");
    let token = sign_with(&private, "Ed25519");
    let key = Jwk::from_json(&std::fs::read(&public).unwrap()).unwrap();
    let key = key.verifying_key(&jwa::Ed25519).unwrap();
    assert_eq!(
        jws::verify(&token, &key).unwrap().algorithm(),
        &jwa::Ed25519
    );
    for key in [&public, &private] {
        jose(
            &[
                "verify", "--key", key, "--alg", "EdDSA", "--aud", "api", "--now", NOW, &token,
            ],
            b"",
        )
        .expect(2, "(alg Ed25519) key does not fit EdDSA");
    }
    jose(&["sign", "--key", &private, "--alg", "EdDSA", "-"], CLAIMS)
        .expect(2, "key rejected: key does not fit algorithm EdDSA");
    // A PEM key names no algorithm: --alg chooses, for conversion too.
    let pem = fixture("ed25519.pkcs8.pem");
    for alg in ["Ed25519", "EdDSA"] {
        let run = jose(&["key", "convert", &pem, "--to", "jwk", "--alg", alg], b"").ok();
        assert_eq!(run.json()["alg"], alg);
        let token = sign_with(&pem, alg);
        jose(
            &[
                "verify",
                "--key",
                &fixture("ed25519.spki.pem"),
                "--alg",
                alg,
                "--aud",
                "api",
                "--now",
                NOW,
                &token,
            ],
            b"",
        )
        .ok();
    }
}

#[test]
fn key_public_and_thumbprint() {
    // RFC 7638 §3.1.
    let rfc = file("rfc7638.jwk", br#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#);
    assert_eq!(
        jose(&["key", "thumbprint", &rfc], b"").ok().text(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\n"
    );
    assert_eq!(
        jose(
            &["key", "thumbprint", "--uri", "-"],
            &std::fs::read(&rfc).unwrap()
        )
        .ok()
        .text(),
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\n"
    );
    let sha512 = jose(&["key", "thumbprint", "--hash", "sha512", &rfc], b"")
        .ok()
        .text();
    assert_eq!(sha512.trim().len(), 86);
    // Every PEM form of one key has the thumbprint of its JWK.
    let prints: Vec<String> = [
        "p256.pkcs8.pem",
        "p256.sec1.pem",
        "p256.sec1-params.pem",
        "p256.spki.pem",
        "p256.bag-attributes.pem",
    ]
    .iter()
    .map(|f| jose(&["key", "thumbprint", &fixture(f)], b"").ok().text())
    .collect();
    assert!(prints.iter().all(|p| *p == prints[0]), "{prints:?}");
    let rsa: Vec<String> = [
        "rsa2048.pkcs8.pem",
        "rsa2048.pkcs1.pem",
        "rsa2048.spki.pem",
        "rsa2048.pkcs1-public.pem",
    ]
    .iter()
    .map(|f| jose(&["key", "thumbprint", &fixture(f)], b"").ok().text())
    .collect();
    assert!(rsa.iter().all(|p| *p == rsa[0]), "{rsa:?}");
    // key public drops the private members, and a PEM key's JWK has no alg.
    let public = jose(&["key", "public", &fixture("ed25519.pkcs8.pem")], b"")
        .ok()
        .json();
    assert_eq!(public["kty"], "OKP");
    assert!(
        public.get("d").is_none() && public.get("alg").is_none(),
        "{public}"
    );
    let (hs, _) = generated("HS256");
    jose(&["key", "public", &hs], b"")
        .expect(2, "key rejected: a symmetric key has no public form");
    jose(&["key", "thumbprint", &fixture("p521.spki.pem")], b"")
        .expect(2, "unsupported: curve P-521");
    let set = file("s.jwks", br#"{"keys":[]}"#);
    jose(&["key", "thumbprint", &set], b"").expect(
        2,
        "this is a JWK Set; choose one key with `jose jwks select",
    );
}

#[test]
fn key_convert_between_pem_and_jwk() {
    // SPKI and PKCS#8 come back byte for byte.
    for (pem, _) in [
        ("p256.spki.pem", ""),
        ("p384.spki.pem", ""),
        ("ed25519.spki.pem", ""),
        ("rsa2048.spki.pem", ""),
        ("p256.pkcs8.pem", ""),
        ("p384.pkcs8.pem", ""),
    ] {
        let original = std::fs::read(fixture(pem)).unwrap();
        let jwk = jose(&["key", "convert", &fixture(pem), "--to", "jwk"], b"").ok();
        let back = jose(&["key", "convert", "-", "--to", "pem"], &jwk.stdout).ok();
        assert_eq!(
            String::from_utf8_lossy(&back.stdout),
            String::from_utf8_lossy(&original),
            "{pem}"
        );
    }
    // PKCS#1 and SEC1 in, PKCS#8 out; --alg and --kid are written into the JWK.
    let jwk = jose(
        &[
            "key",
            "convert",
            &fixture("rsa2048.pkcs1.pem"),
            "--to",
            "jwk",
            "--alg",
            "PS256",
            "--kid",
            "r1",
        ],
        b"",
    )
    .ok()
    .json();
    assert_eq!(
        (
            jwk["alg"].as_str(),
            jwk["kid"].as_str(),
            jwk["kty"].as_str()
        ),
        (Some("PS256"), Some("r1"), Some("RSA"))
    );
    assert!(jwk.get("d").is_some() && jwk.get("qi").is_some());
    let pem = jose(
        &["key", "convert", &fixture("p256.sec1.pem"), "--to", "pem"],
        b"",
    )
    .ok()
    .text();
    assert_eq!(
        pem,
        std::fs::read_to_string(fixture("p256.pkcs8.pem")).unwrap()
    );
    let (hs, _) = generated("HS256");
    jose(&["key", "convert", &hs, "--to", "pem"], b"")
        .expect(2, "a symmetric (oct) key has no PEM form");
    jose(
        &[
            "key",
            "convert",
            &fixture("p256.spki.pem"),
            "--to",
            "jwk",
            "--alg",
            "EdDSA",
        ],
        b"",
    )
    .expect(2, "key rejected");
    jose(
        &[
            "key",
            "convert",
            &fixture("p256.encrypted-pkcs8.pem"),
            "--to",
            "jwk",
        ],
        b"",
    )
    .expect(2, "private key is encrypted");
}
