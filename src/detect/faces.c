/* faces.c: finding the faces of a photo and their eye state, with the two
 * models run by src/nn/ (YuNet, the open/closed eye classifier).
 *
 * YuNet runs on the photo's decoded preview (the 512 px the analysis
 * already has). It was trained on faces of about 10 to 300 px
 * (FACES.md), so it looks again where the preview cannot show:
 * - no face found: once more at a third of the preview, for a face that
 *   fills the frame (a tight portrait, over 300 px in the preview), when
 *   the preview's coarsest head hints at one (COARSE_HINT);
 * - the largest face small, or no face but people the object detector
 *   found: on a larger decode (half the original's side at least, so a
 *   face of DERUSH_FACE_MIN_ORIG px is 12 px there), in tiles, around the
 *   faces or the people's heads (faces-regions.c); its finds replace the
 *   preview's there.
 * The eyes are cut from the largest image at hand, one where the eyes are
 * EYE_CROP_PX apart when the original has that many: the classifier sees
 * 32x32 crops of 0.4-0.6 eye distances, and a crop upsampled from a 10 px
 * eye is mostly blur. Both models load once per process, and once more
 * per core that finds them busy (the executor is not thread-safe per
 * model). */
#include "face-detect.h"
#include "detect-private.h"
#include "nn/nn.h"

/* The largest face narrower than this (preview pixels) asks for the fine
 * pass around the faces. */
#define SMALL_FACE_PX 40.0f
/* Eyes this far apart make the smallest crop (0.4 eye distances) 32 px. */
#define EYE_CROP_PX 80.0f
/* The larger decode: never over this long side. */
#define LARGE_MAX_SIDE 4096
/* The coarse pass: the preview box-averaged to at most this long. */
#define COARSE_SIDE 192
/* YuNet's inputs are padded to multiples of this: few input shapes, few
 * plans.  32 (no more than YuNet needs) would save ~0.6 ms a preview but
 * moves the landmarks of faces filling small photos by 3-9 px (the zeros
 * below and right are in their receptive field), and the eye verdicts
 * were tuned with 128: `derush eval faces` lost 1 of 24 closed faces and
 * count accuracy fell from 0.992 to 0.984. */
#define SHAPE_QUANTUM 128
/* The coarse pass runs only when some cell of the preview's stride-32
 * head scored this much (sqrt(cls * obj)): a face too large for the
 * preview still shows there.  The faces it found (d011 of the bench
 * photos, and 11 crops of 7 corpus faces filling 384-512 px frames)
 * scored 0.48-0.68 there; of the ~50 bench photos with no face in the preview,
 * all but 7 score under 0.2 (the highest 0.30) and skip it. */
#define COARSE_HINT 0.2f

/* One copy of both networks (the executor runs one forward at a time per
 * model), and the next copy: a photo takes a free one, so the analysis'
 * workers find faces in two photos at once on two cores rather than
 * queueing on one lock.  Copies are loaded when all are busy, up to one
 * per core, and kept for the process. */
struct _DerushFaceModels {
  DerushNnModel *yunet, *eye;
  GMutex lock;
  char *yunet_path, *eye_path;
  DerushFaceModels *next; /* set once, under models_lock */
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

static DerushFaceModels *
models_load(const char *yunet_path, const char *eye_path, GError **error)
{
  DerushNnModel *y = _derush_nn_model_load(yunet_path, error);
  DerushNnModel *e = y ? _derush_nn_model_load(eye_path, error) : NULL;
  if (!e) {
    _derush_nn_model_free(y);
    return NULL;
  }
  DerushFaceModels *m = g_new0(DerushFaceModels, 1);
  m->yunet = y;
  m->eye = e;
  g_mutex_init(&m->lock);
  m->yunet_path = g_strdup(yunet_path);
  m->eye_path = g_strdup(eye_path);
  return m;
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
    models = ep ? models_load(yp, ep, error) : NULL;
  }
  DerushFaceModels *m = models;
  g_mutex_unlock(&models_lock);
  return m;
}

/**
 * _derush_face_models_acquire:
 * @m: the process' models (_derush_face_models_get)
 *
 * Returns: (transfer none): a copy of @m's networks for this thread alone
 * until _derush_face_models_release(): the first free one, a new one when
 * all are busy and there are fewer than cores, else @m once it is free.
 */
DerushFaceModels *
_derush_face_models_acquire(DerushFaceModels *m)
{
  for (DerushFaceModels *c = m; c; c = g_atomic_pointer_get(&c->next))
    if (g_mutex_trylock(&c->lock))
      return c;
  g_mutex_lock(&models_lock);
  int n = 0;
  DerushFaceModels *last = m;
  for (DerushFaceModels *c = m; c; c = c->next, n++)
    last = c;
  DerushFaceModels *fresh = NULL;
  if (n < (int)g_get_num_processors()) {
    g_autoptr(GError) error = NULL;
    fresh = models_load(m->yunet_path, m->eye_path, &error);
    if (fresh) {
      g_mutex_lock(&fresh->lock);
      g_atomic_pointer_set(&last->next, fresh);
    } else {
      g_debug("faces: no second copy of the models: %s", error->message);
    }
  }
  g_mutex_unlock(&models_lock);
  if (fresh)
    return fresh;
  g_mutex_lock(&m->lock);
  return m;
}

void
_derush_face_models_release(DerushFaceModels *copy)
{
  g_mutex_unlock(&copy->lock);
}

gboolean
_derush_faces_run_yunet(DerushFaceModels *m, const guint8 *rgb, int w, int h, gsize stride,
                        GArray *faces, float *coarse_score, GError **error)
{
  int pw, ph;
  g_autofree float *input = _derush_yunet_input(rgb, w, h, stride, SHAPE_QUANTUM, &pw, &ph);
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
  if (coarse_score)
    *coarse_score = _derush_yunet_best_score(&out, DERUSH_YUNET_N_STRIDES - 1, pw, ph);
  return TRUE;
}

/* The eye classifier's batch for @n faces: DERUSH_EYE_N_CROPS crops per
 * eye, the face count rounded up to a power of two (1, 2, 4, 8... faces)
 * so the executor plans a few batch sizes (it keeps the 16 last used), not
 * one per face count. The padding crops are zeros. */
static int
eye_batch(int n)
{
  int f = 1;
  while (f < n)
    f *= 2;
  return f * 2 * DERUSH_EYE_N_CROPS;
}

/* Both eyes' p(open) of every face of @faces (preview pixels) whose eyes
 * are far enough apart in @img (@k: preview -> @img), each the mean over
 * its DERUSH_EYE_N_CROPS crops, in ONE batched forward for the photo: a
 * forward costs ~0.1 ms of overhead where a 32x32 crop costs microseconds. */
static gboolean
find_eyes(DerushFaceModels *m, GArray *faces, const DerushFaceImage *img, double k,
          DerushFacesPasses *passes, GError **error)
{
  gint64 t0 = _derush_nn_cpu_us();
  g_autofree float *t = g_new0(float, (gsize)eye_batch((int)faces->len) * DERUSH_EYE_TENSOR + 1);
  g_autofree gboolean *has = g_new0(gboolean, faces->len + 1);
  int n_cropped = 0;
  for (guint i = 0; i < faces->len; i++) {
    DerushFace *f = &g_array_index(faces, DerushFace, i);
    f->eyes_open[0] = f->eyes_open[1] = NAN;
    DerushFace g = *f;
    for (int n = 0; n < 2; n++) {
      g.landmarks[n][0] = (float)(g.landmarks[n][0] * k);
      g.landmarks[n][1] = (float)(g.landmarks[n][1] * k);
    }
    float *dst = t + (gsize)n_cropped * 2 * DERUSH_EYE_N_CROPS * DERUSH_EYE_TENSOR;
    has[i] = _derush_eye_inputs(img->rgb, img->width, img->height, img->stride, &g, dst);
    n_cropped += has[i];
  }
  passes->eye_crop_us += _derush_nn_cpu_us() - t0;
  if (n_cropped == 0)
    return TRUE;
  const int64_t shape[4] = {eye_batch(n_cropped), 3, DERUSH_EYE_SIZE, DERUSH_EYE_SIZE};
  t0 = _derush_nn_cpu_us();
  if (!_derush_nn_model_run(m->eye, t, shape, 4, error))
    return FALSE;
  passes->eye_forwards++;
  passes->eye_nn_us += _derush_nn_cpu_us() - t0;
  const int64_t *s;
  int r;
  const float *out = _derush_nn_model_output(m->eye, 0, &s, &r);
  for (guint i = 0, b = 0; i < faces->len; i++) {
    if (!has[i])
      continue;
    DerushFace *f = &g_array_index(faces, DerushFace, i);
    for (int e = 0; e < 2; e++) {
      double sum = 0;
      for (int c = 0; c < DERUSH_EYE_N_CROPS; c++, b++)
        sum += _derush_eye_p_open(out + (gsize)b * 2);
      f->eyes_open[e] = (float)(sum / DERUSH_EYE_N_CROPS);
    }
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

/* YuNet on the preview box-averaged to COARSE_SIDE: faces too large for
 * the preview pass (corpus/faces d011, a face of 322 px filling a 322 px
 * photo, is found at 161 px, not at 322). Faces in preview pixels. */
static gboolean
coarse_pass(DerushFaceModels *m, const DerushFaceImage *preview, GArray *faces, GError **error)
{
  int side = MAX(preview->width, preview->height);
  int shrink = (side + COARSE_SIDE - 1) / COARSE_SIDE, w, h;
  g_autofree guint8 *rgb =
      _derush_face_image_crop(preview, 0, 0, preview->width, preview->height, shrink, &w, &h);
  guint first = faces->len;
  if (!_derush_faces_run_yunet(m, rgb, w, h, (gsize)w * 3, faces, NULL, error))
    return FALSE;
  _derush_faces_map(faces, first, shrink, shrink, 0, 0);
  return TRUE;
}

/* The fine pass: YuNet in tiles on @region (preview pixels) of @large
 * (@k: preview -> large); its faces replace the preview's there. */
static gboolean
fine_pass(DerushFaceModels *m, const DerushFaceImage *large, double k, const float region[4],
          GArray *faces, DerushFacesPasses *passes, GError **error)
{
  float r[4];
  for (int i = 0; i < 4; i++)
    r[i] = (float)(region[i] * k);
  guint first = faces->len;
  if (!_derush_faces_tiled(m, large, r, faces, &passes->tiles, error))
    return FALSE;
  passes->yunet_forwards += passes->tiles;
  _derush_faces_map(faces, first, 1 / k, 1 / k, 0, 0);
  _derush_faces_replace(faces, first, 0.3f);
  return TRUE;
}

/* The heads' region of @people (preview pixels), finding them first when
 * the caller gave a finder rather than boxes. */
static gboolean
people_region(const DerushFacePeople *people, const DerushFaceImage *preview, int orig_width,
              int orig_height, double up, float region[4], DerushFacesPasses *passes)
{
  if (people->boxes || !people->find)
    return _derush_faces_region_people(people->boxes, people->n, 1 / up, SMALL_FACE_PX, region);
  int n = 0;
  g_autofree float *boxes = people->find(people->find_data, preview, orig_width, orig_height, &n);
  passes->people_found = TRUE;
  return _derush_faces_region_people((const float(*)[4])(void *)boxes, n, 1 / up, SMALL_FACE_PX,
                                     region);
}

/**
 * _derush_faces_find:
 * @m: the models
 * @preview: the photo's decoded preview, upright
 * @orig_width, @orig_height: the original's upright size (<= 0: the preview's)
 * @people: (nullable): the people the object detector found
 * @decode: (nullable): decodes the original at a larger size when needed
 * @decode_data: its data
 * @faces: (out): DerushFace appended, in original pixels, best score first
 * @passes: (out) (optional): what was run
 * @error: return location for a GError
 *
 * Runs YuNet on the preview, then the coarse or the fine pass when the
 * preview cannot show the faces (see above), and the eye classifier
 * once on a batch of every face's crops (2 x DERUSH_EYE_N_CROPS per face
 * whose eyes are far enough apart to tell).
 */
gboolean
_derush_faces_find(DerushFaceModels *m, const DerushFaceImage *preview, int orig_width,
                   int orig_height, const DerushFacePeople *people, DerushFaceDecodeFunc decode,
                   gpointer decode_data, GArray *faces, DerushFacesPasses *passes, GError **error)
{
  DerushFacesPasses local_passes;
  if (!passes)
    passes = &local_passes;
  memset(passes, 0, sizeof *passes);
  if (orig_width <= 0 || orig_height <= 0) {
    orig_width = preview->width;
    orig_height = preview->height;
  }
  int pv_side = MAX(preview->width, preview->height), orig_side = MAX(orig_width, orig_height);
  double up = (double)orig_side / pv_side;
  g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
  DerushFaceImage large = {0};
  gboolean ok = FALSE;
  m = _derush_face_models_acquire(m);
  int plans0 = _derush_nn_model_n_plans_built(m->yunet) + _derush_nn_model_n_plans_built(m->eye);
  gint64 t0 = _derush_nn_cpu_us();
  float hint = 0;
  if (!_derush_faces_run_yunet(m, preview->rgb, preview->width, preview->height, preview->stride,
                               found, &hint, error))
    goto out;
  passes->yunet_forwards = 1;
  passes->coarse_hint = hint;
  passes->preview_us = _derush_nn_cpu_us() - t0;
  if (found->len == 0 && pv_side > COARSE_SIDE && hint >= COARSE_HINT) {
    t0 = _derush_nn_cpu_us();
    if (!coarse_pass(m, preview, found, error))
      goto out;
    passes->coarse = TRUE;
    passes->yunet_forwards++;
    passes->coarse_us = _derush_nn_cpu_us() - t0;
  }

  float wmax = 0, dmin = G_MAXFLOAT;
  for (guint i = 0; i < found->len; i++) {
    wmax = MAX(wmax, face_width(&g_array_index(found, DerushFace, i)));
    dmin = MIN(dmin, eye_distance(&g_array_index(found, DerushFace, i)));
  }
  /* Where to look again on a larger decode, if the original has more to
   * give: around small faces, or the heads of people without a face. */
  float region[4];
  gboolean fine = FALSE;
  if (up > 1.25 && found->len > 0 && wmax < SMALL_FACE_PX) {
    _derush_faces_region_around(found, region);
    fine = TRUE;
  } else if (up > 1.25 && found->len == 0 && people) {
    fine = people_region(people, preview, orig_width, orig_height, up, region, passes);
  }
  int side = fine ? MAX((orig_side + 1) / 2, MIN(orig_side, 2 * pv_side)) : 0;
  if (found->len > 0 && dmin < EYE_CROP_PX)
    side = MAX(side, (int)ceil(pv_side * EYE_CROP_PX / MAX(dmin, 1.f)));
  side = MIN(side, MIN(orig_side, LARGE_MAX_SIDE));
  if (decode && side > pv_side) {
    g_autoptr(GError) local = NULL;
    if (!decode(decode_data, side, &large, &local))
      g_debug("faces: no larger decode: %s", local->message);
    else
      passes->large_side = MAX(large.width, large.height);
  }
  double k = large.rgb ? (double)large.width / preview->width : 1.0;
  t0 = _derush_nn_cpu_us();
  if (large.rgb && fine && !fine_pass(m, &large, k, region, found, passes, error))
    goto out;
  passes->fine_us = _derush_nn_cpu_us() - t0;

  _derush_faces_sharpness(preview->rgb, preview->width, preview->height, preview->stride, found);
  if (!find_eyes(m, found, large.rgb ? &large : preview, k, passes, error))
    goto out;
  ok = TRUE;
out:
  passes->plans_built =
      _derush_nn_model_n_plans_built(m->yunet) + _derush_nn_model_n_plans_built(m->eye) - plans0;
  _derush_face_models_release(m);
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
