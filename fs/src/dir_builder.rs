//! `DirBuilder`: std's directory builder, run on the blocking pool.
use crate::blocking::asyncify;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// A builder for creating directories in various manners.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("robin-fs-doc-db-{}", std::process::id()));
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     robin_fs::DirBuilder::new().recursive(true).create(dir.join("a/b/c")).await.unwrap();
///     assert!(robin_fs::metadata(dir.join("a/b/c")).await.unwrap().is_dir());
/// });
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
    mode: Option<u32>,
}

impl DirBuilder {
    /// Creates a new set of options with default mode/security settings for all
    /// platforms and also non-recursive.
    pub fn new() -> Self {
        DirBuilder::default()
    }

    /// Indicates whether to create directories recursively (including all parent
    /// directories); a directory that already exists is then not an error.
    pub fn recursive(&mut self, recursive: bool) -> &mut Self {
        self.recursive = recursive;
        self
    }

    /// Sets the mode to create new directories with (before the umask; default
    /// `0o777`).
    pub fn mode(&mut self, mode: u32) -> &mut Self {
        self.mode = Some(mode);
        self
    }

    /// Creates the specified directory with the configured options.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` (non-recursive), `NotFound` (missing parent, non-recursive),
    /// `PermissionDenied`, ...
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref().to_owned();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(self.recursive);
        if let Some(mode) = self.mode {
            builder.mode(mode);
        }
        asyncify(move || builder.create(path)).await
    }
}
