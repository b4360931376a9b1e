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
    out.push('\n');
    out.push_str(&prettyplease::unparse(&parsed));
    Ok(out)
}

/// One line of a banner or doc: no line breaks inside.
pub fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
