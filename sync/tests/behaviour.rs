//! The behaviour cases under two unrelated executors: the crate is runtime-agnostic.
mod cases;
mod common;

/// Under tokio's multi-thread runtime (the case itself runs in `block_on`; the cases make
/// their own threads for parallelism).
mod tokio_rt {
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("tokio runtime")
            .block_on(f)
    }
    crate::all_cases!(gen_tests!(block_on));
}

/// Under `futures::executor::block_on`.
mod futures_rt {
    crate::all_cases!(gen_tests!(futures::executor::block_on));
}
