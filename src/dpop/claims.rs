//! The claims of a DPoP proof (RFC 9449 §4.2), observed in one pass over the payload with the
//! claims tap: strings are compared as they pass, and only `jti` is kept.

use alloc::string::String;
use core::cell::Cell;

use super::htu::normalize_htu;
use crate::json::{Seen, Tap};
use crate::time::{NumericDate, ceil_saturating};

/// The longest `jti` accepted, in bytes.
pub(super) const MAX_JTI_LEN: usize = 256;

/// A string claim compared with what the server expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Compared {
    Absent,
    Match,
    Mismatch,
    /// Not a string, or (for `htu`) not a URI that can be compared.
    Invalid,
}

/// `jti` as seen.
#[derive(Debug, Default)]
pub(super) enum Jti {
    #[default]
    Absent,
    Text(String),
    /// Longer than [`MAX_JTI_LEN`].
    TooLong,
    /// Not a string, or empty.
    Invalid,
}

/// `iat` as seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Iat {
    Absent,
    At(NumericDate),
    Invalid,
}

const JTI: u8 = 0;
const HTM: u8 = 1;
const HTU: u8 = 2;
const IAT: u8 = 3;
const ATH: u8 = 4;
const NONCE: u8 = 5;

/// What the validation needs from a proof's claims, and what it compares them with.
pub(super) struct Observed<'r> {
    /// The request's method.
    htm_expected: &'r str,
    /// The server's `htu`, normalised.
    htu_expected: &'r str,
    /// The `ath` of the access token, when the proof comes with one.
    ath_expected: Option<&'r str>,
    /// The nonces accepted (none: no nonce is asked for).
    nonces: &'r [String],
    pub(super) jti: Cell<Jti>,
    pub(super) htm: Cell<Compared>,
    pub(super) htu: Cell<Compared>,
    pub(super) iat: Cell<Iat>,
    pub(super) ath: Cell<Compared>,
    pub(super) nonce: Cell<Compared>,
}

impl<'r> Observed<'r> {
    pub(super) const fn new(
        htm_expected: &'r str,
        htu_expected: &'r str,
        ath_expected: Option<&'r str>,
        nonces: &'r [String],
    ) -> Self {
        Self {
            htm_expected,
            htu_expected,
            ath_expected,
            nonces,
            jti: Cell::new(Jti::Absent),
            htm: Cell::new(Compared::Absent),
            htu: Cell::new(Compared::Absent),
            iat: Cell::new(Iat::Absent),
            ath: Cell::new(Compared::Absent),
            nonce: Cell::new(Compared::Absent),
        }
    }
}

/// `Match` when `value` is one of `expected`, `Mismatch` otherwise; `Invalid` for a value that
/// is not a string.
fn compare<'e>(seen: Seen<'_>, mut expected: impl Iterator<Item = &'e str>) -> Compared {
    match seen {
        Seen::Str(value) if expected.any(|e| e == value) => Compared::Match,
        Seen::Str(_) => Compared::Mismatch,
        _ => Compared::Invalid,
    }
}

impl Tap for Observed<'_> {
    fn member(&self, name: &str) -> Option<u8> {
        Some(match name {
            "jti" => JTI,
            "htm" => HTM,
            "htu" => HTU,
            "iat" => IAT,
            "ath" => ATH,
            "nonce" => NONCE,
            _ => return None,
        })
    }

    fn value(&self, member: u8, seen: Seen<'_>) {
        match member {
            JTI => self.jti.set(match seen {
                Seen::Str(jti) if jti.len() > MAX_JTI_LEN => Jti::TooLong,
                Seen::Str(jti) if !jti.is_empty() => Jti::Text(jti.into()),
                _ => Jti::Invalid,
            }),
            HTM => self
                .htm
                .set(compare(seen, core::iter::once(self.htm_expected))),
            HTU => self.htu.set(match seen {
                Seen::Str(htu) => match normalize_htu(htu) {
                    Ok(htu) if htu == self.htu_expected => Compared::Match,
                    Ok(_) => Compared::Mismatch,
                    Err(_) => Compared::Invalid,
                },
                _ => Compared::Invalid,
            }),
            IAT => self.iat.set(match seen {
                Seen::Unsigned(n) => Iat::At(NumericDate::from_seconds(
                    i64::try_from(n).unwrap_or(i64::MAX),
                )),
                Seen::Signed(n) => Iat::At(NumericDate::from_seconds(n)),
                Seen::Float(x) => Iat::At(NumericDate::from_seconds(ceil_saturating(x))),
                _ => Iat::Invalid,
            }),
            ATH => self.ath.set(compare(seen, self.ath_expected.into_iter())),
            NONCE => self
                .nonce
                .set(compare(seen, self.nonces.iter().map(String::as_str))),
            _ => {}
        }
    }
}
