/* derush-apply-job.h: one dry run, apply or undo-apply on a worker thread
 * with its own catalog connection; derush-apply-dialog.c presents it. */
#pragma once

#include "derush-apply-dialog.h"

G_BEGIN_DECLS

typedef struct _DerushApplyJob DerushApplyJob;

/* One file the library reported, in a dry run or while applying. */
typedef struct {
  char *src;
  char *dst; /* a move's destination; NULL for trash and sidecars */
  gboolean is_photo;
  DerushSidecarResult xmp; /* sidecars: what the export said */
  char *reason;            /* why it would be (or was) left alone */
} DerushPlannedFile;

/* A dry run, an apply or an undo: the inputs, then what the worker saw. */
struct _DerushApplyJob {
  DerushApplyChoice choice;
  char *catalog_path;
  char *folder;
  char *dest;
  DerushXmpStyle style;
  gboolean dry_run;

  DerushApplySummary sum;   /* TRASH, MOVE */
  DerushSidecarSummary xmp; /* XMP */
  GArray *files;            /* DerushPlannedFile, dry runs only */
  gint64 total;             /* files the apply expects to handle (from its dry run) */
  int done;                 /* (atomic) files handled so far */
  int photos_done;          /* (atomic) photos moved, trashed or restored */
  int failed;               /* (atomic) */
  gint64 restored;          /* undo */
  char *first_error;        /* (owned) the first file that failed, for the toast */
  GMutex lock;              /* guards @first_error */
  GError *error;            /* the whole job failed (catalog unusable, journal) */
};

DerushApplyJob *_derush_apply_job_new(DerushApplyChoice choice, const char *catalog_path,
                                      const char *folder, const char *dest, DerushXmpStyle style,
                                      gboolean dry_run);
void _derush_apply_job_free(DerushApplyJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushApplyJob, _derush_apply_job_free)
DerushApplyAction _derush_apply_job_action(const DerushApplyJob *job);
void _derush_apply_job_worker(GTask *task, gpointer source_object, gpointer task_data,
                              GCancellable *cancellable);
void _derush_apply_undo_worker(GTask *task, gpointer source_object, gpointer task_data,
                               GCancellable *cancellable);
void _derush_apply_job_run(DerushApplyJob *job, gpointer source, GCancellable *cancellable,
                           GTaskThreadFunc worker, GAsyncReadyCallback callback,
                           gpointer source_tag);

G_END_DECLS
