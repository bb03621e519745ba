/* photos.c: the photos table: reading rows for the front ends, and the
 * writes the scanner makes (upsert, missing, re-link, pairs).
 *
 * Over 600 lines: every statement on the photos table and its row readers
 * and binders, so the table's columns are spelled in one file. */
#include "catalog-private.h"

void
_derush_path_range(const char *root, char **lo, char **hi)
{
  /* Every path below "/a/b" sorts between "/a/b/" and "/a/b0" ('0' is the
   * byte after '/'), so a prefix query is an index range scan. */
  gsize n = strlen(root);
  while (n > 1 && root[n - 1] == '/')
    n--;
  *lo = g_strdup_printf("%.*s/", (int)n, root);
  *hi = g_strdup_printf("%.*s0", (int)n, root);
  if (n == 1 && root[0] == '/') {
    g_free(*lo);
    g_free(*hi);
    *lo = g_strdup("/");
    *hi = g_strdup("0");
  }
}

/* Binds DERUSH_UNDER_SQL's ?1..?3 of @s to @under (nullable: every photo). */
void
_derush_bind_under(sqlite3_stmt *s, const char *under)
{
  if (!under)
    return;
  g_autofree char *lo = NULL, *hi = NULL;
  _derush_path_range(under, &lo, &hi);
  sqlite3_bind_text(s, 1, under, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, lo, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, hi, -1, SQLITE_TRANSIENT);
}

static void
bind_text_or_null(sqlite3_stmt *stmt, int i, const char *s)
{
  if (s)
    sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(stmt, i);
}

static void
bind_double_or_null(sqlite3_stmt *stmt, int i, double v)
{
  if (isnan(v))
    sqlite3_bind_null(stmt, i);
  else
    sqlite3_bind_double(stmt, i, v);
}

static char *
column_strdup(sqlite3_stmt *stmt, int i)
{
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
    return NULL;
  return g_strdup((const char *)sqlite3_column_text(stmt, i));
}

static double
column_double_or_nan(sqlite3_stmt *stmt, int i)
{
  return sqlite3_column_type(stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, i);
}

static int
column_int_or(sqlite3_stmt *stmt, int i, int fallback)
{
  return sqlite3_column_type(stmt, i) == SQLITE_NULL ? fallback : sqlite3_column_int(stmt, i);
}

/* The columns read_photo() expects, in order. */
#define PHOTO_COLUMNS                                                                              \
  "p.id, p.path, p.status, p.reason, p.missing, p.format, p.raw_format, p.width, p.height,"        \
  " p.size, p.mtime_ns, p.content_hash, q.path, p.make, p.model, p.lens, p.iso,"                   \
  " p.exposure_time, p.f_number, p.focal_length_mm, p.focal_length_35mm, p.exposure_bias,"         \
  " p.flash, p.orientation, p.time_source, p.capture_time_ns, p.offset_minutes, p.gps_lat,"        \
  " p.gps_lon, p.xmp_rating, l.label, l.stars, l.source"
#define PHOTO_FROM                                                                                 \
  " FROM photos p LEFT JOIN photos q ON q.id = p.pair_id LEFT JOIN labels l ON l.photo_id = p.id "

static DerushPhoto *
read_photo(sqlite3_stmt *s)
{
  DerushPhoto *p = g_new0(DerushPhoto, 1);
  derush_meta_init(&p->meta);
  p->id = sqlite3_column_int64(s, 0);
  p->path = column_strdup(s, 1);
  p->status = sqlite3_column_int(s, 2) ? DERUSH_PHOTO_UNREADABLE : DERUSH_PHOTO_OK;
  p->reason = column_strdup(s, 3);
  if (sqlite3_column_int(s, 4)) {
    p->status = DERUSH_PHOTO_MISSING;
    g_free(p->reason);
    p->reason = g_strdup("not found on disk at the last scan");
  }
  p->format = column_strdup(s, 5);
  p->raw_format = column_strdup(s, 6);
  p->width = column_int_or(s, 7, -1);
  p->height = column_int_or(s, 8, -1);
  p->size = sqlite3_column_int64(s, 9);
  p->mtime_ns = sqlite3_column_int64(s, 10);
  p->content_hash = (guint64)sqlite3_column_int64(s, 11);
  p->pair_path = column_strdup(s, 12);
  p->meta.make = column_strdup(s, 13);
  p->meta.model = column_strdup(s, 14);
  p->meta.lens = column_strdup(s, 15);
  p->meta.iso = column_double_or_nan(s, 16);
  p->meta.exposure_time = column_double_or_nan(s, 17);
  p->meta.f_number = column_double_or_nan(s, 18);
  p->meta.focal_length_mm = column_double_or_nan(s, 19);
  p->meta.focal_length_35mm = column_double_or_nan(s, 20);
  p->meta.exposure_bias = column_double_or_nan(s, 21);
  p->meta.flash = column_int_or(s, 22, -1);
  p->meta.has_orientation = sqlite3_column_type(s, 23) != SQLITE_NULL;
  p->meta.orientation = column_int_or(s, 23, 1);
  p->meta.time_source = column_int_or(s, 24, DERUSH_TIME_NONE);
  p->meta.capture_time_ns = sqlite3_column_int64(s, 25);
  p->meta.has_offset = sqlite3_column_type(s, 26) != SQLITE_NULL;
  p->meta.offset_minutes = column_int_or(s, 26, 0);
  p->meta.gps_lat = column_double_or_nan(s, 27);
  p->meta.gps_lon = column_double_or_nan(s, 28);
  p->meta.has_rating = sqlite3_column_type(s, 29) != SQLITE_NULL;
  p->meta.rating = column_int_or(s, 29, 0);
  p->labelled = sqlite3_column_type(s, 30) != SQLITE_NULL;
  p->label = column_int_or(s, 30, DERUSH_LABEL_NONE);
  p->stars = column_int_or(s, 31, 0);
  p->label_source = column_int_or(s, 32, DERUSH_SOURCE_USER);
  return p;
}

/**
 * derush_catalog_foreach_photo:
 * @under: (nullable): a folder; only photos at or below it are visited
 * @func: called for each photo, in path order; return FALSE to stop
 *
 * Reads the catalog; never touches the photo files.
 *
 * Returns: FALSE with @error set when the catalog cannot be read.
 */
gboolean
derush_catalog_foreach_photo(DerushCatalog *catalog, const char *under, DerushPhotoFunc func,
                             gpointer user_data, GError **error)
{
  /* A private statement, not the cache: @func may call back into the
   * catalog (derush_catalog_get_photo) while this one is stepping. */
  g_autofree char *lo = NULL, *hi = NULL;
  const char *sql;
  if (under) {
    _derush_path_range(under, &lo, &hi);
    /* One index range in path order, the exact match filtered inside it:
     * with "p.path = ?3 OR (range)" SQLite sorted every row in a temporary
     * B-tree before returning the first (0.15 s at 100,000 photos, which
     * the grid waited for). */
    sql = "SELECT " PHOTO_COLUMNS PHOTO_FROM
          "WHERE p.path >= ?4 AND p.path < ?2 AND (p.path = ?3 OR p.path >= ?1) ORDER BY p.path";
  } else {
    sql = "SELECT " PHOTO_COLUMNS PHOTO_FROM "ORDER BY p.path";
  }
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(catalog->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(catalog, error, "cannot list photos");
    return FALSE;
  }
  if (under) {
    sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, strcmp(under, lo) < 0 ? under : lo, -1, SQLITE_STATIC);
  }
  int rc;
  gboolean go_on = TRUE;
  while (go_on && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    g_autoptr(DerushPhoto) photo = read_photo(stmt);
    go_on = func(photo, user_data);
  }
  if (go_on && rc != SQLITE_DONE) {
    _derush_catalog_set_error(catalog, error, "cannot list photos");
    sqlite3_finalize(stmt);
    return FALSE;
  }
  sqlite3_finalize(stmt);
  return TRUE;
}

/**
 * derush_catalog_get_photo:
 * @path: the photo's absolute path
 *
 * Returns: (transfer full) (nullable): the photo, or NULL with
 * DERUSH_ERROR_NOT_FOUND when the catalog does not know @path.
 */
DerushPhoto *
derush_catalog_get_photo(DerushCatalog *catalog, const char *path, GError **error)
{
  sqlite3_stmt *stmt =
      _derush_catalog_stmt(catalog, "SELECT " PHOTO_COLUMNS PHOTO_FROM "WHERE p.path = ?", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  DerushPhoto *photo = NULL;
  if (rc == SQLITE_ROW) {
    photo = read_photo(stmt);
  } else if (rc == SQLITE_DONE) {
    g_autofree char *display = g_filename_display_name(path);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "%s: not in the catalog", display);
  } else {
    _derush_catalog_set_error(catalog, error, "cannot read a photo");
  }
  sqlite3_reset(stmt);
  return photo;
}

/**
 * derush_catalog_count_photos:
 * @under: (nullable): a folder, or NULL for the whole catalog
 * @status: a #DerushPhotoStatus, or -1 for all
 *
 * Returns: the number of photos, or -1 when the catalog cannot be read.
 */
gint64
derush_catalog_count_photos(DerushCatalog *catalog, const char *under, int status)
{
  g_autofree char *lo = NULL, *hi = NULL;
  if (!under)
    under = "/";
  _derush_path_range(under, &lo, &hi);
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      catalog,
      "SELECT count(*) FROM photos WHERE (path = ?3 OR (path >= ?1 AND path < ?2)) AND"
      " (?4 < 0 OR (?4 = 2 AND missing) OR (NOT missing AND status = ?4))",
      NULL);
  if (!stmt)
    return -1;
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, under, -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 4, status);
  gint64 n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_reset(stmt);
  return n;
}

void
_derush_row_state_clear(DerushRowState *row)
{
  g_clear_pointer(&row->reason, g_free);
}

static void
row_state_free(gpointer p)
{
  _derush_row_state_clear(p);
  g_free(p);
}

static DerushRowState *
read_row_state(sqlite3_stmt *s, int first)
{
  DerushRowState *r = g_new0(DerushRowState, 1);
  r->id = sqlite3_column_int64(s, first);
  r->dev = sqlite3_column_int64(s, first + 1);
  r->ino = sqlite3_column_int64(s, first + 2);
  r->size = sqlite3_column_int64(s, first + 3);
  r->mtime_ns = sqlite3_column_int64(s, first + 4);
  r->content_hash = (guint64)sqlite3_column_int64(s, first + 5);
  r->missing = sqlite3_column_int(s, first + 6) != 0;
  r->status = sqlite3_column_int(s, first + 7) ? DERUSH_PHOTO_UNREADABLE : DERUSH_PHOTO_OK;
  r->reason = column_strdup(s, first + 8);
  r->reader = sqlite3_column_int(s, first + 9);
  return r;
}

GHashTable *
_derush_catalog_dir_rows(DerushCatalog *cat, const char *dir, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "SELECT name, id, dev, ino, size, mtime_ns, content_hash, missing, status, reason, reader"
      " FROM photos"
      " WHERE dir = ?",
      error);
  if (!stmt)
    return NULL;
  sqlite3_bind_text(stmt, 1, dir, -1, SQLITE_STATIC);
  GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, row_state_free);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    g_hash_table_insert(rows, g_strdup((const char *)sqlite3_column_text(stmt, 0)),
                        read_row_state(stmt, 1));
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read a folder's photos");
    g_hash_table_destroy(rows);
    return NULL;
  }
  return rows;
}

gboolean
_derush_catalog_row_by_path(DerushCatalog *cat, const char *path, DerushRowState *out,
                            GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "SELECT id, dev, ino, size, mtime_ns, content_hash, missing, status, reason, reader"
      " FROM photos"
      " WHERE path = ?",
      error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
  gboolean found = FALSE;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    g_autofree DerushRowState *r = read_row_state(stmt, 0);
    *out = *r;
    found = TRUE;
  }
  sqlite3_reset(stmt);
  return found;
}

gboolean
_derush_catalog_upsert_photo(DerushCatalog *cat, const DerushPhotoRecord *rec, gint64 *id_out,
                             GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "INSERT INTO photos (path, dir, name, dev, ino, size, mtime_ns, content_hash, status, reason,"
      " missing, format, raw_format, width, height, orientation, capture_time_ns, time_source,"
      " offset_minutes, make, model, lens, iso, exposure_time, f_number, focal_length_mm,"
      " focal_length_35mm, exposure_bias, flash, gps_lat, gps_lon, xmp_rating, added_ns, read_ns,"
      " reader)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
      " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?32, ?33)"
      " ON CONFLICT(path) DO UPDATE SET dir = excluded.dir, name = excluded.name,"
      " dev = excluded.dev, ino = excluded.ino, size = excluded.size, mtime_ns = excluded.mtime_ns,"
      " content_hash = excluded.content_hash, status = excluded.status, reason = excluded.reason,"
      " missing = 0, format = excluded.format, raw_format = excluded.raw_format,"
      " width = excluded.width, height = excluded.height, orientation = excluded.orientation,"
      " capture_time_ns = excluded.capture_time_ns, time_source = excluded.time_source,"
      " offset_minutes = excluded.offset_minutes, make = excluded.make, model = excluded.model,"
      " lens = excluded.lens, iso = excluded.iso, exposure_time = excluded.exposure_time,"
      " f_number = excluded.f_number, focal_length_mm = excluded.focal_length_mm,"
      " focal_length_35mm = excluded.focal_length_35mm, exposure_bias = excluded.exposure_bias,"
      " flash = excluded.flash, gps_lat = excluded.gps_lat, gps_lon = excluded.gps_lon,"
      " xmp_rating = excluded.xmp_rating, read_ns = excluded.read_ns, reader = excluded.reader"
      " RETURNING id",
      error);
  if (!stmt)
    return FALSE;
  const DerushMeta *m = rec->meta;
  const DerushImageInfo *info = rec->info;
  sqlite3_bind_text(stmt, 1, rec->path, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, rec->dir, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, rec->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 4, rec->dev);
  sqlite3_bind_int64(stmt, 5, rec->ino);
  sqlite3_bind_int64(stmt, 6, rec->size);
  sqlite3_bind_int64(stmt, 7, rec->mtime_ns);
  sqlite3_bind_int64(stmt, 8, (sqlite3_int64)rec->content_hash);
  sqlite3_bind_int(stmt, 9, rec->status == DERUSH_PHOTO_UNREADABLE);
  bind_text_or_null(stmt, 10, rec->reason);
  sqlite3_bind_int(stmt, 33, DERUSH_READER_VERSION);
  if (info && info->format[0]) {
    sqlite3_bind_text(stmt, 11, info->format, -1, SQLITE_STATIC);
    bind_text_or_null(stmt, 12, info->raw_format[0] ? info->raw_format : NULL);
    if (info->width > 0) {
      sqlite3_bind_int(stmt, 13, info->width);
      sqlite3_bind_int(stmt, 14, info->height);
    }
  }
  if (m->has_orientation)
    sqlite3_bind_int(stmt, 15, m->orientation);
  if (m->time_source != DERUSH_TIME_NONE) {
    sqlite3_bind_int64(stmt, 16, m->capture_time_ns);
    sqlite3_bind_int(stmt, 17, m->time_source);
    if (m->has_offset)
      sqlite3_bind_int(stmt, 18, m->offset_minutes);
  }
  bind_text_or_null(stmt, 19, m->make);
  bind_text_or_null(stmt, 20, m->model);
  bind_text_or_null(stmt, 21, m->lens);
  bind_double_or_null(stmt, 22, m->iso);
  bind_double_or_null(stmt, 23, m->exposure_time);
  bind_double_or_null(stmt, 24, m->f_number);
  bind_double_or_null(stmt, 25, m->focal_length_mm);
  bind_double_or_null(stmt, 26, m->focal_length_35mm);
  bind_double_or_null(stmt, 27, m->exposure_bias);
  if (m->flash >= 0)
    sqlite3_bind_int(stmt, 28, m->flash);
  bind_double_or_null(stmt, 29, m->gps_lat);
  bind_double_or_null(stmt, 30, m->gps_lon);
  if (m->has_rating)
    sqlite3_bind_int(stmt, 31, m->rating);
  sqlite3_bind_int64(stmt, 32, g_get_real_time() * 1000);
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot save a photo");
    sqlite3_reset(stmt);
    return FALSE;
  }
  if (id_out)
    *id_out = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  return TRUE;
}

static gboolean
exec_with_id(DerushCatalog *cat, const char *sql, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, sql, error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, id);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot update a photo");
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_mark_present(DerushCatalog *cat, gint64 id, GError **error)
{
  return exec_with_id(cat, "UPDATE photos SET missing = 0 WHERE id = ?", id, error);
}

gboolean
_derush_catalog_mark_missing(DerushCatalog *cat, gint64 id, GError **error)
{
  return exec_with_id(cat, "UPDATE photos SET missing = 1 WHERE id = ?", id, error);
}

gboolean
_derush_catalog_mark_tree_missing(DerushCatalog *cat, const char *dir, gint64 *count,
                                  GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  _derush_path_range(dir, &lo, &hi);
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat, "UPDATE photos SET missing = 1 WHERE path >= ?1 AND path < ?2 AND NOT missing", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot mark photos missing");
    return FALSE;
  }
  *count = sqlite3_changes(cat->db);
  return TRUE;
}

gboolean
_derush_catalog_relink(DerushCatalog *cat, gint64 id, const char *path, const char *dir,
                       const char *name, gint64 dev, gint64 ino, gint64 mtime_ns, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "UPDATE photos SET path = ?2, dir = ?3, name = ?4, dev = ?5, ino = ?6, mtime_ns = ?7,"
      " missing = 0, pair_id = NULL WHERE id = ?1",
      error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, id);
  sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, dir, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 4, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 5, dev);
  sqlite3_bind_int64(stmt, 6, ino);
  sqlite3_bind_int64(stmt, 7, mtime_ns);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot re-link a moved photo");
    return FALSE;
  }
  return TRUE;
}

void
_derush_hash_matches_free(GArray *matches)
{
  if (!matches)
    return;
  for (guint i = 0; i < matches->len; i++)
    g_free(g_array_index(matches, DerushHashMatch, i).path);
  g_array_free(matches, TRUE);
}

GArray *
_derush_catalog_find_by_hash(DerushCatalog *cat, gint64 size, guint64 hash, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat, "SELECT id, path, missing FROM photos WHERE size = ? AND content_hash = ? ORDER BY id",
      error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64(stmt, 1, size);
  sqlite3_bind_int64(stmt, 2, (sqlite3_int64)hash);
  GArray *out = g_array_new(FALSE, FALSE, sizeof(DerushHashMatch));
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    DerushHashMatch m = {sqlite3_column_int64(stmt, 0), column_strdup(stmt, 1),
                         sqlite3_column_int(stmt, 2) != 0};
    g_array_append_val(out, m);
  }
  sqlite3_reset(stmt);
  return out;
}

GPtrArray *
_derush_catalog_dirs_under(DerushCatalog *cat, const char *root, GError **error)
{
  g_autofree char *lo = NULL, *hi = NULL;
  _derush_path_range(root, &lo, &hi);
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat,
      "SELECT DISTINCT dir FROM photos WHERE path >= ?1 AND path < ?2 AND NOT missing ORDER BY dir",
      error);
  if (!stmt)
    return NULL;
  sqlite3_bind_text(stmt, 1, lo, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, hi, -1, SQLITE_STATIC);
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  while (sqlite3_step(stmt) == SQLITE_ROW)
    g_ptr_array_add(dirs, column_strdup(stmt, 0));
  sqlite3_reset(stmt);
  return dirs;
}

/* The stem pairs on: the name without its last extension, case folded, so
 * IMG_0001.CR2 pairs with IMG_0001.jpg. */
static char *
pair_stem(const char *name)
{
  const char *dot = strrchr(name, '.');
  gsize n = dot ? (gsize)(dot - name) : strlen(name);
  return g_ascii_strdown(name, (gssize)n);
}

gboolean
_derush_catalog_update_pairs(DerushCatalog *cat, const char *dir, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat, "SELECT id, name FROM photos WHERE dir = ? AND NOT missing ORDER BY name", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, dir, -1, SQLITE_STATIC);
  /* stem -> raw id / other id */
  g_autoptr(GHashTable) raws = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) others = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(stmt, 0);
    const char *name = (const char *)sqlite3_column_text(stmt, 1);
    GHashTable *t = derush_is_raw_name(name) ? raws : others;
    char *stem = pair_stem(name);
    if (g_hash_table_contains(t, stem))
      g_free(stem); /* first in name order wins */
    else
      g_hash_table_insert(t, stem, GSIZE_TO_POINTER((gsize)id));
    g_array_append_val(ids, id);
  }
  sqlite3_reset(stmt);

  sqlite3_stmt *clear = _derush_catalog_stmt(
      cat, "UPDATE photos SET pair_id = NULL WHERE dir = ? AND pair_id IS NOT NULL", error);
  if (!clear)
    return FALSE;
  sqlite3_bind_text(clear, 1, dir, -1, SQLITE_STATIC);
  int rc = sqlite3_step(clear);
  sqlite3_reset(clear);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot update pairs");
    return FALSE;
  }
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, raws);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    gpointer other;
    if (!g_hash_table_lookup_extended(others, key, NULL, &other))
      continue;
    gint64 a = (gint64)GPOINTER_TO_SIZE(value), b = (gint64)GPOINTER_TO_SIZE(other);
    sqlite3_stmt *set = _derush_catalog_stmt(
        cat, "UPDATE photos SET pair_id = CASE id WHEN ?1 THEN ?2 ELSE ?1 END WHERE id IN (?1, ?2)",
        error);
    if (!set)
      return FALSE;
    sqlite3_bind_int64(set, 1, a);
    sqlite3_bind_int64(set, 2, b);
    rc = sqlite3_step(set);
    sqlite3_reset(set);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(cat, error, "cannot update pairs");
      return FALSE;
    }
  }
  return TRUE;
}
