#!/bin/sh
# bench/detect-e2e.sh: object detection end to end over N photos, derush
# beside an OpenCV DNN loop (python3-opencv, bench/detect/opencv_detect.py)
# on the same files and the same yolox_nano.onnx, one after the other.
#
#   bench/detect-e2e.sh [BUILD_DIR] [N]
#
# The N photos are copies of ../shared/corpus's JPEGs (cycled, renamed) in a
# temporary folder, never in the repository.  derush scans them first (not
# timed: that caches the previews), then `derush detect` is timed: preview
# decode + letterbox + forward + NMS + store, for every photo: once with
# the YOLOX model alone (like for like with the OpenCV loop) and once with
# every model of DERUSH_MODEL_DIR (MobileNetV2's embedding adds a forward).  The OpenCV
# loop reads each original (imread), letterboxes, forwards and runs NMS.
# Then derush-bench-detect-preview times the detector alone from the cached
# preview (decode timed apart; letterbox + forward + NMS + features +
# embedding + store), with the detector's model only and with MobileNet's
# beside it (the second embedding, one more forward).
# Writes the raw lines and the table to bench/results/detect-e2e-DATE.txt.
set -eu
# derush's own OpenMP settings (passive threads spinning 10,000 iterations,
# one thread while the machine is busy: src/nn/nn-threads.h) unless the
# caller sets OMP_WAIT_POLICY / GOMP_SPINCOUNT / DERUSH_NN_THREADS.
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
n=${2:-1000}
models=${DERUSH_MODEL_DIR:-$here/../../shared/models}
corpus=${DERUSH_CORPUS:-$here/../../shared/corpus}
derush=$build/cli/derush
out=$here/results/detect-e2e-$(date -u +%Y%m%d-%H%M).txt
[ -f "$models/yolox_nano.onnx" ] || { echo "detect-e2e.sh: no yolox_nano.onnx in $models" >&2; exit 1; }
[ -x "$derush" ] || { echo "detect-e2e.sh: build $derush first" >&2; exit 1; }
mkdir -p "$here/results"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/photos" "$tmp/yolox-only"
ln -s "$models/yolox_nano.onnx" "$tmp/yolox-only/yolox_nano.onnx"
# The previews the scan caches, and nothing of the user's.
export DERUSH_CACHE_DIR="$tmp/cache"
find "$corpus/coco_sample" "$corpus/near_dups" "$corpus/blur" "$corpus/faces" "$corpus/exif_cameras" \
  -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) 2>/dev/null | sort > "$tmp/sources"
[ -s "$tmp/sources" ] || { echo "detect-e2e.sh: no JPEGs under $corpus" >&2; exit 1; }
i=0
while [ "$i" -lt "$n" ]; do
  while read -r f && [ "$i" -lt "$n" ]; do
    cp "$f" "$tmp/photos/$(printf %05d "$i").jpg"
    i=$((i + 1))
  done < "$tmp/sources"
done

now_ms() { date +%s%3N; }
# Runs a command that must find no model but YOLOX's (the folders derush
# searches after --model-dir: DERUSH_MODEL_DIR, XDG_DATA_HOME's).
only_yolox() { env -u DERUSH_MODEL_DIR XDG_DATA_HOME="$tmp/no-data" "$@"; }
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores, $n photos, loadavg before $(cut -d' ' -f1-3 /proc/loadavg)"
  # A few corpus files are broken on purpose: both tools skip them (the
  # scan and detect exit 1 for them, which is not a bench failure).
  "$derush" --catalog "$tmp/cat.db" scan "$tmp/photos" > /dev/null 2>&1 || true
  # Two copies of the scanned catalog: one for the detector alone (like
  # for like with the OpenCV loop, which runs YOLOX only), one for what a
  # user with every model gets (+ MobileNetV2's embedding forward).
  for f in "$tmp"/cat.db*; do cp "$f" "$tmp/full${f#"$tmp/cat"}"; done
  t0=$(now_ms)
  json=$(only_yolox "$derush" --catalog "$tmp/cat.db" --model-dir "$tmp/yolox-only" detect --json "$tmp/photos" 2>/dev/null || true)
  t1=$(now_ms)
  echo "{\"runtime\": \"derush detect, detector only\", \"wall_s\": $(( t1 - t0 ))e-3, \"cli\": $json, \"loadavg\": \"$(cut -d' ' -f1 /proc/loadavg)\"}"
  t0=$(now_ms)
  json=$("$derush" --catalog "$tmp/full.db" --model-dir "$models" detect --json "$tmp/photos" 2>/dev/null || true)
  t1=$(now_ms)
  echo "{\"runtime\": \"derush detect, + MobileNet embedding\", \"wall_s\": $(( t1 - t0 ))e-3, \"cli\": $json, \"loadavg\": \"$(cut -d' ' -f1 /proc/loadavg)\"}"
  t0=$(now_ms)
  cv=$(/usr/bin/python3 "$here/detect/opencv_detect.py" loop --model "$models/yolox_nano.onnx" "$tmp"/photos/*.jpg)
  t1=$(now_ms)
  echo "{\"runtime\": \"opencv-dnn loop\", \"wall_s\": $(( t1 - t0 ))e-3, \"cli\": $cv, \"loadavg\": \"$(cut -d' ' -f1 /proc/loadavg)\"}"
  only_yolox "$build/bench/derush-bench-detect-preview" "$tmp/cat.db" "$tmp/yolox-only" | sed 's/preview->store"/preview->store, detector only"/'
  "$build/bench/derush-bench-detect-preview" "$tmp/cat.db" "$models" | sed 's/preview->store"/preview->store, + MobileNet embedding"/'
} > "$out"
/usr/bin/python3 - "$out" "$n" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
n = int(sys.argv[2])
print("| runtime | photos | wall s | per photo ms | load average after |")
print("| --- | --- | --- | --- | --- |")
for r in rows[:3]:
    print(f"| {r['runtime']} | {n} | {r['wall_s']:.1f} | {1000 * r['wall_s'] / n:.1f} | {r['loadavg']} |")
d, full, c = rows[0]["wall_s"], rows[1]["wall_s"], rows[2]["wall_s"]
print(f"\nderush detect (YOLOX only, like the OpenCV loop) is {c / d:.2f}x faster than the OpenCV DNN loop;"
      f" with the MobileNet embedding as well, {c / full:.2f}x")
print("\nFrom the cached preview, decode timed apart (ms a photo; the first photo, which builds the plan, not counted):\n")
print("| run | photos | decode median | detect median | store mean (+ commit) | no decode: median / mean | CPU ms a photo |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in rows[3:]:
    print(f"| {r['runtime']} | {r['photos']} | {r['decode_ms']['median']:.1f} | {r['detect_ms']['median']:.1f} | "
          f"{r['store_ms']['mean']:.2f} (+{r['commit_ms_per_photo']:.2f}) | {r['no_decode_ms']['median']:.1f} / {r['no_decode_ms']['mean']:.1f} | {r['cpu_ms_per_photo']:.1f} |")
PY
echo "raw: $out"
