#!/usr/bin/env python3
"""Counts test cases across meson test logs (TAP subtests of every GTest
program) and prints the one summary line CI reads: 'N passed, N failed,
N skipped'. Exits 1 when anything failed or a log is missing."""
import json
import sys

passed = failed = skipped = 0
bad = []
for log in sys.argv[1:]:
    try:
        lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as e:
        print(f"test-summary: {log}: {e}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        out = t.get("stdout") or t.get("stdo") or ""
        cases = 0
        for l in out.splitlines():
            if l.startswith("ok ") or l.startswith("not ok "):
                cases += 1
                if l.startswith("not ok ") and "# TODO" not in l:
                    failed += 1
                    bad.append(f"{t['name']}: {l}")
                elif "# SKIP" in l or "# skip" in l:
                    skipped += 1
                else:
                    passed += 1
        # A program that crashed or timed out counts as a failure even when
        # its TAP lines before the crash were fine.
        if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
            if not any(t["name"] in b for b in bad):
                failed += 1
                bad.append(f"{t['name']}: {t.get('result')}")
        elif cases == 0 and t.get("result") == "SKIP":
            skipped += 1

for b in bad:
    print("FAILED:", b)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
