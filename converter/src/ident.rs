//! PostgreSQL identifiers: when a name needs quotes, and how names over 63 bytes are shortened.
//!
//! Names keep their exact spelling. A name is quoted only where PostgreSQL needs it (upper case,
//! spaces, punctuation, a leading digit, a keyword), so the DDL reads like hand-written SQL.

use sha2::{Digest, Sha256};

/// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
pub const MAX_IDENT_BYTES: usize = 63;

/// Keywords PostgreSQL reserves in some position (reserved, type/function-name and column-name
/// keywords of PostgreSQL 15-17). Unreserved keywords need no quotes and are left out.
const KEYWORDS: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
    "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into",
    "is", "isnull", "join", "json", "json_array", "json_arrayagg", "json_exists", "json_object",
    "json_objectagg", "json_query", "json_scalar", "json_serialize", "json_table", "json_value",
    "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
    "merge_action", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps",
    "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
    "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
    "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp", "to",
    "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar",
    "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
    "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
    "xmlserialize", "xmltable",
];

/// Whether PostgreSQL needs `name` in double quotes to read it back with this exact spelling.
pub fn needs_quotes(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return true };
    if !(first.is_ascii_lowercase() || first == '_') {
        return true;
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$') {
        return true;
    }
    KEYWORDS.binary_search(&name).is_ok()
}

/// `name` as PostgreSQL must see it: bare when that is safe, else double-quoted with `"` doubled.
pub fn quote(name: &str) -> String {
    if needs_quotes(name) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    }
}

/// `name` always in double quotes (`"` doubled): for generated SQL that both SQLite and
/// PostgreSQL read, where minimal quoting buys nothing.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.name`, each part quoted as needed.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote(schema), quote(name))
}

/// A string literal for PostgreSQL (standard_conforming_strings: only `'` is doubled).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `name` if it fits in 63 bytes, else a deterministic shortening: a prefix cut at a character
/// boundary, `_`, and 8 hex digits of the SHA-256 of the full name, so two long names that share
/// a prefix still differ.
pub fn fit(name: &str) -> String {
    if name.len() <= MAX_IDENT_BYTES {
        return name.to_string();
    }
    let digest = Sha256::digest(name.as_bytes());
    let suffix: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let mut cut = MAX_IDENT_BYTES - 1 - suffix.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{}", &name[..cut], suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        let mut sorted = KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, KEYWORDS);
    }

    #[test]
    fn quotes_only_where_needed() {
        for (name, quoted) in [
            ("album", "album"),
            ("Album", "\"Album\""),
            ("Order Details", "\"Order Details\""),
            ("select", "\"select\""),
            ("value", "value"),
            ("123_starts", "\"123_starts\""),
            ("table/with/slashes.csv", "\"table/with/slashes.csv\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("", "\"\""),
        ] {
            assert_eq!(quote(name), quoted, "{name}");
        }
    }

    #[test]
    fn long_names_are_shortened_deterministically_and_distinctly() {
        let a = format!("{}_alpha", "x".repeat(70));
        let b = format!("{}_beta", "x".repeat(70));
        assert_eq!(fit(&a).len(), MAX_IDENT_BYTES);
        assert_ne!(fit(&a), fit(&b));
        assert_eq!(fit(&a), fit(&a.clone()));
        assert_eq!(fit("short"), "short");
        let multibyte = "é".repeat(40);
        assert!(fit(&multibyte).len() <= MAX_IDENT_BYTES);
    }
}
