/* image/preview.c: a photo's upright preview, through the thumbnail cache.
 *
 * The one place that knows "the cached preview, else decode the original
 * once and fill the cache": the app's grid, viewer and compare view, the
 * CLI's thumbnail command and the analysis pipeline all come here. A cache
 * hit never opens the original; a miss maps it once, and the hash, the
 * metadata (RAW orientation) and the decoder read that one mapping. */
#include "derush-private.h"
#include <gio/gio.h>

/* The cached preview of @hash at @size, or NULL on a miss. A request for
 * the cache's own size reads the JPEG as it is; a smaller one decodes it
 * shrink-on-load (a 256 px cell decodes the 512 px JPEG at 1/2 scale in
 * the IDCT, for about a quarter of the work). A damaged file is a miss:
 * the caller makes it again. */
VipsImage *
_derush_thumb_cache_read(const char *cache_dir, guint64 hash, int size)
{
  if (size >= DERUSH_THUMB_CACHE_SIZE)
    return _derush_thumb_cache_lookup(cache_dir, hash);
  g_autofree char *cached = _derush_thumb_cache_path(cache_dir, hash);
  if (!g_file_test(cached, G_FILE_TEST_IS_REGULAR))
    return NULL;
  _derush_vips_error_clear();
  g_autoptr(VipsImage) image = NULL;
  VipsImage *mem = NULL;
  if (vips_thumbnail(cached, &image, size, "height", size, "size", VIPS_SIZE_DOWN, "no_rotate",
                     TRUE, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL) == 0 &&
      image->Bands == 3 && image->BandFmt == VIPS_FORMAT_UCHAR)
    mem = vips_image_copy_memory(image);
  _derush_vips_error_clear();
  if (mem)
    derush_counter_add(DERUSH_COUNTER_THUMBNAIL_CACHE_HITS, 1);
  return mem;
}

/**
 * _derush_preview_image:
 * @cache_dir: (nullable): the thumbnail cache root; NULL decodes the
 *   original every time
 * @path: the photo
 * @content_hash: the hash the catalog knows the photo by, or 0 (then the
 *   file is hashed to find its cache entry)
 * @orientation: EXIF orientation 1-8 for RAW previews, or -1 to read it
 *   from the file when it is a RAW
 * @size: the long edge wanted, or 0 for the full size
 * @flags: DERUSH_PREVIEW_STRICT: fail when the file no longer has
 *   @content_hash (the analysis stores results under that hash);
 *   DERUSH_PREVIEW_NAME_ERRORS: prefix the decoder's errors with the file's
 *   name (the mapping's name it already)
 * @from_cache: (out) (optional): whether the cache answered
 * @cancellable: (nullable): checked before the original is decoded
 * @error: return location for a GError
 *
 * Sizes up to DERUSH_THUMB_CACHE_SIZE come from the cache when it has the
 * photo; otherwise the original is decoded once (at the cache's size when
 * a cache is given, and the cache filled: a failure to write it is not
 * one of the caller's) and fitted to @size. Never upscales.
 *
 * Returns: (transfer full): an upright sRGB 8-bit 3-band image in memory,
 * or NULL with @error set.
 */
VipsImage *
_derush_preview_image(const char *cache_dir, const char *path, guint64 content_hash,
                      int orientation, int size, DerushPreviewFlags flags, gboolean *from_cache,
                      GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);
  if (from_cache)
    *from_cache = FALSE;
  if (!_derush_decoders_ensure(error))
    return NULL;
  gboolean use_cache = cache_dir && size > 0 && size <= DERUSH_THUMB_CACHE_SIZE;

  VipsImage *image = NULL;
  if (use_cache && content_hash &&
      (image = _derush_thumb_cache_read(cache_dir, content_hash, size))) {
    if (from_cache)
      *from_cache = TRUE;
    return image;
  }
  if (g_cancellable_set_error_if_cancelled(cancellable, error))
    return NULL;

  g_auto(DerushMappedFile) file = DERUSH_MAPPED_FILE_INIT;
  if (!_derush_mapped_file_open(&file, path, error))
    return NULL;
  guint64 hash = use_cache ? _derush_content_hash_buf(file.data, file.len) : 0;
  if ((flags & DERUSH_PREVIEW_STRICT) && content_hash && use_cache && hash != content_hash) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED,
                "changed since the last scan; scan it again");
    return NULL;
  }
  if (use_cache && !content_hash && (image = _derush_thumb_cache_read(cache_dir, hash, size))) {
    if (from_cache)
      *from_cache = TRUE;
    return image;
  }
  if (orientation < 0) {
    /* Only RAW previews need the orientation from EXIF (libvips reads it
     * from the data for everything else): skip exiv2 otherwise. */
    orientation = 1;
    if (derush_is_raw_name(path)) {
      DerushMeta meta;
      derush_meta_init(&meta);
      if (_derush_meta_read_buffer(file.data, file.len, &meta, NULL))
        orientation = meta.orientation;
      derush_meta_clear(&meta);
    }
  }
  DerushImageInfo info;
  g_autoptr(VipsImage) decoded = NULL;
  /* The full size is asked as "a long edge larger than any photo": the
   * loader never upscales. */
  int decode_size = use_cache ? DERUSH_THUMB_CACHE_SIZE : size > 0 ? size : 1 << 20;
  GError *local = NULL;
  gboolean ok = _derush_image_load(file.data, file.len, path, orientation, decode_size, &info,
                                   &decoded, &local);
  /* The pixels are in memory: let the file go before the cache write. */
  _derush_mapped_file_close(&file);
  _derush_vips_error_clear();
  if (!ok) {
    if (flags & DERUSH_PREVIEW_NAME_ERRORS) {
      g_autofree char *display = g_filename_display_name(path);
      g_propagate_prefixed_error(error, local, "%s: ", display);
    } else {
      g_propagate_error(error, local);
    }
    return NULL;
  }
  if (use_cache) {
    /* A cache failure (full disk, read-only cache) must not stop the
     * preview the caller asked for. */
    g_autoptr(GError) store_error = NULL;
    if (!_derush_thumb_cache_store(cache_dir, hash, decoded, &store_error))
      g_debug("thumbnail cache: %s", store_error->message);
  }
  if (size <= 0)
    return g_steal_pointer(&decoded);
  return _derush_image_fit(decoded, size, error);
}

/**
 * derush_preview_free:
 * @preview: (nullable) (transfer full): a preview
 */
void
derush_preview_free(DerushPreview *preview)
{
  if (!preview)
    return;
  g_bytes_unref(preview->pixels);
  g_free(preview);
}

/* An in-memory image as the public API's pixels (normalised first when it
 * is not sRGB 8-bit 3-band already). */
DerushPreview *
_derush_preview_from_image(VipsImage *image, GError **error)
{
  g_autoptr(VipsImage) norm = NULL;
  if (image->Bands != 3 || image->BandFmt != VIPS_FORMAT_UCHAR) {
    norm = _derush_image_normalise(image, error);
    if (!norm)
      return NULL;
    image = norm;
  }
  size_t len = 0;
  void *pixels = vips_image_write_to_memory(image, &len);
  if (!pixels) {
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot decode the preview");
    return NULL;
  }
  DerushPreview *preview = g_new0(DerushPreview, 1);
  preview->width = image->Xsize;
  preview->height = image->Ysize;
  preview->stride = (gsize)image->Xsize * 3;
  preview->pixels = g_bytes_new_with_free_func(pixels, len, g_free, pixels);
  return preview;
}

static DerushPreview *
load_preview(const char *cache_dir, const DerushPhoto *photo, int size, GCancellable *cancellable,
             GError **error)
{
  if (photo->status != DERUSH_PHOTO_OK) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                        photo->reason ? photo->reason : derush_photo_status_name(photo->status));
    return NULL;
  }
  g_autoptr(VipsImage) image =
      _derush_preview_image(cache_dir, photo->path, photo->content_hash, photo->meta.orientation,
                            size, 0, NULL, cancellable, error);
  return image ? _derush_preview_from_image(image, error) : NULL;
}

/**
 * derush_photo_load_preview:
 * @catalog: (nullable): the catalog whose thumbnail cache is read and
 *   filled; NULL decodes the original every time
 * @photo: the photo (its path, content hash, status and orientation)
 * @size: the long edge wanted in pixels, or 0 for the full size
 * @cancellable: (nullable): checked before the original is decoded
 * @error: return location for a GError
 *
 * The photo upright, in 8-bit sRGB, at most @size pixels on its long edge
 * (never upscaled). Up to DERUSH_THUMB_CACHE_SIZE the catalog's cached
 * preview answers without opening the original (counted as
 * THUMBNAIL_CACHE_HITS); when it is missing the original is decoded once,
 * shrink-on-load, and the cache filled. Larger sizes decode the original.
 * Blocking and thread-safe: call it from a worker, or use
 * derush_photo_load_preview_async().
 *
 * Returns: (transfer full): the preview, or NULL with @error set
 * (DERUSH_ERROR_CORRUPT for a photo the scan found unreadable).
 */
DerushPreview *
derush_photo_load_preview(DerushCatalog *catalog, const DerushPhoto *photo, int size,
                          GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail(photo != NULL && photo->path != NULL, NULL);
  g_return_val_if_fail(size >= 0, NULL);
  return load_preview(catalog ? derush_catalog_get_cache_dir(catalog) : NULL, photo, size,
                      cancellable, error);
}

typedef struct {
  char *cache_dir;
  char *path;
  char *reason;
  DerushPhotoStatus status;
  guint64 content_hash;
  int orientation;
  int size;
} PreviewTask;

static void
preview_task_free(PreviewTask *t)
{
  g_free(t->cache_dir);
  g_free(t->path);
  g_free(t->reason);
  g_free(t);
}

static void
preview_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PreviewTask *t = task_data;
  DerushPhoto photo = {
      .path = t->path,
      .status = t->status,
      .reason = t->reason,
      .content_hash = t->content_hash,
  };
  photo.meta.orientation = t->orientation;
  GError *error = NULL;
  DerushPreview *preview = load_preview(t->cache_dir, &photo, t->size, cancellable, &error);
  if (preview)
    g_task_return_pointer(task, preview, (GDestroyNotify)derush_preview_free);
  else
    g_task_return_error(task, error);
}

/**
 * derush_photo_load_preview_async:
 * @catalog: (nullable): as derush_photo_load_preview(); only its cache
 *   folder is kept, so it may close before the task ends
 * @photo: the photo (copied: the caller may free it at once)
 * @size: as derush_photo_load_preview()
 * @cancellable: (nullable): cancels the decode (G_IO_ERROR_CANCELLED)
 * @callback: called on the caller's main context
 * @user_data: for @callback
 *
 * derush_photo_load_preview() on a GTask thread.
 */
void
derush_photo_load_preview_async(DerushCatalog *catalog, const DerushPhoto *photo, int size,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail(photo != NULL && photo->path != NULL);
  PreviewTask *t = g_new0(PreviewTask, 1);
  t->cache_dir = catalog ? g_strdup(derush_catalog_get_cache_dir(catalog)) : NULL;
  t->path = g_strdup(photo->path);
  t->reason = g_strdup(photo->reason);
  t->status = photo->status;
  t->content_hash = photo->content_hash;
  t->orientation = photo->meta.orientation;
  t->size = MAX(size, 0);
  g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_source_tag(task, derush_photo_load_preview_async);
  g_task_set_return_on_cancel(task, TRUE);
  g_task_set_task_data(task, t, (GDestroyNotify)preview_task_free);
  g_task_run_in_thread(task, preview_worker);
}

/**
 * derush_photo_load_preview_finish:
 * @result: the result handed to the callback
 * @error: return location for a GError
 *
 * Returns: (transfer full): the preview, or NULL with @error set.
 */
DerushPreview *
derush_photo_load_preview_finish(GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * derush_thumbnail_save:
 * @catalog: (nullable): when given, the thumbnail cache under
 *   derush_catalog_get_cache_dir() is used and filled.
 * @path: the photo.
 * @size: long edge in pixels.
 * @out_path: where to write; the format follows the extension (.png, .jpg).
 * @error: return location for a GError.
 *
 * Writes the photo's upright sRGB thumbnail as the app shows it. With a
 * catalog and @size <= DERUSH_THUMB_CACHE_SIZE, a cached thumbnail is used
 * without decoding the photo (only hashing it), and a missing one is made
 * and stored first; larger sizes decode the original again.
 *
 * Returns: TRUE on success, FALSE with @error set.
 */
gboolean
derush_thumbnail_save(DerushCatalog *catalog, const char *path, int size, const char *out_path,
                      GError **error)
{
  g_return_val_if_fail(path != NULL, FALSE);
  g_return_val_if_fail(out_path != NULL, FALSE);
  g_return_val_if_fail(size > 0, FALSE);
  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  const char *cache_dir = catalog ? derush_catalog_get_cache_dir(catalog) : NULL;
  g_autoptr(VipsImage) thumb = _derush_preview_image(cache_dir, path, 0, -1, size,
                                                     DERUSH_PREVIEW_NAME_ERRORS, NULL, NULL, error);
  if (!thumb)
    return FALSE;
  return _derush_image_save_atomic(thumb, out_path, error);
}
