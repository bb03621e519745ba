/* eval-learning.c: `derush eval learning`: a photographer simulated from a
 * taste CSV, labelling in derush's active-learning order (or at random),
 * with the model retrained as `derush train` does after every step and
 * measured on the photos not labelled yet. A photo's truth is read only
 * once it is labelled: the picks see the model's predictions, never the
 * truth. The catalog's own labels are not touched. */
#include "eval-private.h"
#include "learn/learn-private.h"

#define DEFAULT_SEED 42

/**
 * derush_learning_eval_clear:
 * Frees the curve of @eval.
 */
void
derush_learning_eval_clear(DerushLearningEval *eval)
{
  g_clear_pointer(&eval->curve, g_array_unref);
}

/* The listed photos the catalog could read, as a dataset of their own (the
 * group context among them), with their truth in @keep. */
static DerushDataset *
taste_dataset(DerushCatalog *cat, GArray *rows, GArray **keep, GError **error)
{
  g_autoptr(GHashTable) truth = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < rows->len; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    if (g_ascii_strcasecmp(r->label, "keep") != 0 && g_ascii_strcasecmp(r->label, "trash") != 0) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                  "%s: label '%s' is neither keep nor trash", r->path, r->label);
      return NULL;
    }
    g_hash_table_insert(truth, r->path,
                        GINT_TO_POINTER(g_ascii_strcasecmp(r->label, "keep") == 0 ? 2 : 1));
  }
  g_autoptr(DerushDataset) all = _derush_dataset_load(cat, error);
  if (!all)
    return NULL;
  DerushDataset *ds = _derush_dataset_new();
  *keep = g_array_new(FALSE, FALSE, sizeof(float));
  for (guint i = 0; i < all->photos->len; i++) {
    DerushLearnPhoto *p = &g_array_index(all->photos, DerushLearnPhoto, i);
    int t = GPOINTER_TO_INT(g_hash_table_lookup(truth, p->path));
    if (!t)
      continue;
    DerushLearnPhoto copy = *p;
    copy.label = DERUSH_LABEL_NONE; /* the simulation labels */
    _derush_dataset_add(ds, &copy);
    float y = t == 2 ? 1.0f : 0.0f;
    g_array_append_val(*keep, y);
  }
  _derush_dataset_build(ds);
  return ds;
}

/**
 * _derush_learning_simulate:
 * The photographer of derush_eval_learning() on a built dataset @ds whose
 * truth is @y (1 keep, 0 trash, one per photo): labels @step photos at a
 * time in @order (@seed shuffles the random order), trains with @fo after
 * each step and appends a point measured on the photos left to @curve.
 * The label-dependent column follows the labels given so far.
 */
gboolean
_derush_learning_simulate(DerushDataset *ds, const float *y, DerushLearnOrder order, int step,
                          guint32 seed, const DerushFitOptions *fo, GArray *curve, GError **error)
{
  guint n = ds->photos->len;
  g_autofree int *label_of = g_new(int, MAX(n, 1));
  g_autofree double *p = g_new(double, MAX(n, 1)), *u = g_new(double, MAX(n, 1));
  g_autofree int *zone = g_new(int, MAX(n, 1)), *zone_rest = g_new(int, MAX(n, 1));
  g_autofree guint *lab_rows = g_new(guint, MAX(n, 1));
  g_autofree float *lab_y = g_new(float, MAX(n, 1));
  g_autofree double *p_rest = g_new(double, MAX(n, 1));
  g_autofree float *y_rest = g_new(float, MAX(n, 1));
  g_autofree guint *shuffled = g_new(guint, MAX(n, 1));
  g_autoptr(GRand) rand = g_rand_new_with_seed(seed ? seed : DEFAULT_SEED);
  for (guint i = 0; i < n; i++) {
    shuffled[i] = i;
    label_of[i] = -1;
  }
  for (guint i = n; i > 1; i--) {
    guint j = g_rand_int_range(rand, 0, i);
    guint t = shuffled[i - 1];
    shuffled[i - 1] = shuffled[j];
    shuffled[j] = t;
  }
  if (!_derush_learn_predict(NULL, ds, p, zone, u, error))
    return FALSE;
  gboolean have_model = FALSE;
  guint n_lab = 0, next_random = 0;
  while (n_lab + 2 * (guint)step <= n) {
    /* The next labels: the photographer looks at them, and only now is
     * their truth known. */
    guint got = 0;
    while (got < (guint)step) {
      g_autoptr(GArray) picks = NULL;
      if (order == DERUSH_LEARN_ORDER_RANDOM) {
        picks = g_array_new(FALSE, FALSE, sizeof(guint));
        while (picks->len < (guint)step && next_random < n)
          g_array_append_val(picks, shuffled[next_random++]);
      } else {
        /* One pick never holds two photos of a CV group: when fewer
         * groups are left than the step, the rest of the step is a
         * second pick (the step stays 10 labels, as the contract says).
         * Without a model the photographer asks for one photo at a time,
         * as the app's N key does after each label: the cold start looks
         * for the kind still missing with every answer it gets. */
        picks = _derush_active_pick(ds, label_of, p, have_model, have_model ? step - (int)got : 1);
      }
      if (picks->len == 0)
        break;
      for (guint k = 0; k < picks->len; k++, got++) {
        guint i = g_array_index(picks, guint, k);
        label_of[i] = y[i] > 0.5f;
        lab_rows[n_lab] = i;
        lab_y[n_lab] = y[i];
        n_lab++;
      }
    }
    if (got == 0)
      break;
    _derush_dataset_relabel(ds, label_of); /* the labels given so far */
    DerushModelState state;
    g_autoptr(DerushLearnModel) model =
        _derush_learn_fit(ds, lab_rows, lab_y, n_lab, fo, &state, error);
    if (!model && state == DERUSH_MODEL_TRAINED)
      return FALSE;
    if (!_derush_learn_predict(model, ds, p, zone, u, error))
      return FALSE;
    have_model = model != NULL;
    double threshold = model ? model->threshold : _derush_prior_trash_threshold();
    guint n_rest = 0;
    for (guint i = 0; i < n; i++)
      if (label_of[i] < 0) {
        p_rest[n_rest] = p[i];
        y_rest[n_rest] = y[i];
        zone_rest[n_rest] = zone[i];
        n_rest++;
      }
    DerushLearnMetrics m;
    _derush_learn_metrics(p_rest, y_rest, n_rest, threshold, &m);
    _derush_zone_losses(zone_rest, y_rest, n_rest, &m); /* as the user sees them */
    DerushLearningPoint pt = {n_lab,       state,     m.accuracy, m.keep_loss,
                              m.junk_leak, m.roc_auc, m.log_loss};
    g_array_append_val(curve, pt);
  }
  return TRUE;
}

/**
 * derush_eval_learning:
 * See derush-learn.h. Points are taken after @step, 2 @step... labels while
 * at least @step photos are left unlabelled to measure on.
 */
gboolean
derush_eval_learning(DerushCatalog *catalog, const char *taste_csv, DerushLearnOrder order,
                     int step, guint32 seed, const DerushTrainOptions *options,
                     DerushLearningEval *result, GError **error)
{
  g_return_val_if_fail(catalog != NULL && taste_csv != NULL && result != NULL, FALSE);
  memset(result, 0, sizeof *result);
  if (step < 1)
    step = 10;
  DerushFitOptions fo;
  if (!_derush_learn_fit_options(catalog, options, &fo, error))
    return FALSE;
  g_autoptr(GArray) rows = _derush_truth_read(taste_csv, 1, 1, error);
  if (!rows)
    return FALSE;
  if (!_derush_truth_bring_in(catalog, rows, NULL, NULL, error))
    return FALSE;
  g_autoptr(GArray) truth = NULL;
  g_autoptr(DerushDataset) ds = taste_dataset(catalog, rows, &truth, error);
  if (!ds)
    return FALSE;
  result->photos = ds->photos->len;
  result->curve = g_array_new(FALSE, FALSE, sizeof(DerushLearningPoint));
  return _derush_learning_simulate(ds, (const float *)truth->data, order, step, seed, &fo,
                                   result->curve, error);
}
