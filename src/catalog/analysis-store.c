/* analysis-store.c: the features and hashes tables: what the analysis
 * pipeline stores per photo and reads back. The modules above compute the
 * values and their encodings; this file only knows rows and blobs. Every
 * row carries the content hash it was computed from, so a photo changed
 * since reads as "not analyzed". */
#include "catalog-private.h"
#include "detections-store.h"
#include "faces-store.h"

/**
 * _derush_column_blob:
 * @s: a statement on a row
 * @col: the column
 * @bytes: (out): the blob's size, 0 when there is none
 *
 * Returns: (transfer none) (nullable): the column's blob, valid until the
 * statement steps on, or NULL when the column holds no blob (NULL: a
 * result absent or stale).
 */
const void *
_derush_column_blob(sqlite3_stmt *s, int col, int *bytes)
{
  if (sqlite3_column_type(s, col) != SQLITE_BLOB) {
    *bytes = 0;
    return NULL;
  }
  const void *blob = sqlite3_column_blob(s, col);
  *bytes = sqlite3_column_bytes(s, col);
  return blob;
}

/**
 * _derush_blob_to_floats:
 * @blob: little-endian float32 values
 * @bytes: the blob's size
 * @out: (out): @n floats; the ones the blob lacks become NAN
 * @n: how many
 *
 * Blobs are little-endian whatever the machine, so a catalog moves between
 * machines.
 */
void
_derush_blob_to_floats(const void *blob, int bytes, float *out, int n)
{
  for (int i = 0; i < n; i++)
    out[i] = NAN;
  int have = MIN(n, bytes / 4);
  for (int i = 0; i < have; i++) {
    guint32 bits;
    memcpy(&bits, (const guint8 *)blob + 4 * i, 4);
    bits = GUINT32_FROM_LE(bits);
    memcpy(&out[i], &bits, 4);
  }
}

/**
 * _derush_floats_to_blob:
 * @v: @n floats
 * @n: how many
 * @blob: (out): 4 * @n bytes, little-endian
 */
void
_derush_floats_to_blob(const float *v, int n, guint8 *blob)
{
  for (int i = 0; i < n; i++) {
    guint32 bits;
    memcpy(&bits, &v[i], 4);
    bits = GUINT32_TO_LE(bits);
    memcpy(blob + 4 * i, &bits, 4);
  }
}

gboolean
_derush_catalog_store_run(DerushCatalog *cat, const char *sql, gint64 photo_id, int version,
                          guint64 content_hash, int count, const float *features, int n_features,
                          const char *what, GError **error)
{
  sqlite3_stmt *s = _derush_catalog_stmt(cat, sql, error);
  if (!s)
    return FALSE;
  g_autofree guint8 *blob = g_malloc(4 * (gsize)n_features);
  _derush_floats_to_blob(features, n_features, blob);
  sqlite3_bind_int64(s, 1, photo_id);
  sqlite3_bind_int(s, 2, version);
  sqlite3_bind_int64(s, 3, (gint64)content_hash);
  sqlite3_bind_int(s, 4, count);
  sqlite3_bind_blob(s, 5, blob, 4 * n_features, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_DONE)
    return TRUE;
  _derush_catalog_set_error(cat, error, what);
  return FALSE;
}

/**
 * _derush_catalog_store_analysis:
 * @cat: the catalog, inside a transaction of the caller's
 * @rec: one photo's features and hashes, encoded
 * @error: return location for a GError
 *
 * Inserts or replaces the photo's features row and hashes row.
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_store_analysis(DerushCatalog *cat, const DerushAnalysisRecord *rec, GError **error)
{
  sqlite3_stmt *s = _derush_catalog_stmt(cat,
                                         "INSERT OR REPLACE INTO features(photo_id, version,"
                                         " content_hash, vector) VALUES (?, ?, ?, ?)",
                                         error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, rec->photo_id);
  sqlite3_bind_int(s, 2, rec->features_version);
  sqlite3_bind_int64(s, 3, (gint64)rec->content_hash);
  sqlite3_bind_blob(s, 4, rec->features, (int)rec->features_len, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot store features");
    return FALSE;
  }
  s = _derush_catalog_stmt(cat,
                           "INSERT OR REPLACE INTO hashes(photo_id, version, content_hash,"
                           " dhash, phash, variants) VALUES (?, ?, ?, ?, ?, ?)",
                           error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, rec->photo_id);
  sqlite3_bind_int(s, 2, rec->hashes_version);
  sqlite3_bind_int64(s, 3, (gint64)rec->content_hash);
  sqlite3_bind_int64(s, 4, (gint64)rec->dhash);
  sqlite3_bind_int64(s, 5, (gint64)rec->phash);
  sqlite3_bind_blob(s, 6, rec->variants, (int)rec->variants_len, SQLITE_TRANSIENT);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot store hashes");
    return FALSE;
  }
  return TRUE;
}

void
_derush_analysis_todo_clear(gpointer todo)
{
  g_free(((DerushAnalysisTodo *)todo)->path);
}

/**
 * _derush_catalog_analysis_todo:
 * @cat: the catalog
 * @root: (nullable): only photos at or below this folder (or this file)
 * @features_version: the current DERUSH_FEATURES_VERSION
 * @hashes_version: the current hashes version
 * @detect_version: DERUSH_DETECT_VERSION, or 0 when detections are not wanted
 * @faces_version: DERUSH_FACES_VERSION, or 0 when faces are not wanted
 * @todo: (element-type DerushAnalysisTodo): receives the photos to analyze, by path
 * @up_to_date: (inout): incremented once per photo that needs nothing
 * @error: return location for a GError
 *
 * Paths (not photos: derush_catalog_get_photo() reads each with its
 * metadata) of the readable photos lacking current features or hashes,
 * detections or faces, each with what it lacks.
 *
 * Returns: FALSE with @error set when SQLite fails.
 */
gboolean
_derush_catalog_analysis_todo(DerushCatalog *cat, const char *root, int features_version,
                              int hashes_version, int detect_version, int faces_version,
                              GArray *todo, gint64 *up_to_date, GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  if (root)
    _derush_path_range(root, &lo, &hi);
  sqlite3_stmt *s = _derush_catalog_stmt(
      cat,
      "SELECT p.path, f.photo_id IS NOT NULL AND h.photo_id IS NOT NULL,"
      " d.photo_id IS NOT NULL, fr.photo_id IS NOT NULL FROM photos p"
      " LEFT JOIN features f ON f.photo_id = p.id AND f.version = ?1"
      "  AND f.content_hash = p.content_hash"
      " LEFT JOIN hashes h ON h.photo_id = p.id AND h.version = ?2"
      "  AND h.content_hash = p.content_hash" DERUSH_DETECT_RUN_JOIN DERUSH_FACE_RUN_JOIN
      " WHERE p.status = 0 AND p.missing = 0"
      "  AND (?3 IS NULL OR p.path = ?5 OR (p.path >= ?3 AND p.path < ?4))"
      " ORDER BY p.path",
      error);
  if (!s)
    return FALSE;
  sqlite3_bind_int(s, 1, features_version);
  sqlite3_bind_int(s, 2, hashes_version);
  sqlite3_bind_int(s, 9, detect_version);
  sqlite3_bind_int(s, 8, faces_version);
  if (root) {
    sqlite3_bind_text(s, 3, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, root, -1, SQLITE_TRANSIENT);
  }
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    DerushAnalysisTodo t = {.features = features_version > 0 && !sqlite3_column_int(s, 1),
                            .detect = detect_version > 0 && !sqlite3_column_int(s, 2),
                            .faces = faces_version > 0 && !sqlite3_column_int(s, 3)};
    if (!t.features && !t.detect && !t.faces) {
      (*up_to_date)++;
      continue;
    }
    t.path = g_strdup((const char *)sqlite3_column_text(s, 0));
    g_array_append_val(todo, t);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot list the photos to analyze");
    return FALSE;
  }
  return TRUE;
}

/**
 * derush_catalog_get_features:
 * @catalog: the catalog
 * @path: a photo's absolute path
 * @vector: (out): DERUSH_N_FEATURES values
 * @error: return location for a GError
 *
 * Returns: FALSE with DERUSH_ERROR_NOT_FOUND when the photo has no current
 * features (unknown, unreadable, or not analyzed since it changed).
 */
gboolean
derush_catalog_get_features(DerushCatalog *catalog, const char *path, float *vector, GError **error)
{
  g_return_val_if_fail(catalog != NULL && path != NULL && vector != NULL, FALSE);
  sqlite3_stmt *s =
      _derush_catalog_stmt(catalog,
                           "SELECT f.vector FROM photos p JOIN features f ON f.photo_id = p.id"
                           " AND f.version = ? AND f.content_hash = p.content_hash"
                           " WHERE p.path = ?",
                           error);
  if (!s)
    return FALSE;
  sqlite3_bind_int(s, 1, DERUSH_FEATURES_VERSION);
  sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    _derush_blob_to_floats(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0), vector,
                           DERUSH_N_FEATURES);
    sqlite3_reset(s);
    return TRUE;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read features");
    return FALSE;
  }
  g_autofree char *display = g_filename_display_name(path);
  g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "%s: not analyzed (run derush analyze)",
              display);
  return FALSE;
}
