//! The driver's timers: the clock (real or paused), the state one timer shares with the
//! wheel, and the hierarchical wheel itself.
//!
//! Layer: driver (see `driver/mod.rs`).
pub(crate) mod clock;
pub(crate) mod timer;
pub(crate) mod wheel;
