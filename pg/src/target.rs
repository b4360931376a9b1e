//! The PostgreSQL target: which server, described without secrets, connected with UTC sessions.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, PgPool};

use crate::error::PgError;

/// The target from `--to`, else `DATABASE_URL`, else the `PG*` variables (`PGHOST`, `PGPORT`,
/// `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, ...).
pub fn resolve_target(to: Option<&str>) -> Result<PgConnectOptions, PgError> {
    let url = given_url(to);
    CONNECT_TIMEOUT_MS.store(connect_timeout_ms(url.as_deref())?, std::sync::atomic::Ordering::Relaxed);
    match url {
        Some(url) if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) => {
            let scheme = url.split_once("://").map_or("(none)", |(s, _)| s);
            Err(PgError::BadUrl(format!("the scheme is {scheme:?}, not postgres:// or postgresql://")))
        }
        Some(url) => PgConnectOptions::from_str(&url).map_err(|e| PgError::BadUrl(redact(&e.to_string(), &url))),
        None if ["PGHOST", "PGDATABASE", "PGSERVICE"].iter().any(|v| std::env::var_os(v).is_some()) => Ok(PgConnectOptions::new()),
        None => Err(PgError::NoTarget),
    }
}

/// How long connecting may take, in milliseconds: the URL's `connect_timeout`, else
/// `PGCONNECT_TIMEOUT` (seconds, as libpq reads them), else 10 s. Set by [`resolve_target`]:
/// sqlx's options have no field for it, and a process connects to one target.
static CONNECT_TIMEOUT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(DEFAULT_CONNECT_TIMEOUT_MS);

const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 10_000;

/// `connect_timeout` of the URL, else `PGCONNECT_TIMEOUT`; libpq's rule: a value below 2 s is 2 s,
/// 0 or less is no limit (here: a day).
fn connect_timeout_ms(url: Option<&str>) -> Result<u64, PgError> {
    let from_url = url.and_then(|u| u.split_once('?')).and_then(|(_, query)| query.split('&').find_map(|kv| kv.strip_prefix("connect_timeout=")).map(str::to_string));
    let given = from_url.or_else(|| std::env::var("PGCONNECT_TIMEOUT").ok().filter(|v| !v.is_empty()));
    match given {
        None => Ok(DEFAULT_CONNECT_TIMEOUT_MS),
        Some(text) => match text.trim().parse::<i64>() {
            Ok(seconds) if seconds <= 0 => Ok(86_400_000),
            Ok(seconds) => Ok(seconds.max(2) as u64 * 1000),
            Err(_) => Err(PgError::BadUrl(format!("connect_timeout must be a whole number of seconds, not {text:?}"))),
        },
    }
}

/// The URL `--to` or `DATABASE_URL` gave, as given.
fn given_url(to: Option<&str>) -> Option<String> {
    to.map(str::to_string).or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
}

/// The target as a URL for another program (a migrator reads `DATABASE_URL`): the URL as given
/// when there was one, so every parameter reaches it unchanged, else one built from the `PG*`
/// variables [`resolve_target`] read. It holds the password: pass it through the environment,
/// never on a command line, and [`redact`] whatever the other program prints.
pub fn target_url(to: Option<&str>, options: &PgConnectOptions) -> String {
    given_url(to).unwrap_or_else(|| options.to_url_lossy().to_string())
}

/// The libpq variables for another program (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, and
/// `PGPASSWORD` when the URL holds one, percent-decoded), so a tool that reads them instead of
/// `DATABASE_URL` reaches the same server. Pass them through the environment only.
pub fn libpq_env(to: Option<&str>, options: &PgConnectOptions) -> Vec<(&'static str, String)> {
    let mut env = vec![("PGHOST", options.get_host().to_string()), ("PGPORT", options.get_port().to_string()), ("PGUSER", options.get_username().to_string())];
    if let Some(database) = options.get_database() {
        env.push(("PGDATABASE", database.to_string()));
    }
    if let Some(url) = given_url(to) {
        let authority = url.split_once("://").map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(rest).to_string());
        let password = authority.as_deref().and_then(|a| a.rsplit_once('@')).and_then(|(userinfo, _)| userinfo.split_once(':')).map(|(_, p)| p.to_string());
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            env.push(("PGPASSWORD", percent_encoding::percent_decode_str(&p).decode_utf8_lossy().into_owned()));
        }
    }
    env
}

/// `host:port/database as user`: enough to recognise the target, never the password.
pub fn describe(options: &PgConnectOptions) -> String {
    format!("{}:{}/{} as {}", options.get_host(), options.get_port(), options.get_database().unwrap_or("(default database)"), options.get_username())
}

/// Remove a URL's password from a message that might quote it, as written in the URL or
/// percent-decoded (the form a program that parsed the URL would print).
pub fn redact(message: &str, url: &str) -> String {
    // The userinfo ends at the last '@' before the path: a raw '@' may sit in a password.
    let authority = url.split_once("://").map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(rest));
    let password = authority.and_then(|a| a.rsplit_once('@')).and_then(|(userinfo, _)| userinfo.split_once(':')).map(|(_, p)| p);
    match password {
        Some(p) if !p.is_empty() => {
            let decoded = percent_encoding::percent_decode_str(p).decode_utf8_lossy();
            let message = message.replace(p, "***");
            if decoded.is_empty() || decoded == p { message } else { message.replace(decoded.as_ref(), "***") }
        }
        _ => message.to_string(),
    }
}

/// A pool whose sessions run in UTC: SQLite's times are UTC, and `timestamptz` input without a
/// zone is read in the session's time zone.
pub async fn connect(options: &PgConnectOptions, max_connections: u32) -> Result<PgPool, PgError> {
    // One plain connection first: a refused connection or a wrong password fails at once,
    // where the pool would retry until its timeout.
    // A server that accepts the connection and never answers would hang here: the connect
    // timeout (libpq's `connect_timeout`, `PGCONNECT_TIMEOUT`, 10 s by default) ends the wait.
    let limit = Duration::from_millis(CONNECT_TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed));
    let probe = match tokio::time::timeout(limit, PgConnection::connect_with(options)).await {
        Ok(connected) => connected.map_err(|source| PgError::Connect { target: describe(options), source: source.into() })?,
        Err(_) => return Err(PgError::ConnectTimeout { target: describe(options), seconds: limit.as_secs_f64() }),
    };
    let _ = probe.close().await;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _| {
            Box::pin(async move {
                // Texts read back in one shape (`sqlite2pg_value::output`): ISO dates, shortest
                // exact floats, whatever the role or database sets.
                conn.execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1").await?;
                // A bulk load's statements are long by nature (a table's one COPY, index builds,
                // key validation, verify's full reads): a role's or database's timeouts, common
                // on managed servers, would cancel them half-way. pg_dump and pg_restore clear
                // them for the same reason.
                conn.execute("SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0").await?;
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(|source| PgError::Connect { target: describe(options), source: source.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("bad url postgres://u:s3cret@h/db", "postgres://u:s3cret@h/db"), "bad url postgres://u:***@h/db");
        let o = PgConnectOptions::from_str("postgres://u:s3cret@h:5433/db").expect("url");
        assert_eq!(describe(&o), "h:5433/db as u");
        assert_eq!(redact("url postgres://u:p%40ss@h/db, password p@ss", "postgres://u:p%40ss@h/db"), "url postgres://u:***@h/db, password ***");
        assert_eq!(redact("p@ss:word", "postgres://u:p@ss:word@h/db"), "***", "a raw '@' in the password");
        assert_eq!(redact("no password here", "postgres://u@h/db"), "no password here");
        assert_eq!(target_url(Some("postgres://u:s3cret@h/db?sslmode=require"), &o), "postgres://u:s3cret@h/db?sslmode=require", "the URL as given");
    }
}
