//! `decode`, `verify`, `sign`, `jws sign` and `jws verify`.

use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring::{Error, Signer, dangerous, jws};
use serde::Deserialize;

use crate::fail::{self, Failure};
use crate::keys::KeyFile;
use crate::ordered::Json;
use crate::{JwsSignArgs, JwsVerifyArgs, Policy, SignArgs, VerifyArgs, fetch, input, time};

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
        let peek = dangerous::peek(&token)?;
        out.push_str("header:\n");
        show_header(peek.header_json(), &mut out)?;
        out.push_str("payload:\n");
        let claims = if peek.payload().is_empty() {
            out.push_str("(detached: not in the token)\n");
            None
        } else {
            let (_, segment, _) = peek.unverified().segments();
            show_payload(peek.claims(), peek.payload(), segment, &mut out)
        };
        out.push_str(&format!("signature: {} bytes\n", peek.signature().len()));
        if let Some(claims) = claims {
            show_dates(&claims, &mut out);
        }
    }
    fail::stdout(out.as_bytes())
}

/// The members of a JWS JSON serialization (RFC 7515 §7.2) that `decode` shows, read once the
/// library has parsed and checked the document.
#[derive(Deserialize)]
struct Document {
    payload: Option<String>,
    #[serde(default)]
    signatures: Vec<Entry>,
    protected: Option<String>,
    header: Option<Json>,
    signature: Option<String>,
}

/// One signature of a JWS JSON serialization.
#[derive(Deserialize)]
struct Entry {
    protected: Option<String>,
    header: Option<Json>,
    signature: String,
}

/// Decodes the JWS JSON serialization (RFC 7515 §7.2) for display.
fn decode_json(text: &str, out: &mut String) -> Result<(), Failure> {
    // The library parses and checks the document; what it accepts is shown as it is.
    let jws = jws::UnverifiedJson::parse(text.as_bytes())?;
    let document: Document = dangerous::from_json(text.as_bytes())?;
    let general = jws.serialization() == jws::Serialization::General;
    let signatures = if general {
        out.push_str("serialization: JSON (general)\n");
        document.signatures
    } else {
        out.push_str("serialization: JSON (flattened)\n");
        vec![Entry {
            protected: document.protected,
            header: document.header,
            signature: document.signature.unwrap_or_default(),
        }]
    };
    for (i, signature) in signatures.iter().enumerate() {
        let n = i.saturating_add(1);
        let label = if general {
            format!(" (signature {n} of {})", signatures.len())
        } else {
            String::new()
        };
        if let Some(protected) = &signature.protected {
            out.push_str(&format!("protected header{label}:\n"));
            show_header(&dangerous::decode_base64url(protected)?, out)?;
        }
        if let Some(header) = &signature.header {
            out.push_str(&format!("unprotected header{label}:\n"));
            out.push_str(&header.pretty());
            out.push('\n');
        }
        let len = dangerous::decode_base64url(&signature.signature)?.len();
        out.push_str(&format!("signature{label}: {len} bytes\n"));
    }
    out.push_str("payload:\n");
    match &document.payload {
        None => out.push_str("(detached: not in the JWS)\n"),
        Some(payload) => {
            let bytes = if jws.is_unencoded() {
                payload.as_bytes().to_vec()
            } else {
                dangerous::decode_base64url(payload)?
            };
            if let Some(claims) = show_payload(dangerous::from_json(&bytes), &bytes, payload, out) {
                show_dates(&claims, out);
            }
        }
    }
    Ok(())
}

/// Shows a protected header, which the library has read as strict JSON, as pretty JSON.
fn show_header(json: &[u8], out: &mut String) -> Result<(), Failure> {
    let header: Json = dangerous::from_json(json)?;
    out.push_str(&header.pretty());
    out.push('\n');
    Ok(())
}

/// Shows a payload as pretty JSON when the library read it as strict JSON (`parsed`), else as
/// text or, for bytes that are not UTF-8, as its base64url `segment`; returns the JSON.
fn show_payload(
    parsed: Result<Json, Error>,
    bytes: &[u8],
    segment: &str,
    out: &mut String,
) -> Option<Json> {
    match parsed {
        Ok(json) => {
            out.push_str(&json.pretty());
            out.push('\n');
            Some(json)
        }
        Err(why) => {
            match std::str::from_utf8(bytes) {
                Ok(text) if text.trim_start().starts_with(['{', '[']) => {
                    out.push_str(&format!("(not strict JSON: {why}; as text)\n{text}\n"));
                }
                Ok(text) => out.push_str(&format!("(text, {} bytes)\n{text}\n", bytes.len())),
                Err(_) => out.push_str(&format!(
                    "(binary, {} bytes, as base64url)\n{segment}\n",
                    bytes.len()
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
    let algs = input::algorithms(&args.algs)?;
    let verified: jwt::Verified<Json> = match &args.key {
        Some(path) => {
            input::one_stdin(&[path, &args.token])?;
            let (keys, skipped) = KeyFile::load(path)?.verifying(&algs)?;
            *notes = skipped;
            let token = input::token(&args.token)?;
            jwt::decode(&token, &keys, &rules(args))?
        }
        None => {
            let token = input::token(&args.token)?;
            fetch::decode(&args.fetch, &algs, &token, rules(args), notes)?
        }
    };
    // Verified: print the claims as the token holds them, members in their order.
    fail::println(&verified.claims().pretty())
}

/// The claims rules of `jose verify`.
fn rules(args: &VerifyArgs) -> Validation {
    let mut rules = match args.now {
        Some(now) => Validation::new(NumericDate::from_seconds(now)),
        None => Validation::from_clock(std::sync::Arc::new(jwt::SystemClock)),
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
    rules
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
    let mut claims: Json = dangerous::from_json(&bytes)
        .map_err(|e| Failure::usage(format_args!("claims {name}"), e))?;
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
    let extra: Json =
        dangerous::from_json(extra.as_bytes()).map_err(|e| Failure::usage("--header", e))?;
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
