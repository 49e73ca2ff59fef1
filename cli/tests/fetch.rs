//! `jose verify --jwks-uri` and `--issuer` against a real HTTP/1.1 server on 127.0.0.1,
//! started by each test on an ephemeral port, that counts what it is asked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::{SigningKey, jwa, jwt};
use serde_json::json;

use common::{Run, jose};

const NOW: &str = "1700000000";

/// One request the server read.
#[derive(Clone, Debug)]
struct Request {
    /// The request target, e.g. `/jwks`.
    path: String,
    /// How many requests for this path came before this one.
    nth: usize,
    /// The request line and headers, lowercased.
    head: String,
}

/// An answer: the raw response bytes, and how long to wait between its head and its body.
struct Reply {
    bytes: Vec<u8>,
    stall: Duration,
}

impl From<Vec<u8>> for Reply {
    fn from(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            stall: Duration::ZERO,
        }
    }
}

/// A test HTTP server: every connection gets one answer (`connection: close`), in its own
/// thread, from `respond`.
struct Server {
    base: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Serves on 127.0.0.1 (an ephemeral port); `respond` gets the server's base URL and
    /// the request, and returns the raw response bytes.
    fn start<R: Into<Reply>>(
        respond: impl Fn(&str, &Request) -> R + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log: Arc<Mutex<Vec<Request>>> = Arc::default();
        let respond = Arc::new(move |base: &str, request: &Request| respond(base, request).into());
        let (server_base, server_log) = (base.clone(), Arc::clone(&log));
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (base, log, respond) = (
                    server_base.clone(),
                    Arc::clone(&server_log),
                    Arc::clone(&respond),
                );
                thread::spawn(move || answer(stream, &base, &log, &*respond));
            }
        });
        Self { base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The paths asked for, in order.
    fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.path).collect()
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// The request line and headers of request `n`, lowercased.
    fn head(&self, n: usize) -> String {
        self.requests()[n].head.clone()
    }
}

/// Reads one request head from `stream`, logs it, and writes the answer (ignoring a client
/// that has gone: the oversize and timeout cases hang up early on purpose).
fn answer(
    mut stream: TcpStream,
    base: &str,
    log: &Mutex<Vec<Request>>,
    respond: &(dyn Fn(&str, &Request) -> Reply + Send + Sync),
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
        if head == [0x16] {
            // A TLS handshake record: answered as a plain HTTP server does.
            let _ = stream.write_all(&status("400 Bad Request", ""));
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
    let request = {
        let mut log = log.lock().unwrap();
        let nth = log.iter().filter(|r| r.path == path).count();
        let request = Request { path, nth, head };
        log.push(request.clone());
        request
    };
    let reply = respond(base, &request);
    let split = reply
        .bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |i| i.saturating_add(4));
    let (head, body) = reply.bytes.split_at(split);
    let _ = stream.write_all(head).and_then(|()| stream.flush());
    thread::sleep(reply.stall);
    let _ = stream.write_all(body).and_then(|()| stream.flush());
}

/// A `200 OK` answer with `body`.
fn ok(body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

/// An answer with no body.
fn status(line: &str, headers: &str) -> Vec<u8> {
    format!("HTTP/1.1 {line}\r\ncontent-length: 0\r\n{headers}connection: close\r\n\r\n")
        .into_bytes()
}

/// A `404 Not Found`.
fn not_found() -> Vec<u8> {
    status("404 Not Found", "")
}

/// An ES256 key with `kid`, and the JWK Set of its public key (naming `alg`).
fn key(kid: &str) -> (SigningKey, Vec<u8>) {
    let key = SigningKey::generate(&jwa::ES256).unwrap().with_kid(kid);
    let public = Jwk::from_signing_key(&key)
        .unwrap()
        .to_public()
        .unwrap()
        .with_alg(&jwa::ES256)
        .unwrap();
    let set = JwkSet::from_iter([public]).to_json().unwrap();
    (key, set.into_bytes())
}

/// A token signed by `key`, issued by `iss`, valid at [`NOW`].
fn token(key: &SigningKey, iss: &str) -> String {
    let claims = json!({"iss": iss, "sub": "ada", "aud": "api", "exp": 1_700_000_900});
    jwt::encode(&claims, key).unwrap()
}

/// `jose verify --now NOW --aud api --allow-http-loopback ARGS TOKEN`.
fn verify(args: &[&str], token: &str) -> Run {
    let mut all = vec![
        "verify",
        "--now",
        NOW,
        "--aud",
        "api",
        "--allow-http-loopback",
    ];
    all.extend_from_slice(args);
    all.push(token);
    jose(&all, b"")
}

/// Keys A then B: the first request for `/jwks` gets A's set, every later one B's.
fn rotating() -> (Server, SigningKey, SigningKey) {
    let (a, set_a) = key("a");
    let (b, set_b) = key("b");
    let server = Server::start(
        move |_, request| match (request.path.as_str(), request.nth) {
            ("/jwks", 0) => ok(&set_a),
            ("/jwks", _) => ok(&set_b),
            _ => not_found(),
        },
    );
    (server, a, b)
}

// ---------------------------------------------------------------- --jwks-uri

#[test]
fn jwks_uri_verifies_with_one_fetch() {
    let (server, a, _) = rotating();
    let run = verify(&["--jwks-uri", &server.url("/jwks")], &token(&a, "x")).ok();
    assert_eq!(run.json()["sub"], "ada");
    assert_eq!(server.paths(), ["/jwks"]);
    let head = server.head(0);
    assert!(head.starts_with("get /jwks http/1.1\r\n"), "{head}");
    assert!(
        head.contains("\r\naccept: application/jwk-set+json, application/json\r\n"),
        "{head}"
    );
    assert!(!head.contains("cache-control"), "{head}");
}

#[test]
fn a_rotated_kid_verifies_after_one_refetch() {
    let (server, _, b) = rotating();
    let run = verify(&["--jwks-uri", &server.url("/jwks")], &token(&b, "x")).ok();
    assert_eq!(run.json()["sub"], "ada");
    assert_eq!(server.paths(), ["/jwks", "/jwks"]);
    // The refetch asks caches on the way to check with the server.
    assert!(server.head(1).contains("\r\ncache-control: no-cache\r\n"));
}

#[test]
fn an_unknown_kid_costs_one_refetch_then_is_rejected() {
    let (server, _, _) = rotating();
    let (c, _) = key("c");
    verify(&["--jwks-uri", &server.url("/jwks")], &token(&c, "x"))
        .fails(1, "error: no key for this token: unknown kid");
    assert_eq!(server.paths(), ["/jwks", "/jwks"]);
}

#[test]
fn http_needs_allow_http_loopback() {
    let (server, a, _) = rotating();
    let uri = server.url("/jwks");
    jose(
        &["verify", "--now", NOW, "--jwks-uri", &uri, &token(&a, "x")],
        b"",
    )
    .fails(
        2,
        &format!(
            "error: cannot fetch the JWKS at {uri}: key set: jwks_uri is not an https URI this \
             policy allows (keys come over https; --allow-http-loopback allows http to \
             127.0.0.1, [::1] or localhost, for tests)\n"
        ),
    );
    // Only to loopback, even with the flag.
    verify(&["--jwks-uri", "http://192.0.2.1/jwks"], &token(&a, "x")).fails(
        2,
        "error: cannot fetch the JWKS at http://192.0.2.1/jwks: key set: jwks_uri is not an \
         https URI this policy allows (--allow-http-loopback allows http only to 127.0.0.1, \
         [::1] or localhost)\n",
    );
    assert_eq!(server.paths(), Vec::<String>::new());
}

/// The library's rule (`UriPolicy::check_url`, the guard's too) decides what is fetched: no
/// user information and no fragment, even over https; nothing is asked of any server.
#[test]
fn a_uri_the_library_refuses_is_not_fetched() {
    let (a, _) = key("a");
    for uri in [
        "https://user@auth.example/jwks",
        "https://auth.example/jwks#keys",
        "https:///jwks",
        "ftp://auth.example/jwks",
        "auth.example/jwks",
    ] {
        verify(&["--jwks-uri", uri], &token(&a, "x")).fails(
            2,
            &format!(
                "error: cannot fetch the JWKS at {uri}: key set: jwks_uri is not an https URI \
                 this policy allows\n"
            ),
        );
    }
}

#[test]
fn an_oversize_body_is_refused() {
    let limit = 1024 * 1024;
    let server = Server::start(move |_, request| match request.path.as_str() {
        // Said up front: refused before the body is read.
        "/declared" => ok(&vec![b' '; limit + 1]),
        // Close-delimited, no length: reading stops at the limit.
        "/streamed" => {
            let mut response =
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                    .to_vec();
            response.extend(std::iter::repeat_n(b' ', 4 * limit));
            response
        }
        // Exactly the limit is fine (and then not a JWK Set).
        "/exact" => ok(&vec![b' '; limit]),
        _ => not_found(),
    });
    let (a, _) = key("a");
    for path in ["/declared", "/streamed"] {
        verify(&["--jwks-uri", &server.url(path)], &token(&a, "x"))
            .fails(2, "the body is larger than 1048576 bytes");
    }
    let run = verify(&["--jwks-uri", &server.url("/exact")], &token(&a, "x"));
    assert!(!run.stderr.contains("larger than"), "{}", run.stderr);
    run.fails(2, "error: the JWKS at http://");
    assert_eq!(server.paths(), ["/declared", "/streamed", "/exact"]);
}

#[test]
fn a_body_that_is_not_a_jwks_is_refused() {
    let server = Server::start(|_, request| match request.path.as_str() {
        "/html" => ok(b"<html>sign in</html>"),
        "/object" => ok(br#"{"issuer":"https://auth.example"}"#),
        "/empty" => ok(br#"{"keys":[]}"#),
        _ => not_found(),
    });
    let (a, _) = key("a");
    let run = |path: &str| verify(&["--jwks-uri", &server.url(path)], &token(&a, "x"));
    run("/html").fails(
        2,
        &format!(
            "error: the JWKS at {}: malformed input: jwk set: top level is not a JSON object",
            server.url("/html")
        ),
    );
    run("/object").fails(2, "/object: malformed input: member `keys` is missing");
    // No --alg: the keys decide, and there are none.
    run("/empty").fails(
        2,
        &format!(
            "error: the JWKS at {}: no key of the set verifies ES256, ES384, Ed25519, EdDSA, \
             PS256, PS384, PS512, RS256, RS384, RS512\n",
            server.url("/empty")
        ),
    );
    assert_eq!(server.paths(), ["/html", "/object", "/empty"]);
}

#[test]
fn a_status_other_than_200_is_unusable() {
    let server = Server::start(|_, request| match request.path.as_str() {
        "/fail" => status("500 Internal Server Error", ""),
        "/moved" => status("302 Found", "location: https://elsewhere.example/jwks\r\n"),
        _ => not_found(),
    });
    let (a, _) = key("a");
    let run = |path: &str| verify(&["--jwks-uri", &server.url(path)], &token(&a, "x"));
    run("/fail").fails(2, "/fail: the server answered 500 Internal Server Error");
    run("/moved").fails(
        2,
        "the server answered 302 Found, to https://elsewhere.example/jwks: redirects are not \
         followed",
    );
    run("/gone").fails(2, "the server answered 404 Not Found");
    // Nothing followed the redirect.
    assert_eq!(server.paths(), ["/fail", "/moved", "/gone"]);
}

#[test]
fn https_to_a_server_without_tls_is_unusable() {
    let (server, a, _) = rotating();
    let uri = server.url("/jwks").replace("http://", "https://");
    verify(&["--jwks-uri", &uri], &token(&a, "x")).fails(
        2,
        &format!("error: cannot fetch the JWKS at {uri}: received corrupt message"),
    );
    assert_eq!(server.paths(), Vec::<String>::new());
}

#[test]
fn connection_refused_is_unusable() {
    // A port that was just free: nothing listens on it now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (a, _) = key("a");
    verify(
        &["--jwks-uri", &format!("http://127.0.0.1:{port}/jwks")],
        &token(&a, "x"),
    )
    .fails(2, "/jwks: connection refused");
}

#[test]
fn a_slow_server_hits_the_timeout() {
    let (a, set) = key("a");
    let server = Server::start(move |_, request| {
        let wait = Duration::from_secs(3);
        if request.path == "/silent" {
            thread::sleep(wait);
        }
        // `/stalled`: the head at once, the body late.
        Reply {
            bytes: ok(&set),
            stall: wait,
        }
    });
    for path in ["/silent", "/stalled"] {
        let start = Instant::now();
        verify(
            &["--timeout", "0.3", "--jwks-uri", &server.url(path)],
            &token(&a, "x"),
        )
        .fails(
            2,
            &format!("{path}: no complete answer within 0.3 s (--timeout)"),
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }
    assert_eq!(server.paths(), ["/silent", "/stalled"]);
    verify(&["--timeout", "0", "--jwks-uri", &server.url("/jwks")], "t")
        .fails(2, "invalid value '0' for '--timeout <SECONDS>'");
}

// ---------------------------------------------------------------- --issuer

/// An identity provider with several issuers on one server, each with its discovery
/// document; the JWKS at `/jwks` holds key A, the one at `/rotating-jwks` rotates from A to B
/// as in [`rotating`].
fn provider() -> (Server, SigningKey, SigningKey) {
    let (a, set_a) = key("a");
    let (b, set_b) = key("b");
    let server = Server::start(move |base, request| {
        let document = |issuer: &str, jwks_uri: &str, algs: Option<&[&str]>| {
            let mut doc = json!({"issuer": issuer, "jwks_uri": jwks_uri});
            if let Some(algs) = algs {
                doc["id_token_signing_alg_values_supported"] = json!(algs);
            }
            ok(doc.to_string().as_bytes())
        };
        let jwks = format!("{base}/jwks");
        let oidc = "/.well-known/openid-configuration";
        match request.path.as_str() {
            "/jwks" => ok(&set_a),
            "/rotating-jwks" if request.nth == 0 => ok(&set_a),
            "/rotating-jwks" => ok(&set_b),
            p if p == format!("/good{oidc}") => document(
                &format!("{base}/good"),
                &jwks,
                Some(&["none", "HS256", "ES256"]),
            ),
            p if p == format!("/rotating{oidc}") => document(
                &format!("{base}/rotating"),
                &format!("{base}/rotating-jwks"),
                None,
            ),
            p if p == format!("/liar{oidc}") => document(&format!("{base}/other"), &jwks, None),
            p if p == format!("/rs{oidc}") => {
                document(&format!("{base}/rs"), &jwks, Some(&["RS256"]))
            }
            p if p == format!("/plain{oidc}") => {
                document(&format!("{base}/plain"), "http://192.0.2.1/jwks", None)
            }
            p if p == format!("/html{oidc}") => ok(b"<html>sign in</html>"),
            // RFC 8414: the well-known part goes before the issuer's path; no algorithms.
            "/.well-known/oauth-authorization-server/as" => {
                document(&format!("{base}/as"), &jwks, None)
            }
            _ => not_found(),
        }
    });
    (server, a, b)
}

#[test]
fn issuer_discovers_then_verifies() {
    let (server, a, _) = provider();
    let issuer = server.url("/good");
    let run = verify(&["--issuer", &issuer], &token(&a, &issuer)).ok();
    assert_eq!(run.json()["iss"], issuer.as_str());
    assert_eq!(
        server.paths(),
        ["/good/.well-known/openid-configuration", "/jwks"]
    );
    assert!(server.head(0).contains("\r\naccept: application/json\r\n"));
}

#[test]
fn issuer_with_a_rotated_kid_refetches_the_jwks_not_the_document() {
    let (server, _, b) = provider();
    let issuer = server.url("/rotating");
    verify(&["--issuer", &issuer], &token(&b, &issuer)).ok();
    assert_eq!(
        server.paths(),
        [
            "/rotating/.well-known/openid-configuration",
            "/rotating-jwks",
            "/rotating-jwks"
        ]
    );
}

#[test]
fn a_token_from_another_issuer_is_rejected() {
    let (server, a, _) = provider();
    let issuer = server.url("/good");
    // Not the URL exactly: another issuer, with a trailing slash or on another path.
    for iss in [
        format!("{issuer}/"),
        server.url("/as"),
        "https://auth.example".into(),
    ] {
        verify(&["--issuer", &issuer], &token(&a, &iss))
            .fails(1, "error: jwt rejected: iss is not an expected issuer");
    }
    assert_eq!(
        server.paths(),
        ["/good/.well-known/openid-configuration", "/jwks"].repeat(3)
    );
    // --iss cannot widen what --issuer requires.
    verify(&["--issuer", &issuer, "--iss", "https://auth.example"], "t")
        .fails(2, "'--issuer <URL>' cannot be used with '--iss <ISS>'");
    assert_eq!(server.paths().len(), 6);
}

#[test]
fn a_discovery_document_for_another_issuer_is_refused() {
    let (server, a, _) = provider();
    let issuer = server.url("/liar");
    verify(&["--issuer", &issuer], &token(&a, &issuer)).fails(
        2,
        &format!(
            "error: the discovery document at {issuer}/.well-known/openid-configuration: its \
             issuer is not {issuer} (the URL must be the issuer exactly"
        ),
    );
    // The document's jwks_uri was not fetched.
    assert_eq!(server.paths(), ["/liar/.well-known/openid-configuration"]);
}

#[test]
fn discovery_rules_hold() {
    let (server, a, _) = provider();
    let run = |path: &str, extra: &[&str]| {
        let issuer = server.url(path);
        let mut args = vec!["--issuer", &issuer];
        args.extend_from_slice(extra);
        verify(&args, &token(&a, &issuer))
    };
    // The document lists RS256 for ID tokens only; the access token is ES256, which its key
    // allows: the keys decide, never the ID-token list.
    run("/rs", &[]).ok();
    // --alg narrows what the keys allow.
    run("/rs", &["--alg", "RS256"]).fails(2, "/jwks: no key of the set verifies RS256\n");
    // A jwks_uri that is not https (nor loopback http) is refused before any fetch.
    run("/plain", &[]).fails(
        2,
        "/plain/.well-known/openid-configuration: key set: jwks_uri is not an https URI this \
         policy allows",
    );
    run("/html", &[]).fails(2, "/html/.well-known/openid-configuration: malformed input");
    // RFC 8414 metadata, without algorithms: the keys' own alg.
    run("/as", &["--discovery", "oauth"]).ok();
    run("/missing", &[]).fails(2, "the server answered 404 Not Found");
    assert_eq!(
        server.paths(),
        [
            "/rs/.well-known/openid-configuration",
            "/jwks",
            "/rs/.well-known/openid-configuration",
            "/jwks",
            "/plain/.well-known/openid-configuration",
            "/html/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/as",
            "/jwks",
            "/missing/.well-known/openid-configuration",
        ]
    );
    // An http issuer needs --allow-http-loopback: refused before any request.
    let issuer = server.url("/good");
    jose(&["verify", "--issuer", &issuer, "t"], b"").fails(
        2,
        "error: --issuer: key set: issuer is not an https URI this policy allows",
    );
    verify(&["--issuer", "https://a.example/?x"], "t").fails(
        2,
        "error: --issuer: key set: issuer is not an https URI this policy allows",
    );
    assert_eq!(server.paths().len(), 9);
}

/// An OpenID Provider as issue 23 met one: its discovery document lists RS256 alone for ID
/// tokens, while its JWKS holds an RS256 key and an ES384 key, each naming its `alg`, and its
/// access tokens are signed with ES384. The keys decide; `--alg` narrows.
#[test]
fn issuer_keys_decide_the_algorithms_not_the_id_token_list() {
    let rsa = std::fs::read(common::fixture("rsa2048.spki.pem")).unwrap();
    let rsa = Jwk::from_pem(&rsa)
        .unwrap()
        .with_alg(&jwa::RS256)
        .unwrap()
        .with_kid("rsa")
        .unwrap();
    let ec = SigningKey::generate(&jwa::ES384).unwrap().with_kid("ec384");
    let ec_public = Jwk::from_signing_key(&ec)
        .unwrap()
        .to_public()
        .unwrap()
        .with_alg(&jwa::ES384)
        .unwrap();
    let set = JwkSet::from_iter([rsa, ec_public]).to_json().unwrap();
    let server = Server::start(move |base, request| match request.path.as_str() {
        "/op/.well-known/openid-configuration" => ok(json!({
            "issuer": format!("{base}/op"),
            "jwks_uri": format!("{base}/op/jwks"),
            "id_token_signing_alg_values_supported": ["RS256"],
        })
        .to_string()
        .as_bytes()),
        "/op/jwks" => ok(set.as_bytes()),
        _ => not_found(),
    });
    let issuer = server.url("/op");
    let token = token(&ec, &issuer);
    let run = verify(&["--issuer", &issuer], &token).ok();
    assert_eq!(run.json()["iss"], issuer.as_str());
    verify(&["--issuer", &issuer, "--alg", "ES384"], &token).ok();
    // --alg RS256 leaves the ES384 key out of the ring: its kid is unknown there, even after
    // the one refetch an unknown kid costs.
    verify(&["--issuer", &issuer, "--alg", "RS256"], &token)
        .fails(1, "error: no key for this token: unknown kid\n");
    // The same keys through --jwks-uri.
    let jwks_uri = server.url("/op/jwks");
    verify(&["--jwks-uri", &jwks_uri, "--iss", &issuer], &token).ok();
    verify(&["--jwks-uri", &jwks_uri, "--alg", "RS256"], &token)
        .fails(1, "error: no key for this token: unknown kid\n");
    let (document, jwks) = ("/op/.well-known/openid-configuration", "/op/jwks");
    assert_eq!(
        server.paths(),
        [
            document, jwks, document, jwks, document, jwks, jwks, jwks, jwks, jwks
        ]
    );
}

/// A fetched key without `alg` verifies every algorithm its `kty`/`crv` fits: a P-256 key
/// ES256 and nothing else.
#[test]
fn fetched_keys_without_alg_verify_what_their_kind_fits() {
    let key = SigningKey::generate(&jwa::ES256).unwrap().with_kid("bare");
    let mut public: serde_json::Value = serde_json::from_str(
        &Jwk::from_signing_key(&key)
            .unwrap()
            .to_public()
            .unwrap()
            .to_json()
            .unwrap(),
    )
    .unwrap();
    public.as_object_mut().unwrap().remove("alg").unwrap();
    let set = json!({ "keys": [public] }).to_string();
    let server = Server::start(move |_, request| match request.path.as_str() {
        "/jwks" => ok(set.as_bytes()),
        _ => not_found(),
    });
    let uri = server.url("/jwks");
    verify(&["--jwks-uri", &uri], &token(&key, "x")).ok();
    // An ES384 token with the same kid: a P-256 key does not fit ES384.
    let other = SigningKey::generate(&jwa::ES384).unwrap().with_kid("bare");
    verify(&["--jwks-uri", &uri], &token(&other, "x"))
        .fails(1, "error: no key for this token: no key for this alg\n");
    // An HMAC algorithm never verifies with fetched keys: refused before any fetch.
    verify(&["--jwks-uri", &uri, "--alg", "HS256"], &token(&key, "x")).fails(
        2,
        "error: --alg HS256: fetched keys verify with public keys only; an HMAC secret comes \
         from a file (--key)\n",
    );
    // --alg narrows: no key of the set fits it.
    verify(&["--jwks-uri", &uri, "--alg", "EdDSA"], &token(&key, "x")).fails(
        2,
        &format!("error: the JWKS at {uri}: no key of the set verifies EdDSA\n"),
    );
    assert_eq!(server.paths(), ["/jwks", "/jwks", "/jwks"]);
}

#[test]
fn fetch_flags_go_with_a_fetch() {
    for flags in [
        &["--key", "k.jwk", "--allow-http-loopback"][..],
        &["--key", "k.jwk", "--timeout", "1"],
        &["--key", "k.jwk", "--discovery", "oauth"],
        &[
            "--jwks-uri",
            "https://a.example/jwks",
            "--discovery",
            "oauth",
        ],
        &[
            "--jwks-uri",
            "https://a.example/jwks",
            "--issuer",
            "https://a.example",
        ],
    ] {
        let mut args = vec!["verify"];
        args.extend_from_slice(flags);
        args.push("t");
        jose(&args, b"").fails(2, "cannot be used with");
    }
    jose(&["verify", "t"], b"").fails(2, "<--key <FILE>|--jwks-uri <URI>|--issuer <URL>>");
}
