#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite, then runs the whole suite again in a
# second build under AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero on any failure.
#   bash tools/test.sh            everything (what .ci/run calls)
#   bash tools/test.sh SUITE...   only these meson suites (unit, cli, lint, ...), both builds
#   bash tools/test.sh --stress N [TEST...]
#                                 the 'ui' suite (or these tests of it) N times, three runs at
#                                 once, in the normal build; prints how many runs passed and
#                                 failed and which tests failed how often (a flaky test shows);
#                                 three runs share the machine, so each test's hang guard (its
#                                 meson timeout) is tripled; the tests' own deadlines are not
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--stress" ]; then
    runs=${2:-}
    case "$runs" in '' | *[!0-9]*) echo "usage: bash tools/test.sh --stress N [TEST...]" >&2; exit 2 ;; esac
    shift 2
    dir=${BIOKIOSK_STRESS_BUILD:-build} # (a helper's own build directory instead, when set)
    bash tools/install-deps.sh
    if [ -f "$dir/build.ninja" ]; then meson setup --reconfigure "$dir" -Dwerror=true >/dev/null
    else meson setup "$dir" -Dwerror=true; fi
    meson compile -C "$dir"
    logs=$dir/meson-logs/stress
    rm -rf "$logs"
    mkdir -p "$logs"
    pids=() passed=0 failed=0
    finish() { # the oldest run
        if wait "${pids[0]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
        pids=("${pids[@]:1}")
    }
    for i in $(seq "$runs"); do
        [ "${#pids[@]}" -ge 3 ] && finish
        # each run its own screenshot folder (KIOSK_SHOTS/run-i): runs at once never read
        # a picture another run is writing
        KIOSK_SHOTS_RUN=run-$i meson test -C "$dir" --no-rebuild --suite ui \
            --logbase "stress/run-$i" --timeout-multiplier 3 \
            --num-processes "$(nproc 2>/dev/null || echo 2)" "$@" >"$logs/run-$i.out" 2>&1 &
        pids+=($!)
    done
    while [ "${#pids[@]}" -gt 0 ]; do finish; done
    echo "stress: the ui suite${*:+ ($*)} $runs times, three at once: $passed passed, $failed failed"
    # which tests and subtests failed, and how often
    grep -h -E '^(not ok|Bail out)' "$logs"/run-*.txt 2>/dev/null |
        sed -E 's/^not ok [0-9]+ /not ok /' | sort | uniq -c | sort -rn || true
    grep -h -E '^ *[0-9]+/[0-9]+ .* (FAIL|ERROR|TIMEOUT) ' "$logs"/run-*.out 2>/dev/null |
        awk '{print $2, $4, $5}' | sort | uniq -c || true
    [ "$failed" -eq 0 ]
    exit
fi

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
# every suite, the benchmarks' short runs too
meson test -C build-asan --setup=asan --print-errorlogs --num-processes "$jobs" "${suites[@]}" ||
    status=1

python3 tools/test-summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog-asan.json ||
    status=1
exit "$status"
