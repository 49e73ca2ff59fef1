//! Regression tests for what the fuzz targets (`fuzz/`) found: each reproducer is a file under
//! `tests/regression/`, fed through the public API, with the exact error it must give.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::jwk::Jwk;
use jose_ring::{Error, HmacKey, JsonProblem, Malformed, jwa, jws};

/// The HMAC secret of the fuzz targets (`fuzz/src/keys.rs`), which signed the reproducers.
const FUZZ_SECRET: &[u8] = b"jose-ring fuzzing secret: 32+ bytes long";

fn reproducer(name: &str) -> String {
    let path = format!("{}/tests/regression/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap().trim_end().to_owned()
}

fn key() -> HmacKey {
    HmacKey::new(&jwa::HS256, FUZZ_SECRET).unwrap()
}

/// `round_trip` target: a header `kid` of 257 bytes (the file is the token `jws::sign` made,
/// before the fix, for `Header::new().with_kid("k".repeat(257))` and `{}` with the fuzz key).
/// The verifier refuses it (the `kid` limit is 256 bytes) before any key is chosen, with the
/// error that names the limit.
#[test]
fn long_kid_is_refused_by_the_verifier() {
    let token = reproducer("long_kid.jws");
    let too_large = Error::TooLarge {
        what: "kid",
        limit: 256,
    };
    assert_eq!(
        jws::Unverified::parse(&token).err(),
        Some(too_large.clone())
    );
    assert_eq!(jws::verify(&token, &key()).err(), Some(too_large));
}

/// `round_trip` target, the other half: `jws::sign` took a 257-byte `kid` and made the token
/// above, which no verifier of this crate accepts. Fixed (`limits::check_kid` on signing):
/// signing now refuses it with the verifier's error.
#[test]
fn long_kid_is_refused_by_the_signer() {
    let header = jws::Header::new().with_kid("k".repeat(257));
    assert_eq!(
        jws::sign(b"{}", &header, &key()).err(),
        Some(Error::TooLarge {
            what: "kid",
            limit: 256,
        })
    );
}

/// `n` (at least 1) arrays nested in one another: `[[...]]`.
fn nested(n: usize) -> serde_json::Value {
    (1..n).fold(serde_json::json!([]), |inner, _| serde_json::json!([inner]))
}

/// `round_trip` target: a header member of 128 nested arrays (129 levels with the header
/// object; the file is what `jws::sign` made, before the fix, for
/// `Header::new().with_member("x", ..)` and `{}` with the fuzz key). The verifier refuses it at
/// the JSON nesting limit.
#[test]
fn deep_header_member_is_refused_by_the_verifier() {
    let token = reproducer("deep_header_member.jws");
    let too_deep = Error::Malformed(Malformed::Json {
        part: "header",
        problem: JsonProblem::TooDeep,
    });
    assert_eq!(jws::Unverified::parse(&token).err(), Some(too_deep.clone()));
    assert_eq!(jws::verify(&token, &key()).err(), Some(too_deep));
    // 127 levels (126 arrays in the header object) are within the limit; 128 are not.
    let header = jws::Header::new().with_member("x", &nested(126)).unwrap();
    let shallower = jws::sign(b"{}", &header, &key()).unwrap();
    assert!(jws::verify(&shallower, &key()).is_ok());
}

/// `round_trip` target, the other half: `jws::sign` signed the too-deep header above, which
/// no verifier of this crate accepts. Fixed: `Header::with_member` refuses a value nested as
/// deep as the parser's limit, with the verifier's error.
#[test]
fn deep_header_member_is_refused_by_the_signer() {
    assert_eq!(
        jws::Header::new().with_member("x", &nested(127)).err(),
        Some(Error::Malformed(Malformed::Json {
            part: "header",
            problem: JsonProblem::TooDeep,
        }))
    );
}

/// `jwk` target (minimized): a JWK whose member the crate does not interpret (`ext`) holds a
/// number with a fraction. It parses and keeps its thumbprint through `to_private_json` and
/// `to_json`.
#[test]
fn jwk_float_member_keeps_its_thumbprint() {
    let json = reproducer("jwk_float_member.json");
    let jwk = Jwk::from_json(json.as_bytes()).unwrap();
    let again = Jwk::from_json(jwk.to_private_json().expose()).unwrap();
    assert_eq!(again.thumbprint(), jwk.thumbprint());
    let public = Jwk::from_json(jwk.to_json().unwrap().as_bytes()).unwrap();
    assert_eq!(public.thumbprint(), jwk.thumbprint());
}

/// `jwk` target, the other half: the number came back one ulp off. `to_private_json` writes
/// `4.4444444444444444e+23` (the shortest text of the parsed `f64`), and serde_json without its
/// `float_roundtrip` feature read that text back as a neighbouring `f64`, so the re-parsed JWK
/// was not equal to the original. Fixed by enabling `float_roundtrip` (exact float parsing).
#[test]
fn jwk_float_member_round_trips() {
    let json = reproducer("jwk_float_member.json");
    let jwk = Jwk::from_json(json.as_bytes()).unwrap();
    let again = Jwk::from_json(jwk.to_private_json().expose()).unwrap();
    assert!(again == jwk);
}

/// `base64url` target (CI smoke run): a signature segment longer than any signature
/// (1,027 bytes once decoded, over the 1,024-byte stack buffer) whose last character has
/// spare bits set. The stack decoder stopped at the end of its buffer and answered
/// `InvalidSignature`; base64ct refuses the encoding, and so must we, whatever the length.
#[test]
fn long_non_canonical_signature_is_a_base64_error() {
    let token = jws::sign(b"{}", &jws::Header::new(), &key()).unwrap();
    let (input, _) = token.rsplit_once('.').unwrap();
    let too_long = format!("{input}.{}B", "A".repeat(1369));
    assert_eq!(
        jws::verify(&too_long, &key()).err(),
        Some(Error::Malformed(Malformed::Base64("signature")))
    );
    // Canonical but longer than any signature: it cannot verify.
    let canonical = format!("{input}.{}A", "A".repeat(1369));
    assert_eq!(
        jws::verify(&canonical, &key()).err(),
        Some(Error::InvalidSignature)
    );
}
