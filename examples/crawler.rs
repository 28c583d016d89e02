//! An async HTTP crawler on hyper + robin (`--features hyper`): starting from one page it
//! follows every same-site link (`href="/..."`), fetching each page once, at most
//! `concurrency` requests at a time (a `Semaphore`), each under a timeout.
//!
//! ```text
//! cargo run --example http_server --features hyper &      # serves /site/0 .. /site/999
//! cargo run --example crawler --features hyper -- 127.0.0.1:3000 /site/0
//! ```
//!
//! `hyper/tests/crawler.rs` includes this file and crawls the server example's site.
use bytes::Bytes;
use robin::sync::Semaphore;
use robin::task::JoinSet;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[path = "http_client.rs"]
#[allow(dead_code)] // Only `fetch` is used here.
mod http_client;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Crawl limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Per request: connect, send, and read the whole body.
    pub timeout: Duration,
    /// Stop discovering new pages after this many.
    pub max_pages: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            concurrency: 16,
            timeout: Duration::from_secs(10),
            max_pages: 100_000,
        }
    }
}

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every fetched path and how many times it was requested.
    pub fetches: BTreeMap<String, u32>,
    /// Paths that failed, with why.
    pub errors: BTreeMap<String, String>,
    /// The most requests that were in flight at once.
    pub max_in_flight: usize,
}

/// The same-site links (`href="/..."`) in `html`.
pub fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|link| link.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

/// One GET over a fresh connection: the HTTP client example's [`http_client::fetch`].
async fn get(authority: &str, path: &str) -> Result<(u16, Bytes), Error> {
    let (status, body) = http_client::fetch(authority, path).await?;
    Ok((status.as_u16(), body))
}

/// Crawls `authority` (`host:port`) from `start`, each page once.
pub async fn crawl(authority: &str, start: &str, config: Config) -> Report {
    let permits = Arc::new(Semaphore::new(config.concurrency));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let authority: Arc<str> = authority.into();
    let mut report = Report::default();
    // Only this (the coordinating) task touches `seen`: a path is spawned at most once.
    let mut seen = HashSet::new();
    let mut tasks = JoinSet::new();
    let spawn = |tasks: &mut JoinSet<_>, path: String| {
        let (permits, authority) = (permits.clone(), authority.clone());
        let (in_flight, max_in_flight) = (in_flight.clone(), max_in_flight.clone());
        let timeout = config.timeout;
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("never closed");
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max_in_flight.fetch_max(now, Ordering::SeqCst);
            let res = match robin::time::timeout(timeout, get(&authority, &path)).await {
                Ok(res) => res,
                Err(_) => Err(format!("timed out after {timeout:?}").into()),
            };
            in_flight.fetch_sub(1, Ordering::SeqCst);
            (path, res)
        });
    };
    seen.insert(start.to_owned());
    spawn(&mut tasks, start.to_owned());
    while let Some(done) = tasks.join_next().await {
        let (path, res) = done.expect("fetch tasks do not panic");
        *report.fetches.entry(path.clone()).or_default() += 1;
        match res {
            Ok((200, body)) => {
                for link in links(&String::from_utf8_lossy(&body)) {
                    if seen.len() < config.max_pages && seen.insert(link.clone()) {
                        spawn(&mut tasks, link);
                    }
                }
            }
            Ok((status, _)) => {
                report.errors.insert(path, format!("HTTP {status}"));
            }
            Err(err) => {
                report.errors.insert(path, err.to_string());
            }
        }
    }
    report.max_in_flight = max_in_flight.load(Ordering::SeqCst);
    report
}

#[allow(dead_code)] // `hyper/tests/crawler.rs` includes this file; `main` is unused there.
#[robin::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let authority = args.next().unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let start = args.next().unwrap_or_else(|| "/site/0".to_owned());
    let report = crawl(&authority, &start, Config::default()).await;
    println!(
        "{} pages, {} errors, at most {} requests in flight",
        report.fetches.len(),
        report.errors.len(),
        report.max_in_flight
    );
    for (path, err) in &report.errors {
        println!("  {path}: {err}");
    }
}
