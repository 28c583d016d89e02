//! The hello route of the wrk pair (`http_hello` on robin, `http_server_tokio` on
//! tokio): one source, included by both, so the two servers differ only in the runtime.
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;

/// `GET /` says hello; anything else is 404.
pub async fn route(
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
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
