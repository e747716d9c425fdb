#!/usr/bin/env python3
"""The systemd units and the tmpfiles.d entry agree with each other and with the program.

  check-units.py CAGE_UNIT DISPLAY_UNIT TMPFILES BIOKIOSK_BIN

- cage runs without -s (VT switching would reach a login prompt at a public desk) and puts its
  Wayland socket in the unit's own runtime directory (pam_systemd's /run/user is hidden);
- no core dumps, and a memory-lock limit that holds a decoded 6000x4000 capture and its JPEG;
- the directories of the program's default store, outbox and audit log are state directories
  of the units and are created by the tmpfiles.d entry, owned by biokiosk, not world-readable;
- the "given display" unit has the same data, limits and hardening lines as the cage unit, no
  tty or PAM session, and conflicts with it;
- both units: no input group, DevicePolicy=closed with DeviceAllow= for exactly the device kinds
  the kiosk uses (USB, hidraw, DRM, input, the console), ProcSubset=pid, ordered after
  time-sync.target (the outbox's purge counts days by the clock);
- `systemd-analyze security --offline` rates both units no worse than 1.8 (it was 2.2).
"""
import os
import re
import shutil
import subprocess
import sys

cage_unit, display_unit, tmpfiles, biokiosk = sys.argv[1:5]
failures = []


def fail(msg):
    failures.append(msg)


def parse(path):
    """[(section, key, value)] in file order; repeated keys stay repeated."""
    out, section = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            out.append((section, key, value))
    return out


def values(unit, key, section="Service"):
    return [v for s, k, v in unit if s == section and k == key]


def size(text):
    m = re.fullmatch(r"(\d+)([KMGT]?)", text)
    if not m:
        return None
    return int(m.group(1)) * 1024 ** " KMGT".index(m.group(2) or " ")


cage, display = parse(cage_unit), parse(display_unit)

# cage: no VT switching, its socket in the runtime directory
start = values(cage, "ExecStart")
if len(start) != 1:
    fail("the cage unit needs exactly one ExecStart")
else:
    words = start[0].split()
    tool = next((i for i, w in enumerate(words) if os.path.basename(w) == "cage"), None)
    if tool is None:
        fail("the cage unit does not start cage: " + start[0])
    else:
        opts = words[tool + 1:words.index("--")] if "--" in words else []
        if any(o.startswith("-") and "s" in o.lstrip("-") for o in opts):
            fail("cage is started with -s (VT switching): " + start[0])
    rt = [w.split("=", 1)[1] for w in words if w.startswith("XDG_RUNTIME_DIR=")]
    dirs = ["/run/" + d for v in values(cage, "RuntimeDirectory") for d in v.split()]
    if not rt or rt[0] not in dirs:
        fail(f"cage's XDG_RUNTIME_DIR {rt} is not the unit's RuntimeDirectory {dirs}")
if values(cage, "PAMName") != ["login"] or not values(cage, "TTYPath"):
    fail("the cage unit has lost its logind session on a tty")

# limits, in both units
for name, unit in (("cage unit", cage), ("display unit", display)):
    if values(unit, "LimitCORE") != ["0"]:
        fail(f"the {name} allows core dumps (LimitCORE={values(unit, 'LimitCORE')})")
    memlock = values(unit, "LimitMEMLOCK")
    # the largest single biometric buffer set: a decoded 6000x4000 RGB capture and its JPEG
    need = 6000 * 4000 * 3 + 16 * 1024 * 1024
    if len(memlock) != 1 or size(memlock[0]) is None or size(memlock[0]) < need:
        fail(f"the {name}'s LimitMEMLOCK {memlock} is below {need >> 20} MB")

# the program's default data paths are state directories and tmpfiles.d entries
example = subprocess.run([biokiosk, "config", "example"], check=True, capture_output=True,
                         text=True).stdout
defaults = dict(re.findall(r"^#?(uri|outbox|log) = (\S+)$", example, re.M))
wanted = {
    "store": os.path.dirname(defaults.get("uri", "").removeprefix("sqlite:")),
    "outbox": defaults.get("outbox", ""),
    "audit log": os.path.dirname(defaults.get("log", "")),
}
state = {"/var/lib/" + d for v in values(cage, "StateDirectory") for d in v.split()}
made = {}
for line in open(tmpfiles, encoding="utf-8"):
    f = line.split()
    if f and not f[0].startswith("#"):
        if len(f) < 5 or f[0] != "d":
            fail(f"tmpfiles: unexpected line {line.strip()!r}")
            continue
        made[f[1]] = (f[2], f[3], f[4])
for what, path in wanted.items():
    if not path.startswith("/"):
        fail(f"`biokiosk config example` has no default for the {what}")
        continue
    if path not in state:
        fail(f"the {what} directory {path} is not a StateDirectory of the unit ({sorted(state)})")
    entry = made.get(path)
    if entry is None:
        fail(f"tmpfiles.d does not create the {what} directory {path}")
    elif entry[1:] != ("biokiosk", "biokiosk") or int(entry[0], 8) & 0o007:
        fail(f"tmpfiles.d makes {path} {entry}, expected biokiosk:biokiosk without other access")
conf = made.get("/etc/biokiosk")
if conf is None or conf[2] != "biokiosk" or int(conf[0], 8) & 0o027:
    fail(f"tmpfiles.d: /etc/biokiosk should be readable by group biokiosk only, not {conf}")

# the display unit: same data, limits and hardening; no tty, no cage
def block(unit):
    keys = {"ExecStart", "Type", "User", "Group", "PAMName", "Environment", "RuntimeDirectory",
            "RuntimeDirectoryMode", "BindReadOnlyPaths", "Restart", "RestartSec", "SupplementaryGroups",
            "StandardInput", "StandardOutput", "StandardError", "UtmpIdentifier", "UtmpMode"}
    return [(k, v) for s, k, v in unit if s == "Service" and k not in keys and not k.startswith("TTY")]


if block(cage) != block(display):
    only_cage = [x for x in block(cage) if x not in block(display)]
    only_display = [x for x in block(display) if x not in block(cage)]
    fail(f"the units' hardening differs: only cage {only_cage}, only display {only_display}")
for key in ("PAMName", "TTYPath", "StandardInput"):
    if values(display, key):
        fail(f"the display unit sets {key}: it must not take a tty or a seat")
if any("cage" in v for v in values(display, "ExecStart")):
    fail("the display unit starts cage")
if "biokiosk.service" not in " ".join(values(display, "Conflicts", "Unit")):
    fail("the display unit does not conflict with biokiosk.service")
for name, unit in (("cage unit", cage), ("display unit", display)):
    if values(unit, "User") != ["biokiosk"] or values(unit, "Restart") != ["always"]:
        fail(f"the {name} must run as biokiosk with Restart=always")
    if values(unit, "StartLimitIntervalSec", "Unit") != ["0"]:
        fail(f"the {name} stops restarting after a burst (StartLimitIntervalSec is not 0)")

# devices, /proc and the clock (issue 17), in both units
WANT_DEVICES = {"char-usb_device rw", "char-hidraw rw", "char-drm rw", "char-input rw",
                "/dev/tty1 rw", "char-alsa rw"}
for name, unit in (("cage unit", cage), ("display unit", display)):
    groups = " ".join(values(unit, "SupplementaryGroups")).split()
    if "input" in groups:
        fail(f"the {name} runs in the group input (every keyboard readable): {groups}")
    if values(unit, "DevicePolicy") != ["closed"]:
        fail(f"the {name} does not close the devices (DevicePolicy={values(unit, 'DevicePolicy')})")
    allowed = set(values(unit, "DeviceAllow"))
    if allowed != WANT_DEVICES:
        fail(f"the {name}'s DeviceAllow {sorted(allowed)} is not {sorted(WANT_DEVICES)}")
    if values(unit, "ProcSubset") != ["pid"]:
        fail(f"the {name} sees all of /proc (ProcSubset={values(unit, 'ProcSubset')})")
    after = " ".join(values(unit, "After", "Unit")).split()
    if "time-sync.target" not in after:
        fail(f"the {name} is not ordered after time-sync.target (After={after})")

# exposure, where this systemd can rate a unit file offline
analyze = shutil.which("systemd-analyze")
for path in (cage_unit, display_unit):
    if analyze is None:
        print("note: no systemd-analyze, exposure not rated")
        break
    r = subprocess.run([analyze, "security", "--offline=true", "--no-pager", path],
                       capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
    if m is None:
        print("note: systemd-analyze security --offline is not available here")
        break
    print(f"exposure {os.path.basename(path)}: {m.group(1)}")
    if float(m.group(1)) > 1.8:
        fail(f"{os.path.basename(path)}: exposure {m.group(1)} is above 1.8")

for f in failures:
    print("FAIL:", f)
if not failures:
    print("ok: units and tmpfiles.d agree")
sys.exit(1 if failures else 0)
