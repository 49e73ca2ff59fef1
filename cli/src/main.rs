//! `jose`: decode, verify and sign JWTs and JWSs, and manage JWKs, from a shell. Built on
//! `jose-ring`: every check is the library's, with its defaults.

mod decode_cmd;
mod dpop_cmd;
mod fail;
mod fetch;
mod input;
mod jwks_cmd;
mod jws_cmd;
mod key_cmd;
mod keys;
mod ordered;
mod out;
mod sd_jwt_cmd;
mod sign_cmd;
mod time;
mod verify_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the token or JWS was rejected: malformed, bad signature, no key for its kid or alg,
     a claim that fails validation (expired, wrong audience, ...); or nothing matched
     (jwks select). The library's error is printed on stderr as `error: <message>`.
  2  the input you gave is unusable: bad arguments, an unreadable file, a key file that is
     not a usable key (not a JWK, JWK Set or PEM key; encrypted; wrong type for --alg),
     claims or a header that are not a JSON object, keys that cannot be fetched (verify
     --jwks-uri/--issuer: no answer, not 200 OK, too large, not a JWK Set or discovery
     document).

Nothing secret is printed unless asked for (`key generate`, `key convert` of a private key).
`-` reads stdin wherever a file or a token goes.";

/// JOSE from the command line: look inside a token, check it against a key or a JWKS, mint a
/// test token, and manage keys.
#[derive(Parser)]
#[command(name = "jose", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands; each module `*_cmd` owns its arguments, their help and what runs.
#[derive(Subcommand)]
enum Command {
    /// Show a token's header and payload, WITHOUT verifying anything.
    Decode(decode_cmd::DecodeArgs),
    /// Verify a JWT's signature and claims; print the claims.
    Verify(verify_cmd::VerifyArgs),
    /// Sign claims (a JSON object) into a compact JWT.
    Sign(sign_cmd::SignArgs),
    /// Sign and verify any payload as a JWS (compact or JSON serialization).
    #[command(subcommand)]
    Jws(jws_cmd::JwsCommand),
    /// Generate, convert and fingerprint keys.
    #[command(subcommand)]
    Key(key_cmd::KeyCommand),
    /// Work with JWK Sets.
    #[command(subcommand)]
    Jwks(jwks_cmd::JwksCommand),
    /// Make and check DPoP proofs (RFC 9449).
    #[command(subcommand)]
    Dpop(dpop_cmd::DpopCommand),
    /// Issue, present and verify SD-JWTs (RFC 9901) with key binding.
    #[command(subcommand, name = "sd-jwt")]
    SdJwt(sd_jwt_cmd::SdJwtCommand),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Decode(args) => decode_cmd::run(&args),
        Command::Verify(args) => verify_cmd::run(&args),
        Command::Sign(args) => sign_cmd::run(&args),
        Command::Jws(command) => jws_cmd::run(&command),
        Command::Key(command) => key_cmd::run(&command),
        Command::Jwks(command) => jwks_cmd::run(&command),
        Command::Dpop(command) => dpop_cmd::run(&command),
        Command::SdJwt(command) => sd_jwt_cmd::run(&command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => out::failure(&failure),
    }
}
