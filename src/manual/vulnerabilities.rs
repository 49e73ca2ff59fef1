//! # Known JWT vulnerabilities, and why each cannot happen here
//!
//! Every entry below has happened in a widely used JWT library. The right-hand column is the
//! reason it cannot be written with this crate, and the test that holds it.
//!
//! | vulnerability | what went wrong elsewhere | here |
//! |---|---|---|
//! | `alg: none` | a verifier accepted an unsigned token because the header said so | there is no `none` algorithm; any spelling is [`Unsupported::None`](crate::Unsupported::None) (`attacks::alg_none_in_any_spelling_is_rejected`) |
//! | RS256/HS256 confusion | the RSA public key, which is public, was used as an HMAC secret because the token asked for HS256 | keys are bound to one algorithm; an RS256 key never runs HMAC (`attacks::hs256_forged_with_the_rsa_public_key_as_secret`) |
//! | embedded `jwk` | a verifier trusted the key the token carried in its own header | `jwk`, `jku`, `x5u`, `x5c` are never used to find a key (`attacks::embedded_keys_are_never_used`) |
//! | psychic signatures (CVE-2022-21449) | an ECDSA verifier accepted `r = s = 0` | ECDSA is `ring`'s, which range-checks `r` and `s`; signatures must be fixed-length `R‖S` (`attacks::ecdsa_signature_in_der_form_is_rejected`) |
//! | `kid` injection | a `kid` was put into a file path or a SQL query to find the key | a `kid` is only compared with loaded keys' `kid`s, at most 256 bytes (`attacks::header_must_be_a_strict_json_object`) |
//! | `crit` ignored | a verifier accepted a token whose critical extension it did not implement | `crit` is enforced: only `b64` is understood, everything else is refused (`attacks::crit_rules_of_rfc7515_4_1_11`) |
//! | non-canonical base64 | two encodings of one token, or padding and whitespace accepted, let tokens be altered without breaking the signature's meaning | only canonical unpadded base64url, checked segment by segment (`attacks::non_canonical_base64url_is_rejected`, `attacks::bytes_outside_the_token_alphabet_are_rejected`) |
//! | duplicate members | `{"exp":1,"exp":9999999999}` read differently by two parsers | duplicate names are rejected at every depth (`attacks::duplicate_header_members_are_rejected`, `jwt_claims::duplicate_claims_are_rejected`) |
//! | type confusion in claims | `"exp":"123"` treated as "no expiry" | a registered claim of the wrong type is [`ClaimError::InvalidType`](crate::ClaimError::InvalidType) (`jwt_claims::exp_table`) |
//! | expiry not required | tokens without `exp` lived forever | `exp` is required unless the caller opts out (`jwt_claims::exp_table`) |
//! | DoS by size | huge tokens, deep JSON or huge key sets exhausted memory or stack | token length (64 KiB), JSON depth (127), JWK Set size (1 MiB, 1,000 keys), `kid` (256 bytes) are bounded before decoding (`attacks::oversized_tokens_are_rejected_before_decoding`, `jwk::set_structure_and_limits`) |
//! | short HMAC keys | an empty or one-byte HMAC key was accepted | secrets shorter than the hash output are refused (`attacks::hmac_key_shorter_than_the_hash_is_refused_for_signing_and_verifying`) |
//! | panics on crafted input | a malformed token crashed the server | library code has no `unwrap`, `expect`, `panic!`, indexing or unchecked arithmetic (denied by clippy), property tests and fuzz targets feed it arbitrary input |
