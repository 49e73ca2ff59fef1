//! `POST /introspect` (RFC 7662): for an authenticated confidential client, whether an access
//! token is active now (this service's, unexpired, unrevoked) and its claims.
//!
//! - **Client authentication is required** (§2.1: against token scanning): a caller that
//!   does not authenticate gets 401 `invalid_client`, never an answer about a token.
//! - **A client sees** a token issued to it, or one whose `aud` is one of its resources (it
//!   is that resource's server). oidc-provider and Keycloak let any authenticated client
//!   introspect any token; this is narrower. Other tokens answer `{"active": false}` (§2.2:
//!   "not allowed to introspect this particular token").
//! - **Refresh tokens are not introspected** (they are for the token endpoint only, audience
//!   the issuer): `{"active": false}`.
//! - **An active answer** carries `iss`, `sub`, `aud`, `client_id`, `scope`, `exp`, `iat`,
//!   `jti`, `token_type` (`Bearer` or `DPoP`) and, for a DPoP-bound token, `cnf` (RFC 9449
//!   §6.2), so that a resource server can check the binding.
//! - A revocation status that cannot be read is 503 (fail closed), never `active: true`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::App;
use crate::client_ip::ClientIp;
use crate::oauth::client_auth;
use crate::oauth::clients::Client;
use crate::oauth::form::Form;
use crate::oauth::issued::{self, Issued};
use crate::refusal::Refusal;
use crate::request_log::Note;
use crate::tokens::AccessClaims;

/// The handler.
pub(crate) async fn introspect(
    AxumState(app): AxumState<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = Form::parse(&headers, &body)?;
    let client = client_auth::authenticate(&app, ip, &headers, &form)
        .await?
        .confidential(&app, ip)?;
    let token = form
        .get("token")
        .ok_or(Refusal::oauth("invalid_request", "token is required"))?;
    let now = app.now();
    let claims = match issued::identify(&app, token, form.get("token_type_hint"), now) {
        Some(Issued::Access(claims)) if visible(&client, &claims) => Some(claims),
        _ => None,
    };
    let body = match claims {
        Some(claims) => {
            let jti = claims.registered.jti.as_deref().unwrap_or_default();
            let revoked = app
                .state
                .is_revoked(jti)
                .await
                .map_err(Refusal::unavailable)?;
            if revoked { inactive() } else { active(&claims) }
        }
        None => inactive(),
    };
    let mut response = ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response();
    Note::served(&mut response, Some(client.id.clone()));
    Ok(response)
}

/// Whether `client` may see `claims`: issued to it, or for one of its resources.
fn visible(client: &Client, claims: &AccessClaims) -> bool {
    claims.client_id == client.id
        || claims.registered.aud.as_ref().is_some_and(|aud| {
            client
                .audiences
                .iter()
                .any(|audience| aud.contains(audience))
        })
}

fn inactive() -> serde_json::Value {
    json!({ "active": false })
}

fn active(claims: &AccessClaims) -> serde_json::Value {
    let registered = &claims.registered;
    let mut body = json!({
        "active": true,
        "iss": registered.iss,
        "sub": registered.sub,
        "aud": registered.aud,
        "client_id": claims.client_id,
        "scope": claims.scope,
        "exp": registered.exp,
        "iat": registered.iat,
        "jti": registered.jti,
        "token_type": if claims.cnf.is_some() { "DPoP" } else { "Bearer" },
    });
    if let (Some(cnf), Some(object)) = (&claims.cnf, body.as_object_mut()) {
        object.insert("cnf".to_owned(), json!({ "jkt": cnf.jkt() }));
    }
    body
}
