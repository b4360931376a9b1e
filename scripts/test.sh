#!/usr/bin/env bash
# The test command (README, .ci/run): runs the whole suite against a real PostgreSQL.
#
# With DATABASE_URL set, the tests use that server. Without it, scripts/with-postgres.sh starts
# a throwaway PostgreSQL from Debian's packages (installing them when missing), and stops it
# however the tests end. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${DATABASE_URL:-}" ]; then
  exec cargo test --workspace "$@"
fi
exec bash scripts/with-postgres.sh cargo test --workspace "$@"
