#!/bin/sh
# biokiosk signature pads, run inside umockdev-run with one emulated pad:
#   check-pads.sh BIOKIOSK EXPECTED-SUBSTRING
# The JSON line must hold the expected text ("model":"...","usable":...).
set -eu
out=$("$1" signature pads)
echo "# $out"
case "$out" in
*"$2"*) echo "ok 1 - pads lists $2" ;;
*) echo "not ok 1 - pads does not list $2"; exit 1 ;;
esac
echo "1..1"
