//! `select!`: wait on several futures, run the handler of the first that completes (and
//! whose output matches its pattern), drop the rest.
//!
//! The expansion, with `N` branches:
//!
//! 1. evaluate each `, if` precondition, marking the branch disabled in a `u64` mask
//!    when false (so at most 64 branches);
//! 2. in an inner block, evaluate every future expression and pin each on the stack;
//!    one `poll_fn` polls the enabled ones starting at a random branch (branch 0 when
//!    `biased;`). A future that completes disables its branch; if its output does not
//!    match the pattern the loop goes on, else the output leaves the block as variant
//!    `_i` of a local enum. When no enabled branch is left the block yields `Disabled`;
//! 3. the inner block's end drops all futures, and only then does the handler run, so a
//!    handler may use what the futures borrowed, and may `return`, `break`, `?`, `.await`.
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
        let mut biased = false;
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            let ident: syn::Ident = input.parse()?;
            if ident != "biased" {
                return Err(syn::Error::new(
                    ident.span(),
                    "expected `biased;` or a branch `<pattern> = <future> => <handler>`",
                ));
            }
            input.parse::<Token![;]>()?;
            biased = true;
        }
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
        if branches.is_empty() {
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

/// Expands `select!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let select: Select = match syn::parse2(input) {
        Ok(s) => s,
        Err(e) => return e.to_compile_error(),
    };
    let site = Span::mixed_site();
    let n = select.branches.len();
    let n32 = n as u32;
    let variants: Vec<_> = (0..n)
        .map(|i| format_ident!("_{}", i, span = site))
        .collect();
    let generics: Vec<_> = (0..n)
        .map(|i| format_ident!("T{}", i, span = site))
        .collect();
    let futs: Vec<_> = (0..n)
        .map(|i| format_ident!("fut{}", i, span = site))
        .collect();

    let preconditions = select.branches.iter().enumerate().filter_map(|(i, b)| {
        let cond = b.cond.as_ref()?;
        let bit = 1u64 << i;
        Some(quote_spanned! {site=>
            if !(#cond) {
                disabled |= #bit;
            }
        })
    });
    let fut_exprs = select.branches.iter().map(|b| &b.fut);
    let poll_arms = select.branches.iter().enumerate().map(|(i, b)| {
        let bit = 1u64 << i;
        let pat = &b.pat;
        let fut = &futs[i];
        let variant = &variants[i];
        quote_spanned! {site=>
            #i => {
                match ::core::future::Future::poll(#fut.as_mut(), cx) {
                    ::core::task::Poll::Ready(out) => {
                        *disabled |= #bit;
                        #[allow(unused_variables, unused_mut, unreachable_patterns)]
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
        quote_spanned! {site=> ::robin::__private::thread_rng_n(#n32) as usize }
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
            let mut disabled: u64 = 0;
            #( #preconditions )*
            let output = {
                #(
                    let mut #futs = ::core::pin::pin!(::core::future::IntoFuture::into_future(#fut_exprs));
                )*
                let disabled = &mut disabled;
                ::core::future::poll_fn(|cx: &mut ::core::task::Context<'_>| {
                    let start: usize = #start;
                    let mut pending = false;
                    for offset in 0..#n {
                        // Wrapped to `0..n` without `%` (clippy flags `% 1` in the
                        // caller's code).
                        let mut branch = start + offset;
                        if branch >= #n {
                            branch -= #n;
                        }
                        if *disabled & (1u64 << branch) != 0 {
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
