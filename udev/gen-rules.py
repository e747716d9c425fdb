#!/usr/bin/env python3
"""Writes biokiosk's udev rules: the devices the kiosk user (group biokiosk) may open.

  gen-rules.py --fprint-hwdb FILE --pads FILE --out FILE

- cameras: every USB device that libgphoto2's own rules and hwdb mark with ID_GPHOTO2;
- fingerprint readers: the USB ids that libfprint's hwdb lists under "Supported by libfprint
  driver NAME", except drivers that match on the chip and never deliver an image;
- signature pads: the lines of --pads, "VENDOR PRODUCT MODEL..." (hex ids, product '*' for
  every product of the vendor), which the build
  prints from the sigpad driver's table, so the rules and the driver cannot disagree.
"""
import argparse
import re
import sys

# libfprint drivers that compare on the sensor and give no image: the kiosk cannot use them.
MATCH_ON_CHIP = {"elanmoc", "fpcmoc", "goodixmoc", "synaptics", "egismoc", "upekts"}

ACCESS = 'GROUP:="biokiosk", MODE:="0660"'


def fprint_ids(path):
    ids = []
    driver = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"# Supported by libfprint driver (\S+)", line)
            if m:
                driver = m.group(1)
                continue
            if line.startswith("# Known unsupported"):
                driver = None
                continue
            m = re.match(r"usb:v([0-9A-Fa-f]{4})p([0-9A-Fa-f]{4})\*$", line)
            if m and driver and driver not in MATCH_ON_CHIP:
                ids.append((m.group(1).lower(), m.group(2).lower(), driver))
    return ids


def pad_ids(path):
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split(None, 2)
            if len(parts) < 2 or line.startswith("#"):
                continue
            vendor, product = parts[0].lower(), parts[1].lower()
            if not re.fullmatch(r"[0-9a-f]{4}", vendor) or not re.fullmatch(r"[0-9a-f]{4}|\*", product):
                sys.exit(f"gen-rules: bad pad line: {line.strip()}")
            ids.append((vendor, product, parts[2].strip() if len(parts) > 2 else ""))
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fprint-hwdb", required=True)
    ap.add_argument("--pads", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    out = [
        "# biokiosk: device access for the kiosk's user (group biokiosk), nothing world-writable.",
        "# Generated at build time by udev/gen-rules.py; do not edit.",
        'ACTION=="remove", GOTO="biokiosk_end"',
        'SUBSYSTEM!="usb", GOTO="biokiosk_end"',
        'ENV{DEVTYPE}!="usb_device", GOTO="biokiosk_end"',
        "",
        "# Cameras that libgphoto2 supports (its rules and hwdb set ID_GPHOTO2).",
        f'ENV{{ID_GPHOTO2}}=="1", {ACCESS}, ENV{{BIOKIOSK_DEVICE}}="camera"',
        "# Keep desktop automounters (gvfs, KDE Solid, udisks) from claiming the camera:",
        "# they look for these properties, the kiosk opens the camera through libusb alone.",
        'ENV{BIOKIOSK_DEVICE}=="camera", ENV{ID_GPHOTO2}="", ENV{GPHOTO2_DRIVER}="", '
        'ENV{ID_MEDIA_PLAYER}="", ENV{ID_MTP_DEVICE}="", ENV{UDISKS_IGNORE}="1"',
        "",
        "# Fingerprint readers that libfprint supports and that deliver images.",
    ]
    for vendor, product, driver in fprint_ids(args.fprint_hwdb):
        out.append(f'ATTR{{idVendor}}=="{vendor}", ATTR{{idProduct}}=="{product}", {ACCESS}, '
                   f'ENV{{BIOKIOSK_DEVICE}}="fingerprint"  # libfprint {driver}')
    out += ["", "# Signature pads in the sigpad driver's table."]
    for vendor, product, model in pad_ids(args.pads):
        match = f'ATTR{{idVendor}}=="{vendor}"'
        if product != "*":
            match += f', ATTR{{idProduct}}=="{product}"'
        out.append(f'{match}, {ACCESS}, ENV{{BIOKIOSK_DEVICE}}="sigpad"  # {model}'.rstrip())
    out += ["", 'LABEL="biokiosk_end"', ""]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
