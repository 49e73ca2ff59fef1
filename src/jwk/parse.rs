//! From JSON members to a [`Jwk`], member rule by member rule.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64, Encoding};
use serde_json::{Map, Value};
use zeroize::Zeroize;

use super::{CRT_NAMES, EcCurve, Jwk, KeyParams, OkpCurve, RsaPrivate};
use crate::b64;
use crate::error::{Error, Malformed, Unsupported};
use crate::limits::MAX_KID_LEN;
use crate::secret::Secret;

/// The key-type-specific member names of RFC 7518 §6 and RFC 8037 §2: a JWK may hold only
/// those of its own `kty`.
const KEY_MEMBERS: [&str; 13] = [
    "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k",
];

/// The members that hold private key material.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The operations of `use: "sig"` and of `use: "enc"` (RFC 7517 §4.3).
const SIG_OPS: [&str; 2] = ["sign", "verify"];
const ENC_OPS: [&str; 6] = [
    "encrypt",
    "decrypt",
    "wrapKey",
    "unwrapKey",
    "deriveKey",
    "deriveBits",
];

/// The members of one JWK; the text of private members left in it is zeroized on drop,
/// whether parsing succeeded or not.
struct Members(Map<String, Value>);

impl Drop for Members {
    fn drop(&mut self) {
        for name in PRIVATE_MEMBERS {
            if let Some(value) = self.0.get_mut(name) {
                wipe(value);
            }
        }
    }
}

/// Zeroizes the strings of a JSON value, at any depth (for `oth`).
fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(members) => members.values_mut().for_each(wipe),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

impl Members {
    /// Removes a string member; another JSON type is an error.
    fn string(&mut self, name: &'static str) -> Result<Option<String>, Error> {
        match self.0.remove(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(mut other) => {
                wipe(&mut other);
                Err(Malformed::InvalidMember(name).into())
            }
        }
    }

    /// Removes a base64url member holding public bytes.
    fn public(&mut self, name: &'static str) -> Result<Option<Vec<u8>>, Error> {
        self.string(name)?
            .map(|text| b64::decode(text.as_bytes(), name))
            .transpose()
    }

    /// Removes a required base64url member holding public bytes.
    fn required_public(&mut self, name: &'static str) -> Result<Vec<u8>, Error> {
        self.public(name)?
            .ok_or_else(|| Malformed::MissingMember(name).into())
    }

    /// Removes a base64url member holding private bytes, decoding it straight into a
    /// [`Secret`] and zeroizing its text.
    fn secret(&mut self, name: &'static str) -> Result<Option<Secret>, Error> {
        let Some(mut text) = self.string(name)? else {
            return Ok(None);
        };
        let secret = b64::decode_secret(text.as_bytes(), name);
        text.zeroize();
        secret.map(Some)
    }

    /// Removes an array of strings.
    fn strings(&mut self, name: &'static str) -> Result<Option<Vec<String>>, Error> {
        let invalid = || Error::from(Malformed::InvalidMember(name));
        match self.0.remove(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text),
                    _ => Err(invalid()),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(invalid()),
        }
    }
}

/// Builds a [`Jwk`] from the members of a JSON object.
pub(super) fn from_members(members: Map<String, Value>) -> Result<Jwk, Error> {
    let mut m = Members(members);
    let kty = m.string("kty")?.ok_or(Malformed::MissingMember("kty"))?;
    let kid = m.string("kid")?;
    if kid.as_ref().is_some_and(|kid| kid.len() > MAX_KID_LEN) {
        return Err(Error::TooLarge {
            what: "kid",
            limit: MAX_KID_LEN,
        });
    }
    let alg = m.string("alg")?;
    let key_use = m.string("use")?;
    let key_ops = m.strings("key_ops")?;
    if let Some(ops) = &key_ops {
        check_key_ops(ops, key_use.as_deref())?;
    }
    let x5u = m.string("x5u")?;
    let x5c = m
        .strings("x5c")?
        .map(|chain| decode_chain(&chain))
        .transpose()?;
    let x5t = fixed_len(m.public("x5t")?, 20, "x5t")?;
    let x5t_s256 = fixed_len(m.public("x5t#S256")?, 32, "x5t#S256")?;
    let key = match kty.as_str() {
        "oct" => KeyParams::Oct {
            k: m.secret("k")?.ok_or(Malformed::MissingMember("k"))?,
        },
        "RSA" => rsa(&mut m)?,
        "EC" => ec(&mut m)?,
        "OKP" => okp(&mut m)?,
        _ => return Err(Unsupported::KeyType.into()),
    };
    if let Some(name) = KEY_MEMBERS.iter().find(|name| m.0.contains_key(**name)) {
        return Err(Malformed::InvalidMember(name).into());
    }
    let other: BTreeMap<String, Value> = core::mem::take(&mut m.0).into_iter().collect();
    Ok(Jwk {
        key,
        kid,
        alg,
        key_use,
        key_ops,
        x5u,
        x5c,
        x5t,
        x5t_s256,
        other,
    })
}

/// `key_ops` has no duplicates (RFC 7517 §4.3) and agrees with `use`.
fn check_key_ops(ops: &[String], key_use: Option<&str>) -> Result<(), Error> {
    let invalid = || Err(Malformed::InvalidMember("key_ops").into());
    for (i, op) in ops.iter().enumerate() {
        if ops
            .iter()
            .skip(i.saturating_add(1))
            .any(|other| other == op)
        {
            return invalid();
        }
        let agrees = match key_use {
            Some("sig") => SIG_OPS.contains(&op.as_str()),
            Some("enc") => ENC_OPS.contains(&op.as_str()),
            _ => true,
        };
        if !agrees {
            return invalid();
        }
    }
    Ok(())
}

/// `x5c`: a non-empty array of standard base64 DER certificates (RFC 7517 §4.7).
fn decode_chain(chain: &[String]) -> Result<Vec<Vec<u8>>, Error> {
    if chain.is_empty() {
        return Err(Malformed::InvalidMember("x5c").into());
    }
    chain
        .iter()
        .map(|cert| Base64::decode_vec(cert).map_err(|_| Malformed::InvalidMember("x5c").into()))
        .collect()
}

/// Standard padded base64, for writing `x5c`.
pub(super) fn encode_standard(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

fn fixed_len(
    bytes: Option<Vec<u8>>,
    len: usize,
    name: &'static str,
) -> Result<Option<Vec<u8>>, Error> {
    match bytes {
        Some(bytes) if bytes.len() != len => Err(Malformed::InvalidMember(name).into()),
        other => Ok(other),
    }
}

fn secret_len(
    secret: Option<Secret>,
    len: usize,
    name: &'static str,
) -> Result<Option<Secret>, Error> {
    match secret {
        Some(secret) if secret.expose().len() != len => Err(Malformed::InvalidMember(name).into()),
        other => Ok(other),
    }
}

/// `kty: RSA` (RFC 7518 §6.3).
fn rsa(m: &mut Members) -> Result<KeyParams, Error> {
    if m.0.contains_key("oth") {
        return Err(Unsupported::RsaKeyShape.into());
    }
    let n = m.required_public("n")?;
    let e = m.required_public("e")?;
    // Base64urlUInt (RFC 7518 §2): the minimum number of octets.
    for (value, name) in [(&n, "n"), (&e, "e")] {
        if value.first().is_none_or(|&top| top == 0) {
            return Err(Malformed::InvalidMember(name).into());
        }
    }
    let d = m.secret("d")?;
    let mut crt = Vec::with_capacity(CRT_NAMES.len());
    for name in CRT_NAMES {
        crt.push((name, m.secret(name)?));
    }
    let present = crt.iter().filter(|(_, value)| value.is_some()).count();
    let crt = if present == 0 {
        None
    } else {
        let mut values = Vec::with_capacity(CRT_NAMES.len());
        for (name, value) in crt {
            values.push(value.ok_or(Malformed::MissingMember(name))?);
        }
        let values: [Secret; 5] = values
            .try_into()
            .map_err(|_| Malformed::MissingMember("p"))?;
        Some(values)
    };
    let private = match (d, crt) {
        (None, None) => None,
        (None, Some(_)) => return Err(Malformed::MissingMember("d").into()),
        (Some(d), crt) => Some(RsaPrivate { d, crt }),
    };
    if let Some(private) = &private {
        let empty = core::iter::once(&private.d)
            .chain(private.crt.iter().flatten())
            .zip(core::iter::once("d").chain(CRT_NAMES))
            .find(|(value, _)| value.expose().is_empty());
        if let Some((_, name)) = empty {
            return Err(Malformed::InvalidMember(name).into());
        }
    }
    Ok(KeyParams::Rsa { n, e, private })
}

/// `kty: EC` (RFC 7518 §6.2).
fn ec(m: &mut Members) -> Result<KeyParams, Error> {
    let name = m.string("crv")?.ok_or(Malformed::MissingMember("crv"))?;
    let crv = EcCurve::ALL
        .into_iter()
        .find(|c| c.name() == name)
        .ok_or(Unsupported::UnknownCurve)?;
    let len = crv.coordinate_len();
    let x = fixed_len(Some(m.required_public("x")?), len, "x")?.unwrap_or_default();
    let y = fixed_len(Some(m.required_public("y")?), len, "y")?.unwrap_or_default();
    let d = secret_len(m.secret("d")?, len, "d")?;
    Ok(KeyParams::Ec { crv, x, y, d })
}

/// `kty: OKP` (RFC 8037 §2).
fn okp(m: &mut Members) -> Result<KeyParams, Error> {
    let name = m.string("crv")?.ok_or(Malformed::MissingMember("crv"))?;
    let crv = OkpCurve::ALL
        .into_iter()
        .find(|c| c.name() == name)
        .ok_or(Unsupported::UnknownCurve)?;
    let len = crv.key_len();
    let x = fixed_len(Some(m.required_public("x")?), len, "x")?.unwrap_or_default();
    let d = secret_len(m.secret("d")?, len, "d")?;
    Ok(KeyParams::Okp { crv, x, d })
}
