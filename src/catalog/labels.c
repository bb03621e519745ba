/* labels.c: keep/trash/stars decisions, as append-only events with undo.
 *
 * A lost label is the worst bug derush can have, so every change is:
 * - an event row (old and new values) in a batch (one user action, the unit
 *   of undo), never updated or deleted;
 * - applied to the current state (labels) in the same transaction;
 * - committed with synchronous=FULL, so "saved" means on disk even if the
 *   power goes the next instant (WAL + NORMAL only syncs at checkpoints).
 * Undo and redo are new batches too: history only grows. */
#include "catalog-private.h"

#include <sys/stat.h>

static const char *const label_names[] = {"none", "keep", "trash"};
static const char *const source_names[] = {"user", "auto", "import", "sidecar", "undo", "redo"};

/**
 * derush_label_name:
 * Returns: (transfer none): "none", "keep" or "trash".
 */
const char *
derush_label_name(DerushLabel label)
{
  return _derush_enum_name(label_names, G_N_ELEMENTS(label_names), label, "none");
}

/**
 * derush_label_from_name:
 * @name: "keep", "trash", "none" (or "unlabeled"/"unlabelled"), any case
 * @label: (out): the label
 * Returns: FALSE when @name is not a label.
 */
gboolean
derush_label_from_name(const char *name, DerushLabel *label)
{
  int value;
  if (_derush_enum_from_name(label_names, G_N_ELEMENTS(label_names), name, TRUE, &value)) {
    *label = (DerushLabel)value;
    return TRUE;
  }
  if (g_ascii_strcasecmp(name, "unlabeled") == 0 || g_ascii_strcasecmp(name, "unlabelled") == 0) {
    *label = DERUSH_LABEL_NONE;
    return TRUE;
  }
  return FALSE;
}

/**
 * derush_label_source_name:
 * Returns: (transfer none): the source's stable name.
 */
const char *
derush_label_source_name(DerushLabelSource source)
{
  return _derush_enum_name(source_names, G_N_ELEMENTS(source_names), source, "user");
}

typedef struct {
  DerushLabel label;
  int stars;
} LabelState;

static gboolean
current_state(DerushCatalog *cat, gint64 id, LabelState *out, GError **error)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(cat, "SELECT label, stars FROM labels WHERE photo_id = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, id);
  out->label = DERUSH_LABEL_NONE;
  out->stars = 0;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    out->label = sqlite3_column_int(stmt, 0);
    out->stars = sqlite3_column_int(stmt, 1);
  }
  sqlite3_reset(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read a label");
    return FALSE;
  }
  return TRUE;
}

static gboolean
step_done(DerushCatalog *cat, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, what);
    return FALSE;
  }
  return TRUE;
}

/* A batch row is made on the first event, so a change that changes nothing
 * leaves no trace. */
typedef struct {
  DerushLabelSource source;
  gint64 target;
  gint64 id; /* 0 until made */
} Batch;

static gboolean
batch_ensure(DerushCatalog *cat, Batch *b, GError **error)
{
  if (b->id)
    return TRUE;
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat, "INSERT INTO label_batches(time_ns, source, target) VALUES (?, ?, ?) RETURNING id",
      error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, g_get_real_time() * 1000);
  sqlite3_bind_int(stmt, 2, b->source);
  if (b->target)
    sqlite3_bind_int64(stmt, 3, b->target);
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot save a label");
    sqlite3_reset(stmt);
    return FALSE;
  }
  b->id = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  return TRUE;
}

/* The one place a label changes: event first, then the derived state. */
static gboolean
apply_event(DerushCatalog *cat, Batch *b, gint64 photo, LabelState to, GError **error)
{
  LabelState from;
  if (!current_state(cat, photo, &from, error))
    return FALSE;
  if (from.label == to.label && from.stars == to.stars)
    return TRUE;
  if (!batch_ensure(cat, b, error))
    return FALSE;
  sqlite3_stmt *ev = _derush_catalog_stmt(
      cat,
      "INSERT INTO label_events(batch, photo_id, old_label, new_label, old_stars, new_stars)"
      " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      error);
  if (!ev)
    return FALSE;
  sqlite3_bind_int64(ev, 1, b->id);
  sqlite3_bind_int64(ev, 2, photo);
  sqlite3_bind_int(ev, 3, from.label);
  sqlite3_bind_int(ev, 4, to.label);
  sqlite3_bind_int(ev, 5, from.stars);
  sqlite3_bind_int(ev, 6, to.stars);
  if (sqlite3_step(ev) != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot save a label");
    sqlite3_reset(ev);
    return FALSE;
  }
  gint64 event = sqlite3_column_int64(ev, 0);
  sqlite3_reset(ev);
  derush_counter_add(DERUSH_COUNTER_LABEL_EVENTS, 1);
  sqlite3_stmt *st = _derush_catalog_stmt(
      cat,
      "INSERT OR REPLACE INTO labels(photo_id, label, stars, source, event) VALUES (?,?,?,?,?)",
      error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64(st, 1, photo);
  sqlite3_bind_int(st, 2, to.label);
  sqlite3_bind_int(st, 3, to.stars);
  sqlite3_bind_int(st, 4, b->source);
  sqlite3_bind_int64(st, 5, event);
  return step_done(cat, st, "cannot save a label", error);
}

/* A FIFO, socket or device named like a photo is recorded by scans (so ls
 * shows it), but a decision about it would mean nothing: refused here, for
 * every front end. A file that is absent now (an unplugged drive) can still
 * be labelled. */
static gboolean
refuse_non_file(const char *path, GError **error)
{
  struct stat st;
  if (!path || stat(path, &st) != 0 || S_ISREG(st.st_mode))
    return TRUE;
  g_autofree char *shown = g_filename_display_name(path);
  g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED, "%s: not labelled: not a regular file",
              shown);
  return FALSE;
}

/* The RAW+JPEG partner of photo @id (0 when none), after checking that @id
 * names a photo that can be labelled. */
static gboolean
pair_of(DerushCatalog *cat, gint64 id, gint64 *pair, GError **error)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(cat, "SELECT pair_id, path FROM photos WHERE id = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, id);
  int rc = sqlite3_step(stmt);
  *pair = 0;
  gboolean found = rc == SQLITE_ROW;
  if (found && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
    *pair = sqlite3_column_int64(stmt, 0);
  g_autofree char *path = found ? g_strdup((const char *)sqlite3_column_text(stmt, 1)) : NULL;
  sqlite3_reset(stmt);
  if (!found) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "no photo with id %" G_GINT64_FORMAT,
                id);
    return FALSE;
  }
  return refuse_non_file(path, error);
}

/* Applies changes[i] (or changes[0] to all when @each is FALSE) to ids[i]
 * and its RAW+JPEG partner, as one batch in one durable transaction. */
static gboolean
set_labels(DerushCatalog *catalog, const gint64 *ids, gsize n_ids, const DerushLabelChange *changes,
           gboolean each, DerushLabelSource source, gint64 *batch_out, GError **error)
{
  g_return_val_if_fail(source != DERUSH_SOURCE_UNDO && source != DERUSH_SOURCE_REDO, FALSE);
  for (gsize i = 0; i < (each ? n_ids : 1); i++) {
    const DerushLabelChange *change = &changes[i];
    if (change->set_stars && (change->stars < 0 || change->stars > 5)) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "stars must be 0 to 5, not %d",
                  change->stars);
      return FALSE;
    }
    if (change->set_label && (guint)change->label > DERUSH_LABEL_TRASH) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "unknown label %d", change->label);
      return FALSE;
    }
  }
  if (batch_out)
    *batch_out = 0;
  if (!_derush_catalog_begin_durable(catalog, error))
    return FALSE;
  Batch b = {source, 0, 0};
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean ok = TRUE;
  for (gsize i = 0; ok && i < n_ids; i++) {
    const DerushLabelChange *change = &changes[each ? i : 0];
    gint64 pair = 0;
    ok = pair_of(catalog, ids[i], &pair, error);
    gint64 both[2] = {ids[i], pair};
    for (int k = 0; ok && k < 2; k++) {
      if (!both[k] || g_hash_table_contains(seen, &both[k]))
        continue;
      g_hash_table_add(seen, g_memdup2(&both[k], sizeof(gint64)));
      LabelState to;
      ok = current_state(catalog, both[k], &to, error);
      if (!ok)
        break;
      if (change->set_label)
        to.label = change->label;
      if (change->set_stars)
        to.stars = change->stars;
      ok = apply_event(catalog, &b, both[k], to, error);
    }
  }
  if (!_derush_catalog_end_durable(catalog, ok, error))
    return FALSE;
  if (batch_out)
    *batch_out = b.id;
  return TRUE;
}

/**
 * derush_catalog_set_labels:
 * @batch_out: (out) (optional): the batch id, 0 when nothing changed
 *
 * See derush.h.
 */
gboolean
derush_catalog_set_labels(DerushCatalog *catalog, const gint64 *ids, gsize n_ids,
                          const DerushLabelChange *change, DerushLabelSource source,
                          gint64 *batch_out, GError **error)
{
  return set_labels(catalog, ids, n_ids, change, FALSE, source, batch_out, error);
}

/* Like derush_catalog_set_labels() with one change per photo: still one
 * batch, so one undo takes it all back (auto-labelling). */
gboolean
_derush_catalog_set_labels_each(DerushCatalog *catalog, const gint64 *ids,
                                const DerushLabelChange *changes, gsize n_ids,
                                DerushLabelSource source, gint64 *batch_out, GError **error)
{
  return set_labels(catalog, ids, n_ids, changes, TRUE, source, batch_out, error);
}

/* Replays @batch's events: backwards to their old values (undo) or
 * forwards to their new values (redo), into the new batch @into. */
static gboolean
replay(DerushCatalog *cat, gint64 batch, gboolean backwards, Batch *into, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *sql = backwards ? "SELECT photo_id, old_label, old_stars FROM label_events"
                                " WHERE batch = ? ORDER BY id DESC"
                              : "SELECT photo_id, new_label, new_stars FROM label_events"
                                " WHERE batch = ? ORDER BY id";
  /* Private statement: apply_event() uses the cache while this steps. */
  if (sqlite3_prepare_v2(cat->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot read label history");
    return FALSE;
  }
  sqlite3_bind_int64(stmt, 1, batch);
  gboolean ok = TRUE;
  int rc;
  while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    LabelState to = {sqlite3_column_int(stmt, 1), sqlite3_column_int(stmt, 2)};
    ok = apply_event(cat, into, sqlite3_column_int64(stmt, 0), to, error);
  }
  if (ok && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read label history");
    ok = FALSE;
  }
  sqlite3_finalize(stmt);
  return ok;
}

static gboolean
mark_reverted(DerushCatalog *cat, gint64 batch, GError **error)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(cat, "UPDATE label_batches SET reverted = 1 WHERE id = ?", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, batch);
  return step_done(cat, stmt, "cannot save undo state", error);
}

/* The batch the next undo (or redo) acts on, 0 when there is none. */
static gint64
next_batch(DerushCatalog *cat, gboolean for_redo, gint64 *target, GError **error)
{
  /* Undo takes the newest batch not yet undone, except sidecar reads
   * (another program's decision) and undos (those are redone instead).
   * Redo takes the newest undo not yet redone, and only while nothing new
   * was decided since: a new change clears the redo stack. */
  const char *sql =
      for_redo ? "SELECT id, target FROM label_batches b WHERE source = 4 AND NOT reverted"
                 " AND NOT EXISTS (SELECT 1 FROM label_batches n WHERE n.id > b.id AND"
                 " n.source IN (0, 1, 2)) ORDER BY id DESC LIMIT 1"
               : "SELECT id, target FROM label_batches WHERE source NOT IN (3, 4) AND NOT reverted"
                 " ORDER BY id DESC LIMIT 1";
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, sql, error);
  if (!stmt)
    return -1;
  gint64 id = 0;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    id = sqlite3_column_int64(stmt, 0);
    *target = sqlite3_column_int64(stmt, 1);
  } else if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read label history");
    id = -1;
  }
  sqlite3_reset(stmt);
  return id;
}

static int
undo_redo(DerushCatalog *cat, int n, gboolean redo, GError **error)
{
  int done = 0;
  for (; done < n; done++) {
    if (!_derush_catalog_begin_durable(cat, error))
      return -1;
    gint64 target = 0;
    gint64 id = next_batch(cat, redo, &target, error);
    if (id <= 0) {
      gboolean ok = id == 0;
      _derush_catalog_end_durable(cat, FALSE, NULL);
      return ok ? done : -1;
    }
    /* Undo: play batch @id backwards. Redo of undo @id: play the batch it
     * undid (@target) forwards again. */
    Batch b = {redo ? DERUSH_SOURCE_REDO : DERUSH_SOURCE_UNDO, id, 0};
    gboolean ok = replay(cat, redo ? target : id, !redo, &b, error) &&
                  batch_ensure(cat, &b, error) && mark_reverted(cat, id, error);
    if (!_derush_catalog_end_durable(cat, ok, error))
      return -1;
  }
  return done;
}

/**
 * derush_catalog_undo:
 * See derush.h.
 */
int
derush_catalog_undo(DerushCatalog *catalog, int n, GError **error)
{
  return undo_redo(catalog, n, FALSE, error);
}

/**
 * derush_catalog_redo:
 * See derush.h.
 */
int
derush_catalog_redo(DerushCatalog *catalog, int n, GError **error)
{
  return undo_redo(catalog, n, TRUE, error);
}

/* Events of one photo (@path) or all, newer than event @after, oldest first. */
static gboolean
foreach_event(DerushCatalog *catalog, const char *path, gint64 after, DerushLabelEventFunc func,
              gpointer user_data, GError **error)
{
  const char *sql = "SELECT e.id, e.batch, b.time_ns, e.photo_id, p.path, e.old_label,"
                    " e.new_label, e.old_stars, e.new_stars, b.source FROM label_events e"
                    " JOIN label_batches b ON b.id = e.batch JOIN photos p ON p.id = e.photo_id"
                    " WHERE (?1 IS NULL OR p.path = ?1) AND e.id > ?2 ORDER BY e.id";
  /* Private statement: @func may call back into the catalog. */
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(catalog->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(catalog, error, "cannot read label history");
    return FALSE;
  }
  if (path)
    sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 2, after);
  int rc;
  gboolean go_on = TRUE;
  while (go_on && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    DerushLabelEvent e = {
        .id = sqlite3_column_int64(stmt, 0),
        .batch = sqlite3_column_int64(stmt, 1),
        .time_ns = sqlite3_column_int64(stmt, 2),
        .photo_id = sqlite3_column_int64(stmt, 3),
        .path = (const char *)sqlite3_column_text(stmt, 4),
        .old_label = sqlite3_column_int(stmt, 5),
        .new_label = sqlite3_column_int(stmt, 6),
        .old_stars = sqlite3_column_int(stmt, 7),
        .new_stars = sqlite3_column_int(stmt, 8),
        .source = sqlite3_column_int(stmt, 9),
    };
    go_on = func(&e, user_data);
  }
  gboolean ok = !go_on || rc == SQLITE_DONE;
  if (!ok)
    _derush_catalog_set_error(catalog, error, "cannot read label history");
  sqlite3_finalize(stmt);
  return ok;
}

/**
 * derush_catalog_foreach_event:
 * @path: (nullable): only this photo's events
 * See derush.h.
 */
gboolean
derush_catalog_foreach_event(DerushCatalog *catalog, const char *path, DerushLabelEventFunc func,
                             gpointer user_data, GError **error)
{
  return foreach_event(catalog, path, 0, func, user_data, error);
}

/**
 * derush_catalog_foreach_event_after:
 * @after: an event id (from derush_catalog_get_last_event_id())
 * Calls @func for each event newer than @after, oldest first: what an
 * undo, a redo or another process has just written.
 */
gboolean
derush_catalog_foreach_event_after(DerushCatalog *catalog, gint64 after, DerushLabelEventFunc func,
                                   gpointer user_data, GError **error)
{
  return foreach_event(catalog, NULL, after, func, user_data, error);
}

/**
 * derush_catalog_get_last_event_id:
 * Returns: the newest label event's id, 0 when there is none, -1 on error.
 */
gint64
derush_catalog_get_last_event_id(DerushCatalog *catalog)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(catalog, "SELECT coalesce(max(id), 0) FROM label_events", NULL);
  if (!stmt)
    return -1;
  gint64 id = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_reset(stmt);
  return id;
}
