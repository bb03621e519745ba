/* meta/embedded-preview.c: the small previews cameras embed in their files.
 *
 * A camera JPEG carries a 160x120 JPEG in its EXIF block (IFD1), a RAW one
 * or more previews in its TIFF structure. exiv2's preview manager lists
 * both kinds; the smallest one that still fills a grid cell is what an app
 * shows while the photo's real thumbnail is being decoded (as Photo
 * Mechanic does). */
#include "derush-private.h"
#include <gexiv2/gexiv2.h>

/* The preview to take: the smallest whose long edge reaches @min_edge, else
 * the largest (a RAW whose only preview is small). NULL when there is none. */
static GExiv2PreviewProperties *
pick_preview(GExiv2PreviewProperties **props, int min_edge)
{
  GExiv2PreviewProperties *best = NULL;
  guint best_edge = 0;
  for (gsize i = 0; props && props[i]; i++) {
    guint edge = MAX(gexiv2_preview_properties_get_width(props[i]),
                     gexiv2_preview_properties_get_height(props[i]));
    if (edge == 0)
      continue;
    gboolean fits = edge >= (guint)min_edge, best_fits = best_edge >= (guint)min_edge;
    if (!best || (fits && (!best_fits || edge < best_edge)) ||
        (!fits && !best_fits && edge > best_edge)) {
      best = props[i];
      best_edge = edge;
    }
  }
  return best;
}

/**
 * _derush_meta_embedded_preview:
 * @data, @len: the file, or its beginning (a JPEG's EXIF block lives in its
 *   first 64 KiB).
 * @min_edge: the long edge wanted, in pixels.
 * @error: return location for a GError.
 *
 * The encoded bytes (JPEG or TIFF) of the smallest preview embedded in the
 * file whose long edge reaches @min_edge, else of the largest one. Holds
 * the exiv2 lock. Counts nothing: the caller decodes and counts.
 *
 * Returns: (transfer full): the bytes, or NULL with @error set
 *   (DERUSH_ERROR_NOT_FOUND when the file embeds no preview).
 */
GBytes *
_derush_meta_embedded_preview(const guint8 *data, gsize len, int min_edge, GError **error)
{
  g_return_val_if_fail(data != NULL || len == 0, NULL);
  if (len == 0 || len > G_MAXLONG) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "no embedded preview");
    return NULL;
  }

  GBytes *bytes = NULL;
  g_autoptr(GError) local = NULL;
  _derush_exiv2_lock();
  GExiv2Metadata *md = gexiv2_metadata_new();
  if (gexiv2_metadata_open_buf(md, data, (glong)len, &local)) {
    GExiv2PreviewProperties **props = gexiv2_metadata_get_preview_properties(md);
    GExiv2PreviewProperties *pick = pick_preview(props, min_edge);
    GExiv2PreviewImage *image = pick ? gexiv2_metadata_try_get_preview_image(md, pick, NULL) : NULL;
    if (image) {
      guint32 size = 0;
      const guint8 *bits = gexiv2_preview_image_get_data(image, &size);
      if (bits && size > 0)
        bytes = g_bytes_new(bits, size);
      g_object_unref(image);
    }
  }
  g_object_unref(md);
  _derush_exiv2_unlock();

  if (!bytes)
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, "no embedded preview%s%s",
                local ? ": " : "", local ? local->message : "");
  return bytes;
}
