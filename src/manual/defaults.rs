//! # Every default, and the reason for it
//!
//! | default | reason |
//! |---|---|
//! | a key has one algorithm, fixed when it is built | RFC 8725 §3.1: the token must never choose how it is checked |
//! | `none` is never accepted | an unsigned token proves nothing; there is no opt-in |
//! | HMAC secrets ≥ the hash length | RFC 7518 §3.2; shorter secrets can be brute-forced |
//! | RSA moduli 2048..=8192 bits, counted exactly (signing 2048..=4096, `ring`'s range) | RFC 7518 §3.3 and §3.5 require ≥ 2048 bits |
//! | compact tokens ≤ 64 KiB ([`Limits`](crate::Limits)) | real tokens are a few hundred bytes; a bound stops memory abuse before decoding |
//! | JSON nesting ≤ 127 | `serde_json`'s own bound, enforced by this crate too: no stack exhaustion |
//! | `kid` ≤ 256 bytes | key IDs are short; a bound keeps lookups cheap |
//! | JWK Set ≤ 1 MiB and 1,000 keys | identity providers publish a handful of keys |
//! | duplicate JSON member names rejected | RFC 7515 §5.2 and RFC 7519 §4: parsers must agree on what a token says |
//! | `crit` only with understood names (`b64`) | RFC 7515 §4.1.11: an extension a verifier does not implement must fail |
//! | `exp` required ([`Validation::with_optional_exp`](crate::jwt::Validation::with_optional_exp) to opt out) | a token that never expires is the most common JWT mistake |
//! | leeway 0 seconds ([`Validation::with_leeway`](crate::jwt::Validation::with_leeway)) | clock skew is the deployer's to tolerate, not the library's to grant |
//! | `nbf` checked when present; `iat` not in the future | a token is not used before it says it is valid; a future `iat` means a broken clock or a forgery |
//! | a token with `aud` is rejected when no audience is expected | RFC 7519 §4.1.3: a token for another service must not work here |
//! | issuer, subject, max age, scopes, roles, revocation make their claim required | a check skipped when its claim is missing fails open |
//! | `typ` must be absent or `JWT` unless a type is asked for | RFC 8725 §3.11: typed tokens (`at+jwt`, `refresh+jwt`) only where their type is expected |
//! | claims of the wrong JSON type are errors | `"exp":"123"` is not "no expiry" |
//! | fractional `exp` rounded down, `nbf`/`iat` rounded up | a token is always judged the stricter way |
//! | the revocation hook runs last | forged or expired tokens never reach the deny list's store |
//! | JWK Sets skip entries they cannot use | RFC 7517 §5: one unknown key type must not take an identity provider's whole set down |
//! | a `KeyRing` never chooses between two fitting keys | an ambiguous choice would let the attacker pick the key |
//! | private JWK members only through [`Jwk::to_private_json`](crate::jwk::Jwk::to_private_json) | exporting a secret must be a deliberate call |
//! | errors never quote token, claim or key bytes | errors get logged |
