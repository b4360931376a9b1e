//! The entities `sqlite2pg generate` writes build outside this repository, with nothing but
//! what a registry serves: for the example database and every database in ../shared/fixtures,
//! the generated entity files are the `src` of a fresh crate whose `[dependencies]` are exactly
//! the lines `generate` prints (each one a crates.io package of the repository's Cargo.lock),
//! and all of them build in one `cargo build --workspace`, offline, against the local registry
//! cache.
//!
//! Kept fast: one workspace (under `CARGO_TARGET_TMPDIR`) of one crate per database, the
//! repository's `Cargo.lock` (so the versions are the ones the repository builds, and nothing is
//! resolved anew: asserted), and a target directory of its own, `target/fresh-crate`, reused
//! from run to run (about a minute the first time, seconds after). The workspace root carries the
//! repository's `[patch.crates-io]` (vendor/sqlx-core, crates.io's sqlx-core 0.9.0 with one socket
//! option set, see vendor/README.md): sea-orm's manifest names sqlx-core, so cargo wants its
//! source even when no feature builds it, and the local cache holds only the vendored copy. The
//! crates' own manifests name registry packages only.
//!
//! That `search_match` (the generated `fts_query.rs`) finds in PostgreSQL what SQLite's MATCH
//! finds is tests/fts_schema.rs's `the_generated_entity_searches_like_match`, on the committed
//! `entities` crate, which equals what `generate` writes (tests/codegen.rs) and depends on sea-orm
//! alone.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sqlite2pg_converter::plan::{PlanOptions, plan_files};

use crate::corpus_codegen::{fixture_files, locked_packages, slug, write_if_changed};
use crate::support::fixtures_dir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The registry packages of the repository's lock file, by name.
fn registry_packages(lock: &str) -> BTreeSet<String> {
    locked_packages(lock).into_iter().filter(|p| p.ends_with("registry+https://github.com/rust-lang/crates.io-index")).filter_map(|p| p.split(' ').next().map(String::from)).collect()
}

/// Every way a printed dependency line could reach beyond the registry, or name a crate the
/// registry does not serve (not a crates.io package of the repository's lock).
fn non_registry(line: &str, registry: &BTreeSet<String>) -> Option<String> {
    let name = line.split(['=', ' ']).next().unwrap_or_default().trim();
    if !registry.contains(name) {
        return Some(format!("`{line}`: {name} is no crates.io package"));
    }
    ["path", "git", "registry"].into_iter().find(|key| line.contains(&format!("{key} ="))).map(|key| format!("`{line}`: `{key}` is not a registry version"))
}

/// One database's entities as a crate: `members/<slug>/Cargo.toml` (the printed dependencies,
/// nothing else) and `members/<slug>/src/` (the entity files, `--entities-lib`).
fn write_crate(members: &Path, slug: &str, generated: &sqlite2pg_codegen::Generated) -> PathBuf {
    let dir = members.join(slug);
    let manifest = format!("[package]\nname = \"entities_{slug}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{}\n", generated.entity_dependencies.join("\n"));
    write_if_changed(&dir.join("Cargo.toml"), manifest.as_bytes());
    let mut wanted = BTreeSet::new();
    for f in &generated.entities {
        write_if_changed(&dir.join("src").join(&f.path), f.contents.as_bytes());
        wanted.insert(dir.join("src").join(&f.path));
    }
    for entry in std::fs::read_dir(dir.join("src")).into_iter().flatten().flatten() {
        if entry.path().is_file() && !wanted.contains(&entry.path()) {
            std::fs::remove_file(entry.path()).ok();
        }
    }
    dir
}

#[test]
fn generated_entities_build_in_a_fresh_crate_with_registry_dependencies_only() {
    let started = Instant::now();
    let options = sqlite2pg_codegen::Options { entities_lib: true, ..Default::default() };
    let mut databases = vec![("example".to_string(), root().join("examples/chat/chat.db"))];
    let dir = fixtures_dir().expect("../shared/fixtures is missing: this test needs the shared fixtures beside the repository");
    databases.extend(fixture_files(&dir).into_iter().map(|f| (format!("f_{}", slug(&f)), dir.join(f))));

    let repo_lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let registry = registry_packages(&repo_lock);
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fresh_entities");
    let members = work.join("members");
    let mut problems = Vec::new();
    let mut names = Vec::new();
    let mut searchable = Vec::new();
    for (name, path) in &databases {
        let generated = plan_files(std::slice::from_ref(path), &PlanOptions::default()).map_err(|e| format!("plan: {e}")).and_then(|plan| sqlite2pg_codegen::generate(&plan, &options).map_err(|e| format!("generate: {e}")));
        let generated = match generated {
            Ok(g) => g,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        problems.extend(generated.entity_dependencies.iter().filter_map(|line| non_registry(line, &registry)).map(|p| format!("{name}: {p}")));
        if generated.entities.iter().any(|f| f.path == Path::new("fts_query.rs")) {
            searchable.push(name.clone());
        }
        write_crate(&members, name, &generated);
        names.push(name.clone());
    }
    assert!(searchable.contains(&"example".to_string()), "the example's messages get `search_match`, so its entities carry fts_query.rs");
    for entry in std::fs::read_dir(&members).into_iter().flatten().flatten() {
        if !names.contains(&entry.file_name().to_string_lossy().into_owned()) {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }
    let patch = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let patch = patch.split("[patch.crates-io]").nth(1).expect("the repository's [patch.crates-io]").replace("path = \"", &format!("path = \"{}/", root().display()));
    let list: Vec<String> = names.iter().map(|n| format!("\"members/{n}\"")).collect();
    let manifest = format!(
        "# Written by tests/codegen_fresh_crate.rs: the generated entities of each database, a crate each.\n[workspace]\nmembers = [{}]\nresolver = \"3\"\n\n[profile.dev]\ndebug = false\n\n[patch.crates-io]{patch}",
        list.join(", ")
    );
    write_if_changed(&work.join("Cargo.toml"), manifest.as_bytes());
    write_if_changed(&work.join("Cargo.lock"), repo_lock.as_bytes());

    let build_started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let o = Command::new(cargo)
        .args(["build", "--workspace", "--keep-going", "--color", "never"])
        .current_dir(&work)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", root().join("target/fresh-crate"))
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo build");
    let build_time = build_started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() {
        problems.push(format!("cargo build of the fresh entity crates failed:\n{stderr}"));
    }
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.starts_with("warning") && !l.contains("generated") && !l.contains("profile")).collect();
    assert!(warnings.is_empty() || !o.status.success(), "the generated entities build with warnings:\n{stderr}");
    let new_lock = std::fs::read_to_string(work.join("Cargo.lock")).unwrap_or_default();
    let resolved: Vec<String> = locked_packages(&new_lock).difference(&locked_packages(&repo_lock)).cloned().collect();
    assert!(resolved.is_empty(), "the fresh crates resolved packages the repository's Cargo.lock does not hold: {resolved:?}");
    eprintln!(
        "codegen_fresh_crate: {} crates ({} with fts_query.rs); plan+generate {:.1}s, cargo build {:.1}s",
        names.len(),
        searchable.len(),
        (build_started - started).as_secs_f64(),
        build_time.as_secs_f64()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
