//! The `http_server` example answering hyper's client on robin and `curl`; keep-alive under
//! load; `header_read_timeout`; graceful shutdown. 127.0.0.1 only, every wait bounded.
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use robin::hyper_rt::RobinIo;
use robin::net::{TcpListener, TcpStream};
use robin::sync::oneshot;
use std::net::SocketAddr;
use std::time::Duration;

#[path = "../../examples/http_server.rs"]
#[allow(dead_code)]
mod http_server;

#[path = "../../examples/http_client.rs"]
#[allow(dead_code)]
mod http_client;

/// Generous bound on any one test's network work.
const BOUND: Duration = Duration::from_secs(60);

async fn start(
    config: http_server::Config,
) -> (
    SocketAddr,
    oneshot::Sender<()>,
    robin::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    let server = robin::spawn(http_server::serve(listener, config, rx));
    (addr, tx, server)
}

async fn stop(tx: oneshot::Sender<()>, server: robin::task::JoinHandle<std::io::Result<()>>) {
    tx.send(()).unwrap();
    robin::time::timeout(BOUND, server)
        .await
        .expect("graceful shutdown finished")
        .unwrap()
        .unwrap();
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_client_on_robin_gets_hello_and_echo() {
    let (addr, tx, server) = start(http_server::Config::default()).await;
    let authority = addr.to_string();

    let (status, body) = http_client::fetch(&authority, "/").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(&body[..], b"Hello, world!\n");

    let (status, _) = http_client::fetch(&authority, "/nope").await.unwrap();
    assert_eq!(status, 404);

    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream))
        .await
        .unwrap();
    let driver = robin::spawn(conn);
    let json = r#"{"name":"robin","n":[1,2,3]}"#;
    let req = Request::post("/echo")
        .header("host", &authority)
        .body(Full::new(Bytes::from(json)))
        .unwrap();
    let res = sender.send_request(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(
        &res.into_body().collect().await.unwrap().to_bytes()[..],
        json.as_bytes()
    );
    drop(sender);
    driver.await.unwrap().unwrap();

    stop(tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_gets_hello_and_echo() {
    let (addr, tx, server) = start(http_server::Config::default()).await;
    let out = robin::task::spawn_blocking(move || {
        let hello = std::process::Command::new("curl")
            .args(["-sS", "-m", "20", &format!("http://{addr}/")])
            .output()
            .expect("curl is installed");
        let echo = std::process::Command::new("curl")
            .args([
                "-sS",
                "-m",
                "20",
                "-i",
                "-X",
                "POST",
                "--data",
                r#"{"k":"v"}"#,
                &format!("http://{addr}/echo"),
            ])
            .output()
            .expect("curl is installed");
        (hello, echo)
    })
    .await
    .unwrap();
    let (hello, echo) = out;
    assert!(hello.status.success(), "{hello:?}");
    assert_eq!(hello.stdout, b"Hello, world!\n");
    assert!(echo.status.success(), "{echo:?}");
    let echo = String::from_utf8(echo.stdout).unwrap();
    assert!(echo.starts_with("HTTP/1.1 200"), "{echo}");
    assert!(
        echo.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{echo}"
    );
    assert!(echo.ends_with("\r\n\r\n{\"k\":\"v\"}"), "{echo}");
    stop(tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_keep_alive_requests_over_fifty_connections() {
    const CONNECTIONS: usize = 50;
    const PER_CONNECTION: usize = 20;
    let (addr, tx, server) = start(http_server::Config::default()).await;
    let mut clients = robin::task::JoinSet::new();
    for c in 0..CONNECTIONS {
        clients.spawn(async move {
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream))
                .await
                .unwrap();
            let driver = robin::spawn(conn);
            let mut answered = 0;
            for i in 0..PER_CONNECTION {
                sender.ready().await.unwrap();
                let body = format!("{{\"c\":{c},\"i\":{i}}}");
                let req = Request::post("/echo")
                    .header("host", addr.to_string())
                    .body(Full::new(Bytes::from(body.clone())))
                    .unwrap();
                let res = sender.send_request(req).await.unwrap();
                assert_eq!(res.status(), 200);
                let got = res.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(&got[..], body.as_bytes());
                answered += 1;
            }
            drop(sender);
            // One connection carried them all: the driver ends cleanly only now.
            driver.await.unwrap().unwrap();
            answered
        });
    }
    let answered: usize = robin::time::timeout(BOUND, clients.join_all())
        .await
        .expect("all requests answered in time")
        .into_iter()
        .sum();
    assert_eq!(answered, CONNECTIONS * PER_CONNECTION);
    stop(tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_read_timeout_closes_an_idle_connection() {
    let config = http_server::Config {
        header_read_timeout: Some(Duration::from_millis(200)),
    };
    let (addr, tx, server) = start(config).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // Half a request head, then silence.
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    // The server gives up on the head and closes: we read EOF (after at most an error
    // response), well before the bound.
    let read = robin::time::timeout(BOUND, stream.read_to_end(&mut buf))
        .await
        .expect("the server closed the idle connection");
    // A reset instead of a clean FIN is also "closed".
    if let Ok(n) = read {
        assert_eq!(n, buf.len());
    }
    let text = String::from_utf8_lossy(&buf);
    assert!(
        !text.contains("Hello"),
        "the half request was not served: {text}"
    );
    stop(tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_lets_an_open_keep_alive_connection_go() {
    let (addr, tx, server) = start(http_server::Config::default()).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream))
        .await
        .unwrap();
    let driver = robin::spawn(conn);
    let req = Request::get("/")
        .header("host", addr.to_string())
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(sender.send_request(req).await.unwrap().status(), 200);
    // The connection is idle but open: shutdown must close it, not wait for the client.
    stop(tx, server).await;
    drop(sender);
    let _ = robin::time::timeout(BOUND, driver)
        .await
        .expect("client saw the close");
}
