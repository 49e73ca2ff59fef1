//! What the library bench (`benches/jose.rs`) and the peer comparison
//! (`benches/compare/benches/peers.rs`) share: the workload (a typical access token), the keys,
//! and the floor, which does the same work with `ring`, `base64ct` and `serde_json` alone.
//!
//! The floor is the physical limit of this stack: no checks beyond the ones the workload needs,
//! stack buffers where a size is known, keys parsed once. It does the same steps as the library,
//! in the same order: split on '.', decode the header, parse it into a small struct, compare
//! `alg` (and `typ`), decode the signature, verify with ring, decode the payload, deserialize
//! the claims and check `exp`, `nbf`, `iat`, `iss` and `aud`.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair};
use serde::{Deserialize, Serialize};

use jose_ring::{HmacKey, SigningKey, VerifyingKey, jwa};

/// Issuer of the typical access token.
pub(crate) const ISS: &str = "https://auth.example.com";
/// Audience of the typical access token.
pub(crate) const AUD: &str = "https://api.example.com";
/// `iat` and `nbf`: in the past, so that every library (some read the system clock) accepts it.
pub(crate) const IAT: i64 = 1_700_000_000;
/// `exp`: far in the future (2096), for the same reason.
pub(crate) const EXP: i64 = 4_000_000_000;

/// The claims of a typical access token: `sub`, `name`, `iss`, `aud`, `iat`, `exp`, `nbf`, a
/// boolean and a scope string. Serialized, 226 bytes; a compact HS256 token of them is 383.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub(crate) sub: String,
    pub(crate) name: String,
    pub(crate) iss: String,
    pub(crate) aud: String,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
    pub(crate) nbf: i64,
    pub(crate) admin: bool,
    pub(crate) scope: String,
}

impl Claims {
    /// The typical access token's claims.
    pub(crate) fn typical() -> Self {
        Self {
            sub: "248289761001".into(),
            name: "Jane Doe".into(),
            iss: ISS.into(),
            aud: AUD.into(),
            iat: IAT,
            exp: EXP,
            nbf: IAT,
            admin: false,
            scope: "openid profile email orders:read orders:write".into(),
        }
    }
}

/// The same claims borrowing their strings from the decoded payload, for `decode_borrowed`.
#[derive(Debug, Deserialize)]
#[allow(
    dead_code,
    reason = "deserialized as a verifier would; only some fields are read"
)]
pub(crate) struct BorrowedClaims<'a> {
    #[serde(borrow)]
    pub(crate) sub: &'a str,
    #[serde(borrow)]
    pub(crate) name: &'a str,
    #[serde(borrow)]
    pub(crate) iss: &'a str,
    #[serde(borrow)]
    pub(crate) aud: &'a str,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
    pub(crate) nbf: i64,
    pub(crate) admin: bool,
    #[serde(borrow)]
    pub(crate) scope: &'a str,
}

/// The algorithms benchmarked, in table order.
pub(crate) const ALGS: [&jwa::Algorithm; 8] = [
    &jwa::HS256,
    &jwa::HS384,
    &jwa::HS512,
    &jwa::RS256,
    &jwa::PS256,
    &jwa::ES256,
    &jwa::ES384,
    &jwa::EdDSA,
];

/// The HMAC secret: 64 bytes, long enough for HS512 (HS256 and HS384 use the same bytes).
pub(crate) const HMAC_SECRET: &[u8; 64] =
    b"an HMAC secret of sixty-four bytes, for HS256, HS384 and HS512!!";

/// The key files, from `test-vectors/keys/` (OpenSSL-made; see its README).
pub(crate) const RSA_PKCS8_PEM: &[u8] = include_bytes!("../../test-vectors/keys/rsa2048.pkcs8.pem");
/// RSA public key, SPKI.
pub(crate) const RSA_SPKI_PEM: &[u8] = include_bytes!("../../test-vectors/keys/rsa2048.spki.pem");
/// P-256 private key, PKCS#8.
pub(crate) const P256_PKCS8_PEM: &[u8] = include_bytes!("../../test-vectors/keys/p256.pkcs8.pem");
/// P-256 public key, SPKI.
pub(crate) const P256_SPKI_PEM: &[u8] = include_bytes!("../../test-vectors/keys/p256.spki.pem");
/// P-384 private key, PKCS#8.
pub(crate) const P384_PKCS8_PEM: &[u8] = include_bytes!("../../test-vectors/keys/p384.pkcs8.pem");
/// P-384 public key, SPKI.
pub(crate) const P384_SPKI_PEM: &[u8] = include_bytes!("../../test-vectors/keys/p384.spki.pem");
/// Ed25519 private key, PKCS#8 v1 (as OpenSSL writes it).
pub(crate) const ED25519_PKCS8_PEM: &[u8] =
    include_bytes!("../../test-vectors/keys/ed25519.pkcs8.pem");
/// Ed25519 public key, SPKI.
pub(crate) const ED25519_SPKI_PEM: &[u8] =
    include_bytes!("../../test-vectors/keys/ed25519.spki.pem");

/// The private (PKCS#8) and public (SPKI) PEM documents for an asymmetric algorithm.
pub(crate) fn pem_pair(alg: &jwa::Algorithm) -> Option<(&'static [u8], &'static [u8])> {
    Some(match alg.name() {
        "RS256" | "PS256" => (RSA_PKCS8_PEM, RSA_SPKI_PEM),
        "ES256" => (P256_PKCS8_PEM, P256_SPKI_PEM),
        "ES384" => (P384_PKCS8_PEM, P384_SPKI_PEM),
        "EdDSA" => (ED25519_PKCS8_PEM, ED25519_SPKI_PEM),
        _ => return None,
    })
}

/// The body of a PEM document, decoded: what the floor does by hand to get DER for ring.
pub(crate) fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let text = core::str::from_utf8(pem).expect("PEM is ASCII");
    let mut body = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !l.starts_with("-----")) {
        body.push_str(line.trim());
    }
    Base64::decode_vec(&body).expect("PEM body is base64")
}

/// A jose-ring key for one algorithm: its signer and its verifier, each parsed once.
#[allow(clippy::large_enum_variant, reason = "one per algorithm, built once")]
pub(crate) enum LibKey {
    /// HS*: one key signs and verifies.
    Hmac(HmacKey),
    /// Everything else.
    Pair(SigningKey, VerifyingKey),
}

impl LibKey {
    /// Loads the fixture key for `alg`, from the PEM files (private: PKCS#8, public: SPKI).
    pub(crate) fn load(alg: &'static jwa::Algorithm) -> Self {
        match pem_pair(alg) {
            None => Self::Hmac(HmacKey::new(alg, HMAC_SECRET).expect("HMAC key")),
            Some((private, public)) => Self::Pair(
                SigningKey::from_pem(alg, private).expect("signing key"),
                VerifyingKey::from_pem(alg, public).expect("verifying key"),
            ),
        }
    }
}

/// Signs the typical claims with jose-ring: the token every library verifies.
pub(crate) fn lib_sign(key: &LibKey, claims: &Claims) -> String {
    match key {
        LibKey::Hmac(k) => jose_ring::jwt::encode(claims, k),
        LibKey::Pair(k, _) => jose_ring::jwt::encode(claims, k),
    }
    .expect("jose-ring signs")
}

/// The header of a compact token, decoded (for the fixtures' `alg` assertions).
pub(crate) fn header_of(token: &str) -> serde_json::Value {
    let segment = token.split('.').next().expect("a header segment");
    let json = Base64UrlUnpadded::decode_vec(segment).expect("header base64url");
    serde_json::from_slice(&json).expect("header JSON")
}

/// Panics unless `token`'s header names `alg`: no row may measure the wrong algorithm.
pub(crate) fn assert_alg(token: &str, alg: &str, who: &str) {
    let header = header_of(token);
    assert_eq!(
        header.get("alg").and_then(serde_json::Value::as_str),
        Some(alg),
        "{who}: token header {header} is not alg {alg}"
    );
}

// ---------------------------------------------------------------------------------------------
// The floor: ring + base64ct + serde_json by hand.
// ---------------------------------------------------------------------------------------------

/// Why the floor rejected a token (the floor does not say more: it is a measurement).
#[derive(Debug)]
pub(crate) struct Rejected;

impl From<base64ct::Error> for Rejected {
    fn from(_: base64ct::Error) -> Self {
        Self
    }
}

impl From<serde_json::Error> for Rejected {
    fn from(_: serde_json::Error) -> Self {
        Self
    }
}

impl From<ring::error::Unspecified> for Rejected {
    fn from(_: ring::error::Unspecified) -> Self {
        Self
    }
}

/// The floor's view of a header: only what it checks.
#[derive(Deserialize)]
struct FloorHeader<'a> {
    #[serde(borrow)]
    alg: &'a str,
    #[serde(borrow, default)]
    typ: Option<&'a str>,
}

/// A ring key for the floor, parsed once.
#[allow(clippy::large_enum_variant, reason = "one per algorithm, built once")]
pub(crate) enum FloorKey {
    /// HS*.
    Hmac(ring::hmac::Key),
    /// RS* and PS*: ring's key pair, and the public components ring verifies with.
    Rsa {
        pair: signature::RsaKeyPair,
        sign: &'static dyn signature::RsaEncoding,
        verify: &'static signature::RsaParameters,
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// ES*.
    Ecdsa {
        pair: signature::EcdsaKeyPair,
        public: signature::UnparsedPublicKey<Vec<u8>>,
    },
    /// EdDSA.
    Ed25519 {
        pair: signature::Ed25519KeyPair,
        public: signature::UnparsedPublicKey<Vec<u8>>,
    },
}

/// A floor key bound to an algorithm name, with a random source for signing.
pub(crate) struct Floor {
    /// The `alg` the floor signs with and accepts.
    pub(crate) alg: &'static str,
    /// `{"alg":..,"typ":"JWT"}`, as the floor signs it.
    header_json: String,
    key: FloorKey,
    rng: SystemRandom,
}

impl Floor {
    /// Builds the floor key for `alg` from the same fixture files, with ring alone.
    pub(crate) fn load(alg: &'static jwa::Algorithm) -> Self {
        let rng = SystemRandom::new();
        let name = alg.name();
        let key = match name {
            "HS256" => FloorKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, HMAC_SECRET)),
            "HS384" => FloorKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA384, HMAC_SECRET)),
            "HS512" => FloorKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA512, HMAC_SECRET)),
            "RS256" | "PS256" => Self::rsa(name),
            "ES256" => Self::ecdsa(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &signature::ECDSA_P256_SHA256_FIXED,
                P256_PKCS8_PEM,
                &rng,
            ),
            "ES384" => Self::ecdsa(
                &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                &signature::ECDSA_P384_SHA384_FIXED,
                P384_PKCS8_PEM,
                &rng,
            ),
            "EdDSA" => {
                let pair = Self::ed25519_from_pem(ED25519_PKCS8_PEM);
                let public = signature::UnparsedPublicKey::new(
                    &signature::ED25519,
                    pair.public_key().as_ref().to_vec(),
                );
                FloorKey::Ed25519 { pair, public }
            }
            other => panic!("no floor for {other}"),
        };
        Self {
            alg: name,
            header_json: format!(r#"{{"alg":"{name}","typ":"JWT"}}"#),
            key,
            rng,
        }
    }

    fn rsa(name: &str) -> FloorKey {
        let pair = Self::rsa_from_pem(RSA_PKCS8_PEM);
        let (sign, verify): (&'static dyn signature::RsaEncoding, _) = if name == "RS256" {
            (
                &signature::RSA_PKCS1_SHA256,
                &signature::RSA_PKCS1_2048_8192_SHA256,
            )
        } else {
            (
                &signature::RSA_PSS_SHA256,
                &signature::RSA_PSS_2048_8192_SHA256,
            )
        };
        let components: signature::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
        FloorKey::Rsa {
            pair,
            sign,
            verify,
            n: components.n,
            e: components.e,
        }
    }

    fn ecdsa(
        sign: &'static signature::EcdsaSigningAlgorithm,
        verify: &'static signature::EcdsaVerificationAlgorithm,
        pem: &[u8],
        rng: &SystemRandom,
    ) -> FloorKey {
        let pair = Self::ecdsa_from_pem(sign, pem, rng);
        let public = signature::UnparsedPublicKey::new(verify, pair.public_key().as_ref().to_vec());
        FloorKey::Ecdsa { pair, public }
    }

    /// Key import, floor: PEM to DER by hand, then ring's PKCS#8 parser.
    pub(crate) fn rsa_from_pem(pem: &[u8]) -> signature::RsaKeyPair {
        signature::RsaKeyPair::from_pkcs8(&pem_to_der(pem)).expect("ring RSA key")
    }

    /// Key import, floor, ECDSA.
    pub(crate) fn ecdsa_from_pem(
        alg: &'static signature::EcdsaSigningAlgorithm,
        pem: &[u8],
        rng: &SystemRandom,
    ) -> signature::EcdsaKeyPair {
        signature::EcdsaKeyPair::from_pkcs8(alg, &pem_to_der(pem), rng).expect("ring EC key")
    }

    /// Key import, floor, Ed25519 (OpenSSL writes PKCS#8 v1, without the public key).
    pub(crate) fn ed25519_from_pem(pem: &[u8]) -> signature::Ed25519KeyPair {
        signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pem_to_der(pem))
            .expect("ring Ed25519 key")
    }

    /// Signs `message` with ring into `buffer`; returns the signature.
    fn sign_raw<'b>(
        &self,
        message: &[u8],
        buffer: &'b mut [u8; 512],
    ) -> Result<&'b [u8], Rejected> {
        let len = match &self.key {
            FloorKey::Hmac(key) => copy_into(buffer, ring::hmac::sign(key, message).as_ref()),
            FloorKey::Rsa { pair, sign, .. } => {
                let len = pair.public().modulus_len();
                pair.sign(*sign, &self.rng, message, &mut buffer[..len])?;
                len
            }
            FloorKey::Ecdsa { pair, .. } => {
                copy_into(buffer, pair.sign(&self.rng, message)?.as_ref())
            }
            FloorKey::Ed25519 { pair, .. } => copy_into(buffer, pair.sign(message).as_ref()),
        };
        Ok(&buffer[..len])
    }

    /// Checks `signature` over `message` with ring.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Rejected> {
        match &self.key {
            FloorKey::Hmac(key) => ring::hmac::verify(key, message, signature)?,
            FloorKey::Rsa { verify, n, e, .. } => {
                signature::RsaPublicKeyComponents { n, e }.verify(verify, message, signature)?;
            }
            FloorKey::Ecdsa { public, .. } | FloorKey::Ed25519 { public, .. } => {
                public.verify(message, signature)?;
            }
        }
        Ok(())
    }

    /// `sign`, floor: serialize the claims, encode header and payload, sign, encode the
    /// signature.
    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> Result<String, Rejected> {
        let payload = serde_json::to_vec(claims)?;
        let mut token = String::with_capacity(
            (self.header_json.len() + payload.len()) * 4 / 3 + 2 + 512 * 4 / 3 + 4,
        );
        push_b64(&mut token, self.header_json.as_bytes());
        token.push('.');
        push_b64(&mut token, &payload);
        let mut signature = [0u8; 512];
        let signature = self.sign_raw(token.as_bytes(), &mut signature)?;
        token.push('.');
        push_b64(&mut token, signature);
        Ok(token)
    }

    /// Splits, decodes and parses the header, checks `alg` and `typ`, decodes the signature
    /// and verifies it; returns the signing input's payload segment.
    fn check<'t>(&self, token: &'t str) -> Result<&'t str, Rejected> {
        let (signing_input, signature_segment) = token.rsplit_once('.').ok_or(Rejected)?;
        let (header_segment, payload_segment) = signing_input.split_once('.').ok_or(Rejected)?;
        let mut header = [0u8; 256];
        let header = Base64UrlUnpadded::decode(header_segment, &mut header)?;
        let header: FloorHeader<'_> = serde_json::from_slice(header)?;
        if header.alg != self.alg {
            return Err(Rejected);
        }
        if header
            .typ
            .is_some_and(|typ| !typ.eq_ignore_ascii_case("JWT"))
        {
            return Err(Rejected);
        }
        let mut signature = [0u8; 512];
        let signature = Base64UrlUnpadded::decode(signature_segment, &mut signature)?;
        self.verify(signing_input.as_bytes(), signature)?;
        Ok(payload_segment)
    }

    /// `parse`, floor: split, decode the header, parse it; returns the `alg` length.
    pub(crate) fn parse(token: &str) -> Result<usize, Rejected> {
        let (signing_input, _signature) = token.rsplit_once('.').ok_or(Rejected)?;
        let (header_segment, _payload) = signing_input.split_once('.').ok_or(Rejected)?;
        let mut header = [0u8; 256];
        let header = Base64UrlUnpadded::decode(header_segment, &mut header)?;
        let header: FloorHeader<'_> = serde_json::from_slice(header)?;
        Ok(header.alg.len())
    }

    /// `verify`, floor: the JWS checks, then the payload decoded into an owned buffer.
    pub(crate) fn verify_jws(&self, token: &str) -> Result<Vec<u8>, Rejected> {
        let payload_segment = self.check(token)?;
        Ok(Base64UrlUnpadded::decode_vec(payload_segment)?)
    }

    /// `jwt_decode`, floor: the JWS checks, the payload decoded on the stack and deserialized,
    /// and the claims checked as jose-ring's default `Validation` with an issuer and an
    /// audience checks them: `exp` required and `now < exp`, `nbf <= now`, `iat <= now`,
    /// `iss` and `aud` equal.
    pub(crate) fn decode(&self, token: &str, now: i64) -> Result<Claims, Rejected> {
        let payload_segment = self.check(token)?;
        let mut payload = [0u8; 2048];
        let payload = Base64UrlUnpadded::decode(payload_segment, &mut payload)?;
        let claims: Claims = serde_json::from_slice(payload)?;
        if now >= claims.exp || now < claims.nbf || now < claims.iat {
            return Err(Rejected);
        }
        if claims.iss != ISS || claims.aud != AUD {
            return Err(Rejected);
        }
        Ok(claims)
    }
}

/// Appends the base64url encoding of `bytes` to `out`, through a stack buffer.
fn push_b64(out: &mut String, bytes: &[u8]) {
    let mut buffer = [0u8; 2048];
    let encoded = Base64UrlUnpadded::encode(bytes, &mut buffer).expect("fits the buffer");
    out.push_str(encoded);
}

/// Copies `bytes` to the start of `buffer`; returns their length.
fn copy_into(buffer: &mut [u8; 512], bytes: &[u8]) -> usize {
    buffer[..bytes.len()].copy_from_slice(bytes);
    bytes.len()
}

/// The time, in whole seconds, from the system clock (as jose-ring's `SystemClock` reads it).
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
