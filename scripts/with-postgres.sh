#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL from Debian's packages (installed with apt-get when
# no server binaries are found) on 127.0.0.1 and a socket in a temporary folder, DATABASE_URL
# pointing at it; stops and removes the server however the command ends.
#   scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PGBIN=$(find_pg_bin)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres.sh: no PostgreSQL server binaries found; installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package starts a cluster of its own; this suite does not use it.
  as_root pg_ctlcluster --help >/dev/null 2>&1 && as_root bash -c 'for c in $(pg_lsclusters -h | awk "{print \$1\"/\"\$2}"); do pg_ctlcluster ${c%/*} ${c#*/} stop || true; done' || true
  PGBIN=$(find_pg_bin)
fi
[ -x "$PGBIN/initdb" ] || { echo "with-postgres.sh: PostgreSQL server binaries not found after install" >&2; exit 1; }

# initdb refuses to run as root: run the server as an unprivileged user.
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  RUNAS=(runuser -u postgres --)
fi

PGTMP=$(mktemp -d /tmp/sqlite2pg-pg.XXXXXX)
chmod 755 "$PGTMP"
[ "$(id -u)" = 0 ] && chown postgres "$PGTMP"

cleanup() {
  status=$?
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
  exit $status
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

"${RUNAS[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log" >&2; exit 1; }

# TLS with a throwaway self-signed certificate (localhost and 127.0.0.1), so sslmode=require and
# verify-full are tested; tests find the certificate in SQLITE2PG_TEST_TLS_CA.
SSL_OPTS=""
if command -v openssl >/dev/null; then
  # A CA of its own signs the server certificate (verifiers refuse a CA used as the server's).
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sqlite2pg test CA" \
    -keyout "$PGTMP/ca.key" -out "$PGTMP/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$PGTMP/server.key" -out "$PGTMP/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$PGTMP/server.ext"
  openssl x509 -req -in "$PGTMP/server.csr" -CA "$PGTMP/ca.crt" -CAkey "$PGTMP/ca.key" -CAcreateserial -days 2 \
    -extfile "$PGTMP/server.ext" -out "$PGTMP/server.crt" >/dev/null 2>&1
  chmod 600 "$PGTMP/server.key"
  [ "$(id -u)" = 0 ] && chown postgres "$PGTMP/server.key" "$PGTMP/server.crt"
  SSL_OPTS="-c ssl=on -c ssl_cert_file=$PGTMP/server.crt -c ssl_key_file=$PGTMP/server.key"
  export SQLITE2PG_TEST_TLS_CA="$PGTMP/ca.crt"
fi

# Password authentication is enforced for one role (the wrong-password test uses it); every
# other connection from this machine is trusted.
cat >"$PGTMP/data/pg_hba.conf" <<'HBA'
local all all trust
host all s2p_secret 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
HBA

started=""
for _ in 1 2 3; do
  PORT=$(free_port)
  # Durability settings off: the cluster is thrown away after the run.
  if "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 $SSL_OPTS" >/dev/null; then
    started=yes
    break
  fi
done
[ -n "$started" ] || { echo "with-postgres.sh: PostgreSQL did not start" >&2; cat "$PGTMP/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres.sh: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
