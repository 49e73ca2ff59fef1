//! SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): the `dc+sd-jwt` type, the `vct` claim, and the
//! claims that are never selectively disclosed, for the issuer and the verifier.
//!
//! The issuer's keys come from its JWT VC Issuer Metadata ([`metadata_uri`],
//! [`IssuerMetadata`]), the key set then kept fresh by the crate's sans-I/O
//! [`KeySetCache`](crate::jwks::KeySetCache). X.509 certificate chains (`x5c`, the draft's
//! other issuer signature mechanism) are out of scope: this crate never takes a key from a
//! header.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

pub use super::issuer_metadata::{IssuerMetadata, metadata_uri};

use super::issue::Issuer;
use crate::error::{ClaimError, Error, SdJwt};
use crate::jws::Header;

/// The `typ` of an SD-JWT VC's issuer-signed JWT (draft-ietf-oauth-sd-jwt-vc §3.2.1).
pub const TYP: &str = "dc+sd-jwt";

/// The `typ` the draft used until November 2024, accepted only after
/// [`Validation::with_legacy_vc_typ`](super::Validation::with_legacy_vc_typ).
pub const LEGACY_TYP: &str = "vc+sd-jwt";

/// The registered claims an SD-JWT VC never discloses selectively: always visible in the
/// issuer-signed JWT (draft-ietf-oauth-sd-jwt-vc §3.2.2.2).
pub const NEVER_DISCLOSABLE: [&str; 7] =
    ["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// The SD-JWT VC rules of a [`Validation`](super::Validation).
#[derive(Clone, Debug, Default)]
pub(crate) struct Rules {
    /// The accepted credential types; any when empty.
    pub(super) vct: Vec<String>,
    /// Whether `vc+sd-jwt` is accepted too.
    pub(super) legacy_typ: bool,
}

impl Rules {
    /// Checks the issuer-signed JWT's `typ`: `dc+sd-jwt` (or `vc+sd-jwt` when allowed),
    /// compared exactly.
    pub(crate) fn check_typ(&self, typ: Option<&str>) -> Result<(), Error> {
        match typ {
            Some(TYP) => Ok(()),
            Some(LEGACY_TYP) if self.legacy_typ => Ok(()),
            _ => Err(SdJwt::VcTyp.into()),
        }
    }

    /// Checks `vct`: present, a string, and one of the expected types if any are named.
    pub(crate) fn check_vct(&self, claims: &Map<String, Value>) -> Result<(), Error> {
        match claims.get("vct") {
            None => Err(ClaimError::Missing(Cow::Borrowed("vct")).into()),
            Some(Value::String(vct)) => {
                if self.vct.is_empty() || self.vct.iter().any(|want| want == vct) {
                    Ok(())
                } else {
                    Err(SdJwt::VctMismatch.into())
                }
            }
            Some(_) => Err(ClaimError::InvalidType("vct").into()),
        }
    }
}

impl Issuer {
    /// Issues an SD-JWT VC of the type `vct`: sets the claim `vct`, the header `typ`
    /// `dc+sd-jwt` (other members of the header set before are kept), and keeps every claim
    /// of [`NEVER_DISCLOSABLE`] visible.
    ///
    /// ```
    /// use jose_ring::{jwa, sd_jwt, Error, Misuse, SigningKey};
    /// let key = SigningKey::generate(&jwa::ES256)?;
    /// let claims = serde_json::json!({"iss": "https://issuer.example", "given_name": "Erika"});
    /// let issuer = sd_jwt::Issuer::new(claims.as_object().cloned().unwrap_or_default())
    ///     .with_vct("urn:eudi:pid:de:1");
    /// assert!(issuer.clone().with_disclosable("/given_name").sign(&key).is_ok());
    /// assert_eq!(
    ///     issuer.with_disclosable("/iss").sign(&key).map(|_| ()),
    ///     Err(Error::Misuse(Misuse::SdClaims))
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    #[must_use]
    pub fn with_vct(self, vct: impl Into<String>) -> Self {
        let mut issuer = self.with_claim("vct", Value::String(vct.into()));
        let header = issuer.header().clone();
        issuer = issuer.with_header(Header::with_typ(header, TYP));
        NEVER_DISCLOSABLE
            .iter()
            .fold(issuer, |issuer, name| issuer.with_visible(*name))
    }
}
