//! The I/O-bound workloads' unit code: "API calls" to the [`crate::server::DelayServer`]
//! over TCP on 127.0.0.1, and plain timer sleeps. Each has an async version, generic over the
//! runtime's [`AsyncIo`] adapter (robin, tokio, smol and the event loop all run this one
//! code), and a blocking version (threading and multiprocessing models, `std::net::TcpStream`
//! and `std::thread::sleep`). The two versions do the same protocol steps in the same order.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{cpu, UnitOut};
use crate::models::async_rt::AsyncIo;
use crate::server::answer;

/// Socket read/write timeout for blocking clients (bounds every blocking call).
pub const SOCKET_TIMEOUT: Duration = Duration::from_secs(30);

fn request(id: u64, seq: u64) -> [u8; 16] {
    let mut req = [0u8; 16];
    req[..8].copy_from_slice(&id.to_le_bytes());
    req[8..].copy_from_slice(&seq.to_le_bytes());
    req
}

fn check_answer(id: u64, seq: u64, resp: [u8; 8]) -> Result<u64, String> {
    let got = u64::from_le_bytes(resp);
    if got != answer(id, seq) {
        return Err(format!("wrong answer for request ({id}, {seq})"));
    }
    Ok(got)
}

/// One unit of the API workload (async): connect, then `reqs` sequential request/response
/// rounds; after each response, hash `compute_words` words (0 for the pure I/O workload).
/// Latency = request write to response read.
pub async fn api_async<R: AsyncIo>(
    addr: SocketAddr,
    id: u64,
    reqs: u64,
    compute_words: u64,
) -> Result<UnitOut, String> {
    let mut s = R::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    R::set_nodelay(&s).map_err(|e| format!("nodelay: {e}"))?;
    let mut out = UnitOut::with_capacity(reqs as usize);
    for seq in 0..reqs {
        let t = Instant::now();
        R::write_all(&mut s, &request(id, seq))
            .await
            .map_err(|e| format!("write: {e}"))?;
        let mut resp = [0u8; 8];
        R::read_exact(&mut s, &mut resp)
            .await
            .map_err(|e| format!("read: {e}"))?;
        out.lats_ns.push(t.elapsed().as_nanos() as u64);
        out.check ^= check_answer(id, seq, resp)?;
        if compute_words > 0 {
            out.check ^= cpu::hash_stream(cpu::seed(id ^ (seq << 32)), compute_words);
        }
    }
    Ok(out.finished())
}

/// One unit of the API workload (blocking std I/O); same steps as [`api_async`].
pub fn api_blocking(
    addr: SocketAddr,
    id: u64,
    reqs: u64,
    compute_words: u64,
) -> Result<UnitOut, String> {
    let mut s = std::net::TcpStream::connect_timeout(&addr, SOCKET_TIMEOUT)
        .map_err(|e| format!("connect: {e}"))?;
    s.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    s.set_read_timeout(Some(SOCKET_TIMEOUT))
        .map_err(|e| format!("timeout: {e}"))?;
    s.set_write_timeout(Some(SOCKET_TIMEOUT))
        .map_err(|e| format!("timeout: {e}"))?;
    let mut out = UnitOut::with_capacity(reqs as usize);
    for seq in 0..reqs {
        let t = Instant::now();
        s.write_all(&request(id, seq))
            .map_err(|e| format!("write: {e}"))?;
        let mut resp = [0u8; 8];
        s.read_exact(&mut resp).map_err(|e| format!("read: {e}"))?;
        out.lats_ns.push(t.elapsed().as_nanos() as u64);
        out.check ^= check_answer(id, seq, resp)?;
        if compute_words > 0 {
            out.check ^= cpu::hash_stream(cpu::seed(id ^ (seq << 32)), compute_words);
        }
    }
    Ok(out.finished())
}

/// One unit of the sleep workload (async): `count` sequential sleeps of `dur`; latency =
/// actual time asleep.
pub async fn sleeps_async<R: AsyncIo>(count: u64, dur: Duration) -> Result<UnitOut, String> {
    let mut out = UnitOut::with_capacity(count as usize);
    for _ in 0..count {
        let t = Instant::now();
        R::sleep(dur).await;
        out.lats_ns.push(t.elapsed().as_nanos() as u64);
    }
    Ok(out.finished())
}

/// One unit of the sleep workload (blocking): same as [`sleeps_async`] with `thread::sleep`.
pub fn sleeps_blocking(count: u64, dur: Duration) -> Result<UnitOut, String> {
    let mut out = UnitOut::with_capacity(count as usize);
    for _ in 0..count {
        let t = Instant::now();
        std::thread::sleep(dur);
        out.lats_ns.push(t.elapsed().as_nanos() as u64);
    }
    Ok(out.finished())
}
