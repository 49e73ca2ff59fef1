//! Key management: generate a key pair, name it by its thumbprint, export it as JWK and PEM,
//! read it back, and publish the public half in a JWK Set.
//!
//! Run with `cargo run --example key_management`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use jose_ring::jwk::{Jwk, JwkSet, ThumbprintHash};
use jose_ring::{Error, SigningKey, VerifyingKey, jwa, jws};

fn main() -> Result<(), Error> {
    // 1. Generate, then use the RFC 7638 thumbprint of the public key as its kid: a name that
    //    anyone holding the public key can recompute.
    let key = SigningKey::generate(&jwa::ES256)?;
    let thumbprint = Jwk::from_verifying_key(&key.verifying_key()).thumbprint();
    let key = key.with_kid(thumbprint.clone());
    println!("1. generated {key:?}");
    let public = Jwk::from_verifying_key(&key.verifying_key());
    println!(
        "   thumbprint URI (RFC 9278): {}",
        public.thumbprint_uri(ThumbprintHash::Sha256)
    );

    // 2. Export. The public forms are plain strings; the private ones come back as `Secret`,
    //    zeroized on drop and redacted in Debug, so they do not end up in logs by accident.
    println!("2. public JWK: {}", public.to_json()?);
    println!("   public PEM:\n{}", key.verifying_key().to_spki_pem());
    let private_jwk = Jwk::from_signing_key(&key)?.to_private_json();
    let private_pem = key.to_pkcs8_pem();
    println!("   private JWK: {private_jwk:?}");
    println!("   private PEM: {private_pem:?}");

    // 3. Read both private forms back: the same key either way.
    let from_jwk = Jwk::from_json(private_jwk.expose())?.signing_key(&jwa::ES256)?;
    let from_pem = SigningKey::from_pem(&jwa::ES256, private_pem.expose())?;
    assert_eq!(
        from_jwk.verifying_key().to_spki_der(),
        from_pem.verifying_key().to_spki_der()
    );
    println!("3. JWK and PEM read back to the same key pair");

    // 4. Publish the public key in a JWK Set and verify a token against it by kid.
    let jwks = JwkSet::from_iter([public]).to_json()?;
    println!("4. JWKS: {jwks}");
    let token = jws::sign(b"signed by the thumbprinted key", &jws::Header::new(), &key)?;
    let ring = JwkSet::from_json(jwks.as_bytes())?.key_ring(&[&jwa::ES256]);
    let verified = jws::verify(&token, &ring)?;
    println!(
        "   verified with kid {:?}: {}",
        verified.header().kid(),
        String::from_utf8_lossy(verified.payload())
    );

    // 5. A PEM public key for a service that wants one, bound to the same algorithm.
    let pem = key.verifying_key().to_spki_pem();
    let service_key = VerifyingKey::from_pem(&jwa::ES256, pem.as_bytes())?;
    println!("5. service key from PEM: {service_key:?}");
    Ok(())
}
