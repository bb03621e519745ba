/* group-store.c: groups in the catalog: loading what grouping needs,
 * replacing the stored groups, listing them. The rules are in grouping.c. */
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
  for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++)
    if (g_strcmp0(name, kind_names[i]) == 0) {
      *kind = (DerushGroupKind)i;
      return TRUE;
    }
  return FALSE;
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

void
_derush_blob_to_floats(const void *blob, int bytes, float *out, int n)
{
  for (int i = 0; i < n; i++)
    out[i] = NAN;
  int have = MIN(n, bytes / 4);
  for (int i = 0; i < have; i++) {
    guint32 bits;
    memcpy(&bits, (const guint8 *)blob + 4 * i, 4);
    bits = GUINT32_FROM_LE(bits);
    memcpy(&out[i], &bits, 4);
  }
}

void
_derush_floats_to_blob(const float *v, int n, guint8 *blob)
{
  for (int i = 0; i < n; i++) {
    guint32 bits;
    memcpy(&bits, &v[i], 4);
    bits = GUINT32_TO_LE(bits);
    memcpy(blob + 4 * i, &bits, 4);
  }
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

/* Loads every readable, present photo as grouping units, RAW+JPEG pairs
 * folded into one. */
static GArray *
load_units(DerushCatalog *cat, const DerushGroupOptions *opt, GError **error)
{
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat,
      "SELECT p.id, p.pair_id, p.format = 'raw', p.time_source, p.capture_time_ns,"
      " p.make, p.model, h.variants, f.vector"
      " FROM photos p"
      " LEFT JOIN hashes h ON h.photo_id = p.id AND h.version = ?1"
      "  AND h.content_hash = p.content_hash"
      " LEFT JOIN features f ON f.photo_id = p.id AND f.version = ?2"
      "  AND f.content_hash = p.content_hash"
      " WHERE p.status = 0 AND p.missing = 0 ORDER BY p.id",
      error);
  if (!s)
    return NULL;
  sqlite3_bind_int(s, 1, DERUSH_PHASH_VERSION);
  sqlite3_bind_int(s, 2, DERUSH_FEATURES_VERSION);
  g_autoptr(GHashTable) cameras = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(Row));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Row r = {0};
    r.id = sqlite3_column_int64(s, 0);
    r.pair_id = sqlite3_column_int64(s, 1);
    r.raw = sqlite3_column_int(s, 2);
    int source = sqlite3_column_int(s, 3);
    r.has_time = (source == DERUSH_TIME_EXIF_ORIGINAL || source == DERUSH_TIME_EXIF_DIGITIZED) &&
                 sqlite3_column_type(s, 4) != SQLITE_NULL;
    r.time_ns = sqlite3_column_int64(s, 4);
    const char *make = (const char *)sqlite3_column_text(s, 5);
    const char *model = (const char *)sqlite3_column_text(s, 6);
    if (make || model) {
      g_autofree char *key = g_strdup_printf("%s\x1f%s", make ? make : "", model ? model : "");
      gpointer id = g_hash_table_lookup(cameras, key);
      if (!id) {
        id = GUINT_TO_POINTER(g_hash_table_size(cameras) + 1);
        g_hash_table_insert(cameras, g_steal_pointer(&key), id);
      }
      r.camera = GPOINTER_TO_UINT(id);
    }
    if (sqlite3_column_type(s, 7) == SQLITE_BLOB)
      r.has_hashes = _derush_hashes_from_blob(sqlite3_column_blob(s, 7), sqlite3_column_bytes(s, 7),
                                              &r.hashes);
    if (sqlite3_column_type(s, 8) == SQLITE_BLOB) {
      r.has_features = TRUE;
      _derush_blob_to_floats(sqlite3_column_blob(s, 8), sqlite3_column_bytes(s, 8), r.vector,
                             DERUSH_N_FEATURES);
    }
    g_array_append_val(rows, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read the photos to group");
    g_array_unref(rows);
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
    u.has_hashes = h->has_hashes;
    u.hashes = h->hashes;
    const Row *f = r->has_features || !other ? r : other;
    u.score = u.sharpness = NAN;
    if (f->has_features) {
      u.sharpness = derush_features_sharpness(f->vector);
      u.score = opt->score ? opt->score(u.id, f->vector, opt->score_data)
                           : derush_features_quality_score(f->vector);
    }
    g_array_append_val(units, u);
  }
  g_array_unref(rows);
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
  GArray *units = load_units(catalog, options, error);
  if (!units)
    return FALSE;
  const DerushGroupUnit *u = (const DerushGroupUnit *)units->data;
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, units->len, options, 0);
  sum.photos = units->len;

  gboolean ok = FALSE;
  if (!_derush_catalog_begin(catalog, error))
    goto out;
  if (!_derush_catalog_exec(catalog, "DELETE FROM group_members", error) ||
      !_derush_catalog_exec(catalog, "DELETE FROM groups", error))
    goto fail;
  for (guint i = 0; i < groups->len; i++) {
    const DerushGroupResult *g = groups->pdata[i];
    sqlite3_stmt *s = _derush_catalog_stmt(
        catalog,
        "INSERT INTO groups(id, kind, key, best_photo_id, best_score) VALUES (?, ?, ?, ?, ?)",
        error);
    if (!s)
      goto fail;
    sqlite3_bind_int64(s, 1, g->id);
    sqlite3_bind_int(s, 2, g->kind);
    sqlite3_bind_int64(s, 3, g->key);
    sqlite3_bind_int64(s, 4, u[g->best].id);
    if (isnan(u[g->best].score))
      sqlite3_bind_null(s, 5);
    else
      sqlite3_bind_double(s, 5, u[g->best].score);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(catalog, error, "cannot store a group");
      goto fail;
    }
    for (guint k = 0; k < g->units->len; k++) {
      const DerushGroupUnit *m = &u[g_array_index(g->units, guint, k)];
      gint64 ids[2] = {m->id, m->partner_id};
      for (int j = 0; j < (m->partner_id ? 2 : 1); j++) {
        s = _derush_catalog_stmt(
            catalog, "INSERT INTO group_members(group_id, photo_id) VALUES (?, ?)", error);
        if (!s)
          goto fail;
        sqlite3_bind_int64(s, 1, g->id);
        sqlite3_bind_int64(s, 2, ids[j]);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
          _derush_catalog_set_error(catalog, error, "cannot store a group member");
          goto fail;
        }
      }
    }
    if (g->kind == DERUSH_GROUP_SESSION)
      sum.sessions++;
    else if (g->kind == DERUSH_GROUP_BURST)
      sum.bursts++;
    else
      sum.near_dups++;
  }
  if (!_derush_catalog_commit(catalog, error))
    goto fail;
  ok = TRUE;
  goto out;
fail:
  _derush_catalog_rollback(catalog);
out:
  g_array_unref(units);
  sum.seconds = (g_get_monotonic_time() - start) / 1e6;
  if (summary)
    *summary = sum;
  return ok;
}

typedef struct {
  gint64 id;
  int kind;
  gint64 best_id;
  char *best_path;
  double best_score;
} GroupRow;

static void
group_row_clear(gpointer data)
{
  g_free(((GroupRow *)data)->best_path);
}

/**
 * derush_catalog_foreach_group:
 * @catalog: the catalog
 * @under: (nullable): only groups with a member at or below this folder
 * @kind: a DerushGroupKind, or -1 for every kind
 * @func: called once per group; return FALSE to stop
 * @user_data: for @func
 * @error: return location for a GError
 *
 * Lists the stored groups (as the last derush_catalog_update_groups() left
 * them) ordered by kind then id, members ordered by photo id.
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 */
gboolean
derush_catalog_foreach_group(DerushCatalog *catalog, const char *under, int kind,
                             DerushGroupFunc func, gpointer user_data, GError **error)
{
  g_return_val_if_fail(catalog != NULL && func != NULL, FALSE);
  g_autofree char *lo = NULL, *hi = NULL;
  if (under)
    _derush_path_range(under, &lo, &hi);
  sqlite3_stmt *s = _derush_catalog_stmt(
      catalog,
      "SELECT g.id, g.kind, g.best_photo_id, b.path, g.best_score FROM groups g"
      " LEFT JOIN photos b ON b.id = g.best_photo_id"
      " WHERE (?1 < 0 OR g.kind = ?1) AND (?2 IS NULL OR EXISTS ("
      "  SELECT 1 FROM group_members m JOIN photos p ON p.id = m.photo_id"
      "  WHERE m.group_id = g.id AND (p.path = ?4 OR (p.path >= ?2 AND p.path < ?3))))"
      " ORDER BY g.kind, g.id",
      error);
  if (!s)
    return FALSE;
  sqlite3_bind_int(s, 1, kind);
  if (under) {
    sqlite3_bind_text(s, 2, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, under, -1, SQLITE_TRANSIENT);
  }
  /* Read the groups first: the member query below reuses the statement
   * cache, and @func may call into the catalog. */
  g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(GroupRow));
  g_array_set_clear_func(rows, group_row_clear);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    GroupRow r = {0};
    r.id = sqlite3_column_int64(s, 0);
    r.kind = sqlite3_column_int(s, 1);
    r.best_id = sqlite3_column_int64(s, 2);
    r.best_path = g_strdup((const char *)sqlite3_column_text(s, 3));
    r.best_score = sqlite3_column_type(s, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 4);
    g_array_append_val(rows, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read the groups");
    return FALSE;
  }
  for (guint i = 0; i < rows->len; i++) {
    GroupRow *r = &g_array_index(rows, GroupRow, i);
    s = _derush_catalog_stmt(catalog,
                             "SELECT p.id, p.path FROM group_members m JOIN photos p"
                             " ON p.id = m.photo_id WHERE m.group_id = ? ORDER BY p.id",
                             error);
    if (!s)
      return FALSE;
    sqlite3_bind_int64(s, 1, r->id);
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      gint64 id = sqlite3_column_int64(s, 0);
      g_array_append_val(ids, id);
      g_ptr_array_add(paths, g_strdup((const char *)sqlite3_column_text(s, 1)));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(catalog, error, "cannot read the group members");
      return FALSE;
    }
    g_ptr_array_add(paths, NULL);
    DerushGroup g = {
        .id = r->id,
        .kind = (DerushGroupKind)r->kind,
        .best_id = r->best_id,
        .best_path = r->best_path,
        .best_score = r->best_score,
        .n_members = ids->len,
        .member_ids = (const gint64 *)ids->data,
        .member_paths = (const char *const *)paths->pdata,
    };
    if (!func(&g, user_data))
      break;
  }
  return TRUE;
}
