/* scan-claims.c: scans of one tree at once split the work.
 *
 * Before reading the new or changed files of a chunk of a folder, a scan
 * claims the chunk in the catalog, in a transaction of its own committed
 * before the work starts. Another scan that finds the chunk claimed leaves
 * it for later (src/scan/scan.c), when the first scan has committed what it
 * read and the files are unchanged: no file is opened twice. A claim whose
 * process is gone (kill -9), or whose heartbeat is older than
 * CLAIM_STALE_NS (a process stopped in a debugger, a pid reused), is taken
 * over, so a dead scan never blocks the next one. */
#include "catalog-private.h"
#include <errno.h>
#include <signal.h>
#include <unistd.h>

/* A live scan refreshes its claims at every batch commit (FLUSH_US, 0.25 s)
 * and every claim; a minute without one is a scan that is not working. */
#define CLAIM_STALE_NS (60 * G_GINT64_CONSTANT(1000000000))

static gint64
now_ns(void)
{
  return g_get_real_time() * 1000;
}

static gboolean
process_alive(gint64 pid)
{
  if (pid <= 0 || pid > G_MAXINT32)
    return FALSE;
  return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Whether (dir, chunk) is held by a live scan other than @owner. */
static gboolean
held_by_other(DerushCatalog *cat, gint64 owner, const char *dir, int chunk, gboolean *held,
              GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(
      cat, "SELECT owner, pid, heartbeat_ns FROM scan_claims WHERE dir = ?1 AND chunk = ?2", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_text(stmt, 1, dir, -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 2, chunk);
  int rc = sqlite3_step(stmt);
  *held = FALSE;
  if (rc == SQLITE_ROW) {
    gint64 holder = sqlite3_column_int64(stmt, 0);
    gint64 pid = sqlite3_column_int64(stmt, 1);
    gint64 heartbeat = sqlite3_column_int64(stmt, 2);
    *held = holder != owner && process_alive(pid) && now_ns() - heartbeat < CLAIM_STALE_NS;
  } else if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot read scan claims");
    sqlite3_reset(stmt);
    return FALSE;
  }
  sqlite3_reset(stmt);
  return TRUE;
}

gboolean
_derush_catalog_claim_chunk(DerushCatalog *cat, gint64 owner, const char *dir, int chunk,
                            gboolean *granted, GError **error)
{
  *granted = FALSE;
  if (!_derush_catalog_begin(cat, error))
    return FALSE;
  gboolean held;
  if (!held_by_other(cat, owner, dir, chunk, &held, error))
    goto fail;
  if (!held) {
    sqlite3_stmt *stmt = _derush_catalog_stmt(
        cat,
        "INSERT OR REPLACE INTO scan_claims(dir, chunk, owner, pid, heartbeat_ns)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
        error);
    if (!stmt)
      goto fail;
    sqlite3_bind_text(stmt, 1, dir, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, chunk);
    sqlite3_bind_int64(stmt, 3, owner);
    sqlite3_bind_int64(stmt, 4, (gint64)getpid());
    sqlite3_bind_int64(stmt, 5, now_ns());
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
      _derush_catalog_set_error(cat, error, "cannot claim files to scan");
      goto fail;
    }
    if (!_derush_catalog_touch_claims(cat, owner, error))
      goto fail;
  }
  if (!_derush_catalog_commit(cat, error))
    return FALSE;
  *granted = !held;
  return TRUE;
fail:
  _derush_catalog_rollback(cat);
  return FALSE;
}

static gboolean
exec_owner(DerushCatalog *cat, const char *sql, gint64 owner, gboolean with_time, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, sql, error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64(stmt, 1, owner);
  if (with_time)
    sqlite3_bind_int64(stmt, 2, now_ns());
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) {
    _derush_catalog_set_error(cat, error, "cannot update scan claims");
    return FALSE;
  }
  return TRUE;
}

gboolean
_derush_catalog_touch_claims(DerushCatalog *cat, gint64 owner, GError **error)
{
  return exec_owner(cat, "UPDATE scan_claims SET heartbeat_ns = ?2 WHERE owner = ?1", owner, TRUE,
                    error);
}

gboolean
_derush_catalog_release_claims(DerushCatalog *cat, gint64 owner, GError **error)
{
  return exec_owner(cat, "DELETE FROM scan_claims WHERE owner = ?1", owner, FALSE, error);
}

/* A claim granted after another scan released it says nothing of the rows
 * the caller read before: that scan may have added the chunk's files in
 * between. Comparing data_version (PRAGMA data_version: changed by other
 * connections' commits only) taken before the read with its value after
 * the claim tells the scan when to read them again. */
gboolean
_derush_catalog_data_version(DerushCatalog *cat, gint64 *version, GError **error)
{
  sqlite3_stmt *stmt = _derush_catalog_stmt(cat, "PRAGMA data_version", error);
  if (!stmt)
    return FALSE;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  if (rc != SQLITE_ROW) {
    _derush_catalog_set_error(cat, error, "cannot read the catalog's data version");
    return FALSE;
  }
  return TRUE;
}
