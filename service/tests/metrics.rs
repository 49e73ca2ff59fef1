//! `GET /metrics` on the real binary: no credentials, OpenMetrics text, the guard's metrics
//! and the service's own counting what the test did; on Redis, store calls timed and the
//! failures of a stopped Redis counted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a panic is a failed test"
)]

mod common;

use common::*;

/// The exposition (and checks that it needs no credentials and says what it is).
async fn scrape(http: &reqwest::Client, service: &Service) -> String {
    let response = http.get(service.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    text
}

fn assert_lines(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.lines().any(|l| l == *line), "no {line:?} in\n{text}");
    }
}

#[tokio::test]
async fn metrics_count_what_happened_without_credentials() {
    let dir = temp_dir("metrics");
    let service = Service::start(&dir, None, &["--throttle-account-ip", "2/1h"]);
    let http = client();
    let pair = login(&http, &service, ADA, None).await;
    let access = pair.token("access_token");
    assert_eq!(
        call(&http, &service, "GET", "/me", &access, None)
            .await
            .status,
        200
    );
    assert_eq!(
        refresh(&http, &service, &pair.token("refresh_token"), None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&http, &service, "GET", "/me", "not.a.token", None)
            .await
            .status,
        401
    );
    for _ in 0..2 {
        assert_eq!(
            login(&http, &service, ("ada", "wrong!wrong"), None)
                .await
                .status,
            400
        );
    }
    assert_eq!(login(&http, &service, ADA, None).await.status, 429);

    let text = scrape(&http, &service).await;
    assert_lines(
        &text,
        &[
            "jose_guard_requests_total{result=\"success\",scheme=\"Bearer\"} 1",
            "jose_guard_requests_total{result=\"failure\",reason=\"invalid_token\",scheme=\"Bearer\"} 1",
            "jose_service_logins_total{outcome=\"ok\"} 1",
            "jose_service_logins_total{outcome=\"invalid_credentials\"} 2",
            "jose_service_logins_total{outcome=\"throttled\"} 1",
            "jose_service_refreshes_total{outcome=\"ok\"} 1",
            "jose_service_throttled_total{kind=\"password\",scope=\"account_ip\"} 1",
            "jose_service_store_duration_seconds_count{operation=\"rotate\"} 1",
            "jose_service_store_duration_seconds_count{operation=\"any\"} 1",
            "jose_service_request_duration_seconds_count{method=\"POST\",route=\"/login\",status=\"200\"} 1",
            "jose_service_request_duration_seconds_count{method=\"POST\",route=\"/login\",status=\"400\"} 2",
            "jose_service_request_duration_seconds_count{method=\"POST\",route=\"/login\",status=\"429\"} 1",
            "jose_service_request_duration_seconds_count{method=\"GET\",route=\"/me\",status=\"401\"} 1",
        ],
    );
    // Nothing of a request's own bytes in a label: an unknown path is `<unmatched>`.
    let _ = http
        .get(service.url("/a/secret/path"))
        .send()
        .await
        .unwrap();
    let text = scrape(&http, &service).await;
    assert!(!text.contains("secret"));
    assert_lines(
        &text,
        &[
            "jose_service_request_duration_seconds_count{method=\"GET\",route=\"<unmatched>\",status=\"404\"} 1",
        ],
    );
    // A client authentication tried where there is none.
    let basic = http
        .post(service.url("/login"))
        .header("authorization", "Basic ZGVtbzpzZWNyZXQ=")
        .json(&serde_json::json!({ "username": "bob", "password": BOB.1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    assert_lines(
        &scrape(&http, &service).await,
        &["jose_service_client_authentications_total{outcome=\"invalid_client\"} 1"],
    );
}

#[tokio::test]
async fn store_calls_are_timed_and_a_stopped_redis_is_counted() {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let dir = temp_dir("metrics-redis");
    let service = Service::start(&dir, Some(&redis), &[]);
    let http = client();
    let pair = login(&http, &service, ADA, None).await;
    assert_eq!(pair.status, 200);
    let text = scrape(&http, &service).await;
    // The login's throttle steps: a take, then the refund that marks the address known.
    assert_lines(
        &text,
        &["jose_service_store_duration_seconds_count{operation=\"throttle\"} 2"],
    );
    assert!(!text.contains("jose_service_store_errors_total{"), "{text}");
    redis.stop();
    let me = call(
        &http,
        &service,
        "GET",
        "/me",
        &pair.token("access_token"),
        None,
    )
    .await;
    assert_eq!((me.status, me.error()), (503, "revocation_unavailable"));
    assert_lines(
        &scrape(&http, &service).await,
        &[
            "jose_service_store_errors_total{operation=\"any\"} 1",
            "jose_guard_store_errors_total{store=\"revocation\"} 1",
        ],
    );
}
