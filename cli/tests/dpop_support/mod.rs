//! What the `jose dpop` tests share beyond `common`: proof segments.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers, not all used by every test crate; a panic is a failed test"
)]

use serde_json::Value;

/// The header and the claims of a compact proof, decoded without any check.
pub fn parts(proof: &str) -> (Value, Value) {
    let mut segments = proof.split('.');
    let mut next = || {
        let bytes = jose_ring::dangerous::decode_base64url(segments.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (next(), next())
}

/// `proof` with one character of its signature changed, in the middle so that the segment
/// stays canonical base64url.
pub fn tampered(proof: &str) -> String {
    let middle = proof.len() - 20;
    let new = if &proof[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let mut out = proof.to_owned();
    out.replace_range(middle..=middle, new);
    out
}
