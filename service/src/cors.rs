//! CORS for the token API, the routes a script calls with an `Authorization` header (or
//! whose answer it reads: `/login`, `/refresh`, `/token`, `/revoke`, the metadata, the
//! keys): tower-http's CORS layer with the `--cors-origin` allowlist (OWASP ASVS 5.0 3.4.2:
//! the origin checked against an allowlist, never reflected), never with credentials. The
//! browser session routes, the page, `/introspect`, `/metrics` and `/healthz` never answer
//! CORS: a cookie is only ever sent same-origin (RFC 10017 §6.1).

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may keep a preflight's answer: 10 minutes (Chromium keeps at most 2
/// hours, Firefox 24; the Fetch standard's default is 5 s).
pub const MAX_AGE: Duration = Duration::from_secs(600);

/// The layer for `origins` (already checked by `--cors-origin`'s parser), or `None` when
/// there are none: no CORS at all.
#[must_use]
pub fn layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            // `Authorization` must be named: the Fetch standard's `*` never covers it.
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("dpop"),
            ])
            .expose_headers([
                header::WWW_AUTHENTICATE,
                header::RETRY_AFTER,
                HeaderName::from_static("dpop-nonce"),
            ])
            .max_age(MAX_AGE),
    )
}
