/* derush-scan.h: the folder scan (part of the public API; include derush.h). */
#ifndef DERUSH_SCAN_H
#define DERUSH_SCAN_H

#include "derush-catalog.h"

G_BEGIN_DECLS

typedef struct {
  gint64 files_seen; /* photo files found by the walk */
  gint64 dirs_walked;
  gint64 added;      /* new photos, read in full */
  gint64 updated;    /* changed photos (size, mtime or inode), re-read */
  gint64 unchanged;  /* not opened at all */
  gint64 moved;      /* new path, known content: re-linked, not re-read */
  gint64 missing;    /* known photos gone from disk in this scan */
  gint64 unreadable; /* files seen that could not be read (see on_bad_file) */
  gint64 metadata_parsed;
  gint64 thumbnails_written;
  gint64 bytes_read;
  double seconds;
} DerushScanSummary;

typedef struct {
  gint64 done;         /* files handled so far */
  gint64 found;        /* files found so far by the walk */
  gboolean walk_done;  /* found is final */
  double elapsed;      /* seconds */
  const char *current; /* a recent path, (transfer none) */
} DerushScanProgress;

typedef struct {
  const char *const *exclude; /* glob patterns on base names or paths, NULL-terminated, nullable */
  gboolean include_hidden;    /* descend into .folders and read .files */
  gboolean follow_symlinks;   /* follow symlinked folders (loops are detected) */
  gboolean thumbnails;        /* make cached thumbnails while each file is open (default TRUE) */
  int threads;                /* worker threads; 0 = number of cores */
  /* Called on the scanning thread at most ~10 times a second. */
  void (*progress)(const DerushScanProgress *progress, gpointer user_data);
  /* Called once for each bad file (unreadable, corrupt, vanished, loop...). */
  void (*on_bad_file)(const char *path, const char *reason, gpointer user_data);
  gpointer user_data;
  GCancellable *cancellable;
} DerushScanOptions;

void derush_scan_options_init(DerushScanOptions *options);

gboolean derush_catalog_scan(DerushCatalog *catalog, const char *const *roots,
                             const DerushScanOptions *options, DerushScanSummary *summary,
                             GError **error);

G_END_DECLS

#endif /* DERUSH_SCAN_H */
