//! robin-time: `sleep`, `timeout`, `interval` over the runtime's timer wheel.
//!
//! Filled in by the driver issue; the crate compiles empty until then.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
