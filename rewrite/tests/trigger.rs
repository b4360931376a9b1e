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

/// The recursion guard's body lines for trigger `name`: set before the body, cleared before
/// the RETURN.
fn guarded(name: &str, body: &str, ret: &str) -> String {
    format!("  PERFORM set_config('sqlite2pg.in_{name}', 'on', true);\n{body}\n  PERFORM set_config('sqlite2pg.in_{name}', 'off', true);\n  RETURN {ret};")
}

fn not_running(name: &str) -> String {
    format!("current_setting('sqlite2pg.in_{name}', true) IS DISTINCT FROM 'on'")
}

#[test]
fn sakila_updated_at() {
    check(
        "CREATE TRIGGER actor_trigger_au AFTER UPDATE ON actor FOR EACH ROW BEGIN UPDATE actor SET last_update = DATETIME('NOW') WHERE actor_id = new.actor_id; END",
        &guarded("actor_trigger_au", "  UPDATE \"actor\" SET \"last_update\" = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') WHERE \"actor_id\" = NEW.\"actor_id\";", "NULL"),
        &format!(r#"CREATE TRIGGER "actor_trigger_au" AFTER UPDATE ON "actor" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("actor_trigger_au")),
    );
    let t = run("CREATE TRIGGER x AFTER UPDATE ON t BEGIN UPDATE t SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END");
    // The guard is SQLite's own rule, not a change in meaning: no note.
    assert!(t.notes.iter().all(|n| !n.contains("recursion")), "{:?}", t.notes);
    assert!(!t.trigger_sql.contains("pg_trigger_depth") && !t.function_sql.contains("pg_trigger_depth"), "{}", t.trigger_sql);
    assert_eq!(t.table, "t");
}

/// SQLite (recursive_triggers off) skips a trigger while its own program runs anywhere up the
/// stack, and fires it for writes of other triggers and foreign-key actions: every trigger
/// whose body writes holds a flag of its own while it runs, whatever table it writes.
#[test]
fn recursion_guard() {
    // Writes another table only: it can still come back through that table's triggers.
    check(
        "CREATE TRIGGER sync_a AFTER UPDATE OF msg ON audit BEGIN UPDATE film SET rating = NEW.msg WHERE film_id = NEW.id; END",
        &guarded("sync_a", "  UPDATE \"film\" SET \"rating\" = NEW.\"msg\" WHERE \"film_id\" = NEW.\"id\";", "NULL"),
        &format!(r#"CREATE TRIGGER "sync_a" AFTER UPDATE OF "msg" ON "audit" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("sync_a")),
    );
    // A body that writes nothing cannot fire anything: no guard.
    let t = run("CREATE TRIGGER v BEFORE UPDATE ON film BEGIN SELECT RAISE(ABORT, 'no'); END");
    assert!(!t.function_sql.contains("set_config") && !t.trigger_sql.contains("current_setting"), "{}\n{}", t.function_sql, t.trigger_sql);
    // RAISE(IGNORE) returns early: the flag is cleared before that RETURN too.
    check(
        "CREATE TRIGGER skip BEFORE INSERT ON film WHEN NEW.n < 0 BEGIN INSERT INTO audit (msg) VALUES ('skipped'); SELECT RAISE(IGNORE); END",
        &guarded(
            "skip",
            "  INSERT INTO \"audit\" (\"msg\") VALUES ('skipped');\n  PERFORM set_config('sqlite2pg.in_skip', 'off', true);\n  RETURN NULL;",
            "NEW",
        ),
        &format!(r#"CREATE TRIGGER "skip" BEFORE INSERT ON "film" FOR EACH ROW WHEN ((NEW."n" < 0) AND ({})) EXECUTE FUNCTION "trg_fn"();"#, not_running("skip")),
    );
    check(
        "CREATE TRIGGER skip BEFORE INSERT ON film BEGIN DELETE FROM audit WHERE id = NEW.n; SELECT RAISE(IGNORE) WHERE NEW.n > 1; END",
        &guarded(
            "skip",
            "  DELETE FROM \"audit\" WHERE \"id\" = NEW.\"n\";\n  IF NEW.\"n\" > 1 THEN\n    PERFORM set_config('sqlite2pg.in_skip', 'off', true);\n    RETURN NULL;\n  END IF;",
            "NEW",
        ),
        &format!(r#"CREATE TRIGGER "skip" BEFORE INSERT ON "film" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("skip")),
    );
    // A WHEN with a subquery moves into the body; the guard stays in the WHEN.
    check(
        "CREATE TRIGGER sq AFTER INSERT ON film WHEN (SELECT count(*) FROM audit) > 0 BEGIN INSERT INTO audit (msg) VALUES ('x'); END",
        "  PERFORM set_config('sqlite2pg.in_sq', 'on', true);\n  IF (SELECT count(*) FROM \"audit\") > 0 THEN\n    INSERT INTO \"audit\" (\"msg\") VALUES ('x');\n  END IF;\n  PERFORM set_config('sqlite2pg.in_sq', 'off', true);\n  RETURN NULL;",
        &format!(r#"CREATE TRIGGER "sq" AFTER INSERT ON "film" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("sq")),
    );
}

/// The setting's name: `sqlite2pg.` and an identifier PostgreSQL accepts in a setting name,
/// one per trigger (SQLite trigger names are case-insensitive in ASCII only).
#[test]
fn guard_setting_names() {
    use sqlite2pg_rewrite::guard_setting;
    assert_eq!(guard_setting("books_touch"), "sqlite2pg.in_books_touch");
    assert_eq!(guard_setting("Books_Touch"), "sqlite2pg.in_books_touch");
    let odd = ["touch me", "touch-me", "touch\"me", "touch'me", "tôuch", "tÔuch", "1st", "ü", &"t".repeat(200), &format!("{}x", "t".repeat(200))];
    let names: Vec<String> = odd.iter().map(|n| guard_setting(n)).collect();
    for (n, g) in odd.iter().zip(&names) {
        let (prefix, part) = g.split_once('.').unwrap_or_else(|| panic!("{n}: {g}"));
        assert_eq!(prefix, "sqlite2pg", "{n}: {g}");
        assert!(part.len() <= 63 && part.starts_with("in_"), "{n}: {g}");
        assert!(part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{n}: {g}");
        assert_eq!(&guard_setting(n), g, "not deterministic: {n}");
    }
    let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "{names:?}");
    assert!(!names.contains(&guard_setting("touch_me")), "{names:?}");
    // Quotes in the trigger's name never reach the SQL text.
    let t = run(r#"CREATE TRIGGER "it's ""x""" AFTER INSERT ON film BEGIN INSERT INTO audit (msg) VALUES ('x'); END"#);
    let g = guard_setting(r#"it's "x""#);
    assert!(t.function_sql.contains(&format!("set_config('{g}', 'on', true)")), "{}", t.function_sql);
    assert!(t.trigger_sql.contains(&format!("current_setting('{g}', true)")), "{}", t.trigger_sql);
}

#[test]
fn firefox_before_delete() {
    check(
        "CREATE TRIGGER moz_bookmarks_beforedelete_v1_trigger BEFORE DELETE ON moz_bookmarks FOR EACH ROW WHEN OLD.keyword_id NOT NULL BEGIN DELETE FROM moz_keywords WHERE id = OLD.keyword_id AND NOT EXISTS (SELECT id FROM moz_bookmarks WHERE keyword_id = OLD.keyword_id AND id <> OLD.id LIMIT 1); END",
        &guarded(
            "moz_bookmarks_beforedelete_v1_trigger",
            "  DELETE FROM \"moz_keywords\" WHERE \"id\" = OLD.\"keyword_id\" AND NOT EXISTS (SELECT \"id\" FROM \"moz_bookmarks\" WHERE \"keyword_id\" = OLD.\"keyword_id\" AND \"id\" <> OLD.\"id\" LIMIT 1);",
            "OLD",
        ),
        &format!(
            r#"CREATE TRIGGER "moz_bookmarks_beforedelete_v1_trigger" BEFORE DELETE ON "moz_bookmarks" FOR EACH ROW WHEN ((OLD."keyword_id" IS NOT NULL) AND ({})) EXECUTE FUNCTION "trg_fn"();"#,
            not_running("moz_bookmarks_beforedelete_v1_trigger")
        ),
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
        &guarded("a", "  INSERT INTO \"audit\" (\"msg\", \"done\") VALUES ('new ' || NEW.\"rating\", false) ON CONFLICT DO NOTHING;", "NULL"),
        &format!(r#"CREATE TRIGGER "a" AFTER INSERT ON "film" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("a")),
    );
    check(
        "CREATE TRIGGER a AFTER UPDATE OF rating, Active ON film BEGIN UPDATE audit SET done = 1 WHERE id = OLD.film_id; END",
        &guarded("a", "  UPDATE \"audit\" SET \"done\" = true WHERE \"id\" = OLD.\"film_id\";", "NULL"),
        &format!(r#"CREATE TRIGGER "a" AFTER UPDATE OF "rating", "active" ON "film" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("a")),
    );
    check(
        "CREATE TRIGGER a AFTER INSERT ON film BEGIN INSERT INTO audit VALUES (NULL, 'x', 1); END",
        &guarded("a", "  INSERT INTO \"audit\" VALUES (NULL, 'x', true);", "NULL"),
        &format!(r#"CREATE TRIGGER "a" AFTER INSERT ON "film" FOR EACH ROW WHEN ({}) EXECUTE FUNCTION "trg_fn"();"#, not_running("a")),
    );
}

#[test]
fn instead_of_and_subquery_when() {
    check(
        "CREATE TRIGGER io INSTEAD OF DELETE ON film WHEN OLD.n > 0 BEGIN DELETE FROM audit WHERE id = OLD.film_id; END",
        // INSTEAD OF takes no WHEN: the guard's test opens the body.
        &format!(
            "  IF current_setting('sqlite2pg.in_io', true) = 'on' THEN RETURN OLD; END IF;\n{}",
            guarded("io", "  IF OLD.\"n\" > 0 THEN\n    DELETE FROM \"audit\" WHERE \"id\" = OLD.\"film_id\";\n  END IF;", "OLD")
        ),
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
