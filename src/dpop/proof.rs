//! The client side of RFC 9449: a proof for one request (§4.2).

use alloc::string::String;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use zeroize::Zeroizing;

use super::htu::{normalize_htu, without_query};
use super::verify::MAX_PROOF_LEN;
use crate::b64;
use crate::error::Error;
use crate::json;
use crate::jwk::Jwk;
use crate::key::SigningKey;
use crate::time::NumericDate;

/// The bytes of randomness in a `jti`: 128 bits, 22 base64url characters.
const JTI_BYTES: usize = 16;

/// A DPoP proof for one request (RFC 9449 §4.2): the header
/// `{"typ":"dpop+jwt","alg":..,"jwk":..}` with the public key of the client's key (its
/// required members only, never a private one), and the claims `jti` (128 bits from `ring`'s
/// `SystemRandom`), `htm`, `htu`, `iat`, and `ath` and `nonce` when set.
///
/// ```
/// use jose_ring::{dpop, jwa, SigningKey};
/// use jose_ring::jwt::NumericDate;
///
/// let key = SigningKey::generate(&jwa::ES256)?;
/// let now = NumericDate::from_seconds(1_700_000_000);
/// let proof = dpop::ProofBuilder::new(&key, "GET", "https://resource.example.org/protectedresource?x=1")
///     .with_iat(now)
///     .with_access_token("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")
///     .build()?;
///
/// let rules = dpop::ProofValidation::new("GET", "https://resource.example.org/protectedresource", now)
///     .with_access_token("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
/// let verified = dpop::verify(&proof, &rules)?;
/// assert_eq!(verified.jkt(), dpop::jkt(&key));
/// # Ok::<(), jose_ring::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct ProofBuilder<'a> {
    key: &'a SigningKey,
    htm: &'a str,
    htu: &'a str,
    iat: Option<NumericDate>,
    ath: Option<String>,
    nonce: Option<&'a str>,
}

impl<'a> ProofBuilder<'a> {
    /// A proof signed by `key` for a request with method `htm` to `htu` (its query and
    /// fragment are left out of the proof, as RFC 9449 §4.2 says).
    pub fn new(key: &'a SigningKey, htm: &'a str, htu: &'a str) -> Self {
        Self {
            key,
            htm,
            htu,
            iat: None,
            ath: None,
            nonce: None,
        }
    }

    /// Sets `iat`; by default the system clock's time (feature `std`).
    pub fn with_iat(mut self, iat: NumericDate) -> Self {
        self.iat = Some(iat);
        self
    }

    /// The proof goes with this access token (RFC 9449 §7): sets `ath` to
    /// [`ath`](super::ath)`(access_token)`.
    pub fn with_access_token(mut self, access_token: &str) -> Self {
        self.ath = Some(super::ath(access_token));
        self
    }

    /// Sets `nonce`, the value of the server's last `DPoP-Nonce` header (RFC 9449 §8, §9).
    pub fn with_nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Makes the proof: a compact JWS.
    ///
    /// # Errors
    ///
    /// [`Dpop::InvalidUri`](crate::Dpop::InvalidUri) (or [`Error::TooLarge`]) if `htu` is not an
    /// absolute `http` or `https` URI that [`normalize_htu`] accepts; [`Error::TooLarge`] for a
    /// proof longer than [`MAX_PROOF_LEN`](super::MAX_PROOF_LEN), which
    /// [`verify`](super::verify) would refuse by default; [`Misuse::NoTime`](crate::Misuse::NoTime) without
    /// `std` and without [`with_iat`](Self::with_iat); [`Error::SigningFailed`] if the random
    /// number generator or the signer fails.
    pub fn build(self) -> Result<String, Error> {
        let htu = without_query(self.htu);
        normalize_htu(htu)?;
        let iat = match self.iat {
            Some(iat) => iat,
            None => now()?,
        };
        let mut random = [0u8; JTI_BYTES];
        SystemRandom::new()
            .fill(&mut random)
            .map_err(|_| Error::SigningFailed)?;
        let jti = b64::encode(&random);
        let members = Jwk::from_verifying_key(&self.key.verifying_key()).required_members();
        let header = json::to_vec(
            &ProofHeader {
                alg: self.key.algorithm().name(),
                jwk: &members,
            },
            "header member",
        )?;
        let claims = json::to_vec(
            &ProofClaims {
                jti: &jti,
                htm: self.htm,
                htu,
                iat,
                ath: self.ath.as_deref(),
                nonce: self.nonce,
            },
            "claims",
        )?;
        let proof = crate::jws::sign_with_own_header(&header, &claims, self.key)?;
        // A proof this crate makes is one its verifier accepts by default.
        if proof.len() > MAX_PROOF_LEN {
            return Err(Error::TooLarge {
                what: "token",
                limit: MAX_PROOF_LEN,
            });
        }
        Ok(proof)
    }
}

#[cfg(feature = "std")]
#[expect(
    clippy::unnecessary_wraps,
    reason = "the same signature as without std"
)]
fn now() -> Result<NumericDate, Error> {
    Ok(crate::time::Clock::now(&crate::time::SystemClock))
}

#[cfg(not(feature = "std"))]
fn now() -> Result<NumericDate, Error> {
    Err(crate::error::Misuse::NoTime.into())
}

/// The protected header of a proof.
struct ProofHeader<'a> {
    alg: &'static str,
    jwk: &'a [(&'static str, Zeroizing<String>)],
}

impl Serialize for ProofHeader<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("typ", "dpop+jwt")?;
        map.serialize_entry("alg", self.alg)?;
        map.serialize_entry("jwk", &JwkMembers(self.jwk))?;
        map.end()
    }
}

/// The required members of a public JWK, as an object.
struct JwkMembers<'a>(&'a [(&'static str, Zeroizing<String>)]);

impl Serialize for JwkMembers<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value.as_str())?;
        }
        map.end()
    }
}

/// The claims of a proof, in the order of RFC 9449's examples.
#[derive(Serialize)]
struct ProofClaims<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: NumericDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}
