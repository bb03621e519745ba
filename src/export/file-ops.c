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
 * kept for the next run, and never stops the other steps or older applies.
 *
 * Over 600 lines: planning, performing, recovering and undoing an apply
 * share the journal states and the crash rules, kept readable in one place
 * (the trash is trash.c, the journal's SQL catalog/file-ops-store.c).
 */
#include "export-private.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef DerushJournalOp Op;

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
  return _derush_catalog_journal_trash_claimed(c->cat, file, c->row);
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
                !_derush_catalog_path_known(plan->cat, dst);
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

static void
plan_row_cb(gint64 id, const char *path, gint64 pair_id, const char *pair_path, gpointer user_data)
{
  Plan *plan = user_data;
  /* A photo already at its destination folder stays where it is. */
  if (plan->dest && plan->action != DERUSH_APPLY_COPY_KEEPERS) {
    g_autofree char *dir = g_path_get_dirname(path);
    if (strcmp(dir, plan->dest) == 0)
      return;
  }
  plan_photo(plan, id, path, pair_id, pair_path);
}

static gboolean
make_plan(Plan *plan, const char *under, GError **error)
{
  DerushLabel label = plan->action == DERUSH_APPLY_TRASH || plan->action == DERUSH_APPLY_MOVE_TRASH
                          ? DERUSH_LABEL_TRASH
                          : DERUSH_LABEL_KEEP;
  return _derush_catalog_foreach_labelled_photo(plan->cat, under ? under : "/", label, plan_row_cb,
                                                plan, error);
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
  g_array_set_clear_func(plan->ops, _derush_journal_op_clear);
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
    ok = _derush_catalog_journal_plan(catalog, plan.ops, error);
  for (guint i = 0; ok && i < plan.ops->len; i++) {
    Op *op = &g_array_index(plan.ops, Op, i);
    g_autoptr(GError) op_error = NULL;
    if (perform(op, &op_error)) {
      /* The file moved: the journal must say so, or recovery will. */
      if (!_derush_catalog_journal_set(catalog, op, DERUSH_OP_DONE, error))
        ok = FALSE;
      summary->done++;
    } else {
      summary->failed++;
      _derush_catalog_journal_set(catalog, op, DERUSH_OP_SKIPPED, NULL);
    }
    report_op(op, op_error, func, user_data);
  }
  plan_clear(&plan);
  return ok;
}

/* ------------------------------------------------------ undo, recovery */

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
  gboolean pending = FALSE;
  if (!_derush_catalog_journal_has_pending(catalog, &pending, error))
    return -1;
  if (!pending)
    return 0;
  GArray *ops = _derush_catalog_journal_load_pending(catalog, error);
  if (!ops)
    return -1;
  gint64 repaired = 0;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < ops->len; i++) {
    Op *op = &g_array_index(ops, Op, i);
    int state = DERUSH_OP_SKIPPED;
    if (op->state == DERUSH_OP_UNDOING) {
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
      ok =
          _derush_catalog_journal_set(catalog, op, back ? DERUSH_OP_UNDONE : DERUSH_OP_DONE, error);
      repaired++;
      continue;
    }
    switch (op->kind) {
    case DERUSH_FILE_OP_MOVE:
      if (exists(op->dst) && !exists(op->src)) {
        state = DERUSH_OP_DONE;
      } else if (exists(op->dst) && exists(op->src) && file_size(op->dst) == file_size(op->src)) {
        unlink(op->src);
        state = DERUSH_OP_DONE;
      }
      break;
    case DERUSH_FILE_OP_COPY:
      if (exists(op->dst))
        state = DERUSH_OP_DONE;
      break;
    case DERUSH_FILE_OP_TRASH:
      if (!exists(op->src)) {
        /* Killed between the trash and its journal entry: find it (the
         * newest same-path file no other entry stands for). */
        g_clear_pointer(&op->dst, g_free);
        g_clear_pointer(&op->trash_info, g_free);
        trash_search(catalog, op);
        state = DERUSH_OP_DONE;
      }
      break;
    }
    ok = _derush_catalog_journal_set(catalog, op, state, error);
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
    if (!_derush_catalog_journal_set(catalog, op, done ? DERUSH_OP_UNDONE : DERUSH_OP_UNDO_FAILED,
                                     error))
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
  GArray *failed = _derush_catalog_journal_load_undo_failed(catalog, error);
  if (!failed)
    return -1;
  gboolean ok = undo_ops(catalog, failed, func, user_data, &restored, error);
  g_array_free(failed, TRUE);
  if (!ok)
    return -1;
  gint64 apply = _derush_catalog_journal_last_apply(catalog, error);
  if (apply < 0)
    return -1;
  if (apply == 0)
    return restored;
  /* Durably "being undone" before any file moves back, so a kill in the
   * middle is repaired by the next open like an apply is. */
  if (!_derush_catalog_journal_mark_undoing(catalog, apply, error))
    return -1;
  GArray *ops = _derush_catalog_journal_load_undoing(catalog, apply, error);
  if (!ops)
    return -1;
  ok = undo_ops(catalog, ops, func, user_data, &restored, error);
  g_array_free(ops, TRUE);
  if (!ok)
    return -1;
  /* Undone, even with failed steps: those wait in state 5, and the next
   * undo-apply goes on to the apply before. */
  if (!_derush_catalog_journal_mark_undone(catalog, apply, error))
    return -1;
  return restored;
}
