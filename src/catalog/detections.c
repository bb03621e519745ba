/* detections.c: the catalog's detector tables.
 *
 * A detector run is stored per photo version, like features: detect_runs
 * holds (version, content_hash) and the detector features, so "needs
 * detecting" is one join, and a photo where nothing was found still counts
 * as done. detections holds its boxes, best first; embeddings one vector
 * per photo and kind with its size and version; detect_runs also keeps
 * the MobileNetV2 embedding's 64-byte sketch (util/sketch.c), what
 * learning reads.
 * All float32 blobs are little-endian. */
#include "detections-store.h"

/* The embeddings the catalog stores: a kind's size is its blob's, and its
 * version keys the rows (a new version leaves the old rows unread). The
 * table is here, not in detect/, so the store needs nothing above it. */
static const DerushEmbeddingInfo embeddings[DERUSH_N_EMBEDDINGS] = {
    [DERUSH_EMBEDDING_YOLOX] = {"yolox_backbone", 256, 1},
    [DERUSH_EMBEDDING_MOBILENET] = {"mobilenetv2", 1280, 1},
};

/**
 * derush_embedding_info:
 * @kind: a DerushEmbeddingKind
 *
 * Returns: (transfer none): its name, size and version.
 */
const DerushEmbeddingInfo *
derush_embedding_info(DerushEmbeddingKind kind)
{
  g_return_val_if_fail(kind < DERUSH_N_EMBEDDINGS, NULL);
  return &embeddings[kind];
}

gboolean
_derush_catalog_store_detections(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                                 const DerushDetection *dets, int n, const float *features,
                                 GError **error)
{
  if (!_derush_catalog_exec_with_id(cat, "DELETE FROM detections WHERE photo_id = ?", photo_id,
                                    "cannot store detections", error))
    return FALSE;
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "INSERT INTO detections(photo_id, rank, class_id, score, x0, y0, x1, y1)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (!s)
    return FALSE;
  int rc;
  for (int i = 0; i < n; i++) {
    sqlite3_bind_int64(s, 1, photo_id);
    sqlite3_bind_int(s, 2, i);
    sqlite3_bind_int(s, 3, dets[i].class_id);
    sqlite3_bind_double(s, 4, dets[i].score);
    for (int k = 0; k < 4; k++)
      sqlite3_bind_double(s, 5 + k, dets[i].box[k]);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
      goto fail;
  }
  return _derush_catalog_store_run(cat,
                                   "INSERT OR REPLACE INTO detect_runs(photo_id, version,"
                                   " content_hash, objects, features) VALUES (?, ?, ?, ?, ?)",
                                   photo_id, DERUSH_DETECT_VERSION, content_hash, n, features,
                                   DERUSH_N_DETECT_FEATURES, "cannot store detections", error);
fail:
  _derush_catalog_set_error(cat, error, "cannot store detections");
  return FALSE;
}

/* The sketch of a stored MobileNetV2 embedding, kept in the photo
 * version's detect_runs row (schema migration 11: the dataset then reads
 * it with no join of its own); one with no direction gets none (learning
 * reads it as missing). A new detector run replaces the row, so a sketch
 * never outlives its run. */
static gboolean
store_sketch(DerushCatalog *cat, gint64 photo_id, guint64 content_hash, DerushEmbeddingKind kind,
             const float *vector, int size, GError **error)
{
  if (kind != DERUSH_SKETCHED_EMBEDDING)
    return TRUE;
  sqlite3_stmt *s = _derush_catalog_stmt(cat,
                                         "UPDATE detect_runs SET sketch = ?, sketch_version = ?"
                                         " WHERE photo_id = ? AND content_hash = ?",
                                         error);
  if (!s)
    return FALSE;
  float sketch[DERUSH_SKETCH_SIZE];
  gint8 blob[DERUSH_SKETCH_SIZE];
  if (size > DERUSH_SKETCH_SIZE && _derush_sketch(vector, size, sketch)) {
    _derush_sketch_pack(sketch, blob);
    sqlite3_bind_blob(s, 1, blob, sizeof blob, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(s, 1);
  }
  sqlite3_bind_int(s, 2, derush_embedding_info(kind)->version);
  sqlite3_bind_int64(s, 3, photo_id);
  sqlite3_bind_int64(s, 4, (gint64)content_hash);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot store an embedding");
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_store_embedding(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                                DerushEmbeddingKind kind, const float *vector, int size,
                                GError **error)
{
  g_return_val_if_fail(kind < DERUSH_N_EMBEDDINGS && size > 0, FALSE);
  sqlite3_stmt *s = _derush_catalog_stmt(cat,
                                         "INSERT OR REPLACE INTO embeddings(photo_id, kind,"
                                         " version, content_hash, size, vector)"
                                         " VALUES (?, ?, ?, ?, ?, ?)",
                                         error);
  if (!s)
    return FALSE;
  g_autofree guint8 *blob = g_malloc((gsize)4 * size);
  _derush_floats_to_blob(vector, size, blob);
  sqlite3_bind_int64(s, 1, photo_id);
  sqlite3_bind_int(s, 2, kind);
  sqlite3_bind_int(s, 3, derush_embedding_info(kind)->version);
  sqlite3_bind_int64(s, 4, (gint64)content_hash);
  sqlite3_bind_int(s, 5, size);
  sqlite3_bind_blob(s, 6, blob, 4 * size, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot store an embedding");
    return FALSE;
  }
  return store_sketch(cat, photo_id, content_hash, kind, vector, size, error);
}

/* derush_sketch(vector blob): the blob's sketch as a blob, NULL when it
 * has none (too short to sketch, no direction). For migration 11. */
static void
sketch_function(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  (void)argc;
  int bytes = sqlite3_value_bytes(argv[0]);
  const void *blob = sqlite3_value_blob(argv[0]);
  int n = bytes / 4;
  if (!blob || n <= DERUSH_SKETCH_SIZE) {
    sqlite3_result_null(ctx);
    return;
  }
  g_autofree float *v = g_new(float, n);
  _derush_blob_to_floats(blob, bytes, v, n);
  float sketch[DERUSH_SKETCH_SIZE];
  if (!_derush_sketch(v, n, sketch)) {
    sqlite3_result_null(ctx);
    return;
  }
  gint8 out[DERUSH_SKETCH_SIZE];
  _derush_sketch_pack(sketch, out);
  sqlite3_result_blob(ctx, out, sizeof out, SQLITE_TRANSIENT);
}

gboolean
_derush_catalog_add_functions(DerushCatalog *cat, GError **error)
{
  if (sqlite3_create_function(cat->db, "derush_sketch", 1,
                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                              sketch_function, NULL, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot add its SQL functions");
    return FALSE;
  }
  return TRUE;
}

static void
read_detection(sqlite3_stmt *s, gpointer element)
{
  DerushDetection *d = element;
  d->class_id = sqlite3_column_int(s, 0);
  d->score = (float)sqlite3_column_double(s, 1);
  for (int k = 0; k < 4; k++)
    d->box[k] = (float)sqlite3_column_double(s, 2 + k);
}

/**
 * derush_catalog_get_detections:
 * @catalog: the catalog
 * @path: a photo's absolute path
 * @error: return location for a GError
 *
 * The detections stored for the photo's current version, best first:
 * score above DERUSH_DETECT_STORE_SCORE, boxes in the upright original's
 * pixels, clipped to it.
 *
 * Returns: (transfer full): a GArray of DerushDetection (empty when the
 * detector found nothing), or NULL with DERUSH_ERROR_NOT_FOUND when the
 * photo was not run through the detector (no model, not detected yet) or
 * is unknown.
 */
GArray *
derush_catalog_get_detections(DerushCatalog *catalog, const char *path, GError **error)
{
  g_return_val_if_fail(catalog != NULL && path != NULL, NULL);
  sqlite3_stmt *s = _derush_catalog_stmt(catalog,
                                         "SELECT p.id FROM photos p" DERUSH_DETECT_RUN_JOIN
                                         " WHERE p.path = ?1 AND d.photo_id IS NOT NULL",
                                         error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 9, DERUSH_DETECT_VERSION);
  int rc = sqlite3_step(s);
  gint64 id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read detections");
    return NULL;
  }
  if (id < 0) {
    g_autofree char *display = g_filename_display_name(path);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND,
                "%s: no detections yet (run derush detect)", display);
    return NULL;
  }
  s = _derush_catalog_stmt(catalog,
                           "SELECT class_id, score, x0, y0, x1, y1 FROM detections"
                           " WHERE photo_id = ? ORDER BY rank",
                           error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  return _derush_catalog_read_rows(catalog, s, sizeof(DerushDetection), read_detection,
                                   "cannot read detections", error);
}

/**
 * derush_catalog_get_detector_features:
 * @catalog: the catalog
 * @photo_id: a photo's id
 * @vector: (out caller-allocates): DERUSH_N_DETECT_FEATURES values
 * @error: return location for a GError
 *
 * Fills @vector with the detector features of the photo's current
 * version, all NAN when it has none (no model, not detected yet, unknown
 * photo): the learner treats them as missing.
 *
 * Returns: FALSE only when the catalog fails.
 */
gboolean
derush_catalog_get_detector_features(DerushCatalog *catalog, gint64 photo_id, float *vector,
                                     GError **error)
{
  g_return_val_if_fail(catalog != NULL && vector != NULL, FALSE);
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    vector[i] = NAN;
  sqlite3_stmt *s = _derush_catalog_stmt(catalog,
                                         "SELECT d.features FROM photos p" DERUSH_DETECT_RUN_JOIN
                                         " WHERE p.id = ?1 AND d.photo_id IS NOT NULL",
                                         error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, photo_id);
  sqlite3_bind_int(s, 9, DERUSH_DETECT_VERSION);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    _derush_blob_to_floats(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0), vector,
                           DERUSH_N_DETECT_FEATURES);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read detector features");
    return FALSE;
  }
  return TRUE;
}

/**
 * derush_catalog_get_embedding:
 * @catalog: the catalog
 * @photo_id: a photo's id
 * @kind: which embedding
 * @size: (out) (optional): its length
 * @error: return location for a GError
 *
 * Returns: (transfer full): the @kind embedding of the photo's current
 * version (derush_embedding_info() gives its size and version), or NULL
 * with DERUSH_ERROR_NOT_FOUND when there is none.
 */
float *
derush_catalog_get_embedding(DerushCatalog *catalog, gint64 photo_id, DerushEmbeddingKind kind,
                             int *size, GError **error)
{
  g_return_val_if_fail(catalog != NULL && kind < DERUSH_N_EMBEDDINGS, NULL);
  sqlite3_stmt *s = _derush_catalog_stmt(catalog,
                                         "SELECT e.size, e.vector FROM photos p"
                                         " JOIN embeddings e ON e.photo_id = p.id AND e.kind = ?2"
                                         "  AND e.version = ?3 AND e.content_hash = p.content_hash"
                                         " WHERE p.id = ?1",
                                         error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, photo_id);
  sqlite3_bind_int(s, 2, kind);
  sqlite3_bind_int(s, 3, derush_embedding_info(kind)->version);
  int rc = sqlite3_step(s);
  float *out = NULL;
  if (rc == SQLITE_ROW) {
    int n = sqlite3_column_int(s, 0);
    if (n > 0 && sqlite3_column_bytes(s, 1) == 4 * n) {
      out = g_new(float, n);
      _derush_blob_to_floats(sqlite3_column_blob(s, 1), 4 * n, out, n);
      if (size)
        *size = n;
    }
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read an embedding");
    return NULL;
  }
  if (!out)
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "no %s embedding stored",
                derush_embedding_info(kind)->name);
  return out;
}
