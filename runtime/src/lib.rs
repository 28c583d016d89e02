//! robin-runtime: tasks, the work-stealing scheduler, the blocking pool.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
