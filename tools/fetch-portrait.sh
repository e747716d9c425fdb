#!/usr/bin/env bash
# Fetches the portrait the demo's emulated camera shows: the public-domain NASA portrait
# astronaut.png from Debian's python3-skimage package, unpacked from the downloaded package
# (not installed, so none of its dependencies come along).
#
#   tools/fetch-portrait.sh DEST_DIR      prints the path of the portrait
#
# DEST_DIR should be outside the repository (the demo uses its build directory). An existing
# copy is reused. Any JPEG or PNG portrait can be used instead: ptpip-camera takes a path.
set -euo pipefail

dest=${1:?usage: fetch-portrait.sh DEST_DIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
portrait="$dest/astronaut.png"
if [ -s "$portrait" ]; then
    echo "$portrait"
    exit 0
fi

work=$(mktemp -d "$dest/fetch-portrait.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download python3-skimage >/dev/null 2>&1; then
    # the package lists may be missing on a fresh machine
    sudo=()
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo=(sudo)
    "${sudo[@]}" apt-get update -q >/dev/null
    apt-get download python3-skimage >/dev/null
fi
deb=$(ls python3-skimage_*.deb)
dpkg-deb -x "$deb" unpacked
found=$(find unpacked -name astronaut.png -path '*skimage/data/*' | head -n 1)
if [ -z "$found" ]; then
    echo "fetch-portrait: astronaut.png not found in $deb" >&2
    exit 1
fi
cp "$found" "$portrait"
echo "$portrait"
