//! robin-net: TCP, UDP and Unix sockets over the runtime's I/O driver.
//!
//! Filled in by the driver issue; the crate compiles empty until then.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
