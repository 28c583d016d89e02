//! A WebSocket chat on robin: hyper serves the page (`GET /`) and upgrades `GET /ws`;
//! tokio-tungstenite speaks WebSocket over the upgraded connection. Every text line a
//! client sends is broadcast to every *other* client as `<id>: <line>`; clients see
//! `* <id> joined` / `* <id> left`, and get `* welcome <id>` first (from then on they
//! receive everything).
//!
//! The page ([`PAGE`], `ws_chat.html`) is a small client: it says one line when it
//! joins and renders what the room sends. Its HTML is streamed in two parts: the server
//! holds the last part until the page's script reports (`/settled <page>` over its
//! WebSocket) that it has rendered a line from someone else, or [`SETTLE_BOUND`] passes,
//! so the page counts as loaded once it has caught up with the room. That is what lets a
//! DOM dump (`chromium --headless --dump-dom`, the test) see the conversation.
//!
//! The upgrade is hyper's own (`hyper::upgrade::on`), not axum's `WebSocketUpgrade`,
//! which starts the session with `tokio::spawn` and so needs tokio's runtime.
//!
//! ```text
//! cargo run -p robin-ecosystem --example ws_chat -- 127.0.0.1:3001   # open it in a browser
//! ```
//!
//! `tests/ws_chat.rs` includes this file: 100 WebSocket clients on robin, and headless
//! Chromium.
use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use robin::hyper_rt::{RobinIo, RobinTimer};
use robin::net::TcpListener;
use robin::sync::broadcast::{self, error::RecvError};
use robin::sync::{mpsc, oneshot, watch};
use robin::task::JoinSet;
use robin_ecosystem::server::{
    bind_and_serve, ctrl_c, next_connection, serve_until_stopped, stopped,
};
use robin_ecosystem::Compat;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::WebSocketStream;

/// The chat page; `{PAGE}` is replaced by the page's id.
pub const PAGE: &str = include_str!("ws_chat.html");

/// How long the server holds the end of a page whose script has not settled.
pub const SETTLE_BOUND: Duration = Duration::from_secs(30);

/// How many messages a slow client may fall behind before it misses some.
const BACKLOG: usize = 4096;

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// One chat line: who it is about (who does not get it back) and the text.
#[derive(Debug, Clone)]
struct Line {
    from: u64,
    text: Arc<str>,
}

/// What every connection and session shares.
#[derive(Debug)]
struct Hub {
    lines: broadcast::Sender<Line>,
    next_id: AtomicU64,
    /// Pages whose last part is held, by page id.
    pages: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    stop: watch::Receiver<bool>,
    /// Each session holds a clone; `serve` waits until all are dropped.
    sessions: mpsc::Sender<()>,
}

impl Hub {
    fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn say(&self, from: u64, text: String) {
        // No receivers (nobody connected) is fine.
        let _ = self.lines.send(Line {
            from,
            text: text.into(),
        });
    }

    fn settle(&self, page: u64) {
        if let Some(release) = self.pages.lock().unwrap().remove(&page) {
            let _ = release.send(());
        }
    }
}

/// Serves the chat on `listener` until `shutdown` resolves; then stops accepting, closes
/// every WebSocket (with a Close frame), lets open HTTP requests finish and returns once
/// every connection and session is gone.
pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let (sessions_tx, mut sessions_rx) = mpsc::channel::<()>(1);
    let hub = Arc::new(Hub {
        lines: broadcast::channel(BACKLOG).0,
        next_id: AtomicU64::new(0),
        pages: Mutex::new(HashMap::new()),
        stop: stop_rx.clone(),
        sessions: sessions_tx,
    });
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some(stream) = next_connection(&listener, &mut shutdown).await {
        let _ = stream.set_nodelay(true);
        let hub = hub.clone();
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let service = service_fn(move |req| route(req, hub.clone()));
            let conn = http1::Builder::new()
                .timer(RobinTimer::new())
                .serve_connection(RobinIo::new(stream), service)
                .with_upgrades();
            serve_until_stopped(conn, &mut stop).await
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Held pages end now, so their requests can finish.
    for (_, release) in hub.pages.lock().unwrap().drain() {
        let _ = release.send(());
    }
    drop(hub);
    while let Some(done) = connections.join_next().await {
        if let Ok(Err(err)) = done {
            eprintln!("connection: {err}");
        }
    }
    // Every session (and the hub's sender) is gone when this returns `None`.
    while sessions_rx.recv().await.is_some() {}
    Ok(())
}

async fn route(req: Request<Incoming>, hub: Arc<Hub>) -> Result<Response<Body>, Infallible> {
    Ok(match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => page(&hub),
        (&Method::GET, "/ws") => upgrade(req, hub),
        _ => plain(StatusCode::NOT_FOUND, "not found\n"),
    })
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut res = Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed_unsync());
    *res.status_mut() = status;
    res
}

/// The page, in two parts: all but its end now, the end once it has settled.
fn page(hub: &Hub) -> Response<Body> {
    let id = hub.id();
    let (release, released) = oneshot::channel();
    hub.pages.lock().unwrap().insert(id, release);
    if *hub.stop.borrow() {
        // Shutting down: `serve` may have drained the held pages before this insert.
        hub.settle(id);
    }
    let head = Bytes::from(PAGE.replace("{PAGE}", &id.to_string()));
    let tail = async move {
        let _ = robin::time::timeout(SETTLE_BOUND, released).await;
        Bytes::from_static(b"</body>\n</html>\n")
    };
    let parts = futures::stream::once(async { head })
        .chain(futures::stream::once(tail))
        .map(|bytes| Ok::<_, Infallible>(Frame::data(bytes)));
    let mut res = Response::new(StreamBody::new(parts).boxed_unsync());
    res.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

/// Answers a WebSocket handshake with `101` and runs the session on the upgraded
/// connection once hyper hands it over.
fn upgrade(mut req: Request<Incoming>, hub: Arc<Hub>) -> Response<Body> {
    let is_websocket = req
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) = req
        .headers()
        .get(SEC_WEBSOCKET_KEY)
        .filter(|_| is_websocket)
    else {
        return plain(StatusCode::BAD_REQUEST, "expected a WebSocket handshake\n");
    };
    let accept = derive_accept_key(key.as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut req);
    robin::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let ws =
                    WebSocketStream::from_raw_socket(Compat::new(upgraded), Role::Server, None)
                        .await;
                session(ws, hub).await;
            }
            Err(err) => eprintln!("upgrade: {err}"),
        }
    });
    let mut res = plain(StatusCode::SWITCHING_PROTOCOLS, "");
    let headers = res.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(
        SEC_WEBSOCKET_ACCEPT,
        HeaderValue::from_str(&accept).expect("base64 is a valid header value"),
    );
    res
}

/// One WebSocket client, from welcome to leave.
async fn session<S>(mut ws: WebSocketStream<S>, hub: Arc<Hub>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let _alive = hub.sessions.clone();
    let mut stop = hub.stop.clone();
    let id = hub.id();
    // Subscribe before the welcome: everything said after it reaches this client.
    let mut lines = hub.lines.subscribe();
    if ws
        .send(WsMessage::text(format!("* welcome {id}")))
        .await
        .is_err()
    {
        return;
    }
    hub.say(id, format!("* {id} joined"));
    loop {
        robin::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    if let Some(page) = text.strip_prefix("/settled ") {
                        if let Ok(page) = page.parse() {
                            hub.settle(page);
                        }
                    } else {
                        hub.say(id, format!("{id}: {text}"));
                    }
                }
                // Pings are answered by tungstenite itself; binary frames are not chat.
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            line = lines.recv() => {
                let text = match line {
                    Ok(line) if line.from == id => continue,
                    Ok(line) => line.text.to_string(),
                    Err(RecvError::Lagged(n)) => format!("* you missed {n} messages"),
                    Err(RecvError::Closed) => break,
                };
                if ws.send(WsMessage::text(text)).await.is_err() {
                    break;
                }
            },
            _ = stopped(&mut stop) => {
                // A Close frame, then wait (bounded) for the client's reply to it.
                let _ = ws.close(None).await;
                let _ = robin::time::timeout(Duration::from_secs(5), async {
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
                break;
            },
        }
    }
    hub.say(id, format!("* {id} left"));
}

#[allow(dead_code)] // `tests/ws_chat.rs` includes this file and never calls `main`.
fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    bind_and_serve(&addr, "chat on http://", |listener| {
        serve(listener, ctrl_c("closing the chat"))
    })
}
