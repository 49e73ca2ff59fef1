//! The API behind the guard: `GET /me`, `GET /admin` (role `admin`), `GET /reports` (scope
//! `reports:read`), and `POST /logout`, which revokes the token and its family (a machine
//! client's token has none).

use std::sync::Arc;

use axum::Json;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jose_ring_axum::{Auth, Claims};

use crate::app::App;
use crate::audit;
use crate::client_ip::ClientIp;
use crate::refusal::Refusal;
use crate::request_log::Note;
use crate::tokens::{AccessClaims, Policy};

fn verified(claims: &AccessClaims, body: serde_json::Value) -> Response {
    let mut response = Json(body).into_response();
    Note::served(&mut response, claims.registered.sub.clone());
    response
}

/// `GET /me`: who the token is for.
pub(crate) async fn me(Claims(claims): Claims<AccessClaims>) -> Response {
    let body = serde_json::json!({
        "sub": claims.registered.sub,
        "client_id": claims.client_id,
        "scope": claims.scope,
        "roles": claims.roles,
        "exp": claims.registered.exp,
        "dpop_bound": claims.cnf.is_some(),
    });
    verified(&claims, body)
}

/// `GET /admin`: a route needing a role.
pub(crate) async fn admin(Claims(claims): Claims<AccessClaims>) -> Response {
    let body = serde_json::json!({ "sub": claims.registered.sub, "area": "admin", "granted_by": "role admin" });
    verified(&claims, body)
}

/// `GET /reports`: a route needing a scope.
pub(crate) async fn reports(Claims(claims): Claims<AccessClaims>) -> Response {
    let body = serde_json::json!({ "sub": claims.registered.sub, "reports": ["2026-q3", "2026-q4"], "granted_by": "scope reports:read" });
    verified(&claims, body)
}

/// `POST /logout`: revokes the token (until its `exp`) and its family, if it has one.
/// Audited: `logout`, and `family_revoked`.
pub(crate) async fn logout(
    AxumState(app): AxumState<Arc<App>>,
    ClientIp(ip): ClientIp,
    auth: Auth,
    Claims(claims): Claims<AccessClaims>,
) -> Result<Response, Refusal> {
    let now = app.now();
    let jti = auth.jti().unwrap_or_default();
    // The family first: it revokes this token too (every check looks at the family), so a
    // logout answered 503 half-way leaves no token of the family usable, and its retry is
    // refused 401 `revoked` with nothing left to do.
    if let Some(family) = &claims.fam {
        app.state
            .revoke_family(family, app.policy.family_ttl())
            .await
            .map_err(Refusal::unavailable)?;
    }
    app.state
        .revoke_token(jti, Policy::ttl_until(auth.expires_at(), now))
        .await
        .map_err(Refusal::unavailable)?;
    let account = claims.registered.sub.as_deref().unwrap_or_default();
    audit::logout(account, ip, claims.fam.as_deref());
    if let Some(family) = &claims.fam {
        audit::family_revoked(account, ip, family, "logout");
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    Note::served(&mut response, claims.registered.sub.clone());
    Ok(response)
}
