#!/usr/bin/env bash
# bench/tastes/build.sh OUT [BUILD_DIR]: the three tastes `derush eval learning`
# is measured on, made reproducibly from ../shared/corpus and the demo set.
#
#   OUT/person/taste.csv  keep the photos with a prominent person that are sharp
#                         and well exposed; trash the rest and a blurred (sigma
#                         0.8-2.5 px) and a darkened (0.5-1.5 EV) copy of every
#                         keeper. From coco_sample: a
#                         person is prominent when its largest COCO box covers
#                         at least PERSON_AREA (5 %) of the frame; well exposed
#                         means a mean luminance in 0.15..0.85.
#   OUT/blur/taste.csv    blur triplets: keep the sharp frame, trash its defocused
#                         and its shaken copy. The 3 real triplets of corpus/blur
#                         plus one made from each photo of exif_cameras (camera
#                         EXIF kept, so a triplet is one burst) and coco_sample.
#   OUT/burst/taste.csv   the bursts of the demo set (derush-demo-gen, seed 1):
#                         keep one frame per burst, trash the others. The demo's
#                         burst frames are the same pan, equally sharp, so the
#                         other sharp frames get a slight blur (sigma 0.8-1.6, a
#                         hand that moved) and the kept one is the sharpest, as a
#                         photographer would pick; the demo's blurred frames stay
#                         trash. Every frame is re-encoded alike (quality 92).
#   OUT/demo/taste.csv    the whole demo set (the taste of the previous session's
#                         figures): keep the sharp, burst, re-encoded and RAW-pair
#                         files, trash the defocused, shaken, mis-exposed, noisy.
#
# Every file is written under OUT (a temporary folder: nothing here is committed);
# the corpus is only read. The copies are made by ImageMagick (convert), which
# keeps the EXIF block, so a copy stays in its original's session and burst.
# The choice of blur strength and of a burst's kept frame comes from a hash of
# the file name: the same corpus gives the same tastes. A taste already built
# (OUT/NAME/taste.csv) is left alone; delete it to rebuild.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:?usage: build.sh OUT [BUILD_DIR]}"
build="${2:-$repo/build}"
corpus="${BENCH_CORPUS:-$repo/../shared/corpus}"
PERSON_AREA="${PERSON_AREA:-0.05}"
py=/usr/bin/python3

if [ ! -d "$corpus/coco_sample" ]; then
  echo "tastes: $corpus/coco_sample not found (set BENCH_CORPUS): skipped" >&2
  exit 77
fi
command -v convert >/dev/null || { echo "tastes: ImageMagick (convert) missing" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# A number in [lo, hi) from the hash of a name: reproducible "randomness".
hashed() { # NAME LO HI
  local h
  h=$(printf %s "$1" | md5sum | cut -c1-6)
  awk -v h=$((16#$h)) -v lo="$2" -v hi="$3" 'BEGIN { printf "%.2f", lo + (hi - lo) * h / 16777216 }'
}

im() { nice -n 10 convert -limit thread 1 "$@"; }

# ------------------------------------------------------------------ person
person() {
  local dir="$out/person"
  [ -f "$dir/taste.csv" ] && return 0
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/photos" "$dir.tmp/copies"
  # Keepers: prominent person by COCO boxes, exposure by the mean luminance.
  "$py" - "$corpus/coco_sample" "$PERSON_AREA" >"$dir.tmp/keepers.txt" <<'EOF'
import csv, os, sys
root, need = sys.argv[1], float(sys.argv[2])
best = {}
for r in csv.DictReader(open(os.path.join(root, "boxes.csv"))):
    if r["class_name"] == "person":
        a = (float(r["x1"]) - float(r["x0"])) * (float(r["y1"]) - float(r["y0"]))
        a /= int(r["width"]) * int(r["height"])
        best[r["image"]] = max(best.get(r["image"], 0.0), a)
for name in sorted(os.listdir(os.path.join(root, "images"))):
    print(name, 1 if best.get(name, 0.0) >= need else 0)
EOF
  echo "path,label" >"$dir.tmp/taste.csv"
  while read -r name prominent; do
    local src="$corpus/coco_sample/images/$name" stem="${name%.jpg}"
    im "$src" -quality 92 "$dir.tmp/photos/$name"
    local mean
    mean=$(convert "$src" -colorspace gray -format '%[fx:mean]' info:)
    local label=trash
    if [ "$prominent" = 1 ] && awk -v m="$mean" 'BEGIN { exit !(m >= 0.15 && m <= 0.85) }'; then
      label=keep
      im "$src" -gaussian-blur "0x$(hashed "$stem-blur" 0.8 2.5)" -quality 92 \
        "$dir.tmp/copies/${stem}_blurred.jpg"
      im "$src" -evaluate multiply "$(hashed "$stem-dark" 0.35 0.7)" -quality 92 \
        "$dir.tmp/copies/${stem}_dark.jpg"
      echo "copies/${stem}_blurred.jpg,trash" >>"$dir.tmp/taste.csv"
      echo "copies/${stem}_dark.jpg,trash" >>"$dir.tmp/taste.csv"
    fi
    echo "photos/$name,$label" >>"$dir.tmp/taste.csv"
  done <"$dir.tmp/keepers.txt"
  rm "$dir.tmp/keepers.txt"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# ------------------------------------------------------------------ blur
# One triplet from SRC into DIR/STEM_{S,F,M}.jpg, at most 1024 px.
triplet() { # SRC DIR STEM CSV
  local src="$1" dir="$2" stem="$3" csv="$4"
  im "$src" -auto-orient -resize '1024x1024>' -quality 92 "$dir/${stem}_S.jpg"
  im "$src" -auto-orient -resize '1024x1024>' -blur "0x$(hashed "$stem-F" 1.5 4.0)" \
    -quality 92 "$dir/${stem}_F.jpg"
  im "$src" -auto-orient -resize '1024x1024>' \
    -motion-blur "0x$(hashed "$stem-M" 3.0 8.0)+$(hashed "$stem-A" 0 180)" -quality 92 \
    "$dir/${stem}_M.jpg"
  printf '%s,keep\n%s,trash\n%s,trash\n' "${dir##*/}/${stem}_S.jpg" "${dir##*/}/${stem}_F.jpg" \
    "${dir##*/}/${stem}_M.jpg" >>"$csv"
}

blur() {
  local dir="$out/blur"
  [ -f "$dir/taste.csv" ] && return 0
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/real" "$dir.tmp/cameras" "$dir.tmp/coco"
  echo "path,label" >"$dir.tmp/taste.csv"
  # The real triplets, as they are.
  tail -n +2 "$corpus/blur/labels.csv" | while IFS=, read -r file _ _ label; do
    cp "$corpus/blur/$file" "$dir.tmp/real/"
    echo "real/$file,$([ "$label" = sharp ] && echo keep || echo trash)" >>"$dir.tmp/taste.csv"
  done
  local f i=0
  for f in "$corpus"/exif_cameras/*.[jJ][pP][gG]; do
    # Icons and thumbnails are not photos to cull.
    local short
    short=$(identify -format '%[fx:min(w,h)]' "$f[0]" 2>/dev/null || echo 0)
    [ "${short%.*}" -ge 300 ] || continue
    i=$((i + 1))
    triplet "$f" "$dir.tmp/cameras" "$(printf 'cam%02d' "$i")" "$dir.tmp/taste.csv"
  done
  for f in "$corpus"/coco_sample/images/*.jpg; do
    local b="${f##*/}"
    triplet "$f" "$dir.tmp/coco" "${b%.jpg}" "$dir.tmp/taste.csv"
  done
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# ------------------------------------------------------------------ demo
# The demo set (seed 1), generated once into OUT/demo-set.
demo_set() {
  local gen="$build/tools/derush-demo-gen"
  [ -f "$out/demo-set/.complete" ] && return 0
  [ -x "$gen" ] || { echo "tastes: $gen missing: build first" >&2; exit 2; }
  nice -n 10 "$gen" --out "$out/demo-set" --seed 1 >/dev/null
}

# The demo set as a whole: keep the sharp frames, burst frames, re-encodes and
# RAW pairs; trash the defocused, shaken, under- and overexposed and noisy ones
# (the two files without EXIF are left out: a screenshot is not a photo).
demo() {
  local dir="$out/demo"
  [ -f "$dir/taste.csv" ] && return 0
  demo_set
  mkdir -p "$dir"
  "$py" - "$out/demo-set/truth.csv" >"$dir/taste.tmp" <<'EOF'
import csv, sys
keep = {"sharp", "burst", "near_dup", "raw_pair"}
trash = {"defocus", "motion", "under", "over", "noisy"}
print("path,label")
for r in csv.DictReader(open(sys.argv[1])):
    if r["kind"] in keep | trash:
        print("../demo-set/%s,%s" % (r["path"], "keep" if r["kind"] in keep else "trash"))
EOF
  mv "$dir/taste.tmp" "$dir/taste.csv"
}

# ------------------------------------------------------------------ burst
burst() {
  local dir="$out/burst"
  [ -f "$dir/taste.csv" ] && return 0
  demo_set
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  echo "path,label" >"$dir.tmp/taste.csv"
  # The frames of each burst; the kept one: the sharp frame with the lowest
  # hash of its name.
  "$py" - "$out/demo-set/truth.csv" >"$dir.tmp/plan.txt" <<'EOF'
import csv, hashlib, sys
bursts = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["burst"]:
        bursts.setdefault(r["burst"], []).append(r)
for b, rows in sorted(bursts.items(), key=lambda kv: int(kv[0])):
    sharp = [r["path"] for r in rows if r["kind"] == "burst"]
    if not sharp:
        continue
    kept = min(sharp, key=lambda p: hashlib.md5(p.encode()).hexdigest())
    for r in rows:
        role = "keep" if r["path"] == kept else ("soften" if r["kind"] == "burst" else "bad")
        print(role, r["path"])
EOF
  while read -r role path; do
    local dst="$dir.tmp/$path"
    mkdir -p "$(dirname "$dst")"
    case "$role" in
    soften) im "$out/demo-set/$path" -gaussian-blur "0x$(hashed "$path" 0.8 1.6)" -quality 92 "$dst" ;;
    *) im "$out/demo-set/$path" -quality 92 "$dst" ;;
    esac
    echo "$path,$([ "$role" = keep ] && echo keep || echo trash)" >>"$dir.tmp/taste.csv"
  done <"$dir.tmp/plan.txt"
  rm -f "$dir.tmp/plan.txt"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

for t in ${TASTES:-person blur burst demo}; do
  echo "tastes: $t" >&2
  "$t"
  echo "tastes: $t: $(($(wc -l <"$out/$t/taste.csv") - 1)) photos," \
    "$(grep -c ',keep$' "$out/$t/taste.csv") keep" >&2
done
