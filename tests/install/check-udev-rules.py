#!/usr/bin/env python3
"""Checks the generated udev rules: every pad of the sigpad driver's table has its rule and no
other pad does; every device rule gives group biokiosk and mode 0660; nothing is world-writable;
the camera rule keeps automounters away; libfprint's image readers are there.

  check-udev-rules.py RULES PADTABLE-PROGRAM FPRINT-HWDB [LOCAL-PAD-EXAMPLE]

The technician's example rule for a pad outside the table (udev/local-pad.rules.example) is held
to the same access: group biokiosk, 0660, one device matched by vendor and product id.
"""
import re
import subprocess
import sys

rules_path, padtable, hwdb = sys.argv[1:4]
rules = open(rules_path, encoding="utf-8").read().splitlines()
failures = []


def fail(msg):
    failures.append(msg)


table = set()
for line in subprocess.run([padtable], check=True, capture_output=True, text=True).stdout.splitlines():
    if line.startswith("#") or not line.strip():
        continue
    vendor, product = line.split()[:2]
    table.add((vendor, product))
if not table:
    fail("the sigpad table is empty")

pads = set()
kinds = {}
for n, line in enumerate(rules, 1):
    code = line.split("#", 1)[0].strip()
    if not code:
        continue
    for mode in re.findall(r'MODE:?="([0-7]+)"', code):
        if int(mode, 8) & 0o002:
            fail(f"line {n}: world-writable mode {mode}")
        if mode != "0660":
            fail(f"line {n}: mode {mode}, expected 0660")
    m = re.search(r'ENV\{BIOKIOSK_DEVICE\}="(\w+)"', code)
    if m and "GROUP" in code:
        kind = m.group(1)
        kinds[kind] = kinds.get(kind, 0) + 1
        if 'GROUP:="biokiosk"' not in code or 'MODE:="0660"' not in code:
            fail(f"line {n}: a {kind} without group biokiosk and mode 0660")
        if kind == "sigpad":
            v = re.search(r'ATTR\{idVendor\}=="([0-9a-f]{4})"', code).group(1)
            p = re.search(r'ATTR\{idProduct\}=="([0-9a-f]{4})"', code)
            pads.add((v, p.group(1) if p else "*"))
    if re.search(r'GROUP:?="(?!biokiosk")', code):
        fail(f"line {n}: a group other than biokiosk")

if pads != table:
    fail(f"sigpad rules {sorted(pads)} differ from the driver's table {sorted(table)}")
if kinds.get("camera") != 1:
    fail("no camera rule")
if not any('ENV{ID_GPHOTO2}=""' in l and 'UDISKS_IGNORE' in l for l in rules):
    fail("no rule keeps automounters from claiming the camera")

# every image reader of libfprint's hwdb, and no match-on-chip one
expected = set()
driver = None
for line in open(hwdb, encoding="utf-8"):
    m = re.match(r"# Supported by libfprint driver (\S+)", line)
    if m:
        driver = m.group(1)
    elif line.startswith("# Known unsupported"):
        driver = None
    m2 = re.match(r"usb:v([0-9A-F]{4})p([0-9A-F]{4})\*", line)
    if m2 and driver:
        expected.add((m2.group(1).lower(), m2.group(2).lower(), driver))
found = set()
for line in rules:
    m = re.match(r'ATTR\{idVendor\}=="(\w{4})", ATTR\{idProduct\}=="(\w{4})".*"fingerprint"  # libfprint (\S+)', line)
    if m:
        found.add((m.group(1), m.group(2), m.group(3)))
image = {e for e in expected if e[2] not in ("elanmoc", "fpcmoc", "goodixmoc", "synaptics", "egismoc")}
if found != image:
    fail(f"fingerprint rules: {len(found)} found, {len(image)} expected; missing {sorted(image - found)[:5]}, extra {sorted(found - image)[:5]}")
if not any(d == "aes2501" for _, _, d in found):
    fail("the aes2501 reader (one of the recorded ones) has no rule")

if len(sys.argv) > 4:
    local = [l.split("#", 1)[0].strip() for l in open(sys.argv[4], encoding="utf-8")]
    access = [l for l in local if "GROUP" in l or "MODE" in l]
    if len(access) != 1:
        fail(f"the local pad example should give access once, not {len(access)} times")
    for l in access:
        if not re.search(r'ATTR\{idVendor\}=="[0-9a-f]{4}", ATTR\{idProduct\}=="[0-9a-f]{4}"', l) \
                or 'GROUP:="biokiosk"' not in l or 'MODE:="0660"' not in l or "sigpad" not in l:
            fail(f"the local pad example's rule is not one pad, group biokiosk, 0660: {l}")
    labels = {m for l in local for m in re.findall(r'(?:GOTO|LABEL)="(\w+)"', l)}
    if labels != {"biokiosk_local_end"}:
        fail(f"the local pad example's GOTO/LABEL do not match: {labels}")

for f in failures:
    print("FAIL:", f)
print(f"{len(rules)} lines, {kinds}, {len(table)} pads in the table")
sys.exit(1 if failures else 0)
