//! Where a watch channel's receivers wait for a change: a few [`Notify`] shards.
//!
//! Every change wakes every receiver (`notify_waiters` on each shard), but a receiver only
//! registers in, and is removed from, its own shard. With many receivers that spreads the
//! registrations and removals over several wait-list locks instead of one, so receivers
//! woken together on different worker threads do not queue behind a single lock.
//!
//! A receiver's shard is fixed when it is created (round robin). Owns nothing but the
//! shards; imports only [`Notify`] and the loom door.
use crate::loom::atomic::{AtomicUsize, Ordering::Relaxed};
use crate::notify::{Notified, Notify};

/// Number of shards (fewer under loom, where each one multiplies the interleavings).
#[cfg(not(loom))]
const SHARDS: usize = 8;
#[cfg(loom)]
const SHARDS: usize = 2;

pub(super) struct RxNotify {
    shards: [Notify; SHARDS],
    next: AtomicUsize,
}

impl RxNotify {
    pub(super) fn new() -> Self {
        RxNotify {
            shards: std::array::from_fn(|_| Notify::new()),
            next: AtomicUsize::new(0),
        }
    }

    /// The shard a new receiver waits in.
    pub(super) fn pick_shard(&self) -> usize {
        // Relaxed: only spreads receivers; any value is correct.
        self.next.fetch_add(1, Relaxed) % SHARDS
    }

    /// A future completed by the next [`notify_waiters`](Self::notify_waiters) (counting
    /// from its creation), waiting in `shard`.
    pub(super) fn notified(&self, shard: usize) -> Notified<'_> {
        self.shards[shard % SHARDS].notified()
    }

    /// Wakes every receiver waiting in any shard.
    pub(super) fn notify_waiters(&self) {
        for n in &self.shards {
            n.notify_waiters();
        }
    }
}
