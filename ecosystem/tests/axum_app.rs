//! The axum example on robin, on 127.0.0.1: every route through hyper's HTTP/1 and HTTP/2
//! clients on robin and through `curl`, and graceful shutdown with a request in flight.
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use robin::hyper_rt::{RobinExecutor, RobinIo, RobinTimer};
use robin::net::TcpStream;
use robin::sync::oneshot;
use robin::time::timeout;

#[path = "../examples/axum_app.rs"]
#[allow(dead_code)]
mod axum_app;
mod common;

use axum_app::{Stats, Todo};
use common::{curl, curl_ok, http1, request, spawn_server, stop, BOUND};

/// Starts the app; returns its address, the stop switch and the server's handle.
async fn start(
    app: Router,
) -> (
    std::net::SocketAddr,
    oneshot::Sender<()>,
    robin::task::JoinHandle<std::io::Result<()>>,
) {
    spawn_server(|listener, shutdown| axum_app::serve(listener, app, shutdown)).await
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_json_state_and_middleware_with_hyper_client() {
    let (addr, stop_tx, server) = start(axum_app::app()).await;
    timeout(BOUND, async {
        let (res, body) = http1(addr, request("GET", "/", None, "")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-served-by"], "robin");
        assert_eq!(&body[..], b"Hello from axum on robin!\n");

        for (i, title) in ["write tests", "ship it"].into_iter().enumerate() {
            let json = format!(r#"{{"title":"{title}"}}"#);
            let (res, body) = http1(
                addr,
                request("POST", "/todos", Some("application/json"), &json),
            )
            .await;
            assert_eq!(res.status(), 201);
            assert_eq!(res.headers()["content-type"], "application/json");
            let todo: Todo = serde_json::from_slice(&body).unwrap();
            let want = Todo {
                id: i as u64 + 1,
                title: title.to_owned(),
                done: false,
            };
            assert_eq!(todo, want);
        }

        let (res, body) = http1(addr, request("GET", "/todos/2", None, "")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            serde_json::from_slice::<Todo>(&body).unwrap().title,
            "ship it"
        );
        let (res, body) = http1(addr, request("GET", "/todos", None, "")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(serde_json::from_slice::<Vec<Todo>>(&body).unwrap().len(), 2);

        let (res, _) = http1(addr, request("GET", "/todos/99", None, "")).await;
        assert_eq!(res.status(), 404);
        assert_eq!(
            res.headers()["x-served-by"],
            "robin",
            "the layer wraps 404s too"
        );
        // The Json extractor rejects what is not JSON, or not a to-do.
        let (res, _) = http1(
            addr,
            request("POST", "/todos", Some("application/json"), "{"),
        )
        .await;
        assert_eq!(res.status(), 400);
        let (res, _) = http1(
            addr,
            request("POST", "/todos", Some("application/json"), r#"{"x":1}"#),
        )
        .await;
        assert_eq!(res.status(), 422);
        let (res, _) = http1(addr, request("POST", "/todos", Some("text/plain"), "{}")).await;
        assert_eq!(res.status(), 415);

        // Every request so far went through the middleware: 1 + 2 + 2 + 4 + this one.
        let (res, body) = http1(addr, request("GET", "/stats", None, "")).await;
        assert_eq!(res.status(), 200);
        let stats: Stats = serde_json::from_slice(&body).unwrap();
        assert_eq!((stats.requests, stats.todos), (10, 2));
    })
    .await
    .expect("requests answered in time");
    stop(stop_tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_hyper_client() {
    let (addr, stop_tx, server) = start(axum_app::app()).await;
    timeout(BOUND, async {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http2::Builder::new(RobinExecutor::new())
            .timer(RobinTimer::new())
            .handshake(RobinIo::new(stream))
            .await
            .unwrap();
        robin::spawn(conn);
        // Several requests multiplexed on the one connection.
        let mut pending = Vec::new();
        for _ in 0..10 {
            let req = hyper::Request::get(format!("http://{addr}/"))
                .body(Empty::<Bytes>::new())
                .unwrap();
            pending.push(sender.send_request(req));
        }
        for res in pending {
            let res = res.await.unwrap();
            assert_eq!(res.version(), hyper::Version::HTTP_2);
            assert_eq!(res.status(), 200);
            let body = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"Hello from axum on robin!\n");
        }
    })
    .await
    .expect("HTTP/2 requests answered in time");
    stop(stop_tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_talks_to_axum() {
    let (addr, stop_tx, server) = start(axum_app::app()).await;
    let base = format!("http://{addr}");
    let created = curl_ok(&[
        "--data",
        r#"{"title":"from curl"}"#,
        "--header",
        "content-type: application/json",
        "--write-out",
        "\n%{http_code}",
        &format!("{base}/todos"),
    ])
    .await;
    let (body, code) = created.rsplit_once('\n').unwrap();
    assert_eq!(code, "201");
    let todo: Todo = serde_json::from_str(body).unwrap();
    assert_eq!((todo.id, todo.title.as_str()), (1, "from curl"));

    let head = curl_ok(&["--include", &format!("{base}/todos/1")]).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("x-served-by: robin"),
        "{head}"
    );
    assert!(
        head.ends_with(r#"{"id":1,"title":"from curl","done":false}"#),
        "{head}"
    );

    // curl speaking HTTP/2 (prior knowledge: no upgrade dance) to the auto builder.
    let h2 = curl(&[
        "--http2-prior-knowledge",
        "--write-out",
        "%{http_version}",
        &format!("{base}/"),
    ])
    .await;
    assert!(
        h2.status.success(),
        "curl --http2-prior-knowledge: {}",
        String::from_utf8_lossy(&h2.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&h2.stdout),
        "Hello from axum on robin!\n2"
    );
    stop(stop_tx, server).await;
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_lets_the_request_in_flight_finish() {
    // The example's app plus a route that waits for the test's go-ahead.
    let (entered_tx, entered_rx) = oneshot::channel::<()>();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let gate = std::sync::Arc::new(std::sync::Mutex::new(Some((entered_tx, release_rx))));
    let gated = Router::new().route(
        "/gate",
        get(move || {
            let pair = gate.lock().unwrap().take();
            async move {
                let (entered, release) = pair.expect("one request to /gate");
                entered.send(()).unwrap();
                release.await.unwrap();
                "released\n"
            }
        }),
    );
    let (addr, stop_tx, server) = start(axum_app::app().merge(gated)).await;

    let in_flight = robin::spawn(http1(addr, request("GET", "/gate", None, "")));
    timeout(BOUND, entered_rx).await.unwrap().unwrap();
    stop_tx.send(()).unwrap();
    // The listener closes; the server waits for the open request.
    let refused = timeout(BOUND, async {
        loop {
            match TcpStream::connect(addr).await {
                Err(err) if err.kind() == std::io::ErrorKind::ConnectionRefused => break err,
                // Accepted, or reset by the listener as it closed: poll again for the
                // close (bounded by the timeout), not waiting out a race.
                _ => robin::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
    })
    .await
    .expect("listener closed");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    // Still serving the request in flight (it is parked on `release_rx`).
    assert!(
        !server.is_finished(),
        "server returned with a request in flight"
    );

    release_tx.send(()).unwrap();
    let (res, body) = timeout(BOUND, in_flight).await.unwrap().unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(&body[..], b"released\n");
    timeout(BOUND, server).await.unwrap().unwrap().unwrap();
}
