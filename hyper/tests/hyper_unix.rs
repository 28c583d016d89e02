//! hyper's server and client over robin's `UnixStream` through `RobinIo`.
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use robin::hyper_rt::{RobinIo, RobinTimer};
use robin::net::{UnixListener, UnixStream};
use std::convert::Infallible;
use std::time::Duration;

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_response_over_a_unix_socket() {
    let path = std::env::temp_dir().join(format!("robin-hyper-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).unwrap();
    let server = robin::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let service = service_fn(|req: Request<hyper::body::Incoming>| async move {
            let body = req.into_body().collect().await.unwrap().to_bytes();
            let mut reply = b"got ".to_vec();
            reply.extend_from_slice(&body);
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(reply))))
        });
        hyper::server::conn::http1::Builder::new()
            .timer(RobinTimer::new())
            .serve_connection(RobinIo::new(stream), service)
            .await
    });

    let stream = UnixStream::connect(&path).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream))
        .await
        .unwrap();
    let driver = robin::spawn(conn);
    // A body larger than one read, so reads into the uninitialised buffer repeat.
    let big = vec![b'x'; 256 * 1024];
    for body in [Bytes::from_static(b"hello"), Bytes::from(big.clone())] {
        let req = Request::post("/")
            .header("host", "local")
            .body(Full::new(body.clone()))
            .unwrap();
        // hyper's contract: a second request on the connection waits until the dispatcher
        // is idle again (without it, `send_request` may fail "connection was not ready").
        sender.ready().await.unwrap();
        let res = sender.send_request(req).await.unwrap();
        assert_eq!(res.status(), 200);
        let got = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&got[..4], b"got ");
        assert_eq!(got[4..], body[..]);
    }
    drop(sender);
    let bound = Duration::from_secs(30);
    robin::time::timeout(bound, driver)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    robin::time::timeout(bound, server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let _ = std::fs::remove_file(&path);
}
