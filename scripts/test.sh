#!/usr/bin/env bash
# The test command (README, .ci/run): runs the whole suite against a real PostgreSQL.
#
# With DATABASE_URL set, the tests use that server. Without it, scripts/with-postgres.sh starts
# a throwaway PostgreSQL from Debian's packages (installing them when missing), and stops it
# however the tests end. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Python environment of the framework tests (tests/frameworks.rs): a virtualenv with Django,
# SQLAlchemy and alembic from PyPI, made once per machine and reused after. Should it fail, the
# other tests still run; the framework tests try again and fail with the script's message.
if [ -z "${SQLITE2PG_PYTHON:-}" ]; then
  if SQLITE2PG_PYTHON=$(bash scripts/python-env.sh | tail -n 1) && [ -x "$SQLITE2PG_PYTHON" ]; then
    export SQLITE2PG_PYTHON
  else
    echo "test.sh: scripts/python-env.sh failed; the framework tests will say why" >&2
    unset SQLITE2PG_PYTHON
  fi
fi

# The Node environment of the Sequelize test (tests/sequelize.rs): Sequelize 6, pg and sqlite3
# (built from source) from the npm registry in target/node-env, made once per machine and reused
# after. Should it fail, the other tests still run; the Sequelize test tries again and fails with
# the script's message.
if [ -z "${SQLITE2PG_NODE_MODULES:-}" ]; then
  if SQLITE2PG_NODE_MODULES=$(bash scripts/node-env.sh | tail -n 1) && [ -d "$SQLITE2PG_NODE_MODULES" ]; then
    export SQLITE2PG_NODE_MODULES
  else
    echo "test.sh: scripts/node-env.sh failed; the Sequelize test will say why" >&2
    unset SQLITE2PG_NODE_MODULES
  fi
fi

if [ -n "${DATABASE_URL:-}" ]; then
  exec cargo test --workspace "$@"
fi
exec bash scripts/with-postgres.sh cargo test --workspace "$@"
