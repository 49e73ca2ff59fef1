//! JWS JSON serialization (general and flattened): parse, verify under both policies with the
//! fixed key ring, convert between serializations.
//!
//! Input: the JSON document, optionally followed by a NUL byte and detached content.
//! Properties:
//! - a document that does not parse fails `verify_json` with the same error;
//! - `Policy::All` accepts only what `Policy::Any` accepts, with the same payload and every
//!   signature verified; under `Any`, verified and rejected signatures partition the
//!   signatures (indexes in range, each once) and each verified one reports the `alg` its
//!   protected header names;
//! - converting with `serialize` to any form that can hold the JWS gives a document that
//!   parses (`parse_any`) to the same number of signatures and verifies under `Policy::Any`
//!   exactly when the original does, to the same payload and signatures; a compact conversion verifies with `jws::verify` to the same payload.
#![no_main]

use jose_ring::Error;
use jose_ring::jws::{self, Policy, Serialization, UnverifiedJson, VerifiedJson};
use jose_ring_fuzz::keys;
use libfuzzer_sys::fuzz_target;

fn run(
    input: &[u8],
    detached: Option<&[u8]>,
    policy: Policy,
    any_form: bool,
) -> Result<VerifiedJson, Error> {
    let keys = &keys().ring;
    let parsed = if any_form {
        UnverifiedJson::parse_any(input)
    } else {
        UnverifiedJson::parse(input)
    }?;
    match detached {
        Some(content) => parsed.verify_detached(content, keys, policy),
        None => parsed.verify(keys, policy),
    }
}

fn summary(result: &Result<VerifiedJson, Error>) -> Result<(Vec<u8>, Vec<usize>), Error> {
    match result {
        Ok(v) => Ok((
            v.payload().to_vec(),
            v.signatures().iter().map(|s| s.index()).collect(),
        )),
        Err(e) => Err(e.clone()),
    }
}

fuzz_target!(|data: &[u8]| {
    let (input, detached) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let parsed = match UnverifiedJson::parse(input) {
        Ok(parsed) => parsed,
        Err(error) => {
            assert_eq!(
                run(input, detached, Policy::Any, false).err(),
                Some(error.clone())
            );
            if detached.is_none() {
                let keys = &keys().ring;
                assert_eq!(
                    jws::verify_json(input, keys, Policy::All).err(),
                    Some(error)
                );
            }
            return;
        }
    };
    let count = parsed.signatures().len();
    assert!(count >= 1);
    let algs: Vec<Option<String>> = parsed
        .signatures()
        .iter()
        .map(|s| s.alg().map(String::from))
        .collect();

    let any = run(input, detached, Policy::Any, false);
    let all = run(input, detached, Policy::All, false);
    if let Ok(all) = &all {
        let any = any.as_ref().expect("All accepted, so Any accepts");
        assert_eq!(all.payload(), any.payload());
        assert_eq!(all.signatures().len(), count);
        assert!(all.rejected().is_empty());
    }
    if let Ok(any) = &any {
        assert!(!any.signatures().is_empty());
        let mut seen = vec![false; count];
        for s in any.signatures() {
            let i = s.index();
            assert!(
                i < count && !seen[i],
                "signature index out of range or repeated"
            );
            seen[i] = true;
            if let Some(alg) = &algs[i] {
                assert_eq!(s.algorithm().name(), alg);
            }
        }
        for (i, _) in any.rejected() {
            assert!(
                *i < count && !seen[*i],
                "rejected index out of range or also verified"
            );
            seen[*i] = true;
        }
        assert!(
            seen.iter().all(|&s| s),
            "a signature is neither verified nor rejected"
        );
        if let Some(content) = detached {
            assert_eq!(any.payload(), content);
        }
    }

    for form in [
        Serialization::Compact,
        Serialization::Flattened,
        Serialization::General,
    ] {
        let Ok(converted) = parsed.serialize(form) else {
            continue;
        };
        let again = UnverifiedJson::parse_any(converted.as_bytes()).expect("a conversion parses");
        assert_eq!(again.signatures().len(), count);
        assert_eq!(again.serialization(), form);
        // A JSON document without `payload` (detached) verified without content fails; its
        // compact form `header..signature` reads as an empty payload instead: not comparable.
        if form == Serialization::Compact && parsed.is_detached() && detached.is_none() {
            continue;
        }
        let outcome = run(converted.as_bytes(), detached, Policy::Any, true);
        match (summary(&outcome), summary(&any)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{form:?} conversion verifies differently"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{form:?} conversion: {a:?} but the original {b:?}"),
        }
        if form == Serialization::Compact && detached.is_none() {
            if let Ok(any) = &any {
                let compact = jws::verify(&converted, &keys().ring).expect("compact form verifies");
                assert_eq!(compact.payload(), any.payload());
            }
        }
    }
});
