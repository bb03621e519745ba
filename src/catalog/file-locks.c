/* file-locks.c: the catalog's locks survive any close() in the process.
 *
 * SQLite's unix VFS locks the catalog and its -shm with POSIX advisory locks
 * (fcntl F_SETLK). Those belong to the (process, inode) pair, and closing ANY
 * descriptor of the inode drops all of them ("How To Corrupt An SQLite
 * Database File", 2.2). A derush process cannot keep every other thread from
 * opening the catalog's files: GTK's file chooser sniffs cat.db, -wal and
 * -shm to guess their types, GIO monitors and thumbnailers open what a folder
 * holds. Once the locks are gone, the next derush process to close the
 * catalog believes it is the last user, checkpoints and deletes the WAL this
 * process still commits to: acknowledged labels vanish, and two processes
 * can write at once (tests/test-locks.c reproduces both).
 *
 * The fix: SQLite lets us replace the system calls of its unix VFS
 * (xSetSystemCall). Our "fcntl" turns every lock request into a Linux
 * open-file-description lock (F_OFD_SETLK, F_OFD_GETLK). An OFD lock belongs
 * to one open file description and goes away only when the LAST descriptor
 * of that description is closed; another open() of the same file, and its
 * close(), do not touch it. OFD locks and POSIX locks conflict with each
 * other exactly as POSIX locks of two processes do, so a derush built before
 * this change, or the sqlite3 shell, still excludes us and we exclude it.
 *
 * OFD locks differ from POSIX locks inside one process: two descriptions of
 * the same file conflict with each other even in one process, and a lock is
 * released only through the description that holds it. SQLite's unix VFS
 * counts its in-process locks per inode (unixInodeInfo) and may take a lock
 * through one connection's descriptor and release it through another's. So
 * every lock request on an inode goes through ONE description of our own,
 * opened the first time SQLite locks that inode: within the process all
 * locks have one owner, as with POSIX, but only our close of that
 * description (when SQLite has closed every descriptor it locked the inode
 * through, hence holds no lock on it) can release them. Our "close" keeps
 * that count. A child made by fork() starts a table of its own, since the
 * descriptions it inherited are shared with its parent's locks.
 *
 * The system calls are process-wide: installed before the first catalog
 * opens, they apply to every SQLite unix-VFS database of the process. */
#include "catalog-private.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*FcntlFn)(int, int, ...);
typedef int (*CloseFn)(int);

/* One inode SQLite locks, and the description all its locks go through. */
typedef struct {
  dev_t dev;
  ino_t ino;
  int lock_fd;
  GArray *users; /* int: SQLite's descriptors that asked to lock this inode */
} LockedInode;

static GMutex table_mutex;
static GPtrArray *table; /* LockedInode*, a handful at most: linear search */
static pid_t table_pid;
static FcntlFn real_fcntl;
static CloseFn real_close;
static gint ofd_unsupported; /* the kernel predates OFD locks (Linux < 3.15) */

static void
locked_inode_free(gpointer p)
{
  LockedInode *li = p;
  g_array_unref(li->users);
  g_free(li);
}

/* After fork(), the inherited descriptions are shared with the parent: a
 * lock through them would be the parent's lock too. Drop them (closing our
 * copies leaves the parent's locks alone) and start over. */
static void
table_check_owner(void)
{
  pid_t pid = getpid();
  if (table && table_pid == pid)
    return;
  if (table) {
    for (guint i = 0; i < table->len; i++)
      real_close(((LockedInode *)table->pdata[i])->lock_fd);
    g_ptr_array_unref(table);
  }
  table = g_ptr_array_new_with_free_func(locked_inode_free);
  table_pid = pid;
}

/* A new description of the file behind @fd: read-write when it can be (a
 * write lock needs a writable description), else like @fd; without /proc,
 * a duplicate of @fd's own description. Close-on-exec, so that a spawned
 * program never holds it. */
static int
open_lock_fd(int fd)
{
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  int lock_fd = open(proc, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (lock_fd < 0) {
    int mode = real_fcntl(fd, F_GETFL, 0);
    if (mode >= 0)
      lock_fd = open(proc, (mode & O_ACCMODE) | O_CLOEXEC | O_NOCTTY);
  }
  if (lock_fd < 0)
    lock_fd = real_fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return lock_fd;
}

/* The description to lock @fd's inode through, registering @fd as a user;
 * -1 with errno set on failure. */
static int
lock_fd_for(int fd)
{
  struct stat st;
  if (fstat(fd, &st) != 0)
    return -1;
  g_mutex_lock(&table_mutex);
  table_check_owner();
  LockedInode *li = NULL;
  for (guint i = 0; i < table->len && !li; i++) {
    LockedInode *c = table->pdata[i];
    if (c->dev == st.st_dev && c->ino == st.st_ino)
      li = c;
  }
  if (!li) {
    int lock_fd = open_lock_fd(fd);
    if (lock_fd < 0) {
      int saved = errno;
      g_mutex_unlock(&table_mutex);
      errno = saved;
      return -1;
    }
    li = g_new0(LockedInode, 1);
    li->dev = st.st_dev;
    li->ino = st.st_ino;
    li->lock_fd = lock_fd;
    li->users = g_array_new(FALSE, FALSE, sizeof(int));
    g_ptr_array_add(table, li);
  }
  gboolean known = FALSE;
  for (guint i = 0; i < li->users->len && !known; i++)
    known = g_array_index(li->users, int, i) == fd;
  if (!known)
    g_array_append_val(li->users, fd);
  int lock_fd = li->lock_fd;
  g_mutex_unlock(&table_mutex);
  return lock_fd;
}

static int
ofd_lock(int fd, int cmd, struct flock *fl)
{
  if (g_atomic_int_get(&ofd_unsupported))
    return real_fcntl(fd, cmd, fl);
  int lock_fd = lock_fd_for(fd);
  if (lock_fd < 0)
    return -1;
  /* OFD requests must carry l_pid 0; SQLite leaves it unset. */
  struct flock ofd = *fl;
  ofd.l_pid = 0;
  int ofd_cmd = cmd == F_SETLK ? F_OFD_SETLK : cmd == F_SETLKW ? F_OFD_SETLKW : F_OFD_GETLK;
  int rc = real_fcntl(lock_fd, ofd_cmd, &ofd);
  if (rc != 0 && errno == EINVAL && !g_atomic_int_get(&ofd_unsupported)) {
    /* Only possible on the very first lock of the process (a kernel
     * without OFD locks refuses them all), so no lock is held either way:
     * fall back to POSIX locks for good. */
    g_atomic_int_set(&ofd_unsupported, 1);
    return real_fcntl(fd, cmd, fl);
  }
  if (rc == 0 && cmd == F_GETLK)
    *fl = ofd;
  return rc;
}

static int
derush_fcntl(int fd, int cmd, ...)
{
  va_list ap;
  va_start(ap, cmd);
  int rc;
  if (cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK) {
    struct flock *fl = va_arg(ap, struct flock *);
    rc = ofd_lock(fd, cmd, fl);
  } else {
    /* The other commands SQLite's unix VFS uses (F_GETFD, F_SETFD,
     * F_GETFL) take an int, or nothing, which it passes as 0. */
    int arg = va_arg(ap, int);
    rc = real_fcntl(fd, cmd, arg);
  }
  va_end(ap);
  return rc;
}

static int
derush_close(int fd)
{
  int lock_fd = -1;
  g_mutex_lock(&table_mutex);
  if (table && table_pid == getpid()) {
    for (guint i = 0; i < table->len; i++) {
      LockedInode *li = table->pdata[i];
      for (guint u = 0; u < li->users->len; u++) {
        if (g_array_index(li->users, int, u) != fd)
          continue;
        g_array_remove_index_fast(li->users, u);
        break;
      }
      /* SQLite closes a descriptor it locked through only when the inode
       * holds no lock of this process any more (it defers the close
       * otherwise: unixInodeInfo's pUnused), so the last one out finds
       * nothing left to release. */
      if (li->users->len == 0) {
        lock_fd = li->lock_fd;
        g_ptr_array_remove_index_fast(table, i);
        break;
      }
    }
  }
  g_mutex_unlock(&table_mutex);
  if (lock_fd >= 0)
    real_close(lock_fd);
  return real_close(fd);
}

static gpointer
install_once(gpointer data)
{
  sqlite3_vfs *vfs = sqlite3_vfs_find("unix");
  if (!vfs || vfs->iVersion < 3 || !vfs->xSetSystemCall)
    return GINT_TO_POINTER(FALSE);
  real_fcntl = (FcntlFn)vfs->xGetSystemCall(vfs, "fcntl");
  real_close = (CloseFn)vfs->xGetSystemCall(vfs, "close");
  if (!real_fcntl || !real_close)
    return GINT_TO_POINTER(FALSE);
  /* Both or neither: a lock table without its close hook would keep
   * descriptors open for ever. */
  if (vfs->xSetSystemCall(vfs, "close", (sqlite3_syscall_ptr)derush_close) != SQLITE_OK)
    return GINT_TO_POINTER(FALSE);
  if (vfs->xSetSystemCall(vfs, "fcntl", (sqlite3_syscall_ptr)derush_fcntl) != SQLITE_OK) {
    vfs->xSetSystemCall(vfs, "close", (sqlite3_syscall_ptr)real_close);
    return GINT_TO_POINTER(FALSE);
  }
  return GINT_TO_POINTER(TRUE);
}

/**
 * _derush_catalog_install_file_locks:
 *
 * Makes SQLite's unix VFS lock through open-file-description locks (see the
 * top of this file). Call before the process opens its first database;
 * later calls do nothing.
 *
 * Returns: TRUE when installed (FALSE: this SQLite cannot replace its
 * system calls, and POSIX locks stay).
 */
gboolean
_derush_catalog_install_file_locks(void)
{
  static GOnce once = G_ONCE_INIT;
  return GPOINTER_TO_INT(g_once(&once, install_once, NULL));
}
