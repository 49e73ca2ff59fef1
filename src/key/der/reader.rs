//! The DER reader: a forward-only cursor over elements, and the primitive values it reads.
//!
//! It accepts exactly one encoding of each value: single-byte tags, definite lengths in their
//! shortest form, minimal positive INTEGERs, BIT STRINGs with no unused bits, and no bytes
//! after a structure. Nothing here panics or indexes.

use super::der_error;
use crate::error::Error;

/// The tags of the elements this crate reads and writes, as ring's `io::der::Tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Tag {
    /// Universal tag of an INTEGER.
    Integer = 0x02,
    /// Universal tag of a BIT STRING.
    BitString = 0x03,
    /// Universal tag of an OCTET STRING.
    OctetString = 0x04,
    /// Universal tag of a NULL.
    Null = 0x05,
    /// Universal tag of an OBJECT IDENTIFIER.
    Oid = 0x06,
    /// Universal tag of a SEQUENCE (constructed).
    Sequence = 0x30,
    /// Context-specific constructed tag `[0]` (explicit `[0]`, or `[0] IMPLICIT SET OF`).
    ContextSpecificConstructed0 = 0xa0,
    /// Context-specific constructed tag `[1]` (explicit `[1]`).
    ContextSpecificConstructed1 = 0xa1,
    /// Context-specific primitive tag `[1]` (`[1] IMPLICIT BIT STRING` of PKCS#8 v2).
    ContextSpecificPrimitive1 = 0x81,
}

impl Tag {
    /// The tag's byte on the wire.
    pub(super) const fn byte(self) -> u8 {
        self as u8
    }
}

/// A cursor over DER elements that only moves forward.
pub(super) struct Reader<'a> {
    /// The bytes not read yet.
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    pub(super) fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// Whether every byte has been read.
    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads one element and returns its tag byte and value.
    ///
    /// Rejects multi-byte tags, indefinite lengths, lengths not in their shortest form, lengths
    /// of more than four bytes and lengths past the end of the input.
    pub(super) fn any(&mut self) -> Result<(u8, &'a [u8]), Error> {
        let (&tag, rest) = self.rest.split_first().ok_or_else(der_error)?;
        if tag & 0x1f == 0x1f {
            return Err(der_error());
        }
        let (&first, mut rest) = rest.split_first().ok_or_else(der_error)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return Err(der_error());
            }
            let (bytes, after) = rest.split_at_checked(count).ok_or_else(der_error)?;
            rest = after;
            if bytes.first() == Some(&0) {
                return Err(der_error());
            }
            let mut len = 0usize;
            for &b in bytes {
                len = len
                    .checked_mul(256)
                    .and_then(|l| l.checked_add(usize::from(b)))
                    .ok_or_else(der_error)?;
            }
            if len < 0x80 {
                return Err(der_error());
            }
            len
        };
        let (value, rest) = rest.split_at_checked(len).ok_or_else(der_error)?;
        self.rest = rest;
        Ok((tag, value))
    }

    /// Reads one element that must have `tag` and returns its value.
    pub(super) fn expect(&mut self, tag: Tag) -> Result<&'a [u8], Error> {
        match self.any()? {
            (t, value) if t == tag.byte() => Ok(value),
            _ => Err(der_error()),
        }
    }

    /// Reads one element with `tag` if the next element has that tag.
    pub(super) fn optional(&mut self, tag: Tag) -> Result<Option<&'a [u8]>, Error> {
        if self.rest.first() == Some(&tag.byte()) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless every byte has been read.
    pub(super) fn finish(&self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(der_error())
        }
    }
}

/// Reads `input` as exactly one element with `tag` and returns its value.
pub(super) fn single(input: &[u8], tag: Tag) -> Result<&[u8], Error> {
    let mut reader = Reader::new(input);
    let value = reader.expect(tag)?;
    reader.finish()?;
    Ok(value)
}

/// Reads `input` as exactly one element with `tag` whose value `read` consumes completely.
pub(super) fn nested<'a, T>(
    input: &'a [u8],
    tag: Tag,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut inner = Reader::new(single(input, tag)?);
    let out = read(&mut inner)?;
    inner.finish()?;
    Ok(out)
}

/// The magnitude of a positive INTEGER value: rejects non-minimal encodings, negative numbers
/// and zero, and strips the leading 0x00 that keeps the sign bit clear.
///
/// The result is never empty and never starts with 0x00.
pub(super) fn positive_integer(value: &[u8]) -> Result<&[u8], Error> {
    match value.split_first() {
        Some((&0, rest)) => match rest.first() {
            Some(&next) if next & 0x80 != 0 => Ok(rest),
            // `00` alone is zero; `00` before a byte < 0x80 is not minimal.
            _ => Err(der_error()),
        },
        Some((&first, _)) if first & 0x80 == 0 => Ok(value),
        // Negative, or empty.
        _ => Err(der_error()),
    }
}

/// A small non-negative INTEGER value (a version number), 0..=127.
pub(super) fn small_integer(value: &[u8]) -> Result<u8, Error> {
    match value {
        [v] if *v < 0x80 => Ok(*v),
        _ => Err(der_error()),
    }
}

/// The contents of a BIT STRING value whose unused-bits count is 0.
pub(super) fn bit_string(value: &[u8]) -> Result<&[u8], Error> {
    match value.split_first() {
        Some((&0, bits)) => Ok(bits),
        _ => Err(der_error()),
    }
}
