#!/usr/bin/python3
"""nn-cv2-reference.py MODEL INPUT.f32 D0,D1,... OUTDIR NAME...

Runs MODEL through OpenCV's DNN module (python3-opencv) on the raw float32
tensor INPUT of the given shape and writes each named output to
OUTDIR/NAME.f32, so test-nn-models can compare derush's executor with an
independent implementation.  Exits 77 when cv2 is missing."""
import sys

try:
    import cv2
    import numpy as np
except ImportError:
    sys.exit(77)

model, inp, shape, outdir = sys.argv[1:5]
names = sys.argv[5:]
x = np.fromfile(inp, dtype=np.float32).reshape([int(d) for d in shape.split(",")])
net = cv2.dnn.readNetFromONNX(model)
net.setInput(x)
outs = net.forward(names)
for name, out in zip(names, outs):
    np.ascontiguousarray(out, dtype=np.float32).tofile(f"{outdir}/{name}.f32")
