//! Round trip: arbitrary payload and header members → sign (attached, detached, unencoded) with
//! each fixed key → verify → equal.
//!
//! Properties: `Header::with_member` refuses exactly the names that have their own method;
//! signing fails only for an attached unencoded payload that is not UTF-8 text without `.`
//! (with exactly `UnencodedProblem::PayloadCharacters`); otherwise the token verifies with the
//! key's public half, to exactly the payload, and a header equal to the one signed (with the
//! key's `kid` when the header set none), every member readable with its value; the parsed
//! (unverified) header is the same.
#![no_main]

use arbitrary::Arbitrary;
use jose_ring::{
    Error, HmacKey, JsonProblem, Malformed, Misuse, NoKey, Signer, UnencodedProblem, jwa, jws,
};
use jose_ring_fuzz::{HMAC_SECRET, Json, keys, value_depth};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const OWN_METHOD: [&str; 6] = ["alg", "typ", "cty", "kid", "crit", "b64"];

#[derive(Arbitrary, Debug)]
struct Input {
    key: u8,
    payload: Vec<u8>,
    typ: Option<String>,
    cty: Option<String>,
    kid: Option<String>,
    members: Vec<(String, Json)>,
    unencoded: bool,
    detached: bool,
}

fuzz_target!(|input: Input| {
    let keys = keys();
    // HMAC most of the time: ECDSA, EdDSA and above all RSA signing are slow.
    let index = match input.key % 32 {
        k @ 1..=6 => usize::from(k),
        _ => 0,
    };
    let signer: &dyn Signer = keys.signers()[index];

    let mut header = jws::Header::new();
    if let Some(typ) = &input.typ {
        header = header.with_typ(typ.clone());
    }
    if let Some(cty) = &input.cty {
        header = header.with_cty(cty.clone());
    }
    if let Some(kid) = &input.kid {
        header = header.with_kid(kid.clone());
    }
    if input.unencoded {
        header = header.with_unencoded_payload();
    }
    let mut expected: Vec<(String, Value)> = Vec::new();
    for (name, member) in &input.members {
        let value = member.to_value();
        match header.clone().with_member(name, &value) {
            Ok(h) => {
                assert!(
                    !OWN_METHOD.contains(&name.as_str()),
                    "with_member took {name}"
                );
                assert!(
                    value_depth(&value) < 127,
                    "with_member took a value too deep to verify"
                );
                header = h;
                match expected.iter_mut().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value,
                    None => expected.push((name.clone(), value)),
                }
            }
            // A value nested as deep as the parser's limit (127) is refused when building
            // the header, as the verifier would refuse it (regression test
            // `deep_header_member_is_refused_by_the_signer`).
            Err(error) if value_depth(&value) >= 127 && !OWN_METHOD.contains(&name.as_str()) => {
                let too_deep = Error::Malformed(Malformed::Json {
                    part: "header",
                    problem: JsonProblem::TooDeep,
                });
                assert_eq!(error, too_deep);
            }
            Err(error) => {
                assert!(
                    OWN_METHOD.contains(&name.as_str()),
                    "with_member refused {name}: {error:?}"
                );
                assert!(matches!(error, Error::Misuse(Misuse::OwnMethod(n)) if n == name));
            }
        }
    }

    let payload = &input.payload;
    let signed = if input.detached {
        jws::sign_detached(payload, &header, signer)
    } else {
        jws::sign(payload, &header, signer)
    };
    let text_ok = std::str::from_utf8(payload).is_ok_and(|t| !t.contains('.'));
    // A kid over 256 bytes is refused when signing as when verifying (regression test
    // `long_kid_is_refused_by_the_signer`).
    if input.kid.as_ref().is_some_and(|kid| kid.len() > 256) {
        let too_large = Error::TooLarge {
            what: "kid",
            limit: 256,
        };
        assert_eq!(signed.err(), Some(too_large));
        return;
    }
    let token = match signed {
        Err(error) if input.unencoded && !input.detached && !text_ok => {
            assert_eq!(
                error,
                Error::Malformed(Malformed::Unencoded(UnencodedProblem::PayloadCharacters))
            );
            return;
        }
        Err(error) => panic!("signing failed: {error:?}"),
        Ok(token) => token,
    };
    assert!(
        !(input.unencoded && !input.detached && !text_ok),
        "signed an unencoded payload with '.'"
    );

    let parsed = jws::Unverified::parse(&token).expect("a signed token parses");
    assert_eq!(parsed.alg(), signer.algorithm().name());
    let parsed_header = parsed.header().clone();
    // The key as the verifier holds it: with the kid the header names (a key whose own kid
    // differs refuses the token with `NoKey::UnknownKid`).
    let kid = input
        .kid
        .as_deref()
        .or(signer.kid())
        .expect("every fixed key has a kid");
    let verified = if signer.algorithm().is_symmetric() {
        let run = |key: &jose_ring::HmacKey| {
            if input.detached {
                jws::verify_detached(&token, payload, key)
            } else {
                jws::verify(&token, key)
            }
        };
        let own = run(&keys.hmac);
        let named = HmacKey::new(&jwa::HS256, HMAC_SECRET)
            .expect("key")
            .with_kid(kid);
        let result = run(&named);
        if Some(kid) != keys.hmac.kid() {
            assert_eq!(own.err(), Some(Error::NoKey(NoKey::UnknownKid)));
        }
        result.expect("a signed token verifies")
    } else {
        let run = |key: &jose_ring::VerifyingKey| {
            if input.detached {
                jws::verify_detached(&token, payload, key)
            } else {
                jws::verify(&token, key)
            }
        };
        let own = &keys.verifying[index - 1];
        let result = run(&own.clone().with_kid(kid));
        if Some(kid) != own.kid() {
            assert_eq!(run(own).err(), Some(Error::NoKey(NoKey::UnknownKid)));
        }
        result.expect("a signed token verifies")
    };

    assert_eq!(verified.payload(), payload.as_slice());
    assert_eq!(verified.algorithm(), signer.algorithm());
    let got = verified.header();
    assert_eq!(got, &parsed_header);
    assert_eq!(got.typ(), input.typ.as_deref());
    assert_eq!(got.cty(), input.cty.as_deref());
    assert_eq!(got.kid(), input.kid.as_deref().or(signer.kid()));
    assert_eq!(got.is_unencoded(), input.unencoded);
    let names: Vec<&str> = got.member_names().collect();
    let want: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, want);
    for (name, value) in &expected {
        assert_eq!(
            got.member::<Value>(name).map(|r| r.ok()),
            Some(Some(value.clone())),
            "member {name}"
        );
    }
    let mut rebuilt = header.clone();
    if input.kid.is_none() {
        if let Some(kid) = signer.kid() {
            rebuilt = rebuilt.with_kid(kid);
        }
    }
    assert_eq!(got, &rebuilt);
});
