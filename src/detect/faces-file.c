/* faces-file.c: the faces of a photo file (`derush faces`, the analysis):
 * one mapping of the file, a preview decode, and a larger decode only when
 * the faces are small (faces.c decides). */
#include "face-detect.h"

/* The original, mapped only when a larger decode is asked for. */
typedef struct {
  const guint8 *data;
  gsize len;
  const char *name;
  int orientation;
  DerushMappedFile file;
  gboolean mapped;
} FileSource;

/* An upright sRGB image to a packed buffer. */
static gboolean
to_buffer(VipsImage *img, DerushFaceImage *out, GError **error)
{
  size_t len;
  guint8 *rgb = vips_image_write_to_memory(img, &len);
  if (!rgb || img->Bands != 3 || len != (size_t)img->Xsize * img->Ysize * 3) {
    g_free(rgb);
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot decode");
    return FALSE;
  }
  out->rgb = rgb;
  out->width = img->Xsize;
  out->height = img->Ysize;
  out->stride = (gsize)img->Xsize * 3;
  return TRUE;
}

static gboolean
decode_file(gpointer data, int long_side, DerushFaceImage *out, GError **error)
{
  FileSource *src = data;
  if (!src->data) {
    if (!_derush_mapped_file_open(&src->file, src->name, error))
      return FALSE;
    src->mapped = TRUE;
    src->data = src->file.data;
    src->len = src->file.len;
  }
  DerushImageInfo info;
  g_autoptr(VipsImage) img = NULL;
  if (!_derush_image_load(src->data, src->len, src->name, src->orientation, long_side, &info, &img,
                          error))
    return FALSE;
  return to_buffer(img, out, error);
}

/**
 * _derush_faces_find_in_buffer:
 *
 * The faces of the photo file held in @data (@name routes RAW files),
 * in original pixels; @people (nullable) where the people are;
 * @width/@height (out, optional) the original's upright size.
 */
gboolean
_derush_faces_find_in_buffer(DerushFaceModels *m, const guint8 *data, gsize len, const char *name,
                             int orientation, const DerushFacePeople *people, GArray *faces,
                             int *width, int *height, GError **error)
{
  FileSource src = {data, len, name, orientation, {0}, FALSE};
  DerushImageInfo info;
  if (!_derush_image_load(data, len, name, orientation, 0, &info, NULL, error))
    return FALSE;
  DerushFaceImage pv = {0};
  gboolean ok = decode_file(&src, DERUSH_THUMB_CACHE_SIZE, &pv, error);
  if (ok)
    ok = _derush_faces_find(m, &pv, info.width, info.height, people, decode_file, &src, faces, NULL,
                            error);
  g_free(pv.rgb);
  if (width)
    *width = info.width;
  if (height)
    *height = info.height;
  return ok;
}

/**
 * _derush_faces_find_in_photo:
 * @preview: the photo's decoded preview (the analysis' one decode)
 * @orig_width, @orig_height: the original's upright size
 * @people: (nullable): the people the object detector found in it
 *
 * The faces of a catalog photo from its preview; the file at @path is
 * opened only when faces.c asks for a larger decode.
 */
gboolean
_derush_faces_find_in_photo(DerushFaceModels *m, const char *path, int orientation,
                            VipsImage *preview, int orig_width, int orig_height,
                            const DerushFacePeople *people, GArray *faces, GError **error)
{
  FileSource src = {NULL, 0, path, orientation, {0}, FALSE};
  DerushFaceImage pv = {0};
  g_autoptr(VipsImage) norm = _derush_image_normalise(preview, error);
  gboolean ok = norm && to_buffer(norm, &pv, error) &&
                _derush_faces_find(m, &pv, orig_width, orig_height, people, decode_file, &src,
                                   faces, NULL, error);
  g_free(pv.rgb);
  if (src.mapped)
    _derush_mapped_file_close(&src.file);
  return ok;
}

/**
 * derush_faces_load_models:
 * @model_dir: (nullable): folder searched first
 * @error: return location for a GError
 *
 * Loads the face models once per process (later calls return at once).
 *
 * Returns: FALSE with DERUSH_ERROR_NOT_FOUND when a model file is missing,
 * or the executor's error when one cannot be loaded.
 */
gboolean
derush_faces_load_models(const char *model_dir, GError **error)
{
  return _derush_face_models_get(model_dir, error) != NULL;
}

/* DerushFacePeopleFunc: the object detector's people on the preview,
 * when its model (@data: the model folder searched first) is found. */
static float *
detect_people(gpointer data, const DerushFaceImage *preview, int orig_width, int orig_height,
              int *n)
{
  *n = 0;
  g_autoptr(GError) error = NULL;
  DerushDetector *det = _derush_detector_get(data, &error);
  if (!det) {
    g_debug("faces: no object detector, no people: %s", error->message);
    return NULL;
  }
  g_autoptr(GArray) dets = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  if (!_derush_detector_run(det, preview->rgb, preview->width, preview->height, preview->stride,
                            orig_width, orig_height, DERUSH_DETECT_STORE_SCORE, dets, NULL, NULL,
                            &error)) {
    g_debug("faces: object detector: %s", error->message);
    return NULL;
  }
  float *boxes;
  *n = _derush_people_boxes(dets, &boxes);
  return boxes;
}

/**
 * derush_faces_detect_file:
 * @path: a photo file
 * @model_dir: (nullable): folder searched first for the face models
 * @faces: (out) (transfer full): a GArray of DerushFace, best score first,
 *   in the upright original's pixels
 * @error: return location for a GError
 *
 * Finds the faces of one photo, without the catalog: YuNet on a 512 px
 * decode (again on a larger decode around small faces), each eye's
 * p(open), face sharpness, size and border cut. When the preview shows no
 * face and the object detector's model is found, the detector's people
 * say where to look again (derush_faces_detect_file_with_detections()).
 *
 * Returns: FALSE with DERUSH_ERROR_NOT_FOUND when a face model is missing,
 * or another error for an unreadable file.
 */
gboolean
derush_faces_detect_file(const char *path, const char *model_dir, GArray **faces, GError **error)
{
  return derush_faces_detect_file_with_detections(path, model_dir, NULL, faces, error);
}

/**
 * derush_faces_detect_file_with_detections:
 * @path: a photo file
 * @model_dir: (nullable): folder searched first for the models
 * @detections: (nullable) (element-type DerushDetection): the object
 *   detector's detections of the photo (derush_catalog_get_detections());
 *   NULL to run the detector, when its model is found, on the photos whose
 *   preview shows no face
 * @faces: (out) (transfer full): as derush_faces_detect_file()
 * @error: return location for a GError
 *
 * derush_faces_detect_file() with the people the object detector found:
 * faces too small for the preview are looked for on a larger decode of
 * their heads, so faces of 24 px in the original are found.
 *
 * Returns: as derush_faces_detect_file().
 */
gboolean
derush_faces_detect_file_with_detections(const char *path, const char *model_dir,
                                         const GArray *detections, GArray **faces, GError **error)
{
  g_return_val_if_fail(path != NULL && faces != NULL, FALSE);
  DerushFaceModels *m = _derush_face_models_get(model_dir, error);
  if (!m)
    return FALSE;
  DerushMappedFile file;
  if (!_derush_mapped_file_open(&file, path, error))
    return FALSE;
  DerushMeta meta;
  derush_meta_init(&meta);
  g_autoptr(GError) meta_error = NULL;
  if (!_derush_meta_read_buffer(file.data, file.len, &meta, &meta_error))
    g_debug("%s: %s", path, meta_error->message);
  g_autofree float *boxes = NULL;
  DerushFacePeople people = {NULL, 0, detect_people, (gpointer)model_dir};
  if (detections) {
    people.n = _derush_people_boxes(detections, &boxes);
    people.boxes = (const float(*)[4])(void *)boxes;
    people.find = NULL;
  }
  GArray *out = g_array_new(FALSE, FALSE, sizeof(DerushFace));
  gboolean ok = _derush_faces_find_in_buffer(m, file.data, file.len, path, meta.orientation,
                                             &people, out, NULL, NULL, error);
  derush_meta_clear(&meta);
  _derush_mapped_file_close(&file);
  if (!ok) {
    g_array_unref(out);
    return FALSE;
  }
  *faces = out;
  return TRUE;
}
