/* active.c: which photos to ask the photographer about next.
 *
 * A label teaches most where the model hesitates (p(keep) near 0.5), but
 * the most uncertain photos tend to be siblings: five frames of one burst
 * all at 0.5 teach what one of them teaches. So the picks are spread: never
 * two from one CV group (a burst, a near-duplicate group and a RAW+JPEG
 * pair are one), photos of a group nobody labelled yet are preferred, and
 * "turns" are taken: every turn key gives its best candidate before any
 * gives a second. With a model the turn key is the session (balancing
 * the two sides of 0.5 as well was tried: mean accuracy 30-60 labels on
 * bench/tastes moved -0.003, so it is not done).
 *
 * Before there is a model, uncertainty says nothing, and the first job is
 * to get one: it needs DERUSH_LEARN_MIN_PER_CLASS labels of each kind, and
 * in a cull one kind is rare (keepers on the person taste: 16 of 96, and
 * they are only the person photos among the sharp ones; trash on the demo
 * taste: 66 of 319). Picks spread evenly over the prior's range held
 * fewer than 3 keepers in 20 labels there; picks that only sought the
 * extremes trained a model on the prior's ends that called the middle of
 * the demo taste trash (0.37 accuracy at 10 labels). So the cold start
 * alternates. Every second label *seeks* the kind furthest from its quota
 * (keep first on a tie): the photo likeliest to be of that kind, by the
 * prior moved towards the labels already given to photos of the same
 * content (what the detector and face models saw: person, animal,
 * vehicle, food, other objects, nothing) and of similar prior quality. A
 * keeper teaches that sharp person photos are kept; sharp landscapes
 * trashed teach that they are not, and the next keep-seek goes to another
 * content or quality. A photo picked but not answered yet counts as half
 * a label of each kind near it and towards the quota it seeks, so one
 * batch alternates and spreads too. The other labels spread over the
 * prior's strata crossed with the content kinds (a fixed pseudo-random
 * photo in each), strata the labels given already fill waiting their
 * turn: they keep the first model's labels a sample of the whole shoot.
 * Nothing here knows a taste: the rule is "find both kinds, look where
 * what you have seen says they are".
 */
#include "learn-private.h"

#define NEW_GROUP_BONUS 0.1 /* an unlabelled group is worth this much uncertainty */

/* The cold start's estimate of p(keep): the prior counts as SEEK_PRIOR_WEIGHT
 * labels; a label informs photos whose prior is within about SEEK_WIDTH of
 * its own (a Gaussian kernel), fully for the same content kind and
 * SEEK_OTHER_KIND as much for another (quality alone says something too). */
#define SEEK_PRIOR_WEIGHT 1.0
#define SEEK_WIDTH 0.1
#define SEEK_OTHER_KIND 0.25
#define SEEK_BINS 64 /* the prior's 0..1 in bins: the estimate costs O(photos) */

typedef struct {
  guint index;
  double score;
  gint64 turn; /* the key that takes turns: session, or prior stratum and content */
  gboolean used;
} Candidate;

/* What the detector and face models saw, coarsely: the content kinds the
 * cold start tells apart. */
enum {
  KIND_UNKNOWN,
  KIND_PERSON,
  KIND_ANIMAL,
  KIND_VEHICLE,
  KIND_FOOD,
  KIND_OTHER,
  KIND_NOTHING,
  N_KINDS
};

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

/* Cold start: the turn key of every photo of @ds (labelled ones too, so
 * the strata they fill wait): its stratum of the prior (0 .. @strata - 1,
 * by rank; photos without a prior share the last+1) and its content kind. */
static gint64 *
prior_strata(const DerushDataset *ds, const double *p, const int *kind, int strata)
{
  guint n = ds->photos->len, nr = 0;
  gint64 *turn = g_new(gint64, MAX(n, 1));
  g_autofree PriorRank *r = g_new(PriorRank, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    double pi = p ? p[i] : NAN;
    if (isnan(pi))
      turn[i] = (gint64)strata * N_KINDS + kind[i];
    else
      r[nr++] = (PriorRank){i, pi};
  }
  qsort(r, nr, sizeof(PriorRank), cmp_prior);
  for (guint k = 0; k < nr; k++)
    turn[r[k].index] = (gint64)k * strata / MAX(nr, 1) * N_KINDS + kind[r[k].index];
  return turn;
}

static int
content_kind(const DerushLearnPhoto *p)
{
  const float *d = p->detector;
  gboolean face = p->faces[DERUSH_FACE_FEATURE_COUNT] > 0; /* NAN: FALSE */
  if (d[DERUSH_DETECT_FEATURE_PERSON] > 0.5f || face)
    return KIND_PERSON;
  if (isnan(d[DERUSH_DETECT_FEATURE_OBJECTS]))
    return KIND_UNKNOWN;
  if (d[DERUSH_DETECT_FEATURE_ANIMAL] > 0.5f)
    return KIND_ANIMAL;
  if (d[DERUSH_DETECT_FEATURE_VEHICLE] > 0.5f)
    return KIND_VEHICLE;
  if (d[DERUSH_DETECT_FEATURE_FOOD] > 0.5f)
    return KIND_FOOD;
  return d[DERUSH_DETECT_FEATURE_OBJECTS] > 0 ? KIND_OTHER : KIND_NOTHING;
}

static int
seek_bin(double q)
{
  return CLAMP((int)(q * SEEK_BINS), 0, SEEK_BINS - 1);
}

/* Labels seen so far, per content kind and prior bin: their weight and
 * their keep weight (a pending pick adds half of each). */
typedef struct {
  double w[N_KINDS][SEEK_BINS], keep[N_KINDS][SEEK_BINS];
} SeekLabels;

static void
seek_add(SeekLabels *sl, int kind, double q, double w, double keep)
{
  int b = seek_bin(q);
  sl->w[kind][b] += w;
  sl->keep[kind][b] += keep;
}

/* The kernel-smoothed label weights around every bin, per kind and over
 * all kinds: est[kind][bin] = {weight, keep weight}. */
typedef struct {
  double w[N_KINDS][SEEK_BINS], keep[N_KINDS][SEEK_BINS];
  double all_w[SEEK_BINS], all_keep[SEEK_BINS];
} SeekSmooth;

static void
seek_smooth(const SeekLabels *sl, SeekSmooth *sm)
{
  memset(sm, 0, sizeof *sm);
  double kernel[SEEK_BINS];
  for (int d = 0; d < SEEK_BINS; d++) {
    double x = d / (double)SEEK_BINS / SEEK_WIDTH;
    kernel[d] = exp(-x * x);
  }
  for (int k = 0; k < N_KINDS; k++)
    for (int b = 0; b < SEEK_BINS; b++)
      for (int c = 0; c < SEEK_BINS; c++) {
        if (sl->w[k][c] == 0)
          continue;
        double kw = kernel[ABS(b - c)];
        sm->w[k][b] += kw * sl->w[k][c];
        sm->keep[k][b] += kw * sl->keep[k][c];
        sm->all_w[b] += kw * sl->w[k][c];
        sm->all_keep[b] += kw * sl->keep[k][c];
      }
}

/* p(keep) of a photo of @kind with prior @q, moved by the labels. */
static double
seek_estimate(const SeekSmooth *sm, int kind, double q)
{
  int b = seek_bin(q);
  double w = sm->w[kind][b], keep = sm->keep[kind][b];
  double other_w = sm->all_w[b] - w, other_keep = sm->all_keep[b] - keep;
  return (SEEK_PRIOR_WEIGHT * q + keep + SEEK_OTHER_KIND * other_keep) /
         (SEEK_PRIOR_WEIGHT + w + SEEK_OTHER_KIND * other_w);
}

/* Cold start: appends to @picks, up to @n of them while a kind is short
 * of its quota, the candidate likeliest to be of it (see the top of the
 * file); marks them used and their groups in @taken_groups. @keep and
 * @trash: the labels given; @kind: every photo's content kind. */
static void
seek_both_kinds(const DerushDataset *ds, const int *label_of, const double *p, const int *kind,
                GHashTable *labelled_groups, Candidate *c, guint nc, GHashTable *taken_groups,
                int keep, int trash, int n, GArray *picks)
{
  g_autofree SeekLabels *sl = g_new0(SeekLabels, 1);
  g_autofree SeekSmooth *sm = g_new(SeekSmooth, 1);
  for (guint i = 0; i < ds->photos->len; i++) {
    if (label_of[i] >= 0 && !isnan(p[i]))
      seek_add(sl, kind[i], p[i], 1, label_of[i]);
  }
  int got_keep = keep, got_trash = trash; /* a pending pick counts as the kind it seeks */
  for (int k = 0; k < n; k++) {
    gboolean short_keep = got_keep < DERUSH_LEARN_MIN_PER_CLASS;
    gboolean short_trash = got_trash < DERUSH_LEARN_MIN_PER_CLASS;
    if (!short_keep && !short_trash)
      break;
    gboolean want_keep = short_keep && (!short_trash || got_keep <= got_trash);
    seek_smooth(sl, sm);
    int best = -1;
    double best_score = -INFINITY;
    for (guint j = 0; j < nc; j++) {
      guint i = c[j].index;
      if (c[j].used || isnan(p[i]) || g_hash_table_contains(taken_groups, &ds->cv_group[i]))
        continue;
      double e = seek_estimate(sm, kind[i], p[i]);
      double score = (want_keep ? e : 1 - e) + 1e-3 * c[j].score;
      if (!g_hash_table_contains(labelled_groups, &ds->cv_group[i]))
        score += NEW_GROUP_BONUS;
      if (score > best_score) {
        best_score = score;
        best = (int)j;
      }
    }
    if (best < 0)
      break;
    guint i = c[best].index;
    c[best].used = TRUE;
    g_hash_table_add(taken_groups, &ds->cv_group[i]);
    g_array_append_val(picks, i);
    /* Not answered yet: half a label of each kind, so the next seek of
     * the same kind looks at another content or quality. */
    seek_add(sl, kind[i], p[i], 1, 0.5);
    got_keep += want_keep;
    got_trash += !want_keep;
  }
}

/* Appends to @picks, up to @n in all, the candidates of @c (sorted) in
 * turns: every turn key gives its best before any
 * gives a second, never two of one CV group (@taken_groups). @per_turn
 * counts the picks of each key. */
static void
take_turns(const DerushDataset *ds, Candidate *c, guint nc, int n, GHashTable *taken_groups,
           GHashTable *per_turn, GArray *picks)
{
  for (guint round = 1; picks->len < (guint)n; round++) {
    gboolean added = FALSE, blocked_by_turn = FALSE;
    for (guint j = 0; j < nc && picks->len < (guint)n; j++) {
      if (c[j].used)
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
      c[j].used = TRUE;
      g_hash_table_add(taken_groups, &ds->cv_group[i]);
      g_hash_table_insert(per_turn, &c[j].turn, GUINT_TO_POINTER(in_turn + 1));
      g_array_append_val(picks, i);
      added = TRUE;
    }
    if (!added && !blocked_by_turn)
      break;
  }
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
  g_autofree Candidate *c = g_new(Candidate, MAX(total, 1));
  guint nc = 0;
  for (guint i = 0; i < total; i++) {
    if (label_of[i] >= 0)
      continue;
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    double pk = p_keep ? p_keep[i] : NAN, score;
    gint64 turn = p->group[DERUSH_GROUP_SESSION];
    if (have_model) {
      score = isnan(pk) ? 1 : 1 - fabs(2 * pk - 1);
    } else {
      score = fixed_random(p->id);
    }
    if (!g_hash_table_contains(labelled_groups, &ds->cv_group[i]))
      score += NEW_GROUP_BONUS;
    c[nc++] = (Candidate){i, score, turn, FALSE};
  }
  g_autoptr(GHashTable) taken_groups = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) per_turn = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autofree gint64 *strata = NULL;
  if (!have_model) {
    /* Every second label seeks a kind short of its quota; the others
     * spread over the prior's strata and the content kinds, where the
     * labels given already fill some. */
    g_autofree int *kind = g_new(int, MAX(total, 1));
    for (guint i = 0; i < total; i++)
      kind[i] = content_kind(&g_array_index(ds->photos, DerushLearnPhoto, i));
    int given = keep + trash, seeks = (given + n) / 2 - given / 2; /* odd places */
    if (p_keep)
      seek_both_kinds(ds, label_of, p_keep, kind, labelled_groups, c, nc, taken_groups, keep, trash,
                      seeks, picks);
    strata = prior_strata(ds, p_keep, kind, given + n);
    for (guint j = 0; j < nc; j++)
      c[j].turn = strata[c[j].index];
    for (guint i = 0; i < total; i++)
      if (label_of[i] >= 0) {
        guint t = GPOINTER_TO_UINT(g_hash_table_lookup(per_turn, &strata[i]));
        g_hash_table_insert(per_turn, &strata[i], GUINT_TO_POINTER(t + 1));
      }
  }
  qsort(c, nc, sizeof(Candidate), cmp_candidate);

  take_turns(ds, c, nc, n, taken_groups, per_turn, picks);
  return picks;
}
