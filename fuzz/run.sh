#!/bin/sh
# fuzz/run.sh BUILD_DIR [NAME...]: runs each libFuzzer harness for
# $FUZZ_SECONDS (default 60), one after the other, under nice (make fuzz).
#
# Per harness, BUILD_DIR/fuzz-work/NAME/ keeps the corpus the fuzzer grew
# (so a later run starts where this one stopped), the seeds made from
# ../shared/corpus, the log, and any crash-*/timeout-*/oom-* input. A crash
# is an input to fix and then commit under fuzz/regressions/NAME, where
# make check replays it. Exits 1 when any harness found something.
set -u
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-60}
names=${*:-meta image sidecar import settings onnx}
# Undefined behaviour is a finding like a crash: stop on it and keep the
# input (UBSan only prints and goes on by default).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
status=0
for name in $names; do
  bin=$build/fuzz/fuzz-$name
  if [ ! -x "$bin" ]; then
    echo "fuzz: $name: no $bin (not built here), skipped"
    continue
  fi
  work=$build/fuzz-work/$name
  mkdir -p "$work/corpus" "$work/seeds"
  "$here/seeds.sh" "$name" "$work/seeds" || exit 2
  inputs="$work/corpus $work/seeds"
  [ -d "$here/corpus/$name" ] && inputs="$inputs $here/corpus/$name"
  [ -d "$here/regressions/$name" ] && inputs="$inputs $here/regressions/$name"
  echo "fuzz: $name for ${seconds}s (log: $work/log)"
  # -timeout: a photo that takes 30 s is a hang to report, not to wait for;
  # -rss_limit_mb: the scanner's worst real photo peaks near 110 MB.
  # shellcheck disable=SC2086
  nice "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
    -artifact_prefix="$work/" -print_final_stats=1 $inputs >"$work/log" 2>&1
  rc=$?
  grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$work/log" | tail -1
  grep -E '^stat::number_of_executed_units' "$work/log"
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) | sort)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    status=1
    echo "fuzz: $name FOUND something (exit $rc):"
    grep -E 'ERROR|SUMMARY' "$work/log" | head -5
    for f in $found; do echo "  $f"; done
    echo "  fix it, then: cp INPUT $here/regressions/$name/ (make check replays it)"
  fi
done
exit $status
