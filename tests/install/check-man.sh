#!/bin/sh
# biokiosk(1) renders without a warning, and every command of app/commands.h has its section.
# Usage: check-man.sh MANPAGE COMMANDS_H
page=$1
commands=$2
export LC_ALL=C.UTF-8 MANWIDTH=80
out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT
if command -v man >/dev/null 2>&1; then
    man --warnings -l "$page" >"$out" 2>"$err"
elif command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww "$page" >"$out" 2>"$err"
elif command -v mandoc >/dev/null 2>&1; then
    mandoc -Tlint -Wwarning "$page" >"$err" 2>&1
    mandoc -Tutf8 "$page" >"$out"
else
    echo "SKIP: no man, groff or mandoc to render the manual page (package man-db or groff)"
    exit 77
fi
status=0
if [ -s "$err" ]; then
    echo "FAIL: rendering $page gave warnings:"
    cat "$err"
    status=1
fi
if ! grep -q "biokiosk selftest" "$out"; then
    echo "FAIL: the rendered page is missing the selftest synopsis"
    status=1
fi
names=$(sed -n 's/^ *X(\([a-z_]*\),.*/\1/p' "$commands")
[ -n "$names" ] || { echo "FAIL: no commands found in $commands"; exit 1; }
n=0
for name in $names; do
    n=$((n + 1))
    if ! grep -qx "\.SS $name" "$page"; then
        echo "FAIL: command '$name' of app/commands.h has no '.SS $name' section in $page"
        status=1
    fi
done
[ $status -eq 0 ] && echo "ok: $page renders cleanly and documents all $n commands"
exit $status
