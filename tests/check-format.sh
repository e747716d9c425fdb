#!/bin/sh
# Fails when a C source or header in the repository is not formatted by .clang-format.
# Exit 77 (meson: skipped) when clang-format is not installed.
set -eu
top=${1:?usage: check-format.sh SOURCE_ROOT}
cd "$top"
if ! command -v clang-format >/dev/null 2>&1; then
    echo "SKIP: clang-format is not installed"
    exit 77
fi
if [ -d .git ] && command -v git >/dev/null 2>&1; then
    files=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
else
    files=$(find . -path ./build -prune -o \( -name '*.c' -o -name '*.h' \) -print)
fi
bad=0
for f in $files; do
    [ -f "$f" ] || continue
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (run: clang-format -i $f)"
        bad=1
    fi
done
[ "$bad" = 0 ] && echo "all C files formatted"
exit "$bad"
