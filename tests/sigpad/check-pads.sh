#!/bin/sh
# biokiosk signature pads, run inside umockdev-run with one emulated pad:
#   check-pads.sh BIOKIOSK EXPECTED-SUBSTRING [EXPECTED-SUBSTRING | !UNWANTED-SUBSTRING ...]
# The JSON line must hold each expected text ("model":"...","usable":...) and none of the
# unwanted ones.
set -eu
bin=$1
shift
out=$("$bin" signature pads)
echo "# $out"
n=0
fail=0
for want in "$@"; do
    n=$((n + 1))
    case "$want" in
    !*)
        case "$out" in
        *"${want#!}"*) echo "not ok $n - pads lists ${want#!}"; fail=1 ;;
        *) echo "ok $n - pads does not list ${want#!}" ;;
        esac ;;
    *)
        case "$out" in
        *"$want"*) echo "ok $n - pads lists $want" ;;
        *) echo "not ok $n - pads does not list $want"; fail=1 ;;
        esac ;;
    esac
done
echo "1..$n"
exit $fail
