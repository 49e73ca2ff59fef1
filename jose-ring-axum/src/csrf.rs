//! Cross-site request forgery defence for routes that a browser's cookie authenticates: a
//! tower layer that lets a request through only if it carries a custom request header (which
//! a cross-site form cannot send, and a cross-origin script cannot send without a CORS
//! preflight that the application does not grant) and comes from one of the application's
//! own origins by its Fetch Metadata (`Sec-Fetch-Site: same-origin`) and its `Origin`.
//!
//! The defences of RFC 10017 §6.1 ("Cross-Site Request Forgery Protections": a static custom
//! header on every request, CORS not granted) and of OWASP's CSRF Prevention Cheat Sheet
//! ("Employing Custom Request Headers", "Fetch Metadata headers" with the `Origin` check as
//! the fallback, a request carrying neither blocked), OWASP ASVS 5.0 3.5.1–3.5.3.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ORIGIN};
use http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::cookie::cookie_value;
use crate::http::BoxFuture;

/// The header a request must carry by default: `X-Requested-With`, with any non-empty value
/// (the name OWASP's cheat sheet suggests; [`CsrfLayer::header`] pins a value).
pub const DEFAULT_HEADER: HeaderName = HeaderName::from_static("x-requested-with");

/// The Fetch Metadata request header (W3C Fetch Metadata Request Headers §2.4).
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Why [`CsrfLayer`] refused a request. Its [`code`](Self::code) is stable: for logs, metrics
/// and bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// The custom request header is missing, or has another value.
    MissingHeader,
    /// `Sec-Fetch-Site` says the request was made by another origin (`same-site`,
    /// `cross-site`) or by the person (`none`: typed in the address bar, a bookmark).
    CrossSite,
    /// `Origin` is not one of the application's origins (or is `null`).
    ForeignOrigin,
    /// Neither `Sec-Fetch-Site` nor `Origin`: nothing says where the request comes from.
    NoOrigin,
}

impl CsrfRejection {
    /// Every rejection, for tables and tests.
    pub const ALL: [Self; 4] = [
        Self::MissingHeader,
        Self::CrossSite,
        Self::ForeignOrigin,
        Self::NoOrigin,
    ];

    /// The stable code: `csrf_header_missing`, `csrf_cross_site`, `csrf_foreign_origin`,
    /// `csrf_no_origin`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::MissingHeader => "csrf_header_missing",
            Self::CrossSite => "csrf_cross_site",
            Self::ForeignOrigin => "csrf_foreign_origin",
            Self::NoOrigin => "csrf_no_origin",
        }
    }

    /// A fixed description for a person reading the answer.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::MissingHeader => "the request lacks the application's custom request header",
            Self::CrossSite => "the request was made by another site or origin",
            Self::ForeignOrigin => "the request's Origin is not the application's",
            Self::NoOrigin => "the request says neither its origin nor its site",
        }
    }

    /// The default answer: 403 with `{"error":"<code>","error_description":"…"}` and
    /// `Cache-Control: no-store`.
    #[must_use]
    pub fn response(self) -> Response {
        let body = serde_json::json!({
            "error": self.code(),
            "error_description": self.description(),
        })
        .to_string();
        let mut response = (StatusCode::FORBIDDEN, body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An origin given to [`CsrfLayer::new`] is not `scheme://host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrfConfigError(&'static str);

impl fmt::Display for CsrfConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "csrf layer: {}", self.0)
    }
}

impl std::error::Error for CsrfConfigError {}

/// Which requests the layer looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    /// Every request.
    All,
    /// Only requests carrying this cookie.
    WithCookie(String),
}

/// The rules of a [`CsrfLayer`].
#[derive(Clone, Debug)]
struct Rules {
    origins: Vec<String>,
    header: Option<(HeaderName, Option<HeaderValue>)>,
    scope: Scope,
    safe_methods_too: bool,
    on_reject: fn(CsrfRejection) -> Response,
}

/// The CSRF defence as a tower layer, for routes authenticated by a cookie (the guard's
/// [`cookie`](crate::GuardBuilder::cookie) source, or an application's session cookie).
///
/// A request it checks passes only if:
///
/// 1. it carries the custom request header (by default `X-Requested-With`, any value;
///    [`header`](Self::header) pins the name and value). Browsers send such a header
///    cross-origin only after a CORS preflight, which a route without CORS never grants; a
///    cross-site `<form>` cannot send one at all;
/// 2. its `Sec-Fetch-Site`, when present, is `same-origin` (Chromium since 76, Firefox since
///    90, Safari since 16.4 send it; `same-site` is refused: a sibling subdomain, or another
///    port of the same host, is another origin);
/// 3. its `Origin`, when present, is one of the origins given to [`new`](Self::new),
///    compared exactly (ASCII case aside);
/// 4. one of the two is present: a request that says nothing about where it comes from is
///    refused, as OWASP advises.
///
/// By default it checks the requests that may change state (any method but `GET`, `HEAD`,
/// `OPTIONS`, `TRACE`), with or without a cookie. [`cookie`](Self::cookie) narrows it to the
/// requests that carry the cookie that authenticates them; [`all_methods`](Self::all_methods)
/// widens it to every method (RFC 10017 §6.1: "every incoming request carries this static
/// header"), so that a cross-origin page cannot even trigger a read. A refusal is 403 with a
/// JSON body ([`CsrfRejection::response`], or your own: [`on_reject`](Self::on_reject)) and a
/// `tracing` event (target `jose_ring_axum`, field `reason`).
///
/// ```
/// use axum::{Router, routing::post};
/// use http::{HeaderName, HeaderValue};
/// use jose_ring_axum::CsrfLayer;
///
/// let csrf = CsrfLayer::new(["https://app.example"])?
///     .header(
///         HeaderName::from_static("x-requested-with"),
///         HeaderValue::from_static("my-app"),
///     )
///     .cookie("__Host-Http-session");
/// let app: Router = Router::new()
///     .route("/transfer", post(|| async { "done" }))
///     .layer(csrf);
/// # Ok::<(), jose_ring_axum::CsrfConfigError>(())
/// ```
///
/// The page's scripts then send the header with each call:
/// `fetch("/transfer", {method: "POST", headers: {"X-Requested-With": "my-app"}})`.
#[derive(Clone, Debug)]
pub struct CsrfLayer {
    rules: Arc<Rules>,
}

impl CsrfLayer {
    /// A layer for an application served at `origins` (each `scheme://host[:port]`, as a
    /// browser writes `Origin`: no path, no trailing `/`), requiring `X-Requested-With` on
    /// every request that may change state.
    ///
    /// # Errors
    ///
    /// [`CsrfConfigError`] if no origin is given, or one is not `http(s)://host[:port]`.
    pub fn new<I>(origins: I) -> Result<Self, CsrfConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let origins = origins
            .into_iter()
            .map(|origin| parse_origin(origin.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if origins.is_empty() {
            return Err(CsrfConfigError("at least one origin is needed"));
        }
        Ok(Self {
            rules: Arc::new(Rules {
                origins,
                header: Some((DEFAULT_HEADER, None)),
                scope: Scope::All,
                safe_methods_too: false,
                on_reject: CsrfRejection::response,
            }),
        })
    }

    fn with(self, change: impl FnOnce(&mut Rules)) -> Self {
        let mut rules = Rules::clone(&self.rules);
        change(&mut rules);
        Self {
            rules: Arc::new(rules),
        }
    }

    /// The custom request header required, with exactly this value (RFC 10017 §6.1: a
    /// static header the application and its scripts agree on).
    #[must_use]
    pub fn header(self, name: HeaderName, value: HeaderValue) -> Self {
        self.with(|rules| rules.header = Some((name, Some(value))))
    }

    /// No custom header: the `Sec-Fetch-Site` and `Origin` checks only. For a route a
    /// plain HTML form posts to (a login form: OWASP's "login CSRF"), which cannot add a
    /// header.
    #[must_use]
    pub fn without_header(self) -> Self {
        self.with(|rules| rules.header = None)
    }

    /// Checks only the requests that carry the cookie `name` (the credential a forged
    /// request would ride on); a request without it passes.
    #[must_use]
    pub fn cookie(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.with(|rules| rules.scope = Scope::WithCookie(name))
    }

    /// Checks requests of every method, `GET` and `OPTIONS` included: a cross-origin page
    /// then cannot trigger a read either (nor a preflight that gets an answer).
    #[must_use]
    pub fn all_methods(self) -> Self {
        self.with(|rules| rules.safe_methods_too = true)
    }

    /// Writes the refusal's answer (keep it 403).
    #[must_use]
    pub fn on_reject(self, respond: fn(CsrfRejection) -> Response) -> Self {
        self.with(|rules| rules.on_reject = respond)
    }

    /// What the layer decides for a request with this `method` and these `headers`:
    /// `Ok(())` to let it through. Public for other transports and for tests.
    ///
    /// # Errors
    ///
    /// The [`CsrfRejection`] of a refused request.
    pub fn check(&self, method: &Method, headers: &http::HeaderMap) -> Result<(), CsrfRejection> {
        let rules = &*self.rules;
        if !rules.safe_methods_too && is_safe(method) {
            return Ok(());
        }
        if let Scope::WithCookie(name) = &rules.scope {
            if cookie_value(headers, name).is_none() {
                return Ok(());
            }
        }
        if let Some((name, value)) = &rules.header {
            let present = match (headers.get(name), value) {
                (Some(found), Some(value)) => found == value,
                (Some(found), None) => !found.is_empty(),
                (None, _) => false,
            };
            if !present {
                return Err(CsrfRejection::MissingHeader);
            }
        }
        let site = headers.get(SEC_FETCH_SITE);
        if site.is_some_and(|site| site != "same-origin") {
            return Err(CsrfRejection::CrossSite);
        }
        let origin = headers.get(ORIGIN);
        if let Some(origin) = origin {
            let known = origin.to_str().is_ok_and(|origin| {
                rules
                    .origins
                    .iter()
                    .any(|ours| ours.eq_ignore_ascii_case(origin))
            });
            if !known {
                return Err(CsrfRejection::ForeignOrigin);
            }
        }
        if site.is_none() && origin.is_none() {
            return Err(CsrfRejection::NoOrigin);
        }
        Ok(())
    }
}

/// Methods that must not change state (RFC 9110 §9.2.1).
fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// `origin` as a browser writes it in `Origin` (`http(s)://host[:port]`, no path, no
/// trailing `/`), lowercased: the check [`CsrfLayer::new`] makes of its origins, public for
/// an application's other origin lists (a CORS allowlist).
///
/// ```
/// use jose_ring_axum::parse_origin;
/// assert_eq!(parse_origin("https://App.example:8443").as_deref(), Ok("https://app.example:8443"));
/// assert!(parse_origin("https://app.example/").is_err());
/// ```
///
/// # Errors
///
/// [`CsrfConfigError`] if it is not one.
pub fn parse_origin(origin: &str) -> Result<String, CsrfConfigError> {
    let (scheme, rest) = origin
        .split_once("://")
        .ok_or(CsrfConfigError("an origin is scheme://host[:port]"))?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(CsrfConfigError("an origin's scheme is http or https"));
    }
    let bad = |b: u8| b.is_ascii_whitespace() || b"/?#@".contains(&b);
    if rest.is_empty() || rest.bytes().any(bad) {
        return Err(CsrfConfigError(
            "an origin has a host and no path, query, fragment or user",
        ));
    }
    Ok(origin.to_ascii_lowercase())
}

impl<S> Layer<S> for CsrfLayer {
    type Service = CsrfService<S>;

    fn layer(&self, inner: S) -> CsrfService<S> {
        CsrfService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of a [`CsrfLayer`].
#[derive(Clone, Debug)]
pub struct CsrfService<S> {
    inner: S,
    layer: CsrfLayer,
}

impl<S, B> Service<Request<B>> for CsrfService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        match self.layer.check(request.method(), request.headers()) {
            Ok(()) => {
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                Box::pin(inner.call(request))
            }
            Err(rejection) => {
                tracing::info!(
                    reason = rejection.code(),
                    method = %request.method(),
                    path = request.uri().path(),
                    "request refused: cross-site request forgery defence"
                );
                let response = (self.layer.rules.on_reject)(rejection);
                Box::pin(std::future::ready(Ok(response)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    const APP: &str = "https://app.example";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn strict() -> CsrfLayer {
        CsrfLayer::new([APP])
            .unwrap()
            .header(DEFAULT_HEADER, HeaderValue::from_static("app"))
    }

    #[test]
    fn origins_must_be_scheme_host_and_port() {
        for bad in [
            "app.example",
            "ftp://app.example",
            "https://",
            "https://app.example/",
            "https://app.example/path",
            "https://user@app.example",
            "https://app.example?q",
        ] {
            assert!(CsrfLayer::new([bad]).is_err(), "{bad}");
        }
        assert_eq!(
            CsrfLayer::new(Vec::<String>::new()).err(),
            Some(CsrfConfigError("at least one origin is needed"))
        );
        assert!(CsrfLayer::new(["HTTPS://App.Example:8443", "http://127.0.0.1:80"]).is_ok());
    }

    #[test]
    fn a_same_origin_script_passes() {
        let layer = strict();
        for pairs in [
            vec![
                ("x-requested-with", "app"),
                ("sec-fetch-site", "same-origin"),
                ("origin", APP),
            ],
            // An older browser: no Fetch Metadata, the Origin alone.
            vec![
                ("x-requested-with", "app"),
                ("origin", "HTTPS://APP.example"),
            ],
            // Fetch Metadata alone (a same-origin GET carries no Origin).
            vec![
                ("x-requested-with", "app"),
                ("sec-fetch-site", "same-origin"),
            ],
        ] {
            assert_eq!(
                layer.check(&Method::POST, &headers(&pairs)),
                Ok(()),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn each_forgery_is_refused_with_its_reason() {
        let layer = strict();
        let cases = [
            // A cross-site form: no custom header.
            (
                vec![
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://evil.example"),
                ],
                CsrfRejection::MissingHeader,
            ),
            (
                vec![("x-requested-with", "other"), ("origin", APP)],
                CsrfRejection::MissingHeader,
            ),
            // Another port of the same host: same-site, another origin.
            (
                vec![
                    ("x-requested-with", "app"),
                    ("sec-fetch-site", "same-site"),
                    ("origin", "https://app.example:8443"),
                ],
                CsrfRejection::CrossSite,
            ),
            (
                vec![("x-requested-with", "app"), ("sec-fetch-site", "none")],
                CsrfRejection::CrossSite,
            ),
            (
                vec![
                    ("x-requested-with", "app"),
                    ("origin", "https://app.example.evil"),
                ],
                CsrfRejection::ForeignOrigin,
            ),
            (
                vec![
                    ("x-requested-with", "app"),
                    ("sec-fetch-site", "same-origin"),
                    ("origin", "null"),
                ],
                CsrfRejection::ForeignOrigin,
            ),
            (vec![("x-requested-with", "app")], CsrfRejection::NoOrigin),
        ];
        for (pairs, rejection) in cases {
            assert_eq!(
                layer.check(&Method::POST, &headers(&pairs)),
                Err(rejection),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn safe_methods_pass_unless_every_method_is_checked() {
        let forged = headers(&[("sec-fetch-site", "cross-site")]);
        for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
            assert_eq!(strict().check(&method, &forged), Ok(()));
            assert_eq!(
                strict().all_methods().check(&method, &forged),
                Err(CsrfRejection::MissingHeader)
            );
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(
                strict().check(&method, &forged),
                Err(CsrfRejection::MissingHeader)
            );
        }
    }

    #[test]
    fn the_default_header_takes_any_value_and_can_be_dropped() {
        let layer = CsrfLayer::new([APP]).unwrap();
        let with = |value| headers(&[("x-requested-with", value), ("origin", APP)]);
        assert_eq!(layer.check(&Method::POST, &with("XMLHttpRequest")), Ok(()));
        assert_eq!(
            layer.check(&Method::POST, &with("")),
            Err(CsrfRejection::MissingHeader)
        );
        let form = headers(&[("origin", APP), ("sec-fetch-site", "same-origin")]);
        assert_eq!(layer.without_header().check(&Method::POST, &form), Ok(()));
    }

    #[test]
    fn with_a_cookie_named_only_requests_carrying_it_are_checked() {
        let layer = strict().cookie("__Host-Http-session");
        let anonymous = headers(&[("origin", "https://evil.example")]);
        assert_eq!(layer.check(&Method::POST, &anonymous), Ok(()));
        let riding = headers(&[
            ("origin", "https://evil.example"),
            ("cookie", "__Host-Http-session=abc"),
        ]);
        assert_eq!(
            layer.check(&Method::POST, &riding),
            Err(CsrfRejection::MissingHeader)
        );
    }

    #[test]
    fn codes_are_distinct_and_the_answer_is_403_json() {
        let codes: std::collections::HashSet<_> =
            CsrfRejection::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), CsrfRejection::ALL.len());
        let response = CsrfRejection::CrossSite.response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    }
}
