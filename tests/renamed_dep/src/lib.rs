//! robin-renamed-dep: uses robin only as `robin2` (a renamed dependency), to prove that
//! robin's macros expand through the name the user chose. Imports nothing but `robin2`.
#![warn(missing_docs)]

/// The first of two channels to yield a value, through `robin2::select!` (with a
/// precondition and an `else`, so every part of the expansion is compiled here).
pub async fn first_of(
    a: &mut robin2::sync::mpsc::Receiver<u32>,
    b: &mut robin2::sync::mpsc::Receiver<u32>,
    use_b: bool,
) -> Option<u32> {
    robin2::select! {
        Some(v) = a.recv() => Some(v),
        Some(v) = b.recv(), if use_b => Some(v),
        else => None,
    }
}
