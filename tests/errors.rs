//! Error messages, pinned: what users log must not change by accident, and must never carry
//! token, claim or key bytes.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use jose_ring::ClaimError;
use jose_ring::jwt::NumericDate;
use jose_ring::{
    CritProblem, Dpop, Error, JsonProblem, KeyRejected, KeySetError, Malformed, Misuse, NoKey,
    UnencodedProblem, Unsupported,
};

#[test]
fn display_texts() {
    let json = |problem| {
        Error::Malformed(Malformed::Json {
            part: "header",
            problem,
        })
    };
    let table: Vec<(Error, &str)> = vec![
        (
            Malformed::Segments.into(),
            "malformed input: compact serialization needs exactly three segments",
        ),
        (
            Malformed::Character.into(),
            "malformed input: compact serialization holds a byte outside base64url",
        ),
        (
            Malformed::Base64("signature").into(),
            "malformed input: signature is not canonical unpadded base64url",
        ),
        (
            json(JsonProblem::Syntax { line: 1, column: 7 }),
            "malformed input: header: invalid JSON at line 1 column 7",
        ),
        (
            json(JsonProblem::NotObject),
            "malformed input: header: top level is not a JSON object",
        ),
        (
            json(JsonProblem::DuplicateMember),
            "malformed input: header: duplicate member name",
        ),
        (
            json(JsonProblem::TooDeep),
            "malformed input: header: JSON nested too deeply",
        ),
        (
            json(JsonProblem::TrailingCharacters),
            "malformed input: header: trailing characters after the JSON value",
        ),
        (
            json(JsonProblem::MissingField("sub")),
            "malformed input: header: missing member `sub`",
        ),
        (
            json(JsonProblem::InvalidType {
                expected: "a string".into(),
                found: "integer",
            }),
            "malformed input: header: invalid type: found integer, expected a string",
        ),
        (
            json(JsonProblem::InvalidValue),
            "malformed input: header: a value does not fit the expected type",
        ),
        (
            Malformed::NotDetached.into(),
            "malformed input: detached content needs an empty payload segment",
        ),
        (
            Malformed::MissingMember("alg").into(),
            "malformed input: member `alg` is missing",
        ),
        (
            Malformed::InvalidMember("kid").into(),
            "malformed input: member `kid` has an invalid value",
        ),
        (
            Malformed::Crit(CritProblem::Malformed).into(),
            "malformed input: crit: not a non-empty array of unique names",
        ),
        (
            Malformed::Crit(CritProblem::Unknown).into(),
            "malformed input: crit: names an extension that is not understood",
        ),
        (
            Malformed::Crit(CritProblem::Registered).into(),
            "malformed input: crit: names a header parameter the specification defines",
        ),
        (
            Malformed::Crit(CritProblem::Absent).into(),
            "malformed input: crit: names a parameter absent from the protected header",
        ),
        (
            Malformed::Crit(CritProblem::Unprotected).into(),
            "malformed input: crit: is not in the protected header",
        ),
        (
            Malformed::Unencoded(UnencodedProblem::NotCritical).into(),
            "malformed input: b64: present but not listed in crit",
        ),
        (
            Malformed::Unencoded(UnencodedProblem::Malformed).into(),
            "malformed input: b64: not a boolean in the protected header",
        ),
        (
            Malformed::Unencoded(UnencodedProblem::PayloadCharacters).into(),
            "malformed input: b64: an unencoded payload in compact form must be text without '.'",
        ),
        (
            Malformed::Unencoded(UnencodedProblem::Inconsistent).into(),
            "malformed input: b64: signatures disagree on b64",
        ),
        (
            Malformed::Unencoded(UnencodedProblem::NotText).into(),
            "malformed input: b64: an unencoded payload in JSON form must be UTF-8 text",
        ),
        (
            Malformed::Serialization.into(),
            "malformed input: not a JWS JSON serialization: needs `signatures` (general) or \
             `signature` (flattened), not both",
        ),
        (
            Malformed::HeaderOverlap.into(),
            "malformed input: a header parameter is in both the protected and unprotected header",
        ),
        (
            Malformed::Unprotected("alg").into(),
            "malformed input: header parameter `alg` is not integrity protected",
        ),
        (
            Malformed::Unrepresentable(jose_ring::jws::Serialization::Compact).into(),
            "malformed input: the compact serialization cannot hold this JWS",
        ),
        (
            Malformed::Unrepresentable(jose_ring::jws::Serialization::Flattened).into(),
            "malformed input: the flattened JSON serialization cannot hold this JWS",
        ),
        (
            Error::TooLarge {
                what: "number of signatures",
                limit: 16,
            },
            "number of signatures is larger than the limit of 16",
        ),
        (
            Unsupported::None.into(),
            "unsupported: unsecured JWS (alg none) is never accepted",
        ),
        (
            Unsupported::Algorithm("ES512").into(),
            "unsupported: algorithm ES512 is not implemented by ring",
        ),
        (
            Unsupported::UnknownAlgorithm.into(),
            "unsupported: unknown algorithm",
        ),
        (
            Unsupported::Curve("P-521").into(),
            "unsupported: curve P-521 is not implemented by ring",
        ),
        (Unsupported::KeyType.into(), "unsupported: unknown key type"),
        (
            Unsupported::UnknownCurve.into(),
            "unsupported: unknown curve",
        ),
        (
            Unsupported::RsaKeyShape.into(),
            "unsupported: RSA private keys need exactly two primes and their CRT parameters",
        ),
        (
            Unsupported::RsaKeyGeneration.into(),
            "unsupported: ring cannot generate RSA keys",
        ),
        (
            Error::AlgorithmMismatch { expected: "RS256" },
            "token alg does not match the key's algorithm RS256",
        ),
        (
            NoKey::UnknownKid.into(),
            "no key for this token: unknown kid",
        ),
        (
            NoKey::Algorithm.into(),
            "no key for this token: no key for this alg",
        ),
        (
            NoKey::Ambiguous.into(),
            "no key for this token: ambiguous: several keys fit and the token does not tell them apart",
        ),
        (
            NoKey::UnknownIssuer.into(),
            "no key for this token: iss names no known issuer",
        ),
        (Error::InvalidSignature, "invalid signature"),
        (
            KeyRejected::HmacTooShort { min: 32 }.into(),
            "key rejected: HMAC secret shorter than 32 bytes",
        ),
        (
            KeyRejected::RsaModulusSize { bits: 2044 }.into(),
            "key rejected: RSA modulus of 2044 bits is outside 2048..=8192",
        ),
        (
            KeyRejected::RsaExponent.into(),
            "key rejected: RSA public exponent is not accepted",
        ),
        (
            KeyRejected::WrongAlgorithm { expected: "ES256" }.into(),
            "key rejected: key does not fit algorithm ES256",
        ),
        (
            KeyRejected::Encrypted.into(),
            "key rejected: private key is encrypted; decrypt it first",
        ),
        (
            KeyRejected::Pem.into(),
            "key rejected: not a PEM document of the expected kind",
        ),
        (
            KeyRejected::Der.into(),
            "key rejected: not valid DER of the expected structure",
        ),
        (
            KeyRejected::InvalidComponent("n").into(),
            "key rejected: key component `n` is invalid",
        ),
        (
            KeyRejected::Inconsistent.into(),
            "key rejected: private and public parts do not match",
        ),
        (
            KeyRejected::Usage.into(),
            "key rejected: key use or key_ops does not allow this operation",
        ),
        (
            KeyRejected::Rng.into(),
            "key rejected: random number generator failed",
        ),
        (
            KeyRejected::Symmetric.into(),
            "key rejected: a symmetric key has no public form",
        ),
        (
            Error::TooLarge {
                what: "token",
                limit: 65536,
            },
            "token is larger than the limit of 65536",
        ),
        (Error::SigningFailed, "signing failed"),
        (
            ClaimError::Expired {
                now: NumericDate::from_seconds(20),
                exp: NumericDate::from_seconds(10),
            }
            .into(),
            "jwt rejected: expired at 10 (now 20)",
        ),
        (
            ClaimError::NotYetValid {
                now: NumericDate::from_seconds(10),
                nbf: NumericDate::from_seconds(20),
            }
            .into(),
            "jwt rejected: not valid before 20 (now 10)",
        ),
        (
            ClaimError::IssuedInFuture {
                now: NumericDate::from_seconds(10),
                iat: NumericDate::from_seconds(20),
            }
            .into(),
            "jwt rejected: issued in the future at 20 (now 10)",
        ),
        (
            ClaimError::TooOld {
                now: NumericDate::from_seconds(100),
                iat: NumericDate::from_seconds(10),
            }
            .into(),
            "jwt rejected: issued at 10, older than the maximum age (now 100)",
        ),
        (
            ClaimError::Missing("iss".into()).into(),
            "jwt rejected: claim `iss` is missing",
        ),
        (
            ClaimError::Missing("tenant".into()).into(),
            "jwt rejected: claim `tenant` is missing",
        ),
        (
            ClaimError::InvalidType("exp").into(),
            "jwt rejected: claim `exp` has the wrong JSON type",
        ),
        (
            ClaimError::InvalidIssuer.into(),
            "jwt rejected: iss is not an expected issuer",
        ),
        (
            ClaimError::InvalidAudience.into(),
            "jwt rejected: aud holds no expected audience",
        ),
        (
            ClaimError::UnexpectedAudience.into(),
            "jwt rejected: aud is present but no audience is expected",
        ),
        (
            ClaimError::InvalidSubject.into(),
            "jwt rejected: sub is not the expected subject",
        ),
        (
            ClaimError::InvalidTyp.into(),
            "jwt rejected: header typ is not the expected token type",
        ),
        (
            ClaimError::MissingScope("write:users".into()).into(),
            "jwt rejected: scope `write:users` is missing",
        ),
        (
            ClaimError::MissingRole("admin".into()).into(),
            "jwt rejected: role `admin` is missing",
        ),
        (ClaimError::Revoked.into(), "jwt rejected: token is revoked"),
        (
            Misuse::Unserializable("header member").into(),
            "misuse: cannot write the header member as JSON",
        ),
        (
            Misuse::OwnMethod("typ").into(),
            "misuse: header member `typ` is set with its own method",
        ),
        (
            Misuse::NoSignatory.into(),
            "misuse: signing needs at least one signatory",
        ),
        (
            KeySetError::NotFetched.into(),
            "key set: no key set has been fetched yet",
        ),
        (
            KeySetError::Stale {
                age: 7200,
                max: 4200,
            }
            .into(),
            "key set: the last good key set is 7200 s old, beyond the maximum staleness of 4200 s",
        ),
        (
            KeySetError::FetchFailed.into(),
            "key set: fetching the key set failed",
        ),
        (
            KeySetError::Status(503).into(),
            "key set: the key set endpoint answered HTTP 503",
        ),
        (
            KeySetError::StaleFetch.into(),
            "key set: a fetch the cache no longer waits for was ignored",
        ),
        (
            KeySetError::IssuerMismatch.into(),
            "key set: issuer is not the issuer expected",
        ),
        (
            KeySetError::InsecureUri("jwks_uri").into(),
            "key set: jwks_uri is not an https URI this policy allows",
        ),
        (
            Misuse::NoTime.into(),
            "misuse: no clock without std: set the time explicitly",
        ),
        (
            Misuse::DpopNonce.into(),
            "misuse: a DPoP nonce must be visible ASCII without quotes or backslashes",
        ),
        (
            ClaimError::ProofRequired.into(),
            "jwt rejected: token is bound to a key (cnf.jkt) and no DPoP proof was checked",
        ),
        (
            ClaimError::ProofKeyMismatch.into(),
            "jwt rejected: cnf.jkt is not the thumbprint of the DPoP proof's key",
        ),
        (
            Dpop::NoProof.into(),
            "dpop proof rejected: the request has no DPoP header",
        ),
        (
            Dpop::SeveralProofs.into(),
            "dpop proof rejected: the request has more than one DPoP header",
        ),
        (
            Dpop::InvalidTyp.into(),
            "dpop proof rejected: header typ is not dpop+jwt",
        ),
        (
            Dpop::SymmetricAlgorithm.into(),
            "dpop proof rejected: alg is symmetric; a proof needs a key pair",
        ),
        (
            Dpop::AlgorithmNotAllowed.into(),
            "dpop proof rejected: alg is not an accepted algorithm",
        ),
        (
            Dpop::MissingJwk.into(),
            "dpop proof rejected: header has no jwk",
        ),
        (
            Dpop::PrivateJwk.into(),
            "dpop proof rejected: header jwk holds private key members",
        ),
        (
            Dpop::MissingClaim("jti").into(),
            "dpop proof rejected: claim `jti` is missing",
        ),
        (
            Dpop::InvalidClaim("htu").into(),
            "dpop proof rejected: claim `htu` has an invalid value",
        ),
        (
            Dpop::HtmMismatch.into(),
            "dpop proof rejected: htm is not the request method",
        ),
        (
            Dpop::HtuMismatch.into(),
            "dpop proof rejected: htu is not the request URI",
        ),
        (
            Dpop::InvalidUri.into(),
            "dpop proof rejected: not an absolute http or https URI",
        ),
        (
            Dpop::IssuedInFuture {
                now: NumericDate::from_seconds(100),
                iat: NumericDate::from_seconds(200),
            }
            .into(),
            "dpop proof rejected: issued in the future at 200 (now 100)",
        ),
        (
            Dpop::TooOld {
                now: NumericDate::from_seconds(200),
                iat: NumericDate::from_seconds(100),
            }
            .into(),
            "dpop proof rejected: issued at 100, older than the maximum age (now 200)",
        ),
        (
            Dpop::MissingNonce.into(),
            "dpop proof rejected: the server requires a nonce and the proof has none",
        ),
        (
            Dpop::NonceMismatch.into(),
            "dpop proof rejected: nonce is not one the server accepts",
        ),
        (
            Dpop::MissingAth.into(),
            "dpop proof rejected: an access token came and the proof has no ath",
        ),
        (
            Dpop::AthMismatch.into(),
            "dpop proof rejected: ath is not the hash of the access token",
        ),
        (
            Dpop::Replayed.into(),
            "dpop proof rejected: the proof was seen before (replay)",
        ),
    ];
    for (error, text) in &table {
        assert_eq!(error.to_string(), *text, "{error:?}");
        assert_eq!(
            text.chars().next().unwrap().to_lowercase().to_string(),
            text[..1].to_string()
        );
    }
}

#[test]
fn messages_never_carry_input_bytes() {
    use common::{b64, forge, hs256_key};
    let marker = "SECRETMARKER";
    let payload = b64(format!(r#"{{"sub":"{marker}"}}"#).as_bytes());
    let headers = [
        format!(r#"{{"alg":"{marker}"}}"#),
        format!(r#"{{"alg":"HS256","kid":{{"{marker}":1}}}}"#),
        format!(r#"{{"alg":"HS256","{marker}":1,"{marker}":2}}"#),
        format!(r#"{{"alg":"HS256","crit":["{marker}"],"{marker}":1}}"#),
        format!(r#"{{"alg":"HS256","kid":"{marker}"}} {marker}"#),
        format!(r#"{{"alg":"HS256","typ":{marker}}}"#),
    ];
    let key = hs256_key().with_kid("k");
    for header in &headers {
        let token = forge(header, &payload);
        let error = jose_ring::jws::verify(&token, &key).unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains(marker), "{text}");
    }
}

#[test]
fn error_size_is_pinned() {
    // `Result<_, Error>` is returned on every hot path: a change of size must be deliberate.
    // The largest variant is `Malformed::Json` (a part name and `JsonProblem::InvalidType`).
    if cfg!(target_pointer_width = "64") {
        assert_eq!(std::mem::size_of::<Error>(), 56);
    }
}

#[test]
fn claim_errors_never_carry_claim_bytes() {
    use common::{b64, forge, hs256_key};
    use jose_ring::jwt::Validation;
    let marker = "SECRETMARKER";
    let rules = Validation::new(NumericDate::from_seconds(100))
        .with_issuer("i")
        .with_audience("a")
        .with_subject("s")
        .with_scope("x")
        .with_role("r")
        .with_required("t");
    let payloads = [
        format!(r#"{{"exp":200,"iss":"{marker}"}}"#),
        format!(r#"{{"exp":200,"iss":"i","aud":"{marker}"}}"#),
        format!(r#"{{"exp":200,"iss":"i","aud":"a","sub":"{marker}"}}"#),
        format!(r#"{{"exp":200,"iss":"i","aud":"a","sub":"s","scope":"{marker}"}}"#),
        format!(r#"{{"exp":"{marker}"}}"#),
        format!(r#"{{"exp":200,"{marker}":1,"{marker}":2}}"#),
        format!(r#"{{"exp":200,"iss":"i","aud":"a","sub":"s","scope":"x","roles":["{marker}"]}}"#),
    ];
    for payload in &payloads {
        let token = forge(r#"{"alg":"HS256"}"#, &b64(payload.as_bytes()));
        let error =
            jose_ring::jwt::decode::<serde::de::IgnoredAny, _>(&token, &hs256_key(), &rules)
                .unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains(marker), "{text}");
    }
    let token = forge(
        &format!(r#"{{"alg":"HS256","typ":"{marker}"}}"#),
        &b64(b"{}"),
    );
    let error = jose_ring::jwt::decode::<serde::de::IgnoredAny, _>(&token, &hs256_key(), &rules)
        .unwrap_err();
    assert!(!format!("{error} {error:?}").contains(marker));
}
