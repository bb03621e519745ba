/* image/thumbnail.c: resizing, atomic saving and the thumbnail cache.
 *
 * The cache holds one DERUSH_THUMB_CACHE_SIZE JPEG per content hash (not
 * per path), so a moved or renamed photo keeps its thumbnail and two
 * copies of one photo share it. The scanner fills it while each file is
 * open (_derush_thumb_cache_store); the preview path (preview.c) reads it
 * back (_derush_thumb_cache_lookup) without touching the original. */
#include "derush-private.h"
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * _derush_image_fit:
 * @image: an in-memory (or otherwise re-readable) image.
 * @size: the long edge wanted, in pixels.
 * @error: return location for a GError.
 *
 * Resizes @image so that its long edge is @size; an image already that
 * small is returned as it is (never upscaled).
 *
 * Returns: (transfer full): an in-memory image, or NULL with @error set.
 */
VipsImage *
_derush_image_fit(VipsImage *image, int size, GError **error)
{
  g_return_val_if_fail(VIPS_IS_IMAGE(image), NULL);
  g_return_val_if_fail(size > 0, NULL);

  if (MAX(image->Xsize, image->Ysize) <= size)
    return g_object_ref(image);
  VipsImage *t = NULL;
  /* no_rotate: the image is upright already; a stray orientation tag must
   * not turn it again. */
  if (vips_thumbnail_image(image, &t, size, "height", size, "size", VIPS_SIZE_DOWN, "no_rotate",
                           TRUE, NULL)) {
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot resize the image");
    return NULL;
  }
  VipsImage *mem = vips_image_copy_memory(t);
  g_object_unref(t);
  if (!mem)
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot resize the image");
  return mem;
}

/**
 * _derush_image_save_atomic:
 * @image: the image to write (sRGB 8-bit, as _derush_image_load makes).
 * @path: destination; ".jpg"/".jpeg" writes a JPEG (quality 85), ".png" a
 *   PNG. Metadata is stripped in both cases.
 * @error: return location for a GError.
 *
 * Writes to a temporary file in the destination folder (created as
 * needed) and renames it over @path, so a reader never sees half a file and
 * a crash leaves the old file intact.
 *
 * Returns: TRUE on success, FALSE with @error set.
 */
gboolean
_derush_image_save_atomic(VipsImage *image, const char *path, GError **error)
{
  g_return_val_if_fail(VIPS_IS_IMAGE(image), FALSE);
  g_return_val_if_fail(path != NULL, FALSE);

  char ext[8];
  _derush_file_ext(path, ext, sizeof ext);
  gboolean jpeg = strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0;
  gboolean png = strcmp(ext, "png") == 0;
  if (!jpeg && !png) {
    g_autofree char *display = g_filename_display_name(path);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED,
                "%s: cannot write this format (use .jpg or .png)", display);
    return FALSE;
  }

  g_autofree char *dir = g_path_get_dirname(path);
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    _derush_set_errno_error(error, errno, "cannot create folder", dir);
    return FALSE;
  }
  /* Hidden and short (a long @path name plus a suffix could pass NAME_MAX);
   * mode 0644 under the umask: a thumbnail is no secret. */
  g_autofree char *tmpl = g_build_filename(dir, ".derush-tmp-XXXXXX", NULL);
  int fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    _derush_set_errno_error(error, errno, "cannot create a file in", dir);
    return FALSE;
  }
  close(fd);

  _derush_vips_error_clear();
  int rc = jpeg ? vips_jpegsave(image, tmpl, "Q", 85, "strip", TRUE, NULL)
                : vips_pngsave(image, tmpl, "strip", TRUE, NULL);
  if (rc) {
    g_unlink(tmpl);
    g_autofree char *display = g_filename_display_name(path);
    g_autofree char *what = g_strdup_printf("cannot write %s", display);
    _derush_set_vips_error(error, DERUSH_ERROR_IO, what);
    return FALSE;
  }
  if (g_rename(tmpl, path) != 0) {
    int errsv = errno;
    g_unlink(tmpl);
    _derush_set_errno_error(error, errsv, "cannot rename into", path);
    return FALSE;
  }
  return TRUE;
}

/**
 * _derush_thumb_cache_store:
 * @cache_dir: the cache root.
 * @hash: the photo's content hash.
 * @thumb: the photo's thumbnail as _derush_image_load made it; shrunk to
 *   DERUSH_THUMB_CACHE_SIZE first when larger.
 * @error: return location for a GError.
 *
 * Writes the cached thumbnail of @hash (atomically). Counts
 * DERUSH_COUNTER_THUMBNAILS_WRITTEN.
 *
 * Returns: TRUE on success, FALSE with @error set.
 */
gboolean
_derush_thumb_cache_store(const char *cache_dir, guint64 hash, VipsImage *thumb, GError **error)
{
  g_return_val_if_fail(cache_dir != NULL, FALSE);
  g_return_val_if_fail(VIPS_IS_IMAGE(thumb), FALSE);

  g_autoptr(VipsImage) fitted = _derush_image_fit(thumb, DERUSH_THUMB_CACHE_SIZE, error);
  if (!fitted)
    return FALSE;
  g_autofree char *path = _derush_thumb_cache_path(cache_dir, hash);
  if (!_derush_image_save_atomic(fitted, path, error))
    return FALSE;
  derush_counter_add(DERUSH_COUNTER_THUMBNAILS_WRITTEN, 1);
  return TRUE;
}

/**
 * _derush_thumb_cache_lookup:
 * @cache_dir: the cache root.
 * @hash: the photo's content hash.
 *
 * Reads the cached thumbnail of @hash into memory. A missing file is a
 * miss; so is a damaged one (removed, so that it gets written again):
 * the cache is never a reason to fail. Counts
 * DERUSH_COUNTER_THUMBNAIL_CACHE_HITS on a hit.
 *
 * Returns: (transfer full) (nullable): the thumbnail, or NULL on a miss.
 */
VipsImage *
_derush_thumb_cache_lookup(const char *cache_dir, guint64 hash)
{
  g_return_val_if_fail(cache_dir != NULL, NULL);

  g_autofree char *path = _derush_thumb_cache_path(cache_dir, hash);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &bytes, &len, NULL) || !_derush_decoders_ensure(NULL))
    return NULL;

  _derush_vips_error_clear();
  VipsImage *mem = NULL;
  VipsImage *img = vips_image_new_from_buffer(bytes, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                              "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
  if (img && img->Bands == 3 && img->BandFmt == VIPS_FORMAT_UCHAR)
    mem = vips_image_copy_memory(img);
  g_clear_object(&img);
  if (!mem) {
    _derush_vips_error_clear();
    g_unlink(path);
    return NULL;
  }
  derush_counter_add(DERUSH_COUNTER_THUMBNAIL_CACHE_HITS, 1);
  return mem;
}
