//! # How-tos
//!
//! ## Keys that rotate: verify against an identity provider's JWKS
//!
//! [`jwks::SharedKeySet`](crate::jwks::SharedKeySet) keeps a provider's JWK Set fresh with
//! your HTTP client (anything implementing [`jwks::Fetch`](crate::jwks::Fetch), a closure
//! included: the crate has no network code), and is shared by every thread of a server.
//! Nothing is fetched until the first verification needs it (a service starts while its
//! provider is down). The set is refreshed ahead of expiry (`Cache-Control: max-age`,
//! clamped to 1 min ..= 12 h, 10 min without; conditional, with `If-None-Match`), and a token
//! whose `kid` the set does not know (the provider has rotated a key in, perhaps without
//! announcing it) causes one refetch at once: one request, whatever the number of threads
//! asking, and at most one such request per 30 s cooldown, so tokens with made-up `kid`s cannot
//! make you hammer the provider.
//!
//! The keys are bound to the algorithms you pass: [`jwa::ASYMMETRIC`](crate::jwa::ASYMMETRIC)
//! lets each JWK decide (its `alg`, or what its `kty` and `crv` allow), a shorter list narrows
//! it.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::sync::atomic::{AtomicI64, Ordering};
//! use jose_ring::jwk::{Jwk, JwkSet};
//! use jose_ring::jwks::{Request, Response, SharedKeySet};
//! use jose_ring::jwt::{self, Clock, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, Error, NoKey, SigningKey};
//!
//! /// What the provider publishes; a test stands in for its HTTP endpoint.
//! fn publish(keys: &[&SigningKey]) -> Vec<u8> {
//!     let set: JwkSet = keys.iter().map(|k| Jwk::from_verifying_key(&k.verifying_key())).collect();
//!     set.to_json().unwrap().into_bytes()
//! }
//! let old = SigningKey::generate(&jwa::ES256)?.with_kid("2026-11");
//! let new = SigningKey::generate(&jwa::ES256)?.with_kid("2026-12");
//! let published = Mutex::new(publish(&[&old]));
//! let requests = AtomicI64::new(0);
//!
//! // Your HTTP client: GET `request.uri()` (with If-None-Match when given, reading at most
//! // `request.max_len()` bytes), return what came back.
//! let fetch = |_request: &Request| {
//!     requests.fetch_add(1, Ordering::SeqCst);
//!     let body = published.lock().unwrap().clone();
//!     Ok::<_, std::io::Error>(Response::new(200, body).with_cache_control("max-age=3600"))
//! };
//! // A clock the example moves; a server uses the default, the system clock.
//! struct TestClock(AtomicI64);
//! impl Clock for TestClock {
//!     fn now(&self) -> NumericDate { NumericDate::from_seconds(self.0.load(Ordering::SeqCst)) }
//! }
//! let clock = Arc::new(TestClock(AtomicI64::new(1_700_000_000)));
//! let keys = SharedKeySet::new("https://auth.example/jwks", fetch, &jwa::ASYMMETRIC)
//!     .with_clock(clock.clone());
//!
//! let rules = Validation::from_clock(clock.clone()).with_issuer("https://auth.example");
//! let claims = RegisteredClaims::new().with_issuer("https://auth.example")
//!     .with_lifetime(NumericDate::from_seconds(1_700_000_000), 3600);
//! let verify = |token: &str| -> Result<(), Error> {
//!     jwt::decode::<RegisteredClaims, _>(token, &keys.keys()?, &rules).map(|_| ())
//! };
//! verify(&jwt::encode(&claims, &old)?)?; // the first verification fetches
//!
//! // The provider replaces its key without announcing the new one; tokens signed with it
//! // arrive at once, and the first one refetches.
//! *published.lock().unwrap() = publish(&[&new]);
//! let rotated = jwt::encode(&claims, &new)?;
//! verify(&rotated)?;
//! assert_eq!(requests.load(Ordering::SeqCst), 2);
//! // A flood of made-up kids costs nothing more within 30 s of that refetch...
//! let forged = jwt::encode(&claims, &SigningKey::generate(&jwa::ES256)?.with_kid("made-up"))?;
//! for _ in 0..100 {
//!     assert_eq!(verify(&forged), Err(NoKey::UnknownKid.into()));
//! }
//! assert_eq!(requests.load(Ordering::SeqCst), 2);
//! // ...and one request per 30 s after it.
//! clock.0.fetch_add(30, Ordering::SeqCst);
//! assert_eq!(verify(&forged), Err(NoKey::UnknownKid.into()));
//! assert_eq!(requests.load(Ordering::SeqCst), 3);
//! # Ok::<(), Error>(())
//! ```
//!
//! [`SharedKeySet::keys`](crate::jwks::SharedKeySet::keys) reads the clock; pass the time
//! you already have with [`keys_at`](crate::jwks::SharedKeySet::keys_at). A verification
//! that finds the set due refreshes it inline while the others keep verifying; to keep every
//! request off the network, call
//! [`refresh_if_due`](crate::jwks::SharedKeySet::refresh_if_due) from a timer thread.
//!
//! ## When the provider is down
//!
//! Fetches that fail (network, HTTP 5xx, a body that is not a JWK Set or is over
//! [`Limits::jwks_len`](crate::Limits::jwks_len)) never replace the last good set: it keeps
//! serving until its expiry plus [`CachePolicy::max_stale`](crate::jwks::CachePolicy::max_stale)
//! (1 h by default), then verification fails closed with
//! [`KeySetError::Stale`](crate::KeySetError::Stale). Answer an
//! [`Error::KeySet`](crate::Error::KeySet) with HTTP 503 (the keys could not be established),
//! not 401 (the token is bad).
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
//! use jose_ring::jwk::{Jwk, JwkSet};
//! use jose_ring::jwks::{CachePolicy, Request, Response, SharedKeySet};
//! use jose_ring::jwt::{Clock, NumericDate};
//! use jose_ring::{jwa, jws, Error, KeySetError, SigningKey};
//!
//! struct TestClock(AtomicI64);
//! impl Clock for TestClock {
//!     fn now(&self) -> NumericDate { NumericDate::from_seconds(self.0.load(Ordering::SeqCst)) }
//! }
//! let clock = Arc::new(TestClock(AtomicI64::new(0)));
//! let key = SigningKey::generate(&jwa::ES256)?.with_kid("k1");
//! let body = JwkSet::from_iter([Jwk::from_verifying_key(&key.verifying_key())]).to_json()?;
//! let down = AtomicBool::new(false);
//! let fetch = |_: &Request| match down.load(Ordering::SeqCst) {
//!     true => Err("connection refused"),
//!     false => Ok(Response::new(200, body.clone().into_bytes()).with_cache_control("max-age=600")),
//! };
//! let keys = SharedKeySet::new("https://auth.example/jwks", fetch, &jwa::ASYMMETRIC)
//!     .with_policy(CachePolicy::DEFAULT.with_max_stale(3600))
//!     .with_clock(clock.clone());
//! let token = jws::sign(b"hi", &jws::Header::new(), &key)?;
//! let verify = || jws::verify(&token, &keys.keys()?).map(|_| ());
//! verify()?;
//!
//! down.store(true, Ordering::SeqCst);
//! clock.0.store(600 + 3600, Ordering::SeqCst); // expired an hour ago, fetches failing
//! verify()?;                                    // the last good set still serves
//! clock.0.store(600 + 3600 + 1, Ordering::SeqCst);
//! assert_eq!(verify(), Err(Error::KeySet(KeySetError::Stale { age: 4201, max: 4200 })));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Drive the policy yourself (async runtimes, `no_std`)
//!
//! [`jwks::KeySetCache`](crate::jwks::KeySetCache) is the same policy without threads or I/O:
//! it answers, you fetch. Ask [`poll`](crate::jwks::KeySetCache::poll) on a timer (or per
//! request) and [`unknown_kid`](crate::jwks::KeySetCache::unknown_kid) when a token's `kid`
//! is unknown; each hands you at most one [`Request`](crate::jwks::Request) at a time (the
//! others are told to wait), which you send and answer with
//! [`complete`](crate::jwks::KeySetCache::complete) (which may hand you the next part of the
//! same fetch: after a discovery document, its key set) or
//! [`fail`](crate::jwks::KeySetCache::fail).
//!
//! ```
//! use jose_ring::jwks::{KeySetCache, Refetch, Response};
//! use jose_ring::jwt::NumericDate;
//! use jose_ring::{jwa, Error};
//!
//! let at = NumericDate::from_seconds;
//! let mut cache = KeySetCache::new("https://auth.example/jwks", &jwa::ASYMMETRIC);
//! if let Some(request) = cache.poll(at(0)) {
//!     // GET `request.uri()` with `request.if_none_match()`, then:
//!     cache.complete(request, at(0), &Response::new(200, br#"{"keys":[]}"#.to_vec()))?;
//! }
//! assert!(cache.keys(at(1))?.is_empty());
//! // A token with an unknown kid: one fetch at once; meanwhile everyone else waits.
//! let Refetch::Fetch(request) = cache.unknown_kid(at(2)) else { unreachable!() };
//! assert_eq!(cache.unknown_kid(at(2)), Refetch::Wait);
//! cache.fail(request); // the provider did not answer: the set held keeps serving
//! assert_eq!(cache.unknown_kid(at(3)), Refetch::Cooldown); // until 30 s after that fetch
//! # Ok::<(), Error>(())
//! ```
//!
//! ## From an issuer URL: discovery
//!
//! [`KeySetCache::discover`](crate::jwks::KeySetCache::discover) starts from the issuer: its
//! first fetch is the discovery document (OpenID Connect's, or RFC 8414's), whose `issuer`
//! must be exactly the issuer you asked for and whose `jwks_uri` must be `https`
//! ([`UriPolicy::AllowHttpLoopback`](crate::jwks::UriPolicy::AllowHttpLoopback) lets tests use
//! `http://127.0.0.1`); the key set is fetched next, in the same fetch. Give the cache to a
//! [`SharedKeySet`](crate::jwks::SharedKeySet) or drive it yourself.
//!
//! Bind the keys to what they allow ([`jwa::ASYMMETRIC`](crate::jwa::ASYMMETRIC)), never to
//! the document's `id_token_signing_alg_values_supported`: it describes ID tokens, and a
//! provider may sign its access tokens with other algorithms (oidc-provider signs ID tokens
//! RS256 and each resource server's access tokens with the algorithm it is configured with).
//!
//! ```
//! use jose_ring::jwks::{KeySetCache, Request, Response, SharedKeySet, UriPolicy, WellKnown};
//! use jose_ring::jwa;
//!
//! let issuer = "https://auth.example";
//! let cache = KeySetCache::discover(issuer, WellKnown::OpenIdConfiguration, UriPolicy::HttpsOnly,
//!                                   &jwa::ASYMMETRIC)?;
//! let fetch = |request: &Request| -> Result<Response, std::io::Error> {
//!     let body = match request.uri() {
//!         "https://auth.example/.well-known/openid-configuration" =>
//!             br#"{"issuer":"https://auth.example","jwks_uri":"https://auth.example/jwks",
//!                 "id_token_signing_alg_values_supported":["RS256"]}"#.to_vec(),
//!         _ => br#"{"keys":[]}"#.to_vec(),
//!     };
//!     Ok(Response::new(200, body))
//! };
//! let keys = SharedKeySet::from_cache(cache, fetch);
//! assert!(keys.keys()?.ring().is_empty());
//! assert_eq!(keys.jwks_uri().as_deref(), Some("https://auth.example/jwks"));
//! # Ok::<(), jose_ring::Error>(())
//! ```
//!
//! ## Several issuers
//!
//! A multi-tenant API accepts tokens from several issuers.
//! [`jwks::Issuers`](crate::jwks::Issuers) maps each issuer, exactly, to its keys (a
//! [`KeyRing`](crate::jwk::KeyRing), a [`SharedKeySet`](crate::jwks::SharedKeySet): any
//! [`KeyProvider`](crate::jwks::KeyProvider)) and its rules. The token's unverified `iss`
//! ([`dangerous::peek`](crate::dangerous::peek)) picks the issuer; the token must then verify
//! with that issuer's keys, and its rules are made to require that very `iss`, so a token
//! naming A but signed with B's key fails, and so does one naming an issuer nobody registered
//! ([`NoKey::UnknownIssuer`](crate::NoKey::UnknownIssuer)).
//!
//! ```
//! use jose_ring::jwk::KeyRing;
//! use jose_ring::jwks::Issuers;
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, Error, SigningKey};
//!
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let (a, b) = (SigningKey::generate(&jwa::ES256)?.with_kid("k"), SigningKey::generate(&jwa::ES256)?.with_kid("k"));
//! let ring = |key: &SigningKey| KeyRing::new().with_verifying_key(key.verifying_key());
//! let tenants = Issuers::new()
//!     .with_issuer("https://a.example", ring(&a), Validation::new(now).with_audience("api"))
//!     .with_issuer("https://b.example", ring(&b), Validation::new(now).with_audience("api"));
//!
//! let claims = RegisteredClaims::new().with_issuer("https://a.example").with_audience("api")
//!     .with_lifetime(now, 300);
//! assert!(tenants.decode::<RegisteredClaims>(&jwt::encode(&claims, &a)?).is_ok());
//! // B's key, even under the same kid, never verifies a token naming A.
//! assert_eq!(tenants.decode::<RegisteredClaims>(&jwt::encode(&claims, &b)?).map(|_| ()),
//!            Err(Error::InvalidSignature));
//! # Ok::<(), Error>(())
//! ```
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
//! stand in for the other; keep refresh tokens single-use: after a refresh token verified,
//! record its `jti` in your store atomically ("insert if absent"), and refuse it if it was
//! there.
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
//!     .with_required("jti"); // then look the jti up in your store of spent refresh tokens
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
//! `jti` on a deny list until its `exp`, require `jti`
//! ([`with_required`](crate::jwt::Validation::with_required)), and look it up after
//! [`decode`](crate::jwt::decode) succeeded, so that forged and expired tokens never reach your
//! store; report a hit as [`ClaimError::Revoked`](crate::ClaimError::Revoked). The library takes
//! no callback for it: your store is usually behind an async call, and the lookup is yours.
//!
//! ```
//! use std::collections::HashSet;
//! use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
//! use jose_ring::{jwa, ClaimError, Error, HmacKey};
//!
//! let key = HmacKey::generate(&jwa::HS256)?;
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let rules = Validation::new(now).with_required("jti");
//! let revoked: HashSet<String> = HashSet::from(["t-1".to_string()]); // your shared store
//! let check = |token: &str| -> Result<RegisteredClaims, Error> {
//!     let claims = jwt::decode::<RegisteredClaims, _>(token, &key, &rules)?.into_claims();
//!     match claims.jti.as_deref() {
//!         Some(jti) if revoked.contains(jti) => Err(ClaimError::Revoked.into()),
//!         _ => Ok(claims),
//!     }
//! };
//! let token = |jti: &str| jwt::encode(&RegisteredClaims::new().with_jwt_id(jti).with_lifetime(now, 60), &key);
//! assert!(check(&token("t-2")?).is_ok());
//! assert_eq!(check(&token("t-1")?).map(|_| ()), Err(ClaimError::Revoked.into()));
//! # Ok::<(), Error>(())
//! ```
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
//! After [`dpop::verify`](crate::dpop::verify) succeeded, record
//! [`VerifiedProof::replay_key`](crate::dpop::VerifiedProof::replay_key) (the key's thumbprint
//! and the `jti`) atomically for
//! [`ProofValidation::replay_window`](crate::dpop::ProofValidation::replay_window) seconds
//! (maximum age plus twice the leeway: 60 s by default), and refuse the request if it was there
//! ([`Dpop::Replayed`](crate::Dpop::Replayed)). Checking after verification keeps forged and
//! stale proofs out of the store. One process can use a map; several need a shared store with
//! TTLs (`SET key 1 NX EX 60` in Redis).
//!
//! ```
//! use std::collections::HashMap;
//! use jose_ring::dpop::{self, ProofValidation};
//! use jose_ring::jwt::NumericDate;
//! use jose_ring::{jwa, Dpop, Error, SigningKey};
//!
//! let mut seen: HashMap<String, NumericDate> = HashMap::new(); // key → recorded until
//! let now = NumericDate::from_seconds(1_700_000_000);
//! let rules = ProofValidation::new("GET", "https://rs.example/", now);
//! let mut check = |proof: &str| -> Result<(), Error> {
//!     let checked = dpop::verify(proof, &rules)?;
//!     seen.retain(|_, until| *until > now); // expire the window
//!     let until = now.saturating_add(rules.replay_window() as i64);
//!     match seen.insert(checked.replay_key(), until) {
//!         None => Ok(()),
//!         Some(_) => Err(Dpop::Replayed.into()),
//!     }
//! };
//! let key = SigningKey::generate(&jwa::ES256)?;
//! let proof = dpop::ProofBuilder::new(&key, "GET", "https://rs.example/").with_iat(now).build()?;
//! assert!(check(&proof).is_ok());
//! assert_eq!(check(&proof), Err(Error::Dpop(Dpop::Replayed)));
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
