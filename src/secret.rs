//! Secret bytes: zeroized on drop, never printed.

use alloc::vec::Vec;
use core::fmt;
use zeroize::Zeroizing;

/// Bytes that must not leak: HMAC secrets, private key documents, private JWK members.
///
/// Returned by the calls that export private keys, such as
/// [`SigningKey::to_pkcs8_pem`](crate::SigningKey::to_pkcs8_pem).
///
/// The bytes are overwritten with zeros when the value is dropped. `Debug` prints only the
/// length; there is no `Display`, `Serialize` or `Clone` by accident.
///
/// `ring` keeps its own copies of key state (HMAC pads, private scalars) and does not zeroize
/// them: this type protects the copies this crate holds, not ring's.
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes ownership of `bytes`, which are zeroized when the secret is dropped.
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new secret.
    pub(crate) fn copy_from(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }

    /// The secret bytes. Keep them out of logs, error messages and long-lived copies.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret bytes, to fill in place.
    pub(crate) fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes, redacted)", self.0.len())
    }
}

impl PartialEq for Secret {
    /// Constant-time comparison (the lengths are not secret).
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose(), other.expose());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::copy_from(b"hunter2hunter2");
        assert_eq!(alloc::format!("{s:?}"), "Secret(14 bytes, redacted)");
    }

    #[test]
    fn equality_compares_bytes() {
        assert_eq!(Secret::copy_from(b"abc"), Secret::copy_from(b"abc"));
        assert_ne!(Secret::copy_from(b"abc"), Secret::copy_from(b"abd"));
        assert_ne!(Secret::copy_from(b"abc"), Secret::copy_from(b"ab"));
    }
}
