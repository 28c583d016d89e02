//! Runs every behaviour case (an `async fn()` in `tests/cases`) under one executor.
//!
//! `crate::all_cases!(gen_tests!(block_on_expr))` expands to one `#[test] fn <case>()` per
//! case, each calling `block_on_expr(cases::<case>())`. To run the cases under another
//! executor (robin's runtime), `#[path]`-include `tests/cases/mod.rs` and this file from
//! that crate's tests and invoke the macros in a module of its own.

/// Generates one `#[test]` per case name, running it with the given `block_on`.
#[macro_export]
macro_rules! gen_tests {
    ($block_on:expr ; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                #[allow(clippy::redundant_closure_call)]
                ($block_on)($crate::cases::$name());
            }
        )*
    };
}
