//! Several issuers, never confused: a token verifies only with the keys of the issuer it
//! names, and only as that issuer.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]

#[cfg(feature = "std")]
use jose_ring::KeySetError;
use jose_ring::jwk::KeyRing;
#[cfg(feature = "std")]
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwks::Issuers;
#[cfg(feature = "std")]
use jose_ring::jwks::{Request, Response, SharedKeySet};
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{ClaimError, Error, HmacKey, JsonProblem, Malformed, NoKey, SigningKey, jwa, jws};

const A: &str = "https://a.example";
const B: &str = "https://b.example";

fn now() -> NumericDate {
    NumericDate::from_seconds(1_700_000_000)
}

fn claims(iss: &str) -> RegisteredClaims {
    RegisteredClaims::new()
        .with_issuer(iss)
        .with_audience("api")
        .with_lifetime(now(), 300)
}

fn rules() -> Validation {
    Validation::new(now()).with_audience("api")
}

struct Tenants {
    a: SigningKey,
    b: SigningKey,
    issuers: Issuers<KeyRing>,
}

/// Two issuers whose keys share the `kid` "k", and B has a second key "kb".
fn tenants() -> Tenants {
    let a = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k");
    let b = SigningKey::generate(&jwa::ES256).unwrap().with_kid("k");
    let b2 = SigningKey::generate(&jwa::ES256).unwrap().with_kid("kb");
    let issuers = Issuers::new()
        .with_issuer(
            A,
            KeyRing::new().with_verifying_key(a.verifying_key()),
            rules(),
        )
        .with_issuer(
            B,
            KeyRing::new()
                .with_verifying_key(b.verifying_key())
                .with_verifying_key(b2.verifying_key()),
            // Rules that name another issuer are made to require B alone.
            rules().with_issuer(A),
        );
    Tenants { a, b, issuers }
}

fn decode(issuers: &Issuers<KeyRing>, token: &str) -> Result<String, Error> {
    issuers
        .decode::<RegisteredClaims>(token)
        .map(|v| v.claims().iss.clone().unwrap())
}

#[test]
fn each_issuer_with_its_own_keys() {
    let t = tenants();
    assert_eq!(t.issuers.len(), 2);
    assert!(!t.issuers.is_empty());
    let from_a = jwt::encode(&claims(A), &t.a).unwrap();
    let from_b = jwt::encode(&claims(B), &t.b).unwrap();
    assert_eq!(decode(&t.issuers, &from_a), Ok(A.into()));
    assert_eq!(decode(&t.issuers, &from_b), Ok(B.into()));
}

#[test]
fn a_token_naming_a_signed_by_b_fails() {
    let t = tenants();
    // Same kid in both sets: A's key is tried, and it is not B's.
    let same_kid = jwt::encode(&claims(A), &t.b).unwrap();
    assert_eq!(decode(&t.issuers, &same_kid), Err(Error::InvalidSignature));
    // A kid only B has: unknown to A.
    let b_only = SigningKey::generate(&jwa::ES256).unwrap().with_kid("kb");
    let token = jwt::encode(&claims(A), &b_only).unwrap();
    assert_eq!(decode(&t.issuers, &token), Err(NoKey::UnknownKid.into()));
    // No kid at all: A's only ES256 key is tried, and fails.
    let anonymous = SigningKey::generate(&jwa::ES256).unwrap();
    let token = jwt::encode(&claims(A), &anonymous).unwrap();
    assert_eq!(decode(&t.issuers, &token), Err(Error::InvalidSignature));
    // A shared secret never stands in for A's public keys.
    let hmac = HmacKey::new(&jwa::HS256, &[9; 32]).unwrap().with_kid("k");
    let token = jwt::encode(&claims(A), &hmac).unwrap();
    assert_eq!(decode(&t.issuers, &token), Err(NoKey::Algorithm.into()));
}

#[test]
fn the_rules_of_an_issuer_require_that_issuer() {
    let t = tenants();
    // B's rules were given with_issuer(A): they require B, and only B, now.
    let (_, b_rules) = t
        .issuers
        .route(&jwt::encode(&claims(B), &t.b).unwrap())
        .unwrap();
    let b_keys = KeyRing::new().with_verifying_key(t.b.verifying_key());
    let naming_a = jwt::encode(&claims(A), &t.b).unwrap();
    assert_eq!(
        jwt::decode::<RegisteredClaims, _>(&naming_a, &b_keys, b_rules).map(|_| ()),
        Err(ClaimError::InvalidIssuer.into())
    );
}

#[test]
fn unknown_or_missing_issuers_are_typed_errors() {
    let t = tenants();
    for iss in [
        "https://c.example",
        "https://a.example/",
        "HTTPS://A.EXAMPLE",
        "",
    ] {
        let token = jwt::encode(&claims(iss), &t.a).unwrap();
        assert_eq!(
            decode(&t.issuers, &token),
            Err(NoKey::UnknownIssuer.into()),
            "{iss}"
        );
    }
    let no_iss = RegisteredClaims::new()
        .with_audience("api")
        .with_lifetime(now(), 300);
    let token = jwt::encode(&no_iss, &t.a).unwrap();
    assert_eq!(decode(&t.issuers, &token), Err(NoKey::UnknownIssuer.into()));
    // An iss that is not a string does not pick anyone.
    let token = jws::sign(br#"{"iss":7}"#, &jws::Header::new(), &t.a).unwrap();
    assert!(matches!(
        decode(&t.issuers, &token),
        Err(Error::Malformed(Malformed::Json {
            part: "payload",
            problem: JsonProblem::InvalidType { .. }
        }))
    ));
    assert_eq!(decode(&t.issuers, "a.b"), Err(Malformed::Segments.into()));
    let empty: Issuers<KeyRing> = Issuers::new();
    assert!(empty.is_empty());
}

#[cfg(feature = "std")]
#[test]
fn remote_issuers_fail_one_at_a_time() {
    let a = SigningKey::generate(&jwa::ES256).unwrap().with_kid("a1");
    let b = SigningKey::generate(&jwa::ES256).unwrap().with_kid("b1");
    let a_body = JwkSet::from_iter([Jwk::from_verifying_key(&a.verifying_key())])
        .to_json()
        .unwrap();
    type Fetcher = Box<dyn Fn(&Request) -> Result<Response, ()> + Send + Sync>;
    let up: Fetcher = Box::new(move |_| Ok(Response::new(200, a_body.clone().into_bytes())));
    let down: Fetcher = Box::new(|_| Err(()));
    let issuers = Issuers::new()
        .with_issuer(
            A,
            SharedKeySet::new("https://a.example/jwks", up, &[&jwa::ES256]),
            rules(),
        )
        .with_issuer(
            B,
            SharedKeySet::new("https://b.example/jwks", down, &[&jwa::ES256]),
            rules(),
        );
    let from_a = jwt::encode(&claims(A), &a).unwrap();
    let from_b = jwt::encode(&claims(B), &b).unwrap();
    assert!(issuers.decode::<RegisteredClaims>(&from_a).is_ok());
    assert_eq!(
        issuers.decode::<RegisteredClaims>(&from_b).map(|_| ()),
        Err(KeySetError::FetchFailed.into())
    );
    // A's key under B's name: B's set (down) is the only one asked.
    let forged = jwt::encode(&claims(B), &a).unwrap();
    assert_eq!(
        issuers.decode::<RegisteredClaims>(&forged).map(|_| ()),
        Err(KeySetError::NotFetched.into())
    );
}
