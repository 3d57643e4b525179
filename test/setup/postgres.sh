#!/usr/bin/env bash
# PostgreSQL for the server suites (run by tools.sh). Debian's `postgresql` package (apt-packages.txt)
# is installed by then. When nothing answers on 127.0.0.1:5432, the package's cluster is started
# (created first if the package came without one). Then a login role that may create databases is
# made for the tests, which create one fresh database per server they start (test/helpers/postgres.ts).
# Idempotent: a second run only checks. Runs as root (CI) or through sudo.
set -euo pipefail
PGPORT="${SECRETS_TEST_PGPORT:-5432}"
ROLE=secrets_test
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
as_postgres() { $SUDO runuser -u postgres -- "$@"; }

if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    echo "setup: creating PostgreSQL $version cluster main"
    $SUDO pg_createcluster "$version" main --port "$PGPORT" >/dev/null
  fi
  echo "setup: starting PostgreSQL $version cluster main on 127.0.0.1:$PGPORT"
  $SUDO pg_ctlcluster "$version" main start
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.5; done
  pg_isready -h 127.0.0.1 -p "$PGPORT"
fi

if ! PGPASSWORD="$ROLE" psql -h 127.0.0.1 -p "$PGPORT" -U "$ROLE" -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "setup: creating the PostgreSQL role $ROLE for the tests"
  as_postgres psql -p "$PGPORT" -v ON_ERROR_STOP=1 -qc "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$ROLE';
    ELSE ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$ROLE'; END IF; END \$\$;"
  PGPASSWORD="$ROLE" psql -h 127.0.0.1 -p "$PGPORT" -U "$ROLE" -d postgres -Atqc 'SELECT 1' >/dev/null
fi
