//! The refresh-token grace window, as scenarios run on the in-memory store (`tests/flow.rs`,
//! one instance) and on Redis (`tests/redis.rs`, two instances): one behaviour, two stores.

use std::time::Duration;

use super::*;

/// Presented again in the window (as after a lost answer), on either instance: a new pair;
/// the first pair is revoked (its access token at once; its refresh token is spent, and
/// presenting it later revokes the family); the second pair lives on.
pub async fn retry_in_the_window_supersedes_the_first_pair(
    http: &reqwest::Client,
    a: &Service,
    b: &Service,
) {
    let pair = login(http, a, ADA, None).await;
    let first = pair.token("refresh_token");
    let one = refresh(http, a, &first, None).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let two = refresh(http, b, &first, None).await;
    assert_eq!(two.status, 200, "{}", two.body);
    assert_eq!(
        claims(&one.token("access_token"))["fam"],
        claims(&two.token("access_token"))["fam"],
        "the same family"
    );
    let me = call(http, a, "GET", "/me", &one.token("access_token"), None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"), "{}", me.body);
    for service in [a, b] {
        let me = call(
            http,
            service,
            "GET",
            "/me",
            &two.token("access_token"),
            None,
        )
        .await;
        assert_eq!(me.status, 200, "{}", me.body);
    }
    // The session goes on from the second pair.
    let three = refresh(http, a, &two.token("refresh_token"), None).await;
    assert_eq!(three.status, 200, "{}", three.body);
    // The first pair's refresh token was superseded: whoever presents it is a thief or
    // lost the race to one, and the family goes.
    let stale = refresh(http, b, &one.token("refresh_token"), None).await;
    assert_eq!(stale.refusal(), (400, "invalid_grant", REUSED));
    let me = call(http, b, "GET", "/me", &three.token("access_token"), None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
}

/// Presented again after the window: a reuse, the family is revoked (the pair issued at the
/// first presentation too).
pub async fn replay_after_the_window_revokes_the_family(
    http: &reqwest::Client,
    a: &Service,
    b: &Service,
    grace: u64,
) {
    let first = login(http, a, ADA, None).await.token("refresh_token");
    let one = refresh(http, a, &first, None).await;
    assert_eq!(one.status, 200, "{}", one.body);
    tokio::time::sleep(Duration::from_secs(grace + 1)).await;
    let replay = refresh(http, b, &first, None).await;
    assert_eq!(replay.refusal(), (400, "invalid_grant", REUSED));
    let me = call(http, a, "GET", "/me", &one.token("access_token"), None).await;
    assert_eq!((me.status, me.error()), (401, "revoked"));
    let next = refresh(http, a, &one.token("refresh_token"), None).await;
    assert_eq!(next.refusal(), (400, "invalid_grant", FAMILY_REVOKED));
}

/// `n` presentations of one refresh token at once, spread over `services`: each gets a pair,
/// and exactly one of those pairs is valid at the end.
pub async fn concurrent_presentations_leave_one_pair(
    http: &reqwest::Client,
    services: &[&Service],
    n: usize,
) {
    let first = login(http, services[0], ADA, None)
        .await
        .token("refresh_token");
    let mut tasks = Vec::new();
    for i in 0..n {
        let url = services[i % services.len()].url("/refresh");
        let (http, first) = (http.clone(), first.clone());
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .json(&serde_json::json!({ "refresh_token": first }))
                .send()
                .await
                .unwrap();
            answer(response).await
        }));
    }
    let mut pairs = Vec::new();
    for task in tasks {
        let pair = task.await.unwrap();
        assert_eq!(pair.status, 200, "{}", pair.body);
        pairs.push(pair);
    }
    let mut valid = Vec::new();
    for (i, pair) in pairs.iter().enumerate() {
        let service = services[i % services.len()];
        let me = call(
            http,
            service,
            "GET",
            "/me",
            &pair.token("access_token"),
            None,
        )
        .await;
        match me.status {
            200 => valid.push(i),
            401 => assert_eq!(me.error(), "revoked"),
            other => panic!("/me answered {other}: {}", me.body),
        }
    }
    assert_eq!(valid.len(), 1, "valid pairs: {valid:?} of {n}");
    // The one left rotates as any current refresh token.
    let next = refresh(
        http,
        services[0],
        &pairs[valid[0]].token("refresh_token"),
        None,
    )
    .await;
    assert_eq!(next.status, 200, "{}", next.body);
}

/// With the window off (`--refresh-grace 0`), the second presentation is a reuse.
pub async fn no_window_means_the_second_presentation_is_a_reuse(
    http: &reqwest::Client,
    service: &Service,
) {
    let first = login(http, service, ADA, None).await.token("refresh_token");
    assert_eq!(refresh(http, service, &first, None).await.status, 200);
    let again = refresh(http, service, &first, None).await;
    assert_eq!(again.refusal(), (400, "invalid_grant", REUSED));
}
