//! Rust names for SQL identifiers, and the names sea-orm-codegen is fed so that it writes them.
//!
//! sea-orm-codegen names a field `snake_case(sql_name)` and its enum variant
//! `UpperCamelCase(sql_name)`, and writes `column_name = "..."` when the SQL name is not already
//! snake case. That breaks for names whose snake case is no Rust identifier (a leading digit,
//! punctuation only, `super`), and for two names with one snake case (`userId`, `user_id`).
//! [`RustName`] picks a readable identifier for each, unique in its scope, and the name to feed
//! the generator: the SQL name itself whenever the generator would write the right thing, else a
//! placeholder with the chosen snake case, which [`crate::entity`] turns back into the SQL name
//! in the generated attribute.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that cannot be raw identifiers: sea-orm-codegen would write `r#super`.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Module names the generated entity folder uses itself.
const RESERVED_MODULES: &[&str] = &["prelude", "mod", "lib", "sea_orm_active_enums", "fts_query"];

/// A Rust name for one SQL identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustName {
    /// The SQL (PostgreSQL) name, exact.
    pub sql: String,
    /// The snake-case Rust name (field or module), before keyword escaping.
    pub snake: String,
    /// The name handed to sea-orm-codegen: `sql`, or a placeholder.
    pub fed: String,
}

impl RustName {
    /// Whether the generator is fed a placeholder that must be replaced by the SQL name.
    pub fn is_placeholder(&self) -> bool {
        self.fed != self.sql
    }

    /// Whether the Rust name reads differently from what `sea-orm-cli` would have written.
    pub fn renamed(&self) -> bool {
        self.is_placeholder()
    }
}

/// What is being named: decides the prefix for names that start with a digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A table (a module and an entity).
    Table,
    /// A column (a field and a `Column` variant).
    Column,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Column => "column",
        }
    }
}

/// Rust names for `sql_names` (one scope: a table's columns, or a schema's tables), in order.
pub fn name_all(sql_names: &[&str], kind: Kind) -> Option<Vec<RustName>> {
    let mut taken_snake: BTreeSet<String> = BTreeSet::new();
    let mut taken_camel: BTreeSet<String> = BTreeSet::new();
    let all_sql: BTreeSet<&str> = sql_names.iter().copied().collect();
    let mut fed_used: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(sql_names.len());
    for &sql in sql_names {
        let base = readable_snake(sql, kind);
        let mut snake = base.clone();
        let mut n = 2;
        while taken_snake.contains(&snake) || taken_camel.contains(&snake.to_upper_camel_case()) {
            snake = format!("{base}_{n}");
            n += 1;
        }
        taken_snake.insert(snake.clone());
        taken_camel.insert(snake.to_upper_camel_case());
        let direct = sql.to_snake_case() == snake && fits_generator(sql);
        let fed = if direct { sql.to_string() } else { placeholder(&snake, &all_sql, &fed_used)? };
        fed_used.insert(fed.clone());
        out.push(RustName { sql: sql.to_string(), snake, fed });
    }
    Some(out)
}

/// Whether sea-orm-codegen can be fed `sql` as it is: its camel case is an identifier too.
fn fits_generator(sql: &str) -> bool {
    is_ident(&sql.to_upper_camel_case())
}

/// A readable snake-case identifier for `sql`.
fn readable_snake(sql: &str, kind: Kind) -> String {
    let snake = sql.to_snake_case();
    let mut cleaned = String::with_capacity(snake.len());
    for c in snake.chars() {
        let c = if c.is_alphanumeric() || c == '_' { c } else { '_' };
        if !(c == '_' && cleaned.ends_with('_')) {
            cleaned.push(c);
        }
    }
    let mut name = cleaned.trim_matches('_').to_string();
    let usable = is_ident(&name) && is_ident(&name.to_upper_camel_case());
    if !name.is_ascii() && !usable {
        name = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>().trim_matches('_').to_string();
    }
    if name.is_empty() {
        return kind.word().to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("{}_{name}", &kind.word()[..1]);
    }
    if NOT_RAW.contains(&name.as_str()) || (kind == Kind::Table && RESERVED_MODULES.contains(&name.as_str())) {
        name = format!("{name}_{}", kind.word());
    }
    name
}

/// A name that is not snake case (so sea-orm-codegen writes it into `column_name`) whose snake
/// case is `snake`, different from every SQL name and placeholder of the scope.
fn placeholder(snake: &str, all_sql: &BTreeSet<&str>, used: &BTreeSet<String>) -> Option<String> {
    let chars: Vec<char> = snake.chars().collect();
    // Upper-case the first k letters: `c_1st` -> `C_1st`, `C_1St`, ...
    (1..=chars.len()).map(|k| {
        let mut upper = 0;
        chars.iter().map(|&c| if c.is_alphabetic() && upper < k { upper += 1; c.to_uppercase().collect::<String>() } else { c.to_string() }).collect::<String>()
    })
    .find(|p| p != snake && p.to_snake_case() == snake && !all_sql.contains(p.as_str()) && !used.contains(p))
}

/// Whether `s` is a Rust identifier (keywords included, as sea-orm-codegen escapes them).
pub fn is_ident(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_ok() || syn::parse_str::<syn::Ident>(&format!("r#{s}")).is_ok()
}

/// A lower-case ASCII word for file and module names (`Order Details` -> `order_details`).
pub fn module_word(sql: &str) -> String {
    let mut out = String::new();
    for c in sql.to_snake_case().chars() {
        let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() { "table".to_string() } else { out }
}

/// The longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`).
const PG_NAME_MAX: usize = 63;

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, `name1` and `name2` shortened (the
/// longer one first, at a character boundary) so that the whole fits in 63 bytes.
pub fn pg_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let available = PG_NAME_MAX.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > available {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, n: usize| -> String {
        let end = (0..=n.min(s.len())).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        s[..end].to_string()
    };
    let mut out = clip(name1, n1);
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(&clip(name2, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// PostgreSQL's `ChooseIndexNameAddition` / `ChooseForeignKeyConstraintNameAddition`: the
/// column names joined by `_`, cut off once past 63 bytes.
pub fn pg_name_addition<S: AsRef<str>>(columns: &[S]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(c.as_ref());
        if out.len() > PG_NAME_MAX {
            break;
        }
    }
    out
}

/// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName`: [`pg_object_name`] with the
/// label, then `label1`, `label2`, ... until `taken` says the name is free.
pub fn pg_choose_name(name1: &str, name2: Option<&str>, label: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut name = pg_object_name(name1, name2, label);
    let mut pass = 0;
    while taken(&name) {
        pass += 1;
        name = pg_object_name(name1, name2, &format!("{label}{pass}"));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str, kind: Kind) -> RustName {
        name_all(&[sql], kind).and_then(|mut v| v.pop()).unwrap_or_else(|| panic!("no name for {sql:?}"))
    }

    #[test]
    fn plain_names_are_fed_as_they_are() {
        for sql in ["users", "createdAt", "Order Details", "type", "UnitPrice"] {
            let n = one(sql, Kind::Column);
            assert_eq!(n.fed, sql, "{sql}");
            assert!(is_ident(&n.snake), "{sql} -> {}", n.snake);
        }
        assert_eq!(one("Order Details", Kind::Table).snake, "order_details");
    }

    #[test]
    fn names_that_are_no_identifier_get_a_readable_one() {
        for (sql, snake) in [("123_starts", "c_123_starts"), ("$", "column"), ("super", "super_column"), ("a-b.c", "a_b_c"), ("", "column")] {
            let n = one(sql, Kind::Column);
            assert_eq!(n.snake, snake, "{sql:?}");
            assert!(is_ident(&n.snake) && is_ident(&n.snake.to_upper_camel_case()), "{sql:?}");
            assert_eq!(n.fed.to_snake_case(), n.snake, "{sql:?}: placeholder {}", n.fed);
            assert_ne!(n.fed, n.snake, "{sql:?}: the placeholder must not be snake case, or no column_name is written");
        }
        assert_eq!(one("prelude", Kind::Table).snake, "prelude_table");
    }

    #[test]
    fn names_with_one_snake_case_are_told_apart() {
        let names = name_all(&["userId", "user_id", "USER_ID"], Kind::Column).unwrap_or_default();
        let snakes: Vec<&str> = names.iter().map(|n| n.snake.as_str()).collect();
        assert_eq!(snakes, ["user_id", "user_id_2", "user_id_3"]);
        let feds: BTreeSet<&str> = names.iter().map(|n| n.fed.as_str()).collect();
        assert_eq!(feds.len(), 3);
    }

    #[test]
    fn postgresql_default_names_are_reproduced() {
        assert_eq!(pg_object_name("policies", Some(&pg_name_addition(&["bundle_id", "uuid"])), "key"), "policies_bundle_id_uuid_key");
        assert_eq!(pg_object_name("t", None, "pkey"), "t_pkey");
        // Names PostgreSQL 15 gave (`pg_constraint.conname`) for a 40-byte table with a foreign
        // key on a 40-byte column and a UNIQUE over a column of 31 `é` (62 bytes) and `c`: both
        // parts shortened, the longer first, `é` never cut in half.
        let (table, column) = ("a".repeat(40), "b".repeat(40));
        assert_eq!(pg_object_name(&table, Some(&pg_name_addition(&[&column])), "fkey"), format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
        let addition = pg_name_addition(&["é".repeat(31), "c".to_string()]);
        assert_eq!(pg_object_name(&table, Some(&addition), "key"), format!("{}_{}_key", "a".repeat(29), "é".repeat(14)));
        // Two unnamed foreign keys on `t (a)`: `t_a_fkey`, `t_a_fkey1`.
        assert_eq!(pg_choose_name("t", Some("a"), "fkey", |n| n == "t_a_fkey"), "t_a_fkey1");
    }
}
