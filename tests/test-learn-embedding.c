/* test-learn-embedding.c: the embedding in the learning dataset: the
 * catalog's fixed sketch of each MobileNetV2 embedding (util/sketch.c,
 * kept in detect_runs, schema migration 11) and the dataset's emb_keep_margin column
 * (src/learn/dataset-embedding.c): cosine to the kept photos' centroid
 * minus cosine to the trashed ones', never counting the photo's own CV
 * group, NAN without a current embedding, and filled only when it tells
 * keep from trash on the labels. On the synthetic shoot of learn-shoot.c
 * with embeddings written directly. */
#include "catalog/detections-store.h"
#include "learn-shoot.h"

#define EMB_SIZE 1280

static int
margin_column(void)
{
  for (int c = 0; c < _derush_dataset_n_columns(); c++)
    if (strcmp(_derush_dataset_column_name(c), "emb_keep_margin") == 0)
      return c;
  g_assert_not_reached();
}

static float
cell(const DerushDataset *ds, guint photo)
{
  return ds->x[(gsize)photo * ds->n_cols + margin_column()];
}

static double
cosine(const float *a, const float *b, int n)
{
  double dot = 0, na = 0, nb = 0;
  for (int k = 0; k < n; k++) {
    dot += (double)a[k] * b[k];
    na += (double)a[k] * a[k];
    nb += (double)b[k] * b[k];
  }
  return dot / sqrt(na * nb);
}

static void
test_sketch(void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed(7);
  float a[EMB_SIZE], b[EMB_SIZE], c[EMB_SIZE], zero[EMB_SIZE] = {0};
  for (int k = 0; k < EMB_SIZE; k++) {
    a[k] = (float)g_rand_double_range(r, 0, 1);
    b[k] = a[k] + (float)g_rand_double_range(r, 0, 0.5); /* close to a */
    c[k] = (float)g_rand_double_range(r, -1, 1);         /* unrelated */
  }
  float sa[DERUSH_SKETCH_SIZE], sa2[DERUSH_SKETCH_SIZE], sb[DERUSH_SKETCH_SIZE],
      sc[DERUSH_SKETCH_SIZE];
  g_assert_true(_derush_sketch(a, EMB_SIZE, sa));
  g_assert_true(_derush_sketch(a, EMB_SIZE, sa2));
  g_assert_true(_derush_sketch(b, EMB_SIZE, sb));
  g_assert_true(_derush_sketch(c, EMB_SIZE, sc));
  /* Fixed directions: the same vector, the same sketch. */
  g_assert_cmpmem(sa, sizeof sa, sa2, sizeof sa2);
  /* Cosines survive the projection (orthonormal directions: the sketch of
   * a unit vector is at most 1 long). */
  g_assert_cmpfloat(fabs(cosine(sa, sb, DERUSH_SKETCH_SIZE) - cosine(a, b, EMB_SIZE)), <, 0.1);
  g_assert_cmpfloat(fabs(cosine(sa, sc, DERUSH_SKETCH_SIZE) - cosine(a, c, EMB_SIZE)), <, 0.35);
  double norm = 0;
  for (int j = 0; j < DERUSH_SKETCH_SIZE; j++)
    norm += (double)sa[j] * sa[j];
  g_assert_cmpfloat(sqrt(norm), <=, 1 + 1e-5);
  /* The stored bytes give back the values to a step. */
  gint8 packed[DERUSH_SKETCH_SIZE];
  _derush_sketch_pack(sa, packed);
  for (int j = 0; j < DERUSH_SKETCH_SIZE; j++)
    if (fabs(sa[j]) < 0.5)
      g_assert_cmpfloat(fabs(_derush_sketch_value(packed[j]) - sa[j]), <=, 0.5 / 127 / 2 + 1e-6);
  /* No direction: no sketch. */
  g_assert_false(_derush_sketch(zero, EMB_SIZE, sa));
  g_assert_true(isnan(sa[0]));
}

/* Stores for photo @i a detector run that found nothing, as
 * detect-photo.c does before the embeddings, at @content_hash (the photo's
 * own is 1000 + @i in learn-shoot.c). */
static void
store_run(Shoot *s, guint i, guint64 content_hash)
{
  float features[DERUSH_N_DETECT_FEATURES];
  for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
    features[k] = NAN;
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_store_detections(s->cat, g_array_index(s->ids, gint64, i),
                                                 content_hash, NULL, 0, features, &error));
  g_assert_no_error(error);
}

/* ... then its embedding of look @axis (plus a little of axis 100 + @i, so
 * no two are equal). */
static void
store_embedding(Shoot *s, guint i, int axis, guint64 content_hash)
{
  store_run(s, i, content_hash);
  float v[EMB_SIZE] = {0};
  v[axis] = 1;
  v[100 + i] = 0.2f;
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_store_embedding(s->cat, g_array_index(s->ids, gint64, i),
                                                content_hash, DERUSH_EMBEDDING_MOBILENET, v,
                                                EMB_SIZE, &error));
  g_assert_no_error(error);
}

static DerushDataset *
load(Shoot *s)
{
  g_autoptr(GError) error = NULL;
  DerushDataset *ds = _derush_dataset_load(s->cat, &error);
  g_assert_no_error(error);
  g_assert_nonnull(ds);
  return ds;
}

/* One burst (photos 0-2: one CV group, look 3) and 30 singles: 3-13 of
 * look 0 (the kept look), 14 of look 3, 15-28 of looks 1 and 2 in turn, 29
 * of look 0 but stored for another version of the file (not current),
 * 30-32 with no embedding. */
static void
make_looks(Shoot *s)
{
  shoot_make(s, 1, 30, 11);
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_begin(s->cat, &error));
  for (guint i = 0; i < 30; i++) {
    int look = i < 3 || i == 14 ? 3 : i < 14 || i == 29 ? 0 : 1 + (int)(i % 2);
    store_embedding(s, i, look, i == 29 ? 77 : 1000 + i);
  }
  g_assert_true(_derush_catalog_commit(s->cat, &error));
}

/* Labels: photos 3-12 kept (look 0), 15-24 trashed (look 1). */
static void
looks_labels(int *label_of, guint n)
{
  for (guint i = 0; i < n; i++)
    label_of[i] = i >= 3 && i <= 12 ? 1 : i >= 15 && i <= 24 ? 0 : -1;
}

static void
test_missing(void)
{
  /* Labels but no embedding stored: the column exists, every cell NAN. */
  Shoot s;
  shoot_make(&s, 2, 20, 3);
  shoot_label(&s, 0, 26);
  g_autoptr(DerushDataset) ds = load(&s);
  g_assert_cmpuint(ds->photos->len, ==, 26);
  g_assert_cmpint(margin_column(), ==, ds->n_cols - 1);
  for (guint i = 0; i < ds->photos->len; i++)
    g_assert_true(isnan(cell(ds, i)));
  shoot_free(&s);
}

static void
test_margin(void)
{
  Shoot s;
  make_looks(&s);
  g_autoptr(DerushDataset) ds = load(&s);
  guint n = ds->photos->len;
  g_assert_cmpuint(n, ==, 33);
  g_assert_cmpint(ds->cv_group[0], ==, ds->cv_group[1]);
  g_assert_cmpint(ds->cv_group[0], !=, ds->cv_group[3]);
  /* No labels yet: nothing to compare with. */
  for (guint i = 0; i < n; i++)
    g_assert_true(isnan(cell(ds, i)));

  int label_of[33];
  looks_labels(label_of, n);
  _derush_dataset_relabel(ds, label_of);
  /* The unlabelled photos of each look lean to its side. */
  g_assert_cmpfloat(cell(ds, 13), >, 0.5);
  g_assert_cmpfloat(cell(ds, 26), <, -0.5);
  /* Not current or none: missing. */
  for (guint i = 29; i < n; i++)
    g_assert_true(isnan(cell(ds, i)));

  /* Photo 0 trashed: photo 1 is in its burst and never compared with it
   * (its margin does not move); photo 14, a single of the same look, is
   * (it leans to the trash). */
  float burst_before = cell(ds, 1), single_before = cell(ds, 14);
  g_assert_false(isnan(burst_before));
  label_of[0] = 0;
  _derush_dataset_relabel(ds, label_of);
  g_assert_cmpfloat(fabs(cell(ds, 1) - burst_before), <, 1e-5);
  g_assert_cmpfloat(cell(ds, 14), <, single_before - 0.05);

  /* Labels that have nothing to do with the looks (each kind half of
   * each): the column does not tell, so it stays missing everywhere. */
  for (guint i = 0; i < n; i++)
    label_of[i] = i >= 3 && i <= 24 && i != 13 && i != 14 ? (int)(i / 2 % 2) : -1;
  _derush_dataset_relabel(ds, label_of);
  for (guint i = 0; i < n; i++)
    g_assert_true(isnan(cell(ds, i)));

  /* The catalog's own labels build it too; auto labels are not the
   * user's and do not count. */
  looks_labels(label_of, n);
  for (guint i = 0; i < n; i++)
    if (label_of[i] >= 0)
      shoot_label_one(&s, i, label_of[i] ? DERUSH_LABEL_KEEP : DERUSH_LABEL_TRASH);
  g_autoptr(DerushDataset) labelled = load(&s);
  g_assert_cmpfloat(cell(labelled, 13), >, 0.5);
  exec_sql(s.cat, "UPDATE labels SET source = 1"); /* DERUSH_SOURCE_AUTO */
  g_autoptr(DerushDataset) autos = load(&s);
  g_assert_true(isnan(cell(autos, 13)));
  shoot_free(&s);
}

static void
test_gate(void)
{
  double m[20];
  float keep[20];
  /* Ten of each, perfectly apart: it tells. */
  for (int i = 0; i < 20; i++) {
    m[i] = i;
    keep[i] = i >= 10 ? 1.0f : 0.0f;
  }
  g_assert_true(_derush_embedding_gate_passes(m, keep, 20));
  /* Interleaved: chance. */
  for (int i = 0; i < 20; i++)
    keep[i] = (float)(i % 2);
  g_assert_false(_derush_embedding_gate_passes(m, keep, 20));
  /* Five of each, perfectly apart: too few to rule out luck. */
  for (int i = 0; i < 10; i++)
    keep[i] = i >= 5 ? 1.0f : 0.0f;
  g_assert_false(_derush_embedding_gate_passes(m, keep, 10));
  /* All tied: chance. */
  for (int i = 0; i < 20; i++) {
    m[i] = 1;
    keep[i] = i >= 10 ? 1.0f : 0.0f;
  }
  g_assert_false(_derush_embedding_gate_passes(m, keep, 20));
}

static gint64
count_sketches(DerushCatalog *cat, GBytes **first)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *st = _derush_catalog_stmt(
      cat, "SELECT count(sketch), min(sketch), min(length(sketch)) FROM detect_runs", &error);
  g_assert_no_error(error);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  if (n)
    g_assert_cmpint(sqlite3_column_int(st, 2), ==, DERUSH_SKETCH_SIZE);
  if (first)
    *first = n ? g_bytes_new(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1)) : NULL;
  sqlite3_reset(st);
  return n;
}

static void
test_migration(void)
{
  Shoot s;
  shoot_make(&s, 0, 3, 5);
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_begin(s.cat, &error));
  store_embedding(&s, 0, 0, 1000);
  store_embedding(&s, 1, 1, 1000 + 1);
  /* YOLOX's embedding is not what learning reads: no sketch. */
  float yolox[256] = {1};
  store_run(&s, 2, 1002);
  g_assert_true(_derush_catalog_store_embedding(s.cat, g_array_index(s.ids, gint64, 2), 1002,
                                                DERUSH_EMBEDDING_YOLOX, yolox, 256, &error));
  g_assert_true(_derush_catalog_commit(s.cat, &error));
  g_autoptr(GBytes) stored = NULL;
  g_assert_cmpint(count_sketches(s.cat, &stored), ==, 2);

  /* A catalog of the version before the sketches: opening it makes them,
   * byte for byte those the store writes. */
  exec_sql(s.cat, "ALTER TABLE detect_runs DROP COLUMN sketch;"
                  "ALTER TABLE detect_runs DROP COLUMN sketch_version; PRAGMA user_version = 10");
  g_autofree char *path = g_build_filename(s.dir, "catalog.db", NULL);
  derush_catalog_close(s.cat);
  s.cat = derush_catalog_open(path, &error);
  g_assert_no_error(error);
  g_autoptr(GBytes) migrated = NULL;
  g_assert_cmpint(count_sketches(s.cat, &migrated), ==, 2);
  g_assert_true(g_bytes_equal(stored, migrated));
  shoot_free(&s);
}

static void
test_layout_retrains(void)
{
  /* A model of the layout before the embedding column (one column fewer)
   * is stale: retrained, never applied to the wider rows. */
  Shoot s;
  shoot_make(&s, 6, 20, 9);
  shoot_label(&s, 0, 38);
  g_autoptr(GError) error = NULL;
  DerushTrainResult r;
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_autofree char *sql =
      g_strdup_printf("UPDATE models SET dataset_version = %d", DERUSH_LEARN_DATASET_VERSION - 2);
  exec_sql(s.cat, sql);
  g_assert_true(derush_catalog_model_info(s.cat, &r, &error));
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_STALE);
  g_assert_true(derush_catalog_update_predictions(s.cat, NULL, &r, &error));
  g_assert_no_error(error);
  g_assert_cmpint(r.state, ==, DERUSH_MODEL_TRAINED);
  g_assert_cmpint(r.dataset_version, ==, DERUSH_LEARN_DATASET_VERSION);
  shoot_free(&s);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/learn/embedding/sketch", test_sketch);
  g_test_add_func("/learn/embedding/missing", test_missing);
  g_test_add_func("/learn/embedding/margin", test_margin);
  g_test_add_func("/learn/embedding/gate", test_gate);
  g_test_add_func("/learn/embedding/migration", test_migration);
  g_test_add_func("/learn/embedding/layout-retrains", test_layout_retrains);
  return g_test_run();
}
