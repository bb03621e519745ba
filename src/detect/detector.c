/* detector.c: YOLOX-nano on a preview, loaded once per process.
 *
 * photo-derush reloads its detector again and again (2.4 s a load); here
 * the model is loaded the first time a photo needs it and kept for the
 * life of the process (derush_shutdown frees it). One forward at a time:
 * oneDNN already spreads a forward over every core, and the executor is
 * not thread-safe per model, so workers take turns under the lock while
 * the others decode previews. The same forward yields the embedding: the
 * deepest backbone feature map (dark5's output, 256 x 13 x 13) averaged
 * over space. */
#include "detect-private.h"
#include "nn/nn.h"
#include "util/tsan-handoff.h"

/* dark5's output in yolox_nano.onnx (../shared/models/README.md lists the
 * graph): the SiLU after the last CSP layer's conv3, before the PAFPN. */
#define BACKBONE_TENSOR "input.359"

struct _DerushDetector {
  GMutex lock; /* one forward at a time */
  DerushNnModel *model;
  char *path;
  gboolean embedding;       /* the backbone tensor is kept */
  DerushNnModel *mobilenet; /* the second embedding's model, when found */
};

/* MobileNetV2 for the second embedding, when its file is there: NULL
 * without it (nothing to say: it is optional), or when it does not load
 * (said once, the detector still works). */
static DerushNnModel *
load_mobilenet(const char *model_dir)
{
  g_autofree char *path = _derush_model_find(DERUSH_EMBEDDING_MODEL, model_dir);
  if (!path)
    return NULL;
  g_autoptr(GError) error = NULL;
  DerushNnModel *m = _derush_nn_model_load(path, &error);
  if (m && !_derush_mobilenet_prepare(m, &error))
    g_clear_pointer(&m, _derush_nn_model_free);
  if (!m)
    g_message("no MobileNetV2 embedding: %s", error->message);
  return m;
}

static GMutex detector_lock;
static DerushDetector *detector;

/**
 * _derush_detector_get:
 * @model_dir: (nullable): the first folder to look in
 * @error: return location for a GError
 *
 * The process's detector, loaded on first use. Not finding the model file
 * is DERUSH_ERROR_NOT_FOUND with derush_model_missing_hint()'s text; a
 * model that does not load is DERUSH_ERROR_CORRUPT (the executor's message
 * names the node).
 *
 * Returns: (transfer none): the detector, or NULL with @error set.
 */
DerushDetector *
_derush_detector_get(const char *model_dir, GError **error)
{
  g_mutex_lock(&detector_lock);
  if (detector) {
    g_mutex_unlock(&detector_lock);
    return detector;
  }
  g_autofree char *path = _derush_model_find(DERUSH_DETECTOR_MODEL, model_dir);
  if (!path) {
    g_autofree char *hint = derush_model_missing_hint(DERUSH_DETECTOR_MODEL);
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, hint);
    g_mutex_unlock(&detector_lock);
    return NULL;
  }
  g_autoptr(GError) local = NULL;
  DerushNnModel *model = _derush_nn_model_load(path, &local);
  if (!model) {
    g_autofree char *display = g_filename_display_name(path);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "%s: %s", display, local->message);
    g_mutex_unlock(&detector_lock);
    return NULL;
  }
  DerushDetector *d = g_new0(DerushDetector, 1);
  g_mutex_init(&d->lock);
  d->model = model;
  d->path = g_steal_pointer(&path);
  /* Another export of YOLOX may name its tensors otherwise: detections
   * still work, the embedding is then missing. */
  d->embedding = _derush_nn_model_keep_tensor(model, BACKBONE_TENSOR, &local);
  if (!d->embedding)
    g_debug("%s: no embedding: %s", d->path, local->message);
  d->mobilenet = load_mobilenet(model_dir);
  detector = d;
  g_mutex_unlock(&detector_lock);
  _derush_on_shutdown(_derush_detector_release);
  return d;
}

/* Frees the process's detector (derush_shutdown). */
void
_derush_detector_release(void)
{
  g_mutex_lock(&detector_lock);
  if (detector) {
    _derush_nn_model_free(detector->model);
    _derush_nn_model_free(detector->mobilenet);
    g_mutex_clear(&detector->lock);
    g_free(detector->path);
    g_clear_pointer(&detector, g_free);
  }
  g_mutex_unlock(&detector_lock);
}

/* Mean over space of a 1 x C x H x W tensor into @out (C values). */
static gboolean
global_average(const float *t, const int64_t *shape, int rank, float *out, int size)
{
  if (!t || rank != 4 || shape[0] != 1 || shape[1] != size || shape[2] < 1 || shape[3] < 1)
    return FALSE;
  gsize hw = (gsize)(shape[2] * shape[3]);
  for (int c = 0; c < size; c++) {
    double s = 0;
    for (gsize i = 0; i < hw; i++)
      s += t[(gsize)c * hw + i];
    out[c] = (float)(s / hw);
  }
  return TRUE;
}

/* The model's forward, one worker at a time. GLib 2.74's GMutex is a
 * futex ThreadSanitizer cannot see (tsan-handoff.h): the lock is marked for
 * it, so the model's state one forward leaves (fused graph, plans, arena)
 * is not read as racing with the next worker's forward (make tsan,
 * test-detect: m->fused in _derush_nn_model_run_many). */
static void
model_lock(DerushDetector *det)
{
  g_mutex_lock(&det->lock);
  DERUSH_HANDOFF_ACQUIRE(&det->lock);
}

static void
model_unlock(DerushDetector *det)
{
  DERUSH_HANDOFF_RELEASE(&det->lock);
  g_mutex_unlock(&det->lock);
}

/**
 * _derush_detector_run:
 * @det: the detector
 * @rgb: the preview, packed 8-bit RGB, upright
 * @width: its width
 * @height: its height
 * @stride: bytes a row
 * @orig_width: the original's width (the boxes' frame)
 * @orig_height: its height
 * @score_min: keep detections scoring above this
 * @dets: (out): GArray of DerushDetection, appended to (at most
 *   DERUSH_DETECT_MAX, best first, clipped to the original's frame)
 * @embedding: (out caller-allocates) (optional): 256 floats
 * @has_embedding: (out) (optional): whether @embedding was filled
 * @error: return location for a GError
 *
 * Letterbox, one forward, decode and NMS.
 *
 * Returns: FALSE with @error set when the forward fails.
 */
gboolean
_derush_detector_run(DerushDetector *det, const guint8 *rgb, int width, int height, gsize stride,
                     int orig_width, int orig_height, float score_min, GArray *dets,
                     float *embedding, gboolean *has_embedding, GError **error)
{
  g_return_val_if_fail(det != NULL && rgb != NULL && dets != NULL, FALSE);
  if (has_embedding)
    *has_embedding = FALSE;
  const int size = DERUSH_YOLOX_SIZE;
  g_autofree float *input = g_new(float, 3 * size * size);
  double r = _derush_letterbox(rgb, width, height, stride, size, input);
  const int64_t shape[] = {1, 3, size, size};

  model_lock(det);
  g_autoptr(GError) local = NULL;
  if (!_derush_nn_model_run(det->model, input, shape, 4, &local)) {
    model_unlock(det);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "detector: %s", local->message);
    return FALSE;
  }
  const int64_t *oshape = NULL;
  int orank = 0;
  const float *out = _derush_nn_model_output(det->model, 0, &oshape, &orank);
  if (!out || orank != 3 || oshape[0] != 1 || oshape[1] != DERUSH_YOLOX_ROWS ||
      oshape[2] != 5 + DERUSH_YOLOX_CLASSES) {
    model_unlock(det);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "%s: not YOLOX-nano's output (1 x %d x %d expected)", det->path, DERUSH_YOLOX_ROWS,
                5 + DERUSH_YOLOX_CLASSES);
    return FALSE;
  }
  /* Boxes come back in the preview's pixels (r is the preview's scale);
   * scaling by the original's size over the preview's maps them to the
   * original, both upright. */
  double to_orig = (orig_width > 0 ? (double)orig_width / width : 1.0);
  guint first = dets->len;
  _derush_yolox_decode(out, DERUSH_YOLOX_ROWS, DERUSH_YOLOX_CLASSES, size, r / to_orig, score_min,
                       0.45f, DERUSH_DETECT_MAX, dets);
  if (embedding && det->embedding) {
    const int64_t *eshape = NULL;
    int erank = 0;
    const float *t = _derush_nn_model_tensor(det->model, BACKBONE_TENSOR, &eshape, &erank);
    gboolean ok = global_average(t, eshape, erank, embedding,
                                 derush_embedding_info(DERUSH_EMBEDDING_YOLOX)->size);
    if (has_embedding)
      *has_embedding = ok;
  }
  model_unlock(det);

  float fw = orig_width > 0 ? orig_width : width, fh = orig_height > 0 ? orig_height : height;
  for (guint i = first; i < dets->len; i++) {
    float *b = g_array_index(dets, DerushDetection, i).box;
    b[0] = CLAMP(b[0], 0, fw);
    b[2] = CLAMP(b[2], 0, fw);
    b[1] = CLAMP(b[1], 0, fh);
    b[3] = CLAMP(b[3], 0, fh);
  }
  return TRUE;
}

/**
 * _derush_detector_embed:
 * @det: the detector
 * @rgb: the preview, packed 8-bit RGB, upright
 * @width: its width
 * @height: its height
 * @stride: bytes a row
 * @out: (out caller-allocates): DERUSH_MOBILENET_EMBEDDING floats
 * @has: (out): whether @out was filled (FALSE: no MobileNetV2 model)
 * @error: return location for a GError
 *
 * The MobileNetV2 embedding (mobilenet.c), one forward under the
 * detector's lock.
 *
 * Returns: FALSE with @error set when the forward fails.
 */
gboolean
_derush_detector_embed(DerushDetector *det, const guint8 *rgb, int width, int height, gsize stride,
                       float *out, gboolean *has, GError **error)
{
  *has = FALSE;
  if (!det->mobilenet)
    return TRUE;
  model_lock(det);
  gboolean ok = _derush_mobilenet_embed(det->mobilenet, rgb, width, height, stride, out, error);
  model_unlock(det);
  *has = ok;
  return ok;
}
