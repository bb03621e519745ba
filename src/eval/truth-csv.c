/* truth-csv.c: the ground-truth CSVs of `derush eval` and the step every
 * evaluation starts with: bring the listed files into the catalog (scan,
 * then analyze: both skip what is already up to date). */
#include "analysis/analyze.h"
#include "eval-private.h"
#include <errno.h>

/* Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
static GStrv
csv_split(const char *line)
{
  GPtrArray *fields = g_ptr_array_new();
  GString *cur = g_string_new(NULL);
  gboolean quoted = FALSE;
  for (const char *p = line;; p++) {
    if (quoted) {
      if (*p == '"' && p[1] == '"') {
        g_string_append_c(cur, '"');
        p++;
      } else if (*p == '"') {
        quoted = FALSE;
      } else if (*p == '\0') {
        break;
      } else {
        g_string_append_c(cur, *p);
      }
      continue;
    }
    if (*p == '"') {
      quoted = TRUE;
    } else if (*p == ',' || *p == '\0' || *p == '\r' || *p == '\n') {
      g_ptr_array_add(fields, g_string_free(cur, FALSE));
      cur = g_string_new(NULL);
      if (*p != ',')
        break;
    } else {
      g_string_append_c(cur, *p);
    }
  }
  g_string_free(cur, TRUE);
  g_ptr_array_add(fields, NULL);
  return (GStrv)g_ptr_array_free(fields, FALSE);
}

void
_derush_truth_row_clear(gpointer data)
{
  TruthRow *r = data;
  g_free(r->path);
  g_free(r->group);
  g_free(r->label);
}

GArray *
_derush_truth_read(const char *csv, int group_col, int label_col, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(csv, &text, NULL, error))
    return NULL;
  g_autofree char *abs = g_canonicalize_filename(csv, NULL);
  g_autofree char *dir = g_path_get_dirname(abs);
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(TruthRow));
  g_array_set_clear_func(rows, _derush_truth_row_clear);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    if (!lines[i][0] || lines[i][0] == '\r')
      continue;
    g_auto(GStrv) f = csv_split(lines[i]);
    int n = (int)g_strv_length(f);
    if (n == 0 || !f[0][0])
      continue;
    if (i == 0 && (g_ascii_strcasecmp(f[0], "path") == 0 || g_ascii_strcasecmp(f[0], "file") == 0))
      continue;
    TruthRow r = {0};
    r.path = g_canonicalize_filename(f[0], dir);
    if (!g_hash_table_add(seen, g_strdup(r.path))) {
      _derush_truth_row_clear(&r);
      continue;
    }
    r.group = g_strdup(group_col < n ? g_strstrip(f[group_col]) : "");
    r.label = g_strdup(label_col >= 0 && label_col < n ? g_strstrip(f[label_col]) : "");
    g_array_append_val(rows, r);
  }
  if (rows->len == 0) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "%s: no rows", csv);
    g_array_unref(rows);
    return NULL;
  }
  return rows;
}

void
_derush_truth_bad_file_cb(const char *path, const char *reason, gpointer user_data)
{
  BadFiles *bad = user_data;
  if (g_hash_table_add(bad->reported, g_strdup(path)) && bad->on_unreadable)
    bad->on_unreadable(path, reason, bad->user_data);
}

/* Scans and analyzes the files of @rows; files that do not exist are
 * reported here (a missing root would make the scan fail). @bad NULL: an
 * evaluation that reports nothing. */
gboolean
_derush_truth_bring_in(DerushCatalog *cat, GArray *rows, const DerushGroupOptions *gopt,
                       BadFiles *bad, GError **error)
{
  g_autoptr(GHashTable) reported = NULL;
  BadFiles quiet = {NULL, NULL, NULL};
  if (!bad) {
    quiet.reported = reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    bad = &quiet;
  }
  g_autoptr(GPtrArray) roots = g_ptr_array_new();
  for (guint i = 0; i < rows->len; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    if (g_file_test(r->path, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add(roots, r->path);
    else
      _derush_truth_bad_file_cb(r->path, g_strerror(ENOENT), bad);
  }
  g_ptr_array_add(roots, NULL);
  if (roots->len == 1)
    return TRUE;
  DerushScanOptions sopt;
  derush_scan_options_init(&sopt);
  sopt.on_bad_file = _derush_truth_bad_file_cb;
  sopt.user_data = bad;
  DerushScanSummary ssum;
  if (!derush_catalog_scan(cat, (const char *const *)roots->pdata, &sopt, &ssum, error))
    return FALSE;
  DerushAnalyzeOptions aopt;
  derush_analyze_options_init(&aopt);
  aopt.on_bad_file = _derush_truth_bad_file_cb;
  aopt.user_data = bad;
  aopt.group = gopt;
  return _derush_catalog_analyze_roots(cat, (const char *const *)roots->pdata, &aopt, NULL, error);
}

/* The photo id at @path when it is readable, else 0 (reported). */
gint64
_derush_truth_readable_id(DerushCatalog *cat, const char *path, BadFiles *bad, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(cat, path, &local);
  if (!photo) {
    if (!g_error_matches(local, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND)) {
      g_propagate_error(error, g_steal_pointer(&local));
      return -1;
    }
    _derush_truth_bad_file_cb(path, "not in the catalog", bad);
    return 0;
  }
  if (photo->status != DERUSH_PHOTO_OK) {
    _derush_truth_bad_file_cb(path, photo->reason ? photo->reason : "unreadable", bad);
    return 0;
  }
  return photo->id;
}
