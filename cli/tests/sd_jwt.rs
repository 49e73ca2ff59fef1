//! `jose sd-jwt issue|present|verify`: what they print, and the exit code of each check (0
//! accepted, 1 rejected with the reason on stderr, 2 unusable input), stdout empty on failure;
//! and RFC 9901's own presentations verified by the CLI.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failed test"
)]

mod common;

use common::{file, jose};
use serde_json::{Value, json};

const NOW: &str = "1800000000";

/// A private JWK made by `jose key generate`, and its public half.
fn key_pair(alg: &str, kid: &str) -> (String, String) {
    let private = jose(&["key", "generate", "--alg", alg, "--kid", kid], b"").ok();
    let private = file("private.jwk", &private.stdout);
    let public = jose(&["key", "public", &private], b"").ok();
    (private, file("public.jwk", &public.stdout))
}

fn claims() -> String {
    let claims = json!({
        "iss": "https://issuer.example", "given_name": "John",
        "address": {"street_address": "123 Main St", "country": "US"},
        "nationalities": ["US", "DE"],
    });
    file("claims.json", claims.to_string().as_bytes())
}

/// An SD-JWT issued by the CLI, as a file, with its issuer's public key.
fn issued(holder_public: &str, extra: &[&str]) -> (String, String) {
    let (issuer, issuer_public) = key_pair("ES256", "issuer-1");
    let claims = claims();
    let mut args = vec![
        "sd-jwt",
        "issue",
        "--key",
        &issuer,
        "--sd",
        "/given_name",
        "--sd",
        "/address",
        "--sd",
        "/address/street_address",
        "--sd",
        "/nationalities/1",
        "--holder-key",
        holder_public,
        "--iat",
        "1700000000",
        "--exp",
        "1900000000",
    ];
    args.extend_from_slice(extra);
    args.push(&claims);
    let run = jose(&args, b"").ok();
    (file("sd.txt", &run.stdout), issuer_public)
}

#[test]
fn issue_present_verify_with_and_without_key_binding() {
    let (holder, holder_public) = key_pair("Ed25519", "h");
    let (sd, issuer_public) = issued(
        &holder_public,
        &["--header", r#"{"typ":"example+sd-jwt","x":[1]}"#],
    );
    let text = std::fs::read_to_string(&sd).unwrap();
    assert_eq!(text.trim_end().matches('~').count(), 5, "{text}");
    // The header: alg from the key, its kid, the --header members.
    let jwt = jose_ring::jws::Unverified::parse(text.trim().split('~').next().unwrap()).unwrap();
    assert_eq!(
        (jwt.alg(), jwt.header().typ(), jwt.header().kid()),
        ("ES256", Some("example+sd-jwt"), Some("issuer-1"))
    );
    assert_eq!(jwt.header().member::<Value>("x"), Some(Ok(json!([1]))));

    // Without key binding: the street needs the address; nothing else is disclosed.
    let presented = jose(
        &[
            "sd-jwt",
            "present",
            "--disclose",
            "/address/street_address",
            &sd,
        ],
        b"",
    )
    .ok();
    let presented = file("p.txt", &presented.stdout);
    let verified = jose(
        &[
            "sd-jwt",
            "verify",
            "--key",
            &issuer_public,
            "--now",
            NOW,
            &presented,
        ],
        b"",
    )
    .ok()
    .json();
    assert_eq!(
        verified["address"],
        json!({"street_address": "123 Main St", "country": "US"})
    );
    assert_eq!(verified["nationalities"], json!(["US"]));
    assert!(verified.get("given_name").is_none() && verified.get("_sd").is_none());
    assert_eq!(
        (verified["iat"].clone(), verified["exp"].clone()),
        (json!(1_700_000_000), json!(1_900_000_000))
    );
    jose(
        &[
            "sd-jwt",
            "verify",
            "--key",
            &issuer_public,
            "--kb",
            "--aud",
            "v",
            "--nonce",
            "n",
            "--now",
            NOW,
            &presented,
        ],
        b"",
    )
    .fails(
        1,
        "key binding is required and the presentation has no KB-JWT",
    );

    // With key binding, from stdin.
    let bound = jose(
        &[
            "sd-jwt",
            "present",
            "--all",
            "--kb-key",
            &holder,
            "--aud",
            "https://v.example",
            "--nonce",
            "n-1",
            "--iat",
            NOW,
            "-",
        ],
        std::fs::read(&sd).unwrap().as_slice(),
    )
    .ok();
    let bound = file("kb.txt", &bound.stdout);
    let verify = |aud: &str, nonce: &str, now: &str| {
        jose(
            &[
                "sd-jwt",
                "verify",
                "--key",
                &issuer_public,
                "--kb",
                "--aud",
                aud,
                "--nonce",
                nonce,
                "--now",
                now,
                &bound,
            ],
            b"",
        )
    };
    let all = verify("https://v.example", "n-1", NOW).ok().json();
    assert_eq!(all["given_name"], "John");
    assert_eq!(all["nationalities"], json!(["US", "DE"]));
    verify("https://v.example", "n-2", NOW).fails(1, "KB-JWT nonce is not this transaction's");
    verify("https://other.example", "n-1", NOW).fails(1, "KB-JWT aud is not this verifier");
    verify("https://v.example", "n-1", "1800000301").fails(1, "older than the window allows");
    // A verifier that did not ask for key binding refuses an SD-JWT+KB (RFC 9901 §7.3).
    jose(
        &[
            "sd-jwt",
            "verify",
            "--key",
            &issuer_public,
            "--now",
            NOW,
            &bound,
        ],
        b"",
    )
    .fails(
        1,
        "a KB-JWT came where an SD-JWT without key binding is expected",
    );
    // A disclosure sent twice, a disclosure dropped, the issuer's key of another issuer.
    let text = std::fs::read_to_string(&bound).unwrap();
    let parts: Vec<&str> = text.trim().split('~').collect();
    let mut twice = parts.clone();
    twice.insert(1, parts[1]);
    let twice = file("twice.txt", twice.join("~").as_bytes());
    jose(
        &[
            "sd-jwt",
            "verify",
            "--key",
            &issuer_public,
            "--kb",
            "--aud",
            "https://v.example",
            "--nonce",
            "n-1",
            "--now",
            NOW,
            &twice,
        ],
        b"",
    )
    .fails(1, "a disclosure is sent more than once");
    let mut fewer = parts.clone();
    fewer.remove(fewer.len() - 2);
    let fewer = file("fewer.txt", fewer.join("~").as_bytes());
    jose(
        &[
            "sd-jwt",
            "verify",
            "--key",
            &issuer_public,
            "--kb",
            "--aud",
            "https://v.example",
            "--nonce",
            "n-1",
            "--now",
            NOW,
            &fewer,
        ],
        b"",
    )
    .fails(1, "KB-JWT sd_hash is not the digest of the SD-JWT");
    let (_, stranger) = key_pair("ES256", "issuer-1");
    jose(
        &[
            "sd-jwt", "verify", "--key", &stranger, "--now", NOW, &presented,
        ],
        b"",
    )
    .fails(1, "invalid signature");
    // exp at --now.
    jose(
        &[
            "sd-jwt",
            "verify",
            "--key",
            &issuer_public,
            "--now",
            "1900000000",
            &presented,
        ],
        b"",
    )
    .fails(1, "expired");
}

#[test]
fn json_serializations() {
    let (holder, holder_public) = key_pair("ES256", "h");
    let (second, second_public) = key_pair("Ed25519", "issuer-2");
    let (issuer, issuer_public) = key_pair("ES256", "issuer-1");
    let claims = claims();
    let general = jose(
        &[
            "sd-jwt",
            "issue",
            "--key",
            &issuer,
            "--key",
            &second,
            "--json",
            "general",
            "--sd",
            "/given_name",
            "--holder-key",
            &holder_public,
            &claims,
        ],
        b"",
    )
    .ok();
    let document: Value = general.json();
    assert_eq!(document["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(
        document["signatures"][0]["header"]["disclosures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let general = file("general.json", &general.stdout);
    let bound = jose(
        &[
            "sd-jwt",
            "present",
            "--disclose",
            "/given_name",
            "--kb-key",
            &holder,
            "--aud",
            "a",
            "--nonce",
            "n",
            "--iat",
            NOW,
            &general,
        ],
        b"",
    )
    .ok();
    let presented: Value = bound.json();
    assert!(presented["signatures"][0]["header"]["kb_jwt"].is_string());
    let bound = file("bound.json", &bound.stdout);
    for key in [&issuer_public, &second_public] {
        let verified = jose(
            &[
                "sd-jwt", "verify", "--key", key, "--kb", "--aud", "a", "--nonce", "n", "--now",
                NOW, &bound,
            ],
            b"",
        )
        .ok()
        .json();
        assert_eq!(verified["given_name"], "John");
    }
    let flattened = jose(
        &[
            "sd-jwt",
            "issue",
            "--key",
            &issuer,
            "--json",
            "flattened",
            "--sd",
            "/given_name",
            &claims,
        ],
        b"",
    )
    .ok();
    assert!(flattened.json()["header"]["disclosures"].is_array());
    jose(
        &[
            "sd-jwt",
            "issue",
            "--key",
            &issuer,
            "--key",
            &second,
            "--sd",
            "/given_name",
            &claims,
        ],
        b"",
    )
    .fails(2, "several --key need --json general");
}

#[test]
fn unusable_input_is_exit_2() {
    let (issuer, issuer_public) = key_pair("ES256", "i");
    let (_, holder_public) = key_pair("ES256", "h");
    let claims = claims();
    let hmac = jose(&["key", "generate", "--alg", "HS256"], b"").ok();
    let hmac = file("hmac.jwk", &hmac.stdout);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["issue", "--key", &issuer, "--sd", "/nothing", &claims],
            "names nothing in the claims",
        ),
        (
            vec!["issue", "--key", &issuer, "--sd", "address", &claims],
            "JSON pointer is malformed",
        ),
        (
            vec![
                "issue",
                "--key",
                &issuer,
                "--header",
                r#"{"kid":7}"#,
                &claims,
            ],
            "--header: kid is not a string",
        ),
        (
            vec![
                "issue",
                "--key",
                &issuer,
                "--header",
                r#"{"alg":"none"}"#,
                &claims,
            ],
            "--header: alg comes from the key",
        ),
        (
            vec!["issue", "--key", &issuer, "--header", "[1]", &claims],
            "--header: not a JSON object",
        ),
        (
            vec!["issue", "--key", &issuer_public, &claims],
            "a public key cannot sign",
        ),
        (
            vec!["issue", "--key", &hmac, &claims],
            "never a shared secret",
        ),
        (
            vec!["issue", "--key", "/nonexistent.jwk", &claims],
            "cannot read /nonexistent.jwk",
        ),
        (
            vec!["issue", "--key", &issuer, "--holder-key", &claims, &claims],
            "--holder-key",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["sd-jwt"];
        all.extend(args);
        jose(&all, b"").fails(2, message);
    }
    let not_json = file("claims.txt", b"[1, 2]");
    jose(&["sd-jwt", "issue", "--key", &issuer, &not_json], b"")
        .fails(2, "claims: not a JSON object");
    let (sd, _) = issued(&holder_public, &[]);
    jose(&["sd-jwt", "present", "--disclose", "/nothing", &sd], b"").fails(2, "--disclose");
    jose(&["sd-jwt", "present", "-"], b"garbage").fails(2, "SD-JWT:");
    jose(
        &["sd-jwt", "verify", "--key", &issuer_public, "-"],
        b"garbage",
    )
    .fails(2, "presentation:");
    jose(&["sd-jwt", "verify", "--key", &claims, &sd], b"").fails(2, "--key");
    jose(
        &["sd-jwt", "verify", "--key", &issuer_public, "/nonexistent"],
        b"",
    )
    .fails(2, "cannot read");
    // --kb needs --aud and --nonce; --aud needs --kb.
    jose(
        &["sd-jwt", "verify", "--key", &issuer_public, "--kb", &sd],
        b"",
    )
    .fails(2, "--aud");
    jose(&["sd-jwt", "present", "--aud", "a", &sd], b"").fails(2, "--kb-key");
}

/// RFC 9901 §5.2 and Appendix A.3's SD-JWT+KBs, verified by the CLI with the RFC's key.
#[test]
fn rfc9901_presentations() {
    let vectors: Value = serde_json::from_str(include_str!(
        "../../test-vectors/rfc/rfc9901_appendix_a.json"
    ))
    .unwrap();
    let key = file(
        "issuer.jwk",
        vectors["issuer_jwk"]["value"].to_string().as_bytes(),
    );
    let five: Value = serde_json::from_str(include_str!(
        "../../test-vectors/rfc/rfc9901_5_example.json"
    ))
    .unwrap();
    let presentations = [
        (
            five["presentation"]["sd_jwt_kb"].as_str().unwrap(),
            &five["presentation"]["processed_payload"],
        ),
        (
            vectors["examples"][2]["presentation"].as_str().unwrap(),
            &vectors["examples"][2]["processed_payload"],
        ),
    ];
    for (presentation, processed) in presentations {
        let input = file("rfc.txt", presentation.as_bytes());
        let verified = jose(
            &[
                "sd-jwt",
                "verify",
                "--key",
                &key,
                "--kb",
                "--aud",
                "https://verifier.example.org",
                "--nonce",
                "1234567890",
                "--now",
                "1748537250",
                &input,
            ],
            b"",
        )
        .ok()
        .json();
        assert_eq!(&verified, processed);
    }
}
