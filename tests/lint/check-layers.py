#!/usr/bin/env python3
"""The floors of docs/architecture.md, checked on the sources.

Usage: check-layers.py ROOT          check the tree at ROOT; exit 1 and one line per finding
       check-layers.py --self-test   plant violations in a scratch tree and show each is found

What is checked, in the product's files (app/, ui/, drivers/; not tests, bench, emulators):
- includes go down the floors only, never up and never sideways between libraries:
    6  app/main.c, app/kiosk.c, app/cli/, app/testhooks/   (front ends, the composition root)
    5  ui/                                                   (screens draw and turn input into actions)
    4  app/visit/, app/capture/, app/selftest/               (controller and device services)
    3  app/record/, app/store/, app/config/, drivers/        (the libraries)
    2  app/imaging/, app/jsoncheck/                          (what the libraries share)
    1  app/core/                                             (pure logic)
  On floor 4, the visit controller and the self-test may use the capture services (they drive
  them); a capture service uses neither. Nothing in the product includes emulators/ (test hooks
  excepted, which only a -Dtest_hooks=true build compiles).
- the ui may not include a driver, store, record or emulator header at all;
- nothing in ui/ starts a thread (a screen owns no thread);
- a product C file has at most 900 lines and a function at most 120 lines (tables of data, that
  is initialisers, do not count as functions).
"""
import os
import re
import shutil
import sys
import tempfile

MAX_FILE_LINES = 900
MAX_FUNCTION_LINES = 120

# (path prefix, module, floor); the first match wins.
FLOORS = [
    ("app/main.c", "front", 6),
    ("app/kiosk.c", "front", 6),
    ("app/kiosk.h", "front", 6),
    ("app/cli/", "cli", 6),
    ("app/testhooks/", "testhooks", 6),
    ("ui/", "ui", 5),
    ("app/visit/", "visit", 4),
    ("app/capture/", "capture", 4),
    ("app/selftest/", "selftest", 4),
    ("app/record/", "record", 3),
    ("app/store/", "store", 3),
    ("app/config/", "config", 3),
    ("drivers/", "drivers", 3),
    ("app/imaging/", "imaging", 2),
    ("app/jsoncheck/", "jsoncheck", 2),
    ("app/core/", "core", 1),
    ("emulators/", "emulators", 0),
]
# Same-floor uses that are allowed: (from module, to module).
SIDEWAYS_OK = {("visit", "capture"), ("selftest", "capture"), ("front", "cli"), ("cli", "front"),
               ("testhooks", "front"), ("testhooks", "cli"), ("front", "testhooks")}
UI_FORBIDDEN = {"drivers", "store", "record", "emulators"}
THREAD_RE = re.compile(r"\b(g_thread_new|g_thread_try_new|pthread_create|SDL_CreateThread|thrd_create)\s*\(")
PRODUCT_DIRS = ("app/", "ui/", "drivers/")
SOURCE_RE = re.compile(r"\.(c|h|cpp|hpp)$")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def classify(rel):
    for prefix, module, floor in FLOORS:
        if rel == prefix or rel.startswith(prefix):
            return module, floor
    return None, None


def resolve(root, rel, inc):
    """The repository path an include names: next to the file, else from the roots."""
    here = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
    if os.path.exists(os.path.join(root, here)):
        return here
    for base in ("", "app/"):
        cand = os.path.normpath(base + inc)
        if os.path.exists(os.path.join(root, cand)):
            return cand
    return None


def product_files(root):
    for top in PRODUCT_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if SOURCE_RE.search(name):
                    yield os.path.relpath(os.path.join(dirpath, name), root)


def strip_comments_and_strings(text):
    """Comments, strings and character literals blanked, newlines kept (for brace counting)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            # preprocessor lines (with continuations) hold no braces of functions
            j = i
            while True:
                k = text.find("\n", j)
                if k < 0:
                    k = n
                    break
                if text[k - 1] != "\\":
                    break
                j = k + 1
            out.append(re.sub(r"[^\n]", " ", text[i:k]))
            i = k
        else:
            out.append(c)
            i += 1
    return "".join(out)


def long_functions(text):
    """(name, first line, lines) of each function body longer than the limit."""
    clean = strip_comments_and_strings(text)
    found = []
    depth = 0
    start = None
    for m in re.finditer(r"[{}]", clean):
        if m.group() == "{":
            if depth == 0:
                before = clean[:m.start()].rstrip()
                # a function body follows a parameter list; an initialiser follows '='
                if before.endswith(")") or re.search(r"\)\s*(const|noexcept|override)\s*$", before):
                    start = m.start()
                else:
                    start = None
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                first = clean.count("\n", 0, start) + 1
                last = clean.count("\n", 0, m.start()) + 1
                lines = last - first + 1
                if lines > MAX_FUNCTION_LINES:
                    head = clean[:start]
                    name = re.findall(r"([A-Za-z_][A-Za-z0-9_:~]*)\s*\(", head[-600:])
                    found.append((name[-1] if name else "?", first, lines))
                start = None
    return found


def check(root):
    problems = []
    for rel in product_files(root):
        module, floor = classify(rel)
        if module is None:
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in INCLUDE_RE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            target = resolve(root, rel, inc)
            if target is None:
                continue  # generated (version.h) or a system header in quotes
            tmod, tfloor = classify(target)
            if tmod is None:
                continue
            where = f"{rel}:{line}: includes {inc}"
            if tmod == "emulators" and module != "testhooks":
                problems.append(f"{where}: the product never includes an emulator")
            elif module == "ui" and tmod in UI_FORBIDDEN:
                problems.append(f"{where}: a screen does no device, store or record work")
            elif tmod == module:
                continue
            elif tfloor > floor:
                problems.append(f"{where}: upward (floor {floor} -> {tfloor})")
            elif tfloor == floor and (module, tmod) not in SIDEWAYS_OK:
                problems.append(f"{where}: sideways between {module} and {tmod}")
        if module == "ui":
            clean = strip_comments_and_strings(text)
            for m in THREAD_RE.finditer(clean):
                line = clean.count("\n", 0, m.start()) + 1
                problems.append(f"{rel}:{line}: {m.group(1)}: a screen owns no thread")
        if rel.endswith((".c", ".cpp")):
            lines = text.count("\n")
            if lines > MAX_FILE_LINES:
                problems.append(f"{rel}: {lines} lines (at most {MAX_FILE_LINES})")
            for name, first, n in long_functions(text):
                problems.append(f"{rel}:{first}: function {name} has {n} lines "
                                f"(at most {MAX_FUNCTION_LINES})")
    return problems


def self_test():
    """Plants one violation of each kind in a scratch tree; every one must be found."""
    plants = {
        "app/imaging/planted_up.c": '#include "ui/ui.h"\n',
        "ui/planted_store.c": '#include "store/store.h"\n',
        "app/capture/planted_visit.c": '#include "visit/visit.h"\n',
        "app/record/planted_sideways.c": '#include "store/store.h"\n',
        "app/cli/planted_emu.c": '#include "emulators/finger/fingerfeed.h"\n',
        "app/core/planted_long.c": "int planted_long(void)\n{\n" + "    ;\n" * 130 + "}\n",
        "drivers/planted_big.c": "/* big */\n" * (MAX_FILE_LINES + 5),
        "ui/planted_thread.c": "void f(void)\n{\n    g_thread_new(\"x\", 0, 0);\n}\n",
    }
    headers = ["ui/ui.h", "store/store.h", "app/store/store.h", "app/visit/visit.h",
               "emulators/finger/fingerfeed.h"]
    tmp = tempfile.mkdtemp(prefix="check-layers-")
    try:
        for h in headers:
            os.makedirs(os.path.join(tmp, os.path.dirname(h)), exist_ok=True)
            open(os.path.join(tmp, h), "w").close()
        os.remove(os.path.join(tmp, "store/store.h"))
        os.rmdir(os.path.join(tmp, "store"))
        # a table of data is not a function, however long
        table = "static const int planted_table[] = {\n" + "    1,\n" * 200 + "};\n"
        plants["app/core/planted_table.c"] = table
        # a downward include is fine
        plants["ui/planted_ok.c"] = '#include "core/../core/x.h"\n'
        for rel, body in plants.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(body)
        found = check(tmp)
        for line in found:
            print("planted, found:", line)
        want = ["app/imaging/planted_up.c", "ui/planted_store.c", "app/capture/planted_visit.c",
                "app/record/planted_sideways.c", "app/cli/planted_emu.c",
                "app/core/planted_long.c", "drivers/planted_big.c", "ui/planted_thread.c"]
        missing = [w for w in want if not any(line.startswith(w) for line in found)]
        extra = [line for line in found if "planted_table" in line or "planted_ok" in line]
        if missing or extra:
            print("self-test FAILED: not found:", missing, "wrongly found:", extra)
            return 1
        print(f"self-test: all {len(want)} planted violations found, none wrongly")
        return 0
    finally:
        shutil.rmtree(tmp)


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(argv[1])
    for p in problems:
        print(p)
    print(f"check-layers: {len(problems)} finding(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
