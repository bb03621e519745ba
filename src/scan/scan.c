/* scan.c: bringing the catalog up to date with folders on disk.
 *
 * One thread (the caller's) walks the folders, owns the SQLite connection
 * and decides, folder by folder, what changed: a file whose size, mtime_ns
 * and inode match its row is not opened at all. New and changed files go to
 * a pool of worker threads, which read each one once (scan-job.c). At most
 * a few jobs per worker are in flight, so memory stays flat however large
 * the tree; results are applied in short write transactions (every
 * FLUSH_JOBS results or FLUSH_US), so another process can write between
 * them and a killed scan keeps everything committed so far.
 *
 * Moves: a new path is hashed before it is read. When a row with the same
 * size and content hash exists whose path is gone from disk, the row is
 * re-linked to the new path (keeping its id, so its labels follow) and the
 * file is not read further.
 *
 * Decisions made in other programs: the walk notes which photos have an XMP
 * sidecar next to them and which re-read files carry a changed embedded
 * rating; once every batch is in, those are turned into SIDECAR decisions
 * (export/sidecar.c). Sidecars are read there, on this thread, because
 * only those changed since derush last wrote or read them are opened: a
 * handful, not one per photo.
 *
 * Two scans of one tree at once (the app's and a terminal's) split the
 * work: a chunk of a folder's files that needs reading is claimed in the
 * catalog first (catalog/scan-claims.c). A chunk another live scan holds
 * is left for the end, when that scan has committed it; its files are then
 * unchanged and not opened again.
 *
 * Over 600 lines: the walk, the change decisions, moves and the batching
 * of writes all run on the one thread that owns the connection.
 */
#include "catalog/catalog-private.h"
#include "export/sidecar-hooks.h"
#include "scan-job.h"
#include "util/tsan-handoff.h"
#include "walk.h"
#include <errno.h>
#include <unistd.h>

#define FLUSH_JOBS 500
#define FLUSH_US (250 * 1000)
#define JOBS_PER_THREAD 4
#define PROGRESS_US (100 * 1000)
/* Files per claim: enough that claiming costs little (one short
 * transaction per chunk that needs reading), few enough that two scans of
 * one big folder still share it. */
#define CLAIM_CHUNK 64
#define CLAIM_WAIT_US (50 * 1000)

typedef enum {
  OP_APPLY_JOB,    /* a finished READ job: upsert its row */
  OP_MARK_PRESENT, /* a known row seen again unchanged */
  OP_MARK_MISSING, /* a known row whose file is gone */
  OP_RELINK,       /* a moved file: job holds the new path, id the row */
} OpKind;

typedef struct {
  OpKind kind;
  gint64 id;
  DerushScanJob *job; /* owned, for APPLY and RELINK */
} PendingOp;

/* Files of a chunk another scan had claimed, looked at again at the end. */
typedef struct {
  char *dir;
  int chunk;
  GPtrArray *names; /* char*, base names */
  GArray *stats;    /* struct stat from the walk, same order */
} DeferredChunk;

static void
deferred_chunk_free(gpointer p)
{
  DeferredChunk *d = p;
  g_free(d->dir);
  g_ptr_array_unref(d->names);
  g_array_unref(d->stats);
  g_free(d);
}

typedef struct {
  DerushCatalog *cat;
  const DerushScanOptions *opts;
  DerushScanSummary *sum;
  DerushWalker walker;
  DerushJobContext job_ctx;
  GThreadPool *pool;
  GAsyncQueue *done; /* finished jobs, from the workers */
  int in_flight;
  int max_in_flight;
  GArray *pending; /* PendingOp, applied by flush() */
  gint64 last_flush_us;
  gint64 last_progress_us;
  gint64 start_us;
  GHashTable *claimed;     /* row ids re-linked in this scan */
  GHashTable *missing_now; /* row ids marked missing in this scan */
  GHashTable *dirty_dirs;  /* folders whose RAW+JPEG pairs need a look */
  GPtrArray *sidecars;     /* sidecars next to the photos walked */
  GPtrArray *embedded;     /* re-read photos whose embedded rating changed */
  gint64 found, handled;
  gboolean walk_done;
  const char *current;
  GError *fatal;       /* the catalog failed: stop */
  gint64 claim_owner;  /* this scan's token in scan_claims */
  gboolean has_claims; /* it holds some: keep them alive at each flush */
  GPtrArray *deferred; /* DeferredChunk*: claimed by another scan */
  gboolean decoders_started;
} Scan;

static gboolean
cancelled(Scan *scan)
{
  return scan->opts->cancellable && g_cancellable_is_cancelled(scan->opts->cancellable);
}

static void
worker(gpointer data, gpointer user_data)
{
  Scan *scan = user_data;
  DerushScanJob *job = data;
  DERUSH_HANDOFF_ACQUIRE(job);
  /* Cancelled: queued jobs are dropped unread, not worked through. */
  if (!cancelled(scan))
    _derush_scan_job_run(job, &scan->job_ctx);
  else
    job->cancelled = TRUE;
  DERUSH_HANDOFF_RELEASE(job);
  /* The Scan lives on the caller's stack: after its last read here the
   * worker hands it back (g_thread_pool_free() waits for us, but GLib's
   * futex locks are invisible to ThreadSanitizer). */
  GAsyncQueue *done = scan->done;
  DERUSH_HANDOFF_RELEASE(scan);
  g_async_queue_push(done, job);
}

static void
report_bad(Scan *scan, const char *path, const char *reason)
{
  scan->sum->unreadable++;
  if (scan->opts->on_bad_file)
    scan->opts->on_bad_file(path, reason, scan->opts->user_data);
}

static void
push_op(Scan *scan, OpKind kind, gint64 id, DerushScanJob *job)
{
  PendingOp op = {kind, id, job};
  g_array_append_val(scan->pending, op);
}

static gboolean
apply_op(Scan *scan, PendingOp *op, GError **error)
{
  DerushScanJob *job = op->job;
  switch (op->kind) {
  case OP_MARK_PRESENT:
    return _derush_catalog_mark_present(scan->cat, op->id, error);
  case OP_MARK_MISSING:
    return _derush_catalog_mark_missing(scan->cat, op->id, error);
  case OP_RELINK:
    return _derush_catalog_relink(
        scan->cat, op->id, job->path, job->dir, job->name, (gint64)job->st.st_dev,
        (gint64)job->st.st_ino,
        (gint64)job->st.st_mtim.tv_sec * 1000000000 + job->st.st_mtim.tv_nsec, error);
  case OP_APPLY_JOB: {
    DerushPhotoRecord rec = {
        .path = job->path,
        .dir = job->dir,
        .name = job->name,
        .dev = (gint64)job->st.st_dev,
        .ino = (gint64)job->st.st_ino,
        .size = (gint64)job->st.st_size,
        .mtime_ns = (gint64)job->st.st_mtim.tv_sec * 1000000000 + job->st.st_mtim.tv_nsec,
        .content_hash = job->hash,
        .status = job->status,
        .reason = job->reason,
        .info = job->have_info ? &job->info : NULL,
        .meta = &job->meta,
    };
    /* Before the upsert, which overwrites the rating it compares with. */
    if (!_derush_sidecars_note_embedded(scan->cat, job->path, &job->meta, scan->embedded, error))
      return FALSE;
    return _derush_catalog_upsert_photo(scan->cat, &rec, NULL, error);
  }
  }
  return TRUE;
}

static void
clear_pending(Scan *scan)
{
  for (guint i = 0; i < scan->pending->len; i++)
    _derush_scan_job_free(g_array_index(scan->pending, PendingOp, i).job);
  g_array_set_size(scan->pending, 0);
}

/* Applies every pending op in one write transaction. */
static gboolean
flush(Scan *scan, gboolean final)
{
  scan->last_flush_us = g_get_monotonic_time();
  if (scan->pending->len == 0 && !(final && g_hash_table_size(scan->dirty_dirs) > 0))
    return TRUE;
  GError *error = NULL;
  if (!_derush_catalog_begin(scan->cat, &error))
    goto fail;
  if (scan->has_claims && !_derush_catalog_touch_claims(scan->cat, scan->claim_owner, &error))
    goto fail;
  for (guint i = 0; i < scan->pending->len; i++)
    if (!apply_op(scan, &g_array_index(scan->pending, PendingOp, i), &error))
      goto fail;
  if (final) {
    GHashTableIter it;
    gpointer dir;
    g_hash_table_iter_init(&it, scan->dirty_dirs);
    while (g_hash_table_iter_next(&it, &dir, NULL))
      if (!_derush_catalog_update_pairs(scan->cat, dir, &error))
        goto fail;
  }
  if (!_derush_catalog_commit(scan->cat, &error))
    goto fail;
  clear_pending(scan);
  return TRUE;
fail:
  _derush_catalog_rollback(scan->cat);
  clear_pending(scan);
  if (!scan->fatal)
    scan->fatal = error;
  else
    g_clear_error(&error);
  return FALSE;
}

static void
maybe_progress(Scan *scan, gboolean force)
{
  gint64 now = g_get_monotonic_time();
  if (!scan->opts->progress || (!force && now - scan->last_progress_us < PROGRESS_US))
    return;
  scan->last_progress_us = now;
  DerushScanProgress p = {
      .done = scan->handled,
      .found = scan->found,
      .walk_done = scan->walk_done,
      .elapsed = (now - scan->start_us) / 1e6,
      .current = scan->current,
  };
  scan->opts->progress(&p, scan->opts->user_data);
}

static void
submit(Scan *scan, DerushScanJob *job)
{
  /* The first file to read starts the decoders: a scan that finds nothing
   * new (derush label's) never pays for them. */
  if (!scan->decoders_started) {
    GError *error = NULL;
    if (!_derush_decoders_ensure(&error) && !scan->fatal)
      scan->fatal = error;
    else
      g_clear_error(&error);
    scan->decoders_started = TRUE;
  }
  scan->in_flight++;
  DERUSH_HANDOFF_RELEASE(job);
  g_thread_pool_push(scan->pool, job, NULL);
}

/* A hashed new path: a moved photo, or one to read in full. */
static void
handle_hashed(Scan *scan, DerushScanJob *job)
{
  GError *error = NULL;
  GArray *matches =
      _derush_catalog_find_by_hash(scan->cat, (gint64)job->st.st_size, job->hash, &error);
  if (!matches) {
    if (!scan->fatal)
      scan->fatal = error;
    else
      g_clear_error(&error);
    _derush_scan_job_free(job);
    return;
  }
  for (guint i = 0; i < matches->len; i++) {
    DerushHashMatch *m = &g_array_index(matches, DerushHashMatch, i);
    if (g_hash_table_contains(scan->claimed, &m->id) || strcmp(m->path, job->path) == 0)
      continue;
    struct stat st;
    /* The old path still holding a file means a copy, not a move. */
    if (lstat(m->path, &st) == 0 || errno != ENOENT)
      continue;
    gint64 *id = g_new(gint64, 1);
    *id = m->id;
    g_hash_table_add(scan->claimed, id);
    if (g_hash_table_remove(scan->missing_now, &m->id))
      scan->sum->missing--;
    g_autofree char *old_dir = g_path_get_dirname(m->path);
    g_hash_table_add(scan->dirty_dirs, g_steal_pointer(&old_dir));
    g_hash_table_add(scan->dirty_dirs, g_strdup(job->dir));
    scan->sum->moved++;
    scan->handled++;
    _derush_mapped_file_close(&job->file);
    job->mapped = FALSE;
    push_op(scan, OP_RELINK, m->id, job);
    _derush_hash_matches_free(matches);
    return;
  }
  _derush_hash_matches_free(matches);
  if (cancelled(scan)) {
    _derush_scan_job_free(job);
    return;
  }
  job->kind = DERUSH_JOB_READ;
  submit(scan, job);
}

static void
handle_done(Scan *scan, DerushScanJob *job)
{
  scan->in_flight--;
  scan->current = NULL;
  if (job->cancelled) {
    _derush_scan_job_free(job);
    return;
  }
  if (job->open_error) {
    gboolean vanished = g_error_matches(job->open_error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
    scan->handled++;
    if (vanished) {
      /* Gone between the walk and the read: nothing to record but that. */
      report_bad(scan, job->path, "vanished during the scan");
      if (job->row_id) {
        push_op(scan, OP_MARK_MISSING, job->row_id, NULL);
        scan->sum->missing++;
      }
      _derush_scan_job_free(job);
      return;
    }
    /* Unopenable (permissions...): recorded, so `ls` shows it and why. */
    job->status = DERUSH_PHOTO_UNREADABLE;
    job->reason = _derush_reason_without_path(job->open_error->message, job->path);
  } else if (job->kind == DERUSH_JOB_HASH) {
    handle_hashed(scan, job);
    return;
  } else {
    scan->handled++;
  }
  if (job->row_id)
    scan->sum->updated++;
  else
    scan->sum->added++;
  scan->sum->bytes_read += job->bytes;
  if (job->status == DERUSH_PHOTO_UNREADABLE)
    report_bad(scan, job->path, job->reason);
  g_hash_table_add(scan->dirty_dirs, g_strdup(job->dir));
  push_op(scan, OP_APPLY_JOB, 0, job);
}

/* Takes finished jobs: waits while too many are in flight (or all, when
 * @drain), and flushes when the batch is full or old. */
static void
collect(Scan *scan, gboolean drain)
{
  for (;;) {
    DerushScanJob *job;
    gboolean must_wait = drain ? scan->in_flight > 0 : scan->in_flight >= scan->max_in_flight;
    if (must_wait)
      job = g_async_queue_timeout_pop(scan->done, PROGRESS_US);
    else
      job = g_async_queue_try_pop(scan->done);
    if (job) {
      DERUSH_HANDOFF_ACQUIRE(job);
      handle_done(scan, job);
    }
    if (scan->pending->len >= FLUSH_JOBS ||
        (scan->pending->len > 0 && g_get_monotonic_time() - scan->last_flush_us > FLUSH_US))
      flush(scan, FALSE);
    maybe_progress(scan, FALSE);
    if (!job && !must_wait)
      return;
  }
}

static gboolean
same_version(const DerushRowState *row, const struct stat *st)
{
  gint64 mtime_ns = (gint64)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  return row->size == (gint64)st->st_size && row->mtime_ns == mtime_ns &&
         row->ino == (gint64)st->st_ino;
}

/* Unchanged, unless it was unreadable to older decoders: read again. */
static gboolean
is_unchanged(const DerushRowState *row, const struct stat *st)
{
  return row && same_version(row, st) &&
         !(row->status == DERUSH_PHOTO_UNREADABLE && row->reader < DERUSH_READER_VERSION);
}

/* One file found by the walk, compared with its row (nullable). */
static void
consider_file(Scan *scan, const char *dir, const char *name, const struct stat *st,
              const DerushRowState *row)
{
  scan->found++;
  scan->sum->files_seen++;
  _derush_sidecars_seen_add(scan->sidecars, dir, name);
  if (is_unchanged(row, st)) {
    scan->sum->unchanged++;
    scan->handled++;
    if (row->missing)
      push_op(scan, OP_MARK_PRESENT, row->id, NULL);
    /* Still bad: said again (without reading it again), so every scan's
     * report and exit status tell the truth about the tree. */
    if (row->status == DERUSH_PHOTO_UNREADABLE) {
      g_autofree char *path = g_build_filename(dir, name, NULL);
      report_bad(scan, path, row->reason ? row->reason : "unreadable");
    }
    return;
  }
  if (cancelled(scan))
    return;
  DerushScanJob *job = _derush_scan_job_new(row ? DERUSH_JOB_READ : DERUSH_JOB_HASH, dir, name, st,
                                            row ? row->id : 0);
  scan->current = job->path;
  submit(scan, job);
  collect(scan, FALSE);
}

/* A photo-named entry that is no photo file (a FIFO, a symlink loop, a
 * dangling link): reported, and recorded as unreadable with the reason, so
 * `ls` shows it like any bad photo (the file itself is never opened: a
 * FIFO would block). */
static void
record_bad_entry(Scan *scan, const char *dir, const DerushWalkEntry *e, const DerushRowState *row)
{
  g_autofree char *path = g_build_filename(dir, e->name, NULL);
  report_bad(scan, path, e->reason);
  if (!e->photo)
    return;
  /* Recorded (added, updated or unchanged) but not a file seen: the
   * summary's "Scanned N files" counts files. */
  if (row && row->status == DERUSH_PHOTO_UNREADABLE && same_version(row, &e->st)) {
    scan->sum->unchanged++;
    if (row->missing)
      push_op(scan, OP_MARK_PRESENT, row->id, NULL);
    return;
  }
  DerushScanJob *job =
      _derush_scan_job_new(DERUSH_JOB_READ, dir, e->name, &e->st, row ? row->id : 0);
  job->status = DERUSH_PHOTO_UNREADABLE;
  job->reason = g_strdup(e->reason);
  job->meta.time_source = DERUSH_TIME_FILE_MTIME;
  job->meta.capture_time_ns = (gint64)e->st.st_mtim.tv_sec * 1000000000 + e->st.st_mtim.tv_nsec;
  if (row)
    scan->sum->updated++;
  else
    scan->sum->added++;
  g_hash_table_add(scan->dirty_dirs, g_strdup(dir));
  push_op(scan, OP_APPLY_JOB, 0, job);
}

/* Claims (@dir, @chunk) for this scan; FALSE when another live scan holds
 * it, or the catalog failed (scan->fatal set). */
static gboolean
claim(Scan *scan, const char *dir, int chunk)
{
  gboolean granted = FALSE;
  GError *error = NULL;
  if (!_derush_catalog_claim_chunk(scan->cat, scan->claim_owner, dir, chunk, &granted, &error)) {
    if (!scan->fatal)
      scan->fatal = error;
    else
      g_clear_error(&error);
    return FALSE;
  }
  scan->has_claims |= granted;
  return granted;
}

/* @dir's rows as they are now when another connection committed since
 * @rows_version (the data version before the caller read its rows): a scan
 * that held this chunk may have added its files and let it go. NULL when
 * nothing changed (or on error: scan->fatal set). */
static GHashTable *
fresh_rows(Scan *scan, const char *dir, gint64 rows_version)
{
  gint64 now;
  GError *error = NULL;
  if (!_derush_catalog_data_version(scan->cat, &now, &error)) {
    scan->fatal = error;
    return NULL;
  }
  if (now == rows_version)
    return NULL;
  GHashTable *rows = _derush_catalog_dir_rows(scan->cat, dir, &error);
  if (!rows)
    scan->fatal = error;
  return rows;
}

/* Files [@start, @end) of @files (DerushWalkEntry*), chunk @chunk of
 * folder @dir: looked at now, or, when they need reading and another scan
 * has claimed them, at the end (scan_deferred). Their rows leave @rows
 * either way, so they are not taken for missing. @rows were read at data
 * version @rows_version. */
static void
scan_chunk(Scan *scan, const char *dir, int chunk, GPtrArray *files, guint start, guint end,
           GHashTable *rows, gint64 rows_version)
{
  gboolean work = FALSE;
  for (guint k = start; k < end && !work; k++) {
    DerushWalkEntry *e = files->pdata[k];
    work = !is_unchanged(g_hash_table_lookup(rows, e->name), &e->st);
  }
  if (work && !claim(scan, dir, chunk)) {
    if (scan->fatal)
      return;
    DeferredChunk *d = g_new0(DeferredChunk, 1);
    d->dir = g_strdup(dir);
    d->chunk = chunk;
    d->names = g_ptr_array_new_with_free_func(g_free);
    d->stats = g_array_new(FALSE, FALSE, sizeof(struct stat));
    for (guint k = start; k < end; k++) {
      DerushWalkEntry *e = files->pdata[k];
      g_ptr_array_add(d->names, g_strdup(e->name));
      g_array_append_val(d->stats, e->st);
      g_hash_table_remove(rows, e->name);
    }
    g_ptr_array_add(scan->deferred, d);
    return;
  }
  g_autoptr(GHashTable) fresh = work ? fresh_rows(scan, dir, rows_version) : NULL;
  for (guint k = start; k < end && !scan->fatal; k++) {
    DerushWalkEntry *e = files->pdata[k];
    consider_file(scan, dir, e->name, &e->st, g_hash_table_lookup(fresh ? fresh : rows, e->name));
    g_hash_table_remove(rows, e->name);
  }
}

/* The chunks other scans held: waits for each to be released (committed),
 * then compares its files with the rows as they are now. */
static void
scan_deferred(Scan *scan)
{
  for (guint i = 0; i < scan->deferred->len && !scan->fatal && !cancelled(scan); i++) {
    DeferredChunk *d = scan->deferred->pdata[i];
    while (!claim(scan, d->dir, d->chunk)) {
      if (scan->fatal || cancelled(scan))
        return;
      maybe_progress(scan, FALSE);
      g_usleep(CLAIM_WAIT_US);
    }
    GError *error = NULL;
    g_autoptr(GHashTable) rows = _derush_catalog_dir_rows(scan->cat, d->dir, &error);
    if (!rows) {
      scan->fatal = error;
      return;
    }
    for (guint k = 0; k < d->names->len && !scan->fatal; k++)
      consider_file(scan, d->dir, d->names->pdata[k], &g_array_index(d->stats, struct stat, k),
                    g_hash_table_lookup(rows, d->names->pdata[k]));
  }
}

/* Claims are dropped once what they covered is committed. */
static void
release_claims(Scan *scan)
{
  if (!scan->has_claims)
    return;
  GError *error = NULL;
  if (!_derush_catalog_release_claims(scan->cat, scan->claim_owner, &error)) {
    /* Left behind, they expire with this process: not worth failing for. */
    g_clear_error(&error);
    return;
  }
  scan->has_claims = FALSE;
}

static void
scan_dir(Scan *scan, const char *dir, GQueue *todo)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) entries = _derush_walker_read_dir(&scan->walker, dir, &error);
  if (!entries) {
    report_bad(scan, dir, error->message);
    g_error_free(error);
    return;
  }
  scan->sum->dirs_walked++;
  /* Taken before the rows: a commit in between makes it differ (a
   * needless second read at worst, never stale rows taken for fresh). */
  gint64 rows_version;
  if (!_derush_catalog_data_version(scan->cat, &rows_version, &error)) {
    scan->fatal = error;
    return;
  }
  g_autoptr(GHashTable) rows = _derush_catalog_dir_rows(scan->cat, dir, &error);
  if (!rows) {
    scan->fatal = error;
    return;
  }
  /* Sub-folders go on the front of the queue in order: a depth-first walk
   * keeps the set of open folders small. Files are looked at after, by
   * chunks. */
  GList *first_sub = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  for (guint i = 0; i < entries->len; i++) {
    DerushWalkEntry *e = entries->pdata[i];
    g_autofree char *path = g_build_filename(dir, e->name, NULL);
    switch (e->kind) {
    case DERUSH_WALK_DIR:
      if (!_derush_walker_visit(&scan->walker, &e->st)) {
        if (scan->walker.follow_symlinks)
          report_bad(scan, path, "symlink loop: folder already scanned");
        break;
      }
      if (!first_sub) {
        g_queue_push_head(todo, g_steal_pointer(&path));
        first_sub = todo->head;
      } else {
        g_queue_insert_after(todo, first_sub, g_steal_pointer(&path));
        first_sub = first_sub->next;
      }
      break;
    case DERUSH_WALK_BAD: {
      DerushRowState *row = g_hash_table_lookup(rows, e->name);
      record_bad_entry(scan, dir, e, row);
      if (row)
        g_hash_table_remove(rows, e->name);
      break;
    }
    case DERUSH_WALK_FILE:
      g_ptr_array_add(files, e);
      break;
    }
  }
  for (guint start = 0; start < files->len && !scan->fatal; start += CLAIM_CHUNK)
    scan_chunk(scan, dir, (int)(start / CLAIM_CHUNK), files, start,
               MIN(files->len, start + CLAIM_CHUNK), rows, rows_version);
  if (scan->fatal)
    return;
  /* Rows left over have no file any more. */
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, rows);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    DerushRowState *row = value;
    if (row->missing)
      continue;
    push_op(scan, OP_MARK_MISSING, row->id, NULL);
    gint64 *id = g_new(gint64, 1);
    *id = row->id;
    g_hash_table_add(scan->missing_now, id);
    scan->sum->missing++;
    g_hash_table_add(scan->dirty_dirs, g_strdup(dir));
  }
}

/* Folders the catalog knows under @root that the walk did not reach: when
 * they are gone from disk, their photos are missing. Folders that exist
 * but were skipped (excluded, hidden, unreadable) are left as they were. */
static void
mark_vanished_dirs(Scan *scan, const char *root)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) dirs = _derush_catalog_dirs_under(scan->cat, root, &error);
  if (!dirs) {
    scan->fatal = error;
    return;
  }
  for (guint i = 0; i < dirs->len; i++) {
    const char *dir = dirs->pdata[i];
    struct stat st;
    if (stat(dir, &st) == 0 || errno != ENOENT)
      continue;
    g_autoptr(GHashTable) rows = _derush_catalog_dir_rows(scan->cat, dir, &error);
    if (!rows) {
      scan->fatal = error;
      return;
    }
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, rows);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
      DerushRowState *row = value;
      if (row->missing || g_hash_table_contains(scan->claimed, &row->id))
        continue;
      push_op(scan, OP_MARK_MISSING, row->id, NULL);
      scan->sum->missing++;
    }
  }
}

static void
scan_root(Scan *scan, const char *root, const struct stat *st)
{
  if (!S_ISDIR(st->st_mode)) {
    /* A single file: compare it with its own row only. */
    g_autofree char *dir = g_path_get_dirname(root);
    g_autofree char *name = g_path_get_basename(root);
    DerushRowState row;
    GError *error = NULL;
    gboolean known = _derush_catalog_row_by_path(scan->cat, root, &row, &error);
    if (error) {
      scan->fatal = error;
      return;
    }
    consider_file(scan, dir, name, st, known ? &row : NULL);
    if (known)
      _derush_row_state_clear(&row);
    return;
  }
  GQueue todo = G_QUEUE_INIT;
  _derush_walker_visit(&scan->walker, st);
  g_queue_push_head(&todo, g_strdup(root));
  char *dir;
  while (!scan->fatal && !cancelled(scan) && (dir = g_queue_pop_head(&todo))) {
    scan->current = dir;
    scan_dir(scan, dir, &todo);
    collect(scan, FALSE);
    scan->current = NULL;
    g_free(dir);
  }
  gboolean complete = g_queue_is_empty(&todo);
  g_queue_clear_full(&todo, g_free);
  if (complete && !scan->fatal && !cancelled(scan)) {
    collect(scan, TRUE); /* moves must be settled before "vanished" */
    mark_vanished_dirs(scan, root);
  }
}

/**
 * derush_scan_options_init:
 * @options: (out): the options to fill
 *
 * Defaults: hidden entries skipped, symlinked folders not followed,
 * thumbnails made, one worker per core.
 */
void
derush_scan_options_init(DerushScanOptions *options)
{
  memset(options, 0, sizeof *options);
  options->thumbnails = TRUE;
}

/* An absolute, normalised path without resolving symlinks (the user's view). */
static char *
absolute_root(const char *root)
{
  char *path = g_canonicalize_filename(root, NULL);
  return path;
}

/**
 * derush_catalog_scan:
 * @roots: NULL-terminated folders or files
 * @options: (nullable): scan options, NULL for the defaults
 * @summary: (out) (optional): what the scan found and did
 *
 * See derush.h. Bad files are reported through @options->on_bad_file and
 * counted in @summary->unreadable (folders that cannot be read too).
 *
 * Returns: FALSE when a root cannot be scanned at all, the catalog fails,
 * or the scan was cancelled (DERUSH_ERROR_CANCELLED); what was done until
 * then is committed and counted in @summary.
 */
gboolean
derush_catalog_scan(DerushCatalog *catalog, const char *const *roots,
                    const DerushScanOptions *options, DerushScanSummary *summary, GError **error)
{
  DerushScanOptions defaults;
  if (!options) {
    derush_scan_options_init(&defaults);
    options = &defaults;
  }
  DerushScanSummary unused;
  if (!summary)
    summary = &unused; /* (optional): a caller that wants no counts */
  memset(summary, 0, sizeof *summary);

  /* Every root is checked before anything is touched: a typo in the second
   * folder must not leave the first half-scanned. */
  g_autoptr(GPtrArray) abs_roots = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) stats = g_array_new(FALSE, FALSE, sizeof(struct stat));
  for (int i = 0; roots && roots[i]; i++) {
    char *abs = absolute_root(roots[i]);
    struct stat st;
    if (stat(abs, &st) != 0) {
      _derush_set_errno_error(error, errno,
                              errno == ENOENT ? "no such file or folder" : "cannot read", abs);
      g_free(abs);
      return FALSE;
    }
    if (S_ISDIR(st.st_mode) && access(abs, R_OK | X_OK) != 0) {
      _derush_set_errno_error(error, errno, "cannot read folder", abs);
      g_free(abs);
      return FALSE;
    }
    g_ptr_array_add(abs_roots, abs);
    g_array_append_val(stats, st);
  }

  gint64 counters_before[DERUSH_N_COUNTERS];
  derush_counters_snapshot(counters_before);

  Scan scan = {0};
  scan.cat = catalog;
  scan.opts = options;
  scan.sum = summary;
  scan.start_us = scan.last_flush_us = g_get_monotonic_time();
  _derush_walker_init(&scan.walker, options);
  scan.job_ctx.cache_dir = derush_catalog_get_cache_dir(catalog);
  scan.job_ctx.thumbnails = options->thumbnails;
  int threads = options->threads > 0 ? options->threads : (int)g_get_num_processors();
  scan.max_in_flight = threads * JOBS_PER_THREAD;
  scan.done = g_async_queue_new();
  scan.pool = g_thread_pool_new(worker, &scan, threads, TRUE, NULL);
  scan.pending = g_array_new(FALSE, FALSE, sizeof(PendingOp));
  scan.claimed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  scan.missing_now = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  scan.dirty_dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  scan.sidecars = _derush_sidecars_seen_new();
  scan.embedded = _derush_sidecars_seen_new();
  scan.deferred = g_ptr_array_new_with_free_func(deferred_chunk_free);
  scan.claim_owner = ((gint64)g_random_int() << 31) ^ g_random_int();

  for (guint i = 0; i < abs_roots->len && !scan.fatal && !cancelled(&scan); i++)
    scan_root(&scan, abs_roots->pdata[i], &g_array_index(stats, struct stat, i));
  /* What this scan read is committed before its claims go, then the
   * chunks other scans held are looked at (unchanged by now). */
  collect(&scan, TRUE);
  if (!scan.fatal)
    flush(&scan, FALSE);
  release_claims(&scan);
  if (!scan.fatal)
    scan_deferred(&scan);
  scan.walk_done = TRUE;
  collect(&scan, TRUE);
  if (!scan.fatal)
    flush(&scan, TRUE);
  release_claims(&scan);
  /* Rows are all in: decisions from sidecars can find their photos. */
  if (!scan.fatal && !cancelled(&scan))
    _derush_sidecars_apply_scan(catalog, scan.sidecars, scan.embedded, &scan.fatal);
  maybe_progress(&scan, TRUE);

  g_thread_pool_free(scan.pool, FALSE, TRUE);
  DERUSH_HANDOFF_ACQUIRE(&scan);
  /* Jobs finished after a fatal error are dropped, not applied. */
  DerushScanJob *job;
  while ((job = g_async_queue_try_pop(scan.done))) {
    DERUSH_HANDOFF_ACQUIRE(job);
    _derush_scan_job_free(job);
  }
  g_async_queue_unref(scan.done);
  clear_pending(&scan);
  g_array_free(scan.pending, TRUE);
  g_hash_table_destroy(scan.claimed);
  g_hash_table_destroy(scan.missing_now);
  g_hash_table_destroy(scan.dirty_dirs);
  g_ptr_array_unref(scan.sidecars);
  g_ptr_array_unref(scan.embedded);
  g_ptr_array_unref(scan.deferred);
  _derush_walker_clear(&scan.walker);

  summary->metadata_parsed = derush_counter_get(DERUSH_COUNTER_METADATA_PARSED) -
                             counters_before[DERUSH_COUNTER_METADATA_PARSED];
  summary->thumbnails_written = derush_counter_get(DERUSH_COUNTER_THUMBNAILS_WRITTEN) -
                                counters_before[DERUSH_COUNTER_THUMBNAILS_WRITTEN];
  summary->seconds = (g_get_monotonic_time() - scan.start_us) / 1e6;

  if (scan.fatal) {
    g_propagate_error(error, scan.fatal);
    return FALSE;
  }
  if (cancelled(&scan)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CANCELLED, "scan cancelled");
    return FALSE;
  }
  return TRUE;
}
