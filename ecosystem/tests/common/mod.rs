//! Helpers shared by the ecosystem tests: starting and stopping an example server, a
//! hyper HTTP/1 client on robin, and `curl`.
#![allow(dead_code)] // Each test binary uses its own subset.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use robin::hyper_rt::RobinIo;
use robin::net::{TcpListener, TcpStream};
use robin::sync::oneshot;
use robin::task::JoinHandle;
use robin::time::timeout;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::{Command, Output};
use std::time::Duration;

/// A bound for every network step of a test: generous, never a measurement.
pub const BOUND: Duration = Duration::from_secs(60);

/// What an example's `serve` is given to know when to stop.
pub type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Binds 127.0.0.1:0 and spawns `serve(listener, shutdown)`; returns the address, the
/// stop switch (`shutdown` resolves once it is sent or dropped) and the server's task.
pub async fn spawn_server<F, Fut>(
    serve: F,
) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<io::Result<()>>)
where
    F: FnOnce(TcpListener, Shutdown) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown: Shutdown = Box::pin(async move {
        let _ = stopped.await;
    });
    (addr, stop, robin::spawn(serve(listener, shutdown)))
}

/// Stops a server of [`spawn_server`] and asserts it returned `Ok` within [`BOUND`].
pub async fn stop(stop: oneshot::Sender<()>, server: JoinHandle<io::Result<()>>) {
    stop.send(()).unwrap();
    timeout(BOUND, server)
        .await
        .expect("server stopped in time")
        .unwrap()
        .unwrap();
}

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
