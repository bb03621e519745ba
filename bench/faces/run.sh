#!/usr/bin/env bash
# bench/faces/run.sh BUILD_DIR [FILE...]: face detection + eye state per photo,
# derush (src/nn on oneDNN) side by side with OpenCV DNN on the same previews.
# Default files: ../shared/corpus/faces and coco_sample (photos with and
# without people). Models from $DERUSH_MODEL_DIR or ../shared/models.
# OMP_WAIT_POLICY=passive: oneDNN's OpenMP threads otherwise spin between the
# small forwards, which on a shared 2-core machine costs ~10x the CPU.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$(dirname "$here")")"
build="${1:-build}"; shift || true
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
models="${DERUSH_MODEL_DIR:-$repo/../shared/models}"
if [ $# -eq 0 ]; then
  set -- "$repo"/../shared/corpus/faces/images/*.jpg "$repo"/../shared/corpus/coco_sample/images/*.jpg
fi
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
echo "derush:     $("$build/bench/derush-bench-faces" "$models" "$@")"
echo "opencv-dnn: $(/usr/bin/python3 "$here/opencv-faces.py" "$models" "$@")"
