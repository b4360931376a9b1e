//! FTS tables become tsvector columns with GIN indexes: external content on its table, own
//! content as a real table, FTS4 too; contentless reported. Searched in PostgreSQL after a copy.

use sqlite2pg_converter::plan::{Grade, Plan, PlanOptions, plan_files};
use sqlite2pg_copy::{CopyOptions, copy};
use sqlite2pg_verify::{VerifyOptions, verify};

use crate::support::pg::TestDb;
use crate::support::{Workdir, column, findings_about};

#[tokio::test]
async fn fts_tables_become_tsvector_columns_and_search_the_same() {
    let work = Workdir::new();
    let path = work.sqlite(
        "fts.db",
        "CREATE TABLE docs(id INTEGER PRIMARY KEY, title TEXT, body TEXT, tag TEXT);
         CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, tag UNINDEXED, content='docs', content_rowid='id', prefix='2');
         CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN INSERT INTO docs_fts(rowid, title, body, tag) VALUES (new.id, new.title, new.body, new.tag); END;
         INSERT INTO docs(title, body, tag) VALUES ('Running late', 'see you at the café', 'x'), ('Databases', 'postgres and sqlite', 'y'), ('Migration', 'moving from sqlite to postgres', 'z');
         CREATE VIRTUAL TABLE notes USING fts5(subject, text, tokenize = 'porter unicode61');
         INSERT INTO notes(subject, text) VALUES ('shopping', 'buy apples and running shoes'), ('work', 'ran the migrations'), ('home', 'cafe near the station');
         CREATE VIRTUAL TABLE old_notes USING fts4(content TEXT, tokenize=porter);
         INSERT INTO old_notes(content) VALUES ('connected components'), ('connection pooling');
         CREATE VIRTUAL TABLE ghost USING fts5(a, content='');
         INSERT INTO ghost(rowid, a) VALUES (1, 'invisible');
         CREATE VIRTUAL TABLE packed USING fts4(body, compress=zip, uncompress=unzip, matchinfo=fts3);",
    );
    let plan = plan_files(std::slice::from_ref(&path), &PlanOptions::default()).expect("plan");
    let schema = &plan.schemas[0];
    assert_eq!(column(schema, "docs", "docs_fts").pg_type.to_string(), "tsvector");
    let fts = schema.full_text.iter().find(|f| f.source_name == "docs_fts").expect("docs_fts planned");
    assert_eq!(fts.weighted_columns, vec![("title".to_string(), 'A'), ("body".to_string(), 'B')], "UNINDEXED columns are not indexed");
    assert_eq!(fts.config, "sqlite_unicode61");
    assert_eq!(schema.full_text.iter().find(|f| f.source_name == "notes").map(|f| f.config.as_str()), Some("sqlite_porter"));
    assert_eq!(schema.full_text.iter().find(|f| f.source_name == "old_notes").map(|f| f.config.as_str()), Some("english"));
    assert!(schema.table("notes").is_some(), "an FTS table with its own text becomes a table");
    assert!(schema.table("ghost").is_none());
    assert!(findings_about(schema, "FTS table \"ghost\"").iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("contentless")));
    assert!(schema.table("packed").is_none());
    assert!(findings_about(schema, "FTS table \"packed\"").iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("compress")));
    assert!(findings_about(schema, "trigger \"docs_ai\"").iter().any(|f| f.message.contains("dropped")));
    assert!(schema.indexes.iter().any(|i| i.method.as_deref() == Some("gin") && i.table == "docs"));

    let db = TestDb::new("fts_tables_become_tsvector_columns").await;
    let rejects = work.path().join("rejects.jsonl");
    copy(&plan, &db.options, &CopyOptions { create_schema: true, rejects: rejects.clone(), ..Default::default() }).await.expect("copy");
    let report = verify(&plan, &db.options, &VerifyOptions { rejects: Some(rejects), ..Default::default() }).await.expect("verify");
    assert!(report.ok, "{}", sqlite2pg_verify::render_text(&report));

    let sqlite = rusqlite::Connection::open(&path).expect("open");
    for (fts_query, pg_table, pg_column, tsquery) in [
        ("postgres", "docs", "docs_fts", "to_tsquery('sqlite_unicode61', 'postgres')"),
        ("cafe", "docs", "docs_fts", "to_tsquery('sqlite_unicode61', 'cafe')"),
        ("title: databases", "docs", "docs_fts", "to_tsquery('sqlite_unicode61', 'databases:A')"),
        ("sqlite AND postgres", "docs", "docs_fts", "to_tsquery('sqlite_unicode61', 'sqlite & postgres')"),
        ("mig*", "docs", "docs_fts", "to_tsquery('sqlite_unicode61', 'mig:*')"),
        ("running", "notes", "notes", "to_tsquery('sqlite_porter', 'running')"),
        ("cafe", "notes", "notes", "to_tsquery('sqlite_porter', 'cafe')"),
    ] {
        let fts_table = if pg_table == "docs" { "docs_fts" } else { pg_table };
        let mut stmt = sqlite.prepare(&format!("SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH ?1 ORDER BY rowid")).expect("prepare");
        let expected: Vec<i64> = stmt.query_map([fts_query], |r| r.get(0)).expect("match").map(|r| r.expect("row")).collect();
        let key = if pg_table == "docs" { "id" } else { "rowid" };
        let rows = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT {key} FROM {pg_table} WHERE {pg_column} @@ {tsquery} ORDER BY 1"))).fetch_all(&db.pool).await.expect("search");
        assert_eq!(rows, expected, "{fts_query}");
    }
    assert_eq!(db.int("SELECT count(*) FROM old_notes WHERE old_notes @@ to_tsquery('english', 'connect')").await, 2, "porter stemming in both");

    // The documented difference: porter in SQLite indexes every word; PostgreSQL's english
    // configuration drops stop words, so a stop word alone finds rows in SQLite and none here.
    let in_sqlite: i64 = sqlite.query_row("SELECT count(*) FROM notes WHERE notes MATCH 'the'", [], |r| r.get(0)).expect("match");
    assert_eq!(in_sqlite, 2);
    assert_eq!(db.int("SELECT count(*) FROM notes WHERE notes @@ to_tsquery('sqlite_porter', 'the')").await, 0);
    let spec = sqlite2pg_rewrite::fts::FtsQuerySpec::new(vec!["subject".to_string(), "text".to_string()], "sqlite_porter", sqlite2pg_rewrite::fts::FtsDialect::Fts5);
    let translated = sqlite2pg_rewrite::fts::translate_match("the", &spec).expect("translates");
    assert!(translated.notes.iter().any(|n| n.contains("stop")), "the translator warns about stemming and stop words: {:?}", translated.notes);
    let _: &Plan = &plan;
}

#[tokio::test]
async fn the_generated_entity_searches_like_match() {
    use sea_orm::{QueryOrder, QuerySelect};
    use sqlite2pg_rewrite::fts::{FtsDialect, FtsQuerySpec, translate_match};

    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db");
    let plan = plan_files(std::slice::from_ref(&example), &PlanOptions::default()).expect("plan");
    let db = TestDb::new("the_generated_entity_searches_like_match").await;
    let work = Workdir::new();
    copy(&plan, &db.options, &CopyOptions { create_schema: true, rejects: work.path().join("r.jsonl"), ..Default::default() }).await.expect("copy");
    let conn = sea_orm::Database::connect(db.url()).await.expect("sea-orm connection");
    let sqlite = rusqlite::Connection::open_with_flags(&example, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let spec = FtsQuerySpec::new(entities::messages::FTS_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<String>>(), entities::messages::FTS_CONFIG, FtsDialect::Fts5);
    for query in ["migration", "station OR report", "shipping search", "\"new search feature\"", "crêpes", "databas*"] {
        let mut stmt = sqlite.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rowid").expect("prepare");
        let expected: Vec<i64> = stmt.query_map([query], |r| r.get(0)).expect("match").map(|r| r.expect("row")).collect();
        let translated = translate_match(query, &spec).expect("translates");
        // One call, the query as the application wrote it for SQLite.
        let found: Vec<i64> = entities::messages::Entity::search_match(query)
            .expect("translates")
            .select_only()
            .column(entities::messages::Column::Id)
            .order_by_asc(entities::messages::Column::Id)
            .into_tuple()
            .all(&conn)
            .await
            .expect("search through the entity");
        assert!(!expected.is_empty(), "{query} finds rows in SQLite");
        assert_eq!(found, expected, "{query} -> {}", translated.tsquery);
    }
}

/// Every FTS table of the shared fixtures: after the copy, queries drawn from its own text
/// (each word, a prefix of it, each pair with AND and OR, a column filter, and a phrase of
/// neighbouring words) find the same rows through `@@` as through SQLite's MATCH.
#[tokio::test]
async fn fixture_fts_tables_search_the_same_after_the_copy() {
    use sqlite2pg_rewrite::fts::{FtsDialect, FtsQuerySpec, translate_match};

    let dir = crate::support::fixtures_dir().expect("../shared/fixtures is missing: this test needs the shared fixtures");
    let mut files: Vec<String> = std::fs::read_to_string(dir.join("expected_counts.tsv")).expect("counts").lines().filter_map(|l| l.split('\t').next().map(str::to_string)).collect();
    files.dedup();
    let mut checked = 0;
    for file in files {
        let path = dir.join(&file);
        let plan = plan_files(std::slice::from_ref(&path), &PlanOptions::default()).expect("plan");
        let schema = &plan.schemas[0];
        if schema.full_text.is_empty() {
            continue;
        }
        let db = TestDb::new(&format!("fixture_fts_{}", file.replace(['/', '.'], "_"))).await;
        let work = Workdir::new();
        copy(&plan, &db.options, &CopyOptions { create_schema: true, rejects: work.path().join("r.jsonl"), ..Default::default() }).await.expect("copy");
        let sqlite = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
        for fts in schema.full_text.iter().filter(|f| !f.trigram) {
            let table = schema.tables.iter().find(|t| t.name == fts.table).expect("content table");
            let key = table.primary_key.first().cloned().unwrap_or_else(|| "rowid".into());
            let source_columns: Vec<String> = fts.weighted_columns.iter().map(|(c, _)| table.columns.iter().find(|x| &x.name == c).map(|x| x.source_name.clone()).unwrap_or_default()).collect();
            // Words of the indexed text, as unicode61 splits it.
            let mut words = Vec::new();
            let select = source_columns.iter().map(|c| format!("coalesce(\"{}\", '')", c.replace('"', "\"\""))).collect::<Vec<_>>().join(" || ' ' || ");
            let mut stmt = sqlite.prepare(&format!("SELECT {select} FROM \"{}\"", table.source_name)).expect("text");
            for text in stmt.query_map([], |r| r.get::<_, String>(0)).expect("rows").map(|r| r.expect("row")) {
                let row_words: Vec<String> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 1 && w.is_ascii()).map(str::to_lowercase).collect();
                if let Some(pair) = row_words.windows(2).next() {
                    words.push(format!("\"{} {}\"", pair[0], pair[1]));
                }
                words.extend(row_words);
            }
            words.sort();
            words.dedup();
            let mut queries: Vec<String> = words.clone();
            queries.extend(words.iter().filter(|w| !w.starts_with('"') && w.len() > 3).map(|w| format!("{}*", &w[..3])));
            let plain: Vec<&String> = words.iter().filter(|w| !w.starts_with('"')).collect();
            for pair in plain.windows(2).take(20) {
                queries.push(format!("{} AND {}", pair[0], pair[1]));
                queries.push(format!("{} OR {}", pair[0], pair[1]));
                queries.push(format!("{} NOT {}", pair[0], pair[1]));
            }
            let fts_columns: Vec<String> = schema.full_text.iter().filter(|f| f.source_name == fts.source_name).flat_map(|_| source_columns.clone()).collect();
            if let (Some(first_col), Some(word)) = (fts_columns.first(), plain.first()) {
                queries.push(format!("\"{}\" : {word}", first_col.replace('"', "\"\"")));
            }
            let spec = FtsQuerySpec::new(source_columns.clone(), &fts.config, FtsDialect::Fts5);
            assert!(queries.len() >= 5, "{file}: too few queries drawn from {}", fts.source_name);
            for query in &queries {
                let mut m = sqlite.prepare(&format!("SELECT rowid FROM \"{}\" WHERE \"{}\" MATCH ?1 ORDER BY rowid", fts.source_name, fts.source_name)).expect("match");
                let expected: Vec<i64> = m.query_map([query], |r| r.get(0)).expect("match").map(|r| r.expect("row")).collect();
                let translated = translate_match(query, &spec).unwrap_or_else(|e| panic!("{file} {query}: {e}"));
                let column = fts.column.clone().expect("tsvector column");
                let sql = format!("SELECT \"{key}\"::bigint FROM \"{}\" WHERE \"{column}\" @@ {} ORDER BY 1", fts.table, translated.sql);
                let found = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await.unwrap_or_else(|e| panic!("{file} {query}: {e}"));
                assert_eq!(found, expected, "{file} {}: {query} -> {}", fts.source_name, translated.sql);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} queries checked: the fixtures' FTS tables were not found");
}
