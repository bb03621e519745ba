#!/bin/sh
# bench/learn/run.sh [BUILD_DIR] [RUNS]: the learning speed targets (issue 19)
# side by side in one run: derush (bench/learn/bench-learn.c) against
# scikit-learn (CalibratedClassifierCV around gradient boosting, per photo as
# photo-derush calls it and batched) and python3-xgboost (bench/learn/peers.py)
# on the same 1,000 labels and 100,000 photos. A peer that is not installed
# (apt-get install python3-sklearn python3-xgboost) is skipped.
# Prints a table of derush's own jobs (train on 10 to 10,000 labels, predict
# 100,000 photos: wall and CPU) and one of the peers. Writes the raw JSON
# lines and the tables to bench/results/learn-DATE.txt
# (make bench-learn).
set -eu
# libgomp reads its wait policy when it loads: idle threads must sleep, not
# spin, on a shared machine (src/library.c). The peers get the same.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
runs=${2:-5}
data=${BENCH_WORK:-${TMPDIR:-/tmp}/derush-bench-$(id -un)}/learn
out=$here/../results/learn-$(date -u +%Y%m%d-%H%M).txt
bin=$build/bench/derush-bench-learn
[ -x "$bin" ] || { echo "bench-learn: $bin missing: build first" >&2; exit 2; }
mkdir -p "$(dirname "$out")" "$data"

{
  echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  bt=$(/usr/bin/python3 -c "import json,sys; print([o['value'] for o in json.load(open(sys.argv[1])) if o['name'] == 'buildtype'][0])" "$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo unknown)
  echo "# build $build ($bt); loadavg before $(cut -d' ' -f1-3 /proc/loadavg)"
  "$bin" "$data" "$runs"
  /usr/bin/python3 "$here/peers.py" "$data" "$runs" || echo '{"tool": "peers", "error": "failed"}'
  echo "# loadavg after $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"

/usr/bin/python3 - "$out" <<'PY' | tee -a "$out"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
get = {}
for r in rows:
    if "median_s" in r:
        get.setdefault((r["tool"], r["measure"], r["rows"]), r)
def t(tool, measure, rows, key="median_s"):
    r = get.get((tool, measure, rows))
    return r.get(key) if r else None
def fmt(s):
    return "-" if s is None else (f"{s * 1000:.1f} ms" if s < 10 else f"{s:.1f} s")
def ratio(a, b):
    return "-" if not a or b is None else f"{b / a:.0f}x" if b / a >= 10 else f"{b / a:.1f}x"
import re
print("\n| derush | wall | CPU | target | CV folds x trees, final trees | held-out accuracy / ROC AUC / log loss |")
print("|---|---:|---:|---|---|---|")
for n in (10, 100, 1000, 10000):
    r = get.get(("derush", "train_fit_cv", n))
    if not r:
        continue
    note = r.get("note", "")
    m = re.search(r"(\d+)-fold grouped CV \((\d+) trees each\).*model of (\d+) trees", note)
    h = re.search(r"held-out \(\d+ photos\) accuracy ([\d.]+) roc_auc ([\d.]+) log_loss ([\d.]+)", note)
    shape = f"{m.group(1)} x {m.group(2)}, {m.group(3)}" if m else note
    held = " / ".join(h.groups()) if h else "-"
    target = "< 0.5 s" if n == 1000 else ""
    print(f"| train on {n:,} labels (CV + calibration + thresholds + final model) | {fmt(r['median_s'])} "
          f"| {fmt(r['cpu_s'])} | {target} | {shape} | {held} |")
r = get.get(("derush", "predict_calibrated", 100000))
if r:
    print(f"| predict 100,000 photos in one call (p(keep), zone, uncertainty) | {fmt(r['median_s'])} "
          f"| {fmt(r['cpu_s'])} | < 150 ms | | |")
lines = [
    ("train on 1,000 labels, final model", "train_booster", 1000, ["xgboost"]),
    ("train on 1,000 labels with grouped CV + calibration", "train_fit_cv", 1000, ["sklearn"]),
    ("predict 100,000 photos, one call", "predict_calibrated", 100000, ["sklearn"]),
    ("predict 100,000 photos, raw scores", "predict_raw", 100000, ["xgboost"]),
    ("predict 100,000 photos one at a time", "predict_per_photo", 100000, ["sklearn"]),
    ("load the model", "load_model", 1000, ["xgboost", "sklearn"]),
]
print("\n| measure | derush wall (CPU) | peer | peer wall (CPU) | peer / derush, CPU |")
print("|---|---|---|---|---|")
for name, measure, n, peers in lines:
    dm = "predict_calibrated" if measure == "predict_per_photo" else measure
    if measure == "predict_raw":
        # derush's raw in-place call at its automatic thread count
        cands = [r for r in rows if r.get("tool") == "derush" and r.get("measure") == measure and r["rows"] == n]
        d, dc = (cands[-1]["median_s"], cands[-1]["cpu_s"]) if cands else (None, None)
    else:
        d, dc = t("derush", dm, n), t("derush", dm, n, "cpu_s")
    for p in peers:
        pw, pc = t(p, measure, n), t(p, measure, n, "cpu_s")
        print(f"| {name} | {fmt(d)} ({fmt(dc)}) | {p} | {fmt(pw)} ({fmt(pc)}) | {ratio(dc, pc)} |")
d, dc = t("derush", "predict_calibrated", 100000), t("derush", "predict_calibrated", 100000, "cpu_s")
if d:
    print(f"\nphoto-derush's 0.12 s a photo x 100,000 = 12,000 s: {12000 / d:,.0f}x derush's one call"
          f" (wall), {12000 / dc:,.0f}x (CPU)")
print("\nthreads (median wall s, CPU s): rows, 1 thread, all cores")
for measure in ("train_booster", "predict_raw"):
    sizes = sorted({r["rows"] for r in rows if r.get("measure") == measure and r.get("threads", 0) > 0})
    for n in sizes:
        one = [r for r in rows if r.get("measure") == measure and r["rows"] == n and r.get("threads") == 1]
        many = [r for r in rows if r.get("measure") == measure and r["rows"] == n and r.get("threads", 0) > 1]
        if one and many:
            print(f"  {measure} {n}: {one[0]['median_s']:.4f} ({one[0]['cpu_s']:.4f})"
                  f"  {many[0]['median_s']:.4f} ({many[0]['cpu_s']:.4f})")
PY
echo "bench-learn: written to $out"
