//! Shared helpers for the integration tests: vector files and tampering.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test helpers, not all used by every test crate; a panic is a failed test"
)]

use jose_ring::jwk::Jwk;
use serde_json::Value;

/// A vector file of `test-vectors/rfc/`, parsed.
pub(crate) fn vectors(name: &str) -> Value {
    let text = match name {
        "rfc7515" => include_str!("../../test-vectors/rfc/rfc7515_appendix_a.json"),
        "rfc7517" => include_str!("../../test-vectors/rfc/rfc7517_examples.json"),
        "rfc7638" => include_str!("../../test-vectors/rfc/rfc7638_thumbprint.json"),
        "derived" => include_str!("../../test-vectors/rfc/derived_thumbprints.json"),
        "rfc7519" => include_str!("../../test-vectors/rfc/rfc7519_examples.json"),
        "rfc7520" => include_str!("../../test-vectors/rfc/rfc7520_jws_examples.json"),
        "rfc7520_keys" => include_str!("../../test-vectors/rfc/rfc7520_keys.json"),
        "rfc7797" => include_str!("../../test-vectors/rfc/rfc7797_unencoded_payload.json"),
        "rfc8037" => include_str!("../../test-vectors/rfc/rfc8037_ed25519.json"),
        "rfc9449" => include_str!("../../test-vectors/rfc/rfc9449_examples.json"),
        other => panic!("no vector file {other}"),
    };
    serde_json::from_str(text).unwrap()
}

/// A string member of a vector.
pub(crate) fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector member {name} is not a string"))
}

/// Parses a JWK held in a vector.
pub(crate) fn jwk(v: &Value) -> Jwk {
    parse(v).unwrap()
}

/// Parses `v` as a JWK, keeping the error.
pub(crate) fn parse(v: &Value) -> Result<Jwk, jose_ring::Error> {
    Jwk::from_json(serde_json::to_string(v).unwrap().as_bytes())
}

/// The JSON of `v` with member `name` set to `value` (or removed, for `Value::Null`).
pub(crate) fn with(v: &Value, name: &str, value: Value) -> Value {
    let mut v = v.clone();
    let object = v.as_object_mut().unwrap();
    if value.is_null() {
        object.remove(name);
    } else {
        object.insert(name.into(), value);
    }
    v
}

/// `text` (base64url) with the character in the middle changed.
pub(crate) fn flip(text: &str) -> String {
    let mut text = text.to_string();
    let at = text.len() / 2;
    let new = if text.as_bytes()[at] == b'A' {
        "B"
    } else {
        "A"
    };
    text.replace_range(at..=at, new);
    text
}

/// `token` with one base64url character of segment `index` (0, 1, 2) changed, in the middle of
/// the segment so that the encoding stays canonical. `None` if the segment is empty.
pub(crate) fn tamper(token: &str, index: usize) -> Option<String> {
    let mut segments: Vec<String> = token.split('.').map(String::from).collect();
    let segment = &mut segments[index];
    if segment.len() < 2 {
        return None;
    }
    let at = segment.len() / 2 - 1;
    let old = segment.as_bytes()[at];
    let new = if old == b'A' { 'B' } else { 'A' };
    segment.replace_range(at..=at, &new.to_string());
    Some(segments.join("."))
}

/// Verifies `token` with `keys`, expecting `payload`, then checks that changing one character
/// of the header, the payload or the signature makes verification fail.
pub(crate) fn assert_verifies<K: jose_ring::KeySource + ?Sized>(
    token: &str,
    keys: &K,
    payload: &[u8],
) {
    let verified = jose_ring::jws::verify(token, keys).unwrap();
    assert_eq!(verified.payload(), payload);
    assert_tampered_fail(token, keys);
}

/// Changing one character of any segment of `token` makes verification fail: the payload and
/// signature with exactly [`Error::InvalidSignature`](jose_ring::Error::InvalidSignature).
pub(crate) fn assert_tampered_fail<K: jose_ring::KeySource + ?Sized>(token: &str, keys: &K) {
    if let Some(bad) = tamper(token, 0) {
        assert!(
            jose_ring::jws::verify(&bad, keys).is_err(),
            "tampered header accepted: {bad}"
        );
    }
    for index in [1, 2] {
        if let Some(bad) = tamper(token, index) {
            assert_eq!(
                jose_ring::jws::verify(&bad, keys).map(|_| ()),
                Err(jose_ring::Error::InvalidSignature),
                "segment {index} tampered: {bad}"
            );
        }
    }
}

/// The secret of [`hs256_key`].
pub(crate) const SECRET: &[u8; 32] = b"an HS256 secret of 32 bytes!!!!!";

/// An HS256 key over [`SECRET`].
pub(crate) fn hs256_key() -> jose_ring::HmacKey {
    jose_ring::HmacKey::new(&jose_ring::jwa::HS256, SECRET).unwrap()
}

/// base64url without padding, done independently of the crate.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded base64url, independently of the crate.
pub(crate) fn b64_decode(text: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::decode_vec(text).unwrap()
}

/// A compact token with any header JSON and payload segment, MACed with [`SECRET`] by `ring`
/// directly: for tokens the crate's own signer refuses to make.
pub(crate) fn forge(header_json: &str, payload_segment: &str) -> String {
    let input = format!("{}.{}", b64(header_json.as_bytes()), payload_segment);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET);
    let tag = ring::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}
