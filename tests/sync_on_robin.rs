//! robin-sync's behaviour cases (the same ones `sync/tests/behaviour.rs` runs under tokio
//! and `futures::executor`) under robin's own runtimes: a 2-worker multi-thread runtime,
//! and the current-thread event loop.
#[path = "../sync/tests/cases/mod.rs"]
mod cases;
#[path = "../sync/tests/common/mod.rs"]
mod common;

mod robin_multi_thread {
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        robin::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("robin runtime")
            .block_on(f)
    }
    crate::all_cases!(gen_tests!(block_on));
}

mod robin_current_thread {
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        robin::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("robin runtime")
            .block_on(f)
    }
    crate::all_cases!(gen_tests!(block_on));
}
