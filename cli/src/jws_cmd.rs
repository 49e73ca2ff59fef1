//! `jose jws sign` and `jose jws verify`: any payload bytes signed and verified as a JWS, in
//! the compact or a JSON serialization.

use clap::{Args, Subcommand, ValueEnum};
use jose_ring::jws;

use crate::fail::Failure;
use crate::keys::KeyFile;
use crate::{input, out};

/// `jose jws ...`.
#[derive(Subcommand)]
pub(crate) enum JwsCommand {
    /// Sign any payload bytes.
    #[command(after_help = "\
Example:
  jose jws sign --key key.jwk --alg Ed25519 document.pdf > document.jws
  jose jws sign --key key.jwk --alg ES256 --detached --unencoded - < body.json
  jose jws sign --key key.jwk --flattened - < message.txt

The output is the compact serialization unless --json (general) or --flattened asks for
a JWS JSON serialization.")]
    Sign(SignArgs),
    /// Verify a JWS and print its payload bytes exactly.
    #[command(after_help = "\
Example:
  jose jws verify --key public.jwk document.jws > document.pdf
  jose jws verify --key public.jwk --payload body.json \"$DETACHED_JWS\"
  jose jws verify --key jwks.json --policy any - < signed.json

A JWS JSON serialization (general or flattened) is recognised by its leading `{`.

Exit 1 when the JWS is rejected, 2 when the key or arguments are unusable.")]
    Verify(VerifyArgs),
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// The private key file: a JWK (oct for HS*), a JWK Set, or a PEM private key.
    #[arg(long, value_name = "FILE")]
    key: String,
    /// The algorithm; may be left out when the JWK names its own.
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// The header kid (default: the key's kid, if any).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// The header typ.
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// The header cty.
    #[arg(long, value_name = "CTY")]
    cty: Option<String>,
    /// Write the general JWS JSON serialization.
    #[arg(long, conflicts_with = "flattened")]
    json: bool,
    /// Write the flattened JWS JSON serialization.
    #[arg(long)]
    flattened: bool,
    /// Leave the payload out of the output (the verifier gets it separately).
    #[arg(long)]
    detached: bool,
    /// Sign the payload unencoded (RFC 7797, `b64: false`).
    #[arg(long)]
    unencoded: bool,
    /// The payload file, or `-` for stdin.
    #[arg(value_name = "PAYLOAD_FILE", default_value = "-")]
    payload: String,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The key file: a JWK, a JWK Set or a PEM key (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    key: String,
    /// An allowed algorithm (repeat for several); needed when the key names none.
    #[arg(long = "alg", value_name = "ALG")]
    algs: Vec<String>,
    /// The detached payload file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    payload: Option<String>,
    /// For a JSON serialization with several signatures: must all verify, or any one?
    #[arg(long, value_enum, default_value_t = Policy::All)]
    policy: Policy,
    /// The JWS (compact or JSON serialization), or `-` for stdin.
    #[arg(value_name = "JWS")]
    jws: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum Policy {
    /// Every signature verifies with a key of the key file.
    All,
    /// At least one does (the others are listed on stderr).
    Any,
}

/// `jose jws ...`. When no key verifies the JWS, the keys of the key file that were left
/// out are noted: one of them may have been the key meant.
pub(crate) fn run(command: &JwsCommand) -> Result<(), Failure> {
    match command {
        JwsCommand::Sign(args) => sign(args),
        JwsCommand::Verify(args) => {
            let mut notes = Vec::new();
            verify(args, &mut notes).map_err(|failure| failure.noting(notes))
        }
    }
}

/// `jose jws sign`.
fn sign(args: &SignArgs) -> Result<(), Failure> {
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
    .map_err(|e| Failure::signing("cannot sign", e))?;
    out::println(&jws)
}

/// `jose jws verify`; `notes` gets the keys of the key file left out.
fn verify(args: &VerifyArgs, notes: &mut Vec<String>) -> Result<(), Failure> {
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
        return out::stdout(verified.payload());
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
        out::stderr(&format!(
            "note: signature {index} of {count} not verified: {error}"
        ));
    }
    out::stdout(verified.payload())
}
