/* eval-faces.c: `derush eval faces`: face counts and closed eyes against a
 * truth CSV `path,faces,eyes_closed` (tests/data/faces-truth.csv,
 * docs/faces-truth.md).
 *
 * The truth counts faces at least DERUSH_EVAL_FACE_MIN px wide. A
 * detector's box width varies by some pixels, so a face found between
 * MIN / 1.25 and MIN * 1.25 counts neither for nor against: a photo's count
 * is right when (faces found >= MIN * 1.25) <= truth <= (faces found >=
 * MIN / 1.25). Closed eyes are counted on the faces found at least MIN
 * wide, per photo: min(found, truth) are right, the rest false alarms or
 * misses. Faces come straight from the files (derush_faces_detect_file). */
#include "eval-private.h"

#define SLACK 1.25f

/**
 * derush_eval_faces:
 * @truth_csv: path,faces,eyes_closed[,note]; paths relative to its folder
 * @model_dir: (nullable): folder searched first for the face models
 * @on_unreadable: (nullable): called for each listed file not read
 * @user_data: its data
 * @result: (out): the scores
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when the CSV cannot be read or a model is
 * missing; unreadable photos are reported and left out.
 */
gboolean
derush_eval_faces(const char *truth_csv, const char *model_dir,
                  void (*on_unreadable)(const char *path, const char *reason, gpointer user_data),
                  gpointer user_data, DerushFacesEval *result, GError **error)
{
  g_return_val_if_fail(truth_csv != NULL && result != NULL, FALSE);
  memset(result, 0, sizeof *result);
  if (!derush_faces_load_models(model_dir, error))
    return FALSE;
  g_autoptr(GArray) rows = _derush_truth_read(truth_csv, 1, 2, error);
  if (!rows)
    return FALSE;
  gint64 count_ok = 0, tp = 0, fp = 0, fn = 0;
  for (guint i = 0; i < rows->len; i++) {
    const TruthRow *r = &g_array_index(rows, TruthRow, i);
    char *end1 = NULL, *end2 = NULL;
    gint64 want = g_ascii_strtoll(r->group, &end1, 10);
    gint64 want_closed = g_ascii_strtoll(r->label, &end2, 10);
    if (!r->group[0] || *end1 || !r->label[0] || *end2 || want < 0 || want_closed < 0 ||
        want_closed > want) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                  "%s: %s: faces and eyes_closed must be counts (eyes_closed <= faces)", truth_csv,
                  r->path);
      return FALSE;
    }
    g_autoptr(GError) local = NULL;
    GArray *faces = NULL;
    if (!derush_faces_detect_file(r->path, model_dir, &faces, &local)) {
      result->unreadable++;
      if (on_unreadable)
        on_unreadable(r->path, local->message, user_data);
      continue;
    }
    gint64 hi = 0, lo = 0, closed = 0;
    for (guint k = 0; k < faces->len; k++) {
      const DerushFace *f = &g_array_index(faces, DerushFace, k);
      float w = f->box[2] - f->box[0];
      hi += w >= DERUSH_EVAL_FACE_MIN * SLACK;
      lo += w >= DERUSH_EVAL_FACE_MIN / SLACK;
      closed += w >= DERUSH_EVAL_FACE_MIN && derush_face_eyes_closed(f);
    }
    result->photos++;
    result->faces_truth += want;
    result->faces_found += hi;
    count_ok += hi <= want && want <= lo;
    if (want == 0) {
      result->empty_photos++;
      result->empty_photos_with_faces += lo > 0;
    }
    result->closed_truth += want_closed;
    result->closed_found += closed;
    tp += MIN(closed, want_closed);
    fp += MAX(0, closed - want_closed);
    fn += MAX(0, want_closed - closed);
    g_array_unref(faces);
  }
  result->count_accuracy = result->photos ? (double)count_ok / result->photos : NAN;
  result->closed_precision = tp + fp ? (double)tp / (tp + fp) : NAN;
  result->closed_recall = tp + fn ? (double)tp / (tp + fn) : NAN;
  return TRUE;
}
