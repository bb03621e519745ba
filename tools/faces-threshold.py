#!/usr/bin/python3
"""faces-threshold.py: the closed-eye threshold, cross-validated.

    build/cli/derush faces --json --model-dir ../shared/models PHOTO... > faces.jsonl
    /usr/bin/python3 tools/faces-threshold.py tests/data/faces-truth.csv faces.jsonl

Splits the truth's photos in two halves by the parity of the number in
their name (d001 odd, d002 even; COCO likewise), picks on each half the
threshold on max(p(open) of both eyes) that finds the most closed faces at
precision >= 0.8, and scores it on the other half. Faces count from 48 px
wide, as `derush eval faces` counts them; a closed face the detector missed
counts as missed. Prints each half's threshold and both cross scores."""
import csv
import json
import os
import re
import sys

MIN_W = 48.0
PRECISION = 0.8


def half(path):
    digits = re.findall(r"\d+", os.path.basename(path))
    return int(digits[-1]) % 2 if digits else 0


def main():
    truth_csv, jsonl = sys.argv[1], sys.argv[2]
    base = os.path.dirname(os.path.abspath(truth_csv))
    closed_truth = {}
    for row in csv.DictReader(open(truth_csv)):
        p = row["path"] if os.path.isabs(row["path"]) else os.path.join(base, row["path"])
        closed_truth[os.path.realpath(p)] = int(row["eyes_closed"])
    # Per photo: the max p(open) of each face of >= MIN_W with both eyes known.
    photos = {}
    for line in open(jsonl):
        o = json.loads(line)
        p = os.path.realpath(o["path"])
        if p not in closed_truth:
            continue
        photos[p] = [max(f["eyes_open"]) for f in o["faces"]
                     if f["box"][2] - f["box"][0] >= MIN_W and None not in f["eyes_open"]]

    def score(paths, thr):
        tp = fp = n_closed = 0
        for p in paths:
            found = sum(s < thr for s in photos.get(p, []))
            want = closed_truth[p]
            n_closed += want
            tp += min(found, want)
            fp += max(0, found - want)
        return tp, fp, n_closed

    halves = [[p for p in closed_truth if half(p) == h] for h in (0, 1)]
    picks = []
    for h in (0, 1):
        cands = sorted({s for p in halves[h] for s in photos.get(p, [])})
        best = (-1, 0.0)
        for i, s in enumerate(cands):
            thr = (s + cands[i + 1]) / 2 if i + 1 < len(cands) else s + 1e-3
            tp, fp, _ = score(halves[h], thr)
            if tp + fp and tp / (tp + fp) >= PRECISION and tp > best[0]:
                best = (tp, thr)
        picks.append(best[1])
    for h in (0, 1):
        thr = picks[h]
        tp, fp, n = score(halves[1 - h], thr)
        own = score(halves[h], thr)
        print("half %d (%d photos, %d closed): threshold %.3f (own: %d/%d found, %d false);"
              " on half %d: recall %.3f (%d/%d), precision %.3f"
              % (h, len(halves[h]), own[2], thr, own[0], own[2], own[1], 1 - h,
                 tp / n if n else 0, tp, n, tp / (tp + fp) if tp + fp else 0))
    if len(sys.argv) > 3:
        thr = float(sys.argv[3])
        for h in (0, 1):
            tp, fp, n = score(halves[h], thr)
            print("threshold %.3f on half %d: recall %.3f (%d/%d), precision %.3f"
                  % (thr, h, tp / n if n else 0, tp, n, tp / (tp + fp) if tp + fp else 0))


if __name__ == "__main__":
    main()
