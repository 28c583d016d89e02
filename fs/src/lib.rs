//! robin-fs: asynchronous filesystem operations for the robin runtime, at tokio's path
//! (`robin::fs`).
//!
//! Like tokio, robin runs filesystem work on the runtime's **blocking pool**: most
//! operating systems offer no readiness-based file I/O, so each call is a `std::fs`
//! call made on a pool thread while the task waits for its `JoinHandle`.
//!
//! - The free functions ([`read`](fn@read), [`write`](fn@write), [`metadata`](fn@metadata), ...) and [`OpenOptions`],
//!   [`DirBuilder`] make one pool trip each (`ops.rs`, `blocking.rs`).
//! - [`File`] keeps one in-flight operation and one buffer (`file.rs`, `buf.rs`), with
//!   tokio's semantics: writes are accepted at once and performed in the background
//!   (not lost if the `File` is dropped before `flush`; their error shows on the next
//!   write or flush), reads fetch up to 2 MiB ahead, and seeks give back read-ahead.
//! - [`ReadDir`] lists a directory 32 entries per pool trip (`read_dir.rs`).
//!
//! Why not io_uring (yet), and how it could serve `File` later: see `fs/README.md`.
//!
//! This crate imports only the runtime's public `task` API, `robin-sync`'s `Mutex` and
//! tokio's runtime-free I/O traits (what `robin::io` re-exports).
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("robin-fs-doc-lib-{}", std::process::id()));
//! let rt = robin_runtime::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     robin_fs::create_dir_all(&dir).await.unwrap();
//!     robin_fs::write(dir.join("hello.txt"), b"hello").await.unwrap();
//!     assert_eq!(robin_fs::read(dir.join("hello.txt")).await.unwrap(), b"hello");
//!     robin_fs::remove_dir_all(&dir).await.unwrap();
//!     assert!(!robin_fs::try_exists(&dir).await.unwrap());
//! });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod blocking;
mod buf;
mod dir_builder;
mod file;
mod open_options;
mod ops;
mod read_dir;

pub use dir_builder::DirBuilder;
pub use file::File;
pub use open_options::OpenOptions;
pub use ops::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link,
    read_to_string, remove_dir, remove_dir_all, remove_file, rename, set_permissions, symlink,
    symlink_metadata, try_exists, write,
};
pub use read_dir::{read_dir, DirEntry, ReadDir};
/// Timestamps for [`File::set_times`] (std's type: the same builder as tokio's).
pub use std::fs::FileTimes;
