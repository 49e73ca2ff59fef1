//! The holder (RFC 9901 §7.2): choosing what to disclose by JSON Pointer, and the presentation
//! with or without a Key Binding JWT, in the serialization the SD-JWT came in.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::form::Parts;
use super::key_binding::{self, KeyBinding};
use super::pointer;
use super::process::{self, Placement, Processed, Rules, Step};
use super::unverified::Unverified;
use crate::error::{Error, Misuse, SdJwt};
use crate::key::Signer;

impl<'a> Unverified<'a> {
    /// The claims with every disclosure in place (RFC 9901 §7.1 steps 3 to 5, every rule
    /// checked), read from the issuer-signed JWT WITHOUT verifying its signature: what a holder
    /// shows its user. Verify with [`verify`](Self::verify) when the issuer's keys are at hand.
    ///
    /// # Errors
    ///
    /// Those of reading the payload ([`Error::Malformed`]) and of processing ([`SdJwt`]
    /// reasons, [`Error::TooLarge`]).
    pub fn unverified_claims(&self) -> Result<Map<String, Value>, Error> {
        Ok(self.processed(false)?.claims)
    }

    /// A presentation that discloses the claims `pointers` name (RFC 6901, in the claims as
    /// [`unverified_claims`](Self::unverified_claims) shows them): each pointer discloses
    /// what it names and every selectively disclosable claim that holds it (§7.2 step 2: a
    /// disclosure inside another needs that one), nothing below it. No pointer discloses
    /// nothing. The disclosures keep the order they were issued in.
    ///
    /// # Errors
    ///
    /// [`SdJwt::UnexpectedKeyBinding`] for an SD-JWT+KB (a holder receives SD-JWTs, §7.2);
    /// [`Misuse::Pointer`] for a pointer that is not one or names no claim; those of
    /// [`unverified_claims`](Self::unverified_claims).
    pub fn present(self, pointers: &[&str]) -> Result<Presentation<'a>, Error> {
        if self.parts.kb_jwt.is_some() {
            return Err(SdJwt::UnexpectedKeyBinding.into());
        }
        let processed = self.processed(true)?;
        let root = Value::Object(processed.claims);
        let mut chosen = alloc::vec![false; self.parts.disclosures.len()];
        for text in pointers {
            let tokens = pointer::parse_claim(text)?;
            if pointer::resolve(&root, &tokens).is_none() {
                return Err(Misuse::Pointer.into());
            }
            for placement in &processed.placements {
                if holds(placement, &tokens) {
                    if let Some(slot) = chosen.get_mut(placement.disclosure) {
                        *slot = true;
                    }
                }
            }
        }
        Ok(Presentation {
            parts: self.parts,
            chosen,
        })
    }

    /// A presentation that discloses every disclosure.
    ///
    /// # Errors
    ///
    /// As [`present`](Self::present), without the pointers'.
    pub fn present_all(self) -> Result<Presentation<'a>, Error> {
        if self.parts.kb_jwt.is_some() {
            return Err(SdJwt::UnexpectedKeyBinding.into());
        }
        // Every rule checked, as for a selection.
        self.processed(false)?;
        let chosen = alloc::vec![true; self.parts.disclosures.len()];
        Ok(Presentation {
            parts: self.parts,
            chosen,
        })
    }

    /// The payload processed with every disclosure, recording where each went if `record`.
    fn processed(&self, record: bool) -> Result<Processed, Error> {
        let payload = self.unverified_payload()?;
        process::process(
            payload,
            &self.parts.disclosures,
            Rules {
                depth: self.limits.depth(),
                never_disclosable: &[],
                record,
            },
        )
    }
}

/// Whether the claim `placement` made is `tokens` or holds it.
fn holds(placement: &Placement, tokens: &[pointer::Token]) -> bool {
    placement.path.len() <= tokens.len()
        && placement
            .path
            .iter()
            .zip(tokens)
            .all(|(step, token)| match step {
                Step::Name(name) => name == token.name(),
                Step::Index(index) => token.index() == Some(*index),
            })
}

/// A presentation being made by a holder: the issuer-signed JWT and the chosen disclosures,
/// to be sent as it is ([`into_sd_jwt`](Self::into_sd_jwt)) or with a Key Binding JWT
/// ([`with_key_binding`](Self::with_key_binding)).
#[derive(Debug)]
pub struct Presentation<'a> {
    parts: Parts<'a>,
    chosen: Vec<bool>,
}

impl Presentation<'_> {
    /// The disclosures chosen, in their order.
    pub fn disclosures(&self) -> impl Iterator<Item = &str> {
        self.parts
            .disclosures
            .iter()
            .zip(&self.chosen)
            .filter(|(_, chosen)| **chosen)
            .map(|(text, _)| text.as_ref())
    }

    /// The presentation as an SD-JWT without key binding (RFC 9901 §7.2 step 4), in the
    /// serialization the SD-JWT came in.
    ///
    /// # Errors
    ///
    /// [`Malformed::HeaderOverlap`](crate::Malformed::HeaderOverlap) for a JSON serialization
    /// whose protected header holds `disclosures` or `kb_jwt`.
    pub fn into_sd_jwt(self) -> Result<String, Error> {
        let disclosures: Vec<String> = self.disclosures().map(String::from).collect();
        let refs: Vec<&str> = disclosures.iter().map(String::as_str).collect();
        self.parts.write(&refs, None)
    }

    /// The presentation as an SD-JWT+KB (RFC 9901 §7.2 step 5): a KB-JWT for `binding`,
    /// signed by `holder_key` (the private half of the SD-JWT's `cnf.jwk`) over this
    /// presentation's `sd_hash`, in the serialization the SD-JWT came in.
    ///
    /// # Errors
    ///
    /// [`KeyRejected::Symmetric`](crate::KeyRejected::Symmetric) for an HMAC key,
    /// [`Error::SigningFailed`], and those of [`into_sd_jwt`](Self::into_sd_jwt).
    pub fn with_key_binding<K: Signer + ?Sized>(
        self,
        binding: &KeyBinding,
        holder_key: &K,
    ) -> Result<String, Error> {
        let disclosures: Vec<String> = self.disclosures().map(String::from).collect();
        let sd_jwt = super::issue::compact(&self.parts.compact_jwt(), &disclosures);
        let kb_jwt = key_binding::sign(binding, &sd_jwt, holder_key)?;
        let refs: Vec<&str> = disclosures.iter().map(String::as_str).collect();
        self.parts.write(&refs, Some(&kb_jwt))
    }
}
