//! Writes seed corpora for the fuzz targets into `<out>/<target>/` (default `fuzz/corpus`):
//! tokens, JWKs, JWK Sets and key files from `test-vectors/`, plus tokens signed with the
//! fuzz targets' own fixed keys (so that seeds reach past signature verification).
//! Run through `fuzz/seed.sh`. Seeds are named by content, so reruns add nothing twice.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwt::{NumericDate, RegisteredClaims};
use jose_ring::{jws, jwt};
use serde_json::Value;

#[allow(dead_code, reason = "the key ring is for the targets")]
#[path = "../../src/keys.rs"]
mod keys;

/// The DER `SubjectPublicKeyInfo` prefix of an Ed25519 key (RFC 8410 §4).
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

struct Corpus {
    root: PathBuf,
    count: usize,
}

impl Corpus {
    fn add(&mut self, target: &str, bytes: &[u8]) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).expect("corpus directory");
        let mut h = DefaultHasher::new();
        bytes.hash(&mut h);
        let path = dir.join(format!("seed-{:016x}", h.finish()));
        if !path.exists() {
            fs::write(path, bytes).expect("write seed");
            self.count += 1;
        }
    }
}

fn walk<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(value);
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
        Value::Object(map) => map.values().for_each(|v| walk(v, out)),
        _ => {}
    }
}

fn is_b64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| root.join("fuzz/corpus"), PathBuf::from);
    let mut c = Corpus {
        root: out,
        count: 0,
    };

    // 1. The RFC vectors.
    let mut dir: Vec<_> = fs::read_dir(root.join("test-vectors/rfc"))
        .expect("vectors")
        .flatten()
        .collect();
    dir.sort_by_key(|e| e.path());
    for entry in dir {
        let text = fs::read(entry.path()).expect("read vector");
        let Ok(doc) = serde_json::from_slice::<Value>(&text) else {
            continue;
        };
        let mut all = Vec::new();
        walk(&doc, &mut all);
        for value in all {
            match value {
                // SD-JWTs and SD-JWT+KBs (RFC 9901): a `~` after the issuer-signed JWT.
                Value::String(s) if s.starts_with("ey") && s.contains('~') => {
                    c.add("sd_jwt", s.as_bytes());
                }
                Value::String(s) if s.matches('.').count() == 2 && s.starts_with("ey") => {
                    c.add("jws_compact", s.as_bytes());
                    for segment in s.split('.') {
                        c.add("base64url", segment.as_bytes());
                    }
                }
                Value::String(s) if !s.is_empty() && is_b64url(s) => {
                    c.add("base64url", s.as_bytes())
                }
                Value::String(s) if s.starts_with('{') => {
                    c.add("round_trip", s.as_bytes());
                    c.add("jwt_decode", s.as_bytes());
                }
                Value::Object(map) if map.contains_key("kty") => {
                    let json = serde_json::to_vec(value).expect("json");
                    c.add("jwk", &json);
                    c.add(
                        "jwk_set",
                        &serde_json::to_vec(&serde_json::json!({ "keys": [value] })).expect("json"),
                    );
                }
                Value::Object(map) if map.get("keys").is_some_and(Value::is_array) => {
                    c.add("jwk_set", &serde_json::to_vec(value).expect("json"));
                }
                Value::Object(map)
                    if map.contains_key("payload") && map.contains_key("signatures")
                        || map.contains_key("protected") =>
                {
                    let json = serde_json::to_vec(value).expect("json");
                    c.add("jws_json", &json);
                    c.add("sd_jwt", &json);
                }
                _ => {}
            }
        }
    }

    // 2. Key files: for key_import, byte 0 picks the algorithm, byte 1 the importer.
    let mut files: Vec<_> = fs::read_dir(root.join("test-vectors/keys"))
        .expect("keys")
        .flatten()
        .collect();
    files.sort_by_key(|e| e.path());
    for entry in files {
        let name = entry.file_name().to_string_lossy().into_owned();
        let bytes = fs::read(entry.path()).expect("read key");
        let algs: &[u8] = match name.split('.').next().unwrap_or("") {
            n if n.starts_with("rsa") => &[0, 3],
            "p256" => &[6],
            "p384" => &[7],
            "ed25519" => &[8],
            _ => &[0, 6, 8],
        };
        let methods: &[u8] = match (
            name.ends_with(".pem"),
            name.contains("spki") || name.contains("public"),
        ) {
            (true, true) => &[4],
            (true, false) => &[0],
            (false, true) => &[5, 6],
            (false, false) => &[1, 2, 3],
        };
        if name.ends_with(".md") {
            continue;
        }
        for &a in algs {
            for &m in methods {
                c.add("key_import", &[&[a, m][..], &bytes].concat());
            }
        }
    }

    // 2b. Weak keys (test-vectors/weak/): every small-order and non-canonical Ed25519
    // encoding as raw bytes, SPKI DER and JWK, and in a set beside a usable twin; the ROCA key
    // in every file form.
    let weak: Value = serde_json::from_slice(
        &fs::read(root.join("test-vectors/weak/ed25519_small_order.json")).expect("weak"),
    )
    .expect("weak json");
    for list in ["small_order", "non_canonical"] {
        for case in weak[list].as_array().expect("list") {
            let x = case["x"].as_str().expect("x");
            let bytes = jose_ring::dangerous::decode_base64url(x).expect("x");
            let spki = [&ED25519_SPKI_PREFIX[..], &bytes].concat();
            c.add("key_import", &[&[8, 9][..], &bytes].concat());
            c.add("key_import", &[&[8, 5][..], &spki].concat());
            let jwk = serde_json::json!({"kty":"OKP","crv":"Ed25519","kid":"twin","x":x});
            c.add("jwk", jwk.to_string().as_bytes());
            let twin = serde_json::json!({"kty":"OKP","crv":"Ed25519","kid":"twin",
                "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
            c.add(
                "jwk_set",
                serde_json::json!({"keys":[jwk, twin]})
                    .to_string()
                    .as_bytes(),
            );
        }
    }
    for (file, methods) in [
        ("roca2048.spki.pem", &[4u8][..]),
        ("roca2048.pkcs1.pem", &[0]),
        ("roca2048.pkcs8.pem", &[0]),
    ] {
        let bytes = fs::read(root.join("test-vectors/weak").join(file)).expect("roca");
        for &m in methods {
            c.add("key_import", &[&[0, m][..], &bytes].concat());
        }
    }
    let roca = fs::read(root.join("test-vectors/weak/roca2048.jwk.json")).expect("roca jwk");
    c.add("jwk", &roca);
    // A JWK Set that smuggles a secret beside a public key under one kid.
    let mixed = br#"{"keys":[{"kty":"oct","kid":"k","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},{"kty":"OKP","crv":"Ed25519","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    c.add("jwk_set", mixed);

    // 3. Tokens, JWKs and sets made with the targets' own keys.
    let keys = keys::Keys::build();
    let claims = RegisteredClaims::new()
        .with_issuer("https://auth.example")
        .with_subject("ada")
        .with_audience("api")
        .with_lifetime(NumericDate::from_seconds(1_700_000_000), 900);
    let mut set = Vec::new();
    for (i, signer) in keys.signers().into_iter().enumerate() {
        let plain = jws::Header::new()
            .with_typ("JWT")
            .with_member("x", &[1, 2])
            .expect("member");
        for token in [
            jws::sign(b"{\"sub\":\"ada\"}", &plain, signer),
            jws::sign(b"$.02", &jws::Header::new(), signer),
            jws::sign(
                b"text",
                &jws::Header::new().with_unencoded_payload(),
                signer,
            ),
            jwt::encode(&claims, signer),
        ] {
            c.add("jws_compact", token.expect("sign").as_bytes());
        }
        for header in [
            jws::Header::new(),
            jws::Header::new().with_unencoded_payload(),
        ] {
            let token = jws::sign_detached(b"detached.content", &header, signer).expect("sign");
            c.add(
                "jws_compact",
                &[token.as_bytes(), b"\0detached.content"].concat(),
            );
        }
        if i == 0 {
            let jwk = Jwk::from_hmac_key(&keys.hmac);
            c.add("jwk", jwk.to_private_json().expose());
        }
    }
    let signers = keys.signers();
    let all: Vec<jws::Signatory<'_>> = signers.iter().map(|s| jws::Signatory::new(*s)).collect();
    for form in [jws::Serialization::General, jws::Serialization::Flattened] {
        for group in [&all[..1], &all[1..3], &all[..]] {
            if form == jws::Serialization::Flattened && group.len() > 1 {
                continue;
            }
            if let Ok(json) = jws::sign_as(b"{\"sub\":\"ada\"}", group, form) {
                c.add("jws_json", json.as_bytes());
            }
            if let Ok(json) = jws::sign_detached_as(b"detached", group, form) {
                c.add("jws_json", &[json.as_bytes(), b"\0detached"].concat());
            }
        }
    }
    for (sk, vk) in keys.signing.iter().zip(&keys.verifying) {
        let public = Jwk::from_verifying_key(vk);
        let private = Jwk::from_signing_key(sk).expect("export");
        c.add("jwk", public.to_json().expect("json").as_bytes());
        c.add("jwk", private.to_private_json().expose());
        let spki = vk.to_spki_der();
        let a = match vk.algorithm().name() {
            "ES256" => 6,
            "ES384" => 7,
            "EdDSA" => 8,
            "Ed25519" => 9,
            _ => 0,
        };
        c.add("key_import", &[&[a, 5][..], &spki].concat());
        c.add(
            "key_import",
            &[&[a, 4][..], vk.to_spki_pem().as_bytes()].concat(),
        );
        c.add(
            "key_import",
            &[&[a, 1][..], sk.to_pkcs8_der().expose()].concat(),
        );
        match a {
            6 => c.add(
                "key_import",
                &[&[a, 8][..], &spki[spki.len() - 65..]].concat(),
            ),
            7 => c.add(
                "key_import",
                &[&[a, 8][..], &spki[spki.len() - 97..]].concat(),
            ),
            8 | 9 => c.add(
                "key_import",
                &[&[a, 9][..], &spki[spki.len() - 32..]].concat(),
            ),
            _ => {}
        }
        set.push(public);
        set.push(private);
    }
    let set = JwkSet::from_iter(set);
    c.add(
        "jwk_set",
        serde_json::to_string(&set).expect("json").as_bytes(),
    );
    c.add("jwk_set", set.to_json().expect("json").as_bytes());
    discovery_seeds(&root, &mut c);
    // 4. DPoP: the RFC 9449 proofs with their requests, and proofs made with the fixed keys.
    let rfc: Value = serde_json::from_slice(
        &fs::read(root.join("test-vectors/rfc/rfc9449_examples.json")).expect("rfc9449"),
    )
    .expect("json");
    for name in ["token_request_proof", "refresh_proof", "resource_proof"] {
        let e = &rfc[name];
        let text = |m: &str| e[m].as_str().unwrap_or_default().to_string();
        let mut request = format!("{} {} {}", text("htm"), text("htu"), e["iat"]);
        if e.get("access_token").is_some() {
            request.push_str(&format!(" - {}", text("access_token")));
        }
        c.add(
            "dpop_proof",
            format!("{request}\n{}", text("proof")).as_bytes(),
        );
    }
    for (i, key) in keys.signing.iter().enumerate() {
        let htu = [
            "https://server.example.com/token",
            "http://[::1]:8080/a/../b?q#f",
        ][i % 2];
        let proof = jose_ring::dpop::ProofBuilder::new(key, "POST", htu)
            .with_iat(NumericDate::from_seconds(1_700_000_000))
            .with_nonce("n")
            .with_access_token("at")
            .build()
            .expect("proof");
        c.add(
            "dpop_proof",
            format!("POST {htu} 1700000000 n at\n{proof}").as_bytes(),
        );
    }
    c.add("dpop_proof", b"GET HTTPS://Example.COM:443/%7e/./x\n");
    guard_credentials_seeds(&rfc, &mut c);
    sd_jwt_seeds(&keys, &mut c);
    for t in ["jwt_decode", "round_trip", "base64url"] {
        c.add(t, b"");
    }
    println!("wrote {} new seeds under {}", c.count, c.root.display());
}

/// `discovery`: each document of `test-vectors/jwks/discovery.json` after its issuer and `\0`,
/// and variants of it (loopback `http`, a path, a trailing slash, no algorithms).
fn discovery_seeds(root: &Path, c: &mut Corpus) {
    let text = fs::read_to_string(root.join("test-vectors/jwks/discovery.json"))
        .expect("discovery vectors");
    let file: Value = serde_json::from_str(&text).expect("discovery vectors are JSON");
    let mut add = |issuer: &str, document: &Value| {
        let json = serde_json::to_vec(document).expect("json");
        c.add("discovery", &[issuer.as_bytes(), b"\0", &json].concat());
    };
    for v in file["vectors"].as_array().expect("vectors") {
        let issuer = v["issuer"].as_str().expect("issuer");
        add(issuer, &v["document"]);
        for other in [
            "http://127.0.0.1:8080",
            "https://server.example.com/tenant/a",
            "https://server.example.com/",
            "http://[::1]:9/realms/x",
        ] {
            let mut doc = v["document"].clone();
            doc["issuer"] = Value::from(other);
            doc["jwks_uri"] = Value::from(format!("{}/jwks?v=1", other.trim_end_matches('/')));
            add(other, &doc);
        }
    }
}

/// `guard_credentials`: requests as RFC 6750 §2.1 and RFC 9449 §7.1 show them (the RFC 9449
/// resource request with its proof), with each setting of the guard, and the malformed
/// shapes the guard answers 400.
fn guard_credentials_seeds(rfc: &Value, c: &mut Corpus) {
    let e = &rfc["resource_proof"];
    let token = e["access_token"]
        .as_str()
        .unwrap_or("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
    let proof = e["proof"].as_str().unwrap_or_default();
    let requests = [
        "Authorization: Bearer mF_9.B5f-4.1JqM".to_owned(),
        format!("Authorization: DPoP {token}\nDPoP: {proof}"),
        format!("authorization: dpop   {token}\ndpop: {proof}\ndpop: {proof}"),
        format!("Authorization: DPoP {token}\nDPoP: {proof}, {proof}"),
        "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l".to_owned(),
        "Authorization: Bearer a\nAuthorization: Bearer b".to_owned(),
        "Authorization: Bearer\nAuthorization: Bearer ".to_owned(),
        "Authorization: Bearer a b".to_owned(),
        "Authorization: Bearer ab==".to_owned(),
        "Cookie: x=1; at=mF_9.B5f-4.1JqM; y=\"2\"".to_owned(),
        "Cookie: at=\"mF_9.B5f-4.1JqM\"\nAuthorization: Bearer d.e.f".to_owned(),
    ];
    for settings in ["", "dpop", "dpop cookie=at", "cookie=at"] {
        for request in &requests {
            c.add(
                "guard_credentials",
                format!("{settings}\n{request}").as_bytes(),
            );
        }
    }
    c.add(
        "guard_credentials",
        b"dpop\nAuthorization: Bearer \xff\nDPoP: a.\xffb.c",
    );
}

/// `sd_jwt`: claims objects (the target issues them), and SD-JWTs issued with the fixed keys
/// (ES256 issuer, Ed25519 holder), as issued, presented in part, and with a KB-JWT for the
/// target's verifier, in each serialization.
fn sd_jwt_seeds(keys: &keys::Keys, c: &mut Corpus) {
    use jose_ring::jws::Serialization;
    use jose_ring::sd_jwt::{Issuer, KeyBinding, Unverified};
    let claims = serde_json::json!({
        "iss": "https://issuer.example", "a": ["x", {"b": 1}], "o": {"p": "q", "r": [1, 2]},
        "s": "t",
    });
    c.add("sd_jwt", claims.to_string().as_bytes());
    let members = claims.as_object().cloned().unwrap_or_default();
    let issuer = Issuer::new(members)
        .with_disclosable("/a")
        .with_disclosable("/a/0")
        .with_disclosable("/o/p")
        .with_disclosable("/s")
        .with_decoys("/o", 2)
        .with_holder_key(&Jwk::from_signing_key(&keys.signing[3]).expect("jwk"))
        .expect("holder key");
    let binding = KeyBinding::new(
        "https://verifier.example",
        "n",
        NumericDate::from_seconds(1_700_000_000),
    );
    for form in [
        Serialization::Compact,
        Serialization::Flattened,
        Serialization::General,
    ] {
        let issued = issuer.sign_as(&[&keys.signing[0]], form).expect("issue");
        c.add("sd_jwt", issued.as_bytes());
        let parse = || Unverified::parse(&issued).expect("parse");
        let some = parse().present(&["/a/0"]).expect("present");
        c.add("sd_jwt", some.into_sd_jwt().expect("sd-jwt").as_bytes());
        let bound = parse()
            .present_all()
            .expect("present")
            .with_key_binding(&binding, &keys.signing[3])
            .expect("kb");
        c.add("sd_jwt", bound.as_bytes());
    }
}
