//! `robin_io::unix::AsyncFd` on real socketpairs and pipes, on both runtime flavors.
use robin_io::unix::AsyncFd;
use robin_io::{Interest, Ready};
use robin_test_support::both_flavors;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

/// Reads with the documented loop: wait readable, try, clear on WouldBlock.
async fn read_some(fd: &AsyncFd<UnixStream>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        let mut guard = fd.readable().await?;
        match guard.try_io(|inner| inner.get_ref().read(buf)) {
            Ok(res) => return res,
            Err(_would_block) => continue,
        }
    }
}

#[test]
fn readable_waits_for_data_written_later() {
    for rt in both_flavors() {
        rt.block_on(async {
            let (a, b) = pair();
            let a = AsyncFd::new(a).unwrap();
            let writer = std::thread::spawn(move || {
                (&b).write_all(b"late data").unwrap();
                b
            });
            let mut buf = [0; 32];
            let n = read_some(&a, &mut buf).await.unwrap();
            assert!(n > 0 && b"late data".starts_with(&buf[..n]));
            let _b = writer.join().unwrap();
        });
    }
}

#[test]
fn guard_reports_readiness_and_clear_makes_it_wait() {
    for rt in both_flavors() {
        rt.block_on(async {
            let (a, b) = pair();
            let a = AsyncFd::new(a).unwrap();
            // A fresh socket is writable.
            let guard = a.writable().await.unwrap();
            assert!(guard.ready().is_writable());
            drop(guard); // retains readiness
            let mut guard = a.writable().await.unwrap();
            guard.retain_ready();
            drop(guard);
            (&b).write_all(b"x").unwrap();
            let mut guard = a.ready(Interest::READABLE).await.unwrap();
            assert!(guard.ready().is_readable());
            let mut byte = [0; 1];
            assert_eq!(guard.get_inner().read(&mut byte).unwrap(), 1);
            // Nothing left: try_io sees WouldBlock, clears, and asks us to wait again.
            let again = guard.try_io(|fd| fd.get_ref().read(&mut byte));
            assert!(again.is_err());
            assert!(guard.ready().is_empty());
            // After the clear, `try_io` on the AsyncFd does not run the closure.
            let err = a
                .try_io(Interest::READABLE, |_| -> io::Result<()> {
                    panic!("ran while not ready")
                })
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        });
    }
}

#[test]
fn clear_ready_matching_keeps_other_flags() {
    let rt = &both_flavors()[1];
    rt.block_on(async {
        let (a, b) = pair();
        let a = AsyncFd::new(a).unwrap();
        (&b).write_all(b"x").unwrap();
        let mut guard = a
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await
            .unwrap();
        // Both may be seen together once the byte has arrived.
        while !guard.ready().is_readable() {
            drop(guard);
            guard = a.readable().await.unwrap();
        }
        guard.clear_ready_matching(Ready::READABLE);
        assert!(!guard.ready().is_readable());
        drop(guard);
        // Writability was not cleared.
        assert!(a.writable().await.unwrap().ready().is_writable());
    });
}

#[test]
fn read_closed_is_sticky() {
    for rt in both_flavors() {
        rt.block_on(async {
            let (a, b) = pair();
            let a = AsyncFd::new(a).unwrap();
            drop(b);
            let mut guard = a.readable().await.unwrap();
            assert!(guard.ready().is_read_closed());
            guard.clear_ready();
            // tokio: closed flags cannot be cleared, so the next wait returns at once.
            assert!(a.readable().await.unwrap().ready().is_read_closed());
            let mut buf = [0; 4];
            assert_eq!(read_some(&a, &mut buf).await.unwrap(), 0);
        });
    }
}

#[test]
fn async_io_and_mut_guards() {
    for rt in both_flavors() {
        rt.block_on(async {
            let (a, b) = pair();
            let mut a = AsyncFd::with_interest(a, Interest::READABLE).unwrap();
            assert_eq!(a.interest(), Interest::READABLE);
            let writer = std::thread::spawn(move || {
                (&b).write_all(b"abc").unwrap();
                b
            });
            let mut buf = [0; 3];
            let mut got = 0;
            while got < 3 {
                got += a
                    .async_io(Interest::READABLE, |s| (&*s).read(&mut buf[got..]))
                    .await
                    .unwrap();
            }
            assert_eq!(&buf, b"abc");
            let b = writer.join().unwrap();
            (&b).write_all(b"d").unwrap();
            let mut guard = a.readable_mut().await.unwrap();
            let mut one = [0; 1];
            let n = guard
                .try_io(|fd| fd.get_mut().read(&mut one))
                .expect("data is there")
                .unwrap();
            assert_eq!((n, one[0]), (1, b'd'));
            assert!(guard.get_inner_mut().as_raw_fd() >= 0);
            drop(guard);
            let n = a
                .async_io_mut(Interest::READABLE, |s| {
                    (&b).write_all(b"e")?;
                    s.read(&mut one)
                })
                .await
                .unwrap();
            assert_eq!((n, one[0]), (1, b'e'));
        });
    }
}

#[test]
fn into_inner_deregisters_and_returns_the_object() {
    let rt = &both_flavors()[0];
    rt.block_on(async {
        let (a, b) = pair();
        let fd = a.as_raw_fd();
        let a = AsyncFd::new(a).unwrap();
        assert_eq!(a.as_raw_fd(), fd);
        let a = a.into_inner();
        assert_eq!(a.as_raw_fd(), fd);
        // Registers again fine (it was deregistered), and still works.
        let a = AsyncFd::new(a).unwrap();
        (&b).write_all(b"z").unwrap();
        let mut buf = [0; 1];
        assert_eq!(read_some(&a, &mut buf).await.unwrap(), 1);
    });
}

#[test]
fn try_new_hands_the_object_back_on_failure() {
    let rt = &both_flavors()[0];
    rt.block_on(async {
        // A regular file cannot be registered with epoll (EPERM).
        let file = std::fs::File::open("/dev/null").unwrap();
        let fd = file.as_raw_fd();
        let err = AsyncFd::try_new(file).unwrap_err();
        let (file, cause) = err.into_parts();
        assert_eq!(file.as_raw_fd(), fd);
        assert_eq!(cause.raw_os_error(), Some(libc::EPERM));
    });
}

#[test]
#[should_panic(expected = "no robin runtime running")]
fn new_outside_a_runtime_panics() {
    let (a, _b) = pair();
    let _ = AsyncFd::new(a);
}
