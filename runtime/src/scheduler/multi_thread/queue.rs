//! Run queues behind our own small API.
//!
//! Normally these are `crossbeam-deque`'s: a FIFO [`Local`] deque per worker (only its
//! owner pushes and pops), its [`Stealer`] that other workers take batches from, and the
//! global [`Injector`] for tasks scheduled from outside the workers. crossbeam uses `core`
//! atomics that loom cannot see, so under `--cfg loom` the same API is backed by a
//! mutex-protected `VecDeque`: the scheduler protocols around the queues (searching,
//! parking, the LIFO slot) are still model-checked, with a queue whose own correctness is
//! obvious. crossbeam's deque is itself tested by its authors (and its past resize/steal
//! race, crossbeam #726, is fixed in the version we require).
use crate::engine::Notified;

#[cfg(not(loom))]
mod imp {
    use super::Notified;
    use crossbeam_deque::Steal;
    use crossbeam_utils::Backoff;

    /// Moves a batch from a queue into `dest`, returning one task to run now; an empty
    /// queue costs only the plain loads of `is_empty` (crossbeam's steal of an empty
    /// deque or injector costs a fence, and this runs on every look of an idle worker).
    fn steal_batch(is_empty: bool, steal: impl FnMut() -> Steal<Notified>) -> Option<Notified> {
        if is_empty {
            return None;
        }
        retry(steal)
    }

    /// Resolves crossbeam's `Steal::Retry` by retrying with backoff: `Retry` only means
    /// another thread won a race on the same queue, so this loop always makes progress.
    fn retry<T>(mut op: impl FnMut() -> Steal<T>) -> Option<T> {
        let backoff = Backoff::new();
        loop {
            match op() {
                Steal::Success(t) => return Some(t),
                Steal::Empty => return None,
                Steal::Retry => backoff.spin(),
            }
        }
    }

    /// A worker's own FIFO queue. `Send` (moves with the worker's core), not `Sync`.
    pub(crate) struct Local(crossbeam_deque::Worker<Notified>);

    impl Local {
        pub(crate) fn new() -> Local {
            Local(crossbeam_deque::Worker::new_fifo())
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.push(task);
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            self.0.pop()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }

        pub(crate) fn stealer(&self) -> Stealer {
            Stealer(self.0.stealer())
        }
    }

    /// Other workers' handle to a [`Local`] queue.
    pub(crate) struct Stealer(crossbeam_deque::Stealer<Notified>);

    impl Stealer {
        /// Moves about half of the victim's tasks into `dest`, returning one to run now.
        pub(crate) fn steal_into(&self, dest: &Local) -> Option<Notified> {
            steal_batch(self.0.is_empty(), || self.0.steal_batch_and_pop(&dest.0))
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }

    /// The global queue for tasks scheduled from outside the workers.
    pub(crate) struct Injector(crossbeam_deque::Injector<Notified>);

    impl Injector {
        pub(crate) fn new() -> Injector {
            Injector(crossbeam_deque::Injector::new())
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.push(task);
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            if self.0.is_empty() {
                return None;
            }
            retry(|| self.0.steal())
        }
        /// Moves a batch into `dest`, returning one task to run now.
        pub(crate) fn steal_into(&self, dest: &Local) -> Option<Notified> {
            steal_batch(self.0.is_empty(), || self.0.steal_batch_and_pop(&dest.0))
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }
}

#[cfg(loom)]
mod imp {
    use super::Notified;
    use crate::loom::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    type Queue = Arc<Mutex<VecDeque<Notified>>>;

    pub(crate) struct Local(Queue);
    pub(crate) struct Stealer(Queue);
    pub(crate) struct Injector(Mutex<VecDeque<Notified>>);

    impl Local {
        pub(crate) fn new() -> Local {
            Local(Arc::new(Mutex::new(VecDeque::new())))
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.lock().unwrap().push_back(task);
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            self.0.lock().unwrap().pop_front()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().unwrap().len()
        }
        pub(crate) fn stealer(&self) -> Stealer {
            Stealer(self.0.clone())
        }
    }

    impl Stealer {
        pub(crate) fn steal_into(&self, dest: &Local) -> Option<Notified> {
            let mut src = self.0.lock().unwrap();
            let first = src.pop_front()?;
            let half = src.len() / 2;
            let batch: Vec<_> = src.drain(..half).collect();
            drop(src);
            let mut dst = dest.0.lock().unwrap();
            dst.extend(batch);
            Some(first)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().unwrap().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().unwrap().len()
        }
    }

    impl Injector {
        pub(crate) fn new() -> Injector {
            Injector(Mutex::new(VecDeque::new()))
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.lock().unwrap().push_back(task);
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            self.0.lock().unwrap().pop_front()
        }
        pub(crate) fn steal_into(&self, _dest: &Local) -> Option<Notified> {
            self.pop()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().unwrap().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().unwrap().len()
        }
    }
}

pub(crate) use imp::{Injector, Local, Stealer};
