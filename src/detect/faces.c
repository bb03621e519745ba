/* faces.c: finding the faces of a photo and their eye state, with the two
 * models run by src/nn/ (YuNet, the open/closed eye classifier).
 *
 * YuNet runs on the photo's decoded preview (the 512 px the analysis
 * already has). A face of 24 px in a 6000 px original is 2 px there, so
 * when the largest face found is small in the preview, YuNet runs again on
 * a larger decode of the region around the faces, whose finds replace the
 * preview's. The eyes are cut from the largest image at hand: the eye
 * classifier sees 32x32 crops, and a crop from a 10 px eye in the preview
 * is mostly blur. Both models load once per process; a lock serialises
 * their forwards (the executor is not thread-safe per model). */
#include "face-detect.h"
#include "detect-private.h"
#include "nn/nn.h"

/* The largest face narrower than this (preview pixels) asks for the
 * region pass; eyes closer than this in the preview are cut from a larger
 * decode. */
#define SMALL_FACE_PX 40.0f
#define SMALL_EYES_PX 24.0f
/* The larger decode: never over this long side, nor more than this many
 * times the preview. */
#define LARGE_MAX_SIDE 2048
#define LARGE_MAX_FACTOR 4.0
/* YuNet's input for the region pass: at most this long. Both passes pad
 * to multiples of SHAPE_QUANTUM (few input shapes, few plans). */
#define REGION_MAX_SIDE 640
#define SHAPE_QUANTUM 128

struct _DerushFaceModels {
  DerushNnModel *yunet, *eye;
  GMutex lock;
};

static GMutex models_lock;
static DerushFaceModels *models; /* loaded once, never freed */

static char *
find_model(const char *file, const char *model_dir, GError **error)
{
  char *path = _derush_model_find(file, model_dir);
  if (!path)
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND,
                "face model %s not found (put it in --model-dir, $DERUSH_MODEL_DIR or "
                "$XDG_DATA_HOME/derush/models)",
                file);
  return path;
}

/**
 * _derush_face_models_get:
 * @model_dir: (nullable): searched first
 *
 * Returns: (transfer none): the process' face models, loaded on the first
 * call; NULL with DERUSH_ERROR_NOT_FOUND when a model file is missing.
 */
DerushFaceModels *
_derush_face_models_get(const char *model_dir, GError **error)
{
  g_mutex_lock(&models_lock);
  if (!models) {
    g_autofree char *yp = find_model(DERUSH_YUNET_FILE, model_dir, error);
    g_autofree char *ep = yp ? find_model(DERUSH_EYE_FILE, model_dir, error) : NULL;
    DerushNnModel *y = ep ? _derush_nn_model_load(yp, error) : NULL;
    DerushNnModel *e = y ? _derush_nn_model_load(ep, error) : NULL;
    if (e) {
      models = g_new0(DerushFaceModels, 1);
      models->yunet = y;
      models->eye = e;
      g_mutex_init(&models->lock);
    } else if (y) {
      _derush_nn_model_free(y);
    }
  }
  DerushFaceModels *m = models;
  g_mutex_unlock(&models_lock);
  return m;
}

/* YuNet on one packed RGB image; faces appended in its pixels. */
static gboolean
run_yunet(DerushFaceModels *m, const guint8 *rgb, int w, int h, gsize stride, int quantum,
          GArray *faces, GError **error)
{
  int pw, ph;
  g_autofree float *input = _derush_yunet_input(rgb, w, h, stride, quantum, &pw, &ph);
  const int64_t shape[4] = {1, 3, ph, pw};
  if (!_derush_nn_model_run(m->yunet, input, shape, 4, error))
    return FALSE;
  DerushYunetOutputs out;
  for (int k = 0; k < DERUSH_YUNET_N_STRIDES; k++) {
    const int64_t *s;
    int r;
    out.cls[k] = _derush_nn_model_tensor(m->yunet, _derush_yunet_cls[k], &s, &r);
    out.obj[k] = _derush_nn_model_tensor(m->yunet, _derush_yunet_obj[k], &s, &r);
    out.bbox[k] = _derush_nn_model_tensor(m->yunet, _derush_yunet_bbox[k], &s, &r);
    out.kps[k] = _derush_nn_model_tensor(m->yunet, _derush_yunet_kps[k], &s, &r);
    if (!out.cls[k] || !out.obj[k] || !out.bbox[k] || !out.kps[k]) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "%s: no output %s", DERUSH_YUNET_FILE,
                  _derush_yunet_cls[k]);
      return FALSE;
    }
  }
  _derush_yunet_decode(&out, pw, ph, DERUSH_YUNET_SCORE, DERUSH_YUNET_NMS, faces);
  return TRUE;
}

/* Both eyes' p(open) of @face (landmarks in @rgb's pixels), each the mean
 * over its DERUSH_EYE_N_CROPS crops. */
static gboolean
run_eyes(DerushFaceModels *m, const guint8 *rgb, int w, int h, gsize stride, DerushFace *face,
         GError **error)
{
  g_autofree float *t = g_new(float, 2 * DERUSH_EYE_N_CROPS * DERUSH_EYE_TENSOR);
  face->eyes_open[0] = face->eyes_open[1] = NAN;
  if (!_derush_eye_inputs(rgb, w, h, stride, face, t))
    return TRUE;
  const int64_t shape[4] = {1, 3, DERUSH_EYE_SIZE, DERUSH_EYE_SIZE};
  for (int e = 0; e < 2; e++) {
    double sum = 0;
    for (int k = 0; k < DERUSH_EYE_N_CROPS; k++) {
      if (!_derush_nn_model_run(m->eye, t + (gsize)(e * DERUSH_EYE_N_CROPS + k) * DERUSH_EYE_TENSOR,
                                shape, 4, error))
        return FALSE;
      const int64_t *s;
      int r;
      sum += _derush_eye_p_open(_derush_nn_model_output(m->eye, 0, &s, &r));
    }
    face->eyes_open[e] = (float)(sum / DERUSH_EYE_N_CROPS);
  }
  return TRUE;
}

static float
face_width(const DerushFace *f)
{
  return f->box[2] - f->box[0];
}

static float
eye_distance(const DerushFace *f)
{
  return hypotf(f->landmarks[1][0] - f->landmarks[0][0], f->landmarks[1][1] - f->landmarks[0][1]);
}

/* A copy of the rectangle [x0, x1) x [y0, y1) of @img, box-averaged by an
 * integer @shrink (>= 1), packed. */
static guint8 *
crop_shrink(const DerushFaceImage *img, int x0, int y0, int x1, int y1, int shrink, int *w, int *h)
{
  int ow = MAX(1, (x1 - x0) / shrink), oh = MAX(1, (y1 - y0) / shrink);
  guint8 *out = g_malloc((gsize)ow * oh * 3);
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      for (int c = 0; c < 3; c++) {
        int sum = 0, n = 0;
        for (int dy = 0; dy < shrink; dy++) {
          int sy = MIN(y0 + y * shrink + dy, img->height - 1);
          for (int dx = 0; dx < shrink; dx++) {
            int sx = MIN(x0 + x * shrink + dx, img->width - 1);
            sum += img->rgb[(gsize)sy * img->stride + 3 * (gsize)sx + c];
            n++;
          }
        }
        out[((gsize)y * ow + x) * 3 + c] = (guint8)((sum + n / 2) / n);
      }
  *w = ow;
  *h = oh;
  return out;
}

/* The region pass: YuNet again on the part of @large around the faces
 * found in the preview (@faces, preview pixels, @k preview -> large).
 * Its faces replace the preview's there. */
static gboolean
region_pass(DerushFaceModels *m, const DerushFaceImage *large, double k, GArray *faces,
            GError **error)
{
  float x0 = G_MAXFLOAT, y0 = G_MAXFLOAT, x1 = -G_MAXFLOAT, y1 = -G_MAXFLOAT, wmax = 0;
  for (guint i = 0; i < faces->len; i++) {
    const DerushFace *f = &g_array_index(faces, DerushFace, i);
    x0 = MIN(x0, f->box[0]);
    y0 = MIN(y0, f->box[1]);
    x1 = MAX(x1, f->box[2]);
    y1 = MAX(y1, f->box[3]);
    wmax = MAX(wmax, face_width(f));
  }
  /* Around the faces, as far again as a few faces: people stand in rows. */
  float margin = 4 * wmax;
  int rx0 = CLAMP((int)((x0 - margin) * k), 0, large->width);
  int ry0 = CLAMP((int)((y0 - margin) * k), 0, large->height);
  int rx1 = CLAMP((int)ceil((x1 + margin) * k), 0, large->width);
  int ry1 = CLAMP((int)ceil((y1 + margin) * k), 0, large->height);
  if (rx1 - rx0 < 32 || ry1 - ry0 < 32)
    return TRUE;
  int shrink = MAX(1, (MAX(rx1 - rx0, ry1 - ry0) + REGION_MAX_SIDE - 1) / REGION_MAX_SIDE);
  int w, h;
  g_autofree guint8 *rgb = crop_shrink(large, rx0, ry0, rx1, ry1, shrink, &w, &h);
  guint first = faces->len;
  if (!run_yunet(m, rgb, w, h, (gsize)w * 3, SHAPE_QUANTUM, faces, error))
    return FALSE;
  /* Region pixels -> preview pixels, as the first pass' faces. */
  _derush_faces_map(faces, first, shrink / k, shrink / k, rx0 / k, ry0 / k);
  _derush_faces_replace(faces, first, 0.3f);
  return TRUE;
}

/**
 * _derush_faces_find:
 * @m: the models
 * @preview: the photo's decoded preview, upright
 * @orig_width, @orig_height: the original's upright size (<= 0: the preview's)
 * @decode: (nullable): decodes the original at a larger size when needed
 * @decode_data: its data
 * @faces: (out): DerushFace appended, in original pixels, best score first
 * @error: return location for a GError
 *
 * Counts one YuNet forward (two with the region pass) and the eye forwards
 * per face whose eyes are far enough apart to tell (2 x DERUSH_EYE_N_CROPS).
 */
gboolean
_derush_faces_find(DerushFaceModels *m, const DerushFaceImage *preview, int orig_width,
                   int orig_height, DerushFaceDecodeFunc decode, gpointer decode_data,
                   GArray *faces, GError **error)
{
  if (orig_width <= 0 || orig_height <= 0) {
    orig_width = preview->width;
    orig_height = preview->height;
  }
  double up = (double)MAX(orig_width, orig_height) / MAX(preview->width, preview->height);
  g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
  DerushFaceImage large = {0};
  gboolean ok = FALSE;
  g_mutex_lock(&m->lock);
  if (!run_yunet(m, preview->rgb, preview->width, preview->height, preview->stride, SHAPE_QUANTUM,
                 found, error))
    goto out;

  float wmax = 0, dmin = G_MAXFLOAT;
  for (guint i = 0; i < found->len; i++) {
    wmax = MAX(wmax, face_width(&g_array_index(found, DerushFace, i)));
    dmin = MIN(dmin, eye_distance(&g_array_index(found, DerushFace, i)));
  }
  /* The larger decode, when the original has more to give: small faces
   * or small eyes. */
  gboolean small = up > 1.25 && (wmax < SMALL_FACE_PX || dmin < SMALL_EYES_PX);
  if (found->len > 0 && decode && small) {
    int side =
        (int)MIN(MAX(orig_width, orig_height),
                 MIN(LARGE_MAX_SIDE, LARGE_MAX_FACTOR * MAX(preview->width, preview->height)));
    g_autoptr(GError) local = NULL;
    if (!decode(decode_data, side, &large, &local))
      g_debug("faces: no larger decode: %s", local->message);
  }
  double k = large.rgb ? (double)large.width / preview->width : 1.0;
  if (large.rgb && up > 1.25 && wmax < SMALL_FACE_PX && !region_pass(m, &large, k, found, error))
    goto out;

  _derush_faces_sharpness(preview->rgb, preview->width, preview->height, preview->stride, found);
  for (guint i = 0; i < found->len; i++) {
    DerushFace *f = &g_array_index(found, DerushFace, i);
    if (large.rgb) {
      /* Landmarks into the large image for the crops, then back. */
      DerushFace g = *f;
      g_autoptr(GArray) one = g_array_new(FALSE, FALSE, sizeof(DerushFace));
      g_array_append_val(one, g);
      _derush_faces_map(one, 0, k, k, 0, 0);
      DerushFace *lg = &g_array_index(one, DerushFace, 0);
      if (!run_eyes(m, large.rgb, large.width, large.height, large.stride, lg, error))
        goto out;
      f->eyes_open[0] = lg->eyes_open[0];
      f->eyes_open[1] = lg->eyes_open[1];
    } else if (!run_eyes(m, preview->rgb, preview->width, preview->height, preview->stride, f,
                         error)) {
      goto out;
    }
  }
  ok = TRUE;
out:
  g_mutex_unlock(&m->lock);
  g_free(large.rgb);
  if (!ok)
    return FALSE;
  /* Preview pixels -> original pixels. */
  _derush_faces_map(found, 0, (double)orig_width / preview->width,
                    (double)orig_height / preview->height, 0, 0);
  _derush_faces_frame(found, orig_width, orig_height);
  g_array_append_vals(faces, found->data, found->len);
  return TRUE;
}
