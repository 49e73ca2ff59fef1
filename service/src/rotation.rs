//! Refresh-token rotation of one family, as a state machine: which presentation of a refresh
//! token rotates, which is a retry within the grace window, which is a reuse.
//!
//! A family (every pair rotated from one login) has, once its first refresh token was used,
//! a [`Rotation`]: the one refresh token that may rotate next (`current`), and the one it
//! replaced (`previous`) with who presented it and until when it may be presented again.
//!
//! | presented                                   | answer   | then                                               |
//! |---------------------------------------------|----------|----------------------------------------------------|
//! | family revoked                              | refused  | nothing                                            |
//! | `current` (or any token, before any rotation) | rotate | `previous` ← it, the grace window starts; `current` ← the new pair |
//! | `previous`, in the window, same client and key | rotate (a retry) | the pair issued before is revoked (its refresh token is no longer `current`, its access token's `jti` is revoked); `current` ← the new pair; the window is not extended |
//! | anything else                               | refused  | the family is revoked (RFC 9700 §4.14.2)           |
//!
//! So a client whose refresh answer was lost, or that was told 503 while the store did write,
//! may retry with the same token and keep its session; a replay after the window still
//! revokes the family; of any number of presentations in the window exactly one pair (the
//! last) stays valid; and whoever later presents a superseded refresh token (the thief, or
//! the client if the thief retried first) revokes the family.
//!
//! [`Presentation::step`] is the machine. The in-memory store runs it under its lock; the
//! Redis store runs [`LUA`], its translation, as one script (atomic on the server). The
//! tests hold both to the same table.

use crate::tokens::PairIds;

/// The Redis translation of [`Presentation::step`]: `KEYS[1]` the family's revocation key,
/// `KEYS[2]` its rotation hash; `ARGV`: presented `jti`, binding, now, grace, successor
/// refresh `jti`, successor access `jti`, family TTL, access TTL, the prefix of revoked
/// access-token keys. Returns `rotated`, `retried`, `reused` or `family_revoked`.
///
/// It writes one key it is not given (the revoked access token of a superseded pair, named
/// from the hash): fine on one Redis server, which is what the service uses; a cluster would
/// need the family's keys in one hash slot.
pub const LUA: &str = include_str!("rotation.lua");

/// What is kept about a family from its first rotation on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The refresh `jti` that may rotate next: the last issued.
    pub current: String,
    /// The access `jti` issued with `current` (revoked if a retry supersedes the pair).
    pub current_access: String,
    /// The refresh `jti` that `current` replaced.
    pub previous: String,
    /// Who presented `previous`: its client and DPoP key ([`binding`]).
    pub binding: String,
    /// Until when (Unix seconds, exclusive) `previous` may be presented again.
    pub grace_until: i64,
}

/// Who presents a refresh token: the client it was issued to and the thumbprint of the DPoP
/// key that signed the request's proof (`-` without one).
#[must_use]
pub fn binding(client_id: &str, jkt: Option<&str>) -> String {
    format!("{client_id} {}", jkt.unwrap_or("-"))
}

/// One presentation of a refresh token.
#[derive(Debug, Clone, Copy)]
pub struct Presentation<'a> {
    /// The presented token's `jti`.
    pub jti: &'a str,
    /// Who presents it ([`binding`]).
    pub binding: &'a str,
    /// Now, Unix seconds.
    pub now: i64,
    /// The grace window, seconds (0: none).
    pub grace: u64,
    /// The pair to issue if the presentation is accepted.
    pub successor: &'a PairIds,
}

/// What a presentation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The family's current refresh token, used for the first time: issue the successor.
    Rotated,
    /// The token the current one replaced, again within the grace window by the same client
    /// and key: issue the successor; the pair issued before it is revoked.
    Retried,
    /// Any other token of the family: a reuse; the family is now revoked.
    Reused,
    /// The family was revoked before (logout, or an earlier reuse).
    FamilyRevoked,
}

/// What a store must do, all at once, for one presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The answer.
    pub outcome: Outcome,
    /// The family's new rotation state, if it changes (kept for the family TTL).
    pub write: Option<Rotation>,
    /// An access `jti` to revoke (kept for the access TTL).
    pub revoke_access: Option<String>,
    /// Whether to revoke the family (kept for the family TTL).
    pub revoke_family: bool,
}

impl Presentation<'_> {
    /// The step for this presentation, given whether the family is revoked and its state.
    #[must_use]
    pub fn step(&self, family_revoked: bool, state: Option<&Rotation>) -> Step {
        let refuse = |outcome, revoke_family| Step {
            outcome,
            write: None,
            revoke_access: None,
            revoke_family,
        };
        if family_revoked {
            return refuse(Outcome::FamilyRevoked, false);
        }
        let grace = i64::try_from(self.grace).unwrap_or(i64::MAX);
        match state {
            None => self.rotate(grace),
            Some(state) if state.current == self.jti => self.rotate(grace),
            Some(state)
                if state.previous == self.jti
                    && state.binding == self.binding
                    && self.now < state.grace_until =>
            {
                Step {
                    outcome: Outcome::Retried,
                    write: Some(Rotation {
                        current: self.successor.refresh.clone(),
                        current_access: self.successor.access.clone(),
                        ..state.clone()
                    }),
                    revoke_access: Some(state.current_access.clone()),
                    revoke_family: false,
                }
            }
            Some(_) => refuse(Outcome::Reused, true),
        }
    }

    fn rotate(&self, grace: i64) -> Step {
        Step {
            outcome: Outcome::Rotated,
            write: Some(Rotation {
                current: self.successor.refresh.clone(),
                current_access: self.successor.access.clone(),
                previous: self.jti.to_owned(),
                binding: self.binding.to_owned(),
                grace_until: self.now.saturating_add(grace),
            }),
            revoke_access: None,
            revoke_family: false,
        }
    }
}

impl Outcome {
    /// The outcome named by the Redis script's reply.
    #[must_use]
    pub fn from_reply(reply: &str) -> Option<Self> {
        match reply {
            "rotated" => Some(Self::Rotated),
            "retried" => Some(Self::Retried),
            "reused" => Some(Self::Reused),
            "family_revoked" => Some(Self::FamilyRevoked),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: &str) -> PairIds {
        PairIds {
            family: "f".into(),
            refresh: format!("r{n}"),
            access: format!("f.a{n}"),
        }
    }

    #[test]
    fn first_use_retry_in_the_window_and_reuse() {
        let (s1, s2) = (ids("1"), ids("2"));
        let present = |jti, binding, now, successor| Presentation {
            jti,
            binding,
            now,
            grace: 30,
            successor,
        };
        // The login's token, before any rotation.
        let first = present("r0", "c -", 100, &s1).step(false, None);
        let state = Rotation {
            current: "r1".into(),
            current_access: "f.a1".into(),
            previous: "r0".into(),
            binding: "c -".into(),
            grace_until: 130,
        };
        assert_eq!(
            first,
            Step {
                outcome: Outcome::Rotated,
                write: Some(state.clone()),
                revoke_access: None,
                revoke_family: false
            }
        );
        // Again within the window: a new pair, the first one's access token revoked, the
        // window not extended.
        let retry = present("r0", "c -", 129, &s2).step(false, Some(&state));
        let after = Rotation {
            current: "r2".into(),
            current_access: "f.a2".into(),
            ..state.clone()
        };
        assert_eq!(
            retry,
            Step {
                outcome: Outcome::Retried,
                write: Some(after.clone()),
                revoke_access: Some("f.a1".into()),
                revoke_family: false
            }
        );
        let reused = Step {
            outcome: Outcome::Reused,
            write: None,
            revoke_access: None,
            revoke_family: true,
        };
        // At the end of the window, by another key, or the superseded successor: reuse.
        assert_eq!(
            present("r0", "c -", 130, &s2).step(false, Some(&after)),
            reused
        );
        assert_eq!(
            present("r0", "c jkt", 110, &s2).step(false, Some(&after)),
            reused
        );
        assert_eq!(
            present("r1", "c -", 110, &s2).step(false, Some(&after)),
            reused
        );
        // The current one rotates; then its predecessor's window is over.
        let next = present("r2", "c -", 110, &s1).step(false, Some(&after));
        assert_eq!(next.outcome, Outcome::Rotated);
        let next_state = next.write.unwrap_or_else(|| after.clone());
        assert_eq!(next_state.previous, "r2");
        assert_eq!(
            present("r0", "c -", 111, &s2).step(false, Some(&next_state)),
            reused
        );
        // A revoked family refuses everything and writes nothing.
        assert_eq!(
            present("r2", "c -", 110, &s1).step(true, Some(&after)),
            Step {
                outcome: Outcome::FamilyRevoked,
                write: None,
                revoke_access: None,
                revoke_family: false
            }
        );
    }

    #[test]
    fn no_grace_means_any_second_presentation_is_a_reuse() {
        let s1 = ids("1");
        let present = |jti, now| Presentation {
            jti,
            binding: "c -",
            now,
            grace: 0,
            successor: &s1,
        };
        let first = present("r0", 100).step(false, None);
        let state = first.write.clone();
        assert_eq!(first.outcome, Outcome::Rotated);
        assert_eq!(
            present("r0", 100).step(false, state.as_ref()).outcome,
            Outcome::Reused
        );
    }
}
