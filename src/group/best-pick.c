/* best-pick.c: what a group's best pick is chosen by, and choosing it
 * again when the model changes.
 *
 * Once the user's labels have trained a model (learn/), its p(keep) is the
 * best judge of which frame of a burst the user would keep: it has learnt
 * whether this photographer cares for sharpness, faces or exposure. So
 * best-of-group ranks by the stored predictions of a trained model; a
 * photo the model has not predicted yet (new since the last batch) ranks
 * by its quality score below every probability. Without a trained model
 * (no labels, too few, the quality prior answering) the quality score
 * ranks, as before. Each group records which of the two chose its pick
 * (DerushBestBy), so the user is told why.
 *
 * After a retrain the groups stay as they are (their gaps are the user's)
 * and only the picks are chosen again: derush_catalog_update_best_picks().
 */
#include "catalog/catalog-private.h"
#include "group-store.h"
#include "grouping.h"

/**
 * derush_best_by_name:
 * @by: a #DerushBestBy
 *
 * Returns: (transfer none): "quality" or "model".
 */
const char *
derush_best_by_name(DerushBestBy by)
{
  return by == DERUSH_BEST_BY_MODEL ? "model" : "quality";
}

static gboolean
score_cb(const DerushPrediction *prediction, gpointer user_data)
{
  if (prediction->model_version > 0)
    g_hash_table_insert(user_data, g_memdup2(&prediction->photo_id, sizeof(gint64)),
                        g_memdup2(&prediction->p_keep, sizeof(double)));
  return TRUE;
}

/**
 * derush_catalog_prediction_scores:
 * @catalog: the catalog
 * @error: return location for a GError
 *
 * The stored p(keep) of every photo by id, for DerushGroupOptions.score:
 * pass derush_prediction_score() and the table.
 *
 * Returns: (transfer full): a table of gint64* -> double*, empty without a
 * trained model's predictions; NULL with @error set when the catalog fails.
 */
GHashTable *
derush_catalog_prediction_scores(DerushCatalog *catalog, GError **error)
{
  GHashTable *t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  if (!derush_catalog_foreach_prediction(catalog, NULL, score_cb, t, error)) {
    g_hash_table_unref(t);
    return NULL;
  }
  return t;
}

/* The quality score, scaled below any probability, keeping its order. */
static double
below_model(const float *vector)
{
  double q = derush_features_quality_score(vector);
  return isnan(q) ? NAN : -10 + q / 100;
}

/**
 * derush_prediction_score:
 * @photo_id: the photo
 * @vector: its quality features
 * @table: a table of derush_catalog_prediction_scores()
 *
 * A #DerushScoreFunc: the model's p(keep) of @photo_id from @table, the
 * quality score (scaled below any p) when the photo has none.
 */
double
derush_prediction_score(gint64 photo_id, const float *vector, gpointer table)
{
  const double *p = g_hash_table_lookup(table, &photo_id);
  return p ? *p : below_model(vector);
}

/**
 * _derush_group_scorer_init:
 * @options: (nullable): a score function of the caller's wins; NULL (or
 *   no function): the stored model's predictions, when a trained model
 *   made them, else the quality score
 */
gboolean
_derush_group_scorer_init(DerushGroupScorer *scorer, DerushCatalog *cat,
                          const DerushGroupOptions *options, GError **error)
{
  memset(scorer, 0, sizeof *scorer);
  if (options && options->score) {
    scorer->func = options->score;
    scorer->data = options->score_data;
    return TRUE;
  }
  scorer->model = derush_catalog_prediction_scores(cat, error);
  if (!scorer->model)
    return FALSE;
  if (g_hash_table_size(scorer->model) == 0)
    g_clear_pointer(&scorer->model, g_hash_table_unref);
  return TRUE;
}

void
_derush_group_scorer_clear(DerushGroupScorer *scorer)
{
  g_clear_pointer(&scorer->model, g_hash_table_unref);
}

/**
 * _derush_group_scorer_score:
 * @by_model: (out): whether the score is the model's p(keep)
 *
 * Returns: the score of photo @id with quality features @vector.
 */
double
_derush_group_scorer_score(const DerushGroupScorer *scorer, gint64 id, const float *vector,
                           gboolean *by_model)
{
  *by_model = FALSE;
  if (scorer->func)
    return scorer->func(id, vector, scorer->data);
  if (!scorer->model)
    return derush_features_quality_score(vector);
  const double *p = g_hash_table_lookup(scorer->model, &id);
  *by_model = p != NULL;
  return p ? *p : below_model(vector);
}

typedef struct {
  GHashTable *units; /* id -> DerushGroupUnit* */
  GArray *changes;   /* DerushGroupRecord */
  guint moved;       /* groups whose pick, or what chose it, changed */
} Repick;

static gboolean
same_score(double a, double b)
{
  return (isnan(a) && isnan(b)) || a == b;
}

static gboolean
repick_cb(const DerushGroup *group, gpointer user_data)
{
  Repick *r = user_data;
  const DerushGroupUnit *best = NULL;
  for (guint i = 0; i < group->n_members; i++) {
    /* A RAW+JPEG pair is one unit, under the JPEG's id: the other half is
     * not in the table. */
    const DerushGroupUnit *u = g_hash_table_lookup(r->units, &group->member_ids[i]);
    if (u && (!best || _derush_group_unit_better(u, best)))
      best = u;
  }
  if (!best)
    return TRUE;
  DerushBestBy by = best->by_model ? DERUSH_BEST_BY_MODEL : DERUSH_BEST_BY_QUALITY;
  gboolean moved = best->id != group->best_id || by != group->best_by;
  if (!moved && same_score(best->score, group->best_score))
    return TRUE;
  r->moved += moved;
  DerushGroupRecord rec = {
      .id = group->id, .best_id = best->id, .best_score = best->score, .best_by = by};
  g_array_append_val(r->changes, rec);
  return TRUE;
}

/**
 * derush_catalog_update_best_picks:
 * @catalog: the catalog
 * @changed: (out) (optional): groups whose best pick, or what chose it,
 *   changed
 * @error: return location for a GError
 *
 * Chooses the best pick of every stored group again from the current
 * scores (the model's p(keep) where a trained model's predictions are
 * stored, else the quality score), without grouping again: the groups'
 * members stay. The learning calls it after each batch prediction.
 *
 * Returns: FALSE with @error set when the catalog cannot be read or written.
 *
 * See also: derush_catalog_update_groups()
 */
gboolean
derush_catalog_update_best_picks(DerushCatalog *catalog, guint *changed, GError **error)
{
  g_return_val_if_fail(catalog != NULL, FALSE);
  if (changed)
    *changed = 0;
  g_autoptr(GArray) units = _derush_group_load_units(catalog, NULL, error);
  if (!units)
    return FALSE;
  g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < units->len; i++) {
    DerushGroupUnit *u = &g_array_index(units, DerushGroupUnit, i);
    g_hash_table_insert(by_id, &u->id, u);
  }
  g_autoptr(GArray) changes = g_array_new(FALSE, FALSE, sizeof(DerushGroupRecord));
  Repick r = {by_id, changes, 0};
  if (!derush_catalog_foreach_group(catalog, NULL, -1, repick_cb, &r, error) ||
      !_derush_catalog_set_group_bests(catalog, (const DerushGroupRecord *)changes->data,
                                       changes->len, error))
    return FALSE;
  if (changed)
    *changed = r.moved;
  return TRUE;
}
