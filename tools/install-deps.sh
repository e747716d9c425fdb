#!/usr/bin/env bash
# Installs the Debian packages biokiosk needs to build, test and run its demo.
# This list is the one place where the project's dependencies are named.
# Run as root (or with sudo available). Installs only what is missing.
set -euo pipefail

packages=(
    # build
    meson ninja-build pkg-config gcc clang git
    # libraries
    libglib2.0-dev libjson-glib-dev
    libsqlite3-dev libpq-dev
    libsodium-dev
    # delivery of records over HTTPS (kiosk and receiver); test certificates
    libsoup-3.0-dev openssl
    # pictograms: SVG rendered with librsvg
    librsvg2-dev
    # spoken instructions: espeak-ng (its voices come with espeak-ng-data)
    libespeak-ng-dev espeak-ng-data
    libsdl2-dev libsdl2-ttf-dev libfontconfig-dev
    libgphoto2-dev libfprint-2-dev libusb-1.0-0-dev
    libjpeg62-turbo-dev libpng-dev
    # translations and fonts the kiosk draws with
    gettext fonts-noto-core
    # face detection model data (Haar cascades)
    opencv-data
    # face landmarks: dlib (the one C++ file, app/imaging/landmarks.cpp) and its 68-point model
    g++ libdlib-dev libdlib-data
    # tests: formatting, the PostgreSQL store, USB replays, libFuzzer
    clang-format postgresql umockdev libumockdev-dev libclang-rt-14-dev
    # tests and benchmarks: the OpenCV runtime NIST's NFIQ 2 (../shared/tools/nfiq2) needs
    libopencv-core406 libopencv-imgproc406 libopencv-ml406 libpng16-16
    # benchmark: OpenCV's own Haar detector beside ours (bench-portrait)
    python3-opencv
    # the kiosk compositor named by the systemd unit (checked by systemd-analyze)
    cage
    # tests: checking the systemd unit
    systemd
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install-deps: missing packages: ${missing[*]}" >&2
        echo "install-deps: run this script as root to install them" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
