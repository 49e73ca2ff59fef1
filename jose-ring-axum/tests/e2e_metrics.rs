//! End to end, over real sockets (issue 24 item 4, feature `metrics`): an app behind a guard
//! whose keys come from the mock identity provider, with `/metrics` mounted beside it (one
//! registry holding the guard's metrics and an application counter). Requests of each kind
//! are made, then `/metrics` is scraped with reqwest and read twice: by exact lines here,
//! and by the Prometheus project's own Python parser (`prometheus_client`, the strict
//! OpenMetrics one: `tests/metrics_parse.py`), whose reading is compared sample by sample.
//!
//! The Python parser runs from `JOSE_METRICS_PYTHON` (an interpreter with
//! `tests/metrics-requirements.txt` installed; `.ci/run` makes that venv), else from
//! `python3` if it has `prometheus_client`; without either it is skipped with a loud
//! message, unless `JOSE_INTEROP=1` (CI), where it is required.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use jose_ring::jwt::Validation;
use jose_ring_axum::prometheus_client::metrics::counter::Counter;
use jose_ring_axum::{
    BoxFuture, CONTENT_TYPE_OPENMETRICS, Guard, Metrics, RevocationStore, StoreError,
};
use serde_json::{Value, json};
use support::app::{Bound, bearer, client, get_with};
use support::idp::Idp;
use support::tokens::{AUDIENCE, claims, now, sign_with, with};

/// A revocation store that cannot answer for the `jti` `unreachable` (and revokes nothing).
struct Flaky;

impl RevocationStore for Flaky {
    fn is_revoked<'a>(&'a self, jti: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            if jti == "unreachable" {
                Err(StoreError::new("store down"))
            } else {
                Ok(false)
            }
        })
    }
}

/// The Python interpreter with `prometheus_client`, or why there is none.
fn python() -> Result<String, String> {
    if let Ok(python) = std::env::var("JOSE_METRICS_PYTHON") {
        return Ok(python);
    }
    let found = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        Ok("python3".into())
    } else {
        Err("no JOSE_METRICS_PYTHON, and python3 has no prometheus_client".into())
    }
}

/// What the Python parser read from `text`.
fn parse_with_python(python: &str, text: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/metrics_parse.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Python parser");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client refused the exposition:\n{}\n--- exposition ---\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The value of the sample `name{labels}` as the parser read it.
fn sample(families: &Value, name: &str, labels: &Value) -> Option<f64> {
    families
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["samples"].as_array().unwrap())
        .find(|s| s[0] == name && &s[1] == labels)
        .map(|s| s[2].as_f64().unwrap())
}

#[tokio::test]
async fn the_exposition_counts_each_decision_and_parses_with_prometheus_client() {
    let idp = Idp::start().await;
    let issuer = idp.issuer();
    let guard = Guard::from_issuer(&issuer)
        .allow_http_loopback()
        .validation(
            Validation::from_clock(Arc::new(jose_ring::jwt::SystemClock)).with_audience(AUDIENCE),
        )
        .revocation(Flaky)
        .fetch_timeout(Duration::from_secs(3))
        .build()
        .unwrap();

    // One registry: the guard's collector and the application's own counter.
    let logins = Counter::<u64>::default();
    let mut metrics = Metrics::new();
    metrics.register_guard(&guard);
    metrics
        .registry_mut()
        .register("myapp_logins", "Logins to the app", logins.clone());
    let metrics = Arc::new(metrics);
    let api = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .layer(guard.layer());
    let feed = Router::new()
        .route("/public", get(|| async { "public" }))
        .layer(guard.optional_layer());
    let app = Bound::new().await.serve(
        Router::new()
            .route(
                "/metrics",
                get(move || {
                    let metrics = Arc::clone(&metrics);
                    async move { metrics.response() }
                }),
            )
            .merge(api)
            .merge(feed),
    );
    let http = client();

    let good = |jti: &str| idp.sign(&with(claims(&issuer), "jti", json!(jti)));
    // 2 accepted (the first fetches discovery and the key set).
    for jti in ["a", "b"] {
        assert_eq!(
            bearer(&http, &app.url("/hello"), &good(jti)).await.status,
            200
        );
    }
    // 1 refused without credentials, 1 anonymous on the optional router.
    assert_eq!(get_with(&http, &app.url("/hello"), &[]).await.status, 401);
    assert_eq!(get_with(&http, &app.url("/public"), &[]).await.status, 200);
    // 1 expired.
    let expired = idp.sign(&with(claims(&issuer), "exp", json!(now() - 60)));
    assert_eq!(
        bearer(&http, &app.url("/hello"), &expired).await.status,
        401
    );
    // 2 unknown kids: the first refetches, the second meets the cooldown.
    let stranger = Idp::unpublished_key("stranger");
    for _ in 0..2 {
        let token = sign_with(&claims(&issuer), &stranger, Some("at+jwt"));
        assert_eq!(bearer(&http, &app.url("/hello"), &token).await.status, 401);
    }
    // 1 store error (503).
    assert_eq!(
        bearer(&http, &app.url("/hello"), &good("unreachable"))
            .await
            .status,
        503
    );
    logins.inc();

    let answer = get_with(&http, &app.url("/metrics"), &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some(CONTENT_TYPE_OPENMETRICS)
    );
    let text = answer.body;
    // The exact lines of the counters (one per decision seen), and none with a token or a
    // claim value in it.
    for line in [
        "# TYPE jose_guard_requests counter",
        r#"jose_guard_requests_total{result="success",scheme="Bearer"} 2"#,
        r#"jose_guard_requests_total{result="success",scheme="DPoP"} 0"#,
        r#"jose_guard_requests_total{result="none"} 1"#,
        r#"jose_guard_requests_total{result="none",reason="missing_credentials"} 1"#,
        r#"jose_guard_requests_total{result="failure",reason="expired",scheme="Bearer"} 1"#,
        r#"jose_guard_requests_total{result="failure",reason="unknown_key",scheme="Bearer"} 2"#,
        r#"jose_guard_requests_total{result="failure",reason="revocation_unavailable",scheme="Bearer"} 1"#,
        "# TYPE jose_guard_verification_seconds histogram",
        "# UNIT jose_guard_verification_seconds seconds",
        r#"jose_guard_verification_seconds_count{alg="ES256"} 3"#,
        &format!(
            r#"jose_guard_key_set_fetches_total{{issuer="{issuer}",target="discovery",result="ok"}} 1"#
        ),
        &format!(r#"jose_guard_keys{{issuer="{issuer}"}} 1"#),
        &format!(r#"jose_guard_key_set_state{{issuer="{issuer}",state="fresh"}} 1"#),
        &format!(r#"jose_guard_key_set_state{{issuer="{issuer}",state="empty"}} 0"#),
        &format!(r#"jose_guard_unknown_kid_total{{issuer="{issuer}",decision="fetch"}} 1"#),
        &format!(r#"jose_guard_unknown_kid_total{{issuer="{issuer}",decision="cooldown"}} 1"#),
        &format!(r#"jose_guard_unknown_kid_total{{issuer="{issuer}",decision="wait"}} 0"#),
        r#"jose_guard_store_errors_total{store="revocation"} 1"#,
        r#"jose_guard_store_errors_total{store="replay"} 0"#,
        "myapp_logins_total 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
    // The key set was fetched twice (first request, unknown kid): 200 or 304 as the
    // provider answered the If-None-Match of the second.
    let not_modified = idp.jwks_not_modified();
    assert_eq!(idp.jwks_requests(), 2);
    let jwks = |result: &str| {
        format!(
            r#"jose_guard_key_set_fetches_total{{issuer="{issuer}",target="jwks",result="{result}"}} "#
        )
    };
    let count = |prefix: String| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .map_or(0, |n| n.parse::<usize>().unwrap())
    };
    assert_eq!(
        (count(jwks("ok")), count(jwks("not_modified"))),
        (2 - not_modified, not_modified)
    );
    for secret in [
        expired.as_str(),
        "ada",
        "e2e-client",
        "unreachable",
        "stranger",
    ] {
        assert!(!text.contains(secret), "{secret:?} in the exposition");
    }
    // Buckets are cumulative, and the count is the +Inf bucket.
    let buckets: Vec<u64> = text
        .lines()
        .filter(|l| {
            l.starts_with("jose_guard_verification_seconds_bucket{") && l.contains(r#"alg="ES256""#)
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 13, "{text}");
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    assert_eq!(buckets.last(), Some(&3));

    // The same reading by the independent parser.
    let python = match python() {
        Ok(python) => python,
        Err(why) if std::env::var("JOSE_INTEROP").as_deref() == Ok("1") => {
            panic!("JOSE_INTEROP=1 needs the Prometheus parser: {why}")
        }
        Err(why) => {
            eprintln!(
                "\n!!!!!!!! SKIPPED: the exposition was not read by prometheus_client ({why}); \
                 python3 -m venv target/metrics-venv && target/metrics-venv/bin/pip install \
                 -r jose-ring-axum/tests/metrics-requirements.txt, then \
                 JOSE_METRICS_PYTHON=target/metrics-venv/bin/python (see .ci/run) !!!!!!!!\n"
            );
            return;
        }
    };
    let families = parse_with_python(&python, &text);
    let types: Vec<(String, String)> = families
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (name, kind) in [
        ("jose_guard_requests", "counter"),
        ("jose_guard_verification_seconds", "histogram"),
        ("jose_guard_key_set_fetches", "counter"),
        ("jose_guard_keys", "gauge"),
        ("jose_guard_key_set_state", "gauge"),
        ("jose_guard_unknown_kid", "counter"),
        ("jose_guard_store_errors", "counter"),
        ("myapp_logins", "counter"),
    ] {
        assert!(
            types.contains(&(name.to_owned(), kind.to_owned())),
            "{name} {kind} in {types:?}"
        );
    }
    for (name, labels, value) in [
        (
            "jose_guard_requests_total",
            json!({"result": "success", "scheme": "Bearer"}),
            2.0,
        ),
        ("jose_guard_requests_total", json!({"result": "none"}), 1.0),
        (
            "jose_guard_requests_total",
            json!({"result": "failure", "reason": "unknown_key", "scheme": "Bearer"}),
            2.0,
        ),
        (
            "jose_guard_verification_seconds_count",
            json!({"alg": "ES256"}),
            3.0,
        ),
        (
            "jose_guard_verification_seconds_bucket",
            json!({"alg": "ES256", "le": "+Inf"}),
            3.0,
        ),
        ("jose_guard_keys", json!({"issuer": issuer}), 1.0),
        (
            "jose_guard_key_set_state",
            json!({"issuer": issuer, "state": "fresh"}),
            1.0,
        ),
        (
            "jose_guard_unknown_kid_total",
            json!({"issuer": issuer, "decision": "cooldown"}),
            1.0,
        ),
        (
            "jose_guard_store_errors_total",
            json!({"store": "revocation"}),
            1.0,
        ),
        ("myapp_logins_total", json!({}), 1.0),
    ] {
        assert_eq!(
            sample(&families, name, &labels),
            Some(value),
            "{name} {labels}"
        );
    }
    let sum = sample(
        &families,
        "jose_guard_verification_seconds_sum",
        &json!({"alg": "ES256"}),
    )
    .unwrap();
    assert!(
        sum > 0.0 && sum < 3.0,
        "ES256 verification time sum {sum} s"
    );
}
