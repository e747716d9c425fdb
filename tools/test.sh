#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite, then runs the whole suite again in a
# second build under AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero on any failure.
#   bash tools/test.sh            everything (what .ci/run calls)
#   bash tools/test.sh SUITE...   only these meson suites (unit, cli, lint, ...), both builds
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
suites=()
for s in "$@"; do suites+=(--suite "$s"); done

setup() { # dir, options...
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@"
    fi
}

status=0

echo "== build (warnings are errors)"
setup build -Dwerror=true
meson compile -C build
echo "== tests"
meson test -C build --print-errorlogs --num-processes "$jobs" "${suites[@]}" || status=1

echo "== build under AddressSanitizer + UBSan"
setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
meson compile -C build-asan
echo "== tests under AddressSanitizer + UBSan"
meson test -C build-asan --setup=asan --print-errorlogs --num-processes "$jobs" "${suites[@]}" ||
    status=1

python3 tools/test-summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog-asan.json ||
    status=1
exit "$status"
