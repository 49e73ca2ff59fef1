//! One verifier for tokens of several issuers, each verified with its own keys and rules.

use alloc::collections::BTreeMap;
use alloc::string::String;
use serde::de::DeserializeOwned;

use super::provider::KeyProvider;
use crate::dangerous;
use crate::error::{Error, NoKey};
use crate::jwt::{self, Validation};

/// A verifier for the tokens of several issuers (a multi-tenant API): the token's `iss` picks
/// the issuer, and the token is verified with that issuer's keys and rules only.
///
/// The `iss` is read before any signature is checked ([`dangerous::peek`]): it only chooses
/// which keys to try. Each issuer's [`Validation`] is made to require `iss` to be exactly
/// that issuer (replacing any issuers it named), so a token naming issuer A verifies only
/// with A's keys, and one signed with B's keys fails whatever it names: never an issuer
/// confusion. A token without `iss`, or naming an issuer not registered, is
/// [`NoKey::UnknownIssuer`].
///
/// ```
/// use jose_ring::jwk::KeyRing;
/// use jose_ring::jwks::Issuers;
/// use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
/// use jose_ring::{jwa, Error, NoKey, SigningKey};
///
/// let now = NumericDate::from_seconds(1_700_000_000);
/// let (a, b) = (SigningKey::generate(&jwa::ES256)?, SigningKey::generate(&jwa::ES256)?);
/// let issuers = Issuers::new()
///     .with_issuer("https://a.example", KeyRing::new().with_verifying_key(a.verifying_key()),
///                  Validation::new(now).with_audience("api"))
///     .with_issuer("https://b.example", KeyRing::new().with_verifying_key(b.verifying_key()),
///                  Validation::new(now).with_audience("api"));
///
/// let claims = |iss: &str| RegisteredClaims::new().with_issuer(iss).with_audience("api")
///     .with_lifetime(now, 300);
/// let from_a = jwt::encode(&claims("https://a.example"), &a)?;
/// let verified: jwt::Verified<RegisteredClaims> = issuers.decode(&from_a)?;
/// assert_eq!(verified.claims().iss.as_deref(), Some("https://a.example"));
///
/// // Signed by B, claiming to be A: A's keys do not verify it.
/// let forged = jwt::encode(&claims("https://a.example"), &b)?;
/// assert_eq!(issuers.decode::<RegisteredClaims>(&forged).map(|_| ()), Err(Error::InvalidSignature));
/// // An issuer nobody registered.
/// let stranger = jwt::encode(&claims("https://c.example"), &b)?;
/// assert_eq!(issuers.decode::<RegisteredClaims>(&stranger).map(|_| ()),
///            Err(Error::NoKey(NoKey::UnknownIssuer)));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
pub struct Issuers<P> {
    by_issuer: BTreeMap<String, (P, Validation)>,
}

impl<P> Default for Issuers<P> {
    fn default() -> Self {
        Self {
            by_issuer: BTreeMap::new(),
        }
    }
}

impl<P: KeyProvider> Issuers<P> {
    /// A verifier that knows no issuer yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `issuer` (compared exactly with a token's `iss`) with its keys and rules;
    /// the rules are made to require `iss` to be `issuer`, and only it. Registering an issuer
    /// again replaces it.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>, keys: P, rules: Validation) -> Self {
        let issuer = issuer.into();
        let rules = rules.with_sole_issuer(&issuer);
        self.by_issuer.insert(issuer, (keys, rules));
        self
    }

    /// The number of issuers registered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_issuer.len()
    }

    /// Whether no issuer is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_issuer.is_empty()
    }

    /// The keys and rules of the issuer a token names, from its unverified `iss`.
    ///
    /// # Errors
    ///
    /// Those of [`dangerous::peek`] and [`Peek::iss`](dangerous::Peek::iss) for a token that
    /// does not decode; [`NoKey::UnknownIssuer`] for a token without `iss` or whose `iss` is
    /// not registered.
    pub fn route(&self, token: &str) -> Result<(&P, &Validation), Error> {
        let iss = dangerous::peek(token)?.iss()?;
        let (keys, rules) = iss
            .and_then(|iss| self.by_issuer.get(&iss))
            .ok_or(NoKey::UnknownIssuer)?;
        Ok((keys, rules))
    }

    /// Verifies a JWT with the keys and rules of the issuer its `iss` names, and reads its
    /// claims into `T`.
    ///
    /// # Errors
    ///
    /// Those of [`route`](Self::route), of the issuer's [`KeyProvider::keys`] (a remote set
    /// that cannot serve), and of [`jwt::decode`] with that issuer's keys and rules.
    pub fn decode<T: DeserializeOwned>(&self, token: &str) -> Result<jwt::Verified<T>, Error> {
        let (provider, rules) = self.route(token)?;
        let keys = provider.keys()?;
        jwt::decode(token, &keys, rules)
    }
}
