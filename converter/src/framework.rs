//! Which framework made a database, told by the bookkeeping tables its migration tool keeps,
//! and what that means for the move: a framework that owns its schema builds it on PostgreSQL
//! with its own migrations, and sqlite2pg copies into it (`migrate --app-schema`).

use serde::{Deserialize, Serialize};

/// A framework (or migration tool) that records its migrations in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    /// Django (`django_migrations`).
    Django,
    /// SQLAlchemy with alembic (`alembic_version`).
    Alembic,
    /// Prisma (`_prisma_migrations`).
    Prisma,
    /// Sequelize (`SequelizeMeta`).
    Sequelize,
    /// Ruby on Rails (`schema_migrations` and `ar_internal_metadata`).
    Rails,
    /// Knex (`knex_migrations`).
    Knex,
    /// SeaORM's sea-orm-migration (`seaql_migrations`).
    SeaOrm,
    /// Drizzle (`__drizzle_migrations`).
    Drizzle,
    /// TypeORM with its migrations table named `typeorm_migrations`.
    TypeOrm,
    /// Flyway (`flyway_schema_history`).
    Flyway,
    /// Laravel (a `migrations` table of `migration` and `batch`).
    Laravel,
}

/// A migration tool's bookkeeping table: its name, the columns that identify one applied
/// migration, and the framework that keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Bookkeeping {
    /// The table's name.
    pub table: &'static str,
    /// The columns naming an applied migration (compared between SQLite and PostgreSQL).
    pub key: &'static [&'static str],
    /// Whose table it is.
    pub framework: Framework,
}

/// Every bookkeeping table sqlite2pg knows. When the target already has one, its rows describe
/// the PostgreSQL schema the application's migrations built: a copy keeps them.
pub const BOOKKEEPING: &[Bookkeeping] = &[
    Bookkeeping { table: "django_migrations", key: &["app", "name"], framework: Framework::Django },
    Bookkeeping { table: "alembic_version", key: &["version_num"], framework: Framework::Alembic },
    Bookkeeping { table: "_prisma_migrations", key: &["migration_name"], framework: Framework::Prisma },
    Bookkeeping { table: "SequelizeMeta", key: &["name"], framework: Framework::Sequelize },
    Bookkeeping { table: "SequelizeData", key: &["name"], framework: Framework::Sequelize },
    Bookkeeping { table: "schema_migrations", key: &["version"], framework: Framework::Rails },
    Bookkeeping { table: "ar_internal_metadata", key: &["key"], framework: Framework::Rails },
    Bookkeeping { table: "knex_migrations", key: &["name"], framework: Framework::Knex },
    Bookkeeping { table: "knex_migrations_lock", key: &["index"], framework: Framework::Knex },
    Bookkeeping { table: "seaql_migrations", key: &["version"], framework: Framework::SeaOrm },
    Bookkeeping { table: "__drizzle_migrations", key: &["hash"], framework: Framework::Drizzle },
    Bookkeeping { table: "typeorm_migrations", key: &["name"], framework: Framework::TypeOrm },
    Bookkeeping { table: "flyway_schema_history", key: &["version"], framework: Framework::Flyway },
];

/// Migration tables whose name is too common to tell alone (`migrations`): the columns that
/// make each one the framework's, as its migration tool creates them.
pub const FINGERPRINTS: &[(&str, &[&str], Framework)] = &[
    // Laravel's Illuminate\Database\Migrations\DatabaseMigrationRepository::createRepository.
    ("migrations", &["id", "migration", "batch"], Framework::Laravel),
    // TypeORM's MigrationExecutor (default migrationsTableName).
    ("migrations", &["id", "timestamp", "name"], Framework::TypeOrm),
];

/// The bookkeeping entry of `table`, matched as SQLite matches names.
pub fn bookkeeping(table: &str) -> Option<&'static Bookkeeping> {
    BOOKKEEPING.iter().find(|b| b.table.eq_ignore_ascii_case(table))
}

/// The framework whose migration table `table` (with these `columns`) is: by its name
/// ([`BOOKKEEPING`]), or by its columns for a name too common to tell alone ([`FINGERPRINTS`]).
pub fn migration_table_of<'a>(table: &str, columns: impl IntoIterator<Item = &'a str>) -> Option<Framework> {
    bookkeeping(table).map(|b| b.framework).or_else(|| Framework::detect_by_columns(table, &columns.into_iter().collect::<Vec<_>>()))
}

impl Framework {
    /// The framework that made a database with these tables, if its bookkeeping says so.
    pub fn detect<'a>(tables: impl IntoIterator<Item = &'a str>) -> Option<Framework> {
        let names: Vec<&str> = tables.into_iter().collect();
        let has = |t: &str| names.iter().any(|n| n.eq_ignore_ascii_case(t));
        // Rails' schema_migrations is a common name; ar_internal_metadata says Rails.
        BOOKKEEPING
            .iter()
            .filter(|b| b.table != "schema_migrations" || has("ar_internal_metadata"))
            .find(|b| has(b.table))
            .map(|b| b.framework)
    }

    /// The framework whose migration table is `table` with exactly these `columns` (for the
    /// names too common to tell alone, see [`FINGERPRINTS`]).
    pub fn detect_by_columns(table: &str, columns: &[&str]) -> Option<Framework> {
        FINGERPRINTS
            .iter()
            .find(|(name, wanted, _)| name.eq_ignore_ascii_case(table) && wanted.len() == columns.len() && wanted.iter().all(|w| columns.iter().any(|c| c.eq_ignore_ascii_case(w))))
            .map(|(_, _, framework)| *framework)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Django => "Django",
            Framework::Alembic => "SQLAlchemy/alembic",
            Framework::Prisma => "Prisma",
            Framework::Sequelize => "Sequelize",
            Framework::Rails => "Ruby on Rails",
            Framework::Knex => "Knex",
            Framework::SeaOrm => "SeaORM (sea-orm-migration)",
            Framework::Drizzle => "Drizzle",
            Framework::TypeOrm => "TypeORM",
            Framework::Flyway => "Flyway",
            Framework::Laravel => "Laravel",
        }
    }

    /// The command that runs its migrations, as its documentation gives it.
    pub fn migrate_command(self) -> &'static str {
        match self {
            Framework::Django => "python manage.py migrate",
            Framework::Alembic => "alembic upgrade head",
            Framework::Prisma => "npx prisma migrate deploy",
            Framework::Sequelize => "npx sequelize-cli db:migrate",
            Framework::Rails => "bin/rails db:migrate",
            Framework::Knex => "npx knex migrate:latest",
            Framework::SeaOrm => "cargo run -p migration -- up",
            Framework::Drizzle => "npx drizzle-kit migrate",
            Framework::TypeOrm => "npx typeorm migration:run -d <your data source>",
            Framework::Flyway => "flyway migrate",
            Framework::Laravel => "php artisan migrate --force",
        }
    }

    /// The route `inspect` recommends for a database it made, with the commands filled in.
    pub fn route(self, file: &str) -> String {
        let command = self.migrate_command();
        format!(
            "made by {name} (its migration table is here). {name} owns its schema: build it on PostgreSQL with its own migrations and copy into it, so the \
             application finds the types, names and constraints it expects: `sqlite2pg migrate {file} --to postgres://... --app-schema '{command}'` \
             (or run `{command}` against PostgreSQL yourself, then `sqlite2pg copy {file} --to postgres://... --truncate`). The copy converts every value \
             to the type the migrations chose, checks them all first, and keeps the migration table as the migrations filled it.",
            name = self.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_bookkeeping() {
        assert_eq!(Framework::detect(["auth_user", "django_migrations"]), Some(Framework::Django));
        assert_eq!(Framework::detect(["posts", "alembic_version"]), Some(Framework::Alembic));
        assert_eq!(Framework::detect(["schema_migrations"]), None, "schema_migrations alone is too common a name");
        assert_eq!(Framework::detect(["schema_migrations", "ar_internal_metadata"]), Some(Framework::Rails));
        assert_eq!(Framework::detect(["sequelizemeta"]), Some(Framework::Sequelize));
        assert_eq!(Framework::detect(["users"]), None);
        assert!(Framework::Django.route("app.db").contains("--app-schema 'python manage.py migrate'"));
        assert_eq!(Framework::detect_by_columns("migrations", &["id", "migration", "batch"]), Some(Framework::Laravel));
        assert_eq!(Framework::detect_by_columns("migrations", &["id", "timestamp", "name"]), Some(Framework::TypeOrm));
        assert_eq!(Framework::detect_by_columns("migrations", &["id", "name"]), None, "an application's own migrations table");
        assert_eq!(migration_table_of("migrations", ["id", "migration", "batch"]), Some(Framework::Laravel));
        assert_eq!(migration_table_of("seaql_migrations", ["version", "applied_at"]), Some(Framework::SeaOrm));
        assert_eq!(migration_table_of("migrations", ["id", "title"]), None);
    }
}
