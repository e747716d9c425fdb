#!/usr/bin/env bash
# The appointment store benchmark on both backends: an SQLite file in a temporary directory, and
# a throwaway PostgreSQL server (fsync on) started by tests/store/with-postgresql.sh.
#   bench-store.sh BENCH-STORE-PROGRAM WITH-POSTGRESQL-SCRIPT [N] [CLIENTS]
set -eu
prog=$1
with_pg=$2
n=${3:-1000000}
clients=${4:-8}
dir=$(mktemp -d "${TMPDIR:-/tmp}/biokiosk-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$prog" "sqlite:$dir/bench.db" "$n" "$clients"
BIOKIOSK_PG_FSYNC=on "$with_pg" bash -c \
    '"$0" "postgresql:///postgres?host=$BIOKIOSK_TEST_PGHOST&user=$BIOKIOSK_TEST_PGUSER" "$1" "$2"' \
    "$prog" "$n" "$clients"
