/* counters-store.c: work counters kept in the catalog, lifetime totals and
 * the last command's, so `derush stats` can show what a command cost after
 * the process that ran it is gone. */
#include "catalog-private.h"

/**
 * derush_catalog_record_command:
 * @command: the command's name ("scan", "ls", ...)
 *
 * Adds this process's counters to the catalog's lifetime totals and stores
 * them as the last command's. One short transaction.
 *
 * Returns: FALSE with @error set when the catalog cannot be written.
 */
gboolean
derush_catalog_record_command(DerushCatalog *catalog, const char *command, GError **error)
{
  gint64 now[DERUSH_N_COUNTERS];
  derush_counters_snapshot(now);
  if (!_derush_catalog_begin(catalog, error))
    return FALSE;
  for (int i = 0; i < DERUSH_N_COUNTERS; i++) {
    sqlite3_stmt *stmt = _derush_catalog_stmt(
        catalog,
        "INSERT INTO counters(name, total, last) VALUES (?1, ?2, ?2)"
        " ON CONFLICT(name) DO UPDATE SET total = total + excluded.total, last = excluded.last",
        error);
    if (!stmt)
      goto fail;
    sqlite3_bind_text(stmt, 1, derush_counter_name(i), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, now[i]);
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(catalog, error, "cannot record counters");
      goto fail;
    }
  }
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      catalog, "INSERT OR REPLACE INTO settings(key, value) VALUES ('last_command', ?)", error);
  if (!stmt)
    goto fail;
  sqlite3_bind_text(stmt, 1, command, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot record the command");
    goto fail;
  }
  return _derush_catalog_commit(catalog, error);
fail:
  _derush_catalog_rollback(catalog);
  return FALSE;
}

/**
 * derush_catalog_get_counters:
 * @total: (out): lifetime totals, indexed by #DerushCounter
 * @last: (out): the last recorded command's counters
 * @last_command: (out) (transfer full) (nullable): its name, NULL if none
 *
 * Counters this catalog has never recorded read as 0.
 */
gboolean
derush_catalog_get_counters(DerushCatalog *catalog, gint64 total[DERUSH_N_COUNTERS],
                            gint64 last[DERUSH_N_COUNTERS], char **last_command, GError **error)
{
  memset(total, 0, sizeof(gint64) * DERUSH_N_COUNTERS);
  memset(last, 0, sizeof(gint64) * DERUSH_N_COUNTERS);
  *last_command = NULL;
  for (int i = 0; i < DERUSH_N_COUNTERS; i++) {
    sqlite3_stmt *stmt =
        _derush_catalog_stmt(catalog, "SELECT total, last FROM counters WHERE name = ?", error);
    if (!stmt)
      return FALSE;
    sqlite3_bind_text(stmt, 1, derush_counter_name(i), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      total[i] = sqlite3_column_int64(stmt, 0);
      last[i] = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_reset(stmt);
  }
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(catalog, "SELECT value FROM settings WHERE key = 'last_command'", error);
  if (!stmt)
    return FALSE;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    *last_command = g_strdup((const char *)sqlite3_column_text(stmt, 0));
  sqlite3_reset(stmt);
  return TRUE;
}
