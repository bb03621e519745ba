/* test-learn-fit.c: the work one training does, counted (its speed is
 * bench/learn's): one quantile sketch per training, boosting rounds that
 * add up to what the folds and the final model say, fewer folds from 500
 * labels, and the same labels giving the same model, threads or not. On
 * datasets built in memory: no catalog, no image. */
#include "learn-shoot.h"

/* @n photos in bursts of 1-4 frames 0.5 s apart, a new session every 200
 * photos, quality columns drawn at random; a photo is kept (@y) when its
 * Laplacian variance beats a noisy bar, so the model has something to
 * learn and the CV something to measure. */
static DerushDataset *
bursts_of(guint n, guint32 seed, float *y)
{
  g_autoptr(GRand) r = g_rand_new_with_seed(seed);
  DerushDataset *ds = _derush_dataset_new();
  gint64 t = G_GINT64_CONSTANT(1700000000000000000), burst = 0;
  int left = 0;
  for (guint i = 0; i < n; i++) {
    DerushLearnPhoto p = {0};
    p.id = i + 1;
    p.path = "";
    p.has_time = TRUE;
    if (left-- <= 0) {
      left = g_rand_int_range(r, 0, 4);
      burst++;
      t += 60 * G_GINT64_CONSTANT(1000000000);
    }
    t += 500000000;
    p.time_ns = t;
    p.width = 6000;
    p.height = 4000;
    p.size = 8000000;
    p.has_features = TRUE;
    for (int k = 0; k < DERUSH_N_FEATURES; k++)
      p.vector[k] = (float)g_rand_double(r);
    for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
      p.detector[k] = NAN;
    for (int k = 0; k < DERUSH_N_FACE_FEATURES; k++)
      p.faces[k] = NAN;
    p.group[DERUSH_GROUP_SESSION] = 1 + i / 200;
    p.group[DERUSH_GROUP_BURST] = burst;
    y[i] = p.vector[DERUSH_FEATURE_LAP_VAR] + 0.3 * g_rand_double(r) > 0.6 ? 1.0f : 0.0f;
    _derush_dataset_add(ds, &p);
  }
  _derush_dataset_build(ds);
  return ds;
}

static guint *
first_rows(guint n)
{
  guint *rows = g_new(guint, n);
  for (guint i = 0; i < n; i++)
    rows[i] = i;
  return rows;
}

/* Every boosting round is a fold's or the final model's: below 500
 * labels the label count's full rounds, 5 folds, each sketching its own
 * rows; from 500, one sketch (the folds bin by its cuts) and 3 folds grown
 * as far as early stopping took them, a final model of at most that many
 * trees. */
static void
test_fit_work(void)
{
  static const guint sizes[] = {120, 600};
  for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
    guint n = sizes[s];
    g_autofree float *y = g_new(float, n);
    g_autoptr(DerushDataset) ds = bursts_of(n, 11, y);
    g_autofree guint *rows = first_rows(n);
    DerushFitOptions fo = {.keep_loss_budget = 0.02, .junk_leak_budget = 0.1, .folds = 5};
    DerushBoostParams params;
    _derush_boost_params_for((int)n, 0, &params);
    gint64 sketches = derush_counter_get(DERUSH_COUNTER_QUANTILE_SKETCHES);
    gint64 trees = derush_counter_get(DERUSH_COUNTER_TREES_BOOSTED);
    DerushModelState state;
    g_autoptr(GError) error = NULL;
    g_autoptr(DerushLearnModel) m = _derush_learn_fit(ds, rows, y, n, &fo, &state, &error);
    g_assert_no_error(error);
    g_assert_nonnull(m);
    g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_QUANTILE_SKETCHES) - sketches, ==,
                    n < 500 ? m->cv_folds + 1 : 1);
    gint64 boosted = derush_counter_get(DERUSH_COUNTER_TREES_BOOSTED) - trees;
    g_assert_cmpint(boosted, ==, (gint64)m->cv_folds * m->cv_trees + m->info.trees);
    g_assert_cmpint(_derush_booster_trees(m->booster), ==, m->info.trees);
    if (n < 500) {
      g_assert_cmpint(m->cv_folds, ==, 5);
      g_assert_cmpint(boosted, ==, 6 * params.rounds);
    } else {
      g_assert_cmpint(m->cv_folds, ==, 3);
      g_assert_cmpint(m->info.trees, <=, m->cv_trees);
      g_assert_cmpint(m->cv_trees, <=, params.rounds);
    }
    g_assert_cmpfloat(m->info.cv_accuracy, >, 0.7);
  }
}

/* From 1,000 labels the final model trains on every core (booster.c):
 * the same labels still give the same model, byte for byte, whether the
 * training ran on one thread or on two. */
static void
test_fit_same_model(void)
{
  guint n = 1000;
  g_autofree float *y = g_new(float, n);
  g_autoptr(DerushDataset) ds = bursts_of(n, 12, y);
  g_autofree guint *rows = first_rows(n);
  static const int threads[] = {0, 0, 1, 2};
  GBytes *blob[G_N_ELEMENTS(threads)];
  for (gsize k = 0; k < G_N_ELEMENTS(threads); k++) {
    DerushFitOptions fo = {
        .keep_loss_budget = 0.02, .junk_leak_budget = 0.1, .folds = 5, .threads = threads[k]};
    DerushModelState state;
    g_autoptr(GError) error = NULL;
    g_autoptr(DerushLearnModel) m = _derush_learn_fit(ds, rows, y, n, &fo, &state, &error);
    g_assert_no_error(error);
    g_assert_nonnull(m);
    blob[k] = _derush_learn_model_to_blob(m, &error);
    g_assert_no_error(error);
  }
  for (gsize k = 1; k < G_N_ELEMENTS(threads); k++)
    g_assert_true(g_bytes_equal(blob[0], blob[k]));
  for (gsize k = 0; k < G_N_ELEMENTS(threads); k++)
    g_bytes_unref(blob[k]);
}

int
main(int argc, char **argv)
{
  derush_restart_with_idle_threads(argv); /* as derush does: idle threads sleep */
  test_init(&argc, &argv);
  g_test_add_func("/learn/fit/work", test_fit_work);
  g_test_add_func("/learn/fit/same-model", test_fit_same_model);
  return g_test_run();
}
