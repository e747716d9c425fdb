#!/usr/bin/env python3
"""`meson install --destdir` into a temporary directory puts every file a kiosk needs in place.

Usage: check-install.py BUILD_DIR BIOKIOSK_BIN
The install paths come from `meson introspect --installed` (so the test follows the prefix the
build was configured with); the test then checks that each expected kind of file was installed,
that it is there under DESTDIR, and that the example configuration is the program's own.

Then the first steps of docs/technicians.md "Installing on a kiosk", in their order, inside
DESTDIR: the installed sysusers.d and tmpfiles.d files applied with --root=DESTDIR, the kiosk's
keys made as root and handed to the group, and (as root only: it switches users) `staff add` and
`selftest` run as the new user biokiosk (setpriv with its numeric ids, the documented `runuser
-u biokiosk` needs the user in the host's /etc/passwd): the store, outbox and key checks pass
before the service has ever started. Without root, systemd-tmpfiles still parses and creates
the directories and only its chown is refused; the modes are checked.
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
    ("the data directories", lambda p: p.endswith("/tmpfiles.d/biokiosk.conf")),
    ("the given-display unit", lambda p: p.endswith("/system/biokiosk-display.service")),
    ("the local pad rule example", lambda p: p.endswith("/doc/biokiosk/local-pad.rules.example")),
    ("the daily purge unit", lambda p: p.endswith("/system/biokiosk-purge.service")),
    ("the daily purge timer", lambda p: p.endswith("/system/biokiosk-purge.timer")),
]
for lang in ["nl", "ar", "tr", "uk", "es", "fr"]:
    suffix = "/locale/%s/LC_MESSAGES/biokiosk.mo" % lang
    expected.append(("the %s translation" % lang, lambda p, s=suffix: p.endswith(s)))



def first_run(dest, wanted, biokiosk):
    """The documented steps before `systemctl enable`, in DESTDIR; False on a failure."""
    ok = True
    sysusers, tmpfiles = shutil.which("systemd-sysusers"), shutil.which("systemd-tmpfiles")
    if not sysusers or not tmpfiles or "the data directories" not in wanted:
        print("note: no systemd-sysusers/systemd-tmpfiles (package systemd): first run not tried")
        return True
    root = os.geteuid() == 0
    os.chmod(dest, 0o755)  # the kiosk user must reach DESTDIR/var/lib/biokiosk
    os.makedirs(os.path.join(dest, "etc"), exist_ok=True)
    inst = lambda what: os.path.join(dest, wanted[what].lstrip("/"))
    r = subprocess.run([sysusers, "--root=" + dest, inst("the system user")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: systemd-sysusers --root refused the sysusers file:\n" + r.stderr)
        return False
    ids = None
    with open(os.path.join(dest, "etc", "passwd"), encoding="utf-8") as f:
        for line in f:
            fields = line.split(":")
            if fields[0] == "biokiosk":
                ids = int(fields[2]), int(fields[3])
    if ids is None:
        print("FAIL: systemd-sysusers made no user biokiosk")
        return False
    r = subprocess.run([tmpfiles, "--root=" + dest, "--create", inst("the data directories")],
                       capture_output=True, text=True)
    # 73 (EX_CANTCREAT) with only refused chowns is what a non-root run can do
    refused = [l for l in r.stderr.splitlines() if l.strip() and "Operation not permitted" not in l]
    if r.returncode != 0 and (root or r.returncode != 73 or refused):
        print("FAIL: systemd-tmpfiles --root --create on the installed file:\n" + r.stderr)
        return False
    expect = {"etc/biokiosk": (0o750, 0, ids[1]), "var/lib/biokiosk": (0o750, ids[0], ids[1]),
              "var/lib/biokiosk/outbox": (0o750, ids[0], ids[1])}
    for path, (mode, uid, gid) in expect.items():
        try:
            st = os.stat(os.path.join(dest, path))
        except OSError as e:
            print("FAIL: tmpfiles.d did not create /%s: %s" % (path, e))
            ok = False
            continue
        if st.st_mode & 0o7777 != mode or (root and (st.st_uid, st.st_gid) != (uid, gid)):
            print("FAIL: /%s is %o %d:%d, expected %o %d:%d" % (path, st.st_mode & 0o7777,
                  st.st_uid, st.st_gid, mode, uid, gid))
            ok = False
    if not ok:
        return False
    if not root:
        print("ok: tmpfiles.d file applies (not root: owners, staff add and selftest not tried)")
        return True

    # the keys as root, then handed to the group (step "Keys")
    etc = os.path.join(dest, "etc", "biokiosk")
    bo = os.path.join(dest, "backoffice")
    os.mkdir(bo, 0o700)
    for args in (["keys", "kiosk-init", "--dir", etc], ["keys", "backoffice-init", "--dir", bo]):
        r = subprocess.run([biokiosk] + args, capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL: biokiosk %s: %s" % (" ".join(args), r.stderr))
            return False
    shutil.copy(os.path.join(bo, "backoffice.pub"), os.path.join(etc, "backoffice.pub"))
    for key in ("kiosk.key", "audit-hash.key"):
        os.chown(os.path.join(etc, key), 0, ids[1])
        os.chmod(os.path.join(etc, key), 0o640)
    state = os.path.join(dest, "var", "lib", "biokiosk")
    conf = os.path.join(etc, "biokiosk.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("[kiosk]\ndesk = D1\nid = K1\n[store]\nuri = sqlite:%s/appointments.db\n"
                "[record]\noutbox = %s/outbox\nkiosk_key = %s/kiosk.key\n"
                "backoffice_key = %s/backoffice.pub\naudit_hash_key = %s/audit-hash.key\n"
                "[audit]\nlog = %s/audit.log\n" % (state, state, etc, etc, etc, state))
    os.chown(conf, 0, ids[1])  # as the documented `install -m 0640 -g biokiosk`
    os.chmod(conf, 0o640)
    as_kiosk = ["setpriv", "--reuid=%d" % ids[0], "--regid=%d" % ids[1], "--clear-groups", "--"]
    r = subprocess.run(as_kiosk + [biokiosk, "staff", "add", "tech1", "--name", "Technician",
                                   "--role", "technician", "--config", conf],
                       input="482913\n", capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: `staff add` as the user biokiosk before the first start: exit %d %s"
              % (r.returncode, r.stderr))
        return False
    st = os.stat(os.path.join(state, "appointments.db"))
    if (st.st_uid, st.st_mode & 0o077) != (ids[0], 0):
        print("FAIL: the store is %d %o, expected the kiosk's own and private" % (st.st_uid,
              st.st_mode & 0o777))
        ok = False
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    r = subprocess.run(as_kiosk + [biokiosk, "selftest", "--json", "--config", conf],
                       capture_output=True, text=True, env=env, timeout=90)
    try:
        checks = {c["name"]: c["status"] for c in json.loads(r.stdout)["checks"]}
    except (ValueError, KeyError) as e:
        print("FAIL: selftest --json as the user biokiosk gave no report (%s): %s" % (e, r.stderr))
        return False
    for name in ("store.reachable", "store.today", "outbox.writable", "keys.kiosk",
                 "keys.backoffice", "keys.audit_hash"):
        if checks.get(name) != "pass":
            print("FAIL: selftest as the user biokiosk: %s is %s" % (name, checks.get(name)))
            ok = False
    if ok:
        print("ok: first run in DESTDIR: sysusers, tmpfiles, keys, staff add and selftest "
              "(store, outbox, keys) as the user biokiosk")
    return ok


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

    # the daily purge runs the installed program's purge with the installed configuration,
    # and the timer starts it every day (the kiosk alone purges only when it starts)
    if "the daily purge unit" in wanted and "the daily purge timer" in wanted:
        with open(os.path.join(dest, wanted["the daily purge unit"].lstrip("/")),
                  encoding="utf-8") as f:
            unit = f.read()
        with open(os.path.join(dest, wanted["the daily purge timer"].lstrip("/")),
                  encoding="utf-8") as f:
            timer = f.read()
        execs = [l for l in unit.splitlines() if l.startswith("ExecStart=")]
        if len(execs) != 1 or "/bin/biokiosk appointment purge --config /" not in execs[0] \
                or not execs[0].endswith("/biokiosk/biokiosk.conf") or "User=biokiosk" not in unit:
            print("FAIL: the purge unit does not run `biokiosk appointment purge` as biokiosk: %s"
                  % execs)
            failed = True
        if "OnCalendar=daily" not in timer or "WantedBy=timers.target" not in timer:
            print("FAIL: the purge timer does not run daily")
            failed = True
        analyze = shutil.which("systemd-analyze")
        if analyze:
            for path in (wanted["the daily purge unit"], wanted["the daily purge timer"]):
                full = os.path.join(dest, path.lstrip("/"))
                r = subprocess.run([analyze, "verify", "--man=no", full], capture_output=True,
                                   text=True)
                problems = [l for l in (r.stdout + r.stderr).splitlines()
                            if "biokiosk-purge" in l and "not executable" not in l
                            and "No such file" not in l and "Command " not in l]
                if problems:
                    print("FAIL: systemd-analyze verify %s:\n%s" % (path, "\n".join(problems)))
                    failed = True

    if not first_run(dest, wanted, biokiosk):
        failed = True

sys.exit(1 if failed else 0)
