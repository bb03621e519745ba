/* report.c: `derush export --csv/--json`: one row per photo, for
 * spreadsheets and scripts. group is the id of the photo's most specific
 * group (as `derush groups` lists it); prediction stays null for now. */
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

typedef struct {
  GString *out;
  DerushReportFormat format;
  gint64 rows;
} Report;

static void
report_row_cb(const char *raw_path, DerushLabel label_value, int stars, gint64 group,
              gpointer user_data)
{
  Report *r = user_data;
  g_autofree char *path = g_filename_display_name(raw_path);
  const char *label = derush_label_name(label_value);
  if (r->format == DERUSH_REPORT_CSV) {
    csv_field(r->out, path);
    g_string_append_printf(r->out, ",%s,%d,,", label, stars);
    if (group)
      g_string_append_printf(r->out, "%" G_GINT64_FORMAT, group);
    g_string_append(r->out, "\r\n");
  } else {
    g_string_append(r->out, "{\"path\":");
    json_string(r->out, path);
    g_string_append_printf(
        r->out, ",\"label\":\"%s\",\"stars\":%d,\"prediction\":null,\"group\":", label, stars);
    if (group)
      g_string_append_printf(r->out, "%" G_GINT64_FORMAT "}\n", group);
    else
      g_string_append(r->out, "null}\n");
  }
  r->rows++;
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
  Report report = {g_string_new(NULL), format, 0};
  if (format == DERUSH_REPORT_CSV)
    g_string_append(report.out, "path,label,stars,prediction,group\r\n");
  gboolean ok = _derush_catalog_foreach_label_row(catalog, under ? under : "/", report_row_cb,
                                                  &report, error);
  g_autoptr(GString) out = report.out;
  if (!ok)
    return -1;
  gint64 rows = report.rows;
  if (!_derush_write_atomic(out_path, out->str, out->len, 0666, error))
    return -1;
  return rows;
}
