#!/bin/sh
# bench/learn/curves.sh [BUILD_DIR]: learning curves of `derush eval learning`
# on the four tastes of bench/tastes/build.sh (person, blur, burst, demo), in
# derush's active-learning order and in random order (the mean of
# RANDOM_SEEDS seeded shuffles, default 1..10: with 3 the blur taste's mean at
# 20 labels read 0.738 against 0.853 over 10), with the detector and face models
# of ../shared/models (DERUSH_MODEL_DIR) so the person features exist.
# Each taste gets a catalog of its own (its copies must not join another
# taste's groups). Writes the raw JSON to bench/results/learn-curves-DATE/,
# a table (curves.md) there, and the plot to docs/learning-curves.png
# (make learn-curves).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
case "$build" in /*) ;; *) build=$repo/$build ;; esac
work=${BENCH_WORK:-${TMPDIR:-/tmp}/derush-bench-$(id -un)}/tastes
out=$repo/bench/results/learn-curves-$(date -u +%Y%m%d-%H%M)
seeds=${RANDOM_SEEDS:-1 2 3 4 5 6 7 8 9 10}
export DERUSH_MODEL_DIR=${DERUSH_MODEL_DIR:-$repo/../shared/models}
export DERUSH_CACHE_DIR=$work/cache
derush=$build/cli/derush
[ -x "$derush" ] || { echo "learn-curves: $derush missing: build first" >&2; exit 2; }

rc=0
"$repo/bench/tastes/build.sh" "$work" "$build" || rc=$?
[ "$rc" = 77 ] && { echo "learn-curves: no corpus: skipped" >&2; exit 0; }
[ "$rc" = 0 ] || exit "$rc"
mkdir -p "$out"
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# DERUSH_MODEL_DIR=$DERUSH_MODEL_DIR; git $(git -C "$repo" rev-parse --short HEAD)"
} >"$out/run.txt"
for taste in ${TASTES:-person blur burst demo}; do
  cat=$work/$taste.db
  # The first run scans and analyses (detector and faces included); the
  # others find everything up to date.
  for order in active $(for s in $seeds; do echo "random:$s"; done); do
    name=${order%%:*}
    seed=${order#random:}
    [ "$name" = active ] && file=$taste-active.json || file=$taste-random-$seed.json
    echo "learn-curves: $taste $order" >&2
    start=$(date +%s)
    if [ "$name" = active ]; then
      nice "$derush" --catalog "$cat" eval learning --taste "$work/$taste/taste.csv" --json >"$out/$file"
    else
      nice "$derush" --catalog "$cat" eval learning --taste "$work/$taste/taste.csv" --json \
        --order random --seed "$seed" >"$out/$file"
    fi
    echo "$taste $order $(($(date +%s) - start)) s, loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/run.txt"
  done
done
/usr/bin/python3 "$here/plot-curves.py" "$out" "$repo/docs/learning-curves.png" | tee "$out/curves.md"
echo "learn-curves: results in $out, plot in docs/learning-curves.png" >&2
