//! `generate` speed: plans and generates entities and migrations for a SQLite database of 400
//! tables (built here: keys, foreign keys, indexes, a mix of types, a few rows each), best of 3.
//!
//! `cargo run --release -p sqlite2pg-bench --bin generate -- [TABLES]`

use std::process::ExitCode;

use sqlite2pg_bench::{best_of, peak_rss_bytes};
use sqlite2pg_converter::plan::{PlanOptions, plan_files};

fn main() -> ExitCode {
    let tables: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(400);
    let dir = std::env::temp_dir().join(format!("sqlite2pg-bench-generate-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let db = dir.join("wide.db");
    if let Err(e) = build(&db, tables) {
        eprintln!("{}: {e}", db.display());
        return ExitCode::FAILURE;
    }
    let (elapsed, result) = best_of(3, || {
        let plan = plan_files(std::slice::from_ref(&db), &PlanOptions::default()).map_err(|e| e.to_string())?;
        let generated = sqlite2pg_codegen::generate(&plan, &sqlite2pg_codegen::Options::default()).map_err(|e| e.to_string())?;
        Ok::<_, String>(generated.entities.len() + generated.migrator.len())
    });
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(files) => {
            println!("generate: {tables} tables -> {files} files in {:.3} s (plan + entities + migrations, in memory), peak RSS {:.1} MB", elapsed.as_secs_f64(), peak_rss_bytes().unwrap_or(0) as f64 / 1e6);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn build(path: &std::path::Path, tables: usize) -> rusqlite::Result<()> {
    let _ = std::fs::remove_file(path);
    let conn = rusqlite::Connection::open(path)?;
    let mut sql = String::from("BEGIN;");
    for i in 0..tables {
        let parent = if i > 0 { format!(", parent_id INTEGER REFERENCES t{} (id) ON DELETE CASCADE", i - 1) } else { String::new() };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(80) NOT NULL, is_active INTEGER NOT NULL DEFAULT 1, price NUMERIC(10,2), \
             created_at DATETIME DEFAULT CURRENT_TIMESTAMP, meta TEXT, score REAL{parent});
             CREATE INDEX t{i}_name ON t{i} (name);
             INSERT INTO t{i} (name, is_active, price, created_at, meta, score) VALUES ('a', 1, 1.5, '2024-01-01 00:00:00', '{{\"k\":1}}', 0.5), ('b', 0, 2.25, '2024-01-02 00:00:00', '[]', 1.5);"
        ));
    }
    sql.push_str("COMMIT;");
    conn.execute_batch(&sql)
}
