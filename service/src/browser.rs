//! The browser mode's routes, a backend-for-frontend (RFC 10017 §6.1): the page's scripts
//! call them with the session cookie ([`crate::sessions`]) and the custom header
//! `X-Requested-With: jose-session`, and never see a token.
//!
//! | route                       | does                                                          |
//! |-----------------------------|---------------------------------------------------------------|
//! | `POST /session/login`       | form or JSON `username`, `password`: a new session, its cookie |
//! | `GET /session/me`           | who the session is for (the API's `/me`)                      |
//! | `GET /session/api/{name}`   | `admin` or `reports`: the API's route, with the session's token |
//! | `POST /session/refresh`     | rotates the session's tokens now (the page's silent refresh)  |
//! | `POST /session/logout`      | ends the session on every instance, revokes its tokens        |
//!
//! Every route is behind the CSRF layer (`jose_ring_axum::CsrfLayer`, every method: RFC
//! 10017 §6.1 asks for the static header on every request) and answers without CORS.
//! Calls to the API go through the very router the token API serves (the guard, its
//! revocation check, its role and scope rules), in process, from an allowlist of routes
//! (RFC 10017 §6.1, "Proxy Restrictions"). A session's tokens are refreshed by the token
//! endpoints' own refresh grant when the access token is about to expire, one refresh per
//! session at a time (a lock in the shared store): concurrent requests of one page never
//! present one refresh token twice.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Path, State as AxumState};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jose_ring_axum::{CsrfLayer, CsrfRejection, cookie_value};
use serde::Deserialize;
use tower::ServiceExt;

use crate::app::App;
use crate::audit;
use crate::client_ip::{ClientIp, TrustedProxies};
use crate::error::Fatal;
use crate::oauth::form::Form;
use crate::refusal::Refusal;
use crate::request_log::Note;
use crate::sessions::{CLIENT_ID, COOKIE, Record, SessionId, Sessions};
use crate::token_endpoint::{
    LoginRequest, Presented, Presenter, Seen, audit_refresh, password_login, refresh_grant,
};
use crate::tokens::Policy;

/// The custom request header every session request carries (RFC 10017 §6.1: a static
/// header; OWASP: a custom request header).
pub const CSRF_HEADER: &str = "x-requested-with";
/// Its value.
pub const CSRF_VALUE: &str = "jose-session";

/// The API routes a session may call through `GET /session/api/{name}`, and what they are
/// in the token API.
const API_ROUTES: [(&str, &str); 2] = [("admin", "/admin"), ("reports", "/reports")];

/// How often a request that finds the session's refresh running looks at the session again,
/// and how many times.
const REFRESH_WAIT: (Duration, u32) = (Duration::from_millis(50), 40);

/// The browser mode's shared state: the app, its sessions, and the token API to call.
#[derive(Clone)]
struct Browser {
    app: Arc<App>,
    sessions: Sessions,
    api: Router,
}

/// The session handlers' [`ClientIp`] reads the trusted proxies from the app.
impl FromRef<Browser> for TrustedProxies {
    fn from_ref(browser: &Browser) -> Self {
        browser.app.trusted_proxies.clone()
    }
}

/// The routes of the browser mode, calling the token API `api` (the guarded routes, with
/// their state) in process.
///
/// # Errors
///
/// If the public origin is not one the CSRF layer can compare (`scheme://host[:port]`).
pub fn router(app: &Arc<App>, api: Router) -> Result<Router, Fatal> {
    let csrf = CsrfLayer::new([app.public_origin.as_str()])?
        .header(
            HeaderName::from_static(CSRF_HEADER),
            HeaderValue::from_static(CSRF_VALUE),
        )
        .all_methods()
        .on_reject(csrf_refused);
    let browser = Browser {
        app: Arc::clone(app),
        sessions: Sessions::new(app.state.clone()),
        api,
    };
    Ok(Router::new()
        .route("/session/login", post(login))
        .route("/session/me", get(me))
        .route("/session/api/{name}", get(api_route))
        .route("/session/refresh", post(refresh))
        .route("/session/logout", post(logout))
        .route_layer(csrf)
        .with_state(browser))
}

/// The CSRF layer's refusal, in the service's error shape, noted for the request log.
fn csrf_refused(rejection: CsrfRejection) -> Response {
    let mut response = rejection.response();
    Note::refused(&mut response, rejection.code());
    response
}

/// The session cookie for `id`: `__Host-Http-` with `Secure`, `HttpOnly`, `SameSite=Strict`,
/// `Path=/`, no `Domain`, no `Max-Age` (it goes when the browser session does; the server
/// ends it at the latest when its refresh token would expire).
fn set_cookie(id: &SessionId) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict",
        id.to_cookie_value()
    ))
    .unwrap_or_else(|_| clear_cookie())
}

/// The cookie removed (`Max-Age=0`, with the attributes its prefix requires).
fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-Http-session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
    )
}

/// 401 `session_required` with a fixed description, the cookie removed.
fn no_session(description: &'static str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::SET_COOKIE, clear_cookie()),
        ],
        Json(serde_json::json!({
            "error": "session_required",
            "error_description": description,
        })),
    )
        .into_response();
    Note::refused(&mut response, "session_required");
    response
}

/// A JSON answer for `sub` that no cache keeps.
fn served(sub: &str, body: serde_json::Value) -> Response {
    let mut response = ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response();
    Note::served(&mut response, Some(sub.to_owned()));
    response
}

/// The session id the request's cookie names, if it names one.
fn session_id(headers: &HeaderMap) -> Option<SessionId> {
    cookie_value(headers, COOKIE).and_then(SessionId::parse)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

/// The login's `username` and `password`, from a JSON or a form-encoded body.
fn credentials(headers: &HeaderMap, body: &Bytes) -> Result<LoginRequest, Refusal> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    let credentials = if json {
        serde_json::from_slice::<Credentials>(body).map_err(|_| Refusal::invalid_request())?
    } else {
        let form = Form::parse(headers, body)?;
        let field = |name| {
            form.get(name)
                .map(str::to_owned)
                .ok_or(Refusal::invalid_request())
        };
        Credentials {
            username: field("username")?,
            password: field("password")?,
        }
    };
    Ok(LoginRequest::new(
        credentials.username,
        credentials.password,
        CLIENT_ID,
    ))
}

/// `POST /session/login`: a password for a new session. The session id is new at every
/// login, and a session the request's cookie named is ended first (no fixation; a shared
/// browser's previous user is signed out). The login itself is `/login`'s: throttled,
/// audited, counted.
async fn login(
    AxumState(browser): AxumState<Browser>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let app = &browser.app;
    if let Some(previous) = session_id(&headers) {
        end(&browser, &previous, ip).await?;
    }
    let request = credentials(&headers, &body);
    let now = app.now().as_seconds();
    let issued = password_login(app, ip, &headers, request, None).await?;
    let record =
        Record::new(issued, now, app.policy.refresh_lifetime).ok_or(Refusal::server_error())?;
    let id = SessionId::new().map_err(Refusal::unavailable)?;
    browser
        .sessions
        .save(&id, &record, now)
        .await
        .map_err(Refusal::unavailable)?;
    let mut response = served(
        &record.sub,
        serde_json::json!({ "sub": record.sub, "expires_at": record.access_exp }),
    );
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&id));
    Ok(response)
}

/// `GET /session/me`: the API's `/me` for the session's user.
async fn me(
    AxumState(browser): AxumState<Browser>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    call_api(&browser, ip, &headers, "/me").await
}

/// `GET /session/api/{name}`: one of the API's routes ([`API_ROUTES`]) for the session's
/// user; any other name is 404.
async fn api_route(
    AxumState(browser): AxumState<Browser>,
    ClientIp(ip): ClientIp,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let Some((_, path)) = API_ROUTES.iter().find(|(known, _)| *known == name) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    call_api(&browser, ip, &headers, path).await
}

/// `POST /session/refresh`: rotates the session's tokens now; answers when the new access
/// token expires.
async fn refresh(
    AxumState(browser): AxumState<Browser>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let Some((id, record)) = current(&browser, &headers).await? else {
        return Ok(no_session("no session: sign in"));
    };
    match fresh(&browser, &id, record, ip, true).await? {
        Some(record) => Ok(served(
            &record.sub,
            serde_json::json!({ "sub": record.sub, "expires_at": record.access_exp }),
        )),
        None => Ok(no_session("the session ended: sign in again")),
    }
}

/// `POST /session/logout`: ends the session on every instance and revokes its tokens (the
/// family, and the access token until its `exp`); the cookie and what the browser cached
/// for the page go (`Clear-Site-Data`). A request without a session is answered the same.
async fn logout(
    AxumState(browser): AxumState<Browser>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    if let Some(id) = session_id(&headers) {
        end(&browser, &id, ip).await?;
    }
    let mut response = (
        StatusCode::NO_CONTENT,
        [
            (header::SET_COOKIE, clear_cookie()),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                HeaderName::from_static("clear-site-data"),
                HeaderValue::from_static(r#""cache", "storage""#),
            ),
        ],
    )
        .into_response();
    Note::served(&mut response, None);
    Ok(response)
}

/// Ends the session `id` if it lives: its family revoked first (so that a sign-out answered
/// 503 half-way leaves no token usable), its access token revoked until its `exp`, then the
/// session forgotten on every instance. Audited: `logout`, `family_revoked`.
async fn end(browser: &Browser, id: &SessionId, ip: IpAddr) -> Result<(), Refusal> {
    let app = &browser.app;
    let Some(record) = browser
        .sessions
        .load(id)
        .await
        .map_err(Refusal::unavailable)?
    else {
        return Ok(());
    };
    let now = app.now();
    app.state
        .revoke_family(&record.family, app.policy.family_ttl())
        .await
        .map_err(Refusal::unavailable)?;
    let left = jose_ring::jwt::NumericDate::from_seconds(record.access_exp);
    app.state
        .revoke_token(&record.access_jti, Policy::ttl_until(Some(left), now))
        .await
        .map_err(Refusal::unavailable)?;
    browser
        .sessions
        .end(id)
        .await
        .map_err(Refusal::unavailable)?;
    audit::logout(&record.sub, ip, Some(&record.family));
    audit::family_revoked(&record.sub, ip, &record.family, "logout");
    Ok(())
}

/// The request's session and its record, if it names one that lives (one whose end has
/// come is ended here).
async fn current(
    browser: &Browser,
    headers: &HeaderMap,
) -> Result<Option<(SessionId, Record)>, Refusal> {
    let Some(id) = session_id(headers) else {
        return Ok(None);
    };
    let Some(record) = browser
        .sessions
        .load(&id)
        .await
        .map_err(Refusal::unavailable)?
    else {
        return Ok(None);
    };
    if record.ends <= browser.app.now().as_seconds() {
        browser
            .sessions
            .end(&id)
            .await
            .map_err(Refusal::unavailable)?;
        return Ok(None);
    }
    Ok(Some((id, record)))
}

/// Seconds before its `exp` at which a session's access token is refreshed: a minute, or a
/// quarter of its life if that is shorter.
fn refresh_ahead(app: &App) -> i64 {
    i64::try_from((app.policy.access_lifetime / 4).min(60)).unwrap_or(60)
}

/// `record` with an access token that is not about to expire (or a new one if `force`):
/// refreshed with the token endpoints' refresh grant under the session's lock (the record
/// read again once the lock is held: a refresh that ran meanwhile is not run twice), or read
/// back from the store once the refresh another request runs is done. `None` if the session
/// ended (a refresh the grant refused: revoked, reused, expired; the session is then
/// forgotten).
///
/// # Errors
///
/// 503 if the store cannot answer, or another request's refresh does not finish in time.
async fn fresh(
    browser: &Browser,
    id: &SessionId,
    record: Record,
    ip: IpAddr,
    force: bool,
) -> Result<Option<Record>, Refusal> {
    let app = &browser.app;
    let now = app.now();
    if !force && !record.due(now.as_seconds(), refresh_ahead(app)) {
        return Ok(Some(record));
    }
    let sessions = &browser.sessions;
    if !sessions.lock(id).await.map_err(Refusal::unavailable)? {
        // Another request refreshes this session: use its token while it is valid (a read),
        // or wait for the new one.
        if !force && record.access_exp > now.as_seconds() {
            return Ok(Some(record));
        }
        for _ in 0..REFRESH_WAIT.1 {
            tokio::time::sleep(REFRESH_WAIT.0).await;
            match sessions.load(id).await.map_err(Refusal::unavailable)? {
                Some(now_kept) if now_kept.access_jti != record.access_jti => {
                    return Ok(Some(now_kept));
                }
                Some(_) => {}
                None => return Ok(None),
            }
        }
        return Err(Refusal::unavailable(crate::store::Unavailable(
            "session refresh still running",
        )));
    }
    // The lock is ours; another request may have refreshed between our read and it.
    let record = match sessions.load(id).await {
        Ok(Some(kept)) if kept.access_jti == record.access_jti => kept,
        Ok(other) => {
            sessions.unlock(id).await;
            return Ok(other);
        }
        Err(error) => {
            sessions.unlock(id).await;
            return Err(Refusal::unavailable(error));
        }
    };
    let mut seen = Seen::default();
    let presented = Presented {
        refresh_token: &record.refresh_token,
        presenter: Presenter::Public(Some(CLIENT_ID)),
        proof: None,
        scope: None,
        ip,
    };
    let outcome = refresh_grant(app, presented, now, &mut seen).await;
    audit_refresh(app, ip, &seen, &outcome);
    let result = match outcome {
        Ok(issued) => match record.refreshed(issued) {
            Some(next) => sessions
                .save(id, &next, now.as_seconds())
                .await
                .map(|()| Some(next))
                .map_err(Refusal::unavailable),
            None => Err(Refusal::server_error()),
        },
        Err(refusal) if refusal.status().is_server_error() => Err(refusal),
        Err(_) => {
            // Revoked, reused, expired: the session cannot go on.
            sessions.end(id).await.map_err(Refusal::unavailable)?;
            Ok(None)
        }
    };
    sessions.unlock(id).await;
    result
}

/// Calls the token API's `GET path` with the session's access token (refreshed first if it
/// is about to expire), and answers what it answered: status and JSON body. A token the API
/// refuses (401: revoked by a sign-out elsewhere, or a reuse) ends the session.
async fn call_api(
    browser: &Browser,
    ip: IpAddr,
    headers: &HeaderMap,
    path: &str,
) -> Result<Response, Refusal> {
    let Some((id, record)) = current(browser, headers).await? else {
        return Ok(no_session("no session: sign in"));
    };
    let Some(record) = fresh(browser, &id, record, ip, false).await? else {
        return Ok(no_session("the session ended: sign in again"));
    };
    let bearer = HeaderValue::from_str(&format!("Bearer {}", record.access_token))
        .map_err(|_| Refusal::server_error())?;
    let request = Request::get(path)
        .header(header::AUTHORIZATION, bearer)
        .body(Body::empty())
        .map_err(|_| Refusal::server_error())?;
    let Ok(answer) = browser.api.clone().oneshot(request).await;
    let status = answer.status();
    if status == StatusCode::UNAUTHORIZED {
        browser
            .sessions
            .end(&id)
            .await
            .map_err(Refusal::unavailable)?;
        return Ok(no_session(
            "the session's tokens were revoked: sign in again",
        ));
    }
    let note = answer.extensions().get::<Note>().cloned();
    let retry_after = answer.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(answer.into_body(), 64 * 1024)
        .await
        .map_err(|_| Refusal::server_error())?;
    let mut response = (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response();
    if let Some(retry_after) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after);
    }
    match note {
        Some(note) => {
            response.extensions_mut().insert(note);
        }
        None => Note::served(&mut response, Some(record.sub)),
    }
    Ok(response)
}
