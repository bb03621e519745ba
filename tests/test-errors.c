/* test-errors.c: every public function that fails says why.
 *
 * The GError rule (STYLE.md): a function returns its failure value exactly
 * when it sets @error, and the error has a message. Two ways to fail are
 * driven through the public API:
 *  - a catalog whose tables are gone (the file is a valid SQLite database
 *    of the current schema version, emptied under it): every call that
 *    reads or writes the catalog fails in SQL;
 *  - bad arguments: files that do not exist, folders that are files,
 *    truth CSVs that are not there.
 * Each call is checked for "failed, and an error with a message is set"
 * (41 catalog calls, 17 bad-argument cases);
 * none may crash or fail silently (a -1 or NULL with no error, the bug
 * the audit looked for).
 *
 * Over 600 lines: one short case per public call, on the two shared broken
 * fixtures; splitting would repeat the fixtures.
 */
#include "test-util.h"
#include <sqlite3.h>

typedef struct {
  char *tmp, *photos, *photo, *catalog_path;
  gint64 photo_id;
  DerushCatalog *catalog;
} Fixture;

/* The failure value of each kind of return, as the call reports it. */
typedef gboolean (*Call)(Fixture *f, GError **error);

static void
assert_fails_with_message(const char *name, gboolean ok, GError *error)
{
  if (ok)
    g_error("%s succeeded where it should fail", name);
  if (!error)
    g_error("%s failed without setting its GError", name);
  g_assert_nonnull(error->message);
  if (!error->message[0])
    g_error("%s set a GError with an empty message", name);
  g_test_message("%s: %s", name, error->message);
}

static void
assert_consistent(const char *name, gboolean ok, GError *error)
{
  if (ok && error)
    g_error("%s succeeded and set a GError", name);
  if (!ok)
    assert_fails_with_message(name, ok, error);
}

static gboolean
no_photo_cb(const DerushPhoto *photo, gpointer user_data)
{
  return TRUE;
}

static gboolean
no_event_cb(const DerushLabelEvent *event, gpointer user_data)
{
  return TRUE;
}

static gboolean
no_batch_cb(const DerushLabelBatch *batch, gpointer user_data)
{
  return TRUE;
}

static gboolean
no_group_cb(const DerushGroup *group, gpointer user_data)
{
  return TRUE;
}

static gboolean
no_prediction_cb(const DerushPrediction *prediction, gpointer user_data)
{
  return TRUE;
}

static gboolean
no_faces_cb(gint64 photo_id, const char *path, const DerushFace *faces, int n_faces,
            gpointer user_data)
{
  return TRUE;
}

/* ------------------------------------------------ calls on a broken catalog */

static gboolean
call_foreach_photo(Fixture *f, GError **error)
{
  return derush_catalog_foreach_photo(f->catalog, NULL, no_photo_cb, NULL, error);
}

static gboolean
call_get_photo(Fixture *f, GError **error)
{
  DerushPhoto *photo = derush_catalog_get_photo(f->catalog, f->photo, error);
  g_clear_pointer(&photo, derush_photo_free);
  return FALSE;
}

static gboolean
call_record_command(Fixture *f, GError **error)
{
  return derush_catalog_record_command(f->catalog, "test", error);
}

static gboolean
call_get_counters(Fixture *f, GError **error)
{
  gint64 total[DERUSH_N_COUNTERS], last[DERUSH_N_COUNTERS];
  g_autofree char *command = NULL;
  return derush_catalog_get_counters(f->catalog, total, last, &command, error);
}

static gboolean
call_set_labels(Fixture *f, GError **error)
{
  DerushLabelChange change = {.set_label = TRUE, .label = DERUSH_LABEL_KEEP};
  gint64 batch = 0;
  return derush_catalog_set_labels(f->catalog, &f->photo_id, 1, &change, DERUSH_SOURCE_USER, &batch,
                                   error);
}

static gboolean
call_undo(Fixture *f, GError **error)
{
  return derush_catalog_undo(f->catalog, 1, error) >= 0;
}

static gboolean
call_redo(Fixture *f, GError **error)
{
  return derush_catalog_redo(f->catalog, 1, error) >= 0;
}

static gboolean
call_foreach_event(Fixture *f, GError **error)
{
  return derush_catalog_foreach_event(f->catalog, NULL, no_event_cb, NULL, error);
}

static gboolean
call_foreach_event_after(Fixture *f, GError **error)
{
  return derush_catalog_foreach_event_after(f->catalog, 0, no_event_cb, NULL, error);
}

static gboolean
call_foreach_batch(Fixture *f, GError **error)
{
  return derush_catalog_foreach_batch(f->catalog, 0, no_batch_cb, NULL, error);
}

static gboolean
call_last_batch(Fixture *f, GError **error)
{
  return derush_catalog_last_batch(f->catalog, error) >= 0;
}

static gboolean
call_set_sidecar_sync(Fixture *f, GError **error)
{
  return derush_catalog_set_sidecar_sync(f->catalog, TRUE, DERUSH_XMP_DARKTABLE, error);
}

static gboolean
call_export_report(Fixture *f, GError **error)
{
  g_autofree char *out = g_build_filename(f->tmp, "report.csv", NULL);
  return derush_catalog_export_report(f->catalog, NULL, DERUSH_REPORT_CSV, out, error) >= 0;
}

static gboolean
call_plan_apply(Fixture *f, GError **error)
{
  DerushApplySummary summary;
  return derush_catalog_plan_apply(f->catalog, DERUSH_APPLY_TRASH, NULL, NULL, NULL, NULL, &summary,
                                   error);
}

static gboolean
call_undo_apply(Fixture *f, GError **error)
{
  return derush_catalog_undo_apply(f->catalog, NULL, NULL, error) >= 0;
}

static gboolean
call_recover_file_ops(Fixture *f, GError **error)
{
  return derush_catalog_recover_file_ops(f->catalog, error) >= 0;
}

static gboolean
call_get_features(Fixture *f, GError **error)
{
  float vector[DERUSH_N_FEATURES];
  return derush_catalog_get_features(f->catalog, f->photo, vector, error);
}

static gboolean
call_update_groups(Fixture *f, GError **error)
{
  DerushGroupOptions options;
  derush_group_options_init(&options);
  DerushGroupSummary summary;
  return derush_catalog_update_groups(f->catalog, &options, &summary, error);
}

static gboolean
call_foreach_group(Fixture *f, GError **error)
{
  return derush_catalog_foreach_group(f->catalog, NULL, -1, no_group_cb, NULL, error);
}

static gboolean
call_cull(Fixture *f, GError **error)
{
  gint64 n = 0, batch = 0;
  return derush_catalog_cull(f->catalog, DERUSH_CULL_COPIES, NULL, TRUE, NULL, NULL, &n, &batch,
                             error);
}

static gboolean
call_get_faces(Fixture *f, GError **error)
{
  GArray *faces = NULL;
  gboolean ok = derush_catalog_get_faces(f->catalog, f->photo, &faces, error);
  g_clear_pointer(&faces, g_array_unref);
  return ok;
}

static gboolean
call_foreach_faces(Fixture *f, GError **error)
{
  return derush_catalog_foreach_faces(f->catalog, NULL, no_faces_cb, NULL, error);
}

static gboolean
call_get_detections(Fixture *f, GError **error)
{
  GArray *detections = derush_catalog_get_detections(f->catalog, f->photo, error);
  gboolean ok = detections != NULL;
  g_clear_pointer(&detections, g_array_unref);
  return ok;
}

static gboolean
call_get_learn_settings(Fixture *f, GError **error)
{
  DerushLearnSettings settings;
  return derush_catalog_get_learn_settings(f->catalog, &settings, error);
}

static gboolean
call_set_learn_settings(Fixture *f, GError **error)
{
  DerushLearnSettings settings = {.keep_loss_budget = 0.02};
  return derush_catalog_set_learn_settings(f->catalog, &settings, error);
}

static gboolean
call_train(Fixture *f, GError **error)
{
  DerushTrainOptions options;
  derush_train_options_init(&options);
  DerushTrainResult result;
  return derush_catalog_train(f->catalog, &options, &result, error);
}

static gboolean
call_foreach_prediction(Fixture *f, GError **error)
{
  return derush_catalog_foreach_prediction(f->catalog, NULL, no_prediction_cb, NULL, error);
}

static gboolean
call_next(Fixture *f, GError **error)
{
  GPtrArray *picks = derush_catalog_next(f->catalog, 5, error);
  gboolean ok = picks != NULL;
  g_clear_pointer(&picks, g_ptr_array_unref);
  return ok;
}

static gboolean
call_prediction_scores(Fixture *f, GError **error)
{
  GHashTable *scores = derush_catalog_prediction_scores(f->catalog, error);
  gboolean ok = scores != NULL;
  g_clear_pointer(&scores, g_hash_table_unref);
  return ok;
}

static gboolean
call_analyze(Fixture *f, GError **error)
{
  DerushAnalyzeSummary summary;
  return derush_catalog_analyze(f->catalog, NULL, NULL, &summary, error);
}

static gboolean
call_detect(Fixture *f, GError **error)
{
  DerushDetectSummary summary;
  return derush_catalog_detect(f->catalog, NULL, NULL, &summary, error);
}

static gboolean
call_export_sidecars(Fixture *f, GError **error)
{
  DerushSidecarSummary summary;
  return derush_catalog_export_sidecars(f->catalog, NULL, NULL, 0, DERUSH_XMP_DARKTABLE,
                                        DERUSH_SIDECAR_DRY_RUN, NULL, NULL, &summary, error);
}

static gboolean
call_apply(Fixture *f, GError **error)
{
  DerushApplySummary summary;
  return derush_catalog_apply(f->catalog, DERUSH_APPLY_TRASH, NULL, NULL, NULL, NULL, &summary,
                              error);
}

static gboolean
call_update_best_picks(Fixture *f, GError **error)
{
  guint changed = 0;
  return derush_catalog_update_best_picks(f->catalog, &changed, error);
}

static gboolean
call_get_detector_features(Fixture *f, GError **error)
{
  float vector[DERUSH_N_DETECT_FEATURES];
  return derush_catalog_get_detector_features(f->catalog, f->photo_id, vector, error);
}

static gboolean
call_get_embedding(Fixture *f, GError **error)
{
  int size = 0;
  float *embedding =
      derush_catalog_get_embedding(f->catalog, f->photo_id, DERUSH_EMBEDDING_YOLOX, &size, error);
  g_free(embedding);
  return embedding != NULL;
}

static gboolean
call_get_face_features(Fixture *f, GError **error)
{
  float vector[DERUSH_N_FACE_FEATURES];
  return derush_catalog_get_face_features(f->catalog, f->photo, vector, error);
}

static gboolean
call_model_info(Fixture *f, GError **error)
{
  DerushTrainResult result;
  return derush_catalog_model_info(f->catalog, &result, error);
}

static gboolean
call_update_predictions(Fixture *f, GError **error)
{
  DerushTrainResult result;
  return derush_catalog_update_predictions(f->catalog, NULL, &result, error);
}

static gboolean
call_explain(Fixture *f, GError **error)
{
  const char *paths[] = {f->photo, NULL};
  GPtrArray *reasons = derush_catalog_explain(f->catalog, paths, 3, error);
  gboolean ok = reasons != NULL;
  g_clear_pointer(&reasons, g_ptr_array_unref);
  return ok;
}

static gboolean
call_auto_label(Fixture *f, GError **error)
{
  gint64 batch = 0;
  return derush_catalog_auto_label(f->catalog, &batch, error) >= 0;
}

static const struct {
  const char *name;
  Call call;
} catalog_calls[] = {
    {"derush_catalog_foreach_photo", call_foreach_photo},
    {"derush_catalog_get_photo", call_get_photo},
    {"derush_catalog_record_command", call_record_command},
    {"derush_catalog_get_counters", call_get_counters},
    {"derush_catalog_set_labels", call_set_labels},
    {"derush_catalog_undo", call_undo},
    {"derush_catalog_redo", call_redo},
    {"derush_catalog_foreach_event", call_foreach_event},
    {"derush_catalog_foreach_event_after", call_foreach_event_after},
    {"derush_catalog_foreach_batch", call_foreach_batch},
    {"derush_catalog_last_batch", call_last_batch},
    {"derush_catalog_set_sidecar_sync", call_set_sidecar_sync},
    {"derush_catalog_export_report", call_export_report},
    {"derush_catalog_plan_apply", call_plan_apply},
    {"derush_catalog_undo_apply", call_undo_apply},
    {"derush_catalog_recover_file_ops", call_recover_file_ops},
    {"derush_catalog_get_features", call_get_features},
    {"derush_catalog_update_groups", call_update_groups},
    {"derush_catalog_foreach_group", call_foreach_group},
    {"derush_catalog_cull", call_cull},
    {"derush_catalog_get_faces", call_get_faces},
    {"derush_catalog_foreach_faces", call_foreach_faces},
    {"derush_catalog_get_detections", call_get_detections},
    {"derush_catalog_get_learn_settings", call_get_learn_settings},
    {"derush_catalog_set_learn_settings", call_set_learn_settings},
    {"derush_catalog_train", call_train},
    {"derush_catalog_foreach_prediction", call_foreach_prediction},
    {"derush_catalog_next", call_next},
    {"derush_catalog_prediction_scores", call_prediction_scores},
    {"derush_catalog_analyze", call_analyze},
    {"derush_catalog_detect", call_detect},
    {"derush_catalog_export_sidecars", call_export_sidecars},
    {"derush_catalog_apply", call_apply},
    {"derush_catalog_update_best_picks", call_update_best_picks},
    {"derush_catalog_get_detector_features", call_get_detector_features},
    {"derush_catalog_get_embedding", call_get_embedding},
    {"derush_catalog_get_face_features", call_get_face_features},
    {"derush_catalog_model_info", call_model_info},
    {"derush_catalog_update_predictions", call_update_predictions},
    {"derush_catalog_explain", call_explain},
    {"derush_catalog_auto_label", call_auto_label},
};

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->photo = g_build_filename(f->photos, "a.jpg", NULL);
  test_make_quadrant_image(f->photo, 64, 48);
  f->catalog_path = g_build_filename(f->tmp, "catalog.db", NULL);
  g_autoptr(GError) error = NULL;
  f->catalog = derush_catalog_open(f->catalog_path, &error);
  g_assert_no_error(error);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", NULL);
  derush_catalog_set_cache_dir(f->catalog, cache);
  const char *roots[] = {f->photos, NULL};
  DerushScanSummary summary;
  g_assert_true(derush_catalog_scan(f->catalog, roots, NULL, &summary, &error));
  g_assert_no_error(error);
  DerushPhoto *photo = derush_catalog_get_photo(f->catalog, f->photo, &error);
  g_assert_no_error(error);
  f->photo_id = photo->id;
  derush_photo_free(photo);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  g_clear_pointer(&f->catalog, derush_catalog_close);
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->photos);
  g_free(f->photo);
  g_free(f->catalog_path);
}

/* Empties the catalog file of its tables, keeping its schema version, so
 * the next open finds nothing to migrate and every query fails. */
static void
drop_every_table(const char *path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint(sqlite3_prepare_v2(db,
                                     "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                     "name NOT LIKE 'sqlite_%'",
                                     -1, &stmt, NULL),
                  ==, SQLITE_OK);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  while (sqlite3_step(stmt) == SQLITE_ROW)
    g_ptr_array_add(names, g_strdup((const char *)sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  g_assert_cmpuint(names->len, >, 3);
  g_assert_cmpint(sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *sql = g_strdup_printf("DROP TABLE \"%s\"", (char *)names->pdata[i]);
    g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  sqlite3_close(db);
}

static void
test_catalog_without_tables(Fixture *f, gconstpointer data)
{
  g_clear_pointer(&f->catalog, derush_catalog_close);
  drop_every_table(f->catalog_path);
  g_autoptr(GError) open_error = NULL;
  f->catalog = derush_catalog_open(f->catalog_path, &open_error);
  if (!f->catalog) {
    /* Refusing the emptied file at open is a failure with a reason too. */
    assert_fails_with_message("derush_catalog_open", FALSE, open_error);
    return;
  }
  g_assert_no_error(open_error);
  for (gsize i = 0; i < G_N_ELEMENTS(catalog_calls); i++) {
    GError *error = NULL;
    gboolean ok = catalog_calls[i].call(f, &error);
    assert_fails_with_message(catalog_calls[i].name, ok, error);
    g_clear_error(&error);
  }
}

/* ----------------------------------------------------------- bad arguments */

static void
test_bad_arguments(Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename(f->tmp, "no-such-file.jpg", NULL);
  g_autofree char *missing_csv = g_build_filename(f->tmp, "no-such-truth.csv", NULL);
  g_autofree char *out = g_build_filename(f->tmp, "out.png", NULL);
  GError *error = NULL;

  /* A catalog that is a folder. */
  DerushCatalog *folder = derush_catalog_open(f->photos, &error);
  assert_fails_with_message("derush_catalog_open (a folder)", folder != NULL, error);
  g_clear_error(&error);

  /* A catalog file that is not SQLite. */
  g_autofree char *junk = g_build_filename(f->tmp, "junk.db", NULL);
  test_write_file(junk, "not a database at all, not even close", 37);
  DerushCatalog *junk_catalog = derush_catalog_open(junk, &error);
  assert_fails_with_message("derush_catalog_open (not SQLite)", junk_catalog != NULL, error);
  g_clear_error(&error);

  gboolean ok = derush_thumbnail_save(f->catalog, missing, 64, out, &error);
  assert_fails_with_message("derush_thumbnail_save (missing photo)", ok, error);
  g_clear_error(&error);

  ok = derush_thumbnail_save(f->catalog, f->photo, 64, f->photos, &error);
  assert_fails_with_message("derush_thumbnail_save (output is a folder)", ok, error);
  g_clear_error(&error);

  DerushPhoto *photo = derush_catalog_get_photo(f->catalog, missing, &error);
  assert_fails_with_message("derush_catalog_get_photo (not catalogued)", photo != NULL, error);
  g_assert_true(g_error_matches(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND));
  g_clear_error(&error);

  GArray *detections = derush_catalog_get_detections(f->catalog, missing, &error);
  assert_fails_with_message("derush_catalog_get_detections (not catalogued)", detections != NULL,
                            error);
  g_clear_error(&error);

  float vector[DERUSH_N_FEATURES];
  ok = derush_catalog_get_features(f->catalog, missing, vector, &error);
  assert_fails_with_message("derush_catalog_get_features (not catalogued)", ok, error);
  g_clear_error(&error);

  DerushBlurEval blur;
  ok = derush_eval_blur(f->catalog, missing_csv, &blur, &error);
  assert_fails_with_message("derush_eval_blur (no truth file)", ok, error);
  g_clear_error(&error);

  DerushGroupOptions group_options;
  derush_group_options_init(&group_options);
  DerushGroupingEval grouping;
  ok = derush_eval_grouping(f->catalog, missing_csv, &group_options, NULL, NULL, &grouping, &error);
  assert_fails_with_message("derush_eval_grouping (no truth file)", ok, error);
  g_clear_error(&error);

  DerushTrainOptions train_options;
  derush_train_options_init(&train_options);
  DerushLearningEval learning;
  ok = derush_eval_learning(f->catalog, missing_csv, DERUSH_LEARN_ORDER_RANDOM, 10, 0,
                            &train_options, &learning, &error);
  assert_fails_with_message("derush_eval_learning (no taste file)", ok, error);
  g_clear_error(&error);

  GArray *faces = NULL;
  ok = derush_faces_detect_file(missing, f->tmp, &faces, &error);
  assert_fails_with_message("derush_faces_detect_file (missing photo)", ok, error);
  g_clear_error(&error);
  g_clear_pointer(&faces, g_array_unref);

  DerushFacesEval faces_eval;
  ok = derush_eval_faces(missing_csv, f->tmp, NULL, NULL, &faces_eval, &error);
  assert_fails_with_message("derush_eval_faces (no truth file)", ok, error);
  g_clear_error(&error);

  DerushDetectorEval detector_eval;
  ok = derush_eval_detector(missing, f->tmp, &detector_eval, &error);
  assert_fails_with_message("derush_eval_detector (no truth folder)", ok, error);
  g_clear_error(&error);

  DerushImportSummary import;
  ok = derush_catalog_import_photo_derush(f->catalog, missing, NULL, NULL, &import, &error);
  assert_fails_with_message("derush_catalog_import_photo_derush (no folder)", ok, error);
  g_clear_error(&error);

  /* Calls that may succeed on odd input (no label to learn from, a root
   * that is gone) still keep the rule: failure exactly when @error is set. */
  DerushTrainResult result;
  ok = derush_catalog_train(f->catalog, &train_options, &result, &error);
  assert_consistent("derush_catalog_train (no labels)", ok, error);
  g_clear_error(&error);

  const char *no_roots[] = {missing, NULL};
  DerushScanSummary summary;
  ok = derush_catalog_scan(f->catalog, no_roots, NULL, &summary, &error);
  assert_consistent("derush_catalog_scan (missing root)", ok, error);
  g_clear_error(&error);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/errors/catalog-without-tables", Fixture, NULL, fixture_setup,
             test_catalog_without_tables, fixture_teardown);
  g_test_add("/errors/bad-arguments", Fixture, NULL, fixture_setup, test_bad_arguments,
             fixture_teardown);
  return g_test_run();
}
