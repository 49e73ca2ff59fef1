//! The fixed keys every target and the seeder share. Built once per process, never per input.
//! (Also compiled into `fuzz/seed` with `#[path]`, so that seeds signed there verify here.)

use jose_ring::jwk::KeyRing;
use jose_ring::{Error, HmacKey, KeyRef, KeySource, Signer, SigningKey, VerifyingKey, jwa};

/// The HMAC secret (RFC 7518 §3.2: at least 32 bytes for HS256).
pub const HMAC_SECRET: &[u8] = b"jose-ring fuzzing secret: 32+ bytes long";

const RSA_PEM: &[u8] = include_bytes!("../../test-vectors/keys/rsa2048.pkcs8.pem");
const P256_PEM: &[u8] = include_bytes!("../../test-vectors/keys/p256.pkcs8.pem");
const P384_PEM: &[u8] = include_bytes!("../../test-vectors/keys/p384.pkcs8.pem");
const ED25519_PEM: &[u8] = include_bytes!("../../test-vectors/keys/ed25519.pkcs8.pem");

/// One signing key per algorithm family, their public halves, and a key ring of all of them.
pub struct Keys {
    /// `HS256`, kid `hs256`.
    pub hmac: HmacKey,
    /// `ES256`, `ES384`, `EdDSA`, `Ed25519` (the same key pair as `EdDSA`), `RS256`, `PS256`,
    /// with kids `es256`, `es384`, `eddsa`, `ed25519`, `rs256`, `ps256`.
    pub signing: Vec<SigningKey>,
    /// The public halves of `signing`, in the same order.
    pub verifying: Vec<VerifyingKey>,
    /// Every key above: the HMAC key and the public halves, in a ring of each kind.
    pub ring: Rings,
}

/// A ring of HMAC keys and a ring of public keys (a `KeyRing` holds one kind), each `alg`
/// sent to the ring of its kind: the key store of a user who verifies both.
pub struct Rings {
    /// The HMAC key.
    pub hmac: KeyRing<HmacKey>,
    /// The public halves.
    pub public: KeyRing,
}

impl KeySource for Rings {
    fn select(&self, alg: &str, kid: Option<&str>) -> Result<KeyRef<'_>, Error> {
        match jwa::Algorithm::from_name(alg) {
            Ok(found) if found.is_symmetric() => self.hmac.select(alg, kid),
            _ => self.public.select(alg, kid),
        }
    }
}

impl Keys {
    /// Builds the keys; panics if a fixture does not load (a broken harness, not a finding).
    pub fn build() -> Self {
        let hmac = || {
            HmacKey::new(&jwa::HS256, HMAC_SECRET)
                .expect("hmac")
                .with_kid("hs256")
        };
        let load = |alg, pem, kid: &str| {
            SigningKey::from_pem(alg, pem)
                .expect("fixture key")
                .with_kid(kid)
        };
        let signing = vec![
            load(&jwa::ES256, P256_PEM, "es256"),
            load(&jwa::ES384, P384_PEM, "es384"),
            load(&jwa::EdDSA, ED25519_PEM, "eddsa"),
            load(&jwa::Ed25519, ED25519_PEM, "ed25519"),
            load(&jwa::RS256, RSA_PEM, "rs256"),
            load(&jwa::PS256, RSA_PEM, "ps256"),
        ];
        let verifying: Vec<VerifyingKey> = signing.iter().map(SigningKey::verifying_key).collect();
        let mut public = KeyRing::new();
        for key in &verifying {
            public = public.with_verifying_key(key.clone());
        }
        let ring = Rings {
            hmac: KeyRing::new_hmac().with_hmac_key(hmac()),
            public,
        };
        Self {
            hmac: hmac(),
            signing,
            verifying,
            ring,
        }
    }

    /// Every signer: the HMAC key first, then the signing keys.
    pub fn signers(&self) -> Vec<&dyn Signer> {
        let mut all: Vec<&dyn Signer> = vec![&self.hmac];
        all.extend(self.signing.iter().map(|k| k as &dyn Signer));
        all
    }
}
