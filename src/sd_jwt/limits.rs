//! The size limits of an SD-JWT: the whole presentation, the number of disclosures, and how
//! deep disclosures may nest in the processed payload.

use crate::jwa::MAX_SIGNATURE_LEN;

/// Size limits for an SD-JWT or SD-JWT+KB, each checked before the part it bounds is decoded.
///
/// | Limit | Default | Why |
/// |---|---|---|
/// | [`total_len`](Self::total_len): the whole SD-JWT (+KB), compact or JSON | 256 KiB | a PID credential with every disclosure is a few KiB; a portrait photo in a disclosure (mDL/PID `portrait`) is tens of KiB |
/// | [`disclosures`](Self::disclosures) | 256 | RFC 9901 A.3's PID has 21, with decoys a credential may have a few times that |
/// | [`depth`](Self::depth): arrays and objects of the processed payload | 32 | OIDC identity assurance (RFC 9901 A.2) is 6 deep; below the JSON reader's 127, so a processed payload can always be written back |
///
/// The issuer-signed JWT inside is also bounded by the [`Limits::token_len`](crate::Limits::token_len)
/// of the claims rules (64 KiB by default), and the KB-JWT by 8 KiB, as a DPoP proof.
///
/// ```
/// use jose_ring::sd_jwt::Limits;
/// let limits = Limits::DEFAULT.with_disclosures(32).with_depth(8);
/// assert_eq!((limits.total_len(), limits.disclosures(), limits.depth()), (256 * 1024, 32, 8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    len: usize,
    disclosures: usize,
    depth: usize,
}

/// The deepest nesting [`Limits::with_depth`] accepts: the strict JSON reader's.
const MAX_DEPTH: usize = crate::json::MAX_DEPTH;

/// The longest KB-JWT read: room for an RSA-8192 key's signature and the claims RFC 9901
/// §4.3 asks for, as a DPoP proof (RFC 9449) has.
pub(crate) const MAX_KB_JWT_LEN: usize = 8 * 1024;

// An RSA-8192 signature fits in the KB-JWT limit with room for the header and claims.
const _: () = assert!(MAX_SIGNATURE_LEN.saturating_mul(2) < MAX_KB_JWT_LEN);

impl Limits {
    /// The defaults of the table above.
    pub const DEFAULT: Self = Self {
        len: 256 * 1024,
        disclosures: 256,
        depth: 32,
    };

    /// Sets the longest SD-JWT or SD-JWT+KB accepted, in bytes, checked before anything is
    /// decoded.
    #[must_use]
    pub const fn with_total_len(mut self, bytes: usize) -> Self {
        self.len = bytes;
        self
    }

    /// Sets the most disclosures accepted, counted before any is decoded.
    #[must_use]
    pub const fn with_disclosures(mut self, count: usize) -> Self {
        self.disclosures = count;
        self
    }

    /// Sets how deep arrays and objects may nest in the processed payload (the top-level
    /// object is 1), recursive disclosures included; at most 127, the JSON reader's limit.
    #[must_use]
    pub const fn with_depth(mut self, depth: usize) -> Self {
        self.depth = if depth > MAX_DEPTH { MAX_DEPTH } else { depth };
        self
    }

    /// The longest SD-JWT or SD-JWT+KB accepted, in bytes.
    #[must_use]
    pub const fn total_len(&self) -> usize {
        self.len
    }

    /// The most disclosures accepted.
    #[must_use]
    pub const fn disclosures(&self) -> usize {
        self.disclosures
    }

    /// How deep arrays and objects may nest in the processed payload.
    #[must_use]
    pub const fn depth(&self) -> usize {
        self.depth
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
