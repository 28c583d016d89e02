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

#[robin::test(flavor = "local")]
async fn local_flavor_runs_spawn_local_without_a_local_set() {
    assert_eq!(
        Handle::current().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    let shared = std::rc::Rc::new(std::cell::Cell::new(0));
    let in_task = shared.clone();
    let handle = robin::task::spawn_local(async move {
        robin::task::yield_now().await;
        in_task.set(in_task.get() + 1);
        in_task.get()
    });
    assert_eq!(handle.await.unwrap(), 1);
    assert_eq!(shared.get(), 1);
    // Send tasks still work, and time too.
    robin::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(robin::spawn(async { 2 }).await.unwrap(), 2);
}

#[robin::test(flavor = "local", start_paused = true)]
async fn local_flavor_with_a_paused_clock() {
    let start = robin::time::Instant::now();
    let h = robin::task::spawn_local(async {
        robin::time::sleep(Duration::from_secs(60)).await;
    });
    h.await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

/// A stand-in for a renamed robin: the macros must build the runtime through the path
/// given in `crate = "..."`, which this module's `Builder` records.
mod shim {
    use std::sync::atomic::{AtomicUsize, Ordering};
    pub static BUILDERS: AtomicUsize = AtomicUsize::new(0);
    pub use robin::task;
    pub mod runtime {
        pub use robin::runtime::UnhandledPanic;
        pub struct Builder;
        impl Builder {
            pub fn new_current_thread() -> robin::runtime::Builder {
                super::BUILDERS.fetch_add(1, super::Ordering::SeqCst);
                robin::runtime::Builder::new_current_thread()
            }
            pub fn new_multi_thread() -> robin::runtime::Builder {
                super::BUILDERS.fetch_add(1, super::Ordering::SeqCst);
                robin::runtime::Builder::new_multi_thread()
            }
        }
    }
    pub fn builders() -> usize {
        BUILDERS.load(Ordering::SeqCst)
    }
}

mod renamed {
    extern crate robin as my_robin;

    #[my_robin::main(crate = "crate::shim", flavor = "current_thread")]
    pub async fn via_shim() -> u32 {
        my_robin::spawn(async { 5 }).await.unwrap()
    }

    #[my_robin::main(crate = "crate::shim", flavor = "local")]
    pub async fn via_shim_local() -> u32 {
        my_robin::task::spawn_local(async { 6 }).await.unwrap()
    }

    #[my_robin::main(crate = "crate::shim", worker_threads = 1, unhandled_panic = "ignore")]
    pub async fn via_shim_multi() -> u32 {
        my_robin::spawn(async { 8 }).await.unwrap()
    }

    #[my_robin::test(crate = "my_robin", flavor = "local")]
    async fn test_attribute_takes_the_crate_setting_too() {
        let v = std::rc::Rc::new(4);
        assert_eq!(
            my_robin::task::spawn_local(async move { *v })
                .await
                .unwrap(),
            4
        );
    }

    #[my_robin::main(crate = "my_robin")]
    pub async fn via_extern_crate_alias() -> u32 {
        my_robin::spawn(async { 7 }).await.unwrap()
    }
}

#[test]
fn crate_setting_names_the_path_the_runtime_is_built_through() {
    let before = shim::builders();
    assert_eq!(renamed::via_shim(), 5);
    assert_eq!(renamed::via_shim_local(), 6);
    assert_eq!(renamed::via_shim_multi(), 8);
    assert_eq!(
        shim::builders() - before,
        3,
        "every runtime was built through `crate::shim`"
    );
    assert_eq!(renamed::via_extern_crate_alias(), 7);
}

mod panics {
    use std::time::Duration;

    /// Spawns a task that panics, waits for it, then checks whether the runtime still
    /// runs new tasks: `Some(v)` if it does.
    async fn after_a_panicking_task() -> Option<u32> {
        let _ = robin::spawn(async { panic!("task panic (expected by the test)") }).await;
        // Let a shutdown, if one was triggered, take effect.
        robin::time::sleep(Duration::from_millis(1)).await;
        robin::spawn(async { 9 }).await.ok()
    }

    #[robin::main(flavor = "current_thread", unhandled_panic = "ignore")]
    pub async fn ignoring() -> Option<u32> {
        after_a_panicking_task().await
    }

    #[robin::main(flavor = "current_thread", unhandled_panic = "shutdown_runtime")]
    pub async fn shutting_down() -> Option<u32> {
        after_a_panicking_task().await
    }

    #[robin::main(
        flavor = "multi_thread",
        worker_threads = 1,
        unhandled_panic = "shutdown_runtime"
    )]
    pub async fn shutting_down_multi() -> Option<u32> {
        after_a_panicking_task().await
    }
}

#[test]
fn unhandled_panic_setting_reaches_the_runtime() {
    assert_eq!(
        panics::ignoring(),
        Some(9),
        "`ignore` keeps the runtime running"
    );
    for (flavor, run) in [
        (
            "current_thread",
            panics::shutting_down as fn() -> Option<u32>,
        ),
        ("multi_thread", panics::shutting_down_multi),
    ] {
        // tokio's documented behaviour is that `block_on` then panics; either way the
        // runtime must not go on running new tasks.
        let outcome = std::panic::catch_unwind(run);
        assert!(
            !matches!(outcome, Ok(Some(9))),
            "{flavor}: `shutdown_runtime` left the runtime running"
        );
    }
}

struct Service {
    base: u32,
}

impl Service {
    #[robin::main(flavor = "current_thread")]
    async fn run(&self, add: u32) -> u32 {
        let base = self.base;
        robin::spawn(async move { base + add }).await.unwrap()
    }

    #[robin::main(flavor = "current_thread")]
    async fn into_total(self, times: u32) -> u32 {
        let mut total = 0;
        for _ in 0..times {
            total += self.base;
            robin::task::yield_now().await;
        }
        total
    }
}

#[test]
fn main_on_associated_fns_taking_self() {
    let svc = Service { base: 40 };
    assert_eq!(svc.run(2), 42);
    assert_eq!(svc.into_total(3), 120);
}

mod generic {
    #[robin::main(flavor = "current_thread")]
    pub async fn echo<T: Send + 'static>(value: T) -> T {
        robin::spawn(async move { value }).await.unwrap()
    }
}

#[test]
fn main_on_a_generic_fn() {
    assert_eq!(generic::echo("hi"), "hi");
}
