//! `decode`, `verify`, `sign`, `jws sign` and `jws verify`.

use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring::{Error, Signer, jws};
use serde::de::IgnoredAny;

use crate::fail::{self, Failure};
use crate::json::Json;
use crate::keys::KeyFile;
use crate::{JwsSignArgs, JwsVerifyArgs, Policy, SignArgs, VerifyArgs, b64, input, time};

/// The claims shown as dates by `decode`: RFC 7519's and OpenID Connect's NumericDates.
const DATE_CLAIMS: [&str; 5] = ["exp", "nbf", "iat", "auth_time", "updated_at"];

/// `jose decode`.
pub(crate) fn decode(arg: &str) -> Result<(), Failure> {
    let token = input::token(arg)?;
    let mut out = String::from(
        "UNVERIFIED: decoded without checking the signature; do not trust this content.\n",
    );
    if token.starts_with('{') {
        decode_json(&token, &mut out)?;
    } else {
        let unverified = jws::Unverified::parse(&token)?;
        let unencoded = unverified.header().is_unencoded();
        let mut segments = token.splitn(3, '.');
        let (header, payload, signature) = (
            segments.next().unwrap_or_default(),
            segments.next().unwrap_or_default(),
            segments.next().unwrap_or_default(),
        );
        out.push_str("header:\n");
        show_json_segment(header, false, &mut out);
        out.push_str("payload:\n");
        let claims = if payload.is_empty() {
            out.push_str("(detached: not in the token)\n");
            None
        } else {
            show_json_segment(payload, unencoded, &mut out)
        };
        let signature_len = b64::decode(signature).map_or(0, |s| s.len());
        out.push_str(&format!("signature: {signature_len} bytes\n"));
        if let Some(claims) = claims {
            show_dates(&claims, &mut out);
        }
    }
    fail::stdout(out.as_bytes())
}

/// Decodes the JWS JSON serialization (RFC 7515 §7.2) for display.
fn decode_json(text: &str, out: &mut String) -> Result<(), Failure> {
    // The library's checks first: a document it would not parse is reported as it says.
    jws::UnverifiedJson::parse(text.as_bytes())?;
    let bad = |why: &str| Failure::Failed(format!("malformed JWS JSON serialization: {why}"));
    let jws = Json::parse_object(text.as_bytes()).map_err(|e| bad(&e))?;
    let signatures: Vec<&Json> = match (jws.get("signatures"), jws.get("signature")) {
        (Some(Json::Array(list)), None) => list.iter().collect(),
        (None, Some(_)) => vec![&jws],
        (Some(_), None) => return Err(bad("`signatures` is not an array")),
        (Some(_), Some(_)) => return Err(bad("both `signatures` and `signature`")),
        (None, None) => return Err(bad("no `signatures` or `signature`")),
    };
    let general = jws.get("signatures").is_some();
    out.push_str(if general {
        "serialization: JSON (general)\n"
    } else {
        "serialization: JSON (flattened)\n"
    });
    let mut unencoded = false;
    for (i, signature) in signatures.iter().enumerate() {
        let n = i.saturating_add(1);
        let label = if general {
            format!(" (signature {n} of {})", signatures.len())
        } else {
            String::new()
        };
        if let Some(protected) = signature.get("protected") {
            out.push_str(&format!("protected header{label}:\n"));
            let segment = protected
                .as_str()
                .ok_or_else(|| bad("`protected` is not a string"))?;
            if let Some(header) = show_json_segment(segment, false, out) {
                unencoded |= matches!(header.get("b64"), Some(Json::Bool(false)));
            }
        }
        if let Some(header) = signature.get("header") {
            out.push_str(&format!("unprotected header{label}:\n"));
            out.push_str(&header.pretty());
            out.push('\n');
        }
        let len = signature
            .get("signature")
            .and_then(Json::as_str)
            .and_then(b64::decode)
            .map_or(0, |s| s.len());
        out.push_str(&format!("signature{label}: {len} bytes\n"));
    }
    out.push_str("payload:\n");
    match jws.get("payload") {
        None => out.push_str("(detached: not in the JWS)\n"),
        Some(Json::String(payload)) => {
            if let Some(claims) = show_json_segment(payload, unencoded, out) {
                show_dates(&claims, out);
            }
        }
        Some(_) => return Err(bad("`payload` is not a string")),
    }
    Ok(())
}

/// Shows a base64url segment (or an unencoded payload) as pretty JSON, text or base64url, and
/// returns the JSON if it is JSON.
fn show_json_segment(segment: &str, unencoded: bool, out: &mut String) -> Option<Json> {
    let bytes = if unencoded {
        Some(segment.as_bytes().to_vec())
    } else {
        b64::decode(segment)
    };
    let Some(bytes) = bytes else {
        out.push_str("(not base64url)\n");
        return None;
    };
    match Json::parse(&bytes) {
        Ok(json) => {
            out.push_str(&json.pretty());
            out.push('\n');
            Some(json)
        }
        Err(why) => {
            match std::str::from_utf8(&bytes) {
                Ok(text) if text.trim_start().starts_with(['{', '[']) => {
                    out.push_str(&format!("(not strict JSON: {why}; as text)\n{text}\n"));
                }
                Ok(text) => out.push_str(&format!("(text, {} bytes)\n{text}\n", bytes.len())),
                Err(_) => out.push_str(&format!(
                    "(binary, {} bytes, as base64url)\n{}\n",
                    bytes.len(),
                    b64::encode(&bytes)
                )),
            }
            None
        }
    }
}

/// Lists the NumericDate claims of `claims` as UTC times.
fn show_dates(claims: &Json, out: &mut String) {
    let now = NumericDate::now().as_seconds();
    let mut lines = String::new();
    for name in DATE_CLAIMS {
        let seconds = match claims.get(name) {
            Some(Json::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| NumericDate::from_f64(f).as_seconds())),
            _ => None,
        };
        if let Some(seconds) = seconds {
            let utc = time::utc(seconds).unwrap_or_else(|| "(out of range)".into());
            let relative = relative(seconds.saturating_sub(now));
            lines.push_str(&format!("  {name:<10} {seconds:<12} {utc}  ({relative})\n"));
        }
    }
    if !lines.is_empty() {
        out.push_str("dates (UTC):\n");
        out.push_str(&lines);
    }
}

/// `in 2h 5m`, `3d 4h ago`, `now`.
fn relative(delta: i64) -> String {
    let abs = delta.unsigned_abs();
    let (d, h, m, s) = (abs / 86_400, abs % 86_400 / 3600, abs % 3600 / 60, abs % 60);
    let amount = match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    };
    match delta {
        0 => "now".into(),
        d if d > 0 => format!("in {amount}"),
        _ => format!("{amount} ago"),
    }
}

/// `jose verify`.
pub(crate) fn verify(args: &VerifyArgs, notes: &mut Vec<String>) -> Result<(), Failure> {
    input::one_stdin(&[&args.key, &args.token])?;
    let algs = input::algorithms(&args.algs)?;
    let (keys, skipped) = KeyFile::load(&args.key)?.verifying(&algs)?;
    *notes = skipped;
    let token = input::token(&args.token)?;
    let mut rules = match args.now {
        Some(now) => Validation::new(NumericDate::from_seconds(now)),
        None => Validation::from_clock(&jwt::SystemClock),
    }
    .with_leeway(args.leeway);
    for issuer in &args.issuers {
        rules = rules.with_issuer(issuer);
    }
    for audience in &args.audiences {
        rules = rules.with_audience(audience);
    }
    if let Some(typ) = &args.typ {
        rules = rules.with_typ(typ);
    }
    if args.no_exp {
        rules = rules.with_optional_exp();
    }
    jwt::decode::<IgnoredAny, _>(&token, &keys, &rules)?;
    // Verified: print the payload as the token holds it, members in their order.
    let claims = token
        .split('.')
        .nth(1)
        .and_then(b64::decode)
        .and_then(|bytes| Json::parse(&bytes).ok())
        .ok_or_else(|| Failure::Failed("verified claims could not be re-read".into()))?;
    fail::println(&claims.pretty())
}

/// `jose sign`.
pub(crate) fn sign(args: &SignArgs) -> Result<(), Failure> {
    input::one_stdin(&[&args.key, &args.claims])?;
    let alg = args.alg.as_deref().map(input::algorithm).transpose()?;
    let key = KeyFile::load(&args.key)?.signer(alg, args.kid.as_deref())?;
    let bytes = input::read(&args.claims)?;
    let name = if args.claims == "-" {
        "stdin"
    } else {
        &args.claims
    };
    let mut claims =
        Json::parse_object(&bytes).map_err(|e| Failure::usage(format_args!("claims {name}"), e))?;
    let now = args.now.unwrap_or_else(|| NumericDate::now().as_seconds());
    if let Some(seconds) = args.exp_in {
        let exp = now.saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
        claims.set("exp", exp.into());
    }
    if args.iat {
        claims.set("iat", now.into());
    }
    let mut header = jws::Header::new().with_typ(&args.typ);
    if let Some(kid) = &args.kid {
        header = header.with_kid(kid);
    }
    if let Some(extra) = &args.header {
        header = extra_members(header, extra, &*key)?;
    }
    let token = jwt::encode_with_header(&claims, &header, &*key).map_err(signing_failure)?;
    fail::println(&token)
}

/// Adds the members of `--header` to `header`.
fn extra_members(
    mut header: jws::Header,
    extra: &str,
    key: &dyn Signer,
) -> Result<jws::Header, Failure> {
    let extra = Json::parse_object(extra.as_bytes()).map_err(|e| Failure::usage("--header", e))?;
    for (name, value) in extra.members() {
        let text = || {
            value
                .as_str()
                .ok_or_else(|| Failure::Usage(format!("--header: `{name}` must be a string")))
        };
        header = match name.as_str() {
            "typ" => header.with_typ(text()?),
            "cty" => header.with_cty(text()?),
            "kid" => header.with_kid(text()?),
            "alg" if text()? == key.algorithm().name() => header,
            "alg" => {
                return Err(Failure::Usage(
                    "--header: `alg` differs from the key's algorithm (set it with --alg)".into(),
                ));
            }
            "crit" | "b64" => {
                return Err(Failure::Usage(format!(
                    "--header: `{name}` cannot be set here (`jose jws sign --unencoded` \
                     writes b64 and crit)"
                )));
            }
            _ => header
                .with_member(name, value)
                .map_err(|e| Failure::usage("--header", e))?,
        };
    }
    Ok(header)
}

/// A signing error: the input was unusable (2), unless the signer itself failed (1).
fn signing_failure(error: Error) -> Failure {
    match error {
        Error::SigningFailed => Failure::Rejected(error),
        other => Failure::usage("cannot sign", other),
    }
}

/// `jose jws sign`.
pub(crate) fn jws_sign(args: &JwsSignArgs) -> Result<(), Failure> {
    input::one_stdin(&[&args.key, &args.payload])?;
    let alg = args.alg.as_deref().map(input::algorithm).transpose()?;
    let key = KeyFile::load(&args.key)?.signer(alg, args.kid.as_deref())?;
    let payload = input::read(&args.payload)?;
    let mut header = jws::Header::new();
    if let Some(typ) = &args.typ {
        header = header.with_typ(typ);
    }
    if let Some(cty) = &args.cty {
        header = header.with_cty(cty);
    }
    if let Some(kid) = &args.kid {
        header = header.with_kid(kid);
    }
    if args.unencoded {
        header = header.with_unencoded_payload();
    }
    let form = if args.json {
        jws::Serialization::General
    } else if args.flattened {
        jws::Serialization::Flattened
    } else {
        jws::Serialization::Compact
    };
    let signatory = [jws::Signatory::new(&*key).with_protected(header)];
    let jws = if args.detached {
        jws::sign_detached_as(&payload, &signatory, form)
    } else {
        jws::sign_as(&payload, &signatory, form)
    }
    .map_err(signing_failure)?;
    fail::println(&jws)
}

/// `jose jws verify`.
pub(crate) fn jws_verify(args: &JwsVerifyArgs, notes: &mut Vec<String>) -> Result<(), Failure> {
    let payload_path = args.payload.as_deref().unwrap_or_default();
    input::one_stdin(&[&args.key, &args.jws, payload_path])?;
    let algs = input::algorithms(&args.algs)?;
    let (keys, skipped) = KeyFile::load(&args.key)?.verifying(&algs)?;
    *notes = skipped;
    let jws = input::token(&args.jws)?;
    let detached = args.payload.as_deref().map(input::read).transpose()?;
    if !jws.starts_with('{') {
        let verified = match &detached {
            Some(payload) => jws::verify_detached(&jws, payload, &keys)?,
            None => jws::verify(&jws, &keys)?,
        };
        return fail::stdout(verified.payload());
    }
    let policy = match args.policy {
        Policy::All => jws::Policy::All,
        Policy::Any => jws::Policy::Any,
    };
    let unverified = jws::UnverifiedJson::parse(jws.as_bytes())?;
    let count = unverified.signatures().len();
    let verified = match &detached {
        Some(payload) => unverified.verify_detached(payload, &keys, policy)?,
        None => unverified.verify(&keys, policy)?,
    };
    for (index, error) in verified.rejected() {
        fail::note(&format!(
            "note: signature {index} of {count} not verified: {error}"
        ));
    }
    fail::stdout(verified.payload())
}
