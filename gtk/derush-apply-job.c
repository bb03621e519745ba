/* derush-apply-job.c: the apply dialog's jobs: a dry run, an apply or an
 * undo-apply, run on a worker with its own catalog connection.
 *
 * The job collects what the library reports (files, counts, the first
 * error) and tells the main thread in signals; it knows nothing of
 * widgets, so the dialog only presents it (derush-apply-dialog.c):
 *
 *   progress (done, total): files handled so far, every PROGRESS_MS while
 *     an apply or undo runs (read from atomic counters: the worker never
 *     queues idles) and once at the end; not for dry runs.
 *   done: the job ran; files that failed are counted in @failed.
 *   failed (error): the whole job failed (catalog unusable, journal).
 *
 * The worker's task holds the job until it has reported, so a caller may
 * drop its reference at once (the undo does); one that no longer wants
 * the answer (a dry run superseded) disconnects and cancels.
 */
#include "derush-apply-job.h"

#define PROGRESS_MS 100

enum { SIGNAL_PROGRESS, SIGNAL_DONE, SIGNAL_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(DerushApplyJob, derush_apply_job, G_TYPE_OBJECT)

static void
planned_file_clear(gpointer p)
{
  DerushPlannedFile *f = p;
  g_free(f->src);
  g_free(f->dst);
  g_free(f->reason);
}

static DerushApplyAction
job_action(const DerushApplyJob *job)
{
  return job->choice == DERUSH_APPLY_CHOICE_MOVE ? DERUSH_APPLY_MOVE_TRASH : DERUSH_APPLY_TRASH;
}

static void
job_note_error(DerushApplyJob *job, const char *path, const GError *error)
{
  g_atomic_int_inc(&job->failed);
  g_mutex_lock(&job->lock);
  if (!job->first_error) {
    g_autofree char *display = g_filename_display_name(path);
    job->first_error = g_strdup_printf("%s: %s", display, error->message);
  }
  g_mutex_unlock(&job->lock);
}

/* Worker thread, for each file of an apply's plan or an undo. */
static void
op_cb(const DerushFileOp *op, const GError *error, gpointer user_data)
{
  DerushApplyJob *job = user_data;
  if (job->dry_run) {
    DerushPlannedFile f = {g_strdup(op->src), g_strdup(op->dst), op->is_photo, 0, NULL};
    g_array_append_val(job->files, f);
    return;
  }
  if (error)
    job_note_error(job, op->src, error);
  else if (op->is_photo)
    g_atomic_int_inc(&job->photos_done);
  g_atomic_int_inc(&job->done);
}

/* Worker thread, for each sidecar of an export. */
static void
sidecar_cb(const char *path, DerushSidecarResult result, const GError *error, gpointer user_data)
{
  DerushApplyJob *job = user_data;
  if (job->dry_run) {
    DerushPlannedFile f = {g_strdup(path), NULL, FALSE, result,
                           g_strdup(error ? error->message : NULL)};
    g_array_append_val(job->files, f);
    return;
  }
  if (result == DERUSH_SIDECAR_FAILED)
    job_note_error(job, path, error);
  g_atomic_int_inc(&job->done);
}

/* Runs the job on the worker's own catalog connection; @error is set when
 * the whole of it failed. */
static void
worker(GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  DerushApplyJob *job = source_object;
  DerushCatalog *catalog = derush_catalog_open(job->catalog_path, &job->error);
  if (catalog) {
    if (job->undo)
      job->restored = derush_catalog_undo_apply(catalog, op_cb, job, &job->error);
    else if (job->choice == DERUSH_APPLY_CHOICE_XMP)
      derush_catalog_export_sidecars(catalog, job->folder, NULL, 0, job->style,
                                     job->dry_run ? DERUSH_SIDECAR_DRY_RUN : 0, sidecar_cb, job,
                                     &job->xmp, &job->error);
    else if (job->dry_run)
      derush_catalog_plan_apply(catalog, job_action(job), job->folder, job->dest, op_cb, job,
                                &job->sum, &job->error);
    else
      derush_catalog_apply(catalog, job_action(job), job->folder, job->dest, op_cb, job, &job->sum,
                           &job->error);
    derush_catalog_close(catalog);
  }
  g_task_return_boolean(task, TRUE);
}

static void
emit_progress(DerushApplyJob *self)
{
  g_signal_emit(self, signals[SIGNAL_PROGRESS], 0, g_atomic_int_get(&self->done), self->total);
}

static gboolean
progress_cb(gpointer data)
{
  emit_progress(data);
  return G_SOURCE_CONTINUE;
}

static void
finished_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  DerushApplyJob *self = DERUSH_APPLY_JOB(source);
  self->running = FALSE;
  g_clear_handle_id(&self->progress_source, g_source_remove);
  if (!self->dry_run)
    emit_progress(self);
  if (self->error)
    g_signal_emit(self, signals[SIGNAL_FAILED], 0, self->error);
  else
    g_signal_emit(self, signals[SIGNAL_DONE], 0);
}

/**
 * derush_apply_job_start:
 * @cancellable: (nullable): only a dry run stops early; an apply and an
 *   undo always finish (they are journaled file moves).
 *
 * Runs the job on a worker; "done" or "failed" follows on this thread.
 */
void
derush_apply_job_start(DerushApplyJob *self, GCancellable *cancellable)
{
  g_return_if_fail(DERUSH_IS_APPLY_JOB(self));
  g_return_if_fail(!self->running);
  self->running = TRUE;
  g_autoptr(GTask) task = g_task_new(self, cancellable, finished_cb, NULL);
  g_task_set_source_tag(task, derush_apply_job_start);
  if (!self->dry_run) {
    emit_progress(self);
    self->progress_source = g_timeout_add(PROGRESS_MS, progress_cb, self);
  }
  g_task_run_in_thread(task, worker);
}

/** derush_apply_job_is_running: the worker has not reported yet. */
gboolean
derush_apply_job_is_running(DerushApplyJob *self)
{
  return self->running;
}

static void
derush_apply_job_finalize(GObject *object)
{
  DerushApplyJob *self = DERUSH_APPLY_JOB(object);
  g_clear_handle_id(&self->progress_source, g_source_remove);
  g_free(self->catalog_path);
  g_free(self->folder);
  g_free(self->dest);
  g_array_unref(self->files);
  g_free(self->first_error);
  g_mutex_clear(&self->lock);
  g_clear_error(&self->error);
  G_OBJECT_CLASS(derush_apply_job_parent_class)->finalize(object);
}

static void
derush_apply_job_class_init(DerushApplyJobClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = derush_apply_job_finalize;
  signals[SIGNAL_PROGRESS] =
      g_signal_new("progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT64);
  signals[SIGNAL_DONE] = g_signal_new("done", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                      NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new("failed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
derush_apply_job_init(DerushApplyJob *self)
{
  self->files = g_array_new(FALSE, TRUE, sizeof(DerushPlannedFile));
  g_array_set_clear_func(self->files, planned_file_clear);
  g_mutex_init(&self->lock);
}

/**
 * derush_apply_job_new:
 * @dest: (nullable): MOVE's folder.
 * @dry_run: only list what would happen (derush_catalog_plan_apply(), or
 *   the export's dry run), into @files.
 *
 * Returns: (transfer full): the job, not started.
 */
DerushApplyJob *
derush_apply_job_new(DerushApplyChoice choice, const char *catalog_path, const char *folder,
                     const char *dest, DerushXmpStyle style, gboolean dry_run)
{
  DerushApplyJob *self = g_object_new(DERUSH_TYPE_APPLY_JOB, NULL);
  self->choice = choice;
  self->catalog_path = g_strdup(catalog_path);
  self->folder = g_strdup(folder);
  self->dest = g_strdup(dest);
  self->style = style;
  self->dry_run = dry_run;
  return self;
}

/** derush_apply_job_new_undo: Returns: (transfer full): the undo of the last apply, not started. */
DerushApplyJob *
derush_apply_job_new_undo(const char *catalog_path)
{
  DerushApplyJob *self =
      derush_apply_job_new(DERUSH_APPLY_CHOICE_TRASH, catalog_path, NULL, NULL, 0, FALSE);
  self->undo = TRUE;
  return self;
}
