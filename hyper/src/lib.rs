//! Run [hyper] 1.x on robin.
//!
//! hyper is runtime-agnostic: it asks its caller for three things, all in `hyper::rt`.
//! This crate supplies each over robin:
//!
//! - [`RobinIo`]: hyper's `rt::Read`/`rt::Write` over robin's [`TcpStream`] and
//!   [`UnixStream`] (any [`Stream`]: robin-net's sealed stream trait). Reads go straight into hyper's uninitialised buffer:
//!   no zero-filling.
//! - [`RobinExecutor`]: `rt::Executor`, spawning hyper's background futures (HTTP/1 client
//!   connections, etc.) as robin tasks.
//! - [`RobinTimer`]: `rt::Timer` over `robin_time`, so timeouts such as the server's
//!   `header_read_timeout` work.
//!
//! With the facade's `hyper` feature this crate is `robin::hyper_rt`.
//!
//! ```
//! use robin_hyper::{RobinIo, RobinTimer};
//! use robin_net::{TcpListener, TcpStream};
//!
//! let rt = robin_runtime::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     robin_runtime::spawn(async move {
//!         let (stream, _) = listener.accept().await.unwrap();
//!         let service = hyper::service::service_fn(|_req| async {
//!             Ok::<_, std::convert::Infallible>(hyper::Response::new(String::from("hi")))
//!         });
//!         hyper::server::conn::http1::Builder::new()
//!             .timer(RobinTimer::new())
//!             .serve_connection(RobinIo::new(stream), service)
//!             .await
//!             .unwrap();
//!     });
//!     let stream = TcpStream::connect(addr).await.unwrap();
//!     let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, String>(RobinIo::new(stream))
//!         .await
//!         .unwrap();
//!     robin_runtime::spawn(conn);
//!     let res = sender.send_request(hyper::Request::new(String::new())).await.unwrap();
//!     assert_eq!(res.status(), 200);
//! });
//! ```
//!
//! [`TcpStream`]: robin_net::TcpStream
//! [`UnixStream`]: robin_net::UnixStream
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod executor;
mod io;
mod timer;

pub use executor::RobinExecutor;
pub use io::{RobinIo, Stream};
pub use timer::{RobinSleep, RobinTimer};
