//! `join!` and `try_join!`: poll several futures concurrently on the current task.
//!
//! Each future is pinned on the stack in its own local; one `poll_fn` polls those not yet
//! done, starting one further along each time so no future is always polled first.
//! Internal names use `Span::mixed_site()` so they cannot collide with the caller's.
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

/// Expands `join!` (`fallible == false`) or `try_join!` (`fallible == true`).
pub(crate) fn expand(input: TokenStream, fallible: bool) -> TokenStream {
    let futures = match Punctuated::<Expr, Token![,]>::parse_terminated.parse2(input) {
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
    let futs: Vec<_> = (0..n)
        .map(|i| format_ident!("fut{}", i, span = site))
        .collect();
    let outs: Vec<_> = (0..n)
        .map(|i| format_ident!("out{}", i, span = site))
        .collect();
    let exprs = futures.iter();
    let indices = 0..n;
    let on_ready = if fallible {
        quote_spanned! {site=>
            ::core::task::Poll::Ready(::core::result::Result::Ok(v)) => *out = ::core::option::Option::Some(v),
            ::core::task::Poll::Ready(::core::result::Result::Err(e)) => {
                return ::core::task::Poll::Ready(::core::result::Result::Err(e));
            }
        }
    } else {
        quote_spanned! {site=>
            ::core::task::Poll::Ready(v) => *out = ::core::option::Option::Some(v),
        }
    };
    let outputs = quote_spanned! {site=>
        (#( #outs.take().expect("join!: output taken twice"), )*)
    };
    let done = if fallible {
        quote_spanned! {site=> ::core::result::Result::Ok(#outputs) }
    } else {
        outputs
    };
    quote_spanned! {site=>
        {
            #(
                let mut #futs = ::core::pin::pin!(::core::future::IntoFuture::into_future(#exprs));
                let mut #outs = ::core::option::Option::None;
            )*
            let mut start: usize = 0;
            ::core::future::poll_fn(|cx: &mut ::core::task::Context<'_>| {
                let mut pending = false;
                for offset in 0..#n {
                    // `start + offset` wrapped to `0..n` (not `%`: clippy flags `% 1`
                    // in the caller's code).
                    let mut index = start + offset;
                    if index >= #n {
                        index -= #n;
                    }
                    match index {
                        #(
                            #indices => {
                                let out = &mut #outs;
                                if out.is_none() {
                                    match ::core::future::Future::poll(#futs.as_mut(), cx) {
                                        #on_ready
                                        ::core::task::Poll::Pending => pending = true,
                                    }
                                }
                            }
                        )*
                        _ => ::core::unreachable!(),
                    }
                }
                start += 1;
                if start == #n {
                    start = 0;
                }
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
