//! The `WWW-Authenticate: DPoP` challenge (RFC 9449 §7.1, RFC 6750 §3) and the `DPoP-Nonce`
//! header (RFC 9449 §8), as strings for a framework layer to send; and its `Bearer` sibling
//! (RFC 6750 §3), written by the same quoted-string writer.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{Dpop, Error, Misuse};
use crate::jwa::Algorithm;

/// The `error` of a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChallengeError {
    /// `invalid_dpop_proof` (RFC 9449 §7.1): the proof was refused.
    InvalidProof,
    /// `use_dpop_nonce` (RFC 9449 §8): send a proof with the nonce of the `DPoP-Nonce`
    /// header.
    UseNonce,
    /// `invalid_token` (RFC 6750 §3.1): the access token was refused.
    InvalidToken,
    /// `invalid_request` (RFC 6750 §3.1): the request is malformed (two `Authorization`
    /// fields, credentials that are not a `token68`, ...). Sent with status 400.
    InvalidRequest,
    /// `insufficient_scope` (RFC 6750 §3.1): the token lacks a scope the resource needs
    /// (name it with [`Challenge::with_scope`]). Sent with status 403.
    InsufficientScope,
    /// `insufficient_user_authentication` (RFC 9470 §3): the authentication event behind
    /// the token is not strong or recent enough; say what would be with
    /// [`Challenge::with_acr_values`] and [`Challenge::with_max_age`]. Sent with status 401.
    InsufficientUserAuthentication,
}

impl ChallengeError {
    /// The registered code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidProof => "invalid_dpop_proof",
            Self::UseNonce => "use_dpop_nonce",
            Self::InvalidToken => "invalid_token",
            Self::InvalidRequest => "invalid_request",
            Self::InsufficientScope => "insufficient_scope",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
        }
    }
}

/// A `WWW-Authenticate: DPoP ...` challenge: its [`Display`](fmt::Display) is the header
/// value, and [`nonce`](Self::nonce) the `DPoP-Nonce` header to send with it.
///
/// Parameters are written as RFC 9110 §5.6.4 quoted strings (`"` and `\` escaped, control and
/// non-ASCII characters left out), in the order `realm`, `error`, `error_description`,
/// `scope`, `acr_values`, `max_age`, `algs`, `resource_metadata`. The description is a text of this crate's errors or the caller's own: nothing from
/// the request is ever echoed.
///
/// ```
/// use jose_ring::{dpop, jwa, Dpop, Error};
/// let algs = [&jwa::ES256, &jwa::EdDSA];
/// assert_eq!(dpop::Challenge::new(&algs).to_string(), r#"DPoP algs="ES256 EdDSA""#);
///
/// let refused = Error::Dpop(Dpop::HtmMismatch);
/// let challenge = dpop::Challenge::for_proof_error(&refused, &algs);
/// assert_eq!(
///     challenge.to_string(),
///     r#"DPoP error="invalid_dpop_proof", error_description="dpop proof rejected: htm is not the request method", algs="ES256 EdDSA""#
/// );
///
/// let challenge = dpop::Challenge::use_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v", &algs)?;
/// assert_eq!(challenge.to_string(), r#"DPoP error="use_dpop_nonce", algs="ES256 EdDSA""#);
/// assert_eq!(challenge.nonce(), Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
/// # Ok::<(), Error>(())
/// ```
///
/// [`Challenge::bearer`] writes the `Bearer` challenge of RFC 6750 §3 the same way (it has no
/// `algs`), with the `scope` of `insufficient_scope` and the `resource_metadata` of RFC 9728
/// §5.1:
///
/// ```
/// use jose_ring::dpop::{Challenge, ChallengeError};
/// let challenge = Challenge::bearer()
///     .with_error(ChallengeError::InsufficientScope)
///     .with_scope("admin")
///     .with_resource_metadata("https://api.example/.well-known/oauth-protected-resource");
/// assert_eq!(
///     challenge.to_string(),
///     r#"Bearer error="insufficient_scope", scope="admin", resource_metadata="https://api.example/.well-known/oauth-protected-resource""#
/// );
/// assert_eq!(Challenge::bearer().to_string(), "Bearer");
/// ```
///
/// The step-up challenge of RFC 9470 §3 names the authentication context classes that would
/// do (`acr_values`, in order of preference) and the longest time since the user last
/// authenticated (`max_age`, seconds):
///
/// ```
/// use jose_ring::dpop::{Challenge, ChallengeError};
/// let challenge = Challenge::bearer()
///     .with_error(ChallengeError::InsufficientUserAuthentication)
///     .with_description("A different authentication level is required")
///     .with_acr_values("myACR");
/// assert_eq!(
///     challenge.to_string(),
///     r#"Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR""#
/// );
/// let challenge = Challenge::bearer()
///     .with_error(ChallengeError::InsufficientUserAuthentication)
///     .with_max_age(5);
/// assert_eq!(
///     challenge.to_string(),
///     r#"Bearer error="insufficient_user_authentication", max_age="5""#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    scheme: &'static str,
    realm: Option<String>,
    error: Option<ChallengeError>,
    description: Option<String>,
    scope: Option<String>,
    acr_values: Option<String>,
    max_age: Option<u64>,
    algs: Vec<&'static str>,
    resource_metadata: Option<String>,
    nonce: Option<String>,
}

impl Challenge {
    /// A challenge without an error, for a request that sent no credentials (RFC 6750 §3.1),
    /// naming the algorithms accepted for proofs (`algs`; none if `algorithms` is empty).
    #[must_use]
    pub fn new(algorithms: &[&'static Algorithm]) -> Self {
        Self {
            scheme: "DPoP",
            realm: None,
            error: None,
            description: None,
            scope: None,
            acr_values: None,
            max_age: None,
            algs: algorithms.iter().map(|alg| alg.name()).collect(),
            resource_metadata: None,
            nonce: None,
        }
    }

    /// A `WWW-Authenticate: Bearer` challenge (RFC 6750 §3) without an error, for a request
    /// that sent no credentials.
    #[must_use]
    pub fn bearer() -> Self {
        Self {
            scheme: "Bearer",
            ..Self::new(&[])
        }
    }

    /// A challenge with `error`.
    #[must_use]
    pub fn with_error(mut self, error: ChallengeError) -> Self {
        self.error = Some(error);
        self
    }

    /// `error="use_dpop_nonce"` (RFC 9449 §8), with `nonce` to send as the `DPoP-Nonce`
    /// header.
    ///
    /// # Errors
    ///
    /// [`Misuse::DpopNonce`] unless `nonce` is one or more `NQCHAR`s (`%x21 / %x23-5B /
    /// %x5D-7E`, RFC 9449 §8.1).
    pub fn use_nonce(nonce: &str, algorithms: &[&'static Algorithm]) -> Result<Self, Error> {
        let mut challenge = Self::new(algorithms).with_error(ChallengeError::UseNonce);
        challenge.nonce = Some(String::from(check_nonce(nonce)?));
        Ok(challenge)
    }

    /// The challenge for an error of [`dpop::verify`](super::verify): `use_dpop_nonce` for
    /// [`Dpop::MissingNonce`] and [`Dpop::NonceMismatch`] (add the nonce with
    /// [`with_nonce`](Self::with_nonce)), `invalid_dpop_proof` with the error's text as the
    /// description otherwise.
    #[must_use]
    pub fn for_proof_error(error: &Error, algorithms: &[&'static Algorithm]) -> Self {
        match error {
            Error::Dpop(Dpop::MissingNonce | Dpop::NonceMismatch) => {
                Self::new(algorithms).with_error(ChallengeError::UseNonce)
            }
            _ => Self::new(algorithms)
                .with_error(ChallengeError::InvalidProof)
                .with_description(&alloc::format!("{error}")),
        }
    }

    /// The challenge for an error of [`jwt::decode`](crate::jwt::decode) on the access token:
    /// `invalid_token` with the error's text as the description.
    #[must_use]
    pub fn for_token_error(error: &Error, algorithms: &[&'static Algorithm]) -> Self {
        Self::new(algorithms)
            .with_error(ChallengeError::InvalidToken)
            .with_description(&alloc::format!("{error}"))
    }

    /// Sets the `DPoP-Nonce` to send with the challenge.
    ///
    /// # Errors
    ///
    /// As [`use_nonce`](Self::use_nonce).
    pub fn with_nonce(mut self, nonce: &str) -> Result<Self, Error> {
        self.nonce = Some(String::from(check_nonce(nonce)?));
        Ok(self)
    }

    /// Sets `realm` (RFC 6750 §3).
    #[must_use]
    pub fn with_realm(mut self, realm: &str) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Sets `error_description`, a text for developers (RFC 6750 §3).
    #[must_use]
    pub fn with_description(mut self, description: &str) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets `scope` (RFC 6750 §3): the scopes, space-delimited, the resource needs; sent with
    /// [`ChallengeError::InsufficientScope`] or a challenge without an error.
    #[must_use]
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets `acr_values` (RFC 9470 §3): the authentication context class references that
    /// would satisfy the resource, space-delimited, in order of preference; sent with
    /// [`ChallengeError::InsufficientUserAuthentication`].
    #[must_use]
    pub fn with_acr_values(mut self, acr_values: &str) -> Self {
        self.acr_values = Some(acr_values.into());
        self
    }

    /// Sets `max_age` (RFC 9470 §3): the most seconds since the user's last active
    /// authentication that the resource accepts; sent with
    /// [`ChallengeError::InsufficientUserAuthentication`].
    #[must_use]
    pub fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Sets `resource_metadata` (RFC 9728 §5.1): the URL of the resource's protected resource
    /// metadata document.
    #[must_use]
    pub fn with_resource_metadata(mut self, url: &str) -> Self {
        self.resource_metadata = Some(url.into());
        self
    }

    /// The `error`, if any.
    #[must_use]
    pub fn error(&self) -> Option<ChallengeError> {
        self.error
    }

    /// The value of the `DPoP-Nonce` header to send with the challenge, if any.
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.scheme)?;
        let algs = (!self.algs.is_empty()).then(|| self.algs.join(" "));
        let max_age = self.max_age.map(|seconds| alloc::format!("{seconds}"));
        let params = [
            ("realm", self.realm.as_deref()),
            ("error", self.error.map(ChallengeError::code)),
            ("error_description", self.description.as_deref()),
            ("scope", self.scope.as_deref()),
            ("acr_values", self.acr_values.as_deref()),
            ("max_age", max_age.as_deref()),
            ("algs", algs.as_deref()),
            ("resource_metadata", self.resource_metadata.as_deref()),
        ];
        let mut first = true;
        for (name, value) in params {
            let Some(value) = value else { continue };
            f.write_str(if first { " " } else { ", " })?;
            first = false;
            write!(f, "{name}=\"")?;
            write_quoted(f, value)?;
            f.write_str("\"")?;
        }
        Ok(())
    }
}

/// Writes the inside of an RFC 9110 §5.6.4 quoted string: `"` and `\` escaped; controls
/// other than space and non-ASCII characters left out.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    for c in text.chars() {
        match c {
            '"' | '\\' => write!(f, "\\{c}")?,
            ' '..='~' => write!(f, "{c}")?,
            _ => {}
        }
    }
    Ok(())
}

/// `nonce`, if it is 1*NQCHAR (RFC 9449 §8.1).
fn check_nonce(nonce: &str) -> Result<&str, Error> {
    let nqchar = |b: u8| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e);
    if nonce.is_empty() || !nonce.bytes().all(nqchar) {
        return Err(Misuse::DpopNonce.into());
    }
    Ok(nonce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwa;
    use alloc::string::ToString;

    #[test]
    fn quoted_strings_are_escaped() {
        let challenge = Challenge::new(&[])
            .with_realm("a \"b\" \\c\r\n\u{7f}é")
            .with_description("x\"y");
        assert_eq!(
            challenge.to_string(),
            r#"DPoP realm="a \"b\" \\c", error_description="x\"y""#
        );
        assert_eq!(Challenge::new(&[]).to_string(), "DPoP");
        let bearer = Challenge::bearer()
            .with_realm("api")
            .with_error(ChallengeError::InvalidRequest)
            .with_scope("a \"b\"")
            .with_resource_metadata("https://r.example/m\u{0}");
        assert_eq!(
            bearer.to_string(),
            r#"Bearer realm="api", error="invalid_request", scope="a \"b\"", resource_metadata="https://r.example/m""#
        );
        let all = Challenge::new(&[&crate::jwa::ES256])
            .with_error(ChallengeError::InvalidToken)
            .with_description("d")
            .with_scope("s")
            .with_resource_metadata("m");
        assert_eq!(
            all.to_string(),
            r#"DPoP error="invalid_token", error_description="d", scope="s", algs="ES256", resource_metadata="m""#
        );
        assert_eq!(
            ChallengeError::InsufficientScope.code(),
            "insufficient_scope"
        );
    }

    /// RFC 9470 §3's two examples, and both parameters with a DPoP challenge: in the
    /// documented order, quoted like every other parameter.
    #[test]
    fn step_up_parameters() {
        let acr = Challenge::bearer()
            .with_error(ChallengeError::InsufficientUserAuthentication)
            .with_description("A different authentication level is required")
            .with_acr_values("myACR");
        assert_eq!(
            acr.to_string(),
            r#"Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR""#
        );
        let age = Challenge::bearer()
            .with_error(ChallengeError::InsufficientUserAuthentication)
            .with_description("More recent authentication is required")
            .with_max_age(5);
        assert_eq!(
            age.to_string(),
            r#"Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5""#
        );
        let both = Challenge::new(&[&jwa::ES256])
            .with_realm("api")
            .with_error(ChallengeError::InsufficientUserAuthentication)
            .with_acr_values("phrh \"phr\"")
            .with_max_age(0)
            .with_resource_metadata("m");
        assert_eq!(
            both.to_string(),
            r#"DPoP realm="api", error="insufficient_user_authentication", acr_values="phrh \"phr\"", max_age="0", algs="ES256", resource_metadata="m""#
        );
        assert_eq!(
            ChallengeError::InsufficientUserAuthentication.code(),
            "insufficient_user_authentication"
        );
    }

    #[test]
    fn nonces_are_nqchar() {
        for bad in ["", "a b", "a\"b", "a\\b", "é", "a\tb"] {
            assert_eq!(
                Challenge::use_nonce(bad, &[]),
                Err(Error::Misuse(Misuse::DpopNonce)),
                "{bad:?}"
            );
        }
        let ok = Challenge::use_nonce("!#[]~", &[&jwa::ES256]).unwrap();
        assert_eq!(ok.nonce(), Some("!#[]~"));
        assert_eq!(ok.error(), Some(ChallengeError::UseNonce));
    }

    #[test]
    fn proof_and_token_errors() {
        let algs = [&jwa::ES256];
        for nonce in [Dpop::MissingNonce, Dpop::NonceMismatch] {
            let challenge = Challenge::for_proof_error(&nonce.into(), &algs);
            assert_eq!(challenge.error(), Some(ChallengeError::UseNonce));
            assert_eq!(
                challenge.to_string(),
                r#"DPoP error="use_dpop_nonce", algs="ES256""#
            );
        }
        let challenge = Challenge::for_proof_error(&Error::InvalidSignature, &algs);
        assert_eq!(
            challenge.to_string(),
            r#"DPoP error="invalid_dpop_proof", error_description="invalid signature", algs="ES256""#
        );
        let challenge =
            Challenge::for_token_error(&crate::ClaimError::ProofKeyMismatch.into(), &algs);
        assert_eq!(
            challenge.to_string(),
            r#"DPoP error="invalid_token", error_description="jwt rejected: cnf.jkt is not the thumbprint of the DPoP proof's key", algs="ES256""#
        );
    }
}
