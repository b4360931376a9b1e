//! The verification report as terminal tables or Markdown (JSON is the report serialised).

use std::fmt::Write;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::compare::VerifyReport;

/// Terminal tables.
pub fn render_text(r: &VerifyReport) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["table", "by", "sqlite rows", "postgres rows", "rejected", "missing", "extra", "different", "ok"]);
    for c in &r.tables {
        t.add_row(vec![
            format!("{}.{}", c.schema, c.table),
            c.compared_by.to_string(),
            c.source_rows.to_string(),
            c.target_rows.to_string(),
            c.expected_rejects.to_string(),
            c.missing.to_string(),
            c.extra.to_string(),
            c.different.to_string(),
            if c.ok { "yes" } else { "NO" }.to_string(),
        ]);
    }
    let mut out = format!("{t}\n");
    for c in r.tables.iter().filter(|c| !c.examples.is_empty()) {
        let _ = writeln!(out, "{}.{}:", c.schema, c.table);
        for e in &c.examples {
            let _ = writeln!(out, "  {e}");
        }
    }
    for i in r.identities.iter().filter(|i| !i.ok) {
        let _ = writeln!(out, "identity {}.{}.{}: next value {} is not past max key {:?} / sqlite_sequence {:?}", i.schema, i.table, i.column, i.next_value, i.max_key, i.sqlite_sequence);
    }
    for p in &r.foreign_key_problems {
        let _ = writeln!(out, "{p}");
    }
    let _ = writeln!(out, "{}", if r.ok { "verify: everything matches" } else { "verify: DIFFERENCES FOUND" });
    out
}

/// Markdown.
pub fn render_markdown(r: &VerifyReport) -> String {
    let mut out = String::from("# sqlite2pg verification\n\n| table | by | SQLite rows | PostgreSQL rows | rejected | missing | extra | different | ok |\n|---|---|---|---|---|---|---|---|---|\n");
    for c in &r.tables {
        let _ = writeln!(
            out,
            "| {}.{} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.schema, c.table, c.compared_by, c.source_rows, c.target_rows, c.expected_rejects, c.missing, c.extra, c.different, if c.ok { "yes" } else { "**no**" }
        );
    }
    for c in r.tables.iter().filter(|c| !c.examples.is_empty()) {
        let _ = writeln!(out, "\n**{}.{}**\n", c.schema, c.table);
        for e in &c.examples {
            let _ = writeln!(out, "- {}", e.replace('|', "\\|"));
        }
    }
    let bad_ids: Vec<_> = r.identities.iter().filter(|i| !i.ok).collect();
    if !bad_ids.is_empty() || !r.foreign_key_problems.is_empty() {
        out.push_str("\n## Problems\n\n");
        for i in bad_ids {
            let _ = writeln!(out, "- identity {}.{}.{}: next value {} not past {:?} / {:?}", i.schema, i.table, i.column, i.next_value, i.max_key, i.sqlite_sequence);
        }
        for p in &r.foreign_key_problems {
            let _ = writeln!(out, "- {p}");
        }
    }
    let _ = writeln!(out, "\n**{}**", if r.ok { "Everything matches." } else { "Differences found." });
    out
}
