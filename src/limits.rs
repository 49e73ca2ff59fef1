//! Size limits applied to untrusted input before it is decoded.

use crate::error::Error;

/// Size limits for untrusted input. Every limit has a default that real tokens stay far below;
/// raise one only for a source you know needs it.
///
/// ```
/// let limits = jose_ring::Limits::default().with_token_len(1 << 20);
/// assert_eq!(limits.token_len(), 1 << 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    token_len: usize,
    jwks_len: usize,
    jwks_keys: usize,
    signatures: usize,
}

impl Limits {
    /// The defaults: a compact token or JWS JSON serialization of at most 64 KiB and 16
    /// signatures; a JWK Set (or a single JWK) of at most 1 MiB and 1,000 keys.
    pub const DEFAULT: Self = Self {
        token_len: 64 * 1024,
        jwks_len: 1024 * 1024,
        jwks_keys: 1000,
        signatures: 16,
    };

    /// Sets the longest compact token (or JWS JSON serialization) accepted, in bytes; a longer
    /// one is rejected before any decoding.
    #[must_use]
    pub const fn with_token_len(mut self, bytes: usize) -> Self {
        self.token_len = bytes;
        self
    }

    /// The longest compact token (or JWS JSON serialization) accepted, in bytes.
    #[must_use]
    pub const fn token_len(&self) -> usize {
        self.token_len
    }

    /// Sets the longest JWK Set (or single JWK) accepted, in bytes; a longer one is rejected
    /// before parsing.
    #[must_use]
    pub const fn with_jwks_len(mut self, bytes: usize) -> Self {
        self.jwks_len = bytes;
        self
    }

    /// The longest JWK Set (or single JWK) accepted, in bytes.
    #[must_use]
    pub const fn jwks_len(&self) -> usize {
        self.jwks_len
    }

    /// Sets the largest number of members of a JWK Set's `"keys"` accepted.
    #[must_use]
    pub const fn with_jwks_keys(mut self, keys: usize) -> Self {
        self.jwks_keys = keys;
        self
    }

    /// The largest number of members of a JWK Set's `"keys"` accepted.
    #[must_use]
    pub const fn jwks_keys(&self) -> usize {
        self.jwks_keys
    }

    /// Sets the largest number of signatures a JWS JSON serialization may carry; one with more
    /// is rejected before any header is decoded or any signature checked.
    ///
    /// ```
    /// let limits = jose_ring::Limits::default().with_signatures(4);
    /// assert_eq!(limits.signatures(), 4);
    /// assert_eq!(jose_ring::Limits::DEFAULT.signatures(), 16);
    /// ```
    #[must_use]
    pub const fn with_signatures(mut self, count: usize) -> Self {
        self.signatures = count;
        self
    }

    /// The largest number of signatures a JWS JSON serialization may carry.
    #[must_use]
    pub const fn signatures(&self) -> usize {
        self.signatures
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The longest `kid` a header may carry, in bytes.
pub(crate) const MAX_KID_LEN: usize = 256;

/// A `kid` is at most 256 bytes, in what this crate signs as in what it reads: a token it
/// signs is one it would accept.
pub(crate) fn check_kid(kid: Option<&str>) -> Result<(), Error> {
    match kid {
        Some(kid) if kid.len() > MAX_KID_LEN => Err(Error::TooLarge {
            what: "kid",
            limit: MAX_KID_LEN,
        }),
        _ => Ok(()),
    }
}
