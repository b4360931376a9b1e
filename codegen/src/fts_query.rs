//! The FTS query translator as generated code: `fts_query.rs` beside the entities whose
//! `search_match` needs it, so that the generated crate depends on nothing but crates a registry
//! serves (sqlite2pg's own `sqlite2pg-rewrite` is on none).
//!
//! Takes the translator's sources (`rewrite/src/fts/`: `mod.rs` and its submodules), embedded
//! at compile time, and gives one module file: the submodules inlined, the crate-level example
//! (which names `sqlite2pg_rewrite`) dropped from the module doc, and `thiserror`'s derive
//! replaced by the `Display` and `Error` impls it stands for, written out from its `#[error]`
//! attributes. The same sources give the same bytes; the translation is the one
//! `sqlite2pg fts translate` and the tests of `rewrite` run.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use crate::error::{Error, Result};
use crate::format::rust_file;

/// The module name (and file stem) of the generated translator.
pub const MODULE: &str = "fts_query";

/// `rewrite/src/fts/mod.rs` and its submodules, by module name.
const SOURCES: [(&str, &str); 5] = [
    ("mod", include_str!("../../rewrite/src/fts/mod.rs")),
    ("fts3", include_str!("../../rewrite/src/fts/fts3.rs")),
    ("fts5", include_str!("../../rewrite/src/fts/fts5.rs")),
    ("lower", include_str!("../../rewrite/src/fts/lower.rs")),
    ("tokenize", include_str!("../../rewrite/src/fts/tokenize.rs")),
];

/// The generated `fts_query.rs`, opened by `banner`.
pub fn module_file(banner: &[String]) -> Result<String> {
    let file = format!("{MODULE}.rs");
    let mut root = parse("mod")?;
    let mut items = Vec::with_capacity(root.items.len());
    for item in std::mem::take(&mut root.items) {
        match item {
            // `mod fts3;` -> `mod fts3 { ... }`
            syn::Item::Mod(mut m) if m.content.is_none() => {
                let sub = parse(&m.ident.to_string())?;
                m.attrs.extend(sub.attrs);
                let mut inner = Vec::new();
                for item in sub.items {
                    inner.extend(without_thiserror(item)?);
                }
                m.content = Some((Default::default(), inner));
                m.semi = None;
                items.push(syn::Item::Mod(m));
            }
            other => items.extend(without_thiserror(other)?),
        }
    }
    // The module doc, without its example: it is the `sqlite2pg_rewrite` crate's doctest.
    let mut doc = Vec::new();
    let mut in_example = false;
    for attr in &root.attrs {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && nv.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value
        {
            let line = s.value();
            if line.trim_start().starts_with("```") {
                in_example = !in_example;
                continue;
            }
            if !in_example {
                doc.push(line.strip_prefix(' ').unwrap_or(&line).to_string());
            }
        }
    }
    while doc.last().is_some_and(|l| l.trim().is_empty()) {
        doc.pop();
    }
    let mut lines = banner.to_vec();
    lines.push(String::new());
    lines.extend(doc);
    let tokens: TokenStream = items.iter().map(quote::ToTokens::to_token_stream).collect();
    rust_file(&file, &lines, tokens)
}

/// One source file of the translator, parsed.
fn parse(module: &str) -> Result<syn::File> {
    let (_, text) = SOURCES.iter().find(|(m, _)| *m == module).ok_or_else(|| Error::SeaOrmCodegen { message: format!("the FTS translator has no module `{module}` among its embedded sources") })?;
    syn::parse_file(text).map_err(|source| Error::Syntax { file: format!("rewrite/src/fts/{module}.rs"), source })
}

/// An item as it was, but an enum deriving `thiserror::Error`: the derive and its `#[error]`
/// attributes become written-out `Display` and `std::error::Error` impls (the generated crate
/// does not depend on thiserror). Only named-field and unit variants occur in the translator;
/// anything else is refused rather than translated wrongly.
fn without_thiserror(item: syn::Item) -> Result<Vec<syn::Item>> {
    let syn::Item::Enum(mut e) = item else { return Ok(vec![item]) };
    let mut derived = false;
    for attr in &mut e.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let paths = attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).map_err(|source| Error::Syntax { file: "rewrite/src/fts".into(), source })?;
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !(p.segments.len() == 2 && p.segments[0].ident == "thiserror" && p.segments[1].ident == "Error")).collect();
        if kept.len() != paths.len() {
            derived = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    if !derived {
        return Ok(vec![syn::Item::Enum(e)]);
    }
    let name = e.ident.clone();
    let mut arms = TokenStream::new();
    for v in &mut e.variants {
        let position = v.attrs.iter().position(|a| a.path().is_ident("error"));
        let attr = position.map(|i| v.attrs.remove(i)).ok_or_else(|| Error::SeaOrmCodegen { message: format!("{name}::{}: no #[error] attribute", v.ident) })?;
        let syn::Meta::List(list) = &attr.meta else { return Err(Error::SeaOrmCodegen { message: format!("{name}::{}: #[error] without arguments", v.ident) }) };
        let args = field_arguments(list.tokens.clone());
        let variant = &v.ident;
        let pattern = match &v.fields {
            syn::Fields::Named(fields) => {
                let names = fields.named.iter().filter_map(|f| f.ident.as_ref());
                quote! { #name::#variant { #(#names),* } }
            }
            syn::Fields::Unit => quote! { #name::#variant },
            syn::Fields::Unnamed(_) => return Err(Error::SeaOrmCodegen { message: format!("{name}::{variant}: tuple variants are not translated from thiserror") }),
        };
        arms.extend(quote! { #pattern => write!(f, #args), });
    }
    let impls: syn::File = syn::parse2(quote! {
        impl std::fmt::Display for #name {
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self { #arms }
            }
        }
        impl std::error::Error for #name {}
    })
    .map_err(|source| Error::Syntax { file: format!("{MODULE}.rs"), source })?;
    let mut items = vec![syn::Item::Enum(e)];
    items.extend(impls.items);
    Ok(items)
}

/// thiserror's `#[error("...", .field.method())]` arguments as `write!`'s: a `.field` at the
/// start of an argument is the variant's field, bound by name in the match arm.
fn field_arguments(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut argument_start = true;
    for tree in tokens {
        let is_comma = matches!(&tree, TokenTree::Punct(p) if p.as_char() == ',');
        if argument_start && matches!(&tree, TokenTree::Punct(p) if p.as_char() == '.') {
            argument_start = false;
            continue;
        }
        argument_start = is_comma;
        out.push(tree);
    }
    out.into_iter().collect()
}
