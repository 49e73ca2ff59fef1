//! RFC 9901's own examples (§4.2, §5, §6, §8, Appendix A), from `test-vectors/rfc/rfc9901_*.json`:
//! every digest, every issuer signature and KB-JWT, every `sd_hash` and every processed payload
//! of the RFC, byte for byte where the RFC fixes the bytes; every presentation also tampered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::jwk::Jwk;
use jose_ring::jws::{self, Header, Policy, Serialization};
use jose_ring::jwt::{self, NumericDate};
use jose_ring::sd_jwt::{self, Unverified, Validation};
use jose_ring::{Error, SdJwt, SigningKey, VerifyingKey, jwa};
use serde_json::{Map, Value, json};

fn vectors(name: &str) -> Value {
    let text = match name {
        "4.2" => include_str!("../test-vectors/rfc/rfc9901_4_2_disclosures.json"),
        "5" => include_str!("../test-vectors/rfc/rfc9901_5_example.json"),
        "6" => include_str!("../test-vectors/rfc/rfc9901_6_nested.json"),
        "8" => include_str!("../test-vectors/rfc/rfc9901_8_json_serialization.json"),
        "A" => include_str!("../test-vectors/rfc/rfc9901_appendix_a.json"),
        other => panic!("no vector file {other}"),
    };
    let value: Value = serde_json::from_str(text).unwrap();
    assert!(value["source"].as_str().unwrap().starts_with("RFC 9901"));
    value
}

fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string"))
}

fn es256_key(jwk: &Value) -> VerifyingKey {
    Jwk::from_json(jwk.to_string().as_bytes())
        .unwrap()
        .verifying_key(&jwa::ES256)
        .unwrap()
}

/// The RFC's issuer key (Appendix A.5).
fn issuer_key() -> VerifyingKey {
    es256_key(&vectors("A")["issuer_jwk"]["value"])
}

fn at(v: &Value) -> NumericDate {
    NumericDate::from_seconds(v["verify_at"].as_i64().unwrap())
}

/// Rules for the RFC's examples at `now`: `typ` as given, key binding to the RFC's verifier
/// and nonce if `kb`.
fn rules(now: NumericDate, typ: &str, kb: bool) -> Validation {
    let rules = Validation::new(jwt::Validation::new(now).with_typ(typ));
    if kb {
        rules.with_key_binding("https://verifier.example.org", "1234567890")
    } else {
        rules
    }
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// The compact presentation `input` with the middle character of its component `index`
/// (split at `~`) or of segment `segment` of that component (split at `.`) changed.
fn flip(input: &str, index: usize, segment: Option<usize>) -> String {
    let mut components: Vec<String> = input.split('~').map(String::from).collect();
    let target = &mut components[index];
    let mut pieces: Vec<String> = target.split('.').map(String::from).collect();
    let piece = &mut pieces[segment.unwrap_or(0)];
    let middle = piece.len() / 2;
    let new = if piece.as_bytes()[middle] == b'A' {
        "B"
    } else {
        "A"
    };
    piece.replace_range(middle..=middle, new);
    *target = pieces.join(".");
    components.join("~")
}

/// Every single-character change of a compact presentation is refused, with the reason its
/// place makes certain; a disclosure taken out of an SD-JWT+KB breaks `sd_hash`.
fn assert_tampered_fail(input: &str, keys: &VerifyingKey, rules: &Validation) {
    let components: Vec<&str> = input.split('~').collect();
    let last = components.len() - 1;
    assert!(sd_jwt::verify(&flip(input, 0, Some(0)), keys, rules).is_err());
    for segment in [1, 2] {
        assert_eq!(
            sd_jwt::verify(&flip(input, 0, Some(segment)), keys, rules).map(|_| ()),
            Err(Error::InvalidSignature),
            "issuer JWT segment {segment}"
        );
    }
    for index in 1..last {
        assert_eq!(
            sd_jwt::verify(&flip(input, index, None), keys, rules).map(|_| ()),
            Err(SdJwt::UnreferencedDisclosure.into()),
            "disclosure {index}"
        );
    }
    if components[last].is_empty() {
        return;
    }
    assert!(sd_jwt::verify(&flip(input, last, Some(0)), keys, rules).is_err());
    for segment in [1, 2] {
        assert_eq!(
            sd_jwt::verify(&flip(input, last, Some(segment)), keys, rules).map(|_| ()),
            Err(Error::InvalidSignature),
            "KB-JWT segment {segment}"
        );
    }
    if last > 1 {
        // The last disclosure, which the RFC's examples never hold a digest of another in.
        let mut fewer = components.clone();
        fewer.remove(last - 1);
        assert_eq!(
            sd_jwt::verify(&fewer.join("~"), keys, rules).map(|_| ()),
            Err(SdJwt::KbSdHash.into())
        );
        let mut twice = components.clone();
        twice.insert(1, components[1]);
        assert_eq!(
            sd_jwt::verify(&twice.join("~"), keys, rules).map(|_| ()),
            Err(SdJwt::DuplicateDisclosure.into())
        );
    }
}

/// Signs `payload` (a claims object given by the RFC without a signature) with a key of the
/// test's, under `typ`, and appends `disclosures`: the RFC's disclosures, byte for byte,
/// under a signature of ours.
fn signed(payload: &Value, disclosures: &[&str], key: &SigningKey) -> String {
    let header = Header::new().with_typ("example+sd-jwt");
    let jwt = jws::sign(payload.to_string().as_bytes(), &header, key).unwrap();
    let mut out = jwt + "~";
    for disclosure in disclosures {
        out.push_str(disclosure);
        out.push('~');
    }
    out
}

#[test]
fn section_4_2_disclosures_and_their_digests() {
    let v = vectors("4.2");
    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let member = &v["member"];
    // The digest the RFC gives is the digest the verifier looks for: a payload that lists it
    // gets family_name back, from the disclosure and from each of its other encodings.
    let payload = json!({"_sd": [text(member, "sha256")], "exp": 1_900_000_000});
    let rules = Validation::new(
        jwt::Validation::new(NumericDate::from_seconds(1_800_000_000)).with_typ("example+sd-jwt"),
    );
    let sd = signed(&payload, &[text(member, "disclosure")], &key);
    let verified = sd_jwt::verify(&sd, &key.verifying_key(), &rules).unwrap();
    assert_eq!(verified.claims()["family_name"], "Möbius");
    for variant in member["variants"].as_array().unwrap() {
        // Another encoding is another disclosure, with another digest: referenced by nothing.
        let sd = signed(&payload, &[variant.as_str().unwrap()], &key);
        assert_eq!(
            sd_jwt::verify(&sd, &key.verifying_key(), &rules).map(|_| ()),
            Err(SdJwt::UnreferencedDisclosure.into())
        );
    }
    // §4.2.2: an array element.
    let element = &v["element"];
    let input = signed(
        &json!({"nationalities": ["DE", {"...": sha256(text(element, "disclosure"))}, "US"]}),
        &[text(element, "disclosure")],
        &key,
    );
    let sd = Unverified::parse(&input).unwrap();
    assert_eq!(
        sd.unverified_claims().unwrap()["nationalities"],
        json!(["DE", "FR", "US"])
    );
}

/// The base64url SHA-256 of `text`, with `ring` directly: the RFC's digests are checked
/// against it, and the library's through verification.
fn sha256(text: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(
        ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref(),
    )
}

#[test]
fn section_5_issuance() {
    let v = vectors("5");
    let issuance = &v["issuance"];
    let issued = text(issuance, "sd_jwt");
    let key = es256_key(&v["issuer_jwk"]);
    // The issued SD-JWT is the issuer-signed JWT and the ten disclosures, byte for byte.
    let disclosures: Vec<&str> = issuance["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| text(d, "disclosure"))
        .collect();
    let mut expected = format!("{}~", text(issuance, "issuer_signed_jwt"));
    for d in &disclosures {
        expected.push_str(d);
        expected.push('~');
    }
    assert_eq!(issued, expected);
    for d in issuance["disclosures"].as_array().unwrap() {
        assert_eq!(sha256(text(d, "disclosure")), text(d, "sha256"));
    }
    // Verified with every disclosure: the claims the issuer started from.
    let verified = sd_jwt::verify(
        issued,
        &key,
        &rules(at(&v["presentation"]), "example+sd-jwt", false),
    )
    .unwrap();
    let mut want = object(&issuance["claims"]);
    for name in ["iss", "iat", "exp", "cnf"] {
        want.insert(name.into(), issuance["payload"][name].clone());
    }
    assert_eq!(verified.claims(), &want);
    assert_eq!(
        verified.expires_at(),
        Some(NumericDate::from_seconds(1_883_000_000))
    );
    assert_tampered_fail(
        issued,
        &key,
        &rules(at(&v["presentation"]), "example+sd-jwt", false),
    );
    // The holder refuses an SD-JWT+KB from an issuer (§7.2).
    let presented = text(&v["presentation"], "sd_jwt_kb");
    assert_eq!(
        Unverified::parse(presented)
            .unwrap()
            .present(&[])
            .map(|_| ()),
        Err(SdJwt::UnexpectedKeyBinding.into())
    );
}

#[test]
fn section_5_presentation() {
    let v = vectors("5");
    let p = &v["presentation"];
    let presented = text(p, "sd_jwt_kb");
    let key = es256_key(&v["issuer_jwk"]);
    let kb_rules = rules(at(p), "example+sd-jwt", true);
    let verified = sd_jwt::verify(presented, &key, &kb_rules).unwrap();
    assert_eq!(verified.claims(), &object(&p["processed_payload"]));
    assert_eq!(
        verified.key_binding(),
        Some((NumericDate::from_seconds(1_748_537_243), &jwa::ES256))
    );
    assert_tampered_fail(presented, &key, &kb_rules);

    // The holder, asked for what the RFC's holder disclosed, sends the same SD-JWT: the same
    // issuer-signed JWT and the same four disclosures, byte for byte, in issuance order (the
    // RFC's generator shuffled them); so its sd_hash is the RFC's once reordered alike.
    let issued = text(&v["issuance"], "sd_jwt");
    let ours = Unverified::parse(issued)
        .unwrap()
        .present(&[
            "/family_name",
            "/address",
            "/given_name",
            "/nationalities/0",
        ])
        .unwrap()
        .into_sd_jwt()
        .unwrap();
    let rfc: Vec<&str> = presented.rsplit_once('~').unwrap().0.split('~').collect();
    let issued_order: Vec<&str> = issued.split('~').collect();
    let mut reordered: Vec<&str> = rfc[1..].to_vec();
    reordered.sort_by_key(|d| issued_order.iter().position(|i| i == d).unwrap());
    assert_eq!(ours, format!("{}~{}~", rfc[0], reordered.join("~")));

    // The KB-JWT's sd_hash is the digest of the presentation it came with (§4.3.1).
    let sd_jwt_part = &presented[..=presented.rfind('~').unwrap()];
    assert_eq!(sha256(sd_jwt_part), text(&p["kb_payload"], "sd_hash"));

    // Key binding is the verifier's choice, never the presentation's (§7.3).
    let no_kb = rules(at(p), "example+sd-jwt", false);
    assert_eq!(
        sd_jwt::verify(presented, &key, &no_kb).map(|_| ()),
        Err(SdJwt::UnexpectedKeyBinding.into())
    );
    assert_eq!(
        sd_jwt::verify(sd_jwt_part, &key, &kb_rules).map(|_| ()),
        Err(SdJwt::MissingKeyBinding.into())
    );
    let other = |aud: &str, nonce: &str, now: i64| {
        Validation::new(
            jwt::Validation::new(NumericDate::from_seconds(now)).with_typ("example+sd-jwt"),
        )
        .with_key_binding(aud, nonce)
    };
    let cases: [(Validation, Error); 4] = [
        (
            other("https://verifier.example.org", "other", 1_748_537_250),
            SdJwt::KbNonce.into(),
        ),
        (
            other("https://evil.example", "1234567890", 1_748_537_250),
            SdJwt::KbAudience.into(),
        ),
        (
            other(
                "https://verifier.example.org",
                "1234567890",
                1_748_537_244 + 300,
            ),
            SdJwt::KbTooOld {
                now: NumericDate::from_seconds(1_748_537_544),
                iat: NumericDate::from_seconds(1_748_537_243),
            }
            .into(),
        ),
        (
            other("https://verifier.example.org", "1234567890", 1_748_537_242),
            SdJwt::KbIssuedInFuture {
                now: NumericDate::from_seconds(1_748_537_242),
                iat: NumericDate::from_seconds(1_748_537_243),
            }
            .into(),
        ),
    ];
    for (rules, want) in cases {
        assert_eq!(
            sd_jwt::verify(presented, &key, &rules).map(|_| ()),
            Err(want)
        );
    }
}

#[test]
fn section_6_nested_structures() {
    let v = vectors("6");
    let key = SigningKey::generate(&jwa::ES256).unwrap();
    let rules = Validation::new(
        jwt::Validation::new(NumericDate::from_seconds(1_748_537_250)).with_typ("example+sd-jwt"),
    );
    let mut want = object(&v["claims"]);
    want.insert("iss".into(), json!("https://issuer.example.com"));
    want.insert("iat".into(), json!(1_683_000_000));
    want.insert("exp".into(), json!(1_883_000_000));
    for example in v["examples"].as_array().unwrap() {
        let source = text(example, "source");
        let disclosures: Vec<&str> = example["disclosures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                assert_eq!(sha256(text(d, "disclosure")), text(d, "sha256"), "{source}");
                text(d, "disclosure")
            })
            .collect();
        let sd = signed(&example["payload"], &disclosures, &key);
        let verified = sd_jwt::verify(&sd, &key.verifying_key(), &rules).unwrap();
        assert_eq!(verified.claims(), &want, "{source}");
        assert_tampered_fail(&sd, &key.verifying_key(), &rules);
    }
    // §6.3: disclosing the region takes the address with it (§4.2.6), and nothing else.
    let recursive = &v["examples"][3];
    let disclosures: Vec<&str> = recursive["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| text(d, "disclosure"))
        .collect();
    let sd = signed(&recursive["payload"], &disclosures, &key);
    let presentation = Unverified::parse(&sd)
        .unwrap()
        .present(&["/address/region"])
        .unwrap();
    let chosen: Vec<&str> = presentation.disclosures().collect();
    assert_eq!(chosen, [disclosures[2], disclosures[4]]);
    let verified = sd_jwt::verify(
        &presentation.into_sd_jwt().unwrap(),
        &key.verifying_key(),
        &rules,
    )
    .unwrap();
    assert_eq!(
        verified.claims()["address"],
        json!({"region": "Sachsen-Anhalt"})
    );
    // Without the address, the region's disclosure connects to nothing (§4.2.6).
    let orphan = signed(&recursive["payload"], &[disclosures[2]], &key);
    assert_eq!(
        sd_jwt::verify(&orphan, &key.verifying_key(), &rules).map(|_| ()),
        Err(SdJwt::UnreferencedDisclosure.into())
    );
}

#[test]
fn section_8_json_serialization() {
    let v = vectors("8");
    let key = es256_key(&v["issuer_jwk"]);
    let now = at(&v);
    let disclosed = |claims: &Map<String, Value>| {
        let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.join(",")
    };
    // Flattened, as issued: every disclosure in the unprotected header.
    let issued = v["flattened_issued"]["value"].to_string();
    let verified = sd_jwt::verify(&issued, &key, &rules(now, "example+sd-jwt", false)).unwrap();
    assert_eq!(
        disclosed(verified.claims()),
        "birthdate,cnf,exp,family_name,given_name,iat,iss,sub"
    );
    // Flattened and general SD-JWT+KB: sd_hash over the compact form of the first signature.
    for (name, policy) in [("flattened_kb", Policy::Any), ("general_kb", Policy::Any)] {
        let input = v[name]["value"].to_string();
        let verified = sd_jwt::verify(
            &input,
            &key,
            &rules(now, "example+sd-jwt", true).with_policy(policy),
        )
        .unwrap();
        assert_eq!(
            disclosed(verified.claims()),
            "cnf,exp,family_name,given_name,iat,iss",
            "{name}"
        );
        // A disclosure taken out breaks sd_hash; a disclosure changed is referenced by nothing.
        let mut fewer = v[name]["value"].clone();
        let header = if name == "general_kb" {
            &mut fewer["signatures"][0]["header"]
        } else {
            &mut fewer["header"]
        };
        header["disclosures"].as_array_mut().unwrap().pop();
        assert_eq!(
            sd_jwt::verify(
                &fewer.to_string(),
                &key,
                &rules(now, "example+sd-jwt", true)
            )
            .map(|_| ()),
            Err(SdJwt::KbSdHash.into()),
            "{name}"
        );
    }
    // The general example's second signature is by a key the RFC does not publish.
    let general = v["general_kb"]["value"].to_string();
    assert_eq!(
        sd_jwt::verify(
            &general,
            &key,
            &rules(now, "example+sd-jwt", true).with_policy(Policy::All)
        )
        .map(|_| ()),
        Err(Error::InvalidSignature)
    );
    // disclosures and kb_jwt belong to the first unprotected header only (§8.3).
    let mut misplaced = v["general_kb"]["value"].clone();
    misplaced["signatures"][1]["header"]["disclosures"] = json!([]);
    assert_eq!(
        sd_jwt::verify(
            &misplaced.to_string(),
            &key,
            &rules(now, "example+sd-jwt", true)
        )
        .map(|_| ()),
        Err(SdJwt::JsonHeader.into())
    );
    // A holder presenting from the flattened SD-JWT answers in the flattened serialization.
    let sd = Unverified::parse(&issued).unwrap();
    assert_eq!(sd.serialization(), Serialization::Flattened);
    let out = sd.present(&["/given_name"]).unwrap().into_sd_jwt().unwrap();
    let document: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        document["header"]["disclosures"],
        json!([v["disclosures"][1]["disclosure"]])
    );
    assert_eq!(
        document["signature"],
        v["flattened_issued"]["value"]["signature"]
    );
    let verified = sd_jwt::verify(&out, &key, &rules(now, "example+sd-jwt", false)).unwrap();
    assert_eq!(disclosed(verified.claims()), "cnf,exp,given_name,iat,iss");
}

#[test]
fn appendix_a_examples() {
    let v = vectors("A");
    let key = issuer_key();
    let now = at(&v);
    for example in v["examples"].as_array().unwrap() {
        let source = text(example, "source");
        let presentation = text(example, "presentation");
        let kb = !presentation.ends_with('~');
        // A.4's W3C payload has no exp (its expirationDate is not a NumericDate).
        let claims = jwt::Validation::new(now)
            .with_typ(text(example, "typ"))
            .with_optional_exp();
        let mut rules = Validation::new(claims);
        if kb {
            rules = rules.with_key_binding("https://verifier.example.org", "1234567890");
        }
        if let Some(vct) = example["vct"].as_str() {
            rules = Validation::new(jwt::Validation::new(now))
                .with_vct(vct)
                .with_key_binding("https://verifier.example.org", "1234567890");
        }
        let verified = sd_jwt::verify(presentation, &key, &rules).unwrap();
        assert_eq!(
            verified.claims(),
            &object(&example["processed_payload"]),
            "{source}"
        );
        assert_tampered_fail(presentation, &key, &rules);
        if let Some(issued) = example["issued"].as_str() {
            for d in example["disclosures"].as_array().unwrap() {
                assert_eq!(sha256(text(d, "disclosure")), text(d, "sha256"), "{source}");
            }
            // The holder discloses what the RFC's did: the same disclosures, byte for byte.
            let mut wanted: Vec<&str> = presentation.split('~').skip(1).collect();
            wanted.pop();
            let all = Unverified::parse(issued)
                .unwrap()
                .unverified_claims()
                .unwrap();
            let pointers: Vec<String> = pointers_of(&example["processed_payload"], &all);
            let refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
            let chosen = Unverified::parse(issued).unwrap().present(&refs).unwrap();
            let mut ours: Vec<&str> = chosen.disclosures().collect();
            ours.sort_unstable();
            wanted.sort_unstable();
            assert_eq!(ours, wanted, "{source}");
        }
    }
    // A.1's decoys: digests in the payload that no disclosure has.
    let a1 = &v["examples"][0];
    let payload = text(a1, "presentation").split('.').nth(1).unwrap();
    let payload = String::from_utf8(base64ct_decode(payload)).unwrap();
    for decoy in a1["decoys"].as_array().unwrap() {
        assert!(payload.contains(decoy.as_str().unwrap()));
    }
}

/// A pointer to every leaf of `processed` (the RFC's processed payload), as positions in
/// `all` (the claims with every disclosure): what the RFC's holder chose.
fn pointers_of(processed: &Value, all: &Map<String, Value>) -> Vec<String> {
    fn walk(shown: &Value, full: &Value, path: String, out: &mut Vec<String>) {
        match (shown, full) {
            (Value::Object(shown), Value::Object(full)) => {
                for (name, value) in shown {
                    walk(value, &full[name], format!("{path}/{name}"), out);
                }
            }
            (Value::Array(shown), Value::Array(full)) => {
                for item in shown {
                    let index = full.iter().position(|f| f == item).unwrap();
                    walk(item, &full[index], format!("{path}/{index}"), out);
                }
            }
            _ => out.push(path),
        }
    }
    let mut out = Vec::new();
    walk(
        processed,
        &Value::Object(all.clone()),
        String::new(),
        &mut out,
    );
    out
}

fn base64ct_decode(text: &str) -> Vec<u8> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::decode_vec(text).unwrap()
}
