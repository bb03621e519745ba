#!/bin/sh
# install-deps.sh: installs what derush needs to build, test and run on
# Debian 12. Idempotent and non-interactive: when every package is already
# there it asks apt nothing (no network, no root needed).
set -eu

PACKAGES="
  gcc make pkg-config meson ninja-build clang-format
  libglib2.0-dev libvips-dev libvips-tools libgexiv2-dev libraw-dev
  libsqlite3-dev sqlite3 libjson-glib-dev libxxhash-dev libxgboost-dev libgtk-4-dev libadwaita-1-dev
  valgrind xvfb xauth dbus dbus-x11 appstream desktop-file-utils imagemagick libimage-exiftool-perl exiv2
  mate-backgrounds python3 python3-pil python3-numpy python3-matplotlib
  libdnnl-dev libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata
  python3-onnx python3-opencv
"
# `install-deps.sh fuzz` (make fuzz): the clang toolchain and libFuzzer
# runtime for the fuzz build; make check does not need them.
if [ "${1:-}" = fuzz ]; then
  PACKAGES="clang llvm libclang-rt-14-dev"
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
