"""faces_ref.py: the OpenCV DNN reference for derush's faces (YuNet + eye state).

Used by tests (raw outputs to compare the C decoding with), by the truth
contact sheet (tools/faces-sheet.py) and by the benchmark (bench/faces-peer.py).
Follows ../shared/models/FACES.md: YuNet 2023mar through cv2.dnn (OpenCV 4.6's
FaceDetectorYN cannot load it), BGR 0..255 padded at the bottom/right to a
multiple of 32; the 12 outputs decoded as OpenCV >= 4.8's postProcess() does.
Run with /usr/bin/python3 (Debian's python3-opencv)."""
import math
import os

import cv2
import numpy as np

YUNET = "face_detection_yunet_2023mar.onnx"
EYE = "open_closed_eye.onnx"
OUT_NAMES = ["cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32",
             "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"]


def model_dir():
    d = os.environ.get("DERUSH_MODEL_DIR")
    if d:
        return d
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "shared", "models")


def load_nets(mdir=None):
    mdir = mdir or model_dir()
    yunet = cv2.dnn.readNetFromONNX(os.path.join(mdir, YUNET))
    eye = cv2.dnn.readNetFromONNX(os.path.join(mdir, EYE))
    return yunet, eye


def pad32(img):
    h, w = img.shape[:2]
    ph, pw = ((h - 1) // 32 + 1) * 32, ((w - 1) // 32 + 1) * 32
    out = np.zeros((ph, pw, 3), np.uint8)
    out[:h, :w] = img
    return out


def forward_raw(yunet, blob):
    """blob: float32 NCHW, already padded. Returns the 12 outputs by name."""
    yunet.setInput(blob)
    outs = yunet.forward(OUT_NAMES)
    return {n: o.reshape(-1) for n, o in zip(OUT_NAMES, outs)}


def iou(a, b):
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    ix = max(0.0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    iy = max(0.0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def decode(raw, pad_w, pad_h, thr=0.6, nms=0.3):
    """FACES.md's decoding; faces as dicts (x, y, w, h, score, lm[5][2]),
    highest score first, in the padded input's pixels."""
    faces = []
    for s in (8, 16, 32):
        cols, rows = pad_w // s, pad_h // s
        cls, obj = raw["cls_%d" % s], raw["obj_%d" % s]
        bbox, kps = raw["bbox_%d" % s], raw["kps_%d" % s]
        for idx in range(rows * cols):
            score = math.sqrt(min(max(cls[idx], 0), 1) * min(max(obj[idx], 0), 1))
            if score < thr:
                continue
            r, c = idx // cols, idx % cols
            cx = (c + bbox[idx * 4]) * s
            cy = (r + bbox[idx * 4 + 1]) * s
            w = math.exp(bbox[idx * 4 + 2]) * s
            h = math.exp(bbox[idx * 4 + 3]) * s
            lm = [((kps[idx * 10 + 2 * n] + c) * s, (kps[idx * 10 + 2 * n + 1] + r) * s)
                  for n in range(5)]
            faces.append({"x": cx - w / 2, "y": cy - h / 2, "w": w, "h": h,
                          "score": float(score), "lm": lm})
    faces.sort(key=lambda f: -f["score"])
    kept = []
    for f in faces:
        box = (f["x"], f["y"], f["w"], f["h"])
        if all(iou(box, (k["x"], k["y"], k["w"], k["h"])) <= nms for k in kept):
            kept.append(f)
    return kept


def detect(yunet, img, long_side=640, thr=0.6):
    """Faces of a BGR image in its own pixels (scaled to @long_side first
    when larger)."""
    h, w = img.shape[:2]
    scale = min(1.0, long_side / max(h, w))
    small = img if scale == 1.0 else cv2.resize(
        img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    padded = pad32(small)
    blob = cv2.dnn.blobFromImage(padded)
    raw = forward_raw(yunet, blob)
    faces = decode(raw, padded.shape[1], padded.shape[0], thr)
    for f in faces:
        for k in ("x", "y", "w", "h"):
            f[k] /= scale
        f["lm"] = [(x / scale, y / scale) for x, y in f["lm"]]
    return faces


def eye_crop(img, face, which, rel=0.7):
    """A 32x32 crop of eye @which (0: landmark 0, the subject's right eye,
    on the image's left) levelled on the eye line, side @rel x the
    inter-eye distance, area-averaged."""
    (rx, ry), (lx, ly) = face["lm"][0], face["lm"][1]
    d = math.hypot(lx - rx, ly - ry)
    ex, ey = face["lm"][which]
    side = max(2.0, rel * d)
    angle = math.degrees(math.atan2(ly - ry, lx - rx))
    # Cut a generous square first, level the eye line, then area-resize the centre.
    half = int(math.ceil(side * 0.75)) + 2
    x0, y0 = int(ex) - half, int(ey) - half
    patch = cv2.copyMakeBorder(img, half * 2, half * 2, half * 2, half * 2,
                               cv2.BORDER_REPLICATE)[y0 + 2 * half:y0 + 4 * half,
                                                     x0 + 2 * half:x0 + 4 * half]
    cx, cy = ex - x0, ey - y0
    rot = cv2.warpAffine(patch, cv2.getRotationMatrix2D((cx, cy), angle, 1.0),
                         (patch.shape[1], patch.shape[0]), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    s0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    n = max(2, int(round(side)))
    crop = rot[s0[1]:s0[1] + n, s0[0]:s0[0] + n]
    return cv2.resize(crop, (32, 32), interpolation=cv2.INTER_AREA)


def eye_open(eye, crop):
    blob = cv2.dnn.blobFromImage(crop, 1 / 255.0, (32, 32), (127, 127, 127), swapRB=False)
    eye.setInput(blob)
    out = eye.forward().reshape(-1)
    return float(out[1])


def eyes_open(eye, img, face, scales=(0.6, 0.75, 0.9)):
    """p(open) of [right (landmark 0), left (landmark 1)], averaged over crop scales."""
    return [float(np.mean([eye_open(eye, eye_crop(img, face, k, s)) for s in scales]))
            for k in (0, 1)]
