#!/usr/bin/python3
"""faces-sheet.py: contact sheets to verify a faces truth CSV by eye.

    /usr/bin/python3 tools/faces-sheet.py TRUTH.csv OUT_PREFIX [ROWS_PER_SHEET]

One row per photo: the photo with YuNet's boxes (numbered, width in original
pixels), the truth (faces / eyes_closed) next to what the reference finds,
then each face (up to 6) with both eye regions enlarged and their p(open).
Writes OUT_PREFIX-01.png, -02.png, ... (never into the repository)."""
import csv
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faces_ref  # noqa: E402

ROW_H = 200
THUMB_W = 300
FACE = 130
EYE = 64
MAX_FACES = 6


def text(img, s, x, y, colour=(255, 255, 255), size=0.42):
    cv2.putText(img, s, (x, y), cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(img, s, (x, y), cv2.FONT_HERSHEY_SIMPLEX, size, colour, 1, cv2.LINE_AA)


def eye_region(img, f, k):
    (rx, ry), (lx, ly) = f["lm"][0], f["lm"][1]
    d = max(4.0, np.hypot(lx - rx, ly - ry))
    ex, ey = f["lm"][k]
    h = int(d * 0.45)
    x0, y0 = int(ex) - h, int(ey) - h
    pad = cv2.copyMakeBorder(img, 2 * h, 2 * h, 2 * h, 2 * h, cv2.BORDER_CONSTANT)
    crop = pad[y0 + 2 * h:y0 + 4 * h, x0 + 2 * h:x0 + 4 * h]
    return cv2.resize(crop, (EYE, EYE), interpolation=cv2.INTER_AREA if 2 * h > EYE else cv2.INTER_CUBIC)


def row(path, truth, yunet, eye):
    img = cv2.imread(path)
    out = np.full((ROW_H, THUMB_W + MAX_FACES * (FACE + EYE + 6), 3), 40, np.uint8)
    if img is None:
        text(out, "cannot read " + path, 5, 20, (0, 0, 255))
        return out
    faces = faces_ref.detect(yunet, img)
    h, w = img.shape[:2]
    sc = min(THUMB_W / w, ROW_H / h)
    th = cv2.resize(img, (int(w * sc), int(h * sc)), interpolation=cv2.INTER_AREA)
    for i, f in enumerate(faces):
        p0 = (int(f["x"] * sc), int(f["y"] * sc))
        p1 = (int((f["x"] + f["w"]) * sc), int((f["y"] + f["h"]) * sc))
        cv2.rectangle(th, p0, p1, (0, 255, 0), 1)
        text(th, str(i), p0[0], max(10, p0[1] - 2), (0, 255, 0))
    out[:th.shape[0], :th.shape[1]] = th
    name = os.path.relpath(path, os.path.dirname(sys.argv[1]))
    text(out, os.path.basename(path), 3, 14, (0, 255, 255))
    text(out, "truth %s/%s  found %d" % (truth[0], truth[1], len(faces)), 3, ROW_H - 8,
         (0, 255, 255))
    x = THUMB_W + 4
    for i, f in enumerate(faces[:MAX_FACES]):
        x0, y0 = int(max(0, f["x"])), int(max(0, f["y"]))
        x1, y1 = int(min(w, f["x"] + f["w"])), int(min(h, f["y"] + f["h"]))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        fc = img[y0:y1, x0:x1]
        fs = FACE / max(fc.shape[:2])
        fc = cv2.resize(fc, (max(1, int(fc.shape[1] * fs)), max(1, int(fc.shape[0] * fs))))
        out[:fc.shape[0], x:x + fc.shape[1]] = fc
        po = faces_ref.eyes_open(eye, img, f)
        out[0:EYE, x + FACE + 2:x + FACE + 2 + EYE] = eye_region(img, f, 0)
        out[EYE + 2:2 * EYE + 2, x + FACE + 2:x + FACE + 2 + EYE] = eye_region(img, f, 1)
        closed = po[0] < 0.5 and po[1] < 0.5
        text(out, "#%d w%d s%.2f" % (i, int(f["w"]), f["score"]), x, FACE + 16)
        text(out, "open %.2f %.2f" % (po[0], po[1]), x, FACE + 34,
             (0, 0, 255) if closed else (255, 255, 255))
        x += FACE + EYE + 6
    del name
    return out


def main():
    truth_csv, prefix = sys.argv[1], sys.argv[2]
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    base = os.path.dirname(os.path.abspath(truth_csv))
    rows = []
    with open(truth_csv) as fh:
        for r in csv.DictReader(line for line in fh if not line.startswith("#")):
            rows.append((os.path.join(base, r["path"]), (r["faces"], r["eyes_closed"])))
    yunet, eye = faces_ref.load_nets()
    for k in range(0, len(rows), per):
        sheet = np.vstack([row(p, t, yunet, eye) for p, t in rows[k:k + per]])
        out = "%s-%02d.png" % (prefix, k // per + 1)
        cv2.imwrite(out, sheet)
        print(out)


if __name__ == "__main__":
    main()
