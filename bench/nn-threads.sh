#!/bin/sh
# bench/nn-threads.sh: how derush's YOLOX-nano forward uses the two cores
# under each OpenMP setting, on an idle machine and beside 1 and 2 busy
# processes (shell loops this script starts and kills), beside ONNX
# Runtime, in one run.  The settings are read by libgomp when the program
# loads, so each variant is a process of its own:
#
#   derush default    what derush runs with when the user sets nothing:
#                     OMP_WAIT_POLICY=passive, GOMP_SPINCOUNT=10000, and
#                     the executor's thread policy (src/nn/nn-threads.h:
#                     all cores while the machine is free, one thread while
#                     it is busy); "switches" counts its changes
#   passive           OMP_WAIT_POLICY=passive, always all cores
#   passive+spin N    passive, but spin N iterations (GOMP_SPINCOUNT) before
#                     sleeping between two oneDNN primitives, always all cores
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
cores=$(nproc)
[ -f "$model" ] || { echo "nn-threads.sh: $model is missing" >&2; exit 1; }
unset OMP_WAIT_POLICY GOMP_SPINCOUNT OMP_NUM_THREADS DERUSH_NN_THREADS

busy_pids=
# busy N: starts N shell loops that never sleep (other users of the cores).
busy() {
  i=0
  while [ "$i" -lt "$1" ]; do
    sh -c 'while :; do :; done' &
    busy_pids="$busy_pids $!"
    i=$((i + 1))
  done
}
unbusy() {
  [ -z "$busy_pids" ] || kill $busy_pids 2>/dev/null || true
  busy_pids=
}
trap unbusy EXIT INT TERM

# row LABEL BUSY VAR=VALUE...: one process of RUNS forwards with BUSY loops beside it.
row() {
  label=$1
  n_busy=$2
  shift 2
  busy "$n_busy"
  sleep 0.2
  load=$(cut -d' ' -f1 /proc/loadavg)
  env "$@" "$build/bench/derush-bench-nn" "$model" "$input" $shape "$runs" |
    /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
print("| %s | %s | %s | %.2f | %.2f | %.1f | %d (last %d threads) |" % (sys.argv[1], sys.argv[2], sys.argv[3],
      r["median_ms"], r["min_ms"], r["cpu_ms"], r["thread_switches"], r["threads_last"]))' "$label" "$n_busy" "$load"
  unbusy
}

echo "# $(date -u +%FT%TZ) $cores cores, yolox_nano, $runs forwards each"
echo "| variant | busy processes | load average | median ms | min ms | CPU ms/forward | switches |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
row "derush default" 0 X=1
row "passive" 0 OMP_WAIT_POLICY=passive DERUSH_NN_THREADS=$cores
for n in 1000 10000 100000; do
  row "passive+spin $n" 0 OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=$n DERUSH_NN_THREADS=$cores
done
if [ -f "$build/bench/libidle-spin.so" ]; then
  row "passive + 2 idle spinners" 0 OMP_WAIT_POLICY=passive IDLE_SPIN=2 DERUSH_NN_THREADS=$cores \
    LD_PRELOAD="$build/bench/libidle-spin.so"
fi
row "default spin" 0 GOMP_SPINCOUNT=300000 DERUSH_NN_THREADS=$cores
row "1 thread" 0 OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
for b in 1 2; do
  row "derush default" $b X=1
  row "passive" $b OMP_WAIT_POLICY=passive DERUSH_NN_THREADS=$cores
  row "passive+spin 10000" $b OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=10000 DERUSH_NN_THREADS=$cores
  row "1 thread" $b OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
done
row "derush default (again)" 0 X=1
if [ -d "$ort/onnxruntime-node" ]; then
  load=$(cut -d' ' -f1 /proc/loadavg)
  NODE_PATH=$ort node "$here/nn/peer-ort.js" "$model" "$input" $shape "$runs" "$cores" |
    /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
print("| %s | 0 | %s | %.2f | %.2f | %.1f | |" % (r["runtime"], sys.argv[1], r["median_ms"], r["min_ms"], r["cpu_ms"]))' "$load"
fi
