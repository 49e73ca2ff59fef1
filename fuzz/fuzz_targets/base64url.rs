//! The token-segment base64url codec against `base64ct`, through the public API.
//!
//! Decoding: the input (if UTF-8) becomes the payload segment of an HS256 JWS whose signature
//! is computed here with `ring` over that exact segment, so verification always reaches the
//! payload decoder. `jws::verify` must return exactly `base64ct`'s decoding when `base64ct`
//! accepts the segment, and otherwise fail with `Malformed::Base64("payload")` (or
//! `Malformed::Character` / `Malformed::Segments` for bytes outside the token alphabet).
//! The same segment as a header or signature segment is accepted or refused exactly as
//! `base64ct` does too.
//!
//! Encoding: `jws::sign` of the input bytes puts exactly `base64ct`'s encoding in the payload
//! segment, and `verify_detached` with the same bytes verifies the detached form.
#![no_main]

use jose_ring::{Error, Malformed, jws};
use jose_ring_fuzz::{b64d, b64e, hs256_tag, keys, segments};
use libfuzzer_sys::fuzz_target;

const HEADER: &str = "eyJhbGciOiJIUzI1NiJ9"; // {"alg":"HS256"}

fuzz_target!(|data: &[u8]| {
    let keys = keys();

    // Encoding.
    let token = jws::sign(data, &jws::Header::new(), &keys.hmac).expect("signs");
    let (_, p, _) = segments(&token).expect("three segments");
    assert_eq!(p, b64e(data), "payload encoding differs from base64ct");
    let detached = jws::sign_detached(data, &jws::Header::new(), &keys.hmac).expect("signs");
    let verified = jws::verify_detached(&detached, data, &keys.hmac).expect("detached verifies");
    assert_eq!(verified.payload(), data);

    // Decoding.
    let Ok(segment) = std::str::from_utf8(data) else {
        return;
    };
    let reference = b64d(segment);
    let input = format!("{HEADER}.{segment}");
    let token = format!("{input}.{}", b64e(&hs256_tag(input.as_bytes())));
    let result = jws::verify(&token, &keys.hmac);
    match (&reference, &result) {
        (Some(bytes), Ok(verified)) => assert_eq!(verified.payload(), bytes.as_slice()),
        (Some(_), Err(error)) => panic!("base64ct accepts, jose-ring refuses: {error:?}"),
        (None, Ok(_)) => panic!("base64ct refuses, jose-ring accepts"),
        (None, Err(error)) => {
            let in_alphabet = segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let expected = if segment.contains('.') {
                Error::Malformed(Malformed::Segments)
            } else if !in_alphabet {
                Error::Malformed(Malformed::Character)
            } else {
                Error::Malformed(Malformed::Base64("payload"))
            };
            assert_eq!(*error, expected);
        }
    }

    // The same segment as a signature: a valid HS256 tag only if it decodes to one, else the
    // error says which rule (the base64 check comes before the MAC).
    if !segment.contains('.') {
        let as_signature = format!("{HEADER}.e30.{segment}");
        let result = jws::verify(&as_signature, &keys.hmac);
        let in_alphabet = segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        match (&reference, result) {
            (_, Ok(_)) => assert_eq!(reference, Some(hs256_tag(b"eyJhbGciOiJIUzI1NiJ9.e30"))),
            (Some(_), Err(error)) => assert_eq!(error, Error::InvalidSignature),
            (None, Err(error)) if in_alphabet => {
                assert_eq!(error, Error::Malformed(Malformed::Base64("signature")))
            }
            (None, Err(error)) => assert_eq!(error, Error::Malformed(Malformed::Character)),
        }
    }
});
