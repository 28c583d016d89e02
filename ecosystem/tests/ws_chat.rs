//! The WebSocket chat on 127.0.0.1: 100 tokio-tungstenite clients on robin, and a real
//! browser (headless Chromium) that loads the page, chats and renders the reply.
use futures::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use robin::hyper_rt::RobinIo;
use robin::net::TcpStream;
use robin::sync::oneshot;
use robin::time::timeout;
use robin_test_support::chat::RoomCheck;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

mod common;
#[path = "../examples/ws_chat.rs"]
#[allow(dead_code)]
mod ws_chat;

use common::{http1, request, spawn_server, stop, BOUND};

const CLIENTS: usize = 100;
const CHROMIUM: &str = "/usr/bin/chromium";

type Ws = WebSocketStream<TcpStream>;

async fn start() -> (
    SocketAddr,
    oneshot::Sender<()>,
    robin::task::JoinHandle<std::io::Result<()>>,
) {
    spawn_server(ws_chat::serve).await
}

/// Connects a client and reads its welcome; returns the socket and its id.
async fn join(addr: SocketAddr) -> (Ws, u64) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut ws, res) = tokio_tungstenite::client_async(format!("ws://{addr}/ws"), stream)
        .await
        .expect("WebSocket handshake");
    assert_eq!(res.status(), 101);
    let welcome = next_text(&mut ws).await.expect("welcome");
    let id = welcome
        .strip_prefix("* welcome ")
        .unwrap_or_else(|| panic!("not a welcome: {welcome:?}"))
        .parse()
        .unwrap();
    (ws, id)
}

/// The next text message (`None` once the server closes).
async fn next_text(ws: &mut Ws) -> Option<String> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(text)) => return Some(text.to_string()),
            Ok(Message::Close(_)) => return None,
            Ok(_) => continue,
            Err(err) => panic!("WebSocket error: {err}"),
        }
    }
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_reaches_the_other_99_clients() {
    let (addr, stop_tx, server) = start().await;
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        clients.push(timeout(BOUND, join(addr)).await.expect("joined in time"));
    }
    let ids: Vec<u64> = clients.iter().map(|(_, id)| *id).collect();

    let mut tasks = robin::task::JoinSet::new();
    for (mut ws, id) in clients {
        let ids = ids.clone();
        tasks.spawn(async move {
            let mut room = RoomCheck::new(&ids, id);
            ws.send(Message::text(room.hello())).await.unwrap();
            while !room.is_done() {
                room.see(next_text(&mut ws).await.expect("server closed early"));
            }
            ws
        });
    }
    let sockets = timeout(BOUND, tasks.join_all())
        .await
        .expect("every client got every line in time");
    assert_eq!(sockets.len(), CLIENTS);

    // Shutdown closes every socket with a Close frame.
    stop_tx.send(()).unwrap();
    let mut closing = robin::task::JoinSet::new();
    for mut ws in sockets {
        closing.spawn(async move { while next_text(&mut ws).await.is_some() {} });
    }
    timeout(BOUND, closing.join_all())
        .await
        .expect("server closed every socket");
    timeout(BOUND, server).await.unwrap().unwrap().unwrap();
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_page_and_rejects_a_plain_get_on_ws() {
    let (addr, stop_tx, server) = start().await;
    let html = timeout(BOUND, async {
        let (res, body) = http1(addr, request("GET", "/ws", None, "")).await;
        assert_eq!(res.status(), 400);
        assert_eq!(&body[..], b"expected a WebSocket handshake\n");

        // A plain client gets the head of the page at once; its end is held until the
        // page settles, which a client without the script never does: shutdown ends it.
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream))
            .await
            .unwrap();
        robin::spawn(conn);
        let res = sender
            .send_request(request("GET", "/", None, ""))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
        // The request is in (its head came back): now shut down.
        stop_tx.send(()).unwrap();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    })
    .await
    .expect("page served in time");
    assert!(html.contains("new WebSocket(`ws://${location.host}/ws`)"));
    assert!(html.trim_end().ends_with("</html>"), "{html}");
    timeout(BOUND, server).await.unwrap().unwrap().unwrap();
}

/// A temp dir for one browser run under cargo's per-target temp dir, kept for humans
/// (the screenshot) except for Chromium's profile.
fn browser_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ws_chat_browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium with `args` then `url`, bounded by coreutils' `timeout`;
/// returns its stdout. Fails the test with a clear message if Chromium is not installed.
async fn chromium(profile: &Path, args: &[String], url: String) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    );
    let profile = profile.to_owned();
    let args = args.to_vec();
    let out = robin::task::spawn_blocking(move || {
        Command::new("timeout")
            .args(["--kill-after=10", "120", CHROMIUM])
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-proxy-server",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(&args)
            .arg(url)
            .output()
    })
    .await
    .unwrap()
    .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_chats_with_a_rust_client() {
    let (addr, stop_tx, server) = start().await;
    let (mut rust, rust_id) = join(addr).await;
    // The Rust client answers each browser that says its line.
    let replier = robin::spawn(async move {
        let mut browsers = Vec::new();
        while browsers.len() < 2 {
            let text = next_text(&mut rust).await.expect("server closed early");
            if let Some((id, line)) = text.split_once(": ") {
                if line.starts_with("hello from the browser") {
                    let reply = format!("hello {id}, this is robin's rust client");
                    rust.send(Message::text(reply)).await.unwrap();
                    browsers.push(id.to_owned());
                }
            }
        }
        (browsers, rust) // Kept open: the screenshot shows no "left".
    });

    let dir = browser_dir();
    let url = format!("http://{addr}/");
    let dom = timeout(
        BOUND * 3,
        chromium(
            &dir.join("profile"),
            &["--dump-dom".to_owned()],
            url.clone(),
        ),
    )
    .await
    .expect("chromium dumped the DOM in time");
    std::fs::write(dir.join("ws_chat.dom.html"), &dom).unwrap();
    let screenshot = dir.join("ws_chat.png");
    timeout(
        BOUND * 3,
        chromium(
            &dir.join("profile"),
            &[
                format!("--screenshot={}", screenshot.display()),
                "--window-size=800,600".to_owned(),
            ],
            format!("{url}?say=hello%20from%20the%20browser%20(screenshot)"),
        ),
    )
    .await
    .expect("chromium took the screenshot in time");
    let _ = std::fs::remove_dir_all(dir.join("profile"));

    let (browsers, _rust) = timeout(BOUND, replier).await.unwrap().unwrap();
    // The DOM as rendered: the browser's own line, and the reply of the other client.
    let first = &browsers[0];
    assert!(dom.contains("me: hello from the browser"), "{dom}");
    let reply = format!("{rust_id}: hello {first}, this is robin's rust client");
    assert!(dom.contains(&reply), "reply {reply:?} not rendered:\n{dom}");
    assert!(dom.contains(&format!("* welcome {first}")), "{dom}");
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    eprintln!("screenshot: {}", screenshot.display());

    stop(stop_tx, server).await;
}
