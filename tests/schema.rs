//! Constraints, defaults, collations, indexes, views, triggers and names: planned from SQLite
//! files built here, applied to PostgreSQL, and exercised there.

use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::{Grade, Plan};

use crate::support::pg::TestDb;
use crate::support::{Workdir, column, findings_about, plan_many, plan_one, table};

fn render(schema: &sqlite2pg_converter::plan::SchemaPlan) -> String {
    ddl::render(&Plan { schemas: vec![schema.clone()] }, ddl::DdlOptions::default())
}

#[tokio::test]
async fn defaults_translate_or_are_reported() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE t(
            id INTEGER PRIMARY KEY,
            created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
            created_epoch INTEGER NOT NULL DEFAULT (strftime('%s','now')),
            day DATE DEFAULT (date('now')),
            is_active INTEGER NOT NULL DEFAULT 1,
            meta JSON DEFAULT '{}',
            note TEXT DEFAULT 'it''s',
            quoted TEXT DEFAULT \"dq\",
            token TEXT DEFAULT (hex(randomblob(4))),
            flag BOOLEAN DEFAULT 'yes',
            n INTEGER DEFAULT -5
         );
         INSERT INTO t(id) VALUES (1);",
    );
    let schema = plan_one(&path);
    let d = |c: &str| column(&schema, "t", c).default.clone();
    assert_eq!(d("created_at").as_deref(), Some("timezone('UTC', now())"));
    assert_eq!(d("created_epoch").as_deref(), Some("(EXTRACT(EPOCH FROM now()))::bigint"));
    assert_eq!(d("day").as_deref(), Some("(timezone('UTC', now()))::date"));
    assert_eq!(d("is_active").as_deref(), Some("true"));
    assert_eq!(d("meta").as_deref(), Some("'{}'::jsonb"));
    assert_eq!(d("note").as_deref(), Some("'it''s'"));
    assert_eq!(d("quoted").as_deref(), Some("'dq'"));
    assert_eq!(d("flag").as_deref(), Some("true"));
    assert_eq!(d("n").as_deref(), Some("-5"));
    assert_eq!(d("token"), None, "randomblob has no translation");
    assert!(findings_about(&schema, "column \"token\"").iter().any(|f| f.grade == Grade::Warning && f.message.contains("left out")));

    let db = TestDb::new("defaults_translate_or_are_reported").await;
    db.must_apply(&render(&schema)).await;
    db.must_apply("INSERT INTO t DEFAULT VALUES").await;
    assert_eq!(db.text("SELECT note FROM t").await.as_deref(), Some("it's"));
    assert_eq!(db.text("SELECT meta::text FROM t").await.as_deref(), Some("{}"));
    assert_eq!(db.text("SELECT is_active::text FROM t").await.as_deref(), Some("true"));
    let drift = db.int("SELECT abs(created_epoch - EXTRACT(EPOCH FROM now())::bigint) FROM t").await;
    assert!(drift < 60, "epoch default is now, drift {drift}s");
    let utc = db.int("SELECT abs(EXTRACT(EPOCH FROM (created_at - timezone('UTC', now()))))::bigint FROM t").await;
    assert!(utc < 60, "timestamp default is UTC now, off by {utc}s");
}

#[tokio::test]
async fn nocase_checks_partial_and_expression_indexes() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE users(
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            name TEXT,
            deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
            age INTEGER CHECK (age >= 0 AND age < 200),
            CONSTRAINT name_not_blank CHECK (length(trim(name)) > 0)
         );
         CREATE INDEX users_live ON users(name) WHERE deleted = 0;
         CREATE INDEX users_lower_name ON users(lower(name));
         INSERT INTO users VALUES (1, 'A@x.org', 'Ann', 0, 30), (2, 'b@x.org', 'Bob', 1, NULL);",
    );
    let schema = plan_one(&path);
    assert_eq!(column(&schema, "users", "deleted").pg_type.to_string(), "boolean");
    assert_eq!(column(&schema, "users", "email").pg_type.to_string(), "citext", "COLLATE NOCASE is citext");
    assert_eq!(column(&schema, "users", "email").collation, None);
    assert_eq!(schema.extensions, ["citext"]);
    let live = schema.indexes.iter().find(|i| i.name == "users_live").expect("partial index");
    assert_eq!(live.predicate.as_deref(), Some("NOT \"deleted\""));
    let lower = schema.indexes.iter().find(|i| i.name == "users_lower_name").expect("expression index");
    assert!(lower.parts[0].contains("lower(\"name\")"), "{:?}", lower.parts);
    let t = table(&schema, "users");
    assert_eq!(t.checks.len(), 3, "{:?}", t.checks);
    assert!(t.checks.iter().any(|c| c.name.as_deref() == Some("name_not_blank")));

    let db = TestDb::new("nocase_checks_partial_and_expression_indexes").await;
    db.must_apply(&render(&schema)).await;
    db.must_apply("INSERT INTO users(email, name, deleted, age) VALUES ('c@x.org', 'Cy', false, 20)").await;
    let dup = db.apply("INSERT INTO users(email, name, deleted) VALUES ('C@X.ORG', 'Cy2', false)").await;
    assert!(dup.is_err(), "UNIQUE ignores case, as COLLATE NOCASE did");
    assert_eq!(db.int("SELECT count(*) FROM users WHERE email = 'C@x.ORG'").await, 1, "comparison ignores case");
    // What a nondeterministic collation refuses before PostgreSQL 18: LIKE and ILIKE.
    assert_eq!(db.int("SELECT count(*) FROM users WHERE email LIKE 'C%'").await, 1, "LIKE ignores case, as SQLite's LIKE does");
    assert_eq!(db.int("SELECT count(*) FROM users WHERE email LIKE 'x%'").await, 0, "LIKE still matches a pattern");
    assert_eq!(db.int("SELECT count(*) FROM users WHERE email ILIKE '%X.ORG'").await, 1, "ILIKE works");
    assert_eq!(db.int("SELECT count(*) FROM users WHERE email IN ('A@X.ORG', 'C@x.org')").await, 1, "IN ignores case");
    let order = db.text("SELECT string_agg(email::text, ',' ORDER BY email) FROM (VALUES ('b'::citext), ('A'), ('c')) v(email)").await;
    assert_eq!(order.as_deref(), Some("A,b,c"), "ORDER BY ignores case, as COLLATE NOCASE sorted");
    assert!(db.apply("INSERT INTO users(email, name, deleted, age) VALUES ('d@x.org', 'D', false, -1)").await.is_err(), "age CHECK kept");
    assert!(db.apply("INSERT INTO users(email, name, deleted) VALUES ('e@x.org', '  ', false)").await.is_err(), "named CHECK kept");
    let indexdef = db.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'users_live'").await.unwrap_or_default();
    assert!(indexdef.contains("WHERE (NOT deleted)"), "{indexdef}");
}

#[tokio::test]
async fn foreign_keys_actions_cycles_and_composites() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED);
         CREATE TABLE parent(id INTEGER PRIMARY KEY, best_child INTEGER REFERENCES child(id), up INTEGER REFERENCES parent(id));
         CREATE TABLE pair(a INTEGER, b TEXT, PRIMARY KEY (a, b));
         CREATE TABLE pair_ref(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, FOREIGN KEY (a, b) REFERENCES pair(a, b) ON DELETE SET DEFAULT);
         CREATE TABLE loose(id INTEGER PRIMARY KEY, x INTEGER REFERENCES nowhere(id), y TEXT REFERENCES parent(id));
         INSERT INTO parent VALUES (1, NULL, NULL); INSERT INTO child VALUES (1, 1);",
    );
    let schema = plan_one(&path);
    let names: Vec<&str> = schema.tables.iter().map(|t| t.source_name.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).expect("table");
    assert!(pos("pair") < pos("pair_ref"));
    assert_eq!(schema.deferred_foreign_keys.len(), 1, "the child<->parent cycle is closed after both exist");
    let fk = table(&schema, "child").foreign_keys.first().or(schema.deferred_foreign_keys.first().map(|d| &d.foreign_key)).expect("fk");
    let _ = fk;
    let child_fk = schema
        .tables
        .iter()
        .flat_map(|t| t.foreign_keys.iter().map(move |f| (t.source_name.as_str(), f)))
        .chain(schema.deferred_foreign_keys.iter().map(|d| (d.table.as_str(), &d.foreign_key)))
        .find(|(t, _)| *t == "child")
        .expect("child fk")
        .1;
    assert_eq!(child_fk.on_delete.as_deref(), Some("CASCADE"));
    assert_eq!(child_fk.on_update.as_deref(), Some("SET NULL"));
    assert!(child_fk.deferrable && child_fk.initially_deferred);
    let loose = findings_about(&schema, "table \"loose\"");
    assert!(loose.iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("does not exist")), "{loose:?}");
    assert!(loose.iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("is text but")), "{loose:?}");

    let db = TestDb::new("foreign_keys_actions_cycles_and_composites").await;
    db.must_apply(&render(&schema)).await;
    let fks = db.int("SELECT count(*) FROM pg_constraint WHERE contype = 'f'").await;
    assert_eq!(fks, 4, "child, parent x2, pair_ref");
    db.must_apply("INSERT INTO parent(id) VALUES (1); INSERT INTO child VALUES (1, 1); INSERT INTO pair VALUES (1, 'x'); INSERT INTO pair_ref VALUES (1, 1, 'x'); DELETE FROM parent WHERE id = 1;").await;
    assert_eq!(db.int("SELECT count(*) FROM child").await, 0, "ON DELETE CASCADE kept");
    assert!(db.apply("INSERT INTO pair_ref VALUES (2, 9, 'nope')").await.is_err(), "composite FK enforced");
}

#[tokio::test]
async fn views_in_dependency_order_and_triggers_as_plpgsql() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE posts(id INTEGER PRIMARY KEY, title TEXT, is_published INTEGER NOT NULL DEFAULT 0, updated_at DATETIME);
         CREATE VIEW recent_published AS SELECT * FROM published ORDER BY id DESC LIMIT 10;
         CREATE VIEW published AS SELECT id, title FROM posts WHERE is_published = 1;
         CREATE TRIGGER posts_touch AFTER UPDATE OF title ON posts FOR EACH ROW
           BEGIN UPDATE posts SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
         CREATE TRIGGER posts_no_empty BEFORE INSERT ON posts FOR EACH ROW WHEN NEW.title = ''
           BEGIN SELECT RAISE(ABORT, 'title must not be empty'); END;
         CREATE VIEW uses_typeof AS SELECT typeof(title) AS t FROM posts;
         INSERT INTO posts VALUES (1, 'a', 1, NULL), (2, 'b', 0, NULL);",
    );
    let schema = plan_one(&path);
    let views: Vec<&str> = schema.views.iter().map(|v| v.source_name.as_str()).collect();
    assert_eq!(views, ["published", "recent_published"], "dependency order, untranslatable view left out");
    assert!(findings_about(&schema, "view \"uses_typeof\"").iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("typeof")));
    assert_eq!(schema.triggers.len(), 2);

    let db = TestDb::new("views_in_dependency_order_and_triggers_as_plpgsql").await;
    db.must_apply(&render(&schema)).await;
    db.must_apply("INSERT INTO posts(id, title, is_published) VALUES (1, 'a', true), (2, 'b', false)").await;
    assert_eq!(db.int("SELECT count(*) FROM recent_published").await, 1);
    db.must_apply("UPDATE posts SET title = 'A' WHERE id = 1").await;
    assert_eq!(db.int("SELECT count(*) FROM posts WHERE updated_at IS NOT NULL").await, 1, "the updated_at trigger ran once, for the updated row");
    let err = db.apply("INSERT INTO posts(id, title) VALUES (3, '')").await.expect_err("RAISE(ABORT) became an exception");
    assert!(err.to_string().contains("title must not be empty"), "{err}");
}

#[tokio::test]
async fn names_keep_their_spelling() {
    let work = Workdir::new();
    let long = "a_table_name_that_is_far_longer_than_the_sixty_three_bytes_postgres_allows";
    let setup = format!(
        "CREATE TABLE \"Order Details\"(\"OrderID\" INTEGER, [select] TEXT, `group` INTEGER, \"name with . and spaces\" TEXT, \"123abc\" TEXT);
         CREATE TABLE \"table/with/slashes.csv\"(pk INTEGER PRIMARY KEY, \"Value\" TEXT);
         CREATE TABLE \"{long}_one\"(x INTEGER); CREATE TABLE \"{long}_two\"(x INTEGER);
         INSERT INTO \"Order Details\" VALUES (1, 'a', 2, 'b', 'c');"
    );
    let path = work.sqlite("names.db", &setup);
    let schema = plan_one(&path);
    let t = table(&schema, "Order Details");
    assert_eq!(t.name, "Order Details");
    let fitted: Vec<&str> = schema.tables.iter().filter(|t| t.source_name.starts_with(long)).map(|t| t.name.as_str()).collect();
    assert_eq!(fitted.len(), 2);
    assert!(fitted.iter().all(|n| n.len() <= 63) && fitted[0] != fitted[1], "{fitted:?}");
    assert_eq!(plan_one(&path).tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>(), schema.tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>(), "deterministic");
    assert!(findings_about(&schema, long).iter().any(|f| f.message.contains("shortened")));

    let db = TestDb::new("names_keep_their_spelling").await;
    db.must_apply(&render(&schema)).await;
    db.must_apply("INSERT INTO \"Order Details\"(\"OrderID\", \"select\", \"group\", \"name with . and spaces\", \"123abc\") VALUES (1, 'a', 2, 'b', 'c')").await;
    db.must_apply("INSERT INTO \"table/with/slashes.csv\"(\"Value\") VALUES ('v')").await;
    assert_eq!(db.column_type("public", "Order Details", "OrderID").await, "bigint");
}

#[tokio::test]
async fn several_files_go_to_one_schema_each() {
    let work = Workdir::new();
    let a = work.sqlite("app.db", "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); CREATE VIEW v AS SELECT name FROM users;");
    let b = work.sqlite("Analytics.db", "CREATE TABLE users(id INTEGER PRIMARY KEY, score REAL); CREATE TRIGGER t AFTER INSERT ON users BEGIN UPDATE users SET score = 0 WHERE id = NEW.id AND score IS NULL; END;");
    let plan = plan_many(&[a, b]);
    assert_eq!(plan.schemas.iter().map(|s| s.schema.as_str()).collect::<Vec<_>>(), ["app", "Analytics"]);
    let db = TestDb::new("several_files_go_to_one_schema_each").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;
    assert_eq!(db.column_type("app", "users", "name").await, "text");
    assert_eq!(db.column_type("Analytics", "users", "score").await, "double precision");
    db.must_apply("SET search_path TO public; INSERT INTO \"Analytics\".users(id) VALUES (1)").await;
    assert_eq!(db.text("SELECT score::text FROM \"Analytics\".users").await.as_deref(), Some("0"), "trigger function resolves its table whatever the caller's search_path");
    // Schemas a file may not take: public, the copy state's, PostgreSQL's.
    let reserved: Vec<_> = ["public.db", "sqlite2pg.db", "pg_data.db"].iter().map(|n| work.sqlite(n, "CREATE TABLE t(id INTEGER PRIMARY KEY);")).collect();
    let plan = plan_many(&reserved);
    assert_eq!(plan.schemas.iter().map(|s| s.schema.as_str()).collect::<Vec<_>>(), ["db_public", "db_sqlite2pg", "db_pg_data"]);
}

#[tokio::test]
async fn untranslatable_sql_is_reported_never_emitted() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT CHECK (typeof(v) = 'text'), n INTEGER COLLATE RTRIM, w TEXT COLLATE BINARY);
         CREATE INDEX t_odd ON t(v) WHERE likelihood(n > 0, 0.5);
         CREATE TABLE log(id INTEGER PRIMARY KEY, msg TEXT);
         CREATE TRIGGER t_replace AFTER INSERT ON t BEGIN INSERT OR REPLACE INTO log(id, msg) VALUES (NEW.id, NEW.v); END;
         CREATE TRIGGER t_version AFTER INSERT ON t BEGIN INSERT INTO log(msg) VALUES (sqlite_version()); END;",
    );
    let schema = plan_one(&path);
    assert!(table(&schema, "t").checks.is_empty(), "the typeof CHECK is left out");
    assert!(findings_about(&schema, "table \"t\" column \"v\"").iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("typeof")));
    assert!(schema.indexes.is_empty(), "the index with an untranslatable predicate is left out");
    assert!(findings_about(&schema, "index \"t_odd\"").iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("likelihood")));
    assert!(schema.triggers.is_empty());
    for name in ["t_replace", "t_version"] {
        let f = findings_about(&schema, &format!("trigger \"{name}\""));
        assert!(f.iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("Original: CREATE TRIGGER")), "{name}: {f:?}");
    }
    assert_eq!(column(&schema, "t", "w").collation, None, "BINARY is PostgreSQL's default behaviour");
    assert!(findings_about(&schema, "column \"n\"").iter().any(|f| f.message.contains("RTRIM")));
    let db = TestDb::new("untranslatable_sql_is_reported_never_emitted").await;
    db.must_apply(&render(&schema)).await;
}
