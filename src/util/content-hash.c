/* content-hash.c: the fast content hash that re-links moved photos and keys
 * the thumbnail cache.
 *
 * Hashing whole files would make a move cost a full read; sampling the head
 * (where EXIF and the JPEG tables live), the middle and the tail (where the
 * entropy-coded data ends) plus the size tells real photos apart in practice
 * and costs at most 192 KiB of reading. */
#include "derush-private.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
/* Stack-allocated XXH64 state needs the static-linking definitions. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

/* Offsets of the three samples of a file of @len bytes; small files are
 * hashed whole (one sample covering everything). */
static int
sample_ranges(gsize len, gsize off[3], gsize n[3])
{
  if (len <= 3 * DERUSH_HASH_SAMPLE) {
    off[0] = 0;
    n[0] = len;
    return 1;
  }
  off[0] = 0;
  off[1] = len / 2 - DERUSH_HASH_SAMPLE / 2;
  off[2] = len - DERUSH_HASH_SAMPLE;
  n[0] = n[1] = n[2] = DERUSH_HASH_SAMPLE;
  return 3;
}

static XXH64_hash_t
finish(XXH64_state_t *state)
{
  XXH64_hash_t h = XXH64_digest(state);
  /* 0 means "unknown" in the catalog. */
  return h ? h : 1;
}

guint64
_derush_content_hash_buf(const guint8 *data, gsize len)
{
  gsize off[3], n[3];
  int k = sample_ranges(len, off, n);
  XXH64_state_t state;
  XXH64_reset(&state, 0);
  guint64 size = len;
  XXH64_update(&state, &size, sizeof size);
  for (int i = 0; i < k; i++)
    XXH64_update(&state, data + off[i], n[i]);
  derush_counter_add(DERUSH_COUNTER_FILES_HASHED, 1);
  return finish(&state);
}

gboolean
_derush_content_hash_path(const char *path, gint64 *size_out, guint64 *hash_out, GError **error)
{
  struct stat st;
  int fd = _derush_open_photo(path, &st, error);
  if (fd < 0)
    return FALSE;
  gsize len = (gsize)st.st_size, off[3], n[3];
  int k = sample_ranges(len, off, n);
  XXH64_state_t state;
  XXH64_reset(&state, 0);
  guint64 size = len;
  XXH64_update(&state, &size, sizeof size);
  g_autofree guint8 *buf = g_malloc(MAX(n[0], 1));
  for (int i = 0; i < k; i++) {
    gsize got = 0;
    while (got < n[i]) {
      ssize_t r = pread(fd, buf + got, n[i] - got, (off_t)(off[i] + got));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0) {
        int errsv = r < 0 ? errno : EIO;
        close(fd);
        _derush_set_errno_error(error, errsv, "cannot read", path);
        return FALSE;
      }
      got += (gsize)r;
    }
    XXH64_update(&state, buf, n[i]);
  }
  close(fd);
  derush_counter_add(DERUSH_COUNTER_FILES_HASHED, 1);
  *size_out = (gint64)len;
  *hash_out = finish(&state);
  return TRUE;
}
