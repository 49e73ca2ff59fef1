//! `GET /.well-known/jwks.json`: the published keys, and how long caches may keep them
//! (`max-age`, which `rotate-key`'s activation lead covers: [`crate::keys::activation_lead`]).

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::App;

/// The handler.
pub(crate) async fn jwks(AxumState(app): AxumState<Arc<App>>) -> Response {
    let keys = app.keys();
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jwk-set+json"),
            ),
            (header::CACHE_CONTROL, app.jwks_cache_control.clone()),
        ],
        keys.jwks_json().to_owned(),
    )
        .into_response()
}
