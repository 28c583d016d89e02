//! The HTTPS example on 127.0.0.1 with a certificate made at test time (rcgen): hyper's
//! client over tokio-rustls (HTTP/1.1 and HTTP/2 by ALPN), `curl --cacert`, and clients
//! that do not trust the CA being refused.
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use robin::hyper_rt::{RobinExecutor, RobinTimer};
use robin::net::TcpStream;
use robin::sync::oneshot;
use robin::time::timeout;
use robin_ecosystem::Compat;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_rustls::TlsConnector;

mod common;
#[path = "../examples/https_server.rs"]
#[allow(dead_code)]
mod https_server;

use common::{curl, curl_ok, spawn_server, stop, BOUND};
use https_server::DevCert;

async fn start() -> (
    DevCert,
    SocketAddr,
    oneshot::Sender<()>,
    robin::task::JoinHandle<std::io::Result<()>>,
) {
    let dev = https_server::dev_cert().unwrap();
    let tls = https_server::tls_config(dev.chain.clone(), dev.key.clone_key()).unwrap();
    let (addr, stop, server) =
        spawn_server(|listener, shutdown| https_server::serve(listener, tls, shutdown)).await;
    (dev, addr, stop, server)
}

/// A rustls client trusting `ca` only, offering `alpn`.
fn connector(ca: &rustls::pki_types::CertificateDer<'static>, alpn: &[&[u8]]) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let mut config = ClientConfig::builder_with_provider(https_server::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_client_over_rustls_http1_and_http2() {
    let (dev, addr, stop_tx, server) = start().await;
    timeout(BOUND, async {
        // HTTP/1.1, to the IP address (the certificate names 127.0.0.1 too).
        let tcp = TcpStream::connect(addr).await.unwrap();
        let ip = ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into());
        let tls = connector(&dev.ca_der, &[b"http/1.1"])
            .connect(ip, tcp)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
        let (mut send, conn) = hyper::client::conn::http1::handshake(Compat::new(tls))
            .await
            .unwrap();
        robin::spawn(conn);
        let req = hyper::Request::post("/echo")
            .header("host", "127.0.0.1")
            .body(Full::new(Bytes::from_static(b"secret payload")))
            .unwrap();
        let res = send.send_request(req).await.unwrap();
        assert_eq!(res.status(), 200);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"secret payload");

        // HTTP/2 chosen by ALPN, to the DNS name.
        let tcp = TcpStream::connect(addr).await.unwrap();
        let tls = connector(&dev.ca_der, &[b"h2", b"http/1.1"])
            .connect(localhost(), tcp)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (mut send, conn) = hyper::client::conn::http2::Builder::new(RobinExecutor::new())
            .timer(RobinTimer::new())
            .handshake(Compat::new(tls))
            .await
            .unwrap();
        robin::spawn(conn);
        let req = hyper::Request::get(format!("https://localhost:{}/", addr.port()))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let res = send.send_request(req).await.unwrap();
        assert_eq!(res.version(), hyper::Version::HTTP_2);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"Hello over TLS from robin (HTTP/2.0)\n");
    })
    .await
    .expect("TLS requests answered in time");
    stop(stop_tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_trust_the_ca_is_refused_and_the_server_goes_on() {
    let (dev, addr, stop_tx, server) = start().await;
    timeout(BOUND, async {
        // Trusting another CA: the handshake fails on the client's side.
        let other = https_server::dev_cert().unwrap();
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = connector(&other.ca_der, &[])
            .connect(localhost(), tcp)
            .await
            .unwrap_err();
        // (Both CAs share a name, so rustls finds a "signer" whose signature fails.)
        assert!(
            err.to_string().contains("invalid peer certificate"),
            "{err}"
        );
        // Plain HTTP on the TLS port: not a TLS handshake, the server drops it.
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        tcp.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let n = match tcp.read(&mut buf).await {
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => 0,
            Err(err) => panic!("{err}"),
        };
        assert!(!buf[..n].starts_with(b"HTTP/1.1 200"), "served plain HTTP");
        // The right CA still works afterwards.
        let tcp = TcpStream::connect(addr).await.unwrap();
        connector(&dev.ca_der, &[])
            .connect(localhost(), tcp)
            .await
            .unwrap();
    })
    .await
    .expect("handshakes done in time");
    stop(stop_tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_with_cacert() {
    let (dev, addr, stop_tx, server) = start().await;
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("https_{}", addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &dev.ca_pem).unwrap();
    let ca = ca.to_str().unwrap();
    let port = addr.port();
    let resolve = format!("localhost:{port}:127.0.0.1");
    let by_name = format!("https://localhost:{port}/");

    let body = curl_ok(&["--cacert", ca, "--resolve", &resolve, "--http1.1", &by_name]).await;
    assert_eq!(body, "Hello over TLS from robin (HTTP/1.1)\n");
    let body = curl_ok(&["--cacert", ca, "--resolve", &resolve, "--http2", &by_name]).await;
    assert_eq!(body, "Hello over TLS from robin (HTTP/2.0)\n");
    let echoed = curl_ok(&[
        "--cacert",
        ca,
        "--data-binary",
        "from curl",
        &format!("https://127.0.0.1:{port}/echo"),
    ])
    .await;
    assert_eq!(echoed, "from curl");

    // Without the CA curl refuses the certificate (exit 60: peer certificate not trusted).
    let untrusted = curl(&["--resolve", &resolve, &by_name]).await;
    assert_eq!(untrusted.status.code(), Some(60), "{untrusted:?}");

    std::fs::remove_dir_all(&dir).unwrap();
    stop(stop_tx, server).await;
}
