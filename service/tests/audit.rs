//! The audit trail (ASVS 16.3.1), captured in process: the service's router driven with
//! real requests (the peer a trusted proxy, the client in `X-Forwarded-For`), every event
//! of the `jose_service::audit` target checked field by field, and no event of any target
//! carrying a password or a token.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a panic is a failed test"
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use clap::Parser;
use jose_ring_service::app::App;
use jose_ring_service::config::Cli;
use jose_ring_service::routes;
use serde_json::{Value, json};
use tower::ServiceExt;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// One event as the subscriber saw it.
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

/// Every event, and how many of them a test step has read.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>, Arc<Mutex<usize>>);

struct Fields(BTreeMap<String, String>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(Captured {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields: fields.0,
        });
    }
}

impl Capture {
    /// The audit events since the last `clear`, as (level, fields).
    fn audit(&self) -> Vec<(tracing::Level, BTreeMap<String, String>)> {
        let read = *self.1.lock().unwrap();
        self.0
            .lock()
            .unwrap()
            .iter()
            .skip(read)
            .filter(|event| event.target == "jose_service::audit")
            .map(|event| (event.level, event.fields.clone()))
            .collect()
    }

    fn all(&self) -> Vec<Captured> {
        self.0.lock().unwrap().clone()
    }

    fn clear(&self) {
        *self.1.lock().unwrap() = self.0.lock().unwrap().len();
    }
}

const PROXY: &str = "10.0.0.1:40000";
const CLIENT: &str = "203.0.113.7";
const PASSWORD: &str = "correct horse battery staple";
const WRONG: &str = "a wrong password of mine";

/// `method path` from [`CLIENT`] through the trusted [`PROXY`], with a JSON `body`.
async fn send(
    router: &Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("x-forwarded-for", format!("198.51.100.99, {CLIENT}"))
        .extension(ConnectInfo(PROXY.parse::<SocketAddr>().unwrap()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .chain([("message".to_owned(), "audit".to_owned())])
        .collect()
}

fn family(token: &str) -> String {
    let claims: Value = jose_ring::dangerous::peek(token).unwrap().claims().unwrap();
    claims["fam"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "current_thread")]
async fn every_attempt_is_audited_with_its_account_and_ip_and_no_secret() {
    use tracing::Level;
    let capture = Capture::default();
    let _default =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let users = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/users.json");
    let cli = Cli::try_parse_from([
        "jose-service",
        "--users",
        users,
        "--trusted-proxy",
        "10.0.0.0/8",
        "--throttle-account-ip",
        "2/1h",
    ])
    .unwrap();
    let app = Arc::new(App::build(&cli.serve, "127.0.0.1:8080".parse().unwrap()).unwrap());
    let router = routes::router(&app, &[]).unwrap();
    let login = |user: &str, password: &str| json!({ "username": user, "password": password });
    let mut secrets: Vec<String> = vec![PASSWORD.into(), WRONG.into()];

    // A wrong password for a user, and for a name nobody has: the latter's name is not kept.
    assert_eq!(
        send(&router, "POST", "/login", &[], Some(login("ada", WRONG)))
            .await
            .0,
        400
    );
    assert_eq!(
        send(
            &router,
            "POST",
            "/login",
            &[],
            Some(login("mallory", WRONG))
        )
        .await
        .0,
        400
    );
    let failed = [
        ("event", "login_failed"),
        ("ip", CLIENT),
        ("reason", "invalid_credentials"),
    ];
    assert_eq!(
        capture.audit(),
        [
            (
                Level::INFO,
                fields(&[failed[0], ("account", "ada"), failed[1], failed[2]])
            ),
            (Level::INFO, fields(&failed)),
        ]
    );
    capture.clear();

    // login, refresh, the same refresh again in the grace window, then the superseded one.
    let (status, pair) = send(&router, "POST", "/login", &[], Some(login("ada", PASSWORD))).await;
    assert_eq!(status, 200, "{pair}");
    let (access, first) = (
        pair["access_token"].as_str().unwrap(),
        pair["refresh_token"].as_str().unwrap(),
    );
    let fam = family(access);
    let refresh = |token: &str| json!({ "refresh_token": token });
    let (status, second) = send(&router, "POST", "/refresh", &[], Some(refresh(first))).await;
    assert_eq!(status, 200);
    let (status, third) = send(&router, "POST", "/refresh", &[], Some(refresh(first))).await;
    assert_eq!(status, 200);
    let superseded = second["refresh_token"].as_str().unwrap();
    assert_eq!(
        send(&router, "POST", "/refresh", &[], Some(refresh(superseded)))
            .await
            .0,
        400
    );
    assert_eq!(
        send(
            &router,
            "POST",
            "/refresh",
            &[],
            Some(refresh("not.a.token"))
        )
        .await
        .0,
        400
    );
    let ok = |retried| {
        fields(&[
            ("event", "refresh_ok"),
            ("account", "ada"),
            ("ip", CLIENT),
            ("client_id", "demo-client"),
            ("family", &fam),
            ("retried", retried),
        ])
    };
    assert_eq!(
        capture.audit(),
        [
            (
                Level::INFO,
                fields(&[
                    ("event", "login_ok"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("client_id", "demo-client"),
                    ("dpop", "false"),
                ])
            ),
            (Level::INFO, ok("false")),
            (Level::WARN, ok("true")),
            (
                Level::WARN,
                fields(&[
                    ("event", "refresh_reused"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("family", &fam)
                ])
            ),
            (
                Level::WARN,
                fields(&[
                    ("event", "family_revoked"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("family", &fam),
                    ("cause", "reuse"),
                ])
            ),
            (
                Level::INFO,
                fields(&[
                    ("event", "refresh_failed"),
                    ("ip", CLIENT),
                    ("reason", "invalid_grant")
                ])
            ),
        ]
    );
    for answer in [&pair, &second, &third] {
        for name in ["access_token", "refresh_token"] {
            secrets.push(answer[name].as_str().unwrap().to_owned());
        }
    }
    capture.clear();

    // Logout; client authentication where there is none; then the pair budget (2/1h) runs
    // out for ada from this client.
    let (_, pair) = send(&router, "POST", "/login", &[], Some(login("ada", PASSWORD))).await;
    let access = pair["access_token"].as_str().unwrap();
    secrets.extend([
        access.to_owned(),
        pair["refresh_token"].as_str().unwrap().to_owned(),
    ]);
    let bearer = format!("Bearer {access}");
    assert_eq!(
        send(
            &router,
            "POST",
            "/logout",
            &[("authorization", &bearer)],
            None
        )
        .await
        .0,
        204
    );
    let basic = "Basic ZGVtby1jbGllbnQ6c2VjcmV0";
    secrets.push("ZGVtby1jbGllbnQ6c2VjcmV0".into());
    assert_eq!(
        send(
            &router,
            "POST",
            "/login",
            &[("authorization", basic)],
            Some(login("ada", PASSWORD))
        )
        .await
        .0,
        401
    );
    assert_eq!(
        send(&router, "POST", "/login", &[], Some(login("ada", WRONG)))
            .await
            .0,
        400
    );
    let (status, throttled) =
        send(&router, "POST", "/login", &[], Some(login("ada", PASSWORD))).await;
    assert_eq!(
        (status, throttled["error"].as_str()),
        (429, Some("too_many_attempts"))
    );
    let fam = family(access);
    let events = capture.audit();
    assert_eq!(events.len(), 6, "{events:#?}");
    assert_eq!(events[0].1["event"], "login_ok");
    assert_eq!(
        events[1..],
        [
            (
                Level::INFO,
                fields(&[
                    ("event", "logout"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("family", &fam)
                ])
            ),
            (
                Level::WARN,
                fields(&[
                    ("event", "family_revoked"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("family", &fam),
                    ("cause", "logout"),
                ])
            ),
            (
                Level::WARN,
                fields(&[
                    ("event", "client_auth_failed"),
                    ("ip", CLIENT),
                    ("method", "unsupported"),
                    ("reason", "invalid_client")
                ])
            ),
            (
                Level::INFO,
                fields(&[
                    ("event", "login_failed"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("reason", "invalid_credentials"),
                ])
            ),
            (
                Level::WARN,
                fields(&[
                    ("event", "throttled"),
                    ("kind", "password"),
                    ("account", "ada"),
                    ("ip", CLIENT),
                    ("scope", "account_ip"),
                    ("retry_after", "1800"),
                ])
            ),
        ]
    );

    // No event of any target holds a password, a token, a token's signature or a secret.
    let all = capture.all();
    let count = |target: &str| all.iter().filter(|event| event.target == target).count();
    assert_eq!(count("jose_service::audit"), 14);
    assert_eq!(count("jose_ring_service::request_log"), 12);
    for event in &all {
        for value in event.fields.values() {
            for secret in &secrets {
                let signature = secret.rsplit('.').next().unwrap();
                assert!(
                    !value.contains(secret.as_str()) && !value.contains(signature),
                    "{event:?} holds a secret"
                );
            }
        }
    }
}
