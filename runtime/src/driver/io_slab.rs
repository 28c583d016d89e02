//! The I/O slab, sharded: which `ScheduledIo` an event's token names.
//!
//! A resource is registered in the shard of the registering thread
//! (its `context::thread_number`), each shard a slab with its own lock, free list and
//! generation counter, so registrations and releases on different threads take different
//! locks. The token says where the slot is: `(generation << 32) | (shard << 26) | index`.
//! The driver's dispatch decodes it, locks the shard it names (keeping the lock across a
//! run of events for the same shard) and checks the generation.
//!
//! When a resource is released its slot gets a fresh generation from its shard's counter
//! (also when the emptied shard is freed and its slots are recreated), so an event for the
//! old resource that is still in flight (already in the batch `poll` returned) finds a
//! different generation and is dropped, never delivered to a new resource in the slot.
//!
//! Layer: driver. Imports `loom`, `mio` and the driver's `ready`/`scheduled_io` only.
use super::ready::Ready;
use super::scheduled_io::ScheduledIo;
use super::shard::MAX_SHARDS;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use std::task::Waker;

/// Bits of a token's low half that hold the slot index; the 6 above them hold the shard.
const INDEX_BITS: u32 = 26;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Slots one shard may hold. The all-ones index is never a slot, so the driver's own
/// `mio::Waker` token (`usize::MAX`) can never name a resource.
const MAX_SLOTS: usize = INDEX_MASK;
/// A shard that outgrew this many slots frees them once no resource in it is registered.
const SHRINK_ABOVE: usize = 1024;

const _: () = assert!(MAX_SHARDS <= 1 << (32 - INDEX_BITS));

pub(crate) struct IoSlabs {
    shards: Box<[Shard]>,
}

/// One shard's slab, on its own cache lines.
#[repr(align(128))]
#[derive(Default)]
struct Shard {
    slab: Mutex<Slab>,
    /// `slab.len`, stored under the lock and readable without it (by
    /// [`IoSlabs::is_empty`]); on the shard's own cache line, so registrations on
    /// different shards never share a written line.
    live: AtomicUsize,
}

#[derive(Default)]
struct Slab {
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Registered resources (slots holding one).
    len: usize,
    /// The next generation to hand out: one counter for the whole shard, so a slot that is
    /// recreated after the shard was freed never repeats a generation an in-flight event
    /// may still carry (until 2^32 releases later).
    next_generation: u32,
}

struct Slot {
    generation: u32,
    io: Option<Arc<ScheduledIo>>,
}

impl Slab {
    /// Hands `ready` to the resource in slot `index` if it is still the one the event
    /// was for (same `generation`); a stale event does nothing.
    fn deliver(&self, generation: u32, index: usize, ready: Ready, wakers: &mut Vec<Waker>) {
        if let Some(Slot {
            generation: g,
            io: Some(io),
        }) = self.slots.get(index)
        {
            if *g == generation {
                io.set_readiness(ready, wakers);
            }
        }
    }
}

/// Why a registration got no slot.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The driver is shutting down.
    Shutdown,
    /// The shard holds `MAX_SLOTS` resources.
    Full,
}

fn decode(token: mio::Token) -> (u32, usize, usize) {
    let generation = (token.0 >> 32) as u32;
    let low = token.0 & 0xFFFF_FFFF;
    (generation, low >> INDEX_BITS, low & INDEX_MASK)
}

impl IoSlabs {
    pub(crate) fn new(shards: usize) -> IoSlabs {
        IoSlabs {
            shards: (0..shards.clamp(1, MAX_SHARDS))
                .map(|_| Shard::default())
                .collect(),
        }
    }

    /// Puts `io` in a free slot of shard `shard % shards()` and returns its token.
    /// `shutdown` is checked under the shard's lock: [`IoSlabs::all`] (used by the
    /// driver's shutdown after it sets the flag) takes every shard's lock, so a
    /// registration either sees the flag or is in the slab when shutdown walks it.
    pub(crate) fn insert(
        &self,
        shard: usize,
        io: Arc<ScheduledIo>,
        shutdown: &AtomicBool,
    ) -> Result<mio::Token, Refused> {
        let shard = shard % self.shards.len();
        let mut slab = self.shards[shard].slab.lock().unwrap();
        if shutdown.load(SeqCst) {
            return Err(Refused::Shutdown);
        }
        let index = match slab.free.pop() {
            Some(index) => index,
            None if slab.slots.len() >= MAX_SLOTS => return Err(Refused::Full),
            None => {
                let generation = slab.next_generation;
                slab.next_generation = generation.wrapping_add(1);
                slab.slots.push(Slot {
                    generation,
                    io: None,
                });
                slab.slots.len() - 1
            }
        };
        slab.len += 1;
        self.shards[shard].live.store(slab.len, Relaxed);
        let slot = &mut slab.slots[index];
        slot.io = Some(io);
        Ok(mio::Token(
            ((slot.generation as usize) << 32) | (shard << INDEX_BITS) | index,
        ))
    }

    /// Frees the token's slot; events still in flight for it are ignored (generation).
    /// A token whose generation no longer matches (a late second release of a resource
    /// whose slot already serves a new one) changes nothing. Returns whether a resource
    /// was released.
    pub(crate) fn release(&self, token: mio::Token) -> bool {
        let (generation, shard, index) = decode(token);
        let Some(shard) = self.shards.get(shard) else {
            return false;
        };
        let mut slab = shard.slab.lock().unwrap();
        let Slab {
            slots,
            free,
            len,
            next_generation,
        } = &mut *slab;
        let mut released = false;
        if let Some(slot) = slots.get_mut(index) {
            if slot.generation == generation && slot.io.take().is_some() {
                slot.generation = *next_generation;
                *next_generation = next_generation.wrapping_add(1);
                free.push(index);
                *len -= 1;
                shard.live.store(*len, Relaxed);
                released = true;
            }
        }
        if slab.len == 0 && slab.slots.capacity() > SHRINK_ABOVE {
            // Nothing registered after a burst: give the slots back (issue 12 defect 5).
            // An event still in flight names an index now out of range, or a recreated
            // slot with a fresh generation: either way it is dropped.
            slab.slots = Vec::new();
            slab.free = Vec::new();
        }
        released
    }

    /// Hands each event to the resource its token names, if the slot still holds that
    /// resource (same generation). Holds one shard's lock across a run of its events.
    pub(crate) fn dispatch(
        &self,
        events: impl Iterator<Item = (mio::Token, Ready)>,
        wakers: &mut Vec<Waker>,
    ) {
        let mut held = None;
        for (token, ready) in events {
            let (generation, shard, index) = decode(token);
            if held.as_ref().map(|(at, _)| *at) != Some(shard) {
                // Drop the old guard before taking the next lock.
                held = None;
                let Some(s) = self.shards.get(shard) else {
                    continue;
                };
                held = Some((shard, s.slab.lock().unwrap()));
            }
            let Some((_, slab)) = &held else { continue };
            slab.deliver(generation, index, ready, wakers);
        }
    }

    /// Whether no resource is registered, read without any lock (a stale answer only
    /// costs a worker one empty look or one skipped look; the driver thread delivers
    /// whatever a harvest leaves).
    pub(crate) fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.live.load(Relaxed) == 0)
    }

    /// Every registered resource (for shutdown). Poison-tolerant: the slabs are
    /// consistent at every point user code could have panicked.
    pub(crate) fn all(&self) -> Vec<Arc<ScheduledIo>> {
        let mut all = Vec::new();
        for shard in self.shards.iter() {
            let slab = shard
                .slab
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            all.extend(slab.slots.iter().filter_map(|s| s.io.clone()));
        }
        all
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn io() -> Arc<ScheduledIo> {
        Arc::new(ScheduledIo::default())
    }

    #[test]
    fn tokens_name_their_shard_and_generation() {
        let slabs = IoSlabs::new(4);
        let off = AtomicBool::new(false);
        let a = slabs.insert(1, io(), &off).unwrap();
        let b = slabs.insert(3, io(), &off).unwrap();
        let c = slabs.insert(5, io(), &off).unwrap();
        assert_eq!(decode(a).1, 1);
        assert_eq!(decode(b).1, 3);
        assert_eq!(decode(c).1, 1, "shard numbers wrap");
        assert_eq!(slabs.all().len(), 3);
        slabs.release(a);
        let d = slabs.insert(1, io(), &off).unwrap();
        let (ga, _, ia) = decode(a);
        let (gd, _, id) = decode(d);
        assert_eq!(ia, id, "the freed slot is reused");
        assert_ne!(ga, gd, "with a fresh generation");
        assert_ne!(d, mio::Token(usize::MAX));
        // Releasing a stale token (old generation, slot reused) is a no-op on the slot.
        slabs.release(a);
        assert_eq!(
            slabs.all().len(),
            3,
            "a late release of `a` freed `d`'s slot"
        );
        slabs.release(d);
        slabs.release(d);
        assert_eq!(slabs.all().len(), 2);
    }

    #[test]
    fn shutdown_refuses_and_shards_shrink_alone() {
        let slabs = IoSlabs::new(2);
        let off = AtomicBool::new(false);
        let keep = slabs.insert(0, io(), &off).unwrap();
        let burst: Vec<_> = (0..2 * SHRINK_ABOVE)
            .map(|_| slabs.insert(1, io(), &off).unwrap())
            .collect();
        for token in burst {
            slabs.release(token);
        }
        assert_eq!(slabs.shards[1].slab.lock().unwrap().slots.capacity(), 0);
        assert_eq!(slabs.all().len(), 1);
        slabs.release(keep);
        off.store(true, SeqCst);
        assert_eq!(slabs.insert(0, io(), &off), Err(Refused::Shutdown));
    }
}
