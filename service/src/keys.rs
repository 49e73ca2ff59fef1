//! Signing keys and the published JWK Set, with rotation.
//!
//! With `--key-dir DIR` the keys are files `DIR/es256-<activation>-<kid>.jwk`, each a private
//! ES256 JWK, written atomically (temporary file, then rename) with mode 0600. Every instance
//! given the same directory signs with the same key and verifies the others' tokens; each
//! re-reads the directory every `--key-reload` seconds.
//!
//! - The **signing** key is the one with the latest activation time that has come.
//! - **Published** (in `/.well-known/jwks.json`) and accepted: the signing key, every key
//!   whose activation is still to come (so that every instance and every cache knows a key
//!   before any token is signed with it), and every older key until its successor has been
//!   active for the longest token lifetime (the refresh lifetime) plus one reload interval:
//!   by then the last token it signed has expired.
//! - `jose-service rotate-key --key-dir DIR` adds a key that activates later and deletes the
//!   files of keys no longer published. "Later" is [`activation_lead`]: one reload interval
//!   for every instance to publish the key, then the JWK Set's `max-age` for every cache that
//!   fetched the set just before to fetch it again, so that no verifier meets a token signed
//!   with a key it has not seen.
//!
//! Without `--key-dir`, one key is generated in memory at start: fine for one instance, and
//! every restart invalidates the tokens.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jose_ring::jwk::{Jwk, JwkSet, KeyRing};
use jose_ring::jwt::NumericDate;
use jose_ring::{SigningKey, VerifyingKey, jwa};

/// Why the keys could not be loaded or written. Its text never contains key bytes.
pub use crate::error::SetupError as KeyError;

/// The `max-age` of the published JWK Set by default, seconds.
pub const DEFAULT_JWKS_MAX_AGE: u64 = 60;

/// The shortest time, in seconds, between adding a key to the directory and its signing:
/// `key_reload` for every instance to re-read the directory and publish it, then
/// `jwks_max_age` for a cache that fetched the set just before that to fetch it again.
#[must_use]
pub const fn activation_lead(jwks_max_age: u64, key_reload: u64) -> u64 {
    jwks_max_age.saturating_add(key_reload)
}

/// How long a retired key stays published after its successor signs: the longest token
/// lifetime (the last token it signed expires by then) plus one reload interval.
#[must_use]
pub const fn retention(longest_lifetime: u64, key_reload: u64) -> Duration {
    Duration::from_secs(longest_lifetime.saturating_add(key_reload))
}

/// One key and when it starts signing.
#[derive(Debug)]
struct Entry {
    activation: i64,
    key: SigningKey,
}

/// The keys in force at one moment.
#[derive(Debug)]
pub struct Keys {
    signer: SigningKey,
    published: String,
    public: Vec<VerifyingKey>,
    kids: Vec<String>,
}

impl Keys {
    /// The key that signs new tokens.
    #[must_use]
    pub fn signer(&self) -> &SigningKey {
        &self.signer
    }

    /// The JWK Set document (public keys only).
    #[must_use]
    pub fn jwks_json(&self) -> &str {
        &self.published
    }

    /// The public keys tokens are verified with (the published ones), as a new ring.
    #[must_use]
    pub fn ring(&self) -> KeyRing {
        self.public
            .iter()
            .cloned()
            .fold(KeyRing::new(), KeyRing::with_verifying_key)
    }

    /// The `kid`s published, signer first.
    #[must_use]
    pub fn kids(&self) -> &[String] {
        &self.kids
    }

    fn from_entries(mut entries: Vec<Entry>, now: i64, retain: Duration) -> Result<Self, KeyError> {
        entries.sort_by(|a, b| (a.activation, a.key.kid()).cmp(&(b.activation, b.key.kid())));
        let active = entries
            .iter()
            .rposition(|entry| entry.activation <= now)
            .ok_or_else(|| KeyError("no key is active yet".into()))?;
        let retain = i64::try_from(retain.as_secs()).unwrap_or(i64::MAX);
        let mut published = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let successor = entries
                .get(index.saturating_add(1))
                .map(|next| next.activation);
            let kept =
                index >= active || successor.is_some_and(|next| next.saturating_add(retain) > now);
            if kept {
                published.push(entry);
            }
        }
        let signer = entries
            .get(active)
            .map(|entry| clone_key(&entry.key))
            .ok_or_else(|| KeyError("no key is active yet".into()))??;
        // Signer first, then the others newest first.
        published.sort_by_key(|entry| {
            (
                entry.key.kid() != signer.kid(),
                std::cmp::Reverse(entry.activation),
            )
        });
        let mut set = JwkSet::new();
        let mut public_keys = Vec::new();
        let mut kids = Vec::new();
        for entry in published {
            let public = entry.key.verifying_key();
            set.push(Jwk::from_verifying_key(&public));
            public_keys.push(public);
            kids.push(entry.key.kid().unwrap_or_default().to_owned());
        }
        let published = set
            .to_json()
            .map_err(|error| KeyError(format!("jwks: {error}")))?;
        Ok(Self {
            signer,
            published,
            public: public_keys,
            kids,
        })
    }
}

fn clone_key(key: &SigningKey) -> Result<SigningKey, KeyError> {
    let der = key.to_pkcs8_der();
    let copy = SigningKey::from_pkcs8_der(&jwa::ES256, der.expose())
        .map_err(|error| KeyError(format!("signing key: {error}")))?;
    Ok(match key.kid() {
        Some(kid) => copy.with_kid(kid),
        None => copy,
    })
}

/// A fresh ES256 key, its `kid` the RFC 7638 thumbprint of its public key.
///
/// # Errors
///
/// If ring cannot generate a key.
pub fn generate() -> Result<SigningKey, KeyError> {
    let key =
        SigningKey::generate(&jwa::ES256).map_err(|error| KeyError(format!("keygen: {error}")))?;
    let kid = Jwk::from_verifying_key(&key.verifying_key()).thumbprint();
    Ok(key.with_kid(kid))
}

/// Where the keys come from.
#[derive(Debug)]
pub enum KeySource {
    /// One key generated at start.
    Memory(Box<SigningKey>),
    /// A directory shared by the instances.
    Dir(PathBuf),
}

impl KeySource {
    /// The keys in force at `now`, keeping retired keys for `retain`.
    ///
    /// # Errors
    ///
    /// [`KeyError`] if the directory cannot be read, a key file is not an ES256 private JWK,
    /// or no key is active.
    pub fn load(&self, now: NumericDate, retain: Duration) -> Result<Keys, KeyError> {
        let entries = match self {
            Self::Memory(key) => vec![Entry {
                activation: i64::MIN,
                key: clone_key(key)?,
            }],
            Self::Dir(dir) => read_dir(dir)?,
        };
        Keys::from_entries(entries, now.as_seconds(), retain)
    }
}

fn read_dir(dir: &Path) -> Result<Vec<Entry>, KeyError> {
    let listing = std::fs::read_dir(dir)
        .map_err(|error| KeyError(format!("key dir {}: {error}", dir.display())))?;
    let mut entries = Vec::new();
    for file in listing {
        let file = file.map_err(|error| KeyError(format!("key dir {}: {error}", dir.display())))?;
        let name = file.file_name();
        let Some(activation) = name.to_str().and_then(activation_of) else {
            continue;
        };
        let path = file.path();
        let json = std::fs::read(&path)
            .map_err(|error| KeyError(format!("key file {}: {error}", path.display())))?;
        let key = Jwk::from_json(&json)
            .and_then(|jwk| jwk.signing_key(&jwa::ES256))
            .map_err(|error| KeyError(format!("key file {}: {error}", path.display())))?;
        let kid = Jwk::from_verifying_key(&key.verifying_key()).thumbprint();
        entries.push(Entry {
            activation,
            key: key.with_kid(kid),
        });
    }
    Ok(entries)
}

/// Whether `dir` holds a key file (a missing directory holds none).
#[must_use]
pub fn has_keys(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut files| {
        files.any(|file| {
            file.is_ok_and(|file| file.file_name().to_str().and_then(activation_of).is_some())
        })
    })
}

/// `es256-<activation>-<kid>.jwk` → activation.
fn activation_of(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("es256-")?.strip_suffix(".jwk")?;
    let (activation, _kid) = rest.split_once('-')?;
    activation.parse().ok()
}

/// Writes a new key to `dir` that signs from `activation` on, and returns its `kid`.
///
/// # Errors
///
/// [`KeyError`] if the key cannot be generated or written.
pub fn add_key(dir: &Path, activation: NumericDate) -> Result<String, KeyError> {
    std::fs::create_dir_all(dir)
        .map_err(|error| KeyError(format!("key dir {}: {error}", dir.display())))?;
    let key = generate()?;
    let kid = key.kid().unwrap_or_default().to_owned();
    let jwk = Jwk::from_signing_key(&key).map_err(|error| KeyError(format!("jwk: {error}")))?;
    let name = format!("es256-{}-{kid}.jwk", activation.as_seconds());
    let temporary = dir.join(format!(".{name}.tmp"));
    write_private(&temporary, jwk.to_private_json().expose())?;
    std::fs::rename(&temporary, dir.join(&name))
        .map_err(|error| KeyError(format!("key file {name}: {error}")))?;
    Ok(kid)
}

/// Deletes the files of keys that are no longer published at `now`; returns their number.
///
/// # Errors
///
/// [`KeyError`] if the directory cannot be read or a file cannot be deleted.
pub fn prune(dir: &Path, now: NumericDate, retain: Duration) -> Result<usize, KeyError> {
    let keys = KeySource::Dir(dir.to_owned()).load(now, retain)?;
    let listing = std::fs::read_dir(dir).map_err(|error| KeyError(format!("key dir: {error}")))?;
    let mut removed = 0usize;
    for file in listing.flatten() {
        let name = file.file_name();
        let Some(name) = name.to_str() else { continue };
        if activation_of(name).is_none()
            || keys
                .kids
                .iter()
                .any(|kid| name.ends_with(&format!("-{kid}.jwk")))
        {
            continue;
        }
        std::fs::remove_file(file.path())
            .map_err(|error| KeyError(format!("key file {name}: {error}")))?;
        removed = removed.saturating_add(1);
    }
    Ok(removed)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|error| KeyError(format!("key file {}: {error}", path.display())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|error| KeyError(format!("key file {}: {error}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_the_old_key_until_its_tokens_expired() {
        let dir = std::env::temp_dir().join(format!("jose-service-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let retain = Duration::from_secs(100);
        let first = add_key(&dir, NumericDate::from_seconds(1000)).unwrap();
        let second = add_key(&dir, NumericDate::from_seconds(2000)).unwrap();
        let source = KeySource::Dir(dir.clone());

        // Before the second activates: the first signs, both are published.
        let keys = source
            .load(NumericDate::from_seconds(1500), retain)
            .unwrap();
        assert_eq!(keys.signer().kid(), Some(first.as_str()));
        assert_eq!(keys.kids(), [first.clone(), second.clone()]);
        // After: the second signs, the first is published until 2000 + 100.
        let keys = source
            .load(NumericDate::from_seconds(2099), retain)
            .unwrap();
        assert_eq!(keys.signer().kid(), Some(second.as_str()));
        assert_eq!(keys.kids(), [second.clone(), first.clone()]);
        assert!(!keys.jwks_json().contains("\"d\""));
        let keys = source
            .load(NumericDate::from_seconds(2100), retain)
            .unwrap();
        assert_eq!(keys.kids(), std::slice::from_ref(&second));
        assert_eq!(
            prune(&dir, NumericDate::from_seconds(2100), retain).unwrap(),
            1
        );
        assert_eq!(
            source
                .load(NumericDate::from_seconds(2100), retain)
                .unwrap()
                .kids(),
            [second]
        );
        // Nothing active yet: refused.
        assert!(source.load(NumericDate::from_seconds(10), retain).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
