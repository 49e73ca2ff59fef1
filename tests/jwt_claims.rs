//! JWT claim checks, one table per claim: present, absent, wrong type, boundaries.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod common;

use common::{b64, forge, hs256_key};
use jose_ring::ClaimError;
use jose_ring::jwt::{self, NumericDate, Validation};
use jose_ring::{Error, JsonProblem, Malformed};
use serde::Deserialize;
use serde::de::IgnoredAny;

const NOW: i64 = 1_700_000_000;

fn at(seconds: i64) -> NumericDate {
    NumericDate::from_seconds(seconds)
}

fn rules() -> Validation {
    Validation::new(at(NOW))
}

/// A token over `payload` with a plain `{"alg":"HS256","typ":"JWT"}` header.
fn token(payload: &str) -> String {
    forge(r#"{"alg":"HS256","typ":"JWT"}"#, &b64(payload.as_bytes()))
}

/// Decodes into a type that ignores everything, so only the validation reads the claims.
fn check(payload: &str, rules: &Validation) -> Result<(), Error> {
    jwt::decode::<IgnoredAny, _>(&token(payload), &hs256_key(), rules).map(|_| ())
}

/// A type with the registered claims as fields, so they are read by the type too.
#[derive(Debug, Deserialize)]
#[allow(dead_code, reason = "only deserialized")]
struct Typed {
    exp: Option<f64>,
    nbf: Option<i64>,
    iat: Option<u64>,
    iss: Option<String>,
    aud: Option<jwt::Audience>,
}

fn claim(error: ClaimError) -> Result<(), Error> {
    Err(Error::from(error))
}

#[test]
fn exp_table() {
    let expired = |exp| {
        claim(ClaimError::Expired {
            now: at(NOW),
            exp: at(exp),
        })
    };
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (format!(r#"{{"exp":{}}}"#, NOW + 1), rules(), Ok(())),
        (format!(r#"{{"exp":{NOW}}}"#), rules(), expired(NOW)),
        (
            format!(r#"{{"exp":{}}}"#, NOW - 1),
            rules(),
            expired(NOW - 1),
        ),
        (
            format!(r#"{{"exp":{}}}"#, NOW - 30),
            rules().with_leeway(31),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{}}}"#, NOW - 30),
            rules().with_leeway(30),
            expired(NOW - 30),
        ),
        (format!(r#"{{"exp":{}}}"#, i64::MAX), rules(), Ok(())),
        (format!(r#"{{"exp":{}}}"#, u64::MAX), rules(), Ok(())),
        (
            format!(r#"{{"exp":{}}}"#, i64::MAX),
            rules().with_leeway(u64::MAX),
            Ok(()),
        ),
        ("{\"exp\":-1}".into(), rules(), expired(-1)),
        (
            format!(r#"{{"exp":{}}}"#, i64::MIN),
            rules().with_leeway(u64::MAX),
            expired(i64::MIN),
        ),
        ("{\"exp\":1e300}".into(), rules(), Ok(())),
        ("{\"exp\":-1e300}".into(), rules(), expired(i64::MIN)),
        ("{\"exp\":99999999999999999999999}".into(), rules(), Ok(())),
        // A fraction is rounded down: expired at the whole second.
        (format!(r#"{{"exp":{NOW}.9}}"#), rules(), expired(NOW)),
        (format!(r#"{{"exp":{}.1}}"#, NOW + 1), rules(), Ok(())),
        (
            "{}".into(),
            rules(),
            claim(ClaimError::Missing("exp".into())),
        ),
        ("{}".into(), rules().with_optional_exp(), Ok(())),
        (
            format!(r#"{{"exp":{NOW}}}"#),
            rules().with_optional_exp(),
            expired(NOW),
        ),
        (
            format!(r#"{{"exp":"{}"}}"#, NOW + 9),
            rules(),
            claim(ClaimError::InvalidType("exp")),
        ),
        (
            "{\"exp\":null}".into(),
            rules(),
            claim(ClaimError::InvalidType("exp")),
        ),
        (
            "{\"exp\":null}".into(),
            rules().with_optional_exp(),
            claim(ClaimError::InvalidType("exp")),
        ),
        (
            format!(r#"{{"exp":[{}]}}"#, NOW + 9),
            rules(),
            claim(ClaimError::InvalidType("exp")),
        ),
        (
            "{\"exp\":true}".into(),
            rules(),
            claim(ClaimError::InvalidType("exp")),
        ),
        (
            "{\"exp\":{}}".into(),
            rules(),
            claim(ClaimError::InvalidType("exp")),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload} {rules:?}");
    }
    // Extreme clocks do not overflow.
    for now in [i64::MIN, i64::MAX] {
        let rules = Validation::new(at(now)).with_leeway(u64::MAX);
        let _ = check(
            &format!(r#"{{"exp":{NOW},"nbf":{NOW},"iat":{NOW}}}"#),
            &rules,
        );
    }
}

#[test]
fn nbf_table() {
    let early = |nbf| {
        claim(ClaimError::NotYetValid {
            now: at(NOW),
            nbf: at(nbf),
        })
    };
    let exp = NOW + 100;
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (format!(r#"{{"exp":{exp},"nbf":{NOW}}}"#), rules(), Ok(())),
        (
            format!(r#"{{"exp":{exp},"nbf":{}}}"#, NOW - 1),
            rules(),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":{}}}"#, NOW + 1),
            rules(),
            early(NOW + 1),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":{}}}"#, NOW + 30),
            rules().with_leeway(30),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":{}}}"#, NOW + 31),
            rules().with_leeway(30),
            early(NOW + 31),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":{}}}"#, i64::MAX),
            rules(),
            early(i64::MAX),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":{}}}"#, i64::MAX),
            rules().with_leeway(u64::MAX),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":1e300}}"#),
            rules(),
            early(i64::MAX),
        ),
        (format!(r#"{{"exp":{exp},"nbf":-1e300}}"#), rules(), Ok(())),
        (format!(r#"{{"exp":{exp},"nbf":-5}}"#), rules(), Ok(())),
        // A fraction is rounded up: not valid until the next whole second.
        (
            format!(r#"{{"exp":{exp},"nbf":{}.5}}"#, NOW - 1),
            rules(),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":{NOW}.5}}"#),
            rules(),
            early(NOW + 1),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":"{NOW}"}}"#),
            rules(),
            claim(ClaimError::InvalidType("nbf")),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":null}}"#),
            rules(),
            claim(ClaimError::InvalidType("nbf")),
        ),
        (
            format!(r#"{{"exp":{exp},"nbf":[]}}"#),
            rules(),
            claim(ClaimError::InvalidType("nbf")),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload}");
    }
}

#[test]
fn iat_table() {
    let future = |iat| {
        claim(ClaimError::IssuedInFuture {
            now: at(NOW),
            iat: at(iat),
        })
    };
    let old = |iat, _max_age: u64| {
        claim(ClaimError::TooOld {
            now: at(NOW),
            iat: at(iat),
        })
    };
    let exp = NOW + 100;
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (format!(r#"{{"exp":{exp},"iat":{NOW}}}"#), rules(), Ok(())),
        (format!(r#"{{"exp":{exp}}}"#), rules(), Ok(())),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, NOW + 1),
            rules(),
            future(NOW + 1),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, NOW + 5),
            rules().with_leeway(5),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{NOW}.5}}"#),
            rules(),
            future(NOW + 1),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, i64::MAX),
            rules(),
            future(i64::MAX),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":1e300}}"#),
            rules(),
            future(i64::MAX),
        ),
        (format!(r#"{{"exp":{exp},"iat":-1}}"#), rules(), Ok(())),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, NOW - 60),
            rules().with_max_age(60),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, NOW - 61),
            rules().with_max_age(60),
            old(NOW - 61, 60),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, NOW - 61),
            rules().with_max_age(60).with_leeway(1),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, i64::MIN),
            rules().with_max_age(u64::MAX),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":{}}}"#, i64::MIN),
            rules().with_max_age(60),
            old(i64::MIN, 60),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            rules().with_max_age(60),
            claim(ClaimError::Missing("iat".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":"{NOW}"}}"#),
            rules(),
            claim(ClaimError::InvalidType("iat")),
        ),
        (
            format!(r#"{{"exp":{exp},"iat":null}}"#),
            rules(),
            claim(ClaimError::InvalidType("iat")),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload}");
    }
}

#[test]
fn aud_table() {
    let exp = NOW + 100;
    let api = || rules().with_audience("api");
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (format!(r#"{{"exp":{exp},"aud":"api"}}"#), api(), Ok(())),
        (
            format!(r#"{{"exp":{exp},"aud":["web","api"]}}"#),
            api(),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":["web"]}}"#),
            api().with_audience("web"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":"web"}}"#),
            api(),
            claim(ClaimError::InvalidAudience),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":"API"}}"#),
            api(),
            claim(ClaimError::InvalidAudience),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":["web"]}}"#),
            api(),
            claim(ClaimError::InvalidAudience),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":[]}}"#),
            api(),
            claim(ClaimError::InvalidAudience),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            api(),
            claim(ClaimError::Missing("aud".into())),
        ),
        (format!(r#"{{"exp":{exp}}}"#), rules(), Ok(())),
        // A token for someone, checked by a validation that expects no audience.
        (
            format!(r#"{{"exp":{exp},"aud":"api"}}"#),
            rules(),
            claim(ClaimError::UnexpectedAudience),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":[]}}"#),
            rules(),
            claim(ClaimError::UnexpectedAudience),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":["api",1]}}"#),
            api(),
            claim(ClaimError::InvalidType("aud")),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":[["api"]]}}"#),
            api(),
            claim(ClaimError::InvalidType("aud")),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":null}}"#),
            api(),
            claim(ClaimError::InvalidType("aud")),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":null}}"#),
            rules(),
            claim(ClaimError::InvalidType("aud")),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":{{"api":1}}}}"#),
            api(),
            claim(ClaimError::InvalidType("aud")),
        ),
        (
            format!(r#"{{"exp":{exp},"aud":5}}"#),
            api(),
            claim(ClaimError::InvalidType("aud")),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload}");
    }
}

#[test]
fn iss_and_sub_tables() {
    let exp = NOW + 100;
    let iss = || rules().with_issuer("https://a.example");
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (
            format!(r#"{{"exp":{exp},"iss":"https://a.example"}}"#),
            iss(),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iss":"https://b.example"}}"#),
            iss().with_issuer("https://b.example"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iss":"https://b.example"}}"#),
            iss(),
            claim(ClaimError::InvalidIssuer),
        ),
        (
            format!(r#"{{"exp":{exp},"iss":"https://a.example/"}}"#),
            iss(),
            claim(ClaimError::InvalidIssuer),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            iss(),
            claim(ClaimError::Missing("iss".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"iss":"anyone"}}"#),
            rules(),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"iss":["https://a.example"]}}"#),
            iss(),
            claim(ClaimError::InvalidType("iss")),
        ),
        (
            format!(r#"{{"exp":{exp},"iss":null}}"#),
            rules(),
            claim(ClaimError::InvalidType("iss")),
        ),
        (
            format!(r#"{{"exp":{exp},"sub":"ada"}}"#),
            rules().with_subject("ada"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"sub":"bob"}}"#),
            rules().with_subject("ada"),
            claim(ClaimError::InvalidSubject),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            rules().with_subject("ada"),
            claim(ClaimError::Missing("sub".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"sub":7}}"#),
            rules(),
            claim(ClaimError::InvalidType("sub")),
        ),
        (
            format!(r#"{{"exp":{exp},"jti":7}}"#),
            rules(),
            claim(ClaimError::InvalidType("jti")),
        ),
        // Escaped strings compare after unescaping.
        (
            format!(r#"{{"exp":{exp},"sub":"\u0061da"}}"#),
            rules().with_subject("ada"),
            Ok(()),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload}");
    }
}

#[test]
fn required_claims() {
    let exp = NOW + 100;
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (
            format!(r#"{{"exp":{exp},"tenant":"acme"}}"#),
            rules().with_required("tenant"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"tenant":{{}}}}"#),
            rules().with_required("tenant"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"tenant":[]}}"#),
            rules().with_required("tenant"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            rules().with_required("tenant"),
            claim(ClaimError::Missing("tenant".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"tenant":null}}"#),
            rules().with_required("tenant"),
            claim(ClaimError::Missing("tenant".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"x":{{"tenant":1}}}}"#),
            rules().with_required("tenant"),
            claim(ClaimError::Missing("tenant".into())),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            rules().with_required("jti"),
            claim(ClaimError::Missing("jti".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"jti":"j"}}"#),
            rules().with_required("jti").with_required("exp"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"sub":"s"}}"#),
            rules().with_required("sub").with_required("nbf"),
            claim(ClaimError::Missing("nbf".into())),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":"a"}}"#),
            rules().with_required("scope"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"a":1,"b":2}}"#),
            rules().with_required("b").with_required("a"),
            Ok(()),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload}");
    }
}

#[test]
fn typ_table() {
    let payload = b64(format!(r#"{{"exp":{}}}"#, NOW + 100).as_bytes());
    let at_jwt = || rules().with_typ("at+jwt");
    let rows: Vec<(&str, Validation, Result<(), Error>)> = vec![
        (r#"{"alg":"HS256"}"#, rules(), Ok(())),
        (r#"{"alg":"HS256","typ":"JWT"}"#, rules(), Ok(())),
        (r#"{"alg":"HS256","typ":"jwt"}"#, rules(), Ok(())),
        (
            r#"{"alg":"HS256","typ":"application/jwt"}"#,
            rules(),
            Ok(()),
        ),
        (
            r#"{"alg":"HS256","typ":"APPLICATION/JWT"}"#,
            rules(),
            Ok(()),
        ),
        (
            r#"{"alg":"HS256","typ":"text/jwt"}"#,
            rules(),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt"}"#,
            rules(),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256","typ":"refresh+jwt"}"#,
            rules(),
            claim(ClaimError::InvalidTyp),
        ),
        (r#"{"alg":"HS256","typ":"at+jwt"}"#, at_jwt(), Ok(())),
        (r#"{"alg":"HS256","typ":"AT+JWT"}"#, at_jwt(), Ok(())),
        (
            r#"{"alg":"HS256","typ":"application/at+jwt"}"#,
            at_jwt(),
            Ok(()),
        ),
        (
            r#"{"alg":"HS256","typ":"application/at+jwt"}"#,
            rules().with_typ("application/AT+jwt"),
            Ok(()),
        ),
        (
            r#"{"alg":"HS256","typ":"refresh+jwt"}"#,
            at_jwt(),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256","typ":"JWT"}"#,
            at_jwt(),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256"}"#,
            at_jwt(),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256","typ":"at+jwt/x"}"#,
            at_jwt(),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256","typ":"application/x/at+jwt"}"#,
            rules().with_typ("x/at+jwt"),
            claim(ClaimError::InvalidTyp),
        ),
        (
            r#"{"alg":"HS256","typ":"whatever"}"#,
            rules().with_any_typ(),
            Ok(()),
        ),
        (r#"{"alg":"HS256"}"#, rules().with_any_typ(), Ok(())),
        (
            r#"{"alg":"HS256","typ":7}"#,
            rules(),
            Err(Malformed::InvalidMember("typ").into()),
        ),
    ];
    for (header, rules, want) in &rows {
        let token = forge(header, &payload);
        let got = jwt::decode::<IgnoredAny, _>(&token, &hs256_key(), rules).map(|_| ());
        assert_eq!(got, *want, "{header}");
    }
}

#[test]
fn scopes_and_roles() {
    let exp = NOW + 100;
    let missing_scope = |s: &str| claim(ClaimError::MissingScope(s.into()));
    let missing_role = |s: &str| claim(ClaimError::MissingRole(s.into()));
    let rows: Vec<(String, Validation, Result<(), Error>)> = vec![
        (
            format!(r#"{{"exp":{exp},"scope":"read:users write:users"}}"#),
            rules().with_scope("write:users"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":"read:users write:users"}}"#),
            rules().with_scope("write:users").with_scope("read:users"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":"read:users"}}"#),
            rules().with_scope("read:users").with_scope("write:users"),
            missing_scope("write:users"),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":"read:users write"}}"#),
            rules().with_scope("write:users"),
            missing_scope("write:users"),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":"write:users2"}}"#),
            rules().with_scope("write:users"),
            missing_scope("write:users"),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":""}}"#),
            rules().with_scope("a"),
            missing_scope("a"),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            rules().with_scope("a"),
            missing_scope("a"),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":["a"]}}"#),
            rules().with_scope("a"),
            claim(ClaimError::InvalidType("scope")),
        ),
        (
            format!(r#"{{"exp":{exp},"scope":null}}"#),
            rules().with_scope("a"),
            claim(ClaimError::InvalidType("scope")),
        ),
        // Not checked when no scope is asked for.
        (format!(r#"{{"exp":{exp},"scope":5}}"#), rules(), Ok(())),
        (
            format!(r#"{{"exp":{exp},"roles":["admin","ops"]}}"#),
            rules().with_role("admin"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"roles":["admin","ops"]}}"#),
            rules().with_role("ops").with_role("admin"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"roles":["ops"]}}"#),
            rules().with_role("ops").with_role("admin"),
            missing_role("admin"),
        ),
        (
            format!(r#"{{"exp":{exp},"roles":[]}}"#),
            rules().with_role("admin"),
            missing_role("admin"),
        ),
        (
            format!(r#"{{"exp":{exp}}}"#),
            rules().with_role("admin"),
            missing_role("admin"),
        ),
        (
            format!(r#"{{"exp":{exp},"roles":"admin"}}"#),
            rules().with_role("admin"),
            claim(ClaimError::InvalidType("roles")),
        ),
        (
            format!(r#"{{"exp":{exp},"roles":["admin",null]}}"#),
            rules().with_role("admin"),
            claim(ClaimError::InvalidType("roles")),
        ),
        (
            format!(r#"{{"exp":{exp},"groups":["admin"]}}"#),
            rules().with_roles_claim("groups").with_role("admin"),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{exp},"roles":["admin"]}}"#),
            rules().with_roles_claim("groups").with_role("admin"),
            missing_role("admin"),
        ),
        (
            format!(r#"{{"exp":{exp},"groups":{{}}}}"#),
            rules().with_roles_claim("groups").with_role("admin"),
            claim(ClaimError::InvalidType("groups")),
        ),
    ];
    for (payload, rules, want) in &rows {
        assert_eq!(check(payload, rules), *want, "{payload}");
    }
    // More roles than the observer tracks: fails closed, naming the first untracked one.
    let many: Vec<String> = (0..300).map(|i| format!("r{i}")).collect();
    let mut all = rules();
    for role in &many {
        all = all.with_role(role.clone());
    }
    let payload = format!(
        r#"{{"exp":{exp},"roles":{}}}"#,
        serde_json::to_string(&many).unwrap()
    );
    assert_eq!(check(&payload, &all), missing_role("r239"));
}

#[test]
fn a_jti_required_for_revocation_is_checked_with_the_other_claims() {
    // Revocation is the caller's lookup after `decode` (see the how-to); the rules only make
    // the `jti` it needs required and well typed, after the times and the audience.
    let rules = rules().with_audience("api").with_required("jti");
    let ok = NOW + 100;
    let rows: Vec<(String, Result<(), Error>)> = vec![
        (
            format!(r#"{{"exp":{ok},"aud":"api","jti":"fine"}}"#),
            Ok(()),
        ),
        (
            format!(r#"{{"exp":{ok},"aud":"api"}}"#),
            claim(ClaimError::Missing("jti".into())),
        ),
        (
            format!(r#"{{"exp":{NOW},"aud":"api","jti":"x"}}"#),
            claim(ClaimError::Expired {
                now: at(NOW),
                exp: at(NOW),
            }),
        ),
        (
            format!(r#"{{"exp":{ok},"aud":"web","jti":"x"}}"#),
            claim(ClaimError::InvalidAudience),
        ),
        (
            format!(r#"{{"exp":{ok},"aud":"api","jti":1}}"#),
            claim(ClaimError::InvalidType("jti")),
        ),
    ];
    for (payload, want) in &rows {
        assert_eq!(check(payload, &rules), *want, "{payload}");
    }
}

#[test]
fn duplicate_claims_are_rejected() {
    let dup = Err(Error::Malformed(Malformed::Json {
        part: "claims",
        problem: JsonProblem::DuplicateMember,
    }));
    for payload in [
        r#"{"exp":1,"exp":9999999999}"#,
        r#"{"exp":9999999999,"exp":1}"#,
        r#"{"exp":9999999999,"e\u0078p":1}"#,
        r#"{"exp":9999999999,"aud":"api","aud":"web"}"#,
        r#"{"exp":9999999999,"x":{"y":1,"y":2}}"#,
    ] {
        assert_eq!(
            check(payload, &rules().with_optional_exp()),
            dup,
            "{payload}"
        );
        let typed = jwt::decode::<Typed, _>(&token(payload), &hs256_key(), &rules());
        assert_eq!(typed.map(|_| ()), dup, "{payload}");
    }
}

#[test]
fn the_callers_type_sees_the_same_claims() {
    let exp = NOW + 100;
    // The type reads the registered claims too; the validation still sees them.
    let payload = format!(r#"{{"exp":{exp}.5,"nbf":{NOW},"iat":{NOW},"iss":"i","aud":["api"]}}"#);
    let rules = rules().with_issuer("i").with_audience("api");
    let verified = jwt::decode::<Typed, _>(&token(&payload), &hs256_key(), &rules).unwrap();
    assert_eq!(verified.claims().exp, Some(exp as f64 + 0.5));
    assert_eq!(verified.expires_at(), Some(at(exp)));
    assert_eq!(verified.not_before(), Some(at(NOW)));
    assert_eq!(verified.issued_at(), Some(at(NOW)));
    // A wrong type is the claim's error, whether the type rejects it or not.
    let payload = format!(r#"{{"exp":"{exp}"}}"#);
    assert_eq!(
        jwt::decode::<Typed, _>(&token(&payload), &hs256_key(), &rules).map(|_| ()),
        claim(ClaimError::InvalidType("exp"))
    );
    // The type's own mismatches are JSON problems of the claims.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code, reason = "only deserialized")]
    struct Needs {
        tenant: String,
    }
    assert_eq!(
        jwt::decode::<Needs, _>(&token(&format!(r#"{{"exp":{exp}}}"#)), &hs256_key(), &rules)
            .map(|_| ()),
        Err(Error::Malformed(Malformed::Json {
            part: "claims",
            problem: JsonProblem::MissingField("tenant")
        }))
    );
    // The payload must be an object.
    assert_eq!(
        jwt::decode::<IgnoredAny, _>(&token("[1]"), &hs256_key(), &rules).map(|_| ()),
        Err(Error::Malformed(Malformed::Json {
            part: "claims",
            problem: JsonProblem::NotObject
        }))
    );
}
