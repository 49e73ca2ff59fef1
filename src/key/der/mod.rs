//! DER for the key documents this crate imports and exports: the entry points the rest of the
//! crate calls, and the vocabulary (key types, object identifiers, errors) its parts share.
//!
//! Keys arrive as untrusted files, so the reader accepts exactly one encoding of each value
//! ([`reader`]). The structures are fixed, so parsing never recurses on input; nothing here
//! panics or indexes.
//!
//! What is read and written (ASN.1 from RFC 5280, RFC 5958, RFC 8017, RFC 5915, RFC 8410):
//!
//! - `SubjectPublicKeyInfo` for RSA (`rsaEncryption` with NULL parameters), EC (`id-ecPublicKey`
//!   with a named curve) and Ed25519 (no parameters) ([`spki`](mod@spki));
//! - PKCS#1 `RSAPublicKey` and `RSAPrivateKey` (two primes, version 0) ([`pkcs1`]);
//! - SEC1 `ECPrivateKey` (version 1) ([`sec1`]);
//! - PKCS#8 `PrivateKeyInfo` (v1) and `OneAsymmetricKey` (v2), and the outline of an
//!   `EncryptedPrivateKeyInfo`, only to say it is encrypted ([`pkcs8`]).
//!
//! What `ring` 0.17 accepts, which the writers ([`writer`]) follow:
//!
//! - `RsaKeyPair::from_pkcs8` and `EcdsaKeyPair::from_pkcs8` take PKCS#8 **v1 only**;
//! - `EcdsaKeyPair::from_pkcs8` needs the `[1] publicKey` inside the `ECPrivateKey` (RFC 5915
//!   makes it optional; ring cannot compute it) and a private key of exactly the curve's scalar
//!   length; `[0] parameters` inside may be absent and must name the curve if present;
//! - `Ed25519KeyPair::from_pkcs8` takes v2 only (with the `[1]` public key, which it checks);
//!   `from_pkcs8_maybe_unchecked` also takes v1, as `openssl` writes it.

mod pkcs1;
mod pkcs8;
mod reader;
mod sec1;
mod spki;
mod writer;

#[cfg(test)]
mod tests;

use crate::error::{Error, KeyRejected};
use crate::jwa::Curve;

pub(crate) use pkcs1::parse_rsa_public_pkcs1;
pub(crate) use pkcs8::{
    ec_private_scalar, ed25519_private_seed, pkcs8_kind, rsa_pkcs1_to_pkcs8,
    rsa_private_components, sec1_to_pkcs8,
};
pub(crate) use spki::parse_spki;
pub(crate) use writer::{pkcs8_ec, pkcs8_ed25519, pkcs8_rsa, spki};

/// A public key read from a `SubjectPublicKeyInfo`, borrowing the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PublicKeyInfo<'a> {
    /// An RSA public key: modulus and exponent, big-endian, positive, without leading zeros.
    Rsa {
        /// The modulus.
        n: &'a [u8],
        /// The public exponent.
        e: &'a [u8],
    },
    /// An EC public key: an uncompressed SEC1 point of the curve's length.
    Ec {
        /// The curve.
        curve: Curve,
        /// `0x04 || x || y`.
        point: &'a [u8],
    },
    /// An Ed25519 public key: exactly 32 bytes.
    Ed25519(&'a [u8]),
}

/// The kind of key a PKCS#8 document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PrivateKeyKind {
    /// A two-prime RSA key.
    Rsa,
    /// An EC key on a supported curve.
    Ec(Curve),
    /// An Ed25519 key.
    Ed25519,
}

/// The components of a two-prime RSA private key, big-endian, positive, without leading zeros
/// when read (the writer accepts leading zeros).
#[derive(Clone, Copy)]
pub(crate) struct RsaPrivateComponents<'a> {
    /// The modulus.
    pub(crate) n: &'a [u8],
    /// The public exponent.
    pub(crate) e: &'a [u8],
    /// The private exponent.
    pub(crate) d: &'a [u8],
    /// The first prime factor.
    pub(crate) p: &'a [u8],
    /// The second prime factor.
    pub(crate) q: &'a [u8],
    /// `d mod (p - 1)`.
    pub(crate) dp: &'a [u8],
    /// `d mod (q - 1)`.
    pub(crate) dq: &'a [u8],
    /// `q^-1 mod p`.
    pub(crate) qi: &'a [u8],
}

impl core::fmt::Debug for RsaPrivateComponents<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaPrivateComponents(redacted)")
    }
}

/// Object identifiers other than the curves of [`Curve::oid`], as the bytes of their DER
/// value (without tag and length).
mod oid {
    /// `rsaEncryption`, 1.2.840.113549.1.1.1.
    pub(super) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// `id-ecPublicKey`, 1.2.840.10045.2.1.
    pub(super) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// `secp521r1` (P-521), 1.3.132.0.35: not in ring.
    pub(super) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// `secp256k1`, 1.3.132.0.10: not in ring.
    pub(super) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// `id-X25519`, 1.3.101.110: not a signature key.
    pub(super) const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
    /// `id-X448`, 1.3.101.111: not a signature key.
    pub(super) const X448: &[u8] = &[0x2b, 0x65, 0x6f];
    /// `id-Ed25519`, 1.3.101.112.
    pub(super) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// `id-Ed448`, 1.3.101.113: not in ring.
    pub(super) const ED448: &[u8] = &[0x2b, 0x65, 0x71];
}

/// The error for input that is not DER or not the structure expected.
const fn der_error() -> Error {
    Error::KeyRejected(KeyRejected::Der)
}

/// The error for a public key of the wrong length or form.
const fn bad_public_key() -> Error {
    Error::KeyRejected(KeyRejected::InvalidComponent("public key"))
}
