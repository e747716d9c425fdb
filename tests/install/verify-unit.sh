#!/bin/sh
# systemd-analyze verify on the units (the copies that point at the program in the build tree).
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is not installed (package systemd)"
    exit 77
fi
exec systemd-analyze verify --man=no --generators=no "$@"
