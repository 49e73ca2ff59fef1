//! Key import and export through the public API, over the OpenSSL fixtures of
//! `test-vectors/keys/` (see its README for how each was made).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::{Error, KeyRejected, SigningKey, Unsupported, VerifyingKey, jwa, jws};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../test-vectors/keys/", $name)).as_slice()
    };
}

/// Signs with `private`, verifies with `public`, both bound to `alg`.
fn assert_pair(alg: &'static jwa::Algorithm, private: &SigningKey, public: &VerifyingKey) {
    let token = jws::sign(b"fixture", &jws::Header::new(), private).unwrap();
    assert_eq!(jws::verify(&token, public).unwrap().payload(), b"fixture");
    assert_eq!(
        private.verifying_key().to_spki_der(),
        public.to_spki_der(),
        "{alg}"
    );
}

#[test]
fn rsa_private_forms_agree() {
    let public = VerifyingKey::from_pem(&jwa::RS256, fixture!("rsa2048.spki.pem")).unwrap();
    let forms = [
        SigningKey::from_pem(&jwa::RS256, fixture!("rsa2048.pkcs8.pem")).unwrap(),
        SigningKey::from_pem(&jwa::RS256, fixture!("rsa2048.pkcs1.pem")).unwrap(),
        SigningKey::from_pkcs8_der(&jwa::RS256, fixture!("rsa2048.pkcs8.der")).unwrap(),
    ];
    for key in &forms {
        assert_pair(&jwa::RS256, key, &public);
    }
    // PKCS#1 v1.5 signatures are deterministic: every form signs alike.
    let tokens: Vec<String> = forms
        .iter()
        .map(|k| jws::sign(b"x", &jws::Header::new(), k).unwrap())
        .collect();
    assert!(tokens.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn rsa_public_forms_agree() {
    let der = fixture!("rsa2048.spki.der");
    for key in [
        VerifyingKey::from_pem(&jwa::PS256, fixture!("rsa2048.spki.pem")).unwrap(),
        VerifyingKey::from_pem(&jwa::PS256, fixture!("rsa2048.pkcs1-public.pem")).unwrap(),
        VerifyingKey::from_spki_der(&jwa::PS256, der).unwrap(),
    ] {
        assert_eq!(key.to_spki_der(), der);
        assert_eq!(key.to_spki_pem().as_bytes(), fixture!("rsa2048.spki.pem"));
    }
}

#[test]
fn rsa_sizes() {
    let big = SigningKey::from_pem(&jwa::RS512, fixture!("rsa4096.pkcs8.pem")).unwrap();
    let big_public = VerifyingKey::from_pem(&jwa::RS512, fixture!("rsa4096.spki.pem")).unwrap();
    assert_pair(&jwa::RS512, &big, &big_public);
    assert_eq!(
        VerifyingKey::from_pem(&jwa::RS256, fixture!("rsa2044.spki.pem")).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::RsaModulusSize {
            bits: 2044
        }))
    );
}

#[test]
fn rsa_shapes_ring_cannot_use() {
    for pem in [
        fixture!("rsa3prime.pkcs8.pem"),
        fixture!("rsa3prime.pkcs1.pem"),
    ] {
        assert_eq!(
            SigningKey::from_pem(&jwa::RS256, pem).map(|_| ()),
            Err(Error::Unsupported(Unsupported::RsaKeyShape))
        );
    }
    assert_eq!(
        SigningKey::from_pem(&jwa::PS256, fixture!("rsapss.pkcs8.pem")).map(|_| ()),
        Err(Error::Unsupported(Unsupported::KeyType))
    );
    assert_eq!(
        VerifyingKey::from_pem(&jwa::PS256, fixture!("rsapss.spki.pem")).map(|_| ()),
        Err(Error::Unsupported(Unsupported::KeyType))
    );
}

#[test]
fn rsa_components() {
    let n = [0xff; 256];
    let key = VerifyingKey::from_rsa_components(&jwa::RS256, &n, &[1, 0, 1]).unwrap();
    assert_eq!(key.algorithm(), &jwa::RS256);
    // Leading zeros are ignored; the size is counted exactly.
    let mut padded = vec![0, 0];
    padded.extend(n);
    assert!(VerifyingKey::from_rsa_components(&jwa::RS256, &padded, &[1, 0, 1]).is_ok());
    let mut short = [0xff; 256];
    short[0] = 0x0f;
    assert_eq!(
        VerifyingKey::from_rsa_components(&jwa::RS256, &short, &[1, 0, 1]).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::RsaModulusSize {
            bits: 2044
        }))
    );
    assert_eq!(
        VerifyingKey::from_rsa_components(&jwa::RS256, &[0xff; 1025], &[3]).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::RsaModulusSize {
            bits: 8200
        }))
    );
    let mut even = [0xff; 256];
    even[255] = 0xfe;
    assert_eq!(
        VerifyingKey::from_rsa_components(&jwa::RS256, &even, &[3]).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::InvalidComponent("n")))
    );
    for e in [&[][..], &[1], &[2], &[4], &[1, 0, 0, 0, 0, 1]] {
        assert_eq!(
            VerifyingKey::from_rsa_components(&jwa::RS256, &n, e).map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::RsaExponent)),
            "{e:?}"
        );
    }
    assert_eq!(
        VerifyingKey::from_rsa_components(&jwa::ES256, &n, &[3]).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "ES256"
        }))
    );
}

#[test]
fn ec_private_forms_agree() {
    for (alg, prefix) in [(&jwa::ES256, "p256"), (&jwa::ES384, "p384")] {
        let (pkcs8, sec1, params, spki) = match prefix {
            "p256" => (
                fixture!("p256.pkcs8.pem"),
                fixture!("p256.sec1.pem"),
                fixture!("p256.sec1-params.pem"),
                fixture!("p256.spki.pem"),
            ),
            _ => (
                fixture!("p384.pkcs8.pem"),
                fixture!("p384.sec1.pem"),
                fixture!("p384.sec1-params.pem"),
                fixture!("p384.spki.pem"),
            ),
        };
        let public = VerifyingKey::from_pem(alg, spki).unwrap();
        for pem in [pkcs8, sec1, params] {
            assert_pair(alg, &SigningKey::from_pem(alg, pem).unwrap(), &public);
        }
        assert_eq!(public.to_spki_pem().as_bytes(), spki);
    }
    let der = SigningKey::from_pkcs8_der(&jwa::ES256, fixture!("p256.pkcs8.der")).unwrap();
    assert_eq!(der.verifying_key().to_spki_der(), fixture!("p256.spki.der"));
}

#[test]
fn ec_keys_bound_to_their_curve() {
    let wrong = Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
        expected: "ES384",
    }));
    assert_eq!(
        SigningKey::from_pem(&jwa::ES384, fixture!("p256.pkcs8.pem")).map(|_| ()),
        wrong
    );
    assert_eq!(
        VerifyingKey::from_pem(&jwa::ES384, fixture!("p256.spki.pem")).map(|_| ()),
        wrong
    );
    assert_eq!(
        SigningKey::from_pem(&jwa::RS256, fixture!("p256.pkcs8.pem")).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "RS256"
        }))
    );
    assert_eq!(
        SigningKey::from_pem(&jwa::ES256, fixture!("p256.sec1-nopub.pem")).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::InvalidComponent(
            "public key"
        )))
    );
}

#[test]
fn ec_points_are_checked() {
    let good = SigningKey::generate(&jwa::ES256)
        .unwrap()
        .verifying_key()
        .to_spki_der();
    let point = &good[good.len() - 65..];
    assert!(VerifyingKey::from_ec_point(&jwa::ES256, point).is_ok());
    let bad = Err(Error::KeyRejected(KeyRejected::InvalidComponent("point")));
    let mut off_curve = point.to_vec();
    off_curve[64] ^= 1;
    assert_eq!(
        VerifyingKey::from_ec_point(&jwa::ES256, &off_curve).map(|_| ()),
        bad
    );
    let mut compressed = vec![2];
    compressed.extend(&point[1..33]);
    assert_eq!(
        VerifyingKey::from_ec_point(&jwa::ES256, &compressed).map(|_| ()),
        bad
    );
    assert_eq!(
        VerifyingKey::from_ec_point(&jwa::ES256, &point[..64]).map(|_| ()),
        bad
    );
    assert_eq!(
        VerifyingKey::from_ec_point(&jwa::ES384, point).map(|_| ()),
        bad
    );
    let mut zero = vec![4];
    zero.extend([0; 64]);
    assert_eq!(
        VerifyingKey::from_ec_point(&jwa::ES256, &zero).map(|_| ()),
        bad
    );
}

#[test]
fn ed25519_forms() {
    let private = SigningKey::from_pem(&jwa::EdDSA, fixture!("ed25519.pkcs8.pem")).unwrap();
    let public = VerifyingKey::from_pem(&jwa::EdDSA, fixture!("ed25519.spki.pem")).unwrap();
    assert_pair(&jwa::EdDSA, &private, &public);
    let raw = &public.to_spki_der()[12..];
    assert_eq!(
        VerifyingKey::from_ed25519_bytes(&jwa::EdDSA, raw)
            .unwrap()
            .to_spki_der(),
        public.to_spki_der()
    );
    assert_eq!(
        VerifyingKey::from_ed25519_bytes(&jwa::EdDSA, &raw[1..]).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::InvalidComponent("x")))
    );
}

#[test]
fn curves_ring_lacks_are_named() {
    for (pem, curve) in [
        (fixture!("p521.pkcs8.pem"), "P-521"),
        (fixture!("secp256k1.pkcs8.pem"), "secp256k1"),
    ] {
        assert_eq!(
            SigningKey::from_pem(&jwa::ES256, pem).map(|_| ()),
            Err(Error::Unsupported(Unsupported::Curve(curve)))
        );
    }
    for (pem, curve) in [
        (fixture!("p521.spki.pem"), "P-521"),
        (fixture!("secp256k1.spki.pem"), "secp256k1"),
        (fixture!("ed448.spki.pem"), "Ed448"),
        (fixture!("x25519.spki.pem"), "X25519"),
        (fixture!("x448.spki.pem"), "X448"),
    ] {
        assert_eq!(
            VerifyingKey::from_pem(&jwa::EdDSA, pem).map(|_| ()),
            Err(Error::Unsupported(Unsupported::Curve(curve)))
        );
    }
}

#[test]
fn encrypted_keys_say_so() {
    for pem in [
        fixture!("p256.encrypted-pkcs8.pem"),
        fixture!("p256.sec1-legacy-encrypted.pem"),
    ] {
        assert_eq!(
            SigningKey::from_pem(&jwa::ES256, pem).map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::Encrypted))
        );
    }
    assert_eq!(
        SigningKey::from_pkcs8_der(&jwa::ES256, fixture!("p256.encrypted-pkcs8.der")).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Encrypted))
    );
}

#[test]
fn pem_labels_must_fit_the_call() {
    assert_eq!(
        VerifyingKey::from_pem(&jwa::ES256, fixture!("p256.pkcs8.pem")).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Pem))
    );
    assert_eq!(
        SigningKey::from_pem(&jwa::ES256, fixture!("p256.spki.pem")).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Pem))
    );
    assert_eq!(
        SigningKey::from_pem(&jwa::ES256, b"not a pem").map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::Pem))
    );
}

#[test]
fn generation_and_pkcs8_export() {
    for alg in [&jwa::ES256, &jwa::ES384, &jwa::EdDSA] {
        let key = SigningKey::generate(alg).unwrap();
        let pem = key.to_pkcs8_pem();
        assert!(pem.expose().starts_with(b"-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(
            format!("{pem:?}"),
            format!("Secret({} bytes, redacted)", pem.expose().len())
        );
        let again = SigningKey::from_pem(alg, pem.expose()).unwrap();
        assert_eq!(
            again.verifying_key().to_spki_der(),
            key.verifying_key().to_spki_der()
        );
        let der = SigningKey::from_pkcs8_der(alg, key.to_pkcs8_der().expose()).unwrap();
        assert_pair(alg, &der, &key.verifying_key());
    }
    for alg in [&jwa::RS256, &jwa::PS512] {
        assert_eq!(
            SigningKey::generate(alg).map(|_| ()),
            Err(Error::Unsupported(Unsupported::RsaKeyGeneration))
        );
    }
    assert_eq!(
        SigningKey::generate(&jwa::HS256).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::WrongAlgorithm {
            expected: "HS256"
        }))
    );
}
