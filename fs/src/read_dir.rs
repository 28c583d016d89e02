//! `read_dir`, `ReadDir`, `DirEntry`: directory listing in chunks on the blocking pool.
//!
//! Each trip to the pool reads up to `CHUNK` entries (and their file types, which on
//! Linux come with the entry at no extra syscall), so listing a big directory does not
//! cost a pool round trip per entry.
use crate::blocking::asyncify;
use robin_runtime::task::{spawn_blocking, JoinHandle};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::future::{poll_fn, Future};
use std::io;
use std::os::unix::fs::DirEntryExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

const CHUNK: usize = 32;

/// Returns a stream over the entries within a directory.
///
/// # Errors
///
/// `NotFound` if the path does not exist, `NotADirectory` if it is not a directory,
/// `PermissionDenied`, ...
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("robin-fs-doc-rd-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # std::fs::write(dir.join("a"), "").unwrap();
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut entries = robin_fs::read_dir(&dir).await.unwrap();
///     let entry = entries.next_entry().await.unwrap().unwrap();
///     assert_eq!(entry.file_name(), "a");
///     assert!(entries.next_entry().await.unwrap().is_none());
/// });
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let std = asyncify(|| std::fs::read_dir(path)).await?;
    Ok(ReadDir(State::Idle(Some(Chunk {
        entries: VecDeque::new(),
        std,
        more: true,
    }))))
}

/// Reads the entries in a directory (from [`read_dir`]).
///
/// Entries come in no particular order; `.` and `..` are skipped.
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct ReadDir(State);

#[derive(Debug)]
enum State {
    Idle(Option<Chunk>),
    Pending(JoinHandle<Chunk>),
}

#[derive(Debug)]
struct Chunk {
    entries: VecDeque<io::Result<DirEntry>>,
    std: std::fs::ReadDir,
    /// False once `std` reported its end.
    more: bool,
}

impl ReadDir {
    /// Returns the next entry in the directory stream, `None` at its end.
    ///
    /// Cancel safe.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next directory entry: `Ready(Ok(None))` at the end of the stream,
    /// `Pending` while the next chunk is being read (the waker is woken then).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match self.0 {
                State::Idle(ref mut slot) => {
                    // `None` after a failed chunk: the stream has ended.
                    let Some(mut chunk) = slot.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    if let Some(entry) = chunk.entries.pop_front() {
                        *slot = Some(chunk);
                        return Poll::Ready(entry.map(Some));
                    }
                    if !chunk.more {
                        *slot = Some(chunk);
                        return Poll::Ready(Ok(None));
                    }
                    self.0 = State::Pending(spawn_blocking(move || {
                        chunk.fill();
                        chunk
                    }));
                }
                State::Pending(ref mut handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok(chunk) => self.0 = State::Idle(Some(chunk)),
                    Err(err) => {
                        // The chunk (and the std stream) is gone: end the stream.
                        self.0 = State::Idle(None);
                        return Poll::Ready(Err(io::Error::other(format!(
                            "background task failed: {err}"
                        ))));
                    }
                },
            }
        }
    }
}

impl Chunk {
    /// Reads up to `CHUNK` entries (on the blocking pool).
    fn fill(&mut self) {
        for _ in 0..CHUNK {
            match self.std.next() {
                Some(entry) => self.entries.push_back(entry.map(|std| {
                    let file_type = std.file_type().ok();
                    DirEntry {
                        std: Arc::new(std),
                        file_type,
                    }
                })),
                None => {
                    self.more = false;
                    return;
                }
            }
        }
    }
}

/// An entry inside a directory, returned by [`ReadDir::next_entry`].
#[derive(Debug)]
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    /// Fetched with the entry (free on Linux); `None` if that failed.
    file_type: Option<FileType>,
}

impl DirEntry {
    /// Returns the full path to the file this entry represents (the `read_dir` path
    /// joined with the file name).
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// Returns the bare file name of this entry, without any leading path.
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// Returns the underlying `d_ino` field of the directory entry.
    pub fn ino(&self) -> u64 {
        self.std.ino()
    }

    /// Returns the metadata of the file this entry represents; does not follow a
    /// symlink at the end of the path.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// Returns the file type of the file this entry represents; does not follow
    /// symlinks (usually known without a syscall).
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        asyncify(move || std.file_type()).await
    }
}
