//! `join!` and `try_join!`: poll several futures concurrently on the current task.
//!
//! The expansion, with `N` futures:
//!
//! 1. evaluate every expression in order into one tuple of `MaybeDone` cells (a local
//!    enum: the future, then its output in the same place, then `Gone` once taken), so
//!    a finished future's storage is reused for its output;
//! 2. move that tuple into one `poll_fn` closure, which polls the cells not yet done,
//!    starting one further along on each poll (always at the first with `biased;`), and
//!    returns the outputs once every cell is done (`try_join!`: the first `Err` at once).
//!
//! Owning the futures in the closure (rather than pinning each in a local and borrowing
//! it, as before) keeps the future as small as tokio's or smaller: no pointer per future.
//! Internal names use `Span::mixed_site()` so they cannot collide with the caller's.
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

struct JoinInput {
    biased: bool,
    futures: Punctuated<Expr, Token![,]>,
}

/// Parses an optional leading `biased;` (of `join!`, `try_join!` and `select!`);
/// `expected` names what else may come first, for the error on another identifier.
pub(crate) fn parse_biased(input: ParseStream, expected: &str) -> syn::Result<bool> {
    if !(input.peek(syn::Ident) && input.peek2(Token![;])) {
        return Ok(false);
    }
    let ident: syn::Ident = input.parse()?;
    if ident != "biased" {
        return Err(syn::Error::new(
            ident.span(),
            format!("expected `biased;` or {expected}"),
        ));
    }
    input.parse::<Token![;]>()?;
    Ok(true)
}

impl Parse for JoinInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let biased = parse_biased(input, "a future expression")?;
        let futures = Punctuated::parse_terminated(input)?;
        Ok(JoinInput { biased, futures })
    }
}

/// Expands `join!` (`fallible == false`) or `try_join!` (`fallible == true`).
pub(crate) fn expand(input: TokenStream, fallible: bool) -> TokenStream {
    let JoinInput { biased, futures } = match syn::parse2(input) {
        Ok(f) => f,
        Err(e) => return e.to_compile_error(),
    };
    let site = Span::mixed_site();
    let n = futures.len();
    if n == 0 {
        return if fallible {
            quote_spanned! {site=> ::core::result::Result::<(), _>::Ok(()) }
        } else {
            quote_spanned! {site=> () }
        };
    }
    let cells: Vec<_> = (0..n)
        .map(|i| format_ident!("cell{}", i, span = site))
        .collect();
    let exprs = futures.iter();
    let indices = 0..n;
    let on_ready = if fallible {
        quote_spanned! {site=>
            ::core::task::Poll::Ready(::core::result::Result::Ok(v)) => {
                *cell = __RobinMaybeDone::Done(v);
            }
            ::core::task::Poll::Ready(::core::result::Result::Err(e)) => {
                return ::core::task::Poll::Ready(::core::result::Result::Err(e));
            }
        }
    } else {
        quote_spanned! {site=>
            ::core::task::Poll::Ready(v) => *cell = __RobinMaybeDone::Done(v),
        }
    };
    // (For `try_join!` a cell holds the `Ok` value.)
    let output_of = |cell: &syn::Ident| {
        quote_spanned! {site=>
            match ::core::mem::replace(#cell, __RobinMaybeDone::Gone) {
                __RobinMaybeDone::Done(v) => v,
                _ => ::core::unreachable!("join!: an output was taken twice"),
            }
        }
    };
    let outputs_each = cells.iter().map(output_of);
    let outputs = quote_spanned! {site=> (#( #outputs_each, )*) };
    let done = if fallible {
        quote_spanned! {site=> ::core::result::Result::Ok(#outputs) }
    } else {
        outputs
    };
    // The cell's type: for `try_join!` it stores the `Ok` value, so the enum is generic
    // over the output rather than over the future's `Output`.
    let maybe_done = if fallible {
        quote_spanned! {site=>
            enum __RobinMaybeDone<F, T> {
                Future(F),
                Done(T),
                Gone,
            }
            fn __robin_cell<F, T, E>(f: F) -> __RobinMaybeDone<F, T>
            where
                F: ::core::future::Future<Output = ::core::result::Result<T, E>>,
            {
                __RobinMaybeDone::Future(f)
            }
        }
    } else {
        quote_spanned! {site=>
            enum __RobinMaybeDone<F, T> {
                Future(F),
                Done(T),
                Gone,
            }
            fn __robin_cell<F>(f: F) -> __RobinMaybeDone<F, F::Output>
            where
                F: ::core::future::Future,
            {
                __RobinMaybeDone::Future(f)
            }
        }
    };
    // The rotation counter: absent when biased, else the smallest integer that holds N.
    let (rotor_decl, first, advance) = if biased {
        (
            quote_spanned! {site=> },
            quote_spanned! {site=> 0usize },
            quote_spanned! {site=> },
        )
    } else {
        let ty = if n <= u8::MAX as usize {
            quote_spanned! {site=> u8 }
        } else {
            quote_spanned! {site=> usize }
        };
        (
            quote_spanned! {site=> let mut rotor: #ty = 0; },
            quote_spanned! {site=> rotor as usize },
            quote_spanned! {site=>
                rotor += 1;
                if rotor as usize == #n {
                    rotor = 0;
                }
            },
        )
    };
    // SAFETY (of the `unsafe` block in the expansion): each future lives in the tuple
    // moved into the `poll_fn` closure. `PollFn<F>` is `Unpin` only if `F` is, and
    // `.await` pins it, so from the first poll on the closure, and the tuple it owns,
    // never moves until dropped; the closure only reaches the futures through `&mut`
    // and never moves one out (a future leaves its cell only by being dropped in place
    // when its output is written over it). So `Pin::new_unchecked` on a cell's future
    // upholds the pinning contract.
    quote_spanned! {site=>
        {
            #maybe_done
            let mut futures = ( #( __robin_cell(::core::future::IntoFuture::into_future(#exprs)), )* );
            #rotor_decl
            ::core::future::poll_fn(move |cx: &mut ::core::task::Context<'_>| {
                let ( #( #cells, )* ) = &mut futures;
                let mut pending = false;
                let first: usize = #first;
                for offset in 0..#n {
                    // `first + offset` wrapped to `0..n` (not `%`: clippy flags `% 1`
                    // in the caller's code).
                    let mut index = first + offset;
                    if index >= #n {
                        index -= #n;
                    }
                    match index {
                        #(
                            #indices => {
                                let cell = &mut *#cells;
                                if let __RobinMaybeDone::Future(fut) = cell {
                                    let fut = unsafe { ::core::pin::Pin::new_unchecked(fut) };
                                    match ::core::future::Future::poll(fut, cx) {
                                        #on_ready
                                        ::core::task::Poll::Pending => pending = true,
                                    }
                                }
                            }
                        )*
                        _ => ::core::unreachable!(),
                    }
                }
                #advance
                if pending {
                    ::core::task::Poll::Pending
                } else {
                    ::core::task::Poll::Ready(#done)
                }
            })
            .await
        }
    }
}
