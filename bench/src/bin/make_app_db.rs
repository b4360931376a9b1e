//! Builds the copy benchmark's database the way an app would have filled it: a users table
//! (UNIQUE email, 0/1 flag, epoch created_at, JSON profile) and a messages table (FK, ~200-char
//! bodies, JSON metadata, ISO timestamps, REAL scores, occasional blobs), with indexes.
//! Deterministic: the same arguments give the same rows.
//!
//! `cargo run --release -p sqlite2pg-bench --bin make_app_db -- OUT.db [MESSAGES]`

use std::process::ExitCode;

/// A small deterministic generator (SplitMix64): no dependency, same rows on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "migration", "postgres", "sqlite", "schema", "deploy", "friday", "lunch", "station", "report", "search", "index", "coffee", "team", "release",
    "review", "bug", "fix", "meeting", "tomorrow", "thanks", "great", "idea", "plan", "data", "query", "table", "rows", "fast", "slow", "cache",
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: make_app_db OUT.db [MESSAGES]");
        return ExitCode::from(2);
    };
    let messages: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let users = (messages / 5).max(10);
    let _ = std::fs::remove_file(&out);
    match build(&out, users, messages) {
        Ok(()) => {
            println!("{out}: {users} users, {messages} messages");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{out}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn build(out: &str, users: u64, messages: u64) -> rusqlite::Result<()> {
    let mut conn = rusqlite::Connection::open(out)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, is_active INTEGER NOT NULL DEFAULT 1,
                             created_at INTEGER NOT NULL, profile TEXT);
         CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL, metadata TEXT,
                                sent_at DATETIME NOT NULL, score REAL, attachment BLOB);",
    )?;
    let mut rng = Rng(20_261_123);
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO users (email, name, is_active, created_at, profile) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for i in 1..=users {
            let profile = format!("{{\"theme\":\"{}\",\"lang\":\"{}\",\"beta\":{}}}", ["dark", "light"][rng.below(2) as usize], ["en", "fr", "de", "ja"][rng.below(4) as usize], rng.below(2) == 1);
            insert.execute(rusqlite::params![format!("user{i}@example.org"), format!("User {i}"), (rng.below(10) != 0) as i64, 1_500_000_000 + rng.below(200_000_000) as i64, profile])?;
        }
        let mut insert = tx.prepare("INSERT INTO messages (user_id, body, metadata, sent_at, score, attachment) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        let mut body = String::with_capacity(256);
        for _ in 1..=messages {
            body.clear();
            while body.len() < 190 {
                body.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
                body.push(' ');
            }
            let metadata = if rng.below(3) == 0 { None } else { Some(format!("{{\"client\":\"{}\",\"edited\":{}}}", ["ios", "android", "web"][rng.below(3) as usize], rng.below(5) == 0)) };
            let t = 1_600_000_000 + rng.below(100_000_000) as i64;
            let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
            let (y, m, d) = sqlite2pg_converter::values::civil_from_days(days);
            let sent_at = format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60);
            let score = if rng.below(4) == 0 { None } else { Some(rng.below(1_000_000) as f64 / 997.0) };
            let attachment = if rng.below(100) == 0 { Some((0..64).map(|_| rng.below(256) as u8).collect::<Vec<u8>>()) } else { None };
            insert.execute(rusqlite::params![1 + rng.below(users) as i64, body.trim_end(), metadata, sent_at, score, attachment])?;
        }
    }
    tx.commit()?;
    conn.execute_batch("CREATE INDEX messages_user ON messages(user_id); CREATE INDEX messages_sent ON messages(sent_at);")?;
    Ok(())
}
