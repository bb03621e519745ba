/* groups-store.c: the groups and group_members tables. group/ computes
 * the groups (grouping.c has the rules); this file loads what grouping
 * reads, replaces the stored groups in one transaction and lists them. */
#include "catalog-private.h"

/**
 * _derush_catalog_foreach_group_source:
 * @cat: the catalog
 * @hashes_version: hashes of another version count as absent
 * @features_version: features of another version count as absent
 * @func: called for each readable, present photo, ordered by id
 * @user_data: for @func
 * @error: return location for a GError
 *
 * What grouping needs of every photo: pairing, capture time, camera and
 * the encoded hashes and features (NULL when absent or stale).
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_foreach_group_source(DerushCatalog *cat, int hashes_version, int features_version,
                                     void (*func)(const DerushGroupSource *row, gpointer user_data),
                                     gpointer user_data, GError **error)
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
    return FALSE;
  sqlite3_bind_int(s, 1, hashes_version);
  sqlite3_bind_int(s, 2, features_version);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    DerushGroupSource r = {0};
    r.id = sqlite3_column_int64(s, 0);
    r.pair_id = sqlite3_column_int64(s, 1);
    r.raw = sqlite3_column_int(s, 2);
    r.time_source = sqlite3_column_int(s, 3);
    r.has_capture_time = sqlite3_column_type(s, 4) != SQLITE_NULL;
    r.capture_time_ns = sqlite3_column_int64(s, 4);
    r.make = (const char *)sqlite3_column_text(s, 5);
    r.model = (const char *)sqlite3_column_text(s, 6);
    r.hashes = _derush_column_blob(s, 7, &r.hashes_len);
    r.features = _derush_column_blob(s, 8, &r.features_len);
    func(&r, user_data);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read the photos to group");
    return FALSE;
  }
  return TRUE;
}

/* A best score, or NULL when no member had one. */
static void
bind_score(sqlite3_stmt *s, int index, double score)
{
  if (isnan(score))
    sqlite3_bind_null(s, index);
  else
    sqlite3_bind_double(s, index, score);
}

static gboolean
insert_group(DerushCatalog *cat, const DerushGroupRecord *g, GError **error)
{
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "INSERT INTO groups(id, kind, key, best_photo_id, best_score, best_by)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, g->id);
  sqlite3_bind_int(s, 2, g->kind);
  sqlite3_bind_int64(s, 3, g->key);
  sqlite3_bind_int64(s, 4, g->best_id);
  bind_score(s, 5, g->best_score);
  sqlite3_bind_int(s, 6, g->best_by);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot store a group");
    return FALSE;
  }
  for (guint k = 0; k < g->n_members; k++) {
    s = _derush_catalog_stmt(cat, "INSERT INTO group_members(group_id, photo_id) VALUES (?, ?)",
                             error);
    if (!s)
      return FALSE;
    sqlite3_bind_int64(s, 1, g->id);
    sqlite3_bind_int64(s, 2, g->members[k]);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(cat, error, "cannot store a group member");
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * _derush_catalog_replace_groups:
 * @cat: the catalog
 * @groups: the new groups
 * @n_groups: how many
 * @error: return location for a GError
 *
 * Replaces every stored group in one transaction, so readers see the old
 * groups or the new ones.
 *
 * Returns: FALSE with @error set (nothing changed) when SQLite fails.
 */
gboolean
_derush_catalog_replace_groups(DerushCatalog *cat, const DerushGroupRecord *groups, guint n_groups,
                               GError **error)
{
  if (!_derush_catalog_begin(cat, error))
    return FALSE;
  if (!_derush_catalog_exec(cat, "DELETE FROM group_members", error) ||
      !_derush_catalog_exec(cat, "DELETE FROM groups", error))
    goto fail;
  for (guint i = 0; i < n_groups; i++)
    if (!insert_group(cat, &groups[i], error))
      goto fail;
  if (!_derush_catalog_commit(cat, error))
    goto fail;
  return TRUE;
fail:
  _derush_catalog_rollback(cat);
  return FALSE;
}

/**
 * _derush_catalog_set_group_bests:
 * @cat: the catalog
 * @groups: the groups whose best pick changed (id, best_id, best_score, best_by)
 * @n_groups: how many
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set (nothing changed) when SQLite fails.
 */
gboolean
_derush_catalog_set_group_bests(DerushCatalog *cat, const DerushGroupRecord *groups, guint n_groups,
                                GError **error)
{
  if (n_groups == 0)
    return TRUE;
  if (!_derush_catalog_begin(cat, error))
    return FALSE;
  for (guint i = 0; i < n_groups; i++) {
    sqlite3_stmt *s = _derush_catalog_stmt(
        cat, "UPDATE groups SET best_photo_id = ?, best_score = ?, best_by = ? WHERE id = ?",
        error);
    if (!s)
      goto fail;
    sqlite3_bind_int64(s, 1, groups[i].best_id);
    bind_score(s, 2, groups[i].best_score);
    sqlite3_bind_int(s, 3, groups[i].best_by);
    sqlite3_bind_int64(s, 4, groups[i].id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(cat, error, "cannot store a group's best pick");
      goto fail;
    }
  }
  if (!_derush_catalog_commit(cat, error))
    goto fail;
  return TRUE;
fail:
  _derush_catalog_rollback(cat);
  return FALSE;
}

/**
 * _derush_catalog_group_of:
 * @cat: the catalog
 * @photo_id: a photo
 * @kind: a DerushGroupKind
 * @error: return location for a GError
 *
 * Returns: the id of the photo's group of @kind, 0 when it has none, -1
 * with @error set when SQLite fails.
 */
gint64
_derush_catalog_group_of(DerushCatalog *cat, gint64 photo_id, int kind, GError **error)
{
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "SELECT g.id FROM group_members m JOIN groups g ON g.id = m.group_id"
                           " WHERE m.photo_id = ? AND g.kind = ?",
                           error);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, photo_id);
  sqlite3_bind_int(s, 2, kind);
  int rc = sqlite3_step(s);
  gint64 g = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read groups");
    return -1;
  }
  return g;
}

typedef struct {
  gint64 id;
  int kind;
  gint64 best_id;
  char *best_path;
  double best_score;
  int best_by;
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
      "SELECT g.id, g.kind, g.best_photo_id, b.path, g.best_score, g.best_by FROM groups g"
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
    r.best_by = sqlite3_column_int(s, 5);
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
        .best_by =
            r->best_by == DERUSH_BEST_BY_MODEL ? DERUSH_BEST_BY_MODEL : DERUSH_BEST_BY_QUALITY,
        .n_members = ids->len,
        .member_ids = (const gint64 *)ids->data,
        .member_paths = (const char *const *)paths->pdata,
    };
    if (!func(&g, user_data))
      break;
  }
  return TRUE;
}
