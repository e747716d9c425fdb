#!/usr/bin/env python3
"""A production build (-Dtest_hooks=false) keeps the test hooks and the emulators out, checked
cheaply on the test build's own objects instead of a second build:

1. app/kiosk.c compiles without -DBIOKIOSK_TEST_HOOKS (its command from compile_commands.json with
   the define removed), and the object asks for no symbol of the test hooks or the emulators;
2. no library of the product (app/, ui/, drivers/ except app/testhooks) asks for a symbol that only
   the test hooks' or the emulators' libraries define, so linking the product without them works;
3. in a build with the hooks off, the biokiosk binary holds no test hook at all.
With the hooks on, it also shows that it can fail: kiosk.c compiled with the define is caught.

Usage: check-prod-hooks.py BUILD_DIR
"""
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile


def symbols(path, defined):
    args = ["nm", "--defined-only" if defined else "--undefined-only", "--format=posix", path]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if not parts or line.endswith(":"):
            continue
        if defined and (len(parts) < 2 or parts[1] not in "TDBR"):
            continue
        names.add(parts[0])
    return names


def kiosk_without_hooks(build, forbidden, keep_define=False):
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    entry = next((c for c in commands if c["file"].endswith("app/kiosk.c")), None)
    if entry is None:
        return ["app/kiosk.c is not in compile_commands.json"]
    args = shlex.split(entry["command"])
    out = tempfile.NamedTemporaryFile(suffix=".o", delete=False).name
    kept, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-MD",) or (a.startswith("-DBIOKIOSK_TEST_HOOKS") and not keep_define):
            continue
        if a in ("-MQ", "-MF", "-o"):
            skip = True
            continue
        kept.append(a)
    kept += ["-o", out]
    r = subprocess.run(kept, cwd=entry["directory"], capture_output=True, text=True)
    try:
        if r.returncode != 0:
            return ["app/kiosk.c does not compile without the test hooks:\n" + r.stderr]
        wanted = symbols(out, False) & forbidden
        return ["app/kiosk.c without the hooks still asks for %s" % s for s in sorted(wanted)]
    finally:
        os.unlink(out)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = sys.argv[1]
    hooks = glob.glob(os.path.join(build, "app", "testhooks", "*.a"))
    emulators = glob.glob(os.path.join(build, "emulators", "**", "*.a"), recursive=True)
    forbidden = set()
    for lib in hooks + emulators:
        forbidden |= symbols(lib, True)
    product = []
    for top in ("app", "ui", "drivers"):
        product += glob.glob(os.path.join(build, top, "**", "*.a"), recursive=True)
    product = [p for p in product if os.sep + "testhooks" + os.sep not in p]
    provided = set()
    for lib in product:
        provided |= symbols(lib, True)
    forbidden -= provided  # what a product library defines itself is no hook
    problems = []
    if not hooks:
        exe = os.path.join(build, "app", "biokiosk")
        leaked = [s for s in symbols(exe, True) if s.startswith("testhooks_") or
                  s.endswith("_hooks_register") or s == "kioskrec_register_test_commands"]
        problems += ["the product holds the test hook %s" % s for s in sorted(leaked)]
    else:
        problems += kiosk_without_hooks(build, forbidden)
        # the check can fail: with the define kept, kiosk.c must be caught asking for the hooks
        if not kiosk_without_hooks(build, forbidden, keep_define=True):
            problems.append("self-test: kiosk.c with the define was not caught asking for a hook")
    for lib in sorted(product):
        for s in sorted(symbols(lib, False) & forbidden):
            problems.append("%s asks for %s (test hooks or emulators only)" %
                            (os.path.relpath(lib, build), s))
    for p in problems:
        print(p)
    print("checked: %d product libraries, %d hook/emulator libraries, %d symbols kept out" %
          (len(product), len(hooks) + len(emulators), len(forbidden)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
