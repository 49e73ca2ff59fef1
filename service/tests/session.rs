//! The browser mode on the real binary, two instances on one `redis-server`, driven with
//! the headers a browser sends (the real browser's run is `tests/browser.rs`): the session
//! cookie and what it names, the CSRF defence refusal by refusal, the server's own refresh
//! (one per session, however many requests race), sign-out on every instance, the page and
//! its headers, and CORS for the token API only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a panic is a failed test"
)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const COOKIE: &str = "__Host-Http-session";

/// What a browser on the service's own page adds to each session call.
fn own_page(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header("x-requested-with", "jose-session")
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin")
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// The session cookie this answer sets (`Some("")` when it clears it).
    fn cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| value.strip_prefix(&format!("{COOKIE}=")))
            .map(|rest| rest.split(';').next().unwrap().to_owned())
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn with_cookie(request: reqwest::RequestBuilder, cookie: &str) -> reqwest::RequestBuilder {
    request.header("cookie", format!("{COOKIE}={cookie}"))
}

async fn sign_in(http: &reqwest::Client, service: &Service, user: (&str, &str)) -> Reply {
    send(
        own_page(http.post(service.url("/session/login"))).json(&json!({
            "username": user.0,
            "password": user.1,
        })),
    )
    .await
}

async fn get(http: &reqwest::Client, service: &Service, path: &str, cookie: &str) -> Reply {
    send(with_cookie(own_page(http.get(service.url(path))), cookie)).await
}

async fn post(http: &reqwest::Client, service: &Service, path: &str, cookie: &str) -> Reply {
    send(with_cookie(own_page(http.post(service.url(path))), cookie)).await
}

/// The `jr:ses:*` keys in `redis`, and their values.
/// Sixteen `GET /session/me` at once with `cookie`, alternately on the two instances: the
/// `exp` of the access token each answered with (every answer 200).
async fn race(http: &reqwest::Client, services: [&Service; 2], cookie: &str) -> Vec<i64> {
    let calls = (0..16).map(|n| get(http, services[n % 2], "/session/me", cookie));
    futures_util::future::join_all(calls)
        .await
        .iter()
        .map(|reply| {
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.body["exp"].as_i64().unwrap()
        })
        .collect()
}

async fn sessions_in(redis: &Redis) -> Vec<(String, String)> {
    let mut connection = redis.connection().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("jr:ses:*")
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut out = Vec::new();
    for key in keys {
        let value: String = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        out.push((key, value));
    }
    out
}

#[tokio::test]
async fn a_session_on_two_instances_from_login_to_sign_out() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("session");
    let (a, b) = (
        Service::start(&dir, Some(&redis), &[]),
        Service::start(&dir, Some(&redis), &[]),
    );
    let http = client();

    // Login: the cookie, with every attribute the prefix and RFC 10017 §6.1 ask for, and no
    // token anywhere in the answer.
    let login = sign_in(&http, &a, ADA).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let set_cookie = login.header("set-cookie");
    let cookie = login.cookie().unwrap();
    assert_eq!(
        set_cookie,
        format!("{COOKIE}={cookie}; Path=/; Secure; HttpOnly; SameSite=Strict")
    );
    assert_eq!(cookie.len(), 43);
    assert_eq!(login.body["sub"], "ada");
    assert_eq!(
        login.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["expires_at", "sub"]
    );
    assert!(login.header("cache-control").starts_with("no-store"));

    // The store holds the session sealed: neither the cookie nor a token in it.
    let kept = sessions_in(&redis).await;
    assert_eq!(kept.len(), 1);
    let (key, value) = &kept[0];
    assert!(!key.contains(&cookie) && !value.contains(&cookie));
    assert!(!value.contains("eyJ"), "a token in the clear: {value}");

    // Either instance knows the session: who am I, a call needing a role.
    for service in [&a, &b] {
        let me = get(&http, service, "/session/me", &cookie).await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(
            (&me.body["sub"], &me.body["roles"], &me.body["scope"]),
            (
                &json!("ada"),
                &json!(["admin"]),
                &json!("profile reports:read")
            )
        );
        assert_eq!(me.body["client_id"], "jose-session");
        let admin = get(&http, service, "/session/api/admin", &cookie).await;
        assert_eq!((admin.status, &admin.body["area"]), (200, &json!("admin")));
    }
    assert_eq!(
        get(&http, &a, "/session/api/healthz", &cookie).await.status,
        404
    );

    // Bob has no role admin: the guard's 403 comes through.
    let bob = sign_in(&http, &b, BOB).await.cookie().unwrap();
    let refused = get(&http, &a, "/session/api/admin", &bob).await;
    assert_eq!(
        (refused.status, &refused.body["error"]),
        (403, &json!("insufficient_role"))
    );

    // An explicit refresh on B: a new access token, the same session on A.
    let before = get(&http, &a, "/session/me", &cookie).await.body["exp"].clone();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let refreshed = post(&http, &b, "/session/refresh", &cookie).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert!(refreshed.body["expires_at"].as_i64() > before.as_i64());
    assert_eq!(
        get(&http, &a, "/session/me", &cookie).await.body["exp"],
        refreshed.body["expires_at"]
    );

    // Sign-out on A: the session ends on both instances, the cookie goes.
    let out = post(&http, &a, "/session/logout", &cookie).await;
    assert_eq!(out.status, 204);
    assert_eq!(out.cookie().as_deref(), Some(""));
    assert!(out.header("set-cookie").ends_with("Max-Age=0"));
    assert_eq!(out.header("clear-site-data"), r#""cache", "storage""#);
    for service in [&a, &b] {
        let gone = get(&http, service, "/session/me", &cookie).await;
        assert_eq!(
            (gone.status, &gone.body["error"]),
            (401, &json!("session_required"))
        );
        assert_eq!(gone.cookie().as_deref(), Some(""));
    }
    assert_eq!(sessions_in(&redis).await.len(), 1, "bob's session only");
    // Audited where it happened, as the token API's logout: the account, its family.
    let log = a.log();
    let logout = log
        .lines()
        .find(|line| line.contains("event=\"logout\""))
        .unwrap_or_else(|| panic!("no logout event on A:\n{log}"));
    assert!(logout.contains("account=\"ada\""), "{logout}");
    assert!(log.contains("event=\"family_revoked\""), "{log}");
    assert!(!b.log().contains("event=\"logout\""));
}

#[tokio::test]
async fn a_login_never_keeps_the_cookie_it_came_with() {
    let dir = temp_dir("fixation");
    let service = Service::start(&dir, None, &[]);
    let http = client();
    // A cookie planted before login (a fixation attempt): a well-formed id the server never
    // issued. The login answers a new one.
    let planted = "A".repeat(43);
    let login = send(
        with_cookie(own_page(http.post(service.url("/session/login"))), &planted)
            .form(&[("username", ADA.0), ("password", ADA.1)]),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let first = login.cookie().unwrap();
    assert_ne!(first, planted);
    assert_eq!(
        get(&http, &service, "/session/me", &planted).await.status,
        401
    );
    // Logging in again from a signed-in browser ends the first session.
    let second = send(
        with_cookie(own_page(http.post(service.url("/session/login"))), &first)
            .form(&[("username", BOB.0), ("password", BOB.1)]),
    )
    .await
    .cookie()
    .unwrap();
    assert_ne!(second, first);
    assert_eq!(
        get(&http, &service, "/session/me", &first).await.status,
        401
    );
    assert_eq!(
        get(&http, &service, "/session/me", &second).await.body["sub"],
        "bob"
    );
    // Errors a person sees: a wrong password, a missing field.
    let wrong = sign_in(&http, &service, ("ada", "wrong password")).await;
    assert_eq!(
        (wrong.status, &wrong.body["error"], wrong.cookie()),
        (400, &json!("invalid_grant"), None)
    );
    let missing =
        send(own_page(http.post(service.url("/session/login"))).form(&[("username", "ada")])).await;
    assert_eq!(
        (missing.status, &missing.body["error"]),
        (400, &json!("invalid_request"))
    );
}

#[tokio::test]
async fn forged_requests_are_refused_before_they_touch_the_session() {
    let dir = temp_dir("csrf");
    let service = Service::start(&dir, None, &[]);
    let http = client();
    let cookie = sign_in(&http, &service, ADA).await.cookie().unwrap();
    let cases: [(&[(&str, &str)], &str); 5] = [
        // A cross-site form: no custom header.
        (
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            "csrf_header_missing",
        ),
        // Another port of the same host: same-site, another origin.
        (
            &[
                ("x-requested-with", "jose-session"),
                ("origin", "https://jose-service.test:8443"),
                ("sec-fetch-site", "same-site"),
            ],
            "csrf_cross_site",
        ),
        (
            &[
                ("x-requested-with", "jose-session"),
                ("origin", "https://evil.example"),
            ],
            "csrf_foreign_origin",
        ),
        (&[("x-requested-with", "jose-session")], "csrf_no_origin"),
        (
            &[("x-requested-with", "XMLHttpRequest"), ("origin", ORIGIN)],
            "csrf_header_missing",
        ),
    ];
    for path in ["/session/logout", "/session/refresh", "/session/login"] {
        for (pairs, code) in cases {
            let mut request = with_cookie(http.post(service.url(path)), &cookie);
            for (name, value) in pairs {
                request = request.header(*name, *value);
            }
            let refused = send(request).await;
            assert_eq!(
                (refused.status, refused.body["error"].as_str().unwrap()),
                (403, code),
                "{path} {pairs:?}"
            );
        }
    }
    // Reads too: another origin cannot make the service use the session at all.
    let read = send(with_cookie(
        http.get(service.url("/session/me"))
            .header("sec-fetch-site", "same-site")
            .header("origin", "https://jose-service.test:8443"),
        &cookie,
    ))
    .await;
    assert_eq!(read.status, 403);
    // None of it touched the session.
    let me = get(&http, &service, "/session/me", &cookie).await;
    assert_eq!((me.status, &me.body["sub"]), (200, &json!("ada")));
    assert!(service.log().contains("reason=\"csrf_cross_site\""));
}

#[tokio::test]
async fn the_server_refreshes_once_however_many_requests_race() {
    let Some(redis) = Redis::start() else { return };
    let dir = temp_dir("session-refresh");
    // Access tokens of 4 s: refreshed ahead by a quarter of their life (1 s).
    let flags = ["--access-lifetime", "4"];
    let (a, b) = (
        Service::start(&dir, Some(&redis), &flags),
        Service::start(&dir, Some(&redis), &flags),
    );
    let http = client();
    let cookie = sign_in(&http, &a, ADA).await.cookie().unwrap();
    let first = get(&http, &a, "/session/me", &cookie).await.body["exp"]
        .as_i64()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3200)).await;
    // Sixteen requests at once, on both instances, all due for a refresh.
    let mut exps = race(&http, [&a, &b], &cookie).await;
    // One request refreshed; the others used the token still valid, or the new one.
    exps.sort_unstable();
    exps.dedup();
    let after = get(&http, &b, "/session/me", &cookie).await;
    assert_eq!(after.status, 200, "{}", after.body);
    let next = after.body["exp"].as_i64().unwrap();
    assert!(next > first, "{next} vs {first}");
    assert!(
        exps.iter().all(|exp| *exp == first || *exp == next),
        "{exps:?}: {first} or {next}"
    );
    // Past the token's expiry: every request needs the new token; one refreshes, the
    // others wait for it.
    tokio::time::sleep(Duration::from_millis(4300)).await;
    let mut exps = race(&http, [&a, &b], &cookie).await;
    exps.dedup();
    assert_eq!(exps.len(), 1, "{exps:?}");
    assert!(exps[0] > next);
    // Two rotations, no reuse: the session goes on, the audit trail has no reuse.
    let logs = format!("{}{}", a.log(), b.log());
    assert!(!logs.contains("refresh_reused"), "{logs}");
    assert_eq!(logs.matches("event=\"refresh_ok\"").count(), 2, "{logs}");
}

#[tokio::test]
async fn the_page_its_headers_and_cors_for_the_token_api_only() {
    let dir = temp_dir("page");
    let spa = "https://spa.example";
    let service = Service::start(&dir, None, &["--cors-origin", spa]);
    let http = client();

    let page = send(http.get(service.url("/"))).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    let csp = page.header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "require-trusted-types-for 'script'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("cross-origin-embedder-policy", "require-corp"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store, max-age=0"),
    ] {
        assert_eq!(page.header(name), value, "{name}");
    }
    let script = http.get(service.url("/app.js")).send().await.unwrap();
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text().await.unwrap().contains("X-Requested-With"));
    // Every other answer: nosniff and a deny-all CSP.
    let health = send(http.get(service.url("/healthz"))).await;
    assert_eq!(health.header("x-content-type-options"), "nosniff");
    assert_eq!(
        health.header("content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    );

    // CORS: the allowlisted origin may call the token API with an Authorization header,
    // without credentials; another origin gets no CORS header; the session routes none.
    let preflight = |path: &str, origin: &str| {
        http.request(reqwest::Method::OPTIONS, service.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
    };
    let granted = send(preflight("/me", spa)).await;
    assert_eq!(granted.status, 200);
    assert_eq!(granted.header("access-control-allow-origin"), spa);
    assert!(
        granted
            .header("access-control-allow-headers")
            .contains("authorization")
    );
    assert_eq!(granted.header("access-control-max-age"), "600");
    assert_eq!(granted.header("access-control-allow-credentials"), "");
    let other = send(preflight("/me", "https://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), "");
    for path in ["/session/me", "/session/logout", "/introspect", "/"] {
        let none = send(preflight(path, spa)).await;
        assert_eq!(none.header("access-control-allow-origin"), "", "{path}");
        assert_ne!(none.status, 200, "{path}");
    }
    let login = send(
        http.post(service.url("/login"))
            .header("origin", spa)
            .json(&json!({"username": ADA.0, "password": ADA.1})),
    )
    .await;
    assert_eq!(
        (login.status, login.header("access-control-allow-origin")),
        (200, spa.to_owned())
    );
    assert!(login.header("vary").contains("origin"));
}
