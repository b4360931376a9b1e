//! Split query text into words the way SQLite's unicode61 tokenizer does: runs of letters
//! and digits (Unicode-aware), lower-cased. Takes text, gives tokens with their byte spans;
//! never stems (PostgreSQL's configuration does).

/// One token: its lower-cased text and its byte span in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Whether `c` belongs to a token (unicode61: categories L*, N*; `_` and punctuation separate).
fn is_token_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// All tokens of `s`.
pub(crate) fn tokens(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match (is_token_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                out.push(Token { text: s[b..i].to_lowercase(), start: b, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push(Token { text: s[b..].to_lowercase(), start: b, end: s.len() });
    }
    out
}
