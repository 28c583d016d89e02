//! `File`: a `std::fs::File` driven from async code through the blocking pool.
//!
//! At most one operation is in flight per `File` (`State::Busy` holds its
//! `JoinHandle`); it owns the file's one [`Buf`] while it runs and hands it back with
//! its result. Writes are *accepted* immediately (copied into the buffer, up to
//! `max_buf_size`) and performed in the background; their error surfaces on the next
//! write, flush or seek. Read-ahead data left in the buffer is discarded (with a seek
//! back) before a write, seek or `set_len`, so the OS file position always matches what
//! the user has consumed — tokio's semantics exactly.
use crate::blocking::asyncify;
use crate::buf::Buf;
use crate::open_options::OpenOptions;
use robin_runtime::task::{spawn_blocking, JoinHandle};
use robin_sync::Mutex;
use std::fmt;
use std::fs::{FileTimes, Metadata, Permissions};
use std::future::{poll_fn, Future};
use std::io::{self, Seek, SeekFrom};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::SystemTime;
use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

/// The largest read or write handed to the blocking pool at once (tokio's default).
const DEFAULT_MAX_BUF_SIZE: usize = 2 * 1024 * 1024;

/// A reference to an open file on the filesystem.
///
/// Created by [`File::open`], [`File::create`], [`File::create_new`] or
/// [`OpenOptions`]; implements tokio's `AsyncRead`, `AsyncWrite` and `AsyncSeek`, so the
/// `*Ext` helpers (`read_to_end`, `write_all`, `seek`, ...) work on it.
///
/// A file is not closed immediately when it goes out of scope if an operation is still
/// in flight: **a write accepted by `write` is not lost** when the `File` is dropped
/// before `flush` — the blocking pool finishes it, and then the descriptor closes; even
/// a runtime shutting down first performs it (on the thread that cancels the job)
/// rather than drop it. Its error, if any, is then lost; call [`flush`](tokio::io::AsyncWriteExt::flush) to see
/// it and to be sure the write happened before going on. Flushing does not put the data
/// on disk either (the OS may still cache it): that is [`File::sync_all`]'s job.
///
/// Reading and writing use the blocking pool, one chunk of at most
/// [`max_buf_size`](File::set_max_buf_size) bytes (2 MiB by default) per trip.
///
/// ```
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// # let dir = std::env::temp_dir().join(format!("robin-fs-doc-file-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("foo.txt");
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut file = robin_fs::File::create(&path).await.unwrap();
///     file.write_all(b"hello, world!").await.unwrap();
///     file.flush().await.unwrap();
///     let mut contents = String::new();
///     robin_fs::File::open(&path).await.unwrap().read_to_string(&mut contents).await.unwrap();
///     assert_eq!(contents, "hello, world!");
/// });
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct File {
    std: Arc<std::fs::File>,
    inner: Mutex<Inner>,
    max_buf_size: usize,
}

struct Inner {
    state: State,
    /// An error of a background write, to report on the next write/flush.
    last_write_err: Option<io::ErrorKind>,
    /// The position the last completed seek reported (what `poll_complete` returns).
    pos: u64,
}

enum State {
    /// No operation in flight; the buffer (always `Some` between method calls) may hold
    /// read-ahead data.
    Idle(Option<Buf>),
    Busy(JoinHandle<(Operation, Buf)>),
}

enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
}

impl File {
    /// Attempts to open a file in read-only mode.
    ///
    /// # Errors
    ///
    /// As `std::fs::File::open`: `NotFound` if the path does not exist,
    /// `PermissionDenied` without read permission, ...
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let err = robin_fs::File::open("/robin/no/such/file").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let std = asyncify(|| std::fs::File::open(path)).await?;
        Ok(File::from_std(std))
    }

    /// Opens a file in write-only mode, creating it if it does not exist and truncating
    /// it if it does.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let std = asyncify(|| std::fs::File::create(path)).await?;
        Ok(File::from_std(std))
    }

    /// Opens a file in read-write mode, creating it; fails with `AlreadyExists` if it
    /// already exists (atomically: no race between the check and the creation).
    pub async fn create_new<P: AsRef<Path>>(path: P) -> io::Result<File> {
        File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// Returns a new [`OpenOptions`] object (all options off).
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Converts a `std::fs::File` to a robin `File`.
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner {
                state: State::Idle(Some(Buf::default())),
                last_write_err: None,
                pos: 0,
            }),
            max_buf_size: DEFAULT_MAX_BUF_SIZE,
        }
    }

    /// Attempts to sync all OS-internal metadata and data to disk (`fsync`), after any
    /// in-flight write has completed.
    pub async fn sync_all(&self) -> io::Result<()> {
        let mut inner = self.inner.lock().await;
        inner.complete_inflight().await;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// Like [`File::sync_all`], but may skip metadata that is not needed to read the
    /// data back (`fdatasync`).
    pub async fn sync_data(&self) -> io::Result<()> {
        let mut inner = self.inner.lock().await;
        inner.complete_inflight().await;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }

    /// Truncates or extends the underlying file to `size` bytes, after any in-flight
    /// operation. The cursor is not moved (beyond dropping read-ahead data).
    ///
    /// # Errors
    ///
    /// If the file is not open for writing (`InvalidInput` on Linux).
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        let mut inner = self.inner.lock().await;
        inner.complete_inflight().await;
        let mut buf = match inner.state {
            State::Idle(ref mut buf) => buf.take().expect("buffer present while idle"),
            State::Busy(_) => unreachable!("completed above"),
        };
        let seek = (!buf.is_empty()).then(|| SeekFrom::Current(buf.discard_read()));
        let std = self.std.clone();
        inner.state = State::Busy(spawn_blocking(move || {
            let res = match seek {
                Some(seek) => (&*std).seek(seek).and_then(|_| std.set_len(size)),
                None => std.set_len(size),
            };
            (Operation::Seek(res.map(|()| 0)), buf)
        }));
        let (op, buf) = poll_fn(|cx| inner.poll_busy(cx)).await?;
        inner.state = State::Idle(Some(buf));
        match op {
            Operation::Seek(res) => res.map(|_| ()),
            _ => unreachable!("set_len runs a Seek operation"),
        }
    }

    /// Queries metadata about the underlying file.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// Creates a new `File` instance that shares the same underlying file handle (and
    /// so the same cursor), after any in-flight operation.
    pub async fn try_clone(&self) -> io::Result<File> {
        self.inner.lock().await.complete_inflight().await;
        let std = self.std.clone();
        let std = asyncify(move || std.try_clone()).await?;
        Ok(File::from_std(std))
    }

    /// Destructures `File` into a `std::fs::File`, after any in-flight operation (whose
    /// error is lost: flush first to see it). Read-ahead data is dropped.
    pub async fn into_std(mut self) -> std::fs::File {
        self.inner.get_mut().complete_inflight().await;
        Arc::try_unwrap(self.std).expect("no operation holds the file once completed")
    }

    /// Tries to immediately destructure `File` into a `std::fs::File`; gives the `File`
    /// back if an operation is still in flight.
    #[allow(clippy::result_large_err)] // tokio's signature
    pub fn try_into_std(mut self) -> Result<std::fs::File, File> {
        match Arc::try_unwrap(self.std) {
            Ok(std) => Ok(std),
            Err(std) => {
                self.std = std;
                Err(self)
            }
        }
    }

    /// Changes the permissions on the underlying file.
    pub async fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        let std = self.std.clone();
        asyncify(move || std.set_permissions(perm)).await
    }

    /// Changes the timestamps of the underlying file, after any in-flight operation (so
    /// a write finishing later cannot overwrite them).
    pub async fn set_times(&self, times: FileTimes) -> io::Result<()> {
        self.inner.lock().await.complete_inflight().await;
        let std = self.std.clone();
        asyncify(move || std.set_times(times)).await
    }

    /// Changes the modification timestamp of the underlying file (`set_times` with only
    /// the modification time set).
    pub async fn set_modified(&self, time: SystemTime) -> io::Result<()> {
        self.set_times(FileTimes::new().set_modified(time)).await
    }

    /// Sets the largest number of bytes one read or write hands to the blocking pool
    /// (2 MiB by default). Larger means fewer trips for big transfers, at the cost of
    /// a buffer that large per `File`.
    ///
    /// # Panics
    ///
    /// If `max_buf_size` is 0.
    #[track_caller]
    pub fn set_max_buf_size(&mut self, max_buf_size: usize) {
        assert!(max_buf_size > 0, "`max_buf_size` must be greater than 0");
        self.max_buf_size = max_buf_size;
    }

    /// The largest number of bytes one read or write hands to the blocking pool.
    pub fn max_buf_size(&self) -> usize {
        self.max_buf_size
    }
}

impl Inner {
    /// Waits for the in-flight operation; keeps a write error for the next write/flush.
    async fn complete_inflight(&mut self) {
        poll_fn(|cx| match self.poll_flush(cx) {
            Poll::Ready(Err(err)) => {
                self.last_write_err = Some(err.kind());
                Poll::Ready(())
            }
            Poll::Ready(Ok(())) => Poll::Ready(()),
            Poll::Pending => Poll::Pending,
        })
        .await
    }

    /// Polls the in-flight operation (the state must be `Busy`). On a `JoinError` the
    /// state goes back to idle with a fresh buffer.
    fn poll_busy(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<(Operation, Buf)>> {
        let State::Busy(handle) = &mut self.state else {
            unreachable!("poll_busy while idle");
        };
        match ready!(Pin::new(handle).poll(cx)) {
            Ok(done) => Poll::Ready(Ok(done)),
            Err(err) => {
                self.state = State::Idle(Some(Buf::default()));
                Poll::Ready(Err(io::Error::other(format!(
                    "background task failed: {err}"
                ))))
            }
        }
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(kind) = self.last_write_err.take() {
            return Poll::Ready(Err(kind.into()));
        }
        if let State::Idle(_) = self.state {
            return Poll::Ready(Ok(()));
        }
        let (op, buf) = ready!(self.poll_busy(cx))?;
        self.state = State::Idle(Some(buf));
        match op {
            Operation::Write(res) => Poll::Ready(res),
            Operation::Read(_) | Operation::Seek(_) => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        loop {
            match inner.state {
                State::Idle(ref mut slot) => {
                    let mut buf = slot.take().expect("buffer present while idle");
                    if !buf.is_empty() || dst.remaining() == 0 {
                        buf.copy_to(dst);
                        *slot = Some(buf);
                        return Poll::Ready(Ok(()));
                    }
                    let len = dst.remaining().min(me.max_buf_size);
                    let std = me.std.clone();
                    inner.state = State::Busy(spawn_blocking(move || {
                        let res = buf.read_from(&mut &*std, len);
                        (Operation::Read(res), buf)
                    }));
                }
                State::Busy(_) => {
                    let (op, mut buf) = ready!(inner.poll_busy(cx))?;
                    match op {
                        Operation::Read(Ok(_)) => {
                            buf.copy_to(dst);
                            inner.state = State::Idle(Some(buf));
                            return Poll::Ready(Ok(()));
                        }
                        Operation::Read(Err(err)) => {
                            inner.state = State::Idle(Some(buf));
                            return Poll::Ready(Err(err));
                        }
                        Operation::Write(res) => {
                            // Reported by the next write or flush.
                            if let Err(err) = res {
                                inner.last_write_err = Some(err.kind());
                            }
                            inner.state = State::Idle(Some(buf));
                        }
                        Operation::Seek(res) => {
                            if let Ok(pos) = res {
                                inner.pos = pos;
                            }
                            inner.state = State::Idle(Some(buf));
                        }
                    }
                }
            }
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        if let Some(kind) = inner.last_write_err.take() {
            return Poll::Ready(Err(kind.into()));
        }
        loop {
            match inner.state {
                State::Idle(ref mut slot) => {
                    let mut buf = slot.take().expect("buffer present while idle");
                    // Give back read-ahead data first, so the write lands where the
                    // reader stopped.
                    let seek = (!buf.is_empty()).then(|| SeekFrom::Current(buf.discard_read()));
                    let n = buf.copy_from(src, me.max_buf_size);
                    let mut job = WriteJob {
                        std: me.std.clone(),
                        seek,
                        buf: Some(buf),
                    };
                    inner.state = State::Busy(spawn_blocking(move || job.run()));
                    return Poll::Ready(Ok(n));
                }
                State::Busy(_) => {
                    let (op, buf) = ready!(inner.poll_busy(cx))?;
                    inner.state = State::Idle(Some(buf));
                    match op {
                        // Read-ahead is discarded in the idle branch above.
                        Operation::Read(_) => {}
                        Operation::Write(res) => res?,
                        Operation::Seek(res) => {
                            if let Ok(pos) = res {
                                inner.pos = pos;
                            }
                        }
                    }
                }
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.get_mut().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// An accepted write on its way to the pool. If the pool drops it unrun (a runtime
/// shutting down cancels queued blocking jobs), its `Drop` performs the write there and
/// then, so an accepted write is never lost (tokio runs these jobs as "mandatory").
struct WriteJob {
    std: Arc<std::fs::File>,
    seek: Option<SeekFrom>,
    /// `None` once run.
    buf: Option<Buf>,
}

impl WriteJob {
    fn run(&mut self) -> (Operation, Buf) {
        let mut buf = self.buf.take().expect("a write job runs once");
        let res = match self.seek {
            Some(seek) => (&*self.std)
                .seek(seek)
                .and_then(|_| buf.write_to(&mut &*self.std)),
            None => buf.write_to(&mut &*self.std),
        };
        (Operation::Write(res), buf)
    }
}

impl Drop for WriteJob {
    fn drop(&mut self) {
        if self.buf.is_some() {
            // Nobody can see the result any more (the task was cancelled).
            let _ = self.run();
        }
    }
}

impl AsyncSeek for File {
    fn start_seek(self: Pin<&mut Self>, mut pos: SeekFrom) -> io::Result<()> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        match inner.state {
            State::Busy(_) => Err(io::Error::other(
                "other file operation is pending, call poll_complete before start_seek",
            )),
            State::Idle(ref mut slot) => {
                let mut buf = slot.take().expect("buffer present while idle");
                if !buf.is_empty() {
                    let back = buf.discard_read();
                    if let SeekFrom::Current(ref mut offset) = pos {
                        *offset += back;
                    }
                }
                let std = me.std.clone();
                inner.state = State::Busy(spawn_blocking(move || {
                    let res = (&*std).seek(pos);
                    (Operation::Seek(res), buf)
                }));
                Ok(())
            }
        }
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let inner = self.get_mut().inner.get_mut();
        loop {
            if let State::Idle(_) = inner.state {
                return Poll::Ready(Ok(inner.pos));
            }
            let (op, buf) = ready!(inner.poll_busy(cx))?;
            inner.state = State::Idle(Some(buf));
            match op {
                Operation::Read(_) => {}
                Operation::Write(res) => {
                    if let Err(err) = res {
                        inner.last_write_err = Some(err.kind());
                    }
                }
                Operation::Seek(res) => {
                    if let Ok(pos) = res {
                        inner.pos = pos;
                    }
                    return Poll::Ready(res);
                }
            }
        }
    }
}

impl From<std::fs::File> for File {
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("std", &self.std).finish()
    }
}

impl AsRawFd for File {
    fn as_raw_fd(&self) -> RawFd {
        self.std.as_raw_fd()
    }
}

impl AsFd for File {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.std.as_fd()
    }
}
