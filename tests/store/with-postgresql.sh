#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: initdb in a new temporary directory, the
# server listening on a Unix socket in that directory only (no TCP), run as a non-root user
# (the `postgres` system user when started as root), stopped and removed at the end.
# The command gets BIOKIOSK_TEST_PGHOST (the socket directory) and BIOKIOSK_TEST_PGUSER.
# When the server cannot start this FAILS (exit 1): the PostgreSQL store is not optional in CI.
#
#   with-postgresql.sh COMMAND [ARGS...]
# Settings: BIOKIOSK_PG_FSYNC=on keeps fsync (benchmarks); tests run with fsync off.
# BIOKIOSK_PG_BINDIR names the server's bin directory (default: pg_config, then the newest
# /usr/lib/postgresql/*/bin).
set -u

fail() {
    echo "with-postgresql: $*" >&2
    exit 1
}

bindir=${BIOKIOSK_PG_BINDIR:-}
if [ -n "$bindir" ] && [ ! -x "$bindir/initdb" ]; then
    fail "no initdb in BIOKIOSK_PG_BINDIR ($bindir)"
fi
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ]; then
            bindir=$d
            break
        fi
    done
fi
[ -n "$bindir" ] || fail "no PostgreSQL server found (Debian package postgresql)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/biokiosk-pg.XXXXXX") || fail "cannot make a temporary directory"
as_user=()
pguser=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    # The server refuses to run as root.
    id postgres >/dev/null 2>&1 || fail "running as root and there is no 'postgres' user"
    chown postgres: "$dir" || fail "cannot hand $dir to postgres"
    if command -v runuser >/dev/null 2>&1; then
        as_user=(runuser -u postgres --)
    else
        as_user=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    fi
    pguser=postgres
fi
chmod 700 "$dir"

cleanup() {
    if [ -f "$dir/data/postmaster.pid" ]; then
        "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U "$pguser" --auth=trust -E UTF8 --locale=C \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    fail "initdb failed"
}
fsync=${BIOKIOSK_PG_FSYNC:-off}
"${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=$fsync \
        -c max_connections=120 -c shared_buffers=64MB" start >/dev/null 2>&1 || {
    cat "$dir/server.log" >&2
    fail "the server did not start"
}

export BIOKIOSK_TEST_PGHOST="$dir"
export BIOKIOSK_TEST_PGUSER="$pguser"
"$@"
status=$?
exit $status
