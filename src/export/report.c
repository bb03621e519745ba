/* report.c: `derush export --csv/--json`: one row per photo, for
 * spreadsheets and scripts. prediction and group are null until the
 * learning and grouping areas fill them; the columns are there now so the
 * format does not change when they do. */
#include "export-private.h"

static void
csv_field(GString *out, const char *s)
{
  /* RFC 4180: quote when needed, double the quotes. */
  if (!strpbrk(s, ",\"\r\n")) {
    g_string_append(out, s);
    return;
  }
  g_string_append_c(out, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"')
      g_string_append_c(out, '"');
    g_string_append_c(out, *p);
  }
  g_string_append_c(out, '"');
}

static void
json_string(GString *out, const char *s)
{
  g_string_append_c(out, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf(out, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf(out, "\\u%04x", *p);
    else
      g_string_append_c(out, (char)*p);
  }
  g_string_append_c(out, '"');
}

/**
 * derush_catalog_export_report:
 * @under: (nullable): a folder, or NULL for the whole catalog
 * @format: CSV (header `path,label,stars,prediction,group`) or JSON Lines
 * @out_path: where to write (replaced atomically)
 *
 * Paths are written in their UTF-8 display form.
 *
 * Returns: the number of photos written, or -1 with @error set.
 */
gint64
derush_catalog_export_report(DerushCatalog *catalog, const char *under, DerushReportFormat format,
                             const char *out_path, GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  if (!under)
    under = "/";
  _derush_path_range(under, &lo, &hi);
  const char *sql = "SELECT p.path, coalesce(l.label, 0), coalesce(l.stars, 0) FROM photos p"
                    " LEFT JOIN labels l ON l.photo_id = p.id"
                    " WHERE p.path = ?3 OR (p.path >= ?1 AND p.path < ?2) ORDER BY p.path";
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(catalog->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(catalog, error, "cannot list photos");
    return -1;
  }
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
  g_autoptr(GString) out = g_string_new(NULL);
  if (format == DERUSH_REPORT_CSV)
    g_string_append(out, "path,label,stars,prediction,group\r\n");
  gint64 rows = 0;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    g_autofree char *path = g_filename_display_name((const char *)sqlite3_column_text(stmt, 0));
    const char *label = derush_label_name(sqlite3_column_int(stmt, 1));
    int stars = sqlite3_column_int(stmt, 2);
    if (format == DERUSH_REPORT_CSV) {
      csv_field(out, path);
      g_string_append_printf(out, ",%s,%d,,\r\n", label, stars);
    } else {
      g_string_append(out, "{\"path\":");
      json_string(out, path);
      g_string_append_printf(out,
                             ",\"label\":\"%s\",\"stars\":%d,\"prediction\":null,"
                             "\"group\":null}\n",
                             label, stars);
    }
    rows++;
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot list photos");
    return -1;
  }
  if (!_derush_write_atomic(out_path, out->str, out->len, 0666, error))
    return -1;
  return rows;
}
