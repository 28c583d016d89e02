//! loom model of deregister vs an in-flight event: the real sharded `IoSlabs`
//! (`io_slab.rs`, one shard here), the driver thread dispatching an event `poll` already
//! returned while the resource's owner releases it and a new resource takes the slot. Proves: the stale event does nothing (the new resource never sees readiness it
//! did not get), also when the emptied slab was freed and its slots recreated.
//!
//! Imports the driver and `loom` only. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use super::io_slab::IoSlabs;
use super::{Ready, ScheduledIo};
use crate::loom::sync::atomic::AtomicBool;
use crate::loom::sync::Arc;

/// The token bits naming the slot (shard and index), not its generation.
const SLOT: usize = 0xFFFF_FFFF;

#[test]
fn deregister_vs_in_flight_event() {
    // `burst`: the slab grew past its shrink bound first, so releasing the last
    // resource frees it and the new registration recreates slot 0.
    for burst in [false, true] {
        let mut model = loom::model::Builder::new();
        // The burst's setup alone takes a few thousand (unshared) branch points.
        model.max_branches = 20_000;
        model.check(move || {
            let slab = Arc::new(IoSlabs::new(1));
            let shutdown = AtomicBool::new(false);
            let register = |io: &Arc<ScheduledIo>| slab.insert(0, io.clone(), &shutdown).unwrap();
            let old = Arc::new(ScheduledIo::default());
            let old_token = register(&old);
            let n = if burst { 1100 } else { 0 };
            let fillers: Vec<_> = (0..n).map(|_| register(&old)).collect();
            let driver = {
                let slab = slab.clone();
                loom::thread::spawn(move || {
                    let mut wakers = Vec::new();
                    slab.dispatch(std::iter::once((old_token, Ready::READABLE)), &mut wakers);
                })
            };
            // The owner deregisters (with the burst, the shard empties and is freed), and
            // a new resource is registered at once.
            assert!(slab.release(old_token));
            for t in fillers {
                assert!(slab.release(t));
            }
            let new = Arc::new(ScheduledIo::default());
            let new_token = register(&new);
            assert_eq!(new_token.0 & SLOT, old_token.0 & SLOT, "the slot is reused");
            assert_ne!(new_token, old_token, "with a fresh generation");
            driver.join().unwrap();
            assert!(
                new.ready_event(Ready::READABLE).is_none(),
                "a stale event reached the slot's new resource"
            );
            // A late release of the stale token leaves the new registration alone.
            assert!(!slab.release(old_token));
            let mut wakers = Vec::new();
            slab.dispatch(std::iter::once((new_token, Ready::READABLE)), &mut wakers);
            assert!(new.ready_event(Ready::READABLE).is_some());
        });
    }
}
