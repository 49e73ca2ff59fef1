//! Weak-key checks, run on every public key before it is bound: Ed25519 encodings that are
//! non-canonical or name a point of small order, and RSA moduli with the ROCA structure.
//!
//! Both are refused whatever the path the key came by (JWK, SPKI, PKCS#1, PKCS#8, raw bytes):
//! every path ends in [`VerifyingKey`](super::VerifyingKey)'s constructors, which call these.
//! Public keys only: nothing here is secret, so nothing needs to run in constant time.

use core::num::NonZeroU64;

use crate::error::KeyRejected;

/// The field prime of edwards25519, 2^255 − 19, as 32 little-endian bytes.
const FIELD_PRIME: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

/// The `y` coordinates, little-endian with the sign bit cleared, of the eight points of
/// edwards25519 whose order divides 8 (RFC 8032 §5.1.3 encodes a point as `y` plus the sign
/// of `x`): 0 (the two points of order 4), 1 (the identity), p − 1 (order 2) and the `y` of
/// the four points of order 8. Compared with the sign bit cleared, the table also covers each
/// point's other sign, which is either the point's negation (still of small order) or, for
/// `x = 0`, a non-canonical "negative zero" encoding. Computed from the curve equation by
/// `test-vectors/weak/ed25519_small_order.py`.
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [0; 32],
    {
        let mut one = [0; 32];
        one[0] = 1;
        one
    },
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    {
        let mut minus_one = FIELD_PRIME;
        minus_one[0] = 0xec;
        minus_one
    },
];

/// Refuses an Ed25519 public key whose `y` is not below the field prime
/// ([`KeyRejected::NonCanonicalPoint`]) or that encodes a point of small order
/// ([`KeyRejected::SmallOrderPoint`]).
///
/// With such a key, `R = identity, S = 0` (or a few other fixed values) verifies for every
/// message under a verifier that does not check the cofactor: a universal forgery. ring
/// accepts these keys and these signatures, so the check is ours.
pub(crate) fn check_ed25519(key: &[u8; 32]) -> Result<(), KeyRejected> {
    let mut y = *key;
    if let Some(top) = y.last_mut() {
        *top &= 0x7f;
    }
    if !less_than_le(&y, &FIELD_PRIME) {
        return Err(KeyRejected::NonCanonicalPoint);
    }
    if SMALL_ORDER_Y.contains(&y) {
        return Err(KeyRejected::SmallOrderPoint);
    }
    Ok(())
}

/// Whether `a < b`, both little-endian.
fn less_than_le(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().rev().lt(b.iter().rev())
}

/// The ROCA tables, computed when the crate is built: a bad index, an overflow or a zero
/// divisor in them fails the build, never a key import.
mod tables {
    #![allow(
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::cast_lossless,
        clippy::panic,
        reason = "const evaluation only: a bad index, an overflow or a zero divisor fails the build"
    )]

    use core::num::NonZeroU64;

    /// The primes of the ROCA fingerprint (Nemec et al., "The Return of Coppersmith's Attack",
    /// CCS 2017, and the authors' detector): the odd primes up to 167.
    ///
    /// An RSA prime made by the affected library is `k·M + (65537^a mod M)` with `M` the product
    /// of the first primes, so for each prime `r` here, `N mod r` is a power of 65537 modulo `r`.
    /// A modulus for which that holds for all of them is refused; a random modulus passes all 38
    /// with probability about 4.2·10⁻⁹ (the product over `r` of `ord_r(65537) / (r − 1)`), the
    /// false-positive rate of the published detector.
    pub(super) const ROCA_PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];

    /// `r` as a divisor; zero fails the build.
    pub(super) const fn nonzero(r: u64) -> NonZeroU64 {
        match NonZeroU64::new(r) {
            Some(r) => r,
            None => panic!("a zero divisor"),
        }
    }

    /// The multiplicative order of 65537 modulo the prime `r`: a residue lies in the subgroup 65537
    /// generates exactly when it raised to this order is 1.
    pub(super) const fn order_of_65537(r: u32) -> u32 {
        let g = 65537 % r;
        let (mut x, mut k) = (g, 1);
        while x != 1 {
            x = x * g % r;
            k += 1;
        }
        k
    }

    /// Each prime of [`ROCA_PRIMES`] with [`order_of_65537`] of it.
    pub(super) const ROCA_SUBGROUPS: [(NonZeroU64, u32); 38] = {
        let mut all = [(NonZeroU64::MIN, 0); 38];
        let mut i = 0;
        while i < ROCA_PRIMES.len() {
            all[i] = (
                nonzero(ROCA_PRIMES[i] as u64),
                order_of_65537(ROCA_PRIMES[i]),
            );
            i += 1;
        }
        all
    };

    /// The primes whose product is [`FAST_MODULUS`]: among the primes of [`ROCA_PRIMES`], those
    /// whose subgroup is smallest relative to `r − 1`, as many as fit below 2^32. A random modulus
    /// has all six residues in their subgroups with probability about 2.9·10⁻⁵, so one pass over
    /// the modulus settles almost every key.
    pub(super) const FAST_PRIMES: [(NonZeroU64, u32); 6] = {
        let primes = [37, 11, 97, 79, 13, 61];
        let mut fast = [(NonZeroU64::MIN, 0); 6];
        let mut i = 0;
        while i < primes.len() {
            fast[i] = (nonzero(primes[i] as u64), order_of_65537(primes[i]));
            i += 1;
        }
        fast
    };

    /// The product of [`FAST_PRIMES`], 2,473,240,913.
    pub(super) const FAST_MODULUS: NonZeroU64 = {
        let mut m = 1u64;
        let mut i = 0;
        while i < FAST_PRIMES.len() {
            m *= FAST_PRIMES[i].0.get();
            i += 1;
        }
        nonzero(m)
    };

    /// The longest modulus the fast pass reads, in 64-bit limbs: 8192 bits, the largest RSA
    /// modulus a key may have (longer ones are refused before this check).
    pub(super) const FAST_LIMBS: usize = 128;

    /// `2^(64·i) mod FAST_MODULUS` for each limb position `i`, so that `N mod FAST_MODULUS` is a
    /// sum of products with no division per limb: each product is below 2^96, and 128 of them
    /// below 2^103.
    pub(super) const FAST_WEIGHTS: [u32; FAST_LIMBS] = {
        let mut weights = [0; FAST_LIMBS];
        let m = FAST_MODULUS.get() as u128;
        let mut w = 1u128;
        let mut i = 0;
        while i < FAST_LIMBS {
            weights[i] = w as u32;
            w = (w << 64) % m;
            i += 1;
        }
        weights
    };

    /// 2^64 mod [`FAST_MODULUS`]: [`FAST_WEIGHTS`] at limb 1.
    pub(super) const TWO_64: u64 = FAST_WEIGHTS[1] as u64;

    /// For each prime of [`FAST_PRIMES`] (all below 128), the residues in the subgroup 65537
    /// generates, as bits of a mask: one look-up instead of a modular power.
    pub(super) const FAST_MASKS: [(NonZeroU64, u128); 6] = {
        let mut masks = [(NonZeroU64::MIN, 0u128); 6];
        let mut i = 0;
        while i < FAST_PRIMES.len() {
            let r = FAST_PRIMES[i].0.get();
            let g = 65537 % r;
            let (mut x, mut mask) = (1u64, 0u128);
            loop {
                mask |= 1 << x;
                x = x * g % r;
                if x == 1 {
                    break;
                }
            }
            masks[i] = (FAST_PRIMES[i].0, mask);
            i += 1;
        }
        masks
    };
}

#[cfg(test)]
use tables::FAST_PRIMES;
use tables::{FAST_LIMBS, FAST_MASKS, FAST_MODULUS, FAST_WEIGHTS, ROCA_SUBGROUPS, TWO_64};

/// Refuses an RSA modulus with the ROCA structure ([`KeyRejected::RocaModulus`]): one whose
/// residue modulo every prime of [`tables::ROCA_PRIMES`] lies in the subgroup generated by 65537.
/// Anyone can factor such a modulus (CVE-2017-15361).
///
/// `n` is big-endian without leading zeros, at most 8192 bits (the caller has checked its
/// size); a longer one is not examined.
pub(crate) fn check_rsa_modulus(n: &[u8]) -> Result<(), KeyRejected> {
    let Some(fast) = residue_fast(n) else {
        return Ok(());
    };
    let in_fast = FAST_MASKS
        .iter()
        .all(|&(r, mask)| (mask >> (fast % r)) & 1 == 1);
    if !in_fast {
        return Ok(());
    }
    // Rare (about 3 keys in 100,000): every prime, one by one.
    let all = ROCA_SUBGROUPS
        .iter()
        .all(|&subgroup| in_subgroup(residue(n, subgroup.0), subgroup));
    if all {
        Err(KeyRejected::RocaModulus)
    } else {
        Ok(())
    }
}

/// `n mod FAST_MODULUS`, from 64-bit limbs weighted by [`FAST_WEIGHTS`]; `None` for a modulus
/// longer than [`FAST_LIMBS`] limbs.
fn residue_fast(n: &[u8]) -> Option<u64> {
    // The leading `len % 8` bytes are the top limb, shorter than the others.
    let (top, limbs) = n.split_at(n.len() % 8);
    let count = limbs.len() / 8;
    if count.saturating_add(usize::from(!top.is_empty())) > FAST_LIMBS {
        return None;
    }
    let weighted = |limb: u64, w: u32| u128::from(limb).wrapping_mul(u128::from(w));
    let mut sum = limbs
        .rchunks_exact(8)
        .filter_map(|bytes| <[u8; 8]>::try_from(bytes).ok())
        .zip(FAST_WEIGHTS)
        .fold(0u128, |sum, (bytes, w)| {
            sum.wrapping_add(weighted(u64::from_be_bytes(bytes), w))
        });
    if let Some(&w) = FAST_WEIGHTS.get(count) {
        let top = top.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        sum = sum.wrapping_add(weighted(top, w));
    }
    // sum = hi·2^64 + lo, both reduced: hi mod m < 2^32 and 2^64 mod m < 2^32.
    let hi = u64::try_from(sum >> 64).unwrap_or(u64::MAX);
    let lo = u64::try_from(sum & u128::from(u64::MAX)).unwrap_or(u64::MAX);
    let reduced = (hi % FAST_MODULUS).wrapping_mul(TWO_64 % FAST_MODULUS);
    Some((reduced % FAST_MODULUS).wrapping_add(lo % FAST_MODULUS) % FAST_MODULUS)
}

/// `n mod r`, by Horner's rule over the bytes.
fn residue(n: &[u8], r: NonZeroU64) -> u64 {
    n.iter().fold(0, |acc, &b| ((acc << 8) | u64::from(b)) % r)
}

/// `base^exp mod r`, for a prime `r` below 2^16 (`base` need not be reduced).
fn pow_mod(base: u64, exp: u32, r: NonZeroU64) -> u64 {
    let (mut acc, mut base, mut exp) = (1 % r, base % r, exp);
    while exp > 0 {
        // Both factors are below r < 2^16: no product overflows.
        if exp & 1 == 1 {
            acc = acc.wrapping_mul(base) % r;
        }
        base = base.wrapping_mul(base) % r;
        exp >>= 1;
    }
    acc
}

/// Whether `x mod r` lies in the subgroup of order `order` (the one 65537 generates).
fn in_subgroup(x: u64, (r, order): (NonZeroU64, u32)) -> bool {
    pow_mod(x, order, r) == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The weighted pass agrees with Horner's rule, for every length and parity.
        #[test]
        fn fast_residue_agrees_with_horner(n in proptest::collection::vec(any::<u8>(), 0..=1024)) {
            prop_assert_eq!(residue_fast(&n), Some(residue(&n, FAST_MODULUS)));
        }
    }

    #[test]
    fn tables_hold_the_published_facts() {
        // 65537 is 2 modulo 11 (order 2) and 4 modulo 13 (order 6).
        let orders: alloc::vec::Vec<(u64, u32)> =
            FAST_PRIMES.iter().map(|&(r, k)| (r.get(), k)).collect();
        assert_eq!(
            orders,
            [(37, 3), (11, 2), (97, 6), (79, 13), (13, 6), (61, 20)]
        );
        assert_eq!(FAST_MODULUS.get(), 2_473_240_913);
        assert_eq!(
            ROCA_SUBGROUPS.first().map(|&(r, k)| (r.get(), k)),
            Some((3, 2))
        );
        // Each mask holds exactly the residues a modular power finds in the subgroup.
        for (&(r, mask), &subgroup) in FAST_MASKS.iter().zip(&FAST_PRIMES) {
            for x in 0..r.get() {
                assert_eq!(
                    (mask >> x) & 1 == 1,
                    in_subgroup(x, subgroup),
                    "{x} mod {r}"
                );
            }
        }
        // Longer than 8192 bits: not examined.
        assert_eq!(residue_fast(&[1; 1025]), None);
        assert!(residue_fast(&[1; 1024]).is_some());
    }
}
