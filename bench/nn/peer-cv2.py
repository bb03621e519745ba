#!/usr/bin/python3
"""OpenCV DNN (python3-opencv) on MODEL with INPUT.f32: same JSON as bench-nn."""
import json, resource, sys, time
import cv2
import numpy as np

model, inp, shape, runs, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
cv2.setNumThreads(threads)
x = np.fromfile(inp, dtype=np.float32).reshape([int(d) for d in shape.split(",")])
t0 = time.perf_counter()
net = cv2.dnn.readNetFromONNX(model)
t1 = time.perf_counter()
net.setInput(x)
net.forward()
t2 = time.perf_counter()
ms = []
c0 = time.process_time()
for _ in range(runs):
    a = time.perf_counter()
    net.setInput(x)
    net.forward()
    ms.append((time.perf_counter() - a) * 1000)
cpu_ms = (time.process_time() - c0) * 1000 / max(runs, 1)
ms.sort()
print(json.dumps({"runtime": f"opencv-dnn {cv2.__version__} ({threads} threads)",
                  "load_ms": round((t1 - t0) * 1000, 1), "first_ms": round((t2 - t1) * 1000, 1),
                  "median_ms": round(ms[len(ms) // 2], 2), "min_ms": round(ms[0], 2), "runs": runs, "cpu_ms": round(cpu_ms, 2),
                  "vmhwm_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
