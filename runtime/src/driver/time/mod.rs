//! The driver's timers: the clock (real or paused), the state one timer shares with the
//! wheel, the hierarchical wheel itself, and its shards (one wheel per shard).
//!
//! Layer: driver (see `driver/mod.rs`).
pub(crate) mod clock;
pub(crate) mod shards;
pub(crate) mod timer;
pub(crate) mod wheel;
