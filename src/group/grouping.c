/* grouping.c: sessions, bursts and near-duplicate clusters.
 *
 * The rules (docs/cli.md, `derush groups`, says the same):
 *
 * - A unit is a photo; the two halves of a RAW+JPEG pair are one unit,
 *   represented by the JPEG (it has the rendered preview), and both are
 *   listed as members of the unit's groups.
 * - Sessions: units with an EXIF capture time, in time order; a pause
 *   longer than session_gap_s starts a new session (a pause of exactly the
 *   gap does not). Every timed unit is in one session, alone or not. File
 *   mtimes are not capture times (a copy resets them): such photos are in
 *   no session.
 * - Bursts: units of one camera (same make and model), in time order, at
 *   most burst_gap_s apart (inclusive); two or more make a burst.
 * - Near-duplicates: a pair of units is a candidate when their pHashes are
 *   within phash_radius and their dHashes (of the same transforms) within
 *   dhash_radius: two hashes of different constructions must both agree,
 *   since a mirrored picture can be a few dHash bits away while pHash keeps
 *   it far, and distinct pictures close in pHash rarely are in dHash too.
 *   With transforms on, a unit's mirrored, upside-down and centrally
 *   cropped (85%, 70%) hashes, and those of its 25 off-centre windows
 *   (quality/features.h: 92.5% crops on a 5 x 5 grid of positions), are
 *   compared with the other's plain ones (within XFORM_RADIUS, 6 bits; the
 *   windows within WINDOW_RADIUS, 4), so such copies match: a copy cropped to 90-95% at any
 * position is a few bits from the nearest window. Candidates are all found by the exact multi-index
 * search (near-dup-index.c), then merged single-link with union-find in order of distance (then
 * ids), except that two clusters are never merged when any two of their members would be more than
 * phash_safety apart: a chain of small steps (a slow pan) cannot grow one cluster across different
 * pictures.
 * - Turned copies (with rotations on): a pair whose polar signatures
 *   (quality/polar-signature.c) have rhashes within ROT_RHASH_RADIUS bits,
 *   rotation-invariant descriptors within ROT_MAX_DISTANCE, and whose ring
 *   profiles correlate at >= ROT_MIN_CORR at a turn of ROT_TRIVIAL_DEG or
 *   more (plain), or away from 0 and 180 (mirrored), clearly better than
 *   at no turn. A pair that matches best unturned is left to the hashes:
 *   burst frames and re-shots from one spot correlate well at 0 degrees
 *   without being copies. These pairs are merged after every hash pair,
 *   without the phash_safety check (a turned copy is far from everything
 *   in pHash; its own evidence is the correlation at one angle).
 * - Ids: a group's id is its smallest member photo id times 4 plus its
 *   kind, so it is the same on every run while that member stays in it.
 * - Best pick: between copies of one shot (the same capture time, or
 *   none), the member nearest the original (fidelity.c: full resolution,
 *   colour, never re-encoded, less compressed, better exposed, in focus,
 *   fewer clipped highlights);
 *   then the highest score (the model's p(keep) when a
 *   trained model's predictions are stored, else the quality score, or
 *   what options->score says: group/best-pick.c); ties, and missing
 *   scores, go to the sharper, then the smaller id.
 */
#include "grouping.h"
#include "near-dup-index.h"

void
_derush_group_result_free(DerushGroupResult *group)
{
  if (!group)
    return;
  g_array_unref(group->units);
  g_free(group);
}

/**
 * _derush_group_unit_distance:
 * @a, @b: two units with hashes
 * @transforms: compare every kept transform of @a with every one of @b,
 *   and each one's windows with the other's plain hash
 *
 * The distance the safety bound is checked with. Over all pairs of
 * transforms, because transforms compose: a mirrored copy and a cropped
 * copy of one picture are far apart plain-to-plain and plain-to-transform,
 * but the mirror's crop is the crop's mirror.
 *
 * Returns: the smallest pHash Hamming distance, 0..64.
 */
int
_derush_group_unit_distance(const DerushGroupUnit *a, const DerushGroupUnit *b, gboolean transforms)
{
  int best = _derush_hamming(a->hashes.phash[0], b->hashes.phash[0]);
  if (!transforms)
    return best;
  for (int s = 0; s < DERUSH_XFORM_WINDOW0; s++)
    for (int t = 0; t < DERUSH_XFORM_WINDOW0; t++)
      best = MIN(best, _derush_hamming(a->hashes.phash[s], b->hashes.phash[t]));
  /* A window is a crop of one side only: it is compared with the other's
   * plain picture, the way the search found it, not composed with more. */
  for (int w = DERUSH_XFORM_WINDOW0; w < DERUSH_N_XFORMS; w++) {
    best = MIN(best, _derush_hamming(a->hashes.phash[w], b->hashes.phash[0]));
    best = MIN(best, _derush_hamming(a->hashes.phash[0], b->hashes.phash[w]));
  }
  return best;
}

gboolean
_derush_group_unit_better(const DerushGroupUnit *a, const DerushGroupUnit *b)
{
  /* The copy nearer the original first (fidelity.c): no score should
   * prefer a resized, grey or re-encoded copy of the same picture. Copies
   * keep the shot's capture time (or have none); two different capture
   * times are two shots (burst frames), which the score compares. */
  gboolean other_shot = a->has_time && b->has_time && a->time_ns != b->time_ns;
  int f = other_shot ? 0 : _derush_fidelity_compare(&a->fid, &b->fid, NULL);
  if (f)
    return f > 0;
  /* Then the people in it: a frame where every face is sharp with open
   * eyes beats one where someone blinked or is blurred, whatever the score
   * (a sharper frame with closed eyes is still the wrong one). */
  if (_derush_faces_verdict_beats(a->faces, b->faces))
    return TRUE;
  if (_derush_faces_verdict_beats(b->faces, a->faces))
    return FALSE;
  /* NAN scores lose to any score; equal (or both missing) fall to
   * sharpness, then to the smaller id for a total order. */
  gboolean an = isnan(a->score), bn = isnan(b->score);
  if (an != bn)
    return bn;
  if (!an && a->score != b->score)
    return a->score > b->score;
  gboolean as = isnan(a->sharpness), bs = isnan(b->sharpness);
  if (as != bs)
    return bs;
  if (!as && a->sharpness != b->sharpness)
    return a->sharpness > b->sharpness;
  return a->id < b->id;
}

static int
cmp_guint(gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *)a, y = *(const guint *)b;
  return (x > y) - (x < y);
}

static void
finish_group(const DerushGroupUnit *units, DerushGroupResult *g)
{
  g_array_sort(g->units, cmp_guint);
  g->key = G_MAXINT64;
  g->best = g_array_index(g->units, guint, 0);
  for (guint i = 0; i < g->units->len; i++) {
    guint u = g_array_index(g->units, guint, i);
    g->key = MIN(g->key, units[u].id);
    if (units[u].partner_id)
      g->key = MIN(g->key, units[u].partner_id);
    if (_derush_group_unit_better(&units[u], &units[g->best]))
      g->best = u;
  }
  g->id = g->key * 4 + g->kind;
}

typedef struct {
  const DerushGroupUnit *units;
  gboolean by_camera;
} TimeOrder;

static int
cmp_time(gconstpointer a, gconstpointer b, gpointer data)
{
  const TimeOrder *o = data;
  const DerushGroupUnit *x = &o->units[*(const guint *)a], *y = &o->units[*(const guint *)b];
  if (o->by_camera && x->camera != y->camera)
    return (x->camera > y->camera) - (x->camera < y->camera);
  if (x->time_ns != y->time_ns)
    return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
  return (x->id > y->id) - (x->id < y->id);
}

/* Turns the run @members (nullable, consumed) into a group when large
 * enough. */
static void
emit(const DerushGroupUnit *units, DerushGroupKind kind, guint min_size, GArray *members,
     GPtrArray *out)
{
  if (!members)
    return;
  if (members->len < min_size) {
    g_array_unref(members);
    return;
  }
  DerushGroupResult *g = g_new0(DerushGroupResult, 1);
  g->kind = kind;
  g->units = members;
  finish_group(units, g);
  g_ptr_array_add(out, g);
}

/* Sessions (by_camera FALSE, min 1) or bursts (by_camera TRUE, min 2). */
static void
time_groups(const DerushGroupUnit *units, gsize n, gboolean by_camera, double gap_s,
            DerushGroupKind kind, guint min_size, GPtrArray *out)
{
  GArray *order = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < n; i++)
    if (units[i].has_time && (!by_camera || units[i].camera != 0))
      g_array_append_val(order, i);
  TimeOrder o = {units, by_camera};
  g_array_sort_with_data(order, cmp_time, &o);
  /* Whole nanoseconds, so a gap of exactly gap_s compares equal. */
  gint64 gap_ns = (gint64)llround(gap_s * 1e9);
  GArray *cur = NULL;
  for (guint k = 0; k < order->len; k++) {
    guint i = g_array_index(order, guint, k);
    gboolean split = TRUE;
    if (cur) {
      guint prev = g_array_index(order, guint, k - 1);
      split = (by_camera && units[prev].camera != units[i].camera) ||
              units[i].time_ns - units[prev].time_ns > gap_ns;
    }
    if (split) {
      emit(units, kind, min_size, cur, out);
      cur = g_array_new(FALSE, FALSE, sizeof(guint));
    }
    g_array_append_val(cur, i);
  }
  emit(units, kind, min_size, cur, out);
  g_array_unref(order);
}

typedef struct {
  guint a, b; /* unit indices, a < b */
  int distance;
  gboolean turned; /* found by the polar signatures: no safety check */
  gboolean copy;   /* b is an exact copy of a: safe wherever a is */
} UnitPair;

static int
cmp_unit_pair(gconstpointer pa, gconstpointer pb)
{
  const UnitPair *x = pa, *y = pb;
  if (x->distance != y->distance)
    return x->distance - y->distance;
  if (x->a != y->a)
    return (x->a > y->a) - (x->a < y->a);
  return (x->b > y->b) - (x->b < y->b);
}

static guint
uf_find(guint *parent, guint x)
{
  while (parent[x] != x) {
    parent[x] = parent[parent[x]]; /* path halving */
    x = parent[x];
  }
  return x;
}

/* Mirrored and upside-down copies are matched within this many pHash bits
 * (at most phash_radius): an exact mirror is 0-2 bits from its transform
 * hash, and the multi-index search over four hashes per photo costs far
 * less at a small radius (100k photos: ~0.3 s instead of ~3 s at 10). */
#define XFORM_RADIUS 6

/* Off-centre copies are matched to a window within this many pHash bits:
 * 25 windows a photo make 25 queries, and a smaller radius probes fewer
 * buckets for each (the multi-index search's masks; pHash distances are
 * even, so 4 costs what 5 does). */
#define WINDOW_RADIUS 4
/* Windows indexed at once (then queried with the plain hashes): on 100k
 * random photos, 1 a chunk took 3.1 s of CPU to group, 5 2.05 s (172 MB
 * peak), all 25 1.88 s (329 MB); the queries the other way round 5.8 s. */
#define WINDOW_CHUNK 5

/* Whether unit @u takes part in the searches: it has hashes and is the
 * first of its exact copies (@rep maps every unit to that first one). */
static inline gboolean
searched(const DerushGroupUnit *units, const guint *rep, guint u)
{
  return units[u].has_hashes && rep[u] == u;
}

/* Appends to @cand the pairs of searched units whose plain pHashes are
 * within @radius and whose plain dHashes confirm it. */
static void
collect_plain_pairs(const DerushGroupUnit *units, gsize n, const guint *rep, int radius,
                    const DerushGroupOptions *opt, int n_threads, GArray *cand)
{
  GArray *unit_of = g_array_new(FALSE, FALSE, sizeof(guint));
  GArray *hashes = g_array_new(FALSE, FALSE, sizeof(guint64));
  for (guint u = 0; u < n; u++)
    if (searched(units, rep, u)) {
      g_array_append_val(unit_of, u);
      g_array_append_val(hashes, units[u].hashes.phash[0]);
    }
  if (hashes->len >= 2) {
    g_autoptr(DerushNearDupIndex) index =
        _derush_near_dup_index_new((const guint64 *)hashes->data, hashes->len, radius);
    GArray *pairs = _derush_near_dup_pairs(index, radius, n_threads, NULL);
    for (guint k = 0; k < pairs->len; k++) {
      const DerushNearDupPair *p = &g_array_index(pairs, DerushNearDupPair, k);
      guint ua = g_array_index(unit_of, guint, p->i), ub = g_array_index(unit_of, guint, p->j);
      if (_derush_hamming(units[ua].hashes.dhash[0], units[ub].hashes.dhash[0]) > opt->dhash_radius)
        continue;
      UnitPair up = {MIN(ua, ub), MAX(ua, ub), (int)p->distance, FALSE};
      g_array_append_val(cand, up);
    }
    g_array_unref(pairs);
  }
  g_array_unref(unit_of);
  g_array_unref(hashes);
}

/* Appends to @cand the pairs where one searched unit's plain pHash is within
 * @radius of a transformed pHash of another (it is a mirrored, upside-down
 * or cropped copy of it), confirmed by the dHashes of the same transforms.
 * The transformed hashes are queried against an index of the plain ones,
 * so pairs of two transformed hashes are never enumerated. */
static void
collect_transform_pairs(const DerushGroupUnit *units, gsize n, const guint *rep, guint first,
                        guint end, gboolean index_transformed, int radius,
                        const DerushGroupOptions *opt, int n_threads, GArray *cand)
{
  GArray *plain_unit = g_array_new(FALSE, FALSE, sizeof(guint));
  GArray *plain = g_array_new(FALSE, FALSE, sizeof(guint64));
  GArray *slot_of = g_array_new(FALSE, FALSE, sizeof(guint)); /* u * N_XFORMS + t */
  GArray *xformed = g_array_new(FALSE, FALSE, sizeof(guint64));
  for (guint u = 0; u < n; u++) {
    if (!searched(units, rep, u))
      continue;
    g_array_append_val(plain_unit, u);
    g_array_append_val(plain, units[u].hashes.phash[0]);
    for (guint t = first; t < end; t++) {
      guint slot = u * DERUSH_N_XFORMS + t;
      g_array_append_val(slot_of, slot);
      g_array_append_val(xformed, units[u].hashes.phash[t]);
    }
  }
  if (plain->len >= 2) {
    /* The plain hashes are the index and the transformed ones the queries:
     * the smaller set's bucket tables stay in the cache while the larger
     * one streams through. With @index_transformed the other way round:
     * each query probes one bucket per mask, so for many transformed
     * hashes at a small radius (the windows) indexing them and querying
     * the plain ones makes far fewer probes (WINDOW_CHUNK). */
    GArray *idx = index_transformed ? xformed : plain, *qry = index_transformed ? plain : xformed;
    g_autoptr(DerushNearDupIndex) index = _derush_near_dup_index_new_for_queries(
        (const guint64 *)idx->data, idx->len, qry->len, radius);
    GArray *pairs =
        _derush_near_dup_query(index, (const guint64 *)qry->data, qry->len, radius, n_threads);
    for (guint k = 0; k < pairs->len; k++) {
      const DerushNearDupPair *p = &g_array_index(pairs, DerushNearDupPair, k);
      guint pi = index_transformed ? p->j : p->i, pj = index_transformed ? p->i : p->j;
      guint sb = g_array_index(slot_of, guint, pi), ua = g_array_index(plain_unit, guint, pj);
      guint ub = sb / DERUSH_N_XFORMS, tb = sb % DERUSH_N_XFORMS;
      if (ua == ub || _derush_hamming(units[ua].hashes.dhash[0], units[ub].hashes.dhash[tb]) >
                          opt->dhash_radius)
        continue;
      UnitPair up = {MIN(ua, ub), MAX(ua, ub), (int)p->distance, FALSE};
      g_array_append_val(cand, up);
    }
    g_array_unref(pairs);
  }
  g_array_unref(plain_unit);
  g_array_unref(plain);
  g_array_unref(slot_of);
  g_array_unref(xformed);
}

typedef struct {
  const DerushGroupUnit *units;
} CopyOrder;

static int
cmp_copy(gconstpointer pa, gconstpointer pb, gpointer data)
{
  const DerushGroupUnit *units = ((const CopyOrder *)data)->units;
  guint a = *(const guint *)pa, b = *(const guint *)pb;
  const DerushHashes *x = &units[a].hashes, *y = &units[b].hashes;
  if (x->phash[0] != y->phash[0])
    return x->phash[0] < y->phash[0] ? -1 : 1;
  if (x->dhash[0] != y->dhash[0])
    return x->dhash[0] < y->dhash[0] ? -1 : 1;
  return (a > b) - (a < b);
}

/* Maps each unit to the first (smallest index) of the units with exactly
 * its plain pHash and dHash: the same picture, whose other hashes are the
 * same too. Only those first ones are searched, and the others join them at
 * distance 0, so a folder holding 30 copies of each photo costs what one
 * copy does instead of 30^2 candidate pairs per picture. */
static guint *
exact_copies(const DerushGroupUnit *units, gsize n, GArray *cand)
{
  guint *rep = g_new(guint, MAX(n, 1));
  GArray *order = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint u = 0; u < n; u++) {
    rep[u] = u;
    if (units[u].has_hashes)
      g_array_append_val(order, u);
  }
  CopyOrder o = {units};
  g_array_sort_with_data(order, cmp_copy, &o);
  for (guint k = 1; k < order->len; k++) {
    guint prev = g_array_index(order, guint, k - 1), u = g_array_index(order, guint, k);
    if (units[u].hashes.phash[0] == units[prev].hashes.phash[0] &&
        units[u].hashes.dhash[0] == units[prev].hashes.dhash[0]) {
      rep[u] = rep[prev];
      UnitPair up = {rep[u], u, 0, FALSE, TRUE};
      g_array_append_val(cand, up);
    }
  }
  g_array_unref(order);
  return rep;
}

#define ROT_RHASH_RADIUS 4
#define ROT_MAX_DISTANCE 0.012
#define ROT_MIN_CORR 0.85
#define ROT_TRIVIAL_DEG 5
#define ROT_MARGIN 0.02

/**
 * _derush_group_units_turned:
 * Whether @b is a copy of @a turned (and perhaps mirrored) by an angle the
 * hashes do not cover, by the rules at the top of this file, rhash aside.
 */
gboolean
_derush_group_units_turned(const DerushGroupUnit *a, const DerushGroupUnit *b)
{
  const DerushPolar *pa = &a->hashes.polar, *pb = &b->hashes.polar;
  if (!pa->valid || !pb->valid || _derush_polar_distance(pa, pb) > ROT_MAX_DISTANCE)
    return FALSE;
  double trivial;
  double corr = _derush_polar_rotation(pa, pb, ROT_TRIVIAL_DEG, NULL, NULL, &trivial);
  return corr >= ROT_MIN_CORR && corr - trivial >= ROT_MARGIN;
}

/* Appends the turned-copy pairs to @cand (after every hash pair, since
 * their distance is past any pHash radius). */
static void
collect_turned_pairs(const DerushGroupUnit *units, gsize n, const guint *rep, int radius,
                     int n_threads, GArray *cand)
{
  GArray *slot_unit = g_array_new(FALSE, FALSE, sizeof(guint));
  GArray *hashes = g_array_new(FALSE, FALSE, sizeof(guint64));
  for (guint u = 0; u < n; u++)
    if (searched(units, rep, u) && units[u].hashes.polar.valid) {
      g_array_append_val(slot_unit, u);
      g_array_append_val(hashes, units[u].hashes.polar.rhash);
    }
  if (hashes->len >= 2) {
    g_autoptr(DerushNearDupIndex) index =
        _derush_near_dup_index_new((const guint64 *)hashes->data, hashes->len, ROT_RHASH_RADIUS);
    GArray *pairs = _derush_near_dup_pairs(index, ROT_RHASH_RADIUS, n_threads, NULL);
    for (guint k = 0; k < pairs->len; k++) {
      const DerushNearDupPair *p = &g_array_index(pairs, DerushNearDupPair, k);
      guint ua = g_array_index(slot_unit, guint, p->i), ub = g_array_index(slot_unit, guint, p->j);
      /* Pairs the plain hashes already match need no angle. */
      if (_derush_hamming(units[ua].hashes.phash[0], units[ub].hashes.phash[0]) <= radius ||
          !_derush_group_units_turned(&units[ua], &units[ub]))
        continue;
      UnitPair up = {MIN(ua, ub), MAX(ua, ub), 65 + (int)p->distance, TRUE};
      g_array_append_val(cand, up);
    }
    g_array_unref(pairs);
  }
  g_array_unref(slot_unit);
  g_array_unref(hashes);
}

static void
near_dup_groups(const DerushGroupUnit *units, gsize n, const DerushGroupOptions *opt, int n_threads,
                GPtrArray *out)
{
  int radius = CLAMP(opt->phash_radius, 0, 64);
  GArray *cand = g_array_new(FALSE, FALSE, sizeof(UnitPair));
  guint *rep = exact_copies(units, n, cand);
  collect_plain_pairs(units, n, rep, radius, opt, n_threads, cand);
  if (opt->transforms) {
    collect_transform_pairs(units, n, rep, DERUSH_XFORM_HFLIP, DERUSH_XFORM_WINDOW0, FALSE,
                            MIN(radius, XFORM_RADIUS), opt, n_threads, cand);
    for (guint w = DERUSH_XFORM_WINDOW0; w < DERUSH_N_XFORMS; w += WINDOW_CHUNK)
      collect_transform_pairs(units, n, rep, w, MIN(w + WINDOW_CHUNK, DERUSH_N_XFORMS), TRUE,
                              MIN(radius, WINDOW_RADIUS), opt, n_threads, cand);
  }
  if (opt->rotations)
    collect_turned_pairs(units, n, rep, radius, n_threads, cand);
  g_array_sort(cand, cmp_unit_pair);

  /* Union-find with member lists, so the safety check can look at every
   * cross pair of two clusters before merging them. */
  guint *parent = g_new(guint, n);
  GArray **members = g_new0(GArray *, n);
  for (guint u = 0; u < n; u++)
    parent[u] = u;
  for (guint k = 0; k < cand->len; k++) {
    const UnitPair *p = &g_array_index(cand, UnitPair, k);
    if (k > 0 && p->a == g_array_index(cand, UnitPair, k - 1).a &&
        p->b == g_array_index(cand, UnitPair, k - 1).b)
      continue;
    guint ra = uf_find(parent, p->a), rb = uf_find(parent, p->b);
    if (ra == rb)
      continue;
    guint a1 = ra, b1 = rb;
    guint na = members[a1] ? members[a1]->len : 1, nb = members[b1] ? members[b1]->len : 1;
    gboolean safe = TRUE;
    for (guint i = 0; i < na && safe && !p->turned && !p->copy; i++) {
      guint x = members[a1] ? g_array_index(members[a1], guint, i) : a1;
      if (rep[x] != x) /* an exact copy: its distances are its first's */
        continue;
      for (guint j = 0; j < nb && safe; j++) {
        guint y = members[b1] ? g_array_index(members[b1], guint, j) : b1;
        if (rep[y] != y)
          continue;
        int d = _derush_group_unit_distance(&units[x], &units[y], opt->transforms);
        safe = d <= opt->phash_safety;
      }
    }
    if (!safe)
      continue;
    /* The smaller root absorbs the other: deterministic whatever the
     * sizes. */
    guint keep = MIN(ra, rb), gone = MAX(ra, rb);
    if (!members[keep]) {
      members[keep] = g_array_new(FALSE, FALSE, sizeof(guint));
      g_array_append_val(members[keep], keep);
    }
    if (members[gone]) {
      g_array_append_vals(members[keep], members[gone]->data, members[gone]->len);
      g_array_unref(members[gone]);
      members[gone] = NULL;
    } else {
      g_array_append_val(members[keep], gone);
    }
    parent[gone] = keep;
  }
  g_array_unref(cand);
  for (guint u = 0; u < n; u++)
    if (members[u]) {
      DerushGroupResult *g = g_new0(DerushGroupResult, 1);
      g->kind = DERUSH_GROUP_NEAR_DUP;
      g->units = members[u];
      finish_group(units, g);
      g_ptr_array_add(out, g);
    }
  g_free(members);
  g_free(parent);
  g_free(rep);
}

static int
cmp_group(gconstpointer pa, gconstpointer pb)
{
  const DerushGroupResult *x = *(DerushGroupResult *const *)pa;
  const DerushGroupResult *y = *(DerushGroupResult *const *)pb;
  if (x->kind != y->kind)
    return (int)x->kind - (int)y->kind;
  return (x->id > y->id) - (x->id < y->id);
}

/**
 * _derush_group_compute:
 * @units: the units, sorted by id
 * @n: how many
 * @options: gaps and radii (derush_group_options_init() defaults)
 * @n_threads: for the near-duplicate search; 0 = one per core
 *
 * Computes every session, burst and near-duplicate group by the rules at
 * the top of this file. Pure: the same input gives the same output.
 *
 * Returns: (transfer full): a GPtrArray of DerushGroupResult, ordered by
 * kind then id.
 */
GPtrArray *
_derush_group_compute(const DerushGroupUnit *units, gsize n, const DerushGroupOptions *options,
                      int n_threads)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)_derush_group_result_free);
  if (n_threads <= 0)
    n_threads = (int)g_get_num_processors();
  time_groups(units, n, FALSE, options->session_gap_s, DERUSH_GROUP_SESSION, 1, out);
  time_groups(units, n, TRUE, options->burst_gap_s, DERUSH_GROUP_BURST, 2, out);
  near_dup_groups(units, n, options, n_threads, out);
  g_ptr_array_sort(out, cmp_group);
  return out;
}
