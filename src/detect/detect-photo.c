/* detect-photo.c: one photo through the detector, from its decoded
 * preview to what the catalog stores (boxes, detector features, the
 * backbone embedding). The analysis pipeline calls it on the preview it
 * decoded for the quality features, so a photo is decoded once for both.
 * With mobilenetv2-12-int8.onnx beside the detector's model, the same
 * preview also gives the second embedding (mobilenet.c). */
#include "catalog/detections-store.h"
#include "detect-private.h"

void
_derush_detect_result_clear(DerushDetectResult *result)
{
  g_clear_pointer(&result->dets, g_array_unref);
}

/**
 * _derush_detect_preview:
 * @det: the detector
 * @preview: the photo's upright preview (in memory; 8-bit sRGB expected)
 * @orig_width: the original's displayed width (<= 0: the preview's)
 * @orig_height: its height
 * @result: (out): detections, features and embedding; clear with
 *   _derush_detect_result_clear()
 * @error: return location for a GError
 *
 * Keeps the detections above DERUSH_DETECT_STORE_SCORE. Counts
 * DERUSH_COUNTER_PHOTOS_DETECTED.
 *
 * Returns: FALSE with @error set when the preview's pixels or the forward
 * fail.
 */
gboolean
_derush_detect_preview(DerushDetector *det, VipsImage *preview, int orig_width, int orig_height,
                       DerushDetectResult *result, GError **error)
{
  memset(result, 0, sizeof *result);
  g_autoptr(VipsImage) rgb = NULL;
  if (preview->BandFmt == VIPS_FORMAT_UCHAR && preview->Bands == 3) {
    rgb = vips_image_copy_memory(preview);
  } else {
    g_autoptr(VipsImage) norm = _derush_image_normalise(preview, error);
    if (!norm)
      return FALSE;
    rgb = vips_image_copy_memory(norm);
  }
  if (!rgb) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot read the preview");
    return FALSE;
  }
  VipsRegion *region = vips_region_new(rgb);
  VipsRect all = {0, 0, rgb->Xsize, rgb->Ysize};
  if (vips_region_prepare(region, &all)) {
    g_object_unref(region);
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot read the preview");
    return FALSE;
  }
  const guint8 *px = (const guint8 *)VIPS_REGION_ADDR(region, 0, 0);
  gsize stride = VIPS_REGION_LSKIP(region);
  if (orig_width <= 0 || orig_height <= 0) {
    orig_width = rgb->Xsize;
    orig_height = rgb->Ysize;
  }
  result->dets = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  gboolean ok = _derush_detector_run(det, px, rgb->Xsize, rgb->Ysize, stride, orig_width,
                                     orig_height, DERUSH_DETECT_STORE_SCORE, result->dets,
                                     result->embedding, &result->has_embedding, error);
  if (ok)
    ok = _derush_detector_embed(det, px, rgb->Xsize, rgb->Ysize, stride, result->mobilenet,
                                &result->has_mobilenet, error);
  if (ok) {
    _derush_detect_features((const DerushDetection *)result->dets->data, (int)result->dets->len,
                            orig_width, orig_height, px, rgb->Xsize, rgb->Ysize, stride,
                            result->features);
    derush_counter_add(DERUSH_COUNTER_PHOTOS_DETECTED, 1);
  } else {
    _derush_detect_result_clear(result);
  }
  g_object_unref(region);
  return ok;
}

/* Stores @result as the detector run of @photo_id's version @content_hash.
 * Call inside a transaction. */
gboolean
_derush_detect_store(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                     const DerushDetectResult *result, GError **error)
{
  if (!_derush_catalog_store_detections(cat, photo_id, content_hash,
                                        (const DerushDetection *)result->dets->data,
                                        (int)result->dets->len, result->features, error))
    return FALSE;
  if (result->has_embedding &&
      !_derush_catalog_store_embedding(cat, photo_id, content_hash, DERUSH_EMBEDDING_YOLOX,
                                       result->embedding,
                                       derush_embedding_info(DERUSH_EMBEDDING_YOLOX)->size, error))
    return FALSE;
  if (result->has_mobilenet &&
      !_derush_catalog_store_embedding(
          cat, photo_id, content_hash, DERUSH_EMBEDDING_MOBILENET, result->mobilenet,
          derush_embedding_info(DERUSH_EMBEDDING_MOBILENET)->size, error))
    return FALSE;
  return TRUE;
}
