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

/// [`DECODE`] shifted into place for each character of a group of four: the group `abcd`
/// decodes to the 24 bits `GROUP[0][a] | GROUP[1][b] | GROUP[2][c] | GROUP[3][d]`, and a byte
/// outside the alphabet is `u32::MAX`, which sets the top byte: one check after the last
/// group, no branch per character.
static GROUP: [[u32; 256]; 4] = {
    let mut tables = [[u32::MAX; 256]; 4];
    let mut byte = 0;
    while byte < 256 {
        #[allow(
            clippy::indexing_slicing,
            clippy::arithmetic_side_effects,
            reason = "const evaluation: a bad index or an overflow fails the build"
        )]
        {
            let value = DECODE[byte];
            if value != INVALID {
                let mut position = 0;
                while position < 4 {
                    tables[position][byte] = (value as u32) << (18 - 6 * position);
                    position += 1;
                }
            }
            byte += 1;
        }
    }
    tables
};

/// Whether every byte of `text` belongs to the base64url alphabet.
///
/// Branch-free range comparisons over the bytes, which the compiler vectorises: token segments
/// are checked at a fraction of an instruction per byte before anything is decoded.
pub(crate) fn is_alphabet(text: &[u8]) -> bool {
    text.iter().fold(true, |ok, &byte| ok & in_alphabet(byte))
}

/// What [`scan`] finds in a token's payload segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Every byte belongs to the base64url alphabet.
    pub(crate) alphabet: bool,
    /// Some byte is a `.`.
    pub(crate) dot: bool,
}

/// Answers both questions a token's payload raises: does it hold a `.` (a fourth segment), and
/// is it base64url. `.` is not in the alphabet, so a payload that is base64url, the common
/// case, is read once, by [`is_alphabet`]; only one that is not is searched for a `.`.
pub(crate) fn scan(text: &[u8]) -> Scan {
    let alphabet = is_alphabet(text);
    Scan {
        alphabet,
        dot: !alphabet && text.contains(&b'.'),
    }
}

/// Whether `byte` is one of the 64 symbols, without a branch or a table.
const fn in_alphabet(byte: u8) -> bool {
    let letter = (byte | 0x20).wrapping_sub(b'a') < 26;
    let digit = byte.wrapping_sub(b'0') < 10;
    letter | digit | (byte == b'-') | (byte == b'_')
}

/// The bits of up to four characters, from the top of a 24-bit group: above 24 bits if any
/// is outside the alphabet.
fn gather(chars: &[u8]) -> u32 {
    chars.iter().zip(&GROUP).fold(0, |acc, (&c, table)| {
        acc | table.get(usize::from(c)).copied().unwrap_or(u32::MAX)
    })
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
    out.resize(start.saturating_add(len), 0);
    if out
        .get_mut(start..)
        .is_some_and(|slot| decode_exact(input, slot))
    {
        Ok(())
    } else {
        out.truncate(start);
        Err(Malformed::Base64(what).into())
    }
}

/// Decodes public base64url `input` into the front of `out`, for data of a bounded size
/// (signatures, headers) that need not go to the heap.
///
/// # Errors
///
/// As [`decode`]; `Ok(None)` if the decoding does not fit in `out`. The input is checked
/// whole either way, so what is accepted and refused never depends on the buffer.
pub(crate) fn decode_to_slice<'o>(
    input: &[u8],
    what: &'static str,
    out: &'o mut [u8],
) -> Result<Option<&'o [u8]>, Error> {
    let bad = || Error::Malformed(Malformed::Base64(what));
    let len = decoded_len(input.len()).ok_or_else(bad)?;
    if let Some(slot) = out.get_mut(..len) {
        return if decode_exact(input, slot) {
            Ok(Some(slot))
        } else {
            Err(bad())
        };
    }
    // Too long for `out`: decoded piece by piece into a scratch buffer, only to be checked.
    // Every piece but the last is a whole number of groups.
    let mut scratch = [0u8; 192];
    let valid = input.chunks(256).all(|piece| {
        decoded_len(piece.len())
            .and_then(|n| scratch.get_mut(..n))
            .is_some_and(|slot| decode_exact(piece, slot))
    });
    if valid { Ok(None) } else { Err(bad()) }
}

/// The decoder: `out` is exactly `decoded_len(input.len())` bytes long. Returns whether
/// `input` is a canonical encoding; if not, `out` holds garbage the caller discards.
///
/// Every group of four characters becomes three bytes with four table look-ups and no branch;
/// a byte outside the alphabet is noticed once, after the last group.
fn decode_exact(input: &[u8], out: &mut [u8]) -> bool {
    let mut marks = 0u32;
    // Two groups at a time, six bytes written at once, while there are two.
    let mut pairs = input.chunks_exact(8);
    let mut sixes = out.chunks_exact_mut(6);
    for (pair, six) in (&mut pairs).zip(&mut sixes) {
        let (first, second) = pair.split_at(4);
        let (first, second) = (gather(first), gather(second));
        marks |= first | second;
        // The 48 bits as a 4-byte and a 2-byte store.
        let (head, tail) = six.split_at_mut(4);
        head.copy_from_slice(&((first << 8) | (second >> 16)).to_be_bytes());
        let [_, _, e, f] = second.to_be_bytes();
        tail.copy_from_slice(&[e, f]);
    }
    let (input, out) = (pairs.remainder(), sixes.into_remainder());
    let mut groups = input.chunks_exact(4);
    let mut triples = out.chunks_exact_mut(3);
    for (group, triple) in (&mut groups).zip(&mut triples) {
        let acc = gather(group);
        marks |= acc;
        let [_, x, y, z] = acc.to_be_bytes();
        triple.copy_from_slice(&[x, y, z]);
    }
    let rest = groups.remainder();
    if !rest.is_empty() {
        // 2 characters carry 8 bits and 4 spare, 3 carry 16 and 2 spare: the spare bits (and
        // the empty ones below them) must be 0.
        let acc = gather(rest);
        let spare = if rest.len() == 2 { 0xffff } else { 0xff };
        if acc & spare != 0 {
            return false;
        }
        marks |= acc;
        let [_, x, y, _] = acc.to_be_bytes();
        for (slot, byte) in triples.into_remainder().iter_mut().zip([x, y]) {
            *slot = byte;
        }
    }
    marks >> 24 == 0
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
    fn scan_finds_dots_and_other_bytes() {
        // Long enough for the vectorised loop and its tail, with the byte at every position.
        let clean = [b'a'; 70];
        assert_eq!(
            scan(&clean),
            Scan {
                alphabet: true,
                dot: false
            }
        );
        assert_eq!(
            scan(b""),
            Scan {
                alphabet: true,
                dot: false
            }
        );
        for at in 0..clean.len() {
            for (byte, expected) in [
                (
                    b'.',
                    Scan {
                        alphabet: false,
                        dot: true,
                    },
                ),
                (
                    b'=',
                    Scan {
                        alphabet: false,
                        dot: false,
                    },
                ),
                (
                    b'_',
                    Scan {
                        alphabet: true,
                        dot: false,
                    },
                ),
            ] {
                let mut text = clean;
                text[at] = byte;
                assert_eq!(scan(&text), expected, "{byte} at {at}");
                assert_eq!(is_alphabet(&text), expected.alphabet, "{byte} at {at}");
            }
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
        fn decode_to_slice_agrees_with_base64ct_for_any_buffer(
            input in "[A-Za-z0-9_-]{0,700}[A-Za-z0-9_=+/. -]{0,2}",
            room in 0usize..600,
        ) {
            let mut buf = alloc::vec![0u8; room];
            let expected = match reference(input.as_bytes()) {
                None => Err(Error::Malformed(Malformed::Base64("t"))),
                Some(bytes) if bytes.len() <= room => Ok(Some(bytes)),
                Some(_) => Ok(None),
            };
            let got = decode_to_slice(input.as_bytes(), "t", &mut buf).map(|d| d.map(<[u8]>::to_vec));
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn agrees_with_base64ct_near_the_alphabet(input in "[A-Za-z0-9_=+/-]{0,24}") {
            prop_assert_eq!(decode(input.as_bytes(), "t").ok(), reference(input.as_bytes()));
        }
    }
}
