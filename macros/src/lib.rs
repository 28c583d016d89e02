//! robin-macros: the procedural macros of [robin](https://example.invalid/robin), used
//! through the facade as `#[robin::main]`, `#[robin::test]`, `robin::join!`,
//! `robin::try_join!` and `robin::select!`.
//!
//! The names and semantics follow tokio's, so a tokio user ports by renaming. The
//! generated code names the runtime as `::robin::...`, so these macros need the `robin`
//! crate (not only `robin-runtime`) as a dependency.
//!
//! Built on `syn`, `quote` and `proc-macro2`, the standard toolkit for proc macros.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

use proc_macro::TokenStream;

mod entry;
mod join;
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
/// - `start_paused = true` (current-thread only): the clock starts paused, see
///   `robin::time::pause`.
///
/// ```
/// #[robin::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     let flavor = robin::runtime::Handle::current().runtime_flavor();
///     assert_eq!(flavor, robin::runtime::RuntimeFlavor::MultiThread);
/// }
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
/// It takes no arguments:
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
/// `worker_threads` must be at least 1 and needs the multi-thread flavor;
/// `start_paused` needs the current-thread flavor:
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
/// future is always polled first.
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
#[proc_macro]
pub fn join(input: TokenStream) -> TokenStream {
    join::expand(input.into(), false).into()
}

/// Like [`join!`], for futures that return `Result<_, E>` (all the same `E`): gives
/// `Ok` of the tuple of outputs, or the first `Err` at once (dropping the other futures).
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
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    select::expand(input.into()).into()
}
