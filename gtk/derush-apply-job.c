/* derush-apply-job.c: the apply dialog's jobs: a dry run, an apply or an
 * undo-apply, run on a worker with its own catalog connection. The job
 * collects what the library reports (files, counts, the first error) for
 * the dialog to show; it knows nothing of widgets. */
#include "derush-apply-job.h"

static void
planned_file_clear(gpointer p)
{
  DerushPlannedFile *f = p;
  g_free(f->src);
  g_free(f->dst);
  g_free(f->reason);
}

DerushApplyJob *
_derush_apply_job_new(DerushApplyChoice choice, const char *catalog_path, const char *folder,
                      const char *dest, DerushXmpStyle style, gboolean dry_run)
{
  DerushApplyJob *job = g_new0(DerushApplyJob, 1);
  job->choice = choice;
  job->catalog_path = g_strdup(catalog_path);
  job->folder = g_strdup(folder);
  job->dest = g_strdup(dest);
  job->style = style;
  job->dry_run = dry_run;
  job->files = g_array_new(FALSE, TRUE, sizeof(DerushPlannedFile));
  g_array_set_clear_func(job->files, planned_file_clear);
  g_mutex_init(&job->lock);
  return job;
}

void
_derush_apply_job_free(DerushApplyJob *job)
{
  g_free(job->catalog_path);
  g_free(job->folder);
  g_free(job->dest);
  g_array_unref(job->files);
  g_free(job->first_error);
  g_mutex_clear(&job->lock);
  g_clear_error(&job->error);
  g_free(job);
}

DerushApplyAction
_derush_apply_job_action(const DerushApplyJob *job)
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

/* Runs a dry run or an apply on the worker's own catalog connection; the
 * job is always the result, with @error set when the whole of it failed. */
void
_derush_apply_job_worker(GTask *task, gpointer source_object, gpointer task_data,
                         GCancellable *cancellable)
{
  DerushApplyJob *job = task_data;
  DerushCatalog *catalog = derush_catalog_open(job->catalog_path, &job->error);
  if (catalog) {
    if (job->choice == DERUSH_APPLY_CHOICE_XMP)
      derush_catalog_export_sidecars(catalog, job->folder, NULL, 0, job->style,
                                     job->dry_run ? DERUSH_SIDECAR_DRY_RUN : 0, sidecar_cb, job,
                                     &job->xmp, &job->error);
    else if (job->dry_run)
      derush_catalog_plan_apply(catalog, _derush_apply_job_action(job), job->folder, job->dest,
                                op_cb, job, &job->sum, &job->error);
    else
      derush_catalog_apply(catalog, _derush_apply_job_action(job), job->folder, job->dest, op_cb,
                           job, &job->sum, &job->error);
    derush_catalog_close(catalog);
  }
  g_task_return_pointer(task, task_data, (GDestroyNotify)_derush_apply_job_free);
}

void
_derush_apply_undo_worker(GTask *task, gpointer source_object, gpointer task_data,
                          GCancellable *cancellable)
{
  DerushApplyJob *job = task_data;
  DerushCatalog *catalog = derush_catalog_open(job->catalog_path, &job->error);
  if (catalog) {
    job->restored = derush_catalog_undo_apply(catalog, op_cb, job, &job->error);
    derush_catalog_close(catalog);
  }
  g_task_return_pointer(task, task_data, (GDestroyNotify)_derush_apply_job_free);
}

/* Runs @job on a worker; @callback gets it back with g_task_propagate_pointer(). */
void
_derush_apply_job_run(DerushApplyJob *job, gpointer source, GCancellable *cancellable,
                      GTaskThreadFunc worker, GAsyncReadyCallback callback, gpointer source_tag)
{
  g_autoptr(GTask) task = g_task_new(source, cancellable, callback, NULL);
  g_task_set_source_tag(task, source_tag);
  /* The worker hands the job back as the result, which GTask frees when
   * nobody takes it (a cancelled dry run). */
  g_task_set_task_data(task, job, NULL);
  g_task_run_in_thread(task, worker);
}
