/* bench-learn.c: the learning targets of issue 19, timed on one data set
 * that bench/learn/peers.py then gives to scikit-learn and python3-xgboost:
 *
 *   train      the whole of `derush train`'s fit (grouped CV, calibration,
 *              thresholds, final model) on 10, 100, 1,000 (target < 0.5 s)
 *              and 10,000 labels, with its CV figures and the accuracy of
 *              the model on 10,000 held-out labelled photos it never saw;
 *              and the final booster alone on 1,000 labels (the peers' job)
 *   predict    100,000 photos in one call: calibrated p(keep), zone and
 *              uncertainty (target < 150 ms), and the raw in-place call alone
 *   load       the stored model from the catalog as the app does at start-up
 *              (derush_catalog_model_info: SQLite read, blob checked, XGBoost
 *              model parsed; target < 50 ms)
 *   threads    train and predict at several sizes on 1 thread and on every
 *              core, to place booster.c's single-thread thresholds
 *
 * The photos are synthetic and seeded (the same on every machine): quality
 * features drawn around plausible values, bursts of 1-6 frames in sessions
 * of 500, detector and face columns missing (NaN) for a third of the photos
 * as when the models did not run; the dataset builder computes the group
 * context as for a real catalog. The label of the first 20,000 photos is a
 * noisy rule on sharpness, exposure and the burst rank: training takes its
 * labels from the first 10,000, the held-out test is the next 10,000.
 *
 *   derush-bench-learn OUTDIR [RUNS] [fit]
 *
 * "fit" times the fits only (no data written, no peers' measures).
 *
 * Writes OUTDIR/x.f32 (100,000 rows, float32, row-major, NaN missing),
 * OUTDIR/y.f32 (the 1,000 labels) and OUTDIR/shape.txt for the peers, and
 * prints one JSON object per measure (median of RUNS, default 5).
 */
#include "learn/learn-private.h"
#include "catalog/catalog-private.h"
#include <glib/gstdio.h>
#include <stdio.h>
#include <time.h>
#include "bench-util.h"

#define N_PHOTOS 100000
#define N_LABELS 1000     /* the peers' training set */
#define N_TRAIN_MAX 10000 /* the largest fit timed */
#define N_HELD_OUT 10000  /* labelled photos after those, never trained on */
#define N_TRUTH (N_TRAIN_MAX + N_HELD_OUT)

static double
uniform(guint64 *state)
{
  return (double)(bench_random(state) >> 11) / (double)(1ULL << 53);
}

static double
normal(guint64 *state)
{
  double u = MAX(uniform(state), 1e-12), v = uniform(state);
  return sqrt(-2 * log(u)) * cos(2 * G_PI * v);
}

static DerushDataset *
make_dataset(float *y)
{
  guint64 rng = 19;
  DerushDataset *ds = _derush_dataset_new();
  gint64 t = (gint64)1700000000 * 1000000000, burst = 0;
  int left_in_burst = 0;
  for (gint64 i = 0; i < N_PHOTOS; i++) {
    DerushLearnPhoto p = {0};
    p.id = i + 1;
    p.path = "";
    p.has_time = TRUE;
    if (left_in_burst == 0) {
      left_in_burst = 1 + (int)(uniform(&rng) * 6);
      burst++;
      t += (gint64)(5 + uniform(&rng) * 120) * 1000000000;
    } else {
      t += (gint64)(0.3e9 + uniform(&rng) * 0.7e9);
    }
    left_in_burst--;
    p.time_ns = t;
    p.width = 6000;
    p.height = 4000;
    p.size = (gint64)(6e6 + 3e6 * uniform(&rng));
    p.has_features = TRUE;
    for (int k = 0; k < DERUSH_N_FEATURES; k++)
      p.vector[k] = (float)normal(&rng);
    gboolean models_ran = uniform(&rng) > 1.0 / 3;
    for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
      p.detector[k] = models_ran ? (float)uniform(&rng) : NAN;
    for (int k = 0; k < DERUSH_N_FACE_FEATURES; k++)
      p.faces[k] = models_ran ? (float)uniform(&rng) : NAN;
    p.group[DERUSH_GROUP_SESSION] = 1 + i / 500;
    p.group[DERUSH_GROUP_BURST] = burst;
    _derush_dataset_add(ds, &p);
  }
  _derush_dataset_build(ds);
  for (int i = 0; i < N_TRUTH; i++) {
    const float *row = ds->x + (gsize)i * ds->n_cols;
    double s =
        derush_features_sharpness(row) - fabs(row[DERUSH_FEATURE_EXPOSURE_EV]) + 0.5 * normal(&rng);
    y[i] = s > -0.5 ? 1.0f : 0.0f;
  }
  return ds;
}

/* Times of the runs of one measure: wall and CPU. */
typedef struct {
  double wall[64], cpu[64];
  gint64 t0;
  double c0;
} Timer;

static void
timer_start(Timer *t)
{
  t->c0 = bench_cpu_seconds();
  t->t0 = g_get_monotonic_time();
}

static void
timer_stop(Timer *t, int run)
{
  t->wall[run] = (g_get_monotonic_time() - t->t0) / 1e6;
  t->cpu[run] = bench_cpu_seconds() - t->c0;
}

static double
median(double *v, int n)
{
  qsort(v, n, sizeof(double), bench_cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void
report(const char *what, int rows, int threads, Timer *t, int runs, const char *note)
{
  double min = t->wall[0];
  for (int r = 1; r < runs; r++)
    min = MIN(min, t->wall[r]);
  printf("{\"tool\": \"derush\", \"measure\": \"%s\", \"rows\": %d, \"threads\": %d, "
         "\"median_s\": %.5f, \"min_s\": %.5f, \"cpu_s\": %.5f, \"runs\": %d%s%s%s}\n",
         what, rows, threads, median(t->wall, runs), min, median(t->cpu, runs), runs,
         note ? ", \"note\": \"" : "", note ? note : "", note ? "\"" : "");
  fflush(stdout);
}

static gboolean
write_file(const char *dir, const char *name, const void *data, gsize len, GError **error)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  return g_file_set_contents(path, data, (gssize)len, error);
}

/* Times the booster alone: @rows rows on @threads threads. */
static gboolean
time_booster(const DerushDataset *ds, const float *y, int rows, int threads, int runs,
             GError **error)
{
  DerushBoostParams params;
  _derush_boost_params_for(rows, threads, &params);
  Timer t;
  for (int r = 0; r < runs; r++) {
    timer_start(&t);
    g_autoptr(DerushBooster) b = _derush_booster_train(ds->x, rows, ds->n_cols, y, &params, error);
    if (!b)
      return FALSE;
    timer_stop(&t, r);
  }
  g_autofree char *note = g_strdup_printf("%d trees of depth %d", params.rounds, params.max_depth);
  report("train_booster", rows, threads, &t, runs, note);
  return TRUE;
}

/* Times `derush train`'s whole fit on the first @labels photos and prints,
 * beside the times, its CV figures and the accuracy, ROC AUC and log loss
 * of its calibrated p(keep) on the N_HELD_OUT photos after N_TRAIN_MAX:
 * labelled by the same rule, never trained on. Leaves the model in @out. */
static gboolean
time_fit(const DerushDataset *ds, const float *y, guint labels, int runs, DerushLearnModel **out,
         GError **error)
{
  /* Fewer than 100 labels are spread over the shoot, half of each class
   * (a user's first labels, here and there; the first 10 photos hold too
   * few trash to train); more are the first photos. */
  g_autofree guint *rows = g_new(guint, labels);
  guint n = 0, of_class[2] = {0, 0};
  for (guint i = 0; n < labels && i < N_TRAIN_MAX; i += labels < 100 ? 97 : 1)
    if (labels >= 100 || of_class[y[i] > 0.5f] < labels / 2) {
      of_class[y[i] > 0.5f]++;
      rows[n++] = i;
    }
  labels = n;
  g_autofree float *yy = g_new(float, labels);
  for (guint i = 0; i < labels; i++)
    yy[i] = y[rows[i]];
  DerushFitOptions fo = {.keep_loss_budget = 0.02, .junk_leak_budget = 0.1, .folds = 5};
  Timer t;
  g_autoptr(DerushLearnModel) model = NULL;
  DerushModelState state = DERUSH_MODEL_NONE;
  for (int r = 0; r < runs; r++) {
    g_clear_pointer(&model, _derush_learn_model_free);
    timer_start(&t);
    model = _derush_learn_fit(ds, rows, yy, labels, &fo, &state, error);
    timer_stop(&t, r);
    if (!model && (error == NULL || *error))
      return FALSE;
  }
  g_autofree char *note = NULL;
  if (!model) {
    note = g_strdup_printf("state %d: no model", state);
    report("train_fit_cv", labels, 0, &t, runs, note);
    return TRUE;
  }
  g_autofree double *p = g_new(double, N_PHOTOS), *u = g_new(double, N_PHOTOS);
  g_autofree int *zone = g_new(int, N_PHOTOS);
  if (!_derush_learn_predict(model, ds, p, zone, u, error))
    return FALSE;
  DerushLearnMetrics held;
  _derush_learn_metrics(p + N_TRAIN_MAX, y + N_TRAIN_MAX, N_HELD_OUT, model->threshold, &held);
  const DerushTrainResult *info = &model->info;
  note = g_strdup_printf(
      "%d-fold grouped CV (%d trees each) + calibration + final model of %d trees; cv accuracy "
      "%.4f roc_auc %.4f log_loss %.4f keep_loss %.4f; held-out (%d photos) accuracy %.4f "
      "roc_auc %.4f log_loss %.4f keep_loss %.4f",
      model->cv_folds, model->cv_trees, info->trees, info->cv_accuracy, info->cv_roc_auc,
      info->cv_log_loss, info->cv_keep_loss, N_HELD_OUT, held.accuracy, held.roc_auc, held.log_loss,
      held.keep_loss);
  report("train_fit_cv", labels, 0, &t, runs, note);
  if (out)
    *out = g_steal_pointer(&model);
  return TRUE;
}

static gboolean
time_predict(DerushBooster *b, const DerushDataset *ds, int rows, int threads, int runs,
             GError **error)
{
  g_autofree float *out = g_new(float, rows);
  Timer t;
  for (int r = 0; r < runs; r++) {
    timer_start(&t);
    if (!_derush_booster_predict(b, ds->x, rows, ds->n_cols, out, error))
      return FALSE;
    timer_stop(&t, r);
  }
  report("predict_raw", rows, threads, &t, runs, NULL);
  return TRUE;
}

static gboolean
run(const char *dir, int runs, gboolean fit_only, GError **error)
{
  g_mkdir_with_parents(dir, 0755);
  g_autofree float *y = g_new(float, N_TRUTH);
  g_autoptr(DerushDataset) ds = make_dataset(y);
  int m = ds->n_cols;
  g_autofree char *shape = g_strdup_printf("%d %d %d\n", N_PHOTOS, m, N_LABELS);
  if (!fit_only && (!write_file(dir, "x.f32", ds->x, (gsize)N_PHOTOS * m * sizeof(float), error) ||
                    !write_file(dir, "y.f32", y, N_LABELS * sizeof(float), error) ||
                    !write_file(dir, "shape.txt", shape, strlen(shape), error)))
    return FALSE;

  /* Train: the whole fit at each size, then the final booster alone. */
  static const guint fit_labels[] = {10, 100, N_LABELS, N_TRAIN_MAX};
  g_autoptr(DerushLearnModel) model = NULL;
  for (gsize k = 0; k < G_N_ELEMENTS(fit_labels); k++)
    if (!time_fit(ds, y, fit_labels[k], fit_labels[k] > N_LABELS ? MIN(runs, 3) : runs,
                  fit_labels[k] == N_LABELS ? &model : NULL, error))
      return FALSE;
  if (fit_only)
    return TRUE;
  if (!time_booster(ds, y, N_LABELS, 0, runs, error))
    return FALSE;
  Timer t;

  /* Predict every photo: what derush_catalog_train does after training. */
  g_autofree double *p = g_new(double, N_PHOTOS), *u = g_new(double, N_PHOTOS);
  g_autofree int *zone = g_new(int, N_PHOTOS);
  for (int r = 0; r < runs; r++) {
    timer_start(&t);
    if (!_derush_learn_predict(model, ds, p, zone, u, error))
      return FALSE;
    timer_stop(&t, r);
  }
  report("predict_calibrated", N_PHOTOS, 0, &t, runs, "p(keep), zone, uncertainty");

  /* Load from a catalog, as at start-up. */
  g_autofree char *cat_path = g_build_filename(dir, "catalog.db", NULL);
  g_unlink(cat_path);
  g_autoptr(DerushCatalog) cat = derush_catalog_open(cat_path, error);
  g_autoptr(GBytes) blob = cat ? _derush_learn_model_to_blob(model, error) : NULL;
  gint64 version;
  if (!blob ||
      !_derush_catalog_store_model(cat, g_bytes_get_data(blob, NULL), g_bytes_get_size(blob),
                                   model->dataset_version, N_LABELS, 0, &version, error))
    return FALSE;
  for (int r = 0; r < runs; r++) {
    DerushTrainResult info;
    timer_start(&t);
    if (!derush_catalog_model_info(cat, &info, error))
      return FALSE;
    timer_stop(&t, r);
  }
  g_autofree char *note = g_strdup_printf(
      "derush_catalog_model_info, blob %" G_GSIZE_FORMAT " bytes", g_bytes_get_size(blob));
  report("load_model", N_LABELS, 0, &t, runs, note);

  /* Thread thresholds: the same jobs on one thread and on every core. */
  static const int train_rows[] = {100, 1000, 5000};
  static const int predict_rows[] = {1000, 10000, 20000, 100000};
  runs = MIN(runs, 3);
  int cores = (int)g_get_num_processors();
  for (int threads = 1; threads <= cores; threads += MAX(cores - 1, 1)) {
    for (gsize k = 0; k < G_N_ELEMENTS(train_rows); k++)
      if (!time_booster(ds, y, train_rows[k], threads, runs, error))
        return FALSE;
    DerushBoostParams params;
    _derush_boost_params_for(N_LABELS, threads, &params);
    g_autoptr(DerushBooster) b = _derush_booster_train(ds->x, N_LABELS, m, y, &params, error);
    if (!b)
      return FALSE;
    for (gsize k = 0; k < G_N_ELEMENTS(predict_rows); k++)
      if (!time_predict(b, ds, predict_rows[k], threads, runs, error))
        return FALSE;
  }
  return TRUE;
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s OUTDIR [RUNS]\n", argv[0]);
    return 2;
  }
  derush_restart_with_idle_threads(argv); /* as derush does: idle threads sleep */
  int runs = argc > 2 ? CLAMP(atoi(argv[2]), 1, 64) : 5;
  gboolean fit_only = argc > 3 && g_str_equal(argv[3], "fit");
  g_autoptr(GError) error = NULL;
  if (!run(argv[1], runs, fit_only, &error)) {
    fprintf(stderr, "bench-learn: %s\n", error->message);
    return 2;
  }
  return 0;
}
