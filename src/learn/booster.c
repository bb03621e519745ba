/* booster.c: XGBoost's C API behind four calls (train, predict, contribs,
 * save/load), so the rest of learn/ never sees a handle or a JSON config.
 *
 * Prediction of every photo is one XGBoosterPredictFromDense call on the
 * dataset's own matrix (no DMatrix, no copy): the "in-place" path. The
 * contributions (pred_contribs) cost 50-100 times more, so they go through
 * a DMatrix of the few rows asked for. */
#include "learn-private.h"
#include <stdint.h>
#include <xgboost/c_api.h>

/*
 * The rows a booster learns from, binned. tree_method hist first cuts
 * every column into at most max_bin bins at the quantiles of its values
 * (the "sketch"), then learns on the bin numbers. A training makes one
 * sketch, on every labelled row: the cross-validation folds bin their rows
 * by those cuts (a QuantileDMatrix with a reference) instead of sketching
 * again. The cuts see the held-out rows' features, never their labels: the
 * same unsupervised view the final model gets, so the folds stay honest.
 */
struct _DerushTrainSet {
  DMatrixHandle dmat;
  int rows, max_bin;
};

struct _DerushBooster {
  BoosterHandle handle;
  DerushTrainSet *set; /* while training: the rows it learns from (a reference) */
  DMatrixHandle train; /* ... and their matrix */
  int train_rows;
  int rounds;      /* trees boosted so far */
  int threads;     /* as asked: 0 = automatic */
  int set_threads; /* what XGBoost was last told */
};

/* Small jobs run on one thread, big ones on every core. With libgomp's
 * threads spinning (OMP_WAIT_POLICY unset) two threads made a 60-label
 * training 10x slower than one on the loaded 2-core machine; now that
 * derush starts passive (src/library.c), bench/learn/run.sh measured (load
 * average 22-28, median of 3, wall / CPU): training on 100 rows 0.20 /
 * 0.047 s on 2 threads against 0.17 / 0.028 s on one, on 1,000 rows 0.31 /
 * 0.26 s against 1.26 / 0.25 s, on 5,000 rows 0.96 / 0.63 s against 2.54 /
 * 0.47 s; predicting 100,000 rows 1.81 / 0.41 s against 1.45 / 0.31 s,
 * 20,000 rows 0.26 / 0.07 s against 0.31 / 0.06 s. So training uses every
 * core from 1,000 rows (was 5,000), prediction from 20,000 (unchanged:
 * threads gained it nothing at this load). */
#define PARALLEL_TRAIN_ROWS 1000
#define PARALLEL_PREDICT_ROWS 20000

static gboolean
xgb_check(int rc, const char *what, GError **error)
{
  if (rc == 0)
    return TRUE;
  g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "XGBoost: %s: %s", what, XGBGetLastError());
  return FALSE;
}

/*
 * Hyper-parameters from 10 to 10,000 labels. Few labels overfit whatever
 * the trees do, so small data gets stumps-to-depth-2 trees, a higher
 * learning rate and few rounds (the model is mostly a handful of splits on
 * sharpness and exposure); more labels earn deeper trees and more rounds.
 * Row and column subsampling regularise from 100 labels; below, every row
 * and column goes into every tree: with 20-60 labels a tree that misses a
 * fifth of them (or the one column that tells) is noise, not
 * regularisation (`derush eval learning` on the demo taste, derush's order:
 * 0.896 against 0.802 accuracy after 40 labels, 0.957 against 0.946 after
 * 60). The seed is fixed, so the same labels give the same model byte for
 * byte.
 *
 * 32 histogram bins a column (XGBoost's default is 256, derush had 128):
 * on a few thousand rows a tree's time goes to the split search, every bin
 * of every column at every node, not to the rows. A tree on 800 rows took
 * 2.4 ms with 128 bins and 0.8 ms with 32 (python3-xgboost, one thread);
 * `derush train` on bench/learn's 1,000 labels 0.98 s of CPU against
 * 0.34 s. Finer bins bought nothing measurable: on the bench's 10,000
 * held-out photos, accuracy / ROC AUC / log loss after 1,000 labels
 * 0.8217 / 0.8918 / 0.3589 with 128 bins, 0.8217 / 0.8898 / 0.3629 with
 * 32; after 100 labels 0.7525 / 0.7325 / 0.5273 against 0.7557 / 0.7436 /
 * 0.5136; after 10,000, 0.8377 / 0.9069 / 0.3304 against 0.8357 / 0.9064 /
 * 0.3305.
 */
void
_derush_boost_params_for(int n, int threads, DerushBoostParams *p)
{
  p->threads = threads;
  p->subsample = 0.8;
  p->colsample = 0.8;
  p->max_bin = 32;
  if (n < 100) {
    p->rounds = 40;
    p->max_depth = 2;
    p->eta = 0.3;
    p->min_child_weight = 0.5;
    p->subsample = 1;
    p->colsample = 1;
  } else if (n < 1000) {
    p->rounds = 80;
    p->max_depth = 3;
    p->eta = 0.15;
    p->min_child_weight = 1;
  } else {
    p->rounds = 120;
    p->max_depth = 4;
    p->eta = 0.1;
    p->min_child_weight = 1;
  }
}

static gboolean
set_param(BoosterHandle h, const char *key, const char *value, GError **error)
{
  return xgb_check(XGBoosterSetParam(h, key, value), key, error);
}

/* Tells XGBoost how many threads to use for a job of @rows rows. */
static gboolean
set_threads(DerushBooster *b, gsize rows, gsize parallel_from, GError **error)
{
  int want = b->threads > 0 ? b->threads : (rows >= parallel_from ? 0 : 1);
  if (want == b->set_threads)
    return TRUE;
  char buf[16];
  g_snprintf(buf, sizeof(buf), "%d", want);
  if (!set_param(b->handle, "nthread", buf, error))
    return FALSE;
  b->set_threads = want;
  return TRUE;
}

/* The array of @n x @m float32 rows at @x, and their labels, handed to a
 * QuantileDMatrix in one batch. */
typedef struct {
  DMatrixHandle proxy;
  const float *x, *y;
  int n, m;
  gboolean given;
} OneBatch;

static void array_interface(char *buf, gsize size, const float *x, gsize n, int m);

static void
one_batch_reset(DataIterHandle handle)
{
  ((OneBatch *)handle)->given = FALSE;
}

static int
one_batch_next(DataIterHandle handle)
{
  OneBatch *it = handle;
  if (it->given)
    return 0;
  char values[256];
  array_interface(values, sizeof(values), it->x, it->n, it->m);
  if (XGProxyDMatrixSetDataDense(it->proxy, values) != 0 ||
      XGDMatrixSetFloatInfo(it->proxy, "label", it->y, (bst_ulong)it->n) != 0)
    return -1;
  it->given = TRUE;
  return 1;
}

static void
train_set_free(DerushTrainSet *set)
{
  if (set->dmat)
    XGDMatrixFree(set->dmat);
}

DerushTrainSet *
_derush_train_set_new(const float *x, int n, int m, const float *y, const DerushTrainSet *cuts,
                      int max_bin, GError **error)
{
  g_return_val_if_fail(!cuts || cuts->max_bin == max_bin, NULL);
  DerushTrainSet *set = g_rc_box_new0(DerushTrainSet);
  set->rows = n;
  set->max_bin = max_bin;
  OneBatch it = {.x = x, .y = y, .n = n, .m = m};
  char config[128];
  g_snprintf(config, sizeof(config), "{\"missing\": NaN, \"nthread\": 1, \"max_bin\": %d}",
             max_bin);
  gboolean ok = xgb_check(XGProxyDMatrixCreate(&it.proxy), "dataset", error) &&
                xgb_check(XGQuantileDMatrixCreateFromCallback(
                              &it, it.proxy, cuts ? cuts->dmat : NULL, one_batch_reset,
                              one_batch_next, config, &set->dmat),
                          "dataset", error);
  if (it.proxy)
    XGDMatrixFree(it.proxy);
  if (!ok) {
    g_rc_box_release_full(set, (GDestroyNotify)train_set_free);
    return NULL;
  }
  if (!cuts)
    derush_counter_add(DERUSH_COUNTER_QUANTILE_SKETCHES, 1);
  return set;
}

void
_derush_train_set_unref(DerushTrainSet *set)
{
  if (set)
    g_rc_box_release_full(set, (GDestroyNotify)train_set_free);
}

DerushBooster *
_derush_booster_new(DerushTrainSet *set, const DerushBoostParams *p, GError **error)
{
  g_return_val_if_fail(set->max_bin == p->max_bin, NULL);
  g_autoptr(DerushBooster) b = g_new0(DerushBooster, 1);
  b->threads = p->threads;
  b->set_threads = -1;
  b->set = g_rc_box_acquire(set);
  b->train = set->dmat;
  b->train_rows = set->rows;
  gboolean ok = xgb_check(XGBoosterCreate(&b->train, 1, &b->handle), "booster", error);
  char num[6][G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_dtostr(num[0], sizeof(num[0]), p->eta);
  g_snprintf(num[1], sizeof(num[1]), "%d", p->max_depth);
  g_ascii_dtostr(num[2], sizeof(num[2]), p->min_child_weight);
  g_ascii_dtostr(num[3], sizeof(num[3]), p->subsample);
  g_ascii_dtostr(num[4], sizeof(num[4]), p->colsample);
  g_snprintf(num[5], sizeof(num[5]), "%d", p->max_bin);
  const char *params[][2] = {
      {"verbosity", "0"},      {"objective", "binary:logistic"},
      {"tree_method", "hist"}, {"eval_metric", "logloss"},
      {"seed", "0"},           {"eta", num[0]},
      {"max_depth", num[1]},   {"min_child_weight", num[2]},
      {"subsample", num[3]},   {"colsample_bytree", num[4]},
      {"lambda", "1"},         {"max_bin", num[5]},
  };
  for (gsize i = 0; ok && i < G_N_ELEMENTS(params); i++)
    ok = set_param(b->handle, params[i][0], params[i][1], error);
  return ok ? g_steal_pointer(&b) : NULL;
}

gboolean
_derush_booster_boost(DerushBooster *b, int trees, GError **error)
{
  g_return_val_if_fail(b->train != NULL, FALSE);
  if (!set_threads(b, b->train_rows, PARALLEL_TRAIN_ROWS, error))
    return FALSE;
  for (; b->rounds < trees; b->rounds++) {
    if (!xgb_check(XGBoosterUpdateOneIter(b->handle, b->rounds, b->train), "training", error))
      return FALSE;
    derush_counter_add(DERUSH_COUNTER_TREES_BOOSTED, 1);
  }
  return TRUE;
}

void
_derush_booster_end_training(DerushBooster *b)
{
  g_clear_pointer(&b->set, _derush_train_set_unref);
  b->train = NULL;
}

DerushBooster *
_derush_booster_train_on(DerushTrainSet *set, const DerushBoostParams *p, GError **error)
{
  g_autoptr(DerushBooster) b = _derush_booster_new(set, p, error);
  if (!b || !_derush_booster_boost(b, p->rounds, error))
    return NULL;
  _derush_booster_end_training(b);
  return g_steal_pointer(&b);
}

DerushBooster *
_derush_booster_train(const float *x, int n, int m, const float *y, const DerushBoostParams *p,
                      GError **error)
{
  DerushTrainSet *set = _derush_train_set_new(x, n, m, y, NULL, p->max_bin, error);
  if (!set)
    return NULL;
  DerushBooster *b = _derush_booster_train_on(set, p, error);
  _derush_train_set_unref(set);
  return b;
}

/* An __array_interface__ for @n x @m float32 rows at @x. */
static void
array_interface(char *buf, gsize size, const float *x, gsize n, int m)
{
  g_snprintf(buf, size,
             "{\"data\": [%" G_GUINT64_FORMAT ", true], \"shape\": [%" G_GSIZE_FORMAT
             ", %d], \"typestr\": \"<f4\", \"version\": 3}",
             (guint64)(uintptr_t)x, n, m);
}

gboolean
_derush_booster_predict_trees(DerushBooster *b, const float *x, gsize n, int m, int trees,
                              float *out, GError **error)
{
  if (n == 0)
    return TRUE;
  if (!set_threads(b, n, PARALLEL_PREDICT_ROWS, error))
    return FALSE;
  char values[256], config[256];
  array_interface(values, sizeof(values), x, n, m);
  g_snprintf(config, sizeof(config),
             "{\"type\": 0, \"training\": false, \"iteration_begin\": 0,"
             " \"iteration_end\": %d, \"strict_shape\": false, \"missing\": NaN,"
             " \"cache_id\": 0}",
             MAX(trees, 0));
  const bst_ulong *shape;
  bst_ulong dim;
  const float *result;
  if (!xgb_check(XGBoosterPredictFromDense(b->handle, values, config, NULL, &shape, &dim, &result),
                 "prediction", error))
    return FALSE;
  memcpy(out, result, n * sizeof(float));
  return TRUE;
}

gboolean
_derush_booster_predict(DerushBooster *b, const float *x, gsize n, int m, float *out,
                        GError **error)
{
  return _derush_booster_predict_trees(b, x, n, m, 0, out, error);
}

gboolean
_derush_booster_contribs(DerushBooster *b, const float *x, gsize n, int m, float *out,
                         GError **error)
{
  if (n == 0)
    return TRUE;
  if (!set_threads(b, n, PARALLEL_PREDICT_ROWS, error))
    return FALSE;
  DMatrixHandle d = NULL;
  if (!xgb_check(XGDMatrixCreateFromMat(x, (bst_ulong)n, (bst_ulong)m, NAN, &d), "dataset", error))
    return FALSE;
  const bst_ulong *shape;
  bst_ulong dim;
  const float *result;
  gboolean ok =
      xgb_check(XGBoosterPredictFromDMatrix(b->handle, d,
                                            "{\"type\": 2, \"training\": false,"
                                            " \"iteration_begin\": 0, \"iteration_end\": 0,"
                                            " \"strict_shape\": false}",
                                            &shape, &dim, &result),
                "contributions", error);
  if (ok)
    memcpy(out, result, n * (m + 1) * sizeof(float));
  XGDMatrixFree(d);
  derush_counter_add(DERUSH_COUNTER_PHOTOS_EXPLAINED, (gint64)n);
  return ok;
}

int
_derush_booster_trees(DerushBooster *b)
{
  int rounds = 0;
  return XGBoosterBoostedRounds(b->handle, &rounds) == 0 ? rounds : 0;
}

GBytes *
_derush_booster_save(DerushBooster *b, GError **error)
{
  bst_ulong len;
  const char *data;
  if (!xgb_check(XGBoosterSaveModelToBuffer(b->handle, "{\"format\": \"ubj\"}", &len, &data),
                 "saving the model", error))
    return NULL;
  return g_bytes_new(data, len);
}

DerushBooster *
_derush_booster_load(const void *data, gsize len, GError **error)
{
  g_autoptr(DerushBooster) b = g_new0(DerushBooster, 1);
  if (!xgb_check(XGBoosterCreate(NULL, 0, &b->handle), "booster", error))
    return NULL;
  if (XGBoosterLoadModelFromBuffer(b->handle, data, len) != 0) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "the stored model is unreadable: %s",
                XGBGetLastError());
    return NULL;
  }
  b->set_threads = -1;
  return g_steal_pointer(&b);
}

void
_derush_booster_free(DerushBooster *b)
{
  if (!b)
    return;
  if (b->handle)
    XGBoosterFree(b->handle);
  _derush_booster_end_training(b);
  g_free(b);
}
