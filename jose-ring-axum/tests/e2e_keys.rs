//! End to end, over real sockets: keys from a real (mock) identity provider kept fresh by the
//! guard (issue 18 item 2): discovery, one fetch for many waiters, rotation, a provider down at
//! startup or later, slow, or answering garbage, 5 MB or 500; `ETag` revalidation; several
//! issuers; the fetch counters.
//!
//! The guard reads time from a [`TestClock`] the test moves forward (over the 30 s cooldown,
//! into the refresh-ahead window, past the cache lifetime): no test sleeps for the cache.
//!
//! What a request gets while the guard holds no keys (the choice this suite pins): the first
//! request starts the fetch and waits for it (at most the fetch timeout); if it fails, that
//! request and every request until the cooldown lets the next fetch start get `503` with
//! `Retry-After` and no `WWW-Authenticate` (the token was not judged: "keys_unavailable"), and
//! requests without credentials still get their `401`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use jose_ring::jwt::Validation;
use jose_ring_axum::{Guard, Reason};
use serde_json::Value;
use support::app::{App, Bound, bearer, client, get_with};
use support::clock::TestClock;
use support::idp::{Behavior, Idp};
use support::tokens::{AUDIENCE, claims, sign_with};

/// The guard of these tests: keys by discovery from `idp`, time from `clock`.
fn guard_for(idp: &Idp, clock: &Arc<TestClock>) -> Guard {
    Guard::from_issuer(idp.issuer())
        .allow_http_loopback()
        .clock(clock.clone())
        .validation(Validation::from_clock(clock.clone()).with_audience(AUDIENCE))
        .fetch_timeout(Duration::from_secs(3))
        .build()
        .unwrap()
}

/// An identity provider, a clock, and the app behind a guard using both.
async fn setup() -> (Idp, Arc<TestClock>, Guard, App) {
    let idp = Idp::start().await;
    let clock = TestClock::new();
    let guard = guard_for(&idp, &clock);
    let app = Bound::new().await.protect(&guard);
    (idp, clock, guard, app)
}

async fn status(http: &reqwest::Client, app: &App, token: &str) -> u16 {
    bearer(http, &app.url("/hello"), token).await.status
}

#[tokio::test]
async fn keys_come_from_discovery_with_the_first_request_and_stay() {
    let (idp, _clock, guard, app) = setup().await;
    // Building the guard and starting the app fetched nothing.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (0, 0));
    let http = client();
    let token = idp.sign(&claims(&idp.issuer()));
    for _ in 0..20 {
        let answer = bearer(&http, &app.url("/hello"), &token).await;
        assert_eq!((answer.status, answer.body.as_str()), (200, "hello ada"));
    }
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (1, 1));
    let counters = guard.counters();
    assert_eq!(
        (counters.fetches(), counters.fetch_failures()),
        (2, 0),
        "discovery and key set"
    );
    assert_eq!(counters.accepted(), 20);
    assert_eq!(idp.other_requests(), 0);
}

#[tokio::test]
async fn concurrent_first_requests_share_one_fetch() {
    let (idp, _clock, _guard, app) = setup().await;
    let http = client();
    let token = idp.sign(&claims(&idp.issuer()));
    let url = app.url("/hello");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.spawn(async move { bearer(&http, &url, &token).await.status });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (1, 1));
}

#[tokio::test]
async fn a_rotated_key_costs_one_fetch_when_its_first_token_comes() {
    let (idp, clock, guard, app) = setup().await;
    let http = client();
    let old = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &old).await, 200);
    assert_eq!(idp.jwks_requests(), 1);
    // The provider publishes a new key beside the old one and signs with it; the guard does
    // not know it yet. Past the cooldown, the first token with the new kid fetches once.
    let kid = idp.add_key();
    assert_eq!(kid, "k2");
    clock.advance(31);
    let new = idp.sign(&claims(&idp.issuer()));
    let answer = bearer(&http, &app.url("/whoami"), &new).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let facts: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(facts["kid"], "k2");
    assert_eq!(idp.jwks_requests(), 2);
    for token in [&old, &new, &old, &new] {
        assert_eq!(status(&http, &app, token).await, 200);
    }
    assert_eq!(idp.jwks_requests(), 2, "both kids are known now");
    assert_eq!(
        idp.discovery_requests(),
        1,
        "discovery is not repeated for a new key"
    );
    assert_eq!(guard.counters().fetch_failures(), 0);
}

#[tokio::test]
async fn two_hundred_concurrent_requests_with_a_new_kid_cause_exactly_one_fetch() {
    let (idp, clock, _guard, app) = setup().await;
    let http = client();
    assert_eq!(
        status(&http, &app, &idp.sign(&claims(&idp.issuer()))).await,
        200
    );
    assert_eq!(idp.jwks_requests(), 1);
    // Swap the whole set (the old key is gone) and slow the provider a little, so that all
    // 200 requests are in the guard while the one fetch is in flight.
    idp.rotate();
    idp.set_delay(Duration::from_millis(300));
    clock.advance(31);
    let token = idp.sign(&claims(&idp.issuer()));
    let url = app.url("/hello");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.spawn(async move { bearer(&http, &url, &token).await.status });
    }
    let mut ok = 0;
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 200);
        ok += 1;
    }
    assert_eq!(ok, 200);
    assert_eq!(idp.jwks_requests(), 2, "one fetch for the 200 requests");
}

#[tokio::test]
async fn a_flood_of_unknown_kids_costs_one_fetch_per_cooldown() {
    let (idp, clock, guard, app) = setup().await;
    let http = client();
    let good = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &good).await, 200);
    clock.advance(31);
    for n in 0..50 {
        let forged = sign_with(
            &claims(&idp.issuer()),
            &Idp::unpublished_key(&format!("made-up-{n}")),
            Some("at+jwt"),
        );
        let answer = bearer(&http, &app.url("/hello"), &forged).await;
        assert_eq!(answer.status, 401);
        assert!(
            answer
                .challenge("Bearer")
                .starts_with(r#"Bearer error="invalid_token""#)
        );
        answer.assert_leaks_nothing_of(&forged);
    }
    assert_eq!(
        idp.jwks_requests(),
        2,
        "one refetch for 50 unknown kids within the cooldown"
    );
    assert_eq!(guard.counters().rejected(Reason::UnknownKey), 50);
    assert_eq!(status(&http, &app, &good).await, 200);
}

/// Issue 23: a provider that replaces its keys without announcing the new one (an emergency
/// rotation) is followed at the first request that carries the new `kid`, even right after
/// the first fetch: the cooldown counts from the last fetch an unknown `kid` caused, and the
/// first fetch was not one.
#[tokio::test]
async fn an_unannounced_rotation_is_seen_at_the_first_request_with_the_new_kid() {
    let (idp, _clock, guard, app) = setup().await;
    let http = client();
    let old = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &old).await, 200);
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (1, 1));
    // The old key is withdrawn and a new one signs at once; the clock does not move.
    let kid = idp.rotate();
    let new = idp.sign(&claims(&idp.issuer()));
    let answer = bearer(&http, &app.url("/whoami"), &new).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let facts: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(facts["kid"], Value::from(kid));
    assert_eq!(idp.jwks_requests(), 2, "one refetch, at the first new kid");
    // The withdrawn key no longer verifies, and asking for it again fetches nothing (the
    // refetch it would cause is within the cooldown of the one just made).
    assert_eq!(status(&http, &app, &old).await, 401);
    assert_eq!(status(&http, &app, &new).await, 200);
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (1, 2));
    assert_eq!(guard.counters().rejected(Reason::UnknownKey), 1);
}

/// Issue 23: the flood bound. 200 concurrent tokens, each naming a `kid` nobody published,
/// cost exactly one fetch (every request waits for that one), and a second flood within the
/// cooldown costs none.
#[tokio::test]
async fn a_flood_of_200_concurrent_unknown_kids_costs_one_fetch_and_a_second_none() {
    let (idp, _clock, guard, app) = setup().await;
    let http = client();
    let good = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &good).await, 200);
    assert_eq!(idp.jwks_requests(), 1);
    let forged: Vec<String> = (0..400)
        .map(|n| {
            let key = Idp::unpublished_key(&format!("made-up-{n}"));
            sign_with(&claims(&idp.issuer()), &key, Some("at+jwt"))
        })
        .collect();
    let url = app.url("/hello");
    let flood = |tokens: &[String]| {
        let mut tasks = tokio::task::JoinSet::new();
        for token in tokens {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            tasks.spawn(async move { bearer(&http, &url, &token).await.status });
        }
        tasks
    };
    // Slow enough that the whole flood is in the guard while its one fetch is in flight.
    idp.set_delay(Duration::from_millis(300));
    let mut first = flood(&forged[..200]);
    while let Some(status) = first.join_next().await {
        assert_eq!(status.unwrap(), 401);
    }
    assert_eq!(idp.jwks_requests(), 2, "one fetch for the first flood");
    idp.set_delay(Duration::ZERO);
    let mut second = flood(&forged[200..]);
    while let Some(status) = second.join_next().await {
        assert_eq!(status.unwrap(), 401);
    }
    assert_eq!(
        idp.jwks_requests(),
        2,
        "none for the second, within the cooldown"
    );
    assert_eq!(guard.counters().rejected(Reason::UnknownKey), 400);
    assert_eq!(status(&http, &app, &good).await, 200);
}

#[tokio::test]
async fn the_app_starts_while_the_provider_is_down_and_serves_once_it_is_up() {
    let idp = Idp::start_down().await;
    let clock = TestClock::new();
    let guard = guard_for(&idp, &clock);
    let app = Bound::new().await.protect(&guard);
    let http = client();
    // Requests that need no keys are answered as usual.
    let answer = get_with(&http, &app.url("/hello"), &[]).await;
    assert_eq!(
        (answer.status, answer.challenges()),
        (401, vec!["Bearer".to_owned()])
    );
    // Something that is not a token at all is refused as such (401), keys or not; it does
    // start the one fetch the cooldown allows (refused: the provider is down).
    let answer = bearer(&http, &app.url("/hello"), "abc.def.ghi").await;
    assert_eq!(answer.status, 401);
    assert!(
        answer
            .challenge("Bearer")
            .starts_with(r#"Bearer error="invalid_token""#)
    );
    // A token: the guard tries the provider (refused), and answers 503, Retry-After, no
    // challenge: the token was not judged.
    let token = idp.sign(&claims(&idp.issuer()));
    let answer = bearer(&http, &app.url("/hello"), &token).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(answer.challenges().is_empty(), "{:?}", answer.challenges());
    let retry: u64 = answer.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "retry-after {retry}");
    answer.assert_leaks_nothing_of(&token);
    // Until the cooldown ends no other fetch starts, and the answer stays 503.
    let answer = bearer(&http, &app.url("/hello"), &token).await;
    assert_eq!(answer.status, 503);
    let counters = guard.counters();
    assert_eq!(counters.rejected(Reason::KeysUnavailable), 2);
    assert_eq!((counters.fetches(), counters.fetch_failures()), (1, 1));
    // The provider comes up; past the cooldown the next request fetches and passes.
    idp.up().await;
    clock.advance(31);
    assert_eq!(status(&http, &app, &token).await, 200);
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (1, 1));
    assert_eq!(guard.counters().accepted(), 1);
}

#[tokio::test]
async fn cached_keys_keep_serving_while_the_provider_is_down_until_max_stale() {
    let (idp, clock, guard, app) = setup().await;
    let http = client();
    let token = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &token).await, 200);
    idp.down().await;
    // Past the set's lifetime (max-age=300): the refresh fails, the last good set serves.
    clock.advance(301);
    for _ in 0..5 {
        assert_eq!(status(&http, &app, &token).await, 200);
    }
    // Let the background refresh finish failing (connection refused: quick).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while guard.counters().fetch_failures() == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        guard.counters().fetch_failures(),
        1,
        "one refresh tried within the cooldown"
    );
    assert_eq!(status(&http, &app, &token).await, 200);
    // Past the maximum staleness (1 h after expiry) the guard fails closed: 503.
    clock.advance(3600);
    let answer = bearer(&http, &app.url("/hello"), &token).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(answer.header("retry-after").is_some());
    // The provider is back: the next fetch the cooldown allows restores service.
    idp.up().await;
    clock.advance(31);
    assert_eq!(status(&http, &app, &token).await, 200);
    assert_eq!(idp.discovery_requests(), 1);
}

#[tokio::test]
async fn a_slow_provider_does_not_delay_requests_with_a_known_kid() {
    let (idp, clock, _guard, app) = setup().await;
    let http = client();
    let token = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &token).await, 200);
    // Baseline latency with the keys cached.
    let mut baseline = Duration::ZERO;
    for _ in 0..10 {
        baseline = baseline.max(bearer(&http, &app.url("/hello"), &token).await.elapsed);
    }
    // The provider now takes 2 s per answer, and the set is in its refresh-ahead window
    // (the last quarter of max-age=300): requests start the refresh and do not wait for it.
    idp.set_delay(Duration::from_secs(2));
    clock.advance(240);
    let mut worst = Duration::ZERO;
    for _ in 0..20 {
        let answer = bearer(&http, &app.url("/hello"), &token).await;
        assert_eq!(answer.status, 200);
        worst = worst.max(answer.elapsed);
    }
    assert!(
        worst < Duration::from_millis(500),
        "worst {worst:?} with a 2 s provider (baseline worst {baseline:?})"
    );
    assert!(
        idp.wait_for_jwks_requests(2, Duration::from_secs(1)).await,
        "the refresh started"
    );
    assert_eq!(idp.jwks_requests(), 2, "one refresh, not one per request");
}

#[tokio::test]
async fn garbage_huge_and_failing_answers_are_refused_and_the_last_good_set_serves() {
    let (idp, clock, guard, app) = setup().await;
    let http = client();
    let good = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &good).await, 200);
    let behaviors = [
        Behavior::Garbage,
        Behavior::Huge,
        Behavior::HugeChunked,
        Behavior::ServerError,
    ];
    for (n, behavior) in behaviors.into_iter().enumerate() {
        idp.set_behavior(behavior);
        // A token with a kid the guard does not know makes it refetch (past the cooldown).
        idp.add_key();
        let new = idp.sign(&claims(&idp.issuer()));
        clock.advance(31);
        let answer = bearer(&http, &app.url("/hello"), &new).await;
        assert_eq!(answer.status, 401, "{behavior:?}: {}", answer.body);
        assert!(
            answer
                .challenge("Bearer")
                .starts_with(r#"Bearer error="invalid_token""#)
        );
        assert_eq!(idp.jwks_requests(), n + 2, "{behavior:?}: one fetch");
        assert_eq!(
            guard.counters().fetch_failures(),
            u64::try_from(n).unwrap() + 1,
            "{behavior:?}"
        );
        // The last good set still verifies the old key's tokens.
        assert_eq!(status(&http, &app, &good).await, 200, "{behavior:?}");
    }
    // The provider answers properly again: the next new kid is fetched and passes.
    idp.set_behavior(Behavior::Normal);
    clock.advance(31);
    let new = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &new).await, 200);
    assert_eq!(
        status(&http, &app, &good).await,
        200,
        "the old key is still published"
    );
}

#[tokio::test]
async fn a_due_refresh_revalidates_with_if_none_match() {
    let (idp, clock, guard, app) = setup().await;
    let http = client();
    let token = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &token).await, 200);
    clock.advance(240);
    assert_eq!(status(&http, &app, &token).await, 200);
    assert!(idp.wait_for_jwks_requests(2, Duration::from_secs(3)).await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while guard.counters().fetches() < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        idp.jwks_not_modified(),
        1,
        "the refresh sent the ETag and got 304"
    );
    assert_eq!(
        (
            guard.counters().fetches(),
            guard.counters().fetch_failures()
        ),
        (3, 0),
        "discovery, the set, the 304"
    );
    // The 304 renewed the set: past the old expiry it serves without another fetch.
    clock.advance(100);
    assert_eq!(status(&http, &app, &token).await, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(idp.jwks_requests(), 2);
}

#[tokio::test]
async fn a_jwks_uri_needs_no_discovery() {
    let idp = Idp::start().await;
    let clock = TestClock::new();
    let guard = Guard::from_jwks_uri(idp.jwks_uri())
        .allow_http_loopback()
        .clock(clock.clone())
        .validation(
            Validation::from_clock(clock.clone())
                .with_issuer(idp.issuer())
                .with_audience(AUDIENCE),
        )
        .build()
        .unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    let token = idp.sign(&claims(&idp.issuer()));
    assert_eq!(status(&http, &app, &token).await, 200);
    assert_eq!((idp.discovery_requests(), idp.jwks_requests()), (0, 1));
}

#[tokio::test]
async fn several_issuers_each_with_their_own_keys() {
    let (a, b) = (Idp::start().await, Idp::start().await);
    let clock = TestClock::new();
    let guard = Guard::from_issuers([a.issuer(), b.issuer()])
        .allow_http_loopback()
        .clock(clock.clone())
        .validation(Validation::from_clock(clock.clone()).with_audience(AUDIENCE))
        .build()
        .unwrap();
    let app = Bound::new().await.protect(&guard);
    let http = client();
    for idp in [&a, &b] {
        let answer = bearer(
            &http,
            &app.url("/whoami"),
            &idp.sign(&claims(&idp.issuer())),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let facts: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(facts["issuer"], Value::from(idp.issuer()));
    }
    // Issuer b's claims signed by a's key: refused (a token verifies only as the issuer whose
    // keys were chosen for it).
    let crossed = a.sign(&claims(&b.issuer()));
    assert_eq!(status(&http, &app, &crossed).await, 401);
    // An issuer not configured: refused without any fetch.
    let before = (a.jwks_requests(), b.jwks_requests());
    let stranger = a.sign(&claims("https://stranger.example"));
    assert_eq!(status(&http, &app, &stranger).await, 401);
    assert_eq!((a.jwks_requests(), b.jwks_requests()), before);
    assert_eq!((a.discovery_requests(), b.discovery_requests()), (1, 1));
}

/// The provider's own request counts, checked against a plain client: the mock must be right
/// for the other tests to mean anything.
#[tokio::test]
async fn the_mock_provider_behaves_as_documented() {
    let idp = Idp::start().await;
    let http = client();
    let answer = get_with(&http, &idp.discovery_uri(), &[]).await;
    assert_eq!(answer.status, 200);
    let document: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(document["issuer"], Value::from(idp.issuer()));
    assert_eq!(document["jwks_uri"], Value::from(idp.jwks_uri()));
    let answer = get_with(&http, &idp.jwks_uri(), &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, idp.jwks_json());
    let etag = answer.header("etag").unwrap();
    assert_eq!(
        answer.header("cache-control").as_deref(),
        Some("public, max-age=300")
    );
    let answer = get_with(&http, &idp.jwks_uri(), &[("if-none-match", &etag)]).await;
    assert_eq!((answer.status, answer.body.as_str()), (304, ""));
    idp.rotate();
    let answer = get_with(&http, &idp.jwks_uri(), &[("if-none-match", &etag)]).await;
    assert_eq!(answer.status, 200, "a new set, a new tag");
    for (behavior, expected) in [
        (Behavior::Garbage, 200),
        (Behavior::Huge, 200),
        (Behavior::HugeChunked, 200),
        (Behavior::ServerError, 500),
    ] {
        idp.set_behavior(behavior);
        let answer = get_with(&http, &idp.jwks_uri(), &[]).await;
        assert_eq!(answer.status, expected, "{behavior:?}");
        assert!(
            jose_ring::jwk::JwkSet::from_json(answer.body.as_bytes()).is_err(),
            "{behavior:?}"
        );
        if matches!(behavior, Behavior::Huge | Behavior::HugeChunked) {
            assert_eq!(answer.body.len(), support::idp::HUGE_LEN);
            assert_eq!(
                answer.header("content-length").is_some(),
                behavior == Behavior::Huge
            );
        }
    }
    idp.set_behavior(Behavior::Normal);
    idp.set_delay(Duration::from_millis(200));
    let answer = get_with(&http, &idp.jwks_uri(), &[]).await;
    assert!(
        answer.elapsed >= Duration::from_millis(200),
        "{:?}",
        answer.elapsed
    );
    idp.set_delay(Duration::ZERO);
    idp.down().await;
    let refused = http.get(idp.jwks_uri()).send().await;
    assert!(refused.is_err(), "connections are refused while down");
    idp.up().await;
    assert_eq!(get_with(&http, &idp.jwks_uri(), &[]).await.status, 200);
    assert_eq!(idp.discovery_requests(), 1);
    assert_eq!(idp.jwks_requests(), 9);
    assert_eq!(idp.jwks_not_modified(), 1);
    assert_eq!(idp.other_requests(), 0);
}
