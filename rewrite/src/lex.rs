//! Parsing SQLite SQL into sqlparser's AST.
//!
//! Takes SQL text; gives an [`Expr`], a [`Query`] or [`Statement`]s. It first patches the
//! token stream for the few SQLite operators sqlparser 0.63 does not parse (`x IS y`,
//! `x IS NOT y`, `x ISNULL`, `x NOT GLOB y`), so later stages see ordinary AST nodes. It
//! must not change meaning: each patch is an exact SQLite equivalence, and `GLOB` is
//! carried as `SIMILAR TO`, which SQLite lacks, so any real `SIMILAR` in the input is refused.

use sqlparser::ast::{Expr, Query, Statement};
use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::error::{Result, RewriteError};

fn parse_error(sql: &str, message: impl ToString) -> RewriteError {
    RewriteError::Parse { sql: sql.to_string(), message: message.to_string() }
}

fn next_word(tokens: &[Token], from: usize) -> Option<(usize, Keyword)> {
    let mut i = from;
    while let Some(t) = tokens.get(i) {
        match t {
            Token::Whitespace(_) => i += 1,
            Token::Word(w) if w.quote_style.is_none() => return Some((i, w.keyword)),
            _ => return None,
        }
    }
    None
}

fn is_keyword(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == k)
}

/// Keywords after which sqlparser already understands `IS [NOT]`.
const IS_FOLLOWERS: &[Keyword] =
    &[Keyword::NULL, Keyword::TRUE, Keyword::FALSE, Keyword::DISTINCT, Keyword::UNKNOWN, Keyword::JSON];

fn patch_tokens(sql: &str, tokens: Vec<Token>) -> Result<Vec<Token>> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if is_keyword(t, Keyword::SIMILAR) {
            return Err(RewriteError::unsupported("SIMILAR TO", "not SQLite syntax"));
        }
        if is_keyword(t, Keyword::GLOB) {
            out.push(Token::make_keyword("SIMILAR"));
            out.push(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space));
            out.push(Token::make_keyword("TO"));
            i += 1;
            continue;
        }
        if matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("isnull")) {
            out.push(Token::make_keyword("IS"));
            out.push(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space));
            out.push(Token::make_keyword("NULL"));
            i += 1;
            continue;
        }
        if is_keyword(t, Keyword::IS) {
            out.push(t.clone());
            i += 1;
            let (negated, resume) = match next_word(&tokens, i) {
                Some((j, Keyword::NOT)) => (true, j + 1),
                _ => (false, i),
            };
            let plain = match next_word(&tokens, resume) {
                Some((_, k)) => IS_FOLLOWERS.contains(&k),
                None => false,
            };
            if !plain {
                // SQLite's `IS` is null-safe equality; PostgreSQL spells it out.
                out.push(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space));
                if !negated {
                    out.push(Token::make_keyword("NOT"));
                    out.push(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space));
                }
                out.push(Token::make_keyword("DISTINCT"));
                out.push(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space));
                out.push(Token::make_keyword("FROM"));
                i = resume;
            }
            continue;
        }
        out.push(t.clone());
        i += 1;
    }
    let _ = sql;
    Ok(out)
}

fn parser_for<'a>(dialect: &'a SQLiteDialect, sql: &str) -> Result<Parser<'a>> {
    let tokens = Tokenizer::new(dialect, sql).tokenize().map_err(|e| parse_error(sql, e))?;
    let tokens = patch_tokens(sql, tokens)?;
    Ok(Parser::new(dialect).with_tokens(tokens))
}

/// Parse one scalar expression, refusing trailing input.
pub(crate) fn parse_expr(sql: &str) -> Result<Expr> {
    let dialect = SQLiteDialect {};
    let mut parser = parser_for(&dialect, sql)?;
    let expr = parser.parse_expr().map_err(|e| parse_error(sql, e))?;
    let _ = parser.consume_token(&Token::SemiColon);
    if parser.peek_token() != Token::EOF {
        return Err(parse_error(sql, format!("unexpected `{}` after the expression", parser.peek_token())));
    }
    Ok(expr)
}

/// Parse SQL statements.
pub(crate) fn parse_statements(sql: &str) -> Result<Vec<Statement>> {
    let dialect = SQLiteDialect {};
    let mut parser = parser_for(&dialect, sql)?;
    parser.parse_statements().map_err(|e| parse_error(sql, e))
}

/// Parse a query (a view body).
pub(crate) fn parse_query(sql: &str) -> Result<Query> {
    let mut stmts = parse_statements(sql)?;
    if stmts.len() != 1 {
        return Err(parse_error(sql, format!("expected one query, found {} statements", stmts.len())));
    }
    match stmts.pop() {
        Some(Statement::Query(q)) => Ok(*q),
        Some(other) => Err(parse_error(sql, format!("expected a query, found `{other}`"))),
        None => Err(parse_error(sql, "empty input")),
    }
}

/// Check that `sql` parses as PostgreSQL; `what` selects the grammar rule.
pub(crate) fn check_pg(sql: &str, what: PgCheck) -> Result<()> {
    let dialect = PostgreSqlDialect {};
    let invalid = |e: sqlparser::parser::ParserError| RewriteError::InvalidOutput {
        sql: sql.to_string(),
        message: e.to_string(),
    };
    let mut parser = Parser::new(&dialect).try_with_sql(sql).map_err(invalid)?;
    match what {
        PgCheck::Expr => {
            parser.parse_expr().map_err(invalid)?;
            if parser.peek_token() != Token::EOF {
                return Err(RewriteError::InvalidOutput {
                    sql: sql.to_string(),
                    message: format!("unexpected `{}` after the expression", parser.peek_token()),
                });
            }
        }
        PgCheck::Statements => {
            parser.parse_statements().map_err(invalid)?;
        }
    }
    Ok(())
}

/// Which PostgreSQL grammar rule [`check_pg`] applies.
#[derive(Clone, Copy)]
pub(crate) enum PgCheck {
    Expr,
    Statements,
}
