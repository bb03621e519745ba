/* eval-grouping.c: `derush eval grouping`: near-duplicate groups scored
 * against a truth CSV. The shapes of the results are a contract with
 * scripts (DESIGN.md, "Contracts that scripts and checks call"). */
#include "catalog/catalog-private.h"
#include "eval-private.h"

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
  g_autoptr(GArray) rows = _derush_truth_read(truth_csv, 1, -1, error);
  if (!rows)
    return FALSE;
  g_autoptr(GHashTable) reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  BadFiles bad = {on_unreadable, user_data, reported};
  if (!_derush_truth_bring_in(catalog, rows, options, &bad, error))
    return FALSE;
  /* _derush_truth_bring_in() grouped with @options only when something was analyzed:
   * regroup, so the figures always reflect @options. */
  if (!derush_catalog_update_groups(catalog, options, NULL, error))
    return FALSE;

  guint n = rows->len;
  g_autofree gint64 *group = g_new0(gint64, n);
  for (guint i = 0; i < n; i++) {
    TruthRow *r = &g_array_index(rows, TruthRow, i);
    gint64 id = _derush_truth_readable_id(catalog, r->path, &bad, error);
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
    if ((group[i] = _derush_catalog_group_of(catalog, id, DERUSH_GROUP_NEAR_DUP, error)) < 0)
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
