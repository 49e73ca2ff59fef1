//! Runs the built `jose decode`: what it shows of a compact token or a JWS JSON
//! serialization, unverified, and the malformed input it rejects (exit 1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use serde_json::json;

use common::{generated, jose, sign_with};

#[test]
fn decode_shows_header_payload_and_dates_unverified() {
    let (private, _) = generated("ES256");
    let token = sign_with(&private, "ES256");
    for run in [
        jose(&["decode", &token], b""),
        jose(&["decode", "-"], format!("{token}\n").as_bytes()),
    ] {
        let text = run.ok().text();
        assert!(text.starts_with("UNVERIFIED: "), "{text}");
        assert!(
            text.contains(
                "header:\n{\n  \"alg\": \"ES256\",\n  \"typ\": \"JWT\",\n  \"kid\": \"k1\"\n}\n"
            ),
            "{text}"
        );
        // Members in the token's order, not sorted.
        assert!(
            text.contains("payload:\n{\n  \"iss\": \"https://auth.example\",\n  \"sub\": \"ada\","),
            "{text}"
        );
        assert!(text.contains("signature: 64 bytes"), "{text}");
        assert!(
            text.contains("  exp        1700000900   2023-11-14T22:28:20Z  ("),
            "{text}"
        );
    }
    // A payload that is not JSON, and a detached one.
    let (hs, _) = generated("HS256");
    let jws = jose(&["jws", "sign", "--key", &hs, "-"], b"hello\n")
        .ok()
        .text();
    assert!(
        jose(&["decode", jws.trim()], b"")
            .ok()
            .text()
            .contains("(text, 6 bytes)\nhello\n")
    );
    let jws = jose(&["jws", "sign", "--key", &hs, "-"], b"\xff\x00")
        .ok()
        .text();
    assert!(
        jose(&["decode", jws.trim()], b"")
            .ok()
            .text()
            .contains("(binary, 2 bytes, as base64url)\n_wA\n")
    );
    let jws = jose(&["jws", "sign", "--key", &hs, "--detached", "-"], b"x")
        .ok()
        .text();
    assert!(
        jose(&["decode", jws.trim()], b"")
            .ok()
            .text()
            .contains("(detached: not in the token)")
    );
}

#[test]
fn decode_reads_the_json_serializations() {
    // RFC 7515 A.6.4 (general) and A.7 (flattened), shortened to one signature.
    let protected = "eyJhbGciOiJFUzI1NiJ9";
    let payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    let general = json!({"payload": payload, "signatures": [
        {"protected": protected, "header": {"kid": "e9bc097a-ce51-4036-9562-d2ade882db0d"}, "signature": "AAAA"}]});
    let text = jose(&["decode", "-"], general.to_string().as_bytes())
        .ok()
        .text();
    assert!(text.contains("serialization: JSON (general)"), "{text}");
    assert!(
        text.contains("protected header (signature 1 of 1):\n{\n  \"alg\": \"ES256\"\n}"),
        "{text}"
    );
    assert!(
        text.contains("\"kid\": \"e9bc097a-ce51-4036-9562-d2ade882db0d\""),
        "{text}"
    );
    assert!(
        text.contains("exp        1300819380   2011-03-22T18:43:00Z"),
        "{text}"
    );
    let flattened = json!({"payload": payload, "protected": protected, "signature": "AAAA"});
    let text = jose(&["decode", "-"], flattened.to_string().as_bytes())
        .ok()
        .text();
    assert!(text.contains("serialization: JSON (flattened)"), "{text}");
    jose(&["decode", "-"], br#"{"payload":"e30"}"#)
        .expect(1, "error: malformed input: not a JWS JSON serialization");
}

#[test]
fn decode_rejects_malformed_tokens_with_1() {
    jose(&["decode", "abc"], b"").expect(
        1,
        "error: malformed input: compact serialization needs exactly three segments",
    );
    jose(&["decode", "e30.e30.!"], b"").expect(1, "error: malformed input");
    // A header with a repeated name: {"alg":"HS256","alg":"none"}
    jose(
        &["decode", "eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.e30.AA"],
        b"",
    )
    .expect(1, "error: malformed input: header");
    jose(&["decode", "-"], b"").expect(1, "error: malformed input");
}

#[test]
fn decode_is_as_strict_as_the_library_about_base64url() {
    // The tool once decoded segments leniently, ignoring the trailing bits of the last
    // character; now the library decodes them, and a non-canonical segment is rejected.
    // "e31" would be {} with a stray bit; "c2l" is "si" with one.
    let header = "eyJhbGciOiJIUzI1NiJ9";
    jose(&["decode", &format!("{header}.e31.c2ln")], b"").expect(
        1,
        "error: malformed input: payload is not canonical unpadded base64url",
    );
    jose(&["decode", &format!("{header}.e30.c2l")], b"").expect(
        1,
        "error: malformed input: signature is not canonical unpadded base64url",
    );
    let text = jose(&["decode", &format!("{header}.e30.c2k")], b"")
        .ok()
        .text();
    assert!(
        text.contains("payload:\n{}\nsignature: 2 bytes\n"),
        "{text}"
    );
    let flattened = format!(r#"{{"payload":"e30","protected":"{header}","signature":"c2l"}}"#);
    jose(&["decode", "-"], flattened.as_bytes()).expect(1, "error: malformed input");
    let flattened = format!(r#"{{"payload":"e31","protected":"{header}","signature":"c2k"}}"#);
    jose(&["decode", "-"], flattened.as_bytes()).expect(1, "error: malformed input");
}
