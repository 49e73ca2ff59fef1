//! JWK thumbprints (RFC 7638) and thumbprint URIs (RFC 9278).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use ring::digest;
use zeroize::Zeroizing;

use super::{Jwk, KeyParams};
use crate::b64;

/// The hash of a JWK thumbprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThumbprintHash {
    /// SHA-256, the hash of [`Jwk::thumbprint`].
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl ThumbprintHash {
    /// The name in the IANA "Named Information Hash Algorithm" registry, as RFC 9278 URIs use
    /// it: `sha-256`, `sha-384`, `sha-512`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    fn ring(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
            Self::Sha512 => &digest::SHA512,
        }
    }
}

impl Jwk {
    /// The RFC 7638 thumbprint with SHA-256, base64url-encoded.
    ///
    /// The hash input is built from the decoded members, re-encoded, in the canonical order
    /// of RFC 7638 §3.2 (`e`, `kty`, `n`; `crv`, `kty`, `x`, `y`; `crv`, `kty`, `x`; `k`,
    /// `kty`), so it does not depend on how the input was written. It never fails: every
    /// `Jwk` has its required members.
    ///
    /// ```
    /// use jose_ring::jwk::Jwk;
    /// let jwk = Jwk::from_json(br#"{"kty":"EC","crv":"P-256",
    ///     "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
    ///     "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}"#)?;
    /// assert_eq!(jwk.thumbprint(), "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
    /// # Ok::<(), jose_ring::Error>(())
    /// ```
    #[must_use]
    pub fn thumbprint(&self) -> String {
        self.thumbprint_with(ThumbprintHash::Sha256)
    }

    /// The RFC 7638 thumbprint with `hash`, base64url-encoded.
    #[must_use]
    pub fn thumbprint_with(&self, hash: ThumbprintHash) -> String {
        let input = self.canonical_json();
        b64::encode(digest::digest(hash.ring(), &input).as_ref())
    }

    /// The RFC 9278 thumbprint URI, for example
    /// `urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs`.
    #[must_use]
    pub fn thumbprint_uri(&self, hash: ThumbprintHash) -> String {
        format!(
            "urn:ietf:params:oauth:jwk-thumbprint:{}:{}",
            hash.name(),
            self.thumbprint_with(hash)
        )
    }

    /// The UTF-8 JSON object of the required members in lexicographic order, without
    /// whitespace (RFC 7638 §3.2). Zeroized on drop, since for `oct` it holds the key.
    ///
    /// Every value is either a registered name or base64url output, so none needs escaping.
    pub(crate) fn canonical_json(&self) -> Zeroizing<Vec<u8>> {
        let members = self.required_members();
        // `{` + per member `"name":"value",` (the last comma becomes `}`).
        let len = members.iter().fold(1usize, |sum, (name, value)| {
            sum.saturating_add(name.len())
                .saturating_add(value.len())
                .saturating_add(6)
        });
        let mut out = Zeroizing::new(Vec::with_capacity(len));
        out.push(b'{');
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":\"");
            out.extend_from_slice(value.as_bytes());
            out.push(b'"');
        }
        out.push(b'}');
        out
    }

    /// The required members of RFC 7638 §3.2, in lexicographic order, each value as JSON
    /// holds it (a name, or base64url): the thumbprint's input, and the `jwk` a DPoP proof
    /// carries (RFC 9449 §4.2: the public key and nothing else). Zeroized on drop, since for
    /// `oct` it holds the key.
    pub(crate) fn required_members(&self) -> Vec<(&'static str, Zeroizing<String>)> {
        let kty = self.kty();
        match &self.key {
            KeyParams::Rsa { n, e, .. } => alloc::vec![
                ("e", Zeroizing::new(b64::encode(e))),
                ("kty", Zeroizing::new(kty.into())),
                ("n", Zeroizing::new(b64::encode(n))),
            ],
            KeyParams::Ec { crv, x, y, .. } => alloc::vec![
                ("crv", Zeroizing::new(crv.name().into())),
                ("kty", Zeroizing::new(kty.into())),
                ("x", Zeroizing::new(b64::encode(x))),
                ("y", Zeroizing::new(b64::encode(y))),
            ],
            KeyParams::Okp { crv, x, .. } => alloc::vec![
                ("crv", Zeroizing::new(crv.name().into())),
                ("kty", Zeroizing::new(kty.into())),
                ("x", Zeroizing::new(b64::encode(x))),
            ],
            KeyParams::Oct { k } => alloc::vec![
                ("k", b64::encode_secret(k.expose())),
                ("kty", Zeroizing::new(kty.into())),
            ],
        }
    }
}
