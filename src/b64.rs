//! Strict base64url (RFC 4648 §5, RFC 7515 §2): the URL-safe alphabet, no padding, no
//! whitespace, and canonical trailing bits, so every byte string has exactly one encoding.
//!
//! Two codecs with the same contract:
//! - token segments and other public data go through a table-driven codec, several times faster
//!   than a constant-time one (a property test and a fuzz target hold it to `base64ct`);
//! - secrets (JWK `k`, `d`, ...) go through `base64ct`, whose code has no data-dependent branches
//!   or table look-ups.

use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::{Error, Malformed};
use crate::secret::Secret;

/// The alphabet, by 6-bit value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet in [`DECODE`].
const INVALID: u8 = 0xff;

/// 6-bit value by input byte, [`INVALID`] outside the alphabet.
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        #[allow(
            clippy::indexing_slicing,
            clippy::cast_possible_truncation,
            reason = "const evaluation: a bad index fails the build; i < 64 fits in u8"
        )]
        {
            table[ALPHABET[i] as usize] = i as u8;
        }
        #[allow(
            clippy::arithmetic_side_effects,
            reason = "bounded by the loop condition"
        )]
        {
            i += 1;
        }
    }
    table
};

/// Whether every byte of `text` belongs to the base64url alphabet.
///
/// Branch-free over the bytes (an OR of table entries, whose top bit marks a byte outside the
/// alphabet), so the compiler can vectorise it: token segments are checked at a fraction of a
/// cycle per byte before anything is decoded.
pub(crate) fn is_alphabet(text: &[u8]) -> bool {
    let marks = text.iter().fold(0u8, |marks, &byte| {
        marks | DECODE.get(usize::from(byte)).copied().unwrap_or(INVALID)
    });
    marks & 0x80 == 0
}

fn sextet(byte: u8) -> Option<u32> {
    match DECODE.get(usize::from(byte)) {
        Some(&v) if v != INVALID => Some(u32::from(v)),
        _ => None,
    }
}

fn symbol(bits: u64) -> u8 {
    // `bits & 63` is always a valid index; the fallback is never taken.
    ALPHABET.get((bits & 63) as usize).copied().unwrap_or(b'A')
}

/// The length of the decoding of `len` characters, or `None` for a length no canonical
/// encoding has (`len % 4 == 1`).
fn decoded_len(len: usize) -> Option<usize> {
    let (full, rest) = (len / 4, len % 4);
    let tail = match rest {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    full.checked_mul(3)?.checked_add(tail)
}

/// Decodes public base64url `input`; `what` names it in the error.
///
/// # Errors
///
/// [`Malformed::Base64`] for any byte outside the alphabet, padding, an impossible length or
/// non-zero trailing bits.
pub(crate) fn decode(input: &[u8], what: &'static str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    decode_into(input, what, &mut out)?;
    Ok(out)
}

/// Decodes public base64url `input`, appending to `out` (on error `out` is left as it was).
///
/// # Errors
///
/// As [`decode`].
pub(crate) fn decode_into(
    input: &[u8],
    what: &'static str,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let len = decoded_len(input.len()).ok_or(Malformed::Base64(what))?;
    let start = out.len();
    out.reserve(len);
    decode_with(input, what, |bytes| {
        out.extend_from_slice(bytes);
        true
    })
    .inspect_err(|_| out.truncate(start))
}

/// Decodes public base64url `input` into the front of `out`, for data of a bounded size
/// (signatures) that need not go to the heap.
///
/// # Errors
///
/// As [`decode`]; `Ok(None)` if the decoding does not fit in `out`.
pub(crate) fn decode_to_slice<'o>(
    input: &[u8],
    what: &'static str,
    out: &'o mut [u8],
) -> Result<Option<&'o [u8]>, Error> {
    let mut filled = 0usize;
    let mut fits = true;
    decode_with(input, what, |bytes| {
        let end = filled.saturating_add(bytes.len());
        match out.get_mut(filled..end) {
            Some(slot) => {
                slot.copy_from_slice(bytes);
                filled = end;
                true
            }
            None => {
                fits = false;
                false
            }
        }
    })?;
    Ok(fits.then(|| out.get(..filled).unwrap_or_default()))
}

/// The decoder: hands each group of decoded bytes to `put` until `put` returns false (the
/// caller's buffer is full), and checks the whole input either way, so that what is accepted
/// and refused never depends on the buffer.
fn decode_with(
    input: &[u8],
    what: &'static str,
    mut put: impl FnMut(&[u8]) -> bool,
) -> Result<(), Error> {
    let bad = || Error::Malformed(Malformed::Base64(what));
    decoded_len(input.len()).ok_or_else(bad)?;
    let gather = |chars: &[u8]| {
        chars
            .iter()
            .try_fold(0u32, |acc, &c| Some((acc << 6) | sextet(c)?))
    };
    let mut open = true;
    let mut chunks = input.chunks_exact(4);
    for chunk in &mut chunks {
        let acc = gather(chunk).ok_or_else(bad)?;
        open = open && put(acc.to_be_bytes().get(1..).unwrap_or_default());
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // 2 characters carry 8 bits and 4 spare, 3 carry 16 and 2 spare: spare bits must be 0.
        let (spare, mask, keep) = if rest.len() == 2 {
            (4, 0xf, 1)
        } else {
            (2, 0x3, 2)
        };
        match gather(rest) {
            Some(acc) if acc & mask == 0 => {
                let bytes = (acc >> spare).to_be_bytes();
                if open {
                    put(bytes.get(4usize.saturating_sub(keep)..).unwrap_or_default());
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok(())
}

/// Decodes a secret with `base64ct` straight into zeroized memory.
///
/// # Errors
///
/// As [`decode`].
pub(crate) fn decode_secret(input: &[u8], what: &'static str) -> Result<Secret, Error> {
    let bad = || Error::Malformed(Malformed::Base64(what));
    let len = decoded_len(input.len()).ok_or_else(bad)?;
    let mut buf = Secret::new(alloc::vec![0u8; len]);
    let n = Base64UrlUnpadded::decode(input, buf.expose_mut())
        .map_err(|_| bad())?
        .len();
    if n != len {
        return Err(bad());
    }
    Ok(buf)
}

/// The length of the unpadded encoding of `len` bytes (saturating: no slice is that long).
pub(crate) const fn encoded_len(len: usize) -> usize {
    (len / 3).saturating_mul(4).saturating_add(match len % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    })
}

/// Encodes public `bytes`, appending the symbols to `out` (ASCII, so `out` stays UTF-8 if it
/// was).
///
/// `out` grows once, to the exact length, and the symbols are written in place, six bytes to
/// eight symbols at a time: no per-symbol capacity or UTF-8 check.
pub(crate) fn encode_to_vec(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start.saturating_add(encoded_len(bytes.len())), 0);
    let Some(symbols) = out.get_mut(start..) else {
        return; // Unreachable: `out` was just grown past `start`.
    };
    let mut groups = symbols.chunks_exact_mut(8);
    let mut chunks = bytes.chunks_exact(6);
    for (group, chunk) in (&mut groups).zip(&mut chunks) {
        if let &[a, b, c, d, e, f] = chunk {
            let acc = u64::from_be_bytes([0, 0, a, b, c, d, e, f]);
            group
                .copy_from_slice(&[42, 36, 30, 24, 18, 12, 6, 0].map(|shift| symbol(acc >> shift)));
        }
    }
    // The last 0..=5 bytes: their bits from the top of a 48-bit group, then one symbol per
    // six bits written.
    let acc = chunks
        .remainder()
        .iter()
        .zip([40, 32, 24, 16, 8])
        .fold(0, |acc, (&byte, shift)| acc | (u64::from(byte) << shift));
    for (slot, shift) in groups
        .into_remainder()
        .iter_mut()
        .zip([42, 36, 30, 24, 18, 12, 6])
    {
        *slot = symbol(acc >> shift);
    }
}

/// Encodes public `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(encoded_len(bytes.len()));
    encode_to_vec(bytes, &mut out);
    // Only base64url symbols were written: the fallback is never taken.
    String::from_utf8(out).unwrap_or_default()
}

/// Encodes secret `bytes` with `base64ct`.
pub(crate) fn encode_secret(bytes: &[u8]) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(Base64UrlUnpadded::encode_string(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(input: &[u8]) -> Option<Vec<u8>> {
        let s = core::str::from_utf8(input).ok()?;
        Base64UrlUnpadded::decode_vec(s).ok()
    }

    #[test]
    fn rfc4648_vectors() {
        // RFC 4648 §10, unpadded, in the URL-safe alphabet.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes(), "t").unwrap(), plain.as_bytes());
            assert_eq!(
                decode_secret(enc.as_bytes(), "t").unwrap().expose(),
                plain.as_bytes()
            );
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn rejects_non_canonical() {
        let err = Err(Error::Malformed(Malformed::Base64("t")));
        for bad in [
            "Zg==", "Zh", "Zm9", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zm 9v", "Zm9v\n", "=", "Zm8=",
        ] {
            // "Zm9": '9' is 61 = 0b111101, whose two spare bits are not zero.
            assert_eq!(decode(bad.as_bytes(), "t"), err, "{bad}");
            assert!(decode_secret(bad.as_bytes(), "t").is_err(), "{bad}");
        }
    }

    #[test]
    fn alphabet_check() {
        assert!(is_alphabet(ALPHABET));
        assert!(is_alphabet(b""));
        for byte in 0..=255u8 {
            assert_eq!(
                is_alphabet(&[b'A', byte, b'z']),
                ALPHABET.contains(&byte),
                "{byte}"
            );
        }
    }

    #[test]
    fn decodes_into_a_slice() {
        let mut buf = [0u8; 6];
        assert_eq!(
            decode_to_slice(b"Zm9vYmFy", "t", &mut buf),
            Ok(Some(&b"foobar"[..]))
        );
        assert_eq!(
            decode_to_slice(b"Zm9vYg", "t", &mut buf),
            Ok(Some(&b"foob"[..]))
        );
        assert_eq!(decode_to_slice(b"Zm9vYmFyYg", "t", &mut buf), Ok(None));
        // Too long and not canonical: the encoding error wins, whatever the buffer.
        assert_eq!(
            decode_to_slice(b"Zm9vYmFyYh", "t", &mut buf),
            Err(Error::Malformed(Malformed::Base64("t")))
        );
        assert_eq!(
            decode_to_slice(b"Zm9vYmFy!mFy", "t", &mut [0u8; 2]),
            Err(Error::Malformed(Malformed::Base64("t")))
        );
        assert_eq!(
            decode_to_slice(b"Zm9vYmFyYh", "t", &mut [0u8; 16]),
            Err(Error::Malformed(Malformed::Base64("t")))
        );
    }

    #[test]
    fn failed_decode_leaves_output_alone() {
        let mut out = alloc::vec![1, 2];
        assert!(decode_into(b"Zm9vZ!", "t", &mut out).is_err());
        assert!(decode_into(b"Zm9vYh", "t", &mut out).is_err());
        assert_eq!(out, [1, 2]);
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let enc = encode(&bytes);
            prop_assert_eq!(&enc, &Base64UrlUnpadded::encode_string(&bytes));
            prop_assert_eq!(&decode(enc.as_bytes(), "t").unwrap(), &bytes);
            let mut buf = [0u8; 200];
            prop_assert_eq!(decode_to_slice(enc.as_bytes(), "t", &mut buf).unwrap(), Some(&bytes[..]));
        }

        #[test]
        fn agrees_with_base64ct_on_any_input(input in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(decode(&input, "t").ok(), reference(&input));
            prop_assert_eq!(decode_secret(&input, "t").ok().map(|s| s.expose().to_vec()), reference(&input));
        }

        #[test]
        fn agrees_with_base64ct_near_the_alphabet(input in "[A-Za-z0-9_=+/-]{0,24}") {
            prop_assert_eq!(decode(input.as_bytes(), "t").ok(), reference(input.as_bytes()));
        }
    }
}
