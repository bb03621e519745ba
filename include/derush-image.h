/* derush-image.h: thumbnails and photo file names (part of the public API; include derush.h). */
#ifndef DERUSH_IMAGE_H
#define DERUSH_IMAGE_H

#include "derush-catalog.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------ thumbnails */

/* Long edge, in pixels, of the thumbnails kept in the cache. Larger requests
 * decode the original again. */
#define DERUSH_THUMB_CACHE_SIZE 512

gboolean derush_thumbnail_save(DerushCatalog *catalog, const char *path, int size,
                               const char *out_path, GError **error);

/* A photo's pixels: upright, sRGB, 8 bits per channel, RGB (3 bytes a
 * pixel), rows @stride bytes apart. */
typedef struct {
  int width, height;
  gsize stride;
  GBytes *pixels;
} DerushPreview;

void derush_preview_free(DerushPreview *preview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushPreview, derush_preview_free)

DerushPreview *derush_photo_load_preview(DerushCatalog *catalog, const DerushPhoto *photo, int size,
                                         GCancellable *cancellable, GError **error);
void derush_photo_load_preview_async(DerushCatalog *catalog, const DerushPhoto *photo, int size,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
DerushPreview *derush_photo_load_preview_finish(GAsyncResult *result, GError **error);

/* The cached thumbnail, else the preview the file embeds (EXIF thumbnail,
 * RAW preview) as a placeholder: never decodes the photo. */
DerushPreview *derush_photo_load_preview_fast(DerushCatalog *catalog, const DerushPhoto *photo,
                                              int size, gboolean *placeholder,
                                              GCancellable *cancellable, GError **error);

/* ----------------------------------------------------------------- files */

gboolean derush_is_photo_name(const char *name);
gboolean derush_is_raw_name(const char *name);

G_END_DECLS

#endif /* DERUSH_IMAGE_H */
