//! Tests of the DER reader, structures and writers, against openssl's fixtures and ring.

use alloc::vec;
use alloc::vec::Vec;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair, RsaKeyPair,
};

use super::pkcs8::{pkcs8_ec_inner, private_key_info};
use super::reader::{Tag, single};
use super::spki::Algorithm;
use super::writer::{NO_UNUSED_BITS, VERSION_0, VERSION_1, ec_algorithm, integer, tlv};
use super::*;
use crate::error::Unsupported;
use crate::key::pem;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../test-vectors/keys/", $name)).as_slice()
    };
}

/// The DER inside a PEM fixture.
fn der(pem_text: &[u8]) -> Vec<u8> {
    pem::parse(pem_text).unwrap().der.expose().to_vec()
}

fn der_err() -> Error {
    Error::KeyRejected(KeyRejected::Der)
}

const SPKI_FIXTURES: &[&[u8]] = &[
    fixture!("rsa2048.spki.pem"),
    fixture!("rsa2044.spki.pem"),
    fixture!("rsa4096.spki.pem"),
    fixture!("p256.spki.pem"),
    fixture!("p384.spki.pem"),
    fixture!("ed25519.spki.pem"),
];

const PKCS8_FIXTURES: &[(&[u8], PrivateKeyKind)] = &[
    (fixture!("rsa2048.pkcs8.pem"), PrivateKeyKind::Rsa),
    (fixture!("rsa2044.pkcs8.pem"), PrivateKeyKind::Rsa),
    (fixture!("rsa4096.pkcs8.pem"), PrivateKeyKind::Rsa),
    (fixture!("p256.pkcs8.pem"), PrivateKeyKind::Ec(Curve::P256)),
    (fixture!("p384.pkcs8.pem"), PrivateKeyKind::Ec(Curve::P384)),
    (fixture!("ed25519.pkcs8.pem"), PrivateKeyKind::Ed25519),
];

/// The curve, scalar and `[1] publicKey` point of the EC key in a PKCS#8 document.
fn ec_parts(pkcs8: &[u8]) -> (Curve, &[u8], Option<&[u8]>) {
    let info = private_key_info(pkcs8).unwrap();
    let Algorithm::Ec(curve) = info.algorithm else {
        panic!("not EC");
    };
    let key = pkcs8_ec_inner(curve, &info).unwrap();
    assert_eq!(ec_private_scalar(pkcs8).unwrap(), key.d);
    (curve, key.d, key.point)
}

fn ring_ec(curve: Curve, pkcs8: &[u8]) -> EcdsaKeyPair {
    let alg = match curve {
        Curve::P256 => &ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &ECDSA_P384_SHA384_FIXED_SIGNING,
    };
    EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new()).unwrap()
}

#[test]
fn spki_fixtures_parse_to_their_kind() {
    let rsa_sizes = [2048usize, 2044, 4096];
    for (fixture, bits) in SPKI_FIXTURES.iter().zip(rsa_sizes) {
        let der = der(fixture);
        let PublicKeyInfo::Rsa { n, e } = parse_spki(&der).unwrap() else {
            panic!("not RSA");
        };
        assert_ne!(n[0], 0);
        assert_eq!(n.len() * 8 - n[0].leading_zeros() as usize, bits);
        assert_eq!(e, [1, 0, 1]);
    }
    assert!(matches!(
        parse_spki(&der(fixture!("p256.spki.pem"))).unwrap(),
        PublicKeyInfo::Ec { curve: Curve::P256, point } if point.len() == 65
    ));
    assert!(matches!(
        parse_spki(&der(fixture!("p384.spki.pem"))).unwrap(),
        PublicKeyInfo::Ec { curve: Curve::P384, point } if point.len() == 97
    ));
    assert!(matches!(
        parse_spki(&der(fixture!("ed25519.spki.pem"))).unwrap(),
        PublicKeyInfo::Ed25519(k) if k.len() == 32
    ));
}

#[test]
fn der_fixtures_match_their_pem() {
    assert_eq!(
        fixture!("rsa2048.spki.der"),
        der(fixture!("rsa2048.spki.pem"))
    );
    assert_eq!(
        fixture!("rsa2048.pkcs8.der"),
        der(fixture!("rsa2048.pkcs8.pem"))
    );
    assert_eq!(fixture!("p256.spki.der"), der(fixture!("p256.spki.pem")));
    assert_eq!(fixture!("p256.pkcs8.der"), der(fixture!("p256.pkcs8.pem")));
}

#[test]
fn unsupported_public_keys() {
    let cases: &[(&[u8], Unsupported)] = &[
        (fixture!("p521.spki.pem"), Unsupported::Curve("P-521")),
        (
            fixture!("secp256k1.spki.pem"),
            Unsupported::Curve("secp256k1"),
        ),
        (fixture!("ed448.spki.pem"), Unsupported::Curve("Ed448")),
        (fixture!("x25519.spki.pem"), Unsupported::Curve("X25519")),
        (fixture!("x448.spki.pem"), Unsupported::Curve("X448")),
        (fixture!("rsapss.spki.pem"), Unsupported::KeyType),
        (
            fixture!("p256.spki-explicit.pem"),
            Unsupported::Curve("explicit parameters"),
        ),
    ];
    for (fixture, why) in cases {
        assert_eq!(
            parse_spki(&der(fixture)),
            Err(Error::Unsupported(*why)),
            "{why:?}"
        );
    }
}

#[test]
fn unsupported_private_keys() {
    let cases: &[(&[u8], Error)] = &[
        (
            fixture!("p521.pkcs8.pem"),
            Unsupported::Curve("P-521").into(),
        ),
        (
            fixture!("secp256k1.pkcs8.pem"),
            Unsupported::Curve("secp256k1").into(),
        ),
        (fixture!("rsapss.pkcs8.pem"), Unsupported::KeyType.into()),
        (
            fixture!("rsa3prime.pkcs8.pem"),
            Unsupported::RsaKeyShape.into(),
        ),
    ];
    for (fixture, why) in cases {
        assert_eq!(pkcs8_kind(&der(fixture)).as_ref(), Err(why));
    }
    assert_eq!(
        rsa_pkcs1_to_pkcs8(&der(fixture!("rsa3prime.pkcs1.pem"))).err(),
        Some(Unsupported::RsaKeyShape.into())
    );
    assert_eq!(
        sec1_to_pkcs8(&der(fixture!("p256.sec1-explicit.pem"))).err(),
        Some(Unsupported::Curve("explicit parameters").into())
    );
}

#[test]
fn spki_reencodes_byte_for_byte() {
    for fixture in SPKI_FIXTURES {
        let der = der(fixture);
        assert_eq!(spki(&parse_spki(&der).unwrap()), der);
    }
}

#[test]
fn spki_writes_minimal_integers() {
    let written = spki(&PublicKeyInfo::Rsa {
        n: &[0, 0, 0x80, 1],
        e: &[0, 3],
    });
    assert_eq!(
        parse_spki(&written).unwrap(),
        PublicKeyInfo::Rsa {
            n: &[0x80, 1],
            e: &[3]
        }
    );
    assert!(written.ends_with(&[0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x03]));
}

#[test]
fn rsa_public_pkcs1_matches_spki() {
    let pkcs1 = der(fixture!("rsa2048.pkcs1-public.pem"));
    let spki_der = der(fixture!("rsa2048.spki.pem"));
    let PublicKeyInfo::Rsa { n, e } = parse_spki(&spki_der).unwrap() else {
        panic!("not RSA");
    };
    assert_eq!(parse_rsa_public_pkcs1(&pkcs1).unwrap(), (n, e));
}

#[test]
fn pkcs8_fixtures_parse_to_their_kind() {
    for (fixture, kind) in PKCS8_FIXTURES {
        assert_eq!(pkcs8_kind(&der(fixture)).unwrap(), *kind);
    }
    assert_eq!(
        pkcs8_kind(fixture!("rsa2048.pkcs8.der")).unwrap(),
        PrivateKeyKind::Rsa
    );
}

#[test]
fn encrypted_pkcs8_is_reported() {
    assert_eq!(
        pkcs8_kind(fixture!("p256.encrypted-pkcs8.der")),
        Err(KeyRejected::Encrypted.into())
    );
}

#[test]
fn ring_reads_rsa_fixtures_and_agrees_on_the_public_key() {
    for (private, public) in [
        (fixture!("rsa2048.pkcs8.pem"), fixture!("rsa2048.spki.pem")),
        (fixture!("rsa4096.pkcs8.pem"), fixture!("rsa4096.spki.pem")),
    ] {
        let pkcs8 = der(private);
        let spki_der = der(public);
        let PublicKeyInfo::Rsa { n, e } = parse_spki(&spki_der).unwrap() else {
            panic!("not RSA");
        };
        let pair = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(
            parse_rsa_public_pkcs1(pair.public_key().as_ref()).unwrap(),
            (n, e)
        );
        let components = rsa_private_components(&pkcs8).unwrap();
        assert_eq!((components.n, components.e), (n, e));
        // Rebuilt from its components, the document is the same, byte for byte.
        let rebuilt = pkcs8_rsa(&components);
        assert_eq!(rebuilt.expose(), pkcs8);
        RsaKeyPair::from_pkcs8(rebuilt.expose()).unwrap();
    }
}

#[test]
fn rsa_pkcs1_converts_to_the_openssl_pkcs8() {
    let converted = rsa_pkcs1_to_pkcs8(&der(fixture!("rsa2048.pkcs1.pem"))).unwrap();
    assert_eq!(converted.expose(), fixture!("rsa2048.pkcs8.der"));
    RsaKeyPair::from_pkcs8(converted.expose()).unwrap();
}

#[test]
fn sec1_converts_to_the_openssl_pkcs8() {
    for (sec1, pkcs8, spki_pem, curve) in [
        (
            fixture!("p256.sec1.pem"),
            fixture!("p256.pkcs8.pem"),
            fixture!("p256.spki.pem"),
            Curve::P256,
        ),
        (
            fixture!("p256.sec1-params.pem"),
            fixture!("p256.pkcs8.pem"),
            fixture!("p256.spki.pem"),
            Curve::P256,
        ),
        (
            fixture!("p384.sec1.pem"),
            fixture!("p384.pkcs8.pem"),
            fixture!("p384.spki.pem"),
            Curve::P384,
        ),
        (
            fixture!("p384.sec1-params.pem"),
            fixture!("p384.pkcs8.pem"),
            fixture!("p384.spki.pem"),
            Curve::P384,
        ),
    ] {
        let (found, converted) = sec1_to_pkcs8(&der(sec1)).unwrap();
        assert_eq!(found, curve);
        assert_eq!(converted.expose(), der(pkcs8));
        assert_eq!(
            pkcs8_kind(converted.expose()).unwrap(),
            PrivateKeyKind::Ec(curve)
        );
        let pair = ring_ec(curve, converted.expose());
        let spki_der = der(spki_pem);
        let PublicKeyInfo::Ec { point, .. } = parse_spki(&spki_der).unwrap() else {
            panic!("not EC");
        };
        assert_eq!(pair.public_key().as_ref(), point);
    }
}

#[test]
fn sec1_needs_its_parameters_and_public_key() {
    assert_eq!(
        sec1_to_pkcs8(&der(fixture!("p256.sec1-nopub.pem"))).err(),
        Some(KeyRejected::InvalidComponent("public key").into())
    );
    // openssl's PKCS#8 holds an ECPrivateKey without [0] parameters.
    let pkcs8 = der(fixture!("p256.pkcs8.pem"));
    let info = private_key_info(&pkcs8).unwrap();
    assert_eq!(sec1_to_pkcs8(info.private_key).err(), Some(der_err()));
}

#[test]
fn ring_needs_the_ec_public_key() {
    // A PKCS#8 document whose ECPrivateKey lacks [1] publicKey: ring refuses it.
    let openssl = der(fixture!("p256.pkcs8.pem"));
    let (curve, d, point) = ec_parts(&openssl);
    assert!(point.is_some());
    let inner = tlv(Tag::Sequence, &[VERSION_1, &tlv(Tag::OctetString, &[d])]);
    let pkcs8 = tlv(
        Tag::Sequence,
        &[
            VERSION_0,
            &ec_algorithm(curve),
            &tlv(Tag::OctetString, &[&inner]),
        ],
    );
    assert_eq!(pkcs8_kind(&pkcs8).unwrap(), PrivateKeyKind::Ec(curve));
    assert_eq!(ec_parts(&pkcs8).2, None);
    assert!(
        EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &pkcs8,
            &SystemRandom::new()
        )
        .is_err()
    );
}

#[test]
fn pkcs8_ec_round_trips_through_ring() {
    for (fixture, spki_pem) in [
        (fixture!("p256.pkcs8.pem"), fixture!("p256.spki.pem")),
        (fixture!("p384.pkcs8.pem"), fixture!("p384.spki.pem")),
    ] {
        let pkcs8 = der(fixture);
        let (curve, d, point) = ec_parts(&pkcs8);
        assert_eq!(d.len(), curve.coordinate_len());
        let spki_der = der(spki_pem);
        assert_eq!(
            parse_spki(&spki_der).unwrap(),
            PublicKeyInfo::Ec {
                curve,
                point: point.unwrap()
            }
        );
        let rebuilt = pkcs8_ec(curve, d, point.unwrap());
        assert_eq!(rebuilt.expose(), pkcs8);
        let pair = ring_ec(curve, rebuilt.expose());
        assert_eq!(pair.public_key().as_ref(), point.unwrap());
    }
}

#[test]
fn ed25519_v1_and_v2() {
    let pkcs8 = der(fixture!("ed25519.pkcs8.pem"));
    let spki_der = der(fixture!("ed25519.spki.pem"));
    let PublicKeyInfo::Ed25519(public) = parse_spki(&spki_der).unwrap() else {
        panic!("not Ed25519");
    };
    // openssl writes v1, which only `from_pkcs8_maybe_unchecked` takes.
    assert!(Ed25519KeyPair::from_pkcs8(&pkcs8).is_err());
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).unwrap();
    assert_eq!(pair.public_key().as_ref(), public);

    let seed = ed25519_private_seed(&pkcs8).unwrap();
    let v2 = pkcs8_ed25519(seed, public.try_into().unwrap());
    let pair = Ed25519KeyPair::from_pkcs8(v2.expose()).unwrap();
    assert_eq!(pair.public_key().as_ref(), public);
    assert_eq!(pkcs8_kind(v2.expose()).unwrap(), PrivateKeyKind::Ed25519);
    assert_eq!(ed25519_private_seed(v2.expose()).unwrap(), seed);

    // ring's own v2 documents read back.
    let generated = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    assert_eq!(
        pkcs8_kind(generated.as_ref()).unwrap(),
        PrivateKeyKind::Ed25519
    );
}

#[test]
fn helpers_reject_other_key_types() {
    let rsa = der(fixture!("rsa2048.pkcs8.pem"));
    let ec = der(fixture!("p256.pkcs8.pem"));
    assert_eq!(ec_private_scalar(&rsa).err(), Some(der_err()));
    assert_eq!(ed25519_private_seed(&ec).err(), Some(der_err()));
    assert_eq!(rsa_private_components(&ec).err(), Some(der_err()));
}

/// A document, and whether the parser meant for it reads it.
type Document = (Vec<u8>, fn(&[u8]) -> bool);

/// Every document, with the parser that must read it.
fn documents() -> Vec<Document> {
    let spki_ok: fn(&[u8]) -> bool = |d| parse_spki(d).is_ok();
    let pkcs8_ok: fn(&[u8]) -> bool = |d| pkcs8_kind(d).is_ok();
    let mut docs: Vec<Document> = Vec::new();
    for fixture in SPKI_FIXTURES {
        docs.push((der(fixture), spki_ok));
    }
    for (fixture, _) in PKCS8_FIXTURES {
        docs.push((der(fixture), pkcs8_ok));
    }
    docs.push((der(fixture!("rsa2048.pkcs1.pem")), |d| {
        rsa_pkcs1_to_pkcs8(d).is_ok()
    }));
    docs.push((der(fixture!("rsa2048.pkcs1-public.pem")), |d| {
        parse_rsa_public_pkcs1(d).is_ok()
    }));
    docs.push((der(fixture!("p256.sec1.pem")), |d| sec1_to_pkcs8(d).is_ok()));
    docs.push((der(fixture!("p384.sec1.pem")), |d| sec1_to_pkcs8(d).is_ok()));
    docs
}

#[test]
fn every_truncation_and_every_extension_fails() {
    for (doc, parses) in documents() {
        assert!(parses(&doc));
        for len in 0..doc.len() {
            assert!(!parses(&doc[..len]), "prefix of {len} bytes parsed");
        }
        for extra in [&[0u8][..], &[0, 0], &[5, 0]] {
            let mut longer = doc.clone();
            longer.extend_from_slice(extra);
            assert!(!parses(&longer), "trailing bytes accepted");
        }
    }
    // The encrypted document too.
    let encrypted = fixture!("p256.encrypted-pkcs8.der");
    for len in 0..encrypted.len() {
        assert_eq!(pkcs8_kind(&encrypted[..len]), Err(der_err()));
    }
}

#[test]
fn every_single_byte_change_is_safe() {
    // No panic whatever byte changes; most changes are rejected.
    for (doc, parses) in documents() {
        for i in 0..doc.len() {
            for bit in [0x01u8, 0x80] {
                let mut changed = doc.clone();
                changed[i] ^= bit;
                let _ = parses(&changed);
            }
        }
    }
}

#[test]
fn lengths_must_be_minimal_and_definite() {
    let good = fixture!("p256.spki.der");
    assert_eq!(good[..2], [0x30, 0x59]);
    // Long form for a length under 128.
    let mut long_form = vec![0x30, 0x81, 0x59];
    long_form.extend_from_slice(&good[2..]);
    assert_eq!(parse_spki(&long_form), Err(der_err()));
    // Leading zero in a long-form length.
    let mut padded = vec![0x30, 0x82, 0x00, 0x59];
    padded.extend_from_slice(&good[2..]);
    assert_eq!(parse_spki(&padded), Err(der_err()));
    // Indefinite length.
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(&good[2..]);
    indefinite.extend_from_slice(&[0, 0]);
    assert_eq!(parse_spki(&indefinite), Err(der_err()));
    // The RSA fixture needs the long form, with two bytes.
    let rsa = fixture!("rsa2048.spki.der");
    assert_eq!(rsa[..2], [0x30, 0x82]);
    let mut five = vec![0x30, 0x85, 0, 0, 0];
    five.extend_from_slice(&rsa[2..]);
    assert_eq!(parse_spki(&five), Err(der_err()));
    // Multi-byte tags.
    assert_eq!(parse_spki(&[0x1f, 0x81, 0x00, 0x00]), Err(der_err()));
    // A length past the end, and one that overflows.
    assert_eq!(
        parse_spki(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
        Err(der_err())
    );
}

#[test]
fn integers_must_be_minimal_and_positive() {
    let rsa_public = |n: &[u8], e: &[u8]| {
        tlv(
            Tag::Sequence,
            &[&tlv(Tag::Integer, &[n]), &tlv(Tag::Integer, &[e])],
        )
    };
    assert_eq!(
        parse_rsa_public_pkcs1(&rsa_public(&[0x00, 0x80], &[0x03])).unwrap(),
        (&[0x80][..], &[0x03][..])
    );
    assert_eq!(
        parse_rsa_public_pkcs1(&rsa_public(&[0x7f], &[0x01, 0x00])).unwrap(),
        (&[0x7f][..], &[0x01, 0x00][..])
    );
    for (n, e) in [
        (&[0x00, 0x7f][..], &[0x03][..]), // non-minimal
        (&[0x00, 0x00, 0x80], &[0x03]),   // non-minimal
        (&[0x80], &[0x03]),               // negative
        (&[0xff, 0x80], &[0x03]),         // negative
        (&[0x00], &[0x03]),               // zero
        (&[], &[0x03]),                   // empty
        (&[0x05], &[0x00, 0x03]),         // non-minimal exponent
    ] {
        assert_eq!(parse_rsa_public_pkcs1(&rsa_public(n, e)), Err(der_err()));
    }
    // A non-minimal version: 30 81 87 | 02 01 00 | rest.
    let pkcs8 = der(fixture!("p256.pkcs8.pem"));
    assert_eq!(pkcs8[..6], [0x30, 0x81, 0x87, 0x02, 0x01, 0x00]);
    let same = tlv(
        Tag::Sequence,
        &[&[Tag::Integer.byte(), 0x01, 0x00], &pkcs8[6..]],
    );
    assert_eq!(*same, pkcs8);
    let bad_version = tlv(
        Tag::Sequence,
        &[&[Tag::Integer.byte(), 0x02, 0x00, 0x00], &pkcs8[6..]],
    );
    assert_eq!(pkcs8_kind(&bad_version), Err(der_err()));
    let version_2 = tlv(
        Tag::Sequence,
        &[&[Tag::Integer.byte(), 0x01, 0x02], &pkcs8[6..]],
    );
    assert_eq!(pkcs8_kind(&version_2), Err(der_err()));
}

#[test]
fn bit_strings_must_have_no_unused_bits() {
    let mut spki_der = fixture!("p256.spki.der").to_vec();
    // SEQUENCE { SEQUENCE (21 bytes), BIT STRING 66 bytes: 03 42 00 04 ... }
    assert_eq!(spki_der[23..26], [0x03, 0x42, 0x00]);
    spki_der[25] = 0x01;
    assert_eq!(parse_spki(&spki_der), Err(der_err()));
}

#[test]
fn points_must_be_uncompressed_and_of_the_curve() {
    let good = der(fixture!("p256.spki.pem"));
    let PublicKeyInfo::Ec { point, .. } = parse_spki(&good).unwrap() else {
        panic!("not EC");
    };
    let mut compressed = vec![0x02 | (point[64] & 1)];
    compressed.extend_from_slice(&point[1..33]);
    for bad in [&compressed[..], &point[..64]] {
        let written = spki(&PublicKeyInfo::Ec {
            curve: Curve::P256,
            point: bad,
        });
        assert_eq!(parse_spki(&written), Err(bad_public_key()));
    }
    let written = spki(&PublicKeyInfo::Ec {
        curve: Curve::P384,
        point,
    });
    assert_eq!(parse_spki(&written), Err(bad_public_key()));
    let written = spki(&PublicKeyInfo::Ed25519(&[7; 31]));
    assert_eq!(parse_spki(&written), Err(bad_public_key()));
}

#[test]
fn algorithm_parameters_are_strict() {
    // rsaEncryption without its NULL.
    let rsa = der(fixture!("rsa2048.spki.pem"));
    let PublicKeyInfo::Rsa { n, e } = parse_spki(&rsa).unwrap() else {
        panic!("not RSA");
    };
    let key = tlv(Tag::Sequence, &[&integer(n), &integer(e)]);
    let no_null = tlv(
        Tag::Sequence,
        &[
            &tlv(Tag::Sequence, &[&tlv(Tag::Oid, &[oid::RSA_ENCRYPTION])]),
            &tlv(Tag::BitString, &[NO_UNUSED_BITS, &key]),
        ],
    );
    assert_eq!(parse_spki(&no_null), Err(der_err()));
    // Ed25519 with parameters.
    let with_params = tlv(
        Tag::Sequence,
        &[
            &tlv(
                Tag::Sequence,
                &[&tlv(Tag::Oid, &[oid::ED25519]), &[Tag::Null.byte(), 0]],
            ),
            &tlv(Tag::BitString, &[NO_UNUSED_BITS, &[0; 32]]),
        ],
    );
    assert_eq!(parse_spki(&with_params), Err(der_err()));
    // An unknown algorithm.
    let unknown = tlv(
        Tag::Sequence,
        &[
            &tlv(Tag::Sequence, &[&tlv(Tag::Oid, &[&[0x2a, 0x03]])]),
            &tlv(Tag::BitString, &[NO_UNUSED_BITS]),
        ],
    );
    assert_eq!(parse_spki(&unknown), Err(Unsupported::KeyType.into()));
}

#[test]
fn pkcs8_v1_must_not_carry_a_public_key() {
    let pkcs8 = der(fixture!("ed25519.pkcs8.pem"));
    let spki_der = der(fixture!("ed25519.spki.pem"));
    let PublicKeyInfo::Ed25519(public) = parse_spki(&spki_der).unwrap() else {
        panic!("not Ed25519");
    };
    let mut v1_with_public = pkcs8[2..].to_vec();
    v1_with_public.extend_from_slice(&tlv(
        Tag::ContextSpecificPrimitive1,
        &[NO_UNUSED_BITS, public],
    ));
    let v1_with_public = tlv(Tag::Sequence, &[&v1_with_public]);
    assert_eq!(pkcs8_kind(&v1_with_public), Err(der_err()));
}

#[test]
fn secrets_are_sized_exactly() {
    // The writers allocate each buffer at its final size.
    for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536] {
        let value = vec![1u8; len];
        let out = tlv(Tag::OctetString, &[&value]);
        assert_eq!(out.len(), out.capacity());
        assert_eq!(single(&out, Tag::OctetString).unwrap(), value);
    }
}
