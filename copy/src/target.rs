//! The PostgreSQL target: which server, described without secrets, connected with UTC sessions.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};

use crate::error::CopyError;

/// The target from `--to`, else `DATABASE_URL`, else the `PG*` variables (`PGHOST`, `PGPORT`,
/// `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, ...).
pub fn resolve_target(to: Option<&str>) -> Result<PgConnectOptions, CopyError> {
    let url = to.map(str::to_string).or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()));
    match url {
        Some(url) => PgConnectOptions::from_str(&url).map_err(|e| CopyError::BadUrl(redact(&e.to_string(), &url))),
        None if ["PGHOST", "PGDATABASE", "PGSERVICE"].iter().any(|v| std::env::var_os(v).is_some()) => Ok(PgConnectOptions::new()),
        None => Err(CopyError::NoTarget),
    }
}

/// `host:port/database as user`: enough to recognise the target, never the password.
pub fn describe(options: &PgConnectOptions) -> String {
    format!("{}:{}/{} as {}", options.get_host(), options.get_port(), options.get_database().unwrap_or("(default database)"), options.get_username())
}

/// Remove a URL's password from a message that might quote it.
fn redact(message: &str, url: &str) -> String {
    let password = url.split_once("://").and_then(|(_, rest)| rest.split_once('@')).and_then(|(userinfo, _)| userinfo.split_once(':')).map(|(_, p)| p);
    match password {
        Some(p) if !p.is_empty() => message.replace(p, "***"),
        _ => message.to_string(),
    }
}

/// A pool whose sessions run in UTC: SQLite's times are UTC, and `timestamptz` input without a
/// zone is read in the session's time zone.
pub async fn connect(options: &PgConnectOptions, max_connections: u32) -> Result<PgPool, CopyError> {
    // One plain connection first: a refused connection or a wrong password fails at once,
    // where the pool would retry until its timeout.
    let probe = PgConnection::connect_with(options).await.map_err(|source| CopyError::Connect { target: describe(options), source })?;
    let _ = probe.close().await;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("SET TIME ZONE 'UTC'").await?;
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(|source| CopyError::Connect { target: describe(options), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("bad url postgres://u:s3cret@h/db", "postgres://u:s3cret@h/db"), "bad url postgres://u:***@h/db");
        let o = PgConnectOptions::from_str("postgres://u:s3cret@h:5433/db").expect("url");
        assert_eq!(describe(&o), "h:5433/db as u");
    }
}
