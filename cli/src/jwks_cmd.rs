//! `jose jwks select`: the key of a JWK Set that a token with a given `kid` would be verified
//! with, or why there is none.

use clap::{Args, Subcommand};
use jose_ring::jwa::{self, Algorithm};
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::{Error, KeySource, NoKey};

use crate::fail::Failure;
use crate::keys;
use crate::{input, out};

/// `jose jwks ...`.
#[derive(Subcommand)]
pub(crate) enum JwksCommand {
    /// Print the key a token with this kid would be verified with, or say why there is none.
    #[command(after_help = "\
Example:
  curl -s https://auth.example/.well-known/jwks.json | jose jwks select - --kid 2026-11

With --alg, only keys for those algorithms count (as `jose verify --alg` would use them).
Exit 1 when no key, or more than one, would be used.")]
    Select(SelectArgs),
}

#[derive(Args)]
pub(crate) struct SelectArgs {
    /// The JWK Set file (`-` for stdin).
    file: String,
    /// The token's kid.
    #[arg(long, value_name = "KID")]
    kid: String,
    /// An allowed algorithm (repeat for several); default: every algorithm.
    #[arg(long = "alg", value_name = "ALG")]
    algs: Vec<String>,
}

/// `jose jwks ...`.
pub(crate) fn run(command: &JwksCommand) -> Result<(), Failure> {
    match command {
        JwksCommand::Select(args) => select(args),
    }
}

/// `jose jwks select`: the key a token with `kid` would be verified with.
fn select(args: &SelectArgs) -> Result<(), Failure> {
    let (kid, algs) = (args.kid.as_str(), &args.algs);
    let bytes = input::read(&args.file)?;
    let set = JwkSet::from_json(&bytes).map_err(|e| Failure::usage("JWK Set file", e))?;
    let algs = if algs.is_empty() {
        jwa::ALL.to_vec()
    } else {
        input::algorithms(algs)?
    };
    let ring = keys::Keys::of_set(&set, &algs);
    let mut usable: Vec<&'static Algorithm> = Vec::new();
    for &alg in &algs {
        match ring.select(alg.name(), Some(kid)) {
            Ok(_) => usable.push(alg),
            Err(Error::NoKey(NoKey::Ambiguous)) => {
                let left_out = left_out(&set, &ring, kid);
                if !left_out.is_empty() {
                    return Err(Failure::Failed(format!(
                        "kid {kid:?} is ambiguous: a key with it was left out, so no token with \
                         it verifies:\n  {}",
                        left_out.join("\n  ")
                    )));
                }
                return Err(Failure::Failed(format!(
                    "kid {kid:?} is ambiguous for {}: more than one key has it, so no token \
                     with it verifies",
                    alg.name()
                )));
            }
            Err(_) => {}
        }
    }
    let candidates: Vec<(usize, &Jwk)> = set
        .keys()
        .iter()
        .enumerate()
        .filter(|(_, jwk)| jwk.kid() == Some(kid))
        .filter(|(_, jwk)| usable.iter().any(|alg| jwk.fits(alg)))
        .collect();
    match candidates.as_slice() {
        [(index, jwk)] => {
            let fits: Vec<&'static Algorithm> =
                usable.iter().copied().filter(|alg| jwk.fits(alg)).collect();
            out::stderr(&format!(
                "kid {kid:?}: key {index} of the set, {}, verifies {}",
                keys::describe(jwk),
                keys::names(&fits)
            ));
            out::print_jwk(jwk, false)
        }
        [] => Err(Failure::Failed(why_none(&set, &ring, kid, &algs))),
        many => Err(Failure::Failed(format!(
            "kid {kid:?} names {} keys, for {}: which one verifies depends on the token's alg \
             (add --alg to choose)",
            many.len(),
            keys::names(&usable)
        ))),
    }
}

/// The members with `kid` that were left out of `set` or of `ring`, and why.
fn left_out(set: &JwkSet, ring: &keys::Keys, kid: &str) -> Vec<String> {
    let same_kid = |s: &&jose_ring::jwk::Skipped| s.kid() == Some(kid);
    let read: Vec<_> = set.skipped().iter().filter(same_kid).cloned().collect();
    let bound: Vec<_> = ring.skipped().iter().filter(same_kid).cloned().collect();
    let mut reasons = keys::skipped_notes("in the file", &read);
    reasons.extend(keys::skipped_notes("of those read", &bound));
    reasons
}

/// Why no key of `set` would verify a token with `kid`.
fn why_none(set: &JwkSet, ring: &keys::Keys, kid: &str, algs: &[&'static Algorithm]) -> String {
    let mut reasons = left_out(set, ring, kid);
    let bound: Vec<_> = ring
        .skipped()
        .iter()
        .filter(|s| s.kid() == Some(kid))
        .collect();
    for (index, jwk) in set.keys().iter().enumerate() {
        if jwk.kid() == Some(kid) && !bound.iter().any(|s| s.index() == index) {
            reasons.push(format!(
                "key {index}, a {} key, fits none of {}",
                keys::describe(jwk),
                keys::names(algs)
            ));
        }
    }
    if reasons.is_empty() {
        let kids: Vec<String> = set
            .keys()
            .iter()
            .filter_map(Jwk::kid)
            .map(|k| format!("{k:?}"))
            .collect();
        let kids = if kids.is_empty() {
            "none".to_owned()
        } else {
            kids.join(", ")
        };
        return format!("no key has kid {kid:?} (the set's kids: {kids})");
    }
    format!("no usable key has kid {kid:?}:\n  {}", reasons.join("\n  "))
}
