//! robin-sync's behaviour cases (the same ones `sync/tests/behaviour.rs` runs under tokio
//! and `futures::executor`) under robin's own runtimes: a 2-worker multi-thread runtime,
//! and the current-thread event loop.
#[path = "../sync/tests/cases/mod.rs"]
mod cases;
#[path = "../sync/tests/common/mod.rs"]
mod common;

mod robin_multi_thread {
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        robin::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("robin runtime")
            .block_on(f)
    }
    crate::all_cases!(gen_tests!(block_on));
}

mod robin_current_thread {
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        robin::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("robin runtime")
            .block_on(f)
    }
    crate::all_cases!(gen_tests!(block_on));
}

/// The items added for issue 14 at tokio's paths through the facade, used from robin's
/// runtime: a lazily initialized `static` client, mapped guards, cloned watch senders,
/// `send_timeout`, weak broadcast senders, owned notifications.
mod facade_paths {
    use robin::sync::{broadcast, mpsc, watch, Mutex, MutexGuard, Notify, OnceCell, SetOnce};
    use std::sync::Arc;
    use std::time::Duration;

    static CLIENT: OnceCell<String> = OnceCell::const_new();
    static LOCKED: Mutex<Vec<u8>> = Mutex::const_new(Vec::new());
    static READY: SetOnce<u8> = SetOnce::const_new();

    #[test]
    fn tokio_paths_on_robin() {
        let rt = robin::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("robin runtime");
        rt.block_on(async {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    robin::spawn(async {
                        CLIENT
                            .get_or_init(|| async { "client".to_string() })
                            .await
                            .len()
                    })
                })
                .collect();
            for h in handles {
                assert_eq!(h.await.unwrap(), 6);
            }
            LOCKED.lock().await.push(1);
            let mut first = MutexGuard::map(LOCKED.lock().await, |v| &mut v[0]);
            *first = 2;
            drop(first);
            assert_eq!(*LOCKED.lock().await, [2]);

            let waiter = robin::spawn(async { *READY.wait().await });
            READY.set(9).unwrap();
            assert_eq!(waiter.await.unwrap(), 9);

            let (tx, mut rx) = watch::channel(0);
            let tx2 = tx.clone();
            assert_eq!(tx.sender_count(), 2);
            robin::spawn(async move { tx2.send(1).unwrap() })
                .await
                .unwrap();
            rx.changed().await.unwrap();
            assert_eq!(*rx.borrow(), 1);

            let (mtx, mut mrx) = mpsc::channel(1);
            mtx.send(1).await.unwrap();
            let err = mtx
                .send_timeout(2, Duration::from_millis(5))
                .await
                .unwrap_err();
            assert!(matches!(err, mpsc::error::SendTimeoutError::Timeout(2)));
            assert_eq!(mrx.recv().await, Some(1));

            let (btx, _brx) = broadcast::channel::<u8>(3);
            let weak: broadcast::WeakSender<u8> = btx.downgrade();
            assert_eq!(btx.weak_count(), 1);
            assert!(weak.upgrade().is_some());

            let n = Arc::new(Notify::new());
            let owned: robin::sync::futures::OwnedNotified = n.clone().notified_owned();
            let h = robin::spawn(owned);
            n.notify_waiters();
            h.await.unwrap();
        });
    }
}
