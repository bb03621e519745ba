#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: derush side by side with peer tools (make bench).
#
#   a. metadata files/s: derush scan --no-thumbnails vs exiftool -fast,
#      python3-exifread and PIL getexif
#   b. thumbnails/s at 256 px: derush scan vs vipsthumbnail and PIL draft mode
#   c. photo-derush's first visit of a folder (its profiled call pattern,
#      replayed with PIL) vs derush scan + thumbnails
#   d. first-scan peak RSS at 1k/10k/100k files; rescan of 100k unchanged files
#   e. analysis: derush analyze (features + hashes from the cached previews)
#      and its per-photo stages (bench/analysis) vs a Python culler (PIL draft
#      + resize, imagehash-style dHash, numpy features) on the same files;
#      grouping 100,000 photos (bench/grouping); the exact hash search over
#      1,000,000 hashes (bench/hash-search)
#   f. start-up: --version, ls, label, undo beside /bin/true (the light
#      commands; README "Start-up")
#   app: derush-gtk on 100,000 photos under Xvfb: start-up, scroll frame
#      times, refresh cost, memory (bench/app.sh; only when BENCH_ONLY has it)
#
# Data sets are built once in $BENCH_WORK (default ${TMPDIR:-/tmp}/derush-bench-$USER,
# ~3.5 GB) and reused by later runs: ../shared/corpus (photo files only; skipped
# when absent, or set BENCH_CORPUS), the demo set of derush-demo-gen, that set
# scaled to 10,000 distinct files, and 100,000 tiny JPEGs.
# Knobs: BENCH_RUNS (timed runs of the fast tools on small sets, default 5),
# BENCH_ONLY=meta,thumbs,replay,rescan,analysis,startup (sections to run; the 100,000
# tiny JPEGs are made only for rescan).
# Results: printed, and written to bench/results/YYYY-MM-DD.md (gitignored;
# YYYY-MM-DD-SECTIONS.md with BENCH_ONLY).
# Build with -Dbuildtype=release for figures worth quoting.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
build="${1:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
derush="$build/cli/derush"
demogen="$build/tools/derush-demo-gen"
py=/usr/bin/python3   # Debian's python3, where python3-pil lives (not a pyenv one)

for bin in "$derush" "$demogen"; do
  if [ ! -x "$bin" ]; then
    echo "bench: $bin not found: build first (make build, or meson setup + ninja -C $build)" >&2
    exit 2
  fi
done

# --- tools, installed when missing (idempotent, like scripts/install-deps.sh) ---
need=""
for p in libimage-exiftool-perl python3 python3-pil python3-numpy python3-exifread libvips-tools time findutils; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    need="$need $p"
  fi
done
if [ -n "$need" ]; then
  echo "bench: installing:$need"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bench: need root or sudo to install:$need" >&2; exit 2; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  $sudo apt-get install -y -q --no-install-recommends $need
fi

buildtype="$(meson introspect "$build" --buildoptions 2>/dev/null |
  "$py" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])' \
  2>/dev/null || echo unknown)"
echo "bench: $derush ($buildtype build)"
if [ "$buildtype" != "release" ]; then
  echo "bench: note: figures worth quoting come from a release build:" >&2
  echo "bench:   meson setup build-bench -Dbuildtype=release && ninja -C build-bench && $0 build-bench" >&2
fi

# --- data sets, built once ---
work="${BENCH_WORK:-${TMPDIR:-/tmp}/derush-bench-${USER:-$(id -un)}}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
corpus="${BENCH_CORPUS:-$repo/../shared/corpus}"
sets=()

if [ -d "$corpus" ]; then
  "$py" "$here/mkdata.py" images "$(cd "$corpus" && pwd)" "$work/sets/corpus"
  sets+=(--set "corpus=$work/sets/corpus")
else
  echo "bench: $corpus is absent: skipping the corpus set"
fi

echo "bench: demo set (derush-demo-gen, made once)"
"$demogen" --out "$work/demo" >"$work/demo-gen.log" 2>&1 ||
  { tail -20 "$work/demo-gen.log" >&2; exit 2; }
"$py" "$here/mkdata.py" images "$work/demo" "$work/sets/demo"
sets+=(--set "demo=$work/sets/demo")

echo "bench: 10,000-file copy of the demo set (made once)"
"$py" "$here/mkdata.py" scale "$work/demo" "$work/sets/demo10k" 10000
sets+=(--set "demo10k=$work/sets/demo10k")

case ",${BENCH_ONLY:-rescan}," in
  *,rescan,*)
    echo "bench: 100,000 tiny JPEGs (made once)"
    "$py" "$here/mkdata.py" tiny "$work/demo" "$work/tiny" 100000
    ;;
esac

# app writes its own YYYY-MM-DD-app.md; nothing else asked for: done.
case ",${BENCH_ONLY:-}," in
  *,app,*)
    BENCH_WORK="$work" "$here/app.sh" "$build"
    BENCH_ONLY="$(echo ",$BENCH_ONLY," | sed 's/,app,/,/; s/^,//; s/,$//')"
    [ -n "$BENCH_ONLY" ] || exit 0
    export BENCH_ONLY
    ;;
esac

# A run of some sections only does not overwrite the day's full results.
only="${BENCH_ONLY:+-${BENCH_ONLY//,/-}}"
results="$here/results/$(date +%Y-%m-%d)$only.md"
exec "$py" "$here/bench.py" --derush "$derush" --work "$work" "${sets[@]}" \
  --tiny "$work/tiny" --results "$results" --build "$build" \
  --command "make bench BUILD=${1:-build}  (bench/run.sh ${1:-build}; $buildtype build)"
