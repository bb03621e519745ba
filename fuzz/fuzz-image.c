/* fuzz/fuzz-image.c: the decode path with derush's own limits: header,
 * pixel limit, one shrink-on-load decode to a DERUSH_THUMB_CACHE_SIZE
 * thumbnail (what scan and analyze do), libraw for RAW names.
 *
 * The file name routes RAW files to libraw before libvips, so it is part of
 * the input: an odd last byte names the bytes .nef (libraw first, then
 * libvips when libraw refuses), an even one .jpg (libvips only; the loader
 * is chosen by content either way). The byte before it is the EXIF
 * orientation handed in, which only RAW previews use. */
#include "fuzz.h"
#include "derush-private.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init((*argv)[0]);
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *name = size > 0 && (data[size - 1] & 1) ? "fuzz.nef" : "fuzz.jpg";
  int orientation = size > 1 ? data[size - 2] % 9 : 1;
  DerushImageInfo info;
  VipsImage *thumb = NULL;
  GError *error = NULL;
  if (_derush_image_load(data, size, name, orientation, DERUSH_THUMB_CACHE_SIZE, &info, &thumb,
                         &error)) {
    /* What every caller relies on (derush-private.h). */
    g_assert_nonnull(thumb);
    g_assert_cmpint(info.width, >, 0);
    g_assert_cmpint(info.height, >, 0);
    g_assert_true((gint64)info.width * info.height <= DERUSH_PIXEL_LIMIT);
    g_assert_cmpint(vips_image_get_bands(thumb), ==, 3);
    g_assert_cmpint(vips_image_get_format(thumb), ==, VIPS_FORMAT_UCHAR);
    g_assert_cmpint(MAX(vips_image_get_width(thumb), vips_image_get_height(thumb)), <=,
                    DERUSH_THUMB_CACHE_SIZE);
    g_object_unref(thumb);
  } else {
    g_assert_null(thumb);
    g_assert_true(error && error->domain == DERUSH_ERROR);
    g_error_free(error);
  }
  vips_error_clear();
  return 0;
}
