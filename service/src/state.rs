//! What the flow keeps, named: revoked tokens and families, refresh-token rotation, DPoP
//! proofs seen, browser sessions; on any [`Store`], and adapted to the guard's store traits.
//!
//! | key                 | written by                                  | read by                                  | TTL                              |
//! |---------------------|---------------------------------------------|------------------------------------------|----------------------------------|
//! | `jr:rot:<fam>`      | `/refresh` (the rotation script)            | `/refresh` (the same script)             | refresh lifetime + 60 s          |
//! | `jr:fam:<fam>`      | `/logout`, reuse detection                  | `/refresh`, every access-token check     | refresh lifetime + 60 s          |
//! | `jr:jti:<jti>`      | `/logout`, a retry superseding a pair       | every access-token check                 | until the access token's `exp`   |
//! | `jr:dpop:<jkt>:<jti>` | the guard, `/login`, `/refresh`, `/token` (`SET NX`) | the same `SET NX` (taken: replay) | the proof's replay window |
//! | `jr:assert:<client>:<jti>` | a `private_key_jwt` client authentication (`SET NX`) | the same `SET NX` (taken: replay) | until the assertion's `exp` |
//! | `jr:settle` | Redis with replicas, after a key was found | nobody (its `WAIT` covers what was read) | 1 s |
//! | `jr:ses:<lookup>` | `/session/login`, a session's refresh (a sealed [`crate::sessions::Record`]) | every `/session` request | until the session's end |
//! | `jr:seslock:<lookup>` | a session's refresh (`SET NX`), removed after it | the same `SET NX` (taken: a refresh is running) | 5 s |
//!
//! `jr:rot:<fam>` is a hash (`current`, `current_access`, `previous`, `binding`,
//! `grace_until`): the family's [`Rotation`](crate::rotation::Rotation). An access token's
//! `jti` is `<fam>.<random>`, so that the guard's revocation check, which is given only the
//! `jti`, looks up the token and its family in one `EXISTS` round trip.
//!
//! `<lookup>` is derived from the session id (the cookie's value) and reveals nothing of it
//! ([`crate::sessions`]). Every write here would let a token through if it were lost (a
//! session's end, its rotated tokens: losing those would revive it or revoke it by reuse),
//! so each goes through a [`Store`] write, which Redis with replicas acknowledges before it counts
//! ([`crate::store::Durability::Replicated`]); a new write of that kind (a revocation through
//! another endpoint, a client assertion's `jti`) belongs here too.

use std::sync::Arc;
use std::time::Duration;

use jose_ring_axum::{BoxFuture, ReplayStore, RevocationStore, StoreError};

use crate::rotation::{Outcome, Presentation};
use crate::store::{RotateRequest, Store, Unavailable};

/// The prefix of a revoked access token's key.
const REVOKED_ACCESS: &str = "jr:jti:";
/// The prefix of a browser session's key.
const SESSION: &str = "jr:ses:";
/// The prefix of a browser session's refresh lock.
const SESSION_LOCK: &str = "jr:seslock:";

/// The flow's state on a [`Store`].
#[derive(Clone)]
pub struct State {
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State")
    }
}

impl State {
    /// The flow's state on `store`.
    #[must_use]
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The family of an access token's `jti` (`<fam>.<random>`), if it has one.
    #[must_use]
    pub fn family_of(jti: &str) -> Option<&str> {
        jti.split_once('.').map(|(family, _)| family)
    }

    /// Whether the access token `jti`, or its family, is revoked.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn is_revoked(&self, jti: &str) -> Result<bool, Unavailable> {
        let mut keys = vec![format!("{REVOKED_ACCESS}{jti}")];
        if let Some(family) = Self::family_of(jti) {
            keys.push(format!("jr:fam:{family}"));
        }
        self.store.any(&keys).await
    }

    /// Revokes the access token `jti` for `ttl` (until its `exp`).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn revoke_token(&self, jti: &str, ttl: Duration) -> Result<(), Unavailable> {
        self.store
            .insert(&format!("{REVOKED_ACCESS}{jti}"), ttl)
            .await
    }

    /// Revokes every token of the family `fam` for `ttl` (the longest life of a token in it).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn revoke_family(&self, family: &str, ttl: Duration) -> Result<(), Unavailable> {
        self.store.insert(&format!("jr:fam:{family}"), ttl).await
    }

    /// Presents a refresh token of `family` ([`crate::rotation`]), atomically across
    /// instances: keeps the family's state and revokes what the step says for `family_ttl`
    /// (the family, its state) or `access_ttl` (a superseded access token).
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (the step may have been applied).
    pub async fn rotate(
        &self,
        family: &str,
        presentation: Presentation<'_>,
        family_ttl: Duration,
        access_ttl: Duration,
    ) -> Result<Outcome, Unavailable> {
        let family_key = format!("jr:fam:{family}");
        let state_key = format!("jr:rot:{family}");
        let request = RotateRequest {
            family_key: &family_key,
            state_key: &state_key,
            access_prefix: REVOKED_ACCESS,
            presentation,
            family_ttl,
            access_ttl,
        };
        self.store.rotate(&request).await
    }

    /// Records a DPoP proof (its replay key, `jkt:jti`) for `ttl`: `true` the first time,
    /// `false` for a replay.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn first_proof(&self, key: &str, ttl: Duration) -> Result<bool, Unavailable> {
        self.store.insert_new(&format!("jr:dpop:{key}"), ttl).await
    }

    /// Keeps the browser session `lookup` (its sealed record) for `ttl`.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (it may have been kept).
    pub async fn keep_session(
        &self,
        lookup: &str,
        sealed: &str,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        self.store
            .put(&format!("{SESSION}{lookup}"), sealed, ttl)
            .await
    }

    /// The browser session `lookup`'s sealed record, if it lives.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn session(&self, lookup: &str) -> Result<Option<String>, Unavailable> {
        self.store.get(&format!("{SESSION}{lookup}")).await
    }

    /// Ends the browser session `lookup` on every instance.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (it may have ended).
    pub async fn end_session(&self, lookup: &str) -> Result<(), Unavailable> {
        self.store.remove(&format!("{SESSION}{lookup}")).await
    }

    /// Takes the refresh lock of the browser session `lookup` for at most `ttl`: `true` if
    /// this call took it, `false` if a refresh of the session is running.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn lock_session(&self, lookup: &str, ttl: Duration) -> Result<bool, Unavailable> {
        self.store
            .insert_new(&format!("{SESSION_LOCK}{lookup}"), ttl)
            .await
    }

    /// Releases the refresh lock of the browser session `lookup`.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer (the lock then expires by itself).
    pub async fn unlock_session(&self, lookup: &str) -> Result<(), Unavailable> {
        self.store.remove(&format!("{SESSION_LOCK}{lookup}")).await
    }

    /// Records a client assertion (RFC 7523 §3: its `jti`, used once, per client) for `ttl`
    /// (until its `exp`): `true` the first time, `false` for a replay.
    ///
    /// # Errors
    ///
    /// [`Unavailable`] if the store cannot answer.
    pub async fn first_client_assertion(
        &self,
        client_id: &str,
        jti: &str,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        self.store
            .insert_new(&format!("jr:assert:{client_id}:{jti}"), ttl)
            .await
    }
}

/// The guard's DPoP replay check on the shared state: every instance sees every proof.
impl ReplayStore for State {
    fn first_use<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move { self.first_proof(key, ttl).await.map_err(StoreError::new) })
    }
}

/// The guard's revocation check on the shared state: the token's `jti` and its family.
impl RevocationStore for State {
    fn is_revoked<'a>(&'a self, jti: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move { State::is_revoked(self, jti).await.map_err(StoreError::new) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::tokens::PairIds;

    fn ids(n: &str) -> PairIds {
        PairIds {
            family: "f1".into(),
            refresh: format!("r{n}"),
            access: format!("f1.a{n}"),
        }
    }

    #[tokio::test]
    async fn memory_store_uses_once_and_expires() {
        let store = MemoryStore::new();
        let ttl = Duration::from_millis(30);
        assert_eq!(store.insert_new("a", ttl).await, Ok(true));
        assert_eq!(store.insert_new("a", ttl).await, Ok(false));
        assert_eq!(store.any(&["b".into(), "a".into()]).await, Ok(true));
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(store.any(&["a".into()]).await, Ok(false));
        assert_eq!(store.insert_new("a", ttl).await, Ok(true));
    }

    #[tokio::test]
    async fn a_retry_supersedes_the_pair_and_a_reuse_revokes_the_family() {
        let state = State::new(Arc::new(MemoryStore::new()));
        let hour = Duration::from_secs(3600);
        let (s1, s2, s3) = (ids("1"), ids("2"), ids("3"));
        let present = |jti, successor| Presentation {
            jti,
            binding: "c -",
            now: 1000,
            grace: 30,
            successor,
        };
        assert_eq!(state.is_revoked("f1.a1").await, Ok(false));
        assert_eq!(
            state.rotate("f1", present("r0", &s1), hour, hour).await,
            Ok(Outcome::Rotated)
        );
        assert_eq!(
            state.rotate("f1", present("r0", &s2), hour, hour).await,
            Ok(Outcome::Retried)
        );
        // The superseded pair's access token is revoked; the family is not.
        assert_eq!(state.is_revoked("f1.a1").await, Ok(true));
        assert_eq!(state.is_revoked("f1.a2").await, Ok(false));
        // Its refresh token is spent: presenting it revokes the family.
        assert_eq!(
            state.rotate("f1", present("r1", &s3), hour, hour).await,
            Ok(Outcome::Reused)
        );
        assert_eq!(state.is_revoked("f1.a2").await, Ok(true));
        assert_eq!(
            state.rotate("f1", present("r2", &s3), hour, hour).await,
            Ok(Outcome::FamilyRevoked)
        );
        // Other families and tokens are untouched; logout revokes one token.
        assert_eq!(state.is_revoked("f2.a").await, Ok(false));
        assert_eq!(state.revoke_token("f2.a", hour).await, Ok(()));
        assert_eq!(state.is_revoked("f2.a").await, Ok(true));
        assert_eq!(state.is_revoked("f2.b").await, Ok(false));
    }
}
