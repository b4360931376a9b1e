//! View bodies: joins, aliases, subqueries, set operations, LIMIT forms.

mod common;

use sqlite2pg_rewrite::rewrite_query;

/// `input` (a query) rewrites to exactly `expected`.
fn check(input: &str, expected: &str) {
    let r = rewrite_query(input, &common::scope()).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(r.sql, expected, "input: {input}");
    let again = rewrite_query(input, &common::scope()).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(again, r, "not deterministic: {input}");
}

#[test]
fn northwind_view() {
    check(
        "SELECT Products.*, Categories.CategoryName FROM Categories INNER JOIN Products ON Categories.CategoryID = Products.CategoryID WHERE (((Products.Discontinued)=0))",
        r#"SELECT "Products".*, "Categories"."CategoryName" FROM "Categories" INNER JOIN "Products" ON "Categories"."CategoryID" = "Products"."CategoryID" WHERE ((NOT ("Products"."Discontinued")))"#,
    );
}

#[test]
fn queries() {
    check("SELECT albumid AS Id, title FROM album", r#"SELECT "AlbumId" AS "Id", "Title" FROM "Album""#);
    check("SELECT a.title FROM album a WHERE a.albumid > 1", r#"SELECT "a"."Title" FROM "Album" AS "a" WHERE "a"."AlbumId" > 1"#);
    check("SELECT * FROM [Order Details] LIMIT 5, 10", r#"SELECT * FROM "Order Details" LIMIT 10 OFFSET 5"#);
    check("SELECT * FROM album LIMIT -1 OFFSET 3", r#"SELECT * FROM "Album" OFFSET 3"#);
    check("SELECT * FROM album LIMIT -1", r#"SELECT * FROM "Album""#);
    check("SELECT DISTINCT artistid FROM album", r#"SELECT DISTINCT "ArtistId" FROM "Album""#);
    check(
        "SELECT artistid, count(*) AS Total FROM album GROUP BY artistid HAVING count(*) > 1 ORDER BY total DESC",
        r#"SELECT "ArtistId", count(*) AS "Total" FROM "Album" GROUP BY "ArtistId" HAVING count(*) > 1 ORDER BY "Total" DESC NULLS LAST"#,
    );
    check(
        "SELECT title FROM album UNION SELECT categoryname FROM categories ORDER BY title",
        r#"SELECT "Title" FROM "Album" UNION SELECT "CategoryName" FROM "Categories" ORDER BY "Title" ASC NULLS FIRST"#.replace(" ASC", "").as_str(),
    );
    check("SELECT title FROM album UNION ALL SELECT title FROM album", r#"SELECT "Title" FROM "Album" UNION ALL SELECT "Title" FROM "Album""#);
    check(
        "WITH c AS (SELECT albumid FROM album) SELECT c.albumid FROM c",
        r#"WITH "c" AS (SELECT "AlbumId" FROM "Album") SELECT "c"."AlbumId" FROM "c""#,
    );
    check(
        "SELECT x.t FROM (SELECT title AS t FROM album) x",
        r#"SELECT "x"."t" FROM (SELECT "Title" AS "t" FROM "Album") AS "x""#,
    );
    check(
        "SELECT title FROM album WHERE artistid IN (SELECT artistid FROM album WHERE albumid = 1)",
        r#"SELECT "Title" FROM "Album" WHERE "ArtistId" IN (SELECT "ArtistId" FROM "Album" WHERE "AlbumId" = 1)"#,
    );
    check(
        "SELECT title, CASE WHEN albumid > 1 THEN 'a' ELSE 'b' END AS k FROM album",
        r#"SELECT "Title", CASE WHEN "AlbumId" > 1 THEN 'a' ELSE 'b' END AS "k" FROM "Album""#,
    );
    check(
        "SELECT title, row_number() OVER (PARTITION BY artistid ORDER BY title) AS rn FROM album",
        r#"SELECT "Title", row_number() OVER (PARTITION BY "ArtistId" ORDER BY "Title" NULLS FIRST) AS "rn" FROM "Album""#,
    );
    check(
        "SELECT p.productname, c.categoryname FROM products p LEFT JOIN categories c USING (categoryid) WHERE p.discontinued = 1",
        r#"SELECT "p"."ProductName", "c"."CategoryName" FROM "Products" AS "p" LEFT JOIN "Categories" AS "c" USING("CategoryID") WHERE "p"."Discontinued""#,
    );
    check(
        "SELECT title FROM album a WHERE EXISTS (SELECT 1 FROM album b WHERE b.artistid = a.artistid AND b.albumid <> a.albumid)",
        r#"SELECT "Title" FROM "Album" AS "a" WHERE EXISTS (SELECT 1 FROM "Album" AS "b" WHERE "b"."ArtistId" = "a"."ArtistId" AND "b"."AlbumId" <> "a"."AlbumId")"#,
    );
    check(
        "SELECT albumid * 2 AS dbl FROM album WHERE dbl > 4",
        r#"SELECT "AlbumId" * 2 AS "dbl" FROM "Album" WHERE ("AlbumId" * 2) > 4"#,
    );
    check(
        "SELECT group_concat(title, ', ') FROM album GROUP BY artistid",
        r#"SELECT string_agg(CAST("Title" AS TEXT), ', ') FROM "Album" GROUP BY "ArtistId""#,
    );
}

#[test]
fn query_errors() {
    assert!(rewrite_query("SELECT typeof(title) FROM album", &common::scope()).is_err());
    assert!(rewrite_query("SELECT * FROM json_each('[1]')", &common::scope()).is_err());
    assert!(rewrite_query("DELETE FROM album", &common::scope()).is_err());
}
