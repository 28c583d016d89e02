//! `#[robin::main]` and `#[robin::test]` through the facade.
use robin::runtime::{Handle, RuntimeFlavor};
use std::time::Duration;

#[robin::test]
async fn test_defaults_to_current_thread() {
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    // The drivers are enabled (`.enable_all()`): time works.
    robin::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(robin::spawn(async { 3 }).await.unwrap(), 3);
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_flavor_runs_tasks_on_other_threads() {
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::MultiThread
    );
    let main_thread = std::thread::current().id();
    // Spawned tasks run on the workers, never on the thread that is in `block_on`.
    let other = robin::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_ne!(other, main_thread);
}

#[robin::test(flavor = "current_thread", start_paused = true)]
async fn start_paused_freezes_the_clock() {
    let start = robin::time::Instant::now();
    robin::time::sleep(Duration::from_secs(24 * 3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(24 * 3600));
}

#[robin::test(start_paused = false)]
async fn start_paused_false_is_accepted() {
    assert_eq!(robin::spawn(async { 1 }).await.unwrap(), 1);
}

#[robin::test]
async fn a_test_may_return_a_result() -> Result<(), std::num::ParseIntError> {
    let n: i32 = "-5".parse()?;
    assert_eq!(n, -5);
    Ok(())
}

#[robin::test]
async fn early_return_in_the_body() -> Result<(), String> {
    if robin::spawn(async { true }).await.unwrap() {
        return Ok(());
    }
    Err("not reached".into())
}

#[robin::test]
#[should_panic(expected = "boom")]
async fn other_attributes_are_kept() {
    panic!("boom");
}

mod main_fn {
    // `#[robin::main]` on a function that is not called `main`, run from a plain test.
    #[robin::main(worker_threads = 2)]
    pub async fn entry() -> usize {
        let handles: Vec<_> = (0..8usize)
            .map(|i| robin::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    }

    #[robin::main(flavor = "current_thread")]
    pub async fn entry_current() -> robin::runtime::RuntimeFlavor {
        robin::runtime::Handle::current().runtime_flavor()
    }
}

#[test]
fn main_builds_a_runtime_and_blocks_on_the_body() {
    assert_eq!(main_fn::entry(), 28);
    assert_eq!(main_fn::entry_current(), RuntimeFlavor::CurrentThread);
}
