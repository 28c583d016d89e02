//! loom model of the user program in `src/lib.rs`: two callers and the service on three
//! loom threads. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-loom-user --release`.
#![cfg(loom)]

use loom::future::block_on;
use loom::thread;
use robin_loom_user::Counter;
use robin_sync::mpsc;
use std::sync::Arc;

/// Every job is applied exactly once, every caller gets the total that includes its own
/// job, the final total is the sum, and the service ends when the callers are gone.
#[test]
fn two_callers_one_service() {
    loom::model(|| {
        let counter = Arc::new(Counter::default());
        let (tx, rx) = mpsc::channel(1);
        let service = {
            let c = counter.clone();
            thread::spawn(move || block_on(c.serve(rx)))
        };
        let tx2 = tx.clone();
        let caller = thread::spawn(move || block_on(Counter::add(&tx2, 1)));
        let mine = block_on(Counter::add(&tx, 2)).expect("service alive");
        let theirs = caller.join().unwrap().expect("service alive");
        drop(tx);
        service.join().unwrap();
        // Each reply includes the caller's own job; the later one includes both.
        assert!(mine == 2 || mine == 3, "mine = {mine}");
        assert!(theirs == 1 || theirs == 3, "theirs = {theirs}");
        assert_eq!(mine.max(theirs), 3);
        assert_eq!(block_on(counter.total()), 3);
    });
}

/// A caller whose reply future is dropped (it gave up) does not stall the service or
/// lose the job.
#[test]
fn caller_gives_up_waiting() {
    loom::model(|| {
        let counter = Arc::new(Counter::default());
        let (tx, rx) = mpsc::channel::<robin_loom_user::Add>(1);
        let service = {
            let c = counter.clone();
            thread::spawn(move || block_on(c.serve(rx)))
        };
        let (reply, reply_rx) = robin_sync::oneshot::channel();
        block_on(tx.send(robin_loom_user::Add { n: 5, reply })).unwrap();
        drop(reply_rx); // gives up before the reply
        drop(tx);
        service.join().unwrap();
        assert_eq!(block_on(counter.total()), 5);
    });
}
