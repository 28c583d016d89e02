//! `Buf`: the one buffer a `File` moves between the task and the blocking pool.
//!
//! It holds either data read ahead (to hand to the next `poll_read`) or data accepted by
//! `poll_write` (being written), never both. `data` stays initialised up to its length
//! across uses, so a read of up to `len` bytes zeroes memory only when the buffer grows.
use std::cmp;
use std::io::{self, Read, Write};
use tokio::io::ReadBuf;

#[derive(Debug, Default)]
pub(crate) struct Buf {
    data: Vec<u8>,
    start: usize,
    end: usize,
}

impl Buf {
    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    fn len(&self) -> usize {
        self.end - self.start
    }

    /// Moves as many buffered bytes as fit into `dst`.
    pub(crate) fn copy_to(&mut self, dst: &mut ReadBuf<'_>) -> usize {
        let n = cmp::min(self.len(), dst.remaining());
        dst.put_slice(&self.data[self.start..self.start + n]);
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        n
    }

    /// Takes up to `max` bytes of `src` (the buffer must be empty).
    pub(crate) fn copy_from(&mut self, src: &[u8], max: usize) -> usize {
        debug_assert!(self.is_empty());
        let n = cmp::min(src.len(), max);
        if self.data.len() < n {
            self.data.resize(n, 0);
        }
        self.data[..n].copy_from_slice(&src[..n]);
        self.start = 0;
        self.end = n;
        n
    }

    /// Forgets read-ahead data; returns the (non-positive) offset to seek by so the
    /// file's position matches what the reader consumed.
    pub(crate) fn discard_read(&mut self) -> i64 {
        let ret = -(self.len() as i64);
        self.start = 0;
        self.end = 0;
        ret
    }

    /// Reads up to `len` bytes from `rd` (on the blocking pool; the buffer is empty).
    pub(crate) fn read_from<R: Read>(&mut self, rd: &mut R, len: usize) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        if self.data.len() < len {
            self.data.resize(len, 0);
        }
        let res = loop {
            match rd.read(&mut self.data[..len]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                res => break res,
            }
        };
        self.start = 0;
        self.end = *res.as_ref().unwrap_or(&0);
        res
    }

    /// Writes all buffered bytes to `wr` (on the blocking pool), leaving it empty.
    pub(crate) fn write_to<W: Write>(&mut self, wr: &mut W) -> io::Result<()> {
        let res = wr.write_all(&self.data[self.start..self.end]);
        self.start = 0;
        self.end = 0;
        res
    }
}
