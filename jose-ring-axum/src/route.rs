//! What one guard layer requires beyond a valid token: scopes, roles, step-up (RFC 9470:
//! `acr` one of a list, `auth_time` recent enough), or nothing at all when credentials are
//! optional; and the check of a verified token against it.

use jose_ring::jwt::Clock;

use crate::auth::Auth;
use crate::reason::Reason;
use crate::reject::Rejection;

/// The rules of one layer, shared by its clones.
#[derive(Clone, Debug, Default)]
pub(crate) struct Route {
    /// Requests without credentials pass, anonymous.
    pub(crate) optional: bool,
    pub(crate) scopes: Vec<String>,
    pub(crate) roles: Vec<String>,
    /// The `acr` values accepted (any one of them), in order of preference; none: any.
    pub(crate) acr: Vec<String>,
    /// The longest time since `auth_time`, whole seconds.
    pub(crate) max_auth_age: Option<u64>,
}

impl Route {
    /// Checks a verified token (the time read from `clock` only for a maximum age): scopes and roles first (403: authenticating again
    /// would not help), then step-up (401 `insufficient_user_authentication`, naming every
    /// requirement of the route, RFC 9470 §3).
    pub(crate) fn check(&self, auth: &Auth, clock: &dyn Clock) -> Result<(), Rejection> {
        if let Some(missing) = self.scopes.iter().find(|s| !auth.has_scope(s)) {
            return Err(Rejection::new(Reason::InsufficientScope, Some(auth.scheme))
                .with_description("the token lacks a scope this route needs")
                .with_scope(missing));
        }
        if self.roles.iter().any(|r| !auth.has_role(r)) {
            return Err(Rejection::new(Reason::InsufficientRole, Some(auth.scheme))
                .with_description("the token lacks a role this route needs"));
        }
        let acr_ok = self.acr.is_empty()
            || auth
                .acr()
                .is_some_and(|acr| self.acr.iter().any(|a| a == acr));
        let age_ok = self.max_auth_age.is_none_or(|max| {
            auth.auth_time().is_some_and(|at| {
                // An `auth_time` ahead of the clock (skew) is recent.
                u64::try_from(clock.now().seconds_since(at)).map_or(true, |age| age <= max)
            })
        });
        if acr_ok && age_ok {
            return Ok(());
        }
        let description = if acr_ok {
            "more recent authentication is required"
        } else {
            "a different authentication level is required"
        };
        let mut rejection =
            Rejection::new(Reason::InsufficientUserAuthentication, Some(auth.scheme))
                .with_description(description);
        if !self.acr.is_empty() {
            rejection = rejection.with_acr_values(self.acr.join(" "));
        }
        if let Some(max) = self.max_auth_age {
            rejection = rejection.with_max_age(max);
        }
        Err(rejection)
    }
}
