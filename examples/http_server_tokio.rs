//! The benchmark peer of `http_server`: the same hello route (`GET /` → `Hello, world!\n`,
//! `text/plain`), one task per connection, the same hyper 1.x connection builder, on
//! tokio's multi-thread runtime (through `hyper_util::rt::TokioIo`, the standard
//! adapter). Used by `scripts/wrk_bench.sh` only.
//!
//! ```text
//! cargo run --release --example http_server_tokio --features hyper -- 127.0.0.1:3001
//! ```
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&*addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(route))
                    .await;
            });
        }
    })
}
