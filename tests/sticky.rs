//! Decisions are sticky (issue 17): a thinner sample never reverses a deployed decision.
//! `sqlite2pg pin` writes every column's decision into sqlite2pg.toml, keeping what the file
//! already said, so an emptied copy of the database (same DDL, no rows) then plans the same
//! types; without the pin it would plan bigint for the flags and text for the JSON.

use std::path::Path;

use crate::support::{Workdir, run_cli, stderr, stdout};

/// The example's DDL without a row: what a developer regenerates from in development.
fn emptied_copy(work: &Workdir, from: &Path, name: &str) -> std::path::PathBuf {
    let to = work.path().join(name);
    std::fs::copy(from, &to).expect("copy the example");
    let conn = rusqlite::Connection::open(&to).expect("open the copy");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    conn.execute_batch("PRAGMA foreign_keys = OFF").expect("pragma");
    for t in tables {
        let _ = conn.execute(&format!("DELETE FROM \"{}\"", t.replace('"', "\"\"")), []);
    }
    // FTS tables empty their own shadow tables (external-content ones follow their triggers).
    let virtuals: Vec<String> = conn.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'virtual'").and_then(|mut s| s.query_map([], |r| r.get(0))?.collect()).expect("virtual tables");
    for v in virtuals {
        let _ = conn.execute(&format!("DELETE FROM \"{}\"", v.replace('"', "\"\"")), []);
    }
    to
}

#[test]
fn pin_freezes_the_decisions_an_emptied_copy_would_reverse() {
    let work = Workdir::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db");
    let empty = emptied_copy(&work, &example, "empty.db");
    let plan_of = |db: &Path, config: Option<&Path>| -> String {
        let mut args = vec!["plan".to_string(), db.to_string_lossy().into_owned(), "--no-comments".into()];
        if let Some(c) = config {
            args.extend(["--config".into(), c.to_string_lossy().into_owned()]);
        }
        let o = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), work.path());
        assert!(o.status.success(), "plan {args:?}: {}", stderr(&o));
        stdout(&o).lines().filter(|l| !l.starts_with("--")).collect::<Vec<_>>().join("\n")
    };
    let full = plan_of(&example, None);
    let unpinned = plan_of(&empty, None);
    assert_ne!(full, unpinned, "without a pin, an emptied copy plans other types (the test would prove nothing)");
    assert!(full.contains("is_admin boolean") && unpinned.contains("is_admin bigint"), "{unpinned}");

    let config = work.path().join("sqlite2pg.toml");
    std::fs::write(&config, "# The team's overrides.\ntime_zone = \"UTC\"\n\n[tables.users.columns.display_name]\ntype = \"text\" # reviewed\n").expect("write config");
    let o = run_cli(&["pin", &example.to_string_lossy(), "--config", &config.to_string_lossy()], work.path());
    assert!(o.status.success(), "pin: {}", stderr(&o));
    assert!(stderr(&o).contains("pinned"), "{}", stderr(&o));
    let pinned = std::fs::read_to_string(&config).expect("read config");
    assert!(pinned.starts_with("# The team's overrides.\ntime_zone = \"UTC\"\n"), "the file's own lines stay:\n{pinned}");
    assert!(pinned.contains("type = \"text\" # reviewed"), "a type already set keeps its comment:\n{pinned}");
    assert!(pinned.contains("[tables.users.columns.is_admin]\ntype = \"boolean\""), "{pinned}");

    assert_eq!(plan_of(&empty, Some(&config)), plan_of(&example, Some(&config)), "pinned, the emptied copy plans what the full database plans");
    assert_eq!(plan_of(&example, Some(&config)), full, "pinning changes no decision");
    // Pinning again writes the same file.
    run_cli(&["pin", &example.to_string_lossy(), "--config", &config.to_string_lossy()], work.path());
    assert_eq!(std::fs::read_to_string(&config).expect("read config"), pinned);
}

/// `generate` into `work/<dir>` (entities and migrator), its stderr.
fn generate(work: &Workdir, db: &Path, dir: &str, extra: &[&str]) -> String {
    let (entities, migrator) = (work.path().join(dir).join("entities"), work.path().join(dir).join("migrator"));
    let mut args = vec!["generate".to_string(), db.to_string_lossy().into_owned(), "--entities".into(), entities.to_string_lossy().into_owned(), "--migrator".into(), migrator.to_string_lossy().into_owned()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), work.path());
    assert!(o.status.success(), "generate {args:?}: {}", stderr(&o));
    stderr(&o)
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                out.insert(path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned(), text);
            }
        }
    }
    out
}

/// Rewrite a table's stored DDL in place (what a changed `CREATE TABLE` would give, keeping the
/// rows), as a developer's next release of the schema.
fn edit_ddl(db: &Path, table: &str, from: &str, to: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0)).expect("schema_version");
    conn.execute_batch("PRAGMA writable_schema = ON").expect("writable_schema");
    let changed = conn.execute("UPDATE sqlite_master SET sql = replace(sql, ?1, ?2) WHERE type = 'table' AND name = ?3", [from, to, table]).expect("edit DDL");
    assert_eq!(changed, 1, "{table}: DDL edited");
    conn.execute_batch(&format!("PRAGMA schema_version = {}; PRAGMA writable_schema = OFF;", version + 1)).expect("bump schema_version");
    drop(conn);
    let check: String = rusqlite::Connection::open(db).expect("reopen").query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(check, "ok");
}

/// Regenerating from an emptied copy of the deployed database (same DDL, no rows) writes no
/// migration and changes no file: the flags stay boolean, the JSON jsonb. A column whose
/// declared type changed gives a revision of exactly that column; a stored value the deployed
/// type cannot hold gives a revision too, but as a finding that needs attention, said on stderr.
#[test]
fn regenerating_from_a_thinner_database_keeps_deployed_decisions() {
    let work = Workdir::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db");
    generate(&work, &example, "app", &["--fresh-migrations"]);
    let migrator = work.path().join("app/migrator");
    let deployed = files(&migrator);

    // A history written before it recorded declared types: regenerating writes no migration
    // (the declared type is evidence, not shape), and records them from now on.
    let history_path = migrator.join("sqlite2pg-history.json");
    let mut history: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&history_path).expect("history")).expect("history JSON");
    for schema in history["schemas"].as_array_mut().expect("schemas") {
        for table in schema["tables"].as_array_mut().expect("tables") {
            for column in table["columns"].as_array_mut().expect("columns") {
                column.as_object_mut().expect("column").remove("declared");
            }
        }
    }
    std::fs::write(&history_path, serde_json::to_string_pretty(&history).expect("JSON") + "\n").expect("write history");
    let said = generate(&work, &example, "app", &[]);
    assert!(said.contains("no new migration"), "{said}");
    assert_eq!(files(&migrator), deployed, "the declared types are recorded again, nothing else changes");

    let empty = emptied_copy(&work, &example, "empty.db");
    let said = generate(&work, &empty, "app", &[]);
    assert!(said.contains("no new migration"), "{said}");
    assert_eq!(files(&migrator), deployed, "regenerating from the emptied copy changes no migrator file");

    // The next release declares display_name VARCHAR(80): exactly that revision.
    edit_ddl(&empty, "users", "display_name TEXT", "display_name VARCHAR(80)");
    let said = generate(&work, &empty, "app", &[]);
    let now = files(&migrator);
    let new: Vec<&String> = now.keys().filter(|k| !deployed.contains_key(*k)).collect();
    assert_eq!(new.len(), 1, "one new migration: {new:?}\n{said}");
    let revision = &now[new[0]];
    assert!(new[0].ends_with("_alter_users_display_name.rs"), "named after what it changes: {}", new[0]);
    assert!(revision.contains("display_name") && revision.contains("varchar(80)"), "{revision}");
    for column in ["is_admin", "settings", "is_active", "birthday"] {
        assert!(!revision.contains(column), "the revision touches {column}, which did not change:\n{revision}");
    }
    for (path, text) in &deployed {
        if path.ends_with(".rs") && path != "src/lib.rs" {
            assert_eq!(now.get(path), Some(text), "{path} is kept byte for byte");
        }
    }

    // A new column: a revision named after it, touching nothing else.
    let before_locale = files(&migrator);
    rusqlite::Connection::open(&empty).expect("open").execute_batch("ALTER TABLE users ADD COLUMN locale TEXT").expect("add column");
    generate(&work, &empty, "app", &[]);
    let after_locale = files(&migrator);
    let new: Vec<&String> = after_locale.keys().filter(|k| !before_locale.contains_key(*k)).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].ends_with("_add_users_locale.rs"), "{}", new[0]);
    assert!(!after_locale[new[0]].contains("DROP VIEW"), "no view is dropped and created again for a new column:\n{}", after_locale[new[0]]);

    // A value the deployed jsonb cannot hold: a data-driven change, which needs attention.
    let conn = rusqlite::Connection::open(&empty).expect("open");
    conn.execute("INSERT INTO users (id, email, display_name, is_admin, is_active, settings, created_at) VALUES (900, 'x@example.org', 'X', 0, 1, 'not json', 1)", []).expect("insert");
    drop(conn);
    let said = generate(&work, &empty, "app", &[]);
    assert!(said.contains("needs attention") && said.contains("a data-driven change of a deployed column") && said.contains("settings"), "said on stderr:\n{said}");
}
