//! Triggers: PL/pgSQL function and CREATE TRIGGER.

mod common;

use sqlite2pg_rewrite::{PgTrigger, RewriteError, rewrite_trigger};

fn run(input: &str) -> PgTrigger {
    let t = rewrite_trigger(input, &common::scope(), "trg_fn").unwrap_or_else(|e| panic!("{input}: {e}"));
    let again = rewrite_trigger(input, &common::scope(), "trg_fn").unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(again, t, "not deterministic: {input}");
    t
}

/// `input` gives exactly the function body lines `body` (between BEGIN and END) and
/// exactly `trigger` as the CREATE TRIGGER.
fn check(input: &str, body: &str, trigger: &str) {
    let t = run(input);
    let expected_fn = format!("CREATE FUNCTION \"trg_fn\"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$\nBEGIN\n{body}\nEND;\n$$;");
    assert_eq!(t.function_sql, expected_fn, "input: {input}");
    assert_eq!(t.trigger_sql, trigger, "input: {input}");
}

fn refuse(input: &str, needle: &str) {
    match rewrite_trigger(input, &common::scope(), "trg_fn") {
        Err(e @ RewriteError::Unsupported { .. }) => assert!(e.to_string().contains(needle), "{input}: `{e}` lacks `{needle}`"),
        other => panic!("{input}: expected Unsupported, got {other:?}"),
    }
}

#[test]
fn sakila_updated_at() {
    check(
        "CREATE TRIGGER actor_trigger_au AFTER UPDATE ON actor FOR EACH ROW BEGIN UPDATE actor SET last_update = DATETIME('NOW') WHERE actor_id = new.actor_id; END",
        "  UPDATE \"actor\" SET \"last_update\" = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') WHERE \"actor_id\" = NEW.\"actor_id\";\n  RETURN NULL;",
        r#"CREATE TRIGGER "actor_trigger_au" AFTER UPDATE ON "actor" FOR EACH ROW WHEN (pg_trigger_depth() < 1) EXECUTE FUNCTION "trg_fn"();"#,
    );
    let t = run("CREATE TRIGGER x AFTER UPDATE ON t BEGIN UPDATE t SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END");
    assert!(t.notes.iter().any(|n| n.contains("pg_trigger_depth")), "{:?}", t.notes);
    assert_eq!(t.table, "t");
}

#[test]
fn firefox_before_delete() {
    check(
        "CREATE TRIGGER moz_bookmarks_beforedelete_v1_trigger BEFORE DELETE ON moz_bookmarks FOR EACH ROW WHEN OLD.keyword_id NOT NULL BEGIN DELETE FROM moz_keywords WHERE id = OLD.keyword_id AND NOT EXISTS (SELECT id FROM moz_bookmarks WHERE keyword_id = OLD.keyword_id AND id <> OLD.id LIMIT 1); END",
        "  DELETE FROM \"moz_keywords\" WHERE \"id\" = OLD.\"keyword_id\" AND NOT EXISTS (SELECT \"id\" FROM \"moz_bookmarks\" WHERE \"keyword_id\" = OLD.\"keyword_id\" AND \"id\" <> OLD.\"id\" LIMIT 1);\n  RETURN OLD;",
        r#"CREATE TRIGGER "moz_bookmarks_beforedelete_v1_trigger" BEFORE DELETE ON "moz_bookmarks" FOR EACH ROW WHEN (OLD."keyword_id" IS NOT NULL) EXECUTE FUNCTION "trg_fn"();"#,
    );
}

#[test]
fn raise_forms() {
    check(
        "CREATE TRIGGER v BEFORE INSERT ON film BEGIN SELECT RAISE(ABORT, 'bad 100%'); END",
        "  RAISE EXCEPTION 'bad 100%%';\n  RETURN NEW;",
        r#"CREATE TRIGGER "v" BEFORE INSERT ON "film" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
    check(
        "CREATE TRIGGER v BEFORE INSERT ON film BEGIN SELECT CASE WHEN NEW.n < 0 THEN RAISE(ABORT, 'negative') END; END",
        "  IF NEW.\"n\" < 0 THEN\n    RAISE EXCEPTION 'negative';\n  END IF;\n  RETURN NEW;",
        r#"CREATE TRIGGER "v" BEFORE INSERT ON "film" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
    check(
        "CREATE TRIGGER fk BEFORE INSERT ON album BEGIN SELECT RAISE(ROLLBACK, 'no artist') WHERE (SELECT albumid FROM album WHERE albumid = NEW.artistid) IS NULL; END",
        "  IF (SELECT \"AlbumId\" FROM \"Album\" WHERE \"AlbumId\" = NEW.\"ArtistId\") IS NULL THEN\n    RAISE EXCEPTION 'no artist';\n  END IF;\n  RETURN NEW;",
        r#"CREATE TRIGGER "fk" BEFORE INSERT ON "Album" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
    check(
        "CREATE TRIGGER ig BEFORE UPDATE ON film WHEN NEW.active = 0 BEGIN SELECT RAISE(IGNORE); END",
        "  RETURN NULL;\n  RETURN NEW;",
        r#"CREATE TRIGGER "ig" BEFORE UPDATE ON "film" FOR EACH ROW WHEN (NOT NEW."active") EXECUTE FUNCTION "trg_fn"();"#,
    );
    refuse("CREATE TRIGGER ig AFTER UPDATE ON film BEGIN SELECT RAISE(IGNORE); END", "RAISE(IGNORE)");
}

#[test]
fn inserts_and_booleans() {
    check(
        "CREATE TRIGGER a AFTER INSERT ON film BEGIN INSERT OR IGNORE INTO audit(msg, done) VALUES ('new ' || NEW.rating, 0); END",
        "  INSERT INTO \"audit\" (\"msg\", \"done\") VALUES ('new ' || NEW.\"rating\", false) ON CONFLICT DO NOTHING;\n  RETURN NULL;",
        r#"CREATE TRIGGER "a" AFTER INSERT ON "film" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
    check(
        "CREATE TRIGGER a AFTER UPDATE OF rating, Active ON film BEGIN UPDATE audit SET done = 1 WHERE id = OLD.film_id; END",
        "  UPDATE \"audit\" SET \"done\" = true WHERE \"id\" = OLD.\"film_id\";\n  RETURN NULL;",
        r#"CREATE TRIGGER "a" AFTER UPDATE OF "rating", "active" ON "film" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
    check(
        "CREATE TRIGGER a AFTER INSERT ON film BEGIN INSERT INTO audit VALUES (NULL, 'x', 1); END",
        "  INSERT INTO \"audit\" VALUES (NULL, 'x', true);\n  RETURN NULL;",
        r#"CREATE TRIGGER "a" AFTER INSERT ON "film" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
}

#[test]
fn instead_of_and_subquery_when() {
    check(
        "CREATE TRIGGER io INSTEAD OF DELETE ON film WHEN OLD.n > 0 BEGIN DELETE FROM audit WHERE id = OLD.film_id; END",
        "  IF OLD.\"n\" > 0 THEN\n    DELETE FROM \"audit\" WHERE \"id\" = OLD.\"film_id\";\n  END IF;\n  RETURN OLD;",
        r#"CREATE TRIGGER "io" INSTEAD OF DELETE ON "film" FOR EACH ROW EXECUTE FUNCTION "trg_fn"();"#,
    );
}

#[test]
fn trigger_errors() {
    refuse("CREATE TRIGGER r AFTER INSERT ON film BEGIN INSERT OR REPLACE INTO audit(id) VALUES (1); END", "INSERT OR REPLACE");
    refuse("CREATE TRIGGER r AFTER INSERT ON film BEGIN UPDATE OR IGNORE audit SET msg = 'x'; END", "UPDATE OR");
    refuse("CREATE TRIGGER r AFTER INSERT ON film BEGIN INSERT INTO audit(msg) VALUES (typeof(NEW.n)); END", "typeof");
    assert!(matches!(
        rewrite_trigger("CREATE TABLE x (a)", &common::scope(), "f"),
        Err(RewriteError::Parse { .. })
    ));
}

/// SQLite's `rowid` (Sakila's triggers: `WHERE rowid = new.rowid`) becomes the table's
/// single-column primary key; without one, the trigger is refused, never emitted naming a
/// `rowid` column PostgreSQL does not have.
#[test]
fn rowid_is_the_primary_key() {
    let mut scope = common::scope();
    scope.set_primary_key("actor", &["actor_id"]);
    let sql = "CREATE TRIGGER actor_trigger_ai AFTER INSERT ON actor BEGIN UPDATE actor SET last_update = DATETIME('NOW') WHERE rowid = new.rowid; END";
    let t = rewrite_trigger(sql, &scope, "trg_fn").expect("rowid with a key");
    assert!(t.function_sql.contains(r#"WHERE "actor_id" = NEW."actor_id";"#), "{}", t.function_sql);
    assert!(t.notes.iter().any(|n| n.contains("PostgreSQL has no rowid")), "{:?}", t.notes);
    let t = rewrite_trigger("CREATE TRIGGER x AFTER DELETE ON actor BEGIN DELETE FROM audit WHERE id = old._rowid_; END", &scope, "trg_fn").expect("_rowid_");
    assert!(t.function_sql.contains(r#"WHERE "id" = OLD."actor_id";"#), "{}", t.function_sql);
    // `audit` has no key registered: no equivalent.
    match rewrite_trigger("CREATE TRIGGER x AFTER INSERT ON audit BEGIN UPDATE audit SET done = 1 WHERE rowid = new.rowid; END", &scope, "trg_fn") {
        Err(e @ RewriteError::Unsupported { .. }) => assert!(e.to_string().contains("rowid"), "{e}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

/// A numeric column's value stored into a text column is the text SQLite stored: NUMERIC
/// affinity made 12.50 the real 12.5, where PostgreSQL's numeric(10,2) prints 12.50.
#[test]
fn numeric_into_text_drops_trailing_zeros() {
    let t = run("CREATE TRIGGER x AFTER UPDATE OF unitprice ON products BEGIN INSERT INTO audit (msg) VALUES (new.unitprice); END");
    assert!(t.function_sql.contains(r#"VALUES (CAST(trim_scale(NEW."UnitPrice") AS TEXT))"#), "{}", t.function_sql);
}
