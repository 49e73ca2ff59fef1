//! The member names of one object, for the duplicate check of the reader and the writer.

use alloc::borrow::{Cow, ToOwned};
use alloc::collections::BTreeSet;
use alloc::string::String;

/// Members of one object whose names are kept inline (no heap allocation) for the duplicate
/// check, as long as their names contain no escape sequence.
const INLINE_MEMBERS: usize = 16;

/// The member names of one object, for the duplicate check.
///
/// The first [`INLINE_MEMBERS`] names borrowed from the input are kept inline and compared
/// one by one; later names, and names with escape sequences (which `serde_json` unescapes into
/// a scratch buffer), go to a `BTreeSet`, so that a large object costs `O(n log n)` and not
/// `O(n²)`.
pub(super) struct Names<'de> {
    /// Names borrowed from the input; the first `inline_len` are in use.
    inline: [&'de str; INLINE_MEMBERS],
    /// How many of `inline` are in use.
    inline_len: usize,
    /// All other names.
    pub(super) spill: BTreeSet<Cow<'de, str>>,
    /// One bit per name seen, chosen by [`Names::bit`]: a name whose bit is clear is new,
    /// which settles most lookups without comparing strings.
    seen: u64,
}

impl<'de> Names<'de> {
    /// No names yet. Does not allocate.
    pub(super) const fn new() -> Self {
        Self {
            inline: [""; INLINE_MEMBERS],
            inline_len: 0,
            spill: BTreeSet::new(),
            seen: 0,
        }
    }

    /// The filter bit of `name`: a hash of its length and its first and last bytes.
    pub(super) fn bit(name: &str) -> u64 {
        let bytes = name.as_bytes();
        let first = bytes.first().copied().unwrap_or_default();
        let last = bytes.last().copied().unwrap_or_default();
        let hash = (u64::from(first) | (u64::from(last) << 8) | ((name.len() as u64) << 16))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        1 << (hash >> 58)
    }

    /// Whether `name` has been seen.
    pub(super) fn contains(&self, name: &str) -> bool {
        self.seen & Self::bit(name) != 0
            && (self
                .inline
                .iter()
                .take(self.inline_len)
                .any(|seen| *seen == name)
                || (!self.spill.is_empty() && self.spill.contains(name)))
    }

    /// Records `name`; `false` if it had been seen already.
    pub(super) fn insert_borrowed(&mut self, name: &'de str) -> bool {
        if self.contains(name) {
            return false;
        }
        self.seen |= Self::bit(name);
        match self.inline.get_mut(self.inline_len) {
            Some(free) => {
                *free = name;
                self.inline_len = self.inline_len.saturating_add(1);
            }
            None => {
                self.spill.insert(Cow::Borrowed(name));
            }
        }
        true
    }

    /// Records `name`, which the caller has checked is new.
    pub(super) fn insert_owned(&mut self, name: String) {
        self.seen |= Self::bit(&name);
        self.spill.insert(Cow::Owned(name));
    }
}

/// Bytes of the first member names of an object being written that are copied inline.
const COPIED_TEXT: usize = 64;

/// How many member names of an object being written are copied inline at most.
const COPIED_MEMBERS: usize = 8;

/// The member names of one object being written, for the duplicate check.
///
/// The writer is shown each name only for the call that writes it, so the names are copied:
/// the first few end to end into an inline buffer (no heap allocation), the others into a
/// `BTreeSet`.
pub(super) struct CopiedNames {
    /// The first names, end to end.
    text: [u8; COPIED_TEXT],
    /// Where each of the first `copied` names ends in `text`.
    ends: [u8; COPIED_MEMBERS],
    /// How many names are in `text`.
    copied: usize,
    /// All other names.
    spill: BTreeSet<String>,
    /// One bit per name seen, as in [`Names`].
    seen: u64,
}

impl CopiedNames {
    /// No names yet. Does not allocate.
    pub(super) const fn new() -> Self {
        Self {
            text: [0; COPIED_TEXT],
            ends: [0; COPIED_MEMBERS],
            copied: 0,
            spill: BTreeSet::new(),
            seen: 0,
        }
    }

    /// Records `name`; `false` if it had been seen already.
    pub(super) fn insert(&mut self, name: &str) -> bool {
        let bytes = name.as_bytes();
        let bit = Names::bit(name);
        let maybe_seen = self.seen & bit != 0;
        self.seen |= bit;
        // Where the next copied name starts: the end of the last one.
        let start = self.copied.checked_sub(1).map_or(0, |last| {
            self.ends
                .get(last)
                .map_or(COPIED_TEXT, |&end| usize::from(end))
        });
        if maybe_seen {
            let mut from = 0;
            for &end in self.ends.iter().take(self.copied) {
                let end = usize::from(end);
                if self.text.get(from..end) == Some(bytes) {
                    return false;
                }
                from = end;
            }
            if !self.spill.is_empty() && self.spill.contains(name) {
                return false;
            }
        }
        let end = start.saturating_add(bytes.len());
        match (
            self.text.get_mut(start..end),
            self.ends.get_mut(self.copied),
            u8::try_from(end),
        ) {
            (Some(text), Some(slot), Ok(end)) => {
                text.copy_from_slice(bytes);
                *slot = end;
                self.copied = self.copied.saturating_add(1);
            }
            _ => {
                self.spill.insert(name.to_owned());
            }
        }
        true
    }
}
