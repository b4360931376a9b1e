//! `migrate --migrator PATH`: the schema is created by the user's migrator (the crate `generate`
//! wrote, or its compiled binary) running `up`, instead of by the plan's DDL.
//!
//! This lives in the binary, not in a library: it starts another program, a command-line concern
//! that needs nothing of the plan or of PostgreSQL beyond the target's URL; the libraries keep to
//! converting, copying and comparing.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

/// Why the migrator could not create the schema. None of them print the target's password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigratorError {
    /// The path names nothing.
    #[error("--migrator {}: no such file or folder", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A folder that is no crate.
    #[error("--migrator {}: the folder has no Cargo.toml; pass the migrator crate's folder (`generate --migrator DIR`) or its compiled binary", path.display())]
    NotACrate {
        /// The path as given.
        path: PathBuf,
    },
    /// The program could not be started (not executable, cargo missing).
    #[error("--migrator {}: cannot run {program}: {source}", path.display())]
    Start {
        /// The path as given.
        path: PathBuf,
        /// The program started: the binary, or cargo.
        program: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// `up` did not succeed.
    #[error("--app-schema: cannot run `{command}`: {source}")]
    AppStart {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("--app-schema: `{command}` failed ({status}); nothing was copied")]
    AppFailed {
        command: String,
        status: ExitStatus,
    },
    #[error("the migrator {} failed ({status}); nothing was copied", path.display())]
    Failed {
        /// The path as given.
        path: PathBuf,
        /// How it ended.
        status: ExitStatus,
    },
}

impl MigratorError {
    /// The command line's exit code (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            MigratorError::NotFound { .. } | MigratorError::NotACrate { .. } => 2,
            MigratorError::Start { .. } | MigratorError::Failed { .. } | MigratorError::AppStart { .. } | MigratorError::AppFailed { .. } => 10,
        }
    }
}

/// A migrator to run: a crate built and run with cargo, or a compiled binary run directly.
#[derive(Debug)]
pub struct Migrator {
    /// The path as the user gave it, for messages.
    given: PathBuf,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// The crate's `Cargo.toml`.
    Crate(PathBuf),
    /// The binary, absolute: `Command::new` looks a bare name up in `PATH`, and `migrator` is
    /// a likely name for both a file here and a program there.
    Binary(PathBuf),
}

impl Migrator {
    /// What `path` is; checked before planning, so a typo costs no profiling pass.
    pub fn new(path: &Path) -> Result<Migrator, MigratorError> {
        let given = path.to_path_buf();
        let kind = if path.is_dir() {
            let manifest = path.join("Cargo.toml");
            if !manifest.is_file() {
                return Err(MigratorError::NotACrate { path: given });
            }
            Kind::Crate(manifest)
        } else if path.exists() {
            Kind::Binary(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
        } else {
            return Err(MigratorError::NotFound { path: given });
        };
        Ok(Migrator { given, kind })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.given
    }

    /// Run `up` against `url`. The URL goes through `DATABASE_URL` in the child's
    /// environment only (a command line is visible to every user of the machine), and whatever
    /// the child prints is forwarded to stderr with the password redacted: stdout is the report's.
    ///
    /// `DATABASE_SCHEMA` is removed from the child's environment: generated migrations name
    /// their schemas themselves (`enter_schema`), and a value there would move
    /// `seaql_migrations` (and the tables of a `public` plan) into another schema. (A `.env`
    /// file, which sea-orm-migration reads, can still set it; the schema check that follows
    /// reports what that builds.)
    pub fn up(&self, url: &str) -> Result<(), MigratorError> {
        let (program, mut command) = match &self.kind {
            Kind::Crate(manifest) => {
                // The profile cargo uses by default: a migrator runs a few statements, so
                // compiling it optimised would cost more than it saves. `CARGO` is the cargo that
                // started us, when one did.
                let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
                let mut c = Command::new(&cargo);
                c.args(["run", "--quiet", "--manifest-path"]).arg(manifest).args(["--", "up"]);
                (cargo.to_string_lossy().into_owned(), c)
            }
            Kind::Binary(binary) => {
                let mut c = Command::new(binary);
                c.arg("up");
                (binary.display().to_string(), c)
            }
        };
        command.env_remove("DATABASE_SCHEMA");
        let status = run_forwarded(&mut command, url, &[]).map_err(|source| MigratorError::Start { path: self.given.clone(), program, source })?;
        if status.success() { Ok(()) } else { Err(MigratorError::Failed { path: self.given.clone(), status }) }
    }
}

/// `migrate --app-schema CMD`: the application's own migration command, run by the shell with
/// the target in `DATABASE_URL` and the libpq `PG*` variables (the password among them when the
/// URL holds one), its output forwarded to stderr with the password masked.
pub fn run_app_schema(command: &str, url: &str, pg_env: &[(&'static str, String)]) -> Result<(), MigratorError> {
    let shown = sqlite2pg_pg::redact(command, url);
    let status = run_forwarded(Command::new("sh").args(["-c", command]), url, pg_env).map_err(|source| MigratorError::AppStart { command: shown.clone(), source })?;
    if status.success() { Ok(()) } else { Err(MigratorError::AppFailed { command: shown, status }) }
}

/// Run `command` with the target in `DATABASE_URL` (and `env`) and no standard input, its output
/// forwarded to stderr with the password masked (stdout is the report's); its exit status.
fn run_forwarded(command: &mut Command, url: &str, env: &[(&'static str, String)]) -> std::io::Result<ExitStatus> {
    let mut child = command
        .env("DATABASE_URL", url)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut forwarders = Vec::new();
    if let Some(out) = child.stdout.take() {
        forwarders.push(forward_redacted(out, url));
    }
    if let Some(err) = child.stderr.take() {
        forwarders.push(forward_redacted(err, url));
    }
    let status = child.wait();
    for f in forwarders {
        let _ = f.join();
    }
    status
}

/// A thread copying the child's output to stderr line by line, the password replaced by `***`.
/// Lines, not blocks: a password split across two reads would slip through.
fn forward_redacted(stream: impl Read + Send + 'static, url: &str) -> JoinHandle<()> {
    let url = url.to_string();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        while let Ok(n) = reader.read_until(b'\n', &mut line) {
            if n == 0 {
                break;
            }
            let text = sqlite2pg_pg::redact(&String::from_utf8_lossy(&line), &url);
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            line.clear();
        }
    })
}
