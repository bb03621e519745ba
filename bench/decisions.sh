#!/bin/sh
# decisions.sh: label commit latency (p50/p99 over 1,000 labels), undo of
# 1,000 events, sidecar export of 10,000 photos, import of a 10,000-entry
# photo-derush file. Usage: bench/decisions.sh [BUILD_DIR] [N_PHOTOS]
# Builds bench/decisions/bench-decisions.c against BUILD_DIR's libderush.a
# (default build/) and runs it in a fresh temporary folder on the same disk
# as /tmp.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
n=${2:-10000}
[ -f "$build/src/libderush.a" ] || { echo "decisions.sh: build $build first (ninja -C $build)" >&2; exit 2; }
work=$(mktemp -d /tmp/derush-bench-decisions.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -I"$root/src" \
  "$root/bench/decisions/bench-decisions.c" "$build/src/libderush.a" \
  $(pkg-config --cflags --libs glib-2.0 gio-2.0 vips gexiv2 libraw_r sqlite3 json-glib-1.0 libxxhash) \
  -lm -lpthread -o "$work/bench-decisions"
echo "# derush decisions bench: $(nproc) cores, $(df -T /tmp | awk 'NR==2 {print $2}') at /tmp, $n photos"
"$work/bench-decisions" "$work" "$n"
