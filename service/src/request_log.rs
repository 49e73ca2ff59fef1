//! The request log: one line per request (method, matched route, status, the reason of a
//! refusal, `sub` when verified, latency), never a header, a body or a token. Handlers tell
//! it what it cannot see with a [`Note`] on the response. The same latency goes to the
//! metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::metrics::ServiceMetrics;

/// What a handler tells the request log: the verified subject and the reason of a refusal.
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// The verified subject.
    pub sub: Option<String>,
    /// The reason code of a refusal.
    pub reason: Option<&'static str>,
}

impl Note {
    /// A served request for `sub`.
    pub fn served(response: &mut Response, sub: Option<String>) {
        response.extensions_mut().insert(Self { sub, reason: None });
    }

    /// A refusal for `reason`.
    pub fn refused(response: &mut Response, reason: &'static str) {
        response.extensions_mut().insert(Self {
            sub: None,
            reason: Some(reason),
        });
    }
}

/// The middleware: logs each request once it is answered, and times it into `metrics`.
pub async fn log(State(metrics): State<ServiceMetrics>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let note = response
        .extensions()
        .get::<Note>()
        .cloned()
        .unwrap_or_default();
    let elapsed = started.elapsed();
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    tracing::info!(
        method = %method,
        route = %route,
        status,
        reason = note.reason.unwrap_or("-"),
        sub = note.sub.as_deref().unwrap_or("-"),
        micros,
        "request"
    );
    metrics.request(&method, route, status, elapsed);
    response
}
