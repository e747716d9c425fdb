#!/usr/bin/env bash
# The demo: installs what is missing, builds, and shows biokiosk working on emulated hardware.
# It grows with the project; today it walks through the capture rules for a family's visit.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
if [ -f build/build.ninja ]; then meson setup --reconfigure build >/dev/null; else meson setup build; fi
meson compile -C build
bk=build/app/biokiosk

today=$(date +%F)
echo
"$bk" --version
echo "What each person of a visit on $today gives at the desk (biokiosk rules):"
show() { # label, options...
    local label=$1
    shift
    printf '\n%s\n  ' "$label"
    "$bk" rules --on "$today" "$@" |
        python3 -c 'import json,sys; p=json.load(sys.stdin); print("age %d, desk %s, photo %s, fingerprints %s, signature %s, may come alone %s" % (p["age"], p["desk"], p["photo"], p["fingerprints"], p["signature"], p["may_come_alone"])); [print("    %-34s %s" % (r["rule"], r["text"])) for r in p["reasons"] if r["item"] in ("photo","fingerprints","signature")]'
}
year=$(date +%Y)
show "Parent, gave biometrics before (photo 3 months ago)" \
    --birth-date 1988-03-14 --previous-photo "$(date -d '3 months ago' +%F)" \
    --previous-fingerprints 2021-05-02 --previous-signature 2021-05-02
show "Child of 12, fingerprints from age 7" \
    --birth-date "$((year - 12))-01-01" --previous-fingerprints "$((year - 5))-03-01"
show "Child of 4" --birth-date "$((year - 4))-01-01"
show "Baby of 5 months" --birth-date "$(date -d '5 months ago' +%F)"
show "EU citizen, permanent residence" --birth-date 1979-11-30 --category eu-citizen-permanent
echo
echo "The kiosk screen and the emulated camera, reader and pad are not part of this build yet."
