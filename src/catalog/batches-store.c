/* batches-store.c: reading label batches back, so front ends can say what
 * an undo or redo did ("undid batch 12: 3 photos"). Batches are written
 * with their events (labels.c). */
#include "catalog-private.h"

/**
 * derush_catalog_foreach_batch:
 * @after: only batches with a greater id (0 for all)
 * @func: called for each batch, oldest first; return FALSE to stop
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 */
gboolean
derush_catalog_foreach_batch(DerushCatalog *catalog, gint64 after, DerushLabelBatchFunc func,
                             gpointer user_data, GError **error)
{
  const char *sql = "SELECT b.id, b.time_ns, b.source, b.target,"
                    " (SELECT count(*) FROM label_events e WHERE e.batch = b.id)"
                    " FROM label_batches b WHERE b.id > ? ORDER BY b.id";
  sqlite3_stmt *stmt = NULL;
  /* Private statement: @func may call back into the catalog. */
  if (sqlite3_prepare_v2(catalog->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(catalog, error, "cannot read label history");
    return FALSE;
  }
  sqlite3_bind_int64(stmt, 1, after);
  int rc;
  gboolean go_on = TRUE;
  while (go_on && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    DerushLabelBatch b = {
        .id = sqlite3_column_int64(stmt, 0),
        .time_ns = sqlite3_column_int64(stmt, 1),
        .source = sqlite3_column_int(stmt, 2),
        .target = sqlite3_column_int64(stmt, 3),
        .n_events = sqlite3_column_int64(stmt, 4),
    };
    go_on = func(&b, user_data);
  }
  gboolean ok = !go_on || rc == SQLITE_DONE;
  if (!ok)
    _derush_catalog_set_error(catalog, error, "cannot read label history");
  sqlite3_finalize(stmt);
  return ok;
}

/**
 * derush_catalog_last_batch:
 * Returns: the newest label batch id, 0 when there is none, -1 on error.
 */
gint64
derush_catalog_last_batch(DerushCatalog *catalog, GError **error)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(catalog, "SELECT coalesce(max(id), 0) FROM label_batches", error);
  if (!stmt)
    return -1;
  gint64 id = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    id = sqlite3_column_int64(stmt, 0);
  else
    _derush_catalog_set_error(catalog, error, "cannot read label history");
  sqlite3_reset(stmt);
  return id;
}
