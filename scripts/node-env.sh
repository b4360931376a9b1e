#!/usr/bin/env bash
# The Node environment of the Sequelize test (tests/sequelize.rs, tests/apps/sequelize_app/):
# Sequelize 6, pg, pg-hstore and sqlite3 from the npm registry at the versions
# tests/apps/sequelize_app/package-lock.json pins, installed with `npm ci` into target/node-env
# (never into tests/). sqlite3 is built from source against Node's own headers (/usr/include/node):
# its install script would otherwise download a prebuilt binary, and only the registries are
# reachable. Idempotent: a stamp file records the lock file and the Node version it was built
# for, and nothing is installed again while they match, so a second run costs nothing. Prints
# the environment's node_modules folder as its last stdout line (the apps' scripts run with it
# in NODE_PATH).
#   scripts/node-env.sh            # target/node-env, or $SQLITE2PG_NODE_ENV
# Needs node (20 or later) and npm, python3, make and a C++ compiler (node-gyp).
set -euo pipefail
cd "$(dirname "$0")/.."

APP=tests/apps/sequelize_app
ENV_DIR=${SQLITE2PG_NODE_ENV:-$PWD/target/node-env}
case "$ENV_DIR" in /*) ;; *) ENV_DIR="$PWD/$ENV_DIR" ;; esac
MODULES="$ENV_DIR/node_modules"
STAMP="$ENV_DIR/sqlite2pg-stamp.txt"

log() { echo "node-env.sh: $*" >&2; }

for tool in node npm; do
  command -v "$tool" >/dev/null || { log "$tool is not installed (Node 20 or later with npm)"; exit 1; }
done

# What the environment is built from: the pinned manifest and lock, and the Node it is built for
# (sqlite3's addon is compiled against it).
wanted() { printf 'node %s\n' "$(node --version)"; cat "$APP/package.json" "$APP/package-lock.json"; }

# Ready when the stamp matches and the modules actually load (sqlite3's compiled addon too).
up_to_date() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wanted)" ] \
    && NODE_PATH="$MODULES" node -e 'require("sequelize"); require("pg"); require("pg-hstore"); require("sqlite3")' 2>/dev/null
}

if up_to_date; then
  echo "$MODULES"
  exit 0
fi

# Two runs at once (two test binaries, a test and a shell) must not install into one folder
# together: the second waits for the first, then finds the environment ready.
mkdir -p "$ENV_DIR"
if command -v flock >/dev/null; then
  exec 9>"$ENV_DIR.lock"
  flock 9
  if up_to_date; then
    echo "$MODULES"
    exit 0
  fi
fi

log "installing $(node -e 'const d = require(process.argv[1]).dependencies; console.log(Object.entries(d).map(([k, v]) => k + "@" + v).join(" "))' "$PWD/$APP/package.json") into $ENV_DIR (sqlite3 built from source)"
rm -f "$STAMP"
cp "$APP/package.json" "$APP/package-lock.json" "$ENV_DIR/"
# npm ci: exactly the lock's versions, node_modules made afresh. Build sqlite3 from source
# against the installed Node's headers; npm's cache and logs stay in the environment.
(
  cd "$ENV_DIR"
  export npm_config_build_from_source=true
  export npm_config_nodedir="${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}"
  export npm_config_cache="$ENV_DIR/.npm-cache"
  export npm_config_jobs="${npm_config_jobs:-$(nproc 2>/dev/null || echo 2)}"
  export JOBS="$npm_config_jobs"
  npm ci --no-audit --no-fund --loglevel=error >&2
) || { log "npm ci failed (see above)"; exit 1; }

NODE_PATH="$MODULES" node -e 'require("sequelize"); require("pg"); require("pg-hstore"); new (require("sqlite3").Database)(":memory:").close()' >&2 \
  || { log "the installed modules do not load (sqlite3's addon not built?)"; exit 1; }
wanted >"$STAMP"
echo "$MODULES"
