//! The machine clients of `POST /token`: the clients file (`--clients FILE`), each client's
//! id, credential, scopes and resources.
//!
//! ```json
//! {"clients": [
//!   {"client_id": "reports-batch",
//!    "secret": {"alg": "PBKDF2-HMAC-SHA256", "iterations": 600000,
//!               "salt": "<hex, 16 bytes>", "hash": "<hex, 32 bytes>"},
//!    "scope": "reports:read", "resources": ["https://reports.example"]},
//!   {"client_id": "signer",
//!    "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "...", "y": "..."}]},
//!    "scope": "reports:read"}
//! ]}
//! ```
//!
//! A client has exactly one credential: `secret` (`client_secret_basic`, RFC 6749 §2.3.1:
//! the same PBKDF2 scheme as the users' passwords, written by `jose-service hash-client`) or
//! its public keys, `jwks` (a JWK Set) or `jwk` (one key), for `private_key_jwt` (RFC 7523
//! §2.2). `scope` is what it may ask for (space-separated); `resources` the audiences it may
//! ask a token for (RFC 8707 §2: `https`, or `http` on a loopback host), the first being the
//! one a request naming none gets; without any, the service's own `--audience`.
//!
//! A wrong client id and a wrong secret take the same path, as for users: an unknown id is
//! checked against a dummy hash with the largest iteration count of the file.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;

use jose_ring::jwa;
use jose_ring::jwk::{Jwk, JwkSet, KeyRing};
use jose_ring::jwks::UriPolicy;
use serde::{Deserialize, Serialize};

use crate::error::SetupError;
use crate::users::PasswordHash;

/// The longest `client_id` accepted (as `/login`'s).
pub const MAX_CLIENT_ID: usize = 64;
/// The longest client secret accepted.
pub const MAX_SECRET: usize = 1024;

/// Whether `client_id` is one this service accepts: 1 to 64 letters, digits, `-`, `_`, `.`.
#[must_use]
pub fn valid_client_id(client_id: &str) -> bool {
    !client_id.is_empty()
        && client_id.len() <= MAX_CLIENT_ID
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Whether `token` is a scope token (RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`, at least one).
#[must_use]
pub fn valid_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// One entry of the clients file, as written (and as `hash-client` prints it).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The `client_id`.
    pub client_id: String,
    /// The PBKDF2 hash of the client's secret (`client_secret_basic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<PasswordHash>,
    /// The client's public keys as a JWK Set (`private_key_jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// The client's public key as one JWK (`private_key_jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<serde_json::Value>,
    /// Space-separated scopes the client may ask for.
    #[serde(default)]
    pub scope: String,
    /// The resources (audiences) the client may ask a token for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    clients: Vec<Entry>,
}

/// How a client proves who it is.
#[derive(Debug)]
pub enum Credential {
    /// A secret, by `client_secret_basic`.
    Secret(PasswordHash),
    /// A JWT signed by one of these keys, by `private_key_jwt`.
    Keys(KeyRing),
}

impl Credential {
    /// The `token_endpoint_auth_method` (RFC 8414 §2) this credential is used with.
    #[must_use]
    pub const fn method(&self) -> &'static str {
        match self {
            Self::Secret(_) => "client_secret_basic",
            Self::Keys(_) => "private_key_jwt",
        }
    }
}

/// A confidential client of the clients file, checked.
#[derive(Debug)]
pub struct Client {
    /// The `client_id`.
    pub id: String,
    /// Its credential.
    pub credential: Credential,
    /// The scopes it may ask for.
    pub scopes: Vec<String>,
    /// The audiences it may ask a token for (RFC 8707 resources), the default first; the
    /// service's own audience when the file names none.
    pub audiences: Vec<String>,
}

impl Client {
    /// Whether the client may have `scope`.
    #[must_use]
    pub fn allows_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|allowed| allowed == scope)
    }

    /// The client's scopes, space-separated.
    #[must_use]
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}

/// The clients, by id, and the dummy hash an unknown id is checked against.
#[derive(Debug)]
pub struct Clients {
    by_id: HashMap<String, Arc<Client>>,
    audiences: Vec<String>,
    dummy: PasswordHash,
}

impl Clients {
    /// No clients (no `--clients`): every client authentication fails.
    ///
    /// # Errors
    ///
    /// [`SetupError`] if the system random source fails.
    pub fn none(audience: &str) -> Result<Self, SetupError> {
        Self::from_entries(Vec::new(), audience)
    }

    /// Reads a clients file; `audience` is the service's own (`--audience`), what a client
    /// that names no resources gets.
    ///
    /// # Errors
    ///
    /// [`SetupError`] if it is not valid JSON of the documented shape, names a client twice,
    /// has a client id, scope or resource that is not one, a client with no credential or two,
    /// keys that are not public asymmetric JWKs, or a salt shorter than 16 bytes or a hash
    /// that is not 32.
    pub fn from_json(json: &[u8], audience: &str) -> Result<Self, SetupError> {
        let file: File = serde_json::from_slice(json)
            .map_err(|error| SetupError(format!("clients file: {error}")))?;
        Self::from_entries(file.clients, audience)
    }

    fn from_entries(entries: Vec<Entry>, audience: &str) -> Result<Self, SetupError> {
        let mut by_id = HashMap::new();
        let mut audiences = vec![audience.to_owned()];
        let mut most = NonZeroU32::MIN;
        for entry in entries {
            let client = Client::from_entry(entry, audience)?;
            if let Credential::Secret(hash) = &client.credential {
                most = most.max(hash.iterations());
            }
            for audience in &client.audiences {
                if !audiences.contains(audience) {
                    audiences.push(audience.clone());
                }
            }
            let id = client.id.clone();
            if by_id.insert(id.clone(), Arc::new(client)).is_some() {
                return Err(SetupError(format!("clients file: {id:?} appears twice")));
            }
        }
        let dummy = PasswordHash::new(b"no client has this secret", most)
            .map_err(|_| SetupError("system random source failed".into()))?;
        Ok(Self {
            by_id,
            audiences,
            dummy,
        })
    }

    /// The client `client_id`, if the file has it.
    #[must_use]
    pub fn get(&self, client_id: &str) -> Option<&Arc<Client>> {
        self.by_id.get(client_id)
    }

    /// The client if `client_id` has a secret and `secret` is it, doing the same PBKDF2 work
    /// when the id is unknown or its client has keys instead. Blocking (PBKDF2).
    #[must_use]
    pub fn check_secret(&self, client_id: &str, secret: &str) -> Option<Arc<Client>> {
        let client = self.by_id.get(client_id);
        let hash = match client.map(|client| &client.credential) {
            Some(Credential::Secret(hash)) => hash,
            _ => &self.dummy,
        };
        let matches = hash.verify(secret.as_bytes());
        client
            .filter(|client| matches && matches!(client.credential, Credential::Secret(_)))
            .cloned()
    }

    /// Every audience a token of this service can have: the service's own and every client's
    /// resources.
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }
}

impl Client {
    /// Checks one entry of the file; `audience` is the service's own.
    ///
    /// # Errors
    ///
    /// [`SetupError`] as [`Clients::from_json`] says, for this entry.
    pub fn from_entry(entry: Entry, audience: &str) -> Result<Self, SetupError> {
        let id = entry.client_id;
        let refuse = |what: &str| SetupError(format!("clients file: client {id:?}: {what}"));
        if !valid_client_id(&id) {
            return Err(refuse(
                "a client_id is 1 to 64 letters, digits, '-', '_' or '.'",
            ));
        }
        let credential = match (entry.secret, entry.jwks, entry.jwk) {
            (Some(secret), None, None) => {
                if !secret.is_well_formed() {
                    return Err(refuse("bad salt or hash"));
                }
                Credential::Secret(secret)
            }
            (None, Some(jwks), None) => {
                Credential::Keys(key_ring(&jwks, true).map_err(|e| refuse(&e))?)
            }
            (None, None, Some(jwk)) => {
                Credential::Keys(key_ring(&jwk, false).map_err(|e| refuse(&e))?)
            }
            _ => {
                return Err(refuse(
                    "exactly one of \"secret\", \"jwks\" and \"jwk\" is needed",
                ));
            }
        };
        let scopes: Vec<String> = entry
            .scope
            .split(' ')
            .filter(|token| !token.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(bad) = scopes.iter().find(|token| !valid_scope_token(token)) {
            return Err(refuse(&format!("{bad:?} is not a scope token")));
        }
        for resource in &entry.resources {
            UriPolicy::AllowHttpLoopback
                .check_url(resource, "resource")
                .map_err(|_| {
                    refuse(&format!(
                        "resource {resource:?} is not an https URL (or http on a loopback host) \
                         without user information or fragment"
                    ))
                })?;
        }
        let audiences = if entry.resources.is_empty() {
            vec![audience.to_owned()]
        } else {
            entry.resources
        };
        Ok(Self {
            id,
            credential,
            scopes,
            audiences,
        })
    }
}

/// The verifying keys of a `jwks` (a set) or `jwk` (one key) member: public asymmetric keys
/// only, each bound to its `alg` or to what its `kty`/`crv` allow ([`jwa::ASYMMETRIC`]).
fn key_ring(value: &serde_json::Value, set: bool) -> Result<KeyRing, String> {
    let json = serde_json::to_vec(value).map_err(|error| error.to_string())?;
    let jwks = if set {
        JwkSet::from_json(&json).map_err(|error| format!("jwks: {error}"))?
    } else {
        let mut jwks = JwkSet::new();
        jwks.push(Jwk::from_json(&json).map_err(|error| format!("jwk: {error}"))?);
        jwks
    };
    if jwks.keys().iter().any(Jwk::is_private) {
        return Err("a private key: the clients file holds public keys only".into());
    }
    let ring = jwks.key_ring(&jwa::ASYMMETRIC);
    if ring.is_empty() {
        return Err("no usable public key (asymmetric JWKs only)".into());
    }
    Ok(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_entry(id: &str, secret: &str) -> serde_json::Value {
        let iterations = NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN);
        serde_json::json!({
            "client_id": id,
            "secret": PasswordHash::new(secret.as_bytes(), iterations).ok(),
            "scope": "reports:read profile",
            "resources": ["https://reports.example"],
        })
    }

    fn clients(entries: &[serde_json::Value]) -> Result<Clients, String> {
        let json = serde_json::to_vec(&serde_json::json!({ "clients": entries }))
            .map_err(|e| e.to_string())?;
        Clients::from_json(&json, "jose-service").map_err(|e| e.0)
    }

    #[test]
    fn right_secret_only_and_audiences() {
        let clients = clients(&[secret_entry("batch", "s3cret")]);
        let clients = clients.as_ref().ok();
        let found = clients.and_then(|c| c.check_secret("batch", "s3cret"));
        assert_eq!(found.as_ref().map(|c| c.id.as_str()), Some("batch"));
        assert_eq!(
            found.as_ref().map(|c| c.audiences.clone()),
            Some(vec!["https://reports.example".to_owned()])
        );
        assert_eq!(
            found.map(|c| c.scope()),
            Some("reports:read profile".into())
        );
        assert!(
            clients
                .and_then(|c| c.check_secret("batch", "s3creT"))
                .is_none()
        );
        assert!(
            clients
                .and_then(|c| c.check_secret("other", "s3cret"))
                .is_none()
        );
        assert_eq!(
            clients.map(Clients::audiences),
            Some(
                &[
                    "jose-service".to_owned(),
                    "https://reports.example".to_owned()
                ][..]
            )
        );
    }

    #[test]
    fn refuses_bad_entries() {
        let twice = clients(&[secret_entry("a", "x"), secret_entry("a", "y")]);
        assert_eq!(
            twice.map(|_| ()),
            Err("clients file: \"a\" appears twice".into())
        );
        let mut bad_id = secret_entry("a b", "x");
        assert_eq!(
            clients(std::slice::from_ref(&bad_id)).map(|_| ()),
            Err("clients file: client \"a b\": a client_id is 1 to 64 letters, digits, '-', '_' or '.'".into())
        );
        bad_id["client_id"] = "a".into();
        bad_id["resources"] = serde_json::json!(["http://reports.example"]);
        assert_eq!(
            clients(std::slice::from_ref(&bad_id)).map(|_| ()),
            Err("clients file: client \"a\": resource \"http://reports.example\" is not an https URL (or http on a loopback host) without user information or fragment".into())
        );
        let none = serde_json::json!({"client_id": "a", "scope": "x"});
        assert_eq!(
            clients(&[none]).map(|_| ()),
            Err("clients file: client \"a\": exactly one of \"secret\", \"jwks\" and \"jwk\" is needed".into())
        );
        let private = serde_json::json!({"client_id": "a", "jwk": {
            "kty": "EC", "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
            "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}});
        assert_eq!(
            clients(&[private]).map(|_| ()),
            Err("clients file: client \"a\": a private key: the clients file holds public keys only".into())
        );
        assert!(clients(&[serde_json::json!({"client_id": "a", "jwks": {"keys": []}})]).is_err());
    }

    #[test]
    fn a_key_client_has_no_secret() {
        let entry = serde_json::json!({"client_id": "signer", "jwk": {
            "kty": "EC", "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}});
        let clients = clients(&[entry]);
        let clients = clients.as_ref().ok();
        assert_eq!(
            clients
                .and_then(|c| c.get("signer"))
                .map(|c| c.credential.method()),
            Some("private_key_jwt")
        );
        assert!(clients.and_then(|c| c.check_secret("signer", "")).is_none());
        assert_eq!(
            clients
                .and_then(|c| c.get("signer"))
                .map(|c| c.audiences.clone()),
            Some(vec!["jose-service".to_owned()])
        );
    }

    #[test]
    fn scope_tokens() {
        assert!(valid_scope_token("reports:read"));
        assert!(!valid_scope_token(""));
        assert!(!valid_scope_token("a\"b"));
        assert!(!valid_scope_token("a\\b"));
        assert!(!valid_scope_token("é"));
    }
}
