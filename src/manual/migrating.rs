//! # Migrating from `jsonwebtoken` and `jwt-simple`
//!
//! The main difference: in those crates the algorithm is chosen per call (`Header`,
//! `Validation::new(Algorithm::HS256)`, or the key type in `jwt-simple`), and keys are often
//! parsed from PEM on every call. Here a key is parsed once and bound to its algorithm, and the
//! validation rules carry no algorithm at all.
//!
//! ## From `jsonwebtoken`
//!
//! With `jsonwebtoken` 9:
//!
//! ```text
//! use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
//!
//! let token = encode(&Header::default(), &claims, &EncodingKey::from_secret(secret))?;
//!
//! let mut validation = Validation::new(Algorithm::HS256);
//! validation.set_audience(&["api"]);
//! validation.set_issuer(&["https://auth.example"]);
//! let data = decode::<Claims>(&token, &DecodingKey::from_secret(secret), &validation)?;
//! let claims = data.claims;
//! ```
//!
//! With this crate:
//!
//! ```
//! # use jose_ring::{jwa, jwt, HmacKey};
//! # #[derive(serde::Serialize, serde::Deserialize)]
//! # struct Claims { sub: String, aud: String, iss: String, exp: i64 }
//! # let secret = [7u8; 32];
//! # let claims = Claims { sub: "ada".into(), aud: "api".into(), iss: "https://auth.example".into(), exp: 1_900_000_000 };
//! let key = HmacKey::new(&jwa::HS256, &secret)?; // once, at startup
//! let token = jwt::encode(&claims, &key)?;
//!
//! let validation = jwt::Validation::from_clock(std::sync::Arc::new(jwt::SystemClock))
//!     .with_audience("api")
//!     .with_issuer("https://auth.example");
//! let verified: jwt::Verified<Claims> = jwt::decode(&token, &key, &validation)?;
//! let claims = verified.into_claims();
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! | `jsonwebtoken` | here |
//! |---|---|
//! | `EncodingKey::from_rsa_pem(pem)` | [`SigningKey::from_pem(&jwa::RS256, pem)`](crate::SigningKey::from_pem) |
//! | `DecodingKey::from_rsa_pem(pem)` | [`VerifyingKey::from_pem(&jwa::RS256, pem)`](crate::VerifyingKey::from_pem) |
//! | `DecodingKey::from_jwk(&jwk)` | [`Jwk::verifying_key(&jwa::RS256)`](crate::jwk::Jwk::verifying_key) |
//! | `Validation::new(Algorithm::RS256)` | the key's algorithm; [`jwt::Validation`](crate::jwt::Validation) has none |
//! | `validation.leeway = 60` (60 by default there) | [`.with_leeway(60)`](crate::jwt::Validation::with_leeway) (0 by default here) |
//! | `validation.validate_exp = false` | [`.with_optional_exp()`](crate::jwt::Validation::with_optional_exp) |
//! | `decode_header(&token)` | [`jws::Unverified::parse(&token)?.header()`](crate::jws::Unverified::header) |
//! | `errors::ErrorKind::ExpiredSignature` | [`Error::Claim(ClaimError::Expired { now, exp })`](crate::ClaimError::Expired) |
//!
//! ## From `jwt-simple`
//!
//! With `jwt-simple`:
//!
//! ```text
//! use jwt_simple::prelude::*;
//!
//! let key_pair = ES256KeyPair::generate();
//! let claims = Claims::with_custom_claims(my_claims, Duration::from_mins(15));
//! let token = key_pair.sign(claims)?;
//!
//! let public_key = key_pair.public_key();
//! let options = VerificationOptions {
//!     allowed_issuers: Some(HashSet::from_strings(&["https://auth.example"])),
//!     ..Default::default()
//! };
//! let claims = public_key.verify_token::<MyClaims>(&token, Some(options))?;
//! ```
//!
//! With this crate, the registered claims are yours to include (flatten
//! [`RegisteredClaims`](crate::jwt::RegisteredClaims) into your type, or use it alone):
//!
//! ```
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, SigningKey};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct MyClaims {
//!     #[serde(flatten)]
//!     registered: RegisteredClaims,
//!     admin: bool,
//! }
//!
//! let key_pair = SigningKey::generate(&jwa::ES256)?;
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let claims = MyClaims {
//!     registered: RegisteredClaims::new().with_issuer("https://auth.example").with_lifetime(now, 900),
//!     admin: false,
//! };
//! let token = jwt::encode(&claims, &key_pair)?;
//!
//! let public_key = key_pair.verifying_key();
//! let rules = Validation::new(now).with_issuer("https://auth.example");
//! let verified: jwt::Verified<MyClaims> = jwt::decode(&token, &public_key, &rules)?;
//! assert!(!verified.claims().admin);
//! # Ok::<(), jose_ring::Error>(())
//! ```
