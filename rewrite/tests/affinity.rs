//! SQLite's type conversions before comparisons (affinity), made explicit for PostgreSQL.
//! Each line: SQLite input, exact PostgreSQL output.

use sqlite2pg_rewrite::{ColumnKind, Scope, rewrite_expr, rewrite_query};

type Table<'a> = (&'a str, &'a [(&'a str, ColumnKind)]);

/// Tables as the real-world databases have them: Northwind's `Discontinued` and
/// Sakila's `active` are TEXT there, Kodi joins an integer key with a TEXT column.
fn scope() -> Scope {
    use ColumnKind::{Boolean, Integer, Json, Numeric, Real, Text, Timestamp};
    let mut s = Scope::new();
    let tables: &[Table] = &[
        ("Products", &[("ProductID", Integer), ("ProductName", Text), ("CategoryID", Integer), ("Discontinued", Text)]),
        ("Categories", &[("CategoryID", Integer), ("CategoryName", Text)]),
        ("customer", &[("customer_id", Integer), ("first_name", Text), ("active", Text), ("store_id", Integer)]),
        ("rating", &[("rating_id", Integer), ("media_id", Integer), ("rating", Real)]),
        ("episode", &[("idEpisode", Integer), ("c03", Text), ("idShow", Integer)]),
        ("t", &[("n", Integer), ("r", Real), ("d", Numeric), ("s", Text), ("s2", Text), ("b", Boolean), ("ts", Timestamp), ("j", Json)]),
    ];
    for (name, cols) in tables {
        s.add_table(name, name);
        for (c, k) in cols.iter() {
            s.add_column(name, c, c, *k);
        }
    }
    // A view: known by name only.
    s.add_table("v", "v");
    s
}

/// `input` (an expression on table `t`) rewrites to exactly `expected`.
fn check(input: &str, expected: &str) {
    let r = rewrite_expr(input, &scope(), Some("t")).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(r.sql, expected, "input: {input}");
}

/// `input` (a query) rewrites to exactly `expected`.
fn query(input: &str, expected: &str) {
    let r = rewrite_query(input, &scope()).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(r.sql, expected, "input: {input}");
    let again = rewrite_query(input, &scope()).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(again, r, "not deterministic: {input}");
}

/// `input` (an expression on `t`) has a note containing `needle`.
fn noted(input: &str, needle: &str) {
    let r = rewrite_expr(input, &scope(), Some("t")).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert!(r.notes.iter().any(|n| n.contains(needle)), "{input}: notes {:?} lack `{needle}`", r.notes);
}

/// `input` (an expression on `t`) has no note mentioning comparisons or conversions.
fn quiet(input: &str) {
    let r = rewrite_expr(input, &scope(), Some("t")).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert!(!r.notes.iter().any(|n| n.contains("compared")), "{input}: unexpected notes {:?}", r.notes);
}

#[test]
fn northwind_discontinued_text() {
    query(
        "SELECT Products.*, Categories.CategoryName FROM Categories INNER JOIN Products ON Categories.CategoryID = Products.CategoryID WHERE (((Products.Discontinued)=0))",
        r#"SELECT "Products".*, "Categories"."CategoryName" FROM "Categories" INNER JOIN "Products" ON "Categories"."CategoryID" = "Products"."CategoryID" WHERE ((("Products"."Discontinued") = '0'))"#,
    );
}

#[test]
fn sakila_active_text() {
    query(
        "SELECT cu.customer_id AS ID, CASE WHEN cu.active = 1 THEN 'active' ELSE '' END AS notes, cu.store_id AS SID FROM customer AS cu",
        r#"SELECT "cu"."customer_id" AS "ID", CASE WHEN "cu"."active" = '1' THEN 'active' ELSE '' END AS "notes", "cu"."store_id" AS "SID" FROM "customer" AS "cu""#,
    );
}

#[test]
fn kodi_integer_key_text_column() {
    query(
        "SELECT episode.*, rating.rating FROM episode LEFT JOIN rating ON rating.rating_id = episode.c03",
        r#"SELECT "episode".*, "rating"."rating" FROM "episode" LEFT JOIN "rating" ON CAST("rating"."rating_id" AS TEXT) = "episode"."c03""#,
    );
    let input = "SELECT 1 FROM episode LEFT JOIN rating ON rating.rating_id = episode.c03";
    let r = rewrite_query(input, &scope()).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert!(r.notes.iter().any(|n| n == "integer compared with text column: compared as text"), "{:?}", r.notes);
    // Integer against integer stays as it is.
    query(
        "SELECT 1 FROM episode JOIN rating ON rating.media_id = episode.idShow",
        r#"SELECT 1 FROM "episode" JOIN "rating" ON "rating"."media_id" = "episode"."idShow""#,
    );
}

#[test]
fn text_column_against_number() {
    check("s = 0", r#""s" = '0'"#);
    check("0 = s", r#"'0' = "s""#);
    check("s == 1", r#""s" = '1'"#);
    check("s <> 1", r#""s" <> '1'"#);
    check("s != 1", r#""s" <> '1'"#);
    check("s < 10", r#""s" < '10'"#);
    check("s <= 10", r#""s" <= '10'"#);
    check("s > 1.5", r#""s" > '1.5'"#);
    check("s >= 1.50", r#""s" >= '1.5'"#);
    check("s = 1e3", r#""s" = '1000.0'"#);
    check("s = -1", r#""s" = '-1'"#);
    check("s = (1)", r#""s" = '1'"#);
    check("(s) = 1", r#"("s") = '1'"#);
    check("t.s = 007", r#""t"."s" = '7'"#);
    check("s IS 1", r#""s" IS NOT DISTINCT FROM '1'"#);
    check("s IS NOT 1", r#""s" IS DISTINCT FROM '1'"#);
    check("s IN (1, 2.5, 'x')", r#""s" IN ('1', '2.5', 'x')"#);
    check("s NOT IN (1, 2)", r#""s" NOT IN ('1', '2')"#);
    check("s BETWEEN 1 AND 9", r#""s" BETWEEN '1' AND '9'"#);
    check("s NOT BETWEEN 1 AND s2", r#""s" NOT BETWEEN '1' AND "s2""#);
    check("CASE s WHEN 1 THEN 'a' WHEN 'x' THEN 'b' END", r#"CASE "s" WHEN '1' THEN 'a' WHEN 'x' THEN 'b' END"#);
    check("CAST(n AS TEXT) = 1", r#"CAST("n" AS TEXT) = '1'"#);
    noted("s = 0", "number compared with text column");
}

#[test]
fn text_column_unchanged() {
    check("s = 'x'", r#""s" = 'x'"#);
    check("s = '0'", r#""s" = '0'"#);
    check("s = s2", r#""s" = "s2""#);
    check("s < s2", r#""s" < "s2""#);
    check("s IN ('a', 'b')", r#""s" IN ('a', 'b')"#);
    check("s IS NULL", r#""s" IS NULL"#);
    check("s = NULL", r#""s" = NULL"#);
    quiet("s = 'x'");
    quiet("s = s2");
    // A unary + removes the affinity in SQLite: no conversion.
    check("+s = 1", r#"+"s" = 1"#);
    // Functions have no affinity: left alone.
    check("lower(s) = 1", r#"lower("s") = 1"#);
    check("length(s) = 1", r#"length("s") = 1"#);
}

#[test]
fn numeric_column_against_string() {
    // PostgreSQL reads the string as the number: unchanged.
    check("n = '5'", r#""n" = '5'"#);
    check("n = ' -5 '", r#""n" = ' -5 '"#);
    check("'5' = n", r#"'5' = "n""#);
    check("r = '5'", r#""r" = '5'"#);
    check("r = '1.5e3'", r#""r" = '1.5e3'"#);
    check("d < '2.50'", r#""d" < '2.50'"#);
    check("n IN ('1', '2')", r#""n" IN ('1', '2')"#);
    quiet("n = '5'");
    // A decimal string against an integer column: PostgreSQL would fail, SQLite reads a number.
    check("n = '5.0'", r#""n" = 5.0"#);
    check("n > '-2.5'", r#""n" > -2.5"#);
    check("n = '99999999999999999999'", r#""n" = 99999999999999999999"#);
    // No number at all: SQLite never finds them equal; compared as text so PostgreSQL cannot fail.
    check("n = 'abc'", r#"CAST("n" AS TEXT) = 'abc'"#);
    check("'abc' <> n", r#"'abc' <> CAST("n" AS TEXT)"#);
    check("r = ''", r#"CAST("r" AS TEXT) = ''"#);
    check("d = 'Infinity'", r#"CAST("d" AS TEXT) = 'Infinity'"#);
    check("n IS 'x'", r#"CAST("n" AS TEXT) IS NOT DISTINCT FROM 'x'"#);
    check("n IN ('a', 5)", r#"CAST("n" AS TEXT) IN ('a', '5')"#);
    check("n BETWEEN 'a' AND 'z'", r#"CAST("n" AS TEXT) BETWEEN 'a' AND 'z'"#);
    check("CASE n WHEN 'x' THEN 1 WHEN 2 THEN 2 END", r#"CASE CAST("n" AS TEXT) WHEN 'x' THEN 1 WHEN '2' THEN 2 END"#);
    noted("n = 'abc'", "integer compared with a string that is no number: compared as text");
}

#[test]
fn numeric_column_against_text_column() {
    check("n = s", r#"CAST("n" AS TEXT) = "s""#);
    check("s = n", r#""s" = CAST("n" AS TEXT)"#);
    check("r < s", r#"CAST("r" AS TEXT) < "s""#);
    check("s >= d", r#""s" >= CAST("d" AS TEXT)"#);
    check("n IS NOT s", r#"CAST("n" AS TEXT) IS DISTINCT FROM "s""#);
    check("n IN (s, 1)", r#"CAST("n" AS TEXT) IN ("s", '1')"#);
    check("s IN (n, 1)", r#""s" IN (CAST("n" AS TEXT), '1')"#);
    check("n BETWEEN s AND 10", r#"CAST("n" AS TEXT) BETWEEN "s" AND '10'"#);
    check("CASE s WHEN n THEN 1 END", r#"CASE "s" WHEN CAST("n" AS TEXT) THEN 1 END"#);
    check("CAST(s AS INTEGER) = s2", r#"CAST(CAST("s" AS BIGINT) AS TEXT) = "s2""#);
    noted("n = s", "integer compared with text column: compared as text");
    noted("r = s", "real compared with text column: compared as text");
    noted("d = s", "numeric compared with text column: compared as text");
}

#[test]
fn numeric_unchanged() {
    check("n = 1", r#""n" = 1"#);
    check("n = r", r#""n" = "r""#);
    check("d > 1.5", r#""d" > 1.5"#);
    check("n BETWEEN 1 AND 5", r#""n" BETWEEN 1 AND 5"#);
    check("n IN (1, 2)", r#""n" IN (1, 2)"#);
    check("CASE n WHEN 1 THEN 'a' END", r#"CASE "n" WHEN 1 THEN 'a' END"#);
    quiet("n = r");
    // Literals and unknown expressions on both sides: left alone.
    check("1 = '1'", "1 = '1'");
    check("abs(n) = 'x'", r#"abs("n") = 'x'"#);
}

#[test]
fn other_kinds_keep_their_rules() {
    check("b = 0", r#"NOT "b""#);
    check("b = '1'", r#""b""#);
    check("b IN (0, 1)", r#""b" IN (false, true)"#);
    check("b = n", r#"CAST("b" AS INTEGER) = "n""#);
    check("b = s", r#"CAST("b" AS INTEGER) = "s""#);
    check("CASE b WHEN 1 THEN 'y' END", r#"CASE "b" WHEN true THEN 'y' END"#);
    check("b BETWEEN 0 AND 1", r#"CAST("b" AS INTEGER) BETWEEN 0 AND 1"#);
    check("ts > '2020-01-01'", r#""ts" > '2020-01-01'"#);
    check("ts = s", r#""ts" = "s""#);
    check("j = 1", r#""j" = 1"#);
}

#[test]
fn unknown_columns_left_alone() {
    // A view registered by name only: its columns' kinds are unknown.
    query("SELECT x FROM v WHERE x = 0", r#"SELECT "x" FROM "v" WHERE "x" = 0"#);
    query("SELECT v.x FROM v WHERE v.x = 'abc'", r#"SELECT "v"."x" FROM "v" WHERE "v"."x" = 'abc'"#);
    // An unregistered table.
    query("SELECT a FROM nosuch WHERE a = 1", r#"SELECT "a" FROM "nosuch" WHERE "a" = 1"#);
    // A select-list alias of an expression without affinity: left alone.
    query("SELECT lower(s) AS k FROM t WHERE k = 1", r#"SELECT lower("s") AS "k" FROM "t" WHERE lower("s") = 1"#);
}

#[test]
fn derived_tables_and_ctes_carry_kinds() {
    // A select-list alias of a column keeps the column's affinity when SQLite inlines it.
    query("SELECT s AS k FROM t WHERE k = 1", r#"SELECT "s" AS "k" FROM "t" WHERE "s" = '1'"#);
    query("SELECT n AS k FROM t WHERE k = s", r#"SELECT "n" AS "k" FROM "t" WHERE CAST("n" AS TEXT) = "s""#);
    query(
        "SELECT x.s FROM (SELECT s, n FROM t) x WHERE x.s = 1 AND x.n = 'a'",
        r#"SELECT "x"."s" FROM (SELECT "s", "n" FROM "t") AS "x" WHERE "x"."s" = '1' AND CAST("x"."n" AS TEXT) = 'a'"#,
    );
    query(
        "WITH c AS (SELECT s AS k FROM t) SELECT k FROM c WHERE k = 2",
        r#"WITH "c" AS (SELECT "s" AS "k" FROM "t") SELECT "k" FROM "c" WHERE "k" = '2'"#,
    );
    query(
        "WITH c(k, m) AS (SELECT s, n FROM t) SELECT k FROM c WHERE k = 2 AND m = k",
        r#"WITH "c" ("k", "m") AS (SELECT "s", "n" FROM "t") SELECT "k" FROM "c" WHERE "k" = '2' AND CAST("m" AS TEXT) = "k""#,
    );
    query(
        "SELECT y.a FROM (SELECT s, n FROM t) AS y(a, b) WHERE y.a = 3",
        r#"SELECT "y"."a" FROM (SELECT "s", "n" FROM "t") AS "y" ("a", "b") WHERE "y"."a" = '3'"#,
    );
}
