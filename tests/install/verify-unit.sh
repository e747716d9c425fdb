#!/bin/sh
# systemd-analyze verify on the unit (the copy that points at the program in the build tree).
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is not installed (package systemd)"
    exit 77
fi
exec systemd-analyze verify --man=no --generators=no "$1"
