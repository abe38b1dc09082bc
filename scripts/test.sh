#!/usr/bin/env bash
# Runs the suite on SQLite, then on PostgreSQL when one answers; says which ran.
# REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ran=()

echo "== Test suite on SQLite"
env -u DATABASE_URL "$PY" -m pytest "$@" || exit $?
ran+=("SQLite")

pg_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker}
case "$pg_url" in
    postgres://*|postgresql://*) ;;
    *) pg_url=postgres://postgres@127.0.0.1:5432/tracker ;;
esac
safe_url=$(echo "$pg_url" | sed -E 's#//([^:@/]+):[^@/]*@#//\1:***@#')
if "$PY" scripts/pg_ready.py "$pg_url"; then
    echo "== Test suite on PostgreSQL ($safe_url; in a throwaway test database)"
    DATABASE_URL=$pg_url "$PY" -m pytest --create-db "$@" || exit $?
    ran+=("PostgreSQL")
elif [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "FAILED: REQUIRE_POSTGRES=1 but no PostgreSQL answers at $safe_url." >&2
    exit 1
else
    echo "Skipped the PostgreSQL run: no PostgreSQL answers at $safe_url."
fi

if [ ${#ran[@]} -eq 2 ]; then
    echo "Tests ran on: SQLite and PostgreSQL."
else
    echo "Tests ran on: SQLite only (PostgreSQL skipped)."
fi
