/* eval-blur.c: `derush eval blur`: the sharpness feature ranked against
 * the blur corpus' truth (a sharp frame and its blurred copies per scene). */
#include "eval-private.h"
#include "quality/features.h"

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
 * frame scores strictly above every blurred one.
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
  return TRUE;
}
