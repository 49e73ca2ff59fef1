//! The browser mode's page and the headers a browser is given: `/` (static HTML), `/app.js`
//! (plain JavaScript) and `/app.css`, embedded in the binary (no build step), and two
//! middlewares: [`browser_headers`] for the page and the session routes (a strict
//! Content-Security-Policy for the page, cross-origin isolation, no caching: OWASP's Secure
//! Headers Project, `ci/headers_add.json`), [`every_answer`] for every answer of the service
//! (`nosniff`, `Referrer-Policy`, a deny-all CSP unless the answer has its own: OWASP ASVS
//! 5.0 3.4.3–3.4.6).

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page.
const INDEX: &str = include_str!("../web/index.html");
/// Its script.
const SCRIPT: &str = include_str!("../web/app.js");
/// Its style sheet.
const STYLE: &str = include_str!("../web/app.css");

/// The page's Content-Security-Policy: its own script, style and calls only; no inline
/// script or style, no plugins, no `<base>`, no framing (ASVS 3.4.3, 3.4.6), forms posted
/// here only, and DOM sinks closed to strings (Trusted Types: the script writes
/// `textContent` only).
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; object-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/// The Content-Security-Policy of every other answer (JSON, text): nothing may load,
/// nothing may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
    object-src 'none'";

/// Features the page never uses, denied to it and to anything it could embed.
const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
    magnetometer=(), microphone=(), payment=(), usb=()";

/// The routes of the page.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if content_type.starts_with("text/html") {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    response
}

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// The headers of the page and of the session routes: no caching (`no-store`), the browser
/// process isolated from other origins (COOP, COEP), no other origin may load them (CORP),
/// no framing (`X-Frame-Options` for browsers without `frame-ancestors`), no features.
pub async fn browser_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    set_if_absent(headers, header::CACHE_CONTROL, "no-store, max-age=0");
    set_if_absent(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set_if_absent(
        headers,
        HeaderName::from_static("cross-origin-embedder-policy"),
        "require-corp",
    );
    set_if_absent(
        headers,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set_if_absent(
        headers,
        HeaderName::from_static("permissions-policy"),
        PERMISSIONS_POLICY,
    );
    set_if_absent(headers, header::X_FRAME_OPTIONS, "DENY");
    set_if_absent(
        headers,
        HeaderName::from_static("x-permitted-cross-domain-policies"),
        "none",
    );
    response
}

/// The headers of every answer: `X-Content-Type-Options: nosniff` (ASVS 3.4.4),
/// `Referrer-Policy: no-referrer` (3.4.5), and [`API_CSP`] unless the answer has a CSP of
/// its own (3.4.3, 3.4.6).
pub async fn every_answer(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    set_if_absent(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_if_absent(headers, header::REFERRER_POLICY, "no-referrer");
    set_if_absent(headers, header::CONTENT_SECURITY_POLICY, API_CSP);
    response
}
