//! `robin::signal` through the facade, with real signals raised in this process.
//!
//! Own test binary: installing handlers changes process-wide state. Every test takes
//! `SERIAL` (deliveries and descriptor counts are process-wide) and raises only signals
//! whose default action it has replaced first.
use robin::runtime::Builder;
use robin::signal::unix::{signal, Signal, SignalKind};
use robin_test_support::{both_flavors, current_thread};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn raise(signum: i32) {
    // SAFETY: raise(3) sends `signum` to this thread; the caller installed a handler.
    assert_eq!(unsafe { libc::raise(signum) }, 0);
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Polls `fut` once: `Ready` or not.
fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let waker = std::task::Waker::noop();
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

#[test]
fn a_listener_created_before_the_signal_never_misses_it() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
            raise(libc::SIGUSR1);
            assert_eq!(usr1.recv().await, Some(()));
            // Once received, nothing more is pending.
            assert!(poll_once(&mut Box::pin(usr1.recv())).is_pending());
            raise(libc::SIGUSR1);
            assert_eq!(usr1.recv().await, Some(()));
        });
    }
}

#[test]
fn deliveries_before_a_poll_coalesce_into_one() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            let mut sig = signal(SignalKind::user_defined2()).unwrap();
            raise(libc::SIGUSR2);
            raise(libc::SIGUSR2);
            raise(libc::SIGUSR2);
            assert_eq!(sig.recv().await, Some(()));
            assert!(poll_once(&mut Box::pin(sig.recv())).is_pending());
        });
    }
}

#[test]
fn several_listeners_of_one_signal_each_get_every_delivery() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            let mut a = signal(SignalKind::alarm()).unwrap();
            let mut b = signal(SignalKind::alarm()).unwrap();
            let mut c = signal(SignalKind::alarm()).unwrap();
            for _ in 0..3 {
                raise(libc::SIGALRM);
                // `c` is received in a spawned task, the others here.
                let task = robin::spawn(async move {
                    c.recv().await.unwrap();
                    c
                });
                assert_eq!(a.recv().await, Some(()));
                assert_eq!(b.recv().await, Some(()));
                c = task.await.unwrap();
            }
        });
    }
}

#[test]
fn listeners_in_several_runtimes_each_get_every_delivery() {
    let _g = serial();
    const ROUNDS: usize = 3;
    let [current, multi] = both_flavors();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let (go_txs, threads): (Vec<_>, Vec<_>) = [current, multi]
        .into_iter()
        .map(|rt| {
            let ready_tx = ready_tx.clone();
            let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
            let thread = std::thread::spawn(move || {
                rt.block_on(async {
                    let mut hup = signal(SignalKind::hangup()).unwrap();
                    for _ in 0..ROUNDS {
                        ready_tx.send(()).unwrap();
                        go_rx.recv().unwrap();
                        hup.recv().await.unwrap();
                    }
                })
            });
            (go_tx, thread)
        })
        .unzip();
    for _ in 0..ROUNDS {
        // Both listeners exist (and received the previous round) before each raise.
        ready_rx.recv().unwrap();
        ready_rx.recv().unwrap();
        raise(libc::SIGHUP);
        go_txs.iter().for_each(|tx| tx.send(()).unwrap());
    }
    threads.into_iter().for_each(|t| t.join().unwrap());
}

#[test]
fn the_handler_stays_installed_after_every_listener_dropped() {
    let _g = serial();
    let rt = current_thread();
    rt.block_on(async {
        drop(signal(SignalKind::quit()).unwrap());
    });
    // SIGQUIT would kill the process (with a core dump) if the default came back.
    raise(libc::SIGQUIT);
    raise(libc::SIGQUIT);
    // A later listener still works.
    rt.block_on(async {
        let mut quit = signal(SignalKind::quit()).unwrap();
        raise(libc::SIGQUIT);
        assert_eq!(quit.recv().await, Some(()));
    });
}

#[test]
fn ctrl_c_completes_on_sigint_after_its_first_poll() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            let mut ctrl_c = Box::pin(robin::signal::ctrl_c());
            assert!(poll_once(&mut ctrl_c).is_pending());
            raise(libc::SIGINT);
            ctrl_c.await.unwrap();
        });
    }
}

#[test]
fn poll_recv_from_a_hand_written_future() {
    struct Next(Signal);
    impl Future for Next {
        type Output = Option<()>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
            self.0.poll_recv(cx)
        }
    }
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            let mut next = Next(signal(SignalKind::window_change()).unwrap());
            assert!(poll_once(&mut next).is_pending());
            raise(libc::SIGWINCH);
            assert_eq!((&mut next).await, Some(()));
        });
    }
}

#[test]
fn a_listener_in_a_select_loses_no_signal() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            let mut sig = signal(SignalKind::io()).unwrap();
            robin::select! {
                _ = sig.recv() => panic!("no signal yet"),
                _ = robin::task::yield_now() => {}
            }
            raise(libc::SIGIO);
            assert_eq!(sig.recv().await, Some(()));
        });
    }
}

#[test]
fn forbidden_and_invalid_signals_are_errors() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            for signum in [
                libc::SIGKILL,
                libc::SIGSTOP,
                libc::SIGSEGV,
                libc::SIGILL,
                libc::SIGFPE,
                0,
                -1,
                1000,
            ] {
                let err = signal(SignalKind::from_raw(signum)).unwrap_err();
                assert_eq!(err.kind(), std::io::ErrorKind::Other, "signal {signum}");
            }
        });
    }
}

#[test]
fn a_runtime_without_io_is_an_error() {
    let _g = serial();
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        assert!(signal(SignalKind::terminate()).is_err());
    });
}

#[test]
#[should_panic(expected = "must be called from the context of a robin runtime")]
fn signal_outside_a_runtime_panics() {
    let _g = serial();
    let _ = signal(SignalKind::terminate());
}

#[test]
fn signal_kinds_are_the_libc_numbers() {
    let kinds = [
        (SignalKind::alarm(), libc::SIGALRM),
        (SignalKind::child(), libc::SIGCHLD),
        (SignalKind::hangup(), libc::SIGHUP),
        (SignalKind::interrupt(), libc::SIGINT),
        (SignalKind::io(), libc::SIGIO),
        (SignalKind::pipe(), libc::SIGPIPE),
        (SignalKind::quit(), libc::SIGQUIT),
        (SignalKind::terminate(), libc::SIGTERM),
        (SignalKind::user_defined1(), libc::SIGUSR1),
        (SignalKind::user_defined2(), libc::SIGUSR2),
        (SignalKind::window_change(), libc::SIGWINCH),
    ];
    for (kind, signum) in kinds {
        assert_eq!(kind.as_raw_value(), signum);
        assert_eq!(SignalKind::from_raw(signum), kind);
        assert_eq!(SignalKind::from(signum), kind);
        assert_eq!(i32::from(kind), signum);
    }
}

#[test]
fn listeners_leak_no_descriptors() {
    let _g = serial();
    for rt in both_flavors() {
        rt.block_on(async {
            // The global pipe exists after the first listener; count from there.
            drop(signal(SignalKind::pipe()).unwrap());
            let before = open_fds();
            let listeners: Vec<_> = (0..16)
                .map(|_| signal(SignalKind::pipe()).unwrap())
                .collect();
            assert!(open_fds() >= before + 16);
            drop(listeners);
            assert_eq!(open_fds(), before);
        });
    }
}

#[test]
fn a_listener_whose_runtime_shut_down_reports_none_instead_of_hanging() {
    let _g = serial();
    let first = current_thread();
    let mut sig = first.block_on(async { signal(SignalKind::user_defined1()).unwrap() });
    drop(first);
    let second = current_thread();
    assert_eq!(second.block_on(sig.recv()), None);
}
