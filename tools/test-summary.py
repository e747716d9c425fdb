#!/usr/bin/env python3
"""Reads meson's JSON test logs and prints one closing line for the whole run:
'tests: N passed, N failed, N skipped'. Every skipped test is named with its reason, loudly
when running in CI, where no suite should be skipped."""
import json
import os
import sys

passed = failed = skipped = 0
skips = []
for path in sys.argv[1:]:
    if not os.path.exists(path):
        print(f"test-summary: no test log {path}", file=sys.stderr)
        failed += 1
        continue
    build = os.path.basename(os.path.dirname(os.path.dirname(path)))
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            result = t.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
                reason = ""
                for out in (t.get("stdout") or "").splitlines():
                    if "SKIP" in out:
                        reason = out
                skips.append(f"{build}: {t.get('name')} {reason}".rstrip())
            else:
                failed += 1
                print(f"FAILED in {build}: {t.get('name')} ({result})")

for s in skips:
    prefix = "WARNING: skipped in CI" if os.environ.get("CI") else "skipped"
    print(f"{prefix}: {s}")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
