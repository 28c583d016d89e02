//! `robin::fs` through the facade, on both runtime flavors, in real temp directories.
use robin::fs::{self, DirBuilder, File, OpenOptions};
use robin::runtime::Runtime;
use robin_test_support::both_flavors;
use std::io::{ErrorKind, SeekFrom};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

fn runtimes() -> [(&'static str, Runtime); 2] {
    let [current, multi] = both_flavors();
    [("current", current), ("multi", multi)]
}

/// A fresh directory for one test and flavor, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str, flavor: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("robin-fs-{}-{test}-{flavor}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn file_write_read_roundtrip_across_many_chunks() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("roundtrip", flavor);
        rt.block_on(async {
            let path = dir.join("data");
            let data = pattern(5 * 1024 * 1024 + 17); // more than two 2 MiB chunks
            let mut file = File::create(&path).await.unwrap();
            file.write_all(&data).await.unwrap();
            file.flush().await.unwrap();
            drop(file);
            let mut back = Vec::new();
            File::open(&path)
                .await
                .unwrap()
                .read_to_end(&mut back)
                .await
                .unwrap();
            assert!(back == data, "roundtrip");
            // A small max_buf_size: many more trips, same bytes.
            let mut file = File::open(&path).await.unwrap();
            assert_eq!(file.max_buf_size(), 2 * 1024 * 1024);
            file.set_max_buf_size(4096);
            assert_eq!(file.max_buf_size(), 4096);
            let mut buf = [0u8; 10_000];
            let n = file.read(&mut buf).await.unwrap();
            assert_eq!(n, 4096, "one trip reads at most max_buf_size");
            assert_eq!(&buf[..n], &data[..n]);
        });
    }
}

#[test]
fn a_write_is_not_lost_when_the_file_is_dropped_before_flush() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("drop-before-flush", flavor);
        let data = pattern(1024 * 1024);
        // The runtime keeps running: the pool finishes the write in the background.
        let path = dir.join("alive");
        rt.block_on(async {
            let mut file = File::create(&path).await.unwrap();
            // `write` accepts the bytes at once; the pool writes them in the background.
            assert_eq!(file.write(&data).await.unwrap(), data.len());
            drop(file); // no flush
            for _ in 0..1000 {
                if std::fs::metadata(&path).unwrap().len() == data.len() as u64 {
                    break;
                }
                robin::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            assert!(std::fs::read(&path).unwrap() == data, "the write happened");
        });
        // The runtime shuts down right after the drop: the write still happens.
        let path = dir.join("shutdown");
        rt.block_on(async {
            let mut file = File::create(&path).await.unwrap();
            file.write_all(&data).await.unwrap();
        });
        drop(rt);
        assert!(
            std::fs::read(&path).unwrap() == data,
            "the write happened before shutdown returned"
        );
    }
}

#[test]
fn seek_read_ahead_and_writes_keep_the_cursor_where_the_user_is() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("seek", flavor);
        rt.block_on(async {
            let path = dir.join("data");
            fs::write(&path, b"0123456789").await.unwrap();
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .await
                .unwrap();
            let mut two = [0u8; 2];
            file.read_exact(&mut two).await.unwrap(); // reads ahead all 10 bytes
            assert_eq!(&two, b"01");
            // The write lands after what was consumed, not after the read-ahead.
            file.write_all(b"ab").await.unwrap();
            assert_eq!(file.stream_position().await.unwrap(), 4);
            assert_eq!(file.seek(SeekFrom::Start(1)).await.unwrap(), 1);
            file.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"1a");
            assert_eq!(file.seek(SeekFrom::Current(-1)).await.unwrap(), 2);
            assert_eq!(file.seek(SeekFrom::End(-2)).await.unwrap(), 8);
            let mut rest = String::new();
            file.read_to_string(&mut rest).await.unwrap();
            assert_eq!(rest, "89");
            file.flush().await.unwrap();
            assert_eq!(fs::read(&path).await.unwrap(), b"01ab456789");
        });
    }
}

#[test]
fn file_metadata_len_sync_clone_and_std_conversions() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("file-methods", flavor);
        rt.block_on(async {
            let path = dir.join("data");
            let mut file = File::create_new(&path).await.unwrap();
            assert_eq!(
                File::create_new(&path).await.unwrap_err().kind(),
                ErrorKind::AlreadyExists
            );
            file.write_all(b"hello world").await.unwrap();
            // &self methods complete the in-flight write first.
            file.sync_all().await.unwrap();
            file.sync_data().await.unwrap();
            assert_eq!(file.metadata().await.unwrap().len(), 11);
            file.set_len(5).await.unwrap();
            assert_eq!(file.metadata().await.unwrap().len(), 5);
            file.set_len(8).await.unwrap();
            assert_eq!(fs::read(&path).await.unwrap(), b"hello\0\0\0");

            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .await
                .unwrap();
            assert_eq!(
                file.metadata().await.unwrap().permissions().mode() & 0o777,
                0o600
            );

            // A clone shares the cursor.
            let mut clone = file.try_clone().await.unwrap();
            clone.seek(SeekFrom::Start(0)).await.unwrap();
            let mut back = [0u8; 5];
            file.read_exact(&mut back).await.unwrap();
            assert_eq!(&back, b"hello");

            // try_into_std fails while a write is in flight and gives the File back.
            clone.write_all(&pattern(1 << 20)).await.unwrap();
            let clone = match clone.try_into_std() {
                Ok(std) => File::from_std(std), // the pool was already done
                Err(file) => file,
            };
            let std = clone.into_std().await;
            assert_eq!(std.metadata().unwrap().len(), 5 + (1 << 20));
            let idle = File::from(std);
            assert!(idle.try_into_std().is_ok(), "nothing in flight");
            let _: std::fs::File = file.into_std().await;
        });
    }
}

#[test]
fn open_options_flags() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("open-options", flavor);
        rt.block_on(async {
            let path = dir.join("log");
            assert_eq!(
                OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .await
                    .unwrap_err()
                    .kind(),
                ErrorKind::NotFound
            );
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .mode(0o640)
                .open(&path)
                .await
                .unwrap();
            f.write_all(b"one\n").await.unwrap();
            f.flush().await.unwrap();
            assert_eq!(
                fs::metadata(&path).await.unwrap().mode() & 0o777,
                0o640 & !umask()
            );
            let mut f = File::options().append(true).open(&path).await.unwrap();
            f.write_all(b"two\n").await.unwrap();
            f.flush().await.unwrap();
            assert_eq!(fs::read_to_string(&path).await.unwrap(), "one\ntwo\n");
            let f = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&path)
                .await
                .unwrap();
            assert_eq!(f.metadata().await.unwrap().len(), 0);
            let err = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AlreadyExists);
            // custom_flags: O_NOFOLLOW refuses a symlink.
            fs::symlink(&path, dir.join("link")).await.unwrap();
            let err = OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(dir.join("link"))
                .await
                .unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ELOOP));
            let from_std: OpenOptions = std::fs::OpenOptions::new().read(true).clone().into();
            assert!(from_std.open(&path).await.is_ok());
            assert!(
                OpenOptions::default().open(&path).await.is_err(),
                "no access mode"
            );
        });
    }
}

fn umask() -> u32 {
    // SAFETY: umask(2) cannot fail; set and restore it to read it.
    unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old
    }
}

#[test]
fn directories_builder_read_dir_and_entries() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("dirs", flavor);
        rt.block_on(async {
            let nested = dir.join("a/b/c");
            assert_eq!(
                DirBuilder::new().create(&nested).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&nested)
                .await
                .unwrap();
            assert_eq!(
                fs::metadata(&nested).await.unwrap().mode() & 0o777,
                0o700 & !umask()
            );
            fs::create_dir(dir.join("d")).await.unwrap();
            assert_eq!(
                fs::create_dir(dir.join("d")).await.unwrap_err().kind(),
                ErrorKind::AlreadyExists
            );
            fs::create_dir_all(dir.join("d/e/f")).await.unwrap();
            fs::create_dir_all(dir.join("d/e/f")).await.unwrap();

            // More entries than one chunk of 32.
            let list = dir.join("list");
            fs::create_dir(&list).await.unwrap();
            for i in 0..100 {
                fs::write(list.join(format!("f{i:03}")), [i as u8])
                    .await
                    .unwrap();
            }
            fs::create_dir(list.join("sub")).await.unwrap();
            let mut entries = fs::read_dir(&list).await.unwrap();
            let mut names = Vec::new();
            while let Some(entry) = entries.next_entry().await.unwrap() {
                assert_eq!(entry.path(), list.join(entry.file_name()));
                let meta = entry.metadata().await.unwrap();
                assert_eq!(entry.ino(), meta.ino());
                let file_type = entry.file_type().await.unwrap();
                assert_eq!(file_type.is_dir(), entry.file_name() == "sub");
                if file_type.is_file() {
                    assert_eq!(meta.len(), 1);
                }
                names.push(entry.file_name().into_string().unwrap());
            }
            assert!(entries.next_entry().await.unwrap().is_none(), "stays ended");
            names.sort();
            assert_eq!(names.len(), 101);
            assert_eq!(names[0], "f000");
            assert_eq!(names[100], "sub");
            // poll_next_entry directly.
            let mut entries = fs::read_dir(&dir.join("d")).await.unwrap();
            let first = std::future::poll_fn(|cx| entries.poll_next_entry(cx))
                .await
                .unwrap();
            assert_eq!(first.unwrap().file_name(), "e");

            assert_eq!(
                fs::remove_dir(&list).await.unwrap_err().kind(),
                ErrorKind::DirectoryNotEmpty
            );
            fs::remove_dir_all(&list).await.unwrap();
            fs::remove_dir(dir.join("d/e/f")).await.unwrap();
            assert!(!fs::try_exists(dir.join("d/e/f")).await.unwrap());
            assert_eq!(
                fs::read_dir(dir.join("nope")).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
        });
    }
}

#[test]
fn free_functions_on_files_and_links() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("free-fns", flavor);
        rt.block_on(async {
            let a = dir.join("a");
            fs::write(&a, "contents").await.unwrap();
            assert_eq!(fs::read(&a).await.unwrap(), b"contents");
            assert_eq!(fs::read_to_string(&a).await.unwrap(), "contents");
            fs::write(dir.join("bin"), [0xff, 0xfe]).await.unwrap();
            assert_eq!(
                fs::read_to_string(dir.join("bin"))
                    .await
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidData
            );

            assert_eq!(fs::copy(&a, dir.join("b")).await.unwrap(), 8);
            fs::rename(dir.join("b"), dir.join("c")).await.unwrap();
            assert!(!fs::try_exists(dir.join("b")).await.unwrap());
            assert_eq!(fs::read(dir.join("c")).await.unwrap(), b"contents");

            fs::hard_link(&a, dir.join("hard")).await.unwrap();
            assert_eq!(fs::metadata(&a).await.unwrap().nlink(), 2);
            fs::symlink(&a, dir.join("soft")).await.unwrap();
            assert_eq!(fs::read_link(dir.join("soft")).await.unwrap(), a);
            assert!(fs::symlink_metadata(dir.join("soft"))
                .await
                .unwrap()
                .file_type()
                .is_symlink());
            assert!(fs::metadata(dir.join("soft")).await.unwrap().is_file());
            let canonical = fs::canonicalize(dir.join("soft")).await.unwrap();
            assert_eq!(canonical, std::fs::canonicalize(&a).unwrap());

            fs::set_permissions(&a, std::fs::Permissions::from_mode(0o400))
                .await
                .unwrap();
            assert_eq!(fs::metadata(&a).await.unwrap().mode() & 0o777, 0o400);

            fs::remove_file(dir.join("soft")).await.unwrap();
            fs::remove_file(dir.join("hard")).await.unwrap();
            assert_eq!(fs::metadata(&a).await.unwrap().nlink(), 1);
            assert!(fs::try_exists(&a).await.unwrap());
            // A dangling symlink does not "exist".
            fs::symlink(dir.join("gone"), dir.join("dangling"))
                .await
                .unwrap();
            assert!(!fs::try_exists(dir.join("dangling")).await.unwrap());
        });
    }
}

#[test]
fn errors_are_values() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("errors", flavor);
        rt.block_on(async {
            let missing = dir.join("missing");
            assert_eq!(
                File::open(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                fs::read(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                fs::remove_file(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                fs::metadata(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            // Permission denied even for root: sysfs refuses to open a read-only
            // attribute for writing, whatever the caller's capabilities.
            let err = OpenOptions::new()
                .write(true)
                .open("/sys/kernel/notes")
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::PermissionDenied);
            // A directory cannot be opened for writing.
            let err = OpenOptions::new()
                .write(true)
                .open(&dir.0)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::IsADirectory);
            assert_eq!(
                fs::remove_file(&dir.0).await.unwrap_err().kind(),
                ErrorKind::IsADirectory
            );
            // A write to a file opened read-only fails at the latest on flush.
            fs::write(dir.join("ro"), "x").await.unwrap();
            let mut file = File::open(dir.join("ro")).await.unwrap();
            let res = match file.write_all(b"nope").await {
                Ok(()) => file.flush().await,
                Err(err) => Err(err),
            };
            // EBADF: its kind, whether it comes back whole or as a remembered kind.
            let ebadf = std::io::Error::from_raw_os_error(libc::EBADF).kind();
            assert_eq!(res.unwrap_err().kind(), ebadf);
            // set_len on a read-only file.
            assert!(file.set_len(0).await.is_err());
        });
    }
}

#[test]
fn files_leak_no_descriptors() {
    for (flavor, rt) in runtimes() {
        let dir = TempDir::new("fds", flavor);
        rt.block_on(async {
            let path = dir.join("f");
            fs::write(&path, pattern(10_000)).await.unwrap();
            let count = || std::fs::read_dir("/proc/self/fd").unwrap().count();
            let before = count();
            for _ in 0..16 {
                let mut file = File::open(&path).await.unwrap();
                let mut buf = Vec::new();
                file.read_to_end(&mut buf).await.unwrap();
                let _clone = file.try_clone().await.unwrap();
            }
            // Other tests of this binary open files concurrently, so compare with a
            // margin no leak of 32 descriptors could hide in.
            assert!(
                count() < before + 16,
                "descriptors leaked: {} -> {}",
                before,
                count()
            );
        });
    }
}

#[test]
#[should_panic(expected = "`max_buf_size` must be greater than 0")]
fn a_zero_max_buf_size_panics() {
    let std = std::fs::File::open("/proc/self/comm").unwrap();
    File::from_std(std).set_max_buf_size(0);
}

#[test]
#[should_panic]
fn fs_outside_a_runtime_panics() {
    let _ = futures::executor::block_on(fs::read("/proc/self/comm"));
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<File>();
    send_sync::<OpenOptions>();
    send_sync::<DirBuilder>();
    send_sync::<fs::ReadDir>();
    send_sync::<fs::DirEntry>();
    send_sync::<robin::process::Command>();
    send_sync::<robin::process::Child>();
    send_sync::<robin::process::ChildStdin>();
    send_sync::<robin::process::ChildStdout>();
    send_sync::<robin::process::ChildStderr>();
    send_sync::<robin::signal::unix::Signal>();
    send_sync::<robin::signal::unix::SignalKind>();
}
