//! The classic JWS attacks and parser abuses, one test each: every one must fail with the
//! exact error that names it, before any key material is misused.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    reason = "tests: a panic is a failed test"
)]
mod common;

use common::{b64, forge, hs256_key};
use jose_ring::{
    CritProblem, Error, HmacKey, JsonProblem, KeyRejected, Limits, Malformed, SigningKey,
    UnencodedProblem, Unsupported, VerifyingKey, jwa, jws,
};

const PAYLOAD: &str = "eyJzdWIiOiJhZGEifQ"; // {"sub":"ada"}

fn verify(token: &str) -> Result<(), Error> {
    jws::verify(token, &hs256_key()).map(|_| ())
}

fn rsa_public() -> VerifyingKey {
    let pem = include_bytes!("../test-vectors/keys/rsa2048.spki.pem");
    VerifyingKey::from_pem(&jwa::RS256, pem).unwrap()
}

#[test]
fn alg_none_in_any_spelling_is_rejected() {
    let rsa = rsa_public();
    for none in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{none}"}}"#);
        let unsigned = format!("{}.{PAYLOAD}.", b64(header.as_bytes()));
        let signed = forge(&header, PAYLOAD);
        for token in [&unsigned, &signed] {
            assert_eq!(
                verify(token),
                Err(Error::Unsupported(Unsupported::None)),
                "{none}"
            );
            assert_eq!(
                jws::verify(token, &rsa).map(|_| ()),
                Err(Error::Unsupported(Unsupported::None))
            );
        }
    }
}

#[test]
fn hs256_forged_with_the_rsa_public_key_as_secret() {
    // The attacker knows the public key and MACs a token with its PEM text as the secret.
    let public = rsa_public();
    let pem = public.to_spki_pem();
    let forger = HmacKey::new(&jwa::HS256, pem.as_bytes()).unwrap();
    let token = jws::sign(br#"{"sub":"admin"}"#, &jws::Header::new(), &forger).unwrap();
    assert_eq!(
        jws::verify(&token, &public).map(|_| ()),
        Err(Error::AlgorithmMismatch { expected: "RS256" })
    );
    // And the same with the DER bytes.
    let forger = HmacKey::new(&jwa::HS256, &public.to_spki_der()).unwrap();
    let token = jws::sign(br#"{"sub":"admin"}"#, &jws::Header::new(), &forger).unwrap();
    assert_eq!(
        jws::verify(&token, &public).map(|_| ()),
        Err(Error::AlgorithmMismatch { expected: "RS256" })
    );
}

#[test]
fn hmac_key_shorter_than_the_hash_is_refused_for_signing_and_verifying() {
    for (alg, min) in [(&jwa::HS256, 32), (&jwa::HS384, 48), (&jwa::HS512, 64)] {
        assert_eq!(
            HmacKey::new(alg, &vec![1; min - 1]).map(|_| ()),
            Err(Error::KeyRejected(KeyRejected::HmacTooShort { min }))
        );
    }
}

#[test]
fn rsa_2044_bit_modulus_is_refused() {
    let public = include_bytes!("../test-vectors/keys/rsa2044.spki.pem");
    assert_eq!(
        VerifyingKey::from_pem(&jwa::RS256, public).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::RsaModulusSize {
            bits: 2044
        }))
    );
    let private = include_bytes!("../test-vectors/keys/rsa2044.pkcs8.pem");
    assert_eq!(
        SigningKey::from_pem(&jwa::RS256, private).map(|_| ()),
        Err(Error::KeyRejected(KeyRejected::RsaModulusSize {
            bits: 2044
        }))
    );
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of a fixed-length `R || S` signature.
fn to_der(fixed: &[u8]) -> Vec<u8> {
    let int = |half: &[u8]| {
        let trimmed: Vec<u8> = half.iter().copied().skip_while(|&b| b == 0).collect();
        let mut body = if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            vec![0]
        } else {
            vec![]
        };
        body.extend(trimmed);
        let mut out = vec![0x02, body.len() as u8];
        out.extend(body);
        out
    };
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

#[test]
fn ecdsa_signature_in_der_form_is_rejected() {
    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let token = jws::sign(b"x", &jws::Header::new(), &key).unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let fixed = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(signature).unwrap();
    assert_eq!(fixed.len(), 64);
    let der_token = format!("{input}.{}", b64(&to_der(&fixed)));
    assert_eq!(
        jws::verify(&der_token, &key.verifying_key()).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    assert!(jws::verify(&token, &key.verifying_key()).is_ok());
}

#[test]
fn non_canonical_base64url_is_rejected() {
    let good = forge(r#"{"alg":"HS256"}"#, PAYLOAD);
    assert_eq!(verify(&good), Ok(()));
    // Padding and the standard alphabet are outside the token alphabet.
    for bad in [
        format!("{good}="),
        good.replacen('-', "+", 1),
        good.replacen('_', "/", 1),
    ] {
        if bad != good {
            assert_eq!(
                verify(&bad),
                Err(Error::Malformed(Malformed::Character)),
                "{bad}"
            );
        }
    }
    // Non-zero trailing bits: "e30" is {} and "e31" decodes to the same bytes non-canonically.
    let (input, sig) = good.rsplit_once('.').unwrap();
    let last = sig.chars().last().unwrap();
    let twin = match last {
        'A' => 'B',
        'E' => 'F',
        'I' => 'J',
        'M' => 'N',
        'Q' => 'R',
        'U' => 'V',
        'Y' => 'Z',
        'c' => 'd',
        'g' => 'h',
        'k' => 'l',
        'o' => 'p',
        's' => 't',
        'w' => 'x',
        '0' => '1',
        '4' => '5',
        '8' => '9',
        other => panic!("unexpected last char {other}"),
    };
    let bad_sig = format!("{input}.{}{twin}", &sig[..sig.len() - 1]);
    assert_eq!(
        verify(&bad_sig),
        Err(Error::Malformed(Malformed::Base64("signature")))
    );
    // In the header: `{"alg":"HS256" }` is 16 bytes, so its encoding ends in a character
    // with four spare bits: 'Q' (16) is canonical, 'R' (17) decodes the same non-canonically.
    let header = b64(br#"{"alg":"HS256" }"#);
    assert_eq!(header, "eyJhbGciOiJIUzI1NiIgfQ");
    let token = format!("{}R.{PAYLOAD}.{}", &header[..header.len() - 1], sig);
    assert_eq!(
        verify(&token),
        Err(Error::Malformed(Malformed::Base64("header")))
    );
    // In the payload, signed as it is: the MAC holds, the payload still fails to decode.
    let token = forge(r#"{"alg":"HS256"}"#, "e31");
    assert_eq!(
        verify(&token),
        Err(Error::Malformed(Malformed::Base64("payload")))
    );
    assert_eq!(verify(&forge(r#"{"alg":"HS256"}"#, "e30")), Ok(()));
    // A length no encoding has.
    let token = forge(r#"{"alg":"HS256"}"#, "e30AA");
    assert_eq!(
        verify(&token),
        Err(Error::Malformed(Malformed::Base64("payload")))
    );
}

#[test]
fn bytes_outside_the_token_alphabet_are_rejected() {
    let good = forge(r#"{"alg":"HS256"}"#, PAYLOAD);
    for (at, byte) in [
        (3, " "),
        (3, "\n"),
        (10, "\t"),
        (0, " "),
        (5, "é"),
        (20, "*"),
    ] {
        let mut bad = good.clone();
        bad.insert_str(at, byte);
        assert_eq!(
            verify(&bad),
            Err(Error::Malformed(Malformed::Character)),
            "{bad:?}"
        );
    }
    let trailing = format!("{good}\n");
    assert_eq!(
        verify(&trailing),
        Err(Error::Malformed(Malformed::Character))
    );
    let payload_space = forge(r#"{"alg":"HS256"}"#, "e30 ");
    assert_eq!(
        verify(&payload_space),
        Err(Error::Malformed(Malformed::Character))
    );
}

#[test]
fn segment_count_must_be_three() {
    let good = forge(r#"{"alg":"HS256"}"#, PAYLOAD);
    for bad in [
        String::new(),
        ".".into(),
        "abc".into(),
        good.rsplit_once('.').unwrap().0.to_string(),
        format!("{good}."),
        format!("{good}.AAAA.AAAA"),
        format!(".{good}"),
    ] {
        assert_eq!(
            verify(&bad),
            Err(Error::Malformed(Malformed::Segments)),
            "{bad}"
        );
    }
}

#[test]
fn duplicate_header_members_are_rejected() {
    for header in [
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
        r#"{"alg":"HS256","x":{"y":1,"y":2}}"#,
    ] {
        assert_eq!(
            verify(&forge(header, PAYLOAD)),
            Err(Error::Malformed(Malformed::Json {
                part: "header",
                problem: JsonProblem::DuplicateMember
            })),
            "{header}"
        );
    }
}

#[test]
fn header_must_be_a_strict_json_object() {
    let json = |problem| {
        Err(Error::Malformed(Malformed::Json {
            part: "header",
            problem,
        }))
    };
    assert_eq!(
        verify(&forge(r#"["alg","HS256"]"#, PAYLOAD)),
        json(JsonProblem::NotObject)
    );
    assert_eq!(
        verify(&forge(r#""HS256""#, PAYLOAD)),
        json(JsonProblem::NotObject)
    );
    assert_eq!(
        verify(&forge(r#"{"alg":"HS256"} x"#, PAYLOAD)),
        json(JsonProblem::TrailingCharacters)
    );
    assert!(matches!(
        verify(&forge(r#"{"alg":"HS256""#, PAYLOAD)),
        Err(Error::Malformed(Malformed::Json {
            problem: JsonProblem::Syntax { .. },
            ..
        }))
    ));
    let deep = format!(
        r#"{{"alg":"HS256","x":{}{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    assert_eq!(verify(&forge(&deep, PAYLOAD)), json(JsonProblem::TooDeep));
    // Registered members of the wrong type are errors, never "absent".
    for (header, member) in [
        (r#"{"alg":1}"#, "alg"),
        (r#"{"alg":["HS256"]}"#, "alg"),
        (r#"{"alg":"HS256","kid":7}"#, "kid"),
        (r#"{"alg":"HS256","typ":null}"#, "typ"),
        (r#"{"alg":"HS256","cty":{}}"#, "cty"),
    ] {
        assert_eq!(
            verify(&forge(header, PAYLOAD)),
            Err(Error::Malformed(Malformed::InvalidMember(member))),
            "{header}"
        );
    }
    assert_eq!(
        verify(&forge(r#"{"typ":"JWT"}"#, PAYLOAD)),
        Err(Error::Malformed(Malformed::MissingMember("alg")))
    );
    let long_kid = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(257));
    assert_eq!(
        verify(&forge(&long_kid, PAYLOAD)),
        Err(Error::TooLarge {
            what: "kid",
            limit: 256
        })
    );
}

#[test]
fn crit_rules_of_rfc7515_4_1_11() {
    let crit = |p| Err(Error::Malformed(Malformed::Crit(p)));
    for (header, expected) in [
        (r#"{"alg":"HS256","crit":[]}"#, crit(CritProblem::Malformed)),
        (
            r#"{"alg":"HS256","crit":"b64","b64":true}"#,
            crit(CritProblem::Malformed),
        ),
        (
            r#"{"alg":"HS256","crit":[1]}"#,
            crit(CritProblem::Malformed),
        ),
        (
            r#"{"alg":"HS256","crit":["b64","b64"],"b64":true}"#,
            crit(CritProblem::Malformed),
        ),
        (
            r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
            crit(CritProblem::Unknown),
        ),
        (
            r#"{"alg":"HS256","crit":["alg"]}"#,
            crit(CritProblem::Registered),
        ),
        (
            r#"{"alg":"HS256","crit":["kid"],"kid":"a"}"#,
            crit(CritProblem::Registered),
        ),
        (
            r#"{"alg":"HS256","crit":["b64"]}"#,
            crit(CritProblem::Absent),
        ),
        (
            r#"{"alg":"HS256","crit":null}"#,
            crit(CritProblem::Malformed),
        ),
    ] {
        assert_eq!(verify(&forge(header, PAYLOAD)), expected, "{header}");
    }
    // Understood and present: accepted.
    assert_eq!(
        verify(&forge(
            r#"{"alg":"HS256","crit":["b64"],"b64":true}"#,
            PAYLOAD
        )),
        Ok(())
    );
}

#[test]
fn b64_rules_of_rfc7797() {
    let unencoded = |p| Err(Error::Malformed(Malformed::Unencoded(p)));
    assert_eq!(
        verify(&forge(r#"{"alg":"HS256","b64":false}"#, "text")),
        unencoded(UnencodedProblem::NotCritical)
    );
    assert_eq!(
        verify(&forge(r#"{"alg":"HS256","b64":true}"#, PAYLOAD)),
        unencoded(UnencodedProblem::NotCritical)
    );
    assert_eq!(
        verify(&forge(
            r#"{"alg":"HS256","b64":"false","crit":["b64"]}"#,
            "text"
        )),
        unencoded(UnencodedProblem::Malformed)
    );
    assert_eq!(
        verify(&forge(
            r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
            "te xt"
        )),
        Ok(())
    );
}

#[test]
fn embedded_keys_are_never_used() {
    // The attacker signs with their own key and offers it in every header member that
    // names a key; verification uses only the key it was given.
    let attacker = SigningKey::generate(&jwa::ES256).unwrap();
    let victim = SigningKey::generate(&jwa::ES256).unwrap().verifying_key();
    let spki = b64(&attacker.verifying_key().to_spki_der());
    let header = jws::Header::new()
        .with_member(
            "jwk",
            &serde_json::json!({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}),
        )
        .unwrap()
        .with_member("jku", "https://attacker.example/jwks.json")
        .unwrap()
        .with_member("x5u", "https://attacker.example/cert.pem")
        .unwrap()
        .with_member("x5c", &[spki])
        .unwrap();
    let token = jws::sign(br#"{"sub":"admin"}"#, &header, &attacker).unwrap();
    assert_eq!(
        jws::verify(&token, &victim).map(|_| ()),
        Err(Error::InvalidSignature)
    );
    let verified = jws::verify(&token, &attacker.verifying_key()).unwrap();
    assert_eq!(
        verified.header().member_names().collect::<Vec<_>>(),
        ["jwk", "jku", "x5u", "x5c"]
    );
}

#[test]
fn oversized_tokens_are_rejected_before_decoding() {
    let huge = "A".repeat(64 * 1024 + 1);
    assert_eq!(
        verify(&huge),
        Err(Error::TooLarge {
            what: "token",
            limit: 65536
        })
    );
    // Not even the segment structure is looked at first.
    let huge_bad = "!".repeat(70_000);
    assert_eq!(
        verify(&huge_bad),
        Err(Error::TooLarge {
            what: "token",
            limit: 65536
        })
    );
    // A token of exactly the limit is parsed.
    let payload = "A".repeat(64 * 1024 - 200);
    let token = forge(r#"{"alg":"HS256"}"#, &payload);
    assert!(token.len() <= 64 * 1024);
    assert_eq!(verify(&token), Ok(()));
    let limits = Limits::default().with_token_len(100);
    assert_eq!(
        jws::Unverified::parse_with_limits(&token, &limits).map(|_| ()),
        Err(Error::TooLarge {
            what: "token",
            limit: 100
        })
    );
}

#[test]
fn kid_selects_nothing_for_a_single_key_with_another_kid() {
    let key = hs256_key().with_kid("current");
    let token = jws::sign(b"x", &jws::Header::new().with_kid("retired"), &key).unwrap();
    assert_eq!(
        jws::verify(&token, &key).map(|_| ()),
        Err(Error::NoKey(jose_ring::NoKey::UnknownKid))
    );
    // A key without a kid accepts any kid: the caller chose the key.
    assert!(jws::verify(&token, &hs256_key()).is_ok());
}

#[test]
fn algorithms_ring_lacks_are_named() {
    for alg in ["ES512", "ES256K", "Ed448"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert_eq!(
            verify(&forge(&header, PAYLOAD)),
            Err(Error::Unsupported(Unsupported::Algorithm(match alg {
                "ES512" => "ES512",
                "ES256K" => "ES256K",
                _ => "Ed448",
            })))
        );
    }
    for alg in ["HS384", "RS256", "hs256", "HS256 ", "RSA-OAEP"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert_eq!(
            verify(&forge(&header, PAYLOAD)),
            Err(Error::AlgorithmMismatch { expected: "HS256" }),
            "{alg}"
        );
    }
}
