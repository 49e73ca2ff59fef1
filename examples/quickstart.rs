//! Generate a key, sign a JWT, verify it, and watch a tampered copy fail.
//!
//! Run with `cargo run --example quickstart`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use jose_ring::{Error, SigningKey, jwa, jws};

fn main() -> Result<(), Error> {
    // 1. A key pair, bound to ES256 for its whole life.
    let key = SigningKey::generate(&jwa::ES256)?.with_kid("quickstart-1");
    let public = key.verifying_key();
    println!("1. generated {key:?}");
    println!("   public key:\n{}", public.to_spki_pem());

    // 2. Sign a JWT: the claims are the payload, the header says alg, typ and kid.
    let claims = br#"{"iss":"https://auth.example","sub":"ada","aud":"api","exp":1900000000}"#;
    let token = jws::sign(claims, &jws::Header::new().with_typ("JWT"), &key)?;
    println!("2. signed token:\n   {token}");

    // 3. Verify it with the public key: alg is compared with the key's, then the signature.
    let verified = jws::verify(&token, &public)?;
    println!(
        "3. verified with {}: {}",
        verified.algorithm(),
        String::from_utf8_lossy(verified.payload())
    );

    // 4. Change one character of the claims: the signature no longer matches.
    let (head, rest) = token.split_once('.').unwrap_or_default();
    let tampered = format!("{head}.{}", rest.replacen('J', "K", 1));
    match jws::verify(&tampered, &public) {
        Err(error) => println!("4. tampered copy rejected: {error}"),
        Ok(_) => println!("4. BUG: tampered copy accepted"),
    }

    // 5. An HS256 token forged with the public key as the HMAC secret never gets that far.
    let forger = jose_ring::HmacKey::new(&jwa::HS256, public.to_spki_pem().as_bytes())?;
    let forged = jws::sign(claims, &jws::Header::new().with_typ("JWT"), &forger)?;
    match jws::verify(&forged, &public) {
        Err(error) => println!("5. algorithm substitution rejected: {error}"),
        Ok(_) => println!("5. BUG: forged token accepted"),
    }
    Ok(())
}
