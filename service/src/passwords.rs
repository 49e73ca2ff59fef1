//! The password policy `hash-password` applies (OWASP ASVS 5.0 6.2.1, 6.2.4, 6.2.5): at
//! least 8 characters, 15 or more recommended; none of the commonest passwords (the
//! embedded [`COMMON`] list, 8,354 entries); any composition (no character-class rules).
//!
//! Characters are Unicode scalar values, as NIST SP 800-63B counts them. A password is
//! compared with the list as Django's `CommonPasswordValidator`, whose list it is: trimmed
//! and lowercased (`Password1` is `password1`).

/// The fewest characters a password may have (ASVS 6.2.1).
pub const MIN_CHARS: usize = 8;

/// The fewest characters recommended (ASVS 6.2.1: "strongly recommended").
pub const RECOMMENDED_CHARS: usize = 15;

/// The commonest passwords of 8 characters or more, most common first, after a header that
/// names their source and licence (Django's list, BSD-3-Clause).
pub const COMMON: &str = include_str!("common-passwords.txt");

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weak {
    /// Fewer than [`MIN_CHARS`] characters.
    TooShort {
        /// Its characters.
        chars: usize,
    },
    /// On the list of common passwords, at this rank (1: the commonest).
    Common {
        /// Its rank in [`COMMON`].
        rank: usize,
    },
}

impl std::fmt::Display for Weak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooShort { chars } => write!(
                f,
                "the password has {chars} characters: at least {MIN_CHARS} are needed, \
                 {RECOMMENDED_CHARS} or more recommended"
            ),
            Self::Common { rank } => write!(
                f,
                "the password is number {rank} on the list of the commonest passwords: \
                 choose another (a passphrase of {RECOMMENDED_CHARS} characters or more)"
            ),
        }
    }
}

impl std::error::Error for Weak {}

/// The common passwords, most common first (the lines of [`COMMON`] after its header).
pub fn common() -> impl Iterator<Item = &'static str> {
    COMMON
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .filter(|line| !line.is_empty())
}

/// Checks `password` against the policy.
///
/// # Errors
///
/// [`Weak`] if it is too short or common.
///
/// ```
/// use jose_ring_service::passwords::{check, Weak};
///
/// assert_eq!(check("correct horse battery staple"), Ok(()));
/// assert_eq!(check("hunter2"), Err(Weak::TooShort { chars: 7 }));
/// assert_eq!(check("Password1"), Err(Weak::Common { rank: 4 }));
/// ```
pub fn check(password: &str) -> Result<(), Weak> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Weak::TooShort { chars });
    }
    let folded = password.trim().to_lowercase();
    match common().position(|common| common == folded) {
        Some(index) => Err(Weak::Common {
            rank: index.saturating_add(1),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_at_least_3000_passwords_that_the_length_rule_lets_through() {
        let list: Vec<&str> = common().collect();
        assert_eq!(list.len(), 8354);
        assert!(list.iter().all(|p| p.chars().count() >= MIN_CHARS));
        assert_eq!(list.first(), Some(&"123456789"));
        // Lines starting with '#' after the header are passwords.
        assert!(list.contains(&"#1stunna"));
        let mut unique = list.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), list.len());
    }

    #[test]
    fn short_common_and_good_passwords() {
        assert_eq!(check(""), Err(Weak::TooShort { chars: 0 }));
        // Characters, not bytes: 7 Cyrillic letters are 14 bytes.
        assert_eq!(check("пароль1"), Err(Weak::TooShort { chars: 7 }));
        assert_eq!(check("123456789"), Err(Weak::Common { rank: 1 }));
        assert_eq!(check(" PASSWORD "), Err(Weak::Common { rank: 2 }));
        assert_eq!(check("#1stunna"), Err(Weak::Common { rank: 7106 }));
        assert_eq!(check("hunter2 hunter2"), Ok(()));
        assert_eq!(check("tr0ub4dor&3"), Ok(()));
        assert_eq!(
            Weak::TooShort { chars: 5 }.to_string(),
            "the password has 5 characters: at least 8 are needed, 15 or more recommended"
        );
        assert_eq!(
            Weak::Common { rank: 2 }.to_string(),
            "the password is number 2 on the list of the commonest passwords: choose another \
             (a passphrase of 15 characters or more)"
        );
    }
}
