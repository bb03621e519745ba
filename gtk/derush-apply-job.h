/* derush-apply-job.h: one dry run, apply or undo-apply on a worker thread
 * with its own catalog connection; derush-apply-dialog.c presents it. */
#pragma once

#include <gio/gio.h>
#include "derush.h"

G_BEGIN_DECLS

/* What the dialog does to the open folder's photos. */
typedef enum {
  DERUSH_APPLY_CHOICE_TRASH, /* photos labelled trash -> the desktop trash */
  DERUSH_APPLY_CHOICE_MOVE,  /* photos labelled trash -> a folder */
  DERUSH_APPLY_CHOICE_XMP,   /* every labelled photo's decision -> its XMP sidecar */
} DerushApplyChoice;

/* One file the library reported, in a dry run or while applying. */
typedef struct {
  char *src;
  char *dst; /* a move's destination; NULL for trash and sidecars */
  gboolean is_photo;
  DerushSidecarResult xmp; /* sidecars: what the export said */
  char *reason;            /* why it would be (or was) left alone */
} DerushPlannedFile;

#define DERUSH_TYPE_APPLY_JOB (derush_apply_job_get_type())
G_DECLARE_FINAL_TYPE(DerushApplyJob, derush_apply_job, DERUSH, APPLY_JOB, GObject)

/* A dry run, an apply or an undo: the inputs, then what the worker saw
 * (read them after "done" or "failed"). */
struct _DerushApplyJob {
  GObject parent_instance;

  DerushApplyChoice choice;
  char *catalog_path;
  char *folder;
  char *dest;
  DerushXmpStyle style;
  gboolean dry_run;
  gboolean undo;

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

  guint progress_source;
  gboolean running;
};

DerushApplyJob *derush_apply_job_new(DerushApplyChoice choice, const char *catalog_path,
                                     const char *folder, const char *dest, DerushXmpStyle style,
                                     gboolean dry_run);
DerushApplyJob *derush_apply_job_new_undo(const char *catalog_path);
void derush_apply_job_start(DerushApplyJob *self, GCancellable *cancellable);
gboolean derush_apply_job_is_running(DerushApplyJob *self);

G_END_DECLS
