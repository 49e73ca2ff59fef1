//! A document signed by two parties in one JWS (RFC 7515 §7.2.1, general JSON serialization),
//! each with its own key type and headers, then verified under an explicit policy.
//!
//! Run with `cargo run --example multi_signature`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::{Error, SigningKey, jwa, jws};

fn main() -> Result<(), Error> {
    let author = SigningKey::generate(&jwa::EdDSA)?.with_kid("author");
    let notary = SigningKey::generate(&jwa::ES256)?.with_kid("notary");
    let document = br#"{"contract":"lease","rent":1200,"currency":"EUR"}"#;

    // 1. Both sign in one call. Each signatory has a protected header (alg and kid come from
    //    its key) and may add unprotected members, which are not covered by any signature.
    let signatories = [
        jws::Signatory::new(&author),
        jws::Signatory::new(&notary)
            .with_unprotected(jws::Header::new().with_member("notarised-at", "2026-11-23")?),
    ];
    let json = jws::sign_as(document, &signatories, jws::Serialization::General)?;
    println!("1. general JSON serialization:\n{json}\n");

    // 2. A verifier that knows both parties requires both signatures.
    let both = JwkSet::from_iter([
        Jwk::from_verifying_key(&author.verifying_key()),
        Jwk::from_verifying_key(&notary.verifying_key()),
    ])
    .key_ring(&[&jwa::EdDSA, &jwa::ES256]);
    let verified = jws::verify_json(json.as_bytes(), &both, jws::Policy::All)?;
    for signature in verified.signatures() {
        println!(
            "2. signature {} verified: {} by {:?}",
            signature.index(),
            signature.algorithm(),
            signature.key_kid()
        );
    }

    // 3. A verifier that knows only the notary can accept "any one signature" and learn which.
    let notary_only = JwkSet::from_iter([Jwk::from_verifying_key(&notary.verifying_key())])
        .key_ring(&[&jwa::ES256]);
    let verified = jws::verify_json(json.as_bytes(), &notary_only, jws::Policy::Any)?;
    println!(
        "3. Policy::Any: {} verified, {} rejected ({})",
        verified.signatures().len(),
        verified.rejected().len(),
        verified
            .rejected()
            .iter()
            .map(|(index, error)| format!("signature {index}: {error}"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    match jws::verify_json(json.as_bytes(), &notary_only, jws::Policy::All) {
        Err(error) => println!("   Policy::All refuses: {error}"),
        Ok(_) => println!("   BUG: Policy::All accepted a signature nobody could check"),
    }

    // 4. One changed character in the payload breaks both signatures.
    // The document starts {"payload":"<base64url>",...
    let payload = json.split('"').nth(3).unwrap_or_default();
    let flipped: String = payload
        .chars()
        .enumerate()
        .map(|(i, c)| match (i, c) {
            (5, 'A') => 'B',
            (5, _) => 'A',
            _ => c,
        })
        .collect();
    let tampered = json.replacen(payload, &flipped, 1);
    match jws::verify_json(tampered.as_bytes(), &both, jws::Policy::Any) {
        Err(error) => println!("4. tampered document rejected: {error}"),
        Ok(_) => println!("4. BUG: tampered document accepted"),
    }
    Ok(())
}
