//! Scalar expressions: identifiers, booleans, functions, date/time, errors.

mod common;

use sqlite2pg_rewrite::{RewriteError, rewrite_default, rewrite_expr};

/// `input` (an expression on table `film`) rewrites to exactly `expected`.
fn check(input: &str, expected: &str) {
    check_on(Some("film"), input, expected);
}

fn check_on(table: Option<&str>, input: &str, expected: &str) {
    let r = rewrite_expr(input, &common::scope(), table).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(r.sql, expected, "input: {input}");
    let again = rewrite_expr(input, &common::scope(), table).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(again, r, "not deterministic: {input}");
}

/// `input` is refused as unsupported, with `needle` in the message.
fn refuse(input: &str, needle: &str) {
    match rewrite_expr(input, &common::scope(), Some("film")) {
        Err(e @ RewriteError::Unsupported { .. }) => {
            assert!(e.to_string().contains(needle), "{input}: message `{e}` lacks `{needle}`")
        }
        other => panic!("{input}: expected Unsupported, got {other:?}"),
    }
}

/// `input` produces a note containing `needle`.
fn noted(input: &str, needle: &str) {
    let r = rewrite_expr(input, &common::scope(), Some("film")).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert!(r.notes.iter().any(|n| n.contains(needle)), "{input}: notes {:?} lack `{needle}`", r.notes);
}

#[test]
fn identifiers() {
    check("rating", r#""rating""#);
    check("RATING", r#""rating""#);
    check("[select] = 'x'", r#""select" = 'x'"#);
    check("`Select` = 'x'", r#""select" = 'x'"#);
    check("film.rating", r#""film"."rating""#);
    check("FILM.Rating", r#""film"."rating""#);
    check("main.film.rating", r#""film"."rating""#);
    check_on(Some("album"), "AlbumID > 0", r#""AlbumId" > 0"#);
    check_on(Some("Order Details"), "[Order Details].quantity > 0", r#""Order Details"."Quantity" > 0"#);
    check_on(Some("Order Details"), "unitprice * quantity", r#""UnitPrice" * "Quantity""#);
    check_on(Some("nosuch"), "SomeCol = 1", r#""SomeCol" = 1"#);
    check_on(None, "SomeCol = 1", r#""SomeCol" = 1"#);
}

#[test]
fn string_literals() {
    check("kind IN ('a', 'b')", r#""kind" IN ('a', 'b')"#);
    check(r#"kind IN ("a","b")"#, r#""kind" IN ('a', 'b')"#);
    check(r#""kind" = 'a'"#, r#""kind" = 'a'"#);
    check("'it''s'", "'it''s'");
    noted(r#"kind = "x""#, "double-quoted");
    // Unknown columns in scope: a double-quoted word stays an identifier.
    check_on(Some("nosuch"), r#""kind" = 'a'"#, r#""kind" = 'a'"#);
}

#[test]
fn sakila_check() {
    check(
        "rating in ('G','PG','PG-13','R','NC-17')",
        r#""rating" IN ('G', 'PG', 'PG-13', 'R', 'NC-17')"#,
    );
}

#[test]
fn booleans() {
    check("active = 0", r#"NOT "active""#);
    check("active = 1", r#""active""#);
    check("active <> 0", r#""active""#);
    check("active != 1", r#"NOT "active""#);
    check("active == 1", r#""active""#);
    check("0 = active", r#"NOT "active""#);
    check("active = '0'", r#"NOT "active""#);
    check("active = TRUE", r#""active""#);
    check("active = false", r#"NOT "active""#);
    check("active IN (0,1)", r#""active" IN (false, true)"#);
    check("active IS 1", r#""active" IS TRUE"#);
    check("active IS NOT 0", r#""active" IS NOT FALSE"#);
    check("active = flag", r#""active" = "flag""#);
    check("active = 0 AND n > 1", r#"NOT "active" AND "n" > 1"#);
    check("active + 1", r#"CAST("active" AS INTEGER) + 1"#);
    check("active = n", r#"CAST("active" AS INTEGER) = "n""#);
    check("active = 2", r#"CAST("active" AS INTEGER) = 2"#);
    check("CASE active WHEN 1 THEN 'y' ELSE 'n' END", r#"CASE "active" WHEN true THEN 'y' ELSE 'n' END"#);
    check("n = 0", r#""n" = 0"#);
}

#[test]
fn boolean_negative() {
    match rewrite_expr("active IN (0, n)", &common::scope(), Some("film")) {
        Err(RewriteError::Unsupported { .. }) => {}
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn defaults() {
    let s = common::scope();
    assert_eq!(rewrite_default("0", &s, "film", "active").map(|r| r.sql), Ok("false".to_string()));
    assert_eq!(rewrite_default("'1'", &s, "film", "active").map(|r| r.sql), Ok("true".to_string()));
    assert_eq!(rewrite_default("0", &s, "film", "n").map(|r| r.sql), Ok("0".to_string()));
    assert_eq!(rewrite_default("CURRENT_TIMESTAMP", &s, "film", "created").map(|r| r.sql), Ok("(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')".to_string()), "SQLite's now is UTC: a timestamp column gets UTC");
}

#[test]
fn functions() {
    check("ifnull(rating, 'G')", r#"coalesce("rating", 'G')"#);
    check("iif(n > 1, 'a', 'b')", r#"CASE WHEN "n" > 1 THEN 'a' ELSE 'b' END"#);
    check("substr(rating, 2)", r#"substr("rating", 2)"#);
    check("substr(rating, 1, 3)", r#"substr("rating", 1, 3)"#);
    check("instr(rating, 'G')", r#"strpos("rating", 'G')"#);
    check("length(rating)", r#"length("rating")"#);
    check("length(picture)", r#"octet_length("picture")"#);
    check("length(n)", r#"length(CAST("n" AS TEXT))"#);
    check("lower(rating) = upper(kind)", r#"lower("rating") = upper("kind")"#);
    check("trim(rating)", r#"trim("rating")"#);
    check("trim(rating, 'x')", r#"btrim("rating", 'x')"#);
    check("ltrim(rating, 'x')", r#"ltrim("rating", 'x')"#);
    check("replace(rating, 'a', 'b')", r#"replace("rating", 'a', 'b')"#);
    check("abs(n)", r#"abs("n")"#);
    check("round(n)", r#"round("n")"#);
    check("round(n, 2)", r#"round(CAST("n" AS NUMERIC), 2)"#);
    check("nullif(n, 0)", r#"nullif("n", 0)"#);
    check("max(n, 1)", r#"greatest("n", 1)"#);
    check("min(n, 1, 2)", r#"least("n", 1, 2)"#);
    check("max(n)", r#"max("n")"#);
    check("group_concat(rating)", r#"string_agg(CAST("rating" AS TEXT), ',')"#);
    check("group_concat(DISTINCT rating)", r#"string_agg(DISTINCT CAST("rating" AS TEXT), ',')"#);
    check("group_concat(n, '; ')", r#"string_agg(CAST("n" AS TEXT), '; ')"#);
    check("total(n)", r#"CAST(coalesce(sum("n"), 0) AS DOUBLE PRECISION)"#);
    check("sum(active)", r#"sum(CAST("active" AS INTEGER))"#);
    check("count(*)", "count(*)");
    check("count(DISTINCT n)", r#"count(DISTINCT "n")"#);
    check("random()", "CAST(FLOOR((random() - 0.5) * 18446744073709549568.0) AS BIGINT)");
    check("printf('%s-%d', rating, n)", r#"format('%s-%s', "rating", "n")"#);
    check("printf('100%%')", "format('100%%')");
    check("rating || '-' || n", r#""rating" || '-' || "n""#);
    check("n / 2", r#""n" / 2"#);
    check("n % 2", r#""n" % 2"#);
    check("likely(n > 1)", r#""n" > 1"#);
    check("char(65, 66)", "concat(chr(65), chr(66))");
}

#[test]
fn operators() {
    check("rating LIKE 'P%'", r#""rating" ILIKE 'P%'"#);
    check("rating NOT LIKE 'P%'", r#""rating" NOT ILIKE 'P%'"#);
    noted("rating LIKE 'P%'", "ILIKE");
    check("rating GLOB 'P*'", r#""rating" LIKE 'P%'"#);
    check("rating GLOB 'P?_%'", r#""rating" LIKE 'P_\_\%'"#);
    check("rating NOT GLOB 'P*'", r#""rating" NOT LIKE 'P%'"#);
    check("rating GLOB '[A-Z]*'", r#""rating" ~ '^[A-Z].*$'"#);
    check("rating GLOB '[^0-9].txt'", r#""rating" ~ '^[^0-9]\.txt$'"#);
    check("rating REGEXP '^P'", r#""rating" ~ '^P'"#);
    check("rating NOT REGEXP '^P'", r#""rating" !~ '^P'"#);
    check("n IS 2", r#""n" IS NOT DISTINCT FROM 2"#);
    // Integer against text: compared as text (PostgreSQL has no bigint-to-text operator).
    check("n IS NOT kind", r#"CAST("n" AS TEXT) IS DISTINCT FROM "kind""#);
    check("n IS NULL", r#""n" IS NULL"#);
    check("n IS NOT NULL", r#""n" IS NOT NULL"#);
    check("n ISNULL", r#""n" IS NULL"#);
    check("n NOTNULL", r#""n" IS NOT NULL"#);
    check("n NOT NULL", r#""n" IS NOT NULL"#);
    check("n BETWEEN 1 AND 5", r#""n" BETWEEN 1 AND 5"#);
    check("X'AB' = picture", r#"CAST('\xAB' AS BYTEA) = "picture""#);
    check("rating COLLATE BINARY = 'x'", r#""rating" = 'x'"#);
}

#[test]
fn casts() {
    check("CAST(rating AS INTEGER)", r#"CAST("rating" AS BIGINT)"#);
    check("CAST(rating AS int)", r#"CAST("rating" AS BIGINT)"#);
    check("CAST(n AS TEXT)", r#"CAST("n" AS TEXT)"#);
    check("CAST(n AS VARCHAR(10))", r#"CAST("n" AS TEXT)"#);
    check("CAST(n AS REAL)", r#"CAST("n" AS DOUBLE PRECISION)"#);
    check("CAST(n AS BLOB)", r#"CAST("n" AS BYTEA)"#);
    check("CAST(n AS NUMERIC)", r#"CAST("n" AS NUMERIC)"#);
    refuse("CAST(n AS DATE)", "NUMERIC affinity");
}

#[test]
fn json() {
    check("json_extract(meta, '$.a.b')", r#"(CAST("meta" AS JSONB) #>> '{a,b}')"#);
    check("json_extract(data, '$.a[0]')", r#"("data" #>> '{a,0}')"#);
    check("json(meta)", r#"CAST("meta" AS JSONB)"#);
    check("json_array_length(data)", r#"jsonb_array_length("data")"#);
    check("data ->> '$.x'", r#"("data" #>> '{x}')"#);
    check("data -> 'x'", r#"("data" #> '{x}')"#);
    refuse("json_extract(data, '$.a[#-1]')", "json_extract");
}

#[test]
fn datetime() {
    check("datetime('now')", "CURRENT_TIMESTAMP");
    check("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP");
    // SQLite's 'now' is UTC, whatever the session's zone.
    check("date('now')", "CAST(timezone('UTC', now()) AS DATE)");
    check("time('now')", "CAST(timezone('UTC', now()) AS TIME)");
    check("date('now', 'localtime')", "CURRENT_DATE");
    check("datetime('now','localtime')", "LOCALTIMESTAMP");
    check("DATETIME('NOW')", "CURRENT_TIMESTAMP");
    check("strftime('%s','now')", "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)");
    check("unixepoch()", "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)");
    check("unixepoch('now')", "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)");
    check("strftime('%Y-%m-%d', created)", r#"to_char("created", 'YYYY-MM-DD')"#);
    check("strftime('%H:%M:%S', created)", r#"to_char("created", 'HH24:MI:SS')"#);
    check("strftime('%Y-%m-%dT%H', created)", r#"to_char("created", 'YYYY-MM-DD"T"HH24')"#);
    check("strftime('%j %f', created)", r#"to_char("created", 'DDD SS.MS')"#);
    check("strftime('%w', created)", r#"CAST(CAST(EXTRACT(DOW FROM "created") AS INTEGER) AS TEXT)"#);
    check("strftime('%Y', stamp)", r#"to_char(CAST("stamp" AS TIMESTAMP), 'YYYY')"#);
    check("datetime(created)", r#""created""#);
    check("date(day)", r#""day""#);
    check("date(created)", r#"CAST("created" AS DATE)"#);
    check("datetime(stamp)", r#"CAST("stamp" AS TIMESTAMP)"#);
    check("julianday(created)", r#"(EXTRACT(EPOCH FROM "created") / 86400.0 + 2440587.5)"#);
    check("datetime(created, '+1 day')", r#"("created" + INTERVAL '1 days')"#);
    check("datetime('now', '-3 hours')", "(timezone('UTC', now()) - INTERVAL '3 hours')");
    check("date(created, 'start of month')", r#"CAST(date_trunc('month', "created") AS DATE)"#);
    check("datetime(epoch, 'unixepoch')", r#"(to_timestamp("epoch") AT TIME ZONE 'UTC')"#);
    check("created > datetime('now', '-7 days')", r#""created" > (timezone('UTC', now()) - INTERVAL '7 days')"#);
    // A timestamp column (naive UTC) compared with an instant reads the instant at UTC.
    check("created < datetime('now')", r#""created" < (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')"#);
    check("CURRENT_TIMESTAMP >= created", r#"(CURRENT_TIMESTAMP AT TIME ZONE 'UTC') >= "created""#);
    noted("datetime('now')", "timestamptz");
    refuse("strftime('%W', created)", "%W");
    refuse("datetime(created, 'weekday 0')", "weekday 0");
    refuse("datetime(epoch)", "Julian day");
}

#[test]
fn unsupported() {
    refuse("typeof(n)", "typeof(): no PostgreSQL equivalent for SQLite's dynamic storage class");
    refuse("last_insert_rowid()", "last_insert_rowid()");
    refuse("changes()", "changes()");
    refuse("sqlite_version()", "sqlite_version()");
    refuse("zeroblob(4)", "zeroblob()");
    refuse("randomblob(4)", "randomblob()");
    refuse("likelihood(n > 1, 0.5)", "likelihood()");
    refuse("RAISE(ABORT, 'x')", "only meaningful inside a trigger");
    refuse("my_custom_fn(n)", "unknown function");
    refuse("substr(rating, -2)", "negative start");
    refuse("printf('%5.2f', n)", "%5");
    refuse("rating COLLATE NOCASE = 'x'", "COLLATE");
    refuse("rating MATCH 'x'", "MATCH");
}

#[test]
fn parse_errors() {
    assert!(matches!(rewrite_expr("n = = 1", &common::scope(), Some("film")), Err(RewriteError::Parse { .. })));
    assert!(matches!(rewrite_expr("n = 1 garbage", &common::scope(), Some("film")), Err(RewriteError::Parse { .. })));
}

#[test]
fn arithmetic_on_numbers() {
    check("n + 1", r#""n" + 1"#);
    check("n * 2.5 - epoch / 3 % 2", r#""n" * 2.5 - "epoch" / 3 % 2"#);
    check("-n", r#"-"n""#);
    check("film.n + film.epoch", r#""film"."n" + "film"."epoch""#);
    check("active + 1", r#"CAST("active" AS INTEGER) + 1"#);
    check("length(kind) + 1", r#"length("kind") + 1"#);
    check("CAST(kind AS INTEGER) * 2", r#"CAST("kind" AS BIGINT) * 2"#);
    check_on(Some("nosuch"), "a + b", r#""a" + "b""#);
    check_on(Some("Order Details"), "unitprice * quantity", r#""UnitPrice" * "Quantity""#);
}

#[test]
fn arithmetic_on_text() {
    let why = "arithmetic on text: SQLite converts the text to a number";
    refuse("kind + 1", why);
    refuse("n + kind", r#""n" + "kind""#);
    refuse("film.kind + ' '", r#""film"."kind" + ' ': arithmetic on text"#);
    refuse("n + 'x'", r#""n" + 'x'"#);
    refuse("'3' * n", why);
    refuse("-kind", r#"-"kind": arithmetic on text"#);
    refuse("n - rating", why);
    refuse("n / kind", why);
    refuse("n % kind", why);
    refuse("(kind || 'a') * 2", why);
    refuse("lower(kind) + 1", r#"lower("kind") + 1"#);
    refuse("upper(kind) + 1", why);
    refuse("substr(kind, 1, 2) + 1", why);
    refuse("trim(kind) + 1", why);
    refuse("CAST(n AS TEXT) + 1", why);
    refuse(r#"n + "no such column""#, why);
    refuse("(kind + 1) > 2", why);
}

/// A text function over a column whose type changed (the plan made it a date, a timestamp)
/// reads its text, as SQLite did: `CHECK (length(day) = 10)` on a column now `date`.
#[test]
fn text_functions_over_columns_that_are_no_longer_text() {
    check("length(day) = 10", r#"length(CAST("day" AS TEXT)) = 10"#);
    check("upper(created)", r#"upper(CAST("created" AS TEXT))"#);
    check("substr(day, 1, 4)", r#"substr(CAST("day" AS TEXT), 1, 4)"#);
    check("lower(rating)", r#"lower("rating")"#);
    noted("length(day) = 10", "no longer text");
}

/// SQLite's built-in `json_valid()`: a jsonb column holds only valid JSON; on text, the cast to
/// jsonb checks it (NULL passes, as SQLite's NULL result lets a CHECK pass).
#[test]
fn json_valid_is_built_in() {
    check("json_valid(data)", "true");
    check("json_valid(meta)", r#"(CAST("meta" AS JSONB) IS NOT NULL OR "meta" IS NULL)"#);
    noted("json_valid(meta)", "invalid JSON makes the cast fail");
}

/// `DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', CURRENT_TIMESTAMP))` and `strftime(fmt)` (now) on a
/// column the plan made a timestamp: the current time itself, not to_char's text.
#[test]
fn strftime_now_defaults_on_time_columns() {
    let s = common::scope();
    let default = |sql: &str, column: &str| rewrite_default(sql, &s, "film", column).map(|r| r.sql);
    assert_eq!(default("strftime('%Y-%m-%dT%H:%M:%fZ', CURRENT_TIMESTAMP)", "created"), Ok("timezone('UTC', now())".to_string()));
    assert_eq!(default("strftime('%Y-%m-%d %H:%M:%S', 'now')", "created"), Ok("timezone('UTC', now())".to_string()));
    assert_eq!(default("strftime('%Y-%m-%d', 'now')", "day"), Ok("CAST(timezone('UTC', now()) AS DATE)".to_string()), "SQLite's now is UTC");
    assert!(default("strftime('%Y-%m-%d', 'now')", "rating").is_ok_and(|d| d.starts_with("to_char(")), "text columns keep the text");
}

/// SQLite's built-in `json_type()`: jsonb_typeof, with SQLite's names for the types.
#[test]
fn json_type_is_built_in() {
    check(
        "json_type(data) = 'object'",
        r#"CASE jsonb_typeof("data") WHEN 'string' THEN 'text' WHEN 'boolean' THEN CAST("data" AS TEXT) WHEN 'number' THEN CASE WHEN CAST("data" AS TEXT) ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END ELSE jsonb_typeof("data") END = 'object'"#,
    );
    noted("json_type(meta, '$.a')", "json_type -> jsonb_typeof");
}
