/* fit.c: training with honest validation.
 *
 * Frames of one burst or near-duplicate group look alike: with one in the
 * training rows and its sibling in the test rows, cross-validation measures
 * memory, not taste. So folds are made of whole CV groups (dataset.c joins
 * bursts, near-duplicate groups and RAW+JPEG pairs), balanced per class.
 * The out-of-fold predictions then calibrate the final model and choose the
 * thresholds; the final model is trained on every label.
 */
#include "learn-private.h"

DerushModelState
_derush_learn_state_for(gint64 keep, gint64 trash)
{
  if (keep + trash == 0)
    return DERUSH_MODEL_NONE;
  if (keep + trash < DERUSH_LEARN_MIN_LABELS)
    return DERUSH_MODEL_FEW_LABELS;
  if (keep == 0 || trash == 0)
    return DERUSH_MODEL_ONE_CLASS;
  if (keep < DERUSH_LEARN_MIN_PER_CLASS || trash < DERUSH_LEARN_MIN_PER_CLASS)
    return DERUSH_MODEL_FEW_LABELS;
  return DERUSH_MODEL_TRAINED;
}

typedef struct {
  gint64 key;
  int keep, trash;
  guint64 order; /* a hash of the key: a fixed, data-independent tie order */
  int fold;
} CvGroup;

static int
cmp_cv_group(const void *pa, const void *pb)
{
  const CvGroup *a = pa, *b = pb;
  int na = a->keep + a->trash, nb = b->keep + b->trash;
  if (na != nb)
    return nb - na; /* biggest first: they are the hardest to balance */
  return (a->order > b->order) - (a->order < b->order);
}

int
_derush_learn_assign_folds(const DerushDataset *ds, const guint *rows, const float *y, guint n,
                           int folds, int *fold_of)
{
  g_autoptr(GHashTable) index = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GArray) groups = g_array_new(FALSE, TRUE, sizeof(CvGroup));
  g_autofree guint *group_of = g_new(guint, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    gint64 *key = &ds->cv_group[rows[i]];
    gpointer found = g_hash_table_lookup(index, key);
    if (!found) {
      CvGroup g = {.key = *key, .order = _derush_mix64((guint64)*key)};
      g_array_append_val(groups, g);
      found = GUINT_TO_POINTER(groups->len);
      g_hash_table_insert(index, key, found);
    }
    group_of[i] = GPOINTER_TO_UINT(found) - 1;
    CvGroup *g = &g_array_index(groups, CvGroup, group_of[i]);
    if (y[i] > 0.5f)
      g->keep++;
    else
      g->trash++;
  }
  int k = MIN(folds, (int)groups->len);
  if (k < 2)
    return k;
  /* Sorting moves groups: remember where each went. */
  g_autofree guint *pos = g_new(guint, groups->len);
  g_autoptr(GArray) sorted = g_array_copy(groups);
  g_array_sort(sorted, cmp_cv_group);
  g_autoptr(GHashTable) sorted_index = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint j = 0; j < sorted->len; j++)
    g_hash_table_insert(sorted_index, &g_array_index(sorted, CvGroup, j).key, GUINT_TO_POINTER(j));
  for (guint j = 0; j < groups->len; j++)
    pos[j] =
        GPOINTER_TO_UINT(g_hash_table_lookup(sorted_index, &g_array_index(groups, CvGroup, j).key));
  /* Greedy: each group goes where its majority class is scarcest. */
  g_autofree int *fk = g_new0(int, k), *ft = g_new0(int, k);
  for (guint j = 0; j < sorted->len; j++) {
    CvGroup *g = &g_array_index(sorted, CvGroup, j);
    gboolean keepish = g->keep >= g->trash;
    int best = 0;
    for (int f = 1; f < k; f++) {
      int a = keepish ? fk[f] : ft[f], b = keepish ? fk[best] : ft[best];
      if (a < b || (a == b && fk[f] + ft[f] < fk[best] + ft[best]))
        best = f;
    }
    g->fold = best;
    fk[best] += g->keep;
    ft[best] += g->trash;
  }
  for (guint i = 0; i < n; i++)
    fold_of[i] = g_array_index(sorted, CvGroup, pos[group_of[i]]).fold;
  return k;
}

/* Copies the rows of @ds listed in @rows (where @pick is NULL or
 * pick[i] == @want) into a contiguous matrix; @y_out gets their labels. */
static guint
gather(const DerushDataset *ds, const guint *rows, const float *y, guint n, const int *pick,
       int want, gboolean equal, float *x_out, float *y_out)
{
  guint m = 0;
  for (guint i = 0; i < n; i++) {
    if (pick && (pick[i] == want) != equal)
      continue;
    memcpy(x_out + (gsize)m * ds->n_cols, ds->x + (gsize)rows[i] * ds->n_cols,
           ds->n_cols * sizeof(float));
    if (y_out)
      y_out[m] = y[i];
    m++;
  }
  return m;
}

/*
 * Early stopping on the grouped CV, from ES_FROM_LABELS labels. Below, the
 * out-of-fold log loss is too noisy to steer by: on the demo taste in
 * derush's order, stopping by it kept 10-25 trees and the accuracy after
 * 40 / 60 labels fell from 0.906 / 0.938 (every round) to 0.835 / 0.860
 * (one standard error) or 0.842 / 0.911 (the lowest loss); and a few
 * hundred photos predict in a millisecond whatever the trees. So below it
 * the folds and the final model get the label count's full rounds.
 *
 * From ES_FROM_LABELS the folds' boosters grow in lockstep,
 * ES_STEP trees at a time from ES_MIN, and their out-of-fold scores are
 * read at each step; growth stops at the label count's full number of
 * rounds or once ES_PATIENCE steps in a row did no better than the best.
 * The final model gets the fewest trees whose out-of-fold log loss is
 * within one standard error of the best (Breiman's one-standard-error
 * rule): with few labels the curve is flat within its noise, and a small
 * model is as good and less sure of itself. Fewer trees also make the
 * catalog-wide prediction cheaper (its cost is linear in the trees): on
 * bench/learn's 1,000 labels, 25 trees instead of 120. The calibration and
 * the thresholds then use the out-of-fold scores of exactly that many trees.
 */
#define ES_FROM_LABELS 500
#define ES_MIN 10
#define ES_STEP 5
#define ES_PATIENCE 4
#define ES_MAX_POINTS 64

/*
 * FEWER_FOLDS folds from FEWER_FOLDS_FROM_LABELS labels. A fold's booster
 * costs about the same whatever its rows at these sizes (XGBoost's time
 * goes to the split search over every bin of every column, not to the
 * rows), so the CV costs the number of folds: on bench/learn's 1,000
 * labels, 5 folds took 0.33 s of CPU and 3 folds 0.21 s. With that many
 * labels a fold trained on two thirds of them is as good a stand-in for
 * the final model: on the bench's 10,000 held-out photos the model's
 * accuracy, ROC AUC and log loss were 0.8231 / 0.8898 / 0.3613 after 5
 * folds and 0.8237 / 0.8910 / 0.3606 after 3 (the calibration and the
 * number of trees come from the folds), and the CV figures stay comparable
 * (accuracy 0.827 and 0.834, log loss 0.355 and 0.367).
 */
#define FEWER_FOLDS_FROM_LABELS 500
#define FEWER_FOLDS 3

/*
 * From SHARED_CUTS_FROM_LABELS labels the folds bin their rows at the cuts
 * of the training's one sketch (booster.c). There each of the 32 bins
 * holds 15 rows or more, so the cuts are quantiles that a fifth of the rows
 * more or less hardly moves. With fewer labels the cuts are the rows'
 * own values: shared, they would put a cut at each held-out photo's value,
 * something the final model never has for a new photo, so each fold
 * sketches its own rows as the final model does (a few milliseconds).
 */
#define SHARED_CUTS_FROM_LABELS 500

typedef struct {
  int points; /* steps measured */
  int trees[ES_MAX_POINTS];
  double mean[ES_MAX_POINTS], se[ES_MAX_POINTS]; /* out-of-fold log loss */
  guint n;
  double *oof; /* ES_MAX_POINTS x n raw out-of-fold scores */
} EarlyStop;

static double
row_log_loss(double p, float y)
{
  p = CLAMP(p, 1e-6, 1 - 1e-6);
  return y > 0.5f ? -log(p) : -log(1 - p);
}

/* Mean and standard error of the log loss at step @g. */
static void
early_stop_score(EarlyStop *es, int g, const float *y)
{
  const double *p = es->oof + (gsize)g * es->n;
  double sum = 0, sum2 = 0;
  guint n = es->n;
  for (guint i = 0; i < n; i++) {
    double l = row_log_loss(p[i], y[i]);
    sum += l;
    sum2 += l * l;
  }
  es->mean[g] = sum / n;
  es->se[g] = n > 1 ? sqrt(MAX(sum2 / n - es->mean[g] * es->mean[g], 0) / (n - 1)) : 0;
}

/* The step to keep: the fewest trees within one standard error of the
 * lowest mean log loss. */
static int
early_stop_choose(const EarlyStop *es)
{
  int best = 0;
  for (int g = 1; g < es->points; g++)
    if (es->mean[g] < es->mean[best])
      best = g;
  for (int g = 0; g < best; g++)
    if (es->mean[g] <= es->mean[best] + es->se[best])
      return g;
  return best;
}

/* Trains a booster per fold in lockstep and fills @es with the out-of-fold
 * curve. */
static gboolean
cv_curve(const DerushDataset *ds, const guint *rows, const float *y, guint n, const int *fold_of,
         int k, const DerushTrainSet *cuts, const DerushBoostParams *params, EarlyStop *es,
         GError **error)
{
  int m = ds->n_cols;
  g_autofree float *x_buf = g_new(float, (gsize)n *m), *y_buf = g_new(float, n);
  g_autofree float *x_te = g_new(float, (gsize)n *m), *p_te = g_new(float, n);
  g_autofree guint *te_start = g_new(guint, k + 1);
  g_autoptr(GPtrArray) boosters =
      g_ptr_array_new_with_free_func((GDestroyNotify)_derush_booster_free);
  /* Each fold's test rows, one block after the other in x_te. */
  te_start[0] = 0;
  for (int f = 0; f < k; f++) {
    guint n_tr = gather(ds, rows, y, n, fold_of, f, FALSE, x_buf, y_buf);
    g_autoptr(DerushTrainSet) set =
        _derush_train_set_new(x_buf, n_tr, m, y_buf, cuts, params->max_bin, error);
    DerushBooster *b = set ? _derush_booster_new(set, params, error) : NULL;
    if (!b)
      return FALSE;
    g_ptr_array_add(boosters, b);
    te_start[f + 1] =
        te_start[f] + gather(ds, rows, y, n, fold_of, f, TRUE, x_te + (gsize)te_start[f] * m, NULL);
  }
  es->n = n;
  es->points = 0;
  int best = 0;
  int first = n >= ES_FROM_LABELS ? MIN(ES_MIN, params->rounds) : params->rounds;
  for (int t = first; es->points < ES_MAX_POINTS; t = MIN(t + ES_STEP, params->rounds)) {
    int g = es->points++;
    es->trees[g] = t;
    double *oof = es->oof + (gsize)g * n;
    for (int f = 0; f < k; f++) {
      DerushBooster *b = g_ptr_array_index(boosters, f);
      guint n_te = te_start[f + 1] - te_start[f];
      if (!_derush_booster_boost(b, t, error) ||
          !_derush_booster_predict(b, x_te + (gsize)te_start[f] * m, n_te, m, p_te, error))
        return FALSE;
      for (guint i = 0, j = 0; i < n; i++)
        if (fold_of[i] == f)
          oof[i] = p_te[j++];
    }
    early_stop_score(es, g, y);
    if (es->mean[g] < es->mean[best])
      best = g;
    if (t >= params->rounds || g - best >= ES_PATIENCE)
      break;
  }
  return TRUE;
}

DerushLearnModel *
_derush_learn_fit(const DerushDataset *ds, const guint *rows, const float *y, guint n,
                  const DerushFitOptions *opt, DerushModelState *state, GError **error)
{
  gint64 keep = 0;
  for (guint i = 0; i < n; i++)
    keep += y[i] > 0.5f;
  *state = _derush_learn_state_for(keep, n - keep);
  if (*state != DERUSH_MODEL_TRAINED)
    return NULL;

  int m = ds->n_cols;
  g_autofree float *x_all = g_new(float, (gsize)n *m);
  g_autofree float *y_all = g_new(float, n);
  gather(ds, rows, y, n, NULL, 0, TRUE, x_all, y_all);

  g_autoptr(DerushLearnModel) model = g_new0(DerushLearnModel, 1);
  model->n_cols = m;
  model->dataset_version = DERUSH_LEARN_DATASET_VERSION;
  _derush_calibration_clear(&model->calibration);
  DerushTrainResult *info = &model->info;
  info->state = DERUSH_MODEL_TRAINED;
  info->labels = n;
  info->keep = keep;
  info->trash = n - keep;
  info->dataset_version = DERUSH_LEARN_DATASET_VERSION;

  /* Out-of-fold raw scores along each fold's trees (early stopping). */
  DerushBoostParams params;
  _derush_boost_params_for(n, opt->threads, &params);
  g_autofree int *fold_of = g_new(int, n);
  int folds = MAX(opt->folds, 2);
  if (n >= FEWER_FOLDS_FROM_LABELS)
    folds = MIN(folds, FEWER_FOLDS);
  int k = _derush_learn_assign_folds(ds, rows, y, n, folds, fold_of);
  g_autofree double *oof = g_new(double, n);
  g_autoptr(DerushTrainSet) all =
      _derush_train_set_new(x_all, n, m, y_all, NULL, params.max_bin, error);
  if (!all)
    return NULL;
  if (k >= 2) {
    EarlyStop es = {.oof = g_new(double, (gsize)ES_MAX_POINTS *n)};
    const DerushTrainSet *cuts = n >= SHARED_CUTS_FROM_LABELS ? all : NULL;
    gboolean ok = cv_curve(ds, rows, y, n, fold_of, k, cuts, &params, &es, error);
    if (ok) {
      int g = early_stop_choose(&es);
      params.rounds = es.trees[g];
      model->cv_folds = k;
      model->cv_trees = es.trees[es.points - 1];
      memcpy(oof, es.oof + (gsize)g * n, n * sizeof(double));
    }
    g_free(es.oof);
    if (!ok)
      return NULL;
  }

  model->booster = _derush_booster_train_on(all, &params, error);
  if (!model->booster)
    return NULL;
  info->trees = params.rounds;
  derush_counter_add(DERUSH_COUNTER_MODELS_TRAINED, 1);

  if (k >= 2) {
    _derush_calibration_fit(&model->calibration, oof, y_all, n);
    for (guint i = 0; i < n; i++)
      oof[i] = _derush_calibration_apply(&model->calibration, oof[i]);
    model->threshold = _derush_threshold_for_keep_loss(oof, y_all, n, opt->keep_loss_budget);
    model->keep_threshold =
        _derush_threshold_for_junk_leak(oof, y_all, n, opt->junk_leak_budget, model->threshold);
    DerushLearnMetrics cv;
    _derush_learn_metrics(oof, y_all, n, model->threshold, &cv);
    info->cv_accuracy = cv.accuracy;
    info->cv_roc_auc = cv.roc_auc;
    info->cv_log_loss = cv.log_loss;
    info->cv_keep_loss = cv.keep_loss;
  } else {
    /* One CV group holds every label: nothing honest to calibrate with.
     * The raw scores stand, and nothing is called trash. */
    model->calibration.a = -1;
    model->threshold = 0;
    model->keep_threshold = 0.5;
    info->cv_accuracy = info->cv_roc_auc = info->cv_log_loss = info->cv_keep_loss = NAN;
  }
  info->threshold = model->threshold;
  info->keep_threshold = model->keep_threshold;
  info->isotonic = model->calibration.isotonic;
  return g_steal_pointer(&model);
}
