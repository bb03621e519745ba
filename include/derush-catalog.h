/* derush-catalog.h: the catalog and its photos (part of the public API; include derush.h). */
#ifndef DERUSH_CATALOG_H
#define DERUSH_CATALOG_H

#include "derush-meta.h"
#include "derush-labels.h"

G_BEGIN_DECLS

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
/** derush_catalog_is_read_only: TRUE when opened for reading only because
 * the disk was full (every write then fails with DERUSH_ERROR_NO_SPACE). */
gboolean derush_catalog_is_read_only(DerushCatalog *catalog);
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

G_END_DECLS

#endif /* DERUSH_CATALOG_H */
