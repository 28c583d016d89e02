//! The tokio side of the wrk pair (robin's is `http_hello`, the same program): the hello
//! route (`GET /` → `Hello, world!\n`, `text/plain`; `support/hello_route.rs`, included
//! by both), one task per connection, hyper 1.x's default connection builder, on tokio's
//! multi-thread runtime (through `hyper_util::rt::TokioIo`, the standard adapter). Used
//! by `scripts/wrk_bench.sh` only.
//!
//! ```text
//! cargo run --release --example http_server_tokio --features hyper -- 127.0.0.1:3001
//! ```
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

#[path = "support/hello_route.rs"]
mod hello_route;
use hello_route::route;

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
