//! HTTPS: the certificate chain and key files read into a rustls server configuration (on
//! ring: no OpenSSL, no aws-lc), a listener whose TLS handshakes run beside the accept loop,
//! and HSTS on every answer sent over it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::error::SetupError;

/// `Strict-Transport-Security` (RFC 6797) on every HTTPS answer: two years, the HSTS
/// preload list's minimum and what Mozilla's guidelines give; no `includeSubDomains`, since
/// the service does not know what else runs under its domain. Never sent over plain http
/// (RFC 6797 §7.2).
pub const HSTS: &str = "max-age=63072000";

/// How long a client may take to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshaken connections waiting for the server to take them.
const QUEUE: usize = 128;

/// The server configuration for the chain in `cert` and the key in `key` (PEM files):
/// TLS 1.3 and 1.2 with rustls's safe defaults on ring, HTTP/1.1 offered over ALPN.
///
/// # Errors
///
/// [`SetupError`] if a file cannot be read, holds no certificate or no key, or the key
/// does not fit the certificate.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, SetupError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| SetupError(format!("--tls-cert {}: {error}", cert.display())))?;
    if chain.is_empty() {
        return Err(SetupError(format!(
            "--tls-cert {}: no certificate in the file",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|error| SetupError(format!("--tls-key {}: {error}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|error| SetupError(format!("--tls-cert/--tls-key: {error}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A TCP listener that hands out TLS connections: each accepted connection's handshake runs
/// in a task of its own (a slow or silent client holds up no one), bounded by 10 s; a
/// failed handshake is dropped.
#[derive(Debug)]
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor: JoinHandle<()>,
}

impl TlsListener {
    /// Serves TLS with `config` on `listener`'s connections.
    ///
    /// # Errors
    ///
    /// If the listener's address cannot be read.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (sender, ready) = mpsc::channel(QUEUE);
        let tls = TlsAcceptor::from(config);
        let mut listener = listener;
        let acceptor = tokio::spawn(async move {
            loop {
                let (stream, peer) = axum::serve::Listener::accept(&mut listener).await;
                // The handshake's flights go out at once rather than wait for an ACK.
                let _ = stream.set_nodelay(true);
                let (tls, sender) = (tls.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let _ = sender.send((stream, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            ready,
            local,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept task ended (it never does while the listener lives).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The middleware that adds [`HSTS`] to every answer.
pub async fn hsts(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    response
}
