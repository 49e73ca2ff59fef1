//! Acceptance against a real OpenID Provider (issue 23): the `protected` example, run exactly
//! as README.md tells a user (its `cargo run ... --example protected -- ...` line, the issuer
//! and audience replaced by the provider's, plus `--allow-http-loopback` and a port), in front
//! of panva's oidc-provider (`ci/oidc-provider`) issuing RFC 9068 access tokens
//! (`typ: at+jwt`) signed with each of its five keys (RS256, PS256, ES256, ES384, EdDSA, each
//! with its `alg`), minted by a real client-credentials `POST /token`:
//!
//! - `GET /hello` with each algorithm's token: 200;
//! - `GET /admin`: 401 without a token, 200 with the scope `admin`, 403 without it;
//! - the provider restarted with new keys (new kids) on the same port, unannounced: the
//!   running example accepts a token signed with a new key at the first request, and the
//!   removed key no longer verifies;
//! - issue 24's flags, with the provider's tokens (client credentials: `scope`, no user, so
//!   no `acr`, `auth_time` or roles; the guard's e2e suites cover the tokens that have
//!   them): `--metrics` serves the guard's counters at `/metrics`; `--optional` answers
//!   `/hello` without a token and still refuses a bad one; `--roles-claim` makes `/admin`
//!   need the role, which the scope no longer stands in for; `--acr` and `--max-auth-age`
//!   answer the provider's token with the RFC 9470 challenge.
//!
//! The example is built once with cargo and run as its own process; requests go over
//! 127.0.0.1. Runs with `JOSE_OIDC=1` after `npm ci --prefix target/oidc-provider` (`.ci/run`
//! does both); skipped with a loud message otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failure is a failed test, and the report is the output"
)]

#[path = "../../ci/oidc-provider/provider.rs"]
mod provider;

#[path = "../../ci/test-support/build_example.rs"]
mod build_example;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use provider::{ALGORITHMS, AUDIENCE, Provider, free_port, header, http, resource};

/// The `protected` example's binary, built once (`cargo build --example protected`, with the
/// `metrics` feature) for all the tests of this file.
fn example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        build_example::build_example(workspace, "jose-ring-axum", "protected", &["metrics"])
    })
}

/// The arguments README.md gives the example: the words after ` -- ` on its
/// `cargo run ... --example protected -- ...` line.
fn readme_arguments() -> Vec<String> {
    let readme = include_str!("../README.md");
    let line = readme
        .lines()
        .find(|line| line.contains("--example protected --"))
        .expect("README.md has a `cargo run ... --example protected -- ...` line");
    let (_, arguments) = line.split_once(" -- ").unwrap();
    arguments.split_whitespace().map(str::to_owned).collect()
}

/// The example, running as README.md says, pointed at `issuer` and [`AUDIENCE`].
struct Protected {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Protected {
    fn start(issuer: &str) -> Self {
        Self::start_with(issuer, &[])
    }

    /// The example as README.md says, with `extra` flags after its own.
    fn start_with(issuer: &str, extra: &[&str]) -> Self {
        let mut arguments = Vec::new();
        let mut readme = readme_arguments().into_iter();
        let (mut named_issuer, mut named_audience) = (false, false);
        while let Some(word) = readme.next() {
            match word.as_str() {
                "--issuer" => {
                    readme.next();
                    arguments.extend(["--issuer".to_owned(), issuer.to_owned()]);
                    named_issuer = true;
                }
                "--audience" => {
                    readme.next();
                    arguments.extend(["--audience".to_owned(), AUDIENCE.to_owned()]);
                    named_audience = true;
                }
                "--port" => {
                    readme.next();
                }
                "--allow-http-loopback" => {}
                _ => arguments.push(word),
            }
        }
        assert!(
            named_issuer && named_audience,
            "README.md's command names no --issuer or no --audience: {:?}",
            readme_arguments()
        );
        let port = free_port();
        arguments.extend(["--allow-http-loopback".to_owned(), "--port".to_owned()]);
        arguments.push(port.to_string());
        arguments.extend(extra.iter().map(|a| (*a).to_owned()));

        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oidc-protected");
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join(format!("{}-{port}.log", std::process::id()));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(example())
            .args(&arguments)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start the example");
        let mut protected = Self { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = protected.child.try_wait().unwrap() {
                panic!(
                    "protected {arguments:?} exited ({status}):\n{}",
                    protected.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "protected {arguments:?} is not listening after 20 s:\n{}",
                protected.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        protected
    }

    /// `GET path` with `Authorization: Bearer token` when a token is given: status and body.
    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let authorization = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("authorization", value.as_str()))
            .collect();
        let (status, body) = http(self.port, "GET", path, &headers, b"");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// `GET path` with a Bearer token, by hand over one connection: the status line and
    /// headers as sent (for the `WWW-Authenticate` challenge), and the body.
    fn get_raw(&self, path: &str, token: &str) -> (String, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        (head.to_owned(), body.to_owned())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Protected {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn readme_example_answers_200_to_the_tokens_of_every_algorithm() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let protected = Protected::start(provider.issuer());
    let mut refused = Vec::new();
    for alg in ALGORITHMS {
        let token = provider.token(&resource(alg), None);
        let (signed_with, typ, _) = header(&token);
        assert_eq!(
            signed_with, alg,
            "{alg}: the provider signed with {signed_with}"
        );
        assert_eq!(typ.as_deref(), Some("at+jwt"), "{alg}: the token's typ");
        let (status, body) = protected.get("/hello", Some(&token));
        if (status, body.as_str()) != (200, "hello acceptance\n") {
            refused.push(format!("{alg}: {status} {body}"));
        }
    }
    assert!(
        refused.is_empty(),
        "GET /hello refused the provider's access tokens:\n  {}\nthe example's log:\n{}",
        refused.join("\n  "),
        protected.log()
    );
}

#[test]
fn readme_example_admin_needs_a_token_with_the_admin_scope() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let protected = Protected::start(provider.issuer());

    let (status, body) = protected.get("/admin", None);
    assert_eq!(status, 401, "/admin without a token: {body}");

    let admin = provider.token(AUDIENCE, Some("admin"));
    let (status, body) = protected.get("/admin", Some(&admin));
    assert_eq!(
        status,
        200,
        "/admin with scope admin: {body}\nthe example's log:\n{}",
        protected.log()
    );
    assert!(body.starts_with("welcome, admin"), "/admin: {body}");

    let plain = provider.token(AUDIENCE, None);
    let (status, body) = protected.get("/admin", Some(&plain));
    assert_eq!(status, 403, "/admin without scope admin: {body}");
    assert!(
        body.contains("insufficient_scope"),
        "/admin without scope admin: {body}"
    );
}

#[test]
fn readme_example_sees_an_unannounced_rotation_at_the_first_request() {
    if !provider::enabled() {
        return;
    }
    let mut provider = Provider::start();
    let protected = Protected::start(provider.issuer());
    let before = provider.token(AUDIENCE, None);
    let (status, body) = protected.get("/hello", Some(&before));
    assert_eq!(
        status,
        200,
        "before the rotation (the first fetch): {body}\nthe example's log:\n{}",
        protected.log()
    );

    provider.restart();
    let after = provider.token(AUDIENCE, None);
    let (_, _, old_kid) = header(&before);
    let (_, _, new_kid) = header(&after);
    assert_ne!(old_kid, new_kid, "the restarted provider kept its key");
    let (status, body) = protected.get("/hello", Some(&after));
    assert_eq!(
        status,
        200,
        "the first request with the new key {new_kid:?}, right after the rotation: {body}\n\
         the example's log:\n{}",
        protected.log()
    );
    let (status, body) = protected.get("/hello", Some(&before));
    assert_eq!(
        status, 401,
        "a token of the removed key {old_kid:?} after the key set was fetched again: {body}"
    );
}

#[test]
fn example_metrics_flag_serves_the_guards_counters() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let protected = Protected::start_with(provider.issuer(), &["--metrics"]);
    let token = provider.token(AUDIENCE, None);
    let (status, body) = protected.get("/hello", Some(&token));
    assert_eq!(
        status,
        200,
        "{body}\nthe example's log:\n{}",
        protected.log()
    );
    assert_eq!(protected.get("/hello", None).0, 401);
    // /metrics is outside the guard: no token needed.
    let (status, text) = protected.get("/metrics", None);
    assert_eq!(status, 200, "{text}");
    let issuer = provider.issuer();
    for line in [
        r#"jose_guard_requests_total{result="success",scheme="Bearer"} 1"#.to_owned(),
        r#"jose_guard_requests_total{result="none",reason="missing_credentials"} 1"#.to_owned(),
        format!(
            r#"jose_guard_key_set_fetches_total{{issuer="{issuer}",target="discovery",result="ok"}} 1"#
        ),
        format!(
            r#"jose_guard_key_set_fetches_total{{issuer="{issuer}",target="jwks",result="ok"}} 1"#
        ),
        format!(r#"jose_guard_keys{{issuer="{issuer}"}} 5"#),
        format!(r#"jose_guard_key_set_state{{issuer="{issuer}",state="fresh"}} 1"#),
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
    let (alg, _, _) = header(&token);
    assert!(
        text.contains(&format!(
            r#"jose_guard_verification_seconds_count{{alg="{alg}"}} 1"#
        )),
        "{text}"
    );
}

#[test]
fn example_optional_flag_answers_hello_without_a_token_and_refuses_a_bad_one() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let protected = Protected::start_with(provider.issuer(), &["--optional"]);
    let (status, body) = protected.get("/hello", None);
    assert_eq!((status, body.as_str()), (200, "hello anonymous\n"));
    let token = provider.token(AUDIENCE, None);
    let (status, body) = protected.get("/hello", Some(&token));
    assert_eq!(
        (status, body.as_str()),
        (200, "hello acceptance\n"),
        "the example's log:\n{}",
        protected.log()
    );
    let other = provider.token(provider::OTHER_AUDIENCE, None);
    let (status, body) = protected.get("/hello", Some(&other));
    assert_eq!(
        status, 401,
        "a token for another audience is not anonymous: {body}"
    );
    // /admin stays required.
    assert_eq!(protected.get("/admin", None).0, 401);
}

#[test]
fn example_roles_claim_flag_makes_admin_need_the_role() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let protected =
        Protected::start_with(provider.issuer(), &["--roles-claim", "realm_access.roles"]);
    // The provider's client-credentials token has the admin scope but no roles.
    let admin = provider.token(AUDIENCE, Some("admin"));
    let (status, body) = protected.get("/admin", Some(&admin));
    assert_eq!(
        status,
        403,
        "{body}\nthe example's log:\n{}",
        protected.log()
    );
    assert_eq!(
        body,
        r#"{"error":"insufficient_scope","reason":"insufficient_role"}"#
    );
    assert_eq!(protected.get("/hello", Some(&admin)).0, 200);
}

#[test]
fn example_step_up_flags_answer_the_providers_token_with_the_rfc_9470_challenge() {
    if !provider::enabled() {
        return;
    }
    let provider = Provider::start();
    let protected = Protected::start_with(
        provider.issuer(),
        &["--acr", "urn:example:mfa", "--max-auth-age", "300"],
    );
    // Client credentials: no user authenticated, so no acr and no auth_time.
    let admin = provider.token(AUDIENCE, Some("admin"));
    let (head, body) = protected.get_raw("/admin", &admin);
    assert!(
        head.starts_with("HTTP/1.1 401"),
        "{head}\n{body}\n{}",
        protected.log()
    );
    let challenge = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
                .map(|(_, v)| v.trim().to_owned())
        })
        .expect("a WWW-Authenticate field");
    assert_eq!(
        challenge,
        r#"Bearer error="insufficient_user_authentication", error_description="a different authentication level is required", acr_values="urn:example:mfa", max_age="300""#
    );
    assert_eq!(
        body,
        r#"{"error":"insufficient_user_authentication","reason":"insufficient_user_authentication"}"#
    );
    // Without the admin scope, 403 first (authenticating again would not help).
    let plain = provider.token(AUDIENCE, None);
    assert_eq!(protected.get("/admin", Some(&plain)).0, 403);
}
