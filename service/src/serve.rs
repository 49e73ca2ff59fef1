//! Running the service: the log, the listening socket (plain http, or HTTPS with
//! `--tls-cert`/`--tls-key`), the shared state, the periodic re-reading of keys and users,
//! and serving until Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware;
use axum::serve::ListenerExt;

use crate::app::App;
use crate::config::Serve;
use crate::error::Fatal;
use crate::routes;
use crate::tls::{self, TlsListener};

/// The log filter when `RUST_LOG` is unset: this service's one line per request; the
/// guard's own refusal events (`jose_ring_axum=info`, with a log-safe detail) only on demand.
const DEFAULT_LOG: &str = "info,jose_ring_axum=warn";

/// Starts the service and serves until Ctrl-C.
///
/// # Errors
///
/// If the users file, the keys or the listening socket cannot be set up.
pub async fn serve(options: Serve) -> Result<(), Fatal> {
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG)),
        )
        .init();
    let tls = match (&options.tls_cert, &options.tls_key) {
        (Some(cert), Some(key)) => Some(tls::server_config(cert, key)?),
        _ => None,
    };
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port)).await?;
    let local = listener.local_addr()?;
    let app = Arc::new(App::build(&options, local)?);
    let mut router = routes::router(&app, &options.cors_origins)?;
    if tls.is_some() {
        router = router.layer(middleware::from_fn(tls::hsts));
    }
    spawn_reload(&app, options.key_reload);
    let scheme = if tls.is_some() { "https" } else { "http" };
    // The one line a supervisor (or a test) reads to learn the scheme and the port.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {scheme}://{local}")?;
        out.flush()?;
    }
    if tls.is_none() && !local.ip().is_loopback() && app.trusted_proxies.is_empty() {
        tracing::warn!(
            "plain http on a non-loopback address: serve HTTPS (--tls-cert, --tls-key) or \
             put a TLS-terminating proxy in front and name it with --trusted-proxy"
        );
    }
    tracing::info!(
        addr = %local,
        scheme,
        store = if options.redis_url.is_some() { "redis" } else { "memory" },
        kid = app.keys().signer().kid().unwrap_or_default(),
        "jose-service started"
    );
    // Handlers see the TCP peer (`ConnectInfo<SocketAddr>`: the client IP's first source).
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some(config) => {
            // `tap_io` gives any listener's connections their `SocketAddr` as connect info.
            let listener = TlsListener::new(listener, config)?.tap_io(|_| ());
            axum::serve(listener, service)
                .with_graceful_shutdown(ctrl_c())
                .await?;
        }
        None => {
            axum::serve(listener, service)
                .with_graceful_shutdown(ctrl_c())
                .await?;
        }
    }
    Ok(())
}

/// Resolves at Ctrl-C (never, if it cannot be listened for).
async fn ctrl_c() {
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(%error, "cannot listen for Ctrl-C; serving until killed");
        std::future::pending::<()>().await;
    }
}

/// Re-reads keys and users every `every` seconds, on the blocking pool (file reads, and
/// PBKDF2 for a changed users file).
fn spawn_reload(app: &Arc<App>, every: u64) {
    let app = Arc::clone(app);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(every.max(1)));
        interval.tick().await;
        loop {
            interval.tick().await;
            let app = Arc::clone(&app);
            if let Err(error) = tokio::task::spawn_blocking(move || app.reload()).await {
                tracing::error!(%error, "reloading keys and users failed; trying again at the next interval");
            }
        }
    });
}
