//! The two tokens, each in one place: an access token (RFC 9068, `typ: at+jwt`) for the API
//! (a user's, or a machine client's from `client_credentials`) and a refresh token
//! (`typ: refresh+jwt`, audience the issuer itself) for `/refresh` and `/token` only, so that
//! neither can stand in for the other; their claims, how they are issued, the rules they are
//! accepted by, and how long state about them is kept ([`Policy`]).

use std::sync::Arc;
use std::time::Duration;

use jose_ring::SigningKey;
use jose_ring::dpop::Confirmation;
use jose_ring::jws::Header;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::users::{User, hex};

/// The `typ` of access tokens (RFC 9068 §2.1).
pub const ACCESS_TYP: &str = "at+jwt";
/// The `typ` of refresh tokens (RFC 8725 §3.11: explicit typing).
pub const REFRESH_TYP: &str = "refresh+jwt";

/// The claims of an access token: RFC 9068 §2.2 (`iss`, `exp`, `aud`, `sub`, `client_id`,
/// `iat`, `jti`), `scope`, `roles` (RFC 9068 §2.2.3.1, from RFC 7643; absent when none), the
/// family `fam` (a user's tokens; a machine client's have none), and `cnf` when DPoP-bound.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// `iss`, `sub`, `aud`, `exp`, `iat`, `jti` (`<fam>.<random>`).
    #[serde(flatten)]
    pub registered: RegisteredClaims,
    /// The client that logged in, or the machine client (then also `sub`, RFC 9068 §2.2).
    pub client_id: String,
    /// Space-separated scopes.
    pub scope: String,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The refresh-token family this token was issued in (none for `client_credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
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

/// The clock every token's times come from: issuing, verifying, TTLs.
pub type SharedClock = Arc<dyn jwt::Clock>;

/// Each token's names, lifetimes and rules: what is issued, what is accepted, and how long
/// the state about a token is kept.
#[derive(Clone)]
pub struct Policy {
    /// `iss` of every token.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// Access-token lifetime in seconds.
    pub access_lifetime: u64,
    /// Refresh-token lifetime in seconds.
    pub refresh_lifetime: u64,
    /// Seconds after a refresh token's first use during which it may be presented again by
    /// the same client and key (0: never).
    pub refresh_grace: u64,
    /// The clock.
    pub clock: SharedClock,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_lifetime", &self.access_lifetime)
            .field("refresh_lifetime", &self.refresh_lifetime)
            .field("refresh_grace", &self.refresh_grace)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// The current time, from the policy's clock.
    #[must_use]
    pub fn now(&self) -> NumericDate {
        self.clock.now()
    }

    /// The access-token rules (the guard's): `typ: at+jwt`, issuer, audience, `exp`, `jti`.
    #[must_use]
    pub fn access_rules(&self) -> Validation {
        Validation::from_clock(Arc::clone(&self.clock))
            .with_typ(ACCESS_TYP)
            .with_issuer(self.issuer.as_str())
            .with_audience(self.audience.as_str())
            .with_required("jti")
    }

    /// The rules of an access token this service issued, for any of `audiences` (every
    /// audience it issues for: its own and its clients' resources), at `now`: for revocation
    /// and introspection, which see tokens of every audience.
    #[must_use]
    pub fn issued_access_rules(&self, now: NumericDate, audiences: &[String]) -> Validation {
        audiences.iter().fold(
            Validation::new(now)
                .with_typ(ACCESS_TYP)
                .with_issuer(self.issuer.as_str())
                .with_required("jti"),
            |rules, audience| rules.with_audience(audience.as_str()),
        )
    }

    /// The refresh-token rules at `now`: `typ: refresh+jwt`, issuer, audience the issuer
    /// itself, `exp`, `jti`.
    #[must_use]
    pub fn refresh_rules(&self, now: NumericDate) -> Validation {
        Validation::new(now)
            .with_typ(REFRESH_TYP)
            .with_issuer(self.issuer.as_str())
            .with_audience(self.issuer.as_str())
            .with_required("jti")
    }

    /// How long to keep state about a token that expires at `exp` (at least a second).
    #[must_use]
    pub fn ttl_until(exp: Option<NumericDate>, now: NumericDate) -> Duration {
        let left = exp.map_or(0, |exp| exp.seconds_since(now));
        Duration::from_secs(u64::try_from(left).unwrap_or(0).saturating_add(1))
    }

    /// How long an access token issued now lives, as a TTL.
    #[must_use]
    pub fn access_ttl(&self) -> Duration {
        Duration::from_secs(self.access_lifetime.saturating_add(1))
    }

    /// How long to keep state about a family (its revocation, its rotation): a minute more
    /// than the life of the last refresh token issued in it.
    #[must_use]
    pub fn family_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_lifetime.saturating_add(60))
    }

    /// Issues a pair with `ids` for `user` in family `fam`, bound to `cnf` if given.
    ///
    /// # Errors
    ///
    /// [`IssueError`] if signing fails.
    pub fn issue(
        &self,
        key: &SigningKey,
        user: &User,
        client_id: &str,
        ids: &PairIds,
        cnf: Option<Confirmation>,
        now: NumericDate,
    ) -> Result<TokenResponse, IssueError> {
        let access = AccessClaims {
            registered: RegisteredClaims::new()
                .with_issuer(self.issuer.as_str())
                .with_subject(user.username.as_str())
                .with_audience(self.audience.as_str())
                .with_lifetime(now, self.access_lifetime)
                .with_jwt_id(ids.access.as_str()),
            client_id: client_id.to_owned(),
            scope: user.scope.clone(),
            roles: user.roles.clone(),
            fam: Some(ids.family.clone()),
            cnf: cnf.clone(),
        };
        let refresh = RefreshClaims {
            registered: RegisteredClaims::new()
                .with_issuer(self.issuer.as_str())
                .with_subject(user.username.as_str())
                .with_audience(self.issuer.as_str())
                .with_lifetime(now, self.refresh_lifetime)
                .with_jwt_id(ids.refresh.as_str()),
            client_id: client_id.to_owned(),
            fam: ids.family.clone(),
            cnf: cnf.clone(),
        };
        Ok(TokenResponse {
            access_token: jwt::encode_with_header(
                &access,
                &Header::new().with_typ(ACCESS_TYP),
                key,
            )
            .map_err(IssueError::signing)?,
            token_type: if cnf.is_some() { "DPoP" } else { "Bearer" },
            expires_in: self.access_lifetime,
            refresh_token: Some(
                jwt::encode_with_header(&refresh, &Header::new().with_typ(REFRESH_TYP), key)
                    .map_err(IssueError::signing)?,
            ),
            scope: user.scope.clone(),
        })
    }

    /// Issues an access token for the machine client `client_id` (`client_credentials`, RFC
    /// 6749 §4.4): `sub` is the client (RFC 9068 §2.2), `aud` the resource granted (RFC 8707),
    /// `scope` what was granted, a fresh `jti` (no family: no refresh token, §4.4.3), bound to
    /// `cnf` if given.
    ///
    /// # Errors
    ///
    /// [`IssueError`] if the random source or signing fails.
    pub fn issue_for_client(
        &self,
        key: &SigningKey,
        client_id: &str,
        audience: &str,
        scope: String,
        cnf: Option<Confirmation>,
        now: NumericDate,
    ) -> Result<TokenResponse, IssueError> {
        let jti = random_id().map_err(|_| IssueError("system random source failed".into()))?;
        let bound = cnf.is_some();
        let access = AccessClaims {
            registered: RegisteredClaims::new()
                .with_issuer(self.issuer.as_str())
                .with_subject(client_id)
                .with_audience(audience)
                .with_lifetime(now, self.access_lifetime)
                .with_jwt_id(jti),
            client_id: client_id.to_owned(),
            scope: scope.clone(),
            roles: Vec::new(),
            fam: None,
            cnf,
        };
        Ok(TokenResponse {
            access_token: jwt::encode_with_header(
                &access,
                &Header::new().with_typ(ACCESS_TYP),
                key,
            )
            .map_err(IssueError::signing)?,
            token_type: if bound { "DPoP" } else { "Bearer" },
            expires_in: self.access_lifetime,
            refresh_token: None,
            scope,
        })
    }
}

/// The ids of a pair, chosen before it is issued (so that the rotation state can name the
/// pair before it exists): the family, the refresh token's `jti`, and the access token's
/// `jti` (`<fam>.<random>`, so that a revocation check given only the `jti` finds the
/// family too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairIds {
    /// The family.
    pub family: String,
    /// The refresh token's `jti`.
    pub refresh: String,
    /// The access token's `jti`.
    pub access: String,
}

impl PairIds {
    /// Fresh ids for a pair of family `family`.
    ///
    /// # Errors
    ///
    /// [`IssueError`] if the system random source fails.
    pub fn new(family: &str) -> Result<Self, IssueError> {
        let id = || random_id().map_err(|_| IssueError("system random source failed".into()));
        Ok(Self {
            family: family.to_owned(),
            refresh: id()?,
            access: format!("{family}.{}", id()?),
        })
    }

    /// Fresh ids for the first pair of a new family (a login).
    ///
    /// # Errors
    ///
    /// [`IssueError`] if the system random source fails.
    pub fn new_family() -> Result<Self, IssueError> {
        let family = random_id().map_err(|_| IssueError("system random source failed".into()))?;
        Self::new(&family)
    }
}

/// The tokens issued, as the token endpoints answer them (RFC 6749 §5.1): a pair (`/login`,
/// `/refresh`, `refresh_token`), or an access token alone (`client_credentials`).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer` or `DPoP` (RFC 9449 §5).
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The refresh token (none for `client_credentials`, RFC 6749 §4.4.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
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
