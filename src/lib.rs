//! robin: a multi-threaded work-stealing async runtime.
//!
//! This facade only re-exports the workspace crates.
pub use robin_sync as sync;
