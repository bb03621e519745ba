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
  GHashTable *stmts;  /* SQL text -> sqlite3_stmt*, prepared once */
  int tx_depth;       /* nesting of _derush_catalog_begin */
  GThread *owner;     /* the thread that opened it: the only one to use it */
  gboolean read_only; /* opened for reading only: the disk was full */
};

/* One thread owns a connection (epiphany's history service asserts the
 * same): debug builds check every statement comes from it. */
#ifdef DERUSH_DEBUG
#define DERUSH_CATALOG_ASSERT_OWNER(cat) g_assert((cat)->owner == g_thread_self())
#else
#define DERUSH_CATALOG_ASSERT_OWNER(cat) ((void)0)
#endif

/* Starts SQLite once per process (derush_init). */
gboolean _derush_catalog_library_init(GError **error);

/* Turns the last SQLite error of @cat into a GError (BUSY or CATALOG). */
void _derush_catalog_set_error(DerushCatalog *cat, GError **error, const char *what);

/* Steps @s (bound) to its end, appending one @element_size element per row
 * as @read_row fills it (zeroed first), and resets it. Returns the array,
 * or NULL with @error ("cannot @what") when SQLite fails. */
typedef void (*DerushRowReader)(sqlite3_stmt *s, gpointer element);
GArray *_derush_catalog_read_rows(DerushCatalog *cat, sqlite3_stmt *s, guint element_size,
                                  DerushRowReader read_row, const char *what, GError **error);

/* A cached prepared statement for @sql, reset and with bindings cleared. */
sqlite3_stmt *_derush_catalog_stmt(DerushCatalog *cat, const char *sql, GError **error);

/* Runs a statement that returns no rows; the second binds @id to ?1 and
 * says "cannot @what" when it fails. */
gboolean _derush_catalog_exec(DerushCatalog *cat, const char *sql, GError **error);
gboolean _derush_catalog_exec_with_id(DerushCatalog *cat, const char *sql, gint64 id,
                                      const char *what, GError **error);

/* Write transactions. BEGIN IMMEDIATE takes the write lock up front, so two
 * processes never deadlock upgrading a read lock; the busy timeout makes the
 * second one wait instead of failing. Nested calls only count. */
gboolean _derush_catalog_begin(DerushCatalog *cat, GError **error);
gboolean _derush_catalog_commit(DerushCatalog *cat, GError **error);
void _derush_catalog_rollback(DerushCatalog *cat);
/* The same, committed with synchronous=FULL (decisions, the file journal). */
gboolean _derush_catalog_begin_durable(DerushCatalog *cat, GError **error);
gboolean _derush_catalog_end_durable(DerushCatalog *cat, gboolean ok, GError **error);

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
/* "p is @under or below it, or @under is NULL", with ?1..?3 bound by
 * _derush_bind_under(). */
#define DERUSH_UNDER_SQL "(?1 IS NULL OR p.path = ?1 OR (p.path > ?2 AND p.path < ?3))"
void _derush_bind_under(sqlite3_stmt *s, const char *under);

/* ---- settings (settings-store.c) ---- */

char *_derush_catalog_get_setting(DerushCatalog *cat, const char *key);
gboolean _derush_catalog_read_setting(DerushCatalog *cat, const char *key, char **value,
                                      GError **error);
gboolean _derush_catalog_put_setting(DerushCatalog *cat, const char *key, const char *value,
                                     GError **error);

/* ---- label views for export (label-queries.c) ---- */

gboolean _derush_catalog_foreach_label_row(DerushCatalog *cat, const char *under,
                                           void (*func)(const char *path, DerushLabel label,
                                                        int stars, gint64 group,
                                                        gpointer user_data),
                                           gpointer user_data, GError **error);
gboolean _derush_catalog_label_by_path(DerushCatalog *cat, const char *path, gint64 *id,
                                       DerushLabel *label, DerushLabelSource *source,
                                       gboolean *labelled);

/* ---- sidecar records and decision rows (sidecars-store.c) ---- */

typedef struct {
  gint64 mtime_ns, size;
  guint64 hash; /* xxh64 of the bytes */
} DerushSidecarState;

gboolean _derush_catalog_sidecar_state_get(DerushCatalog *cat, const char *path,
                                           DerushSidecarState *out);
gboolean _derush_catalog_sidecar_state_put(DerushCatalog *cat, const char *path,
                                           const DerushSidecarState *st, GError **error);
typedef gboolean (*DerushDecisionFunc)(const char *path, DerushLabel label, int stars,
                                       gpointer user_data, GError **error);
gboolean _derush_catalog_foreach_decision(DerushCatalog *cat, const char *under, const gint64 *ids,
                                          gsize n_ids, DerushDecisionFunc func, gpointer user_data,
                                          GError **error);
gboolean _derush_catalog_xmp_rating(DerushCatalog *cat, const char *path, int *rating,
                                    GError **error);
gboolean _derush_catalog_photo_decision(DerushCatalog *cat, const char *path, gint64 *id,
                                        DerushLabel *label, GError **error);
gboolean _derush_catalog_decision_at(DerushCatalog *cat, const char *path, gint64 time_ns,
                                     DerushLabel *label, int *stars, GError **error);

/* ---- the file-operation journal (file-ops-store.c) ---- */

/* Journal states of one operation. */
enum {
  DERUSH_OP_PLANNED,
  DERUSH_OP_DONE,
  DERUSH_OP_UNDONE,
  DERUSH_OP_SKIPPED,
  DERUSH_OP_UNDOING,
  DERUSH_OP_UNDO_FAILED, /* the apply was undone but this step could not be */
};

typedef struct {
  DerushFileOpKind kind;
  char *src;
  char *dst;        /* move/copy target; for trash, the file in the trash once done */
  char *trash_info; /* trash: its .trashinfo */
  gint64 photo_id;  /* rows that follow the file; 0 for sidecars */
  gint64 size;
  gint64 row; /* file_ops id once journaled */
  int state;  /* as loaded from the journal */
} DerushJournalOp;

void _derush_journal_op_clear(gpointer p);
gboolean _derush_catalog_path_known(DerushCatalog *cat, const char *path);
gboolean
_derush_catalog_foreach_labelled_photo(DerushCatalog *cat, const char *under, DerushLabel label,
                                       void (*func)(gint64 id, const char *path, gint64 pair_id,
                                                    const char *pair_path, gpointer user_data),
                                       gpointer user_data, GError **error);
gboolean _derush_catalog_journal_plan(DerushCatalog *cat, GArray *ops, GError **error);
gboolean _derush_catalog_journal_set(DerushCatalog *cat, const DerushJournalOp *op, int state,
                                     GError **error);
gboolean _derush_catalog_journal_has_pending(DerushCatalog *cat, gboolean *pending, GError **error);
GArray *_derush_catalog_journal_load_pending(DerushCatalog *cat, GError **error);
GArray *_derush_catalog_journal_load_undo_failed(DerushCatalog *cat, GError **error);
gboolean _derush_catalog_journal_trash_claimed(DerushCatalog *cat, const char *file, gint64 row);
GArray *_derush_catalog_journal_load_undoing(DerushCatalog *cat, gint64 apply, GError **error);
gint64 _derush_catalog_journal_last_apply(DerushCatalog *cat, GError **error);
gboolean _derush_catalog_journal_mark_undoing(DerushCatalog *cat, gint64 apply, GError **error);
gboolean _derush_catalog_journal_mark_undone(DerushCatalog *cat, gint64 apply, GError **error);

/* ---- analysis results: features and hashes (analysis-store.c) ---- */

/* Little-endian float32 blobs, and back (missing trailing values: NAN). */
void _derush_blob_to_floats(const void *blob, int bytes, float *out, int n);
/* The blob in column @col, NULL (and 0 @bytes) when it holds none. */
const void *_derush_column_blob(sqlite3_stmt *s, int col, int *bytes);
void _derush_floats_to_blob(const float *v, int n, guint8 *blob);
/* The row of one model run on a photo (detect_runs, face_runs): @sql is its
 * INSERT OR REPLACE of (photo_id, version, content_hash, count, features
 * blob); says "cannot @what" when it fails. */
gboolean _derush_catalog_store_run(DerushCatalog *cat, const char *sql, gint64 photo_id,
                                   int version, guint64 content_hash, int count,
                                   const float *features, int n_features, const char *what,
                                   GError **error);

/* One photo's analysis, encoded by the modules that computed it. */
typedef struct {
  gint64 photo_id;
  guint64 content_hash; /* of the file the values were computed from */
  int features_version;
  const void *features;
  gsize features_len;
  int hashes_version;
  guint64 dhash, phash; /* the upright picture's, for SQL lookups */
  const void *variants; /* every transform's hashes and the polar signature */
  gsize variants_len;
} DerushAnalysisRecord;

gboolean _derush_catalog_store_analysis(DerushCatalog *cat, const DerushAnalysisRecord *rec,
                                        GError **error);
/* A photo to analyze and what it lacks. */
typedef struct {
  char *path;
  gboolean features; /* features or hashes stale */
  gboolean detect;   /* detections stale */
  gboolean faces;    /* faces stale */
} DerushAnalysisTodo;

void _derush_analysis_todo_clear(gpointer todo);

/* The readable photos under @root (nullable) lacking features or hashes of
 * these versions (@features_version 0: not wanted) or detections of
 * @detect_version or faces of @faces_version (0: not wanted), appended to
 * @todo (DerushAnalysisTodo);
 * the others are counted in @up_to_date. */
gboolean _derush_catalog_analysis_todo(DerushCatalog *cat, const char *root, int features_version,
                                       int hashes_version, int detect_version, int faces_version,
                                       GArray *todo, gint64 *up_to_date, GError **error);

/* ---- groups (groups-store.c) ---- */

/* What grouping reads of one photo; pointers valid during the callback. */
typedef struct {
  gint64 id, pair_id;
  gboolean raw;
  int time_source; /* DerushTimeSource */
  gboolean has_capture_time;
  gint64 capture_time_ns;
  const char *make, *model; /* nullable */
  const void *hashes;       /* nullable: absent or stale */
  int hashes_len;
  const void *features; /* nullable: absent or stale */
  int features_len;
} DerushGroupSource;

gboolean
_derush_catalog_foreach_group_source(DerushCatalog *cat, int hashes_version, int features_version,
                                     void (*func)(const DerushGroupSource *row, gpointer user_data),
                                     gpointer user_data, GError **error);

/* One group to store. */
typedef struct {
  gint64 id;
  int kind; /* DerushGroupKind */
  gint64 key;
  gint64 best_id;
  double best_score; /* NAN: none */
  int best_by;       /* DerushBestBy */
  const gint64 *members;
  guint n_members;
} DerushGroupRecord;

gboolean _derush_catalog_replace_groups(DerushCatalog *cat, const DerushGroupRecord *groups,
                                        guint n_groups, GError **error);
/* Sets best_id, best_score and best_by of the stored groups @groups name by
 * id (members and the rest untouched), in one transaction. */
gboolean _derush_catalog_set_group_bests(DerushCatalog *cat, const DerushGroupRecord *groups,
                                         guint n_groups, GError **error);
gint64 _derush_catalog_group_of(DerushCatalog *cat, gint64 photo_id, int kind, GError **error);

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

/* SQLite's data_version of @cat's connection: it changes when another
 * connection commits, so rows read before can be known stale. */
gboolean _derush_catalog_data_version(DerushCatalog *cat, gint64 *version, GError **error);

/* ---- labels (labels.c) ---- */

/* derush_catalog_set_labels() with changes[i] for ids[i], in one batch. */
gboolean _derush_catalog_set_labels_each(DerushCatalog *catalog, const gint64 *ids,
                                         const DerushLabelChange *changes, gsize n_ids,
                                         DerushLabelSource source, gint64 *batch_out,
                                         GError **error);

/* The one embedding kind stored with a sketch (what learning reads):
 * migration 11 names it by number. */
#define DERUSH_SKETCHED_EMBEDDING DERUSH_EMBEDDING_MOBILENET

/* The connection's SQL functions (detections.c): derush_sketch(blob),
 * which migration 11 uses. */
gboolean _derush_catalog_add_functions(DerushCatalog *cat, GError **error);

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
  gint64 group[3];      /* by DerushGroupKind */
  const void *detector; /* detector features blob, NULL when not run */
  int detector_bytes;
  const void *faces; /* face features blob, NULL when not run */
  int faces_bytes;
  const void *sketch; /* the asked embedding's sketch blob, NULL when none is current */
  int sketch_bytes;
} DerushLearnRow;

typedef void (*DerushLearnRowFunc)(const DerushLearnRow *row, gpointer user_data);

/* Every readable, present photo, by id, with the sketch of its @embedding
 * (DERUSH_SKETCHED_EMBEDDING, the only one with a sketch). */
gboolean _derush_catalog_foreach_learn_row(DerushCatalog *cat, DerushEmbeddingKind embedding,
                                           DerushLearnRowFunc func, gpointer user_data,
                                           GError **error);

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
