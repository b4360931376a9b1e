#!/usr/bin/env bash
# The copy benchmark: one app-shaped SQLite database (1M messages + 200k users by default),
# loaded into PostgreSQL by sqlite2pg, by pgloader (when installed: apt-get install pgloader),
# and by the ceiling: psql \copy of the same converted rows pre-exported as text and binary,
# plus building the same keys and indexes. Prints rows/s, MB/s and peak RSS for each.
#
#   bash bench/copy.sh [MESSAGES]          # starts its own PostgreSQL (scripts/with-postgres.sh)
#   DATABASE_URL=... bash bench/copy.sh    # or uses a running server
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash bench/copy.sh "$@"
fi

MESSAGES=${1:-1000000}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p sqlite2pg -p sqlite2pg-bench
DB="$OUT/app-$MESSAGES.db"
[ -f "$DB" ] || ./target/release/make_app_db "$DB" "$MESSAGES"
SIZE_MB=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$DB")
ROWS=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(sum(c.execute(f'select count(*) from {t}').fetchone()[0] for t in ('users','messages')))" "$DB")

base="${DATABASE_URL%/*}"
fresh_db() { psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null; echo "$base/$1"; }

# Runs a command; prints "seconds peak_rss_mb" (peak RSS of the command's own processes).
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(f"{elapsed:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}")
PY
}

report() { # name seconds rss
  python3 -c "import sys; n,s,r,rows,mb=sys.argv[1],float(sys.argv[2]),sys.argv[3],int(sys.argv[4]),float(sys.argv[5]); print(f'| {n} | {s:.2f} s | {rows/s:,.0f} | {mb/s:.1f} | {r} MB |')" "$1" "$2" "$3" "$ROWS" "$SIZE_MB"
}

echo "database: $DB ($ROWS rows, $SIZE_MB MB), PostgreSQL $(psql -Atq "$DATABASE_URL" -c 'SHOW server_version'), $(nproc) cores"
echo
echo "| loader | time | rows/s | MB/s (SQLite file) | peak RSS |"
echo "|---|---|---|---|---|"

# sqlite2pg: plan, create the schema with keys and indexes, copy, restore keys, ANALYZE.
URL=$(fresh_db bench_sqlite2pg)
read -r secs rss < <(measure ./target/release/sqlite2pg copy "$DB" --to "$URL" --create-schema --rejects "$OUT/rejects.jsonl")
report "sqlite2pg copy (plans first: full profiling pass)" "$secs" "$rss"

# The same with the plan saved beforehand (\`plan --format json\`, the reviewed decisions).
./target/release/sqlite2pg plan "$DB" --format json -o "$OUT/plan.json" 2>/dev/null
URL=$(fresh_db bench_sqlite2pg_plan)
read -r secs rss < <(measure ./target/release/sqlite2pg copy --plan "$OUT/plan.json" --to "$URL" --create-schema --rejects "$OUT/rejects.jsonl")
report "sqlite2pg copy --plan (reviewed plan, no profiling)" "$secs" "$rss"

# The ceiling: the same converted rows, exported from PostgreSQL, loaded back with psql \copy
# into tables without keys, then the same keys and indexes built.
for fmt in text binary; do
  for t in users messages; do
    psql -q "$URL" -c "\\copy $t TO '$OUT/$t.$fmt' WITH (FORMAT $fmt)"
  done
done
for fmt in text binary; do
  CURL=$(fresh_db "bench_ceiling_$fmt")
  # Tables without constraints or indexes, then the load, then keys and indexes.
  psql -q "$CURL" >/dev/null <<SQL
CREATE TABLE users (id bigint, email text, name text, is_active boolean, created_at bigint, profile jsonb);
CREATE TABLE messages (id bigint, user_id bigint, body text, metadata jsonb, sent_at timestamp, score double precision, attachment bytea);
SQL
  cat > "$OUT/ceiling.sh" <<SH
set -e
psql -q "$CURL" -c "\\\\copy users FROM '$OUT/users.$fmt' WITH (FORMAT $fmt)"
psql -q "$CURL" -c "\\\\copy messages FROM '$OUT/messages.$fmt' WITH (FORMAT $fmt)"
psql -q "$CURL" -c "ALTER TABLE users ADD PRIMARY KEY (id), ADD UNIQUE (email)" \
  -c "ALTER TABLE messages ADD PRIMARY KEY (id), ADD FOREIGN KEY (user_id) REFERENCES users (id)" \
  -c "CREATE INDEX ON messages (user_id)" -c "CREATE INDEX ON messages (sent_at)" -c "ANALYZE"
SH
  read -r secs rss < <(measure bash "$OUT/ceiling.sh")
  report "ceiling: psql \\copy ($fmt) + keys and indexes" "$secs" "$rss"
done

if command -v pgloader >/dev/null; then
  PURL=$(fresh_db bench_pgloader)
  if read -r secs rss < <(measure pgloader --with "prefetch rows = 10000" "sqlite://$PWD/$DB" "$PURL"); then
    report "pgloader (prefetch rows = 10000)" "$secs" "$rss"
  else
    echo "| pgloader | failed | | | |"
  fi
else
  echo "| pgloader | not installed (apt-get install pgloader) | | | |"
fi
