/* file-ops.c: acting on decisions (trash, move, copy) with an undo journal.
 *
 * Every operation of an apply is written to file_ops as "planned" and
 * committed with synchronous=FULL before the first file is touched; each
 * one is marked done, together with the catalog change it implies (a moved
 * row's new path, a trashed row marked missing), in the transaction right
 * after it. A crash in between leaves "planned" rows: recovery looks at the
 * disk to learn which side of the operation each file is on and rolls it
 * forward or back, so no file is lost or duplicated.
 *
 * No operation ever overwrites: destinations are chosen free (name-1,
 * name-2... for a whole photo group at once, so sidecars keep matching
 * their photo), and the final step is renameat2(RENAME_NOREPLACE) or
 * link(), which fail instead of replacing a file that appeared meanwhile.
 *
 * The freedesktop trash does not say where it put a file: trash.c finds it
 * from the trash's .trashinfo files right after, and that place is
 * journaled durably before the trash is reported done. Undo-apply looks
 * there, then searches the trash again; a step it cannot undo is reported,
 * kept for the next run, and never stops the other steps or older applies. */
#include "export-private.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* As stored in file_ops.state (schema.c); UNDO_FAILED: the apply was
 * undone but this step could not be (retried by each undo-apply). */
enum { STATE_PLANNED, STATE_DONE, STATE_UNDONE, STATE_SKIPPED, STATE_UNDOING, STATE_UNDO_FAILED };

typedef struct {
  DerushFileOpKind kind;
  char *src;
  char *dst;        /* move/copy target; for trash, the file in the trash once done */
  char *trash_info; /* trash: its .trashinfo */
  gint64 photo_id;  /* rows that follow the file; 0 for sidecars */
  gint64 size;
  gint64 row; /* file_ops id once journaled */
  int state;  /* as loaded from the journal */
} Op;

static void
op_clear(gpointer p)
{
  Op *op = p;
  g_free(op->src);
  g_free(op->dst);
  g_free(op->trash_info);
}

/* ----------------------------------------------------------- file moves */

static gboolean
fsync_path(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  gboolean ok = fsync(fd) == 0;
  close(fd);
  return ok;
}

/* Copies @src to @dst (which must not exist) through a hidden temporary
 * file, fsync'd, then link()ed into place: link fails on an existing name,
 * so even a file that appeared meanwhile is never replaced. */
static gboolean
copy_no_replace(const char *src, const char *dst, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(dst);
  g_autofree char *base = g_path_get_basename(dst);
  g_autofree char *tmp = g_strdup_printf("%s/.%s.derush-XXXXXX", dir, base);
  int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    _derush_set_errno_error(error, errno, "cannot read", src);
    return FALSE;
  }
  struct stat st;
  fstat(in, &st);
  int out = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, (int)(st.st_mode & 0777));
  if (out < 0) {
    _derush_set_errno_error(error, errno, "cannot write", dst);
    close(in);
    return FALSE;
  }
  char buf[1 << 16];
  int errsv = 0;
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      errsv = errno;
      break;
    }
    if (n == 0)
      break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        errsv = w < 0 ? errno : ENOSPC;
        break;
      }
      off += w;
    }
    if (errsv)
      break;
  }
  close(in);
  if (!errsv && fsync(out) != 0)
    errsv = errno;
  if (close(out) != 0 && !errsv)
    errsv = errno;
  /* Keep the photo's times: a copy is the same photo. */
  if (!errsv) {
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    utimensat(AT_FDCWD, tmp, times, 0);
  }
  if (!errsv && link(tmp, dst) != 0)
    errsv = errno;
  unlink(tmp);
  if (errsv) {
    _derush_set_errno_error(error, errsv, "cannot copy to", dst);
    return FALSE;
  }
  fsync_path(dir);
  return TRUE;
}

static gboolean
move_no_replace(const char *src, const char *dst, GError **error)
{
  if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
    return TRUE;
  int errsv = errno;
  if (errsv == EINVAL || errsv == ENOSYS) {
    /* A file system without RENAME_NOREPLACE: link + unlink is atomic
     * enough (a crash leaves both names, which recovery sorts out). */
    if (link(src, dst) == 0) {
      unlink(src); /* a failure leaves two names, which recovery resolves */
      return TRUE;
    }
    errsv = errno;
  }
  if (errsv == EXDEV) {
    if (!copy_no_replace(src, dst, error))
      return FALSE;
    if (unlink(src) != 0) {
      _derush_set_errno_error(error, errno, "copied but cannot remove", src);
      return FALSE;
    }
    return TRUE;
  }
  _derush_set_errno_error(error, errsv, "cannot move", src);
  return FALSE;
}

/* ------------------------------------------------------------ the trash */

static gboolean
trash_file(Op *op, GError **error)
{
  return _derush_trash_file(op->src, &op->dst, &op->trash_info, error);
}

/* A trashed file another journal entry already stands for: when the same
 * path was trashed twice (trash, undo by hand, trash again), each entry must
 * restore its own file. */
typedef struct {
  DerushCatalog *cat;
  gint64 row;
} ClaimCtx;

static gboolean
trash_claimed_cb(const char *file, gpointer user_data)
{
  ClaimCtx *c = user_data;
  sqlite3_stmt *s = _derush_catalog_stmt(c->cat,
                                         "SELECT 1 FROM file_ops WHERE dst = ? AND op = 2"
                                         " AND state IN (1, 4, 5) AND id != ? LIMIT 1",
                                         NULL);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, file, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, c->row);
  gboolean found = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return found;
}

/* Finds @op's file in the trash again (the journaled place is gone: the
 * journal predates this fix, or the user moved it inside the trash). */
static gboolean
trash_search(DerushCatalog *cat, Op *op)
{
  ClaimCtx claim = {cat, op->row};
  return _derush_trash_find(op->src, NULL, trash_claimed_cb, &claim, &op->dst, &op->trash_info);
}

static gboolean
trash_restore(DerushCatalog *cat, Op *op, GError **error)
{
  struct stat st;
  if ((!op->dst || lstat(op->dst, &st) != 0) && !trash_search(cat, op)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND,
                "not found in the trash; restore it from the file manager");
    return FALSE;
  }
  if (!move_no_replace(op->dst, op->src, error))
    return FALSE;
  if (op->trash_info)
    unlink(op->trash_info);
  return TRUE;
}

/* ---------------------------------------------------------- planning */

typedef struct {
  DerushCatalog *cat;
  DerushApplyAction action;
  char *dest;
  GArray *ops;        /* Op */
  GHashTable *taken;  /* destination paths planned in this apply */
  GHashTable *photos; /* photo ids already planned */
  DerushApplySummary *sum;
} Plan;

static gboolean
path_in_catalog(DerushCatalog *cat, const char *path)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, "SELECT 1 FROM photos WHERE path = ?", NULL);
  if (!stmt)
    return TRUE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  gboolean found = sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_reset(stmt);
  return found;
}

/* One file of a photo group, before its destination is chosen. */
typedef struct {
  char *src;
  gsize stem_len; /* where a -N suffix goes in its name */
  gint64 photo_id;
} GroupFile;

/* @name with "-@n" inserted after its first @stem_len bytes. */
static char *
suffixed(const char *name, gsize stem_len, int n)
{
  if (n == 0)
    return g_strdup(name);
  return g_strdup_printf("%.*s-%d%s", (int)stem_len, name, n, name + stem_len);
}

static gsize
stem_len_of(const char *name)
{
  const char *dot = strrchr(name, '.');
  return dot && dot != name ? (gsize)(dot - name) : strlen(name);
}

static void
add_group_file(GArray *group, const char *path, gsize stem_len, gint64 photo_id)
{
  for (guint i = 0; i < group->len; i++)
    if (strcmp(g_array_index(group, GroupFile, i).src, path) == 0)
      return; /* a pair's shared NAME.xmp */
  GroupFile g = {g_strdup(path), stem_len, photo_id};
  g_array_append_val(group, g);
}

static void
add_photo_files(GArray *group, const char *path, gint64 id)
{
  g_autofree char *name = g_path_get_basename(path);
  gsize stem = stem_len_of(name);
  add_group_file(group, path, stem, id);
  for (int style = DERUSH_XMP_DARKTABLE; style <= DERUSH_XMP_LIGHTROOM; style++) {
    g_autofree char *xmp = derush_sidecar_path(path, style);
    if (g_file_test(xmp, G_FILE_TEST_IS_REGULAR))
      add_group_file(group, xmp, stem, 0);
  }
}

static void
group_file_clear(gpointer p)
{
  g_free(((GroupFile *)p)->src);
}

/* Plans one photo (and its partner, and their sidecars) as a group. */
static void
plan_photo(Plan *plan, gint64 id, const char *path, gint64 pair_id, const char *pair_path)
{
  if (g_hash_table_contains(plan->photos, &id))
    return;
  g_autoptr(GArray) group = g_array_new(FALSE, FALSE, sizeof(GroupFile));
  g_array_set_clear_func(group, group_file_clear);
  g_hash_table_add(plan->photos, g_memdup2(&id, sizeof id));
  add_photo_files(group, path, id);
  plan->sum->photos++;
  if (pair_id && pair_path && !g_hash_table_contains(plan->photos, &pair_id)) {
    g_hash_table_add(plan->photos, g_memdup2(&pair_id, sizeof pair_id));
    add_photo_files(group, pair_path, pair_id);
    plan->sum->photos++;
  }
  DerushFileOpKind kind = plan->action == DERUSH_APPLY_TRASH          ? DERUSH_FILE_OP_TRASH
                          : plan->action == DERUSH_APPLY_COPY_KEEPERS ? DERUSH_FILE_OP_COPY
                                                                      : DERUSH_FILE_OP_MOVE;
  /* One suffix for the whole group, free for every file of it. */
  int n = 0;
  if (kind != DERUSH_FILE_OP_TRASH) {
    for (;; n++) {
      gboolean free_ = TRUE;
      for (guint i = 0; free_ && i < group->len; i++) {
        GroupFile *g = &g_array_index(group, GroupFile, i);
        g_autofree char *name = g_path_get_basename(g->src);
        g_autofree char *dname = suffixed(name, g->stem_len, n);
        g_autofree char *dst = g_build_filename(plan->dest, dname, NULL);
        struct stat st;
        free_ = lstat(dst, &st) != 0 && !g_hash_table_contains(plan->taken, dst) &&
                !path_in_catalog(plan->cat, dst);
      }
      if (free_)
        break;
    }
  }
  for (guint i = 0; i < group->len; i++) {
    GroupFile *g = &g_array_index(group, GroupFile, i);
    Op op = {kind, g_strdup(g->src), NULL, NULL, g->photo_id, 0, 0};
    if (kind != DERUSH_FILE_OP_TRASH) {
      g_autofree char *name = g_path_get_basename(g->src);
      g_autofree char *dname = suffixed(name, g->stem_len, n);
      op.dst = g_build_filename(plan->dest, dname, NULL);
      g_hash_table_add(plan->taken, g_strdup(op.dst));
    }
    struct stat st;
    if (stat(op.src, &st) == 0)
      op.size = (gint64)st.st_size;
    plan->sum->files++;
    plan->sum->bytes += op.size;
    g_array_append_val(plan->ops, op);
  }
}

static gboolean
make_plan(Plan *plan, const char *under, GError **error)
{
  DerushLabel label = plan->action == DERUSH_APPLY_TRASH || plan->action == DERUSH_APPLY_MOVE_TRASH
                          ? DERUSH_LABEL_TRASH
                          : DERUSH_LABEL_KEEP;
  g_autofree char *lo = NULL, *hi = NULL;
  if (!under)
    under = "/";
  _derush_path_range(under, &lo, &hi);
  const char *sql = "SELECT p.id, p.path, p.pair_id, q.path FROM photos p"
                    " JOIN labels l ON l.photo_id = p.id LEFT JOIN photos q ON q.id = p.pair_id"
                    " WHERE l.label = ?4 AND NOT p.missing AND"
                    " (p.path = ?3 OR (p.path >= ?1 AND p.path < ?2)) ORDER BY p.path";
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(plan->cat->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(plan->cat, error, "cannot list decisions");
    return FALSE;
  }
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 4, label);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char *path = (const char *)sqlite3_column_text(stmt, 1);
    /* A photo already at its destination folder stays where it is. */
    if (plan->dest && plan->action != DERUSH_APPLY_COPY_KEEPERS) {
      g_autofree char *dir = g_path_get_dirname(path);
      if (strcmp(dir, plan->dest) == 0)
        continue;
    }
    plan_photo(plan, sqlite3_column_int64(stmt, 0), path, sqlite3_column_int64(stmt, 2),
               (const char *)sqlite3_column_text(stmt, 3));
  }
  gboolean ok = rc == SQLITE_DONE;
  if (!ok)
    _derush_catalog_set_error(plan->cat, error, "cannot list decisions");
  sqlite3_finalize(stmt);
  return ok;
}

static void
plan_init(Plan *plan, DerushCatalog *cat, DerushApplyAction action, const char *dest,
          DerushApplySummary *sum)
{
  memset(sum, 0, sizeof *sum);
  plan->cat = cat;
  plan->action = action;
  plan->dest = dest ? g_canonicalize_filename(dest, NULL) : NULL;
  plan->ops = g_array_new(FALSE, FALSE, sizeof(Op));
  g_array_set_clear_func(plan->ops, op_clear);
  plan->taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  plan->photos = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  plan->sum = sum;
}

static void
plan_clear(Plan *plan)
{
  g_free(plan->dest);
  g_array_free(plan->ops, TRUE);
  g_hash_table_destroy(plan->taken);
  g_hash_table_destroy(plan->photos);
}

static void
report_op(const Op *op, const GError *error, DerushFileOpFunc func, gpointer user_data)
{
  if (!func)
    return;
  DerushFileOp pub = {op->kind, op->src, op->kind == DERUSH_FILE_OP_TRASH ? NULL : op->dst,
                      op->photo_id != 0};
  func(&pub, error, user_data);
}

/**
 * derush_catalog_plan_apply:
 * See derush.h. A dry run: the plan is computed exactly as
 * derush_catalog_apply() computes it, destinations and suffixes included.
 */
gboolean
derush_catalog_plan_apply(DerushCatalog *catalog, DerushApplyAction action, const char *under,
                          const char *dest, DerushFileOpFunc func, gpointer user_data,
                          DerushApplySummary *summary, GError **error)
{
  Plan plan;
  plan_init(&plan, catalog, action, dest, summary);
  gboolean ok = make_plan(&plan, under, error);
  for (guint i = 0; ok && i < plan.ops->len; i++)
    report_op(&g_array_index(plan.ops, Op, i), NULL, func, user_data);
  plan_clear(&plan);
  return ok;
}

/* ------------------------------------------------------------ journal */

static gboolean
begin_durable(DerushCatalog *cat, GError **error)
{
  if (!_derush_catalog_exec(cat, "PRAGMA synchronous=FULL", error))
    return FALSE;
  return _derush_catalog_begin(cat, error);
}

static gboolean
end_durable(DerushCatalog *cat, gboolean ok, GError **error)
{
  if (ok)
    ok = _derush_catalog_commit(cat, error);
  else
    _derush_catalog_rollback(cat);
  _derush_catalog_exec(cat, "PRAGMA synchronous=NORMAL", NULL);
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

static gboolean
journal_plan(DerushCatalog *cat, GArray *ops, GError **error)
{
  if (!begin_durable(cat, error))
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
    Op *op = &g_array_index(ops, Op, i);
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
  return end_durable(cat, ok, error);
}

/* The catalog side of a finished (or reverted) operation. */
static gboolean
follow(DerushCatalog *cat, const Op *op, gboolean undo, GError **error)
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

/* Marks @op @state (with the catalog change it implies) in one transaction.
 * NORMAL sync is enough for a move or copy: the planned row is already
 * durable and names the destination, so recovery re-derives a lost "done"
 * from the disk. A trash is synced (FULL) before it is reported: only this
 * row knows which of several same-name files in the trash is ours. */
static gboolean
journal_set(DerushCatalog *cat, const Op *op, int state, GError **error)
{
  gboolean durable = op->kind == DERUSH_FILE_OP_TRASH && state == STATE_DONE;
  if (!(durable ? begin_durable(cat, error) : _derush_catalog_begin(cat, error)))
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
  if (ok && (state == STATE_DONE || state == STATE_UNDONE))
    ok = follow(cat, op, state == STATE_UNDONE, error);
  if (durable)
    return end_durable(cat, ok, error);
  if (!ok) {
    _derush_catalog_rollback(cat);
    return FALSE;
  }
  return _derush_catalog_commit(cat, error);
}

static gboolean
perform(Op *op, GError **error)
{
  switch (op->kind) {
  case DERUSH_FILE_OP_MOVE:
    return move_no_replace(op->src, op->dst, error);
  case DERUSH_FILE_OP_COPY:
    return copy_no_replace(op->src, op->dst, error);
  case DERUSH_FILE_OP_TRASH:
    return trash_file(op, error);
  }
  return FALSE;
}

/**
 * derush_catalog_apply:
 * See derush.h.
 */
gboolean
derush_catalog_apply(DerushCatalog *catalog, DerushApplyAction action, const char *under,
                     const char *dest, DerushFileOpFunc func, gpointer user_data,
                     DerushApplySummary *summary, GError **error)
{
  g_return_val_if_fail(action == DERUSH_APPLY_TRASH || dest != NULL, FALSE);
  if (derush_catalog_recover_file_ops(catalog, error) < 0)
    return FALSE;
  Plan plan;
  plan_init(&plan, catalog, action, dest, summary);
  gboolean ok = make_plan(&plan, under, error);
  if (ok && plan.ops->len > 0 && plan.dest && g_mkdir_with_parents(plan.dest, 0755) != 0) {
    _derush_set_errno_error(error, errno, "cannot create the folder", plan.dest);
    ok = FALSE;
  }
  if (ok && plan.ops->len > 0)
    ok = journal_plan(catalog, plan.ops, error);
  for (guint i = 0; ok && i < plan.ops->len; i++) {
    Op *op = &g_array_index(plan.ops, Op, i);
    g_autoptr(GError) op_error = NULL;
    if (perform(op, &op_error)) {
      /* The file moved: the journal must say so, or recovery will. */
      if (!journal_set(catalog, op, STATE_DONE, error))
        ok = FALSE;
      summary->done++;
    } else {
      summary->failed++;
      journal_set(catalog, op, STATE_SKIPPED, NULL);
    }
    report_op(op, op_error, func, user_data);
  }
  plan_clear(&plan);
  return ok;
}

/* ------------------------------------------------------ undo, recovery */

static void
op_from_row(sqlite3_stmt *s, Op *op)
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
  GArray *ops = g_array_new(FALSE, TRUE, sizeof(Op));
  g_array_set_clear_func(ops, op_clear);
  while (sqlite3_step(s) == SQLITE_ROW) {
    Op op = {0};
    op_from_row(s, &op);
    g_array_append_val(ops, op);
  }
  sqlite3_finalize(s);
  return ops;
}

static gboolean
exists(const char *path)
{
  struct stat st;
  return path && lstat(path, &st) == 0;
}

static gint64
file_size(const char *path)
{
  struct stat st;
  return path && stat(path, &st) == 0 ? (gint64)st.st_size : -1;
}

/**
 * derush_catalog_recover_file_ops:
 * See derush.h. For each operation journaled but not marked: a move whose
 * file is at the destination only is marked done (the catalog follows);
 * one whose file is at the source only never happened; one with both (a
 * copy across file systems interrupted before removing the source, same
 * size) is finished by removing the source. A copy is done when its
 * destination exists (it appears only complete, by link()). A trash is done
 * when the source is gone (found in the trash for undo).
 */
gint64
derush_catalog_recover_file_ops(DerushCatalog *catalog, GError **error)
{
  sqlite3_stmt *probe =
      _derush_catalog_stmt(catalog, "SELECT 1 FROM file_ops WHERE state IN (0, 4) LIMIT 1", error);
  if (!probe)
    return -1;
  gboolean pending = sqlite3_step(probe) == SQLITE_ROW;
  sqlite3_reset(probe);
  if (!pending)
    return 0;
  GArray *ops = load_ops(catalog, "state IN (0, 4) AND ?1 = ?1", 0, error);
  if (!ops)
    return -1;
  gint64 repaired = 0;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < ops->len; i++) {
    Op *op = &g_array_index(ops, Op, i);
    int state = STATE_SKIPPED;
    if (op->state == STATE_UNDOING) {
      /* An undo-apply was killed: which side is the file on now? */
      gboolean back = FALSE;
      switch (op->kind) {
      case DERUSH_FILE_OP_MOVE:
        back = exists(op->src) && !exists(op->dst);
        if (exists(op->src) && exists(op->dst) && file_size(op->src) == file_size(op->dst)) {
          unlink(op->dst); /* a copy back across file systems, complete */
          back = TRUE;
        }
        break;
      case DERUSH_FILE_OP_COPY:
        back = !exists(op->dst);
        break;
      case DERUSH_FILE_OP_TRASH:
        back = exists(op->src);
        break;
      }
      ok = journal_set(catalog, op, back ? STATE_UNDONE : STATE_DONE, error);
      repaired++;
      continue;
    }
    switch (op->kind) {
    case DERUSH_FILE_OP_MOVE:
      if (exists(op->dst) && !exists(op->src)) {
        state = STATE_DONE;
      } else if (exists(op->dst) && exists(op->src) && file_size(op->dst) == file_size(op->src)) {
        unlink(op->src);
        state = STATE_DONE;
      }
      break;
    case DERUSH_FILE_OP_COPY:
      if (exists(op->dst))
        state = STATE_DONE;
      break;
    case DERUSH_FILE_OP_TRASH:
      if (!exists(op->src)) {
        /* Killed between the trash and its journal entry: find it (the
         * newest same-path file no other entry stands for). */
        g_clear_pointer(&op->dst, g_free);
        g_clear_pointer(&op->trash_info, g_free);
        trash_search(catalog, op);
        state = STATE_DONE;
      }
      break;
    }
    ok = journal_set(catalog, op, state, error);
    repaired++;
  }
  g_array_free(ops, TRUE);
  return ok ? repaired : -1;
}

/* Undoes @ops (newest first), each checked against the disk first. A step
 * that fails is reported, marked UNDO_FAILED and the others go on. */
static gboolean
undo_ops(DerushCatalog *catalog, GArray *ops, DerushFileOpFunc func, gpointer user_data,
         gint64 *restored, GError **error)
{
  for (guint i = 0; i < ops->len; i++) {
    Op *op = &g_array_index(ops, Op, i);
    g_autoptr(GError) op_error = NULL;
    gboolean done = FALSE;
    switch (op->kind) {
    case DERUSH_FILE_OP_MOVE:
      done = (exists(op->src) && !exists(op->dst)) || move_no_replace(op->dst, op->src, &op_error);
      break;
    case DERUSH_FILE_OP_COPY:
      /* Only our copy goes: one changed since is the user's now. */
      if (exists(op->dst) && file_size(op->dst) != file_size(op->src)) {
        g_set_error(&op_error, DERUSH_ERROR, DERUSH_ERROR_FAILED,
                    "changed since it was copied; left in place");
      } else {
        done = !exists(op->dst) || unlink(op->dst) == 0;
        if (!done)
          _derush_set_errno_error(&op_error, errno, "cannot remove", NULL);
      }
      break;
    case DERUSH_FILE_OP_TRASH:
      done = exists(op->src) || trash_restore(catalog, op, &op_error);
      break;
    }
    if (!journal_set(catalog, op, done ? STATE_UNDONE : STATE_UNDO_FAILED, error))
      return FALSE;
    *restored += done;
    Op shown = *op;
    if (op->kind == DERUSH_FILE_OP_MOVE) {
      /* Report the move as it happens now: back to where it was. */
      shown.src = op->dst;
      shown.dst = op->src;
    }
    if (op->kind == DERUSH_FILE_OP_COPY && op_error) {
      /* The copy is the file in question, not its original. */
      shown.src = op->dst;
    }
    report_op(&shown, op_error, func, user_data);
  }
  return TRUE;
}

/**
 * derush_catalog_undo_apply:
 * See derush.h. First retries the steps an earlier undo-apply could not
 * undo, then undoes the newest apply not undone yet. Each operation is
 * checked against the disk first, so running it again after a crash
 * finishes the job; one that cannot be undone is reported and kept for the
 * next run, and never blocks the other steps or the applies before.
 */
gint64
derush_catalog_undo_apply(DerushCatalog *catalog, DerushFileOpFunc func, gpointer user_data,
                          GError **error)
{
  if (derush_catalog_recover_file_ops(catalog, error) < 0)
    return -1;
  gint64 restored = 0;
  GArray *failed = load_ops(catalog, "state = 5 AND ?1 = ?1", 0, error);
  if (!failed)
    return -1;
  gboolean ok = undo_ops(catalog, failed, func, user_data, &restored, error);
  g_array_free(failed, TRUE);
  if (!ok)
    return -1;
  sqlite3_stmt *s =
      _derush_catalog_stmt(catalog, "SELECT max(id) FROM file_applies WHERE NOT undone", error);
  if (!s)
    return -1;
  gint64 apply = 0;
  if (sqlite3_step(s) == SQLITE_ROW)
    apply = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (apply == 0)
    return restored;
  /* Durably "being undone" before any file moves back, so a kill in the
   * middle is repaired by the next open like an apply is. */
  if (!begin_durable(catalog, error))
    return -1;
  s = _derush_catalog_stmt(catalog,
                           "UPDATE file_ops SET state = 4 WHERE apply_id = ? AND state = 1", error);
  gboolean marked = s != NULL;
  if (marked) {
    sqlite3_bind_int64(s, 1, apply);
    marked = step_ok(catalog, s, error);
  }
  if (!end_durable(catalog, marked, error))
    return -1;
  GArray *ops = load_ops(catalog, "apply_id = ?1 AND state = 4", apply, error);
  if (!ops)
    return -1;
  ok = undo_ops(catalog, ops, func, user_data, &restored, error);
  g_array_free(ops, TRUE);
  if (!ok)
    return -1;
  /* Undone, even with failed steps: those wait in state 5, and the next
   * undo-apply goes on to the apply before. */
  s = _derush_catalog_stmt(catalog, "UPDATE file_applies SET undone = 1 WHERE id = ?", error);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, apply);
  if (!step_ok(catalog, s, error))
    return -1;
  return restored;
}
