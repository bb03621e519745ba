#!/usr/bin/python3
"""The layout rules of issue 17 (README "Layout"), checked on the tree.

Run by `meson test` (suite "layout"), so make check and CI fail when a
change breaks one:
  - cli/ and gtk/ include only include/ headers and their own, and name no
    `_derush_` identifier (the library's private prefix: a front end that
    shows none cannot be calling a private function);
  - SQLite is used only in src/catalog/: no `sqlite3` in the rest of src/,
    nor in cli/, gtk/, tools/, bench/ (tests may open a catalog with SQL to
    corrupt it or read what was stored: README says so);
  - no include cycle between the folders of src/;
  - no C source over 1,000 lines, and any over 600 says why in its header
    comment ("Over 600 lines: ...").
Prints every breach, then exits 1 if there was one.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
os.chdir(ROOT)

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
PRIVATE = re.compile(r"\b_derush_\w+")
SQLITE = re.compile(r"\bsqlite3\w*")
SOURCE_DIRS = ["src", "include", "cli", "gtk", "tools", "tests", "bench", "fuzz"]
breaches = []


def sources(top):
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                yield os.path.join(root, name)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


# Front ends: their own headers (beside the file or under the front end's
# folder) or the public ones.
for front in ["cli", "gtk"]:
    for path in sources(front):
        text = read(path)
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            here = os.path.join(os.path.dirname(path), inc)
            own = os.path.join(front, inc)
            if not (os.path.exists(here) or os.path.exists(own) or
                    os.path.exists(os.path.join("include", inc))):
                breaches.append(f"{path}:{line_of(text, m.start())}: includes \"{inc}\", "
                                "neither the front end's own header nor include/'s")
        for m in PRIVATE.finditer(text):
            breaches.append(f"{path}:{line_of(text, m.start())}: {m.group(0)}: the library's "
                            "private prefix in a front end")

# SQL only in the catalog.
for top in ["src", "cli", "gtk", "tools", "bench"]:
    for path in sources(top):
        if path.startswith(os.path.join("src", "catalog") + os.sep):
            continue
        text = read(path)
        m = SQLITE.search(text)
        if m:
            breaches.append(f"{path}:{line_of(text, m.start())}: {m.group(0)} outside src/catalog/")

# Include cycles between src/ folders: "folder/x.h" names another folder.
folders = sorted(d for d in os.listdir("src") if os.path.isdir(os.path.join("src", d)))
edges = {d: {} for d in folders}
for d in folders:
    for path in sources(os.path.join("src", d)):
        text = read(path)
        for m in INCLUDE.finditer(text):
            other = m.group(1).split("/")[0]
            if other in edges and other != d:
                edges[d].setdefault(other, path)


def find_cycle():
    state = {}

    def visit(d, stack):
        state[d] = 1
        stack.append(d)
        for e in sorted(edges[d]):
            if state.get(e) == 1:
                return stack[stack.index(e):] + [e]
            if e not in state:
                found = visit(e, stack)
                if found:
                    return found
        stack.pop()
        state[d] = 2
        return None

    for d in folders:
        if d not in state:
            found = visit(d, [])
            if found:
                return found
    return None


cycle = find_cycle()
if cycle:
    hops = ", ".join(f"{edges[a][b]} includes {b}/" for a, b in zip(cycle, cycle[1:]))
    breaches.append("include cycle " + " -> ".join(cycle) + f" ({hops})")

# File sizes.
for top in SOURCE_DIRS:
    for path in sources(top):
        text = read(path)
        n = text.count("\n")
        if n > 1000:
            breaches.append(f"{path}: {n} lines, over 1,000")
        elif n > 600:
            header = text[:text.find("*/") + 2] if "*/" in text else ""
            if "600 lines" not in header:
                breaches.append(f"{path}: {n} lines and no \"Over 600 lines: why\" in its "
                                "header comment")

for b in breaches:
    print(b)
print(f"{len(breaches)} layout breach(es)" if breaches else "layout rules hold")
sys.exit(1 if breaches else 0)
