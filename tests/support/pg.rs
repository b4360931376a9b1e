//! A PostgreSQL database of its own for each test, on the server `DATABASE_URL` names
//! (scripts/test.sh starts one). Leftovers from an earlier run are dropped first; a database
//! is kept after the test, so a failure can be inspected.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, Row};

pub struct TestDb {
    pub pool: PgPool,
    pub name: String,
    pub options: PgConnectOptions,
}

fn admin_options() -> PgConnectOptions {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is not set: run the tests with scripts/test.sh, which starts PostgreSQL");
    PgConnectOptions::from_str(&url).expect("DATABASE_URL is not a PostgreSQL URL")
}

impl TestDb {
    /// A fresh, empty database named after the test.
    pub async fn new(test_name: &str) -> TestDb {
        let mut name: String = format!("s2p_{}", test_name.to_ascii_lowercase()).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        name.truncate(63);
        let admin = admin_options();
        let mut conn = PgConnection::connect_with(&admin).await.expect("connect to DATABASE_URL");
        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))).execute(&mut conn).await.expect("drop leftover database");
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))).execute(&mut conn).await.expect("create test database");
        conn.close().await.ok();
        let options = admin.database(&name);
        let pool = PgPoolOptions::new().max_connections(2).connect_with(options.clone()).await.expect("connect to test database");
        TestDb { pool, name, options }
    }

    /// A URL for this database, for the command line.
    pub fn url(&self) -> String {
        let o = &self.options;
        format!("postgres://{}@{}:{}/{}", o.get_username(), o.get_host(), o.get_port(), self.name)
    }

    /// [`TestDb::must_apply`] from synchronous code.
    pub fn must_apply_blocking(&self, rt: &tokio::runtime::Runtime, sql: &str) {
        rt.block_on(self.must_apply(sql));
    }

    /// Run a multi-statement script.
    pub async fn apply(&self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&self.pool).await.map(|_| ())
    }

    /// Run a script, panicking with the server's message and the script on failure.
    pub async fn must_apply(&self, sql: &str) {
        if let Err(e) = self.apply(sql).await {
            panic!("PostgreSQL rejected the script: {e}\n--- script ---\n{sql}");
        }
    }

    /// `format_type` of a column, as PostgreSQL reports it.
    pub async fn column_type(&self, schema: &str, table: &str, column: &str) -> String {
        sqlx::query(
            "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND NOT a.attisdropped",
        )
        .bind(schema)
        .bind(table)
        .bind(column)
        .fetch_one(&self.pool)
        .await
        .unwrap_or_else(|e| panic!("column {schema}.{table}.{column}: {e}"))
        .get(0)
    }

    /// One text value from a query.
    pub async fn text(&self, sql: &str) -> Option<String> {
        sqlx::query(AssertSqlSafe(sql.to_string())).fetch_one(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
    }

    /// One bigint from a query.
    pub async fn int(&self, sql: &str) -> i64 {
        sqlx::query(AssertSqlSafe(sql.to_string())).fetch_one(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
    }
}
