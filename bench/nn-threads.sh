#!/bin/sh
# bench/nn-threads.sh: how derush's YOLOX-nano forward uses the two cores
# under each OpenMP wait setting, beside ONNX Runtime, in one run.  The
# settings are read by libgomp when the program loads, so each variant is a
# process of its own:
#
#   passive           OMP_WAIT_POLICY=passive (what derush sets when unset)
#   passive+spin N    passive, but spin N iterations (GOMP_SPINCOUNT) before
#                     sleeping between two oneDNN primitives
#   + idle spinners   passive, with two SCHED_IDLE spinning threads preloaded
#                     (bench/nn/idle-spin.c: they keep idle virtual CPUs
#                     awake, and never run under load)
#   default spin      libgomp's default (about 300,000 iterations)
#   1 thread          OMP_NUM_THREADS=1
#
# Wall times measure the machine's other users too: run it on a quiet
# machine (the load average is printed beside each line).  CPU ms/forward
# counts every thread, spinning included.
#
#   bench/nn-threads.sh [BUILD_DIR] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
runs=${2:-50}
models=${DERUSH_MODEL_DIR:-$here/../../shared/models}
model=$models/yolox_nano.onnx
input=$models/golden/yolox_nano_000000000009_input_1x3x416x416.f32
shape=1,3,416,416
ort=${ORT_DIR:-/tmp/ort}/node_modules
[ -f "$model" ] || { echo "nn-threads.sh: $model is missing" >&2; exit 1; }
unset OMP_WAIT_POLICY GOMP_SPINCOUNT OMP_NUM_THREADS

row() {
  label=$1
  shift
  load=$(cut -d' ' -f1 /proc/loadavg)
  env "$@" "$build/bench/derush-bench-nn" "$model" "$input" $shape "$runs" |
    /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
print("| %s | %s | %.2f | %.2f | %.1f |" % (sys.argv[1], sys.argv[2], r["median_ms"], r["min_ms"], r["cpu_ms"]))' "$label" "$load"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, yolox_nano, $runs forwards each"
echo "| variant | load average | median ms | min ms | CPU ms/forward |"
echo "| --- | --- | --- | --- | --- |"
row "passive" OMP_WAIT_POLICY=passive
for n in 1000 10000 100000; do
  row "passive+spin $n" OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=$n
done
if [ -f "$build/bench/libidle-spin.so" ]; then
  row "passive + 2 idle spinners" OMP_WAIT_POLICY=passive IDLE_SPIN=2 \
    LD_PRELOAD="$build/bench/libidle-spin.so"
fi
row "default spin" X=1
row "1 thread" OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
row "passive (again)" OMP_WAIT_POLICY=passive
if [ -d "$ort/onnxruntime-node" ]; then
  load=$(cut -d' ' -f1 /proc/loadavg)
  NODE_PATH=$ort node "$here/nn/peer-ort.js" "$model" "$input" $shape "$runs" "$(nproc)" |
    /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
print("| %s | %s | %.2f | %.2f | %.1f |" % (r["runtime"], sys.argv[1], r["median_ms"], r["min_ms"], r["cpu_ms"]))' "$load"
fi
