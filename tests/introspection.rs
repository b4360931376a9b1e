//! Introspection reads what a live application sees, and never writes.

use sqlite2pg_converter::introspect::{IndexTarget, OpenOptions, OrphanScan, SourceDb};

use crate::support::{Workdir, file_digest, plan_one};

#[test]
fn wal_content_is_read_without_checkpointing() {
    let work = Workdir::new();
    let path = work.path().join("live.db");
    let writer = rusqlite::Connection::open(&path).expect("open");
    writer
        .execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t(v) VALUES ('a'), ('b'), ('c');")
        .expect("setup");
    let wal = work.path().join("live.db-wal");
    let wal_len = std::fs::metadata(&wal).expect("wal exists").len();
    assert!(wal_len > 0);
    let main_digest = file_digest(&path);

    let schema = plan_one(&path);
    assert_eq!(schema.tables[0].rows, 3, "rows that live only in the WAL are seen");
    assert_eq!(schema.journal_mode, "wal");
    assert_eq!(std::fs::metadata(&wal).expect("wal still there").len(), wal_len, "the WAL was not checkpointed");
    assert_eq!(file_digest(&path), main_digest, "the database file was not written");
    writer.execute_batch("INSERT INTO t(v) VALUES ('d')").expect("the writer keeps going");
}

#[test]
fn read_only_folder_and_snapshot() {
    let work = Workdir::new();
    let path = work.sqlite("ro.db", "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2);");
    let before = file_digest(&path);
    let mut perms = std::fs::metadata(&path).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).expect("chmod");
    let db = SourceDb::open(&path, &OpenOptions::default()).expect("open read-only file");
    let schema = db.introspect().expect("introspect");
    assert_eq!(schema.tables.len(), 1);
    drop(db);
    assert_eq!(file_digest(&path), before);
}

#[test]
fn schema_details_the_pragmas_miss() {
    let work = Workdir::new();
    let path = work.sqlite(
        "d.db",
        "CREATE TABLE t(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT COLLATE NOCASE CHECK (length(name) < 50),
            price REAL, qty INTEGER,
            total REAL GENERATED ALWAYS AS (price * qty) STORED,
            parent INTEGER REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED,
            note TEXT DEFAULT 'it''s (not) a call'
         ) STRICT;
         CREATE TABLE k(a INT, b INT, PRIMARY KEY (a, b)) WITHOUT ROWID;
         CREATE INDEX t_expr ON t(lower(name) DESC) WHERE qty > 0;
         CREATE VIRTUAL TABLE t_fts USING fts5(name, content='t', content_rowid='id');",
    );
    let db = SourceDb::open(&path, &OpenOptions::default()).expect("open");
    let s = db.introspect().expect("introspect");
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["t", "k"], "FTS shadow tables and sqlite_sequence are not user tables");
    let t = &s.tables[0];
    assert!(t.autoincrement && t.strict && !t.without_rowid);
    assert!(s.tables[1].without_rowid);
    assert_eq!(t.rowid_alias.as_deref(), Some("id"));
    assert_eq!(t.column("name").and_then(|c| c.collation.as_deref()), Some("NOCASE"));
    assert_eq!(t.column("total").and_then(|c| c.generated.as_ref()).map(|g| (g.expr.as_str(), g.stored)), Some(("price * qty", true)));
    assert_eq!(t.column("note").and_then(|c| c.default_sql.as_deref()), Some("'it''s (not) a call'"), "defaults keep their quotes");
    assert_eq!(t.checks[0].expr, "length(name) < 50");
    assert!(t.foreign_keys[0].deferrable && t.foreign_keys[0].initially_deferred);
    let index = t.indexes.iter().find(|i| i.name == "t_expr").expect("index");
    assert!(matches!(&index.parts[0].target, IndexTarget::Expr(e) if e == "lower(name)"));
    assert!(index.parts[0].desc);
    assert_eq!(index.predicate.as_deref(), Some("qty > 0"));
    assert_eq!(s.fts_tables.len(), 1);
    assert_eq!(s.fts_tables[0].shadow_tables.len(), 4, "{:?}", s.fts_tables[0].shadow_tables);
}

#[test]
fn sampling_is_marked_and_deterministic() {
    let work = Workdir::new();
    let mut sql = String::from("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER); BEGIN;");
    for i in 0..1000 {
        sql.push_str(&format!("INSERT INTO t(v) VALUES ({});", i % 2));
    }
    sql.push_str("COMMIT;");
    let path = work.sqlite("s.db", &sql);
    let options = sqlite2pg_converter::plan::PlanOptions { sample: Some(100), ..Default::default() };
    let a = crate::support::plan_with(&path, &options);
    assert!(a.sampled);
    assert_eq!(a.tables[0].rows, 1000, "row counts stay exact");
    let ddl = sqlite2pg_converter::ddl::render(&sqlite2pg_converter::plan::Plan { schemas: vec![a.clone()] }, Default::default());
    assert!(ddl.contains("SAMPLE"), "the DDL says the decisions were sampled");
    let b = crate::support::plan_with(&path, &options);
    assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&b).expect("json"));
    assert!(!plan_one(&path).sampled);
}

/// A provisional plan samples only large ordinary rowid tables a copy reads whole (in runs of
/// consecutive rowids, about the rows asked for, deterministic), profiles the rest exactly, and
/// with the exact profiles added plans exactly again, byte for byte.
#[test]
fn a_provisional_plan_samples_only_what_a_copy_profiles() {
    use sqlite2pg_converter::plan::{PlanOptions, ProvisionalSample, plan_files, plan_files_provisionally, plan_files_with_profiles};
    let work = Workdir::new();
    let path = work.sqlite(
        "p.db",
        "CREATE TABLE big(id INTEGER PRIMARY KEY, flag INTEGER, doc TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO big SELECT i * 2, i % 2, json_object('i', i) FROM n;
         CREATE TABLE huge(id INTEGER PRIMARY KEY, v TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) INSERT INTO huge SELECT i, 'v' FROM n;
         CREATE TABLE small(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO small VALUES (1, 'a');
         CREATE TABLE pairs(a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO pairs SELECT i, i FROM n;",
    );
    let options = PlanOptions { skip_orphan_counts: true, ..Default::default() };
    let sample = ProvisionalSample { rows: 640, largest_table: 25_000 };
    let provisional = plan_files_provisionally(std::slice::from_ref(&path), &options, sample).expect("provisional plan");
    let pending: Vec<&str> = provisional.pending.iter().map(|p| p.table.as_str()).collect();
    assert_eq!(pending, ["big"], "huge is over largest_table, small under the sample, pairs has no rowid");
    assert_eq!(provisional.pending[0].columns, ["id", "flag", "doc"]);
    assert!(provisional.plan.schemas[0].sampled);
    assert_eq!(provisional.plan.schemas[0].table("big").map(|t| t.rows), Some(20_000), "row counts stay exact");
    assert!(!provisional.profiles.contains_key(&(0, "big".to_string())) && provisional.profiles.len() == 3);
    let again = plan_files_provisionally(std::slice::from_ref(&path), &options, sample).expect("again");
    assert_eq!(serde_json::to_string(&provisional.plan).expect("json"), serde_json::to_string(&again.plan).expect("json"), "deterministic");

    // The sample read about 640 of big's rows, spread over all of it.
    let db = SourceDb::open(&path, &OpenOptions::default()).expect("open");
    let schema = db.introspect().expect("introspect");
    let big = schema.tables.iter().find(|t| t.name == "big").expect("big");
    let profile = db.provisional_profile(big, 640, 25_000).expect("sample").expect("sampled");
    assert_eq!((profile.rows, profile.sampled_rows), (20_000, Some(640)));
    assert_eq!(profile.columns[0].int_min, Some(2));
    assert!(profile.columns[0].int_max.is_some_and(|max| max > 39_000), "the last run reaches the end: {:?}", profile.columns[0].int_max);

    let exact = plan_files(std::slice::from_ref(&path), &options).expect("exact");
    let mut known = provisional.profiles.clone();
    let full = db.profile(big, None).expect("exact profile");
    known.insert((0, "big".to_string()), full);
    let confirmed = plan_files_with_profiles(std::slice::from_ref(&path), &options, &known).expect("with profiles");
    assert_eq!(serde_json::to_string(&confirmed).expect("json"), serde_json::to_string(&exact).expect("json"));
    assert!(confirmed.builds_same(&provisional.plan) && !confirmed.schemas[0].sampled);
}

/// Profiling with several connections, a large table read in rowid ranges, gives exactly the
/// profile of one pass: every count, range, maximum and first example.
#[test]
fn parallel_profiling_equals_one_pass() {
    use sqlite2pg_converter::profile::ProfileJob;
    let work = Workdir::new();
    // Rowids with gaps and a negative one; values whose first example, min and max fall in
    // different ranges.
    let path = work.sqlite(
        "big.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, flag INTEGER, doc TEXT, score REAL, bin BLOB, mixed);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
         INSERT INTO t SELECT i * 3,
             i % 2,
             CASE WHEN i % 1000 = 7 THEN 'not json ' || i ELSE json_object('k', i, 'when', '2024-01-0' || (i % 9 + 1)) END,
             CASE WHEN i = 250000 THEN 1e300 WHEN i % 5 = 0 THEN NULL ELSE i / 7.0 END,
             CASE WHEN i % 100000 = 99999 THEN x'00ff10' ELSE NULL END,
             CASE i % 4 WHEN 0 THEN i WHEN 1 THEN 'text ' || i WHEN 2 THEN i * 0.5 ELSE NULL END
         FROM n;
         INSERT INTO t VALUES (-5, 7, '[1,2]', -1e10, x'01', 'first');
         -- A covering index a one-pass read could walk instead of the table (other order).
         CREATE INDEX t_by_flag ON t (flag, doc, score, bin, mixed);
         CREATE TABLE small (a TEXT); INSERT INTO small VALUES ('x'), (NULL);",
    );
    let db = SourceDb::open(&path, &OpenOptions::default()).expect("open");
    let schema = db.introspect().expect("introspect");
    let jobs: Vec<ProfileJob<'_>> = schema.tables.iter().map(|table| ProfileJob { table, splittable: true }).collect();
    let one = db.profile_all(&jobs, None, 1).expect("one pass");
    let four = db.profile_all(&jobs, None, 4).expect("four connections");
    let as_json = |p| serde_json::to_string_pretty(p).expect("json");
    assert_eq!(one.iter().map(|p| p.rows).collect::<Vec<_>>(), vec![300_001, 2]);
    assert_eq!(as_json(&one), as_json(&four));
    // The pass really was split, and the split profile holds what only some ranges saw.
    let t = &four[0];
    let score = &t.columns[3];
    assert_eq!((score.real_min, score.real_max), (Some(-1e10), Some(1e300)));
    assert_eq!(t.columns[4].blobs, 4);
    assert_eq!(t.columns[1].examples.integer.as_deref(), Some("7"), "the first example in rowid order (rowid -5)");
}

/// The orphan count of one key, by a NOT EXISTS query, equals SQLite's own check: composite
/// keys, NULLs (never checked), values of another storage class compared with the parent's
/// affinity, NOCASE parents.
#[test]
fn orphans_are_counted_as_sqlite_counts_them() {
    let work = Workdir::new();
    let path = work.sqlite(
        "fk.db",
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE parent (a INTEGER, b TEXT COLLATE NOCASE, PRIMARY KEY (a, b));
         INSERT INTO parent VALUES (1, 'x'), (2, 'y'), (5, 'Z');
         CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb TEXT, FOREIGN KEY (pa, pb) REFERENCES parent (a, b));
         INSERT INTO child VALUES (1, 1, 'x'), (2, 1, 'y'), (3, NULL, 'q'), (4, 2, NULL), (5, '5', 'z'), (6, 9, 'x'), (7, '2', 'Y');
         CREATE TABLE one (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
         INSERT INTO one VALUES (5, 'five');
         CREATE TABLE many (id INTEGER PRIMARY KEY, one_id TEXT REFERENCES one (id), one_name TEXT REFERENCES one (name));
         INSERT INTO many VALUES (1, '5', 'five'), (2, '6', 'FIVE'), (3, 5, NULL), (4, 'x', 'five');
         CREATE TABLE codes (code TEXT UNIQUE, raw UNIQUE);
         INSERT INTO codes VALUES ('05', '7'), ('5', 8);
         CREATE TABLE uses (id INTEGER PRIMARY KEY, code INTEGER REFERENCES codes (code), raw INTEGER REFERENCES codes (raw));
         INSERT INTO uses VALUES (1, 5, 7), (2, '05', '7'), (3, 6, 8);",
    );
    let db = SourceDb::open(&path, &OpenOptions::default()).expect("open");
    let composite = db.orphans("child", &["pa", "pb"], "parent", &["a", "b"], OrphanScan::EveryRow).expect("count");
    assert_eq!(composite, db.foreign_key_orphans("child").expect("pragma"));
    assert_eq!(composite, 2, "rows 2 and 6; NULLs are not checked; '5' meets 5 by affinity, 'z' meets 'Z' by NOCASE");
    let by_id = db.orphans("many", &["one_id"], "one", &["id"], OrphanScan::EveryRow).expect("count");
    let by_name = db.orphans("many", &["one_name"], "one", &["name"], OrphanScan::EveryRow).expect("count");
    assert_eq!((by_id, by_name), (2, 1), "'6' and 'x' have no parent; 'FIVE' is not 'five' (BINARY)");
    assert_eq!(by_id + by_name, db.foreign_key_orphans("many").expect("pragma"));
    // The parent's affinity decides: integer 5 meets text '5' (not '05'), integer 7 does not
    // meet '7' in a column without affinity; 6 meets nothing. ('05' stored in an INTEGER column
    // is 5.)
    let by_code = db.orphans("uses", &["code"], "codes", &["code"], OrphanScan::EveryRow).expect("count");
    let by_raw = db.orphans("uses", &["raw"], "codes", &["raw"], OrphanScan::EveryRow).expect("count");
    assert_eq!(by_code + by_raw, db.foreign_key_orphans("uses").expect("pragma"));
    assert_eq!((by_code, by_raw), (1, 2));
}

/// Counting by distinct key, where the planner chooses it (BINARY child columns, no TEXT
/// parent, an index of the child's key), gives what a lookup per row and SQLite's own check
/// give: repeated keys weighted by their rows, an integer and an equal real in one group, text
/// that the parent's affinity turns into its key, NULLs never checked.
#[test]
fn orphans_counted_by_distinct_key_equal_every_row() {
    let work = Workdir::new();
    let path = work.sqlite(
        "fk_grouped.db",
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE owner (id INTEGER PRIMARY KEY, region INTEGER, code NUMERIC, UNIQUE (region, code));
         INSERT INTO owner VALUES (1, 1, 10), (2, 1, 11), (3, 2, 10), (7, 3, 1.5);
         CREATE TABLE item (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owner (id), raw REFERENCES owner (id),
                            region INTEGER, code NUMERIC, FOREIGN KEY (region, code) REFERENCES owner (region, code));
         CREATE INDEX item_owner ON item (owner_id);
         CREATE INDEX item_raw ON item (raw);
         CREATE INDEX item_pair ON item (code, region);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
         INSERT INTO item SELECT i, i % 9, CASE i % 4 WHEN 0 THEN 1.0 WHEN 1 THEN '2' WHEN 2 THEN 7.5 ELSE NULL END,
                                 i % 4, CASE i % 3 WHEN 0 THEN 10 WHEN 1 THEN '11' ELSE 1.5 END FROM n;",
    );
    let db = SourceDb::open(&path, &OpenOptions::default()).expect("open");
    let keys: [(&[&str], &[&str]); 3] = [(&["owner_id"], &["id"]), (&["raw"], &["id"]), (&["region", "code"], &["region", "code"])];
    let mut total = 0;
    for (columns, parent_columns) in keys {
        let every_row = db.orphans("item", columns, "owner", parent_columns, OrphanScan::EveryRow).expect("count");
        let grouped = db.orphans("item", columns, "owner", parent_columns, OrphanScan::DistinctKeys).expect("count");
        assert_eq!(grouped, every_row, "{columns:?}");
        assert!(every_row > 0, "{columns:?}: the data leaves orphans to count");
        total += every_row;
    }
    assert_eq!(total, db.foreign_key_orphans("item").expect("pragma"));
}

/// A plan for a report counts the rows whose parent is missing; one for a load leaves the
/// count out (PostgreSQL's validation finds them) and is otherwise the same plan.
#[test]
fn orphan_counts_feed_reports_only() {
    let work = Workdir::new();
    let path = work.sqlite(
        "orphan.db",
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE parent (id INTEGER PRIMARY KEY);
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
         CREATE INDEX child_parent ON child (parent_id);
         INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, 7), (3, 7);",
    );
    let orphan_findings = |schema: &sqlite2pg_converter::plan::SchemaPlan| schema.findings.iter().filter(|f| f.message.contains("a parent row that does not exist")).map(|f| f.message.clone()).collect::<Vec<_>>();
    let report = crate::support::plan_with(&path, &sqlite2pg_converter::plan::PlanOptions::default());
    let found = orphan_findings(&report);
    assert!(found.len() == 1 && found[0].contains("2 rows reference"), "{found:?}");
    let load = crate::support::plan_with(&path, &sqlite2pg_converter::plan::PlanOptions { skip_orphan_counts: true, ..Default::default() });
    assert!(orphan_findings(&load).is_empty());
    let schema_only = |mut s: sqlite2pg_converter::plan::SchemaPlan| {
        s.findings.clear();
        serde_json::to_string(&s).expect("json")
    };
    assert_eq!(schema_only(load), schema_only(report), "the same tables, columns and keys");
}
