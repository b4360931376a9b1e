//! Shared fixtures for the rewrite tests: a small schema in the style of the real-world
//! databases (Chinook, Northwind, Sakila, Firefox places) the rules are checked against.

use sqlite2pg_rewrite::{ColumnKind, Scope};

/// The scope every test uses.
type Table<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str, ColumnKind)]);

pub fn scope() -> Scope {
    let mut s = Scope::new();
    let tables: &[Table] = &[
        ("album", "Album", &[("albumid", "AlbumId", ColumnKind::Integer), ("title", "Title", ColumnKind::Text), ("artistid", "ArtistId", ColumnKind::Integer)]),
        ("Order Details", "Order Details", &[("OrderID", "OrderID", ColumnKind::Integer), ("Quantity", "Quantity", ColumnKind::Integer), ("UnitPrice", "UnitPrice", ColumnKind::Numeric)]),
        ("products", "Products", &[
            ("productid", "ProductID", ColumnKind::Integer),
            ("productname", "ProductName", ColumnKind::Text),
            ("categoryid", "CategoryID", ColumnKind::Integer),
            ("discontinued", "Discontinued", ColumnKind::Boolean),
            ("unitprice", "UnitPrice", ColumnKind::Numeric),
        ]),
        ("categories", "Categories", &[("categoryid", "CategoryID", ColumnKind::Integer), ("categoryname", "CategoryName", ColumnKind::Text)]),
        ("film", "film", &[
            ("film_id", "film_id", ColumnKind::Integer),
            ("rating", "rating", ColumnKind::Text),
            ("select", "select", ColumnKind::Text),
            ("data", "data", ColumnKind::Json),
            ("meta", "meta", ColumnKind::Text),
            ("picture", "picture", ColumnKind::Bytes),
            ("created", "created", ColumnKind::Timestamp),
            ("day", "day", ColumnKind::Date),
            ("stamp", "stamp", ColumnKind::Text),
            ("epoch", "epoch", ColumnKind::Integer),
            ("active", "active", ColumnKind::Boolean),
            ("flag", "flag", ColumnKind::Boolean),
            ("n", "n", ColumnKind::Integer),
            ("kind", "kind", ColumnKind::Text),
        ]),
        ("actor", "actor", &[("actor_id", "actor_id", ColumnKind::Integer), ("first_name", "first_name", ColumnKind::Text), ("last_update", "last_update", ColumnKind::Timestamp), ("active", "active", ColumnKind::Boolean)]),
        ("moz_bookmarks", "moz_bookmarks", &[("id", "id", ColumnKind::Integer), ("keyword_id", "keyword_id", ColumnKind::Integer), ("title", "title", ColumnKind::Text)]),
        ("moz_keywords", "moz_keywords", &[("id", "id", ColumnKind::Integer), ("keyword", "keyword", ColumnKind::Text)]),
        ("audit", "audit", &[("id", "id", ColumnKind::Integer), ("msg", "msg", ColumnKind::Text), ("done", "done", ColumnKind::Boolean)]),
        ("t", "t", &[("id", "id", ColumnKind::Integer), ("updated_at", "updated_at", ColumnKind::Timestamp), ("name", "name", ColumnKind::Text)]),
    ];
    for (sqlite, pg, cols) in tables {
        s.add_table(sqlite, pg);
        for (c, p, k) in cols.iter() {
            s.add_column(sqlite, c, p, *k);
        }
    }
    s
}
