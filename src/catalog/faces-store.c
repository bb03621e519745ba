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
                            const DerushFace *faces, int n, GError **error)
{
  sqlite3_stmt *s = _derush_catalog_stmt(cat, "DELETE FROM faces WHERE photo_id = ?", error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, photo_id);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    goto fail;
  s = _derush_catalog_stmt(cat,
                           "INSERT INTO faces(photo_id, rank, score, x0, y0, x1, y1, landmarks,"
                           " eye_open0, eye_open1, sharpness, area, cut)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (!s)
    return FALSE;
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
  s = _derush_catalog_stmt(cat,
                           "INSERT OR REPLACE INTO face_runs(photo_id, version, content_hash,"
                           " faces, features) VALUES (?, ?, ?, ?, ?)",
                           error);
  if (!s)
    return FALSE;
  float v[DERUSH_N_FACE_FEATURES];
  derush_face_features_compute(faces, n, v);
  guint8 blob[4 * DERUSH_N_FACE_FEATURES];
  _derush_floats_to_blob(v, DERUSH_N_FACE_FEATURES, blob);
  sqlite3_bind_int64(s, 1, photo_id);
  sqlite3_bind_int(s, 2, DERUSH_FACES_VERSION);
  sqlite3_bind_int64(s, 3, (gint64)content_hash);
  sqlite3_bind_int(s, 4, n);
  sqlite3_bind_blob(s, 5, blob, sizeof blob, SQLITE_TRANSIENT);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    goto fail;
  return TRUE;
fail:
  _derush_catalog_set_error(cat, error, "cannot store faces");
  return FALSE;
}

static float
column_real(sqlite3_stmt *s, int col)
{
  return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN : (float)sqlite3_column_double(s, col);
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
                                         "SELECT score, x0, y0, x1, y1, landmarks, eye_open0,"
                                         " eye_open1, sharpness, area, cut FROM faces"
                                         " WHERE photo_id = ? ORDER BY rank",
                                         error);
  if (!s)
    return FALSE;
  GArray *out = g_array_new(FALSE, TRUE, sizeof(DerushFace));
  sqlite3_bind_int64(s, 1, id);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    DerushFace f = {.score = (float)sqlite3_column_double(s, 0)};
    for (int k = 0; k < 4; k++)
      f.box[k] = (float)sqlite3_column_double(s, 1 + k);
    _derush_blob_to_floats(sqlite3_column_blob(s, 5), sqlite3_column_bytes(s, 5),
                           &f.landmarks[0][0], 10);
    f.eyes_open[0] = column_real(s, 6);
    f.eyes_open[1] = column_real(s, 7);
    f.sharpness = column_real(s, 8);
    f.area = (float)sqlite3_column_double(s, 9);
    f.cut = sqlite3_column_int(s, 10) != 0;
    g_array_append_val(out, f);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_array_unref(out);
    _derush_catalog_set_error(catalog, error, "cannot read faces");
    return FALSE;
  }
  *faces = out;
  return TRUE;
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
