//! The real OpenID Provider of the OIDC acceptance tests (issue 23): starts `provider.mjs`
//! (panva's oidc-provider, pinned in `package-lock.json` next to this file) on 127.0.0.1,
//! mints access tokens with a real `POST /token`, restarts it with new keys, and stops it
//! when dropped. One file, included by `cli/tests/oidc.rs` and `jose-ring-axum/tests/oidc.rs`
//! with `#[path]`, so both suites drive the same provider without a shared crate; it needs
//! only `std`, `serde_json` and `jose_ring`, which both packages have.
//!
//! The tests run with `JOSE_OIDC=1`, after `npm ci --prefix target/oidc-provider` (`.ci/run`
//! does both); `JOSE_OIDC_PREFIX` names another install folder, `JOSE_NODE` another `node`.
//! Without `JOSE_OIDC=1` they are skipped with a loud message; with it, a missing `node` or
//! oidc-provider fails them.
#![allow(
    dead_code,
    unreachable_pub,
    reason = "each including test file uses its own part of this module"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// The API the provider issues tokens for (`aud`), whatever their algorithm.
pub const AUDIENCE: &str = "https://api.example";
/// A resource whose tokens carry another audience.
pub const OTHER_AUDIENCE: &str = "https://other.example";
/// The algorithms of the provider's five keys, one key each.
pub const ALGORITHMS: [&str; 5] = ["RS256", "PS256", "ES256", "ES384", "EdDSA"];
/// The confidential client (`client_secret_post`).
const CLIENT_ID: &str = "acceptance";
const CLIENT_SECRET: &str = "acceptance-secret-not-for-production";
/// The resource server's introspection client (`client_secret_basic`).
pub const RS_CLIENT_ID: &str = "resource-server";
/// The same client, whose introspection answers are JWTs (RFC 9701, ES256) when asked.
pub const RS_SIGNED_CLIENT_ID: &str = "resource-server-signed";
/// The secret of both.
pub const RS_CLIENT_SECRET: &str = "resource-server-secret-not-for-production";
/// The resource server's `private_key_jwt` client, with the key given to
/// [`Provider::start_with_rs_jwk`].
pub const RS_JWT_CLIENT_ID: &str = "resource-server-jwt";
/// The opaque access tokens' resource indicator.
pub const OPAQUE_RESOURCE: &str = "https://api.example/opaque";
/// The introspection endpoint's path.
pub const INTROSPECTION_PATH: &str = "/token/introspection";
/// How long the provider may take to print its issuer (it makes two RSA keys first).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one HTTP exchange with a test server may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Whether the acceptance tests run: `JOSE_OIDC=1`. Otherwise says loudly that they are
/// skipped, and how to run them.
pub fn enabled() -> bool {
    if std::env::var("JOSE_OIDC").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "\n!!!!!!!! SKIPPED: the OIDC acceptance tests against oidc-provider need JOSE_OIDC=1 and \
         `npm ci --prefix target/oidc-provider` of ci/oidc-provider (see .ci/run) !!!!!!!!\n"
    );
    false
}

/// The resource indicator whose tokens are signed with `alg`, for [`AUDIENCE`].
pub fn resource(alg: &str) -> String {
    format!("{AUDIENCE}/alg/{alg}")
}

/// The workspace root (both including packages are one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the package is inside the workspace")
        .to_path_buf()
}

/// One running `provider.mjs`.
pub struct Provider {
    child: Child,
    /// Kept open: the provider writes nothing after its first line, but must not get EPIPE.
    _stdout: BufReader<ChildStdout>,
    issuer: String,
    port: u16,
    log: PathBuf,
    starts: usize,
    /// `--rs-jwk`, given again on a restart.
    rs_jwk: Option<String>,
}

impl Provider {
    /// Starts one on an ephemeral port and waits for its issuer line.
    pub fn start() -> Self {
        Self::spawn(0, 0, None)
    }

    /// Starts one that also knows the `private_key_jwt` client [`RS_JWT_CLIENT_ID`] by the
    /// public JWK `rs_jwk` (JSON, with its `kid`).
    pub fn start_with_rs_jwk(rs_jwk: &str) -> Self {
        Self::spawn(0, 0, Some(rs_jwk.to_owned()))
    }

    /// `http://127.0.0.1:PORT`, as the provider prints and puts in `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Stops the provider and starts a new one on the same port with new keys (new kids):
    /// an unannounced rotation. Tokens minted before are signed with keys it no longer has.
    pub fn restart(&mut self) {
        self.stop();
        let next = Self::spawn(self.port, self.starts + 1, self.rs_jwk.clone());
        assert_eq!(
            next.issuer, self.issuer,
            "the restarted provider has another issuer"
        );
        *self = next;
    }

    /// A real `POST /token` (client credentials, `resource`, `scope`): the access token.
    #[track_caller]
    pub fn token(&self, resource: &str, scope: Option<&str>) -> String {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("resource", resource),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let body = form
            .iter()
            .map(|(name, value)| format!("{name}={}", form_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let (status, answer) = http(
            self.port,
            "POST",
            "/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(
            status,
            200,
            "POST /token for {resource}: {}\nprovider log: {}",
            String::from_utf8_lossy(&answer),
            self.log()
        );
        let answer: Value = serde_json::from_slice(&answer).expect("the token response is JSON");
        answer["access_token"]
            .as_str()
            .expect("the token response has an access_token")
            .to_owned()
    }

    /// What the provider wrote on stderr so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn spawn(port: u16, starts: usize, rs_jwk: Option<String>) -> Self {
        let script = root().join("ci/oidc-provider/provider.mjs");
        let prefix = std::env::var_os("JOSE_OIDC_PREFIX")
            .map_or_else(|| root().join("target/oidc-provider"), PathBuf::from);
        assert!(
            prefix.join("node_modules/oidc-provider").is_dir(),
            "JOSE_OIDC=1 but oidc-provider is not installed in {}: run `cp \
             ci/oidc-provider/package*.json target/oidc-provider/ && npm ci --prefix \
             target/oidc-provider` (as .ci/run does), or set JOSE_OIDC_PREFIX",
            prefix.display()
        );
        let node = std::env::var("JOSE_NODE").unwrap_or_else(|_| "node".into());
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider");
        std::fs::create_dir_all(&dir).expect("make the log folder");
        let log = dir.join(format!("{}-{port}-{starts}.log", std::process::id()));
        let mut child = Command::new(&node)
            .arg(&script)
            .args(["--port", &port.to_string(), "--audience", AUDIENCE])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(rs_jwk.iter().flat_map(|jwk| ["--rs-jwk", jwk.as_str()]))
            .env("JOSE_OIDC_PREFIX", &prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("make the provider log"))
            .spawn()
            .unwrap_or_else(|e| {
                panic!("JOSE_OIDC=1 but `{node}` cannot run ({e}): install Node.js")
            });
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        // The first line, read on a thread so that a provider that hangs fails the test in time.
        let (sender, receiver) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let read = stdout.read_line(&mut line);
            let _ = sender.send(read.map(|_| line));
            stdout
        });
        let line = receiver.recv_timeout(START_TIMEOUT);
        let mut fail = |why: String| -> ! {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "provider.mjs did not start: {why}\nits stderr: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        };
        let issuer = match line {
            Ok(Ok(line)) if !line.is_empty() => line.trim_end().to_owned(),
            Ok(Ok(_)) => fail("it exited before printing its issuer".into()),
            Ok(Err(e)) => fail(format!("reading its stdout: {e}")),
            Err(_) => fail(format!("no issuer line within {START_TIMEOUT:?}")),
        };
        let stdout = reader.join().expect("the reader thread");
        let bound = issuer
            .strip_prefix("http://127.0.0.1:")
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| fail(format!("unexpected first line {issuer:?}")));
        assert!(
            port == 0 || bound == port,
            "asked for port {port}, got {bound}"
        );
        Self {
            child,
            _stdout: stdout,
            issuer,
            port: bound,
            log,
            starts,
            rs_jwk,
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free loopback port (bound, then released: another process could take it in between).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// One HTTP/1.1 exchange with `127.0.0.1:port` (`connection: close`): the status and the body.
/// For the provider and the servers under test; answers with `content-length` only.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
    stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\n\
         content-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .expect("send the request");
    stream.write_all(body).expect("send the body");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .unwrap_or_else(|e| panic!("{method} {path} on port {port}: reading the answer: {e}"));
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{method} {path}: no end of head in {answer:?}"));
    let head = String::from_utf8_lossy(&answer[..split]).to_lowercase();
    assert!(
        !head.contains("transfer-encoding: chunked"),
        "{method} {path}: a chunked answer, which this client does not read: {head}"
    );
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{method} {path}: no status in {head:?}"));
    (status, answer[split + 4..].to_vec())
}

/// `application/x-www-form-urlencoded` for one value: unreserved bytes as they are, the rest
/// percent-encoded.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The header's `alg`, `typ` and `kid` of a token (unverified: to say what a test holds).
pub fn header(token: &str) -> (String, Option<String>, Option<String>) {
    let unverified = jose_ring::jws::Unverified::parse(token).expect("a compact JWS");
    let header = unverified.header();
    (
        unverified.alg().to_owned(),
        header.typ().map(str::to_owned),
        header.kid().map(str::to_owned),
    )
}
