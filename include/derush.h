/* derush.h: the public API of libderush.
 *
 * libderush is the whole of derush without a GUI: the catalog (SQLite), the
 * folder scanner, metadata reading, thumbnails and the work counters. The
 * `derush` CLI and the GTK app are thin front ends over this header.
 *
 * Conventions (GLib's): functions that can fail take a `GError **` last and
 * return FALSE/NULL exactly when they set it. Strings handed out are owned by
 * the caller unless documented `(transfer none)`. Absent numeric metadata is
 * NAN (doubles) or -1 (ints), never 0.
 */
#ifndef DERUSH_H
#define DERUSH_H

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define DERUSH_VERSION "0.1.0"

/* ---------------------------------------------------------------- errors */

#define DERUSH_ERROR (derush_error_quark())
GQuark derush_error_quark(void);

typedef enum {
  DERUSH_ERROR_FAILED,      /* anything else */
  DERUSH_ERROR_IO,          /* open/read/write/rename failed */
  DERUSH_ERROR_NOT_FOUND,   /* a file, folder or photo that does not exist */
  DERUSH_ERROR_CATALOG,     /* SQLite reported an error */
  DERUSH_ERROR_BUSY,        /* another process held the catalog too long */
  DERUSH_ERROR_UNSUPPORTED, /* not an image format derush reads */
  DERUSH_ERROR_CORRUPT,     /* the file is damaged or not what its name says */
  DERUSH_ERROR_TOO_LARGE,   /* over the pixel limit (decompression bomb guard) */
  DERUSH_ERROR_CANCELLED,
} DerushError;

/* ---------------------------------------------------------------- set-up */

/**
 * derush_init:
 * Initialises libvips, gexiv2 and SQLite for the process. Call once from
 * main() before any thread starts (libvips aborts on concurrent init).
 * Returns: FALSE with @error set when a library refuses to start.
 */
gboolean derush_init(const char *argv0, GError **error);

/** derush_shutdown: releases what derush_init() took (for leak checkers). */
void derush_shutdown(void);

/**
 * derush_default_catalog_path:
 * Returns: (transfer full): $DERUSH_CATALOG when set, else
 * $XDG_DATA_HOME/derush/catalog.db.
 */
char *derush_default_catalog_path(void);

/**
 * derush_default_cache_dir:
 * Returns: (transfer full): $XDG_CACHE_HOME/derush (thumbnail cache root).
 */
char *derush_default_cache_dir(void);

/* -------------------------------------------------------------- counters */

/* Work counters: incremented by the library wherever the work happens, so
 * tests can assert that each file is parsed once and benchmarks can report
 * how much work a command did. Process-wide, atomic, never reset except by
 * derush_counters_reset(). Append new counters at the end (they are stored
 * by name in the catalog, so order is free to change, names are not). */
typedef enum {
  DERUSH_COUNTER_FILES_OPENED,         /* a photo file opened for reading */
  DERUSH_COUNTER_FILES_HASHED,         /* content hash computed */
  DERUSH_COUNTER_METADATA_PARSED,      /* EXIF/XMP parsed by exiv2 */
  DERUSH_COUNTER_HEADERS_READ,         /* image header probed */
  DERUSH_COUNTER_IMAGES_DECODED,       /* pixels decoded (thumbnail or preview) */
  DERUSH_COUNTER_RAW_PREVIEWS,         /* RAW embedded previews extracted */
  DERUSH_COUNTER_THUMBNAILS_WRITTEN,   /* thumbnail files written to the cache */
  DERUSH_COUNTER_THUMBNAIL_CACHE_HITS, /* thumbnails served from the cache */
  DERUSH_COUNTER_DB_TRANSACTIONS,      /* write transactions committed */
  DERUSH_COUNTER_DIRS_WALKED,          /* folders read by the scanner */
  DERUSH_COUNTER_FILES_STATTED,        /* stat() calls by the scanner */
  DERUSH_COUNTER_LABEL_EVENTS,         /* label events written */
  DERUSH_COUNTER_WIDGETS_CREATED,      /* GUI: grid cell widgets created */
  DERUSH_COUNTER_CELLS_BOUND,          /* GUI: grid cells bound to a photo */
  DERUSH_COUNTER_CELLS_DRAWN,          /* GUI: grid cell snapshots */
  DERUSH_COUNTER_TEXTURES_LOADED,      /* GUI: thumbnails turned into textures */
  DERUSH_COUNTER_MODELS_TRAINED, /* learning: models trained on the labels (CV folds not counted) */
  DERUSH_COUNTER_PREDICTION_BATCHES, /* learning: batch prediction calls */
  DERUSH_COUNTER_PHOTOS_PREDICTED,   /* learning: photos those batches predicted */
  DERUSH_COUNTER_PHOTOS_EXPLAINED,   /* learning: photos whose contributions were computed */
  DERUSH_N_COUNTERS
} DerushCounter;

void derush_counter_add(DerushCounter counter, gint64 n);
gint64 derush_counter_get(DerushCounter counter);
/** derush_counter_name: (transfer none): stable snake_case name, e.g. "files_opened". */
const char *derush_counter_name(DerushCounter counter);
void derush_counters_snapshot(gint64 out[DERUSH_N_COUNTERS]);
void derush_counters_reset(void);

/* -------------------------------------------------------------- metadata */

typedef enum {
  DERUSH_TIME_NONE,
  DERUSH_TIME_EXIF_ORIGINAL,  /* DateTimeOriginal (+SubSec, +Offset) */
  DERUSH_TIME_EXIF_DIGITIZED, /* DateTimeDigitized / CreateDate */
  DERUSH_TIME_FILE_MTIME,     /* no usable EXIF date: the file's mtime */
} DerushTimeSource;

/** derush_time_source_name: (transfer none): "exif_original", ..., NULL for NONE. */
const char *derush_time_source_name(DerushTimeSource source);

/* The typed metadata of one photo, read once at scan time. Capture time is
 * stored as int64 nanoseconds since the Unix epoch in UTC: when the file
 * carries an offset (OffsetTimeOriginal) it is applied; when it does not, the
 * camera's wall clock is taken as UTC ("floating" time, independent of the
 * machine's time zone), and has_offset is FALSE. */
typedef struct {
  char *make;           /* trimmed, NULL when absent */
  char *model;          /* trimmed, NULL when absent */
  char *lens;           /* NULL when absent */
  double iso;           /* NAN when absent (also read from maker notes) */
  double exposure_time; /* seconds */
  double f_number;
  double focal_length_mm;
  double focal_length_35mm;
  double exposure_bias;     /* EV */
  int flash;                /* EXIF Flash tag value, -1 when absent */
  int orientation;          /* EXIF 1-8, 1 when absent */
  gboolean has_orientation; /* the file carries an Orientation tag */
  DerushTimeSource time_source;
  gint64 capture_time_ns; /* valid when time_source != NONE */
  gboolean has_offset;
  int offset_minutes; /* east of UTC, valid when has_offset */
  double gps_lat;     /* decimal degrees, NAN when absent */
  double gps_lon;
  gboolean has_rating;
  int rating; /* xmp:Rating (-1 rejected, 0..5) when has_rating */
} DerushMeta;

void derush_meta_init(DerushMeta *meta);
void derush_meta_clear(DerushMeta *meta);

/**
 * derush_format_capture_time:
 * Formats a capture time as ISO 8601: "2011-01-13T14:33:39.120+02:00" when
 * the offset is known, the bare wall clock "2011-01-13T14:33:39" for floating
 * times. Sub-seconds appear only when non-zero (milliseconds). Pure
 * arithmetic on the int64, no date-string parsing.
 * Returns: (transfer full) (nullable): NULL when @source is NONE.
 */
char *derush_format_capture_time(gint64 capture_time_ns, gboolean has_offset, int offset_minutes,
                                 DerushTimeSource source);

/**
 * derush_format_eta:
 * The time a job has left at its rate so far, "m:ss" or "h:mm:ss", for
 * progress displays. Returns: (transfer full) (nullable): NULL when it
 * cannot be told yet or nothing is left.
 */
char *derush_format_eta(double elapsed_s, gint64 done, gint64 total);

/* ---------------------------------------------------------------- labels */

typedef enum {
  DERUSH_LABEL_NONE, /* unlabelled */
  DERUSH_LABEL_KEEP,
  DERUSH_LABEL_TRASH,
} DerushLabel;

/* Who made a label change. Stored by number: append only. */
typedef enum {
  DERUSH_SOURCE_USER,    /* a person, in the app or the CLI */
  DERUSH_SOURCE_AUTO,    /* the model's auto-labelling */
  DERUSH_SOURCE_IMPORT,  /* imported from another tool (photo-derush...) */
  DERUSH_SOURCE_SIDECAR, /* read from an XMP sidecar or embedded XMP */
  DERUSH_SOURCE_UNDO,    /* an undo of an earlier batch */
  DERUSH_SOURCE_REDO,    /* a redo of an undone batch */
} DerushLabelSource;

/** (transfer none): "none", "keep", "trash". */
const char *derush_label_name(DerushLabel label);
/** Parses "keep", "trash", "none" (also "unlabeled"); FALSE when unknown. */
gboolean derush_label_from_name(const char *name, DerushLabel *label);
/** (transfer none): "user", "auto", "import", "sidecar", "undo", "redo". */
const char *derush_label_source_name(DerushLabelSource source);

/* --------------------------------------------------------------- catalog */

typedef struct _DerushCatalog DerushCatalog;

/**
 * derush_catalog_open:
 * @path: (nullable): catalog file; NULL for derush_default_catalog_path().
 * Opens (creating folders and file as needed) and migrates the catalog to
 * the current schema. WAL mode, foreign keys on, busy timeout set so two
 * processes can share one catalog.
 * Returns: (transfer full): the catalog, or NULL with @error set.
 */
DerushCatalog *derush_catalog_open(const char *path, GError **error);
void derush_catalog_close(DerushCatalog *catalog);
/** derush_catalog_get_path: (transfer none) */
const char *derush_catalog_get_path(DerushCatalog *catalog);
/** derush_catalog_get_cache_dir: (transfer none): thumbnail cache root. */
const char *derush_catalog_get_cache_dir(DerushCatalog *catalog);
/** Overrides the thumbnail cache root (tests, benchmarks). */
void derush_catalog_set_cache_dir(DerushCatalog *catalog, const char *dir);

/**
 * derush_catalog_check_integrity:
 * Runs PRAGMA integrity_check. Returns: TRUE when it answers "ok".
 */
gboolean derush_catalog_check_integrity(DerushCatalog *catalog, GError **error);

typedef enum {
  DERUSH_PHOTO_OK,
  DERUSH_PHOTO_UNREADABLE,
  DERUSH_PHOTO_MISSING,
} DerushPhotoStatus;

/** derush_photo_status_name: (transfer none): "ok", "unreadable", "missing". */
const char *derush_photo_status_name(DerushPhotoStatus status);

/* One photo as the catalog knows it. */
typedef struct {
  gint64 id;
  char *path; /* absolute, in the file system's bytes */
  DerushPhotoStatus status;
  char *reason;      /* why unreadable/missing; NULL when ok */
  char *format;      /* "jpeg", "png", "tiff", "webp", "heif", "avif", "gif", "raw"; NULL unknown */
  char *raw_format;  /* for RAW: "cr2", "nef", ...; else NULL */
  int width, height; /* displayed size, after orientation; -1 unknown */
  gint64 size;
  gint64 mtime_ns;
  guint64 content_hash;           /* fast hash (size + sampled xxh64), 0 unknown */
  char *pair_path;                /* the other half of a RAW+JPEG pair, or NULL */
  DerushLabel label;              /* current decision */
  int stars;                      /* 0-5 */
  gboolean labelled;              /* a label event exists (label_source is meaningful) */
  DerushLabelSource label_source; /* who made the last change */
  DerushMeta meta;
} DerushPhoto;

void derush_photo_free(DerushPhoto *photo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushPhoto, derush_photo_free)

/** Return FALSE to stop the iteration. */
typedef gboolean (*DerushPhotoFunc)(const DerushPhoto *photo, gpointer user_data);

/**
 * derush_catalog_foreach_photo:
 * @under: (nullable): only photos whose path is @under or below it.
 * Calls @func for each photo, ordered by path. Read-only.
 */
gboolean derush_catalog_foreach_photo(DerushCatalog *catalog, const char *under,
                                      DerushPhotoFunc func, gpointer user_data, GError **error);

/**
 * derush_catalog_get_photo:
 * Returns: (transfer full) (nullable): the photo at @path, or NULL with
 * DERUSH_ERROR_NOT_FOUND when the catalog has none.
 */
DerushPhoto *derush_catalog_get_photo(DerushCatalog *catalog, const char *path, GError **error);

/** Number of photos under @under (nullable) with @status, or all when status < 0. */
gint64 derush_catalog_count_photos(DerushCatalog *catalog, const char *under, int status);

/**
 * derush_catalog_record_command:
 * Adds the process counters (since derush_counters_reset()) to the catalog's
 * lifetime totals and stores them as the "last command" named @command.
 */
gboolean derush_catalog_record_command(DerushCatalog *catalog, const char *command, GError **error);

/**
 * derush_catalog_get_counters:
 * @total: (out): lifetime totals, indexed by DerushCounter.
 * @last: (out): counters of the last recorded command.
 * @last_command: (out) (transfer full) (nullable): its name, NULL if none yet.
 */
gboolean derush_catalog_get_counters(DerushCatalog *catalog, gint64 total[DERUSH_N_COUNTERS],
                                     gint64 last[DERUSH_N_COUNTERS], char **last_command,
                                     GError **error);

/* ------------------------------------------------------- label decisions */

/* What a label change sets; fields not flagged stay as they are. */
typedef struct {
  gboolean set_label;
  DerushLabel label;
  gboolean set_stars;
  int stars; /* 0-5 */
} DerushLabelChange;

/**
 * derush_catalog_set_labels:
 * @ids: photo ids; each photo's RAW+JPEG partner is changed with it.
 * @n_ids: how many
 * @change: what to set
 * @source: who is setting it (USER, AUTO, IMPORT or SIDECAR)
 * Applies @change as one batch (one undo step) of append-only events, in one
 * transaction committed with synchronous=FULL: when this returns TRUE the
 * decision survives a crash or a power cut. Photos already in the requested
 * state get no event. Returns: FALSE with @error set (disk full, busy...)
 * when nothing was saved.
 */
gboolean derush_catalog_set_labels(DerushCatalog *catalog, const gint64 *ids, gsize n_ids,
                                   const DerushLabelChange *change, DerushLabelSource source,
                                   gint64 *batch_out, GError **error);

/**
 * derush_catalog_undo:
 * Undoes the last @n user or import batches (each as a new batch of
 * events with source UNDO). Returns: how many were undone (0 when nothing
 * is left to undo), or -1 with @error set.
 */
int derush_catalog_undo(DerushCatalog *catalog, int n, GError **error);

/**
 * derush_catalog_redo:
 * Redoes the last @n undone batches, newest undo first, as long as no new
 * change was made since. Returns: how many were redone, or -1 on error.
 */
int derush_catalog_redo(DerushCatalog *catalog, int n, GError **error);

/* One label event, as `derush history` shows it. */
typedef struct {
  gint64 id;
  gint64 batch;
  gint64 time_ns; /* UTC */
  gint64 photo_id;
  const char *path; /* (transfer none) */
  DerushLabel old_label, new_label;
  int old_stars, new_stars;
  DerushLabelSource source;
} DerushLabelEvent;

typedef gboolean (*DerushLabelEventFunc)(const DerushLabelEvent *event, gpointer user_data);

/**
 * derush_catalog_foreach_event:
 * @path: (nullable): only the events of this photo
 * Calls @func for each label event, oldest first.
 */
gboolean derush_catalog_foreach_event(DerushCatalog *catalog, const char *path,
                                      DerushLabelEventFunc func, gpointer user_data,
                                      GError **error);

/**
 * derush_catalog_foreach_event_after:
 * Calls @func for each event newer than event id @after, oldest first: what
 * an undo, a redo or another process has just written.
 */
gboolean derush_catalog_foreach_event_after(DerushCatalog *catalog, gint64 after,
                                            DerushLabelEventFunc func, gpointer user_data,
                                            GError **error);

/** derush_catalog_get_last_event_id: the newest event's id, 0 if none, -1 on error. */
gint64 derush_catalog_get_last_event_id(DerushCatalog *catalog);

/* ------------------------------------------------------------------ scan */

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

/** Fills @options with the defaults. */
void derush_scan_options_init(DerushScanOptions *options);

/**
 * derush_catalog_scan:
 * @roots: NULL-terminated folders (or single files) to scan.
 * Walks @roots recursively and brings the catalog up to date: unchanged files
 * (same size, mtime_ns and inode) are not opened; changed files are re-read
 * once; files gone are marked missing; moved or renamed files are re-linked by
 * content hash without re-reading. Bad files are recorded with a reason and
 * never stop the scan. Progress is committed in batches, so a killed scan
 * resumes where it stopped.
 * Returns: FALSE only for fatal errors (a root folder missing or unreadable,
 * the catalog unusable); @summary is filled in either case.
 */
gboolean derush_catalog_scan(DerushCatalog *catalog, const char *const *roots,
                             const DerushScanOptions *options, DerushScanSummary *summary,
                             GError **error);

/* ------------------------------------------------------------ thumbnails */

/* Long edge, in pixels, of the thumbnails kept in the cache. Larger requests
 * decode the original again. */
#define DERUSH_THUMB_CACHE_SIZE 512

/**
 * derush_thumbnail_save:
 * @catalog: (nullable): when given, the thumbnail cache is used and filled.
 * @path: the photo.
 * @size: long edge in pixels.
 * @out_path: where to write; the format follows the extension (.png, .jpg).
 * Writes the photo's oriented, sRGB thumbnail as the app shows it.
 */
gboolean derush_thumbnail_save(DerushCatalog *catalog, const char *path, int size,
                               const char *out_path, GError **error);

/* ----------------------------------------------------------------- files */

/** derush_is_photo_name: TRUE when the name's extension is one derush reads. */
gboolean derush_is_photo_name(const char *name);
/** derush_is_raw_name: TRUE for camera RAW extensions (cr2, nef, ...). */
gboolean derush_is_raw_name(const char *name);

/* ------------------------------------- decisions: sidecars, apply, import */

/* One label batch (one user action, the unit of undo), as `derush undo`
 * reports it. */
typedef struct {
  gint64 id;
  gint64 time_ns; /* UTC */
  DerushLabelSource source;
  gint64 target;   /* undo: the batch undone; redo: the undo redone; else 0 */
  gint64 n_events; /* photos it changed */
} DerushLabelBatch;

typedef gboolean (*DerushLabelBatchFunc)(const DerushLabelBatch *batch, gpointer user_data);

/**
 * derush_catalog_foreach_batch:
 * Calls @func for each label batch whose id is greater than @after, oldest
 * first. derush_catalog_last_batch() before an undo and this after it list
 * what the undo did.
 */
gboolean derush_catalog_foreach_batch(DerushCatalog *catalog, gint64 after,
                                      DerushLabelBatchFunc func, gpointer user_data,
                                      GError **error);

/** derush_catalog_last_batch: the newest batch id, 0 when none, -1 on error. */
gint64 derush_catalog_last_batch(DerushCatalog *catalog, GError **error);

/* How XMP sidecars are named (what reads them). */
typedef enum {
  DERUSH_XMP_DARKTABLE, /* IMG_1234.CR2.xmp */
  DERUSH_XMP_LIGHTROOM, /* IMG_1234.xmp */
  DERUSH_XMP_DIGIKAM,   /* IMG_1234.xmp (digiKam's default) */
} DerushXmpStyle;

/** (transfer none): "darktable", "lightroom", "digikam". */
const char *derush_xmp_style_name(DerushXmpStyle style);
/** Parses a style name (any case); FALSE when unknown. */
gboolean derush_xmp_style_from_name(const char *name, DerushXmpStyle *style);
/** Returns: (transfer full): the sidecar path of @photo_path in @style. */
char *derush_sidecar_path(const char *photo_path, DerushXmpStyle style);

typedef enum {
  DERUSH_SIDECAR_WRITTEN,   /* created or merged (or would be, in a dry run) */
  DERUSH_SIDECAR_UNCHANGED, /* already said what the catalog says */
  DERUSH_SIDECAR_FAILED,    /* not written: see the error; the catalog is untouched */
} DerushSidecarResult;

/* Called once per sidecar; @error is set for FAILED only. */
typedef void (*DerushSidecarFunc)(const char *sidecar_path, DerushSidecarResult result,
                                  const GError *error, gpointer user_data);

typedef struct {
  gint64 written;
  gint64 unchanged;
  gint64 failed;
} DerushSidecarSummary;

/**
 * derush_catalog_export_sidecars:
 * @under: (nullable): only photos at or below this path
 * @ids: (nullable): only these photos (and their RAW+JPEG partners)
 * Writes the decisions of labelled photos to XMP sidecars: trash as
 * xmp:Rating -1 and digiKam:PickLabel 1, keep as PickLabel 3, stars as
 * xmp:Rating. An existing sidecar is merged (every other field survives),
 * through a temporary file and a rename. A photo with no decision left
 * (none, 0 stars) loses our two fields from an existing sidecar and gets
 * no new one. A failure on one sidecar (read-only, disk full) is reported
 * through @func and counted; the others go on.
 * Returns: FALSE only when the catalog cannot be read.
 */
gboolean derush_catalog_export_sidecars(DerushCatalog *catalog, const char *under,
                                        const gint64 *ids, gsize n_ids, DerushXmpStyle style,
                                        gboolean dry_run, DerushSidecarFunc func,
                                        gpointer user_data, DerushSidecarSummary *summary,
                                        GError **error);

/**
 * derush_catalog_set_sidecar_sync:
 * Keeps sidecars in @style up to date after every label change made by the
 * CLI (`derush label`, `undo`, `redo`), or stops doing so.
 */
gboolean derush_catalog_set_sidecar_sync(DerushCatalog *catalog, gboolean enabled,
                                         DerushXmpStyle style, GError **error);
/** TRUE when sidecar sync is on; @style (out, optional) gets its style. */
gboolean derush_catalog_get_sidecar_sync(DerushCatalog *catalog, DerushXmpStyle *style);

/* What `derush apply` does to the photos it selects. */
typedef enum {
  DERUSH_APPLY_TRASH,        /* trash photos to the freedesktop trash */
  DERUSH_APPLY_MOVE_TRASH,   /* move trash photos to a folder */
  DERUSH_APPLY_MOVE_KEEPERS, /* move keepers to a folder */
  DERUSH_APPLY_COPY_KEEPERS, /* copy keepers to a folder */
} DerushApplyAction;

typedef enum {
  DERUSH_FILE_OP_MOVE,
  DERUSH_FILE_OP_COPY,
  DERUSH_FILE_OP_TRASH,
} DerushFileOpKind;

/* One planned file operation (a photo, its partner, or a sidecar). */
typedef struct {
  DerushFileOpKind kind;
  const char *src;
  const char *dst; /* NULL for trash */
  gboolean is_photo;
} DerushFileOp;

typedef void (*DerushFileOpFunc)(const DerushFileOp *op, const GError *error, gpointer user_data);

typedef struct {
  gint64 photos; /* photos selected (a pair counts 2) */
  gint64 files;  /* files touched: photos plus sidecars */
  gint64 bytes;
  gint64 done;
  gint64 failed;
} DerushApplySummary;

/**
 * derush_catalog_plan_apply:
 * @under: (nullable): only photos at or below this folder
 * @dest: the folder for MOVE_* and COPY_* (created when missing), NULL for TRASH
 * @func: (nullable): called for each planned operation (a dry run's listing)
 * Fills @summary with what derush_catalog_apply() would do. Touches nothing.
 */
gboolean derush_catalog_plan_apply(DerushCatalog *catalog, DerushApplyAction action,
                                   const char *under, const char *dest, DerushFileOpFunc func,
                                   gpointer user_data, DerushApplySummary *summary, GError **error);

/**
 * derush_catalog_apply:
 * Acts on the decisions: each photo moves (copies, trashes) with its RAW+JPEG
 * partner and its sidecars; a name taken at the destination gets a -1, -2...
 * suffix, never an overwrite. Every operation is journaled (fsync'd) before
 * it happens, so derush_catalog_undo_apply() can restore it and a crash in
 * the middle is repaired by the next derush_catalog_open(). Moved photos keep
 * their catalog rows (and labels); trashed ones are marked missing.
 * @func (nullable) is called after each operation, with @error on failure.
 * Returns: FALSE when the journal cannot be written (nothing moved then).
 */
gboolean derush_catalog_apply(DerushCatalog *catalog, DerushApplyAction action, const char *under,
                              const char *dest, DerushFileOpFunc func, gpointer user_data,
                              DerushApplySummary *summary, GError **error);

/**
 * derush_catalog_undo_apply:
 * Restores the files of the last apply not yet undone (moves back, restores
 * from the trash, deletes copies). Returns: how many files were restored
 * (0 when there was nothing to undo), or -1 with @error set.
 */
gint64 derush_catalog_undo_apply(DerushCatalog *catalog, DerushFileOpFunc func, gpointer user_data,
                                 GError **error);

/**
 * derush_catalog_recover_file_ops:
 * Finishes or rolls back file operations a crash left half-done. Call it
 * after derush_catalog_open() (the CLI does on every open; apply and
 * undo-apply do first); it is one indexed query when nothing is pending.
 * Returns: how many were repaired, -1 on error.
 */
gint64 derush_catalog_recover_file_ops(DerushCatalog *catalog, GError **error);

/* Reports: `derush export --csv/--json`. */
typedef enum {
  DERUSH_REPORT_CSV,
  DERUSH_REPORT_JSON, /* JSON Lines */
} DerushReportFormat;

/**
 * derush_catalog_export_report:
 * @under: (nullable): only photos at or below this folder
 * Writes one row per photo (path, label, stars, prediction, group) to
 * @out_path through a temporary file and a rename. Returns: rows written,
 * or -1 with @error set.
 */
gint64 derush_catalog_export_report(DerushCatalog *catalog, const char *under,
                                    DerushReportFormat format, const char *out_path,
                                    GError **error);

typedef struct {
  gint64 entries;     /* entries in the file */
  gint64 matched;     /* entries naming a photo the catalog knows in DIR */
  gint64 unknown;     /* entries naming no known photo (listed by on_unknown) */
  gint64 labels;      /* manual labels (keep/trash) taken */
  gint64 stars;       /* ratings taken */
  gint64 auto_labels; /* auto labels, recorded with source AUTO */
  gint64 changed;     /* photos whose decision changed (events written) */
} DerushImportSummary;

/**
 * derush_catalog_import_photo_derush:
 * @dir: a folder holding photo-derush's .ratings_tags.json (scanned first by
 *   the caller)
 * Imports manual labels and ratings as IMPORT decisions and auto labels as
 * AUTO ones, all in one transaction: a malformed or truncated file imports
 * nothing (DERUSH_ERROR_CORRUPT). Re-importing the same file writes no event.
 */
gboolean derush_catalog_import_photo_derush(DerushCatalog *catalog, const char *dir,
                                            void (*on_unknown)(const char *name,
                                                               gpointer user_data),
                                            gpointer user_data, DerushImportSummary *summary,
                                            GError **error);

/* ------------------------------------- analysis: features, hashes, groups */

/* Bumped whenever a feature's definition changes (quality/features.c): the
 * stored vectors of another version are recomputed by the next analyze. */
#define DERUSH_FEATURES_VERSION 1

/* The per-photo feature vector, float32, in this order; docs/features.md
 * has the table. Stored by index: append only, and bump the version when a
 * definition changes. Absent or undefined values are NAN, never 0. */
typedef enum {
  /* sharpness (grey, 0..255 scale, on the 512 px preview) */
  DERUSH_FEATURE_LAP_VAR,          /* Laplacian variance, full preview scale */
  DERUSH_FEATURE_LAP_VAR_HALF,     /* ... at 1/2 scale */
  DERUSH_FEATURE_LAP_VAR_QUARTER,  /* ... at 1/4 scale */
  DERUSH_FEATURE_LAP_TILE_MAX,     /* largest tile Laplacian variance */
  DERUSH_FEATURE_LAP_TILE_CENTER,  /* centre-weighted mean of tile variances */
  DERUSH_FEATURE_LAP_TILE_MEDIAN,  /* median tile variance */
  DERUSH_FEATURE_GRAD_ENERGY,      /* mean squared gradient */
  DERUSH_FEATURE_GRAD_TILE_MAX,    /* largest tile mean squared gradient */
  DERUSH_FEATURE_SHARP_FINE_RATIO, /* LAP_VAR / LAP_VAR_HALF */
  DERUSH_FEATURE_MOTION_STRENGTH,  /* gradient orientation anisotropy 0..1 */
  DERUSH_FEATURE_MOTION_ANGLE,     /* blur direction, degrees 0..180 */
  /* exposure (luma 0..1) */
  DERUSH_FEATURE_LUMA_P1,
  DERUSH_FEATURE_LUMA_P5,
  DERUSH_FEATURE_LUMA_P50,
  DERUSH_FEATURE_LUMA_P95,
  DERUSH_FEATURE_LUMA_P99,
  DERUSH_FEATURE_LUMA_MEAN,
  DERUSH_FEATURE_CLIP_HIGH,     /* fraction of pixels at >= 250/255 */
  DERUSH_FEATURE_CLIP_LOW,      /* fraction of pixels at <= 5/255 */
  DERUSH_FEATURE_ENTROPY,       /* luma histogram entropy, bits 0..8 */
  DERUSH_FEATURE_DYNAMIC_RANGE, /* P99 - P1 */
  DERUSH_FEATURE_EXPOSURE_EV,   /* log2(mean linear luminance / 0.18) */
  DERUSH_FEATURE_EV_VS_BIAS,    /* EXPOSURE_EV - EXIF exposure bias */
  /* noise, contrast, colour */
  DERUSH_FEATURE_NOISE,         /* noise sigma, grey levels (flat tiles) */
  DERUSH_FEATURE_CONTRAST,      /* RMS contrast: luma standard deviation */
  DERUSH_FEATURE_SATURATION,    /* mean HSV saturation 0..1 */
  DERUSH_FEATURE_COLOURFULNESS, /* Hasler-Suesstrunk M */
  DERUSH_FEATURE_CAST_A,        /* mean CIELAB a* */
  DERUSH_FEATURE_CAST_B,        /* mean CIELAB b* */
  /* from EXIF and the file */
  DERUSH_FEATURE_ISO,
  DERUSH_FEATURE_LOG2_SHUTTER,  /* log2(exposure time in s) */
  DERUSH_FEATURE_SHAKE_RISK,    /* exposure time * 35 mm focal length */
  DERUSH_FEATURE_APERTURE,      /* f-number */
  DERUSH_FEATURE_FLASH_FIRED,   /* 0 or 1 */
  DERUSH_FEATURE_HOUR,          /* hour of day 0..24 (camera clock) */
  DERUSH_FEATURE_EXPOSURE_BIAS, /* EV */
  DERUSH_FEATURE_ASPECT,        /* width / height */
  DERUSH_FEATURE_MEGAPIXELS,    /* of the original */
  DERUSH_N_FEATURES
} DerushFeature;

typedef struct {
  const char *name;    /* stable snake_case name, e.g. "lap_var" */
  const char *meaning; /* one line */
  const char *range;   /* e.g. "0..1", ">= 0" */
} DerushFeatureInfo;

/** derush_feature_info: (transfer none): the name, meaning and range of @feature. */
const DerushFeatureInfo *derush_feature_info(DerushFeature feature);
/** Looks a feature up by name; FALSE when unknown. */
gboolean derush_feature_from_name(const char *name, DerushFeature *feature);

/**
 * derush_features_quality_score:
 * @vector: DERUSH_N_FEATURES values.
 * The model-free score best-of-group uses: sharpness first, minus exposure
 * penalties (quality/features.c documents the formula). Higher is better;
 * NAN when the sharpness is undefined.
 */
double derush_features_quality_score(const float *vector);

typedef enum {
  DERUSH_EXPOSURE_OK,
  DERUSH_EXPOSURE_UNDER,
  DERUSH_EXPOSURE_OVER,
} DerushExposureFlag;

/** derush_features_exposure_flag: under/over-exposure from the exposure features. */
DerushExposureFlag derush_features_exposure_flag(const float *vector);

/**
 * derush_catalog_get_features:
 * @vector: (out): DERUSH_N_FEATURES values
 * Reads the stored vector of the photo at @path (current version only).
 * Returns: FALSE with DERUSH_ERROR_NOT_FOUND when there is none (not
 * analyzed yet), or another error.
 */
gboolean derush_catalog_get_features(DerushCatalog *catalog, const char *path, float *vector,
                                     GError **error);

typedef enum {
  DERUSH_GROUP_SESSION,  /* photos taken without a long pause */
  DERUSH_GROUP_BURST,    /* one camera, a few seconds apart */
  DERUSH_GROUP_NEAR_DUP, /* the same picture: copies, re-encodes, mirrors */
} DerushGroupKind;

/** (transfer none): "session", "burst", "near_dup". */
const char *derush_group_kind_name(DerushGroupKind kind);
gboolean derush_group_kind_from_name(const char *name, DerushGroupKind *kind);

/* Replaces the quality score in best-of-group (a model's p(keep), later). */
typedef double (*DerushScoreFunc)(gint64 photo_id, const float *vector, gpointer user_data);

typedef struct {
  double session_gap_s;  /* a longer pause starts a new session (default 1800) */
  double burst_gap_s;    /* same camera, at most this apart (default 2) */
  int phash_radius;      /* near-dup pair: pHash distance <= this (default 10) */
  int dhash_radius;      /* ... confirmed by dHash distance <= this (default 12) */
  int phash_safety;      /* never cluster two photos further apart (default 16) */
  gboolean transforms;   /* also match mirrored, 180-rotated, cropped copies (default TRUE) */
  DerushScoreFunc score; /* NULL: derush_features_quality_score() */
  gpointer score_data;
  gboolean rotations; /* also match copies turned by any angle (default TRUE) */
} DerushGroupOptions;

void derush_group_options_init(DerushGroupOptions *options);

typedef struct {
  gint64 photos; /* photos grouped (a RAW+JPEG pair counts once) */
  gint64 sessions, bursts, near_dups;
  double seconds;
} DerushGroupSummary;

/**
 * derush_catalog_update_groups:
 * @options: (nullable): NULL for the defaults
 * Recomputes every group from the stored capture times, cameras and hashes
 * and replaces the stored groups in one transaction. Deterministic: the
 * same catalog gives the same group ids.
 */
gboolean derush_catalog_update_groups(DerushCatalog *catalog, const DerushGroupOptions *options,
                                      DerushGroupSummary *summary, GError **error);

typedef struct {
  gint64 id; /* stable: from the smallest member id and the kind */
  DerushGroupKind kind;
  gint64 best_id;        /* best pick */
  const char *best_path; /* (transfer none) */
  double best_score;     /* NAN when no member has features */
  guint n_members;
  const gint64 *member_ids; /* by id */
  const char *const *member_paths;
} DerushGroup;

typedef gboolean (*DerushGroupFunc)(const DerushGroup *group, gpointer user_data);

/**
 * derush_catalog_foreach_group:
 * @under: (nullable): only groups with a member at or below this folder
 * @kind: a DerushGroupKind, or -1 for all
 * Lists the stored groups, ordered by kind then id.
 */
gboolean derush_catalog_foreach_group(DerushCatalog *catalog, const char *under, int kind,
                                      DerushGroupFunc func, gpointer user_data, GError **error);

typedef struct {
  int threads; /* 0 = one per core */
  /* Called on the calling thread at most ~10 times a second. */
  void (*progress)(const DerushScanProgress *progress, gpointer user_data);
  void (*on_bad_file)(const char *path, const char *reason, gpointer user_data);
  gpointer user_data;
  GCancellable *cancellable;
  const DerushGroupOptions *group; /* nullable: defaults */
  gboolean no_groups;              /* skip the group update */
} DerushAnalyzeOptions;

void derush_analyze_options_init(DerushAnalyzeOptions *options);

typedef struct {
  gint64 analyzed;   /* photos whose features and hashes were computed */
  gint64 up_to_date; /* photos that needed nothing */
  gint64 failed;     /* preview could not be made */
  double seconds;
  DerushGroupSummary groups;
} DerushAnalyzeSummary;

/**
 * derush_catalog_analyze:
 * @under: (nullable): only photos at or below this folder
 * For every readable photo lacking features or hashes of the current
 * versions (or whose file changed since), decodes its cached 512 px preview
 * once and computes both, in parallel; then updates the groups.
 */
gboolean derush_catalog_analyze(DerushCatalog *catalog, const char *under,
                                const DerushAnalyzeOptions *options, DerushAnalyzeSummary *summary,
                                GError **error);

/* `derush eval grouping`: pairwise scores of near-duplicate groups. */
typedef struct {
  double precision, recall, f1;
  gint64 pairs_truth, pairs_found, pairs_correct;
  gint64 photos;              /* rows with a group */
  gint64 unreadable;          /* listed files derush could not read */
  gint64 unreadable_expected; /* of those, rows with an empty group */
} DerushGroupingEval;

/**
 * derush_eval_grouping:
 * @truth_csv: path,group[,relation,note]; paths relative to its folder
 * Scans and analyzes the listed files as needed and compares the
 * near-duplicate groups found with the truth over pairs of photos.
 * @on_unreadable (nullable) is called for each listed file not read.
 */
gboolean derush_eval_grouping(DerushCatalog *catalog, const char *truth_csv,
                              const DerushGroupOptions *options,
                              void (*on_unreadable)(const char *path, const char *reason,
                                                    gpointer user_data),
                              gpointer user_data, DerushGroupingEval *result, GError **error);

/* `derush eval blur`: does the sharp frame of each scene score highest? */
typedef struct {
  gint64 triplets;           /* scenes with a sharp and at least one blurred frame */
  gint64 sharp_first;        /* scenes whose sharp frame beat every blurred one */
  double ranked_sharp_first; /* sharp_first / triplets */
} DerushBlurEval;

/**
 * derush_eval_blur:
 * @truth_csv: file,scene_id,device,label (label sharp, defocus_blur or
 *   motion_blur); paths relative to its folder.
 */
gboolean derush_eval_blur(DerushCatalog *catalog, const char *truth_csv, DerushBlurEval *result,
                          GError **error);

/** derush_features_sharpness: the sharpness score eval blur ranks by. */
double derush_features_sharpness(const float *vector);

G_END_DECLS

#endif /* DERUSH_H */
