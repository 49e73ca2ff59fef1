//! `jose verify --jwks-uri` and `--issuer`: the keys fetched over HTTP.
//!
//! The library does no I/O; this module is the CLI's small HTTP client around it: ureq,
//! blocking, over rustls with ring (the library's own crypto; no OpenSSL, no aws-lc), trusting
//! Mozilla's roots compiled in from `webpki-roots` (the same answer on every machine, and in a
//! container without a CA bundle; a private CA is not trusted). Every fetch:
//!
//! - is a `GET` of an `https` URI; `http` only with `--allow-http-loopback` and only to
//!   127.0.0.1, `[::1]` or `localhost` (for tests), never through a proxy (https goes through
//!   the one `HTTPS_PROXY`/`ALL_PROXY` name, as ureq reads them);
//! - must end within `--timeout` (connecting, TLS, headers and body; 10 s by default), of
//!   which connecting may take at most 5 s;
//! - reads at most the library's limit of body: `Limits::jwks_len` (1 MiB) for a JWK Set,
//!   `jwks::MAX_DOCUMENT_LEN` (64 KiB) for a discovery document; a larger `Content-Length` is
//!   refused before reading, and a body without one stops being read there;
//! - follows no redirect (a `3xx` is an error naming where it points): the URIs are
//!   configuration, and a moved key set is for the operator to see, as panva/jose's remote
//!   key set does;
//! - needs `200 OK`; any other status is an error (exit 2).
//!
//! A token whose `kid` the fetched set does not have gets the set fetched once more (with
//! `Cache-Control: no-cache`, past any cache in between), in case the keys rotated since;
//! a second miss rejects the token. The CLI verifies one token per run, so this one retry is
//! its whole refresh policy.

use std::io::ErrorKind;
use std::time::Duration;

use clap::{Args, ValueEnum};
use jose_ring::jwa::Algorithm;
use jose_ring::jwk::JwkSet;
use jose_ring::jwks::{self, UriPolicy, WellKnown};
use jose_ring::jwt::{self, Validation};
use jose_ring::{Error, KeySetError, Limits, NoKey};
use ureq::Agent;
use ureq::http::StatusCode;

use crate::fail::Failure;
use crate::keys::Keys;
use crate::ordered::Json;

/// Where `jose verify` fetches its keys from, and how.
#[derive(Args)]
pub(crate) struct FetchArgs {
    /// Fetch the keys: the JWK Set at this https URI.
    #[arg(long, value_name = "URI")]
    jwks_uri: Option<String>,
    /// Fetch the keys of this issuer: its discovery document, then its jwks_uri. The
    /// document's issuer and the token's iss must equal URL exactly.
    #[arg(long, value_name = "URL", conflicts_with_all = ["issuers", "jwks_uri"])]
    issuer: Option<String>,
    /// Which discovery document --issuer reads (default: oidc).
    #[arg(long, value_enum, value_name = "KIND", conflicts_with_all = ["key", "jwks_uri"])]
    discovery: Option<Discovery>,
    /// Seconds each fetch may take in all (connecting, TLS, the answer).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = "10",
        value_parser = seconds,
        conflicts_with = "key"
    )]
    timeout: Duration,
    /// Allow http:// to 127.0.0.1, ::1 or localhost (for tests); https is needed otherwise.
    #[arg(long, conflicts_with = "key")]
    allow_http_loopback: bool,
}

/// The discovery document of an issuer.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Discovery {
    /// OpenID Connect Discovery 1.0: ISSUER/.well-known/openid-configuration.
    Oidc,
    /// OAuth 2.0 Authorization Server Metadata (RFC 8414):
    /// /.well-known/oauth-authorization-server inserted before the issuer's path.
    Oauth,
}

/// Fetches the keys `args` name and verifies `token` with them and `rules` (with `--issuer`,
/// `iss` must also equal the issuer); `notes` gets the keys of the set left out.
pub(crate) fn decode(
    args: &FetchArgs,
    algs: &[&'static Algorithm],
    token: &str,
    rules: Validation,
    notes: &mut Vec<String>,
) -> Result<jwt::Verified<Json>, Failure> {
    let client = Client::new(args);
    let (jwks_uri, algs, rules) = match (&args.jwks_uri, &args.issuer) {
        (Some(uri), _) => (uri.clone(), algs.to_vec(), rules),
        (None, Some(issuer)) => {
            let jwks_uri = discover(&client, issuer, args.discovery.unwrap_or(Discovery::Oidc))?;
            // What the keys allow (each one's `alg`, or its kty and crv), narrowed by --alg;
            // never the document's ID-token algorithms.
            let algs = if algs.is_empty() {
                jose_ring::jwa::ASYMMETRIC.to_vec()
            } else {
                algs.to_vec()
            };
            (jwks_uri, algs, rules.with_issuer(issuer))
        }
        (None, None) => {
            return Err(Failure::Usage(
                "give the keys: --key, --jwks-uri or --issuer".into(),
            ));
        }
    };
    let (keys, skipped) = client.key_set(&jwks_uri, &algs, Fresh::Any)?;
    *notes = skipped;
    match jwt::decode(token, &keys, &rules) {
        Err(Error::NoKey(NoKey::UnknownKid)) => {
            // The set may have rotated since it was fetched (or a cache served an old one).
            let (keys, skipped) = client.key_set(&jwks_uri, &algs, Fresh::Revalidated)?;
            *notes = skipped;
            Ok(jwt::decode(token, &keys, &rules)?)
        }
        verified => Ok(verified?),
    }
}

/// The issuer's `jwks_uri`, from its discovery document.
fn discover(client: &Client, issuer: &str, kind: Discovery) -> Result<String, Failure> {
    let well_known = match kind {
        Discovery::Oidc => WellKnown::OpenIdConfiguration,
        Discovery::Oauth => WellKnown::OAuthAuthorizationServer,
    };
    let policy = if client.allow_http_loopback {
        UriPolicy::AllowHttpLoopback
    } else {
        UriPolicy::HttpsOnly
    };
    let uri = jwks::discovery_uri(issuer, well_known, policy)
        .map_err(|e| Failure::usage("--issuer", e))?;
    let what = format!("the discovery document at {uri}");
    let body = client.get(
        &what,
        &uri,
        "application/json",
        jwks::MAX_DOCUMENT_LEN,
        Fresh::Any,
    )?;
    let found = jwks::Discovery::from_json(&body, issuer, policy).map_err(|e| match e {
        Error::KeySet(KeySetError::IssuerMismatch) => Failure::Usage(format!(
            "{what}: its issuer is not {issuer} (the URL must be the issuer exactly as the \
             document and the tokens write it)"
        )),
        other => Failure::usage(&what, other),
    })?;
    Ok(found.jwks_uri().to_owned())
}

/// Parses `--timeout`: a positive number of seconds, fractions allowed.
fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| "expected a positive number of seconds".into())
}

/// Whether a fetch may be answered from a cache.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fresh {
    /// Any answer will do.
    Any,
    /// Caches on the way must check with the server first (`Cache-Control: no-cache`).
    Revalidated,
}

/// The HTTP client of one run.
struct Client {
    /// For https URIs, through the proxy the environment names, if any.
    https: Agent,
    /// For http URIs on loopback (`--allow-http-loopback`), never through a proxy.
    loopback: Agent,
    timeout: Duration,
    allow_http_loopback: bool,
    limits: Limits,
}

impl Client {
    fn new(args: &FetchArgs) -> Self {
        let agent = |https_only: bool, direct: bool| {
            let mut config = Agent::config_builder()
                .https_only(https_only)
                .max_redirects(0)
                .http_status_as_error(false)
                .timeout_global(Some(args.timeout))
                .timeout_connect(Some(args.timeout.min(Duration::from_secs(5))))
                .user_agent(concat!("jose/", env!("CARGO_PKG_VERSION")));
            if direct {
                config = config.proxy(None);
            }
            Agent::new_with_config(config.build())
        };
        Self {
            https: agent(true, false),
            loopback: agent(false, true),
            timeout: args.timeout,
            allow_http_loopback: args.allow_http_loopback,
            limits: Limits::default(),
        }
    }

    /// The JWK Set at `uri`, bound for `algs` (as `--key` binds a JWK Set file).
    fn key_set(
        &self,
        uri: &str,
        algs: &[&'static Algorithm],
        fresh: Fresh,
    ) -> Result<(Keys, Vec<String>), Failure> {
        let what = format!("the JWKS at {uri}");
        let accept = "application/jwk-set+json, application/json";
        let body = self.get(&what, uri, accept, self.limits.jwks_len(), fresh)?;
        let set = JwkSet::from_json_with_limits(&body, &self.limits)
            .map_err(|e| Failure::usage(&what, e))?;
        Keys::verifying(&set, algs, &what, "the JWKS")
    }

    /// The body of a `200 OK` answer to `GET uri`, at most `limit` bytes; `what` names it in
    /// messages.
    fn get(
        &self,
        what: &str,
        uri: &str,
        accept: &str,
        limit: usize,
        fresh: Fresh,
    ) -> Result<Vec<u8>, Failure> {
        let failed =
            |why: &dyn std::fmt::Display| Failure::Usage(format!("cannot fetch {what}: {why}"));
        let agent = match target(uri, self.allow_http_loopback).map_err(|why| failed(&why))? {
            Target::Https => &self.https,
            Target::Loopback => &self.loopback,
        };
        let mut request = agent.get(uri).header("accept", accept);
        if fresh == Fresh::Revalidated {
            request = request.header("cache-control", "no-cache");
        }
        let mut response = request.call().map_err(|e| failed(&self.explain(e)))?;
        let status = response.status();
        if status != StatusCode::OK {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .filter(|l| l.len() <= 512);
            return Err(failed(&match location {
                Some(to) if status.is_redirection() => format!(
                    "the server answered {status}, to {to}: redirects are not followed (give \
                     the URI it points to)"
                ),
                _ => format!("the server answered {status}"),
            }));
        }
        let max = u64::try_from(limit).unwrap_or(u64::MAX);
        if response
            .body()
            .content_length()
            .is_some_and(|len| len > max)
        {
            return Err(failed(&format!("the body is larger than {limit} bytes")));
        }
        response
            .body_mut()
            .with_config()
            .limit(max)
            .read_to_vec()
            .map_err(|e| failed(&self.explain(e)))
    }

    /// A fetch error in words.
    fn explain(&self, error: ureq::Error) -> String {
        match error {
            ureq::Error::Timeout(_) => format!(
                "no complete answer within {} s (--timeout)",
                self.timeout.as_secs_f64()
            ),
            ureq::Error::BodyExceedsLimit(limit) => {
                format!("the body is larger than {limit} bytes")
            }
            // The kind alone where it says it all (`connection refused`, without `os error 111`).
            ureq::Error::Io(e) => match e.kind() {
                ErrorKind::ConnectionRefused
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::UnexpectedEof
                | ErrorKind::TimedOut => e.kind().to_string(),
                _ => e.to_string(),
            },
            other => other.to_string(),
        }
    }
}

/// How a URI is fetched.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Https,
    /// `http` to a loopback host, allowed by `--allow-http-loopback`.
    Loopback,
}

/// Why an `http` URI is refused without `--allow-http-loopback`.
const HTTP_REFUSED: &str = "http is refused: keys come over https (--allow-http-loopback \
                            allows http to 127.0.0.1, [::1] or localhost, for tests)";

/// How `uri` may be fetched, if at all: `https`, or `http` to 127.0.0.1, `[::1]` or
/// `localhost` when `allow_http_loopback`.
fn target(uri: &str, allow_http_loopback: bool) -> Result<Target, String> {
    let (scheme, rest) = uri.split_once("://").unwrap_or_default();
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(Target::Https);
    }
    if !scheme.eq_ignore_ascii_case("http") {
        return Err("not an https URI".into());
    }
    if !allow_http_loopback {
        return Err(HTTP_REFUSED.into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(host, _)| host),
        None => authority.split(':').next(),
    };
    match host {
        Some(host)
            if !authority.contains('@')
                && ["127.0.0.1", "::1", "localhost"]
                    .iter()
                    .any(|h| host.eq_ignore_ascii_case(h)) =>
        {
            Ok(Target::Loopback)
        }
        _ => Err("--allow-http-loopback allows http only to 127.0.0.1, [::1] or localhost".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(target("https://a.example/k", false), Ok(Target::Https));
        assert_eq!(target("HTTPS://a.example", false), Ok(Target::Https));
        for uri in [
            "http://127.0.0.1:80/jwks",
            "http://[::1]:8080",
            "http://LOCALHOST/x",
            "http://localhost?x",
        ] {
            assert_eq!(target(uri, true), Ok(Target::Loopback), "{uri}");
            assert_eq!(target(uri, false), Err(HTTP_REFUSED.into()), "{uri}");
        }
        for uri in [
            "http://127.0.0.1.example/",
            "http://localhost@evil.example/",
            "http://evil.example#@127.0.0.1",
            "http://user@127.0.0.1/",
            "http://[::2]/",
            "http://127.0.0.2/",
        ] {
            assert_eq!(
                target(uri, true),
                Err(
                    "--allow-http-loopback allows http only to 127.0.0.1, [::1] or localhost"
                        .into()
                ),
                "{uri}"
            );
        }
        for uri in ["ftp://a.example", "a.example/jwks", "file:///etc/passwd"] {
            assert_eq!(target(uri, true), Err("not an https URI".into()), "{uri}");
        }
    }

    #[test]
    fn timeouts() {
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "NaN", "inf", "1e300", "x"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
