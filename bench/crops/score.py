#!/usr/bin/python3
"""bench/crops/score.py TRUTH_CSV GROUPS_FILE: pairwise precision, recall
and F1 of near-duplicate groups against tools/make-copy-sets.py's truth,
and the recall per edit kind (each copy with its group's original, as
`derush eval grouping` counts it). GROUPS_FILE has one group a line,
absolute paths separated by tabs. Prints one JSON object."""
import csv, itertools, json, os, sys

truth_csv, groups_file = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.abspath(truth_csv))
rows = {}
for r in csv.DictReader(open(truth_csv)):
    rows[os.path.normpath(os.path.join(root, r["path"]))] = (r["group"], r["relation"])
found_of = {}
for k, line in enumerate(open(groups_file)):
    for p in line.rstrip("\n").split("\t"):
        if p:
            found_of[os.path.normpath(p)] = k
paths = sorted(rows)
t = f = c = 0
kinds = {}
for a, b in itertools.combinations(paths, 2):
    truth = rows[a][0] == rows[b][0]
    found = a in found_of and found_of.get(a) == found_of.get(b)
    t += truth
    f += found
    c += truth and found
    if truth and (rows[a][1] == "original") != (rows[b][1] == "original"):
        kind = rows[b][1] if rows[a][1] == "original" else rows[a][1]
        k = kinds.setdefault(kind, [0, 0])
        k[0] += 1
        k[1] += found
p = c / f if f else 1.0
r = c / t if t else 1.0
print(json.dumps({"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                  "pairs_truth": t, "pairs_found": f, "pairs_correct": c,
                  "by_relation": {k: v[1] / v[0] for k, v in sorted(kinds.items())}}))
