#!/usr/bin/env bash
# bench/app-first.sh [BUILD_DIR]: a new folder's first screenful in derush-gtk
# (part of make bench-app).
#
# Makes, once, a folder of 12-MP camera-like JPEGs in $BENCH_WORK/jpeg12mp:
# real photos (../shared/corpus/near_dups, else Debian's mate-backgrounds)
# upscaled to 4000x3000 by ImageMagick, quality 92, with EXIF written by
# exiftool (Make, Model, DateTimeOriginal one second apart, and a 160x120
# embedded EXIF thumbnail as cameras write). Then bench/app_first.py opens
# that folder in derush-gtk under its own Xvfb, each run on an empty
# catalog and thumbnail cache (a first visit), and reports the time from
# process start to the first frame with a full screen of thumbnails
# (`bench first-screen`), to the first photos (`bench startup`) and to the
# end of the scan (`bench loaded`).
#
# Knobs: BENCH_WORK (default ${TMPDIR:-/tmp}/derush-bench-$USER),
# BENCH_FIRST_PHOTOS (default 60), BENCH_FIRST_RUNS (default 5).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
build="${1:-build}"
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
gtk="$build/gtk/derush-gtk"
[ -x "$gtk" ] || { echo "app-first: $gtk not found: build first" >&2; exit 2; }
for tool in Xvfb convert exiftool; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "app-first: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
done

work="${BENCH_WORK:-${TMPDIR:-/tmp}/derush-bench-${USER:-$(id -un)}}"
n="${BENCH_FIRST_PHOTOS:-60}"
set_dir="$work/jpeg12mp-$n"
if [ ! -f "$set_dir/.complete" ]; then
  src="$repo/../shared/corpus/near_dups"
  [ -d "$src" ] || src=/usr/share/backgrounds/mate/nature
  # Photos ImageMagick reads (the corpus keeps corrupt files on purpose).
  mapfile -t sources < <(find "$src" -maxdepth 2 -iname '*.jpg' | sort |
    while read -r f; do identify "$f" >/dev/null 2>&1 && echo "$f"; done)
  [ "${#sources[@]}" -gt 0 ] || { echo "app-first: no source photos in $src" >&2; exit 2; }
  echo "app-first: $n 12-MP JPEGs from $src into $set_dir (made once)"
  rm -rf "$set_dir"
  mkdir -p "$set_dir"
  tmp="$(mktemp -d)"
  for i in $(seq 0 $((n - 1))); do
    s="${sources[$((i % ${#sources[@]}))]}"
    out="$set_dir/$(printf 'DSC_%04d.JPG' "$((i + 1))")"
    convert "$s" -auto-orient -resize 4000x3000^ -gravity center -extent 4000x3000 \
      -quality 92 -strip "$out"
    convert "$out" -resize 160x120 -quality 80 "$tmp/thumb.jpg"
    exiftool -q -overwrite_original -Make="NIKON CORPORATION" -Model="NIKON D7000" \
      -DateTimeOriginal="2024:06:01 10:$(printf '%02d:%02d' $((i / 60)) $((i % 60)))" \
      "-ThumbnailImage<=$tmp/thumb.jpg" "$out"
  done
  rm -rf "$tmp"
  touch "$set_dir/.complete"
fi

exec /usr/bin/python3 "$here/app_first.py" --gtk "$gtk" --photos "$set_dir" \
  --runs "${BENCH_FIRST_RUNS:-5}" --results "$here/results/$(date +%Y-%m-%d)-app-first.md" \
  --command "bench/app-first.sh ${1:-build}"
