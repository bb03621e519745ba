#!/bin/sh
# bench/nn.sh: YOLOX-nano forward speed, load time and peak memory of derush's
# executor beside OpenCV DNN (python3-opencv) and ONNX Runtime
# (onnxruntime-node, installed with
#   mkdir -p /tmp/ort && cd /tmp/ort && npm install --ignore-scripts onnxruntime-node)
# on the same input tensor, in one run.  Writes the raw JSON lines and a table
# to bench/results/nn-DATE.txt.
#
#   bench/nn.sh [BUILD_DIR] [RUNS]
#
# Wall times on a shared machine measure the other users too: the CPU
# ms/forward column (all threads of the process) is the steadier figure.
set -eu
# derush's own OpenMP settings (passive threads spinning 10,000 iterations,
# one thread while the machine is busy: src/nn/nn-threads.h) unless the
# caller sets OMP_WAIT_POLICY / GOMP_SPINCOUNT / DERUSH_NN_THREADS.
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
runs=${2:-50}
# NN_THREADS=1 compares single-threaded kernels, which a loaded machine
# disturbs least.
threads=${NN_THREADS:-$(nproc)}
export OMP_NUM_THREADS=$threads
models=${DERUSH_MODEL_DIR:-$here/../../shared/models}
model=$models/yolox_nano.onnx
input=$models/golden/yolox_nano_000000000009_input_1x3x416x416.f32
shape=1,3,416,416
ort=${ORT_DIR:-/tmp/ort}/node_modules
out=$here/results/nn-$(date -u +%Y%m%d-%H%M).txt
[ -f "$model" ] || { echo "nn.sh: $model is missing" >&2; exit 1; }

{
  echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# yolox_nano 1x3x416x416, $runs forwards after a first one; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  "$build/bench/derush-bench-nn" "$model" "$input" $shape "$runs"
  /usr/bin/python3 "$here/nn/peer-cv2.py" "$model" "$input" $shape "$runs" "$threads" || echo '{"runtime": "opencv-dnn", "error": "failed"}'
  if [ -d "$ort/onnxruntime-node" ]; then
    NODE_PATH=$ort node "$here/nn/peer-ort.js" "$model" "$input" $shape "$runs" "$threads" || echo '{"runtime": "onnxruntime-node", "error": "failed"}'
  else
    echo '{"runtime": "onnxruntime-node", "error": "not installed in '"$ort"'"}'
  fi
} > "$out"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print("| runtime | load ms | first forward ms | median ms | min ms | CPU ms/forward | peak RSS MB |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    if "error" in r:
        print(f"| {r['runtime']} | {r['error']} | | | | | |")
        continue
    print(f"| {r['runtime']} | {r['load_ms']:.1f} | {r['first_ms']:.1f} | {r['median_ms']:.2f} | {r['min_ms']:.2f} | {r.get('cpu_ms', float('nan')):.1f} | {r['vmhwm_mb']:.0f} |")
d = next((r for r in rows if r["runtime"] == "derush"), None)
for r in rows:
    if d and r is not d and "median_ms" in r:
        print(f"\nderush median is {r['median_ms'] / d['median_ms']:.2f}x faster than {r['runtime']}", end="")
print()
PY
echo "raw: $out"
