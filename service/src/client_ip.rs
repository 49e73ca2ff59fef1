//! Who is on the other end: the client's IP address, from the TCP peer, or from
//! `X-Forwarded-For` when (and only when) the peer is a proxy named with `--trusted-proxy`.
//!
//! `X-Forwarded-For` is read from the right: each proxy appends the address it received the
//! request from, so the rightmost entries were written by proxies the service trusts and the
//! first untrusted entry from the right is the client. Entries to its left were written by
//! the client itself (or by proxies nobody vouches for) and are never believed. A peer that
//! is not a trusted proxy makes the field ignored altogether, whatever it says.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ipnet::IpNet;

/// The `X-Forwarded-For` entries read at most (a longer chain is cut at its left end).
const MAX_HOPS: usize = 32;

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy CIDR`, repeatable).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// The proxies in `networks`.
    #[must_use]
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks.into())
    }

    /// Whether `ip` is one of them.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// Whether any proxy is trusted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client of a request that came from `peer` with `headers`: `peer` itself unless
    /// it is a trusted proxy; otherwise the first `X-Forwarded-For` entry from the right
    /// that is not a trusted proxy (the leftmost if all are; the last trusted hop if an
    /// entry does not parse, since nothing left of it can be believed).
    #[must_use]
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        // Several fields are one list, in order (RFC 9110 §5.3).
        let fields: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|value| value.to_str().unwrap_or(""))
            .collect();
        for entry in fields
            .iter()
            .rev()
            .flat_map(|field| field.rsplit(','))
            .take(MAX_HOPS)
        {
            let Some(hop) = parse_hop(entry) else {
                return client;
            };
            client = hop;
            if !self.contains(hop) {
                return hop;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, as some proxies write it with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    entry
        .parse::<SocketAddr>()
        .ok()
        .map(|address| address.ip().to_canonical())
}

/// Parses `--trusted-proxy`: a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or one address.
///
/// # Errors
///
/// A message for clap if it is neither.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map(|network| network.trunc())
        .map_err(|_| format!("{text:?} is not a CIDR (10.0.0.0/8) or an IP address"))
}

/// The client's IP address, as an extractor ([`TrustedProxies::client_ip`] of the TCP peer
/// and the request's headers). The server must be run with
/// `into_make_service_with_connect_info::<SocketAddr>()`; without the peer it answers 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            tracing::error!("no peer address: serve with connect info");
            return Err(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let trusted = TrustedProxies::from_ref(state);
        Ok(Self(trusted.client_ip(peer.ip(), &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().filter_map(|n| parse_network(n).ok()).collect())
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                "x-forwarded-for",
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
            );
        }
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_the_header_says() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client_ip(ip("203.0.113.9"), &xff(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
        // No trusted proxy at all: the header is never read.
        assert_eq!(
            proxies(&[]).client_ip(ip("127.0.0.1"), &xff(&["198.51.100.1"])),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn read_from_the_right_skipping_trusted_hops() {
        let trusted = proxies(&["10.0.0.0/8", "192.0.2.7"]);
        // client-written junk, the client, then two trusted hops.
        let headers = xff(&["1.2.3.4, 198.51.100.1", "10.1.1.1 ,192.0.2.7"]);
        assert_eq!(
            trusted.client_ip(ip("10.0.0.2"), &headers),
            ip("198.51.100.1")
        );
        // A spoofed leftmost entry does not move the answer.
        let headers = xff(&["203.0.113.66, 198.51.100.1, 10.1.1.1"]);
        assert_eq!(
            trusted.client_ip(ip("10.0.0.2"), &headers),
            ip("198.51.100.1")
        );
        // Everything trusted: the leftmost; no header: the peer.
        assert_eq!(
            trusted.client_ip(ip("10.0.0.2"), &xff(&["10.9.9.9"])),
            ip("10.9.9.9")
        );
        assert_eq!(
            trusted.client_ip(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn an_entry_that_does_not_parse_stops_at_the_last_trusted_hop() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = xff(&["198.51.100.1, unknown, 10.1.1.1"]);
        assert_eq!(trusted.client_ip(ip("10.0.0.2"), &headers), ip("10.1.1.1"));
        let headers = xff(&["198.51.100.1, "]);
        assert_eq!(trusted.client_ip(ip("10.0.0.2"), &headers), ip("10.0.0.2"));
    }

    #[test]
    fn ports_and_mapped_addresses() {
        let trusted = proxies(&["::1", "127.0.0.1/32"]);
        assert_eq!(
            trusted.client_ip(ip("::ffff:127.0.0.1"), &xff(&["[2001:db8::5]:4711"])),
            ip("2001:db8::5")
        );
        assert_eq!(
            trusted.client_ip(ip("::1"), &xff(&["198.51.100.1:4711"])),
            ip("198.51.100.1")
        );
        assert_eq!(
            trusted.client_ip(ip("::1"), &xff(&["::ffff:198.51.100.1"])),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn networks_parse_as_cidrs_or_addresses() {
        assert_eq!(
            parse_network("10.1.2.3/8").map(|n| n.to_string()),
            Ok("10.0.0.0/8".into())
        );
        assert_eq!(
            parse_network("::1").map(|n| n.to_string()),
            Ok("::1/128".into())
        );
        assert_eq!(
            parse_network("10.0.0.0/33"),
            Err("\"10.0.0.0/33\" is not a CIDR (10.0.0.0/8) or an IP address".into())
        );
    }
}
