#!/bin/sh
# bench/blur/build-frames.sh OUT_DIR SPLIT [MAX_PHOTOS]
#
# Sharp and blurred frames of real photos, for `derush eval blur` and the
# sharpness tests: every usable JPEG of ../shared/corpus (coco_sample,
# exif_cameras, near_dups base images) is brought to at most 1024 px on the
# long edge (the sharp frame; shrinking only sharpens it), then blurred by
# ImageMagick in five ways whose strengths are fractions of the long edge L,
# as a defocus or a shake scales with the frame:
#   gauss1  Gaussian sigma 0.2 % of L   (2.0 px at 1024: soft at 100 %)
#   gauss2  Gaussian sigma 0.4 % of L   (4.1 px)
#   disk    defocus disc, radius 0.35 % of L (3.6 px)
#   motion1 motion blur over 1.2 % of L  (12 px), random angle
#   motion2 motion blur over 2.4 % of L  (25 px), random angle
# plus, for SPLIT=all or held-out, the corpus's own real triplets (blur/).
# SPLIT picks the photos: "tune" (even positions of the sorted list),
# "held-out" (odd positions) or "all". MAX_PHOTOS caps the photos taken
# (evenly spread over the split). Writes OUT_DIR/truth.csv as corpus/blur
# does: file,scene_id,device,label (label sharp, defocus_blur, motion_blur).
# The corpus is read from $DERUSH_CORPUS (default ../shared/corpus next to
# the repository). Needs ImageMagick's convert.
set -eu
out=${1:?usage: build-frames.sh OUT_DIR SPLIT [MAX_PHOTOS]}
split=${2:?split: tune, held-out or all}
max=${3:-1000}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${DERUSH_CORPUS:-$here/../../../shared/corpus}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 77; }
command -v convert >/dev/null || { echo "ImageMagick convert is missing" >&2; exit 77; }
mkdir -p "$out"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# Photos of at least 400 px on the short edge: smaller ones leave too
# little for a 512 px preview to judge. Sorted by name for a stable split.
for f in "$corpus"/coco_sample/images/*.jpg "$corpus"/exif_cameras/*.jpg \
         "$corpus"/exif_cameras/*.JPG "$corpus"/near_dups/base_images/*.jpg; do
  [ -f "$f" ] || continue
  size=$(identify -format '%w %h' "$f[0]" 2>/dev/null) || continue
  set -- $size
  [ "$1" -ge 400 ] && [ "$2" -ge 400 ] && printf '%s\n' "$f"
done | LC_ALL=C sort > "$list"
case $split in
  tune) keep='NR % 2 == 1' ;;
  held-out) keep='NR % 2 == 0' ;;
  all) keep='1' ;;
  *) echo "split: tune, held-out or all" >&2; exit 2 ;;
esac
picked=$(awk "$keep" "$list" | awk -v max="$max" '{a[NR] = $0} END {
  n = NR < max ? NR : max
  for (i = 0; i < n; i++) print a[int(i * NR / n) + 1] }')
echo "file,scene_id,device,label" > "$out/truth.csv"
i=0
printf '%s\n' "$picked" | while IFS= read -r f; do
  [ -n "$f" ] || continue
  i=$((i + 1))
  # Not sharp to begin with (checked by eye): a defocused green light. Left
  # out after the split, so the split stays what it was.
  case $f in */"Canon PowerShot S330.jpg") continue ;; esac
  id=$(printf 's%03d' "$i")
  base="$out/$id"
  convert "$f[0]" -auto-orient -resize '1024x1024>' -quality 92 "$base-sharp.jpg" 2>/dev/null ||
    continue
  L=$(identify -format '%[fx:max(w,h)]' "$base-sharp.jpg")
  angle=$(( (i * 47) % 180 ))
  g1=$(awk "BEGIN{print $L * 0.002}"); g2=$(awk "BEGIN{print $L * 0.004}")
  r=$(awk "BEGIN{print $L * 0.0035}")
  m1=$(awk "BEGIN{print $L * 0.012}"); m2=$(awk "BEGIN{print $L * 0.024}")
  convert "$base-sharp.jpg" -gaussian-blur "0x$g1" -quality 92 "$base-gauss1.jpg"
  convert "$base-sharp.jpg" -gaussian-blur "0x$g2" -quality 92 "$base-gauss2.jpg"
  convert "$base-sharp.jpg" -define convolve:scale='!' -morphology Convolve "Disk:$r" \
    -quality 92 "$base-disk.jpg"
  # -motion-blur takes a sigma; the streak it leaves is about 2 sigma long.
  convert "$base-sharp.jpg" -motion-blur "0x$(awk "BEGIN{print $m1 / 2}")+$angle" \
    -quality 92 "$base-motion1.jpg"
  convert "$base-sharp.jpg" -motion-blur "0x$(awk "BEGIN{print $m2 / 2}")+$angle" \
    -quality 92 "$base-motion2.jpg"
  src=$(basename "$f" | tr ',' '_')
  {
    echo "$id-sharp.jpg,$id,$src,sharp"
    echo "$id-gauss1.jpg,$id,$src,defocus_blur"
    echo "$id-gauss2.jpg,$id,$src,defocus_blur"
    echo "$id-disk.jpg,$id,$src,defocus_blur"
    echo "$id-motion1.jpg,$id,$src,motion_blur"
    echo "$id-motion2.jpg,$id,$src,motion_blur"
  } >> "$out/truth.csv"
done
if [ "$split" != tune ]; then
  tail -n +2 "$corpus/blur/labels.csv" | while IFS=, read -r file scene device label; do
    cp "$corpus/blur/$file" "$out/blur-$file"
    echo "blur-$file,blur$scene,$device,$label" >> "$out/truth.csv"
  done
fi
