//! Runs the built `jose jwks select`: the key a `kid` picks, or why none does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use common::{file, jose};

#[test]
fn jwks_select_finds_the_key_or_says_why_not() {
    let jwks = file("select.jwks", br#"{"keys":[
        {"kty":"OKP","crv":"Ed25519","kid":"a","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty":"EC","crv":"P-521","kid":"b","x":"AHKZ","y":"AdYm"},
        {"kty":"oct","kid":"c","k":"c2VjcmV0"},
        {"kty":"OKP","crv":"Ed25519","kid":"d","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty":"EC","crv":"P-256","kid":"d","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}
    ]}"#);
    let run = jose(&["jwks", "select", &jwks, "--kid", "a"], b"").expect(
        0,
        "kid \"a\": key 0 of the set, OKP Ed25519 (alg EdDSA), verifies EdDSA",
    );
    assert_eq!(
        run.json()["x"],
        "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    );
    jose(&["jwks", "select", &jwks, "--kid", "zz"], b"").expect(
        1,
        "error: no key has kid \"zz\" (the set's kids: \"a\", \"c\", \"d\", \"d\")",
    );
    jose(&["jwks", "select", &jwks, "--kid", "b"], b"")
        .expect(1, "key 1 in the file (kid \"b\") was left out: ");
    // A secret beside public keys never joins their ring.
    jose(&["jwks", "select", &jwks, "--kid", "c"], b"").expect(
        1,
        "left out: key rejected: a symmetric key has no public form",
    );
    jose(&["jwks", "select", &jwks, "--kid", "d"], b"").expect(
        1,
        "kid \"d\" names 2 keys, for ES256, EdDSA, Ed25519: which one",
    );
    let run = jose(
        &["jwks", "select", &jwks, "--kid", "d", "--alg", "ES256"],
        b"",
    )
    .ok();
    assert_eq!(run.json()["crv"], "P-256");
    jose(
        &["jwks", "select", &jwks, "--kid", "a", "--alg", "ES256"],
        b"",
    )
    .expect(
        1,
        "key 0, a OKP Ed25519 (alg EdDSA) key, fits none of ES256",
    );
    jose(&["jwks", "select", "-", "--kid", "a"], b"{\"kids\":[]}")
        .expect(2, "JWK Set file: malformed input: member `keys` is missing");
}
