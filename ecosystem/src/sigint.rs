//! Ctrl-C for the examples until `robin::signal` lands: SIGINT blocked in every thread
//! and taken with `sigwait` on a blocking thread (the approach of the facade's
//! `examples/http_server.rs`).
//!
//! MERGE: replace with robin::signal::ctrl_c() (and drop [`block_sigint`] from the
//! examples' `main`s).

/// Blocks SIGINT in the calling thread and so in every thread it starts afterwards, so
/// that only [`wait_sigint`] sees it. Call first thing in `main`, before the runtime is
/// built.
pub fn block_sigint() {
    let set = sigint_set();
    // SAFETY: `set` is an initialised signal set; `pthread_sigmask` only changes the
    // calling thread's mask, and a null old-mask pointer is allowed.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
}

/// Resolves when SIGINT arrives (after [`block_sigint`]); waits on a blocking thread.
pub async fn wait_sigint() {
    let waited = robin::task::spawn_blocking(|| {
        let set = sigint_set();
        let mut sig = 0;
        // SAFETY: `set` is an initialised signal set and `sig` a live local for the result.
        unsafe { libc::sigwait(&set, &mut sig) };
    })
    .await;
    if waited.is_err() {
        // The blocking thread cannot panic; a cancelled runtime just never signals.
        std::future::pending::<()>().await;
    }
}

fn sigint_set() -> libc::sigset_t {
    // SAFETY: (1) `sigset_t` is plain data and `sigemptyset` fully initialises it;
    // (2) both calls get a pointer to this live local.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        set
    }
}
