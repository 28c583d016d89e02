//! What the example servers share: the accept step of their loop, the graceful stop of
//! their connections, Ctrl-C, and `main`'s bind-print-serve.
//!
//! Owns no protocol: each example decides what it serves on a connection. Imports only
//! robin's public API and hyper's connection types.

use robin::net::{TcpListener, TcpStream};
use robin::sync::watch;
use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;

type BoxError = Box<dyn StdError + Send + Sync>;

/// The next connection on `listener`, or `None` once `shutdown` has resolved (then the
/// caller stops accepting; `shutdown` must not be polled again).
///
/// A failed accept (e.g. `EMFILE`) loses that one connection, not the server: it is
/// logged and the wait goes on.
///
/// ```no_run
/// # async fn demo(listener: robin::net::TcpListener) {
/// let mut shutdown = std::pin::pin!(robin::signal::ctrl_c());
/// while let Some(stream) = robin_ecosystem::server::next_connection(&listener, &mut shutdown).await {
///     drop(stream); // serve it
/// }
/// # }
/// ```
pub async fn next_connection<F: Future + Unpin>(
    listener: &TcpListener,
    shutdown: &mut F,
) -> Option<TcpStream> {
    loop {
        robin::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => return Some(stream),
                Err(err) => eprintln!("accept: {err}"),
            },
            _ = &mut *shutdown => return None,
        }
    }
}

/// Resolves once `stop` holds `true` (or its sender is gone): a connection's cue to shut
/// down gracefully.
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|&stop| stop).await;
}

/// Resolves on Ctrl-C, printing `Ctrl-C: {what}`. If Ctrl-C cannot be listened for, says
/// so and never resolves (the server runs until killed).
pub async fn ctrl_c(what: &str) {
    if let Err(e) = robin::signal::ctrl_c().await {
        eprintln!("cannot listen for Ctrl-C ({e}); running until killed");
        std::future::pending::<()>().await;
    }
    println!("Ctrl-C: {what}");
}

/// A hyper server connection that can be asked to finish gracefully: stop taking new
/// requests, answer the ones in flight, then close.
pub trait GracefulConnection: Future {
    /// Starts the graceful shutdown; the connection must still be polled to its end.
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<I, B, S, E> GracefulConnection for hyper_util::server::conn::auto::Connection<'_, I, S, E>
where
    S: hyper::service::Service<
        hyper::Request<hyper::body::Incoming>,
        Response = hyper::Response<B>,
    >,
    S::Error: Into<BoxError>,
    S::Future: 'static,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    B: hyper::body::Body + 'static,
    B::Error: Into<BoxError>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, B>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper_util::server::conn::auto::Connection::graceful_shutdown(self);
    }
}

impl<I, B, S> GracefulConnection for hyper::server::conn::http1::UpgradeableConnection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<BoxError>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    B: hyper::body::Body + 'static,
    B::Error: Into<BoxError>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http1::UpgradeableConnection::graceful_shutdown(self);
    }
}

/// Drives `conn` to its end; once `stop` holds `true` (or its sender is gone) first asks
/// it to finish gracefully. Returns the connection's own result.
pub async fn serve_until_stopped<C: GracefulConnection>(
    conn: C,
    stop: &mut watch::Receiver<bool>,
) -> C::Output {
    let mut conn = std::pin::pin!(conn);
    robin::select! {
        res = conn.as_mut() => return res,
        _ = stopped(stop) => {}
    }
    conn.as_mut().graceful_shutdown();
    conn.await
}

/// An example's `main`: on a new multi-thread runtime, binds `addr`, prints
/// `{banner}{local address}` and runs `serve` on the listener to its end.
pub fn bind_and_serve<F, Fut>(addr: &str, banner: &str, serve: F) -> io::Result<()>
where
    F: FnOnce(TcpListener) -> Fut,
    Fut: Future<Output = io::Result<()>>,
{
    let rt = robin::runtime::Runtime::new()?;
    rt.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        println!("{banner}{}", listener.local_addr()?);
        serve(listener).await
    })
}
