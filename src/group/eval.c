/* eval.c: `derush eval`: measured answers against ground-truth CSVs.
 *
 * Each evaluation reads a truth file, brings the listed files into the
 * catalog (scan, then analyze: both skip what is already up to date) and
 * scores what derush found. The shapes of the results are a contract with
 * scripts (DESIGN.md, "Contracts that scripts and checks call"); later
 * evaluations (detector, learning) follow the same steps. */
#include "catalog/catalog-private.h"
#include "quality/analyze.h"
#include "quality/features.h"
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

typedef struct {
  char *path;  /* absolute */
  char *group; /* truth group / scene; "" none */
  char *label; /* blur: sharp, defocus_blur, motion_blur */
} TruthRow;

static void
truth_row_clear(gpointer data)
{
  TruthRow *r = data;
  g_free(r->path);
  g_free(r->group);
  g_free(r->label);
}

/* Reads a truth CSV whose first column is a path (relative to the CSV's
 * folder or absolute); @group_col and @label_col (or -1) pick the others.
 * A header line (first field "path" or "file") is skipped. Each path once. */
static GArray *
read_truth(const char *csv, int group_col, int label_col, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(csv, &text, NULL, error))
    return NULL;
  g_autofree char *abs = g_canonicalize_filename(csv, NULL);
  g_autofree char *dir = g_path_get_dirname(abs);
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(TruthRow));
  g_array_set_clear_func(rows, truth_row_clear);
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
      truth_row_clear(&r);
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

typedef struct {
  void (*on_unreadable)(const char *path, const char *reason, gpointer user_data);
  gpointer user_data;
  GHashTable *reported;
} BadFiles;

static void
bad_file_cb(const char *path, const char *reason, gpointer user_data)
{
  BadFiles *bad = user_data;
  if (g_hash_table_add(bad->reported, g_strdup(path)) && bad->on_unreadable)
    bad->on_unreadable(path, reason, bad->user_data);
}

/* Scans and analyzes the files of @rows; files that do not exist are
 * reported here (a missing root would make the scan fail). */
static gboolean
bring_in(DerushCatalog *cat, GArray *rows, const DerushGroupOptions *gopt, BadFiles *bad,
         GError **error)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new();
  for (guint i = 0; i < rows->len; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    if (g_file_test(r->path, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add(roots, r->path);
    else
      bad_file_cb(r->path, g_strerror(ENOENT), bad);
  }
  g_ptr_array_add(roots, NULL);
  if (roots->len == 1)
    return TRUE;
  DerushScanOptions sopt;
  derush_scan_options_init(&sopt);
  sopt.on_bad_file = bad_file_cb;
  sopt.user_data = bad;
  DerushScanSummary ssum;
  if (!derush_catalog_scan(cat, (const char *const *)roots->pdata, &sopt, &ssum, error))
    return FALSE;
  DerushAnalyzeOptions aopt;
  derush_analyze_options_init(&aopt);
  aopt.on_bad_file = bad_file_cb;
  aopt.user_data = bad;
  aopt.group = gopt;
  return _derush_catalog_analyze_roots(cat, (const char *const *)roots->pdata, &aopt, NULL, error);
}

/* The photo id at @path when it is readable, else 0 (reported). */
static gint64
readable_id(DerushCatalog *cat, const char *path, BadFiles *bad, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(cat, path, &local);
  if (!photo) {
    if (!g_error_matches(local, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND)) {
      g_propagate_error(error, g_steal_pointer(&local));
      return -1;
    }
    bad_file_cb(path, "not in the catalog", bad);
    return 0;
  }
  if (photo->status != DERUSH_PHOTO_OK) {
    bad_file_cb(path, photo->reason ? photo->reason : "unreadable", bad);
    return 0;
  }
  return photo->id;
}

static gint64
near_dup_group_of(DerushCatalog *cat, gint64 id, GError **error)
{
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "SELECT g.id FROM group_members m JOIN groups g ON g.id = m.group_id"
                           " WHERE m.photo_id = ? AND g.kind = ?",
                           error);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int(s, 2, DERUSH_GROUP_NEAR_DUP);
  int rc = sqlite3_step(s);
  gint64 g = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read groups");
    return -1;
  }
  return g;
}

/**
 * derush_eval_grouping:
 * @catalog: the catalog the files are scanned into
 * @truth_csv: `path,group[,relation,note]`; paths relative to the CSV's
 *   folder or absolute; an empty group marks a file that is not a photo
 * @options: (nullable): grouping options (NULL: the defaults)
 * @on_unreadable: (nullable): called once for each listed file derush could
 *   not read
 * @user_data: for @on_unreadable
 * @result: (out): the scores
 * @error: return location for a GError
 *
 * Scans and analyzes the listed files, regroups the catalog with @options
 * and scores the near-duplicate groups over pairs of listed photos: a pair
 * is "truth" when both rows name the same group, "found" when both photos
 * are in one near-duplicate group. Precision is correct / found (1 when
 * nothing was found), recall correct / truth (1 when the truth has no
 * pair), F1 their harmonic mean. Unreadable files count in no found pair.
 *
 * Returns: FALSE with @error set when the CSV or the catalog fails.
 */
gboolean
derush_eval_grouping(DerushCatalog *catalog, const char *truth_csv,
                     const DerushGroupOptions *options,
                     void (*on_unreadable)(const char *path, const char *reason,
                                           gpointer user_data),
                     gpointer user_data, DerushGroupingEval *result, GError **error)
{
  g_return_val_if_fail(catalog != NULL && truth_csv != NULL && result != NULL, FALSE);
  memset(result, 0, sizeof *result);
  g_autoptr(GArray) rows = read_truth(truth_csv, 1, -1, error);
  if (!rows)
    return FALSE;
  g_autoptr(GHashTable) reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  BadFiles bad = {on_unreadable, user_data, reported};
  if (!bring_in(catalog, rows, options, &bad, error))
    return FALSE;
  /* bring_in() grouped with @options only when something was analyzed:
   * regroup, so the figures always reflect @options. */
  if (!derush_catalog_update_groups(catalog, options, NULL, error))
    return FALSE;

  guint n = rows->len;
  g_autofree gint64 *group = g_new0(gint64, n);
  for (guint i = 0; i < n; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    gint64 id = readable_id(catalog, r->path, &bad, error);
    if (id < 0)
      return FALSE;
    if (r->group[0])
      result->photos++;
    if (id == 0) {
      result->unreadable++;
      if (!r->group[0])
        result->unreadable_expected++;
      continue;
    }
    if ((group[i] = near_dup_group_of(catalog, id, error)) < 0)
      return FALSE;
  }
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++) {
      const TruthRow *a = &g_array_index(rows, TruthRow, i);
      const TruthRow *b = &g_array_index(rows, TruthRow, j);
      gboolean truth = a->group[0] && strcmp(a->group, b->group) == 0;
      gboolean found = group[i] && group[i] == group[j];
      result->pairs_truth += truth;
      result->pairs_found += found;
      result->pairs_correct += truth && found;
    }
  result->precision =
      result->pairs_found ? (double)result->pairs_correct / result->pairs_found : 1.0;
  result->recall = result->pairs_truth ? (double)result->pairs_correct / result->pairs_truth : 1.0;
  double s = result->precision + result->recall;
  result->f1 = s > 0 ? 2 * result->precision * result->recall / s : 0.0;
  return TRUE;
}

/**
 * derush_eval_blur:
 * @catalog: the catalog the files are scanned into
 * @truth_csv: `file,scene_id,device,label`, label sharp, defocus_blur or
 *   motion_blur; paths relative to the CSV's folder
 * @result: (out): the scores
 * @error: return location for a GError
 *
 * Scans and analyzes the listed files and ranks each scene's frames by
 * derush_features_sharpness(). A scene counts when it has a sharp frame and
 * at least one blurred one, all measured; it is ranked right when the sharp
 * frame scores strictly above every blurred one.
 *
 * Returns: FALSE with @error set when the CSV or the catalog fails.
 */
gboolean
derush_eval_blur(DerushCatalog *catalog, const char *truth_csv, DerushBlurEval *result,
                 GError **error)
{
  g_return_val_if_fail(catalog != NULL && truth_csv != NULL && result != NULL, FALSE);
  memset(result, 0, sizeof *result);
  g_autoptr(GArray) rows = read_truth(truth_csv, 1, 3, error);
  if (!rows)
    return FALSE;
  g_autoptr(GHashTable) reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  BadFiles bad = {NULL, NULL, reported};
  if (!bring_in(catalog, rows, NULL, &bad, error))
    return FALSE;

  /* scene -> {sharp score, best blurred score, complete} */
  typedef struct {
    double sharp, blurred;
    int n_sharp, n_blurred;
    gboolean missing;
  } Scene;
  g_autoptr(GHashTable) scenes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < rows->len; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    Scene *sc = g_hash_table_lookup(scenes, r->group);
    if (!sc) {
      sc = g_new0(Scene, 1);
      sc->blurred = -G_MAXDOUBLE;
      g_hash_table_insert(scenes, r->group, sc);
    }
    float v[DERUSH_N_FEATURES];
    g_autoptr(GError) local = NULL;
    double score = NAN;
    if (derush_catalog_get_features(catalog, r->path, v, &local))
      score = derush_features_sharpness(v);
    if (isnan(score)) {
      sc->missing = TRUE;
      continue;
    }
    if (g_strcmp0(r->label, "sharp") == 0) {
      sc->sharp = score;
      sc->n_sharp++;
    } else {
      sc->blurred = MAX(sc->blurred, score);
      sc->n_blurred++;
    }
  }
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, scenes);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    Scene *sc = value;
    if (sc->missing || sc->n_sharp != 1 || sc->n_blurred == 0)
      continue;
    result->triplets++;
    result->sharp_first += sc->sharp > sc->blurred;
  }
  result->ranked_sharp_first =
      result->triplets ? (double)result->sharp_first / result->triplets : 0.0;
  return TRUE;
}
