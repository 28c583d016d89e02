//! HTTPS on robin: tokio-rustls (rustls on its `ring` provider) terminates TLS on robin's
//! `TcpStream`, hyper-util's `auto` builder serves HTTP/1.1 or HTTP/2 (chosen by ALPN)
//! over it. No tokio runtime: tokio-rustls only needs tokio's I/O traits, which robin's
//! streams implement; `robin_ecosystem::Compat` hands the TLS stream to hyper.
//!
//! Routes: `GET /` says hello and names the protocol; `POST /echo` returns the body.
//! Ctrl-C stops accepting and lets open connections finish.
//!
//! ```text
//! cargo run -p robin-ecosystem --example https_server -- 127.0.0.1:3443 [cert.pem key.pem]
//! ```
//!
//! Without PEM files it makes a development CA and a certificate for `localhost` and
//! `127.0.0.1` ([`dev_cert`], with rcgen) and prints the `curl --cacert` line to use.
//! `tests/https_server.rs` includes this file and talks to [`serve`] with hyper's client
//! over tokio-rustls and with `curl --cacert`.
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::server::conn::auto;
use robin::hyper_rt::{RobinExecutor, RobinTimer};
use robin::net::TcpListener;
use robin::sync::watch;
use robin::task::JoinSet;
use robin_ecosystem::server::{bind_and_serve, ctrl_c, next_connection, serve_until_stopped};
use robin_ecosystem::Compat;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::TlsAcceptor;

/// A client that has not finished its TLS handshake by then is dropped.
pub const HANDSHAKE_BOUND: Duration = Duration::from_secs(10);

/// A certificate chain and its key, plus the CA that signed it (what clients trust).
#[derive(Debug)]
pub struct DevCert {
    /// The CA certificate, PEM (for `curl --cacert`).
    pub ca_pem: String,
    /// The CA certificate, DER (for a rustls root store).
    pub ca_der: CertificateDer<'static>,
    /// The server's chain: its certificate, then the CA's.
    pub chain: Vec<CertificateDer<'static>>,
    /// The server's private key.
    pub key: PrivateKeyDer<'static>,
}

/// Makes a throwaway CA and a server certificate it signs, for `localhost` and
/// `127.0.0.1` (ECDSA P-256, rcgen on ring).
pub fn dev_cert() -> Result<DevCert, rcgen::Error> {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "robin development CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate()?)?;

    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let key = rcgen::KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca)?;
    Ok(DevCert {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        chain: vec![cert.der().clone(), ca.der().clone()],
        key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    })
}

/// The crypto provider everything here uses: `ring` (aws-lc-rs, rustls' default, needs
/// cmake and a long C build).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS server configuration offering HTTP/2 and HTTP/1.1 by ALPN.
pub fn tls_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = status;
    res
}

/// The router.
pub async fn route(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    Ok(match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => text(
            StatusCode::OK,
            format!("Hello over TLS from robin ({:?})\n", req.version()),
        ),
        (&Method::POST, "/echo") => {
            text(StatusCode::OK, req.into_body().collect().await?.to_bytes())
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    })
}

/// Serves HTTPS on `listener` until `shutdown` resolves; then stops accepting, asks every
/// open connection to finish its in-flight requests and returns once all have.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some(stream) = next_connection(&listener, &mut shutdown).await {
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let tls = match robin::time::timeout(HANDSHAKE_BOUND, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                // A failed handshake (bad client, wrong CA on its side) or a stalled one:
                // that connection is dropped, the server goes on.
                Ok(Err(err)) => return eprintln!("TLS handshake: {err}"),
                Err(_) => return eprintln!("TLS handshake: timed out"),
            };
            let mut builder = auto::Builder::new(RobinExecutor::new());
            builder.http1().timer(RobinTimer::new());
            builder.http2().timer(RobinTimer::new());
            let conn = builder.serve_connection(Compat::new(tls), service_fn(route));
            if let Err(err) = serve_until_stopped(conn, &mut stop).await {
                eprintln!("connection: {err}");
            }
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// The chain and key from PEM files, or a development certificate (and where its CA is).
fn load_or_make(
    args: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Box<dyn std::error::Error>> {
    if let [cert, key] = args {
        let chain = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
        return Ok((chain, PrivateKeyDer::from_pem_file(key)?));
    }
    let dev = dev_cert()?;
    let ca = std::env::temp_dir().join("robin-https-dev-ca.pem");
    std::fs::write(&ca, &dev.ca_pem)?;
    println!("development CA written to {}", ca.display());
    println!(
        "try: curl --cacert {} https://localhost:<port>/",
        ca.display()
    );
    Ok((dev.chain, dev.key))
}

#[allow(dead_code)] // `tests/https_server.rs` includes this file and never calls `main`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:3443".to_owned());
    let (chain, key) = load_or_make(args.get(1..).unwrap_or_default())?;
    let tls = tls_config(chain, key)?;
    bind_and_serve(&addr, "listening on https://", |listener| {
        serve(listener, tls, ctrl_c("finishing in-flight requests"))
    })?;
    Ok(())
}
