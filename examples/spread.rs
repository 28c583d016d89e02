//! Spreads CPU-bound work over every core with robin's work-stealing runtime and prints
//! which worker thread ran how many tasks.
//!
//! All tasks are spawned by a single task, so they start in one worker's queue; the other
//! workers get their share by stealing. Run: `cargo run --release --example spread`.
use robin::runtime::Builder;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A fixed amount of pure computation: FNV-1a over a generated buffer, many rounds.
fn work(seed: u64) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for round in 0..20_000u64 {
        hash ^= round;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn main() -> std::io::Result<()> {
    let workers = num_cpus::get();
    let next = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name_fn(move || format!("robin-worker-{}", next.fetch_add(1, Ordering::Relaxed)))
        .build()?;

    let tasks = 2_000u64;
    let start = Instant::now();
    let (per_thread, checksum) = rt.block_on(async move {
        let handles: Vec<_> = robin::spawn(async move {
            (0..tasks)
                .map(|i| {
                    robin::spawn(async move {
                        let name = std::thread::current().name().unwrap_or("?").to_owned();
                        (name, work(i))
                    })
                })
                .collect()
        })
        .await
        .expect("spawner task");
        let mut per_thread = BTreeMap::new();
        let mut checksum = 0u64;
        for h in handles {
            let (name, hash) = h.await.expect("task");
            *per_thread.entry(name).or_insert(0u64) += 1;
            checksum ^= hash;
        }
        (per_thread, checksum)
    });
    let elapsed = start.elapsed();

    println!("robin: {tasks} CPU-bound tasks on {workers} workers in {elapsed:.2?} (checksum {checksum:016x})");
    println!("all tasks were spawned by one task; the others stole their share:");
    for (thread, count) in &per_thread {
        println!("  {thread:<20} ran {count:>5} tasks");
    }
    Ok(())
}
