//! The key-set cache policy, every branch on a fake clock: fresh, due, stale but serving,
//! too stale, cooldown, merged refetches, 304, oversize and non-JWKS bodies, Cache-Control
//! and ETag handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a panic is a failed test"
)]

use jose_ring::SigningKey;
use jose_ring::jwk::{Jwk, JwkSet};
use jose_ring::jwks::{CachePolicy, CacheState, KeySetCache, Refetch, Response};
use jose_ring::jwt::NumericDate;
use jose_ring::{Error, JsonProblem, KeySetError, KeySource, Limits, Malformed, NoKey, jwa, jws};

const URI: &str = "https://idp.example/jwks";

fn at(seconds: i64) -> NumericDate {
    NumericDate::from_seconds(seconds)
}

fn signer(kid: &str) -> SigningKey {
    SigningKey::generate(&jwa::ES256).unwrap().with_kid(kid)
}

fn jwks(keys: &[&SigningKey]) -> Vec<u8> {
    let set: JwkSet = keys
        .iter()
        .map(|k| Jwk::from_verifying_key(&k.verifying_key()))
        .collect();
    set.to_json().unwrap().into_bytes()
}

fn ok(body: Vec<u8>, etag: &str, cache_control: &str) -> Response {
    Response::new(200, body)
        .with_etag(etag)
        .with_cache_control(cache_control)
}

/// A cache holding {a} fetched at 1 with max-age 400 and ETag "v1".
fn loaded(a: &SigningKey) -> KeySetCache {
    let mut cache = KeySetCache::new(URI, &[&jwa::ES256]);
    let request = cache.poll(at(0)).unwrap();
    cache
        .complete(request, at(1), &ok(jwks(&[a]), "\"v1\"", "max-age=400"))
        .unwrap();
    cache
}

fn verifies(cache: &KeySetCache, now: NumericDate, key: &SigningKey) -> Result<(), Error> {
    let token = jws::sign(b"x", &jws::Header::new(), key)?;
    let ring = cache.keys(now)?;
    jws::verify(&token, &**ring).map(|_| ())
}

#[test]
fn empty_then_first_fetch() {
    let mut cache = KeySetCache::new(URI, &[&jwa::ES256]);
    assert_eq!(cache.freshness(at(0)), CacheState::Empty);
    assert_eq!(
        cache.keys(at(0)).map(|_| ()),
        Err(KeySetError::NotFetched.into())
    );
    assert_eq!(cache.next_check(at(5)), at(5));
    let request = cache.poll(at(0)).unwrap();
    assert_eq!(request.if_none_match(), None);
    // Everyone else waits for the one fetch in flight.
    assert_eq!(cache.poll(at(0)), None);
    assert_eq!(cache.unknown_kid(at(0)), Refetch::Wait);
    assert!(cache.in_flight(at(29)));
    // A first fetch that fails leaves nothing to serve; the next one waits for the cooldown.
    cache.fail(request);
    assert!(!cache.in_flight(at(1)));
    assert_eq!(
        cache.keys(at(1)).map(|_| ()),
        Err(KeySetError::NotFetched.into())
    );
    assert_eq!(cache.poll(at(29)), None);
    assert!(cache.poll(at(30)).is_some());
}

#[test]
fn fresh_due_stale_too_stale() {
    let a = signer("a");
    let mut cache = loaded(&a);
    assert_eq!(
        (cache.fetched_at(), cache.lifetime()),
        (Some(at(1)), Some(400))
    );
    assert_eq!(cache.etag(), Some("\"v1\""));
    // Fresh for the first three quarters: no fetch.
    assert_eq!(cache.freshness(at(300)), CacheState::Fresh);
    assert_eq!(cache.poll(at(300)), None);
    assert_eq!(cache.next_check(at(2)), at(301));
    verifies(&cache, at(300), &a).unwrap();
    // The last quarter: refresh ahead, conditional.
    assert_eq!(cache.freshness(at(301)), CacheState::RefreshDue);
    let request = cache.poll(at(301)).unwrap();
    assert_eq!(request.if_none_match(), Some("\"v1\""));
    cache.fail(request);
    // Expired and failing: the last good set keeps serving, up to an hour past expiry.
    assert_eq!(cache.freshness(at(401)), CacheState::Stale);
    verifies(&cache, at(401), &a).unwrap();
    verifies(&cache, at(1 + 400 + 3600), &a).unwrap();
    assert_eq!(cache.next_check(at(400)), at(401 + 3600 + 1).min(at(331)));
    // Then it fails closed.
    let late = at(1 + 400 + 3600 + 1);
    assert_eq!(cache.freshness(late), CacheState::TooStale);
    assert_eq!(
        verifies(&cache, late, &a),
        Err(KeySetError::Stale {
            age: 4001,
            max: 4000
        }
        .into())
    );
    // A fetch that succeeds again brings it back.
    let request = cache.poll(late).unwrap();
    cache
        .complete(request, late, &ok(jwks(&[&a]), "\"v2\"", "max-age=400"))
        .unwrap();
    verifies(&cache, late, &a).unwrap();
}

#[test]
fn an_unannounced_rotation_is_seen_at_the_first_token_and_a_flood_costs_one_fetch() {
    let (a, b, c) = (signer("a"), signer("b"), signer("c"));
    // Fetched at 1 (the first fetch started at 0): {a}. The provider then replaces its keys
    // without announcing the new one (an emergency rotation).
    let mut cache = loaded(&a);
    let b_token = jws::sign(b"x", &jws::Header::new(), &b).unwrap();
    assert_eq!(
        jws::verify(&b_token, &**cache.keys(at(5)).unwrap()).map(|_| ()),
        Err(NoKey::UnknownKid.into())
    );
    // The first token with the new kid refetches at once, 5 s after the first fetch: the
    // cooldown counts from fetches an unknown kid caused, and there was none.
    let Refetch::Fetch(request) = cache.unknown_kid(at(5)) else {
        panic!("expected a fetch")
    };
    assert_eq!(request.uri(), URI);
    // Every other asker meanwhile waits for that one fetch.
    assert_eq!(cache.unknown_kid(at(5)), Refetch::Wait);
    assert_eq!(cache.unknown_kid(at(6)), Refetch::Wait);
    cache
        .complete(request, at(6), &ok(jwks(&[&b]), "\"v2\"", "max-age=400"))
        .unwrap();
    jws::verify(&b_token, &**cache.keys(at(6)).unwrap()).unwrap();
    // A flood of made-up kids right after costs nothing more until the cooldown (30 s from
    // the fetch they caused, started at 5) has passed; then one fetch, then cooldown again.
    for t in 6..35 {
        assert_eq!(cache.unknown_kid(at(t)), Refetch::Cooldown, "at {t}");
    }
    let Refetch::Fetch(request) = cache.unknown_kid(at(35)) else {
        panic!("expected a fetch")
    };
    cache.fail(request);
    assert_eq!(cache.unknown_kid(at(36)), Refetch::Cooldown);
    // A scheduled refresh does not start that cooldown: a rotation right after it is seen.
    let request = cache.poll(at(6 + 300)).expect("refresh ahead");
    cache
        .complete(request, at(307), &ok(jwks(&[&b]), "\"v2\"", "max-age=400"))
        .unwrap();
    assert!(matches!(cache.unknown_kid(at(308)), Refetch::Fetch(_)));
    let c_token = jws::sign(b"x", &jws::Header::new(), &c).unwrap();
    assert!(jws::verify(&c_token, &**cache.keys(at(308)).unwrap()).is_err());
}

#[test]
fn a_lost_fetch_is_replaced_and_its_late_outcome_ignored() {
    let a = signer("a");
    let mut cache = loaded(&a);
    let lost = cache.poll(at(301)).unwrap();
    assert_eq!(cache.unknown_kid(at(330)), Refetch::Wait);
    // Not completed within the cooldown: taken as lost.
    let Refetch::Fetch(again) = cache.unknown_kid(at(331)) else {
        panic!("expected a fetch")
    };
    let other = signer("z");
    assert_eq!(
        cache.complete(lost, at(332), &ok(jwks(&[&other]), "\"x\"", "")),
        Err(KeySetError::StaleFetch.into())
    );
    verifies(&cache, at(332), &a).unwrap();
    cache.fail(again);
    assert!(!cache.in_flight(at(333)));
}

#[test]
fn not_modified() {
    let a = signer("a");
    let mut cache = loaded(&a);
    let request = cache.poll(at(350)).unwrap();
    let not_modified = Response::new(304, Vec::new())
        .with_etag("W/\"v1b\"")
        .with_cache_control("max-age=1000");
    cache.complete(request, at(351), &not_modified).unwrap();
    assert_eq!(cache.fetched_at(), Some(at(351)));
    assert_eq!(
        (cache.lifetime(), cache.etag()),
        (Some(1000), Some("W/\"v1b\""))
    );
    verifies(&cache, at(351), &a).unwrap();
    // A 304 without fields keeps the lifetime and tag it had.
    let request = cache.poll(at(351 + 750)).unwrap();
    assert_eq!(request.if_none_match(), Some("W/\"v1b\""));
    cache
        .complete(request, at(1102), &Response::new(304, Vec::new()))
        .unwrap();
    assert_eq!(
        (cache.lifetime(), cache.etag()),
        (Some(1000), Some("W/\"v1b\""))
    );

    // A 304 to a request that was not conditional is an error.
    let mut untagged = KeySetCache::new(URI, &[&jwa::ES256]);
    let request = untagged.poll(at(0)).unwrap();
    untagged
        .complete(request, at(0), &Response::new(200, jwks(&[&a])))
        .unwrap();
    assert_eq!(untagged.etag(), None);
    let request = untagged.poll(at(500)).unwrap();
    assert_eq!(request.if_none_match(), None);
    assert_eq!(
        untagged.complete(request, at(500), &Response::new(304, Vec::new())),
        Err(KeySetError::Status(304).into())
    );
    verifies(&untagged, at(500), &a).unwrap();
}

#[test]
fn bad_outcomes_keep_the_last_good_set() {
    let a = signer("a");
    let mut cache = loaded(&a).with_limits(Limits::DEFAULT.with_jwks_len(400));
    let mut t = 301;
    let mut outcome = |cache: &mut KeySetCache, response: Response| {
        let request = cache.poll(at(t)).unwrap();
        let result = cache.complete(request, at(t), &response);
        t += 30;
        result
    };
    let big = ok(jwks(&[&a, &signer("b"), &signer("c")]), "\"v9\"", "");
    assert_eq!(
        outcome(&mut cache, big),
        Err(Error::TooLarge {
            what: "JWK Set",
            limit: 400
        })
    );
    assert_eq!(
        outcome(&mut cache, ok(b"{\"nokeys\":[]}".to_vec(), "\"v9\"", "")),
        Err(Malformed::MissingMember("keys").into())
    );
    assert_eq!(
        outcome(&mut cache, ok(b"<html>oops</html>".to_vec(), "\"v9\"", "")),
        Err(Malformed::Json {
            part: "jwk set",
            problem: JsonProblem::NotObject
        }
        .into())
    );
    assert_eq!(
        outcome(&mut cache, Response::new(503, Vec::new())),
        Err(KeySetError::Status(503).into())
    );
    assert_eq!(
        outcome(&mut cache, Response::new(404, jwks(&[&a]))),
        Err(KeySetError::Status(404).into())
    );
    assert_eq!(
        (cache.fetched_at(), cache.etag()),
        (Some(at(1)), Some("\"v1\""))
    );
    verifies(&cache, at(t), &a).unwrap();
}

#[test]
fn cache_control_sets_the_lifetime_within_bounds() {
    let a = signer("a");
    for (field, lifetime) in [
        (Some("max-age=3600"), 3600),
        (Some("public, max-age=5"), 60),
        (Some("max-age=99999999"), 43_200),
        (Some("no-store"), 60),
        (Some("max-age=600, no-cache"), 60),
        (Some("max-age=60, max-age=7200"), 60),
        (Some("max-age=abc"), 60),
        (Some("garbage"), 600),
        (Some(""), 600),
        (None, 600),
    ] {
        let mut cache = KeySetCache::new(URI, &[&jwa::ES256]);
        let request = cache.poll(at(0)).unwrap();
        let mut response = Response::new(200, jwks(&[&a]));
        if let Some(field) = field {
            response = response.with_cache_control(field);
        }
        cache.complete(request, at(0), &response).unwrap();
        assert_eq!(cache.lifetime(), Some(lifetime), "{field:?}");
    }
    // The bounds and the default are the policy's.
    let policy = CachePolicy::DEFAULT
        .with_max_age_bounds(10, 5)
        .with_default_max_age(1);
    assert_eq!(policy.max_age_bounds(), (10, 10));
    let mut cache = KeySetCache::new(URI, &[&jwa::ES256]).with_policy(policy);
    assert_eq!(cache.policy(), &policy);
    let request = cache.poll(at(0)).unwrap();
    cache
        .complete(request, at(0), &Response::new(200, jwks(&[&a])))
        .unwrap();
    assert_eq!(cache.lifetime(), Some(10));
}

#[test]
fn only_well_formed_etags_are_sent_back() {
    let a = signer("a");
    for (etag, sent) in [
        ("\"v1\"", Some("\"v1\"")),
        ("W/\"v1\"", Some("W/\"v1\"")),
        ("v1", None),
        ("\"v1\"\r\nX-Injected: 1", None),
    ] {
        let mut cache = KeySetCache::new(URI, &[&jwa::ES256]);
        let request = cache.poll(at(0)).unwrap();
        cache
            .complete(request, at(0), &ok(jwks(&[&a]), etag, "max-age=60"))
            .unwrap();
        let request = cache.poll(at(45)).unwrap();
        assert_eq!(request.if_none_match(), sent, "{etag:?}");
    }
}

#[test]
fn the_ring_binds_the_cache_algorithms_and_skips_the_rest() {
    let es = signer("es");
    let ed = SigningKey::generate(&jwa::EdDSA).unwrap().with_kid("ed");
    let mut cache = KeySetCache::new(URI, &[&jwa::ES256]);
    let request = cache.poll(at(0)).unwrap();
    let body = format!(
        r#"{{"keys":[{},{},{{"kty":"EC","kid":"q"}}]}}"#,
        Jwk::from_verifying_key(&es.verifying_key())
            .to_json()
            .unwrap(),
        Jwk::from_verifying_key(&ed.verifying_key())
            .to_json()
            .unwrap()
    );
    cache
        .complete(request, at(0), &Response::new(200, body.into_bytes()))
        .unwrap();
    let ring = cache.keys(at(0)).unwrap();
    assert_eq!(ring.len(), 1);
    // The Ed25519 key fits no algorithm of the cache: left out silently.
    assert_eq!(
        ring.select("EdDSA", Some("ed")).map(|_| ()),
        Err(NoKey::UnknownKid.into())
    );
    assert_eq!(
        ring.select("ES256", Some("es"))
            .map(|k| k.kid().map(String::from)),
        Ok(Some("es".into()))
    );
    assert_eq!(
        ring.select("ES256", Some("q")).map(|_| ()),
        Err(NoKey::Ambiguous.into())
    );
}
