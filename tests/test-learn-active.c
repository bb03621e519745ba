/* test-learn-active.c: what active learning asks first, and the simulated
 * photographer of `derush eval learning`, on datasets built in memory (no
 * catalog, no image): milliseconds. */
#include "eval/eval-private.h"
#include "learn-shoot.h"

/* Photo @i (id @i + 1) whose quality features follow @rank (0 worst ..
 * 1 best), nothing detected or detection not run (@person < 0). */
static DerushLearnPhoto
photo_of(guint i, double rank, int person, GRand *r)
{
  DerushLearnPhoto p = {0};
  p.id = i + 1;
  p.path = "";
  p.has_time = TRUE;
  p.time_ns = (gint64)i * 3600 * G_GINT64_CONSTANT(1000000000);
  p.width = 4000;
  p.height = 3000;
  p.size = 3000000;
  p.has_features = TRUE;
  for (int k = 0; k < DERUSH_N_FEATURES; k++)
    p.vector[k] = (float)g_rand_double_range(r, 0, 1);
  double lap = pow(10, 1 + 2.5 * rank + g_rand_double_range(r, -0.3, 0.3));
  p.vector[DERUSH_FEATURE_LAP_TILE_MAX] = (float)lap;
  p.vector[DERUSH_FEATURE_LAP_TILE_CENTER] = (float)(lap * 0.8);
  p.vector[DERUSH_FEATURE_LAP_VAR] = (float)(lap * 0.4);
  p.vector[DERUSH_FEATURE_EXPOSURE_EV] = (float)g_rand_double_range(r, -0.3, 0.3);
  /* Well exposed and detailed, so the quality prior follows the
   * sharpness (uniform clipping fractions made it a random order) and
   * no frame is blank. */
  p.vector[DERUSH_FEATURE_CLIP_HIGH] = 0;
  p.vector[DERUSH_FEATURE_CLIP_LOW] = 0;
  p.vector[DERUSH_FEATURE_LUMA_P50] = 0.5f;
  p.vector[DERUSH_FEATURE_GRAD_TILE_MAX] = 500;
  /* The lone-photo judgement agrees with the Laplacian (sharper: thinner
   * edges, a higher score, no grain), as on real photos; uniform noise
   * there made the sharper half look soft at random, and the curve hung
   * on which random numbers a new feature column shifted. */
  p.vector[DERUSH_FEATURE_EDGE_WIDTH] = (float)(3.0 - 2.0 * rank);
  p.vector[DERUSH_FEATURE_EDGE_WIDTH_CRISP] = (float)(2.5 - 1.8 * rank);
  p.vector[DERUSH_FEATURE_REBLUR] = (float)(0.6 - 0.4 * rank);
  p.vector[DERUSH_FEATURE_SHARPNESS_SCORE] = (float)rank;
  p.vector[DERUSH_FEATURE_NOISE_FLAT] = 1.0f;
  for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
    p.detector[k] = person < 0 ? NAN : 0;
  if (person > 0) {
    p.detector[DERUSH_DETECT_FEATURE_OBJECTS] = 1;
    p.detector[DERUSH_DETECT_FEATURE_MAX_SCORE] = 0.8f;
    p.detector[DERUSH_DETECT_FEATURE_PERSON] = 1;
    p.detector[DERUSH_DETECT_FEATURE_PERSONS] = 1;
    p.detector[DERUSH_DETECT_FEATURE_SUBJECT_AREA] = 0.3f;
  }
  for (int k = 0; k < DERUSH_N_FACE_FEATURES; k++)
    p.faces[k] = NAN;
  return p;
}

/* @n photos, each its own group, in sessions of @per_session; photo i has
 * sharpness rising with i and a well-centred exposure. */
static DerushDataset *
dataset_of(guint n, guint per_session, guint32 seed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed(seed);
  DerushDataset *ds = _derush_dataset_new();
  for (guint i = 0; i < n; i++) {
    DerushLearnPhoto p = photo_of(i, (double)i / n, -1, r);
    p.group[DERUSH_GROUP_SESSION] = 1 + i / per_session;
    _derush_dataset_add(ds, &p);
  }
  _derush_dataset_build(ds);
  return ds;
}

/* A shoot where keepers are rare and all of one content: @n_bursts bursts
 * of 3 frames, half of them of a person, half of nothing the detector
 * knows; the nothing-bursts are the sharper on the whole (sharp empty
 * scenes), so the prior's top holds no keeper. Kept: the best frame of a
 * person burst whose best frame is in the upper part of the person
 * range. Truth in @y (1 keep). Sessions of 10 bursts. */
static DerushDataset *
rare_keepers_shoot(guint n_bursts, guint32 seed, float **y)
{
  g_autoptr(GRand) r = g_rand_new_with_seed(seed);
  DerushDataset *ds = _derush_dataset_new();
  *y = g_new(float, 3 * n_bursts);
  for (guint b = 0; b < n_bursts; b++) {
    gboolean person = b % 2 == 0;
    double best = person ? g_rand_double_range(r, 0.05, 0.8) : g_rand_double_range(r, 0.5, 1.0);
    for (guint f = 0; f < 3; f++) {
      guint i = 3 * b + f;
      double rank = best - 0.2 * f; /* frame 0 is the burst's best */
      DerushLearnPhoto p = photo_of(i, rank, person, r);
      p.time_ns = (gint64)b * 20 * G_GINT64_CONSTANT(1000000000) + f * 500000000;
      p.group[DERUSH_GROUP_SESSION] = 1 + b / 10;
      p.group[DERUSH_GROUP_BURST] = 1 + b;
      _derush_dataset_add(ds, &p);
      (*y)[i] = person && f == 0 && best > 0.55 ? 1.0f : 0.0f;
    }
  }
  _derush_dataset_build(ds);
  return ds;
}

/* @n photos, none labelled, photo i's prior (i + 0.5) / @n: its rank. */
static void
nothing_labelled(guint n, int **label_of, double **prior)
{
  *label_of = g_new(int, n);
  *prior = g_new(double, n);
  for (guint i = 0; i < n; i++) {
    (*label_of)[i] = -1;
    (*prior)[i] = (i + 0.5) / n;
  }
}

/* Cold start with nothing labelled: every second pick seeks a kind
 * (keep first: the best of the prior, then trash: the worst), the others
 * spread over the prior's strata; the same picks on every run. */
static void
test_cold_start_spread(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(200, 200, 1);
  guint n = ds->photos->len;
  g_autofree int *label_of = NULL;
  g_autofree double *prior = NULL;
  nothing_labelled(n, &label_of, &prior);
  g_autoptr(GArray) picks = _derush_active_pick(ds, label_of, prior, FALSE, 10);
  g_assert_cmpuint(picks->len, ==, 10);
  gboolean best = FALSE, worst = FALSE, stratum[10] = {0};
  int strata = 0;
  for (guint k = 0; k < picks->len; k++) {
    guint i = g_array_index(picks, guint, k);
    best |= i == n - 1;
    worst |= i == 0;
    int s = (int)(prior[i] * 10);
    strata += !stratum[s];
    stratum[s] = TRUE;
  }
  g_assert_true(best && worst);
  g_assert_cmpint(strata, >=, 6);
  g_autoptr(GArray) again = _derush_active_pick(ds, label_of, prior, FALSE, 10);
  g_assert_cmpmem(again->data, again->len * sizeof(guint), picks->data, picks->len * sizeof(guint));
}

/* Keepers rare and all of one content (rare_keepers_shoot: 1 in 10, only
 * person bursts, the prior's top all empty scenes): a photographer asking
 * for one photo at a time (the N key) has at least 3 of each kind after 20
 * labels, so a model exists, and was never asked twice about one burst.
 * Spread picks and then seeking keepers by the prior alone (before
 * 2026-12-08) found fewer. */
static void
test_cold_start_rare_keepers(void)
{
  for (guint32 seed = 1; seed <= 3; seed++) {
    g_autofree float *y = NULL;
    g_autoptr(DerushDataset) ds = rare_keepers_shoot(60, seed, &y);
    guint n = ds->photos->len;
    g_autofree int *label_of = g_new(int, n);
    g_autofree double *p = g_new(double, n);
    _derush_prior_predict(ds, p);
    for (guint i = 0; i < n; i++)
      label_of[i] = -1;
    g_autoptr(GHashTable) asked = g_hash_table_new(g_int64_hash, g_int64_equal);
    int keep = 0, trash = 0;
    for (int k = 0; k < 20; k++) {
      g_autoptr(GArray) pick = _derush_active_pick(ds, label_of, p, FALSE, 1);
      g_assert_cmpuint(pick->len, ==, 1);
      guint i = g_array_index(pick, guint, 0);
      g_assert_false(g_hash_table_contains(asked, &ds->cv_group[i]));
      g_hash_table_add(asked, &ds->cv_group[i]);
      label_of[i] = y[i] > 0.5f;
      keep += label_of[i];
      trash += !label_of[i];
    }
    g_test_message("seed %u: %d keep, %d trash in the first 20", seed, keep, trash);
    g_assert_cmpint(keep, >=, DERUSH_LEARN_MIN_PER_CLASS);
    g_assert_cmpint(trash, >=, DERUSH_LEARN_MIN_PER_CLASS);
  }
}

/* No model because one kind is missing: ask where the prior expects it. */
static void
test_seek_missing_kind(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(200, 200, 2);
  guint n = ds->photos->len;
  g_autofree int *label_of = NULL;
  g_autofree double *prior = NULL;
  nothing_labelled(n, &label_of, &prior);
  /* Ten trash labels, no keeper: the seeking picks (labels 11 and 13 of
   * 11-15, listed first) are among the likeliest keepers. */
  for (guint i = 50; i < 60; i++)
    label_of[i] = 0;
  g_autoptr(GArray) picks = _derush_active_pick(ds, label_of, prior, FALSE, 5);
  g_assert_cmpuint(picks->len, ==, 5);
  for (guint k = 0; k < 2; k++)
    g_assert_cmpfloat(prior[g_array_index(picks, guint, k)], >, 0.8);
  /* Keepers but too little trash: the least likely keepers. */
  for (guint i = 50; i < 60; i++)
    label_of[i] = 1;
  label_of[0] = 0;
  g_autoptr(GArray) low = _derush_active_pick(ds, label_of, prior, FALSE, 5);
  for (guint k = 0; k < 2; k++) {
    guint i = g_array_index(low, guint, k);
    g_assert_cmpuint(i, !=, 0);
    g_assert_cmpfloat(prior[i], <, 0.1);
  }
}

/* With a model: the most uncertain first, one per CV group, sessions
 * taking turns. */
static void
test_model_uncertainty(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(100, 50, 3);
  guint n = ds->photos->len;
  g_autofree int *label_of = g_new(int, n);
  g_autofree double *p = g_new(double, n);
  for (guint i = 0; i < n; i++) {
    label_of[i] = -1;
    p[i] = 0.95;
  }
  /* Session 1 (photos 0-49) holds the ten most uncertain photos. */
  for (guint i = 0; i < 10; i++)
    p[i] = 0.5 + 0.01 * i;
  p[60] = 0.8; /* session 2's most uncertain */
  g_autoptr(GArray) picks = _derush_active_pick(ds, label_of, p, TRUE, 4);
  g_assert_cmpuint(picks->len, ==, 4);
  /* Turns: session 1's best, session 2's best, then session 1's next. */
  g_assert_cmpuint(g_array_index(picks, guint, 0), ==, 0);
  g_assert_cmpuint(g_array_index(picks, guint, 1), ==, 60);
  g_assert_cmpuint(g_array_index(picks, guint, 2), ==, 1);
  /* A labelled photo is never asked again. */
  label_of[0] = 1;
  g_autoptr(GArray) next = _derush_active_pick(ds, label_of, p, TRUE, 1);
  g_assert_cmpuint(g_array_index(next, guint, 0), ==, 1);
}

static void
simulate(DerushDataset *ds, const float *y, DerushLearnOrder order, guint32 seed, GArray **curve)
{
  DerushFitOptions fo = {
      .keep_loss_budget = 0.02, .junk_leak_budget = 0.1, .folds = 5, .threads = 1};
  *curve = g_array_new(FALSE, FALSE, sizeof(DerushLearningPoint));
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_learning_simulate(ds, y, order, 10, seed, &fo, *curve, &error));
  g_assert_no_error(error);
}

static gboolean
same_curve(GArray *a, GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++) {
    DerushLearningPoint *x = &g_array_index(a, DerushLearningPoint, i);
    DerushLearningPoint *z = &g_array_index(b, DerushLearningPoint, i);
    if (x->labels != z->labels || x->accuracy != z->accuracy || x->log_loss != z->log_loss)
      return FALSE;
  }
  return TRUE;
}

/* The simulated photographer: points every 10 labels while 20 photos are
 * left; the same seed gives the same curve, another seed another order;
 * active order is deterministic and gets a model from its first step
 * (cold start spread over the prior: both kinds at once). */
static void
test_simulate_seed(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(120, 40, 4);
  guint n = ds->photos->len;
  g_autofree float *y = g_new(float, n);
  for (guint i = 0; i < n; i++)
    y[i] = i >= n / 2 ? 1.0f : 0.0f; /* the sharper half is kept */
  g_autoptr(GArray) r1 = NULL, r1b = NULL, r2 = NULL, a = NULL, ab = NULL;
  simulate(ds, y, DERUSH_LEARN_ORDER_RANDOM, 1, &r1);
  simulate(ds, y, DERUSH_LEARN_ORDER_RANDOM, 1, &r1b);
  simulate(ds, y, DERUSH_LEARN_ORDER_RANDOM, 2, &r2);
  g_assert_cmpuint(r1->len, ==, (n - 20) / 10 + 1);
  for (guint i = 0; i < r1->len; i++)
    g_assert_cmpint(g_array_index(r1, DerushLearningPoint, i).labels, ==, 10 * (i + 1));
  g_assert_true(same_curve(r1, r1b));
  g_assert_false(same_curve(r1, r2));
  simulate(ds, y, DERUSH_LEARN_ORDER_ACTIVE, 0, &a);
  simulate(ds, y, DERUSH_LEARN_ORDER_ACTIVE, 7, &ab);
  g_assert_true(same_curve(a, ab)); /* the seed is the random order's only */
  g_assert_cmpint(g_array_index(a, DerushLearningPoint, 0).state, ==, DERUSH_MODEL_TRAINED);
  DerushLearningPoint *last = &g_array_index(a, DerushLearningPoint, a->len - 1);
  g_assert_cmpfloat(last->accuracy, >=, 0.9);
}

/* On the rare-keepers shoot, derush's order is at least as accurate as
 * random order (the mean of 3 seeds) after 10 and 20 labels: the cold
 * start's first labels teach the model (before 2026-12-08 derush's order
 * stayed without a model after 20 labels on such a shoot). */
static void
test_simulate_rare_keepers(void)
{
  g_autofree float *y = NULL;
  g_autoptr(DerushDataset) ds = rare_keepers_shoot(40, 4, &y);
  g_autoptr(GArray) a = NULL;
  simulate(ds, y, DERUSH_LEARN_ORDER_ACTIVE, 0, &a);
  for (guint k = 0; k < 2; k++) {
    double random = 0;
    for (guint32 seed = 1; seed <= 3; seed++) {
      g_autoptr(GArray) r = NULL;
      simulate(ds, y, DERUSH_LEARN_ORDER_RANDOM, seed, &r);
      random += g_array_index(r, DerushLearningPoint, k).accuracy / 3;
    }
    DerushLearningPoint *pt = &g_array_index(a, DerushLearningPoint, k);
    g_test_message("%" G_GINT64_FORMAT " labels: derush's order %.3f (%s), random %.3f", pt->labels,
                   pt->accuracy, pt->state == DERUSH_MODEL_TRAINED ? "model" : "no model", random);
    g_assert_cmpfloat(pt->accuracy, >=, random);
  }
  g_assert_cmpint(g_array_index(a, DerushLearningPoint, 1).state, ==, DERUSH_MODEL_TRAINED);
}

/* Below 100 labels every tree sees every row and column (subsampling 20-60
 * labels is noise); from 100, both are subsampled. */
static void
test_few_label_params(void)
{
  DerushBoostParams p;
  for (int n = 8; n < 100; n += 13) {
    _derush_boost_params_for(n, 1, &p);
    g_assert_cmpfloat(p.subsample, ==, 1);
    g_assert_cmpfloat(p.colsample, ==, 1);
  }
  _derush_boost_params_for(100, 1, &p);
  g_assert_cmpfloat(p.subsample, <, 1);
  g_assert_cmpfloat(p.colsample, <, 1);
}

/* From 1,000 rows training runs on every core (booster.c): the same rows
 * still give the same model, byte for byte. */
static void
test_parallel_deterministic(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(1200, 100, 5);
  guint n = ds->photos->len;
  g_autofree float *y = g_new(float, n);
  for (guint i = 0; i < n; i++)
    y[i] = (i * 7919) % n >= n / 3 ? 1.0f : 0.0f;
  DerushBoostParams params;
  _derush_boost_params_for((int)n, 0, &params);
  g_autoptr(GError) error = NULL;
  GBytes *blob[2] = {NULL, NULL};
  for (int k = 0; k < 2; k++) {
    g_autoptr(DerushBooster) b =
        _derush_booster_train(ds->x, (int)n, ds->n_cols, y, &params, &error);
    g_assert_no_error(error);
    blob[k] = _derush_booster_save(b, &error);
    g_assert_no_error(error);
  }
  g_assert_true(g_bytes_equal(blob[0], blob[1]));
  g_bytes_unref(blob[0]);
  g_bytes_unref(blob[1]);
}

/* Early stopping reads a fold's curve off one booster: its first k trees
 * predict exactly what a booster of k trees predicts. */
static void
test_tree_prefix(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(60, 60, 3);
  guint n = ds->photos->len;
  g_autofree float *y = g_new(float, n), *p_prefix = g_new(float, n), *p_small = g_new(float, n);
  for (guint i = 0; i < n; i++)
    y[i] = i >= n / 2 ? 1.0f : 0.0f;
  DerushBoostParams params;
  _derush_boost_params_for((int)n, 1, &params);
  g_assert_cmpint(params.rounds, >, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushBooster) all =
      _derush_booster_train(ds->x, (int)n, ds->n_cols, y, &params, &error);
  g_assert_no_error(error);
  g_assert_cmpint(_derush_booster_trees(all), ==, params.rounds);
  g_assert_true(_derush_booster_predict_trees(all, ds->x, n, ds->n_cols, 10, p_prefix, &error));
  params.rounds = 10;
  g_autoptr(DerushBooster) small =
      _derush_booster_train(ds->x, (int)n, ds->n_cols, y, &params, &error);
  g_assert_no_error(error);
  g_assert_true(_derush_booster_predict(small, ds->x, n, ds->n_cols, p_small, &error));
  g_assert_cmpmem(p_prefix, n * sizeof(float), p_small, n * sizeof(float));
}

/* From 500 labels: labels that are noise gain nothing from more trees, so
 * the CV's early stopping keeps the fewest (10); labels that follow the
 * sharpness keep at most the label count's rounds, and the model predicts
 * with what it kept. Below 500 labels every round is kept. */
static void
test_early_stopping(void)
{
  g_autoptr(DerushDataset) ds = dataset_of(600, 50, 4);
  guint n = ds->photos->len;
  g_autofree guint *rows = g_new(guint, n);
  g_autofree float *noise = g_new(float, n), *clean = g_new(float, n);
  for (guint i = 0; i < n; i++) {
    rows[i] = i;
    noise[i] = (_derush_mix64(i) >> 11) % 2 ? 1.0f : 0.0f;
    clean[i] = i >= n / 3 ? 1.0f : 0.0f;
  }
  DerushFitOptions fo = {.keep_loss_budget = 0.02, .junk_leak_budget = 0.1, .folds = 5};
  DerushBoostParams params;
  _derush_boost_params_for((int)n, 0, &params);
  DerushModelState state;
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushLearnModel) m_noise = _derush_learn_fit(ds, rows, noise, n, &fo, &state, &error);
  g_assert_no_error(error);
  g_assert_nonnull(m_noise);
  g_assert_cmpint(m_noise->info.trees, ==, 10);
  g_assert_cmpint(_derush_booster_trees(m_noise->booster), ==, 10);
  g_autoptr(DerushLearnModel) m_clean = _derush_learn_fit(ds, rows, clean, n, &fo, &state, &error);
  g_assert_no_error(error);
  g_assert_cmpint(m_clean->info.trees, >=, 10);
  g_assert_cmpint(m_clean->info.trees, <=, params.rounds);
  g_assert_cmpint(_derush_booster_trees(m_clean->booster), ==, m_clean->info.trees);
  g_assert_cmpfloat(m_clean->info.cv_accuracy, >=, 0.9);
  guint few = 200;
  _derush_boost_params_for((int)few, 0, &params);
  g_autoptr(DerushLearnModel) m_few = _derush_learn_fit(ds, rows, noise, few, &fo, &state, &error);
  g_assert_no_error(error);
  g_assert_cmpint(m_few->info.trees, ==, params.rounds);
}

/* A photo of sharpness about @sharp (derush_features_sharpness), mean
 * exposure @ev EV and highlights at @p99, with detail everywhere unless
 * @blank. */
static void
add_photo(DerushDataset *ds, gint64 id, double sharp, double ev, double p99, gboolean blank)
{
  DerushLearnPhoto p = {0};
  p.id = id;
  p.path = "";
  p.has_time = TRUE;
  p.time_ns = id * 3600 * G_GINT64_CONSTANT(1000000000);
  p.width = 4000;
  p.height = 3000;
  p.size = 3000000;
  p.has_features = TRUE;
  for (int k = 0; k < DERUSH_N_FEATURES; k++)
    p.vector[k] = 0.5f;
  double lap = pow(10, sharp) - 1;
  p.vector[DERUSH_FEATURE_LAP_TILE_MAX] = (float)lap;
  p.vector[DERUSH_FEATURE_LAP_TILE_CENTER] = (float)lap;
  p.vector[DERUSH_FEATURE_LAP_VAR] = (float)(lap / 2);
  p.vector[DERUSH_FEATURE_GRAD_TILE_MAX] = blank ? 0.5f : 500;
  p.vector[DERUSH_FEATURE_EXPOSURE_EV] = (float)ev;
  p.vector[DERUSH_FEATURE_LUMA_P99] = (float)p99;
  p.vector[DERUSH_FEATURE_LUMA_P50] = 0.5f;
  p.vector[DERUSH_FEATURE_CLIP_HIGH] = 0;
  p.vector[DERUSH_FEATURE_CLIP_LOW] = 0;
  for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
    p.detector[k] = NAN;
  for (int k = 0; k < DERUSH_N_FACE_FEATURES; k++)
    p.faces[k] = NAN;
  p.group[DERUSH_GROUP_SESSION] = 1;
  _derush_dataset_add(ds, &p);
}

#define N_GOOD 40
enum { JUNK_BLANK = N_GOOD, JUNK_BLURRED, JUNK_DARK, N_JUNK_SET };

/* @N_GOOD photos from sharpness 1.2 (soft, but a photo) to 3.6, then a
 * blank frame, one blurred beyond use and one almost black. */
static DerushDataset *
junk_dataset(void)
{
  DerushDataset *ds = _derush_dataset_new();
  for (int i = 0; i < N_GOOD; i++)
    add_photo(ds, i + 1, 1.2 + 2.4 * i / (N_GOOD - 1), 0.1 * (i % 5) - 0.2, 0.9, FALSE);
  add_photo(ds, JUNK_BLANK + 1, 0.8, 0, 0.5, TRUE);
  add_photo(ds, JUNK_BLURRED + 1, 0.5, 0, 0.9, FALSE);
  add_photo(ds, JUNK_DARK + 1, 3.0, -6, 0.1, FALSE);
  _derush_dataset_build(ds);
  return ds;
}

/* The prior calls only junk likely trash: the softest real photos are
 * unsure, not trash (a percentile rule called the bottom fifth trash). */
static void
test_prior_junk(void)
{
  g_autoptr(DerushDataset) ds = junk_dataset();
  guint n = ds->photos->len;
  g_assert_cmpuint(n, ==, N_JUNK_SET);
  g_autofree double *p = g_new(double, n), *u = g_new(double, n);
  g_autofree int *zone = g_new(int, n);
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_learn_predict(NULL, ds, p, zone, u, &error));
  for (guint i = 0; i < n; i++) {
    gboolean junk = i >= JUNK_BLANK;
    g_assert_cmpint(_derush_prior_is_junk(&g_array_index(ds->photos, DerushLearnPhoto, i)), ==,
                    junk);
    g_assert_cmpint(zone[i] == DERUSH_ZONE_LIKELY_TRASH, ==, junk);
    if (junk)
      g_assert_cmpfloat(p[i], <, p[0]); /* below the softest real photo */
  }
  g_assert_cmpfloat(p[N_GOOD - 1], >, p[0]); /* the sharpest ranks above the softest */
  g_assert_cmpint(zone[N_GOOD - 1], ==, DERUSH_ZONE_LIKELY_KEEP);
}

/* With fewer kept labels than the budget needs (49 at 2 %), the model's
 * trash threshold is 0: a photo it doubts is unsure, junk it doubts is
 * still likely trash. */
static void
test_few_keepers_zones(void)
{
  g_autoptr(DerushDataset) ds = junk_dataset();
  /* Every other real photo labelled: the sharper half kept. */
  guint rows[N_GOOD / 2];
  float y[N_GOOD / 2];
  for (guint k = 0; k < N_GOOD / 2; k++) {
    rows[k] = 2 * k + 1;
    y[k] = rows[k] >= N_GOOD / 2 ? 1.0f : 0.0f;
  }
  DerushFitOptions fo = {.keep_loss_budget = 0.02, .junk_leak_budget = 0.1, .folds = 5};
  DerushModelState state;
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushLearnModel) model =
      _derush_learn_fit(ds, rows, y, N_GOOD / 2, &fo, &state, &error);
  g_assert_no_error(error);
  g_assert_nonnull(model);
  g_assert_cmpfloat(model->threshold, ==, 0);
  guint n = ds->photos->len;
  g_autofree double *p = g_new(double, n), *u = g_new(double, n);
  g_autofree int *zone = g_new(int, n);
  g_assert_true(_derush_learn_predict(model, ds, p, zone, u, &error));
  g_assert_cmpfloat(p[0], <, 0.5); /* the softest real photo: the model doubts it... */
  g_assert_cmpint(zone[0], ==, DERUSH_ZONE_UNSURE); /* ...but cannot vouch for trash */
  g_assert_cmpfloat(p[JUNK_BLURRED], <, 0.5);
  g_assert_cmpint(zone[JUNK_BLURRED], ==, DERUSH_ZONE_LIKELY_TRASH);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint(zone[i] == DERUSH_ZONE_LIKELY_TRASH, ==,
                    i >= JUNK_BLANK && p[i] < 0.5); /* junk the model doubts, nothing else */
  /* A budget its 10 keepers can vouch for (floor(0.2 x 11) = 2): a trash zone. */
  fo.keep_loss_budget = 0.2;
  g_autoptr(DerushLearnModel) loose =
      _derush_learn_fit(ds, rows, y, N_GOOD / 2, &fo, &state, &error);
  g_assert_no_error(error);
  g_assert_cmpfloat(loose->threshold, >, 0);
}

int
main(int argc, char **argv)
{
  /* As derush and the app do: libgomp's idle threads sleep (a spinning
   * one made the 2-thread training case take minutes on a busy machine). */
  derush_restart_with_idle_threads(argv);
  test_init(&argc, &argv);
  g_test_add_func("/learn/active/cold-start-spread", test_cold_start_spread);
  g_test_add_func("/learn/active/cold-start-rare-keepers", test_cold_start_rare_keepers);
  g_test_add_func("/learn/active/seek-missing-kind", test_seek_missing_kind);
  g_test_add_func("/learn/active/model-uncertainty", test_model_uncertainty);
  g_test_add_func("/learn/eval/simulate-seed", test_simulate_seed);
  g_test_add_func("/learn/eval/simulate-rare-keepers", test_simulate_rare_keepers);
  g_test_add_func("/learn/fit/few-label-params", test_few_label_params);
  g_test_add_func("/learn/fit/parallel-deterministic", test_parallel_deterministic);
  g_test_add_func("/learn/fit/tree-prefix", test_tree_prefix);
  g_test_add_func("/learn/fit/early-stopping", test_early_stopping);
  g_test_add_func("/learn/prior/junk", test_prior_junk);
  g_test_add_func("/learn/fit/few-keepers-zones", test_few_keepers_zones);
  return g_test_run();
}
