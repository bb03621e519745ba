#!/usr/bin/env bash
# bench/app.sh [BUILD_DIR]: derush-gtk on a catalog of 100,000 photos (make bench-app).
#
# Reuses bench/run.sh's data: the 100,000 tiny JPEGs in $BENCH_WORK/tiny
# (made from the demo set once). The catalog is built once, by the CLI, in
# $BENCH_WORK/app/ (a scan with thumbnails: ~6 min on 2 cores), so the app
# opens a catalog that knows the folder, as a returning user's does. Not
# `derush analyze`: on this set (8 images, 12,500 copies each) grouping
# grew past 23 GB and was killed; the app's own analysis starts after
# each scan and runs, at background priority, during the measurements.
# Then bench/app.py runs derush-gtk under its own Xvfb with a replay script
# of bench commands (gtk/derush-bench-mode.c) and reports: time from process
# start to the first frame with photos, scroll frame times, the cost of a
# refresh of every photo's analysis, peak RSS, widgets created.
#
# Knobs: BENCH_WORK (default ${TMPDIR:-/tmp}/derush-bench-$USER),
# BENCH_APP_RUNS (cairo runs, default 3), BENCH_APP_RENDERERS (default
# cairo; cairo,gl adds one GL run, llvmpipe under Xvfb: software, slow),
# BENCH_APP_SECONDS (scroll, default 10), BENCH_APP_SPEED (px/s, default 3000).
# Results: printed, and written to bench/results/YYYY-MM-DD-app.md; the
# screenshots go to bench/results/shots/ (both gitignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
build="${1:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
derush="$build/cli/derush"
gtk="$build/gtk/derush-gtk"
demogen="$build/tools/derush-demo-gen"
py=/usr/bin/python3

for bin in "$derush" "$gtk" "$demogen"; do
  if [ ! -x "$bin" ]; then
    echo "bench-app: $bin not found: build first (meson setup $build -Dbuildtype=release && ninja -C $build)" >&2
    exit 2
  fi
done
for tool in Xvfb /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-app: $tool is missing (apt-get install xvfb time)" >&2; exit 2; }
done

work="${BENCH_WORK:-${TMPDIR:-/tmp}/derush-bench-${USER:-$(id -un)}}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

echo "bench-app: demo set and 100,000 tiny JPEGs (made once, as bench/run.sh)"
"$demogen" --out "$work/demo" >"$work/demo-gen.log" 2>&1 ||
  { tail -20 "$work/demo-gen.log" >&2; exit 2; }
"$py" "$here/mkdata.py" tiny "$work/demo" "$work/tiny" 100000

app="$work/app"
catalog="$app/catalog.db"
cache="$app/cache"
mkdir -p "$app"
# The marker names the set: a catalog of another folder is made again.
if [ "$(cat "$app/ready" 2>/dev/null)" != "$work/tiny" ]; then
  echo "bench-app: catalog of $work/tiny (made once: a scan with thumbnails)"
  rm -rf "$catalog" "$catalog-wal" "$catalog-shm" "$cache" "$app/ready"
  DERUSH_CACHE_DIR="$cache" "$derush" --catalog "$catalog" scan --json "$work/tiny" >"$app/scan.json"
  echo "$work/tiny" >"$app/ready"
fi

buildtype="$(meson introspect "$build" --buildoptions 2>/dev/null |
  "$py" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])' \
  2>/dev/null || echo unknown)"
[ "$buildtype" = release ] || echo "bench-app: note: a $buildtype build; figures worth quoting come from -Dbuildtype=release" >&2

exec "$py" "$here/app.py" --gtk "$gtk" --catalog "$catalog" --cache "$cache" --photos "$work/tiny" \
  --runs "${BENCH_APP_RUNS:-3}" --renderers "${BENCH_APP_RENDERERS:-cairo}" \
  --seconds "${BENCH_APP_SECONDS:-10}" --speed "${BENCH_APP_SPEED:-3000}" \
  --shots "$here/results/shots" --results "$here/results/$(date +%Y-%m-%d)-app.md" \
  --command "make bench-app BUILD=${1:-build}  (bench/app.sh ${1:-build}; $buildtype build)"
