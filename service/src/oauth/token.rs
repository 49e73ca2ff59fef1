//! `POST /token` (RFC 6749 §3.2), form-encoded: `client_credentials` (§4.4) for the machine
//! clients of the clients file, and `refresh_token` (§6), the very grant of `/refresh`
//! (`token_endpoint::refresh_grant`: rotation, grace window, reuse revokes the family). A request may carry
//! a DPoP proof (RFC 9449 §5), as at `/login`: the token is then bound to its key
//! (`token_type: DPoP`). Every error is RFC 6749 §5.2's.
//!
//! `client_credentials`:
//!
//! - **the client authenticates** (`client_secret_basic` or `private_key_jwt`,
//!   [`crate::oauth::client_auth`]); a public client cannot use the grant
//!   (§4.4: 401 `invalid_client`);
//! - **`scope`** must be among the client's (else `invalid_scope`); without one, all of them
//!   (§3.3 allows a default; Keycloak grants the client's default scopes, as here);
//! - **`resource`** (RFC 8707) must be one of the client's resources, and is the token's
//!   `aud`; one per request, as oidc-provider asks for this grant (`invalid_target`
//!   otherwise); without one, the client's first resource, or the service's own audience;
//! - **no refresh token** (§4.4.3 "SHOULD NOT"; neither oidc-provider nor Keycloak's default
//!   issues one): the client authenticates again for its next token.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use jose_ring::dpop::Confirmation;
use jose_ring::jwt::NumericDate;

use crate::app::App;
use crate::client_ip::ClientIp;
use crate::oauth::client_auth::{self, Caller};
use crate::oauth::clients::{Client, valid_scope_token};
use crate::oauth::endpoints::TOKEN_PATH;
use crate::oauth::form::Form;
use crate::refusal::Refusal;
use crate::token_endpoint::{
    Issued, Presented, Presenter, Seen, answer, audit_refresh, proof, refresh_grant,
};

/// The handler.
pub(crate) async fn token(
    AxumState(app): AxumState<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = Form::parse(&headers, &body)?;
    let caller = client_auth::authenticate(&app, ip, &headers, &form).await?;
    let now = app.now();
    match form.get("grant_type") {
        Some("client_credentials") => {
            client_credentials(&app, caller.confidential(&app, ip)?, &form, &headers, now).await
        }
        Some("refresh_token") => {
            let mut seen = Seen::default();
            let outcome = refresh_token(&app, ip, &mut seen, &caller, &form, &headers, now).await;
            audit_refresh(&app, ip, &seen, &outcome);
            outcome.map(Issued::into_response)
        }
        Some(_) => Err(Refusal::oauth(
            "unsupported_grant_type",
            "grant_type is client_credentials or refresh_token",
        )),
        None => Err(Refusal::oauth("invalid_request", "grant_type is required")),
    }
}

async fn client_credentials(
    app: &App,
    client: Arc<Client>,
    form: &Form,
    headers: &HeaderMap,
    now: NumericDate,
) -> Result<Response, Refusal> {
    let audience = audience(&client, form)?;
    let scope = granted_scope(&client, form.get("scope"))?;
    let proof = proof(app, headers, TOKEN_PATH, now).await?;
    let cnf = proof.as_ref().map(Confirmation::from_proof);
    let keys = app.keys();
    let issued = app
        .policy
        .issue_for_client(keys.signer(), &client.id, audience, scope, cnf, now);
    answer(issued, &client.id)
}

async fn refresh_token(
    app: &App,
    ip: IpAddr,
    seen: &mut Seen,
    caller: &Caller,
    form: &Form,
    headers: &HeaderMap,
    now: NumericDate,
) -> Result<Issued, Refusal> {
    let refresh_token = form.get("refresh_token").ok_or(Refusal::oauth(
        "invalid_request",
        "refresh_token is required",
    ))?;
    // A refresh keeps the grant's audience and scope (the service's, the user's scopes as
    // the users file says now): asking for exactly that is fine, for anything else is not
    // offered.
    let mut resources = form.resources();
    if resources
        .next()
        .is_some_and(|resource| resource != app.policy.audience)
        || resources.next().is_some()
    {
        return Err(Refusal::oauth(
            "invalid_target",
            "a refresh keeps the audience of its grant",
        ));
    }
    let presenter = match caller {
        Caller::Confidential(client) => Presenter::Confidential(&client.id),
        Caller::Public(client_id) => Presenter::Public(Some(client_id)),
        Caller::Anonymous => Presenter::Public(None),
    };
    let proof = proof(app, headers, TOKEN_PATH, now).await?;
    let presented = Presented {
        refresh_token,
        presenter,
        proof: proof.as_ref(),
        scope: form.get("scope"),
        ip,
    };
    refresh_grant(app, presented, now, seen).await
}

/// The token's audience: the one `resource` asked for, if the client may have it (RFC 8707
/// §2), else the client's first.
fn audience<'c>(client: &'c Client, form: &Form) -> Result<&'c str, Refusal> {
    let mut resources = form.resources();
    let asked = resources.next();
    if resources.next().is_some() {
        return Err(Refusal::oauth(
            "invalid_target",
            "only a single resource indicator value is supported for this grant type",
        ));
    }
    let found = match asked {
        Some(asked) => client.audiences.iter().find(|allowed| *allowed == asked),
        None => client.audiences.first(),
    };
    found.map(String::as_str).ok_or(Refusal::oauth(
        "invalid_target",
        "the resource is not one this client may have",
    ))
}

/// The scopes granted: those asked for, each the client's (RFC 6749 §3.3), in the order
/// asked and once each; all the client's when none are asked for.
fn granted_scope(client: &Client, asked: Option<&str>) -> Result<String, Refusal> {
    let Some(asked) = asked else {
        return Ok(client.scope());
    };
    let mut granted: Vec<&str> = Vec::new();
    for token in asked.split(' ') {
        if !valid_scope_token(token) || !client.allows_scope(token) {
            return Err(Refusal::oauth(
                "invalid_scope",
                "a scope asked for is not one this client may have",
            ));
        }
        if !granted.contains(&token) {
            granted.push(token);
        }
    }
    Ok(granted.join(" "))
}

#[cfg(test)]
mod tests {
    use jose_ring::jwk::KeyRing;

    use super::*;
    use crate::oauth::clients::Credential;

    fn client() -> Client {
        Client {
            id: "batch".into(),
            credential: Credential::Keys(KeyRing::new()),
            scopes: vec!["a".into(), "b:c".into()],
            audiences: vec!["https://r1.example".into(), "https://r2.example".into()],
        }
    }

    fn form(body: &str) -> Form {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        Form::parse(&headers, body.as_bytes()).unwrap_or_default()
    }

    #[test]
    fn scopes_are_the_clients_or_refused() {
        let client = client();
        assert_eq!(granted_scope(&client, None), Ok("a b:c".to_owned()));
        assert_eq!(
            granted_scope(&client, Some("b:c a b:c")),
            Ok("b:c a".to_owned())
        );
        let refused = Err(Refusal::oauth(
            "invalid_scope",
            "a scope asked for is not one this client may have",
        ));
        assert_eq!(granted_scope(&client, Some("a admin")), refused);
        assert_eq!(granted_scope(&client, Some("a  b:c")), refused);
    }

    #[test]
    fn one_resource_of_the_clients() {
        let client = client();
        assert_eq!(audience(&client, &form("x=1")), Ok("https://r1.example"));
        assert_eq!(
            audience(&client, &form("resource=https%3A%2F%2Fr2.example")),
            Ok("https://r2.example")
        );
        assert_eq!(
            audience(&client, &form("resource=https%3A%2F%2Fr3.example")),
            Err(Refusal::oauth(
                "invalid_target",
                "the resource is not one this client may have"
            ))
        );
        assert_eq!(
            audience(
                &client,
                &form("resource=https%3A%2F%2Fr1.example&resource=https%3A%2F%2Fr2.example")
            ),
            Err(Refusal::oauth(
                "invalid_target",
                "only a single resource indicator value is supported for this grant type"
            ))
        );
    }
}
