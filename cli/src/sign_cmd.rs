//! `jose sign`: claims (a JSON object) signed into a compact JWT.

use clap::Args;
use jose_ring::jwt::{self, NumericDate};
use jose_ring::{Signer, dangerous, jws};

use crate::fail::Failure;
use crate::keys::KeyFile;
use crate::ordered::Json;
use crate::{input, out};

#[derive(Args)]
#[command(after_help = "\
Example:
  echo '{\"sub\":\"ada\",\"aud\":\"api\"}' | jose sign --key key.jwk --alg ES256 --exp-in 900 --iat -

The header is {\"alg\":..,\"typ\":\"JWT\"} plus the key's kid; --typ, --kid and --header add to it.")]
pub(crate) struct SignArgs {
    /// The private key file: a JWK (oct for HS*), a JWK Set, or a PEM private key.
    #[arg(long, value_name = "FILE")]
    key: String,
    /// The algorithm; may be left out when the JWK names its own.
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// The header kid (default: the key's kid, if any); also picks the key of a JWK Set.
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// The header typ.
    #[arg(long, value_name = "TYP", default_value = "JWT")]
    typ: String,
    /// More header members, as a JSON object (alg, crit and b64 cannot be set this way).
    #[arg(long, value_name = "JSON")]
    header: Option<String>,
    /// Set exp to now + SECONDS (replacing any exp of the claims).
    #[arg(long, value_name = "SECONDS")]
    exp_in: Option<u64>,
    /// Set iat to now (replacing any iat of the claims).
    #[arg(long)]
    iat: bool,
    /// Use this instant (seconds since 1970) as now for --exp-in and --iat.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The claims file (a JSON object), or `-` for stdin.
    #[arg(value_name = "CLAIMS_FILE", default_value = "-")]
    claims: String,
}

/// `jose sign`.
pub(crate) fn run(args: &SignArgs) -> Result<(), Failure> {
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
    let token = jwt::encode_with_header(&claims, &header, &*key)
        .map_err(|e| Failure::signing("cannot sign", e))?;
    out::println(&token)
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
