//! `robin::join!` and `robin::try_join!` through the facade.
use robin::sync::oneshot;
use std::cell::Cell;
use std::rc::Rc;

#[robin::test]
async fn join_returns_all_outputs_in_order() {
    let (a, b, c) = robin::join!(async { 1u8 }, async { "b" }, async { vec![3] });
    assert_eq!((a, b, c), (1, "b", vec![3]));
    let single = robin::join!(async { 5 });
    assert_eq!(single, (5,));
    let () = robin::join!();
}

#[robin::test]
async fn join_runs_futures_concurrently() {
    // Each future waits for a message only the other one sends after it started.
    let (tx_a, rx_a) = oneshot::channel();
    let (tx_b, rx_b) = oneshot::channel();
    let (a, b) = robin::join!(
        async move {
            tx_b.send("from a").unwrap();
            rx_a.await.unwrap()
        },
        async move {
            tx_a.send("from b").unwrap();
            rx_b.await.unwrap()
        },
    );
    assert_eq!((a, b), ("from b", "from a"));
}

#[robin::test]
async fn join_accepts_non_send_borrowing_futures() {
    let counter = Rc::new(Cell::new(0));
    let bump = |n| {
        let counter = counter.clone();
        async move {
            robin::task::yield_now().await;
            counter.set(counter.get() + n);
            n
        }
    };
    let out = robin::join!(bump(1), bump(10), bump(100));
    assert_eq!(out, (1, 10, 100));
    assert_eq!(counter.get(), 111);
}

#[robin::test]
async fn join_accepts_into_future_values() {
    let handle = robin::spawn(async { 9 });
    let (r, x) = robin::join!(handle, std::future::ready(1));
    assert_eq!((r.unwrap(), x), (9, 1));
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_over_spawned_tasks_on_real_threads() {
    let (a, b) = robin::join!(
        robin::spawn(async { (0..1000u64).sum::<u64>() }),
        robin::spawn(async { (0..10u64).product::<u64>() }),
    );
    assert_eq!((a.unwrap(), b.unwrap()), (499_500, 0));
}

#[robin::test]
async fn try_join_all_ok() {
    let r: Result<(i32, &str), String> =
        robin::try_join!(async { Ok(1) }, async { Ok::<_, String>("x") });
    assert_eq!(r, Ok((1, "x")));
    let empty: Result<(), ()> = robin::try_join!();
    assert_eq!(empty, Ok(()));
}

/// Sets its flag when dropped: shows when a joined future's state is dropped.
struct SetOnDrop(Rc<Cell<bool>>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[robin::test]
async fn try_join_stops_at_the_first_error_and_drops_the_rest() {
    let dropped = Rc::new(Cell::new(false));
    let guard = SetOnDrop(dropped.clone());
    let r: Result<((), ()), &str> = robin::try_join!(
        async move {
            let _guard = guard;
            std::future::pending::<()>().await;
            Ok(())
        },
        async {
            robin::task::yield_now().await;
            Err("failed")
        },
    );
    assert_eq!(r, Err("failed"));
    assert!(dropped.get(), "the pending future was dropped");
}

#[robin::test]
async fn try_join_works_with_question_mark() {
    async fn inner() -> Result<u32, std::num::ParseIntError> {
        let (a, b) = robin::try_join!(async { "4".parse::<u32>() }, async { "5".parse::<u32>() })?;
        Ok(a * b)
    }
    assert_eq!(inner().await, Ok(20));
}

/// Each future logs its name, yields once, and logs it again.
async fn step(log: &std::cell::RefCell<Vec<&'static str>>, name: &'static str) -> &'static str {
    log.borrow_mut().push(name);
    robin::task::yield_now().await;
    log.borrow_mut().push(name);
    name
}

#[robin::test]
async fn biased_join_polls_in_the_order_written_every_time() {
    let log = std::cell::RefCell::new(Vec::new());
    let out = robin::join!(biased; step(&log, "a"), step(&log, "b"), step(&log, "c"));
    assert_eq!(out, ("a", "b", "c"));
    assert_eq!(*log.borrow(), ["a", "b", "c", "a", "b", "c"]);
    // Unbiased, the second poll starts one further along.
    let log = std::cell::RefCell::new(Vec::new());
    robin::join!(step(&log, "a"), step(&log, "b"), step(&log, "c"));
    assert_eq!(*log.borrow(), ["a", "b", "c", "b", "c", "a"]);
}

#[robin::test]
async fn biased_try_join_reports_the_first_error_in_order() {
    let r: Result<((), ()), &str> =
        robin::try_join!(biased; async { Err("first") }, async { Err("second") });
    assert_eq!(r, Err("first"));
    let ok: Result<(u8, u8), ()> = robin::try_join!(biased; async { Ok(1) }, async { Ok(2) },);
    assert_eq!(ok, Ok((1, 2)));
}

#[robin::test]
async fn join_drops_each_future_as_soon_as_it_is_done() {
    // The first future's state is dropped (its output stored in its place) before
    // the second completes: a drop guard in the first fires while the second waits.
    let dropped = Rc::new(Cell::new(false));
    let guard = SetOnDrop(dropped.clone());
    let seen = dropped.clone();
    let (a, b) = robin::join!(
        async move {
            let _guard = guard;
            1
        },
        async move {
            robin::task::yield_now().await;
            seen.get()
        },
    );
    assert_eq!((a, b), (1, true));
}

#[robin::test]
async fn user_names_do_not_clash_with_internals() {
    // Names the expansion uses internally, as the caller's own.
    let (futures, rotor, cell0, first, pending, index, offset, cx) = (1, 2, 3, 4, 5, 6, 7, 8);
    let (a, b) = robin::join!(async { futures + rotor }, async { cell0 + first });
    let r: Result<(i32, i32), ()> =
        robin::try_join!(async { Ok(pending + index) }, async { Ok(offset + cx) });
    assert_eq!((a, b, r), (3, 7, Ok((11, 15))));
}
