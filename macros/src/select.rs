//! `select!`: wait on several futures, run the handler of the first that completes (and
//! whose output matches its pattern), drop the rest.
//!
//! The expansion, with `N` branches:
//!
//! 1. evaluate each `, if` precondition, marking the branch disabled in a bit mask (the
//!    smallest of `u8`..`u64` that holds `N`, so at most 64 branches) when false;
//! 2. in an inner block, evaluate every future expression into one tuple (a `let`, so
//!    `&mut make_future()` gets its temporary's lifetime extended), then `into_future`
//!    each into a second tuple that is moved, with the mask, into one `poll_fn` closure.
//!    The closure yields at once if the task's coop budget is spent, then polls the
//!    enabled futures starting at a random branch (branch 0 when `biased;`). A future
//!    that completes disables its branch; if its output does not match the pattern
//!    (matched by reference, with `mut`/`ref`/`ref mut` stripped) the loop goes on, else
//!    the output leaves the block as variant `_i` of a local enum. With no enabled
//!    branch left the block yields `Disabled`;
//! 3. the inner block's end drops all futures, and only then does the handler run (with
//!    the pattern as written), so a handler may use what the futures borrowed, and may
//!    `return`, `break`, `?`, `.await`.
//!
//! Owning the futures in the closure keeps the future as small as tokio's or smaller:
//! no pointer per future, none to the mask. `select! { else => e }` is just `e`.
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Pat, Token};

struct Branch {
    pat: Pat,
    fut: Expr,
    cond: Option<Expr>,
    handler: Expr,
}

struct Select {
    biased: bool,
    branches: Vec<Branch>,
    else_handler: Option<Expr>,
}

/// A handler: a block (the trailing comma is optional) or an expression followed by a
/// comma (or the end), like the body of a `match` arm.
fn parse_handler(input: ParseStream) -> syn::Result<Expr> {
    if input.peek(syn::token::Brace) {
        let block: syn::Block = input.parse()?;
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        Ok(Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block,
        }))
    } else {
        let expr: Expr = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        Ok(expr)
    }
}

impl Parse for Select {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let biased =
            crate::join::parse_biased(input, "a branch `<pattern> = <future> => <handler>`")?;
        let mut branches = Vec::new();
        let mut else_handler = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let else_token: Token![else] = input.parse()?;
                if else_handler.is_some() {
                    return Err(syn::Error::new(
                        else_token.span,
                        "`select!` takes at most one `else` branch",
                    ));
                }
                input.parse::<Token![=>]>()?;
                else_handler = Some(parse_handler(input)?);
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let fut: Expr = input.parse()?;
            let cond = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pat,
                fut,
                cond,
                handler,
            });
        }
        if branches.is_empty() && else_handler.is_none() {
            return Err(syn::Error::new(
                Span::call_site(),
                "`select!` needs at least one branch `<pattern> = <future> => <handler>`",
            ));
        }
        if branches.len() > 64 {
            return Err(syn::Error::new(
                Span::call_site(),
                "`select!` supports at most 64 branches",
            ));
        }
        Ok(Select {
            biased,
            branches,
            else_handler,
        })
    }
}

/// Removes `ref`, `mut` and `&mut` from a pattern's bindings: the poll loop matches the
/// pattern against `&output` only to learn whether it matches, and `mut x` or `ref mut x`
/// cannot bind through a shared reference. The handler gets the pattern as written.
fn clean_pattern(pat: &mut Pat) {
    match pat {
        Pat::Ident(ident) => {
            ident.by_ref = None;
            ident.mutability = None;
            if let Some((_, sub)) = &mut ident.subpat {
                clean_pattern(sub);
            }
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(clean_pattern),
        Pat::Slice(slice) => slice.elems.iter_mut().for_each(clean_pattern),
        Pat::Tuple(tuple) => tuple.elems.iter_mut().for_each(clean_pattern),
        Pat::TupleStruct(tuple) => tuple.elems.iter_mut().for_each(clean_pattern),
        Pat::Struct(st) => st
            .fields
            .iter_mut()
            .for_each(|field| clean_pattern(&mut field.pat)),
        Pat::Reference(reference) => {
            reference.mutability = None;
            clean_pattern(&mut reference.pat);
        }
        Pat::Type(typed) => clean_pattern(&mut typed.pat),
        Pat::Paren(paren) => clean_pattern(&mut paren.pat),
        _ => {}
    }
}

/// Expands `select!`, naming robin's items through `krate` (`::robin`, or the `$crate`
/// the facade's `select!` passes, which resolves under any name the user gave robin).
pub(crate) fn expand(input: TokenStream, krate: TokenStream) -> TokenStream {
    let select: Select = match syn::parse2(input) {
        Ok(s) => s,
        Err(e) => return e.to_compile_error(),
    };
    if select.branches.is_empty() {
        // Only an `else` branch (the parser requires one then): nothing to wait for.
        let handler = select.else_handler.expect("checked by the parser");
        // As written (no extra braces: a block handler would trip `unused_braces` at
        // the caller's span).
        return quote! { #handler };
    }
    let site = Span::mixed_site();
    let n = select.branches.len();
    let n32 = n as u32;
    let mask = match n {
        0..=8 => quote_spanned! {site=> u8 },
        9..=16 => quote_spanned! {site=> u16 },
        17..=32 => quote_spanned! {site=> u32 },
        _ => quote_spanned! {site=> u64 },
    };
    let variants: Vec<_> = (0..n)
        .map(|i| format_ident!("_{}", i, span = site))
        .collect();
    let generics: Vec<_> = (0..n)
        .map(|i| format_ident!("T{}", i, span = site))
        .collect();
    let futs: Vec<_> = (0..n)
        .map(|i| format_ident!("fut{}", i, span = site))
        .collect();
    let inits: Vec<_> = (0..n)
        .map(|i| syn::Index {
            index: i as u32,
            span: site,
        })
        .collect();

    let preconditions = select.branches.iter().enumerate().filter_map(|(i, b)| {
        let cond = b.cond.as_ref()?;
        let bit = 1u64 << i;
        Some(quote_spanned! {site=>
            if !(#cond) {
                disabled |= (#bit) as #mask;
            }
        })
    });
    let fut_exprs = select.branches.iter().map(|b| &b.fut);
    let poll_arms = select.branches.iter().enumerate().map(|(i, b)| {
        let bit = 1u64 << i;
        let mut pat = b.pat.clone();
        clean_pattern(&mut pat);
        let fut = &futs[i];
        let variant = &variants[i];
        // SAFETY (of the `unsafe` block in the expansion): the future lives in the
        // tuple moved into the `poll_fn` closure. `PollFn<F>` is `Unpin` only if `F`
        // is, and `.await` pins it, so from the first poll on the closure, and the
        // futures it owns, never move until dropped; the closure only reaches them
        // through `&mut` and never moves one out. So `Pin::new_unchecked` upholds the
        // pinning contract.
        quote_spanned! {site=>
            #i => {
                let fut = unsafe { ::core::pin::Pin::new_unchecked(&mut *#fut) };
                match ::core::future::Future::poll(fut, cx) {
                    ::core::task::Poll::Ready(out) => {
                        disabled |= (#bit) as #mask;
                        #[allow(unused_variables, unreachable_patterns)]
                        let matched = match &out {
                            #pat => true,
                            _ => false,
                        };
                        if matched {
                            return ::core::task::Poll::Ready(__RobinSelectOut::#variant(out));
                        }
                    }
                    ::core::task::Poll::Pending => pending = true,
                }
            }
        }
    });
    let start = if select.biased {
        quote_spanned! {site=> 0usize }
    } else {
        quote_spanned! {site=> #krate::__private::thread_rng_n(#n32) as usize }
    };
    let handler_arms = select.branches.iter().enumerate().map(|(i, b)| {
        let pat = &b.pat;
        let handler = &b.handler;
        let variant = &variants[i];
        // The pattern keeps the caller's spans (its bindings are the caller's names).
        quote! { __RobinSelectOut::#variant(#pat) => #handler, }
    });
    let else_arm = match &select.else_handler {
        Some(h) => quote! { __RobinSelectOut::Disabled => #h, },
        None => quote_spanned! {site=>
            __RobinSelectOut::Disabled => ::core::panic!(
                "select!: all branches are disabled and there is no else branch"
            ),
        },
    };
    quote_spanned! {site=>
        {
            #[allow(non_camel_case_types, dead_code)]
            enum __RobinSelectOut<#(#generics,)*> {
                #( #variants(#generics), )*
                Disabled,
            }
            let mut disabled: #mask = 0;
            #( #preconditions )*
            #[allow(unused_mut)]
            let mut output = {
                let futures_init = ( #( #fut_exprs, )* );
                let mut futures = ( #( ::core::future::IntoFuture::into_future(futures_init.#inits), )* );
                ::core::future::poll_fn(move |cx: &mut ::core::task::Context<'_>| {
                    // A task out of budget yields here: the budget-aware futures would
                    // return `Pending` anyway, and the others must not be polled in a
                    // loop that never gives the worker back.
                    if !#krate::sync::coop::has_budget_remaining() {
                        cx.waker().wake_by_ref();
                        return ::core::task::Poll::Pending;
                    }
                    let ( #( #futs, )* ) = &mut futures;
                    let start: usize = #start;
                    let mut pending = false;
                    for offset in 0..#n {
                        // Wrapped to `0..n` without `%` (clippy flags `% 1` in the
                        // caller's code).
                        let mut branch = start + offset;
                        if branch >= #n {
                            branch -= #n;
                        }
                        if disabled & ((1u64 << branch) as #mask) != 0 {
                            continue;
                        }
                        match branch {
                            #( #poll_arms )*
                            _ => ::core::unreachable!(),
                        }
                    }
                    if pending {
                        ::core::task::Poll::Pending
                    } else {
                        ::core::task::Poll::Ready(__RobinSelectOut::Disabled)
                    }
                })
                .await
            };
            match output {
                #( #handler_arms )*
                #else_arm
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!("select!: a completed branch's output no longer matches its pattern"),
            }
        }
    }
}

/// Splits `(<crate path>) <select input>` (what the facade's `select!` passes to
/// `select_with_crate!`) into the path and the input.
pub(crate) fn split_crate(input: TokenStream) -> syn::Result<(TokenStream, TokenStream)> {
    let mut tokens = input.into_iter();
    match tokens.next() {
        Some(proc_macro2::TokenTree::Group(group))
            if group.delimiter() == proc_macro2::Delimiter::Parenthesis =>
        {
            Ok((group.stream(), tokens.collect()))
        }
        _ => Err(syn::Error::new(
            Span::call_site(),
            "select_with_crate!: expected `(<path to robin>)` first",
        )),
    }
}
