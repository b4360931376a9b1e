//! Test support: real SQLite files built from SQL, a PostgreSQL database per test, and a way to
//! run the `sqlite2pg` binary.

#![allow(dead_code)]

pub mod pg;

use std::path::{Path, PathBuf};
use std::process::Output;

use sqlite2pg_converter::plan::{ColumnPlan, Plan, PlanOptions, SchemaPlan, TablePlan, plan_files};

/// A temporary folder holding SQLite files for one test.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Create `name` by running `sql` in a fresh SQLite database.
    pub fn sqlite(&self, name: &str, sql: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        let conn = rusqlite::Connection::open(&path).expect("create sqlite file");
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("setup SQL failed: {e}\n{sql}"));
        drop(conn);
        path
    }

    /// Write a plain file.
    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }
}

/// Plan one file with default options.
pub fn plan_one(path: &Path) -> SchemaPlan {
    plan_with(path, &PlanOptions::default())
}

/// Plan one file with options.
pub fn plan_with(path: &Path, options: &PlanOptions) -> SchemaPlan {
    let mut plan = plan_files(&[path.to_path_buf()], options).unwrap_or_else(|e| panic!("plan {}: {e}", path.display()));
    plan.schemas.remove(0)
}

/// Plan several files at once.
pub fn plan_many(paths: &[PathBuf]) -> Plan {
    plan_files(paths, &PlanOptions::default()).expect("plan")
}

pub fn table<'a>(schema: &'a SchemaPlan, name: &str) -> &'a TablePlan {
    schema.table(name).unwrap_or_else(|| panic!("no table {name} in plan; have {:?}", schema.tables.iter().map(|t| &t.source_name).collect::<Vec<_>>()))
}

pub fn column<'a>(schema: &'a SchemaPlan, table_name: &str, column_name: &str) -> &'a ColumnPlan {
    let t = table(schema, table_name);
    t.columns.iter().find(|c| c.source_name == column_name).unwrap_or_else(|| panic!("no column {table_name}.{column_name}"))
}

/// Findings about an object whose description contains `needle`.
pub fn findings_about<'a>(schema: &'a SchemaPlan, needle: &str) -> Vec<&'a sqlite2pg_converter::plan::Finding> {
    schema.findings.iter().filter(|f| f.object.contains(needle)).collect()
}

/// The shared real-world fixtures, when they are beside the repository (CI always has them).
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    dir.join("expected_counts.tsv").exists().then_some(dir)
}

/// Run the built `sqlite2pg` binary.
pub fn run_cli(args: &[&str], cwd: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg")).args(args).current_dir(cwd).output().expect("run sqlite2pg")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// SHA-256 of a file, to prove it was not written.
pub fn file_digest(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).expect("read file");
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}
