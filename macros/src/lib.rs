//! robin-macros: the procedural macros of [robin](https://example.invalid/robin), used
//! through the facade as `#[robin::main]`, `#[robin::test]`, `robin::join!`,
//! `robin::try_join!`, `robin::select!` and `robin::pin!`.
//!
//! The names and semantics follow tokio's, so a tokio user ports by renaming. The
//! generated code of `main`/`test` names the runtime as `::robin::...` unless told
//! otherwise (`crate = "..."`), and `select!` names `::robin` (the facade's
//! `robin::select!` passes its `$crate` to the hidden `select_with_crate!` instead, so it
//! works under a renamed dependency), so these macros need the `robin` crate (not only
//! `robin-runtime`) as a dependency; `join!`, `try_join!` and `pin!` name nothing of
//! robin. This crate imports nothing of robin's (a proc-macro
//! crate only emits tokens).
//!
//! Built on `syn`, `quote` and `proc-macro2`, the standard toolkit for proc macros.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

use proc_macro::TokenStream;

mod entry;
mod join;
mod pin;
mod select;

/// Marks an `async fn` as the program's entry point: the body runs in `block_on` on a
/// runtime built with `.enable_all()`.
///
/// ```
/// #[robin::main]
/// async fn main() {
///     let answer = robin::spawn(async { 6 * 7 }).await.unwrap();
///     assert_eq!(answer, 42);
/// }
/// ```
///
/// It expands to (roughly; `main` renamed here so the example runs):
///
/// ```
/// fn main_expanded() {
///     let body = async { /* the body */ };
///     ::robin::runtime::Builder::new_multi_thread()
///         .enable_all()
///         .build()
///         .expect("failed to build the robin runtime")
///         .block_on(body)
/// }
/// main_expanded();
/// ```
///
/// # Settings
///
/// - `flavor = "multi_thread"` (the default) or `flavor = "current_thread"`;
/// - `worker_threads = N` (multi-thread only, `N >= 1`; the default is one per core);
/// - `flavor = "local"`: a current-thread runtime whose body runs inside a
///   `robin::task::LocalSet` (`run_until`), so `robin::task::spawn_local` works without
///   setting one up (tokio's local runtime);
/// - `start_paused = true` (current-thread and local only): the clock starts paused, see
///   `robin::time::pause`;
/// - `unhandled_panic = "ignore"` (the default) or `"shutdown_runtime"`: the runtime's
///   `Builder::unhandled_panic` policy for tasks that panic (tokio accepts it on the
///   current-thread flavors only; robin's runtimes support it on every flavor);
/// - `crate = "path"`: where to find robin, if it is not `::robin` (a renamed
///   dependency, or a re-export).
///
/// tokio's `name = "..."` (the runtime's name) is a compile error for now: robin's
/// `Builder` has no `name`.
///
/// ```
/// #[robin::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let flavor = robin::runtime::Handle::current().runtime_flavor();
///     assert_eq!(flavor, robin::runtime::RuntimeFlavor::MultiThread);
/// }
/// ```
///
/// With `flavor = "local"`, `!Send` tasks can be spawned straight away:
///
/// ```
/// #[robin::main(flavor = "local")]
/// async fn main() {
///     let shared = std::rc::Rc::new(5);
///     let in_task = shared.clone();
///     let out = robin::task::spawn_local(async move { *in_task * 2 }).await.unwrap();
///     assert_eq!((out, *shared), (10, 5));
/// }
/// ```
///
/// With a renamed dependency:
///
/// ```
/// extern crate robin as my_robin;
///
/// #[my_robin::main(crate = "my_robin", flavor = "current_thread")]
/// async fn main() {
///     assert_eq!(my_robin::spawn(async { 3 }).await.unwrap(), 3);
/// }
/// ```
///
/// The function need not be called `main` (it then builds a runtime each time it is
/// called) and, unless it is `main`, may take arguments, including `self`:
///
/// ```
/// struct Server { port: u16 }
/// impl Server {
///     #[robin::main(flavor = "current_thread")]
///     async fn run(self, offset: u16) -> u16 {
///         robin::spawn(async move { self.port + offset }).await.unwrap()
///     }
/// }
/// assert_eq!(Server { port: 8000 }.run(80), 8080);
/// ```
///
/// `main` may return a `Result`, and `?` works in its body:
///
/// ```
/// #[robin::main(flavor = "current_thread")]
/// async fn main() -> Result<(), std::num::ParseIntError> {
///     let n: u32 = "12".parse()?;
///     assert_eq!(n, 12);
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// Misuse is a compile error pointing at the offending tokens. The function must be
/// `async`:
///
/// ```compile_fail
/// #[robin::main]
/// fn main() {}
/// ```
///
/// `main` takes no arguments:
///
/// ```compile_fail
/// #[robin::main]
/// async fn main(args: Vec<String>) {}
/// ```
///
/// Unknown keys and values of the wrong type are rejected:
///
/// ```compile_fail
/// #[robin::main(threads = 2)]
/// async fn main() {}
/// ```
///
/// ```compile_fail
/// #[robin::main(worker_threads = "2")]
/// async fn main() {}
/// ```
///
/// ```compile_fail
/// #[robin::main(flavor = "single_thread")]
/// async fn main() {}
/// ```
///
/// ```compile_fail
/// #[robin::main(unhandled_panic = "abort")]
/// async fn main() {}
/// ```
///
/// ```compile_fail
/// #[robin::main(crate = "not a path")]
/// async fn main() {}
/// ```
///
/// `worker_threads` must be at least 1 and needs the multi-thread flavor;
/// `start_paused` needs a current-thread flavor:
///
/// ```compile_fail
/// #[robin::main(worker_threads = 0)]
/// async fn main() {}
/// ```
///
/// ```compile_fail
/// #[robin::main(flavor = "current_thread", worker_threads = 2)]
/// async fn main() {}
/// ```
///
/// ```compile_fail
/// #[robin::main(start_paused = true)]
/// async fn main() {}
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(args.into(), item.into(), entry::Kind::Main).into()
}

/// Marks an `async fn` as a test: it runs in `block_on` on a fresh runtime built with
/// `.enable_all()`, a current-thread one unless `flavor = "multi_thread"` is given.
///
/// ```no_run
/// #[robin::test]
/// async fn adds() {
///     assert_eq!(robin::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
///
/// #[robin::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn on_two_workers() {
///     assert_eq!(robin::spawn(async { 2 + 2 }).await.unwrap(), 4);
/// }
///
/// #[robin::test(start_paused = true)]
/// async fn with_a_paused_clock() {
///     let start = robin::time::Instant::now();
///     robin::time::sleep(std::time::Duration::from_secs(3600)).await;
///     assert_eq!(start.elapsed(), std::time::Duration::from_secs(3600));
/// }
///
/// #[robin::test]
/// async fn may_return_a_result() -> Result<(), std::num::ParseIntError> {
///     assert_eq!("7".parse::<u8>()?, 7);
///     Ok(())
/// }
///
/// #[robin::test(flavor = "local")]
/// async fn spawns_local_tasks() {
///     let v = std::rc::Rc::new(1);
///     assert_eq!(robin::task::spawn_local(async move { *v }).await.unwrap(), 1);
/// }
///
/// #[robin::test(unhandled_panic = "shutdown_runtime")]
/// async fn a_panicking_task_stops_the_runtime() {
///     let _ = robin::spawn(async { panic!("fails the test") }).await;
/// }
/// ```
///
/// The settings are those of [`macro@main`], with the same errors:
///
/// ```compile_fail
/// #[robin::test]
/// fn not_async() {}
/// ```
///
/// ```compile_fail
/// #[robin::test(worker_threads = 2)] // the default flavor is current_thread
/// async fn t() {}
/// ```
///
/// ```compile_fail
/// #[robin::test(flavor = "multi_thread", start_paused = true)]
/// async fn t() {}
/// ```
///
/// ```compile_fail
/// #[robin::test(start_paused = "yes")]
/// async fn t() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(args.into(), item.into(), entry::Kind::Test).into()
}

/// Waits on several futures concurrently, on the current task, and returns all their
/// outputs as a tuple once every one has completed.
///
/// The futures are polled by the task that runs `join!` (nothing is spawned), so they
/// need not be `Send` or `'static`. Each poll starts one future further along, so no
/// future is always polled first; with `biased;` first they are always polled in the
/// order written. Anything `IntoFuture` may be passed.
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b, c) = robin::join!(async { 1 }, async { "two" }, std::future::ready(3.0));
/// assert_eq!((a, b, c), (1, "two", 3.0));
/// # });
/// ```
///
/// The futures really run at the same time: here each needs the other's message.
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let (tx1, rx1) = robin::sync::oneshot::channel();
/// let (tx2, rx2) = robin::sync::oneshot::channel();
/// let (x, y) = robin::join!(
///     async move { tx1.send(1).unwrap(); rx2.await.unwrap() },
///     async move { tx2.send(2).unwrap(); rx1.await.unwrap() },
/// );
/// assert_eq!((x, y), (2, 1));
/// # });
/// ```
///
/// `biased;` polls in the order written, every time:
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let order = std::cell::RefCell::new(Vec::new());
/// let step = |name: &'static str| {
///     let order = &order;
///     async move { order.borrow_mut().push(name); robin::task::yield_now().await; order.borrow_mut().push(name) }
/// };
/// robin::join!(biased; step("a"), step("b"), step("c"));
/// assert_eq!(*order.borrow(), ["a", "b", "c", "a", "b", "c"]);
/// # });
/// ```
#[proc_macro]
pub fn join(input: TokenStream) -> TokenStream {
    join::expand(input.into(), false).into()
}

/// Like [`join!`], for futures that return `Result<_, E>` (all the same `E`): gives
/// `Ok` of the tuple of outputs, or the first `Err` at once (dropping the other futures).
/// `biased;` works as for [`join!`].
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// async fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
///     s.parse()
/// }
/// assert_eq!(robin::try_join!(parse("1"), parse("2")), Ok((1, 2)));
/// assert!(robin::try_join!(parse("1"), parse("x"), std::future::pending::<Result<u32, _>>()).is_err());
/// # });
/// ```
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let r: Result<(u8, u8), &str> = robin::try_join!(biased; async { Err("first") }, async { Err("second") });
/// assert_eq!(r, Err("first"));
/// # });
/// ```
#[proc_macro]
pub fn try_join(input: TokenStream) -> TokenStream {
    join::expand(input.into(), true).into()
}

/// Waits on several futures at once and runs the handler of the first to complete; the
/// other futures are dropped (cancelled).
///
/// ```text
/// robin::select! {
///     biased;                                     // optional: poll branches in order
///     <pattern> = <future> (, if <precondition>)? => <handler>,
///     ...
///     else => <handler>,                          // optional
/// }
/// ```
///
/// - All preconditions are evaluated first, then all future expressions; a branch whose
///   precondition is `false` is disabled (its future is created but never polled).
/// - Without `biased;`, each poll starts at a random branch, so no branch is favoured.
/// - When a future completes, its branch is disabled. If its output matches the pattern,
///   the other futures are dropped and the handler runs with the pattern's bindings;
///   otherwise the others keep going.
/// - When every branch is disabled, the `else` handler runs (without one, `select!`
///   panics).
/// - Handlers run after all the futures were dropped: they may use what the futures
///   borrowed, `.await`, `?`, `return`, `break` and `continue`.
/// - Patterns may bind with `mut` and `ref mut`; a future expression may be `&mut` of a
///   future (even a temporary one), so one future can survive several `select!`s.
/// - A task whose coop budget is spent yields before polling any branch.
/// - `select! { else => e }` is `e`.
///
/// ```
/// # robin::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::time::Duration;
/// let (tx, rx) = robin::sync::oneshot::channel::<&str>();
/// tx.send("message").unwrap();
/// let got = robin::select! {
///     msg = rx => msg.unwrap(),
///     _ = robin::time::sleep(Duration::from_secs(5)) => "timed out",
/// };
/// assert_eq!(got, "message");
/// # });
/// ```
///
/// Patterns that do not match disable the branch and `select!` goes on waiting; `else`
/// runs once nothing is left:
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let out = robin::select! {
///     Some(x) = async { None::<u32> } => x,
///     Ok(y) = async { Ok::<u32, ()>(7) } => y * 2,
/// };
/// assert_eq!(out, 14);
/// let out = robin::select! {
///     Some(x) = async { None::<u32> } => x,
///     _ = std::future::pending::<()>(), if false => 0,
///     else => 99,
/// };
/// assert_eq!(out, 99);
/// # });
/// ```
///
/// `biased;` polls in the order written:
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let first = robin::select! {
///     biased;
///     a = async { "a" } => a,
///     b = async { "b" } => b,
/// };
/// assert_eq!(first, "a");
/// # });
/// ```
///
/// One future across loop iterations, with `&mut` and a `mut` binding:
///
/// ```
/// # robin::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap().block_on(async {
/// use std::time::Duration;
/// let (tx, mut rx) = robin::sync::mpsc::channel::<u32>(4);
/// for i in 0..3 { tx.send(i).await.unwrap(); }
/// let deadline = robin::time::sleep(Duration::from_secs(1));
/// robin::pin!(deadline);
/// let mut got = Vec::new();
/// loop {
///     robin::select! {
///         Some(mut v) = rx.recv() => { v *= 10; got.push(v); }
///         _ = &mut deadline => break,
///     }
/// }
/// assert_eq!(got, [0, 10, 20]);
/// # });
/// ```
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    select::expand(input.into(), quote::quote!(::robin)).into()
}

/// `select!` naming robin through the path given first in parentheses:
/// `select_with_crate!((path::to::robin) <select! input>)`. The facade's `robin::select!`
/// is a `macro_rules!` front that passes `$crate` here, so it works however the user
/// named the dependency (as tokio's `select!` does). Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn select_with_crate(input: TokenStream) -> TokenStream {
    match select::split_crate(input.into()) {
        Ok((krate, input)) => select::expand(input, krate).into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// Pins values on the stack: each named local is moved into a pinned place and the
/// name shadowed by a `Pin<&mut T>` to it, so `!Unpin` futures can be polled by
/// reference (in `select!`, or with `.as_mut()`).
///
/// ```
/// # robin::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap().block_on(async {
/// async fn work() -> u32 { 7 }
/// let fut = work();
/// robin::pin!(fut);
/// let pinned: std::pin::Pin<&mut _> = fut.as_mut();
/// assert_eq!(pinned.await, 7);
/// # });
/// ```
///
/// Several at once, or declared and pinned with `let` statements:
///
/// ```
/// # robin::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = (async { 1 }, async { 2 });
/// robin::pin!(a, b);
/// robin::pin! {
///     let c = async { 3 };
///     let d = async { 4 };
/// }
/// assert_eq!(a.await + b.await + c.await + d.await, 10);
/// # });
/// ```
///
/// The unpinned value cannot be reached any more, so it cannot be moved after pinning:
///
/// ```compile_fail
/// let fut = std::future::ready(1);
/// robin::pin!(fut);
/// let unpinned: std::future::Ready<i32> = fut; // error: `fut` is a `Pin<&mut Ready<i32>>` now
/// ```
#[proc_macro]
pub fn pin(input: TokenStream) -> TokenStream {
    pin::expand(input.into()).into()
}
