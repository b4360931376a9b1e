//! View bodies PostgreSQL would reject as written: arithmetic on text and bare columns
//! in a GROUP BY query. Tables as Northwind and Kodi (MyVideos107) have them, with
//! their primary keys. Each line: SQLite input, exact PostgreSQL output or the refusal.

use sqlite2pg_rewrite::{ColumnKind, RewriteError, Scope, rewrite_query};

type Table<'a> = (&'a str, &'a [(&'a str, ColumnKind)], &'a [&'a str]);

fn scope() -> Scope {
    use ColumnKind::{Integer, Real, Text};
    let mut s = Scope::new();
    let tables: &[Table] = &[
        // Northwind.
        ("Employees", &[("EmployeeID", Integer), ("LastName", Text), ("FirstName", Text), ("Title", Text)], &["EmployeeID"]),
        ("Orders", &[("OrderID", Integer), ("CustomerID", Text), ("EmployeeID", Integer), ("Freight", Real), ("ShipName", Text)], &["OrderID"]),
        ("Order Details", &[("OrderID", Integer), ("ProductID", Integer), ("UnitPrice", Real), ("Quantity", Integer), ("Discount", Real)], &["OrderID", "ProductID"]),
        // Kodi MyVideos107.
        ("tvshow", &[("idShow", Integer), ("c00", Text), ("c04", Text), ("c12", Text)], &["idShow"]),
        ("tvshowlinkpath", &[("idShow", Integer), ("idPath", Integer)], &["idShow", "idPath"]),
        ("path", &[("idPath", Integer), ("strPath", Text), ("idParentPath", Integer)], &["idPath"]),
        ("episode", &[("idEpisode", Integer), ("idFile", Integer), ("c12", Text), ("idShow", Integer)], &["idEpisode"]),
        ("files", &[("idFile", Integer), ("playCount", Integer), ("lastPlayed", Text), ("dateAdded", Text)], &["idFile"]),
        ("rating", &[("rating_id", Integer), ("media_id", Integer), ("rating_type", Text), ("rating", Real), ("votes", Integer)], &["rating_id"]),
        ("uniqueid", &[("uniqueid_id", Integer), ("media_id", Integer), ("value", Text), ("type", Text)], &["uniqueid_id"]),
        // A chat app; `t` has a key, `nopk` none.
        ("conversations", &[("id", Integer), ("title", Text)], &["id"]),
        ("messages", &[("id", Integer), ("conversation_id", Integer), ("body", Text)], &["id"]),
        ("t", &[("id", Integer), ("name", Text), ("n", Integer)], &["id"]),
        ("u", &[("id", Integer), ("t_id", Integer), ("v", Integer)], &["id"]),
        ("nopk", &[("id", Integer), ("name", Text), ("n", Integer)], &[]),
    ];
    for (name, cols, pk) in tables {
        s.add_table(name, name);
        for (c, k) in cols.iter() {
            s.add_column(name, c, c, *k);
        }
        s.set_primary_key(name, pk);
    }
    // Views: known by name only, so no key.
    s.add_table("tvshowcounts", "tvshowcounts");
    s
}

/// `input` (a view body) rewrites to exactly `expected`.
fn check(input: &str, expected: &str) {
    let r = rewrite_query(input, &scope()).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(r.sql, expected, "input: {input}");
}

/// `input` passes (the output is checked elsewhere).
fn pass(input: &str) {
    if let Err(e) = rewrite_query(input, &scope()) {
        panic!("{input}: {e}");
    }
}

/// `input` is refused as unsupported, with `needle` in the message.
fn refuse(input: &str, needle: &str) {
    match rewrite_query(input, &scope()) {
        Err(e @ RewriteError::Unsupported { .. }) => {
            assert!(e.to_string().contains(needle), "{input}: message `{e}` lacks `{needle}`")
        }
        other => panic!("{input}: expected Unsupported, got {other:?}"),
    }
}

const BARE: &str = "SQLite takes a bare column from an arbitrary row of each group; PostgreSQL requires it in GROUP BY or an aggregate";

#[test]
fn northwind_invoices_salesperson() {
    refuse(
        "SELECT Orders.ShipName, (Employees.FirstName + ' ' + Employees.LastName) AS Salesperson, Orders.OrderID, \"Order Details\".UnitPrice \
         FROM Employees INNER JOIN Orders ON Employees.EmployeeID = Orders.EmployeeID \
         INNER JOIN \"Order Details\" ON Orders.OrderID = \"Order Details\".OrderID",
        r#""Employees"."FirstName" + ' ': arithmetic on text: SQLite converts the text to a number (usually 0); PostgreSQL has no such conversion — rewrite the view by hand (string concatenation is ||)"#,
    );
    check(
        "SELECT (Employees.FirstName || ' ' || Employees.LastName) AS Salesperson FROM Employees",
        r#"SELECT ("Employees"."FirstName" || ' ' || "Employees"."LastName") AS "Salesperson" FROM "Employees""#,
    );
}

#[test]
fn arithmetic_in_views() {
    check(
        "SELECT OrderID, sum(UnitPrice * Quantity * (1 - Discount)) AS Subtotal FROM \"Order Details\" GROUP BY OrderID",
        r#"SELECT "OrderID", sum("UnitPrice" * "Quantity" * (1 - "Discount")) AS "Subtotal" FROM "Order Details" GROUP BY "OrderID""#,
    );
    check("SELECT Freight * 2 AS f, -Freight AS g FROM Orders", r#"SELECT "Freight" * 2 AS "f", -"Freight" AS "g" FROM "Orders""#);
    refuse("SELECT ShipName * 2 FROM Orders", r#""ShipName" * 2"#);
    refuse("SELECT -ShipName FROM Orders", r#"-"ShipName""#);
    refuse("SELECT x.s + 1 FROM (SELECT ShipName AS s FROM Orders) x", r#""x"."s" + 1"#);
    refuse("SELECT Freight FROM Orders WHERE CustomerID + 0 > 5", r#""CustomerID" + 0"#);
    refuse("SELECT sum(ShipName + 1) FROM Orders", "arithmetic on text");
}

const TVSHOW_VIEW: &str = "SELECT tvshow.*, path.idParentPath AS idParentPath, path.strPath AS strPath, \
    tvshowcounts.dateAdded AS dateAdded, lastPlayed, totalCount, watchedcount, totalSeasons, \
    rating.rating AS rating, rating.votes AS votes, rating.rating_type AS rating_type, \
    uniqueid.value AS uniqueid_value, uniqueid.type AS uniqueid_type \
    FROM tvshow LEFT JOIN tvshowlinkpath ON tvshowlinkpath.idShow=tvshow.idShow \
    LEFT JOIN path ON path.idPath=tvshowlinkpath.idPath \
    INNER JOIN tvshowcounts ON tvshow.idShow = tvshowcounts.idShow \
    LEFT JOIN rating ON rating.rating_id=tvshow.c04 \
    LEFT JOIN uniqueid ON uniqueid.uniqueid_id=tvshow.c12 \
    GROUP BY tvshow.idShow";

#[test]
fn kodi_tvshow_view() {
    refuse(TVSHOW_VIEW, &format!(r#""path"."idParentPath": {BARE}"#));
    // Without the path columns, the next bare column is the view's.
    refuse(
        "SELECT tvshow.*, tvshowcounts.dateAdded AS dateAdded FROM tvshow INNER JOIN tvshowcounts ON tvshow.idShow = tvshowcounts.idShow GROUP BY tvshow.idShow",
        r#""tvshowcounts"."dateAdded""#,
    );
    check(
        "SELECT tvshow.idShow AS idShow, MAX(files.lastPlayed) AS lastPlayed, NULLIF(COUNT(episode.c12), 0) AS totalCount, \
         COUNT(files.playCount) AS watchedcount, NULLIF(COUNT(DISTINCT(episode.c12)), 0) AS totalSeasons, MAX(files.dateAdded) as dateAdded \
         FROM tvshow LEFT JOIN episode ON episode.idShow=tvshow.idShow LEFT JOIN files ON files.idFile=episode.idFile GROUP BY tvshow.idShow",
        r#"SELECT "tvshow"."idShow" AS "idShow", max("files"."lastPlayed") AS "lastPlayed", nullif(count("episode"."c12"), 0) AS "totalCount", count("files"."playCount") AS "watchedcount", nullif(count(DISTINCT ("episode"."c12")), 0) AS "totalSeasons", max("files"."dateAdded") AS "dateAdded" FROM "tvshow" LEFT JOIN "episode" ON "episode"."idShow" = "tvshow"."idShow" LEFT JOIN "files" ON "files"."idFile" = "episode"."idFile" GROUP BY "tvshow"."idShow""#,
    );
    // tvshow's key is grouped: all its columns, and those of a table whose whole key is.
    pass("SELECT tvshow.*, path.strPath FROM tvshow LEFT JOIN tvshowlinkpath ON tvshowlinkpath.idShow = tvshow.idShow LEFT JOIN path ON path.idPath = tvshowlinkpath.idPath GROUP BY tvshow.idShow, path.idPath");
    pass("SELECT tvshow.c00, tvshowlinkpath.* FROM tvshow JOIN tvshowlinkpath ON tvshowlinkpath.idShow = tvshow.idShow GROUP BY tvshow.idShow, tvshowlinkpath.idShow, tvshowlinkpath.idPath");
    refuse(
        "SELECT tvshowlinkpath.* FROM tvshow JOIN tvshowlinkpath ON tvshowlinkpath.idShow = tvshow.idShow GROUP BY tvshowlinkpath.idShow",
        r#""tvshowlinkpath"."idPath" (in "tvshowlinkpath".*)"#,
    );
}

#[test]
fn grouped_expressions_pass() {
    check(
        "SELECT c.id, c.title, count(m.id) FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.id, c.title",
        r#"SELECT "c"."id", "c"."title", count("m"."id") FROM "conversations" AS "c" LEFT JOIN "messages" AS "m" ON "m"."conversation_id" = "c"."id" GROUP BY "c"."id", "c"."title""#,
    );
    check(
        "SELECT t.*, count(*) FROM t JOIN u ON u.t_id = t.id GROUP BY t.id",
        r#"SELECT "t".*, count(*) FROM "t" JOIN "u" ON "u"."t_id" = "t"."id" GROUP BY "t"."id""#,
    );
    check("SELECT name, count(*) FROM t GROUP BY id", r#"SELECT "name", count(*) FROM "t" GROUP BY "id""#);
    pass("SELECT * FROM t GROUP BY id");
    pass("SELECT name, count(*) FROM nopk GROUP BY name");
    pass("SELECT nopk.name, count(*) FROM nopk GROUP BY name");
    pass("SELECT name, count(*) FROM nopk GROUP BY nopk.name");
    pass("SELECT lower(name), count(*) FROM nopk GROUP BY lower(name)");
    pass("SELECT lower(name) AS l, count(*) FROM nopk GROUP BY l ORDER BY l");
    pass("SELECT name, count(*) FROM nopk GROUP BY 1 ORDER BY 2 DESC");
    pass("SELECT n + 1, count(*) FROM nopk GROUP BY n");
    pass("SELECT name, sum(n) AS s FROM nopk GROUP BY name HAVING sum(n) > 1 AND name <> 'x' ORDER BY name, s");
    pass("SELECT name, total(n), group_concat(id) FROM nopk GROUP BY name");
    pass("SELECT name, max(id), rank() OVER (ORDER BY count(*)) FROM nopk GROUP BY name");
    pass("SELECT name, CASE WHEN count(*) > 1 THEN 'many' ELSE name END FROM nopk GROUP BY name");
    pass("SELECT name, (SELECT count(*) FROM u WHERE u.v = nopk.name) FROM nopk GROUP BY name");
    pass("SELECT t.name, (SELECT max(u.v) FROM u WHERE u.t_id = t.id) FROM t GROUP BY t.id");
    pass("SELECT x.name, count(*) FROM (SELECT name FROM nopk) x GROUP BY x.name");
    pass("WITH c AS (SELECT name, n FROM nopk) SELECT name, sum(n) FROM c GROUP BY name");
    // Outer references are constant within a group.
    pass("SELECT id, (SELECT t.n + count(*) FROM u WHERE u.t_id = t.id GROUP BY u.t_id) FROM t");
    pass("SELECT id, (SELECT n + count(*) FROM u WHERE u.t_id = t.id GROUP BY u.t_id) FROM t");
    // Aggregates without GROUP BY are left alone.
    pass("SELECT count(*), max(n) FROM nopk");
}

#[test]
fn bare_columns_refused() {
    refuse("SELECT name, count(*) FROM nopk GROUP BY id", &format!(r#""name": {BARE}"#));
    refuse("SELECT nopk.name FROM nopk GROUP BY nopk.id", r#""nopk"."name""#);
    refuse("SELECT * FROM nopk GROUP BY id", r#""nopk"."name" (in *)"#);
    refuse("SELECT nopk.* FROM nopk GROUP BY id", r#""nopk"."name" (in "nopk".*)"#);
    refuse("SELECT t.*, u.v FROM t JOIN u ON u.t_id = t.id GROUP BY t.id", r#""u"."v""#);
    refuse("SELECT * FROM t JOIN u ON u.t_id = t.id GROUP BY t.id", r#""u"."id" (in *)"#);
    refuse("SELECT lower(name), count(*) FROM nopk GROUP BY upper(name)", r#""name""#);
    refuse("SELECT id, count(*) FROM nopk GROUP BY name HAVING n > 1", r#""id""#);
    refuse("SELECT name, count(*) FROM nopk GROUP BY name HAVING n > 1", r#""n""#);
    refuse("SELECT name FROM nopk GROUP BY name ORDER BY n", r#""n""#);
    refuse("SELECT name, rank() OVER (ORDER BY n) FROM nopk GROUP BY name", r#""n""#);
    refuse("SELECT name, (SELECT count(*) FROM u WHERE u.v = nopk.n) FROM nopk GROUP BY name", r#""nopk"."n""#);
    refuse("SELECT name, (SELECT count(*) FROM u WHERE u.v = n) FROM nopk GROUP BY name", r#""n""#);
    pass("SELECT name, (SELECT count(*) FROM u WHERE u.v = id) FROM nopk GROUP BY name");
    pass("SELECT name, (SELECT count(*) FROM u WHERE u.v = u.id) FROM nopk GROUP BY name");
    refuse("SELECT x.name, count(*) FROM (SELECT id, name FROM t) x GROUP BY x.id", r#""x"."name""#);
    refuse("WITH c AS (SELECT id, name FROM t) SELECT name FROM c GROUP BY id", r#""name""#);
    refuse("SELECT u.v FROM u JOIN t ON t.id = u.t_id GROUP BY u.t_id", r#""u"."v""#);
    // A table whose key is unknown: its columns are never functionally dependent.
    refuse("SELECT unknown_table.a FROM unknown_table GROUP BY unknown_table.b", r#""unknown_table"."a""#);
    refuse("SELECT a FROM unknown_table GROUP BY b", r#""a""#);
    pass("SELECT b, count(*) FROM unknown_table GROUP BY b");
}

/// SQLite accepts a JOIN without ON (a cross join) and a subquery in FROM without an alias;
/// PostgreSQL needs CROSS JOIN (or ON true for an outer join) and, before 16, an alias.
#[test]
fn joins_without_on_and_subqueries_without_alias() {
    check("SELECT t.id, u.v FROM t JOIN u", r#"SELECT "t"."id", "u"."v" FROM "t" CROSS JOIN "u""#);
    check("SELECT t.id FROM t INNER JOIN u", r#"SELECT "t"."id" FROM "t" CROSS JOIN "u""#);
    check("SELECT t.id FROM t LEFT JOIN u", r#"SELECT "t"."id" FROM "t" LEFT JOIN "u" ON true"#);
    check("SELECT n FROM (SELECT count(*) AS n FROM t)", r#"SELECT "n" FROM (SELECT count(*) AS "n" FROM "t") AS "subquery_1""#);
    check(
        "SELECT a.n, b.m FROM (SELECT count(*) AS n FROM t) AS a, (SELECT max(v) AS m FROM u) b",
        r#"SELECT "a"."n", "b"."m" FROM (SELECT count(*) AS "n" FROM "t") AS "a", (SELECT max("v") AS "m" FROM "u") AS "b""#,
    );
}
