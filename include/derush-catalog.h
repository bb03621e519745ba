/* derush-catalog.h: the catalog and its photos (part of the public API; include derush.h). */
#ifndef DERUSH_CATALOG_H
#define DERUSH_CATALOG_H

#include "derush-meta.h"
#include "derush-labels.h"

G_BEGIN_DECLS

typedef struct _DerushCatalog DerushCatalog;

DerushCatalog *derush_catalog_open(const char *path, GError **error);
void derush_catalog_close(DerushCatalog *catalog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushCatalog, derush_catalog_close)
gboolean derush_catalog_is_read_only(DerushCatalog *catalog);
const char *derush_catalog_get_path(DerushCatalog *catalog);
const char *derush_catalog_get_cache_dir(DerushCatalog *catalog);
void derush_catalog_set_cache_dir(DerushCatalog *catalog, const char *dir);

gboolean derush_catalog_check_integrity(DerushCatalog *catalog, GError **error);

typedef enum {
  DERUSH_PHOTO_OK,
  DERUSH_PHOTO_UNREADABLE,
  DERUSH_PHOTO_MISSING,
} DerushPhotoStatus;

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

gboolean derush_catalog_foreach_photo(DerushCatalog *catalog, const char *under,
                                      DerushPhotoFunc func, gpointer user_data, GError **error);

DerushPhoto *derush_catalog_get_photo(DerushCatalog *catalog, const char *path, GError **error);

gint64 derush_catalog_count_photos(DerushCatalog *catalog, const char *under, int status);

gboolean derush_catalog_record_command(DerushCatalog *catalog, const char *command, GError **error);

gboolean derush_catalog_get_counters(DerushCatalog *catalog, gint64 total[DERUSH_N_COUNTERS],
                                     gint64 last[DERUSH_N_COUNTERS], char **last_command,
                                     GError **error);

G_END_DECLS

#endif /* DERUSH_CATALOG_H */
