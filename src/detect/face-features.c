/* face-features.c: the per-photo face features the learner reads
 * (docs/features.md): what the faces of a photo say about keeping it. */
#include "catalog/faces-store.h"
#include "face-detect.h"

static const char *const names[DERUSH_N_FACE_FEATURES] = {
    [DERUSH_FACE_FEATURE_COUNT] = "face_count",
    [DERUSH_FACE_FEATURE_LARGEST_AREA] = "face_largest_area",
    [DERUSH_FACE_FEATURE_EYES_OPEN_MIN] = "face_eyes_open_min",
    [DERUSH_FACE_FEATURE_EYES_OPEN_MEAN] = "face_eyes_open_mean",
    [DERUSH_FACE_FEATURE_ANY_CLOSED] = "face_any_closed",
    [DERUSH_FACE_FEATURE_SHARPNESS_MIN] = "face_sharpness_min",
    [DERUSH_FACE_FEATURE_SHARPNESS_MAX] = "face_sharpness_max",
};

/**
 * derush_face_feature_name:
 * @feature: a DerushFaceFeature
 *
 * Returns: (transfer none): its stable name, or NULL when out of range.
 */
const char *
derush_face_feature_name(DerushFaceFeature feature)
{
  return (unsigned)feature < DERUSH_N_FACE_FEATURES ? names[feature] : NULL;
}

/**
 * derush_face_features_compute:
 * @faces: (array length=n): the faces of one photo
 * @n: how many
 * @vector: (out): DERUSH_N_FACE_FEATURES values
 *
 * A face's eye state is the mean p(open) of its two eyes; faces whose eyes
 * are too small to tell take no part in the eye features, which stay NAN
 * when no face has them (as the sharpness ones).
 */
void
derush_face_features_compute(const DerushFace *faces, int n, float *vector)
{
  double area = 0, open_min = INFINITY, open_sum = 0, sharp_min = INFINITY, sharp_max = -INFINITY;
  int n_open = 0, n_sharp = 0, closed = 0;
  for (int i = 0; i < n; i++) {
    const DerushFace *f = &faces[i];
    if (!isnan(f->area))
      area = MAX(area, f->area);
    if (!isnan(f->eyes_open[0]) && !isnan(f->eyes_open[1])) {
      double o = (f->eyes_open[0] + f->eyes_open[1]) / 2.0;
      open_min = MIN(open_min, o);
      open_sum += o;
      n_open++;
      closed |= derush_face_eyes_closed(f);
    }
    if (!isnan(f->sharpness)) {
      sharp_min = MIN(sharp_min, f->sharpness);
      sharp_max = MAX(sharp_max, f->sharpness);
      n_sharp++;
    }
  }
  vector[DERUSH_FACE_FEATURE_COUNT] = (float)n;
  vector[DERUSH_FACE_FEATURE_LARGEST_AREA] = (float)area;
  vector[DERUSH_FACE_FEATURE_EYES_OPEN_MIN] = n_open ? (float)open_min : NAN;
  vector[DERUSH_FACE_FEATURE_EYES_OPEN_MEAN] = n_open ? (float)(open_sum / n_open) : NAN;
  vector[DERUSH_FACE_FEATURE_ANY_CLOSED] = (float)closed;
  vector[DERUSH_FACE_FEATURE_SHARPNESS_MIN] = n_sharp ? (float)sharp_min : NAN;
  vector[DERUSH_FACE_FEATURE_SHARPNESS_MAX] = n_sharp ? (float)sharp_max : NAN;
}

/**
 * _derush_faces_store:
 * @cat: the catalog, inside a transaction
 * @photo_id: the photo
 * @content_hash: the file version the faces were found on
 * @faces: (array length=n) (nullable): its faces, original pixels
 * @n: how many (0: looked, none found)
 * @error: return location for a GError
 *
 * Stores the faces and their features (computed here: the catalog stores,
 * detect/ computes).
 */
gboolean
_derush_faces_store(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                    const DerushFace *faces, int n, GError **error)
{
  float features[DERUSH_N_FACE_FEATURES];
  derush_face_features_compute(faces, n, features);
  return _derush_catalog_store_faces(cat, photo_id, content_hash, faces, n, features, error);
}
