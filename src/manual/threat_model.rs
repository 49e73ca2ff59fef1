//! # Threat model: RFC 8725 §3, item by item
//!
//! RFC 8725 ("JSON Web Token Best Current Practices") lists twelve things an implementation
//! and its users must get right. For each: what this crate does, and where the test is.
//!
//! ## §3.1 Perform algorithm verification
//!
//! A key is bound to one [`Algorithm`](crate::jwa::Algorithm) when it is built
//! ([`HmacKey::new`](crate::HmacKey::new), [`Jwk::verifying_key`](crate::jwk::Jwk::verifying_key),
//! ...). Verification compares the token's `alg` with that algorithm before any cryptography,
//! and the comparison is made again after a [`KeySource`](crate::KeySource) returns a key, so a
//! custom key store cannot cause a substitution. There is no list of "allowed algorithms" in
//! the validation options to get wrong, and no `none`.
//! Tests: `attacks::alg_none_in_any_spelling_is_rejected`,
//! `attacks::hs256_forged_with_the_rsa_public_key_as_secret`,
//! `rfc7520::section_4_2_ps384_verifies_and_round_trips` (an RSA key bound to RS384 refuses a
//! PS384 token).
//!
//! ## §3.2 Use appropriate algorithms
//!
//! Only the algorithms of [`jwa`](crate::jwa) exist: HMAC-SHA2, RSA PKCS#1 v1.5 and PSS with
//! SHA-2, ECDSA P-256/P-384, Ed25519. `none` is never accepted ([`Unsupported::None`](crate::Unsupported::None)).
//! RSA keys are at least 2048 bits, counted exactly (a 2044-bit key, which `ring` alone
//! accepts for verification, is refused). No RSA encryption algorithm exists here.
//! Tests: `attacks::rsa_2044_bit_modulus_is_refused`, `keys::rsa_sizes`,
//! `attacks::algorithms_ring_lacks_are_named`.
//!
//! ## §3.3 Validate all cryptographic operations
//!
//! Every signature is checked by `ring`; HMAC tags are compared in constant time
//! (`ring::hmac::verify`). With several signatures (JWS JSON), the caller chooses the policy
//! explicitly. A failed check is [`Error::InvalidSignature`](crate::Error::InvalidSignature),
//! with nothing more said.
//! Tests: every RFC vector in `rfc7515`, `rfc7520`, `rfc7797`, `rfc8037` is also verified
//! tampered (one character of header, payload and signature), and
//! `properties::any_single_character_change_is_rejected` does so for every algorithm.
//!
//! ## §3.4 Validate cryptographic inputs
//!
//! EC public keys are checked to lie on their curve when the key is built (from SPKI, a point or
//! a JWK), not at first use; ECDSA signatures must be the fixed-length `R‖S` form; JWK
//! coordinates must have the curve's full length; private and public parts of a key must agree
//! (`ring`'s checking constructors, plus one test signature for RSA, whose CRT parameters `ring`
//! checks only when signing).
//! Tests: `keys::ec_points_are_checked`, `jwk::points_must_be_on_the_curve`,
//! `jwk::private_and_public_parts_must_match`, `attacks::ecdsa_signature_in_der_form_is_rejected`.
//!
//! Weak keys are refused on import, whatever the path (JWK, SPKI, PKCS#1, PKCS#8, raw bytes,
//! the public half of a private key), because keys reach a verifier from places it does not
//! fully control (a JWKS URL, a client's registered keys, a DPoP proof's own key):
//!
//! - an Ed25519 key that names one of the eight points of small order, in any encoding
//!   ([`KeyRejected::SmallOrderPoint`](crate::KeyRejected::SmallOrderPoint)): with the
//!   identity as key, `R = identity, S = 0` verifies for every message, and `ring` accepts
//!   both; an encoding with `y ≥ 2^255 − 19`
//!   ([`KeyRejected::NonCanonicalPoint`](crate::KeyRejected::NonCanonicalPoint)). A fixed
//!   table and a comparison, no point arithmetic. Signatures with `S ≥ L` are refused by `ring`.
//! - an RSA modulus with the ROCA structure (CVE-2017-15361,
//!   [`KeyRejected::RocaModulus`](crate::KeyRejected::RocaModulus)): its residues modulo the
//!   odd primes up to 167 all lie in the subgroup 65537 generates. One weighted pass over the
//!   modulus settles all but about 3 keys in 100,000; a random modulus is refused with
//!   probability about 4·10⁻⁹.
//! - a shared secret among public keys: a [`KeyRing`](crate::jwk::KeyRing) holds one kind of
//!   key, so a JWKS that leaks or smuggles an HMAC key cannot make a verifier of public keys
//!   accept an HS256 token; and a `kid` whose JWKS member was skipped is never verified with
//!   its twin.
//!
//! Tests: `weak_keys` (every case on every path, a proptest over every small-order encoding,
//! the forgery shown to work in `ring` alone), `jwk::a_ring_of_public_keys_never_holds_a_secret`,
//! `jwk::a_kid_whose_member_was_skipped_is_ambiguous`, the CLI's `weak_keys` tests.
//!
//! ## §3.5 Ensure cryptographic keys have sufficient entropy
//!
//! HMAC secrets must be at least as long as the hash output (32, 48, 64 bytes; RFC 7518 §3.2),
//! when signing and when verifying — `ring` alone takes even an empty key.
//! [`HmacKey::generate`](crate::HmacKey::generate) and
//! [`SigningKey::generate`](crate::SigningKey::generate) use the operating system's generator.
//! Human-chosen passwords are not keys: derive a key from one with a password hash first.
//! Tests: `attacks::hmac_key_shorter_than_the_hash_is_refused_for_signing_and_verifying`.
//!
//! ## §3.6 Avoid compression of encryption inputs
//!
//! This crate does not implement JWE, so it never compresses (`zip`). A `zip` header parameter
//! in a `crit` list is refused as a registered name.
//!
//! ## §3.7 Use UTF-8
//!
//! Headers and claims are parsed by `serde_json`, which accepts only UTF-8 and rejects lone
//! surrogate escapes. Tokens are `&str`.
//! Tests: the `json` unit tests (invalid UTF-8 in names and values, lone surrogates).
//!
//! ## §3.8 Validate issuer and subject
//!
//! [`Validation::with_issuer`](crate::jwt::Validation::with_issuer) makes `iss` required and compares it
//! exactly; [`Validation::with_subject`](crate::jwt::Validation::with_subject) likewise for `sub`. Keys
//! never come from the token: the header members `jwk`, `jku`, `x5u` and `x5c` are kept as data
//! but never used to find or build a key.
//! Tests: `jwt_claims::iss_and_sub_tables`, `attacks::embedded_keys_are_never_used`.
//!
//! ## §3.9 Use and validate audience
//!
//! [`Validation::with_audience`](crate::jwt::Validation::with_audience) makes `aud` required and accepts
//! the token if its `aud` (a string or an array) contains one of the expected values. A token
//! that carries an `aud` when the validation expects none is rejected (RFC 7519 §4.1.3), so a
//! token minted for another service does not work here by accident.
//! Tests: `jwt_claims::aud_table`.
//!
//! ## §3.10 Do not trust received claims
//!
//! Claims are data until verified: [`jws::Unverified`](crate::jws::Unverified) is the only way
//! to see a header before verification, and its name says so. A `kid` is only ever compared
//! with the `kid`s of keys the application loaded: never used as a path, a URL or a query, and
//! limited to 256 bytes. Registered claims of the wrong JSON type (`"exp":"123"`, `null`) are
//! errors, never "absent". Duplicate member names anywhere in a header or the claims are
//! rejected, so two parsers cannot read two different tokens from the same bytes.
//! Tests: `attacks::duplicate_header_members_are_rejected`,
//! `jwt_claims::duplicate_claims_are_rejected`, `jwt_claims::exp_table` (wrong types).
//!
//! ## §3.11 Use explicit typing
//!
//! [`Validation::with_typ`](crate::jwt::Validation::with_typ) requires the header `typ`, compared as RFC
//! 7515 §4.1.9 says (case-insensitive, with `application/` implied). Without it, a JWT is
//! accepted only with no `typ` or `typ: JWT`, so explicitly typed tokens (`at+jwt`,
//! `refresh+jwt`, `dpop+jwt`) are refused where their type was not asked for.
//! Tests: `jwt_claims::typ_table`, the `access_refresh` example.
//!
//! ## §3.12 Use mutually exclusive validation rules for different kinds of JWTs
//!
//! Give each kind of token its own `typ` and its own [`Validation`](crate::jwt::Validation)
//! (audience, issuer, type): an access token then fails the refresh rules and the reverse. See
//! [`howto`](super::howto#access-and-refresh-tokens).
//!
//! ## Beyond RFC 8725: keys carried in a header, and why DPoP alone may use one
//!
//! A header `jwk` (or `jku`, `x5u`, `x5c`) names a key chosen by whoever made the token. A
//! verifier that uses it to check the signature checks only that the token is signed by
//! *someone* — the forger's own key verifies the forger's token (CVE-2018-0114 and its many
//! relatives). So [`jws::verify`](crate::jws::verify), [`jwt::decode`](crate::jwt::decode) and
//! every [`KeySource`](crate::KeySource) never look at these members: keys come only from what
//! the application loaded.
//! Test: `dpop::a_header_jwk_never_verifies_an_ordinary_token` (a JWT signed by an attacker with
//! the attacker's key in `jwk` fails against the victim's key ring).
//!
//! A DPoP proof (RFC 9449) is the one place where the header key is the point: the proof does
//! not say "the issuer vouches for this", it says "whoever sends this holds the private half of
//! *this* key", and what that key is worth comes from elsewhere — the access token's `cnf.jkt`,
//! signed by the authorization server, or the key bound at the token endpoint. So the one
//! reader of a header `jwk`, [`dpop::verify`](crate::dpop::verify), is narrow:
//!
//! - only a header with `typ` exactly `dpop+jwt` is read that way, and `jwt::decode` refuses
//!   that `typ` unless asked for it (§3.11), so a proof is never mistaken for a token and a
//!   token never for a proof;
//! - `alg` is asymmetric and in the server's list (never `none`, never HMAC: a "key" that is a
//!   shared secret would be public in the header);
//! - the `jwk` goes through the crate's one JWK parser and binding, with every import check
//!   (§3.4, weak keys included: an Ed25519 point of small order would make `S = 0` signatures
//!   verify for any message), must be public, and is bound to the header `alg` before the
//!   signature is checked with it and nothing else;
//! - what it yields is a thumbprint, not an identity: a token carrying `cnf.jkt` is refused by
//!   every [`Validation`](crate::jwt::Validation) that was not given the matching proof
//!   ([`with_dpop`](crate::jwt::Validation::with_dpop)), so a stolen bound token cannot be used
//!   as a bearer token, and a proof by another key cannot unlock it.
//!
//! Tests: `tests/dpop.rs` (one per check of RFC 9449 §4.3, the RFC's examples tampered),
//! `dpop::check_7_jwk_is_public_and_passes_every_import_check`,
//! `dpop::a_bound_token_needs_the_proof_of_its_key`, and the `dpop_proof` fuzz target.
//!
//! ## Beyond RFC 8725: SD-JWT (RFC 9901)
//!
//! [`sd_jwt`](crate::sd_jwt) adds what a salted-hash credential can get wrong. RFC 9901 §9 and
//! §10, item by item.
//!
//! **Salt entropy (§9.3).** A digest hides its claim only while its salt cannot be guessed:
//! with a guessable salt, a verifier hashes every plausible birthdate until one matches.
//! Every salt the [`Issuer`](crate::sd_jwt::Issuer) makes is 128 bits from `ring`'s system
//! random number generator (the minimum §9.3 recommends), fresh for each claim, including
//! claims of the same name in different places; there is no way to pass salts in. Decoys are
//! digests of 128 fresh random bits too. The one hash is SHA-256 (`_sd_alg` `sha-256`, the
//! default of §4.1.1); any other `_sd_alg` is refused ([`SdJwt::UnsupportedSdAlg`](crate::SdJwt::UnsupportedSdAlg)),
//! not silently read as SHA-256.
//! Tests: `sd_jwt::issuer_makes_object_array_recursive_disclosures_and_decoys` (two issuances
//! of the same claims share no disclosure), `sd_jwt::every_rule_of_section_7_1_has_its_own_error`.
//!
//! **Decoys and linkability (§10.1, §10.4).** The number of digests tells how many claims an
//! object has, and the issuer-signed JWT, its salts and the holder key are the same in every
//! presentation of one credential: two verifiers (or a verifier and the issuer) can link them
//! whatever is disclosed. What the crate does: `_sd` is sorted, so the order of digests says
//! nothing of the order of claims; [`with_decoys`](crate::sd_jwt::Issuer::with_decoys) pads an
//! object's `_sd` or an array (decoys at random places); and the holder can never be made to
//! disclose more than the pointers name. What it cannot do is make one credential unlinkable:
//! issue a batch, each credential with its own holder key and salts (new salts are automatic),
//! with `iat` and `exp` rounded or randomized, and use each once.
//!
//! **Replay of a KB-JWT (§7.3 step 5, §9.5).** A KB-JWT stolen from one presentation must not
//! open another. It is checked against the verifier's own `aud` and the `nonce` of this
//! transaction (each its own error), within an `iat` window (300 s by default, no leeway
//! unless set), and its `sd_hash` must be the digest of the very SD-JWT it came with: a KB-JWT
//! moved to the same credential with other disclosures, or with one dropped, fails
//! ([`SdJwt::KbSdHash`](crate::SdJwt::KbSdHash)). It is signed by the key of `cnf.jwk` and no
//! other, bound to the KB-JWT's `alg` with every import check (weak keys included), an
//! asymmetric `alg` only. What is left to the verifier: a nonce is used once; remember it as
//! spent after a verification succeeds.
//! Tests: `sd_jwt::key_binding_round_trip_and_every_check`,
//! `sd_jwt_rfc9901::section_5_presentation` (the RFC's KB-JWT with another nonce, audience and
//! time), and every RFC example tampered (`sd_jwt_rfc9901`).
//!
//! **A verifier that forgets to ask for key binding (§7.3 step 1, §9.5).** A verifier that
//! decides from the presentation ("it has a KB-JWT, so check it") accepts the same credential
//! with the KB-JWT stripped, from anyone who copied it. Here the decision is part of the
//! [`Validation`](crate::sd_jwt::Validation) and fixed before anything is read: without
//! [`with_key_binding`](crate::sd_jwt::Validation::with_key_binding) a presentation that
//! carries a KB-JWT is refused ([`SdJwt::UnexpectedKeyBinding`](crate::SdJwt::UnexpectedKeyBinding)),
//! so a verifier that forgot to ask finds out at its first real presentation rather than never;
//! with it, one without is refused ([`SdJwt::MissingKeyBinding`](crate::SdJwt::MissingKeyBinding)).
//! The KB-JWT's `typ` must be `kb+jwt`, and `jwt::decode`'s default `typ` rule refuses it as an
//! ordinary token (§3.11).
//! Tests: `sd_jwt_rfc9901::section_5_presentation`, the CLI's
//! `sd_jwt::issue_present_verify_with_and_without_key_binding`.
//!
//! **Manipulated disclosures (§9.2, §7.1).** A disclosure counts only where its digest is in
//! the signed payload or in another disclosure that does; every rule of §7.1 has its own
//! error, validity claims are checked in the processed payload (an `exp` that came in a
//! disclosure is checked, and a verifier that requires one refuses its absence: §9.7), and
//! sizes are bounded before decoding ([`sd_jwt::Limits`](crate::sd_jwt::Limits)). For SD-JWT
//! VC, the claims the draft never discloses selectively are refused when they come in a
//! disclosure. Tests: `sd_jwt::every_rule_of_section_7_1_has_its_own_error`,
//! `sd_jwt::validity_claims_are_checked_in_the_processed_payload`,
//! `sd_jwt::sd_jwt_vc_type_vct_and_never_disclosable_claims`, and the `sd_jwt` fuzz target.
