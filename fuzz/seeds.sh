#!/bin/sh
# fuzz/seeds.sh NAME OUT_DIR: a small seed corpus for harness NAME, made at
# run time from ../shared/corpus (never copied into the repository) and,
# for the image decoder, tiny images in every format derush reads. The
# committed hand-made seeds in fuzz/corpus/NAME are passed to the fuzzer
# separately. Without ../shared the fuzzer starts from those alone.
set -eu
name=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${DERUSH_SHARED_DIR:-$here/../../shared}
corpus=$shared/corpus
mkdir -p "$out"

# Image files of the shared corpus (not the dumps, CSVs and READMEs).
images() {
  [ -d "$corpus" ] || return 0
  find "$corpus" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \
    -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.webp' -o -iname '*.heic' \
    -o -iname '*.avif' -o -iname '*.gif' -o -iname '*.dng' -o -iname '*.nef' \
    -o -iname '*.kdc' -o -iname '*.cr2' -o -iname '*.jxl' \) -print
}

# Copy under a name made of the content hash (two copies of a file in the
# corpus are one seed), keeping at most $2 bytes of each file.
add() {
  sum=$(head -c "$2" "$1" | sha1sum | cut -c1-16)
  [ -f "$out/$sum" ] || head -c "$2" "$1" >"$out/$sum"
}

case $name in
meta)
  # Metadata sits in the first 64 KiB of a JPEG (APP1) and of most TIFF/RAW
  # files; the pixels behind it only slow every run down.
  images | while IFS= read -r f; do add "$f" 65536; done
  [ -d "$corpus" ] && find "$corpus" -type f -name '*.xmp' | while IFS= read -r f; do add "$f" 65536; done
  ;;
image)
  # Small whole files (truncating pixels only finds the truncation error),
  # plus one tiny image per loader and variant, made by the vips CLI.
  images | while IFS= read -r f; do
    case $f in *.[dD][nN][gG] | *.[kK][dD][cC] | *.[nN][eE][fF] | *.[cC][rR]2) max=1048576 ;; *) max=65536 ;; esac
    [ "$(stat -c %s "$f")" -le $max ] && add "$f" $max
  done
  if command -v vips >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    vips black "$tmp/b.v" 48 32 --bands 3
    vips linear "$tmp/b.v" "$tmp/g.v" 1 40
    for t in g.jpg g.png g.tif g.webp g.gif g.ppm "g.jpg[interlace,Q=30]" \
      "g.tif[compression=jpeg,tile]" "g.png[bitdepth=16]" "g.webp[lossless]" \
      g.heic g.avif; do
      vips copy "$tmp/g.v" "$tmp/$t" 2>/dev/null || true
    done
    vips colourspace "$tmp/g.v" "$tmp/grey.jpg" b-w 2>/dev/null || true
    vips colourspace "$tmp/g.v" "$tmp/cmyk.jpg" cmyk 2>/dev/null || true
    for f in "$tmp"/*; do
      case $f in *.v) ;; *) add "$f" 65536 ;; esac
    done
    rm -rf "$tmp"
  fi
  ;;
sidecar)
  [ -d "$corpus" ] && find "$corpus" -type f -name '*.xmp' | while IFS= read -r f; do add "$f" 65536; done
  ;;
onnx)
  # ONNX's own node tests (libonnx-testdata: one small graph per operator)
  # and the small real models of ../shared/models.
  testdata=/usr/share/libonnx-testdata/data/node
  [ -d $testdata ] && find $testdata -name model.onnx | while IFS= read -r f; do add "$f" 65536; done
  [ -d "$shared/models" ] && find "$shared/models" -maxdepth 1 -name '*.onnx' -size -300k |
    while IFS= read -r f; do add "$f" 1048576; done
  ;;
import | settings)
  # Nothing in ../shared/corpus is of this kind: the committed seeds are it.
  ;;
*)
  echo "seeds.sh: unknown harness $name" >&2
  exit 2
  ;;
esac
echo "seeds: $name: $(find "$out" -type f | wc -l) files in $out"
