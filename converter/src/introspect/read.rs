//! Reading the schema through `sqlite_master` and the PRAGMAs.

use std::collections::BTreeMap;

use rusqlite::params;

use super::ddl_scan::{Toks, is_kw, name_of, scan_create_index, scan_create_table};
use super::fts;
use super::open::SourceDb;
use super::schema::*;
use crate::error::Result;

/// One row of `sqlite_master`.
struct MasterRow {
    kind: String,
    name: String,
    tbl_name: String,
    sql: Option<String>,
}

impl SourceDb {
    /// Read the whole schema.
    pub fn introspect(&self) -> Result<SourceSchema> {
        let master = self.master_rows()?;
        let mut schema = SourceSchema {
            tables: Vec::new(),
            views: Vec::new(),
            triggers: Vec::new(),
            fts_tables: Vec::new(),
            other_virtual_tables: Vec::new(),
            sequences: Vec::new(),
            journal_mode: self.pragma_text("journal_mode")?,
            user_version: self.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.error("reading PRAGMA user_version", e))?,
            encoding: self.pragma_text("encoding")?,
        };

        // Virtual tables first: their shadow tables must not be taken for user tables.
        let mut shadow: Vec<String> = Vec::new();
        for row in master.iter().filter(|r| r.kind == "table") {
            let Some(sql) = &row.sql else { continue };
            if !is_virtual(sql) {
                continue;
            }
            if let Some(mut table) = fts::parse(&row.name, sql) {
                for suffix in table.version.shadow_suffixes() {
                    let candidate = format!("{}{}", row.name, suffix);
                    if let Some(found) = master.iter().find(|r| r.kind == "table" && r.name.eq_ignore_ascii_case(&candidate)) {
                        table.shadow_tables.push(found.name.clone());
                        shadow.push(found.name.to_ascii_lowercase());
                    }
                }
                schema.fts_tables.push(table);
            } else {
                let module = fts::module_and_args(sql).map(|(m, _)| m).unwrap_or_default();
                // Any other module's shadow tables are named `<vtab>_<suffix>` (rtree: _node,
                // _rowid, _parent); SQLite marks them as shadow in PRAGMA table_list.
                let prefix = format!("{}_", row.name.to_ascii_lowercase());
                for r in master.iter().filter(|r| r.kind == "table" && r.name.to_ascii_lowercase().starts_with(&prefix)) {
                    if self.is_shadow(&r.name) {
                        shadow.push(r.name.to_ascii_lowercase());
                    }
                }
                let module_available = self.conn().prepare(&format!("SELECT * FROM {} LIMIT 0", crate::ident::quoted(&row.name))).is_ok();
                schema.other_virtual_tables.push(VirtualTable { name: row.name.clone(), module, module_available, sql: sql.clone() });
            }
        }

        let index_sql: BTreeMap<String, (usize, Option<String>)> = master
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind == "index")
            .map(|(i, r)| (r.name.clone(), (i, r.sql.clone())))
            .collect();

        for row in &master {
            match row.kind.as_str() {
                "table" => {
                    let Some(sql) = &row.sql else { continue };
                    if is_virtual(sql) || shadow.contains(&row.name.to_ascii_lowercase()) {
                        continue;
                    }
                    schema.tables.push(self.read_table(&row.name, sql, &index_sql)?);
                }
                "view" => {
                    let sql = row.sql.clone().unwrap_or_default();
                    let body = view_body(&sql).unwrap_or_default();
                    schema.views.push(SourceView { name: row.name.clone(), sql, body });
                }
                "trigger" => schema.triggers.push(SourceTrigger { name: row.name.clone(), table: row.tbl_name.clone(), sql: row.sql.clone().unwrap_or_default() }),
                _ => {}
            }
        }

        let has_sequence = self
            .conn()
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'", [], |r| r.get::<_, i64>(0))
            .map_err(|e| self.error("reading sqlite_master", e))?
            > 0;
        if has_sequence {
            let mut stmt = self.conn().prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name").map_err(|e| self.error("reading sqlite_sequence", e))?;
            schema.sequences = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .and_then(|rows| rows.collect())
                .map_err(|e| self.error("reading sqlite_sequence", e))?;
        }
        Ok(schema)
    }

    fn master_rows(&self) -> Result<Vec<MasterRow>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR type = 'index' OR name = 'sqlite_sequence' ORDER BY rowid")
            .map_err(|e| self.error("reading sqlite_master", e))?;
        stmt.query_map([], |r| Ok(MasterRow { kind: r.get(0)?, name: r.get(1)?, tbl_name: r.get(2)?, sql: r.get(3)? }))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map(|rows| rows.into_iter().filter(|r| r.name != "sqlite_sequence" || r.kind != "table").collect())
            .map_err(|e| self.error("reading sqlite_master", e))
    }

    fn pragma_text(&self, pragma: &str) -> Result<String> {
        self.conn()
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get::<_, String>(0))
            .map_err(|e| self.error(format!("reading PRAGMA {pragma}"), e))
    }

    fn is_shadow(&self, table: &str) -> bool {
        self.conn()
            .query_row("SELECT type FROM pragma_table_list WHERE name = ?1", [table], |r| r.get::<_, String>(0))
            .map(|t| t == "shadow")
            .unwrap_or(false)
    }

    fn read_table(&self, name: &str, sql: &str, index_sql: &BTreeMap<String, (usize, Option<String>)>) -> Result<SourceTable> {
        let context = |what: &str| format!("reading {what} of table \"{name}\"");
        let scan = scan_create_table(sql).unwrap_or_default();
        let (without_rowid, strict) = table_options(sql);

        let mut stmt = self
            .conn()
            .prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")
            .map_err(|e| self.error(context("columns"), e))?;
        let rows = stmt
            .query_map([name], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, bool>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, u32>(4)?, r.get::<_, i64>(5)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error(context("columns"), e))?;
        let mut columns = Vec::new();
        for (col_name, declared_type, not_null, default_sql, pk_position, hidden) in rows {
            if hidden == 1 {
                continue;
            }
            let scanned = scan.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&col_name));
            let generated = scanned.and_then(|c| c.generated.clone()).filter(|_| hidden == 2 || hidden == 3);
            columns.push(SourceColumn {
                name: col_name,
                declared_type: declared_type.unwrap_or_default(),
                not_null,
                default_sql,
                pk_position,
                generated,
                collation: scanned.and_then(|c| c.collation.clone()),
            });
        }
        let mut pk: Vec<&SourceColumn> = columns.iter().filter(|c| c.pk_position > 0).collect();
        pk.sort_by_key(|c| c.pk_position);
        let primary_key: Vec<String> = pk.iter().map(|c| c.name.clone()).collect();
        let rowid_alias = match pk.as_slice() {
            [only] if !without_rowid && only.declared_type.eq_ignore_ascii_case("INTEGER") => Some(only.name.clone()),
            _ => None,
        };

        let foreign_keys = self.read_foreign_keys(name, &scan.deferrable_fks)?;
        let mut indexes = self.read_indexes(name, index_sql)?;
        for (constraint, columns) in &scan.named_uniques {
            let same = |i: &&mut SourceIndex| {
                i.origin == IndexOrigin::UniqueConstraint
                    && i.constraint_name.is_none()
                    && i.parts.len() == columns.len()
                    && i.parts.iter().zip(columns).all(|(p, c)| matches!(&p.target, IndexTarget::Column(x) if x.eq_ignore_ascii_case(c)))
            };
            if let Some(index) = indexes.iter_mut().find(same) {
                index.constraint_name = Some(constraint.clone());
            }
        }

        Ok(SourceTable {
            name: name.to_string(),
            sql: sql.to_string(),
            columns,
            primary_key,
            rowid_alias,
            autoincrement: scan.autoincrement,
            without_rowid,
            strict,
            foreign_keys,
            indexes,
            checks: scan.checks,
        })
    }

    fn read_foreign_keys(&self, table: &str, deferrable: &[(Vec<String>, bool)]) -> Result<Vec<SourceForeignKey>> {
        let context = format!("reading foreign keys of table \"{table}\"");
        let mut stmt = self
            .conn()
            .prepare("SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq")
            .map_err(|e| self.error(&context, e))?;
        let rows = stmt
            .query_map([table], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error(&context, e))?;
        let mut fks: Vec<(i64, SourceForeignKey)> = Vec::new();
        for (id, parent, from, to, on_update, on_delete) in rows {
            match fks.last_mut() {
                Some((last, fk)) if *last == id => {
                    fk.columns.push(from);
                    if let Some(to) = to {
                        fk.parent_columns.push(to);
                    }
                }
                _ => fks.push((
                    id,
                    SourceForeignKey { columns: vec![from], parent_table: parent, parent_columns: to.into_iter().collect(), on_update, on_delete, deferrable: false, initially_deferred: false },
                )),
            }
        }
        // PRAGMA foreign_key_list numbers keys in reverse order of declaration.
        fks.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        let mut out: Vec<SourceForeignKey> = fks.into_iter().map(|(_, fk)| fk).collect();
        for fk in &mut out {
            if let Some((_, initially_deferred)) = deferrable.iter().find(|(cols, _)| cols.len() == fk.columns.len() && cols.iter().zip(&fk.columns).all(|(a, b)| a.eq_ignore_ascii_case(b))) {
                fk.deferrable = true;
                fk.initially_deferred = *initially_deferred;
            }
        }
        Ok(out)
    }

    fn read_indexes(&self, table: &str, index_sql: &BTreeMap<String, (usize, Option<String>)>) -> Result<Vec<SourceIndex>> {
        let context = format!("reading indexes of table \"{table}\"");
        let mut stmt = self
            .conn()
            .prepare("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")
            .map_err(|e| self.error(&context, e))?;
        let list = stmt
            .query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.error(&context, e))?;
        let mut indexes = Vec::new();
        for (name, unique, origin) in list {
            let origin = match origin.as_str() {
                "u" => IndexOrigin::UniqueConstraint,
                "pk" => IndexOrigin::PrimaryKey,
                _ => IndexOrigin::CreateIndex,
            };
            let sql = index_sql.get(&name).and_then(|(_, s)| s.clone());
            let scan = sql.as_deref().and_then(scan_create_index);
            let mut xinfo = self
                .conn()
                .prepare("SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
                .map_err(|e| self.error(&context, e))?;
            let parts_raw = xinfo
                .query_map(params![name], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, bool>(2)?, r.get::<_, Option<String>>(3)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(&context, e))?;
            let parts = parts_raw
                .into_iter()
                .enumerate()
                .map(|(i, (cid, col, desc, coll))| {
                    let target = match (cid, col) {
                        (c, Some(col)) if c >= 0 => IndexTarget::Column(col),
                        (-1, _) => IndexTarget::Column("rowid".into()),
                        _ => IndexTarget::Expr(scan.as_ref().and_then(|s| s.parts.get(i).cloned()).unwrap_or_default()),
                    };
                    let collation = coll.map(|c| c.to_ascii_uppercase()).filter(|c| c != "BINARY");
                    IndexPart { target, desc, collation }
                })
                .collect();
            indexes.push(SourceIndex { predicate: scan.and_then(|s| s.predicate), sql, name, unique, origin, parts, constraint_name: None });
        }
        indexes.sort_by_key(|i| index_sql.get(&i.name).map_or(usize::MAX, |(pos, _)| *pos));
        Ok(indexes)
    }
}

fn is_virtual(sql: &str) -> bool {
    let Some(toks) = Toks::new(sql) else { return false };
    toks.get(1).is_some_and(|t| is_kw(t, "VIRTUAL"))
}

/// (WITHOUT ROWID, STRICT) from the options after the closing parenthesis.
fn table_options(sql: &str) -> (bool, bool) {
    let Some(toks) = Toks::new(sql) else { return (false, false) };
    let Some((_, close)) = toks.group_from(0) else { return (false, false) };
    let tail: Vec<String> = (close + 1..toks.len()).filter_map(|i| toks.get(i).and_then(name_of)).map(|s| s.to_ascii_uppercase()).collect();
    (tail.iter().any(|w| w == "ROWID"), tail.iter().any(|w| w == "STRICT"))
}

/// The SELECT after `CREATE VIEW name [(cols)] AS`.
fn view_body(sql: &str) -> Option<String> {
    let toks = Toks::new(sql)?;
    let as_pos = (0..toks.len()).find(|&i| toks.get(i).is_some_and(|t| is_kw(t, "AS")))?;
    let mut end = toks.len();
    if matches!(toks.get(end - 1), Some(sqlparser::tokenizer::Token::SemiColon)) {
        end -= 1;
    }
    Some(toks.text(as_pos + 1, end))
}
