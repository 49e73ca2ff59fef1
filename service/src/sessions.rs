//! Browser sessions, the backend-for-frontend of RFC 10017 §6.1: the browser holds a random
//! session id in an HttpOnly cookie ([`COOKIE`]), the user's access and refresh tokens stay
//! in the shared store, and the service refreshes them itself with the token endpoints' own
//! refresh grant (`token_endpoint::refresh_grant`: rotation, grace window, reuse).
//!
//! A session id is 256 random bits. What the store holds is keyed and sealed by values
//! derived from it (HKDF-SHA256): the key `jr:ses:<lookup>` and the record sealed with
//! AES-256-GCM, bound to that key. A copy of the store therefore yields neither a cookie nor
//! a token. A session lives until the end of its login's refresh-token lifetime (RFC 10017
//! §6.1, "Refresh Tokens": the session's life is the refresh token's) unless it ends before:
//! sign-out, or a refresh the token endpoints refuse.

use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::state::State;
use crate::store::Unavailable;
use crate::token_endpoint::Issued;
use crate::users::hex;

/// The session cookie's name: `__Host-` (Secure, `Path=/`, no `Domain`: RFC 6265bis §4.1.3.2)
/// and `Http-` (set by `Set-Cookie` with `HttpOnly` only, never by a script: the
/// layered-cookies draft's `__Host-Http-` prefix, Chromium 140+). A browser without the
/// `Http-` rule still enforces `__Host-`.
pub const COOKIE: &str = "__Host-Http-session";

/// The `client_id` of the tokens a browser session holds: the service's own
/// backend-for-frontend. Reserved: a clients-file client of that name cannot log in here.
pub const CLIENT_ID: &str = "jose-session";

/// How long a session's refresh may hold its lock (it takes milliseconds; a crashed
/// instance's lock expires by itself).
pub const LOCK_TTL: Duration = Duration::from_secs(5);

/// Bytes of a session id.
const ID_LEN: usize = 32;
/// Characters of a session id in base64url without padding.
const ID_TEXT_LEN: usize = 43;
/// The HKDF salt of every value derived from a session id.
const SALT: &[u8] = b"jose-service browser session v1";

/// A session id: what the cookie carries. `Debug` shows nothing of it.
pub struct SessionId {
    secret: [u8; ID_LEN],
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(..)")
    }
}

impl SessionId {
    /// A fresh id from the system's random source.
    ///
    /// # Errors
    ///
    /// If the system random source fails.
    pub fn new() -> Result<Self, Unavailable> {
        let mut secret = [0u8; ID_LEN];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| Unavailable("system random source failed"))?;
        Ok(Self { secret })
    }

    /// The id a cookie value names: exactly 43 base64url characters, else `None`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != ID_TEXT_LEN {
            return None;
        }
        let mut secret = [0u8; ID_LEN];
        let decoded = Base64UrlUnpadded::decode(text, &mut secret).ok()?;
        (decoded.len() == ID_LEN).then_some(Self { secret })
    }

    /// The cookie value.
    #[must_use]
    pub fn to_cookie_value(&self) -> String {
        Base64UrlUnpadded::encode_string(&self.secret)
    }

    fn derived(&self) -> hkdf::Prk {
        hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(&self.secret)
    }

    /// The store's name of the session (hex of 32 bytes derived from the id).
    ///
    /// # Errors
    ///
    /// If HKDF fails (it does not for 32 bytes).
    pub fn lookup(&self) -> Result<String, Unavailable> {
        let mut out = [0u8; 32];
        self.derived()
            .expand(&[b"lookup"], hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(&mut out))
            .map_err(|_| Unavailable("session key derivation failed"))?;
        Ok(hex(&out))
    }

    fn sealing_key(&self) -> Result<LessSafeKey, Unavailable> {
        self.derived()
            .expand(&[b"seal"], &AES_256_GCM)
            .map(|okm| LessSafeKey::new(UnboundKey::from(okm)))
            .map_err(|_| Unavailable("session key derivation failed"))
    }
}

/// What the service keeps about a browser session (sealed in the store): the user, the
/// tokens, and when the session ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The user.
    pub sub: String,
    /// The refresh-token family of the login.
    pub family: String,
    /// The current access token.
    pub access_token: String,
    /// Its `jti`.
    pub access_jti: String,
    /// Its `exp`, Unix seconds.
    pub access_exp: i64,
    /// The current refresh token.
    pub refresh_token: String,
    /// When the session ends, Unix seconds: the login's refresh-token lifetime.
    pub ends: i64,
}

impl Record {
    /// The record of a session that starts with the pair `issued` at `now` and lasts
    /// `lifetime` seconds.
    #[must_use]
    pub(crate) fn new(issued: Issued, now: i64, lifetime: u64) -> Option<Self> {
        let lifetime = i64::try_from(lifetime).unwrap_or(i64::MAX);
        Self::ending(issued, now.saturating_add(lifetime))
    }

    /// The record after a refresh issued `issued`: the same session, the new pair.
    #[must_use]
    pub(crate) fn refreshed(&self, issued: Issued) -> Option<Self> {
        Self::ending(issued, self.ends)
    }

    /// The record of the pair `issued` in a session that ends at `ends`; `None` without a
    /// refresh token.
    fn ending(issued: Issued, ends: i64) -> Option<Self> {
        Some(Self {
            sub: issued.sub,
            family: issued.family,
            access_token: issued.tokens.access_token,
            access_jti: issued.access_jti,
            access_exp: issued.access_exp,
            refresh_token: issued.tokens.refresh_token?,
            ends,
        })
    }

    /// Whether the access token should be refreshed at `now`: it has `ahead` seconds or
    /// less left.
    #[must_use]
    pub fn due(&self, now: i64, ahead: i64) -> bool {
        self.access_exp.saturating_sub(now) <= ahead
    }

    /// `self` sealed for the session `id` (AES-256-GCM, a random nonce, the store key as
    /// associated data): base64url of nonce and ciphertext.
    fn seal(&self, id: &SessionId, lookup: &str) -> Result<String, Unavailable> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| Unavailable("system random source failed"))?;
        let mut sealed =
            serde_json::to_vec(self).map_err(|_| Unavailable("session record not serializable"))?;
        id.sealing_key()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(lookup.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| Unavailable("session record sealing failed"))?;
        let mut out = nonce.to_vec();
        out.append(&mut sealed);
        Ok(Base64UrlUnpadded::encode_string(&out))
    }

    /// The record `sealed` for the session `id`, or `None` if it does not open.
    fn open(sealed: &str, id: &SessionId, lookup: &str) -> Option<Self> {
        let bytes = Base64UrlUnpadded::decode_vec(sealed).ok()?;
        let (nonce, ciphertext) = bytes.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut ciphertext = ciphertext.to_vec();
        let plain = id
            .sealing_key()
            .ok()?
            .open_in_place(nonce, Aad::from(lookup.as_bytes()), &mut ciphertext)
            .ok()?;
        serde_json::from_slice(plain).ok()
    }
}

/// The sessions on the shared state.
#[derive(Debug, Clone)]
pub struct Sessions {
    state: State,
}

impl Sessions {
    /// The sessions kept in `state`.
    #[must_use]
    pub fn new(state: State) -> Self {
        Self { state }
    }

    /// Keeps `record` for the session `id` until it ends (at least a second from `now`).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn save(&self, id: &SessionId, record: &Record, now: i64) -> Result<(), Unavailable> {
        let lookup = id.lookup()?;
        let sealed = record.seal(id, &lookup)?;
        let left = u64::try_from(record.ends.saturating_sub(now)).unwrap_or(0);
        self.state
            .keep_session(&lookup, &sealed, Duration::from_secs(left.max(1)))
            .await
    }

    /// The record of the session `id`, if it lives (and opens).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn load(&self, id: &SessionId) -> Result<Option<Record>, Unavailable> {
        let lookup = id.lookup()?;
        let sealed = self.state.session(&lookup).await?;
        Ok(sealed.and_then(|sealed| Record::open(&sealed, id, &lookup)))
    }

    /// Ends the session `id` on every instance.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (it may have ended).
    pub async fn end(&self, id: &SessionId) -> Result<(), Unavailable> {
        self.state.end_session(&id.lookup()?).await
    }

    /// Takes the session's refresh lock: `true` if this call has it.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn lock(&self, id: &SessionId) -> Result<bool, Unavailable> {
        self.state.lock_session(&id.lookup()?, LOCK_TTL).await
    }

    /// Releases the session's refresh lock (on failure it expires after [`LOCK_TTL`]).
    pub async fn unlock(&self, id: &SessionId) {
        let unlocked = match id.lookup() {
            Ok(lookup) => self.state.unlock_session(&lookup).await,
            Err(error) => Err(error),
        };
        if let Err(error) = unlocked {
            tracing::warn!(%error, "session refresh lock not released; it expires by itself");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::store::MemoryStore;
    use crate::tokens::TokenResponse;

    fn issued(n: &str) -> Issued {
        Issued {
            tokens: TokenResponse {
                access_token: format!("access-{n}"),
                token_type: "Bearer",
                expires_in: 900,
                refresh_token: Some(format!("refresh-{n}")),
                scope: "profile".into(),
            },
            sub: "ada".into(),
            family: "fam".into(),
            access_jti: format!("fam.{n}"),
            access_exp: 1_900,
        }
    }

    #[test]
    fn ids_are_43_base64url_characters_and_round_trip() {
        let id = SessionId::new().unwrap();
        let text = id.to_cookie_value();
        assert_eq!(text.len(), ID_TEXT_LEN);
        let parsed = SessionId::parse(&text).unwrap();
        assert_eq!(parsed.lookup(), id.lookup());
        assert_ne!(SessionId::new().unwrap().lookup(), id.lookup());
        assert_eq!(id.lookup().unwrap().len(), 64);
        for bad in [
            "",
            "short",
            &format!("{text}A"),
            &text.replace(|_| true, "+"),
        ] {
            assert!(SessionId::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{id:?}"), "SessionId(..)");
    }

    #[test]
    fn a_record_opens_only_with_its_id_and_key() {
        let id = SessionId::new().unwrap();
        let lookup = id.lookup().unwrap();
        let record = Record::new(issued("1"), 1_000, 3_600).unwrap();
        assert_eq!(record.ends, 4_600);
        let sealed = record.seal(&id, &lookup).unwrap();
        assert!(!sealed.contains("access-1"));
        assert_eq!(Record::open(&sealed, &id, &lookup), Some(record.clone()));
        let other = SessionId::new().unwrap();
        assert_eq!(Record::open(&sealed, &other, &lookup), None);
        assert_eq!(Record::open(&sealed, &id, &other.lookup().unwrap()), None);
        assert_eq!(Record::open("not base64!", &id, &lookup), None);
        // A refresh keeps the session's end.
        let next = record.refreshed(issued("2")).unwrap();
        assert_eq!((next.access_token.as_str(), next.ends), ("access-2", 4_600));
        assert!(next.due(1_840, 60) && !next.due(1_839, 60));
    }

    #[tokio::test]
    async fn saved_loaded_locked_and_ended() {
        let sessions = Sessions::new(State::new(Arc::new(MemoryStore::new())));
        let id = SessionId::new().unwrap();
        let record = Record::new(issued("1"), 1_000, 3_600).unwrap();
        assert_eq!(sessions.load(&id).await, Ok(None));
        sessions.save(&id, &record, 1_000).await.unwrap();
        assert_eq!(sessions.load(&id).await, Ok(Some(record)));
        assert_eq!(sessions.lock(&id).await, Ok(true));
        assert_eq!(sessions.lock(&id).await, Ok(false));
        sessions.unlock(&id).await;
        assert_eq!(sessions.lock(&id).await, Ok(true));
        sessions.end(&id).await.unwrap();
        assert_eq!(sessions.load(&id).await, Ok(None));
    }
}
