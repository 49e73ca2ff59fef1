//! The routes: which handler answers each, behind which guard.
//!
//! | route                         | guard                  | does                                      |
//! |-------------------------------|------------------------|-------------------------------------------|
//! | `POST /login`                 | none                   | password → access + refresh token         |
//! | `POST /refresh`               | none (its own checks)  | rotates both; reuse revokes the family    |
//! | `POST /token`                 | client authentication  | `client_credentials`, `refresh_token`     |
//! | `POST /revoke`                | client authentication  | RFC 7009 revocation                       |
//! | `POST /introspect`            | client authentication  | RFC 7662 introspection                    |
//! | `GET /.well-known/oauth-authorization-server` | none   | RFC 8414 metadata                         |
//! | `POST /logout`                | any valid access token | revokes the token and its family          |
//! | `GET /me`                     | any valid access token | who the token is for                      |
//! | `GET /admin`                  | role `admin`           | a route needing a role                    |
//! | `GET /reports`                | scope `reports:read`   | a route needing a scope                   |
//! | `GET /.well-known/jwks.json`  | none                   | the public keys                           |
//! | `GET /healthz`                | none                   | liveness (no store access)                |
//! | `GET /metrics`                | none                   | Prometheus metrics (guard and service)    |
//! | `GET /`, `/app.js`, `/app.css` | none                  | the browser mode's page ([`crate::page`]) |
//! | `/session/*`                  | the session cookie, CSRF layer | the browser mode ([`crate::browser`]) |
//!
//! Any other path is 404: the guard runs on its routes only. The token API (the routes a
//! script may call with a token: `/login` to `/reports` above, without `/introspect`)
//! answers CORS for the `--cors-origin` allowlist ([`crate::cors`]); nothing else does.
//! Every answer carries [`crate::page::every_answer`]'s headers.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use jose_ring_axum::{DpopMode, Guard};

use crate::app::App;
use crate::error::Fatal;
use crate::oauth::endpoints::{INTROSPECTION_PATH, METADATA_PATH, REVOCATION_PATH, TOKEN_PATH};
use crate::oauth::{introspection, metadata, revocation, token};
use crate::request_log::{self, Note};
use crate::{browser, cors, jwks, metrics, page, resource, token_endpoint};

/// The longest request body (login and refresh bodies are a few hundred bytes).
const MAX_BODY: usize = 16 * 1024;

/// The router of `app`.
///
/// # Errors
///
/// If the guard cannot be built from the app's settings.
pub fn router(app: &Arc<App>, cors_origins: &[String]) -> Result<Router, Fatal> {
    let guard = Guard::from_keys(app.guard_keys.clone())
        .validation(app.policy.access_rules())
        .clock(Arc::clone(&app.policy.clock))
        .dpop(DpopMode::Allowed)
        .public_origin(app.public_origin.as_str())
        .replay_store(app.state.clone())
        .revocation(app.state.clone())
        .on_reject(|rejection| {
            let reason = rejection.reason().as_str();
            let mut response = Json(serde_json::json!({ "error": reason })).into_response();
            Note::refused(&mut response, reason);
            response
        })
        .build()?;
    let protected = Router::new()
        .route("/me", get(resource::me))
        .route("/logout", post(resource::logout))
        .merge(
            Router::new()
                .route("/admin", get(resource::admin))
                .route_layer(guard.require_role("admin")),
        )
        .merge(
            Router::new()
                .route("/reports", get(resource::reports))
                .route_layer(guard.require_scope("reports:read")),
        )
        .route_layer(guard.layer());
    let api = protected.clone().with_state(Arc::clone(app));
    let mut token_api = Router::new()
        .route("/login", post(token_endpoint::login))
        .route("/refresh", post(token_endpoint::refresh))
        .route(TOKEN_PATH, post(token::token))
        .route(REVOCATION_PATH, post(revocation::revoke))
        .route(METADATA_PATH, get(metadata::metadata))
        .route("/.well-known/jwks.json", get(jwks::jwks))
        .merge(protected);
    if let Some(cors) = cors::layer(cors_origins) {
        token_api = token_api.layer(cors);
    }
    let browser_mode = page::router()
        .merge(browser::router(app, api)?)
        .layer(middleware::from_fn(page::browser_headers));
    let router = Router::new()
        .route(INTROSPECTION_PATH, post(introspection::introspect))
        .route("/healthz", get(|| async { "ok\n" }))
        .merge(metrics::router(&guard, &app.metrics))
        .merge(token_api)
        .with_state(Arc::clone(app))
        .merge(browser_mode)
        .layer(middleware::from_fn(page::every_answer))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(
            app.metrics.clone(),
            request_log::log,
        ));
    Ok(router)
}
