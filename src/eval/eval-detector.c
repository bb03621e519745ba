/* eval-detector.c: `derush eval detector`: the detector's COCO mAP on a
 * folder laid out like ../shared/corpus/coco_sample: images/ (the photos),
 * boxes.csv (image,width,height,class_id,class_name,x0,y0,x1,y1 in
 * pixels, one row per object) and classes.txt (80 names, COCO order).
 *
 * Each image goes through what `derush detect` does to a photo (decoded
 * to the 512 px preview, letterbox, forward, decode, NMS) but down to score
 * 0.01 and 100 boxes, as the COCO protocol wants, without a catalog: the
 * truth is the folder's own. boxes.csv has one row per object, not per
 * file, so the one-row-per-path truth reader (truth-csv.c) does not fit. */
#include "detect/detect-private.h"
#include "detector-map.h"

#define EVAL_SCORE 0.01f

/* Truth boxes by image name, from boxes.csv. */
static GHashTable *
read_boxes(const char *csv, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(csv, &text, NULL, error))
    return NULL;
  GHashTable *by_image =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    g_strstrip(lines[i]);
    if (!*lines[i] || (i == 0 && g_str_has_prefix(lines[i], "image,")))
      continue;
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    char *end = NULL;
    if (g_strv_length(f) != 9) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                  "%s line %d: 9 fields expected (image,width,height,class_id,class_name,x0,y0,"
                  "x1,y1)",
                  csv, i + 1);
      g_hash_table_unref(by_image);
      return NULL;
    }
    DerushDetection d = {.class_id = (int)g_ascii_strtoll(f[3], &end, 10), .score = 1};
    gboolean ok = end && *end == '\0' && d.class_id >= 0 && d.class_id < DERUSH_COCO_CLASSES;
    for (int k = 0; k < 4 && ok; k++) {
      d.box[k] = (float)g_ascii_strtod(f[5 + k], &end);
      ok = end && *end == '\0' && isfinite(d.box[k]);
    }
    if (!ok) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "%s line %d: bad class id or box", csv,
                  i + 1);
      g_hash_table_unref(by_image);
      return NULL;
    }
    GArray *a = g_hash_table_lookup(by_image, f[0]);
    if (!a) {
      a = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
      g_hash_table_insert(by_image, g_strdup(f[0]), a);
    }
    g_array_append_val(a, d);
  }
  return by_image;
}

/* The detections of one image file, as derush detect makes them. */
static gboolean
detect_file(DerushDetector *det, const char *path, GArray *dets, GError **error)
{
  DerushMappedFile file;
  if (!_derush_mapped_file_open(&file, path, error))
    return FALSE;
  DerushImageInfo info;
  g_autoptr(VipsImage) preview = NULL;
  gboolean ok = _derush_image_load(file.data, file.len, path, 1, DERUSH_THUMB_CACHE_SIZE, &info,
                                   &preview, error);
  _derush_mapped_file_close(&file);
  if (!ok)
    return FALSE;
  VipsRegion *region = vips_region_new(preview);
  VipsRect all = {0, 0, preview->Xsize, preview->Ysize};
  if (vips_region_prepare(region, &all)) {
    g_object_unref(region);
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot read the preview");
    return FALSE;
  }
  ok = _derush_detector_run(det, (const guint8 *)VIPS_REGION_ADDR(region, 0, 0), preview->Xsize,
                            preview->Ysize, VIPS_REGION_LSKIP(region), info.width, info.height,
                            EVAL_SCORE, dets, NULL, NULL, error);
  g_object_unref(region);
  return ok;
}

/**
 * derush_eval_detector:
 * @truth_dir: a folder with images/, boxes.csv and classes.txt
 * @model_dir: (nullable): the first folder searched for the model
 * @result: (out): the scores
 * @error: return location for a GError
 *
 * Runs the detector on every image of @truth_dir/images (an image without
 * a row in boxes.csv has no objects) and scores it with COCO's protocol
 * (detector-map.c): mAP at IoU 0.50, 0.75 and 0.50:0.95, averaged over the
 * classes present in the truth.
 *
 * Returns: FALSE with @error set when the folder is not laid out so, an
 * image cannot be read, or the model is missing (DERUSH_ERROR_NOT_FOUND).
 */
gboolean
derush_eval_detector(const char *truth_dir, const char *model_dir, DerushDetectorEval *result,
                     GError **error)
{
  g_return_val_if_fail(truth_dir != NULL && result != NULL, FALSE);
  memset(result, 0, sizeof *result);
  gint64 start = g_get_monotonic_time();
  g_autofree char *classes = g_build_filename(truth_dir, "classes.txt", NULL);
  g_autofree char *names = NULL;
  if (!g_file_get_contents(classes, &names, NULL, error))
    return FALSE;
  g_auto(GStrv) lines = g_strsplit(g_strstrip(names), "\n", -1);
  if (g_strv_length(lines) != DERUSH_COCO_CLASSES) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "%s: %u classes, the detector knows the %d of COCO", classes, g_strv_length(lines),
                DERUSH_COCO_CLASSES);
    return FALSE;
  }
  g_autofree char *csv = g_build_filename(truth_dir, "boxes.csv", NULL);
  g_autoptr(GHashTable) boxes = read_boxes(csv, error);
  if (!boxes)
    return FALSE;
  g_autofree char *images = g_build_filename(truth_dir, "images", NULL);
  g_autoptr(GDir) dir = g_dir_open(images, 0, error);
  if (!dir)
    return FALSE;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir)))
    if (derush_is_photo_name(name))
      g_ptr_array_add(files, g_strdup(name));
  g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
  if (files->len == 0) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "%s: no images", images);
    return FALSE;
  }
  DerushDetector *det = _derush_detector_get(model_dir, error);
  if (!det)
    return FALSE;

  int n = (int)files->len;
  GArray **truth = g_new0(GArray *, n), **dets = g_new0(GArray *, n);
  gboolean ok = TRUE;
  for (int i = 0; i < n && ok; i++) {
    GArray *t = g_hash_table_lookup(boxes, files->pdata[i]);
    truth[i] = t ? g_array_ref(t) : g_array_new(FALSE, FALSE, sizeof(DerushDetection));
    dets[i] = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
    g_autofree char *path = g_build_filename(images, files->pdata[i], NULL);
    ok = detect_file(det, path, dets[i], error);
  }
  if (ok) {
    DerushMap map;
    _derush_coco_map(n, truth, dets, &map);
    result->images = n;
    result->truth = map.truth;
    result->detections = map.detections;
    result->classes = map.classes;
    result->map50 = map.map50;
    result->map75 = map.map75;
    result->map50_95 = map.map50_95;
    result->seconds = (g_get_monotonic_time() - start) / 1e6;
  }
  for (int i = 0; i < n; i++) {
    if (truth[i])
      g_array_unref(truth[i]);
    if (dets[i])
      g_array_unref(dets[i]);
  }
  g_free(truth);
  g_free(dets);
  return ok;
}
