//! Processing an SD-JWT's payload with its disclosures (RFC 9901 §7.1 steps 3 to 5): every
//! digest found, every disclosure opened where it is referenced and put in its place, and
//! every rule that makes a payload and its disclosures invalid, each with its own error.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::disclosure::{self, Kind, SHA_256};
use crate::error::{Error, SdJwt};

/// What processing checks beyond RFC 9901 itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules<'r> {
    /// How deep arrays and objects may nest in the processed payload (the top level is 1).
    pub(crate) depth: usize,
    /// Top-level claims that must never come from a disclosure, nor hold one (SD-JWT VC).
    pub(crate) never_disclosable: &'r [&'static str],
    /// Whether to record where each disclosure went ([`Processed::placements`]), for a holder
    /// choosing what to disclose.
    pub(crate) record: bool,
}

/// One step of a path in the processed payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A member of an object.
    Name(String),
    /// An element of an array, counted in the processed array.
    Index(usize),
}

/// Where a disclosure went: its index among the disclosures, and the path of the claim it
/// made in the processed payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Placement {
    pub(crate) disclosure: usize,
    pub(crate) path: Vec<Step>,
}

/// A processed payload (§7.1): disclosures in place, `_sd`, `_sd_alg` and undisclosed array
/// elements removed.
#[derive(Debug)]
pub(crate) struct Processed {
    pub(crate) claims: Map<String, Value>,
    /// Where each disclosure went, when the rules asked for it, in the order processed.
    pub(crate) placements: Vec<Placement>,
}

/// Processes `payload`, the issuer-signed JWT's claims, with `disclosures` (as sent: the
/// digest is taken over the text).
///
/// # Errors
///
/// [`SdJwt::DuplicateDisclosure`] for a disclosure sent twice; [`SdJwt::UnsupportedSdAlg`] for
/// an `_sd_alg` other than `sha-256`; [`SdJwt::NestedSdAlg`], [`SdJwt::SdNotDigests`],
/// [`SdJwt::Placeholder`] for digests where RFC 9901 does not put them; the errors of opening
/// a disclosure ([`SdJwt::ObjectDisclosure`], [`SdJwt::ArrayDisclosure`], ...);
/// [`SdJwt::ReservedClaimName`], [`SdJwt::ClaimNameCollision`] for the claim name of a
/// disclosure; [`SdJwt::NeverDisclosable`] for a disclosure of a claim the rules keep visible;
/// [`SdJwt::DuplicateDigest`] and [`SdJwt::UnreferencedDisclosure`] (steps 4 and 5);
/// [`Error::TooLarge`] for nesting beyond [`Rules::depth`].
pub(crate) fn process(
    mut payload: Map<String, Value>,
    disclosures: &[Cow<'_, str>],
    rules: Rules<'_>,
) -> Result<Processed, Error> {
    let mut table: Vec<(String, usize)> = disclosures
        .iter()
        .enumerate()
        .map(|(index, text)| (disclosure::digest_of(text.as_bytes()), index))
        .collect();
    table.sort_unstable();
    if table
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if a.0 == b.0))
    {
        return Err(SdJwt::DuplicateDisclosure.into());
    }
    match payload.remove("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == SHA_256 => {}
        Some(_) => return Err(SdJwt::UnsupportedSdAlg.into()),
    }
    let mut walk = Walk {
        disclosures,
        table,
        used: alloc::vec![false; disclosures.len()],
        seen: Vec::new(),
        rules,
        path: Vec::new(),
        placements: Vec::new(),
    };
    walk.object(&mut payload, 1, None)?;
    walk.seen.sort_unstable();
    if walk
        .seen
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if a == b))
    {
        return Err(SdJwt::DuplicateDigest.into());
    }
    if walk.used.contains(&false) {
        return Err(SdJwt::UnreferencedDisclosure.into());
    }
    Ok(Processed {
        claims: payload,
        placements: walk.placements,
    })
}

/// The state of one processing.
struct Walk<'d, 'r> {
    disclosures: &'d [Cow<'d, str>],
    /// The digest of each disclosure and its index, sorted by digest.
    table: Vec<(String, usize)>,
    /// Whether each disclosure has been referenced.
    used: Vec<bool>,
    /// Every digest met, disclosed or not (decoys too), for the duplicate check (§7.1 step 4).
    seen: Vec<String>,
    rules: Rules<'r>,
    /// The path of the value being processed, kept only when recording.
    path: Vec<Step>,
    placements: Vec<Placement>,
}

impl Walk<'_, '_> {
    /// The disclosure whose digest is `digest`, marked as referenced, and its contents for
    /// `kind`; `None` for a digest no disclosure has (undisclosed, or a decoy).
    fn take(
        &mut self,
        digest: &str,
        kind: Kind,
    ) -> Result<Option<(usize, disclosure::Contents)>, Error> {
        let found = self
            .table
            .binary_search_by(|(candidate, _)| candidate.as_str().cmp(digest))
            .ok()
            .and_then(|at| self.table.get(at));
        let Some(&(_, index)) = found else {
            return Ok(None);
        };
        match self.used.get_mut(index) {
            Some(used) if !*used => *used = true,
            // Referenced a second time: its digest appears twice.
            _ => return Err(SdJwt::DuplicateDigest.into()),
        }
        let text = self.disclosures.get(index).map_or("", |text| text.as_ref());
        Ok(Some((index, disclosure::open(text, kind)?)))
    }

    /// Records that disclosure `index` made the claim at the current path.
    fn place(&mut self, index: usize) {
        if self.rules.record {
            self.placements.push(Placement {
                disclosure: index,
                path: self.path.clone(),
            });
        }
    }

    /// Processes `value`, `depth` levels deep. `never` is the visible claim it is part of, if
    /// it may hold no disclosure.
    fn value(
        &mut self,
        value: &mut Value,
        depth: usize,
        never: Option<&'static str>,
    ) -> Result<(), Error> {
        match value {
            Value::Object(members) => self.object(members, depth.saturating_add(1), never),
            Value::Array(items) => self.array(items, depth.saturating_add(1), never),
            _ => Ok(()),
        }
    }

    /// Checks that an array or object `depth` levels deep is within the limit.
    fn enter(&self, depth: usize) -> Result<(), Error> {
        if depth > self.rules.depth {
            return Err(Error::TooLarge {
                what: "SD-JWT nesting depth",
                limit: self.rules.depth,
            });
        }
        Ok(())
    }

    /// Processes an object: its members, then the disclosures its `_sd` references (§7.1
    /// step 3.3.2).
    fn object(
        &mut self,
        members: &mut Map<String, Value>,
        depth: usize,
        never: Option<&'static str>,
    ) -> Result<(), Error> {
        self.enter(depth)?;
        let digests = members.remove("_sd");
        if members.contains_key("_sd_alg") {
            return Err(SdJwt::NestedSdAlg.into());
        }
        if members.contains_key("...") {
            return Err(SdJwt::Placeholder.into());
        }
        for (name, value) in members.iter_mut() {
            let never = never.or_else(|| self.never(depth, name));
            if self.rules.record {
                self.path.push(Step::Name(name.clone()));
            }
            self.value(value, depth, never)?;
            if self.rules.record {
                self.path.pop();
            }
        }
        let Some(digests) = digests else {
            return Ok(());
        };
        let Value::Array(digests) = digests else {
            return Err(SdJwt::SdNotDigests.into());
        };
        for digest in digests {
            let Value::String(digest) = digest else {
                return Err(SdJwt::SdNotDigests.into());
            };
            if let Some((index, contents)) = self.take(&digest, Kind::Member)? {
                let name = contents.name.unwrap_or_default();
                if name == "_sd" || name == "..." {
                    return Err(SdJwt::ReservedClaimName.into());
                }
                if members.contains_key(&name) {
                    return Err(SdJwt::ClaimNameCollision.into());
                }
                if let Some(claim) = never.or_else(|| self.never(depth, &name)) {
                    return Err(SdJwt::NeverDisclosable(claim).into());
                }
                let mut value = contents.value;
                if self.rules.record {
                    self.path.push(Step::Name(name.clone()));
                }
                self.place(index);
                self.value(&mut value, depth, None)?;
                if self.rules.record {
                    self.path.pop();
                }
                members.insert(name, value);
            }
            self.seen.push(digest);
        }
        Ok(())
    }

    /// Processes an array: each element, a placeholder replaced by its disclosure's value or
    /// removed when there is none (§7.1 steps 3.3.3 and 3.4).
    fn array(
        &mut self,
        items: &mut Vec<Value>,
        depth: usize,
        never: Option<&'static str>,
    ) -> Result<(), Error> {
        self.enter(depth)?;
        let old = core::mem::take(items);
        items.reserve_exact(old.len());
        for item in old {
            let at = items.len();
            if self.rules.record {
                self.path.push(Step::Index(at));
            }
            match placeholder(item)? {
                Ok(digest) => {
                    if let Some((index, contents)) = self.take(&digest, Kind::Element)? {
                        if let Some(claim) = never {
                            return Err(SdJwt::NeverDisclosable(claim).into());
                        }
                        let mut value = contents.value;
                        self.place(index);
                        self.value(&mut value, depth, None)?;
                        items.push(value);
                    }
                    self.seen.push(digest);
                }
                Err(mut item) => {
                    self.value(&mut item, depth, never)?;
                    items.push(item);
                }
            }
            if self.rules.record {
                self.path.pop();
            }
        }
        Ok(())
    }

    /// The never-disclosable claim `name` is, if it is one at the top level.
    fn never(&self, depth: usize, name: &str) -> Option<&'static str> {
        if depth != 1 {
            return None;
        }
        self.rules
            .never_disclosable
            .iter()
            .copied()
            .find(|claim| *claim == name)
    }
}

/// An array element: `Ok(digest)` if it is a placeholder `{"...": digest}`, the element
/// itself otherwise.
///
/// # Errors
///
/// [`SdJwt::Placeholder`] for an object with `...` and other members, or whose `...` is not a
/// string.
fn placeholder(item: Value) -> Result<Result<String, Value>, Error> {
    let Value::Object(mut members) = item else {
        return Ok(Err(item));
    };
    let Some(digest) = members.remove("...") else {
        return Ok(Err(Value::Object(members)));
    };
    match (digest, members.is_empty()) {
        (Value::String(digest), true) => Ok(Ok(digest)),
        _ => Err(SdJwt::Placeholder.into()),
    }
}
