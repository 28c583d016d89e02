//! The free functions of `robin::fs`: each one `std::fs` call on the blocking pool.
//!
//! Every function takes owned copies of its arguments to the pool thread, and returns
//! std's `io::Error` unchanged (so `ErrorKind`s are std's: `NotFound`,
//! `PermissionDenied`, `AlreadyExists`, `IsADirectory`, `DirectoryNotEmpty`, ...).
//!
//! # Panics
//!
//! Every function panics when awaited outside a robin runtime (as tokio's do).
use crate::blocking::asyncify;
use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

fn owned(path: impl AsRef<Path>) -> PathBuf {
    path.as_ref().to_owned()
}

/// Reads the entire contents of a file into a bytes vector.
///
/// ```
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let bytes = robin_fs::read("/proc/self/comm").await.unwrap();
/// assert!(bytes.ends_with(b"\n"));
/// # });
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = owned(path);
    asyncify(move || std::fs::read(path)).await
}

/// Reads the entire contents of a file into a string; `InvalidData` if it is not
/// UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = owned(path);
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Creates a file (or truncates it) and writes `contents` as its entire contents.
///
/// ```
/// # let path = std::env::temp_dir().join(format!("robin-fs-doc-write-{}", std::process::id()));
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// robin_fs::write(&path, "hello").await.unwrap();
/// assert_eq!(robin_fs::read_to_string(&path).await.unwrap(), "hello");
/// robin_fs::remove_file(&path).await.unwrap();
/// # });
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = owned(path);
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Creates a new, empty directory at the provided path (its parent must exist).
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = owned(path);
    asyncify(move || std::fs::create_dir(path)).await
}

/// Recursively creates a directory and all of its parent components if they are
/// missing; succeeds if it already exists.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = owned(path);
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes a file from the filesystem (not a directory).
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = owned(path);
    asyncify(move || std::fs::remove_file(path)).await
}

/// Removes an existing, empty directory.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = owned(path);
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory at this path, after removing all its contents. Use carefully!
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = owned(path);
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Renames a file or directory to a new name, replacing the original file if `to`
/// already exists.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (owned(from), owned(to));
    asyncify(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permissions of one file to another, returning the number
/// of bytes copied.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (owned(from), owned(to));
    asyncify(move || std::fs::copy(from, to)).await
}

/// Creates a new hard link on the filesystem: `link` will point to `original`.
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (owned(original), owned(link));
    asyncify(move || std::fs::hard_link(original, link)).await
}

/// Creates a new symbolic link on the filesystem: `link` will point to `original`.
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (owned(original), owned(link));
    asyncify(move || std::os::unix::fs::symlink(original, link)).await
}

/// Reads a symbolic link, returning the path it points to.
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = owned(path);
    asyncify(move || std::fs::read_link(path)).await
}

/// Given a path, queries the file system for information about a file, directory, etc.
/// (following symlinks).
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = owned(path);
    asyncify(move || std::fs::metadata(path)).await
}

/// Queries the metadata about a file without following symlinks.
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = owned(path);
    asyncify(move || std::fs::symlink_metadata(path)).await
}

/// Returns the canonical, absolute form of a path with all intermediate components
/// normalized and symbolic links resolved.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = owned(path);
    asyncify(move || std::fs::canonicalize(path)).await
}

/// Changes the permissions found on a file or a directory.
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = owned(path);
    asyncify(move || std::fs::set_permissions(path, perm)).await
}

/// Returns `Ok(true)` if the path points at an existing entity (following symlinks),
/// `Ok(false)` if it does not, and an error if that cannot be determined (e.g. a
/// permission denied on a parent directory).
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = owned(path);
    asyncify(move || path.try_exists()).await
}
