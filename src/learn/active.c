/* active.c: which photos to ask the photographer about next.
 *
 * A label teaches most where the model hesitates (p(keep) near 0.5), but
 * the most uncertain photos tend to be siblings: five frames of one burst
 * all at 0.5 teach what one of them teaches. So the picks are spread: never
 * two from one CV group (a burst, a near-duplicate group and a RAW+JPEG
 * pair are one), photos of a group nobody labelled yet are preferred, and
 * sessions take turns: every session gives its best candidate before any
 * gives a second. Before there is a model, uncertainty says nothing; the
 * order is then a fixed pseudo-random one, spread the same way.
 */
#include "learn-private.h"

#define NEW_GROUP_BONUS 0.1 /* an unlabelled group is worth this much uncertainty */

typedef struct {
  guint index;
  double score;
} Candidate;

static int
cmp_candidate(const void *pa, const void *pb)
{
  const Candidate *a = pa, *b = pb;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

GArray *
_derush_active_pick(const DerushDataset *ds, const gboolean *labelled, const double *p_keep,
                    gboolean have_model, int n)
{
  guint total = ds->photos->len;
  GArray *picks = g_array_new(FALSE, FALSE, sizeof(guint));
  if (n <= 0)
    return picks;
  g_autoptr(GHashTable) labelled_groups = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < total; i++)
    if (labelled[i])
      g_hash_table_add(labelled_groups, &ds->cv_group[i]);

  g_autofree Candidate *c = g_new(Candidate, MAX(total, 1));
  guint nc = 0;
  for (guint i = 0; i < total; i++) {
    if (labelled[i])
      continue;
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    double score;
    if (have_model && p_keep && !isnan(p_keep[i]))
      score = 1 - fabs(2 * p_keep[i] - 1);
    else
      score = (double)(_derush_mix64((guint64)p->id) >> 11) / (double)(1ULL << 53);
    if (!g_hash_table_contains(labelled_groups, &ds->cv_group[i]))
      score += NEW_GROUP_BONUS;
    c[nc++] = (Candidate){i, score};
  }
  qsort(c, nc, sizeof(Candidate), cmp_candidate);

  g_autoptr(GHashTable) taken_groups = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) per_session = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autofree gboolean *used = g_new0(gboolean, MAX(nc, 1));
  for (guint round = 1; picks->len < (guint)n; round++) {
    gboolean added = FALSE, blocked_by_session = FALSE;
    for (guint j = 0; j < nc && picks->len < (guint)n; j++) {
      if (used[j])
        continue;
      guint i = c[j].index;
      if (g_hash_table_contains(taken_groups, &ds->cv_group[i]))
        continue;
      const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
      /* Photos outside any session (no capture time) share the key 0. */
      guint in_session = GPOINTER_TO_UINT(g_hash_table_lookup(per_session, &p->group[0]));
      if (in_session >= round) {
        blocked_by_session = TRUE;
        continue;
      }
      used[j] = TRUE;
      g_hash_table_add(taken_groups, &ds->cv_group[i]);
      g_hash_table_insert(per_session, (gpointer)&p->group[0], GUINT_TO_POINTER(in_session + 1));
      g_array_append_val(picks, i);
      added = TRUE;
    }
    if (!added && !blocked_by_session)
      break;
  }
  return picks;
}
