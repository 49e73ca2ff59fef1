//! The HTTP client that fetches discovery documents and key sets: a trait you can implement
//! (custom CA, mTLS, proxy, another runtime's client), and a default on reqwest.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use jose_ring::jwks::{Request, Response};

/// A boxed, sendable future: what the dyn-compatible traits of this crate return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a fetch gave no response. Its text never contains a body.
#[derive(Debug)]
#[non_exhaustive]
pub enum FetchError {
    /// No response within the time allowed.
    Timeout,
    /// The body is longer than the request allows ([`Request::max_len`]: 64 KiB for a
    /// discovery document, [`jose_ring::Limits::jwks_len`] for a key set) or the client reads.
    TooLarge,
    /// The connection failed, or the client failed otherwise.
    Network(Box<dyn std::error::Error + Send + Sync>),
    /// The client does not make this kind of request (a `GET`-only client asked for a
    /// [`post_form`](HttpClient::post_form)).
    Unsupported,
}

impl FetchError {
    /// A network failure with its cause.
    #[must_use]
    pub fn network(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Network(cause.into())
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("fetch timed out"),
            Self::TooLarge => f.write_str("response body too large"),
            Self::Network(cause) => write!(f, "fetch failed: {cause}"),
            Self::Unsupported => f.write_str("the http client does not make this request"),
        }
    }
}

impl std::error::Error for FetchError {}

/// An HTTP client for `GET` requests: the guard's only way to the network.
///
/// Answer every HTTP status as a [`Response`] (the cache decides what a 404 or a 500 means);
/// return an error only when there is no response. Stop reading a body beyond
/// [`Request::max_len`] (64 KiB for a discovery document, [`jose_ring::Limits::jwks_len`],
/// 1 MiB by default, for a key set) with [`FetchError::TooLarge`], and bound the whole request
/// in time. Do not follow redirects to another scheme.
///
/// ```
/// use jose_ring::jwks::{Request, Response};
/// use jose_ring_axum::{BoxFuture, FetchError, HttpClient};
///
/// /// A client that serves one fixed key set: for tests without a network.
/// struct Fixed(&'static str);
///
/// impl HttpClient for Fixed {
///     fn get<'a>(&'a self, _request: &'a Request) -> BoxFuture<'a, Result<Response, FetchError>> {
///         Box::pin(async move { Ok(Response::new(200, self.0.as_bytes().to_vec())) })
///     }
/// }
/// ```
pub trait HttpClient: Send + Sync + 'static {
    /// `GET` [`request.uri()`](Request::uri), with `If-None-Match:`
    /// [`request.if_none_match()`](Request::if_none_match) when given, reading at most
    /// [`request.max_len()`](Request::max_len) bytes of the body.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] when there is no response (network, timeout, body too large).
    fn get<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, FetchError>>;

    /// `POST` [`request.uri()`](FormPost::uri) with its [`headers`](FormPost::headers) and
    /// its `application/x-www-form-urlencoded` [`body`](FormPost::body), reading at most
    /// [`request.max_len()`](FormPost::max_len) bytes of the answer: a token introspection
    /// request (RFC 7662 §2.1). The default answers [`FetchError::Unsupported`]: a `GET`-only
    /// client still serves key sets.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] when there is no response (network, timeout, body too large).
    fn post_form<'a>(
        &'a self,
        request: &'a FormPost,
    ) -> BoxFuture<'a, Result<Response, FetchError>> {
        let _ = request;
        Box::pin(async { Err(FetchError::Unsupported) })
    }
}

/// A `POST` with an `application/x-www-form-urlencoded` body (a token introspection request,
/// RFC 7662 §2.1): the URI, the header fields (`authorization`, `accept`) and the encoded
/// form. It holds credentials and a token: its `Debug` shows the URI only.
///
/// ```
/// use jose_ring_axum::FormPost;
/// let post = FormPost::new("https://as.example/introspect", 65_536)
///     .with_header("accept", "application/json")
///     .with_field("token", "a b&c");
/// assert_eq!(post.body(), "token=a+b%26c");
/// assert_eq!(post.headers().collect::<Vec<_>>(), [("accept", "application/json")]);
/// assert_eq!(format!("{post:?}"), r#"FormPost { uri: "https://as.example/introspect", .. }"#);
/// ```
#[derive(Clone)]
pub struct FormPost {
    uri: String,
    headers: Vec<(String, String)>,
    body: String,
    max_len: usize,
}

impl fmt::Debug for FormPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormPost")
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

impl FormPost {
    /// A `POST` to `uri` with an empty form, whose answer may be `max_len` bytes long.
    #[must_use]
    pub fn new(uri: impl Into<String>, max_len: usize) -> Self {
        Self {
            uri: uri.into(),
            headers: Vec::new(),
            body: String::new(),
            max_len,
        }
    }

    /// Adds the header field `name: value`.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds the form field `name=value`, encoded (`application/x-www-form-urlencoded`).
    #[must_use]
    pub fn with_field(mut self, name: &str, value: &str) -> Self {
        if !self.body.is_empty() {
            self.body.push('&');
        }
        form_encode_into(&mut self.body, name);
        self.body.push('=');
        form_encode_into(&mut self.body, value);
        self
    }

    /// Where.
    #[must_use]
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The header fields to send (besides `content-type`).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The encoded form, sent with `content-type: application/x-www-form-urlencoded`.
    #[must_use]
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The most bytes of the answer worth reading.
    #[must_use]
    pub fn max_len(&self) -> usize {
        self.max_len
    }
}

/// Appends `value` `application/x-www-form-urlencoded` (the WHATWG URL standard's
/// serializer: `*-._` and alphanumerics as they are, space as `+`, every other byte `%XX`).
pub(crate) fn form_encode_into(out: &mut String, value: &str) {
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                for nibble in [byte >> 4, byte & 0x0F] {
                    out.push(
                        char::from_digit(u32::from(nibble), 16)
                            .map_or('0', |c| c.to_ascii_uppercase()),
                    );
                }
            }
        }
    }
}

#[cfg(feature = "reqwest")]
pub use reqwest_client::ReqwestClient;

#[cfg(feature = "reqwest")]
mod reqwest_client {
    use std::time::Duration;

    use jose_ring::Limits;
    use jose_ring::jwks::{Request, Response};

    use super::{BoxFuture, FetchError, FormPost, HttpClient};

    /// The default [`HttpClient`] (feature `reqwest`): reqwest over rustls with ring and
    /// Mozilla's roots, no redirects, a 5 s connect and a 10 s overall timeout, bodies read up
    /// to the request's [`max_len`](Request::max_len) (64 KiB for a discovery document, 1 MiB
    /// for a key set) and at most [`max_body`](Self::max_body).
    ///
    /// Bring your own `reqwest::Client` (a custom CA, a client certificate, a proxy) with
    /// [`from_client`](Self::from_client).
    #[derive(Clone, Debug)]
    pub struct ReqwestClient {
        client: reqwest::Client,
        max_body: usize,
    }

    impl ReqwestClient {
        /// The default client.
        ///
        /// # Errors
        ///
        /// [`FetchError::Network`] if reqwest cannot build its client (TLS set-up).
        pub fn new() -> Result<Self, FetchError> {
            let client = reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(FetchError::network)?;
            Ok(Self::from_client(client))
        }

        /// Wraps a client you configured; bodies are still read up to the limit.
        #[must_use]
        pub fn from_client(client: reqwest::Client) -> Self {
            Self {
                client,
                max_body: Limits::DEFAULT.jwks_len(),
            }
        }

        /// Sets the most bytes of any body read (default [`Limits::jwks_len`]), below each
        /// request's own [`max_len`](Request::max_len); a longer body is
        /// [`FetchError::TooLarge`].
        #[must_use]
        pub fn max_body(mut self, bytes: usize) -> Self {
            self.max_body = bytes;
            self
        }

        async fn fetch(&self, wanted: &Request) -> Result<Response, FetchError> {
            let max_body = self.max_body.min(wanted.max_len());
            let mut request = self.client.get(wanted.uri());
            if let Some(etag) = wanted.if_none_match() {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            let response = request.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let header = |name: reqwest::header::HeaderName| {
                let values: Vec<&str> = response
                    .headers()
                    .get_all(name)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                (!values.is_empty()).then(|| values.join(", "))
            };
            let etag = header(reqwest::header::ETAG);
            let cache_control = header(reqwest::header::CACHE_CONTROL);
            let body = read_body(response, max_body).await?;
            let mut out = Response::new(status, body);
            if let Some(etag) = etag {
                out = out.with_etag(etag);
            }
            if let Some(cache_control) = cache_control {
                out = out.with_cache_control(cache_control);
            }
            Ok(out)
        }
    }

    impl ReqwestClient {
        async fn post(&self, wanted: &FormPost) -> Result<Response, FetchError> {
            let max_body = self.max_body.min(wanted.max_len());
            let mut request = self
                .client
                .post(wanted.uri())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(wanted.body().to_owned());
            for (name, value) in wanted.headers() {
                request = request.header(name, value);
            }
            let response = request.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let body = read_body(response, max_body).await?;
            Ok(Response::new(status, body))
        }
    }

    /// Reads a body of at most `max_body` bytes.
    async fn read_body(
        mut response: reqwest::Response,
        max_body: usize,
    ) -> Result<Vec<u8>, FetchError> {
        if response
            .content_length()
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > max_body))
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len().saturating_add(chunk.len()) > max_body {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// A reqwest error as a [`FetchError`].
    fn classify(error: reqwest::Error) -> FetchError {
        if error.is_timeout() {
            FetchError::Timeout
        } else {
            FetchError::network(error)
        }
    }

    impl HttpClient for ReqwestClient {
        fn get<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Response, FetchError>> {
            Box::pin(self.fetch(request))
        }

        fn post_form<'a>(
            &'a self,
            request: &'a FormPost,
        ) -> BoxFuture<'a, Result<Response, FetchError>> {
            Box::pin(self.post(request))
        }
    }
}
