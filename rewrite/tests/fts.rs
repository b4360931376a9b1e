//! Full-text MATCH queries (FTS5, FTS3/4) to tsquery. Each line: SQLite query, exact tsquery
//! text (or the reason it is refused). The table is `(title, body)` unless a case says otherwise.

use sqlite2pg_rewrite::fts::{FtsDialect, FtsQueryError, FtsQuerySpec, Translated, translate_match};

fn spec(dialect: FtsDialect) -> FtsQuerySpec {
    FtsQuerySpec::new(["title", "body"], "simple", dialect)
}

fn run(query: &str, spec: &FtsQuerySpec) -> Translated {
    let t = translate_match(query, spec).unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(translate_match(query, spec).ok(), Some(t.clone()), "not deterministic: {query}");
    t
}

/// FTS5 `query` translates exactly (not approximate) to `expected`.
fn check(query: &str, expected: &str) {
    let t = run(query, &spec(FtsDialect::Fts5));
    assert_eq!(t.tsquery, expected, "query: {query}");
    assert!(!t.approximate, "{query}: unexpectedly approximate: {:?}", t.notes);
}

/// FTS5 `query` translates to `expected`, flagged approximate with a note containing `note`.
fn approx(query: &str, expected: &str, note: &str) {
    approx_with(&spec(FtsDialect::Fts5), query, expected, note);
}

fn approx_with(spec: &FtsQuerySpec, query: &str, expected: &str, note: &str) {
    let t = run(query, spec);
    assert_eq!(t.tsquery, expected, "query: {query}");
    assert!(t.approximate, "{query}: not flagged approximate");
    assert!(t.notes.iter().any(|n| n.contains(note)), "{query}: notes {:?} lack `{note}`", t.notes);
}

/// FTS3/4 (standard syntax) `query` translates exactly to `expected`.
fn check34(query: &str, expected: &str) {
    let t = run(query, &spec(FtsDialect::Fts34));
    assert_eq!(t.tsquery, expected, "query (fts3/4): {query}");
    assert!(!t.approximate, "{query}: unexpectedly approximate: {:?}", t.notes);
}

/// FTS3/4 (enhanced syntax) `query` translates exactly to `expected`.
fn check34e(query: &str, expected: &str) {
    let t = run(query, &spec(FtsDialect::Fts34Enhanced));
    assert_eq!(t.tsquery, expected, "query (fts3/4 enhanced): {query}");
    assert!(!t.approximate, "{query}: unexpectedly approximate: {:?}", t.notes);
}

/// `query` is refused in `dialect` with an error containing `reason`.
fn refuse_in(dialect: FtsDialect, query: &str, reason: &str) {
    match translate_match(query, &spec(dialect)) {
        Ok(t) => panic!("{query} ({dialect:?}): translated to {:?}, expected an error about `{reason}`", t.tsquery),
        Err(e) => assert!(e.to_string().contains(reason), "{query}: error `{e}` lacks `{reason}`"),
    }
}

fn refuse(query: &str, reason: &str) {
    refuse_in(FtsDialect::Fts5, query, reason);
}

#[test]
fn fts5_terms_and_operators() {
    check("alpha", "'alpha'");
    check("Alpha", "'alpha'");
    check("alpha beta", "'alpha' & 'beta'");
    check("alpha AND beta", "'alpha' & 'beta'");
    check("alpha OR beta", "'alpha' | 'beta'");
    check("alpha NOT beta", "'alpha' & !'beta'");
    check("alpha or beta", "'alpha' & 'or' & 'beta'");
    check("alpha AND beta OR gamma", "'alpha' & 'beta' | 'gamma'");
    check("alpha OR beta AND gamma", "'alpha' | 'beta' & 'gamma'");
    check("(alpha OR beta) AND gamma", "('alpha' | 'beta') & 'gamma'");
    check("alpha OR beta gamma", "'alpha' | 'beta' & 'gamma'");
    // Implicit AND binds tighter than NOT: `a NOT b c` is `a NOT (b c)`.
    check("alpha NOT beta gamma", "'alpha' & !('beta' & 'gamma')");
    check("alpha NOT beta NOT gamma", "'alpha' & !'beta' & !'gamma'");
    check("alpha NOT (beta OR gamma)", "'alpha' & !('beta' | 'gamma')");
    check("(alpha NOT beta) OR gamma", "'alpha' & !'beta' | 'gamma'");
    check("near", "'near'");
    check("NEARBY", "'nearby'");
}

#[test]
fn fts5_phrases_and_prefixes() {
    check("\"alpha beta\"", "'alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B");
    check("alpha + beta", "'alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B");
    check("\"alpha\" + \"beta gamma\"", "'alpha':A <-> 'beta':A <-> 'gamma':A | 'alpha':B <-> 'beta':B <-> 'gamma':B");
    check("\"alpha.beta\"", "'alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B");
    check("alpha_beta", "'alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B");
    check("\"say \"\"hi\"\"\"", "'say':A <-> 'hi':A | 'say':B <-> 'hi':B");
    check("\"alpha\"", "'alpha'");
    check("alp*", "'alp':*");
    check("alp *", "'alp':*");
    check("\"alp\"*", "'alp':*");
    check("\"alpha be\"*", "'alpha':A <-> 'be':*A | 'alpha':B <-> 'be':*B");
    check("al* + beta", "'al':*A <-> 'beta':A | 'al':*B <-> 'beta':B");
    check("\"alpha beta\" gamma", "('alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B) & 'gamma'");
    check("NOTE", "'note'");
}

#[test]
fn fts5_single_column_phrases_carry_no_weights() {
    let one = FtsQuerySpec::new(["body"], "simple", FtsDialect::Fts5);
    assert_eq!(run("\"alpha beta\" gam*", &one).tsquery, "'alpha' <-> 'beta' & 'gam':*");
    assert_eq!(run("body: alpha", &one).tsquery, "'alpha'");
}

#[test]
fn fts5_column_filters() {
    check("title: alpha", "'alpha':A");
    check("title:alpha", "'alpha':A");
    check("TITLE : alpha", "'alpha':A");
    check("body: alp*", "'alp':*B");
    check("\"body\": alpha", "'alpha':B");
    check("title: alpha body: beta", "'alpha':A & 'beta':B");
    check("title: \"alpha beta\"", "'alpha':A <-> 'beta':A");
    check("title: (alpha OR beta)", "'alpha':A | 'beta':A");
    check("title : (alpha NOT beta)", "'alpha':A & !'beta':A");
    check("{title body}: alpha", "'alpha'");
    check("-title: alpha", "'alpha':B");
    check("- title : alpha", "'alpha':B");
    check("-{body}: alpha", "'alpha':A");
    check("title: (body: alpha)", "");
    check("title: alpha + beta", "'alpha':A <-> 'beta':A");
    let four = FtsQuerySpec::new(["a", "b", "c", "d"], "simple", FtsDialect::Fts5);
    assert_eq!(run("{a c}: x", &four).tsquery, "'x':AC");
    assert_eq!(run("{a c}: \"x y\"", &four).tsquery, "'x':A <-> 'y':A | 'x':C <-> 'y':C");
    assert_eq!(run("-d: x", &four).tsquery, "'x':ABC");
    assert!(!run("d: x", &four).approximate);
}

#[test]
fn fts5_shared_weight_d_is_approximate() {
    let six = FtsQuerySpec::new(["a", "b", "c", "d", "e", "f"], "simple", FtsDialect::Fts5);
    approx_with(&six, "e: x", "'x':D", "also matches in d, f");
    assert_eq!(run("-a: x", &six).tsquery, "'x':BCD");
    assert!(!run("-a: x", &six).approximate);
    approx_with(&six, "-f: x", "'x':ABCD", "also matches in f");
    assert!(!run("{d e f}: x", &six).approximate);
    assert!(!run("a: x", &six).approximate);
    approx_with(&six, "{d e}: \"x y\"", "'x':D <-> 'y':D", "across their boundary");
}

#[test]
fn fts5_near() {
    let one = FtsQuerySpec::new(["body"], "simple", FtsDialect::Fts5);
    assert_eq!(
        run("NEAR(alpha beta, 2)", &one).tsquery,
        "'beta' <3> 'alpha' | 'beta' <2> 'alpha' | 'beta' <-> 'alpha' | 'alpha' <0> 'beta' | 'alpha' <-> 'beta' | 'alpha' <2> 'beta' | 'alpha' <3> 'beta'"
    );
    assert_eq!(run("NEAR(alpha alpha, 1)", &one).tsquery, "'alpha' <2> 'alpha' | 'alpha' <-> 'alpha' | 'alpha' <0> 'alpha'");
    // Two-word phrases may overlap when they share words: "a b" and "b c" in "a b c".
    assert_eq!(
        run("NEAR(\"a b\" \"b c\", 0)", &one).tsquery,
        "'b' <-> 'c' <-> 'a' <-> 'b' | 'b' <-> 'a' <0> 'c' <-> 'b' | 'a' <0> 'b' <-> 'b' <0> 'c' | 'a' <-> 'b' <0> 'b' <-> 'c' | 'a' <-> 'b' <-> 'b' <-> 'c'"
    );
    assert_eq!(run("NEAR(alpha)", &one).tsquery, "'alpha'");
    let t = run("NEAR(alpha beta)", &one);
    assert_eq!(t.tsquery.matches(" | ").count(), 22, "{}", t.tsquery);
    assert!(!t.approximate);
    // Two columns: one alternative set per column.
    let t = run("NEAR(alpha beta, 0)", &spec(FtsDialect::Fts5));
    assert_eq!(t.tsquery, "'beta':A <-> 'alpha':A | 'alpha':A <0> 'beta':A | 'alpha':A <-> 'beta':A | 'beta':B <-> 'alpha':B | 'alpha':B <0> 'beta':B | 'alpha':B <-> 'beta':B");
    check("title: NEAR(alpha beta, 0)", "'beta':A <-> 'alpha':A | 'alpha':A <0> 'beta':A | 'alpha':A <-> 'beta':A");
    check("NEAR(alpha beta, 0) gamma", "('beta':A <-> 'alpha':A | 'alpha':A <0> 'beta':A | 'alpha':A <-> 'beta':A | 'beta':B <-> 'alpha':B | 'alpha':B <0> 'beta':B | 'alpha':B <-> 'beta':B) & 'gamma'");
    approx_with(&one, "NEAR(a b c, 0)", "('b' <-> 'a' | 'a' <0> 'b' | 'a' <-> 'b') & ('c' <-> 'a' | 'a' <0> 'c' | 'a' <-> 'c') & ('c' <-> 'b' | 'b' <0> 'c' | 'b' <-> 'c')", "three or more");
    approx_with(&one, "NEAR(a \"b c\", 51)", "'a' & 'b' <-> 'c'", "above 50");
}

#[test]
fn fts5_initial_token_is_approximate() {
    approx("^alpha", "'alpha'", "first word of a column");
    approx("title: ^alpha beta", "'alpha':A & 'beta'", "first word");
    approx("^\"alpha beta\"", "'alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B", "first word");
}

#[test]
fn fts5_empty_phrases_follow_sqlite() {
    check("\"\" alpha", "'alpha'");
    check("alpha \"\"", "'alpha'");
    check("\"\"", "");
    check("\"...\"", "");
    check("\"\" AND alpha", "");
    check("alpha OR \"\"", "'alpha'");
    check("alpha NOT \"\"", "'alpha'");
    let t = run("\"\"", &spec(FtsDialect::Fts5));
    assert_eq!(t.sql, "''::tsquery");
}

#[test]
fn fts5_refusals() {
    refuse("\"alpha", "unterminated string");
    refuse("(alpha", "unexpected end of query");
    refuse("alpha)", "syntax error near \")\"");
    refuse("NOT alpha", "syntax error near \"NOT\"");
    refuse("alpha OR", "unexpected end of query");
    refuse("alpha AND AND beta", "syntax error near \"AND\"");
    refuse("nocol: alpha", "no such column `nocol` (the table has: title, body)");
    refuse("-alpha", "no such column `alpha`");
    refuse("{title nocol}: alpha", "no such column `nocol`");
    refuse("alpha (beta)", "only NEAR may be followed by `(`");
    refuse("(alpha) beta", "syntax error near \"beta\"");
    refuse("title: (alpha) beta", "syntax error near \"beta\"");
    refuse("alpha title: (beta)", "syntax error near \"(\"");
    refuse("near(alpha beta)", "only NEAR may be followed by `(`");
    refuse("NEAR()", "syntax error near \")\"");
    refuse("NEAR(alpha beta, )", "expected integer");
    refuse("NEAR(alpha beta, 1x)", "expected integer, got \"1x\"");
    refuse("NEAR(alpha OR beta)", "syntax error near \"OR\"");
    refuse("alpha.beta", "syntax error near \".\"");
    refuse("alpha + ^beta", "syntax error near \"^\"");
    refuse("*reads", "special query");
    refuse("{}: alpha", "syntax error near \"}\"");
    refuse("title:", "unexpected end of query");
    let e = translate_match("x:y", &FtsQuerySpec::new(Vec::<String>::new(), "simple", FtsDialect::Fts5));
    assert!(matches!(e, Err(FtsQueryError::NoSuchColumn { .. })), "{e:?}");
}

#[test]
fn fts34_standard_syntax() {
    check34("alpha", "'alpha'");
    check34("alpha beta", "'alpha' & 'beta'");
    check34("alpha OR beta", "'alpha' | 'beta'");
    // Standard syntax: OR binds tighter than AND.
    check34("alpha beta OR gamma", "'alpha' & ('beta' | 'gamma')");
    check34("alpha -beta", "'alpha' & !'beta'");
    check34("alpha -beta -gamma delta", "'alpha' & 'delta' & !'beta' & !'gamma'");
    check34("alpha - beta", "'alpha' & 'beta'");
    check34("alpha AND beta", "'alpha' & 'and' & 'beta'");
    check34("alpha NOT beta", "'alpha' & 'not' & 'beta'");
    check34("\"alpha beta\"", "'alpha':A <-> 'beta':A | 'alpha':B <-> 'beta':B");
    check34("\"alp* bet*\"", "'alp':*A <-> 'bet':*A | 'alp':*B <-> 'bet':*B");
    check34("alp*", "'alp':*");
    check34("alpha.beta", "'alpha' & 'beta'");
    check34("title:alpha beta", "'alpha':A & 'beta'");
    check34("Title:alp*", "'alp':*A");
    check34("title:-alpha beta", "'beta' & !'alpha':A");
    check34("nocol:alpha", "'nocol' & 'alpha'");
    check34("(alpha OR beta) gamma", "('alpha' | 'beta') & 'gamma'");
    check34("alpha NEAR/0 beta", "'beta':A <-> 'alpha':A | 'alpha':A <-> 'beta':A | 'beta':B <-> 'alpha':B | 'alpha':B <-> 'beta':B");
    check34("alpha ORacle", "'alpha' & 'oracle'");
    // `col:` before a quoted phrase ends the query in SQLite (the rest is never read).
    check34("gamma title:\"alpha beta\" delta", "'gamma'");
    check34("title:\"alpha beta\"", "");
    check34("\"\" alpha", "");
    check34("alpha OR \"\"", "'alpha'");
    refuse_in(FtsDialect::Fts34, "-alpha", "excluded words only");
    refuse_in(FtsDialect::Fts34, "OR alpha", "left operand");
    refuse_in(FtsDialect::Fts34, "alpha OR", "right operand");
    refuse_in(FtsDialect::Fts34, "alpha NEAR", "right operand");
    refuse_in(FtsDialect::Fts34, "\"alpha", "unterminated string");
}

#[test]
fn fts34_enhanced_syntax() {
    check34e("alpha AND beta", "'alpha' & 'beta'");
    check34e("alpha NOT beta", "'alpha' & !'beta'");
    check34e("alpha beta OR gamma", "'alpha' & 'beta' | 'gamma'");
    check34e("alpha -beta", "'alpha' & 'beta'");
    check34e("(alpha) beta", "'alpha' & 'beta'");
    check34e("(alpha OR beta) NOT gamma", "('alpha' | 'beta') & !'gamma'");
    check34e("alpha NEAR/1 (beta)", "'beta':A <2> 'alpha':A | 'beta':A <-> 'alpha':A | 'alpha':A <-> 'beta':A | 'alpha':A <2> 'beta':A | 'beta':B <2> 'alpha':B | 'beta':B <-> 'alpha':B | 'alpha':B <-> 'beta':B | 'alpha':B <2> 'beta':B");
    refuse_in(FtsDialect::Fts34Enhanced, "(alpha", "unbalanced parentheses");
    refuse_in(FtsDialect::Fts34Enhanced, "alpha)", "unbalanced parentheses");
    refuse_in(FtsDialect::Fts34Enhanced, "alpha NEAR (beta OR gamma)", "NEAR joins phrases only");
    refuse_in(FtsDialect::Fts34Enhanced, "NOT alpha", "left operand");
    let t = run("alpha NEAR/3 beta NEAR/2 gamma", &FtsQuerySpec::new(["body"], "simple", FtsDialect::Fts34Enhanced));
    assert!(t.approximate && t.notes.iter().any(|n| n.contains("three or more")), "{t:?}");
}

#[test]
fn sql_form_and_configs() {
    let t = run("Running* title:cats", &FtsQuerySpec::new(["title", "body"], "english", FtsDialect::Fts5));
    assert_eq!(t.tsquery, "'running':* & 'cats':A");
    assert_eq!(t.sql, "to_tsquery('english', '''running'':* & ''cats'':A')");
    assert!(t.notes.iter().any(|n| n.contains("stemmed")), "{:?}", t.notes);
    let t = run("alpha", &FtsQuerySpec::new(["body"], "my'conf", FtsDialect::Fts5));
    assert_eq!(t.sql, "to_tsquery('my''conf', '''alpha''')");
    approx("café", "'café'", "non-ASCII");
}
