//! Anonymous pipes and FIFOs on the runtime's driver (tokio's `net::unix::pipe`):
//! [`pipe`], [`Sender`] (the write end) and [`Receiver`] (the read end), with
//! [`OpenOptions`] to open a named FIFO.
//!
//! Both ends implement tokio's and futures-io's async traits and the `try_*` family.
//! A [`Sender`] on a pipe whose read end is closed gets `BrokenPipe`; a [`Receiver`]
//! reads EOF (`Ok(0)`) once every write end is closed.
use crate::evented::Evented;
use robin_runtime::io::{Direction, Interest, Ready};
use std::fs::File;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A new anonymous pipe: `(write end, read end)`. Panics outside a robin runtime with the I/O driver, as tokio's.
///
/// ```
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut tx, mut rx) = robin_net::unix::pipe::pipe().unwrap();
///     tx.write_all(b"through a pipe").await.unwrap();
///     drop(tx); // EOF for the reader
///     let mut got = String::new();
///     rx.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "through a pipe");
/// });
/// ```
#[track_caller]
pub fn pipe() -> io::Result<(Sender, Receiver)> {
    let (tx, rx) = mio::unix::pipe::new()?;
    Ok((Sender::new(tx)?, Receiver::new(rx)?))
}

/// Options to open a named FIFO as a [`Sender`] or [`Receiver`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read_write: bool,
    unchecked: bool,
}

impl OpenOptions {
    /// Default options: open write-only (sender) or read-only (receiver), and check
    /// that the file is a FIFO.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Open read-write (Linux): a sender opened this way does not fail with `ENXIO`
    /// when no reader is there yet, and a receiver does not see EOF when the last
    /// writer leaves.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn read_write(&mut self, value: bool) -> &mut OpenOptions {
        self.read_write = value;
        self
    }

    /// Skip the check that the file is a FIFO.
    pub fn unchecked(&mut self, value: bool) -> &mut OpenOptions {
        self.unchecked = value;
        self
    }

    /// Opens the FIFO at `path` as a read end.
    #[track_caller]
    pub fn open_receiver<P: AsRef<Path>>(&self, path: P) -> io::Result<Receiver> {
        let file = self.open(path.as_ref(), false)?;
        Receiver::from_file_unchecked(file)
    }

    /// Opens the FIFO at `path` as a write end (`ENXIO` if nobody has it open for
    /// reading, unless `read_write`).
    #[track_caller]
    pub fn open_sender<P: AsRef<Path>>(&self, path: P) -> io::Result<Sender> {
        let file = self.open(path.as_ref(), true)?;
        Sender::from_file_unchecked(file)
    }

    fn open(&self, path: &Path, write: bool) -> io::Result<File> {
        let file = std::fs::OpenOptions::new()
            .read(!write || self.read_write)
            .write(write || self.read_write)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)?;
        if !self.unchecked && !is_fifo(&file)? {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a pipe"));
        }
        Ok(file)
    }
}

fn is_fifo(file: &File) -> io::Result<bool> {
    Ok(file.metadata()?.file_type().is_fifo())
}

/// The access mode of `fd` (`O_RDONLY`, `O_WRONLY` or `O_RDWR`), and non-blocking on.
fn prepare(fd: &impl AsRawFd) -> io::Result<libc::c_int> {
    // SAFETY: `fcntl(F_GETFL)` / `F_SETFL` on a descriptor we borrow, no pointers.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags & libc::O_ACCMODE)
}

/// The write end of a pipe or FIFO.
#[derive(Debug)]
pub struct Sender {
    io: Evented<mio::unix::pipe::Sender>,
}

/// The read end of a pipe or FIFO.
#[derive(Debug)]
pub struct Receiver {
    io: Evented<mio::unix::pipe::Receiver>,
}

/// What both pipe ends share, written once: construction from a file or descriptor
/// (checked for the access mode `$modes`), `ready`, conversion back to a descriptor, and
/// `AsRawFd`/`AsFd`.
macro_rules! pipe_end {
    ($name:ident, $mio:ty, $interest:expr, $modes:pat, $side:literal, $not:literal) => {
        impl $name {
            #[track_caller]
            fn new(end: $mio) -> io::Result<$name> {
                Ok($name {
                    io: Evented::new(end, $interest)?,
                })
            }

            #[doc = concat!("Over an open FIFO `file` (made non-blocking); `InvalidInput` if it is not a FIFO or not open for ", $side, ".")]
            #[track_caller]
            pub fn from_file(file: File) -> io::Result<$name> {
                if !is_fifo(&file)? {
                    return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a pipe"));
                }
                $name::from_owned_fd(file.into())
            }

            #[doc = concat!("Over an open pipe descriptor (made non-blocking); `InvalidInput` if it is not open for ", $side, ".")]
            #[track_caller]
            pub fn from_owned_fd(fd: OwnedFd) -> io::Result<$name> {
                match prepare(&fd)? {
                    $modes => $name::new(<$mio>::from(fd)),
                    _ => Err(io::Error::new(io::ErrorKind::InvalidInput, $not)),
                }
            }

            /// As `from_file` without the checks.
            #[track_caller]
            pub fn from_file_unchecked(file: File) -> io::Result<$name> {
                prepare(&file)?;
                $name::new(<$mio>::from(OwnedFd::from(file)))
            }

            /// Waits for any of `interest`, and reports what it asked for (as tokio's).
            pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
                self.io.ready(interest).await
            }

            /// Deregisters and returns the descriptor (still non-blocking).
            pub fn into_nonblocking_fd(self) -> io::Result<OwnedFd> {
                Ok(OwnedFd::from(self.io.into_inner()?))
            }

            /// Deregisters and returns the descriptor in blocking mode.
            pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
                let fd = self.into_nonblocking_fd()?;
                set_blocking(&fd)?;
                Ok(fd)
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.io.io().as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.io.io().as_fd()
            }
        }
    };
}

pipe_end!(
    Sender,
    mio::unix::pipe::Sender,
    Interest::WRITABLE,
    libc::O_WRONLY | libc::O_RDWR,
    "writing",
    "not a writable pipe"
);
pipe_end!(
    Receiver,
    mio::unix::pipe::Receiver,
    Interest::READABLE,
    libc::O_RDONLY | libc::O_RDWR,
    "reading",
    "not a readable pipe"
);

impl Sender {
    /// Waits until writable (or the read end closed).
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(|_| ())
    }

    /// Polls for write readiness.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Write)
    }

    /// Writes without waiting: `WouldBlock` if the pipe is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |mut io| io.write(buf))
    }

    /// Writes from several buffers without waiting.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |mut io| io.write_vectored(bufs))
    }

    fn poll_write_priv(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.io
            .poll_stream_io(cx, Direction::Write, buf.len(), |mut io| io.write(buf))
    }

    fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().map(|b| b.len()).sum();
        self.io
            .poll_stream_io(cx, Direction::Write, len, |mut io| io.write_vectored(bufs))
    }
}

impl Receiver {
    /// Waits until readable (data, EOF or an error).
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(|_| ())
    }

    /// Polls for read readiness.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Read)
    }

    /// Reads without waiting: `WouldBlock` if the pipe is empty, `Ok(0)` at EOF.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |mut io| io.read(buf))
    }

    /// Reads into several buffers without waiting.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |mut io| io.read_vectored(bufs))
    }

    fn poll_read_priv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let len = buf.len();
        self.io
            .poll_stream_io(cx, Direction::Read, len, |mut io| io.read(buf))
    }
}

fn set_blocking(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: `fcntl(F_GETFL)` on a descriptor we own, no pointers.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fcntl(F_SETFL)` on a descriptor we own, no pointers.
    let rc = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl tokio::io::AsyncRead for Receiver {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        crate::buf::poll_fill(buf, |bytes| self.poll_read_priv(cx, bytes))
    }
}

impl futures_io::AsyncRead for Receiver {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Sender {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored_priv(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// A pipe has no write-side shutdown: nothing to do (drop the sender for EOF).
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl futures_io::AsyncWrite for Sender {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
