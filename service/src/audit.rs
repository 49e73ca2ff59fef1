//! The audit trail (OWASP ASVS 5.0 16.3.1): one structured event per authentication attempt
//! on its own `tracing` target, [`TARGET`], whatever its outcome.
//!
//! | event                | when                                                          | level |
//! |----------------------|---------------------------------------------------------------|-------|
//! | `login_ok`           | a password accepted at `/login`                                | INFO  |
//! | `login_failed`       | `/login` refused (wrong password, bad request, bad proof, ...) | INFO  |
//! | `throttled`          | an attempt refused by a throttling budget (429)                | WARN  |
//! | `refresh_ok`         | a refresh token rotated (`retried` in the grace window: WARN)  | INFO  |
//! | `refresh_failed`     | a refresh token refused (invalid, expired, revoked, ...)       | INFO  |
//! | `refresh_reused`     | a spent refresh token presented again                          | WARN  |
//! | `family_revoked`     | every token of a login revoked (`cause`: `reuse` or `logout`)  | WARN  |
//! | `logout`             | an access token and its family revoked at `/logout`            | INFO  |
//! | `client_auth_failed` | a client's authentication refused at a token endpoint          | WARN  |
//!
//! Fields: `event`, `ip` (the client, [`crate::client_ip`]), `account` when the attempt is
//! for an account that exists (a user name nobody has is left out: people type passwords
//! into user-name fields), and as the event has them `client_id`, `family` (a login's id,
//! not a secret), `reason` (the refusal's code), `scope` and `retry_after`. Never a
//! password, a token, a proof or a client secret: the functions take none.

use std::net::IpAddr;

/// The target of every audit event: `RUST_LOG=jose_service::audit=info` selects them.
pub const TARGET: &str = "jose_service::audit";

/// A password accepted: `account` logged in through `client_id` (bound to a DPoP key if
/// `dpop`).
pub fn login_ok(account: &str, ip: IpAddr, client_id: &str, dpop: bool) {
    tracing::info!(target: TARGET, event = "login_ok", account, ip = %ip, client_id, dpop, "audit");
}

/// `/login` refused for `reason` (`account` when the name is a user's).
pub fn login_failed(account: Option<&str>, ip: IpAddr, reason: &str) {
    tracing::info!(target: TARGET, event = "login_failed", account, ip = %ip, reason, "audit");
}

/// An attempt to prove `kind` refused by the `scope` budget for `retry_after` seconds.
pub fn throttled(kind: &str, account: Option<&str>, ip: IpAddr, scope: &str, retry_after: u64) {
    tracing::warn!(target: TARGET, event = "throttled", kind, account, ip = %ip, scope, retry_after, "audit");
}

/// A refresh token of `family` rotated for `account` (`retried`: presented again within
/// the grace window, the pair issued before revoked).
pub fn refresh_ok(account: &str, ip: IpAddr, client_id: &str, family: &str, retried: bool) {
    if retried {
        tracing::warn!(target: TARGET, event = "refresh_ok", account, ip = %ip, client_id, family, retried, "audit");
    } else {
        tracing::info!(target: TARGET, event = "refresh_ok", account, ip = %ip, client_id, family, retried, "audit");
    }
}

/// A refresh refused for `reason` (`account` and `family` when the token verified).
pub fn refresh_failed(account: Option<&str>, ip: IpAddr, family: Option<&str>, reason: &str) {
    tracing::info!(target: TARGET, event = "refresh_failed", account, ip = %ip, family, reason, "audit");
}

/// A spent refresh token of `family` presented again (its family is then revoked).
pub fn refresh_reused(account: &str, ip: IpAddr, family: &str) {
    tracing::warn!(target: TARGET, event = "refresh_reused", account, ip = %ip, family, "audit");
}

/// Every token of `family` revoked, by a reuse or a logout (`cause`).
pub fn family_revoked(account: &str, ip: IpAddr, family: &str, cause: &str) {
    tracing::warn!(target: TARGET, event = "family_revoked", account, ip = %ip, family, cause, "audit");
}

/// `/logout`: `account`'s access token and its family (if it has one) revoked.
pub fn logout(account: &str, ip: IpAddr, family: Option<&str>) {
    tracing::info!(target: TARGET, event = "logout", account, ip = %ip, family, "audit");
}

/// A client's authentication by `method` refused at a token endpoint for `reason`
/// (`client_id` when the request names one; never the secret or the assertion).
pub fn client_auth_failed(client_id: Option<&str>, ip: IpAddr, method: &str, reason: &str) {
    tracing::warn!(target: TARGET, event = "client_auth_failed", client_id, ip = %ip, method, reason, "audit");
}
