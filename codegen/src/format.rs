//! Formatting generated code in process: tokens -> syn -> prettyplease, under a banner.

use proc_macro2::TokenStream;

use crate::error::{Error, Result};

/// `tokens` as a formatted Rust file, opened by `banner` (`//!` lines, each given without the
/// `//! ` prefix).
pub fn rust_file(file: &str, banner: &[String], tokens: TokenStream) -> Result<String> {
    let parsed: syn::File = syn::parse2(tokens).map_err(|source| Error::Syntax { file: file.to_string(), source })?;
    let mut out = String::new();
    for line in banner {
        if line.is_empty() {
            out.push_str("//!\n");
        } else {
            out.push_str("//! ");
            out.push_str(line);
            out.push('\n');
        }
    }
    // prettyplease puts items one under another; a blank line between items (consecutive `use`
    // and `mod` lines stay together) reads like rustfmt'd code.
    let mut previous: Option<std::mem::Discriminant<syn::Item>> = None;
    for item in parsed.items {
        let kind = std::mem::discriminant(&item);
        let grouped = matches!(item, syn::Item::Use(_) | syn::Item::Mod(_)) && previous == Some(kind);
        if !grouped {
            out.push('\n');
        }
        previous = Some(kind);
        out.push_str(&prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items: vec![item] }));
    }
    Ok(out)
}

/// One line of a banner or doc: no line breaks inside.
pub fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
