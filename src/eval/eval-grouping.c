/* eval-grouping.c: `derush eval grouping`: near-duplicate groups scored
 * against a truth CSV. The shapes of the results are a contract with
 * scripts (DESIGN.md, "Contracts that scripts and checks call"). */
#include "catalog/catalog-private.h"
#include "eval-private.h"

/* Counts one truth pair for @relation ("" counts nowhere); @index maps a
 * relation to its position in @by (the keys are @by's own strings). */
static void
count_relation(GArray *by, GHashTable *index, const char *relation, gboolean found)
{
  if (!relation[0])
    return;
  gpointer pos;
  if (!g_hash_table_lookup_extended(index, relation, NULL, &pos)) {
    DerushRelationRecall r = {g_strdup(relation), 0, 0, 0.0};
    pos = GUINT_TO_POINTER(by->len);
    g_array_append_val(by, r);
    g_hash_table_insert(index, r.relation, pos);
  }
  DerushRelationRecall *r = &g_array_index(by, DerushRelationRecall, GPOINTER_TO_UINT(pos));
  r->pairs_truth++;
  r->pairs_correct += found;
}

static gboolean
is_original(const TruthRow *r)
{
  return g_ascii_strcasecmp(r->label, "original") == 0;
}

static int
cmp_relation(gconstpointer a, gconstpointer b)
{
  return strcmp(((const DerushRelationRecall *)a)->relation,
                ((const DerushRelationRecall *)b)->relation);
}

/**
 * derush_grouping_eval_clear:
 * @result: scores of derush_eval_grouping() (or zeroed)
 *
 * Frees the per-relation recalls and leaves @result's list NULL.
 */
void
derush_grouping_eval_clear(DerushGroupingEval *result)
{
  if (!result || !result->by_relation)
    return;
  for (guint k = 0; k < result->by_relation->len; k++)
    g_free(g_array_index(result->by_relation, DerushRelationRecall, k).relation);
  g_clear_pointer(&result->by_relation, g_array_unref);
}

/**
 * derush_eval_grouping:
 * @catalog: the catalog the files are scanned into
 * @truth_csv: `path,group[,relation,note]`; paths relative to the CSV's
 *   folder or absolute; an empty group marks a file that is not a photo;
 *   the relation (the edit kind of a copy: "resize", "offcrop+rotate"...)
 *   is what the recall is broken down by
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
 * The recall is also given per relation, over the truth pairs of each
 * copy with its group's "original" rows (a copy's own kind of edit, not
 * the other copies', decides whether it joins), or, in a group without
 * one, over every truth pair of a member of that relation; pairs of two
 * originals count as "original".
 * Free @result's list with derush_grouping_eval_clear().
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
  g_autoptr(GArray) rows = _derush_truth_read(truth_csv, 1, 2, error);
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
  g_autoptr(GHashTable) kinds = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GHashTable) originals = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++) {
    const TruthRow *r = &g_array_index(rows, TruthRow, i);
    if (is_original(r))
      g_hash_table_add(originals, r->group);
  }
  result->by_relation = g_array_new(FALSE, TRUE, sizeof(DerushRelationRecall));
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++) {
      const TruthRow *a = &g_array_index(rows, TruthRow, i);
      const TruthRow *b = &g_array_index(rows, TruthRow, j);
      gboolean truth = a->group[0] && strcmp(a->group, b->group) == 0;
      gboolean found = group[i] && group[i] == group[j];
      result->pairs_truth += truth;
      result->pairs_found += found;
      result->pairs_correct += truth && found;
      if (!truth)
        continue;
      gboolean ao = is_original(a), bo = is_original(b);
      if (ao != bo) { /* a copy with its original */
        count_relation(result->by_relation, kinds, ao ? b->label : a->label, found);
      } else if (ao || !g_hash_table_contains(originals, a->group)) {
        count_relation(result->by_relation, kinds, a->label, found);
        if (strcmp(a->label, b->label) != 0)
          count_relation(result->by_relation, kinds, b->label, found);
      }
    }
  g_array_sort(result->by_relation, cmp_relation);
  for (guint k = 0; k < result->by_relation->len; k++) {
    DerushRelationRecall *r = &g_array_index(result->by_relation, DerushRelationRecall, k);
    r->recall = (double)r->pairs_correct / (double)r->pairs_truth;
  }
  result->precision =
      result->pairs_found ? (double)result->pairs_correct / result->pairs_found : 1.0;
  result->recall = result->pairs_truth ? (double)result->pairs_correct / result->pairs_truth : 1.0;
  double s = result->precision + result->recall;
  result->f1 = s > 0 ? 2 * result->precision * result->recall / s : 0.0;
  return TRUE;
}
