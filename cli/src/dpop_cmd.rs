//! `jose dpop proof` and `jose dpop verify`: DPoP proofs (RFC 9449) from a shell, every check
//! the library's (`jose_ring::dpop`).

use clap::{Args, Subcommand};
use jose_ring::dpop;
use jose_ring::jwa::Algorithm;
use jose_ring::jwt::NumericDate;
use serde::Serialize;

use crate::fail::Failure;
use crate::keys::{self, KeyFile};
use crate::{input, out};

/// `jose dpop ...`.
#[derive(Subcommand)]
pub(crate) enum DpopCommand {
    /// Make a DPoP proof for one HTTP request (RFC 9449 §4.2) and print it.
    #[command(after_help = "\
Example:
  jose key generate --alg ES256 > client.jwk
  jose dpop proof --key client.jwk --htm POST --htu https://as.example/token
  jose dpop proof --key client.jwk --htm GET --htu https://rs.example/data --access-token at.txt

The proof's header carries the key's public JWK (never a private member); its claims are a
random jti, htm, htu (without query and fragment), iat (now, or --now), and ath (the hash of
the access token) and nonce when given. The key is a private JWK or PEM key of ES256, ES384,
Ed25519, EdDSA, PS* or RS*; --alg is needed when the key names no algorithm.")]
    Proof(ProofArgs),
    /// Check a DPoP proof against the request it came with (RFC 9449 §4.3).
    #[command(after_help = "\
Example:
  jose dpop verify --htm GET --htu https://rs.example/data?page=2 --access-token at.txt \"$DPOP\"

--htu is the request URI as the server received it: its query and fragment are ignored, and
both it and the proof's htu are normalised (scheme and host case, default port,
percent-encoding). iat may be --max-age seconds old (default 60) and not in the future
(--leeway widens both sides). With --access-token the proof must carry its ath; with --nonce
(repeat for several), one of those nonces. Prints {\"jkt\":..,\"jti\":..,\"iat\":..}: keep the
jti for the proof's window to refuse replays. Exit 1 when the proof is rejected, 2 when the
arguments are unusable.")]
    Verify(VerifyArgs),
}

#[derive(Args)]
pub(crate) struct ProofArgs {
    /// The client's private key: a JWK or a PEM private key (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    key: String,
    /// The algorithm; may be left out when the JWK names its own.
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// The request method (`htm`), e.g. GET or POST.
    #[arg(long, value_name = "METHOD")]
    htm: String,
    /// The request URI (`htu`); its query and fragment are left out of the proof.
    #[arg(long, value_name = "URI")]
    htu: String,
    /// A file holding the access token the request carries (`-` for stdin): sets ath.
    #[arg(long, value_name = "FILE")]
    access_token: Option<String>,
    /// The server's nonce (the last DPoP-Nonce it sent).
    #[arg(long, value_name = "NONCE")]
    nonce: Option<String>,
    /// Use this instant (seconds since 1970) as iat instead of the system clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The request method, compared exactly with the proof's htm.
    #[arg(long, value_name = "METHOD")]
    htm: String,
    /// The request URI as the server received it.
    #[arg(long, value_name = "URI")]
    htu: String,
    /// A file holding the access token that came with the proof (`-` for stdin): ath must
    /// be its hash.
    #[arg(long, value_name = "FILE")]
    access_token: Option<String>,
    /// A nonce the server accepts (repeat for several); makes nonce required.
    #[arg(long = "nonce", value_name = "NONCE")]
    nonces: Vec<String>,
    /// An accepted algorithm (repeat for several); default: every asymmetric one.
    #[arg(long = "alg", value_name = "ALG")]
    algs: Vec<String>,
    /// Check iat as of this instant (seconds since 1970) instead of the system clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The oldest proof accepted, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = dpop::DEFAULT_MAX_AGE)]
    max_age: u64,
    /// Seconds of clock skew allowed on iat, both ways.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    leeway: u64,
    /// The proof (the DPoP header's value), or `-` for stdin.
    proof: String,
}

/// `jose dpop ...`.
pub(crate) fn run(command: &DpopCommand) -> Result<(), Failure> {
    match command {
        DpopCommand::Proof(args) => proof(args),
        DpopCommand::Verify(args) => verify(args),
    }
}

/// What `jose dpop verify` prints: what a replay store and a token binding need.
#[derive(Serialize)]
struct Checked<'a> {
    jkt: &'a str,
    jti: &'a str,
    iat: i64,
}

fn proof(args: &ProofArgs) -> Result<(), Failure> {
    let token_file = args.access_token.as_deref().unwrap_or_default();
    input::one_stdin(&[&args.key, token_file])?;
    let alg = args.alg.as_deref().map(input::algorithm).transpose()?;
    let jwk = KeyFile::load(&args.key)?.into_jwk(None)?;
    let alg = match (alg, jwk.alg()) {
        (Some(alg), _) => alg,
        (None, Some(name)) => input::algorithm(name)?,
        (None, None) => {
            return Err(Failure::Usage(
                "--alg is needed: the key does not name its algorithm".into(),
            ));
        }
    };
    if alg.is_symmetric() {
        return Err(symmetric(alg));
    }
    if !jwk.is_private() {
        return Err(Failure::Usage(
            "key file: a public key cannot sign (give the private key)".into(),
        ));
    }
    let key = jwk
        .signing_key(alg)
        .map_err(|e| Failure::Usage(format!("key file: a {} key: {e}", keys::describe(&jwk))))?;
    dpop::normalize_htu(&args.htu).map_err(|e| Failure::usage("--htu", e))?;
    let access_token = args.access_token.as_deref().map(access_token).transpose()?;
    let mut builder = dpop::ProofBuilder::new(&key, &args.htm, &args.htu);
    if let Some(now) = args.now {
        builder = builder.with_iat(NumericDate::from_seconds(now));
    }
    if let Some(token) = &access_token {
        builder = builder.with_access_token(token);
    }
    if let Some(nonce) = &args.nonce {
        builder = builder.with_nonce(nonce);
    }
    let proof = builder
        .build()
        .map_err(|e| Failure::signing("cannot make the proof", e))?;
    out::println(&proof)
}

fn verify(args: &VerifyArgs) -> Result<(), Failure> {
    let token_file = args.access_token.as_deref().unwrap_or_default();
    input::one_stdin(&[&args.proof, token_file])?;
    let algs = input::algorithms(&args.algs)?;
    if let Some(alg) = algs.iter().find(|alg| alg.is_symmetric()) {
        return Err(symmetric(alg));
    }
    // The rules would refuse every proof for an unusable URI: say it is the argument.
    dpop::normalize_htu(&args.htu).map_err(|e| Failure::usage("--htu", e))?;
    let access_token = args.access_token.as_deref().map(access_token).transpose()?;
    let proof = input::token(&args.proof)?;
    let now = args
        .now
        .map_or_else(NumericDate::now, NumericDate::from_seconds);
    let mut rules = dpop::ProofValidation::new(&args.htm, &args.htu, now)
        .with_max_age(args.max_age)
        .with_leeway(args.leeway);
    if !algs.is_empty() {
        rules = rules.with_algorithms(&algs);
    }
    if let Some(token) = &access_token {
        rules = rules.with_access_token(token);
    }
    for nonce in &args.nonces {
        rules = rules.with_nonce(nonce.as_str());
    }
    let verified = dpop::verify(&proof, &rules)?;
    out::print_json(&Checked {
        jkt: verified.jkt(),
        jti: verified.jti(),
        iat: verified.iat().as_seconds(),
    })
}

/// The failure for an HMAC algorithm given where a proof's algorithm goes.
fn symmetric(alg: &Algorithm) -> Failure {
    Failure::Usage(format!(
        "--alg {}: a DPoP proof is signed with a key pair, never a shared secret",
        alg.name()
    ))
}

/// The access token in `path` (`-` for stdin), without surrounding whitespace.
fn access_token(path: &str) -> Result<String, Failure> {
    let name = if path == "-" { "stdin" } else { path };
    let bytes = input::read(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::Usage(format!("access token {name}: not UTF-8 text")))?
        .trim();
    if text.is_empty() {
        return Err(Failure::Usage(format!("access token {name}: empty")));
    }
    Ok(text.to_owned())
}
