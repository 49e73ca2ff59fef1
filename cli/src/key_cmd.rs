//! `jose key generate`, `key public`, `key thumbprint` and `key convert`: keys made, shown,
//! fingerprinted and converted between PEM and JWK.

use clap::{Args, Subcommand, ValueEnum};
use jose_ring::jwa::{self, Algorithm};
use jose_ring::jwk::{Jwk, ThumbprintHash};
use jose_ring::{Error, HmacKey, SigningKey, Unsupported};

use crate::fail::Failure;
use crate::keys::{self, KeyFile};
use crate::{input, out};

/// `jose key ...`.
#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a private JWK (HS256/384/512, ES256, ES384, Ed25519, EdDSA).
    #[command(after_help = "\
Example:
  jose key generate --alg ES256 --kid 2026-11 > private.jwk
  jose key public private.jwk > public.jwk

RSA keys cannot be generated (ring has no RSA key generation): make one with
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
and use the PEM file, or `jose key convert rsa.pem --to jwk`.")]
    Generate(GenerateArgs),
    /// Print the public JWK of a private key.
    #[command(after_help = "\
Example:
  jose key public private.jwk
  jose key public rsa.pem")]
    Public(PublicArgs),
    /// Print a key's RFC 7638 thumbprint (or RFC 9278 thumbprint URI).
    #[command(after_help = "\
Example:
  jose key thumbprint public.jwk
  jose key thumbprint --hash sha512 --uri rsa.pem")]
    Thumbprint(ThumbprintArgs),
    /// Convert a key between PEM (PKCS#8, SPKI, PKCS#1, SEC1 in; PKCS#8 or SPKI out) and JWK.
    #[command(after_help = "\
Example:
  jose key convert rsa.pem --to jwk --kid rsa-1 > rsa.jwk
  jose key convert private.jwk --to pem > private.pem

A private key stays private: the output holds the secret. A JWK made from a PEM key has no
alg unless --alg is given.")]
    Convert(ConvertArgs),
}

#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// The algorithm the key is for.
    #[arg(long, value_name = "ALG")]
    alg: String,
    /// The key ID.
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
}

#[derive(Args)]
pub(crate) struct PublicArgs {
    /// The key file: a JWK or a PEM key (`-` for stdin).
    file: String,
}

#[derive(Args)]
pub(crate) struct ThumbprintArgs {
    /// The key file: a JWK or a PEM key (`-` for stdin).
    file: String,
    /// The hash.
    #[arg(long, value_enum, default_value_t = Hash::Sha256)]
    hash: Hash,
    /// Print the thumbprint URI (urn:ietf:params:oauth:jwk-thumbprint:...).
    #[arg(long)]
    uri: bool,
}

#[derive(Args)]
pub(crate) struct ConvertArgs {
    /// The key file: a JWK or a PEM key (`-` for stdin).
    file: String,
    /// The output format.
    #[arg(long, value_enum)]
    to: Format,
    /// Bind the key to this algorithm (written as the JWK's alg).
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// Set the JWK's kid.
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Jwk,
    Pem,
}

/// `jose key ...`.
pub(crate) fn run(command: &KeyCommand) -> Result<(), Failure> {
    match command {
        KeyCommand::Generate(args) => generate(args),
        KeyCommand::Public(args) => public(args),
        KeyCommand::Thumbprint(args) => thumbprint(args),
        KeyCommand::Convert(args) => convert(args),
    }
}

fn generate(args: &GenerateArgs) -> Result<(), Failure> {
    let alg = input::algorithm(&args.alg)?;
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
    let jwk = with_kid(jwk, args.kid.as_deref())?;
    out::print_jwk(&jwk, true)
}

fn public(args: &PublicArgs) -> Result<(), Failure> {
    let jwk = KeyFile::load(&args.file)?.into_jwk(None)?;
    let public = jwk.to_public().map_err(|e| Failure::usage("key file", e))?;
    out::print_jwk(&public, false)
}

fn thumbprint(args: &ThumbprintArgs) -> Result<(), Failure> {
    let jwk = KeyFile::load(&args.file)?.into_jwk(None)?;
    let hash = match args.hash {
        Hash::Sha256 => ThumbprintHash::Sha256,
        Hash::Sha384 => ThumbprintHash::Sha384,
        Hash::Sha512 => ThumbprintHash::Sha512,
    };
    let text = if args.uri {
        jwk.thumbprint_uri(hash)
    } else {
        jwk.thumbprint_with(hash)
    };
    out::println(&text)
}

fn convert(args: &ConvertArgs) -> Result<(), Failure> {
    let alg = args.alg.as_deref().map(input::algorithm).transpose()?;
    let jwk = with_kid(
        KeyFile::load(&args.file)?.into_jwk(alg)?,
        args.kid.as_deref(),
    )?;
    match args.to {
        Format::Jwk => out::print_jwk(&jwk, jwk.is_private()),
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
                out::stdout(pem.expose())
            } else {
                let pem = jwk.verifying_key(alg).map_err(bad)?.to_spki_pem();
                out::stdout(pem.as_bytes())
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

fn with_kid(jwk: Jwk, kid: Option<&str>) -> Result<Jwk, Failure> {
    match kid {
        Some(kid) => jwk.with_kid(kid).map_err(|e| Failure::usage("--kid", e)),
        None => Ok(jwk),
    }
}
