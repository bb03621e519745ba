/* faces-verdict.c: what the people in a photo say for best-of-group
 * (issue 20): the frame of a burst where everyone has open eyes and a sharp
 * face is the one a photographer keeps, even when another frame is sharper
 * overall. Only the subjects count: faces at least half as wide as the
 * photo's largest (a passer-by in the background blinks too). */
#include "grouping.h"

#define SUBJECT_RATIO 0.5f

/**
 * _derush_faces_verdict:
 * @faces: a photo's faces
 * @n: how many
 *
 * Returns: DERUSH_FACES_FLAWED when a subject has closed eyes or a soft
 *   face (derush_face_eyes_closed(), derush_face_soft()), GOOD when every
 *   subject's eyes are known open and none is soft, else UNKNOWN (no face,
 *   or eyes too small to tell).
 */
DerushFacesVerdict
_derush_faces_verdict(const DerushFace *faces, int n)
{
  float wmax = 0;
  for (int i = 0; i < n; i++)
    wmax = MAX(wmax, faces[i].box[2] - faces[i].box[0]);
  gboolean all_known = n > 0;
  for (int i = 0; i < n; i++) {
    const DerushFace *f = &faces[i];
    if (f->box[2] - f->box[0] < SUBJECT_RATIO * wmax)
      continue;
    if (derush_face_eyes_closed(f) || derush_face_soft(f))
      return DERUSH_FACES_FLAWED;
    all_known &= !isnan(f->eyes_open[0]) && !isnan(f->eyes_open[1]);
  }
  return all_known ? DERUSH_FACES_GOOD : DERUSH_FACES_UNKNOWN;
}

gboolean
_derush_faces_verdict_beats(DerushFacesVerdict a, DerushFacesVerdict b)
{
  return a == DERUSH_FACES_GOOD && b == DERUSH_FACES_FLAWED;
}

static gboolean
verdict_cb(gint64 photo_id, const char *path, const DerushFace *faces, int n_faces,
           gpointer user_data)
{
  DerushFacesVerdict v = _derush_faces_verdict(faces, n_faces);
  if (v != DERUSH_FACES_UNKNOWN)
    g_hash_table_insert(user_data, g_memdup2(&photo_id, sizeof photo_id), GINT_TO_POINTER(v));
  return TRUE;
}

GHashTable *
_derush_faces_verdicts(DerushCatalog *cat, GError **error)
{
  GHashTable *t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  if (!derush_catalog_foreach_faces(cat, NULL, verdict_cb, t, error)) {
    g_hash_table_unref(t);
    return NULL;
  }
  return t;
}
