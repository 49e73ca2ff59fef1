//! `key generate`, `key public`, `key thumbprint`, `key convert` and `jwks select`.

use jose_ring::jwa::{self, Algorithm};
use jose_ring::jwk::{Jwk, JwkSet, ThumbprintHash};
use jose_ring::{Error, HmacKey, KeySource, NoKey, SigningKey, Unsupported, dangerous};

use crate::fail::{self, Failure};
use crate::keys::{self, KeyFile};
use crate::ordered::Json;
use crate::{Format, Hash, JwksCommand, KeyCommand, input};

/// `jose key ...`.
pub(crate) fn key(command: KeyCommand) -> Result<(), Failure> {
    match command {
        KeyCommand::Generate { alg, kid } => generate(&alg, kid),
        KeyCommand::Public { file } => public(&file),
        KeyCommand::Thumbprint { file, hash, uri } => thumbprint(&file, hash, uri),
        KeyCommand::Convert { file, to, alg, kid } => convert(&file, to, alg.as_deref(), kid),
    }
}

/// `jose jwks ...`.
pub(crate) fn jwks(command: JwksCommand) -> Result<(), Failure> {
    match command {
        JwksCommand::Select { file, kid, algs } => select(&file, &kid, &algs),
    }
}

fn generate(alg: &str, kid: Option<String>) -> Result<(), Failure> {
    let alg = input::algorithm(alg)?;
    let cannot = |e: Error| match e {
        Error::Unsupported(Unsupported::RsaKeyGeneration) => Failure::Usage(format!(
            "cannot generate an {} key: {e}; make one with `openssl genpkey -algorithm RSA \
             -pkeyopt rsa_keygen_bits:2048 -out rsa.pem` and use the PEM file (or `jose key \
             convert rsa.pem --to jwk`)",
            alg.name()
        )),
        other => Failure::usage(format_args!("cannot generate an {} key", alg.name()), other),
    };
    let jwk = if alg.is_symmetric() {
        Jwk::from_hmac_key(&HmacKey::generate(alg).map_err(cannot)?)
    } else {
        Jwk::from_signing_key(&SigningKey::generate(alg).map_err(cannot)?).map_err(cannot)?
    };
    let jwk = with_kid(jwk, kid)?;
    print_jwk(&jwk, true)
}

fn public(file: &str) -> Result<(), Failure> {
    let jwk = KeyFile::load(file)?.into_jwk(None)?;
    let public = jwk.to_public().map_err(|e| Failure::usage("key file", e))?;
    print_jwk(&public, false)
}

fn thumbprint(file: &str, hash: Hash, uri: bool) -> Result<(), Failure> {
    let jwk = KeyFile::load(file)?.into_jwk(None)?;
    let hash = match hash {
        Hash::Sha256 => ThumbprintHash::Sha256,
        Hash::Sha384 => ThumbprintHash::Sha384,
        Hash::Sha512 => ThumbprintHash::Sha512,
    };
    let text = if uri {
        jwk.thumbprint_uri(hash)
    } else {
        jwk.thumbprint_with(hash)
    };
    fail::println(&text)
}

fn convert(file: &str, to: Format, alg: Option<&str>, kid: Option<String>) -> Result<(), Failure> {
    let alg = alg.map(input::algorithm).transpose()?;
    let jwk = with_kid(KeyFile::load(file)?.into_jwk(alg)?, kid)?;
    match to {
        Format::Jwk => print_jwk(&jwk, jwk.is_private()),
        Format::Pem => {
            let bad = |e: Error| Failure::usage("key file", e);
            if jwk.kty() == "oct" {
                return Err(Failure::Usage(
                    "key file: a symmetric (oct) key has no PEM form".into(),
                ));
            }
            let alg = binding(&jwk)?;
            if jwk.is_private() {
                let pem = jwk.signing_key(alg).map_err(bad)?.to_pkcs8_pem();
                fail::stdout(pem.expose())
            } else {
                let pem = jwk.verifying_key(alg).map_err(bad)?.to_spki_pem();
                fail::stdout(pem.as_bytes())
            }
        }
    }
}

/// The algorithm to bind a JWK to for export: its `alg`, or the first algorithm it fits (the
/// PEM form does not depend on which).
fn binding(jwk: &Jwk) -> Result<&'static Algorithm, Failure> {
    if let Some(name) = jwk.alg() {
        return Algorithm::from_name(name).map_err(|e| Failure::usage("key file", e));
    }
    jwa::ALL
        .iter()
        .copied()
        .find(|alg| jwk.fits(alg))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "key file: no algorithm of this tool fits a {} key",
                keys::describe(jwk)
            ))
        })
}

fn with_kid(jwk: Jwk, kid: Option<String>) -> Result<Jwk, Failure> {
    match kid {
        Some(kid) => jwk.with_kid(kid).map_err(|e| Failure::usage("--kid", e)),
        None => Ok(jwk),
    }
}

/// Prints a JWK as pretty JSON, with its private members only if `private`. A symmetric key
/// printed as public shows no `k`. The private form goes from the library's zeroized
/// `Secret` through zeroized values straight to stdout.
fn print_jwk(jwk: &Jwk, private: bool) -> Result<(), Failure> {
    if !private && jwk.kty() != "oct" {
        return fail::print_json(jwk);
    }
    let secret = jwk.to_private_json();
    let mut json: Json = dangerous::from_json(secret.expose())
        .map_err(|e| Failure::usage("cannot write the JWK", e))?;
    if !private {
        json.remove("k");
    }
    fail::print_json(&json)
}

/// `jose jwks select`: the key a token with `kid` would be verified with.
fn select(file: &str, kid: &str, algs: &[String]) -> Result<(), Failure> {
    let bytes = input::read(file)?;
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
            fail::note(&format!(
                "kid {kid:?}: key {index} of the set, {}, verifies {}",
                keys::describe(jwk),
                keys::names(&fits)
            ));
            print_jwk(jwk, false)
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
