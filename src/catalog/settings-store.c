/* settings-store.c: the settings table: small per-catalog key/value
 * choices (sidecar sync and style). */
#include "catalog-private.h"

/**
 * _derush_catalog_read_setting:
 * @cat: the catalog
 * @key: the setting's name
 * @value: (out) (transfer full) (nullable): its value, or NULL when unset
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when SQLite fails (an unset setting is
 * not a failure).
 */
gboolean
_derush_catalog_read_setting(DerushCatalog *cat, const char *key, char **value, GError **error)
{
  *value = NULL;
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, "SELECT value FROM settings WHERE key = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
    *value = g_strdup((const char *)sqlite3_column_text(stmt, 0));
  gboolean ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
  if (!ok)
    _derush_catalog_set_error(cat, error, "cannot read a setting");
  sqlite3_reset(stmt);
  return ok;
}

/**
 * _derush_catalog_get_setting:
 * @cat: the catalog
 * @key: the setting's name
 *
 * For settings whose default is the right answer when the catalog cannot
 * say (_derush_catalog_read_setting() tells the two apart).
 *
 * Returns: (transfer full) (nullable): its value, or NULL when unset or
 * unreadable.
 */
char *
_derush_catalog_get_setting(DerushCatalog *cat, const char *key)
{
  char *value = NULL;
  _derush_catalog_read_setting(cat, key, &value, NULL);
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
