//! The mixed workload: API calls (see [`super::io`]) whose handling needs a little computation
//! — after each response the unit hashes `compute_words` words ([`super::cpu::hash_stream`])
//! before sending the next request. It is [`super::Job::Api`] with `compute_words > 0`.

use std::net::SocketAddr;

use super::Job;

/// The mixed job: `reqs` requests per unit, `compute_words` words hashed per response.
pub fn job(addr: SocketAddr, reqs: u64, compute_words: u64) -> Job {
    Job::Api {
        addr,
        reqs,
        compute_words,
    }
}
