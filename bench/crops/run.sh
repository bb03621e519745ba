#!/usr/bin/env bash
# bench/crops/run.sh [BUILD_DIR]: derush and findimagedupes side by side on
# near-duplicate sets of off-centre crops (issue 21), made from photos no
# tuning saw: pairwise precision, recall, F1, recall per edit kind, time.
#
# The set: tools/make-copy-sets.py on 36 originals from four corpus folders
# (coco_sample, near_dups base images, blur sharp frames, formats albums),
# each with 12 copies (exact, resize, re-encode, grey, brighten, centred
# crop, and an off-centre 90-95% crop alone and with resize, brighten,
# a 1-3 degree turn, re-encode or grey on top). The windows were tuned on
# 12 other photos (exif_cameras: Apple iPhone 4 ... Kodak PIXPRO FZ201, see
# README.md) and the tests use 6 more of exif_cameras.
#
# derush: a new catalog, `derush scan` + `derush eval grouping` (which
# analyzes and groups), timed together; its groups are scored by
# score.py as findimagedupes' are (and must agree with eval's own figures).
# findimagedupes (Debian package) at -t 85%, the setting the issue quotes.
# Results: printed, and bench/results/crops-YYYY-MM-DD.md (gitignored).
# Knobs: BENCH_WORK (default ${TMPDIR:-/tmp}/derush-bench-$USER), BENCH_CORPUS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$(dirname "$here")")"
build="${1:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
derush="$build/cli/derush"
corpus="${BENCH_CORPUS:-$repo/../shared/corpus}"
work="${BENCH_WORK:-${TMPDIR:-/tmp}/derush-bench-$USER}/crops"
py=/usr/bin/python3
[ -x "$derush" ] || { echo "bench: $derush not found: build first" >&2; exit 2; }
[ -d "$corpus" ] || { echo "bench: $corpus is absent" >&2; exit 2; }
for tool in findimagedupes convert exiftool; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done

set_dir="$work/set"
if [ ! -f "$set_dir/truth.csv" ]; then
  photos=()
  for f in $(ls "$corpus"/coco_sample/images/*.jpg | head -14); do photos+=("$f"); done
  for f in "$corpus"/near_dups/base_images/*.jpg; do photos+=("$f"); done
  for f in "$corpus"/blur/*_S.*; do photos+=("$f"); done
  for f in "$corpus"/formats/albums/nature/*.jpg; do photos+=("$f"); done
  echo "bench: making the set from ${#photos[@]} photos in $set_dir"
  rm -rf "$set_dir"
  nice "$py" "$repo/tools/make-copy-sets.py" "$set_dir" "${photos[@]}" --max-side 1600 --seed 2026
fi
n_files=$(find "$set_dir" -name '*.jpg' | wc -l)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# derush: fresh catalog and cache each run.
rm -rf "$work/derush" && mkdir -p "$work/derush"
export XDG_DATA_HOME="$work/derush/xdg" DERUSH_CACHE_DIR="$work/derush/cache"
db="$work/derush/catalog.db"
t0=$(date +%s.%N)
"$derush" --catalog "$db" scan "$set_dir" >/dev/null
"$derush" --catalog "$db" eval grouping --truth "$set_dir/truth.csv" --json >"$work/derush/eval.json"
t1=$(date +%s.%N)
"$derush" --catalog "$db" groups --json --kind near_dup |
  "$py" -c 'import json,sys
for l in sys.stdin:
    print("\t".join(json.loads(l)["paths"]))' >"$work/derush/groups.tsv"
"$py" "$here/score.py" "$set_dir/truth.csv" "$work/derush/groups.tsv" >"$work/derush/score.json"

# findimagedupes: fingerprints and comparison in one run, no database.
rm -rf "$work/fid" && mkdir -p "$work/fid"
t2=$(date +%s.%N)
findimagedupes -q -t 85% -R -- "$set_dir" >"$work/fid/out.txt" 2>/dev/null || true
t3=$(date +%s.%N)
# One group a line, paths separated by spaces (the set's names have none).
tr ' ' '\t' <"$work/fid/out.txt" >"$work/fid/groups.tsv"
"$py" "$here/score.py" "$set_dir/truth.csv" "$work/fid/groups.tsv" >"$work/fid/score.json"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$repo/bench/results"
out="$repo/bench/results/crops-$(date +%F).md"
"$py" - "$work" "$n_files" "$t0" "$t1" "$t2" "$t3" "$load_before" "$load_after" >"$out" <<'PY'
import json, sys
work, n, t0, t1, t2, t3, lb, la = sys.argv[1:9]
d = json.load(open(f"{work}/derush/score.json"))
e = json.load(open(f"{work}/derush/eval.json"))
f = json.load(open(f"{work}/fid/score.json"))
print(f"# off-centre crop sets: derush vs findimagedupes ({n} photos)\n")
print(f"load average before {lb}, after {la}\n")
print("| tool | precision | recall | F1 | pairs found / correct / truth | seconds |")
print("|---|---|---|---|---|---|")
for name, s, a, b in (("derush scan + eval grouping", d, t0, t1),
                      ("findimagedupes -t 85%", f, t2, t3)):
    print(f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
          f"{s['pairs_found']} / {s['pairs_correct']} / {s['pairs_truth']} | "
          f"{float(b) - float(a):.1f} |")
print(f"\nderush eval grouping's own figures: precision {e['precision']:.3f}, "
      f"recall {e['recall']:.3f}, F1 {e['f1']:.3f}\n")
print("| edit kind | derush recall | findimagedupes recall |")
print("|---|---|---|")
for k in sorted(d["by_relation"]):
    print(f"| {k} | {d['by_relation'][k]:.3f} | {f['by_relation'].get(k, 0):.3f} |")
PY
cat "$out"
echo "bench: written to $out"
