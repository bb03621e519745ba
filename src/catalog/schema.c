/* schema.c: the catalog's schema and its versioned migrations.
 *
 * PRAGMA user_version holds the schema version. Each migration runs in one
 * transaction with the version bump, so a crash never leaves a half-migrated
 * catalog. Never edit a migration that has shipped: add the next one. */
#include "catalog-private.h"

static const char *const migrations[] = {
    /* 1: photos, counters, key/value settings. */
    "CREATE TABLE photos ("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL UNIQUE," /* absolute, file-system bytes */
    "  dir TEXT NOT NULL,"         /* parent folder, for per-folder diffs */
    "  name TEXT NOT NULL,"
    "  dev INTEGER, ino INTEGER, size INTEGER, mtime_ns INTEGER,"
    "  content_hash INTEGER,"              /* fast sampled xxh64, as signed int64 */
    "  status INTEGER NOT NULL DEFAULT 0," /* 0 ok, 1 unreadable */
    "  reason TEXT,"
    "  missing INTEGER NOT NULL DEFAULT 0,"
    "  format TEXT, raw_format TEXT, width INTEGER, height INTEGER, orientation INTEGER,"
    "  capture_time_ns INTEGER, time_source INTEGER, offset_minutes INTEGER,"
    "  make TEXT, model TEXT, lens TEXT,"
    "  iso REAL, exposure_time REAL, f_number REAL, focal_length_mm REAL,"
    "  focal_length_35mm REAL, exposure_bias REAL, flash INTEGER,"
    "  gps_lat REAL, gps_lon REAL, xmp_rating INTEGER,"
    "  pair_id INTEGER REFERENCES photos(id) ON DELETE SET NULL,"
    "  added_ns INTEGER NOT NULL, read_ns INTEGER NOT NULL"
    ");"
    "CREATE INDEX photos_dir ON photos(dir);"
    "CREATE INDEX photos_hash ON photos(size, content_hash);"
    "CREATE INDEX photos_time ON photos(capture_time_ns);"
    "CREATE TABLE counters ("
    "  name TEXT PRIMARY KEY,"
    "  total INTEGER NOT NULL DEFAULT 0,"
    "  last INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value);",

    /* 2: label decisions. label_events is append-only; labels is the current
     * state derived from it (kept in the same transactions). A batch is one
     * user action, the unit of undo. Photos are never deleted (they go
     * missing), so events always point somewhere. */
    "CREATE TABLE label_batches ("
    "  id INTEGER PRIMARY KEY,"
    "  time_ns INTEGER NOT NULL,"
    "  source INTEGER NOT NULL,"                     /* DerushLabelSource */
    "  target INTEGER REFERENCES label_batches(id)," /* undo: batch undone; redo: undo redone */
    "  reverted INTEGER NOT NULL DEFAULT 0"          /* undone (or, for an undo, redone) since */
    ");"
    "CREATE TABLE label_events ("
    "  id INTEGER PRIMARY KEY,"
    "  batch INTEGER NOT NULL REFERENCES label_batches(id),"
    "  photo_id INTEGER NOT NULL REFERENCES photos(id),"
    "  old_label INTEGER NOT NULL, new_label INTEGER NOT NULL,"
    "  old_stars INTEGER NOT NULL, new_stars INTEGER NOT NULL"
    ");"
    "CREATE INDEX label_events_photo ON label_events(photo_id);"
    "CREATE INDEX label_events_batch ON label_events(batch);"
    "CREATE TABLE labels ("
    "  photo_id INTEGER PRIMARY KEY REFERENCES photos(id),"
    "  label INTEGER NOT NULL DEFAULT 0,"
    "  stars INTEGER NOT NULL DEFAULT 0,"
    "  source INTEGER NOT NULL,"
    "  event INTEGER NOT NULL REFERENCES label_events(id)"
    ");",

    /* 3: decisions acted on. file_ops journals every file operation of an
     * apply before it happens (state 0 planned, 1 done, 2 undone, 3 skipped:
     * never happened, 4 being undone), so undo-apply and crash recovery
     * know where every file is. sidecars remembers what derush last wrote to each XMP
     * sidecar (and what a scan last read), so our own writes never come back
     * as new decisions while another program's later edit does. */
    "CREATE TABLE file_applies ("
    "  id INTEGER PRIMARY KEY,"
    "  time_ns INTEGER NOT NULL,"
    "  undone INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE file_ops ("
    "  id INTEGER PRIMARY KEY,"
    "  apply_id INTEGER NOT NULL REFERENCES file_applies(id),"
    "  op INTEGER NOT NULL,"                    /* 0 move, 1 copy, 2 trash */
    "  photo_id INTEGER REFERENCES photos(id)," /* the row that follows a move; NULL for sidecars */
    "  src TEXT NOT NULL,"
    "  dst TEXT,"        /* move/copy target; for trash the file inside the trash */
    "  trash_info TEXT," /* trash: the .trashinfo file, to restore */
    "  state INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX file_ops_apply ON file_ops(apply_id);"
    "CREATE INDEX file_ops_pending ON file_ops(state) WHERE state IN (0, 4);"
    "CREATE TABLE sidecars ("
    "  path TEXT PRIMARY KEY,"
    "  mtime_ns INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  hash INTEGER NOT NULL" /* xxh64 of the bytes */
    ");",

    /* 4: analysis. features and hashes are per photo version: a row is
     * current while its version matches the code's and its content_hash the
     * photo's (a re-read changed file gets new ones). vector is float32
     * little-endian, DerushFeature order; dhash/phash are the untransformed
     * hashes (as signed int64), variants the 4 transforms' (dhash, phash)
     * pairs and the polar signature (DERUSH_HASHES_BLOB_SIZE, features.h). groups are derived data,
     * replaced as a whole by derush_catalog_update_groups. */
    "CREATE TABLE features ("
    "  photo_id INTEGER PRIMARY KEY REFERENCES photos(id),"
    "  version INTEGER NOT NULL,"
    "  content_hash INTEGER NOT NULL,"
    "  vector BLOB NOT NULL"
    ");"
    "CREATE TABLE hashes ("
    "  photo_id INTEGER PRIMARY KEY REFERENCES photos(id),"
    "  version INTEGER NOT NULL,"
    "  content_hash INTEGER NOT NULL,"
    "  dhash INTEGER NOT NULL,"
    "  phash INTEGER NOT NULL,"
    "  variants BLOB"
    ");"
    "CREATE TABLE groups ("
    "  id INTEGER PRIMARY KEY," /* smallest member id * 4 + kind: stable */
    "  kind INTEGER NOT NULL,"  /* DerushGroupKind */
    "  key INTEGER NOT NULL,"   /* smallest member id */
    "  best_photo_id INTEGER REFERENCES photos(id),"
    "  best_score REAL"
    ");"
    "CREATE TABLE group_members ("
    "  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    "  photo_id INTEGER NOT NULL REFERENCES photos(id),"
    "  PRIMARY KEY (group_id, photo_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX group_members_photo ON group_members(photo_id);",

    /* 5: which version of derush's decoders last read a photo, so a scan
     * after a decoder fix reads the photos it had found unreadable again
     * (DERUSH_READER_VERSION); rows from before are version 0. */
    "ALTER TABLE photos ADD COLUMN reader INTEGER NOT NULL DEFAULT 0;",

    /* 6: faces (faces-store.c). face_runs says a photo version went through
     * the face models (version DERUSH_FACES_VERSION), with how many faces
     * and the face features (float32 blob, DerushFaceFeature order), so a
     * photo without faces counts as done; faces holds them, best score
     * first, in the upright original's pixels; eye_open0/1 are NULL when
     * unknown. */
    "CREATE TABLE face_runs ("
    "  photo_id INTEGER PRIMARY KEY REFERENCES photos(id),"
    "  version INTEGER NOT NULL,"
    "  content_hash INTEGER NOT NULL,"
    "  faces INTEGER NOT NULL,"
    "  features BLOB NOT NULL"
    ");"
    "CREATE TABLE faces ("
    "  photo_id INTEGER NOT NULL REFERENCES photos(id),"
    "  rank INTEGER NOT NULL,"
    "  score REAL NOT NULL,"
    "  x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,"
    "  landmarks BLOB NOT NULL," /* 10 float32: (x, y) of the 5 landmarks */
    "  eye_open0 REAL, eye_open1 REAL, sharpness REAL,"
    "  area REAL NOT NULL, cut INTEGER NOT NULL,"
    "  PRIMARY KEY (photo_id, rank)"
    ") WITHOUT ROWID;",

    /* 7: scan claims (scan-claims.c). A scan claims a chunk of a folder's
     * files before reading them, so two scans of one tree at once split the
     * work instead of doing it twice. owner is a random token per scan, pid
     * and heartbeat_ns tell a live claim from one left by a dead process. */
    "CREATE TABLE scan_claims ("
    "  dir TEXT NOT NULL,"
    "  chunk INTEGER NOT NULL,"
    "  owner INTEGER NOT NULL,"
    "  pid INTEGER NOT NULL,"
    "  heartbeat_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (dir, chunk)"
    ") WITHOUT ROWID;"
    "CREATE INDEX scan_claims_owner ON scan_claims(owner);",

    /* 8: the object detector (detections.c). detect_runs says a photo
     * version went through the detector (version DERUSH_DETECT_VERSION),
     * how many boxes it kept and its detector features (float32 blob,
     * DerushDetectFeature order); detections holds the boxes, best first,
     * in the upright original's pixels; embeddings one float32 vector per
     * photo and DerushEmbeddingKind, current while version and
     * content_hash match. */
    "CREATE TABLE detect_runs ("
    "  photo_id INTEGER PRIMARY KEY REFERENCES photos(id),"
    "  version INTEGER NOT NULL,"
    "  content_hash INTEGER NOT NULL,"
    "  objects INTEGER NOT NULL,"
    "  features BLOB NOT NULL"
    ");"
    "CREATE TABLE detections ("
    "  photo_id INTEGER NOT NULL REFERENCES photos(id),"
    "  rank INTEGER NOT NULL,"
    "  class_id INTEGER NOT NULL,"
    "  score REAL NOT NULL,"
    "  x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,"
    "  PRIMARY KEY (photo_id, rank)"
    ") WITHOUT ROWID;"
    "CREATE INDEX detections_class ON detections(class_id);"
    "CREATE TABLE embeddings ("
    "  photo_id INTEGER NOT NULL REFERENCES photos(id),"
    "  kind INTEGER NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  content_hash INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  vector BLOB NOT NULL,"
    "  PRIMARY KEY (photo_id, kind)"
    ") WITHOUT ROWID;",

    /* 9: learning. models keeps the trained models (learn/model.c's blob:
     * calibration, thresholds and XGBoost's UBJSON) with the dataset
     * version they were trained on and the newest label event they saw, so
     * a stale model is retrained, never mixed. predictions holds one batch
     * answer per photo with the model version that gave it (0: the
     * quality prior). */
    "CREATE TABLE models ("
    "  version INTEGER PRIMARY KEY,"
    "  time_ns INTEGER NOT NULL,"
    "  dataset_version INTEGER NOT NULL,"
    "  labels INTEGER NOT NULL,"
    "  last_event INTEGER NOT NULL,"
    "  blob BLOB NOT NULL"
    ");"
    "CREATE TABLE predictions ("
    "  photo_id INTEGER PRIMARY KEY REFERENCES photos(id),"
    "  model_version INTEGER NOT NULL,"
    "  p_keep REAL NOT NULL,"
    "  zone INTEGER NOT NULL," /* DerushZone */
    "  uncertainty REAL NOT NULL"
    ");",

    /* 10: what chose each group's best pick (DerushBestBy): 0 the quality
     * score, 1 the model's p(keep) (group/best-pick.c). */
    "ALTER TABLE groups ADD COLUMN best_by INTEGER NOT NULL DEFAULT 0;",

    /* 11: the sketch of each photo version's MobileNetV2 embedding
     * (util/sketch.c: DERUSH_SKETCH_SIZE bytes against 5 KB), what learning
     * reads (issue 19: reading every 5 KB vector made a 100,000-photo
     * dataset 5x dearer), in the detector run's row: the dataset reads that
     * row anyway, and a separate table cost one more join (0.1 s of CPU at
     * 100,000 photos). sketch_version is the embedding's version. Written
     * with the embedding (detections.c); the embeddings stored before this
     * version get theirs here, once, through the connection's
     * derush_sketch() function. */
    "ALTER TABLE detect_runs ADD COLUMN sketch BLOB;"
    "ALTER TABLE detect_runs ADD COLUMN sketch_version INTEGER;"
    "UPDATE detect_runs SET (sketch, sketch_version) ="
    " (SELECT derush_sketch(e.vector), e.version FROM embeddings e"
    "  WHERE e.photo_id = detect_runs.photo_id AND e.kind = 1" /* DERUSH_SKETCHED_EMBEDDING */
    "  AND e.content_hash = detect_runs.content_hash);",
};

G_STATIC_ASSERT(DERUSH_SKETCHED_EMBEDDING == 1); /* migration 11 */

int
_derush_catalog_schema_version(void)
{
  return (int)G_N_ELEMENTS(migrations);
}

static int
user_version(DerushCatalog *cat)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, "PRAGMA user_version", NULL);
  int v = -1;
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
    v = sqlite3_column_int(stmt, 0);
  if (stmt)
    sqlite3_reset(stmt);
  return v;
}

gboolean
_derush_catalog_migrate(DerushCatalog *cat, GError **error)
{
  int current = user_version(cat);
  if (current < 0) {
    _derush_catalog_set_error(cat, error, "not a derush catalog");
    return FALSE;
  }
  int latest = _derush_catalog_schema_version();
  if (current > latest) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CATALOG,
                "catalog %s: schema version %d is newer than this derush (%d); not touching it",
                cat->path, current, latest);
    return FALSE;
  }
  for (int v = current; v < latest; v++) {
    if (!_derush_catalog_begin(cat, error))
      return FALSE;
    /* Re-read inside the write lock: another process may have migrated. */
    if (user_version(cat) > v) {
      if (!_derush_catalog_commit(cat, error))
        return FALSE;
      continue;
    }
    char *msg = NULL;
    g_autofree char *bump = g_strdup_printf("PRAGMA user_version=%d", v + 1);
    if (sqlite3_exec(cat->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(cat->db, bump, NULL, NULL, &msg) != SQLITE_OK) {
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CATALOG,
                  "catalog %s: migration to version %d failed: %s", cat->path, v + 1,
                  msg ? msg : "?");
      sqlite3_free(msg);
      _derush_catalog_rollback(cat);
      return FALSE;
    }
    if (!_derush_catalog_commit(cat, error))
      return FALSE;
  }
  if (current == 0) {
    gint64 now = g_get_real_time();
    sqlite3_stmt *stmt = _derush_catalog_stmt(
        cat, "INSERT OR IGNORE INTO settings(key, value) VALUES ('created_us', ?)", error);
    if (!stmt)
      return FALSE;
    sqlite3_bind_int64(stmt, 1, now);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
  }
  return TRUE;
}
