//! How many shards the driver's sharded structures (timer wheels, I/O slabs) have. The
//! shard a caller uses is its thread's number (`context::thread_number`, passed in by the
//! runtime layer) modulo the count, so the workers of a runtime and the plain threads
//! that enter it mostly land in different shards and take different locks.
//!
//! Layer: driver. Imports nothing from the crate.

/// Shards per structure at most (the I/O token has 6 bits for the shard).
pub(crate) const MAX_SHARDS: usize = 64;

/// The number of shards for a new driver: one per CPU (a thread per CPU runs at once).
pub(crate) fn count() -> usize {
    num_cpus::get().clamp(1, MAX_SHARDS)
}
