/* image/thumb-cache-path.c: where the thumbnail cache keeps a photo's
 * thumbnail. Apart from thumbnail.c because the scan needs the path before
 * it knows whether anything must be decoded: a scan that finds the cached
 * file (derush label of a known photo) never loads the decoders. */
#include "derush-private.h"

/**
 * _derush_thumb_cache_path:
 * @cache_dir: the cache root (derush_catalog_get_cache_dir()).
 * @hash: the photo's content hash.
 *
 * Fans the cache out over 256 folders so none grows to 100k entries.
 *
 * Returns: (transfer full): "<cache_dir>/thumbs/<2 hex>/<16 hex>.jpg".
 */
char *
_derush_thumb_cache_path(const char *cache_dir, guint64 hash)
{
  g_return_val_if_fail(cache_dir != NULL, NULL);
  char hex[17];
  g_snprintf(hex, sizeof hex, "%016" G_GINT64_MODIFIER "x", hash);
  char fan[3] = {hex[0], hex[1], '\0'};
  g_autofree char *leaf = g_strconcat(hex, ".jpg", NULL);
  return g_build_filename(cache_dir, "thumbs", fan, leaf, NULL);
}
