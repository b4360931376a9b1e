#!/usr/bin/env bash
# The copy benchmark: one app-shaped SQLite database (1M messages + 200k users by default),
# loaded into PostgreSQL by sqlite2pg, by pgloader (when installed: apt-get install pgloader),
# and by the ceiling: psql \copy of the same converted rows pre-exported as text and binary,
# plus building the same keys and indexes. Prints rows/s, MB/s and peak RSS for each, and the
# same for `sqlite2pg verify` of the loaded database.
#
#   bash bench/copy.sh [MESSAGES]          # starts its own PostgreSQL (scripts/with-postgres.sh)
#   DATABASE_URL=... bash bench/copy.sh    # or uses a running server
#   SSLMODE=disable bash bench/copy.sh     # every loader on the same plaintext connections
#
# Without SSLMODE each loader connects as it does by default: sqlite2pg and psql negotiate TLS
# with a server that offers it (sslmode=prefer; the server started here does), pgloader does not.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash bench/copy.sh "$@"
fi

MESSAGES=${1:-1000000}
ROUNDS=${ROUNDS:-3}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p sqlite2pg -p sqlite2pg-bench
DB="$OUT/app-$MESSAGES.db"
[ -f "$DB" ] || ./target/release/make_app_db "$DB" "$MESSAGES"
SIZE_MB=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$DB")
ROWS=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(sum(c.execute(f'select count(*) from {t}').fetchone()[0] for t in ('users','messages')))" "$DB")

base="${DATABASE_URL%/*}"
params=${SSLMODE:+?sslmode=$SSLMODE}
fresh_db() { psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null; echo "$base/$1$params"; }

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

echo "database: $DB ($ROWS rows, $SIZE_MB MB), PostgreSQL $(psql -Atq "$DATABASE_URL" -c 'SHOW server_version'), $(nproc) cores, best of $ROUNDS rounds, sslmode: ${SSLMODE:-as each loader defaults}"
echo

./target/release/sqlite2pg plan "$DB" --format json -o "$OUT/plan.json" 2>/dev/null

# Each loader: a fresh database, then the measured command. Prints "seconds rss".
run_sqlite2pg() {
  local url; url=$(fresh_db bench_sqlite2pg)
  measure ./target/release/sqlite2pg copy "$DB" --to "$url" --create-schema --rejects "$OUT/rejects.jsonl"
}
run_sqlite2pg_plan() {
  local url; url=$(fresh_db bench_sqlite2pg_plan)
  measure ./target/release/sqlite2pg copy --plan "$OUT/plan.json" --to "$url" --create-schema --rejects "$OUT/rejects.jsonl"
}
run_sqlite2pg_app_schema() {
  # The target-driven path: the tables exist before the copy (as the generated migrator or the
  # application's own migrations make them: here the plan's DDL, applied untimed), so every
  # column is bound to its live type and the pre-flight runs.
  local url; url=$(fresh_db bench_sqlite2pg_app)
  ./target/release/sqlite2pg plan --plan "$OUT/plan.json" --no-comments 2>/dev/null | psql -q "$url" >/dev/null
  measure ./target/release/sqlite2pg copy --plan "$OUT/plan.json" --to "$url" --rejects "$OUT/rejects.jsonl"
}
export_ceiling_data() {
  # The same converted rows sqlite2pg loaded, exported as text and binary.
  local url="$base/bench_sqlite2pg_plan$params"
  for fmt in text binary; do
    for t in users messages; do
      psql -q "$url" -c "\\copy $t TO '$OUT/$t.$fmt' WITH (FORMAT $fmt)"
    done
  done
}
run_ceiling() { # fmt: bare tables, \copy, then the same keys and indexes
  local fmt=$1 url; url=$(fresh_db "bench_ceiling_$fmt")
  psql -q "$url" >/dev/null <<SQL
CREATE TABLE users (id bigint, email text, name text, is_active boolean, created_at bigint, profile jsonb);
CREATE TABLE messages (id bigint, user_id bigint, body text, metadata jsonb, sent_at timestamp, score double precision, attachment bytea);
SQL
  cat > "$OUT/ceiling.sh" <<SH
set -e
psql -q "$url" -c "\\\\copy users FROM '$OUT/users.$fmt' WITH (FORMAT $fmt)"
psql -q "$url" -c "\\\\copy messages FROM '$OUT/messages.$fmt' WITH (FORMAT $fmt)"
psql -q "$url" -c "ALTER TABLE users ADD PRIMARY KEY (id), ADD UNIQUE (email)" \\
  -c "ALTER TABLE messages ADD PRIMARY KEY (id), ADD FOREIGN KEY (user_id) REFERENCES users (id)" \\
  -c "CREATE INDEX ON messages (user_id)" -c "CREATE INDEX ON messages (sent_at)" -c "ANALYZE"
SH
  measure bash "$OUT/ceiling.sh"
}
run_pgloader() {
  local url; url=$(fresh_db bench_pgloader)
  measure pgloader --with "prefetch rows = 10000" "sqlite://$PWD/$DB" "$url"
}

run_verify() { # every row of the --plan run's database compared with the source
  measure ./target/release/sqlite2pg verify --plan "$OUT/plan.json" --to "$base/bench_sqlite2pg_plan$params" --rejects "$OUT/rejects.jsonl"
}

loaders=(sqlite2pg sqlite2pg_plan sqlite2pg_app_schema verify ceiling_text ceiling_binary)
command -v pgloader >/dev/null && loaders+=(pgloader)
declare -A best_s best_r
for round in $(seq "$ROUNDS"); do
  for l in "${loaders[@]}"; do
    case $l in
      sqlite2pg) out=$(run_sqlite2pg) ;;
      sqlite2pg_plan) out=$(run_sqlite2pg_plan); [ "$round" = 1 ] && export_ceiling_data ;;
      sqlite2pg_app_schema) out=$(run_sqlite2pg_app_schema) ;;
      verify) out=$(run_verify || echo "fail 0") ;;
      ceiling_text) out=$(run_ceiling text) ;;
      ceiling_binary) out=$(run_ceiling binary) ;;
      pgloader) out=$(run_pgloader || echo "fail 0") ;;
    esac
    read -r s r <<<"$out"
    if [ "$s" != fail ] && { [ -z "${best_s[$l]:-}" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$s" "${best_s[$l]}"; }; then
      best_s[$l]=$s; best_r[$l]=$r
    fi
  done
done

echo "| loader | time | rows/s | MB/s (SQLite file) | peak RSS |"
echo "|---|---|---|---|---|"
label() {
  case $1 in
    sqlite2pg) echo "sqlite2pg copy (plans as it copies: large tables from a sample, confirmed by the exact profiles the copy reads)" ;;
    sqlite2pg_plan) echo "sqlite2pg copy --plan (reviewed plan, no profiling)" ;;
    sqlite2pg_app_schema) echo "sqlite2pg copy --plan into tables that exist (target-driven: live types, pre-flight)" ;;
    verify) echo "sqlite2pg verify --plan (every row of both engines compared; not a loader)" ;;
    ceiling_text) echo "ceiling: psql \\copy (text) + keys and indexes" ;;
    ceiling_binary) echo "ceiling: psql \\copy (binary) + keys and indexes" ;;
    pgloader) echo "pgloader (prefetch rows = 10000)" ;;
  esac
}
for l in "${loaders[@]}"; do
  if [ -n "${best_s[$l]:-}" ]; then report "$(label "$l")" "${best_s[$l]}" "${best_r[$l]}"; else echo "| $(label "$l") | failed | | | |"; fi
done
command -v pgloader >/dev/null || echo "| pgloader | not installed (apt-get install pgloader) | | | |"
