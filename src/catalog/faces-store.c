/* faces-store.c: the catalog's face tables.
 *
 * As detections and features, faces are stored per photo version:
 * face_runs holds (version, content_hash) and the face features, so "needs
 * its faces found" is one join and a photo without faces still counts as
 * done; faces holds the faces, best score first. float32 blobs are
 * little-endian. */
#include "faces-store.h"

static void
bind_real_or_null(sqlite3_stmt *s, int col, float v)
{
  if (isnan(v))
    sqlite3_bind_null(s, col);
  else
    sqlite3_bind_double(s, col, v);
}

gboolean
_derush_catalog_store_faces(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                            const DerushFace *faces, int n, const float *features, GError **error)
{
  if (!_derush_catalog_exec_with_id(cat, "DELETE FROM faces WHERE photo_id = ?", photo_id,
                                    "cannot store faces", error))
    return FALSE;
  sqlite3_stmt *s =
      _derush_catalog_stmt(cat,
                           "INSERT INTO faces(photo_id, rank, score, x0, y0, x1, y1, landmarks,"
                           " eye_open0, eye_open1, sharpness, area, cut)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (!s)
    return FALSE;
  int rc;
  for (int i = 0; i < n; i++) {
    const DerushFace *f = &faces[i];
    guint8 lm[4 * 10];
    _derush_floats_to_blob(&f->landmarks[0][0], 10, lm);
    sqlite3_bind_int64(s, 1, photo_id);
    sqlite3_bind_int(s, 2, i);
    sqlite3_bind_double(s, 3, f->score);
    for (int k = 0; k < 4; k++)
      sqlite3_bind_double(s, 4 + k, f->box[k]);
    sqlite3_bind_blob(s, 8, lm, sizeof lm, SQLITE_TRANSIENT);
    bind_real_or_null(s, 9, f->eyes_open[0]);
    bind_real_or_null(s, 10, f->eyes_open[1]);
    bind_real_or_null(s, 11, f->sharpness);
    sqlite3_bind_double(s, 12, isnan(f->area) ? 0 : f->area);
    sqlite3_bind_int(s, 13, f->cut ? 1 : 0);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
      goto fail;
  }
  return _derush_catalog_store_run(cat,
                                   "INSERT OR REPLACE INTO face_runs(photo_id, version,"
                                   " content_hash, faces, features) VALUES (?, ?, ?, ?, ?)",
                                   photo_id, DERUSH_FACES_VERSION, content_hash, n, features,
                                   DERUSH_N_FACE_FEATURES, "cannot store faces", error);
fail:
  _derush_catalog_set_error(cat, error, "cannot store faces");
  return FALSE;
}

static float
column_real(sqlite3_stmt *s, int col)
{
  return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN : (float)sqlite3_column_double(s, col);
}

/* The columns read_face() reads, in its order, from "faces f". */
#define FACE_COLUMNS                                                                               \
  "f.score, f.x0, f.y0, f.x1, f.y1, f.landmarks, f.eye_open0, f.eye_open1, f.sharpness, f.area,"   \
  " f.cut"

/* One face from FACE_COLUMNS, starting at column @col of @s. */
static void
read_face(sqlite3_stmt *s, int col, DerushFace *f)
{
  *f = (DerushFace){.score = (float)sqlite3_column_double(s, col)};
  for (int k = 0; k < 4; k++)
    f->box[k] = (float)sqlite3_column_double(s, col + 1 + k);
  _derush_blob_to_floats(sqlite3_column_blob(s, col + 5), sqlite3_column_bytes(s, col + 5),
                         &f->landmarks[0][0], 10);
  f->eyes_open[0] = column_real(s, col + 6);
  f->eyes_open[1] = column_real(s, col + 7);
  f->sharpness = column_real(s, col + 8);
  f->area = (float)sqlite3_column_double(s, col + 9);
  f->cut = sqlite3_column_int(s, col + 10) != 0;
}

/* The current run of @path: TRUE with *found FALSE when there is none. */
static gboolean
current_run(DerushCatalog *cat, const char *path, gint64 *photo_id, float *features,
            gboolean *found, GError **error)
{
  sqlite3_stmt *s = _derush_catalog_stmt(cat,
                                         "SELECT p.id, fr.features FROM photos p JOIN face_runs fr"
                                         " ON fr.photo_id = p.id AND fr.version = ?"
                                         " AND fr.content_hash = p.content_hash WHERE p.path = ?",
                                         error);
  if (!s)
    return FALSE;
  sqlite3_bind_int(s, 1, DERUSH_FACES_VERSION);
  sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  *found = rc == SQLITE_ROW;
  if (*found) {
    *photo_id = sqlite3_column_int64(s, 0);
    if (features)
      _derush_blob_to_floats(sqlite3_column_blob(s, 1), sqlite3_column_bytes(s, 1), features,
                             DERUSH_N_FACE_FEATURES);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read faces");
    return FALSE;
  }
  return TRUE;
}

static void
read_face_row(sqlite3_stmt *s, gpointer element)
{
  read_face(s, 0, element);
}

/**
 * derush_catalog_get_faces:
 * @catalog: the catalog
 * @path: a photo's absolute path
 * @faces: (out) (transfer full): a GArray of DerushFace, best score first,
 *   in the upright original's pixels
 * @error: return location for a GError
 *
 * Returns: FALSE with DERUSH_ERROR_NOT_FOUND when the photo's faces were
 * never looked for (no models, not analyzed, or changed since).
 */
gboolean
derush_catalog_get_faces(DerushCatalog *catalog, const char *path, GArray **faces, GError **error)
{
  g_return_val_if_fail(catalog != NULL && path != NULL && faces != NULL, FALSE);
  gint64 id = 0;
  gboolean found;
  if (!current_run(catalog, path, &id, NULL, &found, error))
    return FALSE;
  if (!found) {
    g_autofree char *display = g_filename_display_name(path);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND,
                "%s: faces not looked for (run derush analyze with the face models)", display);
    return FALSE;
  }
  sqlite3_stmt *s = _derush_catalog_stmt(catalog,
                                         "SELECT " FACE_COLUMNS " FROM faces f"
                                         " WHERE f.photo_id = ? ORDER BY f.rank",
                                         error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, id);
  *faces = _derush_catalog_read_rows(catalog, s, sizeof(DerushFace), read_face_row,
                                     "cannot read faces", error);
  return *faces != NULL;
}

/**
 * derush_catalog_get_face_features:
 * @catalog: the catalog
 * @path: a photo's absolute path
 * @vector: (out): DERUSH_N_FACE_FEATURES values, all NAN when the photo's
 *   faces were never looked for
 * @error: return location for a GError
 *
 * Returns: FALSE only when the catalog fails.
 */
gboolean
derush_catalog_get_face_features(DerushCatalog *catalog, const char *path, float *vector,
                                 GError **error)
{
  g_return_val_if_fail(catalog != NULL && path != NULL && vector != NULL, FALSE);
  for (int i = 0; i < DERUSH_N_FACE_FEATURES; i++)
    vector[i] = NAN;
  gint64 id;
  gboolean found;
  return current_run(catalog, path, &id, vector, &found, error);
}

/* Hands the faces gathered for @photo_id to @func; FALSE when it said stop. */
static gboolean
flush_photo(gint64 photo_id, const char *path, GArray *faces, DerushFacesFunc func,
            gpointer user_data)
{
  gboolean go_on =
      func(photo_id, path, (const DerushFace *)faces->data, (int)faces->len, user_data);
  g_array_set_size(faces, 0);
  return go_on;
}

/**
 * derush_catalog_foreach_faces:
 * @catalog: the catalog
 * @under: (nullable): only photos at or below this folder
 * @func: called once per photo whose faces were looked for on its current
 *   version, with its faces (best score first, in the upright original's
 *   pixels; none when no face was found); return FALSE to stop
 * @user_data: for @func
 * @error: return location for a GError
 *
 * Reads the faces of a whole folder in one query, ordered by path: what an
 * app needs to badge every photo or filter on closed eyes, without one
 * derush_catalog_get_faces() call per photo. Photos whose faces were never
 * looked for (no models, not analyzed, changed since) are left out. The
 * arrays passed to @func are only valid during the call.
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 *
 * See also: derush_catalog_get_faces(), derush_face_eyes_closed(),
 *   derush_face_soft().
 */
gboolean
derush_catalog_foreach_faces(DerushCatalog *catalog, const char *under, DerushFacesFunc func,
                             gpointer user_data, GError **error)
{
  g_return_val_if_fail(catalog != NULL && func != NULL, FALSE);
  /* A LEFT JOIN on faces: a run that found no face still gives its row,
   * with NULL face columns. */
  sqlite3_stmt *s =
      _derush_catalog_stmt(catalog,
                           "SELECT p.id, p.path, f.rank, " FACE_COLUMNS " FROM photos p"
                           " JOIN face_runs fr ON fr.photo_id = p.id AND fr.version = ?4"
                           "  AND fr.content_hash = p.content_hash"
                           " LEFT JOIN faces f ON f.photo_id = p.id"
                           " WHERE p.missing = 0 AND " DERUSH_UNDER_SQL " ORDER BY p.path, f.rank",
                           error);
  if (!s)
    return FALSE;
  _derush_bind_under(s, under);
  sqlite3_bind_int(s, 4, DERUSH_FACES_VERSION);
  g_autoptr(GArray) faces = g_array_new(FALSE, TRUE, sizeof(DerushFace));
  g_autofree char *path = NULL;
  gint64 id = 0;
  gboolean go_on = TRUE;
  int rc = SQLITE_DONE;
  while (go_on && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 row_id = sqlite3_column_int64(s, 0);
    if (path && row_id != id) {
      go_on = flush_photo(id, path, faces, func, user_data);
      g_clear_pointer(&path, g_free);
    }
    if (!path) {
      id = row_id;
      path = g_strdup((const char *)sqlite3_column_text(s, 1));
    }
    if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
      DerushFace f;
      read_face(s, 3, &f);
      g_array_append_val(faces, f);
    }
  }
  if (!go_on)
    rc = SQLITE_DONE;
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot read faces");
    return FALSE;
  }
  if (go_on && path)
    flush_photo(id, path, faces, func, user_data);
  return TRUE;
}
