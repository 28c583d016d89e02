//! The I/O slab: which `ScheduledIo` an event's token names.
//!
//! A token is `(generation << 32) | slot`. Releasing a resource gives its slot a fresh
//! generation from the slab-wide counter (also when the emptied slab is freed and its
//! slots are recreated), so an event for the old resource still in flight (already in
//! the batch `poll` returned) finds a different generation and [`IoSlab::dispatch`]
//! drops it: it is never delivered to a new resource reusing the slot.
//!
//! Layer: driver. Imports `loom` and the driver's readiness types only.
use super::ready::Ready;
use super::ScheduledIo;
use crate::loom::sync::Arc;
use std::task::Waker;

/// A slab that outgrew this many slots frees them once no resource is registered.
const SHRINK_ABOVE: usize = 1024;

#[derive(Default)]
pub(super) struct IoSlab {
    slots: Vec<IoSlot>,
    free: Vec<usize>,
    /// Registered resources (slots holding one).
    len: usize,
    /// The next generation to hand out: one counter for the whole slab, so a slot that is
    /// recreated after the slab was freed never repeats a generation an in-flight event
    /// may still carry (until 2^32 releases later).
    next_generation: u32,
}

struct IoSlot {
    generation: u32,
    io: Option<Arc<ScheduledIo>>,
}

impl IoSlab {
    /// Files `io` in a free slot; returns its token.
    pub(super) fn insert(&mut self, io: Arc<ScheduledIo>) -> mio::Token {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let generation = self.next_generation;
                self.next_generation = generation.wrapping_add(1);
                self.slots.push(IoSlot {
                    generation,
                    io: None,
                });
                self.slots.len() - 1
            }
        };
        self.len += 1;
        let slot = &mut self.slots[index];
        slot.io = Some(io);
        mio::Token(((slot.generation as usize) << 32) | index)
    }

    /// Frees the token's slot (a stale or unknown token does nothing).
    pub(super) fn release(&mut self, token: mio::Token) {
        let index = token.0 & 0xFFFF_FFFF;
        if let Some(slot) = self.slots.get_mut(index) {
            if slot.generation == (token.0 >> 32) as u32 && slot.io.take().is_some() {
                slot.generation = self.next_generation;
                self.next_generation = self.next_generation.wrapping_add(1);
                self.free.push(index);
                self.len -= 1;
            }
        }
        if self.len == 0 && self.slots.capacity() > SHRINK_ABOVE {
            // Nothing registered after a burst: give the slots back (issue 12 defect 5).
            // An event still in flight names an index now out of range, or a recreated
            // slot with a fresh generation: either way it is dropped.
            self.slots = Vec::new();
            self.free = Vec::new();
        }
    }

    /// Hands an event's readiness to the resource its token names, if that resource is
    /// still registered (a stale token does nothing). Wakers to wake go to `wakers`.
    pub(super) fn dispatch(&self, token: mio::Token, ready: Ready, wakers: &mut Vec<Waker>) {
        let (generation, index) = ((token.0 >> 32) as u32, token.0 & 0xFFFF_FFFF);
        if let Some(IoSlot {
            generation: g,
            io: Some(io),
        }) = self.slots.get(index)
        {
            if *g == generation {
                io.set_readiness(ready, wakers);
            }
        }
    }

    /// Every registered resource (for the driver's shutdown).
    pub(super) fn all(&self) -> Vec<Arc<ScheduledIo>> {
        self.slots.iter().filter_map(|s| s.io.clone()).collect()
    }
}
