//! The wrk benchmark's robin side: the hello route of `http_server_tokio`, the same
//! program line for line on robin (one task per connection, hyper's default connection
//! builder, no timer, no graceful shutdown), so `scripts/wrk_bench.sh` compares runtimes
//! and not two different servers. `http_server` is the full example (header timeout,
//! graceful shutdown); the script measures it too, as a third line.
//!
//! ```text
//! cargo run --release --example http_hello --features hyper -- 127.0.0.1:3001
//! ```
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use robin::hyper_rt::RobinIo;
use std::convert::Infallible;

async fn route(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => (StatusCode::OK, "Hello, world!\n"),
        _ => (StatusCode::NOT_FOUND, "not found\n"),
    };
    Ok(Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("static response parts are valid"))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    let rt = robin::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = robin::net::TcpListener::bind(&*addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            robin::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(RobinIo::new(stream), service_fn(route))
                    .await;
            });
        }
    })
}
