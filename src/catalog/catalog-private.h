/* catalog-private.h: the catalog's internal interface (SQLite), used by the
 * scanner and the other library areas. One connection per DerushCatalog,
 * owned by one thread at a time; every statement is prepared once and cached.
 */
#ifndef DERUSH_CATALOG_PRIVATE_H
#define DERUSH_CATALOG_PRIVATE_H

#include "derush-private.h"
#include <sqlite3.h>

G_BEGIN_DECLS

struct _DerushCatalog {
  sqlite3 *db;
  char *path;
  char *cache_dir;
  GHashTable *stmts; /* SQL text -> sqlite3_stmt*, prepared once */
  int tx_depth;      /* nesting of _derush_catalog_begin */
  gboolean read_only; /* opened for reading only: the disk was full */
};

/* Turns the last SQLite error of @cat into a GError (BUSY or CATALOG). */
void _derush_catalog_set_error(DerushCatalog *cat, GError **error, const char *what);

/* A cached prepared statement for @sql, reset and with bindings cleared. */
sqlite3_stmt *_derush_catalog_stmt(DerushCatalog *cat, const char *sql, GError **error);

/* Runs a statement that returns no rows. */
gboolean _derush_catalog_exec(DerushCatalog *cat, const char *sql, GError **error);

/* Write transactions. BEGIN IMMEDIATE takes the write lock up front, so two
 * processes never deadlock upgrading a read lock; the busy timeout makes the
 * second one wait instead of failing. Nested calls only count. */
gboolean _derush_catalog_begin(DerushCatalog *cat, GError **error);
gboolean _derush_catalog_commit(DerushCatalog *cat, GError **error);
void _derush_catalog_rollback(DerushCatalog *cat);

/* Makes SQLite lock through open-file-description locks, so that no
 * close() elsewhere in the process can drop the catalog's locks
 * (file-locks.c). Called before the first database opens. */
gboolean _derush_catalog_install_file_locks(void);

/* Creates or migrates the schema to the current version (schema.c). */
gboolean _derush_catalog_migrate(DerushCatalog *cat, GError **error);
int _derush_catalog_schema_version(void);

/* ---- photos (photos.c) ---- */

/* What the scanner knows of one catalog row, to decide whether to re-read. */
typedef struct {
  gint64 id;
  gint64 dev, ino, size, mtime_ns;
  guint64 content_hash;
  gboolean missing;
  DerushPhotoStatus status; /* ok or unreadable (missing is the flag above) */
  char *reason;             /* why unreadable, or NULL */
  int reader;               /* DERUSH_READER_VERSION that last read it */
} DerushRowState;

void _derush_row_state_clear(DerushRowState *row);

/* Rows whose folder is exactly @dir, keyed by base name (bytes):
 * a GHashTable of char* -> DerushRowState*, owned by the table. */
GHashTable *_derush_catalog_dir_rows(DerushCatalog *cat, const char *dir, GError **error);

/* The state of the row at @path; FALSE (no error) when there is none. */
gboolean _derush_catalog_row_by_path(DerushCatalog *cat, const char *path, DerushRowState *out,
                                     GError **error);

/* A photo read in full by the scanner. */
typedef struct {
  const char *path, *dir, *name;
  gint64 dev, ino, size, mtime_ns;
  guint64 content_hash;
  DerushPhotoStatus status;
  const char *reason;
  const DerushImageInfo *info; /* nullable: image header unknown */
  const DerushMeta *meta;
} DerushPhotoRecord;

/* Inserts or replaces (by path) the row of @rec, clearing the missing flag.
 * @id_out (optional) receives the row id; labels keyed by id survive. */
gboolean _derush_catalog_upsert_photo(DerushCatalog *cat, const DerushPhotoRecord *rec,
                                      gint64 *id_out, GError **error);

/* A known row whose file still has the same version: clears missing. */
gboolean _derush_catalog_mark_present(DerushCatalog *cat, gint64 id, GError **error);
gboolean _derush_catalog_mark_missing(DerushCatalog *cat, gint64 id, GError **error);
/* Marks every present row under folder @dir (recursively) missing; returns
 * how many in @count. */
gboolean _derush_catalog_mark_tree_missing(DerushCatalog *cat, const char *dir, gint64 *count,
                                           GError **error);

/* Moves row @id to a new path (a file moved or renamed outside derush):
 * everything attached to the id (labels, features) follows it. */
gboolean _derush_catalog_relink(DerushCatalog *cat, gint64 id, const char *path, const char *dir,
                                const char *name, gint64 dev, gint64 ino, gint64 mtime_ns,
                                GError **error);

/* Row ids and paths with this size and content hash (move candidates). */
typedef struct {
  gint64 id;
  char *path;
  gboolean missing;
} DerushHashMatch;
GArray *_derush_catalog_find_by_hash(DerushCatalog *cat, gint64 size, guint64 hash, GError **error);
void _derush_hash_matches_free(GArray *matches);

/* Distinct folders at or under @root that hold rows not marked missing. */
GPtrArray *_derush_catalog_dirs_under(DerushCatalog *cat, const char *root, GError **error);

/* Recomputes RAW+JPEG pairs (same stem, one folder) for the rows of @dir. */
gboolean _derush_catalog_update_pairs(DerushCatalog *cat, const char *dir, GError **error);

/* SQL range for "path is @root or below it": path = root OR (path > root/ AND
 * path < root0), '0' being the byte after '/'. Fills two owned strings. */
void _derush_path_range(const char *root, char **lo, char **hi);

/* ---- scan claims (scan-claims.c) ---- */

/* Claims chunk @chunk of folder @dir's files for the scan @owner, in its own
 * short transaction. @granted is FALSE when a live scan (its process alive,
 * its heartbeat recent) holds it; a claim of a dead one is taken over. */
gboolean _derush_catalog_claim_chunk(DerushCatalog *cat, gint64 owner, const char *dir, int chunk,
                                     gboolean *granted, GError **error);

/* Refreshes the heartbeat of @owner's claims (inside the caller's
 * transaction, if any). */
gboolean _derush_catalog_touch_claims(DerushCatalog *cat, gint64 owner, GError **error);

/* Drops every claim of @owner. */
gboolean _derush_catalog_release_claims(DerushCatalog *cat, gint64 owner, GError **error);

/* ---- labels (labels.c) ---- */

/* derush_catalog_set_labels() with changes[i] for ids[i], in one batch. */
gboolean _derush_catalog_set_labels_each(DerushCatalog *catalog, const gint64 *ids,
                                         const DerushLabelChange *changes, gsize n_ids,
                                         DerushLabelSource source, gint64 *batch_out,
                                         GError **error);

/* ---- learning (learn-store.c) ---- */

/* One photo as the learning dataset reads it. The feature blob is the
 * stored float32 vector (NULL when not analyzed at the current version);
 * learn/ decodes it. Group ids are 0 when the photo is in none. */
typedef struct {
  gint64 id;
  const char *path; /* (transfer none): valid during the callback */
  gint64 pair_id;
  gboolean has_time;
  gint64 time_ns;
  gint64 size;
  int width, height;
  const void *features;
  int features_bytes;
  DerushLabel label;
  gboolean labelled;
  DerushLabelSource source;
  gint64 group[3]; /* by DerushGroupKind */
} DerushLearnRow;

typedef void (*DerushLearnRowFunc)(const DerushLearnRow *row, gpointer user_data);

/* Every readable, present photo, by id. */
gboolean _derush_catalog_foreach_learn_row(DerushCatalog *cat, DerushLearnRowFunc func,
                                           gpointer user_data, GError **error);

/* Keep and trash labels made by people (auto labels are not training data). */
gboolean _derush_catalog_count_labels(DerushCatalog *cat, gint64 *keep, gint64 *trash,
                                      GError **error);

/* Stores a model blob as a new version (older ones beyond the last few are
 * dropped); @version_out gets it. */
gboolean _derush_catalog_store_model(DerushCatalog *cat, const void *blob, gsize len,
                                     gint64 dataset_version, gint64 labels, gint64 last_event,
                                     gint64 *version_out, GError **error);

/* The newest model: FALSE without error and *blob NULL when there is none. */
gboolean _derush_catalog_load_model(DerushCatalog *cat, GBytes **blob, gint64 *version,
                                    gint64 *dataset_version, gint64 *last_event, GError **error);

/* Replaces every stored prediction with these, in one transaction. */
gboolean _derush_catalog_store_predictions(DerushCatalog *cat, gsize n, const gint64 *ids,
                                           const double *p_keep, const int *zone,
                                           const double *uncertainty, gint64 model_version,
                                           GError **error);

G_END_DECLS

#endif
