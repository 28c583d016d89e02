//! `#[robin::main]` and `#[robin::test]`: turn an `async fn` into a plain `fn` that builds
//! a runtime and `block_on`s the body.
//!
//! Everything here works on `proc_macro2` tokens so the unit tests below can check the
//! error messages without a compiler run.
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, MetaNameValue, Token};

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "robin::main",
            Kind::Test => "robin::test",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    MultiThread,
    CurrentThread,
    /// A current-thread runtime whose body runs in a `LocalSet` (tokio's local runtime).
    Local,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UnhandledPanic {
    Ignore,
    ShutdownRuntime,
}

/// The attribute's settings, each with the span it was written at.
struct Config {
    flavor: Option<(Flavor, Span)>,
    worker_threads: Option<(usize, Span)>,
    start_paused: Option<(bool, Span)>,
    unhandled_panic: Option<(UnhandledPanic, Span)>,
    crate_path: Option<(syn::Path, Span)>,
    /// `name = "…"`: the runtime's name (`Builder::name`).
    name: Option<(String, Span)>,
}

const KEYS: &str =
    "`flavor`, `worker_threads`, `start_paused`, `unhandled_panic`, `name` or `crate`";

fn set_once<T>(slot: &mut Option<(T, Span)>, value: T, span: Span, key: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            span,
            format!("`{key}` is set more than once"),
        ));
    }
    *slot = Some((value, span));
    Ok(())
}

fn lit_of(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        Expr::Group(g) => lit_of(&g.expr),
        _ => None,
    }
}

fn parse_config(args: TokenStream, kind: Kind) -> syn::Result<Config> {
    let args = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(args)?;
    let mut config = Config {
        flavor: None,
        worker_threads: None,
        start_paused: None,
        unhandled_panic: None,
        crate_path: None,
        name: None,
    };
    for arg in args {
        // `crate` is a keyword: `get_ident` does not see it, the path's one segment does.
        let key = match (arg.path.segments.len(), arg.path.leading_colon) {
            (1, None) => arg.path.segments[0].ident.to_string(),
            _ => {
                return Err(syn::Error::new_spanned(
                    &arg.path,
                    format!("unknown attribute key: expected {KEYS}"),
                ))
            }
        };
        let span = arg.value.span();
        let lit = lit_of(&arg.value);
        match key.as_str() {
            "flavor" => {
                let flavor = match lit {
                    Some(Lit::Str(s)) => match s.value().as_str() {
                        "multi_thread" => Flavor::MultiThread,
                        "current_thread" => Flavor::CurrentThread,
                        "local" => Flavor::Local,
                        other => {
                            return Err(syn::Error::new(
                                span,
                                format!(
                                    "unknown flavor `{other}`: expected \"multi_thread\", \"current_thread\" or \"local\""
                                ),
                            ))
                        }
                    },
                    _ => {
                        return Err(syn::Error::new(
                            span,
                            "`flavor` must be a string: \"multi_thread\", \"current_thread\" or \"local\"",
                        ))
                    }
                };
                set_once(&mut config.flavor, flavor, span, "flavor")?;
            }
            "worker_threads" => {
                let n = match lit {
                    Some(Lit::Int(i)) => i.base10_parse::<usize>().map_err(|e| {
                        syn::Error::new(span, format!("`worker_threads` must be a number: {e}"))
                    })?,
                    _ => return Err(syn::Error::new(
                        span,
                        "`worker_threads` must be an integer literal, e.g. `worker_threads = 4`",
                    )),
                };
                if n == 0 {
                    return Err(syn::Error::new(span, "`worker_threads` may not be 0"));
                }
                set_once(&mut config.worker_threads, n, span, "worker_threads")?;
            }
            "start_paused" => {
                let paused = match lit {
                    Some(Lit::Bool(b)) => b.value(),
                    _ => {
                        return Err(syn::Error::new(
                            span,
                            "`start_paused` must be `true` or `false`",
                        ))
                    }
                };
                set_once(&mut config.start_paused, paused, span, "start_paused")?;
            }
            "unhandled_panic" => {
                let policy = match lit {
                    Some(Lit::Str(s)) => match s.value().as_str() {
                        "ignore" => UnhandledPanic::Ignore,
                        "shutdown_runtime" => UnhandledPanic::ShutdownRuntime,
                        other => {
                            return Err(syn::Error::new(
                                span,
                                format!(
                                    "unknown `unhandled_panic` behavior `{other}`: expected \"ignore\" or \"shutdown_runtime\""
                                ),
                            ))
                        }
                    },
                    _ => {
                        return Err(syn::Error::new(
                            span,
                            "`unhandled_panic` must be a string: \"ignore\" or \"shutdown_runtime\"",
                        ))
                    }
                };
                set_once(&mut config.unhandled_panic, policy, span, "unhandled_panic")?;
            }
            "crate" => {
                let path =
                    match lit {
                        Some(Lit::Str(s)) => s.parse::<syn::Path>().map_err(|_| {
                            syn::Error::new(
                                span,
                                format!(
                                "`crate` must name a path, e.g. `crate = \"my_robin\"`; got \"{}\"",
                                s.value()
                            ),
                            )
                        })?,
                        _ => return Err(syn::Error::new(
                            span,
                            "`crate` must be a string naming a path, e.g. `crate = \"my_robin\"`",
                        )),
                    };
                set_once(&mut config.crate_path, path, span, "crate")?;
            }
            "name" => {
                let name = match lit {
                    Some(Lit::Str(s)) => s.value(),
                    _ => {
                        return Err(syn::Error::new(
                            span,
                            "`name` must be a string, e.g. `name = \"my-runtime\"`",
                        ))
                    }
                };
                set_once(&mut config.name, name, span, "name")?;
            }
            other => {
                return Err(syn::Error::new_spanned(
                    &arg.path,
                    format!("unknown attribute key `{other}`: expected {KEYS}"),
                ))
            }
        }
    }
    let flavor = config.flavor.map(|(f, _)| f).unwrap_or(match kind {
        Kind::Main => Flavor::MultiThread,
        Kind::Test => Flavor::CurrentThread,
    });
    if let (Some((_, span)), Flavor::CurrentThread | Flavor::Local) =
        (config.worker_threads, flavor)
    {
        return Err(syn::Error::new(
            span,
            "`worker_threads` needs `flavor = \"multi_thread\"`: a current-thread runtime has no worker threads",
        ));
    }
    if let (Some((_, span)), Flavor::MultiThread) = (config.start_paused, flavor) {
        return Err(syn::Error::new(
            span,
            "`start_paused` needs `flavor = \"current_thread\"` (or \"local\"): only a current-thread runtime can start with a paused clock",
        ));
    }
    config.flavor = Some((flavor, Span::call_site()));
    Ok(config)
}

/// Expands `#[robin::main]` / `#[robin::test]` on `item`, or returns the compile error.
pub(crate) fn expand(args: TokenStream, item: TokenStream, kind: Kind) -> TokenStream {
    match try_expand(args, item.clone(), kind) {
        Ok(tokens) => tokens,
        Err(err) => {
            // Keep the function (unchanged) next to the error, so the user does not get a
            // second wave of "cannot find function" errors.
            let mut out = err.to_compile_error();
            out.extend(item);
            out
        }
    }
}

fn try_expand(args: TokenStream, item: TokenStream, kind: Kind) -> syn::Result<TokenStream> {
    let mut func: syn::ItemFn = syn::parse2(item)?;
    // Check the function first: a misplaced attribute is the bigger mistake.
    if func.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            func.sig.fn_token,
            format!(
                "the `async` keyword is missing from the function declaration (`#[{}]` needs an `async fn`)",
                kind.name()
            ),
        ));
    }
    // As tokio: only `main` itself (and tests, which the harness calls) take no
    // arguments; any other function may, `self` included.
    let is_entry = kind == Kind::Test || func.sig.ident == "main";
    if is_entry && !func.sig.inputs.is_empty() {
        let what = match kind {
            Kind::Main => "the main function cannot accept arguments",
            Kind::Test => "a test function cannot accept arguments",
        };
        return Err(syn::Error::new_spanned(&func.sig.inputs, what));
    }
    if is_entry && !func.sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &func.sig.generics,
            format!("`#[{}]` functions cannot be generic", kind.name()),
        ));
    }
    if kind == Kind::Test {
        if let Some(attr) = func.attrs.iter().find(|a| a.path().is_ident("test")) {
            return Err(syn::Error::new_spanned(
                attr,
                "second test attribute: `#[robin::test]` already makes this a test, remove `#[test]`",
            ));
        }
    }
    let config = parse_config(args, kind)?;

    func.sig.asyncness = None;
    let body = &func.block;
    let ret_span = func.sig.output.span();
    let krate = match &config.crate_path {
        Some((path, span)) => quote_spanned! {*span=> #path },
        None => quote! { ::robin },
    };
    let flavor = config.flavor.map(|(f, _)| f);
    let mut builder = match flavor {
        Some(Flavor::CurrentThread | Flavor::Local) => {
            quote! { #krate::runtime::Builder::new_current_thread() }
        }
        _ => quote! { #krate::runtime::Builder::new_multi_thread() },
    };
    if let Some((n, span)) = config.worker_threads {
        builder.extend(quote_spanned! {span=> .worker_threads(#n) });
    }
    if let Some((paused, span)) = config.start_paused {
        builder.extend(quote_spanned! {span=> .start_paused(#paused) });
    }
    if let Some((name, span)) = &config.name {
        builder.extend(quote_spanned! {*span=> .name(#name) });
    }
    if let Some((policy, span)) = config.unhandled_panic {
        let variant = match policy {
            UnhandledPanic::Ignore => quote_spanned! {span=> Ignore },
            UnhandledPanic::ShutdownRuntime => quote_spanned! {span=> ShutdownRuntime },
        };
        builder.extend(quote_spanned! {span=>
            .unhandled_panic(#krate::runtime::UnhandledPanic::#variant)
        });
    }
    // The local flavor drives the body inside a `LocalSet`, so `spawn_local` works.
    let run = match flavor {
        // (A local, not a temporary: it is dropped, with its tasks, before the runtime.)
        Some(Flavor::Local) => quote! {
            let local = #krate::task::LocalSet::new();
            local.block_on(&runtime, body)
        },
        _ => quote! { runtime.block_on(body) },
    };
    let test_attr = match kind {
        Kind::Test => quote! { #[::core::prelude::v1::test] },
        Kind::Main => quote! {},
    };
    let attrs = &func.attrs;
    let vis = &func.vis;
    let sig = &func.sig;
    // The body becomes an `async` block; its output type is tied to the function's return
    // type through `block_on`, so `?` in a `-> Result<..>` test or main infers its error type.
    let new_body = quote_spanned! {ret_span=>
        {
            let body = async #body;
            let runtime = #builder
                .enable_all()
                .build()
                .expect("failed to build the robin runtime");
            #run
        }
    };
    let mut out = TokenStream::new();
    out.extend(test_attr);
    for attr in attrs {
        attr.to_tokens(&mut out);
    }
    out.extend(quote! { #vis #sig #new_body });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(args: &str, item: &str, kind: Kind) -> String {
        let args: TokenStream = args.parse().unwrap();
        let item: TokenStream = item.parse().unwrap();
        match try_expand(args, item, kind) {
            Ok(t) => panic!("expected an error, got {t}"),
            Err(e) => e.to_string(),
        }
    }

    fn ok(args: &str, item: &str, kind: Kind) -> String {
        let args: TokenStream = args.parse().unwrap();
        let item: TokenStream = item.parse().unwrap();
        try_expand(args, item, kind).unwrap().to_string()
    }

    #[test]
    fn defaults_follow_tokio() {
        let main = ok("", "async fn main() {}", Kind::Main);
        assert!(main.contains("new_multi_thread"), "{main}");
        assert!(main.contains("enable_all"), "{main}");
        let test = ok("", "async fn t() {}", Kind::Test);
        assert!(test.contains("new_current_thread"), "{test}");
        assert!(test.contains(":: core :: prelude :: v1 :: test"), "{test}");
    }

    #[test]
    fn settings_reach_the_builder() {
        let main = ok(
            "flavor = \"multi_thread\", worker_threads = 3",
            "async fn main() {}",
            Kind::Main,
        );
        assert!(main.contains("worker_threads (3usize)"), "{main}");
        let test = ok("start_paused = true", "async fn t() {}", Kind::Test);
        assert!(test.contains("start_paused (true)"), "{test}");
        let local = ok(
            "flavor = \"local\", unhandled_panic = \"shutdown_runtime\", crate = \"my::robin\"",
            "async fn t() {}",
            Kind::Test,
        );
        assert!(
            local.contains("my :: robin :: runtime :: Builder :: new_current_thread"),
            "{local}"
        );
        assert!(
            local.contains(
                "unhandled_panic (my :: robin :: runtime :: UnhandledPanic :: ShutdownRuntime)"
            ),
            "{local}"
        );
        assert!(
            local.contains("my :: robin :: task :: LocalSet :: new ()"),
            "{local}"
        );
        // Not `main`: arguments (and `self`) are fine, as in tokio.
        ok("", "async fn run(self, n: u8) {}", Kind::Main);
    }

    #[test]
    fn misuse_is_reported() {
        let cases: &[(&str, &str, Kind, &str)] = &[
            ("", "fn main() {}", Kind::Main, "`async` keyword is missing"),
            ("", "fn t() {}", Kind::Test, "`async` keyword is missing"),
            (
                "",
                "async fn main(x: u8) {}",
                Kind::Main,
                "cannot accept arguments",
            ),
            (
                "threads = 2",
                "async fn main() {}",
                Kind::Main,
                "unknown attribute key `threads`",
            ),
            (
                "flavor = 1",
                "async fn main() {}",
                Kind::Main,
                "`flavor` must be a string",
            ),
            (
                "flavor = \"single\"",
                "async fn main() {}",
                Kind::Main,
                "unknown flavor `single`",
            ),
            (
                "worker_threads = \"2\"",
                "async fn main() {}",
                Kind::Main,
                "must be an integer literal",
            ),
            (
                "worker_threads = 0",
                "async fn main() {}",
                Kind::Main,
                "may not be 0",
            ),
            (
                "worker_threads = 2",
                "async fn t() {}",
                Kind::Test,
                "needs `flavor = \"multi_thread\"`",
            ),
            (
                "flavor = \"current_thread\", worker_threads = 2",
                "async fn main() {}",
                Kind::Main,
                "needs `flavor = \"multi_thread\"`",
            ),
            (
                "start_paused = true",
                "async fn main() {}",
                Kind::Main,
                "needs `flavor = \"current_thread\"`",
            ),
            (
                "start_paused = 1",
                "async fn t() {}",
                Kind::Test,
                "must be `true` or `false`",
            ),
            (
                "flavor = \"current_thread\", flavor = \"current_thread\"",
                "async fn t() {}",
                Kind::Test,
                "more than once",
            ),
            (
                "",
                "#[test] async fn t() {}",
                Kind::Test,
                "second test attribute",
            ),
            (
                "",
                "async fn t(x: u8) {}",
                Kind::Test,
                "cannot accept arguments",
            ),
            (
                "unhandled_panic = \"abort\"",
                "async fn main() {}",
                Kind::Main,
                "unknown `unhandled_panic` behavior `abort`",
            ),
            (
                "unhandled_panic = true",
                "async fn main() {}",
                Kind::Main,
                "`unhandled_panic` must be a string",
            ),
            (
                "crate = \"not a path\"",
                "async fn main() {}",
                Kind::Main,
                "`crate` must name a path",
            ),
            (
                "crate = 1",
                "async fn main() {}",
                Kind::Main,
                "`crate` must be a string",
            ),
            (
                "name = 3",
                "async fn main() {}",
                Kind::Main,
                "`name` must be a string",
            ),
            (
                "flavor = \"local\", worker_threads = 2",
                "async fn main() {}",
                Kind::Main,
                "needs `flavor = \"multi_thread\"`",
            ),
            (
                "a::b = 1",
                "async fn main() {}",
                Kind::Main,
                "unknown attribute key",
            ),
        ];
        for (args, item, kind, want) in cases {
            let got = err(args, item, *kind);
            assert!(
                got.contains(want),
                "{args:?} on {item:?}: got {got:?}, want {want:?}"
            );
        }
    }
}
