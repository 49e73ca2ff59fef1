//! Runs the built `jose jws sign` and `jose jws verify`: any payload, detached, unencoded
//! (RFC 7797), and the JWS JSON serializations with their signature policies.
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

use common::{GENERATED_ALGS, file, generated, jose};

#[test]
fn jws_sign_and_verify_any_payload_exactly() {
    let payload: &[u8] = b"%PDF-1.7\n\x00\xff binary \r\n bytes\n";
    for alg in GENERATED_ALGS {
        let (private, public) = generated(alg);
        let payload_file = file("doc.bin", payload);
        let jws = jose(
            &[
                "jws",
                "sign",
                "--key",
                &private,
                "--alg",
                alg,
                "--cty",
                "pdf",
                &payload_file,
            ],
            b"",
        )
        .ok();
        let jws = jws.text();
        let run = jose(&["jws", "verify", "--key", &public, jws.trim()], b"").ok();
        assert_eq!(run.stdout, payload, "{alg}");
        // Detached.
        let detached = jose(
            &["jws", "sign", "--key", &private, "--detached", "-"],
            payload,
        )
        .ok()
        .text();
        assert!(detached.contains(".."));
        let run = jose(
            &[
                "jws",
                "verify",
                "--key",
                &public,
                "--payload",
                "-",
                detached.trim(),
            ],
            payload,
        )
        .ok();
        assert_eq!(run.stdout, payload, "{alg}");
        jose(
            &[
                "jws",
                "verify",
                "--key",
                &public,
                "--payload",
                "-",
                detached.trim(),
            ],
            b"other",
        )
        .expect(1, "error: invalid signature");
        jose(&["jws", "verify", "--key", &public, detached.trim()], b"")
            .expect(1, "error: invalid signature");
    }
}

#[test]
fn jws_unencoded_payloads() {
    let (private, public) = generated("EdDSA");
    let body = br#"{"amount":"10.00"}"#;
    let jws = jose(
        &[
            "jws",
            "sign",
            "--key",
            &private,
            "--unencoded",
            "--detached",
            "-",
        ],
        body,
    )
    .ok()
    .text();
    let run = jose(
        &[
            "jws",
            "verify",
            "--key",
            &public,
            "--payload",
            "-",
            jws.trim(),
        ],
        body,
    )
    .ok();
    assert_eq!(run.stdout, body);
    // Unencoded and attached: the payload may not hold a `.`.
    jose(
        &["jws", "sign", "--key", &private, "--unencoded", "-"],
        body,
    )
    .expect(2, "cannot sign: malformed input: b64");
    let jws = jose(
        &["jws", "sign", "--key", &private, "--unencoded", "-"],
        b"hello",
    )
    .ok()
    .text();
    assert_eq!(
        jose(&["jws", "verify", "--key", &public, jws.trim()], b"")
            .ok()
            .stdout,
        b"hello"
    );
}

#[test]
fn jws_json_serializations() {
    let payload: &[u8] = b"any bytes \x00\xff";
    let (private, public) = generated("ES256");
    let (private_b, public_b) = generated("EdDSA");
    for (flag, form) in [("--json", "signatures"), ("--flattened", "signature")] {
        let json = jose(&["jws", "sign", "--key", &private, flag, "-"], payload).ok();
        let doc = json.json();
        assert!(doc.get(form).is_some(), "{doc}");
        let run = jose(&["jws", "verify", "--key", &public, "-"], &json.stdout).ok();
        assert_eq!(run.stdout, payload);
        // The library verifies it too, and decode shows it.
        let key = Jwk::from_json(&std::fs::read(&public).unwrap())
            .unwrap()
            .verifying_key(&jwa::ES256)
            .unwrap();
        let verified = jws::verify_json(&json.stdout, &key, jws::Policy::All).unwrap();
        assert_eq!(verified.payload(), payload);
        let text = jose(&["decode", "-"], &json.stdout).ok().text();
        assert!(text.contains("(binary, 12 bytes, as base64url)"), "{text}");
        // Detached and unencoded.
        let body = b"{\"amount\":\"10.00\"}";
        let detached = jose(
            &[
                "jws",
                "sign",
                "--key",
                &private,
                flag,
                "--detached",
                "--unencoded",
                "-",
            ],
            body,
        )
        .ok();
        assert!(detached.json().get("payload").is_none());
        let file = file("body.json", body);
        let run = jose(
            &["jws", "verify", "--key", &public, "--payload", &file, "-"],
            &detached.stdout,
        )
        .ok();
        assert_eq!(run.stdout, body);
        jose(&["jws", "verify", "--key", &public, "-"], &detached.stdout)
            .expect(1, "error: malformed input: member `payload` is missing");
    }
    jose(
        &[
            "jws",
            "sign",
            "--key",
            &private,
            "--json",
            "--flattened",
            "-",
        ],
        b"x",
    )
    .expect(2, "cannot be used with");
    // Two signatures by two keys: with one key, --policy all fails and --policy any passes.
    let a = jose(&["jws", "sign", "--key", &private, "--json", "-"], payload)
        .ok()
        .json();
    let b = jose(
        &["jws", "sign", "--key", &private_b, "--json", "-"],
        payload,
    )
    .ok()
    .json();
    let mut both = a.clone();
    both["signatures"]
        .as_array_mut()
        .unwrap()
        .push(b["signatures"][0].clone());
    let both = both.to_string();
    jose(&["jws", "verify", "--key", &public, "-"], both.as_bytes())
        .expect(1, "error: no key for this token");
    let run = jose(
        &["jws", "verify", "--key", &public, "--policy", "any", "-"],
        both.as_bytes(),
    )
    .expect(
        0,
        "note: signature 1 of 2 not verified: no key for this token",
    );
    assert_eq!(run.stdout, payload);
    let jwks = file(
        "two.jwks",
        format!(
            r#"{{"keys":[{},{}]}}"#,
            std::fs::read_to_string(&public).unwrap(),
            std::fs::read_to_string(&public_b).unwrap()
        )
        .as_bytes(),
    );
    let jwks_with_kids = std::fs::read_to_string(&jwks).unwrap();
    assert!(jwks_with_kids.contains("k1"));
    // Both keys carry kid "k1": the key ring tells them apart by alg.
    let run = jose(&["jws", "verify", "--key", &jwks, "-"], both.as_bytes()).ok();
    assert_eq!(run.stdout, payload);
    jose(
        &["jws", "verify", "--key", &public, "-"],
        br#"{"payload":"eA","signatures":[]}"#,
    )
    .expect(1, "error: malformed input");
}
