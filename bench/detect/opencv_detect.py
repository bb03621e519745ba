#!/usr/bin/python3
"""OpenCV DNN peer for derush's detector: the same YOLOX-nano file, the same
pre/post-processing (../shared/models/README.md) and the same COCO evaluator
logic as src/eval/detector-map.c, so `derush eval detector` and this script
score the same thing.

  opencv_detect.py map  --model M --truth DIR         -> JSON {images, map50, map50_95, map75, ...}
  opencv_detect.py loop --model M [--limit N] FILE... -> JSON {photos, seconds, per_photo_ms}

`loop` is the peer of `derush detect`: read each file, letterbox, forward,
decode + NMS, as a Python culling tool would (cv2.imread of the original).
"""
import argparse
import json
import os
import sys
import time

import cv2
import numpy as np

SIZE = 416
STRIDES = (8, 16, 32)


def letterbox(img):
    r = min(SIZE / img.shape[0], SIZE / img.shape[1])
    resized = cv2.resize(img, (int(img.shape[1] * r), int(img.shape[0] * r)),
                         interpolation=cv2.INTER_LINEAR)
    canvas = np.full((SIZE, SIZE, 3), 114, dtype=np.uint8)
    canvas[:resized.shape[0], :resized.shape[1]] = resized
    return canvas.transpose(2, 0, 1)[None].astype(np.float32), r


def grids():
    g, s = [], []
    for stride in STRIDES:
        n = SIZE // stride
        yy, xx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        g.append(np.stack([xx.ravel(), yy.ravel()], 1))
        s.append(np.full((n * n, 1), stride))
    return np.concatenate(g).astype(np.float32), np.concatenate(s).astype(np.float32)


GRID, STRIDE = grids()


def iou(a, b):
    iw = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0])
    ih = np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    return np.where(ua > 0, inter / np.maximum(ua, 1e-12), 0.0)


def decode(out, r, w, h, score_min, nms_iou=0.45, max_det=100):
    """Best class per cell, obj * class > score_min, class-aware greedy NMS."""
    out = out.reshape(-1, 85)
    cls = out[:, 5:].argmax(1)
    score = out[:, 4] * out[:, 5:][np.arange(len(out)), cls]
    keep = (out[:, 4] > score_min) & (score > score_min)
    xy = (out[keep, :2] + GRID[keep]) * STRIDE[keep]
    wh = np.exp(out[keep, 2:4]) * STRIDE[keep]
    boxes = np.concatenate([xy - wh / 2, xy + wh / 2], 1) / r
    cls, score = cls[keep], score[keep]
    order = np.argsort(-score, kind="stable")
    kept = []
    for i in order:
        if len(kept) >= max_det:
            break
        same = [k for k in kept if cls[k] == cls[i]]
        if same and iou(boxes[i], boxes[same]).max() > nms_iou:
            continue
        kept.append(i)
    b = boxes[kept]
    b[:, [0, 2]] = b[:, [0, 2]].clip(0, w)
    b[:, [1, 3]] = b[:, [1, 3]].clip(0, h)
    return [(int(cls[k]), float(score[k]), b[n]) for n, k in enumerate(kept)]


def coco_map(truth, dets):
    """truth, dets: per image lists of (class, score, box). COCOeval's bbox logic."""
    classes = sorted({c for t in truth for c, _, _ in t})
    thresholds = np.linspace(0.5, 0.95, 10)
    ap = np.zeros((len(classes), len(thresholds)))
    for ci, c in enumerate(classes):
        gts = [np.array([b for k, _, b in t if k == c]).reshape(-1, 4) for t in truth]
        npos = sum(len(g) for g in gts)
        ranked = []
        for im, d in enumerate(dets):
            top = sorted(range(len(d)), key=lambda i: -d[i][1])[:100]
            ranked += [(d[i][1], im, d[i][2]) for i in top if d[i][0] == c]
        ranked.sort(key=lambda x: -x[0])  # stable: image order on ties
        for ti, t in enumerate(thresholds):
            used = [np.zeros(len(g), bool) for g in gts]
            tp = np.zeros(len(ranked))
            for r, (_, im, box) in enumerate(ranked):
                g = gts[im]
                if not len(g):
                    continue
                ious = iou(box, g)
                ious[used[im]] = -1
                best = min(t, 1 - 1e-10)
                m = -1
                for gi in range(len(g)):
                    if ious[gi] >= best:
                        best, m = ious[gi], gi
                if m >= 0:
                    used[im][m] = True
                    tp[r] = 1
            ctp = np.cumsum(tp)
            rec = ctp / npos
            prec = ctp / np.arange(1, len(ranked) + 1)
            for i in range(len(prec) - 1, 0, -1):
                prec[i - 1] = max(prec[i - 1], prec[i])
            idx = np.searchsorted(rec, np.linspace(0, 1, 101), side="left")
            ap[ci, ti] = np.array([prec[i] if i < len(prec) else 0 for i in idx]).mean()
    return ap


def load_net(model):
    cv2.setNumThreads(os.cpu_count())
    return cv2.dnn.readNetFromONNX(model)


def detect(net, img, score_min):
    blob, r = letterbox(img)
    net.setInput(blob)
    return decode(net.forward(), r, img.shape[1], img.shape[0], score_min)


def cmd_map(args):
    net = load_net(args.model)
    truth_by = {}
    with open(os.path.join(args.truth, "boxes.csv")) as f:
        next(f)
        for line in f:
            p = line.strip().split(",")
            truth_by.setdefault(p[0], []).append(
                (int(p[3]), 1.0, np.array([float(x) for x in p[5:9]])))
    names = sorted(n for n in os.listdir(os.path.join(args.truth, "images"))
                   if n.lower().endswith((".jpg", ".jpeg", ".png")))
    truth, dets = [], []
    t0 = time.time()
    for n in names:
        img = cv2.imread(os.path.join(args.truth, "images", n))
        dets.append(detect(net, img, 0.01))
        truth.append(truth_by.get(n, []))
    ap = coco_map(truth, dets)
    print(json.dumps({"images": len(names), "map50": ap[:, 0].mean(), "map50_95": ap.mean(),
                      "map75": ap[:, 5].mean(), "classes": ap.shape[0],
                      "detections": sum(min(len(d), 100) for d in dets),
                      "seconds": time.time() - t0}))


def cmd_loop(args):
    t0 = time.time()
    net = load_net(args.model)
    n = 0
    for path in args.files[:args.limit] if args.limit else args.files:
        img = cv2.imread(path)
        if img is None:
            continue
        detect(net, img, 0.25)
        n += 1
    dt = time.time() - t0
    print(json.dumps({"photos": n, "seconds": dt, "per_photo_ms": 1000 * dt / max(n, 1)}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("map")
    m.add_argument("--model", required=True)
    m.add_argument("--truth", required=True)
    lp = sub.add_parser("loop")
    lp.add_argument("--model", required=True)
    lp.add_argument("--limit", type=int, default=0)
    lp.add_argument("files", nargs="+")
    args = ap.parse_args()
    cmd_map(args) if args.cmd == "map" else cmd_loop(args)


if __name__ == "__main__":
    sys.exit(main())
