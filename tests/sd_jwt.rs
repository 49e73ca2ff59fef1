//! SD-JWT (RFC 9901) and SD-JWT VC: the issuer, the holder and the verifier, every rule of
//! §7.1 with its own error, the KB-JWT checks of §4.3 and §7.3, the limits, and the error
//! messages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use jose_ring::jwk::Jwk;
use jose_ring::jws::{self, Header, Policy, Serialization};
use jose_ring::jwt::{self, NumericDate};
use jose_ring::sd_jwt::{self, Issuer, KeyBinding, Limits, Unverified, Validation};
use jose_ring::{
    ClaimError, Error, JsonProblem, KeyRejected, Malformed, Misuse, SdJwt, Signer, SigningKey, jwa,
};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;

fn now() -> NumericDate {
    NumericDate::from_seconds(NOW)
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn digest(text: &str) -> String {
    b64(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref())
}

/// A disclosure of the JSON array `json`, and its digest.
fn disclosure(json: &str) -> (String, String) {
    let text = b64(json.as_bytes());
    let digest = digest(&text);
    (text, digest)
}

fn issuer_key() -> SigningKey {
    SigningKey::generate(&jwa::ES256).unwrap()
}

/// `payload` signed by `key` with `disclosures` after it: an SD-JWT made by hand.
fn forge(key: &SigningKey, payload: &Value, disclosures: &[&str]) -> String {
    let jwt = jws::sign(payload.to_string().as_bytes(), &Header::new(), key).unwrap();
    let mut out = jwt + "~";
    for d in disclosures {
        out.push_str(d);
        out.push('~');
    }
    out
}

fn plain_rules() -> Validation {
    Validation::new(jwt::Validation::new(now()).with_optional_exp())
}

fn verify(key: &SigningKey, input: &str) -> Result<Map<String, Value>, Error> {
    sd_jwt::verify(input, &key.verifying_key(), &plain_rules()).map(|v| v.into_claims())
}

fn claims(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn every_rule_of_section_7_1_has_its_own_error() {
    let key = issuer_key();
    let (member, member_digest) = disclosure(r#"["salt","given_name","Ada"]"#);
    let (element, element_digest) = disclosure(r#"["salt","DE"]"#);
    let (two, two_digest) = disclosure(r#"["salt","x"]"#);
    let (four, four_digest) = disclosure(r#"["salt","n","v",1]"#);
    let (sd_name, sd_name_digest) = disclosure(r#"["salt","_sd",1]"#);
    let (dots_name, dots_name_digest) = disclosure(r#"["salt","...",1]"#);
    let (visible, visible_digest) = disclosure(r#"["salt","sub","someone else"]"#);
    let (again, again_digest) = disclosure(r#"["other salt","given_name","Eve"]"#);
    let (salt, salt_digest) = disclosure(r#"[1,"given_name","Ada"]"#);
    let (name, name_digest) = disclosure(r#"["salt",2,"Ada"]"#);
    let (object, object_digest) = disclosure(r#"{"salt":"x"}"#);
    let cases: Vec<(Value, Vec<&str>, Error)> = vec![
        // 3.3.2.1 and 3.3.3.1: the number of elements.
        (
            json!({"_sd": [two_digest]}),
            vec![&two],
            SdJwt::ObjectDisclosure.into(),
        ),
        (
            json!({"_sd": [four_digest]}),
            vec![&four],
            SdJwt::ObjectDisclosure.into(),
        ),
        (
            json!({"a": [{"...": member_digest}]}),
            vec![&member],
            SdJwt::ArrayDisclosure.into(),
        ),
        // 3.3.2.2: `_sd` and `...` are no claim names.
        (
            json!({"_sd": [sd_name_digest]}),
            vec![&sd_name],
            SdJwt::ReservedClaimName.into(),
        ),
        (
            json!({"_sd": [dots_name_digest]}),
            vec![&dots_name],
            SdJwt::ReservedClaimName.into(),
        ),
        // 3.3.2.3: a name already there, visible or disclosed.
        (
            json!({"sub": "me", "_sd": [visible_digest]}),
            vec![&visible],
            SdJwt::ClaimNameCollision.into(),
        ),
        (
            json!({"_sd": [member_digest, again_digest]}),
            vec![&member, &again],
            SdJwt::ClaimNameCollision.into(),
        ),
        // Step 4: a digest met twice, disclosed or not, in `_sd` or in an array.
        (
            json!({"_sd": [member_digest, member_digest]}),
            vec![&member],
            SdJwt::DuplicateDigest.into(),
        ),
        (
            json!({"_sd": ["decoy", "decoy"]}),
            vec![],
            SdJwt::DuplicateDigest.into(),
        ),
        (
            json!({"_sd": [element_digest], "a": [{"...": element_digest}]}),
            vec![],
            SdJwt::DuplicateDigest.into(),
        ),
        // Step 5: a disclosure nothing references.
        (
            json!({"_sd": [member_digest]}),
            vec![&member, &element],
            SdJwt::UnreferencedDisclosure.into(),
        ),
        // §4: a disclosure sent twice.
        (
            json!({"_sd": [member_digest]}),
            vec![&member, &member],
            SdJwt::DuplicateDisclosure.into(),
        ),
        // §4.2.4.2: an array placeholder with other members, or not a string; `...` elsewhere.
        (
            json!({"a": [{"...": element_digest, "b": 1}]}),
            vec![&element],
            SdJwt::Placeholder.into(),
        ),
        (
            json!({"a": [{"...": 1}]}),
            vec![],
            SdJwt::Placeholder.into(),
        ),
        (
            json!({"a": {"...": element_digest}}),
            vec![],
            SdJwt::Placeholder.into(),
        ),
        // §4.2.4.1: `_sd` is an array of strings.
        (json!({"_sd": "x"}), vec![], SdJwt::SdNotDigests.into()),
        (
            json!({"o": {"_sd": [1]}}),
            vec![],
            SdJwt::SdNotDigests.into(),
        ),
        // §4.1.1 and step 2.4: `_sd_alg` at the top, and sha-256.
        (
            json!({"o": {"_sd_alg": "sha-256"}}),
            vec![],
            SdJwt::NestedSdAlg.into(),
        ),
        (
            json!({"_sd_alg": "sha-512"}),
            vec![],
            SdJwt::UnsupportedSdAlg.into(),
        ),
        (
            json!({"_sd_alg": 256}),
            vec![],
            SdJwt::UnsupportedSdAlg.into(),
        ),
        // §4.2.1: a salt and a name are strings; a disclosure is an array.
        (
            json!({"_sd": [salt_digest]}),
            vec![&salt],
            SdJwt::Salt.into(),
        ),
        (
            json!({"_sd": [name_digest]}),
            vec![&name],
            SdJwt::ClaimName.into(),
        ),
        (
            json!({"_sd": [object_digest]}),
            vec![&object],
            SdJwt::DisclosureNotArray.into(),
        ),
    ];
    for (payload, disclosures, want) in cases {
        let input = forge(&key, &payload, &disclosures);
        assert_eq!(verify(&key, &input).map(|_| ()), Err(want), "{payload}");
    }
    // The same shapes, well formed, pass: the digests and disclosures are right.
    let good = forge(
        &key,
        &json!({"_sd": [member_digest, "decoy"], "a": [{"...": element_digest}, {"...": "x"}, 3]}),
        &[&member, &element],
    );
    assert_eq!(
        verify(&key, &good).unwrap(),
        claims(json!({"given_name": "Ada", "a": ["DE", 3]}))
    );
    let bad_base64 = forge(&key, &json!({"_sd": [digest("WyJz=")]}), &["WyJz="]);
    assert_eq!(
        verify(&key, &bad_base64).map(|_| ()),
        Err(Error::Malformed(Malformed::Base64("disclosure")))
    );
}

#[test]
fn the_form_and_the_limits() {
    let key = issuer_key();
    let jwt = jws::sign(b"{}", &Header::new(), &key).unwrap();
    for bad in [jwt.clone(), format!("{jwt}~~"), format!("{jwt}~a~~")] {
        assert_eq!(
            verify(&key, &bad).map(|_| ()),
            Err(SdJwt::Format.into()),
            "{bad}"
        );
    }
    // Recursive disclosures nest in the processed payload: bounded by the depth limit.
    let (inner, inner_digest) = disclosure(r#"["s","b",{"c":{"d":1}}]"#);
    let outer_json = format!(r#"["s","a",{{"_sd":["{inner_digest}"]}}]"#);
    let (outer, outer_digest) = disclosure(&outer_json);
    let input = forge(&key, &json!({"_sd": [outer_digest]}), &[&inner, &outer]);
    assert_eq!(
        verify(&key, &input).unwrap(),
        claims(json!({"a": {"b": {"c": {"d": 1}}}}))
    );
    // Four levels: the payload, a, b, c.
    let exact = plain_rules().with_limits(Limits::DEFAULT.with_depth(4));
    assert!(sd_jwt::verify(&input, &key.verifying_key(), &exact).is_ok());
    let shallow = plain_rules().with_limits(Limits::DEFAULT.with_depth(3));
    assert_eq!(
        sd_jwt::verify(&input, &key.verifying_key(), &shallow).map(|_| ()),
        Err(Error::TooLarge {
            what: "SD-JWT nesting depth",
            limit: 3
        })
    );
    let few = plain_rules().with_limits(Limits::DEFAULT.with_disclosures(1));
    assert_eq!(
        sd_jwt::verify(&input, &key.verifying_key(), &few).map(|_| ()),
        Err(Error::TooLarge {
            what: "number of disclosures",
            limit: 1
        })
    );
    let short = plain_rules().with_limits(Limits::DEFAULT.with_total_len(64));
    assert_eq!(
        sd_jwt::verify(&input, &key.verifying_key(), &short).map(|_| ()),
        Err(Error::TooLarge {
            what: "SD-JWT",
            limit: 64
        })
    );
    assert_eq!(Limits::DEFAULT.with_depth(500).depth(), 127);
}

#[test]
fn validity_claims_are_checked_in_the_processed_payload() {
    // §9.7: exp may come from a disclosure; the verifier sees it.
    let key = issuer_key();
    let (exp, exp_digest) = disclosure(&format!(r#"["s","exp",{}]"#, NOW - 1));
    let input = forge(&key, &json!({"_sd": [exp_digest]}), &[&exp]);
    let rules = Validation::new(jwt::Validation::new(now()));
    assert_eq!(
        sd_jwt::verify(&input, &key.verifying_key(), &rules).map(|_| ()),
        Err(ClaimError::Expired {
            now: now(),
            exp: NumericDate::from_seconds(NOW - 1)
        }
        .into())
    );
    // Not disclosed: exp is missing.
    let hidden = forge(&key, &json!({"_sd": [exp_digest]}), &[]);
    assert_eq!(
        sd_jwt::verify(&hidden, &key.verifying_key(), &rules).map(|_| ()),
        Err(ClaimError::Missing("exp".into()).into())
    );
    // The issuer-signed JWT's typ follows the claims rules (default: absent or JWT).
    let typed = jws::sign(b"{}", &Header::new().with_typ("example+sd-jwt"), &key).unwrap() + "~";
    assert_eq!(
        verify(&key, &typed).map(|_| ()),
        Err(ClaimError::InvalidTyp.into())
    );
}

/// An issuer, a holder key and the claims of RFC 9901 §5.1, issued with `pointers`.
fn issue(pointers: &[&str], holder: Option<&SigningKey>) -> (SigningKey, String) {
    let key = issuer_key();
    let claims = claims(json!({
        "iss": "https://issuer.example", "sub": "user_42", "given_name": "John",
        "address": {"street_address": "123 Main St", "country": "US"},
        "nationalities": ["US", "DE", "FR"], "exp": NOW + 3600,
    }));
    let mut issuer = Issuer::new(claims).with_header(Header::new().with_typ("example+sd-jwt"));
    for pointer in pointers {
        issuer = issuer.with_disclosable(*pointer);
    }
    if let Some(holder) = holder {
        issuer = issuer
            .with_holder_key(&Jwk::from_signing_key(holder).unwrap())
            .unwrap();
    }
    let issued = issuer.sign(&key).unwrap();
    (key, issued)
}

fn typed_rules() -> Validation {
    Validation::new(jwt::Validation::new(now()).with_typ("example+sd-jwt"))
}

#[test]
fn issuer_makes_object_array_recursive_disclosures_and_decoys() {
    let pointers = [
        "/given_name",
        "/address",
        "/address/street_address",
        "/nationalities/1",
    ];
    let (key, issued) = issue(&pointers, None);
    let sd = Unverified::parse(&issued).unwrap();
    assert_eq!(sd.disclosures().count(), 4);
    // Everything disclosed: the claims as issued.
    let all = sd_jwt::verify(&issued, &key.verifying_key(), &typed_rules()).unwrap();
    assert_eq!(all.claims()["address"]["street_address"], "123 Main St");
    assert_eq!(all.claims()["nationalities"], json!(["US", "DE", "FR"]));
    // The payload: digests in place of the claims, _sd sorted, _sd_alg.
    let jwt = issued.split('~').next().unwrap();
    let payload: Value = serde_json::from_slice(
        &Base64UrlUnpadded::decode_vec(jwt.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(payload["_sd_alg"], "sha-256");
    assert!(payload.get("given_name").is_none() && payload.get("address").is_none());
    let sd_list: Vec<&str> = payload["_sd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let mut sorted = sd_list.clone();
    sorted.sort_unstable();
    assert_eq!((sd_list.len(), sd_list.clone()), (2, sorted));
    assert_eq!(payload["nationalities"][0], "US");
    assert!(payload["nationalities"][1]["..."].is_string());
    // Salts are fresh: two issuances of the same claims share no disclosure.
    let (_, again) = issue(&pointers, None);
    let first: Vec<&str> = issued.split('~').collect();
    assert!(
        again
            .split('~')
            .skip(1)
            .all(|d| d.is_empty() || !first.contains(&d))
    );
    // Decoys: digests with no disclosure, in _sd and in an array.
    let decoyed = Issuer::new(claims(json!({"a": [1, 2], "b": 1})))
        .with_disclosable("/b")
        .with_decoys("", 3)
        .with_decoys("/a", 2)
        .sign(&key)
        .unwrap();
    let jwt = decoyed.split('~').next().unwrap();
    let payload: Value = serde_json::from_slice(
        &Base64UrlUnpadded::decode_vec(jwt.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(payload["_sd"].as_array().unwrap().len(), 4);
    assert_eq!(payload["a"].as_array().unwrap().len(), 4);
    assert_eq!(
        verify(&key, &decoyed).unwrap(),
        claims(json!({"a": [1, 2], "b": 1}))
    );
}

#[test]
fn issuer_refuses_what_cannot_be_issued() {
    let key = issuer_key();
    let base = || Issuer::new(claims(json!({"a": {"b": 1}, "c": [1], "iss": "x"})));
    let cases: [(Issuer, Error); 8] = [
        (base().with_disclosable("/nothing"), Misuse::Pointer.into()),
        (base().with_disclosable("/c/1"), Misuse::Pointer.into()),
        (base().with_disclosable("/c/x"), Misuse::Pointer.into()),
        (base().with_disclosable("/a/b/c"), Misuse::Pointer.into()),
        (base().with_disclosable(""), Misuse::Pointer.into()),
        (base().with_disclosable("a"), Misuse::Pointer.into()),
        (
            base().with_visible("iss").with_disclosable("/iss"),
            Misuse::SdClaims.into(),
        ),
        (
            Issuer::new(claims(json!({"x": {"_sd": []}}))),
            Misuse::SdClaims.into(),
        ),
    ];
    for (issuer, want) in cases {
        assert_eq!(issuer.sign(&key).map(|_| ()), Err(want));
    }
    let hmac = jose_ring::HmacKey::new(&jwa::HS256, &[7; 32]).unwrap();
    assert_eq!(
        base()
            .with_holder_key(&Jwk::from_hmac_key(&hmac))
            .map(|_| ()),
        Err(KeyRejected::Symmetric.into())
    );
}

#[test]
fn holder_discloses_what_pointers_name_and_their_ancestors_only() {
    let pointers = [
        "/given_name",
        "/address",
        "/address/street_address",
        "/nationalities/1",
    ];
    let (key, issued) = issue(&pointers, None);
    let present = |chosen: &[&str]| {
        let out = Unverified::parse(&issued)
            .unwrap()
            .present(chosen)
            .unwrap()
            .into_sd_jwt()
            .unwrap();
        sd_jwt::verify(&out, &key.verifying_key(), &typed_rules())
            .unwrap()
            .into_claims()
    };
    let none = present(&[]);
    assert!(none.get("given_name").is_none() && none.get("address").is_none());
    assert_eq!(none["nationalities"], json!(["US", "FR"]));
    // The street needs the address; the address alone does not disclose the street.
    assert_eq!(
        present(&["/address/street_address"])["address"],
        json!({"street_address": "123 Main St", "country": "US"})
    );
    assert_eq!(present(&["/address"])["address"], json!({"country": "US"}));
    assert_eq!(
        present(&["/nationalities/1"])["nationalities"],
        json!(["US", "DE", "FR"])
    );
    // A visible claim discloses nothing; a pointer to nothing is the caller's mistake.
    assert_eq!(present(&["/sub"]), none);
    for bad in ["/nothing", "/nationalities/3", "x", ""] {
        assert_eq!(
            Unverified::parse(&issued)
                .unwrap()
                .present(&[bad])
                .map(|_| ()),
            Err(Misuse::Pointer.into()),
            "{bad}"
        );
    }
    let all = Unverified::parse(&issued).unwrap().present_all().unwrap();
    assert_eq!(all.disclosures().count(), 4);
}

#[test]
fn key_binding_round_trip_and_every_check() {
    let holder = SigningKey::generate(&jwa::Ed25519).unwrap();
    let (key, issued) = issue(&["/given_name"], Some(&holder));
    let binding = KeyBinding::new("https://verifier.example", "nonce-1", now());
    let presented = Unverified::parse(&issued)
        .unwrap()
        .present(&["/given_name"])
        .unwrap()
        .with_key_binding(&binding, &holder)
        .unwrap();
    let rules = typed_rules().with_key_binding("https://verifier.example", "nonce-1");
    let verified = sd_jwt::verify(&presented, &key.verifying_key(), &rules).unwrap();
    assert_eq!(verified.claims()["given_name"], "John");
    assert_eq!(verified.key_binding(), Some((now(), &jwa::Ed25519)));

    // A KB-JWT by another key, or made by hand with a fault: each refused for its reason.
    let sd_jwt = &presented[..=presented.rfind('~').unwrap()];
    let sd_hash = digest(sd_jwt);
    let kb = |header: Header, claims: Value, signer: &dyn Signer| {
        let jwt = jws::sign(claims.to_string().as_bytes(), &header, signer).unwrap();
        format!("{sd_jwt}{jwt}")
    };
    let good = json!({"iat": NOW, "aud": "https://verifier.example", "nonce": "nonce-1", "sd_hash": sd_hash});
    let typ = || Header::new().with_typ("kb+jwt");
    let with = |name: &str, value: Value| {
        let mut claims = good.clone();
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value;
        }
        claims
    };
    let other = SigningKey::generate(&jwa::Ed25519).unwrap();
    let hmac = jose_ring::HmacKey::new(&jwa::HS256, &[7; 32]).unwrap();
    let cases: Vec<(String, Error)> = vec![
        (kb(typ(), good.clone(), &other), Error::InvalidSignature),
        (
            kb(Header::new().with_typ("JWT"), good.clone(), &holder),
            SdJwt::KbTyp.into(),
        ),
        (
            kb(Header::new(), good.clone(), &holder),
            SdJwt::KbTyp.into(),
        ),
        (kb(typ(), good.clone(), &hmac), SdJwt::KbAlgorithm.into()),
        (
            kb(typ(), with("iat", Value::Null), &holder),
            SdJwt::KbMissingClaim("iat").into(),
        ),
        (
            kb(typ(), with("nonce", Value::Null), &holder),
            SdJwt::KbMissingClaim("nonce").into(),
        ),
        (
            kb(typ(), with("sd_hash", Value::Null), &holder),
            SdJwt::KbMissingClaim("sd_hash").into(),
        ),
        (
            kb(
                typ(),
                with("aud", json!(["https://verifier.example"])),
                &holder,
            ),
            SdJwt::KbInvalidClaim("aud").into(),
        ),
        (
            kb(typ(), with("iat", json!("now")), &holder),
            SdJwt::KbInvalidClaim("iat").into(),
        ),
        (
            kb(typ(), with("exp", json!(NOW)), &holder),
            SdJwt::KbExpired {
                now: now(),
                exp: now(),
            }
            .into(),
        ),
        (
            kb(typ(), with("nbf", json!(NOW + 1)), &holder),
            SdJwt::KbNotYetValid {
                now: now(),
                nbf: NumericDate::from_seconds(NOW + 1),
            }
            .into(),
        ),
        (
            kb(typ(), with("sd_hash", json!(digest("other"))), &holder),
            SdJwt::KbSdHash.into(),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(
            sd_jwt::verify(&input, &key.verifying_key(), &rules).map(|_| ()),
            Err(want)
        );
    }
    // Without cnf there is no holder key to check a KB-JWT with.
    let (key, unbound) = issue(&["/given_name"], None);
    let presented = Unverified::parse(&unbound)
        .unwrap()
        .present(&[])
        .unwrap()
        .with_key_binding(&binding, &holder)
        .unwrap();
    assert_eq!(
        sd_jwt::verify(&presented, &key.verifying_key(), &rules).map(|_| ()),
        Err(SdJwt::NoHolderKey.into())
    );
    // A holder key given with its private members is refused.
    let jwk = Jwk::from_signing_key(&holder).unwrap();
    let private: Value = serde_json::from_slice(jwk.to_private_json().expose()).unwrap();
    let leaky = forge(&key, &json!({"cnf": {"jwk": private}, "exp": NOW + 1}), &[]);
    let sd_hash = digest(&leaky);
    let claims = json!({"iat": NOW, "aud": "https://verifier.example", "nonce": "nonce-1", "sd_hash": sd_hash});
    let input = leaky + &jws::sign(claims.to_string().as_bytes(), &typ(), &holder).unwrap();
    let plain = Validation::new(jwt::Validation::new(now()))
        .with_key_binding("https://verifier.example", "nonce-1");
    assert_eq!(
        sd_jwt::verify(&input, &key.verifying_key(), &plain).map(|_| ()),
        Err(SdJwt::PrivateHolderKey.into())
    );
    // A KB-JWT is signed with a key pair.
    assert_eq!(
        Unverified::parse(&unbound)
            .unwrap()
            .present(&[])
            .unwrap()
            .with_key_binding(&binding, &hmac)
            .map(|_| ()),
        Err(KeyRejected::Symmetric.into())
    );
}

#[test]
fn json_serializations_issue_present_and_verify() {
    let holder = SigningKey::generate(&jwa::ES256).unwrap();
    let first = issuer_key();
    let second = SigningKey::generate(&jwa::Ed25519).unwrap();
    let issuer = Issuer::new(claims(
        json!({"given_name": "John", "family_name": "Doe", "exp": NOW + 60}),
    ))
    .with_disclosable("/given_name")
    .with_disclosable("/family_name")
    .with_holder_key(&Jwk::from_signing_key(&holder).unwrap())
    .unwrap();
    let binding = KeyBinding::new("https://verifier.example", "n", now());
    let rules = Validation::new(jwt::Validation::new(now()))
        .with_key_binding("https://verifier.example", "n");
    for (form, keys) in [
        (Serialization::Flattened, vec![&first as &dyn Signer]),
        (Serialization::General, vec![&first as &dyn Signer, &second]),
        (Serialization::Compact, vec![&first as &dyn Signer]),
    ] {
        let issued = issuer.sign_as(&keys, form).unwrap();
        let sd = Unverified::parse(&issued).unwrap();
        assert_eq!(sd.serialization(), form);
        assert_eq!(sd.disclosures().count(), 2);
        let presented = sd
            .present(&["/family_name"])
            .unwrap()
            .with_key_binding(&binding, &holder)
            .unwrap();
        assert_eq!(Unverified::parse(&presented).unwrap().serialization(), form);
        for key in [first.verifying_key(), second.verifying_key()]
            .iter()
            .take(keys.len())
        {
            let verified = sd_jwt::verify(&presented, key, &rules).unwrap();
            assert_eq!(verified.claims()["family_name"], "Doe");
            assert!(verified.claims().get("given_name").is_none());
        }
    }
    let general = issuer
        .sign_as(&[&first, &second], Serialization::General)
        .unwrap();
    let presented = Unverified::parse(&general)
        .unwrap()
        .present(&[])
        .unwrap()
        .into_sd_jwt()
        .unwrap();
    let plain = Validation::new(jwt::Validation::new(now()));
    assert_eq!(
        sd_jwt::verify(
            &presented,
            &first.verifying_key(),
            &plain.clone().with_policy(Policy::All)
        )
        .map(|_| ()),
        Err(Error::AlgorithmMismatch { expected: "ES256" })
    );
    assert_eq!(
        issuer
            .sign_as(&[&first, &second], Serialization::Flattened)
            .map(|_| ()),
        Err(Malformed::Unrepresentable(Serialization::Flattened).into())
    );
    assert_eq!(
        issuer.sign_as(&[], Serialization::General).map(|_| ()),
        Err(Misuse::NoSignatory.into())
    );
}

#[test]
fn sd_jwt_vc_type_vct_and_never_disclosable_claims() {
    let key = issuer_key();
    let issued = Issuer::new(claims(
        json!({"iss": "https://pid.example", "given_name": "Erika", "exp": NOW + 60}),
    ))
    .with_vct("urn:eudi:pid:de:1")
    .with_disclosable("/given_name")
    .sign(&key)
    .unwrap();
    let rules = Validation::new(jwt::Validation::new(now())).with_vct("urn:eudi:pid:de:1");
    let verified = sd_jwt::verify(&issued, &key.verifying_key(), &rules).unwrap();
    assert_eq!(verified.header().typ(), Some("dc+sd-jwt"));
    assert_eq!(verified.claims()["vct"], "urn:eudi:pid:de:1");
    assert_eq!(
        sd_jwt::verify(
            &issued,
            &key.verifying_key(),
            &Validation::new(jwt::Validation::new(now())).with_vct("urn:other")
        )
        .map(|_| ()),
        Err(SdJwt::VctMismatch.into())
    );
    // The claims a VC never discloses selectively are refused when disclosed, and so is a
    // disclosure inside one of them.
    let vc = |payload: Value, disclosures: &[&str], typ: &str| {
        let jwt = jws::sign(
            payload.to_string().as_bytes(),
            &Header::new().with_typ(typ),
            &key,
        )
        .unwrap();
        let mut out = jwt + "~";
        for d in disclosures {
            out.push_str(d);
            out.push('~');
        }
        let claims = jwt::Validation::new(now()).with_optional_exp();
        sd_jwt::verify(
            &out,
            &key.verifying_key(),
            &Validation::new(claims).with_vc(),
        )
        .map(|_| ())
    };
    let (exp, exp_digest) = disclosure(&format!(r#"["s","exp",{}]"#, NOW + 60));
    let (jwk, jwk_digest) = disclosure(r#"["s","jwk",{"kty":"EC"}]"#);
    let (status, status_digest) = disclosure(r#"["s",{"idx":1}]"#);
    type Case<'a> = (Value, Vec<&'a str>, &'a str, Result<(), Error>);
    let cases: [Case<'_>; 7] = [
        (
            json!({"vct": "t", "_sd": [exp_digest]}),
            vec![&exp],
            "dc+sd-jwt",
            Err(SdJwt::NeverDisclosable("exp").into()),
        ),
        (
            json!({"vct": "t", "cnf": {"_sd": [jwk_digest]}}),
            vec![&jwk],
            "dc+sd-jwt",
            Err(SdJwt::NeverDisclosable("cnf").into()),
        ),
        (
            json!({"vct": "t", "status": [{"...": status_digest}]}),
            vec![&status],
            "dc+sd-jwt",
            Err(SdJwt::NeverDisclosable("status").into()),
        ),
        (
            json!({"vct": "t"}),
            vec![],
            "example+sd-jwt",
            Err(SdJwt::VcTyp.into()),
        ),
        (
            json!({"vct": "t"}),
            vec![],
            "vc+sd-jwt",
            Err(SdJwt::VcTyp.into()),
        ),
        (
            json!({}),
            vec![],
            "dc+sd-jwt",
            Err(ClaimError::Missing("vct".into()).into()),
        ),
        (
            json!({"vct": 1}),
            vec![],
            "dc+sd-jwt",
            Err(ClaimError::InvalidType("vct").into()),
        ),
    ];
    for (payload, disclosures, typ, want) in cases {
        assert_eq!(
            vc(payload.clone(), &disclosures, typ),
            want,
            "{payload} {typ}"
        );
    }
    let legacy = jws::sign(
        br#"{"vct":"t"}"#,
        &Header::new().with_typ("vc+sd-jwt"),
        &key,
    )
    .unwrap()
        + "~";
    let rules =
        Validation::new(jwt::Validation::new(now()).with_optional_exp()).with_legacy_vc_typ();
    assert!(sd_jwt::verify(&legacy, &key.verifying_key(), &rules).is_ok());
}

#[test]
fn error_messages_are_pinned_and_carry_no_input() {
    let at = NumericDate::from_seconds;
    let table: Vec<(Error, &str)> = vec![
        (
            SdJwt::Format.into(),
            "sd-jwt rejected: not <JWT>~<disclosure>~...~<KB-JWT or nothing>: a `~` or a disclosure is missing",
        ),
        (
            SdJwt::DisclosureNotArray.into(),
            "sd-jwt rejected: a disclosure is not a JSON array",
        ),
        (
            SdJwt::Salt.into(),
            "sd-jwt rejected: a disclosure's salt is not a string",
        ),
        (
            SdJwt::ClaimName.into(),
            "sd-jwt rejected: a disclosure's claim name is not a string",
        ),
        (
            SdJwt::ObjectDisclosure.into(),
            "sd-jwt rejected: a disclosure referenced from _sd is not [salt, claim name, value]",
        ),
        (
            SdJwt::ArrayDisclosure.into(),
            "sd-jwt rejected: a disclosure referenced from an array is not [salt, value]",
        ),
        (
            SdJwt::ReservedClaimName.into(),
            "sd-jwt rejected: a disclosure names its claim _sd or ...",
        ),
        (
            SdJwt::ClaimNameCollision.into(),
            "sd-jwt rejected: a disclosed claim name is already a claim of its object",
        ),
        (
            SdJwt::SdNotDigests.into(),
            "sd-jwt rejected: _sd is not an array of strings",
        ),
        (
            SdJwt::Placeholder.into(),
            "sd-jwt rejected: ... appears other than as the only member, a string, of an array element",
        ),
        (
            SdJwt::DuplicateDigest.into(),
            "sd-jwt rejected: a digest appears more than once",
        ),
        (
            SdJwt::UnreferencedDisclosure.into(),
            "sd-jwt rejected: a disclosure is referenced by no digest",
        ),
        (
            SdJwt::DuplicateDisclosure.into(),
            "sd-jwt rejected: a disclosure is sent more than once",
        ),
        (
            SdJwt::NestedSdAlg.into(),
            "sd-jwt rejected: _sd_alg appears below the top level",
        ),
        (
            SdJwt::UnsupportedSdAlg.into(),
            "sd-jwt rejected: _sd_alg is not sha-256",
        ),
        (
            SdJwt::MissingKeyBinding.into(),
            "sd-jwt rejected: key binding is required and the presentation has no KB-JWT",
        ),
        (
            SdJwt::UnexpectedKeyBinding.into(),
            "sd-jwt rejected: a KB-JWT came where an SD-JWT without key binding is expected",
        ),
        (
            SdJwt::NoHolderKey.into(),
            "sd-jwt rejected: cnf names no holder key (jwk)",
        ),
        (
            SdJwt::PrivateHolderKey.into(),
            "sd-jwt rejected: cnf.jwk holds private key members",
        ),
        (
            SdJwt::KbTyp.into(),
            "sd-jwt rejected: KB-JWT typ is not kb+jwt",
        ),
        (
            SdJwt::KbAlgorithm.into(),
            "sd-jwt rejected: KB-JWT alg is not an accepted algorithm",
        ),
        (
            SdJwt::KbMissingClaim("nonce").into(),
            "sd-jwt rejected: KB-JWT claim `nonce` is missing",
        ),
        (
            SdJwt::KbInvalidClaim("aud").into(),
            "sd-jwt rejected: KB-JWT claim `aud` has the wrong JSON type",
        ),
        (
            SdJwt::KbIssuedInFuture {
                now: at(1),
                iat: at(2),
            }
            .into(),
            "sd-jwt rejected: KB-JWT issued in the future at 2 (now 1)",
        ),
        (
            SdJwt::KbTooOld {
                now: at(900),
                iat: at(2),
            }
            .into(),
            "sd-jwt rejected: KB-JWT issued at 2, older than the window allows (now 900)",
        ),
        (
            SdJwt::KbExpired {
                now: at(3),
                exp: at(2),
            }
            .into(),
            "sd-jwt rejected: KB-JWT expired at 2 (now 3)",
        ),
        (
            SdJwt::KbNotYetValid {
                now: at(1),
                nbf: at(2),
            }
            .into(),
            "sd-jwt rejected: KB-JWT not valid before 2 (now 1)",
        ),
        (
            SdJwt::KbAudience.into(),
            "sd-jwt rejected: KB-JWT aud is not this verifier",
        ),
        (
            SdJwt::KbNonce.into(),
            "sd-jwt rejected: KB-JWT nonce is not this transaction's",
        ),
        (
            SdJwt::KbSdHash.into(),
            "sd-jwt rejected: KB-JWT sd_hash is not the digest of the SD-JWT",
        ),
        (
            SdJwt::JsonHeader.into(),
            "sd-jwt rejected: disclosures or kb_jwt is misplaced or mistyped in a JWS JSON unprotected header",
        ),
        (
            SdJwt::NeverDisclosable("exp").into(),
            "sd-jwt rejected: claim `exp` must never be selectively disclosed",
        ),
        (
            SdJwt::VcTyp.into(),
            "sd-jwt rejected: header typ is not dc+sd-jwt",
        ),
        (
            SdJwt::VctMismatch.into(),
            "sd-jwt rejected: vct is not the expected credential type",
        ),
        (
            Misuse::Pointer.into(),
            "misuse: a JSON pointer is malformed or names nothing in the claims",
        ),
        (
            Misuse::SdClaims.into(),
            "misuse: claims hold a name SD-JWT reserves, or a claim kept visible was made disclosable",
        ),
        (
            Malformed::Json {
                part: "disclosure",
                problem: JsonProblem::NotArray,
            }
            .into(),
            "malformed input: disclosure: top level is not a JSON array",
        ),
    ];
    for (error, text) in table {
        assert_eq!(error.to_string(), text);
    }
    // A disclosed claim's name and value never reach an error, whatever goes wrong.
    let key = issuer_key();
    let marker = "SECRETMARKER";
    let (d, digest) = disclosure(&format!(r#"["{marker}","{marker}","{marker}"]"#));
    for payload in [
        json!({"_sd": [digest.clone(), digest.clone()]}),
        json!({marker: 1, "_sd": [digest.clone()]}),
        json!({"_sd": []}),
    ] {
        let input = forge(&key, &payload, &[&d]);
        let error = verify(&key, &input).unwrap_err();
        assert!(!format!("{error} {error:?}").contains(marker), "{error}");
    }
}

#[test]
fn sd_jwt_vc_keys_from_issuer_metadata_through_the_key_set_cache() {
    use jose_ring::jwks::{Response, Target, UriPolicy};
    use jose_ring::sd_jwt::vc::{IssuerMetadata, metadata_uri};
    let issuer = "https://pid.example/tenant";
    let key = issuer_key().with_kid("2026-12");
    let issued = Issuer::new(claims(
        json!({"iss": issuer, "given_name": "Erika", "exp": NOW + 60}),
    ))
    .with_vct("urn:eudi:pid:de:1")
    .with_disclosable("/given_name")
    .sign(&key)
    .unwrap();
    // The verifier reads the unverified iss only to find the metadata; the signature is then
    // checked with the keys the metadata names, and `iss` against the issuer asked for.
    let uri = metadata_uri(issuer, UriPolicy::HttpsOnly).unwrap();
    assert_eq!(uri, "https://pid.example/.well-known/jwt-vc-issuer/tenant");
    let document = json!({"issuer": issuer, "jwks_uri": "https://pid.example/jwks"});
    let metadata = IssuerMetadata::from_json(
        document.to_string().as_bytes(),
        issuer,
        UriPolicy::HttpsOnly,
    )
    .unwrap();
    let mut cache = metadata.key_cache(&jwa::ASYMMETRIC).unwrap();
    let request = cache.poll(now()).unwrap();
    assert_eq!(
        (request.target(), request.uri()),
        (Target::KeySet, "https://pid.example/jwks")
    );
    let set = json!({"keys": [serde_json::from_str::<Value>(&Jwk::from_signing_key(&key).unwrap().to_json().unwrap()).unwrap()]});
    cache
        .complete(
            request,
            now(),
            &Response::new(200, set.to_string().into_bytes()),
        )
        .unwrap();
    let ring = cache.keys(now()).unwrap();
    let rules = Validation::new(jwt::Validation::new(now()).with_issuer(issuer))
        .with_vct("urn:eudi:pid:de:1");
    let verified = sd_jwt::verify(&issued, &**ring, &rules).unwrap();
    assert_eq!(verified.claims()["given_name"], "Erika");
    // A key the metadata does not name verifies nothing.
    let other = Issuer::new(claims(json!({"iss": issuer, "exp": NOW + 60})))
        .with_vct("urn:eudi:pid:de:1")
        .sign(&issuer_key().with_kid("2026-12"))
        .unwrap();
    assert_eq!(
        sd_jwt::verify(&other, &**ring, &rules).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}
