//! `pin!`: pins values on the stack, shadowing each binding with a `Pin<&mut T>`.
//!
//! Two forms, as tokio's: `pin!(a, b)` pins existing locals (moving them, so the
//! unpinned value can no longer be reached), and `pin! { let a = expr; ... }` declares
//! and pins in one step. Each becomes `let mut x = ::core::pin::pin!(x);`: the standard
//! library's macro, whose temporary lives as long as the `let` does. No `unsafe`, and
//! nothing of `robin` is named, so it works under any crate name.
use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

enum PinInput {
    /// `pin!(a, b, c)`.
    Idents(Vec<Ident>),
    /// `pin! { let a = expr; let b = expr; }`.
    Lets(Vec<(Ident, Expr)>),
}

impl Parse for PinInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![let]) {
            let mut lets = Vec::new();
            while !input.is_empty() {
                input.parse::<Token![let]>()?;
                let name: Ident = input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`pin!` takes `let <name> = <expr>;` (a plain name: no `mut`, type or pattern)",
                    )
                })?;
                input.parse::<Token![=]>()?;
                let init: Expr = input.parse()?;
                input.parse::<Token![;]>()?;
                lets.push((name, init));
            }
            return Ok(PinInput::Lets(lets));
        }
        let idents = Punctuated::<Ident, Token![,]>::parse_terminated(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                "`pin!` takes local variable names (`pin!(a, b)`) or `let` statements (`pin! { let a = expr; }`)",
            )
        })?;
        Ok(PinInput::Idents(idents.into_iter().collect()))
    }
}

/// Expands `pin!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input: PinInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let site = Span::mixed_site();
    let mut out = TokenStream::new();
    match input {
        PinInput::Idents(idents) => {
            for x in idents {
                // The binding keeps the caller's span: it is the caller's name.
                out.extend(quote_spanned! {site=>
                    #[allow(unused_mut)]
                    let mut #x = ::core::pin::pin!(#x);
                });
            }
        }
        PinInput::Lets(lets) => {
            for (x, init) in lets {
                out.extend(quote_spanned! {site=>
                    #[allow(unused_mut)]
                    let mut #x = ::core::pin::pin!(#init);
                });
            }
        }
    }
    out
}
