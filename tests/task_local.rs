//! `robin::task_local!` through the facade.
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

robin::task_local! {
    static NUMBER: u32;
    /// Docs and visibility are accepted.
    pub static NAME: String;
}

#[robin::test]
async fn scope_sets_the_value_only_inside() {
    assert!(NUMBER.try_with(|_| ()).is_err());
    let out = NUMBER
        .scope(5, async {
            robin::task::yield_now().await;
            NUMBER.get() * 2
        })
        .await;
    assert_eq!(out, 10);
    assert!(NUMBER.try_with(|_| ()).is_err());
}

#[robin::test]
async fn value_is_swapped_out_between_polls() {
    // Two scoped futures interleaved on one task (join!): each sees only its own value.
    let a = NUMBER.scope(1, async {
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(NUMBER.get());
            robin::task::yield_now().await;
        }
        seen
    });
    let b = NUMBER.scope(2, async {
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(NUMBER.get());
            robin::task::yield_now().await;
        }
        seen
    });
    let unscoped = async {
        let mut set = 0;
        for _ in 0..5 {
            if NUMBER.try_with(|_| ()).is_ok() {
                set += 1;
            }
            robin::task::yield_now().await;
        }
        set
    };
    let (a, b, set) = robin::join!(a, b, unscoped);
    assert_eq!(a, vec![1; 5]);
    assert_eq!(b, vec![2; 5]);
    assert_eq!(set, 0, "an unscoped future never sees the values");
}

#[robin::test]
async fn nested_scopes_restore_the_outer_value() {
    let seen = NAME
        .scope("outer".to_string(), async {
            let inner = NAME
                .scope("inner".to_string(), async { NAME.with(|n| n.clone()) })
                .await;
            (inner, NAME.with(|n| n.clone()))
        })
        .await;
    assert_eq!(seen, ("inner".to_string(), "outer".to_string()));
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_value_follows_the_task_across_threads() {
    let mut handles = Vec::new();
    for i in 0..20u32 {
        handles.push(robin::spawn(NUMBER.scope(i, async move {
            for _ in 0..10 {
                assert_eq!(NUMBER.get(), i);
                robin::task::yield_now().await;
            }
            NUMBER.get()
        })));
    }
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.await.unwrap(), i as u32);
    }
}

#[test]
fn sync_scope_with_and_get() {
    let r = NUMBER.sync_scope(9, || NUMBER.get() + NUMBER.with(|n| *n));
    assert_eq!(r, 18);
    assert_eq!(
        NUMBER.sync_scope(1, || NUMBER.sync_scope(2, || NUMBER.get())),
        2
    );
    assert!(NUMBER.try_with(|n| *n).is_err());
}

#[test]
#[should_panic(expected = "without setting it first")]
fn with_outside_a_scope_panics() {
    NUMBER.with(|_| ());
}

#[test]
fn sync_scope_restores_after_a_panic() {
    let r = std::panic::catch_unwind(|| NUMBER.sync_scope(3, || panic!("inside")));
    assert!(r.is_err());
    assert!(
        NUMBER.try_with(|_| ()).is_err(),
        "the value was swapped back out"
    );
}

#[robin::test]
async fn the_inner_future_is_dropped_with_the_value_set() {
    struct CheckOnDrop(Arc<AtomicBool>);
    impl Drop for CheckOnDrop {
        fn drop(&mut self) {
            self.0.store(
                NUMBER.try_with(|n| *n == 77).unwrap_or(false),
                Ordering::SeqCst,
            );
        }
    }
    let saw = Arc::new(AtomicBool::new(false));
    let guard = CheckOnDrop(saw.clone());
    let fut = NUMBER.scope(77, async move {
        let _g = guard;
        std::future::pending::<()>().await
    });
    // Poll it once, then drop it while pending.
    robin::select! {
        biased;
        _ = fut => unreachable!(),
        _ = async {} => {}
    }
    assert!(saw.load(Ordering::SeqCst));
}

#[test]
fn non_send_values_work_in_sync_scope() {
    robin::task_local! { static CELL: Cell<u8>; }
    CELL.sync_scope(Cell::new(1), || {
        CELL.with(|c| c.set(c.get() + 1));
        assert_eq!(CELL.with(|c| c.get()), 2);
    });
}

robin::task_local! {
    static LABEL: String;
}

/// `LocalKey::get` takes `T: Clone`, as tokio's: a `String` key can be read by value.
#[test]
fn get_clones_a_clone_only_value() {
    let rt = robin::runtime::Runtime::new().unwrap();
    let got = rt.block_on(LABEL.scope("req-7".to_string(), async {
        robin::task::yield_now().await;
        LABEL.get()
    }));
    assert_eq!(got, "req-7");
}
