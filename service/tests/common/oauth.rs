//! The OAuth side of the harness: a clients file written with the binary's own `hash-client`,
//! form-encoded requests with `client_secret_basic` or `private_key_jwt`, and client
//! assertions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64ct::Encoding;
use jose_ring::jwk::Jwk;
use jose_ring::jws::Header;
use jose_ring::jwt::{self, NumericDate};
use jose_ring::{SigningKey, jwa};

use super::*;

/// The client of `client_secret_basic` with a secret of unreserved characters.
pub const BATCH: (&str, &str) = ("batch", "batch-secret-4b1d");
/// A client whose secret needs the form-urlencoding of RFC 6749 §2.3.1.
pub const SPECIAL: (&str, &str) = ("special", "p+s:%/= é");
/// The resource server's own client (introspection).
pub const RESOURCE_SERVER: (&str, &str) = ("resource-server", "rs-secret-77aa");
/// The client of `private_key_jwt`.
pub const SIGNER: &str = "signer";
/// The resource `batch` may ask for (its default), and the resource server's audience.
pub const RESOURCE: &str = "https://resource-api.test";
/// A second resource `batch` may ask for.
pub const OTHER_RESOURCE: &str = "https://reports.test";

/// `jose-service hash-client` with `secret` on standard input: its standard output (the
/// entry) and standard error.
pub fn hash_client(args: &[&str], secret: &str) -> (String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose-service"))
        .arg("hash-client")
        .args(["--iterations", "1000"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{secret}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "hash-client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The test clients, written to `dir/clients.json`: `batch` (scopes `reports:read profile`,
/// resources [`RESOURCE`], [`OTHER_RESOURCE`]), `special` (scope `profile`, the service's own
/// audience), `resource-server` (no scope, resource [`RESOURCE`]) by `hash-client`, and
/// `signer` (`private_key_jwt` with `key`'s public JWK, scope `reports:read`).
pub fn write_clients(dir: &Path, key: &SigningKey) -> PathBuf {
    let entry = |args: &[&str], secret: &str| -> Value {
        serde_json::from_str(&hash_client(args, secret).0).unwrap()
    };
    let batch = entry(
        &[
            "--client-id",
            BATCH.0,
            "--scope",
            "reports:read profile",
            "--resource",
            RESOURCE,
            "--resource",
            OTHER_RESOURCE,
        ],
        BATCH.1,
    );
    let special = entry(&["--client-id", SPECIAL.0, "--scope", "profile"], SPECIAL.1);
    let resource_server = entry(
        &["--client-id", RESOURCE_SERVER.0, "--resource", RESOURCE],
        RESOURCE_SERVER.1,
    );
    let jwk: Value = serde_json::from_str(
        &Jwk::from_verifying_key(&key.verifying_key())
            .to_json()
            .unwrap(),
    )
    .unwrap();
    let signer = serde_json::json!({
        "client_id": SIGNER,
        "jwks": { "keys": [jwk] },
        "scope": "reports:read",
    });
    let path = dir.join("clients.json");
    let file = serde_json::json!({ "clients": [batch, special, resource_server, signer] });
    std::fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    path
}

/// A fresh ES256 key for `private_key_jwt` or DPoP.
pub fn es256() -> SigningKey {
    SigningKey::generate(&jwa::ES256).unwrap()
}

/// `Authorization: Basic` for `id` and `secret`, each form-urlencoded first (RFC 6749 §2.3.1).
pub fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(id), encode(secret));
    format!("Basic {}", base64ct::Base64::encode_string(pair.as_bytes()))
}

/// A client assertion (RFC 7523 §3) by `key` for `client`, to `aud`, living `lifetime` s.
pub fn assertion(key: &SigningKey, client: &str, aud: &str, lifetime: i64) -> String {
    let now = NumericDate::now().as_seconds();
    let claims = serde_json::json!({
        "iss": client,
        "sub": client,
        "aud": aud,
        "iat": now,
        "exp": now + lifetime,
        "jti": jose_ring_service::tokens::random_id().unwrap(),
    });
    jwt::encode_with_header(&claims, &Header::new().with_typ("JWT"), key).unwrap()
}

/// What a form request carries besides its parameters.
#[derive(Default)]
pub struct Auth<'a> {
    /// An `Authorization` value.
    pub authorization: Option<String>,
    /// A `DPoP` proof.
    pub dpop: Option<String>,
    /// Extra parameters.
    pub extra: &'a [(&'a str, &'a str)],
}

/// `POST path` with form `params` (and `auth`'s extras), as a client library sends it.
pub async fn post_form(
    http: &reqwest::Client,
    service: &Service,
    path: &str,
    params: &[(&str, &str)],
    auth: Auth<'_>,
) -> Answer {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().chain(auth.extra))
        .finish();
    let mut request = http
        .post(service.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(authorization) = auth.authorization {
        request = request.header("Authorization", authorization);
    }
    if let Some(proof) = auth.dpop {
        request = request.header("DPoP", proof);
    }
    answer(request.send().await.unwrap()).await
}

/// `client_credentials` for `client` by `client_secret_basic`, with `extra` parameters.
pub async fn client_credentials(
    http: &reqwest::Client,
    service: &Service,
    client: (&str, &str),
    extra: &[(&str, &str)],
) -> Answer {
    token_for(http, service, client, extra, None).await
}

/// [`client_credentials`] with the `DPoP` proof `proof`.
pub async fn client_credentials_with_proof(
    http: &reqwest::Client,
    service: &Service,
    client: (&str, &str),
    proof: String,
) -> Answer {
    token_for(http, service, client, &[], Some(proof)).await
}

async fn token_for(
    http: &reqwest::Client,
    service: &Service,
    client: (&str, &str),
    extra: &[(&str, &str)],
    dpop: Option<String>,
) -> Answer {
    post_form(
        http,
        service,
        "/token",
        &[("grant_type", "client_credentials")],
        Auth {
            authorization: Some(basic(client.0, client.1)),
            dpop,
            extra,
        },
    )
    .await
}

/// Adds a `private_key_jwt` client `id` with `key`'s public JWK and `resources` to the
/// clients file at `path`.
pub fn add_key_client(path: &Path, id: &str, key: &SigningKey, resources: &[&str]) {
    let mut file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let jwk: Value = serde_json::from_str(
        &Jwk::from_verifying_key(&key.verifying_key())
            .to_json()
            .unwrap(),
    )
    .unwrap();
    file["clients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "client_id": id, "jwk": jwk, "resources": resources }));
    std::fs::write(path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
}

/// Writes `key`'s private JWK to `path` (mode 0600 does not matter in a test directory).
pub fn write_private_jwk(path: &Path, key: &SigningKey) {
    std::fs::write(
        path,
        Jwk::from_signing_key(key)
            .unwrap()
            .to_private_json()
            .expose(),
    )
    .unwrap();
}
