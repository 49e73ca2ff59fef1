//! The users file: PBKDF2-HMAC-SHA256 password hashes (ring), scopes and roles.
//!
//! ```json
//! {"users": [{"username": "ada",
//!             "password": {"alg": "PBKDF2-HMAC-SHA256", "iterations": 600000,
//!                          "salt": "<hex, 16 bytes>", "hash": "<hex, 32 bytes>"},
//!             "scope": "profile reports:read", "roles": ["admin"]}]}
//! ```
//!
//! `jose-service hash-password` writes the `password` member. A wrong user name and a wrong
//! password take the same path: an unknown name is checked against a dummy hash with the
//! largest iteration count of the file, and both answer the same (so give every user the same
//! count, or the time tells which one was checked).

use std::collections::HashMap;
use std::num::NonZeroU32;

use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, pbkdf2};
use serde::{Deserialize, Serialize};

/// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// The longest password accepted (PBKDF2 hashes it with HMAC, so length costs little, but
/// a bound keeps requests small).
pub const MAX_PASSWORD: usize = 1024;

const SALT_LEN: usize = 16;
const HASH_LEN: usize = digest::SHA256_OUTPUT_LEN;

/// One user of the file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login name.
    pub username: String,
    /// The password hash.
    pub password: PasswordHash,
    /// Space-separated OAuth scopes the user's tokens carry.
    #[serde(default)]
    pub scope: String,
    /// Roles the user's tokens carry.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A PBKDF2-HMAC-SHA256 hash.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordHash {
    alg: Pbkdf2Sha256,
    iterations: NonZeroU32,
    #[serde(with = "hex_bytes")]
    salt: Vec<u8>,
    #[serde(with = "hex_bytes")]
    hash: Vec<u8>,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PasswordHash(PBKDF2-HMAC-SHA256, {} iterations)",
            self.iterations
        )
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
enum Pbkdf2Sha256 {
    #[serde(rename = "PBKDF2-HMAC-SHA256")]
    Only,
}

impl PasswordHash {
    /// Hashes `password` with a fresh random salt.
    ///
    /// # Errors
    ///
    /// If the system random source fails.
    pub fn new(password: &[u8], iterations: NonZeroU32) -> Result<Self, ring::error::Unspecified> {
        let mut salt = vec![0; SALT_LEN];
        SystemRandom::new().fill(&mut salt)?;
        let mut hash = vec![0; HASH_LEN];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            &salt,
            password,
            &mut hash,
        );
        Ok(Self {
            alg: Pbkdf2Sha256::Only,
            iterations,
            salt,
            hash,
        })
    }

    /// The iteration count.
    #[must_use]
    pub const fn iterations(&self) -> NonZeroU32 {
        self.iterations
    }

    /// Whether the salt is at least 16 bytes and the hash 32 (as `new` makes them).
    #[must_use]
    pub fn is_well_formed(&self) -> bool {
        self.salt.len() >= SALT_LEN && self.hash.len() == HASH_LEN
    }

    /// Whether `password` matches, compared in constant time (`ring::pbkdf2::verify`).
    #[must_use]
    pub fn verify(&self, password: &[u8]) -> bool {
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            self.iterations,
            &self.salt,
            password,
            &self.hash,
        )
        .is_ok()
    }
}

/// The users, by name, and the dummy hash an unknown name is checked against.
#[derive(Debug)]
pub struct Users {
    by_name: HashMap<String, User>,
    dummy: PasswordHash,
}

/// Why a users file was refused.
pub use crate::error::SetupError as UsersError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    users: Vec<User>,
}

impl Users {
    /// Reads a users file.
    ///
    /// # Errors
    ///
    /// [`UsersError`] if it is not valid JSON of the documented shape, names a user twice,
    /// or has a salt shorter than 16 bytes or a hash that is not 32.
    pub fn from_json(json: &[u8]) -> Result<Self, UsersError> {
        let file: File = serde_json::from_slice(json)
            .map_err(|error| UsersError(format!("users file: {error}")))?;
        let mut by_name = HashMap::new();
        let mut most = NonZeroU32::MIN;
        for user in file.users {
            if !user.password.is_well_formed() {
                return Err(UsersError(format!(
                    "users file: bad salt or hash for {:?}",
                    user.username
                )));
            }
            most = most.max(user.password.iterations);
            let name = user.username.clone();
            if by_name.insert(name.clone(), user).is_some() {
                return Err(UsersError(format!("users file: {name:?} appears twice")));
            }
        }
        let dummy = PasswordHash::new(b"no user has this password", most)
            .map_err(|_| UsersError("system random source failed".into()))?;
        Ok(Self { by_name, dummy })
    }

    /// The user if `username` and `password` match, doing the same PBKDF2 work when the name
    /// is unknown.
    #[must_use]
    pub fn check(&self, username: &str, password: &str) -> Option<&User> {
        let user = self.by_name.get(username);
        let hash = user.map_or(&self.dummy, |user| &user.password);
        let matches = hash.verify(password.as_bytes());
        user.filter(|_| matches)
    }

    /// The user named `username`, for a refresh (roles and scopes as the file says now).
    #[must_use]
    pub fn get(&self, username: &str) -> Option<&User> {
        self.by_name.get(username)
    }
}

/// Lowercase hex for salts and hashes (no codec crate for 48 bytes a user).
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::hex(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        let digit = |c: u8| {
            char::from(c)
                .to_digit(16)
                .and_then(|d| u8::try_from(d).ok())
        };
        text.as_bytes()
            .chunks(2)
            .map(|pair| match pair {
                [high, low] => digit(*high)
                    .zip(digit(*low))
                    .map(|(high, low)| high.wrapping_shl(4) | low),
                _ => None,
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| D::Error::custom("expected lowercase hex"))
    }
}

/// `bytes` as lowercase hex.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(
        String::with_capacity(bytes.len().saturating_mul(2)),
        |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(iterations: u32) -> Vec<u8> {
        let iterations = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
        let hash = PasswordHash::new(b"pw", iterations).ok();
        serde_json::to_vec(&serde_json::json!({"users": [
            {"username": "ada", "password": hash, "scope": "profile", "roles": ["admin"]}
        ]}))
        .unwrap_or_default()
    }

    #[test]
    fn right_password_only() {
        let users = Users::from_json(&file(10));
        let users = users.as_ref().ok();
        assert_eq!(
            users
                .and_then(|u| u.check("ada", "pw"))
                .map(|u| u.username.as_str()),
            Some("ada")
        );
        assert!(users.and_then(|u| u.check("ada", "pW")).is_none());
        assert!(users.and_then(|u| u.check("bob", "pw")).is_none());
        assert!(users.and_then(|u| u.check("", "")).is_none());
    }

    #[test]
    fn refuses_a_user_twice_and_unknown_members() {
        let twice = br#"{"users":[{"username":"a","password":{"alg":"PBKDF2-HMAC-SHA256","iterations":1,"salt":"00000000000000000000000000000000","hash":"0000000000000000000000000000000000000000000000000000000000000000"}},{"username":"a","password":{"alg":"PBKDF2-HMAC-SHA256","iterations":1,"salt":"00000000000000000000000000000000","hash":"0000000000000000000000000000000000000000000000000000000000000000"}}]}"#;
        assert_eq!(
            Users::from_json(twice).map(|_| ()).map_err(|e| e.0),
            Err("users file: \"a\" appears twice".into())
        );
        assert!(Users::from_json(br#"{"users":[],"admin":true}"#).is_err());
        assert!(Users::from_json(br#"{"users":[{"username":"a","password":{"alg":"PBKDF2-HMAC-SHA256","iterations":1,"salt":"00","hash":"00"}}]}"#).is_err());
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
    }
}
