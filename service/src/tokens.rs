//! The two tokens: an access token (RFC 9068, `typ: at+jwt`) for the API and a refresh
//! token (`typ: refresh+jwt`, audience the issuer itself) for `/refresh` only, so that
//! neither can stand in for the other.

use jose_ring::SigningKey;
use jose_ring::dpop::Confirmation;
use jose_ring::jws::Header;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::users::{User, hex};

/// The `typ` of access tokens (RFC 9068 §2.1).
pub const ACCESS_TYP: &str = "at+jwt";
/// The `typ` of refresh tokens (RFC 8725 §3.11: explicit typing).
pub const REFRESH_TYP: &str = "refresh+jwt";

/// The claims of an access token: RFC 9068 §2.2 (`iss`, `exp`, `aud`, `sub`, `client_id`,
/// `iat`, `jti`), `scope`, `roles` (RFC 9068 §2.2.3.1, from RFC 7643), the family `fam`, and
/// `cnf` when DPoP-bound.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// `iss`, `sub`, `aud`, `exp`, `iat`, `jti` (`<fam>.<random>`).
    #[serde(flatten)]
    pub registered: RegisteredClaims,
    /// The client that logged in.
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Roles.
    pub roles: Vec<String>,
    /// The refresh-token family this token was issued in.
    pub fam: String,
    /// The DPoP key the token is bound to (RFC 9449 §6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// The claims of a refresh token: who, which client, which family, which DPoP key. Scopes
/// and roles are read from the users file again at each refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshClaims {
    /// `iss`, `sub`, `aud` (the issuer), `exp`, `iat`, `jti`.
    #[serde(flatten)]
    pub registered: RegisteredClaims,
    /// The client that logged in.
    pub client_id: String,
    /// The family: every refresh token rotated from one login.
    pub fam: String,
    /// The DPoP key the token is bound to (RFC 9449 §5: refresh tokens of public clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// Lifetimes and names.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `iss` of every token.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// Access-token lifetime in seconds.
    pub access_lifetime: u64,
    /// Refresh-token lifetime in seconds.
    pub refresh_lifetime: u64,
}

/// A token pair, as `/login` and `/refresh` answer it (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer` or `DPoP` (RFC 9449 §5).
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The refresh token.
    pub refresh_token: String,
    /// The scopes granted.
    pub scope: String,
}

/// Tokens could not be issued (the text is jose-ring's, which never holds key or claim bytes).
#[derive(Debug)]
pub struct IssueError(pub String);

impl IssueError {
    fn signing(error: jose_ring::Error) -> Self {
        Self(format!("signing: {error}"))
    }
}

impl std::fmt::Display for IssueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IssueError {}

/// 128 random bits as hex: token ids and family ids.
///
/// # Errors
///
/// If the system random source fails.
pub fn random_id() -> Result<String, ring::error::Unspecified> {
    let mut bytes = [0u8; 16];
    SystemRandom::new().fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// Issues a pair for `user` in family `fam`, bound to `cnf` if given.
///
/// # Errors
///
/// [`IssueError`] if signing or the random source fails.
pub fn issue(
    policy: &Policy,
    key: &SigningKey,
    user: &User,
    client_id: &str,
    fam: &str,
    cnf: Option<Confirmation>,
    now: NumericDate,
) -> Result<TokenResponse, IssueError> {
    let id = || random_id().map_err(|_| IssueError("system random source failed".into()));
    let access = AccessClaims {
        registered: RegisteredClaims::new()
            .with_issuer(policy.issuer.as_str())
            .with_subject(user.username.as_str())
            .with_audience(policy.audience.as_str())
            .with_lifetime(now, policy.access_lifetime)
            .with_jwt_id(format!("{fam}.{}", id()?)),
        client_id: client_id.to_owned(),
        scope: user.scope.clone(),
        roles: user.roles.clone(),
        fam: fam.to_owned(),
        cnf: cnf.clone(),
    };
    let refresh = RefreshClaims {
        registered: RegisteredClaims::new()
            .with_issuer(policy.issuer.as_str())
            .with_subject(user.username.as_str())
            .with_audience(policy.issuer.as_str())
            .with_lifetime(now, policy.refresh_lifetime)
            .with_jwt_id(id()?),
        client_id: client_id.to_owned(),
        fam: fam.to_owned(),
        cnf: cnf.clone(),
    };
    Ok(TokenResponse {
        access_token: jwt::encode_with_header(&access, &Header::new().with_typ(ACCESS_TYP), key)
            .map_err(IssueError::signing)?,
        token_type: if cnf.is_some() { "DPoP" } else { "Bearer" },
        expires_in: policy.access_lifetime,
        refresh_token: jwt::encode_with_header(&refresh, &Header::new().with_typ(REFRESH_TYP), key)
            .map_err(IssueError::signing)?,
        scope: user.scope.clone(),
    })
}
