//! Helpers shared by the ecosystem tests: a hyper HTTP/1 client on robin and `curl`.
#![allow(dead_code)] // Each test binary uses its own subset.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use robin::hyper_rt::RobinIo;
use robin::net::TcpStream;
use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

/// A bound for every network step of a test: generous, never a measurement.
pub const BOUND: Duration = Duration::from_secs(60);

/// Sends one request over a fresh HTTP/1.1 connection; returns the head and the whole body.
pub async fn http1(addr: SocketAddr, req: Request<Full<Bytes>>) -> (Response<()>, Bytes) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream))
        .await
        .expect("handshake");
    robin::spawn(conn);
    let res = sender.send_request(req).await.expect("request");
    let (head, body) = res.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    (Response::from_parts(head, ()), body)
}

/// A request with a body (`""` for none) and optional content type.
pub fn request(
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: &str,
) -> Request<Full<Bytes>> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "127.0.0.1");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    req.body(Full::new(Bytes::from(body.to_owned())))
        .expect("valid request")
}

/// Runs `curl` with `args` on a blocking thread (curl blocks); fails the test with a clear
/// message if curl is not installed.
pub async fn curl(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = robin::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "60"])
            .args(&args)
            .output()
    })
    .await
    .expect("curl thread");
    match out {
        Ok(out) => out,
        Err(err) => panic!("cannot run curl (install it: apt-get install curl): {err}"),
    }
}

/// `curl`'s stdout as text, asserting it exited 0.
pub async fn curl_ok(args: &[&str]) -> String {
    let out = curl(args).await;
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 from curl")
}
