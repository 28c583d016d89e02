//! The wrk benchmark's robin side: `http_server_tokio` line for line on robin (the same
//! route, `support/hello_route.rs`, included by both; one task per connection, hyper's
//! default connection builder, no timer, no graceful shutdown), so
//! `scripts/wrk_bench.sh` compares runtimes and not two different servers. `http_server` is the full example (header timeout,
//! graceful shutdown); the script measures it too, as a third line.
//!
//! ```text
//! cargo run --release --example http_hello --features hyper -- 127.0.0.1:3001
//! ```
use hyper::server::conn::http1;
use hyper::service::service_fn;
use robin::hyper_rt::RobinIo;

#[path = "support/hello_route.rs"]
mod hello_route;
use hello_route::route;

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
