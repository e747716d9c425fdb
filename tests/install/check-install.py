#!/usr/bin/env python3
"""`meson install --destdir` into a temporary directory puts every file a kiosk needs in place.

Usage: check-install.py BUILD_DIR BIOKIOSK_BIN
The install paths come from `meson introspect --installed` (so the test follows the prefix the
build was configured with); the test then checks that each expected kind of file was installed,
that it is there under DESTDIR, and that the example configuration is the program's own.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

build, biokiosk = sys.argv[1], sys.argv[2]
meson = shutil.which("meson")
if meson is None:
    print("SKIP: meson is not on PATH")
    sys.exit(77)

installed = json.loads(subprocess.run([meson, "introspect", build, "--installed"], check=True,
                                      capture_output=True, text=True).stdout)
targets = sorted(set(installed.values()))

# (what, a test on the install path)
expected = [
    ("the program", lambda p: p.endswith("/bin/biokiosk")),
    ("the manual page", lambda p: p.endswith("/man1/biokiosk.1")),
    ("the example configuration", lambda p: p.endswith("/biokiosk/biokiosk.conf.example")),
    ("the self-test's JSON Schema", lambda p: p.endswith("/doc/biokiosk/selftest.schema.json")),
    ("the udev rules", lambda p: p.endswith("/rules.d/70-biokiosk.rules")),
    ("the systemd unit", lambda p: p.endswith("/system/biokiosk.service")),
    ("the system user", lambda p: p.endswith("/sysusers.d/biokiosk.conf")),
]
for lang in ["nl", "ar", "tr", "uk", "es", "fr"]:
    suffix = "/locale/%s/LC_MESSAGES/biokiosk.mo" % lang
    expected.append(("the %s translation" % lang, lambda p, s=suffix: p.endswith(s)))

failed = False
wanted = {}
for what, match in expected:
    hits = [p for p in targets if match(p)]
    if not hits:
        print("FAIL: meson does not install %s" % what)
        failed = True
    else:
        wanted[what] = hits[0]

with tempfile.TemporaryDirectory(prefix="biokiosk-install-") as dest:
    r = subprocess.run([meson, "install", "-C", build, "--no-rebuild", "--quiet",
                        "--destdir", dest], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: meson install --destdir failed:\n" + r.stdout + r.stderr)
        sys.exit(1)
    for what, path in wanted.items():
        full = os.path.join(dest, path.lstrip("/"))
        if not os.path.isfile(full) or os.path.getsize(full) == 0:
            print("FAIL: %s is not at %s after the install" % (what, full))
            failed = True
        else:
            print("ok: %s: %s" % (what, path))
    # the unit runs the installed program; nothing installed is world-writable
    for root, _, files in os.walk(dest):
        for f in files:
            mode = os.stat(os.path.join(root, f)).st_mode
            if mode & 0o002:
                print("FAIL: %s is world-writable" % os.path.join(root, f))
                failed = True
    if "the example configuration" in wanted:
        ex = os.path.join(dest, wanted["the example configuration"].lstrip("/"))
        own = subprocess.run([biokiosk, "config", "example"], check=True, capture_output=True,
                             text=True).stdout
        with open(ex, encoding="utf-8") as f:
            text = f.read()
        if text != own:
            print("FAIL: the installed example is not `biokiosk config example`")
            failed = True
        if "\n[selftest]\n" not in text or "# required\n" not in text:
            print("FAIL: the example lacks the [selftest] section or the required keys")
            failed = True

sys.exit(1 if failed else 0)
