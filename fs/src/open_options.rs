//! `OpenOptions`: std's options, opened on the blocking pool.
use crate::blocking::asyncify;
use crate::file::File;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Options and flags which can be used to configure how a file is opened (std's
/// `OpenOptions`, with an async [`open`](OpenOptions::open)).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("robin-fs-doc-oo-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let path = dir.join("log.txt");
///     let file = robin_fs::OpenOptions::new().append(true).create(true).open(&path).await.unwrap();
///     assert!(file.metadata().await.unwrap().is_file());
/// });
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Creates a blank new set of options ready for configuration (all `false`).
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Sets the option for read access.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Sets the option for write access.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Sets the option for append mode (writes go to the end; implies write access).
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Sets the option for truncating a previous file (needs write access).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Sets the option for creating a new file if it does not exist (needs write or
    /// append access).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Sets the option to always create a new file, failing with `AlreadyExists` if it
    /// exists (atomically); `create` and `truncate` are then ignored.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// Sets the mode bits a new file is created with (before the umask; default
    /// `0o666`).
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        self.0.mode(mode);
        self
    }

    /// Passes custom flags to the `flags` argument of `open(2)`.
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        self.0.custom_flags(flags);
        self
    }

    /// Opens a file at `path` with the options specified by `self`.
    ///
    /// # Errors
    ///
    /// As `std::fs::OpenOptions::open`: `NotFound`, `PermissionDenied`,
    /// `AlreadyExists` (with `create_new`), `InvalidInput` (invalid combination), ...
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let opts = self.0.clone();
        let std = asyncify(move || opts.open(path)).await?;
        Ok(File::from_std(std))
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}
