/* mapped-file.c: open a photo once and map it, for every reader to share.
 *
 * The scanner hands the same bytes to the content hash, exiv2, libvips and
 * libraw, so a new or changed photo costs exactly one open(). Pages are read
 * lazily by the kernel: a JPEG thumbnail at 1/8 scale still touches every
 * page, but a RAW preview or a header-only probe does not. */
#include "derush-private.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The one place a photo file is opened for reading (and counted). O_NONBLOCK
 * so a FIFO named .jpg cannot hang the scan; fstat on the open descriptor
 * tells the version actually read. Returns the descriptor, or -1. */
int
_derush_open_photo(const char *path, struct stat *st, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    _derush_set_errno_error(error, errno, "cannot open", path);
    return -1;
  }
  derush_counter_add(DERUSH_COUNTER_FILES_OPENED, 1);
  if (fstat(fd, st) != 0) {
    int errsv = errno;
    close(fd);
    _derush_set_errno_error(error, errsv, "cannot stat", path);
    return -1;
  }
  return fd;
}

gboolean
_derush_mapped_file_open(DerushMappedFile *file, const char *path, GError **error)
{
  memset(file, 0, sizeof *file);
  file->fd = -1;

  struct stat st;
  int fd = _derush_open_photo(path, &st, error);
  if (fd < 0)
    return FALSE;
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    g_autofree char *display = g_filename_display_name(path);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED, "%s: not a regular file", display);
    return FALSE;
  }

  file->fd = fd;
  file->len = (gsize)st.st_size;
  file->mtime_ns = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
  file->dev = (gint64)st.st_dev;
  file->ino = (gint64)st.st_ino;
  if (file->len == 0)
    return TRUE;

  void *map = mmap(NULL, file->len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) {
    int errsv = errno;
    close(fd);
    file->fd = -1;
    _derush_set_errno_error(error, errsv, "cannot map", path);
    return FALSE;
  }
  file->data = map;
  return TRUE;
}

void
_derush_mapped_file_close(DerushMappedFile *file)
{
  if (file->data)
    munmap((void *)file->data, file->len);
  if (file->fd >= 0)
    close(file->fd);
  file->data = NULL;
  file->fd = -1;
  file->len = 0;
}
