//! `POST /revoke` (RFC 7009): an access token is revoked by its `jti` (until its `exp`), a
//! refresh token by its family (every token rotated from its login, RFC 7009 §2.1's "SHOULD
//! also invalidate all access tokens based on the same authorization grant"). The answer is
//! 200 whether or not the token was one (§2.2: an invalid or unknown token is no error), so
//! the endpoint tells nothing about tokens.
//!
//! Who may revoke what (oidc-provider's default policy): a confidential client authenticates
//! and revokes its own tokens (another client's: 400 `invalid_request`); a public client (or a
//! caller naming none) revokes only public clients' tokens, its own if it names itself, and a
//! token of another client is answered 200 without being revoked.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::client_ip::ClientIp;
use crate::oauth::client_auth::{self, Caller};
use crate::oauth::form::Form;
use crate::oauth::issued::{self, Issued};
use crate::refusal::Refusal;
use crate::request_log::Note;
use crate::tokens::Policy;

/// The handler.
pub(crate) async fn revoke(
    AxumState(app): AxumState<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = Form::parse(&headers, &body)?;
    let caller = client_auth::authenticate(&app, ip, &headers, &form).await?;
    let token = form
        .get("token")
        .ok_or(Refusal::oauth("invalid_request", "token is required"))?;
    let now = app.now();
    if let Some(found) = issued::identify(&app, token, form.get("token_type_hint"), now) {
        let owner = found.client_id();
        let confidential_owner = app.clients().get(owner).is_some();
        let allowed = match &caller {
            Caller::Confidential(client) if client.id == owner => true,
            Caller::Confidential(_) => {
                return Err(Refusal::oauth(
                    "invalid_request",
                    "client is not authorized to revoke the presented token",
                ));
            }
            Caller::Public(client_id) => client_id == owner && !confidential_owner,
            Caller::Anonymous => !confidential_owner,
        };
        if allowed {
            match &found {
                Issued::Access(claims) => {
                    let jti = claims.registered.jti.as_deref().unwrap_or_default();
                    app.state
                        .revoke_token(jti, Policy::ttl_until(claims.registered.exp, now))
                        .await
                        .map_err(Refusal::unavailable)?;
                }
                Issued::Refresh(claims) => {
                    app.state
                        .revoke_family(&claims.fam, app.policy.family_ttl())
                        .await
                        .map_err(Refusal::unavailable)?;
                }
            }
            tracing::info!(client_id = owner, kind = found.kind(), "token revoked");
        }
    }
    let mut response = (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response();
    Note::served(&mut response, None);
    Ok(response)
}
