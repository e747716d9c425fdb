#!/bin/sh
# Builds one libFuzzer target with clang (ASan + UBSan) and runs it for a fixed short time.
#   run-fuzz.sh NAME SECONDS WORKDIR [SEEDDIR|-] -- CLANG-ARGUMENTS...
# The clang arguments name the target's sources (one of them defines LLVMFuzzerTestOneInput),
# include directories and libraries. The corpus is kept in WORKDIR/NAME-corpus between runs.
# Exit 77 (meson: skipped) when clang or its libFuzzer runtime is missing.
set -eu
name=$1 seconds=$2 work=$3 seeds=$4
shift 4
[ "${1:-}" = "--" ] && shift

if ! command -v clang >/dev/null 2>&1; then
    echo "SKIP: clang is not installed"
    exit 77
fi
mkdir -p "$work/$name-corpus"
bin="$work/fuzz-$name"
if ! clang -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -o "$bin" "$@" 2>"$work/$name-build.log"; then
    if grep -q "libclang_rt.fuzzer" "$work/$name-build.log"; then
        echo "SKIP: libFuzzer runtime missing (libclang-rt-14-dev)"
        exit 77
    fi
    cat "$work/$name-build.log"
    exit 1
fi
set -- "$work/$name-corpus"
[ "$seeds" != "-" ] && [ -d "$seeds" ] && set -- "$@" "$seeds"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$name-" "$@"
