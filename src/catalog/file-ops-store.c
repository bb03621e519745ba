/* file-ops-store.c: the file-operation journal (file_applies, file_ops)
 * and the catalog side of a finished operation (a moved photo's row
 * follows its file, a trashed one is marked missing). export/file-ops.c
 * moves the files; this file records, durably, what it is about to do and
 * what it did, so a crash in the middle is repaired on the next open. */
#include "catalog-private.h"

/**
 * _derush_journal_op_clear:
 * @p: a DerushJournalOp
 *
 * Frees what the operation owns (for g_array_set_clear_func()).
 */
void
_derush_journal_op_clear(gpointer p)
{
  DerushJournalOp *op = p;
  g_free(op->src);
  g_free(op->dst);
  g_free(op->trash_info);
}

/**
 * _derush_catalog_path_known:
 * @cat: the catalog
 * @path: a path
 *
 * Returns: TRUE when a photo row has @path (or the catalog cannot tell:
 * the caller then avoids the name).
 */
gboolean
_derush_catalog_path_known(DerushCatalog *cat, const char *path)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, "SELECT 1 FROM photos WHERE path = ?", NULL);
  if (!stmt)
    return TRUE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  gboolean found = sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_reset(stmt);
  return found;
}

/**
 * _derush_catalog_foreach_labelled_photo:
 * @cat: the catalog
 * @under: a folder ("/" for all) or a photo
 * @label: the label wanted
 * @func: called per present photo with @label, by path, with its RAW+JPEG
 *   partner (0 and NULL when none)
 * @user_data: for @func
 * @error: return location for a GError
 *
 * A private statement: @func may use the catalog.
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_foreach_labelled_photo(DerushCatalog *cat, const char *under, DerushLabel label,
                                       void (*func)(gint64 id, const char *path, gint64 pair_id,
                                                    const char *pair_path, gpointer user_data),
                                       gpointer user_data, GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  _derush_path_range(under, &lo, &hi);
  const char *sql = "SELECT p.id, p.path, p.pair_id, q.path FROM photos p"
                    " JOIN labels l ON l.photo_id = p.id LEFT JOIN photos q ON q.id = p.pair_id"
                    " WHERE l.label = ?4 AND NOT p.missing AND"
                    " (p.path = ?3 OR (p.path >= ?1 AND p.path < ?2)) ORDER BY p.path";
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(cat->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot list decisions");
    return FALSE;
  }
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 4, label);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    func(sqlite3_column_int64(stmt, 0), (const char *)sqlite3_column_text(stmt, 1),
         sqlite3_column_int64(stmt, 2), (const char *)sqlite3_column_text(stmt, 3), user_data);
  gboolean ok = rc == SQLITE_DONE;
  if (!ok)
    _derush_catalog_set_error(cat, error, "cannot list decisions");
  sqlite3_finalize(stmt);
  return ok;
}

static gboolean
step_ok(DerushCatalog *cat, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot write the file journal");
    return FALSE;
  }
  return TRUE;
}

/**
 * _derush_catalog_journal_plan:
 * @cat: the catalog
 * @ops: (element-type DerushJournalOp): the planned operations; each gets
 *   its journal row id
 * @error: return location for a GError
 *
 * Journals a new apply and its operations, durably, before the first file
 * is touched.
 *
 * Returns: FALSE with @error set (nothing journaled) when SQLite fails.
 */
gboolean
_derush_catalog_journal_plan(DerushCatalog *cat, GArray *ops, GError **error)
{
  if (!_derush_catalog_begin_durable(cat, error))
    return FALSE;
  gboolean ok = FALSE;
  sqlite3_stmt *a =
      _derush_catalog_stmt(cat, "INSERT INTO file_applies(time_ns) VALUES (?) RETURNING id", error);
  if (!a)
    goto out;
  sqlite3_bind_int64(a, 1, g_get_real_time() * 1000);
  if (sqlite3_step(a) != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot write the file journal");
    sqlite3_reset(a);
    goto out;
  }
  gint64 apply = sqlite3_column_int64(a, 0);
  sqlite3_reset(a);
  for (guint i = 0; i < ops->len; i++) {
    DerushJournalOp *op = &g_array_index(ops, DerushJournalOp, i);
    sqlite3_stmt *s = _derush_catalog_stmt(
        cat,
        "INSERT INTO file_ops(apply_id, op, photo_id, src, dst) VALUES (?, ?, ?, ?, ?)"
        " RETURNING id",
        error);
    if (!s)
      goto out;
    sqlite3_bind_int64(s, 1, apply);
    sqlite3_bind_int(s, 2, op->kind);
    if (op->photo_id)
      sqlite3_bind_int64(s, 3, op->photo_id);
    sqlite3_bind_text(s, 4, op->src, -1, SQLITE_STATIC);
    if (op->dst)
      sqlite3_bind_text(s, 5, op->dst, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
      _derush_catalog_set_error(cat, error, "cannot write the file journal");
      sqlite3_reset(s);
      goto out;
    }
    op->row = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
  }
  ok = TRUE;
out:
  return _derush_catalog_end_durable(cat, ok, error);
}

/* The catalog side of a finished (or reverted) operation. */
static gboolean
follow(DerushCatalog *cat, const DerushJournalOp *op, gboolean undo, GError **error)
{
  const char *from = undo ? op->dst : op->src;
  const char *to = undo ? op->src : op->dst;
  if (op->kind == DERUSH_FILE_OP_MOVE) {
    g_autofree char *dir = g_path_get_dirname(to);
    g_autofree char *name = g_path_get_basename(to);
    sqlite3_stmt *s;
    if (op->photo_id) {
      s = _derush_catalog_stmt(cat, "UPDATE photos SET path = ?, dir = ?, name = ? WHERE id = ?",
                               error);
      if (!s)
        return FALSE;
      sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 2, dir, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(s, 4, op->photo_id);
      if (!step_ok(cat, s, error))
        return FALSE;
    }
    /* A moved sidecar keeps its record: our own write stays ours. */
    s = _derush_catalog_stmt(cat, "UPDATE OR REPLACE sidecars SET path = ? WHERE path = ?", error);
    if (!s)
      return FALSE;
    sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
    return step_ok(cat, s, error);
  }
  if (op->kind == DERUSH_FILE_OP_TRASH && op->photo_id) {
    sqlite3_stmt *s =
        _derush_catalog_stmt(cat, "UPDATE photos SET missing = ? WHERE id = ?", error);
    if (!s)
      return FALSE;
    sqlite3_bind_int(s, 1, !undo);
    sqlite3_bind_int64(s, 2, op->photo_id);
    return step_ok(cat, s, error);
  }
  return TRUE;
}

/**
 * _derush_catalog_journal_set:
 *
 * Marks @op @state (with the catalog change it implies) in one transaction.
 * NORMAL sync is enough for a move or copy: the planned row is already
 * durable and names the destination, so recovery re-derives a lost "done"
 * from the disk. A trash is synced (FULL) before it is reported: only this
 * row knows which of several same-name files in the trash is ours. */
gboolean
_derush_catalog_journal_set(DerushCatalog *cat, const DerushJournalOp *op, int state,
                            GError **error)
{
  gboolean durable = op->kind == DERUSH_FILE_OP_TRASH && state == DERUSH_OP_DONE;
  if (!(durable ? _derush_catalog_begin_durable(cat, error) : _derush_catalog_begin(cat, error)))
    return FALSE;
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat, "UPDATE file_ops SET state = ?, dst = ?, trash_info = ? WHERE id = ?", error);
  gboolean ok = s != NULL;
  if (ok) {
    sqlite3_bind_int(s, 1, state);
    if (op->dst)
      sqlite3_bind_text(s, 2, op->dst, -1, SQLITE_STATIC);
    if (op->trash_info)
      sqlite3_bind_text(s, 3, op->trash_info, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, op->row);
    ok = step_ok(cat, s, error);
  }
  if (ok && (state == DERUSH_OP_DONE || state == DERUSH_OP_UNDONE))
    ok = follow(cat, op, state == DERUSH_OP_UNDONE, error);
  if (durable)
    return _derush_catalog_end_durable(cat, ok, error);
  if (!ok) {
    _derush_catalog_rollback(cat);
    return FALSE;
  }
  return _derush_catalog_commit(cat, error);
}

static void
op_from_row(sqlite3_stmt *s, DerushJournalOp *op)
{
  op->row = sqlite3_column_int64(s, 0);
  op->kind = sqlite3_column_int(s, 1);
  op->photo_id = sqlite3_column_int64(s, 2);
  op->src = g_strdup((const char *)sqlite3_column_text(s, 3));
  op->dst = g_strdup((const char *)sqlite3_column_text(s, 4));
  op->trash_info = g_strdup((const char *)sqlite3_column_text(s, 5));
  op->state = sqlite3_column_int(s, 6);
}

static GArray *
load_ops(DerushCatalog *cat, const char *where, gint64 arg, GError **error)
{
  g_autofree char *sql = g_strdup_printf("SELECT id, op, photo_id, src, dst, trash_info, state "
                                         "FROM file_ops WHERE %s ORDER BY id DESC",
                                         where);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(cat->db, sql, -1, &s, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot read the file journal");
    return NULL;
  }
  sqlite3_bind_int64(s, 1, arg);
  GArray *ops = g_array_new(FALSE, TRUE, sizeof(DerushJournalOp));
  g_array_set_clear_func(ops, _derush_journal_op_clear);
  while (sqlite3_step(s) == SQLITE_ROW) {
    DerushJournalOp op = {0};
    op_from_row(s, &op);
    g_array_append_val(ops, op);
  }
  sqlite3_finalize(s);
  return ops;
}

/**
 * _derush_catalog_journal_has_pending:
 * @cat: the catalog
 * @pending: (out): whether an operation is planned or being undone
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_journal_has_pending(DerushCatalog *cat, gboolean *pending, GError **error)
{
  sqlite3_stmt *probe =
      _derush_catalog_stmt(cat, "SELECT 1 FROM file_ops WHERE state IN (0, 4) LIMIT 1", error);
  if (!probe)
    return FALSE;
  *pending = sqlite3_step(probe) == SQLITE_ROW;
  sqlite3_reset(probe);
  return TRUE;
}

/**
 * _derush_catalog_journal_load_pending:
 * @cat: the catalog
 * @error: return location for a GError
 *
 * Returns: (transfer full) (element-type DerushJournalOp): the operations
 * planned or being undone, newest first; NULL with @error set.
 */
GArray *
_derush_catalog_journal_load_pending(DerushCatalog *cat, GError **error)
{
  return load_ops(cat, "state IN (0, 4) AND ?1 = ?1", 0, error);
}

/**
 * _derush_catalog_journal_load_undo_failed:
 * @cat: the catalog
 * @error: return location for a GError
 *
 * Returns: (transfer full) (element-type DerushJournalOp): the steps an
 * undo-apply could not undo, newest first; NULL with @error set.
 */
GArray *
_derush_catalog_journal_load_undo_failed(DerushCatalog *cat, GError **error)
{
  return load_ops(cat, "state = 5 AND ?1 = ?1", 0, error);
}

/**
 * _derush_catalog_journal_trash_claimed:
 * @cat: the catalog
 * @file: a file in the trash
 * @row: the journal entry looking for its file
 *
 * When the same path was trashed twice (trash, undo by hand, trash again),
 * each entry must restore its own file.
 *
 * Returns: TRUE when another trash entry (done, being undone or failed to
 * undo) stands for @file.
 */
gboolean
_derush_catalog_journal_trash_claimed(DerushCatalog *cat, const char *file, gint64 row)
{
  sqlite3_stmt *s = _derush_catalog_stmt(cat,
                                         "SELECT 1 FROM file_ops WHERE dst = ? AND op = 2"
                                         " AND state IN (1, 4, 5) AND id != ? LIMIT 1",
                                         NULL);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, file, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, row);
  gboolean found = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return found;
}

/**
 * _derush_catalog_journal_load_undoing:
 * @cat: the catalog
 * @apply: an apply id
 * @error: return location for a GError
 *
 * Returns: (transfer full) (element-type DerushJournalOp): the operations
 * of @apply being undone, newest first; NULL with @error set.
 */
GArray *
_derush_catalog_journal_load_undoing(DerushCatalog *cat, gint64 apply, GError **error)
{
  return load_ops(cat, "apply_id = ?1 AND state = 4", apply, error);
}

/**
 * _derush_catalog_journal_last_apply:
 * @cat: the catalog
 * @error: return location for a GError
 *
 * Returns: the newest apply not undone, 0 when none, -1 with @error set.
 */
gint64
_derush_catalog_journal_last_apply(DerushCatalog *cat, GError **error)
{
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat, "SELECT max(id) FROM file_applies WHERE NOT undone", error);
  if (!s)
    return -1;
  gint64 apply = 0;
  if (sqlite3_step(s) == SQLITE_ROW)
    apply = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return apply;
}

/**
 * _derush_catalog_journal_mark_undoing:
 * @cat: the catalog
 * @apply: an apply id
 * @error: return location for a GError
 *
 * Marks the done operations of @apply "being undone", durably.
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_journal_mark_undoing(DerushCatalog *cat, gint64 apply, GError **error)
{
  if (!_derush_catalog_begin_durable(cat, error))
    return FALSE;
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat, "UPDATE file_ops SET state = 4 WHERE apply_id = ? AND state = 1", error);
  gboolean marked = s != NULL;
  if (marked) {
    sqlite3_bind_int64(s, 1, apply);
    marked = step_ok(cat, s, error);
  }
  return _derush_catalog_end_durable(cat, marked, error);
}

/**
 * _derush_catalog_journal_mark_undone:
 * @cat: the catalog
 * @apply: an apply id, all of whose operations are undone
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_journal_mark_undone(DerushCatalog *cat, gint64 apply, GError **error)
{
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat, "UPDATE file_applies SET undone = 1 WHERE id = ?", error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, apply);
  return step_ok(cat, s, error);
}
