//! File write and read of 1 KiB … 64 MiB: robin vs tokio, same code shape, 2 workers each.
//!
//! `write/<size>`: `File::create`, `write_all` of the whole buffer, `flush` (no `sync`). `read/<size>`: `File::open`
//! and `read_to_end` of a file written once beforehand. Both runtimes run every file
//! operation on their blocking pool with a 2 MiB chunk, so the figures compare the cost
//! of the trips (task ↔ pool hand-off, buffer copies), not the disk: the files live on
//! tmpfs where there is one (see [`dir`]).
//!
//! `cargo bench --bench fs -- --warm-up-time 1 --measurement-time 3`
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WORKERS: usize = 2;
const SIZES: [usize; 5] = [1 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20];

fn label(size: usize) -> String {
    match size {
        s if s >= 1 << 20 => format!("{}MiB", s >> 20),
        s => format!("{}KiB", s >> 10),
    }
}

/// On tmpfs (`/dev/shm`) where there is one, so that disk writeback — shared with
/// whatever else the machine runs — does not drown the runtimes' own costs;
/// `ROBIN_BENCH_FS_DIR` picks another place (e.g. a real disk).
fn dir() -> PathBuf {
    let base = match std::env::var_os("ROBIN_BENCH_FS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None if std::path::Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
        None => std::env::temp_dir(),
    };
    let dir = base.join(format!("robin-bench-fs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bench_fs(c: &mut Criterion) {
    let robin_rt = robin::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();
    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();
    let dir = dir();

    let mut g = c.benchmark_group("fs");
    g.warm_up_time(Duration::from_secs(1));
    for size in SIZES {
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        g.throughput(Throughput::Bytes(size as u64));
        if size >= 16 << 20 {
            g.sample_size(10);
        }
        let path = dir.join(format!("w{size}"));
        g.bench_with_input(
            BenchmarkId::new("write/robin", label(size)),
            &data,
            |b, data| {
                b.iter(|| {
                    robin_rt.block_on(async {
                        let mut f = robin::fs::File::create(&path).await.unwrap();
                        f.write_all(data).await.unwrap();
                        f.flush().await.unwrap();
                    })
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("write/tokio", label(size)),
            &data,
            |b, data| {
                b.iter(|| {
                    tokio_rt.block_on(async {
                        let mut f = tokio::fs::File::create(&path).await.unwrap();
                        f.write_all(data).await.unwrap();
                        f.flush().await.unwrap();
                    })
                })
            },
        );
        let path = dir.join(format!("r{size}"));
        std::fs::write(&path, &data).unwrap();
        let mut buf = Vec::with_capacity(size);
        g.bench_function(BenchmarkId::new("read/robin", label(size)), |b| {
            b.iter(|| {
                robin_rt.block_on(async {
                    buf.clear();
                    let mut f = robin::fs::File::open(&path).await.unwrap();
                    f.read_to_end(&mut buf).await.unwrap();
                    assert_eq!(buf.len(), size);
                })
            })
        });
        g.bench_function(BenchmarkId::new("read/tokio", label(size)), |b| {
            b.iter(|| {
                tokio_rt.block_on(async {
                    buf.clear();
                    let mut f = tokio::fs::File::open(&path).await.unwrap();
                    f.read_to_end(&mut buf).await.unwrap();
                    assert_eq!(buf.len(), size);
                })
            })
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_fs);
criterion_main!(benches);
