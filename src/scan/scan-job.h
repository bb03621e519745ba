/* scan-job.h: the work done on one file by a scanner worker thread. */
#ifndef DERUSH_SCAN_JOB_H
#define DERUSH_SCAN_JOB_H

#include "derush-private.h"
#include <sys/stat.h>

typedef enum {
  DERUSH_JOB_HASH, /* new path: hash it, so the scanner can spot a moved photo */
  DERUSH_JOB_READ, /* new or changed content: read metadata, header, thumbnail */
} DerushJobKind;

typedef struct {
  DerushJobKind kind;
  char *path;
  char *dir;
  const char *name; /* inside path */
  gint64 row_id;    /* the existing row at this path (changed file), or 0 */
  struct stat st;   /* from the walk */

  /* Kept open between the HASH and READ steps: one open() per file. */
  DerushMappedFile file;
  gboolean mapped;
  guint64 hash;

  /* Results. */
  GError *open_error; /* the file could not be opened at all */
  DerushPhotoStatus status;
  char *reason;
  DerushMeta meta;
  DerushImageInfo info;
  gboolean have_info;
  gint64 bytes;
  gboolean cancelled; /* dropped unread: the scan was cancelled */
} DerushScanJob;

typedef struct {
  const char *cache_dir;
  gboolean thumbnails;
} DerushJobContext;

DerushScanJob *_derush_scan_job_new(DerushJobKind kind, const char *dir, const char *name,
                                    const struct stat *st, gint64 row_id);
void _derush_scan_job_free(DerushScanJob *job);

/* Runs @job on a worker thread (no catalog access: the scanner's thread
 * owns the connection and applies the results). */
void _derush_scan_job_run(DerushScanJob *job, const DerushJobContext *ctx);

#endif
