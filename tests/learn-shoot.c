/* learn-shoot.c: the synthetic shoot of learn-shoot.h. */
#include "learn-shoot.h"

static float
frand(GRand *r, double lo, double hi)
{
  return (float)g_rand_double_range(r, lo, hi);
}

static gint64
add_photo(Shoot *s, GRand *r, int index, gint64 time_ns, double sharp, double ev)
{
  g_autofree char *name = g_strdup_printf("IMG_%04d.JPG", index);
  g_autofree char *path = g_build_filename(s->dir, name, NULL);
  DerushMeta meta;
  derush_meta_init(&meta);
  meta.make = g_strdup("Canon");
  meta.model = g_strdup("EOS");
  meta.time_source = DERUSH_TIME_EXIF_ORIGINAL;
  meta.capture_time_ns = time_ns;
  meta.iso = 100 * (1 + g_rand_int_range(r, 0, 8));
  meta.exposure_time = 1.0 / 250;
  meta.f_number = 4;
  meta.focal_length_35mm = 50;
  DerushImageInfo info = {"jpeg", "", 4000, 3000};
  DerushPhotoRecord rec = {
      .path = path,
      .dir = s->dir,
      .name = name,
      .dev = 1,
      .ino = index + 1,
      .size = 3000000 + g_rand_int_range(r, 0, 1000000),
      .mtime_ns = time_ns,
      .content_hash = 1000 + index,
      .status = DERUSH_PHOTO_OK,
      .info = &info,
      .meta = &meta,
  };
  gint64 id = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_upsert_photo(s->cat, &rec, &id, &error));
  g_assert_no_error(error);
  derush_meta_clear(&meta);

  float v[DERUSH_N_FEATURES];
  for (int k = 0; k < DERUSH_N_FEATURES; k++)
    v[k] = NAN;
  double lap = pow(10, sharp);
  v[DERUSH_FEATURE_LAP_TILE_MAX] = (float)(lap * frand(r, 1.0, 1.3));
  v[DERUSH_FEATURE_LAP_TILE_CENTER] = (float)(lap * frand(r, 0.7, 1.0));
  v[DERUSH_FEATURE_LAP_VAR] = (float)(lap * frand(r, 0.3, 0.6));
  v[DERUSH_FEATURE_NOISE] = frand(r, 1, 4);
  v[DERUSH_FEATURE_EXPOSURE_EV] = (float)ev;
  v[DERUSH_FEATURE_LUMA_P50] = (float)CLAMP(0.45 + ev * 0.15, 0.02, 0.98);
  v[DERUSH_FEATURE_CLIP_HIGH] = ev > 1.5 ? 0.2f : 0.0f;
  v[DERUSH_FEATURE_CLIP_LOW] = ev < -1.5 ? 0.3f : 0.0f;
  v[DERUSH_FEATURE_SATURATION] = frand(r, 0.1, 0.6);
  guint8 blob[4 * DERUSH_N_FEATURES];
  _derush_floats_to_blob(v, DERUSH_N_FEATURES, blob);
  sqlite3_stmt *st = _derush_catalog_stmt(
      s->cat, "INSERT INTO features(photo_id, version, content_hash, vector) VALUES (?,?,?,?)",
      &error);
  g_assert_nonnull(st);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, DERUSH_FEATURES_VERSION);
  sqlite3_bind_int64(st, 3, 1000 + index);
  sqlite3_bind_blob(st, 4, blob, sizeof(blob), SQLITE_TRANSIENT);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
  sqlite3_reset(st);
  g_array_append_val(s->ids, id);
  return id;
}

void
shoot_make(Shoot *s, int n_bursts, int n_singles, guint32 seed)
{
  s->dir = test_make_tmpdir();
  g_autofree char *db = g_build_filename(s->dir, "catalog.db", NULL);
  g_autoptr(GError) error = NULL;
  s->cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  s->ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  s->keep = g_array_new(FALSE, FALSE, sizeof(gboolean));
  g_autoptr(GRand) r = g_rand_new_with_seed(seed);
  gint64 t = (gint64)1700000000 * G_GINT64_CONSTANT(1000000000);
  int index = 0;
  g_assert_true(_derush_catalog_begin(s->cat, &error));
  for (int b = 0; b < n_bursts; b++) {
    if (b % 10 == 0)
      t += (gint64)3 * 3600 * 1000000000; /* a new session */
    int sharpest = g_rand_int_range(r, 0, 3);
    gboolean exposed_ok = g_rand_double(r) < 0.8;
    for (int f = 0; f < 3; f++) {
      double sharp = f == sharpest ? frand(r, 2.6, 3.4) : frand(r, 1.4, 2.4);
      /* Whole bursts differ a lot in absolute sharpness: only the rank
       * inside the burst tells the keeper. */
      sharp += frand(r, -0.6, 0.6);
      double ev = exposed_ok ? frand(r, -0.4, 0.4) : (g_rand_boolean(r) ? -2.2 : 2.0);
      add_photo(s, r, index++, t + f * 500000000LL, sharp, ev);
      gboolean keep = f == sharpest && exposed_ok;
      g_array_append_val(s->keep, keep);
    }
    t += (gint64)20 * 1000000000;
  }
  for (int i = 0; i < n_singles; i++) {
    t += (gint64)45 * 1000000000;
    double sharp = frand(r, 1.2, 3.6), ev = frand(r, -2.5, 2.5);
    add_photo(s, r, index++, t, sharp, ev);
    gboolean keep = sharp > 2.4 && fabs(ev) < 1.0;
    g_array_append_val(s->keep, keep);
  }
  g_assert_true(_derush_catalog_commit(s->cat, &error));
  g_assert_true(derush_catalog_update_groups(s->cat, NULL, NULL, &error));
  g_assert_no_error(error);
}

void
shoot_free(Shoot *s)
{
  derush_catalog_close(s->cat);
  test_rmrf(s->dir);
  g_free(s->dir);
  g_array_unref(s->ids);
  g_array_unref(s->keep);
}

/* Labels photos @from..@to-1 (insertion order) with their truth, one batch. */
void
shoot_label(Shoot *s, guint from, guint to)
{
  g_autoptr(GArray) changes = g_array_new(FALSE, FALSE, sizeof(DerushLabelChange));
  for (guint i = from; i < to; i++) {
    DerushLabelChange c = {.set_label = TRUE};
    c.label = g_array_index(s->keep, gboolean, i) ? DERUSH_LABEL_KEEP : DERUSH_LABEL_TRASH;
    g_array_append_val(changes, c);
  }
  g_autoptr(GError) error = NULL;
  gboolean ok = (_derush_catalog_set_labels_each(s->cat, &g_array_index(s->ids, gint64, from),
                                                 (const DerushLabelChange *)changes->data,
                                                 to - from, DERUSH_SOURCE_USER, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(ok);
}

void
shoot_label_one(Shoot *s, guint i, DerushLabel label)
{
  DerushLabelChange c = {.set_label = TRUE, .label = label};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_set_labels(s->cat, &g_array_index(s->ids, gint64, i), 1, &c,
                                          DERUSH_SOURCE_USER, NULL, &error));
}

void
exec_sql(DerushCatalog *cat, const char *sql)
{
  g_assert_cmpint(sqlite3_exec(cat->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}
