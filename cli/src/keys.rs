//! Key files: a JWK, a JWK Set or a PEM key, told apart by their content.

use jose_ring::jwa::Algorithm;
use jose_ring::jwk::{Jwk, JwkSet, KeyRing, Skipped};
use jose_ring::{Error, HmacKey, KeyRef, KeySource, NoKey, Signer, VerifyingKey, dangerous};
use serde::Deserialize;

use crate::fail::Failure;
use crate::input;

/// A key file, read and recognised.
pub(crate) enum KeyFile {
    /// One JWK.
    Jwk(Box<Jwk>),
    /// A JWK Set (an object with `keys`).
    Set(JwkSet),
    /// A PEM key, read into a JWK without `alg` or `kid`.
    Pem(Box<Jwk>),
}

/// The keys `verify` uses.
pub(crate) enum Keys {
    /// From a JWK or a JWK Set of public keys: chosen by `kid` and `alg`.
    Ring(KeyRing),
    /// From a JWK or a JWK Set of shared secrets only: chosen by `kid` and `alg`.
    Secrets(KeyRing<HmacKey>),
    /// From a PEM key, bound to each algorithm asked for. A PEM key has no `kid`, so a
    /// token's `kid` does not matter (as for a single key of the library).
    Pem(Vec<VerifyingKey>),
}

impl KeySource for Keys {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        match self {
            Self::Ring(ring) => ring.select(alg, kid),
            Self::Secrets(ring) => ring.select(alg, kid),
            Self::Pem(keys) => match keys.iter().find(|k| k.algorithm().name() == alg) {
                Some(key) => key.select(alg, None),
                None => match keys.as_slice() {
                    // One key: its own error (an algorithm mismatch, `none`, ...).
                    [key] => key.select(alg, None),
                    _ => Err(NoKey::Algorithm.into()),
                },
            },
        }
    }
}

impl Keys {
    /// The ring of `set` for `algs`: of HMAC keys when every key of the set is a shared secret,
    /// else of public keys, where a secret beside them is skipped (and said so): the key file,
    /// never the token, decides which kind of key verifies.
    pub(crate) fn of_set(set: &JwkSet, algs: &[&'static Algorithm]) -> Self {
        let secrets_only =
            !set.keys().is_empty() && set.keys().iter().all(|jwk| jwk.kty() == "oct");
        if secrets_only {
            Self::Secrets(set.hmac_key_ring(algs))
        } else {
            Self::Ring(set.key_ring(algs))
        }
    }

    /// The keys of `set` that verify tokens for `algs` (with no `algs`, the algorithms the
    /// keys name), and the notes on keys left out; `source` names the set in messages
    /// (`key file`) and `place` where it was read (`the file`).
    pub(crate) fn verifying(
        set: &JwkSet,
        algs: &[&'static Algorithm],
        source: &str,
        place: &str,
    ) -> Result<(Self, Vec<String>), Failure> {
        let algs = named_or_given(
            algs,
            set.keys(),
            "the keys of the set do not name their algorithms",
        )?;
        let ring = Self::of_set(set, &algs);
        let mut notes = skipped_notes(&format!("in {place}"), set.skipped());
        notes.extend(skipped_notes("of those read", ring.skipped()));
        if ring.is_empty() {
            return Err(Failure::Usage(format!(
                "{source}: no key of the set verifies {}{}",
                names(&algs),
                notes.iter().map(|n| format!("\n  {n}")).collect::<String>()
            )));
        }
        Ok((ring, notes))
    }

    /// The keys of the set left out when the ring was built, and why.
    pub(crate) fn skipped(&self) -> &[Skipped] {
        match self {
            Self::Ring(ring) => ring.skipped(),
            Self::Secrets(ring) => ring.skipped(),
            Self::Pem(_) => &[],
        }
    }

    /// Whether no key was bound.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Self::Ring(ring) => ring.is_empty(),
            Self::Secrets(ring) => ring.is_empty(),
            Self::Pem(keys) => keys.is_empty(),
        }
    }
}

/// Looks for `keys` without copying any other member (a private JWK's secrets stay where
/// they are).
#[derive(Deserialize)]
struct SetProbe {
    keys: Option<serde::de::IgnoredAny>,
}

impl KeyFile {
    /// Reads and recognises the key file at `path` (`-` for stdin).
    pub(crate) fn load(path: &str) -> Result<Self, Failure> {
        let bytes = input::read(path)?;
        let name = if path == "-" { "stdin" } else { path };
        let bad = |e: Error| Failure::usage(format_args!("key file {name}"), e);
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        match start.and_then(|i| bytes.get(i)) {
            Some(b'{') => {
                let probe: Option<SetProbe> = dangerous::from_json(&bytes).ok();
                if probe.is_some_and(|p| p.keys.is_some()) {
                    JwkSet::from_json(&bytes).map(Self::Set).map_err(bad)
                } else {
                    Jwk::from_json(&bytes)
                        .map(|j| Self::Jwk(Box::new(j)))
                        .map_err(bad)
                }
            }
            // The library finds the key type in the PEM document; the label only explains a
            // document that is not a key.
            _ => Jwk::from_pem(&bytes)
                .map(|jwk| Self::Pem(Box::new(jwk)))
                .map_err(|error| match pem_label(&bytes) {
                    Some(label) if !label.ends_with("KEY") => Failure::Usage(format!(
                        "key file {name}: a PEM {label} is not a key{}",
                        if label == "CERTIFICATE" {
                            " (extract its public key with `openssl x509 -pubkey -noout`)"
                        } else {
                            ""
                        }
                    )),
                    Some(_) => Failure::usage("key file", error),
                    None => Failure::Usage(format!(
                        "key file {name}: not a JWK, a JWK Set or a PEM key"
                    )),
                }),
        }
    }

    /// The keys that verify tokens for `algs`, and the notes on keys left out. With no
    /// `algs`, the algorithms the keys name; a key that names none needs `--alg`.
    pub(crate) fn verifying(
        self,
        algs: &[&'static Algorithm],
    ) -> Result<(Keys, Vec<String>), Failure> {
        match self {
            Self::Jwk(jwk) => {
                let algs = named_or_given(algs, [&*jwk], "the key does not name its algorithm")?;
                let what = describe(&jwk);
                let set = JwkSet::from_iter([*jwk]);
                let ring = Keys::of_set(&set, &algs);
                if let Some(skipped) = ring.skipped().first() {
                    return Err(Failure::usage("key file", skipped.error()));
                }
                if ring.is_empty() {
                    return Err(Failure::Usage(format!(
                        "key file: a {what} key does not fit {}",
                        names(&algs)
                    )));
                }
                Ok((ring, Vec::new()))
            }
            Self::Set(set) => Keys::verifying(&set, algs, "key file", "the file"),
            Self::Pem(jwk) => {
                if algs.is_empty() {
                    return Err(Failure::Usage(
                        "--alg is needed: a PEM key does not name its algorithm".into(),
                    ));
                }
                let mut keys = Vec::new();
                let mut first_error = None;
                for &alg in algs {
                    match jwk.verifying_key(alg) {
                        Ok(key) => keys.push(key),
                        Err(error) => {
                            first_error.get_or_insert(error);
                        }
                    }
                }
                match first_error {
                    Some(error) if keys.is_empty() => Err(Failure::usage("key file", error)),
                    _ => Ok((Keys::Pem(keys), Vec::new())),
                }
            }
        }
    }

    /// The key that signs with `alg` (or the algorithm the JWK names); `kid` picks a key of
    /// a JWK Set.
    pub(crate) fn signer(
        &self,
        alg: Option<&'static Algorithm>,
        kid: Option<&str>,
    ) -> Result<Box<dyn Signer>, Failure> {
        match self {
            Self::Jwk(jwk) => jwk_signer(jwk, alg),
            Self::Set(set) => {
                let private: Vec<&Jwk> = set
                    .keys()
                    .iter()
                    .filter(|k| k.is_private())
                    .filter(|k| kid.is_none_or(|kid| k.kid() == Some(kid)))
                    .filter(|k| alg.is_none_or(|alg| k.fits(alg)))
                    .collect();
                match private.as_slice() {
                    [jwk] => jwk_signer(jwk, alg),
                    [] => Err(Failure::Usage(
                        "key file: no private key of the set fits (a set for signing needs its \
                         private members; pick one with --kid)"
                            .into(),
                    )),
                    _ => Err(Failure::Usage(
                        "key file: several private keys of the set fit: pick one with --kid".into(),
                    )),
                }
            }
            Self::Pem(jwk) => {
                let alg = alg.ok_or_else(|| {
                    Failure::Usage("--alg is needed: a PEM key does not name its algorithm".into())
                })?;
                if !jwk.is_private() {
                    return Err(Failure::Usage(
                        "key file: a public key cannot sign (give the private key)".into(),
                    ));
                }
                jwk_signer(jwk, Some(alg))
            }
        }
    }

    /// The key as a JWK, bound to `alg` if given (a JWK from a PEM key has no `alg`
    /// otherwise). A JWK Set is refused.
    pub(crate) fn into_jwk(self, alg: Option<&'static Algorithm>) -> Result<Jwk, Failure> {
        match self {
            Self::Jwk(jwk) | Self::Pem(jwk) => match alg {
                Some(alg) => jwk.with_alg(alg).map_err(|e| Failure::usage("key file", e)),
                None => Ok(*jwk),
            },
            Self::Set(_) => Err(Failure::Usage(
                "key file: this is a JWK Set; choose one key with `jose jwks select FILE --kid KID`"
                    .into(),
            )),
        }
    }
}

/// A JWK bound for signing.
fn jwk_signer(jwk: &Jwk, alg: Option<&'static Algorithm>) -> Result<Box<dyn Signer>, Failure> {
    let bad = |e: Error| Failure::usage("key file", e);
    let alg = match (alg, jwk.alg()) {
        (Some(alg), _) => alg,
        (None, Some(name)) => Algorithm::from_name(name).map_err(bad)?,
        (None, None) => {
            return Err(Failure::Usage(
                "--alg is needed: the key does not name its algorithm".into(),
            ));
        }
    };
    if alg.is_symmetric() {
        let key: HmacKey = jwk.hmac_key(alg).map_err(bad)?;
        Ok(Box::new(key))
    } else {
        Ok(Box::new(jwk.signing_key(alg).map_err(bad)?))
    }
}

/// `given`, or the algorithms `keys` name.
fn named_or_given<'a>(
    given: &[&'static Algorithm],
    keys: impl IntoIterator<Item = &'a Jwk>,
    why: &str,
) -> Result<Vec<&'static Algorithm>, Failure> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let mut named: Vec<&'static Algorithm> = Vec::new();
    for jwk in keys {
        if let Some(alg) = jwk.alg().and_then(|n| Algorithm::from_name(n).ok()) {
            if !named.contains(&alg) {
                named.push(alg);
            }
        }
    }
    if named.is_empty() {
        return Err(Failure::Usage(format!("--alg is needed: {why}")));
    }
    Ok(named)
}

/// One line per skipped key.
pub(crate) fn skipped_notes(place: &str, skipped: &[Skipped]) -> Vec<String> {
    skipped
        .iter()
        .map(|s| {
            let kid = s.kid().map(|k| format!(" (kid {k:?})")).unwrap_or_default();
            format!("key {} {place}{kid} was left out: {}", s.index(), s.error())
        })
        .collect()
}

/// `kty` and curve, for messages: `EC P-256`, `RSA`.
pub(crate) fn describe(jwk: &Jwk) -> String {
    let mut text = jwk.kty().to_owned();
    if let Some(crv) = jwk.crv() {
        text.push(' ');
        text.push_str(crv);
    }
    if let Some(alg) = jwk.alg() {
        text.push_str(&format!(" (alg {alg})"));
    }
    text
}

/// `ES256, RS256` for messages.
pub(crate) fn names(algs: &[&'static Algorithm]) -> String {
    algs.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
}

/// The label of the first `-----BEGIN label-----` line of `text` other than the
/// `EC PARAMETERS` that `openssl ecparam -genkey` writes before the key.
fn pem_label(text: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(text).ok()?;
    text.split("-----BEGIN ")
        .skip(1)
        .filter_map(|rest| rest.split_once("-----").map(|(label, _)| label))
        .find(|label| *label != "EC PARAMETERS")
        .map(str::to_owned)
}
