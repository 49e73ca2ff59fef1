//! Which of this service's tokens a presented string is, for revocation and introspection:
//! an access token (for any audience the service issues for) or a refresh token, each
//! checked by signature, issuer, `typ` and expiry; anything else (another issuer's, expired,
//! forged, not a JWT) is nothing. The `token_type_hint` (RFC 7009 §2.1, RFC 7662 §2.1) only
//! says which to try first. A DPoP-bound token (`cnf.jkt`) needs no proof here: revoking or
//! introspecting it is not using it.

use jose_ring::jwk::KeyRing;
use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring::{ClaimError, Error};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::tokens::{AccessClaims, RefreshClaims};

/// A token this service issued, still unexpired (revocation is the caller's to check).
#[derive(Debug)]
pub enum Issued {
    /// An access token.
    Access(AccessClaims),
    /// A refresh token.
    Refresh(RefreshClaims),
}

impl Issued {
    /// `access_token` or `refresh_token` (RFC 7009 §2.1's type names).
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Access(_) => "access_token",
            Self::Refresh(_) => "refresh_token",
        }
    }

    /// The client the token was issued to.
    #[must_use]
    pub fn client_id(&self) -> &str {
        match self {
            Self::Access(claims) => &claims.client_id,
            Self::Refresh(claims) => &claims.client_id,
        }
    }
}

/// What `token` is, trying refresh tokens first when `hint` is `refresh_token`.
#[must_use]
pub fn identify(app: &App, token: &str, hint: Option<&str>, now: NumericDate) -> Option<Issued> {
    let keys = app.guard_keys.current();
    let access = || {
        let clients = app.clients();
        let rules = app.policy.issued_access_rules(now, clients.audiences());
        decode::<AccessClaims>(token, &keys, rules).map(Issued::Access)
    };
    let refresh = || {
        decode::<RefreshClaims>(token, &keys, app.policy.refresh_rules(now)).map(Issued::Refresh)
    };
    if hint == Some("refresh_token") {
        refresh().or_else(access)
    } else {
        access().or_else(refresh)
    }
}

/// `token` checked by `rules`, whether or not it is bound to a DPoP key: a bound one is
/// refused by the rules alone (the binding is their last check, so everything else passed)
/// and read again with its own `cnf.jkt` as the expected key.
fn decode<T: DeserializeOwned>(token: &str, keys: &KeyRing, rules: Validation) -> Option<T> {
    match jwt::decode::<T, _>(token, keys, &rules) {
        Ok(verified) => Some(verified.into_claims()),
        Err(Error::Claim(ClaimError::ProofRequired)) => {
            /// The one claim read to learn the key a token is bound to.
            #[derive(Deserialize)]
            struct Bound {
                cnf: jose_ring::dpop::Confirmation,
            }
            let peek = jose_ring::dangerous::peek(token).ok()?;
            let bound: Bound = peek.claims().ok()?;
            jwt::decode::<T, _>(token, keys, &rules.with_dpop_jkt(bound.cnf.jkt()))
                .ok()
                .map(jwt::Verified::into_claims)
        }
        Err(_) => None,
    }
}
