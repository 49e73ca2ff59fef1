//! Key sources that hand out a snapshot per verification.

use crate::error::Error;
use crate::jwk::{KeyRing, RingKey};
use crate::key::{HmacKey, KeySource, VerifyingKey};

/// Something that gives the [`KeySource`] to verify one token with: a key or [`KeyRing`]
/// gives itself; a [`SharedKeySet`](super::SharedKeySet) gives a snapshot of the set it holds
/// (fetching it first if needed). What [`Issuers`](super::Issuers) holds per issuer.
pub trait KeyProvider {
    /// The key source of one verification.
    type Keys<'a>: KeySource
    where
        Self: 'a;

    /// The keys to verify with now.
    ///
    /// # Errors
    ///
    /// Why there are none: for a [`SharedKeySet`](super::SharedKeySet), a
    /// [`KeySetError`](crate::KeySetError).
    fn keys(&self) -> Result<Self::Keys<'_>, Error>;
}

impl<K: RingKey> KeyProvider for KeyRing<K> {
    type Keys<'a>
        = &'a Self
    where
        Self: 'a;

    fn keys(&self) -> Result<&Self, Error> {
        Ok(self)
    }
}

impl KeyProvider for VerifyingKey {
    type Keys<'a>
        = &'a Self
    where
        Self: 'a;

    fn keys(&self) -> Result<&Self, Error> {
        Ok(self)
    }
}

impl KeyProvider for HmacKey {
    type Keys<'a>
        = &'a Self
    where
        Self: 'a;

    fn keys(&self) -> Result<&Self, Error> {
        Ok(self)
    }
}

impl<P: KeyProvider + ?Sized> KeyProvider for alloc::sync::Arc<P> {
    type Keys<'a>
        = P::Keys<'a>
    where
        Self: 'a;

    fn keys(&self) -> Result<P::Keys<'_>, Error> {
        (**self).keys()
    }
}
