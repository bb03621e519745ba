/* active.c: which photos to ask the photographer about next.
 *
 * A label teaches most where the model hesitates (p(keep) near 0.5), but
 * the most uncertain photos tend to be siblings: five frames of one burst
 * all at 0.5 teach what one of them teaches. So the picks are spread: never
 * two from one CV group (a burst, a near-duplicate group and a RAW+JPEG
 * pair are one), photos of a group nobody labelled yet are preferred, and
 * "turns" are taken: every turn key gives its best candidate before any
 * gives a second.
 *
 * Before there is a model, uncertainty says nothing, and the first job is
 * to get one: it needs both kinds of labels. Random picks on a shoot with
 * one keeper in six often hold no keeper at all after 10 labels (measured
 * on the person taste of bench/tastes: no model until 20-30 labels). So a
 * cold start spreads its picks over the quality prior's range (the turn
 * key is the prior's stratum: the first N picks come from N different
 * strata, the sharpest and well exposed as well as the worst, a fixed
 * pseudo-random photo within each), and once one kind is known but the
 * other is missing, it asks where the prior expects the missing kind.
 * With a model, sessions take the turns.
 */
#include "learn-private.h"

#define NEW_GROUP_BONUS 0.1 /* an unlabelled group is worth this much uncertainty */

typedef struct {
  guint index;
  double score;
  gint64 turn; /* the key that takes turns: session, or prior stratum */
} Candidate;

static int
cmp_candidate(const void *pa, const void *pb)
{
  const Candidate *a = pa, *b = pb;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

/* A fixed pseudo-random number in [0, 1) for photo @id. */
static double
fixed_random(gint64 id)
{
  return (double)(_derush_mix64((guint64)id) >> 11) / (double)(1ULL << 53);
}

typedef struct {
  guint index;
  double p;
} PriorRank;

static int
cmp_prior(const void *pa, const void *pb)
{
  const PriorRank *a = pa, *b = pb;
  if (a->p != b->p)
    return a->p < b->p ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

/* Cold start: each candidate's stratum of the prior (0 .. @strata - 1, by
 * rank; photos without a prior share the last+1) as its turn key. */
static void
prior_strata(Candidate *c, guint nc, const double *p, int strata)
{
  g_autofree PriorRank *r = g_new(PriorRank, MAX(nc, 1));
  guint nr = 0;
  for (guint j = 0; j < nc; j++) {
    double pj = p ? p[c[j].index] : NAN;
    if (isnan(pj)) {
      c[j].turn = strata;
      continue;
    }
    r[nr++] = (PriorRank){j, pj};
  }
  qsort(r, nr, sizeof(PriorRank), cmp_prior);
  for (guint k = 0; k < nr; k++)
    c[r[k].index].turn = (gint64)k * strata / MAX(nr, 1);
}

GArray *
_derush_active_pick(const DerushDataset *ds, const int *label_of, const double *p_keep,
                    gboolean have_model, int n)
{
  guint total = ds->photos->len;
  GArray *picks = g_array_new(FALSE, FALSE, sizeof(guint));
  if (n <= 0)
    return picks;
  g_autoptr(GHashTable) labelled_groups = g_hash_table_new(g_int64_hash, g_int64_equal);
  int keep = 0, trash = 0;
  for (guint i = 0; i < total; i++) {
    if (label_of[i] < 0)
      continue;
    g_hash_table_add(labelled_groups, &ds->cv_group[i]);
    keep += label_of[i] == 1;
    trash += label_of[i] == 0;
  }
  /* Without a model: which kind is still missing (the prior's p says
   * where to look for it), or none yet (spread over the prior). */
  gboolean need_keep = keep < DERUSH_LEARN_MIN_PER_CLASS;
  gboolean need_trash = trash < DERUSH_LEARN_MIN_PER_CLASS;
  gboolean cold = !have_model && (need_keep == need_trash);

  g_autofree Candidate *c = g_new(Candidate, MAX(total, 1));
  guint nc = 0;
  for (guint i = 0; i < total; i++) {
    if (label_of[i] >= 0)
      continue;
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    double pk = p_keep ? p_keep[i] : NAN, score;
    if (have_model)
      score = isnan(pk) ? 1 : 1 - fabs(2 * pk - 1);
    else if (cold || isnan(pk))
      score = fixed_random(p->id);
    else
      /* Seek the missing kind; a pseudo-random tie breaker. */
      score = (need_keep ? pk : 1 - pk) + 1e-3 * fixed_random(p->id);
    if (!g_hash_table_contains(labelled_groups, &ds->cv_group[i]))
      score += NEW_GROUP_BONUS;
    c[nc++] = (Candidate){i, score, p->group[DERUSH_GROUP_SESSION]};
  }
  if (cold)
    prior_strata(c, nc, p_keep, MAX(n, 2));
  qsort(c, nc, sizeof(Candidate), cmp_candidate);

  g_autoptr(GHashTable) taken_groups = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) per_turn = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autofree gboolean *used = g_new0(gboolean, MAX(nc, 1));
  for (guint round = 1; picks->len < (guint)n; round++) {
    gboolean added = FALSE, blocked_by_turn = FALSE;
    for (guint j = 0; j < nc && picks->len < (guint)n; j++) {
      if (used[j])
        continue;
      guint i = c[j].index;
      if (g_hash_table_contains(taken_groups, &ds->cv_group[i]))
        continue;
      /* Photos outside any session (no capture time) share the key 0. */
      guint in_turn = GPOINTER_TO_UINT(g_hash_table_lookup(per_turn, &c[j].turn));
      if (in_turn >= round) {
        blocked_by_turn = TRUE;
        continue;
      }
      used[j] = TRUE;
      g_hash_table_add(taken_groups, &ds->cv_group[i]);
      g_hash_table_insert(per_turn, &c[j].turn, GUINT_TO_POINTER(in_turn + 1));
      g_array_append_val(picks, i);
      added = TRUE;
    }
    if (!added && !blocked_by_turn)
      break;
  }
  return picks;
}
