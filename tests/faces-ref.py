#!/usr/bin/python3
"""faces-ref.py: OpenCV DNN answers for test-faces (run by the test itself).

    faces-ref.py yunet MODEL_DIR INPUT.f32 PAD_W PAD_H OUTDIR
        forwards derush's own YuNet input tensor (float32 NCHW [1,3,PAD_H,PAD_W])
        through cv2.dnn; writes the 12 raw outputs as OUTDIR/<name>.f32 and
        FACES.md's decoding (score 0.7, NMS 0.3) as OUTDIR/faces.txt, one face
        a line: x0 y0 x1 y1 score then the 5 landmarks' x y.
    faces-ref.py eyes MODEL_DIR INPUT.f32 N OUT.f32
        forwards N eye tensors [N,3,32,32]; writes their p(open) (N floats).
Exit 77 when cv2 is missing (the test skips)."""
import os
import sys

try:
    import cv2
    import numpy as np
except ImportError:
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import faces_ref  # noqa: E402


def main():
    mode, mdir = sys.argv[1], sys.argv[2]
    if mode == "yunet":
        inp, pw, ph, out = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
        blob = np.fromfile(inp, np.float32).reshape(1, 3, ph, pw)
        net = cv2.dnn.readNetFromONNX(os.path.join(mdir, faces_ref.YUNET))
        raw = faces_ref.forward_raw(net, blob)
        for name, arr in raw.items():
            arr.astype(np.float32).tofile(os.path.join(out, name + ".f32"))
        with open(os.path.join(out, "faces.txt"), "w") as fh:
            for f in faces_ref.decode(raw, pw, ph, thr=0.7, nms=0.3):
                vals = [f["x"], f["y"], f["x"] + f["w"], f["y"] + f["h"], f["score"]]
                vals += [v for p in f["lm"] for v in p]
                fh.write(" ".join("%.6f" % v for v in vals) + "\n")
    elif mode == "eyes":
        inp, n, out = sys.argv[3], int(sys.argv[4]), sys.argv[5]
        blobs = np.fromfile(inp, np.float32).reshape(n, 3, 32, 32)
        net = cv2.dnn.readNetFromONNX(os.path.join(mdir, faces_ref.EYE))
        res = []
        for i in range(n):
            net.setInput(blobs[i:i + 1])
            res.append(net.forward().reshape(-1)[1])
        np.array(res, np.float32).tofile(out)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
