#!/bin/sh
# The tracked C sources must be as .clang-format writes them (make format
# fixes them). Run by `meson test` (suite "format"), so make check and CI
# fail on drift.
set -eu
cd "${1:-$(dirname "$0")/..}"
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "not a git checkout: nothing to check"
  exit 77
fi
# shellcheck disable=SC2046
git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run --Werror
