/* test-learn.c: learning the photographer's taste: dataset, calibration,
 * grouped folds, training, stored models and their failure states,
 * predictions, explanations, active learning and auto-labelling.
 *
 * Most cases run on a synthetic catalog (learn-shoot.c) so they take
 * milliseconds; the CLI case runs
 * on one session of the demo set.
 *
 * Over 600 lines: one short case per promise of the learner, on the
 * shared synthetic shoot. */
#include "group/grouping.h"
#include "learn-shoot.h"
#include <json-glib/json-glib.h>

/* --------------------------------------------------------------- dataset */

static void
test_dataset_context(void)
{
  Shoot s;
  shoot_make(&s, 2, 1, 7);
  g_autoptr(GError) error = NULL;
  /* The detector ran on the first photo only: its columns are there, NAN
   * for the others. */
  float det[DERUSH_N_DETECT_FEATURES];
  for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
    det[k] = 0;
  det[DERUSH_DETECT_FEATURE_PERSON] = 1;
  det[DERUSH_DETECT_FEATURE_PERSONS] = 2;
  guint8 blob[4 * DERUSH_N_DETECT_FEATURES];
  _derush_floats_to_blob(det, DERUSH_N_DETECT_FEATURES, blob);
  sqlite3_stmt *st = _derush_catalog_stmt(
      s.cat,
      "INSERT INTO detect_runs(photo_id, version, content_hash, objects, features)"
      " VALUES (?, ?, 1000, 2, ?)",
      &error);
  g_assert_nonnull(st);
  sqlite3_bind_int64(st, 1, g_array_index(s.ids, gint64, 0));
  sqlite3_bind_int(st, 2, DERUSH_DETECT_VERSION);
  sqlite3_bind_blob(st, 3, blob, sizeof(blob), SQLITE_TRANSIENT);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
  sqlite3_reset(st);
  g_autoptr(DerushDataset) ds = _derush_dataset_load(s.cat, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(ds->photos->len, ==, 7);
  int person = -1;
  for (int c = 0; c < ds->n_cols; c++)
    if (strcmp(_derush_dataset_column_name(c), "det_person") == 0)
      person = c;
  g_assert_cmpint(person, >=, 0);
  g_assert_cmpfloat(ds->x[person], ==, 1);
  g_assert_true(isnan(ds->x[ds->n_cols + person]));
  g_autofree char *says = _derush_reason_text(person, 1, 0.5);
  g_assert_cmpstr(says, ==, "a person");
  int rank = -1, vs = -1, best = -1, size = -1, gap = -1;
  for (int c = 0; c < ds->n_cols; c++) {
    const char *name = _derush_dataset_column_name(c);
    if (strcmp(name, "burst_sharpness_rank") == 0)
      rank = c;
    else if (strcmp(name, "burst_sharpness_vs_median") == 0)
      vs = c;
    else if (strcmp(name, "burst_is_best") == 0)
      best = c;
    else if (strcmp(name, "burst_size") == 0)
      size = c;
    else if (strcmp(name, "gap_prev") == 0)
      gap = c;
  }
  g_assert_true(rank >= 0 && vs >= 0 && best >= 0 && size >= 0 && gap >= 0);
  for (int b = 0; b < 2; b++) {
    /* The sharpest frame ranks 0 and is above the burst's median; ranks of
     * three frames are 0, 0.5 and 1; one best pick per burst. */
    double ranks = 0, bests = 0;
    for (int f = 0; f < 3; f++) {
      guint i = b * 3 + f;
      const float *row = ds->x + (gsize)i * ds->n_cols;
      const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
      g_assert_cmpfloat(row[size], ==, 3);
      ranks += row[rank];
      bests += row[best];
      if (row[rank] == 0)
        g_assert_cmpfloat(row[vs], >, 0);
      /* Frames of one burst share a CV group. */
      g_assert_cmpint(ds->cv_group[i], ==, ds->cv_group[b * 3]);
      g_assert_cmpint(p->group[DERUSH_GROUP_BURST], !=, 0);
    }
    g_assert_cmpfloat_with_epsilon(ranks, 1.5, 1e-6);
    g_assert_cmpfloat(bests, ==, 1);
  }
  /* The single frame: in no burst (size 1, rank missing), its own CV group;
   * the first photo in time has no previous gap. */
  const float *single = ds->x + (gsize)6 * ds->n_cols;
  g_assert_cmpfloat(single[size], ==, 1);
  g_assert_true(isnan(single[rank]));
  g_assert_true(isnan(ds->x[gap]));
  g_assert_false(isnan(single[gap]));
  g_assert_cmpint(ds->cv_group[6], !=, ds->cv_group[0]);
  g_assert_cmpint(ds->cv_group[0], !=, ds->cv_group[3]);
  shoot_free(&s);
}

/* ----------------------------------------------------------- calibration */

static void
test_calibration_platt(void)
{
  /* Raw scores twice as confident as the truth: p = sigmoid(logit(raw) / 2).
   * Platt must find a = -0.5 (p = 1 / (1 + exp(a logit + b))). */
  g_autoptr(GRand) r = g_rand_new_with_seed(3);
  int n = 4000;
  g_autofree double *raw = g_new(double, n);
  g_autofree float *y = g_new(float, n);
  for (int i = 0; i < n; i++) {
    double z = g_rand_double_range(r, -6, 6);
    raw[i] = 1 / (1 + exp(-z));
    y[i] = g_rand_double(r) < 1 / (1 + exp(-z / 2)) ? 1.0f : 0.0f;
  }
  DerushCalibration c = {0};
  _derush_calibration_fit(&c, raw, y, 500); /* 500: Platt */
  g_assert_false(c.isotonic);
  g_assert_cmpfloat(fabs(c.a + 0.5), <, 0.15);
  g_assert_cmpfloat(fabs(c.b), <, 0.3);
  /* Monotone, and the 0.95 raw score comes down toward its true 0.81. */
  g_assert_cmpfloat(_derush_calibration_apply(&c, 0.95), <, 0.88);
  g_assert_cmpfloat(_derush_calibration_apply(&c, 0.6), <, _derush_calibration_apply(&c, 0.7));
  _derush_calibration_fit(&c, raw, y, n); /* 4000 of both classes: isotonic */
  g_assert_true(c.isotonic);
  double prev = 0;
  for (double x = 0.01; x < 1; x += 0.01) {
    double p = _derush_calibration_apply(&c, x);
    g_assert_cmpfloat(p, >=, prev);
    prev = p;
  }
  g_assert_cmpfloat(fabs(_derush_calibration_apply(&c, 1 / (1 + exp(-4))) - 1 / (1 + exp(-2))), <,
                    0.08);
  _derush_calibration_clear(&c);
}

static void
test_threshold_budget(void)
{
  /* 199 keepers at p = 0.01 .. 0.99 plus trash at low p. With a 2% budget
   * the conformal rule allows floor(0.02 * 200) = 4: the 4th lowest
   * keeper's p, so 3 keepers (1.5%) fall below it. */
  int n = 299;
  g_autofree double *p = g_new(double, n);
  g_autofree float *y = g_new(float, n);
  for (int i = 0; i < 199; i++) {
    p[i] = 0.01 + 0.98 * i / 198.0;
    y[i] = 1;
  }
  for (int i = 199; i < n; i++) {
    p[i] = 0.001 * (i - 198);
    y[i] = 0;
  }
  double t = _derush_threshold_for_keep_loss(p, y, n, 0.02);
  g_assert_cmpfloat_with_epsilon(t, p[3], 1e-12);
  DerushLearnMetrics m;
  _derush_learn_metrics(p, y, n, t, &m);
  g_assert_cmpfloat(m.keep_loss, <=, 0.02);
  g_assert_cmpfloat(m.keep_loss, >, 0);
  /* Too few keepers to vouch for the budget (fewer than 1 / budget - 1):
   * no trash zone, however far below them a photo falls. */
  float y3[3] = {1, 1, 0};
  double p3[3] = {0.9, 0.8, 0.1};
  g_assert_cmpfloat(_derush_threshold_for_keep_loss(p3, y3, 3, 0.02), ==, 0);
  g_assert_cmpfloat(_derush_threshold_for_keep_loss(p3, y3, 3, 0.34), ==, 0.5); /* 0.8, capped */
  g_autofree float *y49 = g_new(float, 50);
  g_autofree double *p49 = g_new(double, 50);
  for (int i = 0; i < 50; i++) {
    y49[i] = i > 0;
    p49[i] = 0.2 + 0.005 * i; /* keepers 0.205 .. 0.445 */
  }
  g_assert_cmpfloat_with_epsilon(_derush_threshold_for_keep_loss(p49, y49, 50, 0.02), 0.205, 1e-12);
  g_assert_cmpfloat(_derush_threshold_for_keep_loss(p49 + 1, y49 + 1, 48, 0.02), ==, 0);
  double u = _derush_threshold_for_junk_leak(p3, y3, 3, 0.1, 0.4);
  g_assert_cmpfloat(u, >=, 0.5);
  g_assert_cmpint(_derush_zone_of(0.3, 0.4, u), ==, DERUSH_ZONE_LIKELY_TRASH);
  g_assert_cmpint(_derush_zone_of(0.45, 0.4, u), ==, DERUSH_ZONE_UNSURE);
  g_assert_cmpint(_derush_zone_of(0.95, 0.4, u), ==, DERUSH_ZONE_LIKELY_KEEP);
  g_assert_cmpfloat(_derush_uncertainty_of(0.5), >, _derush_uncertainty_of(0.9));
  g_assert_cmpfloat_with_epsilon(m.roc_auc, 1.0 - 0.0, 0.2);
}

/* ----------------------------------------------------------------- folds */

/* The shoot's dataset, with every photo a row (@rows: 0..n-1) and its
 * truth in @y (1 keep, 0 trash). */
static DerushDataset *
load_every_row(Shoot *s, guint **rows, float **y)
{
  g_autoptr(GError) error = NULL;
  DerushDataset *ds = _derush_dataset_load(s->cat, &error);
  g_assert_no_error(error);
  guint n = ds->photos->len;
  *rows = g_new(guint, n);
  *y = g_new(float, n);
  for (guint i = 0; i < n; i++) {
    (*rows)[i] = i;
    (*y)[i] = g_array_index(s->keep, gboolean, i);
  }
  return ds;
}

static void
test_folds_grouped(void)
{
  Shoot s;
  shoot_make(&s, 30, 30, 11);
  g_autofree guint *rows = NULL;
  g_autofree float *y = NULL;
  g_autoptr(DerushDataset) ds = load_every_row(&s, &rows, &y);
  guint n = ds->photos->len;
  g_autofree int *fold = g_new(int, n);
  int k = _derush_learn_assign_folds(ds, rows, y, n, 5, fold);
  g_assert_cmpint(k, ==, 5);
  int per_fold[5] = {0}, keep_per_fold[5] = {0};
  for (guint i = 0; i < n; i++) {
    per_fold[fold[i]]++;
    keep_per_fold[fold[i]] += y[i] > 0.5f;
    for (guint j = 0; j < n; j++)
      if (ds->cv_group[i] == ds->cv_group[j])
        g_assert_cmpint(fold[i], ==, fold[j]); /* a burst is never split */
  }
  for (int f = 0; f < 5; f++) {
    g_assert_cmpint(per_fold[f], >=, 20);
    g_assert_cmpint(keep_per_fold[f], >=, 3);
  }
  shoot_free(&s);
}

/* ---------------------------------------------------- training and model */

static DerushFitOptions
fit_defaults(void)
{
  DerushFitOptions o = {0.02, 0.10, 5, 1};
  return o;
}

static void
test_fit_deterministic(void)
{
  Shoot s;
  shoot_make(&s, 40, 40, 5);
  g_autofree guint *rows = NULL;
  g_autofree float *y = NULL;
  g_autoptr(DerushDataset) ds = load_every_row(&s, &rows, &y);
  guint n = ds->photos->len;
  g_autoptr(GError) error = NULL;
  DerushFitOptions o = fit_defaults();
  GBytes *blobs[2];
  for (int run = 0; run < 2; run++) {
    DerushModelState state;
    g_autoptr(DerushLearnModel) m = _derush_learn_fit(ds, rows, y, n, &o, &state, &error);
    g_assert_no_error(error);
    g_assert_nonnull(m);
    g_assert_cmpint(state, ==, DERUSH_MODEL_TRAINED);
    g_assert_cmpfloat(m->info.cv_accuracy, >, 0.8);
    blobs[run] = _derush_learn_model_to_blob(m, &error);
  }
  g_assert_true(g_bytes_equal(blobs[0], blobs[1]));
  /* The blob round-trips, and a damaged one is refused, never parsed. */
  gsize len;
  const guint8 *data = g_bytes_get_data(blobs[0], &len);
  g_autoptr(DerushLearnModel) back = _derush_learn_model_from_blob(data, len, &error);
  g_assert_no_error(error);
  g_assert_nonnull(back);
  g_autofree guint8 *bad = g_memdup2(data, len);
  bad[len - 10] ^= 0x5a;
  g_assert_null(_derush_learn_model_from_blob(bad, len, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
  g_clear_error(&error);
  for (gsize cut = 0; cut < len; cut += len / 7 + 1) {
    g_assert_null(_derush_learn_model_from_blob(data, cut, &error));
    g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
    g_clear_error(&error);
  }
  g_bytes_unref(blobs[0]);
  g_bytes_unref(blobs[1]);
  shoot_free(&s);
}

static void
test_fit_states(void)
{
  g_assert_cmpint(_derush_learn_state_for(0, 0), ==, DERUSH_MODEL_NONE);
  g_assert_cmpint(_derush_learn_state_for(4, 3), ==, DERUSH_MODEL_FEW_LABELS);
  g_assert_cmpint(_derush_learn_state_for(10, 0), ==, DERUSH_MODEL_ONE_CLASS);
  g_assert_cmpint(_derush_learn_state_for(0, 9), ==, DERUSH_MODEL_ONE_CLASS);
  g_assert_cmpint(_derush_learn_state_for(10, 2), ==, DERUSH_MODEL_FEW_LABELS);
  g_assert_cmpint(_derush_learn_state_for(5, 3), ==, DERUSH_MODEL_TRAINED);
}

/* Trains the catalog; asserts the work: one model, one batch of all photos. */
static void
train_once(Shoot *s, DerushTrainResult *r)
{
  gint64 models = derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED);
  gint64 batches = derush_counter_get(DERUSH_COUNTER_PREDICTION_BATCHES);
  gint64 photos = derush_counter_get(DERUSH_COUNTER_PHOTOS_PREDICTED);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_train(s->cat, NULL, r, &error));
  g_assert_no_error(error);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED) - models, ==,
                  r->state == DERUSH_MODEL_TRAINED ? 1 : 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_PREDICTION_BATCHES) - batches, ==,
                  r->state == DERUSH_MODEL_TRAINED ? 1 : 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_PHOTOS_PREDICTED) - photos, ==,
                  r->state == DERUSH_MODEL_TRAINED ? (gint64)s->ids->len : 0);
}

typedef struct {
  gint64 n, with_model, version;
  double sum_p;
} PredStats;

static gboolean
pred_stats_cb(const DerushPrediction *p, gpointer user_data)
{
  PredStats *st = user_data;
  st->n++;
  st->with_model += p->model_version > 0;
  st->version = p->model_version;
  st->sum_p += p->p_keep;
  g_assert_true(p->p_keep >= 0 && p->p_keep <= 1);
  g_assert_true(p->uncertainty >= 0 && p->uncertainty <= 1);
  return TRUE;
}

static PredStats
pred_stats(Shoot *s)
{
  PredStats st = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_prediction(s->cat, NULL, pred_stats_cb, &st, &error));
  return st;
}

static void
test_catalog_states(void)
{
  Shoot s;
  shoot_make(&s, 20, 20, 21);
  DerushTrainResult r;
  g_autoptr(GError) error = NULL;

  /* No labels: the prior answers every photo, model_version 0. */
  train_once(&s, &r);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_NONE);
  PredStats st = pred_stats(&s);
  g_assert_cmpint(st.n, ==, s.ids->len);
  g_assert_cmpint(st.with_model, ==, 0);

  /* One class only, then too few of a class. */
  for (guint i = 0; i < 9; i++)
    shoot_label_one(&s, i, DERUSH_LABEL_TRASH);
  train_once(&s, &r);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_ONE_CLASS);
  g_assert_cmpint(r.labels, ==, 9);
  shoot_label_one(&s, 60, DERUSH_LABEL_KEEP);
  train_once(&s, &r);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_FEW_LABELS);
  g_assert_cmpint(pred_stats(&s).with_model, ==, 0);

  /* Enough: a model, version 1, every photo predicted by it. */
  shoot_label(&s, 0, 60);
  train_once(&s, &r);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_assert_cmpint(r.model_version, >, 0);
  g_assert_false(isnan(r.cv_accuracy));
  g_assert_cmpfloat(r.threshold, <=, 0.5);
  gint64 v1 = r.model_version;
  st = pred_stats(&s);
  g_assert_cmpint(st.with_model, ==, s.ids->len);
  g_assert_cmpint(st.version, ==, v1);

  /* Start-up: the stored model loads, as trained. */
  g_assert_true(derush_catalog_model_info(s.cat, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_assert_cmpint(r.model_version, ==, v1);

  /* Nothing changed: predictions reuse the model (no training), one batch. */
  gint64 models = derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED);
  gint64 batches = derush_counter_get(DERUSH_COUNTER_PREDICTION_BATCHES);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED), ==, models);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_PREDICTION_BATCHES), ==, batches + 1);
  g_assert_cmpint(r.model_version, ==, v1);

  /* A new label: the next update retrains (a new version). */
  shoot_label(&s, 60, 61);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED), ==, models + 1);
  g_assert_cmpint(r.model_version, >, v1);

  /* A damaged blob: a state, then a retrain. */
  exec_sql(s.cat, "UPDATE models SET blob = x'4452'");
  g_assert_true(derush_catalog_model_info(s.cat, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_CORRUPT);
  g_assert_null(derush_catalog_explain(s.cat, (const char *[]){"x", NULL}, 3, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED), ==, models + 2);

  /* Another dataset version: stale, then retrained, never used. */
  exec_sql(s.cat, "UPDATE models SET dataset_version = 1");
  g_assert_true(derush_catalog_model_info(s.cat, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_STALE);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_assert_cmpint(r.dataset_version, ==, DERUSH_LEARN_DATASET_VERSION);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_MODELS_TRAINED), ==, models + 3);

  /* Labels undone below the minimum: the prior again, and it says so. */
  for (int i = 0; i < 20; i++)
    derush_catalog_undo(s.cat, 1, NULL);
  g_assert_true(derush_catalog_model_info(s.cat, &r, &error));
  g_assert_cmpint(r.state, !=, DERUSH_MODEL_TRAINED);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(pred_stats(&s).with_model, ==, 0);
  shoot_free(&s);
}

static void
test_explain(void)
{
  Shoot s;
  shoot_make(&s, 40, 20, 31);
  shoot_label(&s, 0, 140);
  DerushTrainResult r;
  train_once(&s, &r);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  /* A soft frame of a burst, and the kept frame of that burst. */
  guint soft = 0, kept = 0;
  for (guint b = 0; b < 40 && !kept; b++)
    for (guint f = 0; f < 3; f++)
      if (g_array_index(s.keep, gboolean, b * 3 + f))
        kept = b * 3 + f, soft = b * 3 + (f + 1) % 3;
  g_assert_cmpuint(kept, !=, soft);
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushPhoto) a = NULL, b = NULL;
  g_autofree char *name_a = g_strdup_printf("IMG_%04u.JPG", soft);
  g_autofree char *name_b = g_strdup_printf("IMG_%04u.JPG", kept);
  g_autofree char *pa = g_build_filename(s.dir, name_a, NULL);
  g_autofree char *pb = g_build_filename(s.dir, name_b, NULL);
  const char *paths[] = {pa, pb, NULL};
  gint64 explained = derush_counter_get(DERUSH_COUNTER_PHOTOS_EXPLAINED);
  g_autoptr(GPtrArray) out = derush_catalog_explain(s.cat, paths, 4, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(out->len, ==, 2);
  /* Contributions for the two asked photos only. */
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_PHOTOS_EXPLAINED) - explained, ==, 2);
  const DerushExplanation *es = out->pdata[0], *ek = out->pdata[1];
  g_assert_cmpfloat(es->p_keep, <, ek->p_keep);
  g_assert_cmpuint(es->n_reasons, >=, 1);
  g_assert_cmpuint(es->n_reasons, <=, 4);
  /* The strongest reason against the soft frame is about sharpness, in
   * words, and pushes toward trash. */
  gboolean sharpness_said = FALSE;
  for (guint i = 0; i < es->n_reasons; i++) {
    const DerushReason *rs = &es->reasons[i];
    g_assert_nonnull(rs->text);
    g_assert_cmpuint(strlen(rs->text), >, 3);
    if (i > 0)
      g_assert_cmpfloat(fabs(rs->contribution), <=, fabs(es->reasons[i - 1].contribution));
    if (strstr(rs->text, "softer") || strstr(rs->text, "blurred"))
      sharpness_said = rs->contribution < 0 || sharpness_said;
  }
  g_assert_true(sharpness_said);
  /* An unknown path is a clear error. */
  const char *unknown[] = {"/nonexistent.jpg", NULL};
  g_assert_null(derush_catalog_explain(s.cat, unknown, 3, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  shoot_free(&s);
}

static void
test_reason_words(void)
{
  int ev = DERUSH_FEATURE_EXPOSURE_EV;
  g_autofree char *under = _derush_reason_text(ev, -2.0, -1.0);
  g_assert_cmpstr(under, ==, "underexposed by 2.0 EV");
  int col = -1;
  for (int c = 0; c < _derush_dataset_n_columns(); c++)
    if (strcmp(_derush_dataset_column_name(c), "burst_sharpness_vs_median") == 0)
      col = c;
  g_autofree char *softer = _derush_reason_text(col, -0.8, -2.0);
  g_assert_cmpstr(softer, ==, "softer than the rest of its burst");
  g_autofree char *missing = _derush_reason_text(col, NAN, 0.1);
  g_assert_nonnull(strstr(missing, "unknown"));
  /* The lone-photo judgement and the grain have words of their own
   * (issue 21), not a bare "edge_width 5.8". */
  g_autofree char *lone = _derush_reason_text(DERUSH_FEATURE_EDGE_WIDTH_CRISP, 5.8, -1.0);
  g_assert_cmpstr(lone, ==, "soft on its own");
  g_autofree char *score = _derush_reason_text(DERUSH_FEATURE_SHARPNESS_SCORE, 0.9, 0.4);
  g_assert_cmpstr(score, ==, "sharp on its own");
  g_autofree char *grain = _derush_reason_text(DERUSH_FEATURE_NOISE_FLAT, 0.6, -0.3);
  g_assert_cmpstr(grain, ==, "noisy");
}

/* ------------------------------------------------------ active learning */

static void
test_next_spread(void)
{
  Shoot s;
  shoot_make(&s, 30, 0, 41);
  g_autoptr(GError) error = NULL;
  DerushTrainResult r;
  train_once(&s, &r); /* the prior */
  /* Cold start: 10 picks from 10 different bursts, over several sessions
   * (test-learn-active.c checks the spread over the prior). */
  g_autoptr(GPtrArray) picks = derush_catalog_next(s.cat, 10, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(picks->len, ==, 10);
  g_autoptr(GHashTable) bursts = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) sessions = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < picks->len; i++) {
    DerushPick *p = picks->pdata[i];
    g_assert_cmpint(p->burst, !=, 0);
    g_assert_true(g_hash_table_add(bursts, &p->burst));
    g_hash_table_add(sessions, &p->session);
  }
  g_assert_cmpuint(g_hash_table_size(sessions), >=, 2);

  /* With a model: unlabelled only, the most uncertain first among the
   * allowed ones, and every burst at most once. */
  shoot_label(&s, 0, 45);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_autoptr(GPtrArray) more = derush_catalog_next(s.cat, 100, &error);
  g_assert_cmpuint(more->len, >, 0);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) turns = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < more->len; i++) {
    DerushPick *p = more->pdata[i];
    g_assert_true(g_hash_table_add(seen, &p->burst));
    /* Sessions take turns: the 5 open bursts of session 2 and 5 of the 10
     * of session 3 come first. */
    int n = GPOINTER_TO_INT(g_hash_table_lookup(turns, &p->session)) + 1;
    g_hash_table_insert(turns, &p->session, GINT_TO_POINTER(n));
    if (i < 10)
      g_assert_cmpint(n, <=, 5);
    for (guint k = 0; k < 45; k++)
      g_assert_cmpint(p->photo_id, !=, g_array_index(s.ids, gint64, k));
  }
  /* 30 bursts, 15 of them fully labelled: at most one pick for each other. */
  g_assert_cmpuint(more->len, ==, 15);
  shoot_free(&s);
}

/* --------------------------------------------------------- auto-labels */

static void
test_auto_label_undo(void)
{
  Shoot s;
  shoot_make(&s, 30, 30, 51);
  g_autoptr(GError) error = NULL;
  /* Off by default; the settings round-trip. */
  DerushLearnSettings set;
  g_assert_true(derush_catalog_get_learn_settings(s.cat, &set, &error));
  g_assert_false(set.auto_label);
  g_assert_cmpfloat(set.keep_loss_budget, ==, 0.02);
  set.auto_label = TRUE;
  set.keep_loss_budget = 0.05;
  g_assert_true(derush_catalog_set_learn_settings(s.cat, &set, &error));
  DerushLearnSettings back;
  g_assert_true(derush_catalog_get_learn_settings(s.cat, &back, &error));
  g_assert_true(back.auto_label);
  g_assert_cmpfloat(back.keep_loss_budget, ==, 0.05);
  set.keep_loss_budget = 2;
  g_assert_false(derush_catalog_set_learn_settings(s.cat, &set, &error));
  g_clear_error(&error);

  /* Without a model nothing is auto-labelled. */
  g_assert_cmpint(derush_catalog_auto_label(s.cat, NULL, &error), ==, 0);
  shoot_label(&s, 0, 90);
  DerushTrainResult r;
  train_once(&s, &r);
  gint64 before = derush_catalog_get_last_event_id(s.cat), batch = 0;
  gint64 n = derush_catalog_auto_label(s.cat, &batch, &error);
  g_assert_no_error(error);
  g_assert_cmpint(n, >, 0);
  g_assert_cmpint(batch, >, 0);
  /* Only unlabelled photos, source auto, and auto labels do not count as
   * training labels. */
  gint64 keep, trash;
  g_assert_true(_derush_catalog_count_labels(s.cat, &keep, &trash, &error));
  g_assert_cmpint(keep + trash, ==, 90);
  g_autoptr(DerushPhoto) p = NULL;
  for (guint i = 90; i < s.ids->len && !p; i++) {
    g_autofree char *name = g_strdup_printf("IMG_%04u.JPG", i);
    g_autofree char *path = g_build_filename(s.dir, name, NULL);
    DerushPhoto *q = derush_catalog_get_photo(s.cat, path, &error);
    if (q->label != DERUSH_LABEL_NONE)
      p = q;
    else
      derush_photo_free(q);
  }
  g_assert_nonnull(p);
  g_assert_cmpint(p->label_source, ==, DERUSH_SOURCE_AUTO);
  /* One undo takes every auto label back. */
  g_assert_cmpint(derush_catalog_undo(s.cat, 1, &error), ==, 1);
  g_autoptr(DerushPhoto) again = derush_catalog_get_photo(s.cat, p->path, &error);
  g_assert_cmpint(again->label, ==, DERUSH_LABEL_NONE);
  g_assert_cmpint(derush_catalog_get_last_event_id(s.cat) - before, ==, 2 * n);
  shoot_free(&s);
}

/* What the app's model tile says is missing: nothing exactly when a model
 * can be trained, and labelling what it asks for is enough. */
static void
test_needs_text(void)
{
  for (gint64 keep = 0; keep <= 10; keep++)
    for (gint64 trash = 0; trash <= 10; trash++) {
      g_autofree char *text = derush_learn_needs_text(keep, trash);
      gboolean enough = _derush_learn_state_for(keep, trash) == DERUSH_MODEL_TRAINED;
      g_assert_cmpint(text == NULL, ==, enough);
      if (!text)
        continue;
      g_assert_true(g_str_has_prefix(text, "needs "));
      /* Read the numbers back: "N more keep", "N more trash", "N more labels". */
      gint64 k = keep, t = trash, any = 0;
      g_auto(GStrv) parts = g_strsplit(text + 6, " and ", -1);
      for (int i = 0; parts[i]; i++) {
        gint64 n = g_ascii_strtoll(parts[i], NULL, 10);
        g_assert_cmpint(n, >, 0);
        if (strstr(parts[i], "keep"))
          k += n;
        else if (strstr(parts[i], "trash"))
          t += n;
        else
          any += n;
      }
      g_assert_cmpint(_derush_learn_state_for(k + any, t), ==, DERUSH_MODEL_TRAINED);
      g_assert_cmpint(_derush_learn_state_for(k, t + any), ==, DERUSH_MODEL_TRAINED);
    }
  g_autofree char *three = derush_learn_needs_text(6, 0);
  g_assert_cmpstr(three, ==, "needs 3 more trash labels");
}

/* ------------------------------------------------------- best of group */

typedef struct {
  Shoot *s;
  GHashTable *p;       /* photo id -> p(keep) */
  GHashTable *softest; /* burst id -> the least sharp member's id */
  guint bursts, by_model, by_quality, softest_best, max_p_best;
} BestCheck;

static gboolean
p_table_cb(const DerushPrediction *prediction, gpointer user_data)
{
  g_hash_table_insert(user_data, g_memdup2(&prediction->photo_id, sizeof(gint64)),
                      g_memdup2(&prediction->p_keep, sizeof(double)));
  return TRUE;
}

static double
sharpness_of(Shoot *s, const char *path)
{
  float v[DERUSH_N_FEATURES];
  g_assert_true(derush_catalog_get_features(s->cat, path, v, NULL));
  return derush_features_sharpness(v);
}

static gboolean
best_check_cb(const DerushGroup *g, gpointer user_data)
{
  BestCheck *c = user_data;
  if (g->kind != DERUSH_GROUP_BURST)
    return TRUE;
  c->bursts++;
  c->by_model += g->best_by == DERUSH_BEST_BY_MODEL;
  c->by_quality += g->best_by == DERUSH_BEST_BY_QUALITY;
  gint64 softest = 0, max_p = 0;
  double soft = INFINITY, top = -1, top_sharp = -INFINITY;
  for (guint i = 0; i < g->n_members; i++) {
    double sh = sharpness_of(c->s, g->member_paths[i]);
    if (sh < soft)
      soft = sh, softest = g->member_ids[i];
    /* The pick the model should make: the highest p(keep), then the
     * sharper (equal p: the trees may not tell two frames apart). Burst
     * frames are different shots (capture times apart), which fidelity
     * does not compare (grouping.c): it only ranks copies of one shot. */
    const double *p = c->p ? g_hash_table_lookup(c->p, &g->member_ids[i]) : NULL;
    if (p && (!max_p || *p > top || (*p == top && sh > top_sharp)))
      top = *p, max_p = g->member_ids[i], top_sharp = sh;
  }
  c->softest_best += g->best_id == softest;
  c->max_p_best += g->best_id == max_p;
  return TRUE;
}

static BestCheck
best_check(Shoot *s)
{
  BestCheck c = {s};
  g_autoptr(GError) error = NULL;
  c.p = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  g_assert_true(derush_catalog_foreach_prediction(s->cat, NULL, p_table_cb, c.p, &error));
  g_assert_true(derush_catalog_foreach_group(s->cat, NULL, -1, best_check_cb, &c, &error));
  g_assert_no_error(error);
  g_hash_table_unref(c.p);
  return c;
}

/* A photographer who keeps the softest frame of each burst (a dreamy
 * look): the quality score picks the sharpest, the model learns the
 * opposite, and once it is trained best of group follows it, says so, and
 * goes back to the quality score when the labels are undone. */
static void
test_best_pick_by_model(void)
{
  Shoot s;
  shoot_make(&s, 30, 0, 61);
  g_autoptr(GError) error = NULL;
  BestCheck c = best_check(&s);
  g_assert_cmpuint(c.bursts, ==, 30);
  g_assert_cmpuint(c.by_quality, ==, 30);
  /* The quality score picks the sharpest (fidelity first may pick a
   * softer frame with fewer clipped highlights now and then). */
  guint quality_softest = c.softest_best;
  g_assert_cmpuint(quality_softest, <=, 3);

  /* Label 20 bursts: the softest frame keep, the others trash. */
  g_autoptr(GArray) changes = g_array_new(FALSE, FALSE, sizeof(DerushLabelChange));
  for (guint b = 0; b < 20; b++) {
    double soft = INFINITY;
    guint softest = 0;
    for (guint f = 0; f < 3; f++) {
      g_autofree char *name = g_strdup_printf("IMG_%04u.JPG", b * 3 + f);
      g_autofree char *path = g_build_filename(s.dir, name, NULL);
      double sh = sharpness_of(&s, path);
      if (sh < soft)
        soft = sh, softest = f;
    }
    for (guint f = 0; f < 3; f++) {
      DerushLabelChange ch = {.set_label = TRUE};
      ch.label = f == softest ? DERUSH_LABEL_KEEP : DERUSH_LABEL_TRASH;
      g_array_append_val(changes, ch);
    }
  }
  g_assert_true(_derush_catalog_set_labels_each(s.cat, (const gint64 *)s.ids->data,
                                                (const DerushLabelChange *)changes->data, 60,
                                                DERUSH_SOURCE_USER, NULL, &error));
  DerushTrainResult r;
  train_once(&s, &r);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_assert_cmpuint(r.best_changed, >=, 20);
  c = best_check(&s);
  /* Every pick is by the model: the member of highest p(keep) among the
   * nearest the original. */
  g_assert_cmpuint(c.by_model, ==, 30);
  g_assert_cmpuint(c.max_p_best, ==, 30);
  /* And the model learnt the taste, unlabelled bursts included. */
  g_assert_cmpuint(c.softest_best, >=, 27);

  /* An analysis regroups: the picks stay the model's. */
  g_assert_true(derush_catalog_update_groups(s.cat, NULL, NULL, &error));
  c = best_check(&s);
  g_assert_cmpuint(c.by_model, ==, 30);
  g_assert_cmpuint(c.max_p_best, ==, 30);

  /* Labels undone: the prior answers, the quality score picks again. */
  g_assert_cmpint(derush_catalog_undo(s.cat, 1, &error), ==, 1);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_NONE);
  g_assert_cmpuint(r.best_changed, >=, 20);
  c = best_check(&s);
  g_assert_cmpuint(c.by_quality, ==, 30);
  g_assert_cmpuint(c.softest_best, ==, quality_softest);
  shoot_free(&s);
}

/* ------------------------------------------------------------------ CLI */

static JsonObject *
parse_object(const char *line, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(json_parser_load_from_data(parser, line, -1, &error));
  g_assert_no_error(error);
  JsonNode *root = json_parser_get_root(parser);
  g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
  return json_node_get_object(root);
}

static void
test_cli(void)
{
  const char *demo = test_demo_dir();
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *db = g_build_filename(tmp, "catalog.db", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, db);
  g_autofree char *garden = g_build_filename(demo, "2024-06-01 Garden", NULL);
  g_autofree char *out = NULL;
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, NULL, NULL, "scan", garden, NULL), ==, 0);
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, NULL, NULL, "analyze", garden, NULL), ==, 0);
  /* The demo's truth: blurred, shaken and mis-exposed frames are trash. */
  g_autofree char *truth_path = g_build_filename(demo, "truth.csv", NULL);
  g_autofree char *truth = NULL;
  g_assert_true(g_file_get_contents(truth_path, &truth, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(truth, "\n", -1);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) trash = g_ptr_array_new_with_free_func(g_free);
  for (int i = 1; lines[i]; i++) {
    if (!g_str_has_prefix(lines[i], "2024-06-01 Garden/"))
      continue;
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    const char *kind = f[4];
    gboolean bad = strstr("defocus motion under over noisy", kind) != NULL;
    g_ptr_array_add(bad ? trash : keep, g_build_filename(demo, f[0], NULL));
  }
  g_assert_cmpuint(keep->len, >=, 3);
  g_assert_cmpuint(trash->len, >=, 3);

  /* train before any label: the prior, said so, exit 0. */
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, &out, NULL, "train", "--json", NULL), ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *o = parse_object(out, parser);
  g_assert_cmpstr(json_object_get_string_member(o, "state"), ==, "none");
  g_assert_true(json_node_is_null(json_object_get_member(o, "model_version")));
  g_clear_pointer(&out, g_free);

  for (int k = 0; k < 2; k++) {
    GPtrArray *list = k ? trash : keep;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer) "--catalog");
    g_ptr_array_add(argv, db);
    g_ptr_array_add(argv, (gpointer) "label");
    for (guint i = 0; i < list->len; i++)
      g_ptr_array_add(argv, list->pdata[i]);
    g_ptr_array_add(argv, (gpointer)(k ? "trash" : "keep"));
    g_ptr_array_add(argv, NULL);
    g_assert_cmpint(
        test_run_derush((const char *const *)argv->pdata, (const char *const *)env, NULL, NULL), ==,
        0);
  }
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, &out, NULL, "train", "--json", NULL), ==, 0);
  o = parse_object(out, parser);
  const char *keys[] = {"labels", "keep", "trash", "cv", "threshold", "model_version", "seconds"};
  for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
    g_assert_true(json_object_has_member(o, keys[i]));
  g_assert_cmpint(json_object_get_int_member(o, "labels"), ==, keep->len + trash->len);
  g_assert_cmpint(json_object_get_int_member(o, "keep"), ==, keep->len);
  JsonObject *cv = json_object_get_object_member(o, "cv");
  const char *cv_keys[] = {"accuracy", "roc_auc", "log_loss", "keep_loss"};
  for (gsize i = 0; i < G_N_ELEMENTS(cv_keys); i++)
    g_assert_true(json_object_has_member(cv, cv_keys[i]));
  gint64 version = json_object_get_int_member(o, "model_version");
  g_assert_cmpint(version, >, 0);
  g_clear_pointer(&out, g_free);

  /* predict: one JSON line per photo with the contract's keys; stats show
   * one batch for the whole folder. */
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, NULL, "predict", "--json",
                                     garden, NULL),
                  ==, 0);
  g_auto(GStrv) preds = g_strsplit(g_strstrip(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(preds), ==, keep->len + trash->len);
  for (int i = 0; preds[i]; i++) {
    o = parse_object(preds[i], parser);
    const char *pk[] = {"path", "p_keep", "zone", "uncertainty", "model_version"};
    for (gsize k = 0; k < G_N_ELEMENTS(pk); k++)
      g_assert_true(json_object_has_member(o, pk[k]));
    g_assert_cmpint(json_object_get_int_member(o, "model_version"), ==, version);
  }
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, &out, NULL, "stats", "--json", NULL), ==, 0);
  o = parse_object(out, parser);
  JsonObject *last = json_object_get_object_member(o, "last_command");
  g_assert_cmpint(json_object_get_int_member(last, "predictions_batches"), ==, 1);
  g_assert_cmpint(json_object_get_int_member(last, "models_trained"), ==, 0);
  g_clear_pointer(&out, g_free);

  /* groups: a trained model chose every best pick, and says so. */
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, NULL, "groups", "--json",
                                     garden, NULL),
                  ==, 0);
  g_auto(GStrv) groups = g_strsplit(g_strstrip(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(groups), >, 0);
  for (int i = 0; groups[i]; i++) {
    o = parse_object(groups[i], parser);
    g_assert_cmpstr(json_object_get_string_member(o, "best_by"), ==, "model");
  }
  g_clear_pointer(&out, g_free);

  /* explain: reasons with words for the photo asked. */
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, NULL, "explain", "--json",
                                     (const char *)trash->pdata[0], NULL),
                  ==, 0);
  o = parse_object(out, parser);
  g_assert_true(json_object_has_member(o, "p_keep"));
  JsonArray *reasons = json_object_get_array_member(o, "reasons");
  g_assert_cmpuint(json_array_get_length(reasons), >, 0);
  JsonObject *r0 = json_array_get_object_element(reasons, 0);
  const char *rk[] = {"feature", "value", "contribution", "text"};
  for (gsize k = 0; k < G_N_ELEMENTS(rk); k++)
    g_assert_true(json_object_has_member(r0, rk[k]));
  g_clear_pointer(&out, g_free);

  /* eval learning on a taste of the garden: the contract's keys, points
   * every 10 labels, fractions; the catalog's own labels untouched. */
  g_autofree char *taste = g_build_filename(tmp, "taste.csv", NULL);
  g_autoptr(GString) csv = g_string_new("path,label\n");
  for (int k = 0; k < 2; k++) {
    GPtrArray *list = k ? trash : keep;
    for (guint i = 0; i < list->len; i++)
      g_string_append_printf(csv, "\"%s\",%s\n", (const char *)list->pdata[i],
                             k ? "trash" : "keep");
  }
  g_assert_true(g_file_set_contents(taste, csv->str, -1, NULL));
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, NULL, "eval", "learning",
                                     "--taste", taste, "--json", NULL),
                  ==, 0);
  o = parse_object(out, parser);
  g_assert_cmpint(json_object_get_int_member(o, "photos"), ==, keep->len + trash->len);
  JsonArray *curve = json_object_get_array_member(o, "curve");
  g_assert_cmpuint(json_array_get_length(curve), >=, 1);
  for (guint i = 0; i < json_array_get_length(curve); i++) {
    JsonObject *pt = json_array_get_object_element(curve, i);
    g_assert_cmpint(json_object_get_int_member(pt, "labels"), ==, 10 * (i + 1));
    const char *ck[] = {"accuracy", "keep_loss", "junk_leak", "roc_auc", "log_loss"};
    for (gsize k = 0; k < G_N_ELEMENTS(ck); k++)
      g_assert_true(json_object_has_member(pt, ck[k]));
    double acc = json_object_get_double_member(pt, "accuracy");
    g_assert_true(acc >= 0 && acc <= 1);
  }
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, NULL, NULL, "eval", "learning",
                                     "--taste", taste, "--order", "sideways", NULL),
                  ==, 2);

  /* next: nothing labelled left in the garden, so nothing from it; bad
   * option values are usage errors. */
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, NULL, "next", "-n", "3",
                                     "--json", NULL),
                  ==, 0);
  g_assert_cmpstr(g_strstrip(out), ==, "");
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, NULL, NULL, "next", "-n", "0", NULL), ==, 2);
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, NULL, NULL, "train",
                                     "--keep-loss-budget", "0.9", NULL),
                  ==, 2);
  test_rmrf(tmp);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/learn/dataset/context", test_dataset_context);
  g_test_add_func("/learn/calibration/platt-isotonic", test_calibration_platt);
  g_test_add_func("/learn/threshold/budget", test_threshold_budget);
  g_test_add_func("/learn/folds/grouped", test_folds_grouped);
  g_test_add_func("/learn/fit/deterministic", test_fit_deterministic);
  g_test_add_func("/learn/fit/states", test_fit_states);
  g_test_add_func("/learn/catalog/states", test_catalog_states);
  g_test_add_func("/learn/explain/reasons", test_explain);
  g_test_add_func("/learn/explain/words", test_reason_words);
  g_test_add_func("/learn/next/spread", test_next_spread);
  g_test_add_func("/learn/auto-label/undo", test_auto_label_undo);
  g_test_add_func("/learn/best-pick/model", test_best_pick_by_model);
  g_test_add_func("/learn/needs-text", test_needs_text);
  g_test_add_func("/learn/cli", test_cli);
  return g_test_run();
}
