/* learn-store.c: what learning reads from and keeps in the catalog: the
 * dataset's rows, the trained models, the batch predictions and the
 * learning settings. learn/ computes; this file is its only SQL. */
#include "catalog-private.h"
#include "derush-learn.h"
#include "detections-store.h"
#include "faces-store.h"

/* Models kept besides the newest, so a bad retrain can be looked into. */
#define MODELS_KEPT 5

gboolean
_derush_catalog_foreach_learn_row(DerushCatalog *cat, DerushEmbeddingKind embedding,
                                  DerushLearnRowFunc func, gpointer user_data, GError **error)
{
  /* Group ids are key * 4 + kind (group-store.c), so the kind of a
   * membership is its group id modulo 4, without a join. */
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat,
      "SELECT p.id, p.path, p.pair_id, p.time_source, p.capture_time_ns, p.size, p.width,"
      " p.height, f.vector, l.label, l.source,"
      " (SELECT group_id FROM group_members WHERE photo_id = p.id AND group_id % 4 = 0),"
      " (SELECT group_id FROM group_members WHERE photo_id = p.id AND group_id % 4 = 1),"
      " (SELECT group_id FROM group_members WHERE photo_id = p.id AND group_id % 4 = 2),"
      " d.features, fr.features, CASE WHEN d.sketch_version = ?10 THEN d.sketch END"
      " FROM photos p" DERUSH_DETECT_RUN_JOIN DERUSH_FACE_RUN_JOIN
      " LEFT JOIN features f ON f.photo_id = p.id AND f.version = ?1"
      "  AND f.content_hash = p.content_hash"
      " LEFT JOIN labels l ON l.photo_id = p.id"
      " WHERE p.status = 0 AND p.missing = 0 ORDER BY p.id",
      error);
  if (!s)
    return FALSE;
  sqlite3_bind_int(s, 1, DERUSH_FEATURES_VERSION);
  sqlite3_bind_int(s, 8, DERUSH_FACES_VERSION);
  sqlite3_bind_int(s, 9, DERUSH_DETECT_VERSION);
  g_return_val_if_fail(embedding == DERUSH_SKETCHED_EMBEDDING, FALSE);
  sqlite3_bind_int(s, 10, derush_embedding_info(embedding)->version);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    DerushLearnRow r = {0};
    r.id = sqlite3_column_int64(s, 0);
    r.path = (const char *)sqlite3_column_text(s, 1);
    r.pair_id = sqlite3_column_int64(s, 2);
    int source = sqlite3_column_int(s, 3);
    r.has_time = (source == DERUSH_TIME_EXIF_ORIGINAL || source == DERUSH_TIME_EXIF_DIGITIZED) &&
                 sqlite3_column_type(s, 4) != SQLITE_NULL;
    r.time_ns = sqlite3_column_int64(s, 4);
    r.size = sqlite3_column_int64(s, 5);
    r.width = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 6);
    r.height = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 7);
    r.features = _derush_column_blob(s, 8, &r.features_bytes);
    r.labelled = sqlite3_column_type(s, 9) != SQLITE_NULL;
    r.label = r.labelled ? (DerushLabel)sqlite3_column_int(s, 9) : DERUSH_LABEL_NONE;
    r.source = (DerushLabelSource)sqlite3_column_int(s, 10);
    for (int k = 0; k < 3; k++)
      r.group[k] = sqlite3_column_int64(s, 11 + k);
    r.detector = _derush_column_blob(s, 14, &r.detector_bytes);
    r.faces = _derush_column_blob(s, 15, &r.faces_bytes);
    r.sketch = _derush_column_blob(s, 16, &r.sketch_bytes);
    func(&r, user_data);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read the photos to learn from");
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_count_labels(DerushCatalog *cat, gint64 *keep, gint64 *trash, GError **error)
{
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat,
      "SELECT coalesce(sum(l.label = 1), 0), coalesce(sum(l.label = 2), 0) FROM labels l"
      " JOIN photos p ON p.id = l.photo_id"
      " WHERE l.source != 1 AND p.status = 0 AND p.missing = 0",
      error);
  if (!s)
    return FALSE;
  int rc = sqlite3_step(s);
  *keep = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  *trash = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot count the labels");
    return FALSE;
  }
  return TRUE;
}

static gboolean
step_done(DerushCatalog *cat, sqlite3_stmt *s, const char *what, GError **error)
{
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, what);
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_store_model(DerushCatalog *cat, const void *blob, gsize len, gint64 dataset_version,
                            gint64 labels, gint64 last_event, gint64 *version_out, GError **error)
{
  if (!_derush_catalog_begin(cat, error))
    return FALSE;
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "INSERT INTO models(time_ns, dataset_version, labels, last_event, blob)"
                           " VALUES (?, ?, ?, ?, ?) RETURNING version",
                           error);
  if (!s)
    goto fail;
  sqlite3_bind_int64(s, 1, g_get_real_time() * 1000);
  sqlite3_bind_int64(s, 2, dataset_version);
  sqlite3_bind_int64(s, 3, labels);
  sqlite3_bind_int64(s, 4, last_event);
  sqlite3_bind_blob64(s, 5, blob, len, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  gint64 version = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE || version <= 0) {
    _derush_catalog_set_error(cat, error, "cannot store the model");
    goto fail;
  }
  s = _derush_catalog_stmt(cat, "DELETE FROM models WHERE version <= ?", error);
  if (!s)
    goto fail;
  sqlite3_bind_int64(s, 1, version - 1 - MODELS_KEPT);
  if (!step_done(cat, s, "cannot drop old models", error))
    goto fail;
  if (!_derush_catalog_commit(cat, error))
    goto fail;
  if (version_out)
    *version_out = version;
  return TRUE;
fail:
  _derush_catalog_rollback(cat);
  return FALSE;
}

gboolean
_derush_catalog_load_model(DerushCatalog *cat, GBytes **blob, gint64 *version,
                           gint64 *dataset_version, gint64 *last_event, GError **error)
{
  *blob = NULL;
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "SELECT version, dataset_version, last_event, blob FROM models"
                           " ORDER BY version DESC LIMIT 1",
                           error);
  if (!s)
    return FALSE;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *version = sqlite3_column_int64(s, 0);
    *dataset_version = sqlite3_column_int64(s, 1);
    *last_event = sqlite3_column_int64(s, 2);
    *blob = g_bytes_new(sqlite3_column_blob(s, 3), sqlite3_column_bytes(s, 3));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read the model");
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_store_predictions(DerushCatalog *cat, gsize n, const gint64 *ids,
                                  const double *p_keep, const int *zone, const double *uncertainty,
                                  gint64 model_version, GError **error)
{
  if (!_derush_catalog_begin(cat, error))
    return FALSE;
  if (!_derush_catalog_exec(cat, "DELETE FROM predictions", error))
    goto fail;
  for (gsize i = 0; i < n; i++) {
    sqlite3_stmt *s = _derush_catalog_stmt(
        cat,
        "INSERT INTO predictions(photo_id, model_version, p_keep, zone, uncertainty)"
        " VALUES (?, ?, ?, ?, ?)",
        error);
    if (!s)
      goto fail;
    sqlite3_bind_int64(s, 1, ids[i]);
    sqlite3_bind_int64(s, 2, model_version);
    sqlite3_bind_double(s, 3, p_keep[i]);
    sqlite3_bind_int(s, 4, zone[i]);
    sqlite3_bind_double(s, 5, uncertainty[i]);
    if (!step_done(cat, s, "cannot store a prediction", error))
      goto fail;
  }
  return _derush_catalog_commit(cat, error);
fail:
  _derush_catalog_rollback(cat);
  return FALSE;
}

/**
 * derush_catalog_foreach_prediction:
 * @catalog: the catalog
 * @under: (nullable): only photos at or below this folder
 * @func: called once per photo; return FALSE to stop
 * @user_data: for @func
 * @error: return location for a GError
 *
 * Lists the predictions the last batch stored (derush_catalog_train() or
 * derush_catalog_update_predictions()), ordered by path, with each photo's
 * current label.
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 */
gboolean
derush_catalog_foreach_prediction(DerushCatalog *catalog, const char *under,
                                  DerushPredictionFunc func, gpointer user_data, GError **error)
{
  g_return_val_if_fail(catalog != NULL && func != NULL, FALSE);
  sqlite3_stmt *s =
      _derush_catalog_stmt(catalog,
                           "SELECT p.id, p.path, r.p_keep, r.zone, r.uncertainty, r.model_version,"
                           " coalesce(l.label, 0)"
                           " FROM predictions r JOIN photos p ON p.id = r.photo_id"
                           " LEFT JOIN labels l ON l.photo_id = p.id"
                           " WHERE p.missing = 0 AND " DERUSH_UNDER_SQL " ORDER BY p.path",
                           error);
  if (!s)
    return FALSE;
  _derush_bind_under(s, under);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    DerushPrediction p = {
        .photo_id = sqlite3_column_int64(s, 0),
        .path = (const char *)sqlite3_column_text(s, 1),
        .p_keep = sqlite3_column_double(s, 2),
        .zone = (DerushZone)sqlite3_column_int(s, 3),
        .uncertainty = sqlite3_column_double(s, 4),
        .model_version = sqlite3_column_int64(s, 5),
        .label = (DerushLabel)sqlite3_column_int(s, 6),
    };
    if (!func(&p, user_data)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read the predictions");
    return FALSE;
  }
  return TRUE;
}
