#!/usr/bin/env bash
# The delivery benchmark on both receiver stores: a directory in a temporary directory, and a
# throwaway PostgreSQL server (fsync on) started by tests/store/with-postgresql.sh.
#   bench-delivery.sh BENCH-DELIVERY BIOKIOSK WITH-POSTGRESQL-SCRIPT [KIOSKS RECORDS BYTES]
set -eu
prog=$1
bin=$2
with_pg=$3
shift 3
dir=$(mktemp -d "${TMPDIR:-/tmp}/biokiosk-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/store"
"$prog" "$bin" "dir:$dir/store" "$@"
BIOKIOSK_PG_FSYNC=on "$with_pg" bash -c \
    '"$0" "$1" "postgresql:///postgres?host=$BIOKIOSK_TEST_PGHOST&user=$BIOKIOSK_TEST_PGUSER" "${@:2}"' \
    "$prog" "$bin" "$@"
