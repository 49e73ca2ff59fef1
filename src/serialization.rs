//! The ways to write a JWS: a leaf of the crate, so that errors can name one without
//! importing the JWS layer. The public path is `jws::Serialization`.

use core::fmt;

/// The three ways to write a JWS (RFC 7515 §3.1, §3.2, §7.2.2).
///
/// Signing chooses one with [`sign_as`](crate::jws::sign_as);
/// [`UnverifiedJson::serialization`](crate::jws::UnverifiedJson::serialization) says which one
/// a parsed document used, and [`UnverifiedJson::serialize`](crate::jws::UnverifiedJson::serialize)
/// converts between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Serialization {
    /// `header.payload.signature`: one signature, protected header only.
    Compact,
    /// A JSON object with `payload`, `protected`, `header` and `signature`: one signature.
    Flattened,
    /// A JSON object with `payload` and an array `signatures`: one or more signatures.
    General,
}

impl fmt::Display for Serialization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Compact => "compact",
            Self::Flattened => "flattened JSON",
            Self::General => "general JSON",
        })
    }
}
