/* write-atomic.c: the decision area's one way of writing a file: through a
 * temporary file in the same folder, fsync'd, then renamed. */
#include "export-private.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

gboolean
_derush_write_atomic(const char *path, const void *data, gsize len, int mode, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  /* Hidden and in the same folder: rename() is then atomic, and a file
   * manager or a scan does not show a half-written file. */
  g_autofree char *tmp = g_strdup_printf("%s/.%s.derush-XXXXXX", dir, base);
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) {
    _derush_set_errno_error(error, errno, "cannot write", path);
    return FALSE;
  }
  const char *p = data;
  gsize left = len;
  int errsv = 0;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      errsv = n < 0 ? errno : ENOSPC;
      break;
    }
    p += n;
    left -= (gsize)n;
  }
  /* fsync before rename: after a power cut the name points to the old
   * bytes or the new ones, never to an empty file. */
  if (!errsv && fdatasync(fd) != 0)
    errsv = errno;
  if (close(fd) != 0 && !errsv)
    errsv = errno;
  if (!errsv && rename(tmp, path) != 0)
    errsv = errno;
  if (errsv) {
    unlink(tmp);
    _derush_set_errno_error(error, errsv, "cannot write", path);
    return FALSE;
  }
  return TRUE;
}
