/* batches.c: reading label batches back, so front ends can say what an
 * undo or redo did ("undid batch 12: 3 photos"), and the small settings
 * and file helpers the decision area shares. */
#include "export-private.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

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

char *
_derush_catalog_get_setting(DerushCatalog *cat, const char *key)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, "SELECT value FROM settings WHERE key = ?", NULL);
  if (!stmt)
    return NULL;
  sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
  char *value = NULL;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
    value = g_strdup((const char *)sqlite3_column_text(stmt, 0));
  sqlite3_reset(stmt);
  return value;
}

gboolean
_derush_catalog_put_setting(DerushCatalog *cat, const char *key, const char *value, GError **error)
{
  const char *sql = value ? "INSERT OR REPLACE INTO settings(key, value) VALUES (?1, ?2)"
                          : "DELETE FROM settings WHERE key = ?1";
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, sql, error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
  if (value)
    sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot save a setting");
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_write_atomic(const char *path, const void *data, gsize len, int mode, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  /* Hidden and in the same folder: rename() is then atomic, and a file
   * manager or a scan does not show a half-written file. */
  g_autofree char *tmp = g_strdup_printf("%s/.%s.derush-XXXXXX", dir, base);
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) {
    _derush_set_errno_error(error, errno, "cannot write", path);
    return FALSE;
  }
  const char *p = data;
  gsize left = len;
  int errsv = 0;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      errsv = n < 0 ? errno : ENOSPC;
      break;
    }
    p += n;
    left -= (gsize)n;
  }
  /* fsync before rename: after a power cut the name points to the old
   * bytes or the new ones, never to an empty file. */
  if (!errsv && fdatasync(fd) != 0)
    errsv = errno;
  if (close(fd) != 0 && !errsv)
    errsv = errno;
  if (!errsv && rename(tmp, path) != 0)
    errsv = errno;
  if (errsv) {
    unlink(tmp);
    _derush_set_errno_error(error, errsv, "cannot write", path);
    return FALSE;
  }
  return TRUE;
}
