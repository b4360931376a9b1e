//! `inspect` speed and memory: profile, plan and report a database (by default Northwind large,
//! 595k rows), best of 3, and print rows/s, MB/s and peak RSS.
//!
//! `cargo run --release -p sqlite2pg-bench --bin inspect -- [DB ...]`

use std::path::PathBuf;
use std::process::ExitCode;

use sqlite2pg_bench::{best_of, peak_rss_bytes};
use sqlite2pg_converter::plan::{PlanOptions, plan_files};
use sqlite2pg_converter::report;

fn main() -> ExitCode {
    let mut paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        paths.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/northwind/northwind_large.db")));
    }
    for path in paths {
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let (elapsed, result) = best_of(3, || {
            plan_files(std::slice::from_ref(&path), &PlanOptions::default()).map(|plan| {
                let text = report::render_text(&report::build(&plan));
                (plan.schemas[0].tables.iter().map(|t| t.rows).sum::<u64>(), text.len())
            })
        });
        let (rows, _) = match result {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let secs = elapsed.as_secs_f64();
        println!(
            "inspect {}: {rows} rows, {:.1} MB in {secs:.3} s: {:.0} rows/s, {:.1} MB/s, peak RSS {:.1} MB",
            path.display(),
            bytes as f64 / 1e6,
            rows as f64 / secs,
            bytes as f64 / 1e6 / secs,
            peak_rss_bytes().unwrap_or(0) as f64 / 1e6
        );
    }
    ExitCode::SUCCESS
}
