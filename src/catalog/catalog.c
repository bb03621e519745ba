/* catalog.c: opening the SQLite catalog, prepared statements, transactions.
 *
 * The catalog is one SQLite file in WAL mode: readers never block the writer,
 * and a process killed mid-transaction leaves the last committed state. Two
 * derush processes may share a catalog: writes take the lock up front (BEGIN
 * IMMEDIATE) and wait up to DERUSH_BUSY_TIMEOUT_MS for the other one. */
#include "catalog-private.h"
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* Long enough to outwait another scan's batch commit (~1 s), short enough
 * that a hung process is reported instead of waited on forever. */
#define DERUSH_BUSY_TIMEOUT_MS 30000

/* SQLite says "database or disk is full" for a full disk, but a write that
 * fails growing the -shm or the WAL comes back as a plain "disk I/O error":
 * the errno behind it tells. */
static gboolean
disk_full(sqlite3 *db, int rc)
{
  int sys = sqlite3_system_errno(db);
  return (rc & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT;
}

void
_derush_catalog_set_error(DerushCatalog *cat, GError **error, const char *what)
{
  int rc = sqlite3_extended_errcode(cat->db) & 0xff;
  int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? DERUSH_ERROR_BUSY : DERUSH_ERROR_CATALOG;
  if (disk_full(cat->db, rc) || (cat->read_only && rc == SQLITE_READONLY)) {
    /* Say it plainly: the user can act on "disk full", not on SQLite's
     * wording. */
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NO_SPACE, "catalog %s: %s: disk full", cat->path,
                what);
    return;
  }
  g_set_error(error, DERUSH_ERROR, code, "catalog %s: %s: %s", cat->path, what,
              sqlite3_errmsg(cat->db));
}

GArray *
_derush_catalog_read_rows(DerushCatalog *cat, sqlite3_stmt *s, guint element_size,
                          DerushRowReader read_row, const char *what, GError **error)
{
  GArray *out = g_array_sized_new(FALSE, TRUE, element_size, 8);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    g_array_set_size(out, out->len + 1);
    read_row(s, out->data + (gsize)(out->len - 1) * element_size);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_array_unref(out);
    _derush_catalog_set_error(cat, error, what);
    return NULL;
  }
  return out;
}

sqlite3_stmt *
_derush_catalog_stmt(DerushCatalog *cat, const char *sql, GError **error)
{
  DERUSH_CATALOG_ASSERT_OWNER(cat);
  sqlite3_stmt *stmt = g_hash_table_lookup(cat->stmts, sql);
  if (stmt) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return stmt;
  }
  if (sqlite3_prepare_v3(cat->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
    _derush_catalog_set_error(cat, error, "cannot prepare a query");
    return NULL;
  }
  g_hash_table_insert(cat->stmts, g_strdup(sql), stmt);
  return stmt;
}

static void
finalize_stmt(gpointer stmt)
{
  sqlite3_finalize(stmt);
}

static gboolean
run_to_end(DerushCatalog *cat, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, what);
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_exec(DerushCatalog *cat, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, sql, error);
  return stmt && run_to_end(cat, stmt, "cannot write", error);
}

gboolean
_derush_catalog_exec_with_id(DerushCatalog *cat, const char *sql, gint64 id, const char *what,
                             GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, sql, error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, id);
  return run_to_end(cat, stmt, what, error);
}

gboolean
_derush_catalog_begin(DerushCatalog *cat, GError **error)
{
  if (cat->tx_depth++ > 0)
    return TRUE;
  if (!_derush_catalog_exec(cat, "BEGIN IMMEDIATE", error)) {
    cat->tx_depth = 0;
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_commit(DerushCatalog *cat, GError **error)
{
  g_return_val_if_fail(cat->tx_depth > 0, FALSE);
  if (--cat->tx_depth > 0)
    return TRUE;
  if (!_derush_catalog_exec(cat, "COMMIT", error)) {
    /* A failed COMMIT (disk full, busy) leaves the transaction open: roll
     * it back so the connection is usable and nothing half-written stays. */
    _derush_catalog_exec(cat, "ROLLBACK", NULL);
    return FALSE;
  }
  derush_counter_add(DERUSH_COUNTER_DB_TRANSACTIONS, 1);
  return TRUE;
}

void
_derush_catalog_rollback(DerushCatalog *cat)
{
  if (cat->tx_depth == 0)
    return;
  cat->tx_depth = 0;
  _derush_catalog_exec(cat, "ROLLBACK", NULL);
}

static gboolean
pragma(DerushCatalog *cat, const char *sql, GError **error)
{
  char *msg = NULL;
  /* Switching a new catalog to WAL takes an exclusive lock, and SQLite
   * answers "database is locked" at once, without its busy handler, when
   * another process opens the same new file at that moment: wait for it
   * the way the busy timeout would. */
  gint64 deadline = g_get_monotonic_time() + (gint64)DERUSH_BUSY_TIMEOUT_MS * 1000;
  int rc;
  while ((rc = sqlite3_exec(cat->db, sql, NULL, NULL, &msg)) != SQLITE_OK &&
         ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) &&
         g_get_monotonic_time() < deadline) {
    sqlite3_free(msg);
    msg = NULL;
    g_usleep(5000);
  }
  if (rc != SQLITE_OK && disk_full(cat->db, rc)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NO_SPACE, "catalog %s: disk full", cat->path);
    sqlite3_free(msg);
    return FALSE;
  }
  if (rc != SQLITE_OK) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CATALOG, "catalog %s: %s: %s", cat->path, sql,
                msg ? msg : "failed");
    sqlite3_free(msg);
    return FALSE;
  }
  return TRUE;
}

static void
close_connection(DerushCatalog *cat)
{
  g_hash_table_remove_all(cat->stmts);
  if (cat->db)
    sqlite3_close(cat->db);
  cat->db = NULL;
}

/* Opens @cat->path. @read_only is the fallback for a full disk: a WAL
 * reader needs the -shm file (32 KiB) and a full disk cannot hold it, so
 * the connection keeps its WAL index in its own memory instead
 * (locking_mode=EXCLUSIVE, set before the first read: SQLite then never
 * maps the -shm). It holds the catalog's lock until it closes, which a
 * read-only command does in a moment, and query_only makes every write
 * fail, reported as "disk full". */
static gboolean
open_connection(DerushCatalog *cat, gboolean read_only, GError **error)
{
  close_connection(cat);
  cat->read_only = read_only;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (read_only ? 0 : SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(cat->path, &cat->db, flags, NULL);
  if (rc != SQLITE_OK) {
    if (cat->db)
      _derush_catalog_set_error(cat, error, "cannot open");
    else
      g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CATALOG, "catalog %s: cannot open", cat->path);
    close_connection(cat);
    return FALSE;
  }
  sqlite3_extended_result_codes(cat->db, 1);
  sqlite3_busy_timeout(cat->db, DERUSH_BUSY_TIMEOUT_MS);
  if (!_derush_catalog_add_functions(cat, error)) {
    close_connection(cat);
    return FALSE;
  }

  gboolean ok;
  if (read_only) {
    ok = pragma(cat, "PRAGMA locking_mode=EXCLUSIVE", error) &&
         pragma(cat, "PRAGMA query_only=ON", error) &&
         pragma(cat, "PRAGMA temp_store=MEMORY", error) && _derush_catalog_migrate(cat, error);
  } else {
    /* WAL: readers and one writer at once, crash-safe. synchronous=NORMAL
     * is safe against process crashes (kill -9); decisions that must
     * survive a power cut raise it to FULL for their own commits. */
    ok = pragma(cat, "PRAGMA journal_mode=WAL", error) &&
         pragma(cat, "PRAGMA synchronous=NORMAL", error) &&
         pragma(cat, "PRAGMA foreign_keys=ON", error) &&
         pragma(cat, "PRAGMA temp_store=MEMORY", error) && _derush_catalog_migrate(cat, error);
  }
  if (!ok)
    close_connection(cat);
  return ok;
}

/**
 * derush_catalog_is_read_only:
 *
 * Whether the catalog was opened for reading only, because the disk was
 * full: reads work, every write fails with %DERUSH_ERROR_NO_SPACE.
 */
gboolean
derush_catalog_is_read_only(DerushCatalog *catalog)
{
  return catalog->read_only;
}

/**
 * _derush_catalog_library_init:
 * @error: return location for a GError
 *
 * Starts SQLite, once per process (derush_init()).
 *
 * Returns: FALSE with @error set when SQLite refuses.
 */
gboolean
_derush_catalog_library_init(GError **error)
{
  if (sqlite3_initialize() != SQLITE_OK) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "cannot start SQLite");
    return FALSE;
  }
  return TRUE;
}

/**
 * derush_catalog_open:
 * @path: (nullable): the catalog file, or NULL for derush_default_catalog_path().
 * @error: return location for a #GError
 *
 * Opens the catalog, creating its folder and file when needed, and migrates
 * it to the current schema. A file that is not a derush catalog, or one from
 * a newer derush, is refused untouched. When the disk is too full to open
 * it for writing, an existing catalog is opened for reading only (see
 * derush_catalog_is_read_only()).
 *
 * Returns: (transfer full): the catalog, or NULL with @error set.
 * See also: derush_catalog_close()
 */
DerushCatalog *
derush_catalog_open(const char *path, GError **error)
{
  g_autofree char *file = path ? g_strdup(path) : derush_default_catalog_path();
  g_autofree char *dir = g_path_get_dirname(file);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    _derush_set_errno_error(error, errno, "cannot create the catalog folder", dir);
    return NULL;
  }

  /* Before any database of the process opens: see file-locks.c. */
  _derush_catalog_install_file_locks();
  DerushCatalog *cat = g_new0(DerushCatalog, 1);
  cat->path = g_steal_pointer(&file);
  cat->cache_dir = derush_default_cache_dir();
  cat->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, finalize_stmt);
  cat->owner = g_thread_self();
  GError *local = NULL;
  if (open_connection(cat, FALSE, &local))
    return cat;
  if (g_error_matches(local, DERUSH_ERROR, DERUSH_ERROR_NO_SPACE) &&
      g_file_test(cat->path, G_FILE_TEST_EXISTS)) {
    /* A full disk cannot hold the -shm a WAL reader needs, but the catalog
     * can still be read: reads keep working and every write says "disk
     * full" (see open_connection). */
    GError *ro_error = NULL;
    if (open_connection(cat, TRUE, &ro_error)) {
      g_error_free(local);
      return cat;
    }
    g_error_free(ro_error);
  }
  if (g_error_matches(local, DERUSH_ERROR, DERUSH_ERROR_CATALOG) && g_access(dir, W_OK) != 0) {
    /* SQLite says "attempt to write a readonly database" (or "unable to
     * open database file" for a new catalog): it keeps its WAL and -shm
     * beside the catalog, so the folder is what the user must fix. */
    int errsv = errno;
    g_autofree char *display = g_filename_display_name(dir);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CATALOG,
                "catalog %s: cannot write in its folder %s (%s): the catalog's journal is kept "
                "beside it, so derush needs to write there",
                cat->path, display, g_strerror(errsv));
    g_error_free(local);
  } else {
    g_propagate_error(error, local);
  }
  derush_catalog_close(cat);
  return NULL;
}

/**
 * derush_catalog_close:
 * @catalog: (nullable) (transfer full): the catalog
 *
 * Finalises every statement and closes the database. Any transaction still
 * open (a caller that failed half-way) is rolled back.
 */
void
derush_catalog_close(DerushCatalog *catalog)
{
  if (!catalog)
    return;
  if (catalog->db)
    _derush_catalog_rollback(catalog);
  g_clear_pointer(&catalog->stmts, g_hash_table_destroy);
  if (catalog->db)
    sqlite3_close(catalog->db);
  g_free(catalog->path);
  g_free(catalog->cache_dir);
  g_free(catalog);
}

/**
 * derush_catalog_get_path:
 * Returns: (transfer none): the catalog's file path.
 */
const char *
derush_catalog_get_path(DerushCatalog *catalog)
{
  return catalog->path;
}

/**
 * derush_catalog_get_cache_dir:
 * Returns: (transfer none): the root of the thumbnail cache.
 */
const char *
derush_catalog_get_cache_dir(DerushCatalog *catalog)
{
  return catalog->cache_dir;
}

/**
 * derush_catalog_set_cache_dir:
 * @dir: the new thumbnail cache root
 *
 * Points the thumbnail cache elsewhere (tests, benchmarks, a faster disk).
 */
void
derush_catalog_set_cache_dir(DerushCatalog *catalog, const char *dir)
{
  g_free(catalog->cache_dir);
  catalog->cache_dir = g_strdup(dir);
}

/**
 * derush_catalog_check_integrity:
 *
 * Runs SQLite's PRAGMA integrity_check and foreign_key_check.
 *
 * Returns: TRUE when both find nothing wrong, FALSE with @error naming the
 * first problem otherwise.
 */
gboolean
derush_catalog_check_integrity(DerushCatalog *catalog, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(catalog, "PRAGMA integrity_check", error);
  if (!stmt)
    return FALSE;
  gboolean ok = FALSE;
  g_autofree char *first = NULL;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    first = g_strdup((const char *)sqlite3_column_text(stmt, 0));
    ok = g_strcmp0(first, "ok") == 0;
  }
  sqlite3_reset(stmt);
  if (!ok) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "catalog %s: integrity check: %s",
                catalog->path, first ? first : "no answer");
    return FALSE;
  }
  stmt = _derush_catalog_stmt(catalog, "PRAGMA foreign_key_check", error);
  if (!stmt)
    return FALSE;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "catalog %s: a row of %s points to nothing", catalog->path,
                (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    return FALSE;
  }
  sqlite3_reset(stmt);
  return TRUE;
}

/**
 * _derush_catalog_begin_durable:
 * @cat: the catalog
 * @error: return location for a GError
 *
 * Begins a transaction committed with synchronous=FULL: decisions and the
 * file journal must be on disk when we say so; scans keep NORMAL. Nests
 * like _derush_catalog_begin(). The one durable-transaction helper.
 *
 * Returns: FALSE with @error set when the transaction cannot begin.
 */
gboolean
_derush_catalog_begin_durable(DerushCatalog *cat, GError **error)
{
  /* Inside a caller's transaction (an import in one piece) SQLite refuses
   * to change synchronous: the caller made it durable already. */
  if (cat->tx_depth > 0)
    return _derush_catalog_begin(cat, error);
  if (!_derush_catalog_exec(cat, "PRAGMA synchronous=FULL", error))
    return FALSE;
  if (!_derush_catalog_begin(cat, error)) {
    _derush_catalog_exec(cat, "PRAGMA synchronous=NORMAL", NULL);
    return FALSE;
  }
  return TRUE;
}

/**
 * _derush_catalog_end_durable:
 * @cat: the catalog
 * @ok: commit when TRUE, roll back when FALSE
 * @error: return location for a GError
 *
 * Ends what _derush_catalog_begin_durable() began; the outermost end puts
 * synchronous back to NORMAL.
 *
 * Returns: @ok, and FALSE with @error set when the commit fails.
 */
gboolean
_derush_catalog_end_durable(DerushCatalog *cat, gboolean ok, GError **error)
{
  gboolean outermost = cat->tx_depth == 1;
  if (ok)
    ok = _derush_catalog_commit(cat, error);
  else
    _derush_catalog_rollback(cat);
  if (outermost)
    _derush_catalog_exec(cat, "PRAGMA synchronous=NORMAL", NULL);
  return ok;
}
