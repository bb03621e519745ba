/* sidecars-store.c: the sidecars table (what derush last wrote or read in
 * each XMP sidecar, to tell our own files from other programs' edits) and
 * the decision rows the sidecar export and the scanner's sidecar hooks
 * read. The XMP itself is export/sidecar.c's. */
#include "catalog-private.h"

/**
 * _derush_catalog_sidecar_state_get:
 * @cat: the catalog
 * @path: a sidecar's path
 * @out: (out): its recorded state
 *
 * Returns: TRUE when the sidecar has a record.
 */
gboolean
_derush_catalog_sidecar_state_get(DerushCatalog *cat, const char *path, DerushSidecarState *out)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(cat, "SELECT mtime_ns, size, hash FROM sidecars WHERE path = ?", NULL);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  gboolean found = sqlite3_step(stmt) == SQLITE_ROW;
  if (found) {
    out->mtime_ns = sqlite3_column_int64(stmt, 0);
    out->size = sqlite3_column_int64(stmt, 1);
    out->hash = (guint64)sqlite3_column_int64(stmt, 2);
  }
  sqlite3_reset(stmt);
  return found;
}

/**
 * _derush_catalog_sidecar_state_put:
 * @cat: the catalog
 * @path: a sidecar's path
 * @st: its state now
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_sidecar_state_put(DerushCatalog *cat, const char *path,
                                  const DerushSidecarState *st, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat, "INSERT OR REPLACE INTO sidecars(path, mtime_ns, size, hash) VALUES (?, ?, ?, ?)",
      error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 2, st->mtime_ns);
  sqlite3_bind_int64(stmt, 3, st->size);
  sqlite3_bind_int64(stmt, 4, (sqlite3_int64)st->hash);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot record a sidecar");
    return FALSE;
  }
  return TRUE;
}

/**
 * _derush_catalog_foreach_decision:
 * @cat: the catalog
 * @under: (nullable): a folder or photo (used when @ids is NULL)
 * @ids: (nullable) (array length=n_ids): only these photos and their partners
 * @n_ids: how many
 * @func: called for each present, labelled photo; FALSE (with its error
 *   set) stops the listing
 * @user_data: for @func
 * @error: return location for a GError
 *
 * A private statement: @func may write through the same connection.
 *
 * Returns: FALSE with @error set when SQLite or @func fails.
 */
gboolean
_derush_catalog_foreach_decision(DerushCatalog *cat, const char *under, const gint64 *ids,
                                 gsize n_ids, DerushDecisionFunc func, gpointer user_data,
                                 GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  const char *sql;
  if (ids) {
    sql = "SELECT p.path, l.label, l.stars FROM photos p JOIN labels l ON l.photo_id = p.id"
          " WHERE NOT p.missing AND (p.id = ?1 OR p.pair_id = ?1)";
  } else {
    _derush_path_range(under, &lo, &hi);
    sql = "SELECT p.path, l.label, l.stars FROM photos p JOIN labels l ON l.photo_id = p.id"
          " WHERE NOT p.missing AND (p.path = ?3 OR (p.path >= ?1 AND p.path < ?2))"
          " ORDER BY p.path";
  }
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(cat->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot list decisions");
    return FALSE;
  }
  gboolean ok = TRUE;
  for (gsize i = 0; ok && i < (ids ? n_ids : 1); i++) {
    sqlite3_reset(stmt);
    if (ids) {
      sqlite3_bind_int64(stmt, 1, ids[i]);
    } else {
      sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
      sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
      sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!func((const char *)sqlite3_column_text(stmt, 0), sqlite3_column_int(stmt, 1),
                sqlite3_column_int(stmt, 2), user_data, error)) {
        ok = FALSE;
        break;
      }
    }
    if (ok && rc != SQLITE_DONE) {
      _derush_catalog_set_error(cat, error, "cannot list decisions");
      ok = FALSE;
    }
  }
  sqlite3_finalize(stmt);
  return ok;
}

/**
 * _derush_catalog_xmp_rating:
 * @cat: the catalog
 * @path: a photo's path
 * @rating: (out): the embedded rating the last read found (0 when none or
 *   no such photo)
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_xmp_rating(DerushCatalog *cat, const char *path, int *rating, GError **error)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(cat, "SELECT xmp_rating FROM photos WHERE path = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  *rating = 0;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
    *rating = sqlite3_column_int(stmt, 0);
  sqlite3_reset(stmt);
  return TRUE;
}

/**
 * _derush_catalog_photo_decision:
 * @cat: the catalog
 * @path: a photo's path
 * @id: (out): its id
 * @label: (out): its label (none when it has no labels row)
 * @error: return location for a GError
 *
 * Returns: TRUE when the catalog has a photo at @path (missing ones too);
 * FALSE when not, with @error set only when SQLite fails.
 */
gboolean
_derush_catalog_photo_decision(DerushCatalog *cat, const char *path, gint64 *id, DerushLabel *label,
                               GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "SELECT p.id, coalesce(l.label, 0) FROM photos p LEFT JOIN labels l ON l.photo_id = p.id"
      " WHERE p.path = ?",
      error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  gboolean found = sqlite3_step(stmt) == SQLITE_ROW;
  if (found) {
    *id = sqlite3_column_int64(stmt, 0);
    *label = sqlite3_column_int(stmt, 1);
  }
  sqlite3_reset(stmt);
  return found;
}

/**
 * _derush_catalog_decision_at:
 * @path: a photo's path
 * @time_ns: a moment (ns since the epoch)
 * @label: (out): the photo's label at that moment (none before any event)
 * @stars: (out): its stars then
 *
 * Returns: FALSE with @error set only when SQLite fails.
 */
gboolean
_derush_catalog_decision_at(DerushCatalog *cat, const char *path, gint64 time_ns,
                            DerushLabel *label, int *stars, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "SELECT e.new_label, e.new_stars FROM photos p JOIN label_events e ON e.photo_id = p.id"
      " JOIN label_batches b ON b.id = e.batch WHERE p.path = ?1 AND b.time_ns <= ?2"
      " ORDER BY b.time_ns DESC, e.id DESC LIMIT 1",
      error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 2, time_ns);
  int rc = sqlite3_step(stmt);
  *label = rc == SQLITE_ROW ? (DerushLabel)sqlite3_column_int(stmt, 0) : DERUSH_LABEL_NONE;
  *stars = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 1) : 0;
  sqlite3_reset(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read decisions");
    return FALSE;
  }
  return TRUE;
}
