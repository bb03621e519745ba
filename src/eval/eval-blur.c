/* eval-blur.c: `derush eval blur`: the sharpness feature ranked against
 * the blur corpus' truth (a sharp frame and its blurred copies per scene). */
#include "eval-private.h"
#include "quality/features.h"

/* ROC-AUC of one column of @x (n rows of DERUSH_N_FEATURES) against @y,
 * or of @score when @column < 0; NAN rows left out. */
static double
column_auc(const float *x, const double *score, const float *y, int n, int column)
{
  g_autofree double *p = g_new(double, MAX(n, 1));
  g_autofree float *t = g_new(float, MAX(n, 1));
  int m = 0;
  for (int i = 0; i < n; i++) {
    double v = column < 0 ? score[i] : x[(gsize)i * DERUSH_N_FEATURES + column];
    if (isnan(v))
      continue;
    p[m] = v;
    t[m++] = y[i];
  }
  DerushLearnMetrics metrics;
  _derush_learn_metrics(p, t, m, 0.5, &metrics);
  return metrics.roc_auc;
}

/* Every frame on its own: the score's ROC-AUC and the soft flag's
 * accuracy, next to the Laplacian variance, the old one-number sharpness
 * and the best single feature of the version-2 vector (either direction:
 * a feature that is low when sharp counts too). */
static void
frame_scores(const float *x, const float *y, int n, DerushBlurEval *r)
{
  g_autofree double *score = g_new(double, MAX(n, 1));
  g_autofree double *old = g_new(double, MAX(n, 1));
  int right = 0, judged = 0, sharp = 0, sharp_flagged = 0, blurred = 0, blur_flagged = 0;
  for (int i = 0; i < n; i++) {
    const float *v = x + (gsize)i * DERUSH_N_FEATURES;
    score[i] = derush_features_sharpness_score(v);
    old[i] = derush_features_sharpness(v);
    if (isnan(score[i]))
      continue;
    judged++;
    right += derush_features_soft(v, NULL) == (y[i] < 0.5f);
    gboolean warned = derush_features_soft_visible(v, NULL);
    if (y[i] >= 0.5f) {
      sharp++;
      sharp_flagged += warned;
    } else {
      blurred++;
      blur_flagged += warned;
    }
  }
  r->visible_sharp_flagged = sharp ? (double)sharp_flagged / sharp : NAN;
  r->visible_blur_flagged = blurred ? (double)blur_flagged / blurred : NAN;
  r->roc_auc = column_auc(x, score, y, n, -1);
  r->soft_accuracy = judged ? (double)right / judged : NAN;
  r->roc_auc_old_sharpness = column_auc(x, old, y, n, -1);
  r->roc_auc_lap_var = column_auc(x, NULL, y, n, DERUSH_FEATURE_LAP_VAR);
  r->best_feature_roc_auc = NAN;
  for (int f = 0; f < DERUSH_FEATURE_EDGE_WIDTH; f++) {
    double a = column_auc(x, NULL, y, n, f);
    if (isnan(a))
      continue;
    a = MAX(a, 1 - a);
    if (isnan(r->best_feature_roc_auc) || a > r->best_feature_roc_auc) {
      r->best_feature_roc_auc = a;
      r->best_feature = derush_feature_info(f)->name;
    }
  }
}

/**
 * derush_eval_blur:
 * @catalog: the catalog the files are scanned into
 * @truth_csv: `file,scene_id,device,label`, label sharp, defocus_blur or
 *   motion_blur; paths relative to the CSV's folder
 * @result: (out): the scores
 * @error: return location for a GError
 *
 * Scans and analyzes the listed files and ranks each scene's frames by
 * derush_features_sharpness(). A scene counts when it has a sharp frame and
 * at least one blurred one, all measured; it is ranked right when the sharp
 * frame scores strictly above every blurred one. Then judges every frame on
 * its own: the ROC-AUC of derush_features_sharpness_score() (sharp against
 * blurred, across scenes) and how many frames derush_features_soft() gets
 * right, beside the same ROC-AUC for the Laplacian variance, the old
 * sharpness and the best single feature of the version-2 vector.
 *
 * Returns: FALSE with @error set when the CSV or the catalog fails.
 */
gboolean
derush_eval_blur(DerushCatalog *catalog, const char *truth_csv, DerushBlurEval *result,
                 GError **error)
{
  g_return_val_if_fail(catalog != NULL && truth_csv != NULL && result != NULL, FALSE);
  memset(result, 0, sizeof *result);
  g_autoptr(GArray) rows = _derush_truth_read(truth_csv, 1, 3, error);
  if (!rows)
    return FALSE;
  if (!_derush_truth_bring_in(catalog, rows, NULL, NULL, error))
    return FALSE;

  /* scene -> {sharp score, best blurred score, complete} */
  typedef struct {
    double sharp, blurred;
    int n_sharp, n_blurred;
    gboolean missing;
  } Scene;
  g_autoptr(GHashTable) scenes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  g_autofree float *x = g_new(float, (gsize)MAX(rows->len, 1) * DERUSH_N_FEATURES);
  g_autofree float *y = g_new(float, MAX(rows->len, 1));
  int n = 0;
  for (guint i = 0; i < rows->len; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    Scene *sc = g_hash_table_lookup(scenes, r->group);
    if (!sc) {
      sc = g_new0(Scene, 1);
      sc->blurred = -G_MAXDOUBLE;
      g_hash_table_insert(scenes, r->group, sc);
    }
    float v[DERUSH_N_FEATURES];
    g_autoptr(GError) local = NULL;
    double score = NAN;
    if (derush_catalog_get_features(catalog, r->path, v, &local))
      score = derush_features_sharpness(v);
    if (isnan(score)) {
      sc->missing = TRUE;
      continue;
    }
    memcpy(x + (gsize)n * DERUSH_N_FEATURES, v, sizeof v);
    y[n++] = g_strcmp0(r->label, "sharp") == 0 ? 1.0f : 0.0f;
    if (g_strcmp0(r->label, "sharp") == 0) {
      sc->sharp = score;
      sc->n_sharp++;
    } else {
      sc->blurred = MAX(sc->blurred, score);
      sc->n_blurred++;
    }
  }
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, scenes);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    Scene *sc = value;
    if (sc->missing || sc->n_sharp != 1 || sc->n_blurred == 0)
      continue;
    result->triplets++;
    result->sharp_first += sc->sharp > sc->blurred;
  }
  result->ranked_sharp_first =
      result->triplets ? (double)result->sharp_first / result->triplets : 0.0;
  result->frames = n;
  for (int i = 0; i < n; i++)
    result->frames_sharp += y[i] > 0.5f;
  frame_scores(x, y, n, result);
  return TRUE;
}
