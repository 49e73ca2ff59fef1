//! `jose sd-jwt issue|present|verify`: SD-JWT (RFC 9901) with key binding from a shell, every
//! check the library's (`jose_ring::sd_jwt`). Key files are JWKs (or, for `verify`, JWK Sets).

use clap::{Args, Subcommand, ValueEnum};
use jose_ring::jwa::{self, Algorithm};
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jws::{Header, Serialization};
use jose_ring::jwt::{self, NumericDate};
use jose_ring::sd_jwt::{Issuer, KeyBinding, Unverified, Validation};
use jose_ring::{Error, SigningKey};
use serde_json::{Map, Value};

use crate::fail::Failure;
use crate::input;
use crate::out;

/// `jose sd-jwt ...`.
#[derive(Subcommand)]
pub(crate) enum SdJwtCommand {
    /// Issue an SD-JWT (RFC 9901): the claims POINTER names become selectively disclosable.
    #[command(after_help = "\
Example:
  jose sd-jwt issue --key issuer.jwk --sd /given_name --sd /address --sd /address/street_address \\
    --holder-key holder.pub.jwk --exp 1900000000 --header '{\"typ\":\"example+sd-jwt\"}' claims.json

Each POINTER is a JSON Pointer (RFC 6901) into the claims: an object member or an array element
(indices as the claims give them); nested pointers make recursive disclosures. Salts are 128
random bits. --holder-key puts the public members of that JWK in cnf.jwk; --iat and --exp are
visible claims. The protected header is {\"alg\":..} with the key's kid and the --header
members (not alg). Prints <JWT>~<D1>~...~<Dn>~, or the JWS JSON serialization of RFC 9901 §8
with --json (general: one signature per --key). Exit 2 for a pointer that names nothing or an
unusable key, claims or header.")]
    Issue(IssueArgs),
    /// Present an SD-JWT: disclose the claims POINTER names, optionally with a Key Binding JWT.
    #[command(after_help = "\
Example:
  jose sd-jwt present --disclose /address/street_address sd.txt
  jose sd-jwt present --all --kb-key holder.jwk --aud https://verifier.example --nonce n-1 sd.txt

A pointer discloses what it names and every selectively disclosable claim that holds it, nothing
below it; no --disclose and no --all disclose nothing. With --kb-key (the private half of the
SD-JWT's cnf.jwk) the presentation is an SD-JWT+KB bound to --aud and --nonce at --iat (default:
now). The presentation comes in the serialization of its input. Exit 2 for a pointer that names
nothing or an unusable input, 1 for an SD-JWT that breaks RFC 9901's rules.")]
    Present(PresentArgs),
    /// Verify an SD-JWT presentation and print its processed payload.
    #[command(after_help = "\
Example:
  jose sd-jwt verify --key issuer.pub.jwk --now 1800000000 presentation.txt
  jose sd-jwt verify --key issuer.jwks --kb --aud https://verifier.example --nonce n-1 -

Every rule of RFC 9901 §7.1 is checked; exp and nbf when present, at --now (default: now).
Without --kb a presentation that carries a KB-JWT is refused: this verifier did not ask for
key binding, so it expects an SD-JWT whose last component is empty (RFC 9901 §4, §7.3: the
verifier's policy decides, never the presentation). With --kb a KB-JWT is required: typ
kb+jwt, signed by cnf.jwk, iat within 300 s before --now, this --aud and --nonce, and the
sd_hash of this presentation. Prints the claims with the disclosures in place. Exit 1 when the
presentation is rejected, 2 when it or the key is unusable.")]
    Verify(VerifyArgs),
}

/// The JWS JSON serializations of RFC 9901 §8.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum JsonForm {
    /// One signature; `header` beside `payload`.
    Flattened,
    /// `signatures`: one per key.
    General,
}

#[derive(Args)]
pub(crate) struct IssueArgs {
    /// The issuer's private key, a JWK (repeat with `--json general`: one signature each).
    #[arg(long = "key", value_name = "ISSUER_KEY", required = true)]
    keys: Vec<String>,
    /// A JSON Pointer to a claim to make selectively disclosable (repeat for several).
    #[arg(long = "sd", value_name = "POINTER")]
    pointers: Vec<String>,
    /// The holder's public key, a JWK: becomes cnf.jwk.
    #[arg(long, value_name = "HOLDER_PUBLIC_KEY")]
    holder_key: Option<String>,
    /// The iat claim, in seconds since 1970.
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    iat: Option<i64>,
    /// The exp claim, in seconds since 1970.
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    exp: Option<i64>,
    /// A JSON object of members for the protected header (not alg).
    #[arg(long, value_name = "JSON")]
    header: Option<String>,
    /// Print the JWS JSON serialization (RFC 9901 §8) instead of the compact one.
    #[arg(long, value_name = "FORM")]
    json: Option<JsonForm>,
    /// The claims, a JSON object (`-` for stdin).
    claims: String,
}

#[derive(Args)]
pub(crate) struct PresentArgs {
    /// A JSON Pointer to a claim to disclose (repeat for several).
    #[arg(long = "disclose", value_name = "POINTER")]
    pointers: Vec<String>,
    /// Disclose everything.
    #[arg(long, conflicts_with = "pointers")]
    all: bool,
    /// The holder's private key, a JWK: adds a Key Binding JWT.
    #[arg(long, value_name = "HOLDER_PRIVATE_KEY", requires_all = ["aud", "nonce"])]
    kb_key: Option<String>,
    /// The verifier the KB-JWT is for (its aud).
    #[arg(long, value_name = "AUD", requires = "kb_key")]
    aud: Option<String>,
    /// The verifier's nonce.
    #[arg(long, value_name = "NONCE", requires = "kb_key")]
    nonce: Option<String>,
    /// The KB-JWT's iat, in seconds since 1970 (default: now).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        requires = "kb_key"
    )]
    iat: Option<i64>,
    /// The SD-JWT as issued (`-` for stdin).
    sd_jwt: String,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The issuer's public key: a JWK or a JWK Set.
    #[arg(long, value_name = "ISSUER_KEY")]
    key: String,
    /// Require key binding: a KB-JWT for --aud and --nonce.
    #[arg(long, requires_all = ["aud", "nonce"])]
    kb: bool,
    /// This verifier (the KB-JWT's aud).
    #[arg(long, value_name = "AUD", requires = "kb")]
    aud: Option<String>,
    /// This transaction's nonce.
    #[arg(long, value_name = "NONCE", requires = "kb")]
    nonce: Option<String>,
    /// Check exp, nbf and the KB-JWT's iat as of this instant (seconds since 1970).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The presentation (`-` for stdin).
    presentation: String,
}

/// `jose sd-jwt ...`.
pub(crate) fn run(command: &SdJwtCommand) -> Result<(), Failure> {
    match command {
        SdJwtCommand::Issue(args) => issue(args),
        SdJwtCommand::Present(args) => present(args),
        SdJwtCommand::Verify(args) => verify(args),
    }
}

fn issue(args: &IssueArgs) -> Result<(), Failure> {
    let mut paths: Vec<&str> = args.keys.iter().map(String::as_str).collect();
    paths.push(&args.claims);
    paths.extend(args.holder_key.as_deref());
    input::one_stdin(&paths)?;
    if args.keys.len() > 1 && !matches!(args.json, Some(JsonForm::General)) {
        return Err(Failure::Usage(
            "several --key need --json general (one signature per key)".into(),
        ));
    }
    let keys = args
        .keys
        .iter()
        .map(|path| signing_key(path, "--key"))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = input::read(&args.claims)?;
    let mut claims: Map<String, Value> = serde_json::from_slice(&bytes)
        .map_err(|_| Failure::Usage("claims: not a JSON object".into()))?;
    for (name, value) in [("iat", args.iat), ("exp", args.exp)] {
        if let Some(value) = value {
            claims.insert(name.into(), Value::from(value));
        }
    }
    let mut issuer = Issuer::new(claims).with_header(header(args.header.as_deref())?);
    for pointer in &args.pointers {
        issuer = issuer.with_disclosable(pointer.as_str());
    }
    if let Some(path) = &args.holder_key {
        let jwk = jwk_file(path, "--holder-key")?;
        issuer = issuer
            .with_holder_key(&jwk)
            .map_err(|e| Failure::usage("--holder-key", e))?;
    }
    let signers: Vec<&dyn jose_ring::Signer> =
        keys.iter().map(|k| k as &dyn jose_ring::Signer).collect();
    let form = match args.json {
        None => Serialization::Compact,
        Some(JsonForm::Flattened) => Serialization::Flattened,
        Some(JsonForm::General) => Serialization::General,
    };
    let issued = issuer
        .sign_as(&signers, form)
        .map_err(|e| Failure::signing("cannot issue", e))?;
    out::println(&issued)
}

fn present(args: &PresentArgs) -> Result<(), Failure> {
    input::one_stdin(&[&args.sd_jwt, args.kb_key.as_deref().unwrap_or_default()])?;
    let text = text_file(&args.sd_jwt)?;
    let sd = Unverified::parse(&text).map_err(|e| Failure::usage("SD-JWT", e))?;
    let pointers: Vec<&str> = args.pointers.iter().map(String::as_str).collect();
    let chosen = if args.all {
        sd.present_all()
    } else {
        sd.present(&pointers)
    }
    .map_err(pointer_or_rejected)?;
    let out = match (&args.kb_key, &args.aud, &args.nonce) {
        (Some(path), Some(aud), Some(nonce)) => {
            let key = signing_key(path, "--kb-key")?;
            let iat = args
                .iat
                .map_or_else(NumericDate::now, NumericDate::from_seconds);
            let binding = KeyBinding::new(aud.as_str(), nonce.as_str(), iat);
            chosen.with_key_binding(&binding, &key)
        }
        _ => chosen.into_sd_jwt(),
    }
    .map_err(|e| Failure::signing("cannot present", e))?;
    out::println(&out)
}

fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    input::one_stdin(&[&args.key, &args.presentation])?;
    let keys = issuer_keys(&args.key)?;
    let text = text_file(&args.presentation)?;
    let sd = Unverified::parse(&text).map_err(|e| Failure::usage("presentation", e))?;
    let now = args
        .now
        .map_or_else(NumericDate::now, NumericDate::from_seconds);
    let claims = jwt::Validation::new(now).with_optional_exp().with_any_typ();
    let mut rules = Validation::new(claims);
    if let (true, Some(aud), Some(nonce)) = (args.kb, &args.aud, &args.nonce) {
        rules = rules.with_key_binding(aud.as_str(), nonce.as_str());
    }
    let verified = sd.verify(&keys, &rules)?;
    out::print_json(verified.claims())
}

/// A pointer that names nothing is the caller's (exit 2); any other refusal is the SD-JWT's.
fn pointer_or_rejected(error: Error) -> Failure {
    match error {
        Error::Misuse(_) => Failure::usage("--disclose", error),
        other => Failure::Rejected(other),
    }
}

/// The protected header: the members of `json` (a JSON object), `alg` refused, `typ`, `cty`
/// and `kid` strings.
fn header(json: Option<&str>) -> Result<Header, Failure> {
    let mut header = Header::new();
    let Some(json) = json else {
        return Ok(header);
    };
    let bad = |why: &str| Failure::Usage(format!("--header: {why}"));
    let members: Map<String, Value> =
        serde_json::from_str(json).map_err(|_| bad("not a JSON object"))?;
    for (name, value) in members {
        header = match (name.as_str(), value) {
            ("alg", _) => return Err(bad("alg comes from the key")),
            ("crit" | "b64", _) => return Err(bad("crit and b64 are not for an SD-JWT")),
            ("typ", Value::String(typ)) => header.with_typ(typ),
            ("cty", Value::String(cty)) => header.with_cty(cty),
            ("kid", Value::String(kid)) => header.with_kid(kid),
            ("typ" | "cty" | "kid", _) => {
                return Err(bad(&format!("{name} is not a string")));
            }
            (name, value) => header
                .with_member(name, &value)
                .map_err(|e| Failure::usage("--header", e))?,
        };
    }
    Ok(header)
}

/// The text of the file at `path` (`-` for stdin), without surrounding whitespace.
fn text_file(path: &str) -> Result<String, Failure> {
    let name = if path == "-" { "stdin" } else { path };
    let bytes = input::read(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::Usage(format!("{name}: not UTF-8 text")))?;
    Ok(text.trim().to_owned())
}

/// The JWK in the file at `path`.
fn jwk_file(path: &str, flag: &str) -> Result<Jwk, Failure> {
    let bytes = input::read(path)?;
    Jwk::from_json(&bytes).map_err(|e| Failure::usage(format_args!("{flag} {path}"), e))
}

/// The private JWK at `path`, bound to its `alg`, or to the one algorithm its curve fixes.
fn signing_key(path: &str, flag: &str) -> Result<SigningKey, Failure> {
    let jwk = jwk_file(path, flag)?;
    let alg = key_algorithm(&jwk)
        .ok_or_else(|| Failure::Usage(format!("{flag} {path}: the key names no alg")))?;
    if alg.is_symmetric() {
        return Err(Failure::Usage(format!(
            "{flag} {path}: an SD-JWT is signed with a key pair, never a shared secret"
        )));
    }
    if !jwk.is_private() {
        return Err(Failure::Usage(format!(
            "{flag} {path}: a public key cannot sign (give the private key)"
        )));
    }
    jwk.signing_key(alg)
        .map_err(|e| Failure::usage(format_args!("{flag} {path}"), e))
}

/// The JWK's `alg`, or the one algorithm its curve fixes (P-256 ES256, P-384 ES384, Ed25519
/// Ed25519); an RSA key must name its own.
fn key_algorithm(jwk: &Jwk) -> Option<&'static Algorithm> {
    if let Some(name) = jwk.alg() {
        return Algorithm::from_name(name).ok();
    }
    match jwk.crv()? {
        "P-256" => Some(&jwa::ES256),
        "P-384" => Some(&jwa::ES384),
        "Ed25519" => Some(&jwa::Ed25519),
        _ => None,
    }
}

/// The issuer's keys: a JWK or a JWK Set, each key bound to its `alg` or to every asymmetric
/// algorithm it fits.
fn issuer_keys(path: &str) -> Result<jose_ring::jwk::KeyRing, Failure> {
    let bytes = input::read(path)?;
    let name = if path == "-" { "stdin" } else { path };
    let set =
        match JwkSet::from_json(&bytes) {
            Ok(set) if !set.keys().is_empty() || !set.skipped().is_empty() => set,
            _ => JwkSet::from_iter([Jwk::from_json(&bytes)
                .map_err(|e| Failure::usage(format_args!("--key {name}"), e))?]),
        };
    let ring = set.key_ring(&jwa::ASYMMETRIC);
    if ring.is_empty() {
        return Err(Failure::Usage(format!(
            "--key {name}: no public key of it verifies an SD-JWT"
        )));
    }
    Ok(ring)
}
