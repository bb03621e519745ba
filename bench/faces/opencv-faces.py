#!/usr/bin/python3
"""opencv-faces.py: the peer of derush-bench-faces: the same work with OpenCV DNN.

    /usr/bin/python3 bench/faces/opencv-faces.py MODEL_DIR FILE...

Each FILE is decoded and fitted to 512 px first (not timed); then, per photo,
the fastest of 3 runs of: YuNet through cv2.dnn on the preview padded to
512x512, FACES.md's decoding (score 0.7, NMS 0.3), and six eye forwards per
face whose eyes are at least 10 px apart (crops as tools/faces_ref.py). The
first run (OpenCV allocates its buffers) is left out. That is the latency.
Then the throughput, as derush-bench-faces measures it: every photo once on
JOBS worker processes (2; each cv2.setNumThreads(1), its own nets), after a
pass that warms them: wall and CPU time per photo. One JSON line."""
import json
import multiprocessing
import os
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import faces_ref  # noqa: E402


JOBS = 2
_worker = {}


def _worker_init(mdir):
    cv2.setNumThreads(1)
    _worker["nets"] = faces_ref.load_nets(mdir)


def _worker_run(img):
    t0 = time.process_time()
    one(_worker["nets"], img)
    return time.process_time() - t0


def one(nets, img):
    yunet, eye = nets
    ph, pw = (-(-img.shape[0] // 128) * 128, -(-img.shape[1] // 128) * 128)
    canvas = np.zeros((ph, pw, 3), np.uint8)
    canvas[:img.shape[0], :img.shape[1]] = img
    raw = faces_ref.forward_raw(yunet, cv2.dnn.blobFromImage(canvas))
    faces = faces_ref.decode(raw, pw, ph, thr=0.7, nms=0.3)
    for f in faces:
        (rx, ry), (lx, ly) = f["lm"][0], f["lm"][1]
        if np.hypot(lx - rx, ly - ry) >= 10:
            faces_ref.eyes_open(eye, img, f)
    return len(faces)


def throughput(mdir, previews):
    """Wall and CPU ms per photo, JOBS processes of one thread each."""
    with multiprocessing.get_context("fork").Pool(JOBS, _worker_init, (mdir,)) as pool:
        pool.map(_worker_run, previews, chunksize=1)  # warm-up
        w0 = time.perf_counter()
        cpu = sum(pool.map(_worker_run, previews, chunksize=1))
        wall = time.perf_counter() - w0
    return wall * 1e3 / len(previews), cpu * 1e3 / len(previews)


def main():
    mdir, files = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    yunet, eye = faces_ref.load_nets(mdir)
    load_ms = (time.perf_counter() - t0) * 1e3
    previews = []
    for f in files:
        img = cv2.imread(f)
        h, w = img.shape[:2]
        s = min(1.0, 512 / max(h, w))
        if s < 1:
            img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))),
                             interpolation=cv2.INTER_AREA)
        previews.append(img)

    nets = (yunet, eye)
    one(nets, previews[0])
    wall, cpu, faces = [], [], 0
    for img in previews:
        best_w = best_c = float("inf")
        for _ in range(3):
            w0, c0 = time.perf_counter(), time.process_time()
            n = one(nets, img)
            best_w = min(best_w, (time.perf_counter() - w0) * 1e3)
            best_c = min(best_c, (time.process_time() - c0) * 1e3)
        wall.append(best_w)
        cpu.append(best_c)
        faces += n
    tp_wall, tp_cpu = throughput(mdir, previews)
    print(json.dumps({"tool": "opencv-dnn %s" % cv2.__version__, "photos": len(files),
                      "faces": faces, "load_ms": round(load_ms, 1),
                      "wall_ms_mean": round(float(np.mean(wall)), 2),
                      "wall_ms_median": round(float(np.median(wall)), 2),
                      "cpu_ms_mean": round(float(np.mean(cpu)), 2),
                      "cpu_ms_median": round(float(np.median(cpu)), 2),
                      "throughput": {"jobs": JOBS, "threads_per_job": 1,
                                     "wall_ms_per_photo": round(tp_wall, 2),
                                     "cpu_ms_per_photo": round(tp_cpu, 2)}}))


if __name__ == "__main__":
    main()
