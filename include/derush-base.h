/* derush-base.h: errors, set-up, work counters (part of the public API; include derush.h). */
#ifndef DERUSH_BASE_H
#define DERUSH_BASE_H

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
  DERUSH_ERROR_NO_SPACE, /* the disk (or the user's quota) is full */
} DerushError;

/* ---------------------------------------------------------------- set-up */

gboolean derush_init(const char *argv0, GError **error);
gboolean derush_init_decoders(GError **error);
void derush_restart_with_idle_threads(char **argv);

void derush_shutdown(void);

char *derush_default_catalog_path(void);

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
  DERUSH_COUNTER_NN_MODELS_LOADED,     /* neural-network models loaded */
  DERUSH_COUNTER_NN_FORWARDS,          /* neural-network forward passes */
  DERUSH_COUNTER_PHOTOS_DETECTED,      /* photos run through the object detector */
  DERUSH_COUNTER_MODELS_TRAINED,       /* learning: models trained on the labels (not CV folds) */
  DERUSH_COUNTER_PREDICTION_BATCHES,   /* learning: catalog-wide batch predictions */
  DERUSH_COUNTER_PHOTOS_PREDICTED,     /* learning: photos those batches predicted */
  DERUSH_COUNTER_PHOTOS_EXPLAINED,     /* learning: photos whose contributions were computed */
  DERUSH_COUNTER_EMBEDDED_PREVIEWS,    /* embedded EXIF/RAW previews decoded as placeholders */
  DERUSH_COUNTER_NN_THREAD_SWITCHES,   /* executor: spinning throttled or let go */
  DERUSH_COUNTER_TREES_BOOSTED,        /* learning: boosting rounds, CV folds' and final models' */
  DERUSH_COUNTER_QUANTILE_SKETCHES,    /* learning: histogram cuts computed over training rows */
  DERUSH_N_COUNTERS
} DerushCounter;

void derush_counter_add(DerushCounter counter, gint64 n);
gint64 derush_counter_get(DerushCounter counter);
const char *derush_counter_name(DerushCounter counter);
void derush_counters_snapshot(gint64 out[DERUSH_N_COUNTERS]);
void derush_counters_reset(void);

G_END_DECLS

#endif /* DERUSH_BASE_H */
