//! `Blocking<T>`: a blocking `Read`/`Write` handle (std's stdin, stdout, stderr) driven
//! from async code through robin's blocking pool, as tokio's `io::blocking` does.
//!
//! At most one operation is in flight. The handle and an owned buffer move into the
//! blocking closure and come back with its result, so no lock is needed:
//!
//! - read: copy out what the buffer still holds; when it is empty, start a blocking
//!   `read` of up to `MAX_BUF` bytes and wait for it;
//! - write: copy up to `MAX_BUF` bytes into the buffer, start a blocking `write_all`
//!   and report the bytes as written at once (tokio's semantics); the next write, flush
//!   or shutdown first waits for it and returns its error, if any;
//! - flush: wait for the write in flight, then run a blocking `flush`.
//!
//! A started operation cannot be cancelled (a thread is blocked in it): dropping the
//! handle lets it finish in the background. Imports only `robin_runtime::task`.
use robin_runtime::task::{spawn_blocking, JoinHandle};
use std::cmp;
use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::ReadBuf;

/// The most one blocking operation moves (tokio's number: 2 MiB).
pub(crate) const MAX_BUF: usize = 2 * 1024 * 1024;

#[derive(Debug)]
pub(crate) struct Blocking<T> {
    inner: Option<T>,
    state: State<T>,
    need_flush: bool,
}

#[derive(Debug)]
enum State<T> {
    Idle(Option<Buf>),
    Busy(JoinHandle<(io::Result<usize>, Buf, T)>),
}

/// An owned buffer and the position of its first unconsumed byte.
#[derive(Debug, Default)]
struct Buf {
    bytes: Vec<u8>,
    pos: usize,
}

impl Buf {
    fn is_empty(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.pos = 0;
    }

    /// Moves as much as fits from the unconsumed bytes into `dst`.
    fn copy_to(&mut self, dst: &mut ReadBuf<'_>) {
        let n = cmp::min(dst.remaining(), self.bytes.len() - self.pos);
        dst.put_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        if self.is_empty() {
            self.clear();
        }
    }

    fn read_from<R: Read>(&mut self, rd: &mut R, max: usize) -> io::Result<usize> {
        self.clear();
        self.bytes.resize(max, 0);
        let res = loop {
            match rd.read(&mut self.bytes) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                res => break res,
            }
        };
        self.bytes.truncate(*res.as_ref().unwrap_or(&0));
        res
    }
}

fn join_error(err: robin_runtime::task::JoinError) -> io::Error {
    io::Error::other(format!("robin: the blocking stdio operation failed: {err}"))
}

impl<T> Blocking<T> {
    pub(crate) fn new(inner: T) -> Blocking<T> {
        Blocking {
            inner: Some(inner),
            state: State::Idle(Some(Buf::default())),
            need_flush: false,
        }
    }

    /// Waits for the operation in flight (if any) and takes its result back.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if let State::Busy(handle) = &mut self.state {
            let (res, buf, inner) = ready!(Pin::new(handle).poll(cx)).map_err(join_error)?;
            self.state = State::Idle(Some(buf));
            self.inner = Some(inner);
            return Poll::Ready(res);
        }
        Poll::Ready(Ok(0))
    }

    fn take_idle(&mut self) -> (Buf, T) {
        let State::Idle(buf) = &mut self.state else {
            unreachable!("robin-io: Blocking taken while busy")
        };
        let buf = buf
            .take()
            .expect("robin-io: Blocking buffer present when idle");
        let inner = self
            .inner
            .take()
            .expect("robin-io: Blocking handle present when idle");
        (buf, inner)
    }
}

impl<T: Read + Send + 'static> Blocking<T> {
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            match &mut self.state {
                State::Idle(Some(buf)) if !buf.is_empty() => {
                    buf.copy_to(dst);
                    return Poll::Ready(Ok(()));
                }
                State::Idle(_) => {
                    if dst.remaining() == 0 {
                        return Poll::Ready(Ok(()));
                    }
                    let max = cmp::min(dst.remaining(), MAX_BUF);
                    let (mut buf, mut inner) = self.take_idle();
                    self.state = State::Busy(spawn_blocking(move || {
                        let res = buf.read_from(&mut inner, max);
                        (res, buf, inner)
                    }));
                }
                State::Busy(_) => {
                    let res = ready!(self.poll_idle(cx));
                    let State::Idle(Some(buf)) = &mut self.state else {
                        unreachable!("robin-io: Blocking idle after poll_idle")
                    };
                    match res {
                        Ok(_) => {
                            buf.copy_to(dst);
                            return Poll::Ready(Ok(()));
                        }
                        Err(err) => {
                            buf.clear();
                            return Poll::Ready(Err(err));
                        }
                    }
                }
            }
        }
    }
}

impl<T: Write + Send + 'static> Blocking<T> {
    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        // The previous write's error, if any, is this write's.
        ready!(self.poll_idle(cx))?;
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let (mut buf, mut inner) = self.take_idle();
        let n = cmp::min(src.len(), MAX_BUF);
        buf.clear();
        buf.bytes.extend_from_slice(&src[..n]);
        self.state = State::Busy(spawn_blocking(move || {
            let res = inner.write_all(&buf.bytes).map(|()| buf.bytes.len());
            buf.clear();
            (res, buf, inner)
        }));
        self.need_flush = true;
        Poll::Ready(Ok(n))
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_idle(cx))?;
            if !self.need_flush {
                return Poll::Ready(Ok(()));
            }
            self.need_flush = false;
            let (buf, mut inner) = self.take_idle();
            self.state = State::Busy(spawn_blocking(move || {
                let res = inner.flush().map(|()| 0);
                (res, buf, inner)
            }));
        }
    }
}
