//! `jose`: decode, verify and sign JWTs and JWSs, and manage JWKs, from a shell. Built on
//! `jose-ring`: every check is the library's, with its defaults.

mod dpop_cmd;
mod fail;
mod fetch;
mod input;
mod key_cmd;
mod keys;
mod ordered;
mod sd_jwt_cmd;
mod time;
mod token_cmd;

use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::fail::Failure;

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

#[derive(Subcommand)]
enum Command {
    /// Show a token's header and payload, WITHOUT verifying anything.
    #[command(after_help = "\
Example:
  jose decode eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.sig...
  pbpaste | jose decode -

Works on compact tokens and on the JWS JSON serializations. NumericDates (exp, nbf, iat,
auth_time) are also shown as UTC times. A token that is not well-formed exits with 1.")]
    Decode(DecodeArgs),
    /// Verify a JWT's signature and claims; print the claims.
    #[command(after_help = "\
Example:
  jose verify --key jwks.json --iss https://auth.example --aud api \"$TOKEN\"
  jose verify --key public.pem --alg ES256 --now 1700000000 - < token.txt
  jose verify --issuer https://auth.example --aud api \"$TOKEN\"
  jose verify --jwks-uri https://auth.example/jwks.json --iss https://auth.example \"$TOKEN\"

The key file is a JWK, a JWK Set or a PEM key. --alg names the allowed algorithms and is
needed unless the keys name their own (`alg`); a PEM key always needs it. exp is required
(unless --no-exp), leeway is 0, and a token with an aud is rejected unless --aud names one
of its audiences. The header typ must be absent or JWT unless --typ says otherwise.

Instead of a file, the keys can be fetched: --jwks-uri names a JWK Set, --issuer an issuer
whose discovery document (OpenID Connect, or RFC 8414 with --discovery oauth) names its
jwks_uri and algorithms (--alg replaces them). With --issuer the document's issuer and the
token's iss must equal URL exactly. Fetches are https only, follow no redirect, need 200 OK,
read at most 1 MiB (64 KiB of discovery document) and must end within --timeout; a token
whose kid the set lacks gets the set fetched once more (the keys may have rotated).

Exit 1 when the token is rejected, 2 when the key or arguments are unusable (a fetch that
fails, a body that is not a JWK Set or a discovery document).")]
    Verify(VerifyArgs),
    /// Sign claims (a JSON object) into a compact JWT.
    #[command(after_help = "\
Example:
  echo '{\"sub\":\"ada\",\"aud\":\"api\"}' | jose sign --key key.jwk --alg ES256 --exp-in 900 --iat -

The header is {\"alg\":..,\"typ\":\"JWT\"} plus the key's kid; --typ, --kid and --header add to it.")]
    Sign(SignArgs),
    /// Sign and verify any payload as a JWS (compact or JSON serialization).
    #[command(subcommand)]
    Jws(JwsCommand),
    /// Generate, convert and fingerprint keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Work with JWK Sets.
    #[command(subcommand)]
    Jwks(JwksCommand),
    /// Make and check DPoP proofs (RFC 9449).
    #[command(subcommand)]
    Dpop(dpop_cmd::DpopCommand),
    /// Issue, present and verify SD-JWTs (RFC 9901) with key binding.
    #[command(subcommand, name = "sd-jwt")]
    SdJwt(sd_jwt_cmd::SdJwtCommand),
}

#[derive(Args)]
struct DecodeArgs {
    /// The token (compact or JSON serialization), or `-` for stdin.
    token: String,
}

#[derive(Args)]
#[command(group(ArgGroup::new("keys").required(true).args(["key", "jwks_uri", "issuer"])))]
pub(crate) struct VerifyArgs {
    /// The key file: a JWK, a JWK Set or a PEM key (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    key: Option<String>,
    #[command(flatten)]
    fetch: fetch::FetchArgs,
    /// An allowed algorithm (repeat for several); needed when the key names none.
    #[arg(long = "alg", value_name = "ALG")]
    algs: Vec<String>,
    /// An accepted issuer (repeat for several); makes iss required.
    #[arg(long = "iss", value_name = "ISS")]
    issuers: Vec<String>,
    /// An accepted audience (repeat for several); makes aud required.
    #[arg(long = "aud", value_name = "AUD")]
    audiences: Vec<String>,
    /// The required header typ (compared as RFC 7515 §4.1.9 says), e.g. at+jwt.
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// Seconds of clock skew allowed on exp, nbf and iat.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    leeway: u64,
    /// Check the times as of this instant (seconds since 1970) instead of the system clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Accept a token without exp (a present exp is still checked).
    #[arg(long)]
    no_exp: bool,
    /// The token, or `-` for stdin.
    token: String,
}

#[derive(Args)]
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
    Sign(JwsSignArgs),
    /// Verify a JWS and print its payload bytes exactly.
    #[command(after_help = "\
Example:
  jose jws verify --key public.jwk document.jws > document.pdf
  jose jws verify --key public.jwk --payload body.json \"$DETACHED_JWS\"
  jose jws verify --key jwks.json --policy any - < signed.json

A JWS JSON serialization (general or flattened) is recognised by its leading `{`.

Exit 1 when the JWS is rejected, 2 when the key or arguments are unusable.")]
    Verify(JwsVerifyArgs),
}

#[derive(Args)]
pub(crate) struct JwsSignArgs {
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
pub(crate) struct JwsVerifyArgs {
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
    Generate {
        /// The algorithm the key is for.
        #[arg(long, value_name = "ALG")]
        alg: String,
        /// The key ID.
        #[arg(long, value_name = "KID")]
        kid: Option<String>,
    },
    /// Print the public JWK of a private key.
    #[command(after_help = "\
Example:
  jose key public private.jwk
  jose key public rsa.pem")]
    Public {
        /// The key file: a JWK or a PEM key (`-` for stdin).
        file: String,
    },
    /// Print a key's RFC 7638 thumbprint (or RFC 9278 thumbprint URI).
    #[command(after_help = "\
Example:
  jose key thumbprint public.jwk
  jose key thumbprint --hash sha512 --uri rsa.pem")]
    Thumbprint {
        /// The key file: a JWK or a PEM key (`-` for stdin).
        file: String,
        /// The hash.
        #[arg(long, value_enum, default_value_t = Hash::Sha256)]
        hash: Hash,
        /// Print the thumbprint URI (urn:ietf:params:oauth:jwk-thumbprint:...).
        #[arg(long)]
        uri: bool,
    },
    /// Convert a key between PEM (PKCS#8, SPKI, PKCS#1, SEC1 in; PKCS#8 or SPKI out) and JWK.
    #[command(after_help = "\
Example:
  jose key convert rsa.pem --to jwk --kid rsa-1 > rsa.jwk
  jose key convert private.jwk --to pem > private.pem

A private key stays private: the output holds the secret. A JWK made from a PEM key has no
alg unless --alg is given.")]
    Convert {
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
    },
}

#[derive(Subcommand)]
pub(crate) enum JwksCommand {
    /// Print the key a token with this kid would be verified with, or say why there is none.
    #[command(after_help = "\
Example:
  curl -s https://auth.example/.well-known/jwks.json | jose jwks select - --kid 2026-11

With --alg, only keys for those algorithms count (as `jose verify --alg` would use them).
Exit 1 when no key, or more than one, would be used.")]
    Select {
        /// The JWK Set file (`-` for stdin).
        file: String,
        /// The token's kid.
        #[arg(long, value_name = "KID")]
        kid: String,
        /// An allowed algorithm (repeat for several); default: every algorithm.
        #[arg(long = "alg", value_name = "ALG")]
        algs: Vec<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Policy {
    /// Every signature verifies with a key of the key file.
    All,
    /// At least one does (the others are listed on stderr).
    Any,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Jwk,
    Pem,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut notes = Vec::new();
    let result = match cli.command {
        Command::Decode(args) => token_cmd::decode(&args.token),
        Command::Verify(args) => token_cmd::verify(&args, &mut notes),
        Command::Sign(args) => token_cmd::sign(&args),
        Command::Jws(JwsCommand::Sign(args)) => token_cmd::jws_sign(&args),
        Command::Jws(JwsCommand::Verify(args)) => token_cmd::jws_verify(&args, &mut notes),
        Command::Key(command) => key_cmd::key(command),
        Command::Jwks(command) => key_cmd::jwks(command),
        Command::Dpop(command) => dpop_cmd::dpop(command),
        Command::SdJwt(command) => sd_jwt_cmd::run(&command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !matches!(failure, Failure::Rejected(jose_ring::Error::NoKey(_))) {
                notes.clear();
            }
            failure.report(&notes)
        }
    }
}
