/* relations.c: what each member of a group is to its best pick, and why
 * the best pick won (issue 21).
 *
 * An exact copy, an edited copy, a burst sibling and another shot of the
 * scene call for different decisions (delete the copy; pick the best
 * frame; keep both), so `derush groups --json` and the app name them.
 * The rules, first that holds:
 * - best: the best pick, or the other half of its RAW+JPEG pair;
 * - exact: the same size and content hash as the best's file;
 * - edited: in the best's near-duplicate group with its capture time, or
 *   without one on either side (a program that resizes, re-encodes, crops
 *   or turns a photo grey keeps or drops the EXIF date; it never sets a
 *   new one);
 * - burst: in the best's burst (same camera, seconds apart);
 * - scene: anything else grouped with it (a re-shot from the same spot,
 *   another photo of the session).
 * Computed when asked, from what the catalog stores, so nothing in the
 * catalog changes shape.
 */
#include "catalog/catalog-private.h"
#include "grouping.h"

static const char *const relation_names[] = {"best", "exact", "edited", "burst", "scene"};

/**
 * derush_relation_name:
 * @relation: a #DerushRelation
 *
 * Returns: (transfer none): "best", "exact", "edited", "burst" or "scene".
 */
const char *
derush_relation_name(DerushRelation relation)
{
  g_return_val_if_fail((guint)relation < G_N_ELEMENTS(relation_names), NULL);
  return relation_names[relation];
}

typedef struct {
  DerushPhoto *photo; /* NULL when it vanished since grouping */
  gboolean has_features;
  float vector[DERUSH_N_FEATURES];
  gint64 near_dup, burst; /* its groups of these kinds, 0 none */
  DerushFacesVerdict faces;
} Member;

static gboolean
member_load(DerushCatalog *cat, gint64 id, const char *path, Member *m, GError **error)
{
  memset(m, 0, sizeof *m);
  g_autoptr(GError) local = NULL;
  m->photo = derush_catalog_get_photo(cat, path, &local);
  if (!m->photo)
    return TRUE; /* gone: relation "scene", no score */
  m->has_features = derush_catalog_get_features(cat, path, m->vector, NULL);
  GArray *faces = NULL;
  if (derush_catalog_get_faces(cat, path, &faces, NULL)) {
    m->faces = _derush_faces_verdict((const DerushFace *)(void *)faces->data, (int)faces->len);
    g_array_unref(faces);
  }
  m->near_dup = _derush_catalog_group_of(cat, id, DERUSH_GROUP_NEAR_DUP, error);
  m->burst = m->near_dup < 0 ? -1 : _derush_catalog_group_of(cat, id, DERUSH_GROUP_BURST, error);
  return m->near_dup >= 0 && m->burst >= 0;
}

static gboolean
timed(const DerushPhoto *p)
{
  return p->meta.time_source == DERUSH_TIME_EXIF_ORIGINAL ||
         p->meta.time_source == DERUSH_TIME_EXIF_DIGITIZED;
}

static DerushRelation
relation(const Member *m, const Member *best)
{
  const DerushPhoto *p = m->photo, *b = best->photo;
  if (p == b || (p && b && g_strcmp0(p->pair_path, b->path) == 0))
    return DERUSH_RELATION_BEST;
  if (!p || !b)
    return DERUSH_RELATION_SCENE;
  if (p->content_hash && p->content_hash == b->content_hash && p->size == b->size)
    return DERUSH_RELATION_EXACT;
  if (m->near_dup && m->near_dup == best->near_dup &&
      (!timed(p) || !timed(b) || p->meta.capture_time_ns == b->meta.capture_time_ns))
    return DERUSH_RELATION_EDITED;
  if (m->burst && m->burst == best->burst)
    return DERUSH_RELATION_BURST;
  return DERUSH_RELATION_SCENE;
}

/* "full resolution, less compressed": the fidelity steps on which the
 * best beats at least one member; "every face sharp, eyes open" when its
 * faces beat some member's (faces-verdict.c); when some member differs
 * from it on none of these, the score chose: "sharpest" (the quality score) or "your taste,
 * p(keep) 0.91" (the model trained on the user's labels, best-pick.c);
 * NULL when it has nobody to beat (exact copies are no rivals). */
static char *
best_reason(const DerushGroup *group, const Member *members, guint n, guint best)
{
  if (!members[best].has_features)
    return NULL;
  DerushFidelity fb;
  _derush_fidelity_from_features(members[best].vector, &fb);
  guint won = 0;
  gboolean by_score = FALSE, by_faces = FALSE;
  guint rivals = 0;
  for (guint i = 0; i < n; i++) {
    DerushRelation r = relation(&members[i], &members[best]);
    if (i == best || !members[i].has_features || r == DERUSH_RELATION_BEST ||
        r == DERUSH_RELATION_EXACT)
      continue;
    rivals++;
    DerushFidelity fm;
    _derush_fidelity_from_features(members[i].vector, &fm);
    /* Fidelity compares copies of one shot only (grouping.c). */
    guint w = r == DERUSH_RELATION_EDITED ? _derush_fidelity_wins(&fb, &fm) : 0;
    gboolean f = !w && _derush_faces_verdict_beats(members[best].faces, members[i].faces);
    won |= w;
    by_faces |= f;
    by_score |= !w && !f;
  }
  if (!rivals)
    return NULL;
  GString *text = g_string_new(NULL);
  for (int s = DERUSH_FIDELITY_RESOLUTION; s < DERUSH_FIDELITY_SAME; s++)
    if (won & (1u << s))
      g_string_append_printf(text, "%s%s", text->len ? ", " : "", _derush_fidelity_step_text(s));
  if (by_faces)
    g_string_append_printf(text, "%s%s", text->len ? ", " : "", "every face sharp, eyes open");
  if (by_score && group->best_by == DERUSH_BEST_BY_MODEL)
    g_string_append_printf(text, "%syour taste, p(keep) %.2f", text->len ? ", " : "",
                           group->best_score);
  else if (by_score)
    g_string_append_printf(text, "%s%s", text->len ? ", " : "", "sharpest");
  return g_string_free(text, FALSE);
}

/**
 * derush_catalog_group_details:
 * @catalog: the catalog
 * @group: a group as derush_catalog_foreach_group() lists it
 * @error: return location for a GError
 *
 * Each member's relation to the best pick (the rules at the top of
 * relations.c) and quality score, and the reason the best pick won.
 *
 * Returns: (transfer full): the details, to free with
 *   derush_group_details_free(); NULL with @error set when the catalog
 *   cannot be read.
 */
DerushGroupDetails *
derush_catalog_group_details(DerushCatalog *catalog, const DerushGroup *group, GError **error)
{
  g_return_val_if_fail(catalog != NULL && group != NULL, NULL);
  guint n = group->n_members;
  Member *m = g_new0(Member, MAX(n, 1));
  guint best = 0;
  gboolean ok = TRUE;
  for (guint i = 0; i < n && ok; i++) {
    ok = member_load(catalog, group->member_ids[i], group->member_paths[i], &m[i], error);
    if (group->member_ids[i] == group->best_id)
      best = i;
  }
  DerushGroupDetails *d = NULL;
  if (ok) {
    d = g_new0(DerushGroupDetails, 1);
    d->n_members = n;
    d->members = g_new0(DerushGroupMember, MAX(n, 1));
    for (guint i = 0; i < n; i++) {
      DerushGroupMember *dm = &d->members[i];
      dm->id = group->member_ids[i];
      dm->path = group->member_paths[i];
      dm->relation = relation(&m[i], &m[best]);
      dm->score = m[i].has_features ? derush_features_quality_score(m[i].vector) : NAN;
    }
    d->best_reason = n ? best_reason(group, m, n, best) : NULL;
  }
  for (guint i = 0; i < n; i++)
    derush_photo_free(m[i].photo);
  g_free(m);
  return d;
}

/**
 * derush_group_details_free:
 * @details: (nullable): details of derush_catalog_group_details()
 */
void
derush_group_details_free(DerushGroupDetails *details)
{
  if (!details)
    return;
  g_free(details->members);
  g_free(details->best_reason);
  g_free(details);
}
