/* group-store.c: recomputing the catalog's groups: the units grouping.c
 * works on (from what the catalog stores), its results handed back to the
 * catalog's groups store (catalog/groups-store.c), and the encodings of
 * the analysis blobs. The rules are in grouping.c. */
#include "catalog/catalog-private.h"
#include "group-store.h"
#include "grouping.h"

static const char *const kind_names[] = {"session", "burst", "near_dup"};

/**
 * derush_group_kind_name:
 * @kind: a DerushGroupKind
 *
 * Returns: (transfer none): "session", "burst" or "near_dup".
 */
const char *
derush_group_kind_name(DerushGroupKind kind)
{
  g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kind_names), NULL);
  return kind_names[kind];
}

/**
 * derush_group_kind_from_name:
 * @name: "session", "burst" or "near_dup" ("near-dup" too)
 * @kind: (out): the kind
 *
 * Returns: FALSE when the name is unknown.
 */
gboolean
derush_group_kind_from_name(const char *name, DerushGroupKind *kind)
{
  if (g_strcmp0(name, "near-dup") == 0)
    name = "near_dup";
  int value;
  if (!_derush_enum_from_name(kind_names, G_N_ELEMENTS(kind_names), name, FALSE, &value))
    return FALSE;
  *kind = (DerushGroupKind)value;
  return TRUE;
}

/**
 * derush_group_options_init:
 * @options: (out): filled with the defaults
 *
 * Defaults: sessions split at pauses over 30 min, bursts at most 2 s apart,
 * near-duplicates at pHash <= 10 confirmed by dHash <= 12, never clustered
 * beyond pHash 16, mirrored, upside-down and centrally cropped copies
 * matched, and copies
 * turned by any angle matched by their polar signatures. The radii come
 * from the imagededup corpus (docs/cli.md): copies, resizes, greyscale,
 * alpha and re-encodes are 0-2 bits apart, while distinct pictures are 20+
 * pHash bits apart.
 */
void
derush_group_options_init(DerushGroupOptions *options)
{
  memset(options, 0, sizeof *options);
  options->session_gap_s = 30 * 60;
  options->burst_gap_s = 2;
  options->phash_radius = 10;
  options->dhash_radius = 12;
  options->phash_safety = 16;
  options->transforms = TRUE;
  options->rotations = TRUE;
}

static guint8 *
put_u64(guint8 *p, guint64 v)
{
  v = GUINT64_TO_LE(v);
  memcpy(p, &v, 8);
  return p + 8;
}

static const guint8 *
get_u64(const guint8 *p, guint64 *v)
{
  memcpy(v, p, 8);
  *v = GUINT64_FROM_LE(*v);
  return p + 8;
}

static guint8 *
put_q15s(guint8 *p, const gint16 *v, int n)
{
  for (int i = 0; i < n; i++, p += 2) {
    guint16 u = GUINT16_TO_LE((guint16)v[i]);
    memcpy(p, &u, 2);
  }
  return p;
}

static const guint8 *
get_q15s(const guint8 *p, gint16 *v, int n)
{
  for (int i = 0; i < n; i++, p += 2) {
    guint16 u;
    memcpy(&u, p, 2);
    v[i] = (gint16)GUINT16_FROM_LE(u);
  }
  return p;
}

/* The layout is DERUSH_HASHES_BLOB_SIZE's (features.h). */
void
_derush_hashes_to_blob(const DerushHashes *h, guint8 *blob)
{
  guint8 *p = blob;
  for (int t = 0; t < DERUSH_N_XFORMS; t++) {
    p = put_u64(p, h->dhash[t]);
    p = put_u64(p, h->phash[t]);
  }
  const DerushPolar *pol = &h->polar;
  p = put_u64(p, pol->valid ? 1 : 0);
  p = put_u64(p, pol->rhash);
  p = put_q15s(p, pol->mean, DERUSH_POLAR_RINGS);
  p = put_q15s(p, &pol->re[0][0], DERUSH_POLAR_RINGS * DERUSH_POLAR_HARMONICS);
  p = put_q15s(p, &pol->im[0][0], DERUSH_POLAR_RINGS * DERUSH_POLAR_HARMONICS);
  g_assert(p == blob + DERUSH_HASHES_BLOB_SIZE);
}

gboolean
_derush_hashes_from_blob(const void *blob, int bytes, DerushHashes *h)
{
  if (bytes != DERUSH_HASHES_BLOB_SIZE)
    return FALSE;
  const guint8 *p = blob;
  for (int t = 0; t < DERUSH_N_XFORMS; t++) {
    p = get_u64(p, &h->dhash[t]);
    p = get_u64(p, &h->phash[t]);
  }
  DerushPolar *pol = &h->polar;
  guint64 valid;
  p = get_u64(p, &valid);
  pol->valid = valid != 0;
  p = get_u64(p, &pol->rhash);
  p = get_q15s(p, pol->mean, DERUSH_POLAR_RINGS);
  p = get_q15s(p, &pol->re[0][0], DERUSH_POLAR_RINGS * DERUSH_POLAR_HARMONICS);
  get_q15s(p, &pol->im[0][0], DERUSH_POLAR_RINGS * DERUSH_POLAR_HARMONICS);
  return TRUE;
}

typedef struct {
  gint64 id, pair_id;
  gboolean raw;
  gboolean has_time;
  gint64 time_ns;
  guint32 camera;
  gboolean has_hashes;
  DerushHashes hashes;
  gboolean has_features;
  float vector[DERUSH_N_FEATURES];
} Row;

typedef struct {
  GArray *rows;
  GHashTable *cameras; /* "make\x1fmodel" -> small id */
} Load;

static void
load_row_cb(const DerushGroupSource *src, gpointer user_data)
{
  Load *load = user_data;
  Row r = {0};
  r.id = src->id;
  r.pair_id = src->pair_id;
  r.raw = src->raw;
  r.has_time = (src->time_source == DERUSH_TIME_EXIF_ORIGINAL ||
                src->time_source == DERUSH_TIME_EXIF_DIGITIZED) &&
               src->has_capture_time;
  r.time_ns = src->capture_time_ns;
  if (src->make || src->model) {
    g_autofree char *key =
        g_strdup_printf("%s\x1f%s", src->make ? src->make : "", src->model ? src->model : "");
    gpointer id = g_hash_table_lookup(load->cameras, key);
    if (!id) {
      id = GUINT_TO_POINTER(g_hash_table_size(load->cameras) + 1);
      g_hash_table_insert(load->cameras, g_steal_pointer(&key), id);
    }
    r.camera = GPOINTER_TO_UINT(id);
  }
  if (src->hashes)
    r.has_hashes = _derush_hashes_from_blob(src->hashes, src->hashes_len, &r.hashes);
  if (src->features) {
    r.has_features = TRUE;
    _derush_blob_to_floats(src->features, src->features_len, r.vector, DERUSH_N_FEATURES);
  }
  g_array_append_val(load->rows, r);
}

/**
 * _derush_group_load_units:
 * Loads every readable, present photo as grouping units, RAW+JPEG pairs
 * folded into one, scored as @opt says (best-pick.c).
 */
GArray *
_derush_group_load_units(DerushCatalog *cat, const DerushGroupOptions *opt, GError **error)
{
  DerushGroupScorer scorer;
  if (!_derush_group_scorer_init(&scorer, cat, opt, error))
    return NULL;
  g_autoptr(GHashTable) cameras = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) verdicts = _derush_faces_verdicts(cat, error);
  if (!verdicts) {
    _derush_group_scorer_clear(&scorer);
    return NULL;
  }
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(Row));
  Load load = {rows, cameras};
  if (!_derush_catalog_foreach_group_source(cat, DERUSH_PHASH_VERSION, DERUSH_FEATURES_VERSION,
                                            load_row_cb, &load, error)) {
    g_array_unref(rows);
    _derush_group_scorer_clear(&scorer);
    return NULL;
  }

  /* Row index by id, to find a pair's other half. */
  g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < rows->len; i++) {
    Row *r = &g_array_index(rows, Row, i);
    g_hash_table_insert(by_id, &r->id, r);
  }
  GArray *units = g_array_new(FALSE, TRUE, sizeof(DerushGroupUnit));
  for (guint i = 0; i < rows->len; i++) {
    Row *r = &g_array_index(rows, Row, i);
    Row *other = r->pair_id ? g_hash_table_lookup(by_id, &r->pair_id) : NULL;
    if (other) {
      /* One unit per pair: the JPEG represents it (or the smaller id when
       * both or neither are RAW); the other row is skipped. */
      gboolean r_rep = r->raw != other->raw ? !r->raw : r->id < other->id;
      if (!r_rep)
        continue;
    }
    DerushGroupUnit u = {0};
    u.id = r->id;
    u.partner_id = other ? other->id : 0;
    /* A pair's time and camera are one; take the representative's, or
     * the partner's when it has none. */
    const Row *t = r->has_time || !other ? r : other;
    u.has_time = t->has_time;
    u.time_ns = t->time_ns;
    u.camera = r->camera ? r->camera : (other ? other->camera : 0);
    const Row *h = r->has_hashes || !other ? r : other;
    /* A blank frame hashes like every other blank frame: it is nobody's
     * near-duplicate (photo-flags.c). */
    u.has_hashes = h->has_hashes;
    const Row *fr = r->has_features || !other ? r : other;
    if (fr->has_features && derush_features_blank(fr->vector))
      u.has_hashes = FALSE;
    u.hashes = h->hashes;
    const Row *f = r->has_features || !other ? r : other;
    u.score = u.sharpness = NAN;
    _derush_fidelity_from_features(f->has_features ? f->vector : NULL, &u.fid);
    if (f->has_features) {
      u.sharpness = derush_features_sharpness(f->vector);
      u.score = _derush_group_scorer_score(&scorer, u.id, f->vector, &u.by_model);
    }
    /* A pair's faces: the representative's, else the partner's. */
    gpointer v = g_hash_table_lookup(verdicts, &r->id);
    if (!v && other)
      v = g_hash_table_lookup(verdicts, &other->id);
    u.faces = (DerushFacesVerdict)GPOINTER_TO_INT(v);
    g_array_append_val(units, u);
  }
  g_array_unref(rows);
  _derush_group_scorer_clear(&scorer);
  return units;
}

/**
 * derush_catalog_update_groups:
 * @catalog: the catalog
 * @options: (nullable): gaps and radii; NULL for derush_group_options_init()
 * @summary: (out) (optional): what was found
 * @error: return location for a GError
 *
 * Recomputes every group (grouping.c has the rules) from the stored
 * capture times, cameras, hashes and features, and replaces the stored
 * groups in one transaction, so readers see the old groups or the new ones.
 *
 * Returns: FALSE with @error set when the catalog cannot be read or written.
 */
gboolean
derush_catalog_update_groups(DerushCatalog *catalog, const DerushGroupOptions *options,
                             DerushGroupSummary *summary, GError **error)
{
  g_return_val_if_fail(catalog != NULL, FALSE);
  DerushGroupOptions defaults;
  if (!options) {
    derush_group_options_init(&defaults);
    options = &defaults;
  }
  gint64 start = g_get_monotonic_time();
  DerushGroupSummary sum = {0};
  GArray *units = _derush_group_load_units(catalog, options, error);
  if (!units)
    return FALSE;
  const DerushGroupUnit *u = (const DerushGroupUnit *)units->data;
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, units->len, options, 0);
  sum.photos = units->len;

  g_autoptr(GArray) records =
      g_array_sized_new(FALSE, TRUE, sizeof(DerushGroupRecord), groups->len);
  g_autoptr(GArray) members = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) offsets = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < groups->len; i++) {
    const DerushGroupResult *g = groups->pdata[i];
    guint first = members->len;
    g_array_append_val(offsets, first);
    for (guint k = 0; k < g->units->len; k++) {
      const DerushGroupUnit *m = &u[g_array_index(g->units, guint, k)];
      g_array_append_val(members, m->id);
      if (m->partner_id)
        g_array_append_val(members, m->partner_id);
    }
    DerushGroupRecord rec = {
        .id = g->id,
        .kind = g->kind,
        .key = g->key,
        .best_id = u[g->best].id,
        .best_score = u[g->best].score,
        .best_by = u[g->best].by_model ? DERUSH_BEST_BY_MODEL : DERUSH_BEST_BY_QUALITY,
        .n_members = members->len - first,
    };
    g_array_append_val(records, rec);
    if (g->kind == DERUSH_GROUP_SESSION)
      sum.sessions++;
    else if (g->kind == DERUSH_GROUP_BURST)
      sum.bursts++;
    else
      sum.near_dups++;
  }
  /* Members point into one array, filled before any pointer is taken. */
  for (guint i = 0; i < records->len; i++)
    g_array_index(records, DerushGroupRecord, i).members =
        &g_array_index(members, gint64, g_array_index(offsets, guint, i));
  gboolean ok = _derush_catalog_replace_groups(catalog, (const DerushGroupRecord *)records->data,
                                               records->len, error);
  g_array_unref(units);
  sum.seconds = (g_get_monotonic_time() - start) / 1e6;
  if (summary)
    *summary = sum;
  return ok;
}
