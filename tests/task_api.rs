//! robin::task items at tokio's paths (issue 11), through the facade: `task::coop`,
//! `unconstrained`, `consume_budget`, `JoinSet::spawn_local(_on)`, `LocalSet::enter`,
//! `LocalKey::get`, `task::futures::TaskLocalFuture`; and `#[track_caller]` on the
//! functions that panic on misuse (the panic points at the caller's file).
use robin::runtime::Builder;
use robin::task::{self, JoinSet, LocalSet};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

fn current() -> robin::runtime::Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn consume_budget_makes_a_busy_loop_yield_to_other_tasks() {
    let rt = current();
    rt.block_on(async {
        let flag = Rc::new(std::cell::Cell::new(false));
        let local = LocalSet::new();
        local
            .run_until(async {
                let f = flag.clone();
                task::spawn_local(async move { f.set(true) });
                // The busy loop never awaits anything else: only the budget makes it
                // yield, which lets the other task run.
                let mut spins = 0u32;
                while !flag.get() {
                    task::consume_budget().await;
                    spins += 1;
                    assert!(spins < 1_000_000, "consume_budget never yielded");
                }
            })
            .await;
    });
}

#[test]
fn budget_runs_out_and_unconstrained_lifts_it() {
    let rt = current();
    rt.block_on(async {
        // Spend budget without ever yielding (each `cooperative` future is ready).
        let mut saw_exhausted = false;
        for _ in 0..10_000 {
            if !task::coop::has_budget_remaining() {
                saw_exhausted = true;
                break;
            }
            task::coop::cooperative(async {}).await;
        }
        assert!(saw_exhausted, "the budget never ran out");
        // Inside `unconstrained` there is always budget.
        task::unconstrained(async {
            for _ in 0..10_000 {
                assert!(task::coop::has_budget_remaining());
                task::consume_budget().await;
            }
        })
        .await;
    });
    // Outside a runtime there is no budget to run out of.
    assert!(task::coop::has_budget_remaining());
    let unconstrained: task::Unconstrained<std::future::Ready<u8>> =
        task::unconstrained(std::future::ready(4));
    assert_eq!(futures::executor::block_on(unconstrained), 4);
}

#[test]
fn join_set_spawn_local_and_spawn_local_on() {
    let rt = current();
    let local = LocalSet::new();
    let mut set = JoinSet::new();
    // Not Send: an Rc.
    set.spawn_local_on(async { Rc::new(1) }, &local);
    let total = local.block_on(&rt, async move {
        set.spawn_local(async { Rc::new(2) });
        let aborted = set.spawn_local(std::future::pending::<Rc<i32>>());
        aborted.abort();
        let mut total = 0;
        let mut cancelled = 0;
        while let Some(res) = set.join_next().await {
            match res {
                Ok(v) => total += *v,
                Err(e) => {
                    assert!(e.is_cancelled());
                    cancelled += 1;
                }
            }
        }
        assert_eq!(cancelled, 1);
        total
    });
    assert_eq!(total, 3);
}

#[test]
fn local_set_enter_makes_spawn_local_work_until_the_guard_drops() {
    let rt = current();
    let local = LocalSet::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    {
        let _guard = local.enter();
        let l = log.clone();
        task::spawn_local(async move { l.borrow_mut().push("ran") });
        // Spawned, not run: the set is not driven yet.
        assert!(log.borrow().is_empty());
        assert_eq!(local.len(), 1);
    }
    // After the guard: no set is current again.
    let err = catch_unwind(|| drop(task::spawn_local(async {}))).unwrap_err();
    assert!(err
        .downcast_ref::<&str>()
        .is_some_and(|m| m.contains("outside of a `task::LocalSet`")));
    // Awaiting the set runs it until all its tasks are done.
    rt.block_on(local);
    assert_eq!(*log.borrow(), ["ran"]);
}

robin::task_local! {
    static NAME: String;
}

#[test]
fn local_key_get_and_the_task_local_future_path() {
    let rt = current();
    let fut: task::futures::TaskLocalFuture<String, _> =
        NAME.scope("robin".to_string(), async { NAME.get() });
    assert_eq!(rt.block_on(fut), "robin");
    assert_eq!(NAME.sync_scope("x".into(), || NAME.get()), "x");
}

// ----- #[track_caller]: the panic location is the caller's ----------------------------

/// Runs `f`, returning the file its panic was reported at.
fn panic_file(f: impl FnOnce()) -> String {
    use std::sync::{Mutex, Once};
    static HOOK: Once = Once::new();
    static LAST: Mutex<Vec<(std::thread::ThreadId, String)>> = Mutex::new(Vec::new());
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info
                .location()
                .map(|l| l.file().to_string())
                .unwrap_or_default();
            LAST.lock()
                .unwrap()
                .push((std::thread::current().id(), file));
            default(info);
        }));
    });
    let me = std::thread::current().id();
    LAST.lock().unwrap().retain(|(t, _)| *t != me);
    assert!(
        catch_unwind(AssertUnwindSafe(f)).is_err(),
        "expected a panic"
    );
    let last = LAST.lock().unwrap();
    last.iter()
        .rev()
        .find(|(t, _)| *t == me)
        .map(|(_, f)| f.clone())
        .expect("the hook saw the panic")
}

type Case = (&'static str, Box<dyn FnOnce()>);

#[test]
fn misuse_panics_point_at_the_caller() {
    let here = file!();
    let cases: Vec<Case> = vec![
        (
            "spawn outside a runtime",
            Box::new(|| drop(robin::spawn(async {}))),
        ),
        (
            "spawn_blocking outside a runtime",
            Box::new(|| drop(task::spawn_blocking(|| ()))),
        ),
        (
            "spawn_local outside a LocalSet",
            Box::new(|| drop(task::spawn_local(async {}))),
        ),
        (
            "task::id outside a task",
            Box::new(|| {
                task::id();
            }),
        ),
        (
            "Handle::current outside a runtime",
            Box::new(|| drop(robin::runtime::Handle::current())),
        ),
        (
            "block_in_place on a current-thread runtime",
            Box::new(|| current().block_on(async { task::block_in_place(|| ()) })),
        ),
        (
            "LocalKey::with outside a scope",
            Box::new(|| NAME.with(|_| ())),
        ),
        (
            "LocalKey::get outside a scope",
            Box::new(|| drop(NAME.get())),
        ),
        (
            "JoinSet::spawn outside a runtime",
            Box::new(|| drop(JoinSet::new().spawn(async {}))),
        ),
        (
            "JoinSet::spawn_local outside a LocalSet",
            Box::new(|| drop(JoinSet::<()>::new().spawn_local(async {}))),
        ),
        (
            "Builder::global_queue_interval(0)",
            Box::new(|| {
                Builder::new_multi_thread().global_queue_interval(0);
            }),
        ),
        (
            "Runtime::block_on inside a runtime",
            Box::new(|| {
                let outer = current();
                let inner = current();
                outer.block_on(async { inner.block_on(async {}) })
            }),
        ),
        (
            "LocalSet::block_on inside a runtime",
            Box::new(|| {
                let outer = current();
                let inner = current();
                outer.block_on(async { LocalSet::new().block_on(&inner, async {}) })
            }),
        ),
    ];
    for (what, f) in cases {
        assert_eq!(panic_file(f), here, "{what}");
    }
}
