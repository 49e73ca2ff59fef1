//! `jose verify --jwks-uri` and `--issuer`: the keys fetched over HTTP.
//!
//! The library does no I/O; this module is the CLI's small HTTP client around it: ureq,
//! blocking, over rustls with ring (the library's own crypto; no OpenSSL, no aws-lc), trusting
//! Mozilla's roots compiled in from `webpki-roots` (the same answer on every machine, and in a
//! container without a CA bundle; a private CA is not trusted). Every fetch:
//!
//! - is a `GET` of a URI the library's rule allows (`UriPolicy::check_url`, as the guard uses
//!   it): `https`; `http` only with `--allow-http-loopback` and only to 127.0.0.1, `[::1]` or
//!   `localhost` (for tests), never through a proxy (https goes through the one
//!   `HTTPS_PROXY`/`ALL_PROXY` name, as ureq reads them); no user information, no fragment;
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
//! The keys decide the algorithms, as for the guard: each fetched JWK verifies the one its
//! `alg` names, or every one its `kty`/`crv` fits (`jwa::ASYMMETRIC`), narrowed by `--alg`;
//! a discovery document's `id_token_signing_alg_values_supported` describes ID tokens and is
//! not used.
//!
//! A token whose `kid` the fetched set does not have gets the set fetched once more (with
//! `Cache-Control: no-cache`, past any cache in between), in case the keys rotated since;
//! a second miss rejects the token. The CLI verifies one token per run, so this one retry is
//! its whole refresh policy.

use std::io::ErrorKind;
use std::time::Duration;

use clap::{Args, ValueEnum};
use jose_ring::jwa::{self, Algorithm};
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

/// Fetches the keys `args` name and verifies `token` with them, for the algorithms the keys
/// allow (`jwa::ASYMMETRIC`) or the asymmetric `algs` given, and `rules` (with `--issuer`,
/// `iss` must also equal the issuer); `notes` gets the keys of the set left out.
pub(crate) fn decode(
    args: &FetchArgs,
    algs: &[&'static Algorithm],
    token: &str,
    rules: Validation,
    notes: &mut Vec<String>,
) -> Result<jwt::Verified<Json>, Failure> {
    // Whoever can fetch a key set can read it: a shared secret there would let anyone sign.
    if let Some(alg) = algs.iter().find(|alg| alg.is_symmetric()) {
        return Err(Failure::Usage(format!(
            "--alg {}: fetched keys verify with public keys only; an HMAC secret comes from a \
             file (--key)",
            alg.name()
        )));
    }
    let client = Client::new(args);
    // What the keys allow (each one's `alg`, or its kty and crv), narrowed by --alg; never a
    // discovery document's ID-token algorithms.
    let algs: &[&'static Algorithm] = if algs.is_empty() {
        &jwa::ASYMMETRIC
    } else {
        algs
    };
    let (jwks_uri, rules) = match (&args.jwks_uri, &args.issuer) {
        (Some(uri), _) => (uri.clone(), rules),
        (None, Some(issuer)) => {
            let jwks_uri = discover(&client, issuer, args.discovery.unwrap_or(Discovery::Oidc))?;
            (jwks_uri, rules.with_issuer(issuer))
        }
        (None, None) => {
            return Err(Failure::Usage(
                "give the keys: --key, --jwks-uri or --issuer".into(),
            ));
        }
    };
    let (keys, skipped) = client.key_set(&jwks_uri, algs, Fresh::Any)?;
    *notes = skipped;
    match jwt::decode(token, &keys, &rules) {
        Err(Error::NoKey(NoKey::UnknownKid)) => {
            // The set may have rotated since it was fetched (or a cache served an old one).
            let (keys, skipped) = client.key_set(&jwks_uri, algs, Fresh::Revalidated)?;
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
    let uri = jwks::discovery_uri(issuer, well_known, client.policy)
        .map_err(|e| Failure::Usage(format!("--issuer: {}", client.refusal(issuer, &e))))?;
    let what = Document::Discovery.at(&uri);
    let body = client.get(Document::Discovery, &uri, Fresh::Any)?;
    let found = jwks::Discovery::from_json(&body, issuer, client.policy).map_err(|e| match e {
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

/// What a fetch reads.
#[derive(Clone, Copy)]
enum Document {
    /// A JWK Set (a `jwks_uri` or `--jwks-uri`).
    KeySet,
    /// An OpenID Connect Discovery or RFC 8414 document.
    Discovery,
}

impl Document {
    /// `the JWKS at URI`, for messages.
    fn at(self, uri: &str) -> String {
        match self {
            Self::KeySet => format!("the JWKS at {uri}"),
            Self::Discovery => format!("the discovery document at {uri}"),
        }
    }

    /// The URI's name in the library's refusal.
    fn uri_name(self) -> &'static str {
        match self {
            Self::KeySet => "jwks_uri",
            Self::Discovery => "discovery document URI",
        }
    }

    /// The `Accept` header.
    fn accept(self) -> &'static str {
        match self {
            Self::KeySet => "application/jwk-set+json, application/json",
            Self::Discovery => "application/json",
        }
    }

    /// The most bytes read: the library's limits.
    fn limit(self, limits: &Limits) -> usize {
        match self {
            Self::KeySet => limits.jwks_len(),
            Self::Discovery => jwks::MAX_DOCUMENT_LEN,
        }
    }
}

/// The HTTP client of one run.
struct Client {
    /// For https URIs, through the proxy the environment names, if any.
    https: Agent,
    /// For http URIs on loopback (`--allow-http-loopback`), never through a proxy.
    loopback: Agent,
    timeout: Duration,
    /// Which URIs may be fetched: the library's rule, loosened by `--allow-http-loopback`.
    policy: UriPolicy,
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
            policy: if args.allow_http_loopback {
                UriPolicy::AllowHttpLoopback
            } else {
                UriPolicy::HttpsOnly
            },
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
        let what = Document::KeySet.at(uri);
        let body = self.get(Document::KeySet, uri, fresh)?;
        let set = JwkSet::from_json_with_limits(&body, &self.limits)
            .map_err(|e| Failure::usage(&what, e))?;
        Keys::verifying(&set, algs, &what, "the JWKS")
    }

    /// The body of a `200 OK` answer to `GET uri`, at most the limit for `document`.
    fn get(&self, document: Document, uri: &str, fresh: Fresh) -> Result<Vec<u8>, Failure> {
        let what = document.at(uri);
        let failed =
            |why: &dyn std::fmt::Display| Failure::Usage(format!("cannot fetch {what}: {why}"));
        self.policy
            .check_url(uri, document.uri_name())
            .map_err(|e| failed(&self.refusal(uri, &e)))?;
        // The rule let it through: https, or http to loopback when allowed.
        let agent = if uri
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            &self.https
        } else {
            &self.loopback
        };
        let limit = document.limit(&self.limits);
        let mut request = agent.get(uri).header("accept", document.accept());
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

    /// The library's refusal of `uri`, and what `--allow-http-loopback` would change.
    fn refusal(&self, uri: &str, error: &Error) -> String {
        if !uri
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            return error.to_string();
        }
        match self.policy {
            UriPolicy::HttpsOnly => format!(
                "{error} (keys come over https; --allow-http-loopback allows http to \
                 127.0.0.1, [::1] or localhost, for tests)"
            ),
            _ => format!(
                "{error} (--allow-http-loopback allows http only to 127.0.0.1, [::1] or \
                 localhost)"
            ),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "NaN", "inf", "1e300", "x"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
