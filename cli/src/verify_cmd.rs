//! `jose verify`: a JWT's signature and claims checked with a key file or fetched keys; the
//! claims printed.

use clap::{ArgGroup, Args};
use jose_ring::jwt::{self, NumericDate, Validation};

use crate::fail::Failure;
use crate::keys::KeyFile;
use crate::ordered::Json;
use crate::{fetch, input, out};

#[derive(Args)]
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
jwks_uri. With --issuer the document's issuer and the token's iss must equal URL exactly.
The keys decide the algorithms: a fetched key verifies the one its alg names or, if it names
none, each one its kty and crv fit (RSA: RS256 to PS512; EC P-256: ES256; P-384: ES384; OKP
Ed25519: EdDSA, Ed25519), never an HMAC one; --alg narrows that. The discovery document's
id_token_signing_alg_values_supported is about ID tokens and is not used. Fetches are https
only, follow no redirect, need 200 OK, read at most 1 MiB (64 KiB of discovery document) and
must end within --timeout; a token whose kid the set lacks gets the set fetched once more
(the keys may have rotated).

Exit 1 when the token is rejected, 2 when the key or arguments are unusable (a fetch that
fails, a body that is not a JWK Set or a discovery document).")]
#[command(group(ArgGroup::new("keys").required(true).args(["key", "jwks_uri", "issuer"])))]
pub(crate) struct VerifyArgs {
    /// The key file: a JWK, a JWK Set or a PEM key (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    key: Option<String>,
    #[command(flatten)]
    fetch: fetch::FetchArgs,
    /// An allowed algorithm (repeat for several); needed when a key file's key names none;
    /// narrows what fetched keys verify.
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

/// `jose verify`. When no key verifies the token, the keys of the set that were left out
/// are noted: one of them may have been the key meant.
pub(crate) fn run(args: &VerifyArgs) -> Result<(), Failure> {
    let mut notes = Vec::new();
    verify(args, &mut notes).map_err(|failure| failure.noting(notes))
}

/// `jose verify`; `notes` gets the keys of the set left out.
fn verify(args: &VerifyArgs, notes: &mut Vec<String>) -> Result<(), Failure> {
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
    out::println(&verified.claims().pretty())
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
