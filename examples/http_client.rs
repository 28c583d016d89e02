//! An HTTP/1.1 client on hyper 1.x running on robin (`--features hyper`): fetches one
//! path from `host:port` and prints the status and the body.
//!
//! ```text
//! cargo run --example http_client --features hyper -- 127.0.0.1:3000 /
//! ```
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use robin::hyper_rt::RobinIo;
use robin::net::TcpStream;

/// GETs `path` from `authority` (`host:port`); returns the status and the body.
pub async fn fetch(
    authority: &str,
    path: &str,
) -> Result<(hyper::StatusCode, Bytes), Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(authority).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(RobinIo::new(stream)).await?;
    // The connection future drives the socket; it ends when `sender` is dropped.
    let driver = robin::spawn(conn);
    let req = Request::get(path)
        .header("host", authority)
        .body(Empty::<Bytes>::new())?;
    let res = sender.send_request(req).await?;
    let status = res.status();
    let body = res.into_body().collect().await?.to_bytes();
    drop(sender);
    driver.await??;
    Ok((status, body))
}

#[allow(dead_code)] // Included by the tests as a module, where `main` is unused.
#[robin::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let authority = args.next().unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let path = args.next().unwrap_or_else(|| "/".to_owned());
    let (status, body) = fetch(&authority, &path).await?;
    println!("{status}");
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
