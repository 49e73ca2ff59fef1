//! Writing DER: `SubjectPublicKeyInfo` and the PKCS#8 documents ring reads.
//!
//! Every buffer is allocated at its exact final size, so no reallocation leaves a copy of key
//! material behind, and is zeroized when dropped.

use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::reader::Tag;
use super::{PublicKeyInfo, RsaPrivateComponents, oid};
use crate::jwa::Curve;
use crate::key::strip_zeros;
use crate::secret::Secret;

/// Writes a DER `SubjectPublicKeyInfo`: the inverse of [`parse_spki`](super::parse_spki).
///
/// RSA keys get `rsaEncryption` with NULL parameters and minimal INTEGERs; EC keys
/// `id-ecPublicKey` with the named curve; Ed25519 keys `id-Ed25519` without parameters. The
/// key bytes are written as given, not checked.
pub(crate) fn spki(key: &PublicKeyInfo<'_>) -> Vec<u8> {
    let (algorithm, public) = match *key {
        PublicKeyInfo::Rsa { n, e } => (
            Zeroizing::new(ALG_RSA.to_vec()),
            tlv(Tag::Sequence, &[&integer(n), &integer(e)]),
        ),
        PublicKeyInfo::Ec { curve, point } => (ec_algorithm(curve), Zeroizing::new(point.to_vec())),
        PublicKeyInfo::Ed25519(public) => (
            Zeroizing::new(ALG_ED25519.to_vec()),
            Zeroizing::new(public.to_vec()),
        ),
    };
    let mut out = tlv(
        Tag::Sequence,
        &[&algorithm, &tlv(Tag::BitString, &[NO_UNUSED_BITS, &public])],
    );
    core::mem::take(&mut *out)
}

/// Writes a PKCS#8 v1 document holding an EC key, as ring and `openssl` write it: the curve in
/// the `AlgorithmIdentifier`, and an `ECPrivateKey` with `d` and the `[1] publicKey` `point`
/// (no `[0] parameters`).
///
/// Nothing is checked here: ring checks `d` and that `point` is its public key.
pub(crate) fn pkcs8_ec(curve: Curve, d: &[u8], point: &[u8]) -> Secret {
    let ec_private_key = tlv(
        Tag::Sequence,
        &[
            VERSION_1,
            &tlv(Tag::OctetString, &[d]),
            &tlv(
                Tag::ContextSpecificConstructed1,
                &[&tlv(Tag::BitString, &[NO_UNUSED_BITS, point])],
            ),
        ],
    );
    into_secret(tlv(
        Tag::Sequence,
        &[
            VERSION_0,
            &ec_algorithm(curve),
            &tlv(Tag::OctetString, &[&ec_private_key]),
        ],
    ))
}

/// Writes a PKCS#8 v2 `OneAsymmetricKey` holding an Ed25519 key with its `[1] publicKey`, the
/// form ring's `Ed25519KeyPair::from_pkcs8` requires (and ring's own `generate_pkcs8` writes).
pub(crate) fn pkcs8_ed25519(seed: &[u8; 32], public: &[u8; 32]) -> Secret {
    into_secret(tlv(
        Tag::Sequence,
        &[
            VERSION_1,
            ALG_ED25519,
            &tlv(Tag::OctetString, &[&tlv(Tag::OctetString, &[seed])]),
            &tlv(Tag::ContextSpecificPrimitive1, &[NO_UNUSED_BITS, public]),
        ],
    ))
}

/// Writes a PKCS#8 v1 document holding a two-prime RSA key: `rsaEncryption` with NULL
/// parameters, and a PKCS#1 `RSAPrivateKey` version 0 with minimal INTEGERs.
///
/// Nothing is checked here: ring checks the components.
pub(crate) fn pkcs8_rsa(c: &RsaPrivateComponents<'_>) -> Secret {
    let rsa_private_key = tlv(
        Tag::Sequence,
        &[
            VERSION_0,
            &integer(c.n),
            &integer(c.e),
            &integer(c.d),
            &integer(c.p),
            &integer(c.q),
            &integer(c.dp),
            &integer(c.dq),
            &integer(c.qi),
        ],
    );
    into_secret(tlv(
        Tag::Sequence,
        &[
            VERSION_0,
            ALG_RSA,
            &tlv(Tag::OctetString, &[&rsa_private_key]),
        ],
    ))
}

/// The DER `AlgorithmIdentifier` of an RSA key: `rsaEncryption` with NULL parameters.
const ALG_RSA: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
/// The DER `AlgorithmIdentifier` of an Ed25519 key: `id-Ed25519`, no parameters.
const ALG_ED25519: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
/// A DER INTEGER 0 (the version of PKCS#8 v1 and of a two-prime `RSAPrivateKey`).
pub(super) const VERSION_0: &[u8] = &[Tag::Integer.byte(), 0x01, 0x00];
/// A DER INTEGER 1 (the version of PKCS#8 v2 and of an `ECPrivateKey`).
pub(super) const VERSION_1: &[u8] = &[Tag::Integer.byte(), 0x01, 0x01];
/// The unused-bits byte that starts every BIT STRING written here.
pub(super) const NO_UNUSED_BITS: &[u8] = &[0x00];

/// The `AlgorithmIdentifier` of an EC key on `curve`.
pub(super) fn ec_algorithm(curve: Curve) -> Zeroizing<Vec<u8>> {
    tlv(
        Tag::Sequence,
        &[
            &tlv(Tag::Oid, &[oid::EC_PUBLIC_KEY]),
            &tlv(Tag::Oid, &[curve.oid()]),
        ],
    )
}

/// One element with `tag` whose value is the concatenation of `parts`.
pub(super) fn tlv(tag: Tag, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let len = parts
        .iter()
        .fold(0usize, |sum, part| sum.saturating_add(part.len()));
    let total = length_len(len).saturating_add(1).saturating_add(len);
    let mut out = Zeroizing::new(Vec::with_capacity(total));
    out.push(tag.byte());
    push_length(&mut out, len);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// A DER INTEGER of the non-negative big-endian `magnitude`, which may have leading zeros.
pub(super) fn integer(magnitude: &[u8]) -> Zeroizing<Vec<u8>> {
    let magnitude = strip_zeros(magnitude);
    match magnitude.first() {
        None => tlv(Tag::Integer, &[&[0]]),
        Some(&top) if top & 0x80 != 0 => tlv(Tag::Integer, &[&[0], magnitude]),
        Some(_) => tlv(Tag::Integer, &[magnitude]),
    }
}

/// The length of the DER encoding of a length.
fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        strip_zeros(&len.to_be_bytes()).len().saturating_add(1)
    }
}

/// Appends the DER encoding of `len`.
fn push_length(out: &mut Vec<u8>, len: usize) {
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes = len.to_be_bytes();
            let significant = strip_zeros(&bytes);
            // At most `size_of::<usize>()` bytes, so the count always fits.
            out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0x7f));
            out.extend_from_slice(significant);
        }
    }
}

/// Moves the bytes out of a zeroizing buffer into a [`Secret`], without copying them.
fn into_secret(mut bytes: Zeroizing<Vec<u8>>) -> Secret {
    Secret::new(core::mem::take(&mut *bytes))
}
