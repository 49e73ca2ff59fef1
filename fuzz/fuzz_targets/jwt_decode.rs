//! JWT decode with validation: arbitrary claims (raw bytes or structured with extreme times)
//! signed with the fixed HS256 key, checked against arbitrary rules at an arbitrary time.
//!
//! Properties (the signature always verifies, so every outcome is about the claims):
//! - the only errors are `Error::Claim(_)` and `Malformed::Json` for part `"claims"`;
//! - a time error carries the validation's `now` and a date that really breaks the rule
//!   (saturating arithmetic, leeway included);
//! - an accepted token: the claims are the payload's JSON object; `exp`/`nbf`/`iat` as reported
//!   are the claims' values (fractions: `exp` down, `nbf`/`iat` up; saturating) and satisfy
//!   every time rule; issuer, audience, subject, required claims and `typ` rules hold;
//! - decoding into `RegisteredClaims` succeeds only if decoding into `serde_json::Value` does,
//!   with the same times;
//! - `jwt::encode` of any JSON value (repeated names kept) refuses exactly the claims the
//!   decoder calls malformed JSON, with the same problem, and otherwise signs `serde_json`'s
//!   output of it byte for byte.
#![no_main]

use arbitrary::Arbitrary;
use jose_ring::jwt::{self, NumericDate, RegisteredClaims, Validation};
use jose_ring::{ClaimError, Error, Malformed, jws};
use jose_ring_fuzz::{Json, keys};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
enum Time {
    Int(i64),
    UInt(u64),
    Float(f64),
    Extreme(u8),
    Other(Json),
}

impl Time {
    fn to_value(&self) -> Value {
        match self {
            Self::Int(i) => Value::from(*i),
            Self::UInt(u) => Value::from(*u),
            Self::Float(f) => Value::from(*f),
            Self::Extreme(which) => {
                let all = [
                    Value::from(i64::MIN),
                    Value::from(i64::MAX),
                    Value::from(u64::MAX),
                    Value::from(-1),
                    Value::from(0),
                    Value::from(1.5e300),
                    Value::from(-1.5e300),
                    Value::from(9_223_372_036_854_775_807.5_f64),
                    Value::from(-0.5),
                    Value::from(0.5),
                ];
                all[usize::from(*which) % all.len()].clone()
            }
            Self::Other(json) => json.to_value(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Claims {
    Raw(Vec<u8>),
    Structured {
        exp: Option<Time>,
        nbf: Option<Time>,
        iat: Option<Time>,
        iss: Option<Json>,
        sub: Option<Json>,
        aud: Option<Json>,
        jti: Option<Json>,
        extra: Vec<(String, Json)>,
    },
    /// Any JSON, repeated names kept, as `serde_json` writes it; also given to `jwt::encode`.
    Encoded(Json),
}

#[derive(Arbitrary, Debug)]
struct Input {
    claims: Claims,
    now: i64,
    extreme_now: Option<bool>,
    leeway: u64,
    max_age: Option<u64>,
    allow_missing_exp: bool,
    issuer: Option<String>,
    audience: Option<String>,
    subject: Option<String>,
    require: Option<String>,
    header_typ: Option<String>,
    rule_typ: Option<Option<String>>,
}

/// The reference for a date claim: an integer as it is (beyond `i64`: saturated), a fraction
/// rounded down (`exp`) or up (`nbf`, `iat`), saturating.
fn date(value: &Value, up: bool) -> Option<i64> {
    let number = value.as_number()?;
    if let Some(i) = number.as_i64() {
        return Some(i);
    }
    if number.as_u64().is_some() {
        return Some(i64::MAX);
    }
    let f = number.as_f64()?;
    Some(if up {
        f.ceil() as i64
    } else {
        f.floor() as i64
    })
}

fuzz_target!(|input: Input| {
    let keys = keys();
    let payload = match &input.claims {
        Claims::Raw(bytes) => bytes.clone(),
        Claims::Structured {
            exp,
            nbf,
            iat,
            iss,
            sub,
            aud,
            jti,
            extra,
        } => {
            let mut map = Map::new();
            for (name, value) in extra {
                map.insert(name.clone(), value.to_value());
            }
            for (name, time) in [("exp", exp), ("nbf", nbf), ("iat", iat)] {
                if let Some(time) = time {
                    map.insert(name.into(), time.to_value());
                }
            }
            for (name, json) in [("iss", iss), ("sub", sub), ("aud", aud), ("jti", jti)] {
                if let Some(json) = json {
                    map.insert(name.into(), json.to_value());
                }
            }
            serde_json::to_vec(&map).expect("a map serializes")
        }
        Claims::Encoded(json) => serde_json::to_vec(json).expect("Json serializes"),
    };
    let mut header = jws::Header::new();
    if let Some(typ) = &input.header_typ {
        header = header.with_typ(typ.clone());
    }
    let token = jws::sign(&payload, &header, &keys.hmac).expect("HS256 signs anything");

    let now = match input.extreme_now {
        Some(true) => NumericDate::MAX,
        Some(false) => NumericDate::MIN,
        None => NumericDate::from_seconds(input.now),
    };
    let mut rules = Validation::new(now).with_leeway(input.leeway);
    let leeway = i64::try_from(input.leeway).unwrap_or(i64::MAX);
    if let Some(max_age) = input.max_age {
        rules = rules.with_max_age(max_age);
    }
    if input.allow_missing_exp {
        rules = rules.with_optional_exp();
    }
    if let Some(issuer) = &input.issuer {
        rules = rules.with_issuer(issuer.clone());
    }
    if let Some(audience) = &input.audience {
        rules = rules.with_audience(audience.clone());
    }
    if let Some(subject) = &input.subject {
        rules = rules.with_subject(subject.clone());
    }
    if let Some(claim) = &input.require {
        rules = rules.with_required(claim.clone());
    }
    match &input.rule_typ {
        Some(Some(typ)) => rules = rules.with_typ(typ.clone()),
        Some(None) => rules = rules.with_any_typ(),
        None => {}
    }
    assert_eq!(rules.now(), now);

    let as_value = jwt::decode::<Value, _>(&token, &keys.hmac, &rules);
    let as_registered = jwt::decode::<RegisteredClaims, _>(&token, &keys.hmac, &rules);

    if let Claims::Encoded(json) = &input.claims {
        let encoded = jwt::encode(json, &keys.hmac);
        match (&encoded, &as_value) {
            (Ok(encoded), decoded) => {
                assert!(
                    !matches!(decoded, Err(Error::Malformed(Malformed::Json { .. }))),
                    "jwt::encode signed claims the decoder refuses: {decoded:?}"
                );
                let verified =
                    jws::verify(encoded, &keys.hmac).expect("jwt::encode's token verifies");
                assert_eq!(verified.payload(), payload.as_slice());
            }
            (Err(refused), Err(decoded @ Error::Malformed(Malformed::Json { .. }))) => {
                assert_eq!(refused, decoded);
            }
            // The decoder stopped at a claim before the problem jwt::encode found.
            (Err(Error::Malformed(Malformed::Json { part: "claims", .. })), Err(_)) => {}
            (Err(refused), decoded) => {
                panic!("jwt::encode refused {refused:?}, the decoder said {decoded:?}")
            }
        }
    }

    for error in [as_value.as_ref().err(), as_registered.as_ref().err()]
        .into_iter()
        .flatten()
    {
        match error {
            Error::Claim(ClaimError::Expired { now: n, exp }) => {
                assert_eq!(*n, now);
                assert!(*n >= exp.saturating_add(leeway));
            }
            Error::Claim(ClaimError::NotYetValid { now: n, nbf }) => {
                assert_eq!(*n, now);
                assert!(*n < nbf.saturating_sub(leeway));
            }
            Error::Claim(ClaimError::IssuedInFuture { now: n, iat }) => {
                assert_eq!(*n, now);
                assert!(iat.saturating_sub(leeway) > *n);
            }
            Error::Claim(ClaimError::TooOld { now: n, iat }) => {
                assert_eq!(*n, now);
                let limit = i64::try_from(input.max_age.expect("max_age set")).unwrap_or(i64::MAX);
                assert!(n.seconds_since(*iat) > limit.saturating_add(leeway));
            }
            Error::Claim(_) => {}
            Error::Malformed(Malformed::Json { part: "claims", .. }) => {}
            other => panic!("unexpected error for a verified token: {other:?}"),
        }
    }

    if let Ok(verified) = &as_registered {
        let by_value = as_value
            .as_ref()
            .expect("RegisteredClaims decoded, so Value decodes");
        assert_eq!(verified.expires_at(), by_value.expires_at());
        assert_eq!(verified.not_before(), by_value.not_before());
        assert_eq!(verified.issued_at(), by_value.issued_at());
        assert_eq!(verified.claims().exp, verified.expires_at());
    }
    let Ok(verified) = as_value else { return };
    let claims = verified.claims();
    let reference: Value = serde_json::from_slice(&payload).expect("accepted claims are JSON");
    assert_eq!(claims, &reference);
    let object = claims.as_object().expect("claims are an object");

    let exp = object
        .get("exp")
        .map(|v| date(v, false).expect("exp is a number"));
    let nbf = object
        .get("nbf")
        .map(|v| date(v, true).expect("nbf is a number"));
    let iat = object
        .get("iat")
        .map(|v| date(v, true).expect("iat is a number"));
    assert_eq!(verified.expires_at(), exp.map(NumericDate::from_seconds));
    assert_eq!(verified.not_before(), nbf.map(NumericDate::from_seconds));
    assert_eq!(verified.issued_at(), iat.map(NumericDate::from_seconds));
    match exp {
        Some(exp) => assert!(now < NumericDate::from_seconds(exp).saturating_add(leeway)),
        None => assert!(input.allow_missing_exp, "exp is required by default"),
    }
    if let Some(nbf) = nbf {
        assert!(now >= NumericDate::from_seconds(nbf).saturating_sub(leeway));
    }
    if let Some(iat) = iat {
        assert!(NumericDate::from_seconds(iat).saturating_sub(leeway) <= now);
    }
    if let Some(max_age) = input.max_age {
        let iat = NumericDate::from_seconds(iat.expect("max_age requires iat"));
        let limit = i64::try_from(max_age)
            .unwrap_or(i64::MAX)
            .saturating_add(leeway);
        assert!(now.seconds_since(iat) <= limit);
    }
    if let Some(issuer) = &input.issuer {
        assert_eq!(
            object.get("iss").and_then(Value::as_str),
            Some(issuer.as_str())
        );
    }
    match (&input.audience, object.get("aud")) {
        (None, aud) => assert!(aud.is_none(), "aud present without an expected audience"),
        (Some(expected), Some(Value::String(aud))) => assert_eq!(aud, expected),
        (Some(expected), Some(Value::Array(auds))) => {
            assert!(auds.iter().any(|a| a.as_str() == Some(expected.as_str())))
        }
        (Some(_), other) => panic!("accepted aud {other:?}"),
    }
    if let Some(subject) = &input.subject {
        assert_eq!(
            object.get("sub").and_then(Value::as_str),
            Some(subject.as_str())
        );
    }
    if let Some(claim) = &input.require {
        assert!(
            object.get(claim).is_some_and(|v| !v.is_null()),
            "required claim absent"
        );
    }
    let typ = verified.header().typ();
    assert_eq!(typ, input.header_typ.as_deref());
    if input.rule_typ.is_none() {
        assert!(typ.is_none_or(
            |t| t.eq_ignore_ascii_case("JWT") || t.eq_ignore_ascii_case("application/jwt")
        ));
    }
});
