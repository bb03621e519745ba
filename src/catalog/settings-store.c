/* settings-store.c: the settings table: small per-catalog key/value
 * choices (sidecar sync and style). */
#include "catalog-private.h"

/**
 * _derush_catalog_get_setting:
 * @cat: the catalog
 * @key: the setting's name
 *
 * Returns: (transfer full) (nullable): its value, or NULL when unset or
 * unreadable.
 */
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

/**
 * _derush_catalog_put_setting:
 * @cat: the catalog
 * @key: the setting's name
 * @value: (nullable): the new value; NULL removes the setting
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
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
