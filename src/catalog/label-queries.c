/* label-queries.c: read-only views of the labels for the decision area:
 * the rows of a report and one photo's current label by path. */
#include "catalog-private.h"

/**
 * _derush_catalog_foreach_label_row:
 * @cat: the catalog
 * @under: a folder ("/" for the whole catalog) or a file
 * @func: called once per photo, ordered by path
 * @user_data: for @func
 * @error: return location for a GError
 *
 * Every photo at or under @under with its label and stars (none and 0
 * when it has no label) and the id of its most specific group: its
 * near-duplicate group, else its burst, else its session (0 when it is in
 * none). A private statement: @func may use the catalog.
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_foreach_label_row(DerushCatalog *cat, const char *under,
                                  void (*func)(const char *path, DerushLabel label, int stars,
                                               gint64 group, gpointer user_data),
                                  gpointer user_data, GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  _derush_path_range(under, &lo, &hi);
  /* Kinds are ordered session < burst < near_dup (DerushGroupKind). */
  const char *sql = "SELECT p.path, coalesce(l.label, 0), coalesce(l.stars, 0),"
                    " (SELECT g.id FROM group_members m JOIN groups g ON g.id = m.group_id"
                    "  WHERE m.photo_id = p.id ORDER BY g.kind DESC LIMIT 1)"
                    " FROM photos p LEFT JOIN labels l ON l.photo_id = p.id"
                    " WHERE p.path = ?3 OR (p.path >= ?1 AND p.path < ?2) ORDER BY p.path";
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(cat->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot list photos");
    return FALSE;
  }
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    func((const char *)sqlite3_column_text(stmt, 0), sqlite3_column_int(stmt, 1),
         sqlite3_column_int(stmt, 2), sqlite3_column_int64(stmt, 3), user_data);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot list photos");
    return FALSE;
  }
  return TRUE;
}

/**
 * _derush_catalog_label_by_path:
 * @cat: the catalog
 * @path: a photo's path
 * @id: (out): its id
 * @label: (out): its label (meaningful when @labelled)
 * @source: (out): who set it (meaningful when @labelled)
 * @labelled: (out): whether it has a labels row
 *
 * Returns: TRUE when a present photo has this path; FALSE when none has
 * (or the catalog cannot be read: the caller reports the path unknown).
 */
gboolean
_derush_catalog_label_by_path(DerushCatalog *cat, const char *path, gint64 *id, DerushLabel *label,
                              DerushLabelSource *source, gboolean *labelled)
{
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat,
      "SELECT p.id, l.label, l.source FROM photos p LEFT JOIN labels l ON l.photo_id = p.id"
      " WHERE p.path = ? AND NOT p.missing",
      NULL);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
  gboolean found = sqlite3_step(s) == SQLITE_ROW;
  if (found) {
    *id = sqlite3_column_int64(s, 0);
    *labelled = sqlite3_column_type(s, 1) != SQLITE_NULL;
    *label = sqlite3_column_int(s, 1);
    *source = sqlite3_column_int(s, 2);
  }
  sqlite3_reset(s);
  return found;
}
