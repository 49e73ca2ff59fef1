//! `GET /.well-known/oauth-authorization-server`: the RFC 8414 authorization server metadata
//! ([`Endpoints`](crate::oauth::endpoints::Endpoints)), without credentials, cacheable as long
//! as the JWK Set.

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::App;

/// The handler.
pub(crate) async fn metadata(AxumState(app): AxumState<Arc<App>>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, app.jwks_cache_control.clone()),
        ],
        app.endpoints.document.clone(),
    )
        .into_response()
}
