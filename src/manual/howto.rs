//! # How-tos
//!
//! ## Verify against a rotating JWKS
//!
//! Load the identity provider's JWKS once, turn it into a [`KeyRing`](crate::jwk::KeyRing) with
//! the algorithms you accept, and share it. When a token names a `kid` the ring does not know,
//! the provider may have rotated its keys: fetch the JWKS again (rate-limited, so that tokens
//! with made-up `kid`s cannot make you hammer the provider) and retry once.
//!
//! ```
//! use jose_ring::jwk::{JwkSet, KeyRing};
//! use jose_ring::jwt::{self, RegisteredClaims, Validation};
//! use jose_ring::{jwa, Error, NoKey};
//!
//! const ALGS: [&jose_ring::jwa::Algorithm; 2] = [&jwa::RS256, &jwa::ES256];
//!
//! /// Your HTTP client goes here; the crate has no network code.
//! fn fetch_jwks() -> Vec<u8> {
//!     br#"{"keys":[]}"#.to_vec()
//! }
//!
//! fn load() -> Result<KeyRing, Error> {
//!     Ok(JwkSet::from_json(&fetch_jwks())?.key_ring(&ALGS))
//! }
//!
//! fn verify(
//!     token: &str,
//!     ring: &mut KeyRing,
//!     rules: &Validation,
//! ) -> Result<jwt::Verified<RegisteredClaims>, Error> {
//!     match jwt::decode(token, &*ring, rules) {
//!         Err(Error::NoKey(NoKey::UnknownKid)) => {
//!             *ring = load()?; // rate-limit this in a real server
//!             jwt::decode(token, &*ring, rules)
//!         }
//!         other => other,
//!     }
//! }
//! # let mut ring = load()?;
//! # let rules = Validation::new(jwt::NumericDate::from_seconds(0));
//! # assert!(verify("not.a.token", &mut ring, &rules).is_err());
//! # Ok::<(), Error>(())
//! ```
//!
//! In a multi-threaded server keep the ring behind an `RwLock` or an atomically swapped `Arc`;
//! a `KeyRing` is immutable once built, so readers never wait on each other.
//!
//! ## Tokens without a `kid`
//!
//! A single key ([`HmacKey`](crate::HmacKey) or [`VerifyingKey`](crate::VerifyingKey)) verifies
//! tokens with or without a `kid` (if both the key and the token have one, they must match). A
//! [`KeyRing`](crate::jwk::KeyRing) accepts a token without `kid` only when exactly one of its
//! keys is bound to the token's `alg`; with two, it answers
//! [`NoKey::Ambiguous`](crate::NoKey::Ambiguous) rather than trying both.
//!
//! ## Access and refresh tokens
//!
//! Give each kind its own type, lifetime and rules (RFC 8725 §3.11, §3.12), so that neither can
//! stand in for the other; keep refresh tokens single-use with a deny list of spent `jti`s.
//!
//! ```
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, jws, ClaimError, Error, HmacKey};
//!
//! let key = HmacKey::generate(&jwa::HS256)?;
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let base = RegisteredClaims::new().with_issuer("https://auth.example").with_subject("ada");
//!
//! let access = jwt::encode_with_header(
//!     &base.clone().with_audience("api").with_lifetime(now, 900),
//!     &jws::Header::new().with_typ("at+jwt"),
//!     &key,
//! )?;
//! let refresh = jwt::encode_with_header(
//!     &base.with_audience("https://auth.example/token").with_lifetime(now, 86_400).with_jwt_id("r-1"),
//!     &jws::Header::new().with_typ("refresh+jwt"),
//!     &key,
//! )?;
//!
//! let api = Validation::new(now).with_typ("at+jwt").with_issuer("https://auth.example").with_audience("api");
//! let token_endpoint = Validation::new(now)
//!     .with_typ("refresh+jwt")
//!     .with_issuer("https://auth.example")
//!     .with_audience("https://auth.example/token")
//!     .with_revocation(|jti| jti == "r-0"); // look the jti up in your shared deny list
//!
//! assert!(jwt::decode::<RegisteredClaims, _>(&access, &key, &api).is_ok());
//! assert!(jwt::decode::<RegisteredClaims, _>(&refresh, &key, &token_endpoint).is_ok());
//! // Neither works in the other's place.
//! assert!(matches!(
//!     jwt::decode::<RegisteredClaims, _>(&refresh, &key, &api),
//!     Err(Error::Claim(ClaimError::InvalidTyp))
//! ));
//! assert!(matches!(
//!     jwt::decode::<RegisteredClaims, _>(&access, &key, &token_endpoint),
//!     Err(Error::Claim(ClaimError::InvalidTyp))
//! ));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Scopes, roles and logout
//!
//! [`Validation::with_scope`](crate::jwt::Validation::with_scope) requires a scope in the space-delimited
//! `scope` claim (RFC 9068); [`Validation::with_role`](crate::jwt::Validation::with_role) requires a role
//! in an array claim ([`Validation::with_roles_claim`](crate::jwt::Validation::with_roles_claim) names it;
//! `roles` by default). The error names what is missing:
//! [`ClaimError::MissingScope`](crate::ClaimError::MissingScope). For logout, put the token's
//! `jti` on a deny list until its `exp` and check it with
//! [`Validation::with_revocation`](crate::jwt::Validation::with_revocation), which runs only for tokens
//! that passed every other check.
//!
//! ## Sender-constrained tokens with DPoP
//!
//! A bearer token works for whoever holds it. With DPoP (RFC 9449, module [`dpop`](crate::dpop))
//! the client keeps a key pair, sends a *proof* signed with it on every request, and the
//! authorization server binds the tokens it issues to that key (`cnf.jkt`); a stolen token is
//! then useless without the private key.
//!
//! **Client.** Generate one key per client installation (non-extractable where the platform
//! can), and make a fresh proof for every request: the method, the URI (its query and fragment
//! are left out), the access token it goes with, and the server's last `DPoP-Nonce`, if any.
//!
//! ```
//! use jose_ring::{dpop, jwa, SigningKey};
//! let key = SigningKey::generate(&jwa::Ed25519)?; // RFC 9864's name; ES256 works too
//! let token_request = dpop::ProofBuilder::new(&key, "POST", "https://as.example/token").build()?;
//! let resource_request = dpop::ProofBuilder::new(&key, "GET", "https://rs.example/v1/me?fields=all")
//!     .with_access_token("the-access-token")
//!     .with_nonce("nonce-from-the-last-response")
//!     .build()?;
//! // `dpop_jkt` of an authorization request (RFC 9449 §10): the key's thumbprint.
//! let dpop_jkt = dpop::jkt(&key);
//! # let _ = (token_request, resource_request, dpop_jkt);
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! **Token endpoint.** Check the proof against the request as the server received it, then put
//! the proof key's thumbprint into the token as `cnf` and answer `token_type: DPoP`. A refresh
//! token issued to a public client is bound to the same key: keep the `jkt` with it and compare
//! on refresh.
//!
//! ```
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims};
//! use jose_ring::{dpop, jwa, Error, SigningKey};
//!
//! #[derive(serde::Serialize)]
//! struct AccessClaims {
//!     #[serde(flatten)]
//!     registered: RegisteredClaims,
//!     cnf: dpop::Confirmation,
//! }
//!
//! fn issue(dpop_header: Vec<&str>, now: NumericDate, issuer: &SigningKey) -> Result<String, Error> {
//!     let proof = dpop::single_proof(dpop_header)?; // none, or two: refused
//!     let rules = dpop::ProofValidation::new("POST", "https://as.example/token", now);
//!     let checked = dpop::verify(proof, &rules)?; // answer `invalid_dpop_proof` on error
//!     let claims = AccessClaims {
//!         registered: RegisteredClaims::new().with_subject("ada").with_lifetime(now, 300),
//!         cnf: dpop::Confirmation::from_proof(&checked),
//!     };
//!     jwt::encode_with_header(&claims, &jose_ring::jws::Header::new().with_typ("at+jwt"), issuer)
//! }
//! # let client = SigningKey::generate(&jwa::ES256)?;
//! # let now = NumericDate::from_seconds(1_700_000_000);
//! # let proof = dpop::ProofBuilder::new(&client, "POST", "https://as.example/token").with_iat(now).build()?;
//! # let issuer = SigningKey::generate(&jwa::ES256)?;
//! # assert!(issue(vec![proof.as_str()], now, &issuer).is_ok());
//! # assert!(issue(vec![], now, &issuer).is_err());
//! # Ok::<(), Error>(())
//! ```
//!
//! **Resource server.** Check the proof with the access token it came with (`ath`), then decode
//! the token with [`Validation::with_dpop`](crate::jwt::Validation::with_dpop): its `cnf.jkt`
//! must be the proof key's. A token with a `cnf.jkt` is refused by every `Validation` that did
//! not name a proof ([`ClaimError::ProofRequired`](crate::ClaimError::ProofRequired)), so a
//! DPoP-bound token sent as `Authorization: Bearer` fails (RFC 9449 §7.2). Answer failures with
//! a [`Challenge`](crate::dpop::Challenge): it never quotes the request.
//!
//! ```
//! use jose_ring::dpop::{self, Challenge, ProofValidation};
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, Error, SigningKey, VerifyingKey};
//!
//! /// `Ok(subject)`, or the `WWW-Authenticate` value of the 401.
//! fn guard(
//!     access_token: &str,
//!     proof: &str,
//!     now: NumericDate,
//!     issuer: &VerifyingKey,
//! ) -> Result<String, String> {
//!     let rules = ProofValidation::new("GET", "https://rs.example/v1/me?fields=all", now)
//!         .with_access_token(access_token);
//!     let checked = dpop::verify(proof, &rules)
//!         .map_err(|e| Challenge::for_proof_error(&e, rules.algorithms()).to_string())?;
//!     let token_rules = Validation::new(now).with_typ("at+jwt").with_dpop(&checked);
//!     let verified: jwt::Verified<RegisteredClaims> = jwt::decode(access_token, issuer, &token_rules)
//!         .map_err(|e| Challenge::for_token_error(&e, rules.algorithms()).to_string())?;
//!     Ok(verified.claims().sub.clone().unwrap_or_default())
//! }
//! # let client = SigningKey::generate(&jwa::ES256)?;
//! # let issuer = SigningKey::generate(&jwa::ES256)?;
//! # let now = NumericDate::from_seconds(1_700_000_000);
//! # let claims = serde_json::json!({"sub": "ada", "exp": 1_700_000_300, "cnf": {"jkt": dpop::jkt(&client)}});
//! # let token = jwt::encode_with_header(&claims, &jose_ring::jws::Header::new().with_typ("at+jwt"), &issuer)?;
//! # let proof = dpop::ProofBuilder::new(&client, "GET", "https://rs.example/v1/me").with_iat(now).with_access_token(&token).build()?;
//! # assert_eq!(guard(&token, &proof, now, &issuer.verifying_key()), Ok("ada".to_string()));
//! # let thief = SigningKey::generate(&jwa::ES256)?;
//! # let stolen = dpop::ProofBuilder::new(&thief, "GET", "https://rs.example/v1/me").with_iat(now).with_access_token(&token).build()?;
//! # assert!(guard(&token, &stolen, now, &issuer.verifying_key()).unwrap_err().starts_with(r#"DPoP error="invalid_token""#));
//! # Ok::<(), Error>(())
//! ```
//!
//! **Replay store.** A proof may be captured (logs, a proxy) and replayed within its window.
//! Give [`ProofValidation::with_replay`](crate::dpop::ProofValidation::with_replay) a check
//! that records (`jkt`, `jti`) atomically and says whether it was there already; keep each
//! entry until `iat` + maximum age + leeway (60 s by default), after which the proof is refused
//! as too old anyway. The check runs last, so forged and stale proofs never reach the store. One
//! process can use a map; several need a shared store with TTLs (`SET key 1 NX EX 61` in Redis).
//!
//! ```
//! use std::collections::HashMap;
//! use std::sync::{Arc, Mutex};
//! use jose_ring::dpop::{self, ProofValidation};
//! use jose_ring::jwt::NumericDate;
//! use jose_ring::{jwa, Dpop, Error, SigningKey};
//!
//! let seen: Arc<Mutex<HashMap<(String, String), NumericDate>>> = Arc::default();
//! let store = Arc::clone(&seen);
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let rules = ProofValidation::new("GET", "https://rs.example/", now).with_replay(move |proof| {
//!     let mut map = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
//!     map.retain(|_, iat| now.seconds_since(*iat) <= 60); // expire the window
//!     map.insert((proof.jkt().into(), proof.jti().into()), proof.iat()).is_some()
//! });
//! let key = SigningKey::generate(&jwa::ES256)?;
//! let proof = dpop::ProofBuilder::new(&key, "GET", "https://rs.example/").with_iat(now).build()?;
//! assert!(dpop::verify(&proof, &rules).is_ok());
//! assert_eq!(dpop::verify(&proof, &rules).map(|_| ()), Err(Error::Dpop(Dpop::Replayed)));
//! # Ok::<(), Error>(())
//! ```
//!
//! **Nonces.** A server that does not trust client clocks, or wants to bound replay without a
//! store, sends a `DPoP-Nonce` (RFC 9449 §8, §9) and requires it in the next proofs. Keep the
//! current nonce and the previous one while they rotate, accept both with
//! [`with_nonce`](crate::dpop::ProofValidation::with_nonce), and answer a missing or stale one
//! with `use_dpop_nonce` and a fresh nonce. (At the token endpoint the same answer is a 400 with
//! `{"error":"use_dpop_nonce"}` in the body and the `DPoP-Nonce` header.)
//!
//! ```
//! use jose_ring::dpop::{self, Challenge, ProofValidation};
//! use jose_ring::jwt::NumericDate;
//! use jose_ring::{jwa, Dpop, Error, SigningKey};
//!
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let rules = ProofValidation::new("GET", "https://rs.example/", now)
//!     .with_nonce("n-2026-12-01T10")
//!     .with_nonce("n-2026-12-01T09");
//! let key = SigningKey::generate(&jwa::ES256)?;
//! let first = dpop::ProofBuilder::new(&key, "GET", "https://rs.example/").with_iat(now).build()?;
//! let error = dpop::verify(&first, &rules).unwrap_err();
//! assert_eq!(error, Error::Dpop(Dpop::MissingNonce));
//! let answer = Challenge::for_proof_error(&error, rules.algorithms()).with_nonce("n-2026-12-01T10")?;
//! assert!(answer.to_string().starts_with(r#"DPoP error="use_dpop_nonce""#));
//! let nonce = answer.nonce().unwrap_or_default(); // the `DPoP-Nonce` header
//! let retry = dpop::ProofBuilder::new(&key, "GET", "https://rs.example/").with_iat(now).with_nonce(nonce).build()?;
//! assert!(dpop::verify(&retry, &rules).is_ok());
//! # Ok::<(), Error>(())
//! ```
