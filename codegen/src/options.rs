//! Options of code generation: small enums, one struct, no clap.

/// The shape of entity files, as `sea-orm-cli generate entity --entity-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntityFormat {
    /// `DeriveEntityModel` on the model struct.
    #[default]
    Compact,
    /// Entity, Column, PrimaryKey and Relation written out.
    Expanded,
    /// SeaORM 2.0's `#[sea_orm::model]`.
    Dense,
}

/// Serde derives on models, as `sea-orm-cli generate entity --with-serde`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Serde {
    /// None (the entities crate needs no serde).
    #[default]
    None,
    /// `Serialize`.
    Serialize,
    /// `Deserialize`.
    Deserialize,
    /// Both.
    Both,
}

/// The date and time crate the models use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateTimeCrate {
    /// chrono.
    #[default]
    Chrono,
    /// time.
    Time,
}

/// Options for [`crate::generate`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Entity format.
    pub entity_format: EntityFormat,
    /// Serde derives.
    pub serde: Serde,
    /// Date and time crate.
    pub date_time: DateTimeCrate,
    /// Write `lib.rs` instead of `mod.rs` (`sea-orm-cli generate entity --lib`), for a folder
    /// that is a crate's `src`.
    pub entities_lib: bool,
    /// Write entities for tables whose name starts with `_` too (`sea-orm-cli generate entity
    /// --include-hidden-tables`); by default they get none, as sea-orm-cli skips them (their
    /// migrations are written either way).
    pub include_hidden_tables: bool,
}
