#!/usr/bin/env bash
# The Python environment of the framework tests (tests/frameworks.rs, tests/apps/): a virtualenv
# with Django, SQLAlchemy, alembic and psycopg 3 from PyPI, at pinned versions. Idempotent: a stamp
# file in the environment records the requirement list, and nothing is installed again while it
# matches, so a second run costs nothing. Prints the environment's python as its last stdout line.
#   scripts/python-env.sh            # target/python-env, or $SQLITE2PG_PYTHON_ENV
# Needs only python3: when `python3 -m venv` fails for want of ensurepip (Debian's python3 without
# python3-venv), installs python3-venv with apt-get and tries again.
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_DIR=${SQLITE2PG_PYTHON_ENV:-$PWD/target/python-env}
case "$ENV_DIR" in /*) ;; *) ENV_DIR="$PWD/$ENV_DIR" ;; esac

# One requirement a line; changing this list reinstalls the environment's packages. tzdata: the
# apps' zones (Europe/Berlin, Asia/Tokyo, ...) on a machine without /usr/share/zoneinfo.
REQUIREMENTS='Django==5.2.19
SQLAlchemy==2.0.58
alembic==1.20.1
psycopg[binary]==3.3.9
tzdata==2026.6'

PY="$ENV_DIR/bin/python"
STAMP="$ENV_DIR/sqlite2pg-requirements.txt"

log() { echo "python-env.sh: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

up_to_date() { [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$REQUIREMENTS" ] && "$PY" -c '' 2>/dev/null; }

if up_to_date; then
  echo "$PY"
  exit 0
fi

# Two runs at once (two test binaries, a test and a shell) must not install into one folder
# together: the second waits for the first, then finds the environment ready.
mkdir -p "$(dirname "$ENV_DIR")"
if command -v flock >/dev/null; then
  exec 9>"$ENV_DIR.lock"
  flock 9
  if up_to_date; then
    echo "$PY"
    exit 0
  fi
fi

command -v python3 >/dev/null || { log "python3 is not installed"; exit 1; }

make_venv() { python3 -m venv --clear "$ENV_DIR" >&2 && "$PY" -m pip --version >/dev/null 2>&1; }

if ! { [ -x "$PY" ] && "$PY" -m pip --version >/dev/null 2>&1; }; then
  log "creating the virtualenv $ENV_DIR"
  if ! make_venv; then
    log "python3 -m venv failed; installing Debian's python3-venv"
    rm -rf "$ENV_DIR"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq >&2
    # python3-venv depends on the interpreter's own pythonX.Y-venv; name both, in case.
    ver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null \
      || as_root apt-get install -y -qq --no-install-recommends "python$ver-venv" >/dev/null
    make_venv || { log "python3 -m venv still fails after installing python3-venv"; exit 1; }
  fi
fi

log "installing $(echo "$REQUIREMENTS" | tr '\n' ' ')"
rm -f "$STAMP"
mapfile -t reqs <<<"$REQUIREMENTS"
"$PY" -m pip install --quiet --disable-pip-version-check "${reqs[@]}" >&2
printf '%s' "$REQUIREMENTS" >"$STAMP"
echo "$PY"
