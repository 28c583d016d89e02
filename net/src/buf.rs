//! Reading straight into a `bytes::BufMut`'s spare capacity (the `*_buf` family:
//! `try_read_buf`, `recv_buf`, ...): the one place robin-net views uninitialised memory
//! as `&mut [u8]`; and [`poll_fill`], tokio's `poll_read` over a `ReadBuf` (safe).
use std::io;
use std::mem::MaybeUninit;
use std::task::{ready, Poll};

/// Runs the syscall wrapper `op` on `buf`'s spare capacity and advances `buf` by the
/// byte count `op` reports.
///
/// `op` must be a `read(2)`-like call (`read`, `recv`, `recv_from`): it writes into the
/// slice, never reads it, and returns how many bytes it wrote. Only robin-net's own
/// socket calls are passed here.
pub(crate) fn read_into<B, T>(
    buf: &mut B,
    op: impl FnOnce(&mut [u8]) -> io::Result<(usize, T)>,
) -> io::Result<(usize, T)>
where
    B: bytes::BufMut + ?Sized,
{
    let chunk = buf.chunk_mut();
    // SAFETY: (1) `UninitSlice` is `chunk.len()` bytes of `[MaybeUninit<u8>]` we may
    // write; (2) the `&mut [u8]` view goes only to `op`, a `read(2)`-like syscall that
    // writes into it and never reads it, so no uninitialised byte is read; (3) the
    // view's borrow ends before `advance_mut`.
    let bytes = unsafe {
        let uninit: &mut [MaybeUninit<u8>] = chunk.as_uninit_slice_mut();
        std::slice::from_raw_parts_mut(uninit.as_mut_ptr().cast::<u8>(), uninit.len())
    };
    let len = bytes.len();
    let (n, value) = op(bytes)?;
    assert!(
        n <= len,
        "robin-net: a read reported more bytes than it was given"
    );
    // SAFETY: the syscall initialised the first `n` bytes of the chunk, and `n` is
    // within it (checked above).
    unsafe { buf.advance_mut(n) };
    Ok((n, value))
}

/// tokio's `poll_read` shape: `poll` reads into `buf`'s unfilled part (initialised
/// first, so no `unsafe`), and `buf` advances by the count it returns.
pub(crate) fn poll_fill(
    buf: &mut tokio::io::ReadBuf<'_>,
    poll: impl FnOnce(&mut [u8]) -> Poll<io::Result<usize>>,
) -> Poll<io::Result<()>> {
    let n = ready!(poll(buf.initialize_unfilled()))?;
    buf.advance(n);
    Poll::Ready(Ok(()))
}
