/* image/placeholder.c: a photo's preview at once, without decoding it.
 *
 * A 12-MP JPEG costs ~50 ms of CPU to shrink to a thumbnail; its embedded
 * EXIF thumbnail (160x120, a few kB inside the first 64 KiB of the file)
 * costs well under a millisecond. A grid opening a new folder shows that
 * first and the real thumbnail when it is decoded, as Photo Mechanic does.
 * derush_photo_load_preview_fast() answers from the thumbnail cache when it
 * can, else from the embedded preview, and never decodes the photo itself. */
#include "derush-private.h"
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/* A JPEG's EXIF block (APP1) is at most 64 KiB and comes first. */
#define JPEG_PREFIX (64 * 1024)

static gboolean
is_jpeg_name(const char *path)
{
  char ext[8];
  _derush_file_ext(path, ext, sizeof ext);
  return strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0 || strcmp(ext, "jpe") == 0;
}

/* The first JPEG_PREFIX bytes of a regular file, or NULL with @error set. */
static GBytes *
read_prefix(const char *path, GError **error)
{
  struct stat st;
  int fd = _derush_open_photo(path, &st, error);
  if (fd < 0)
    return NULL;
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED, "not a regular file");
    return NULL;
  }
  guint8 *buf = g_malloc(JPEG_PREFIX);
  ssize_t n;
  do
    n = pread(fd, buf, JPEG_PREFIX, 0);
  while (n < 0 && errno == EINTR);
  int errsv = errno;
  close(fd);
  if (n < 0) {
    g_free(buf);
    _derush_set_errno_error(error, errsv, "cannot read", path);
    return NULL;
  }
  return g_bytes_new_take(buf, (gsize)n);
}

/* The embedded preview's encoded bytes: a JPEG's from its first 64 KiB
 * (exiv2 stops at the image data; a file whose EXIF block reaches past it
 * is read in full), anything else's from the whole mapping (a RAW's
 * previews sit anywhere; the kernel reads only the pages exiv2 touches). */
static GBytes *
find_embedded(const char *path, int min_edge, GError **error)
{
  if (is_jpeg_name(path)) {
    g_autoptr(GBytes) prefix = read_prefix(path, error);
    if (!prefix)
      return NULL;
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(prefix, &len);
    GError *local = NULL;
    GBytes *found = _derush_meta_embedded_preview(data, len, min_edge, &local);
    if (found || len < JPEG_PREFIX) {
      if (!found)
        g_propagate_error(error, local);
      return found;
    }
    g_clear_error(&local);
  }
  g_auto(DerushMappedFile) file = DERUSH_MAPPED_FILE_INIT;
  if (!_derush_mapped_file_open(&file, path, error))
    return NULL;
  return _derush_meta_embedded_preview(file.data, file.len, min_edge, error);
}

/* Cameras letterbox a 3:2 photo's 160x120 EXIF thumbnail with black bars:
 * keep the middle part with the photo's own proportions (@aspect, stored
 * orientation). */
static VipsImage *
crop_to_aspect(VipsImage *in, double aspect, GError **error)
{
  double have = (double)in->Xsize / in->Ysize;
  if (aspect <= 0 || fabs(have / aspect - 1) < 0.03)
    return g_object_ref(in);
  int w = in->Xsize, h = in->Ysize;
  if (have > aspect)
    w = MAX(1, (int)(h * aspect + 0.5));
  else
    h = MAX(1, (int)(w / aspect + 0.5));
  VipsImage *out = NULL;
  if (vips_extract_area(in, &out, (in->Xsize - w) / 2, (in->Ysize - h) / 2, w, h, NULL)) {
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot crop the embedded preview");
    return NULL;
  }
  return out;
}

/* The embedded preview's pixels: shrunk on load to @size, cropped to the
 * photo's proportions, upright, sRGB 8-bit, in memory. */
static VipsImage *
decode_embedded(GBytes *bytes, const DerushPhoto *photo, int size, GError **error)
{
  gsize len = 0;
  const void *data = g_bytes_get_data(bytes, &len);
  _derush_vips_error_clear();
  /* The header first: a preview is outside data too, and may be a bomb. */
  g_autoptr(VipsImage) header = vips_image_new_from_buffer(data, len, "", NULL);
  if (!header) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot read the embedded preview");
    return NULL;
  }
  if ((gint64)header->Xsize * header->Ysize > DERUSH_PIXEL_LIMIT) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_TOO_LARGE,
                        "embedded preview over the pixel limit");
    return NULL;
  }
  g_autoptr(VipsImage) shrunk = NULL;
  if (vips_thumbnail_buffer((void *)data, len, &shrunk, size, "height", size, "size",
                            VIPS_SIZE_DOWN, "no_rotate", TRUE, NULL)) {
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot decode the embedded preview");
    return NULL;
  }
  g_autoptr(VipsImage) norm = _derush_image_normalise(shrunk, error);
  if (!norm)
    return NULL;
  int orientation = photo->meta.orientation;
  gboolean turned = orientation >= 5 && orientation <= 8;
  double aspect =
      photo->width > 0 && photo->height > 0
          ? turned ? (double)photo->height / photo->width : (double)photo->width / photo->height
          : 0;
  g_autoptr(VipsImage) cropped = crop_to_aspect(norm, aspect, error);
  if (!cropped)
    return NULL;
  /* In memory before the turn: the loader reads sequentially. */
  g_autoptr(VipsImage) mem = vips_image_copy_memory(cropped);
  if (!mem) {
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot decode the embedded preview");
    return NULL;
  }
  if (orientation <= 1 || orientation > 8)
    return g_steal_pointer(&mem);
  g_autoptr(VipsImage) upright = _derush_image_orient(mem, orientation, error);
  if (!upright)
    return NULL;
  VipsImage *out = vips_image_copy_memory(upright);
  if (!out)
    _derush_set_vips_error(error, DERUSH_ERROR_FAILED, "cannot turn the embedded preview");
  return out;
}

/**
 * derush_photo_load_preview_fast:
 * @catalog: (nullable): the catalog whose thumbnail cache is read (never
 *   filled here)
 * @photo: the photo (its path, content hash, status, size and orientation)
 * @size: the long edge wanted in pixels, 1 to DERUSH_THUMB_CACHE_SIZE
 * @placeholder: (out) (optional): TRUE when the answer is the embedded
 *   preview (a stand-in: derush_photo_load_preview() gives the real one),
 *   FALSE when it is the cached thumbnail
 * @cancellable: (nullable): checked before the file is read
 * @error: return location for a GError
 *
 * The photo's preview without decoding the photo: the catalog's cached
 * thumbnail when there is one, else the preview the file embeds (a camera
 * JPEG's EXIF thumbnail, read from the file's first 64 KiB; a RAW's
 * smallest preview that reaches @size), shrunk to @size, cropped to the
 * photo's proportions (cameras letterbox 3:2 photos in 4:3 thumbnails) and
 * turned upright. Counts EMBEDDED_PREVIEWS for each embedded preview
 * decoded. Blocking, thread-safe, milliseconds: call it from a worker.
 *
 * Returns: (transfer full): the preview (often smaller than @size), or NULL
 * with @error set: DERUSH_ERROR_NOT_FOUND when neither the cache nor the
 * file has one (then only derush_photo_load_preview() can make it).
 *
 * See also: derush_photo_load_preview()
 */
DerushPreview *
derush_photo_load_preview_fast(DerushCatalog *catalog, const DerushPhoto *photo, int size,
                               gboolean *placeholder, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail(photo != NULL && photo->path != NULL, NULL);
  g_return_val_if_fail(size > 0, NULL);
  if (placeholder)
    *placeholder = FALSE;
  if (photo->status != DERUSH_PHOTO_OK) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                        photo->reason ? photo->reason : derush_photo_status_name(photo->status));
    return NULL;
  }
  if (!_derush_decoders_ensure(error))
    return NULL;
  size = MIN(size, DERUSH_THUMB_CACHE_SIZE);

  const char *cache_dir = catalog ? derush_catalog_get_cache_dir(catalog) : NULL;
  if (cache_dir && photo->content_hash) {
    g_autoptr(VipsImage) cached = _derush_thumb_cache_read(cache_dir, photo->content_hash, size);
    if (cached)
      return _derush_preview_from_image(cached, error);
  }
  if (g_cancellable_set_error_if_cancelled(cancellable, error))
    return NULL;

  g_autoptr(GBytes) bytes = find_embedded(photo->path, size, error);
  if (!bytes)
    return NULL;
  g_autoptr(VipsImage) image = decode_embedded(bytes, photo, size, error);
  _derush_vips_error_clear();
  if (!image)
    return NULL;
  derush_counter_add(DERUSH_COUNTER_EMBEDDED_PREVIEWS, 1);
  if (placeholder)
    *placeholder = TRUE;
  return _derush_preview_from_image(image, error);
}
