//! JSON Web Signature (RFC 7515): sign and verify in the compact serialization (§7.1) and the
//! JSON serializations (§7.2, general and flattened, with several signatures), with detached
//! content (Appendix F) and unencoded payloads (RFC 7797).
//!
//! ```
//! use jose_ring::{jwa, jws, HmacKey};
//! let key = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes")?;
//! let token = jws::sign(b"payload", &jws::Header::new(), &key)?;
//! assert_eq!(jws::verify(&token, &key)?.payload(), b"payload");
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! The JSON serializations sign with several keys in one call ([`sign_as`] with one
//! [`Signatory`] per key) and verify under a [`Policy`] the caller names: [`Policy::Any`]
//! (at least one signature verifies; [`VerifiedJson`] says which) or [`Policy::All`].
//!
//! ```
//! use jose_ring::{jwa, jws, HmacKey, SigningKey};
//! let mac = HmacKey::new(&jwa::HS256, b"a secret of at least thirty-two bytes")?;
//! let ec = SigningKey::generate(&jwa::ES256)?;
//! let signatories = [jws::Signatory::new(&mac), jws::Signatory::new(&ec)];
//! let json = jws::sign_as(b"payload", &signatories, jws::Serialization::General)?;
//!
//! // A verifier holding only the HMAC key: one signature verifies, the other has no key.
//! let verified = jws::verify_json(json.as_bytes(), &mac, jws::Policy::Any)?;
//! assert_eq!(verified.payload(), b"payload");
//! assert_eq!(verified.signatures()[0].index(), 0);
//! assert_eq!(verified.rejected()[0].0, 1);
//! assert!(jws::verify_json(json.as_bytes(), &mac, jws::Policy::All).is_err());
//! # Ok::<(), jose_ring::Error>(())
//! ```

mod compact;
mod header;
mod json;

pub use crate::serialization::Serialization;
pub use compact::{
    Unverified, Verified, sign, sign_detached, sign_detached_with_header_json,
    sign_with_header_json, verify, verify_detached,
};
pub(crate) use compact::{sign_jwt, sign_with_own_header};
pub use header::Header;
pub use json::{
    Policy, Signatory, UnverifiedJson, UnverifiedSignature, VerifiedJson, VerifiedSignature,
    sign_as, sign_detached_as, verify_json,
};

/// A part of a JWS signing input (RFC 7515 §5.1 step 5, RFC 7797 §3).
#[derive(Clone, Copy)]
enum Part<'a> {
    /// Bytes as the signing input holds them: an encoded segment, or an unencoded payload.
    AsIs(&'a [u8]),
    /// Bytes the signing input holds base64url-encoded.
    Encode(&'a [u8]),
}

impl<'a> Part<'a> {
    /// The payload part: as it is when `unencoded` (RFC 7797), encoded otherwise.
    fn payload(payload: &'a [u8], unencoded: bool) -> Self {
        if unencoded {
            Self::AsIs(payload)
        } else {
            Self::Encode(payload)
        }
    }

    /// Its length in the signing input.
    fn len(&self) -> usize {
        match self {
            Self::AsIs(bytes) => bytes.len(),
            Self::Encode(bytes) => crate::b64::encoded_len(bytes.len()),
        }
    }

    fn write(self, out: &mut alloc::vec::Vec<u8>) {
        match self {
            Self::AsIs(bytes) => out.extend_from_slice(bytes),
            Self::Encode(bytes) => crate::b64::encode_to_vec(bytes, out),
        }
    }
}

/// Appends the JWS signing input `header.payload` to `out`: the one place every serialization,
/// signing and verifying, assembles it.
fn signing_input(out: &mut alloc::vec::Vec<u8>, header: Part<'_>, payload: Part<'_>) {
    header.write(out);
    out.push(b'.');
    payload.write(out);
}

/// The signature check shared by every serialization: `alg: none` and the algorithms ring lacks
/// are refused first, then the key source chooses a key for `alg` and `kid`, the key must be
/// bound to `alg`, and the signature (decoded on the stack) must verify over `signing_input`.
fn check_signature<'k, K: crate::KeySource + ?Sized>(
    keys: &'k K,
    alg: &str,
    kid: Option<&str>,
    signing_input: &[u8],
    signature_b64: &str,
) -> Result<crate::KeyRef<'k>, crate::Error> {
    crate::jwa::reject_unusable(alg)?;
    let key = keys.select(alg, kid)?;
    if key.algorithm().name() != alg {
        return Err(crate::jwa::mismatch(alg, key.algorithm()));
    }
    let mut buffer = [0u8; crate::jwa::MAX_SIGNATURE_LEN];
    // Longer than any algorithm's signature: it cannot verify.
    let signature =
        crate::b64::decode_to_slice(signature_b64.as_bytes(), "signature", &mut buffer)?
            .ok_or(crate::Error::InvalidSignature)?;
    key.verify(signing_input, signature)?;
    Ok(key)
}
