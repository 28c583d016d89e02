//! An HTTP/1.1 server on hyper 1.x running on robin (`--features hyper`).
//!
//! Routes: `GET /` says hello; `POST /echo` returns the request body as
//! `application/json` (bytes echoed as they came: no parsing); `GET /site/<n>` serves one
//! of [`SITE_PAGES`] generated pages, each linking to a few others (the crawler example's
//! target). One task per connection. Ctrl-C (SIGINT, through `robin::signal::ctrl_c()`)
//! stops accepting, lets in-flight requests finish (`graceful_shutdown`) and exits.
//!
//! ```text
//! cargo run --example http_server --features hyper -- 127.0.0.1:3000   # or ROBIN_HTTP_ADDR
//! curl -X POST --data '{"hi":1}' http://127.0.0.1:3000/echo
//! ```
//!
//! The tests in `hyper/tests/` include this file as a module and call [`serve`].
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use robin::hyper_rt::{RobinIo, RobinTimer};
use robin::net::TcpListener;
use robin::sync::{broadcast, oneshot};
use robin::task::JoinSet;
use std::io;
use std::time::Duration;

/// How many pages `/site/<n>` serves (n in `0..SITE_PAGES`).
pub const SITE_PAGES: usize = 1000;

/// Server knobs.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Close a connection whose request head takes longer than this to arrive.
    pub header_read_timeout: Option<Duration>,
}

/// The links on page `n` of the generated site: the next page plus two "random" ones,
/// so every page is reachable from page 0.
pub fn site_links(n: usize) -> [usize; 3] {
    [
        (n + 1) % SITE_PAGES,
        (n * 7 + 3) % SITE_PAGES,
        (n * 13 + 5) % SITE_PAGES,
    ]
}

fn site_page(n: usize) -> String {
    let mut html = format!("<html><body><h1>page {n}</h1>\n");
    for link in site_links(n) {
        html.push_str(&format!("<a href=\"/site/{link}\">page {link}</a>\n"));
    }
    html.push_str("</body></html>\n");
    html
}

fn respond(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .expect("static response parts are valid")
}

/// The router.
pub async fn route(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_owned();
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/") => respond(StatusCode::OK, "text/plain", "Hello, world!\n"),
        (&Method::POST, "/echo") => {
            let body = req.into_body().collect().await?.to_bytes();
            respond(StatusCode::OK, "application/json", body)
        }
        (&Method::GET, p) if p.starts_with("/site/") => {
            match p["/site/".len()..].parse::<usize>() {
                Ok(n) if n < SITE_PAGES => respond(StatusCode::OK, "text/html", site_page(n)),
                _ => respond(StatusCode::NOT_FOUND, "text/plain", "no such page\n"),
            }
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    })
}

/// Serves `listener` until `shutdown` fires (or its sender is dropped), then stops
/// accepting, asks every open connection to finish its in-flight request and close, and
/// returns once they all have.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    mut shutdown: oneshot::Receiver<()>,
) -> io::Result<()> {
    // Every connection task holds a receiver: one send tells them all to wind down.
    let (stop_tx, _) = broadcast::channel::<()>(1);
    let mut connections = JoinSet::new();
    loop {
        let (stream, _peer) = robin::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // A failed accept (e.g. EMFILE) drops that one connection, not the server.
                Err(err) => {
                    eprintln!("accept: {err}");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let mut stop = stop_tx.subscribe();
        let config = config.clone();
        connections.spawn(async move {
            let mut builder = http1::Builder::new();
            builder.timer(RobinTimer::new());
            if let Some(timeout) = config.header_read_timeout {
                builder.header_read_timeout(timeout);
            }
            let conn = builder.serve_connection(RobinIo::new(stream), service_fn(route));
            let mut conn = std::pin::pin!(conn);
            robin::select! {
                res = conn.as_mut() => return res,
                _ = stop.recv() => {}
            }
            conn.as_mut().graceful_shutdown();
            conn.await
        });
        // Reap finished connections so the set stays as small as the open ones.
        while connections.try_join_next().is_some() {}
    }
    let _ = stop_tx.send(());
    while let Some(done) = connections.join_next().await {
        if let Ok(Err(err)) = done {
            // A client that vanished mid-request: worth a line, not a failure.
            eprintln!("connection: {err}");
        }
    }
    Ok(())
}

#[allow(dead_code)] // The tests include this file as a module and never call `main`.
fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ROBIN_HTTP_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let rt = robin::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(&*addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let (tx, rx) = oneshot::channel();
        robin::spawn(async move {
            match robin::signal::ctrl_c().await {
                Ok(()) => {
                    println!("Ctrl-C: finishing in-flight requests");
                    let _ = tx.send(());
                }
                // Keep serving (holding `tx`) rather than stop on a listener error.
                Err(err) => {
                    eprintln!("cannot listen for Ctrl-C: {err}");
                    std::future::pending::<()>().await;
                }
            }
        });
        let config = Config {
            header_read_timeout: Some(Duration::from_secs(30)),
        };
        serve(listener, config, rx).await
    })?;
    Ok(())
}
