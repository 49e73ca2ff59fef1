//! `jose decode`: a token's header and payload shown, WITHOUT verifying anything.

use clap::Args;
use jose_ring::jwt::NumericDate;
use jose_ring::{Error, dangerous, jws};
use serde::Deserialize;

use crate::fail::Failure;
use crate::ordered::Json;
use crate::{input, out, time};

#[derive(Args)]
#[command(after_help = "\
Example:
  jose decode eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.sig...
  pbpaste | jose decode -

Works on compact tokens and on the JWS JSON serializations. NumericDates (exp, nbf, iat,
auth_time) are also shown as UTC times. A token that is not well-formed exits with 1.")]
pub(crate) struct DecodeArgs {
    /// The token (compact or JSON serialization), or `-` for stdin.
    token: String,
}

/// The claims shown as dates by `decode`: RFC 7519's and OpenID Connect's NumericDates.
const DATE_CLAIMS: [&str; 5] = ["exp", "nbf", "iat", "auth_time", "updated_at"];

/// `jose decode`.
pub(crate) fn run(args: &DecodeArgs) -> Result<(), Failure> {
    let token = input::token(&args.token)?;
    let mut shown = String::from(
        "UNVERIFIED: decoded without checking the signature; do not trust this content.\n",
    );
    if token.starts_with('{') {
        decode_json(&token, &mut shown)?;
    } else {
        let peek = dangerous::peek(&token)?;
        shown.push_str("header:\n");
        show_header(peek.header_json(), &mut shown)?;
        shown.push_str("payload:\n");
        let claims = if peek.payload().is_empty() {
            shown.push_str("(detached: not in the token)\n");
            None
        } else {
            let (_, segment, _) = peek.unverified().segments();
            show_payload(peek.claims(), peek.payload(), segment, &mut shown)
        };
        shown.push_str(&format!("signature: {} bytes\n", peek.signature().len()));
        if let Some(claims) = claims {
            show_dates(&claims, &mut shown);
        }
    }
    out::stdout(shown.as_bytes())
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
