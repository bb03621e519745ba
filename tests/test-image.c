/* test-image.c: decoding, orientation, formats and bad input (src/image/);
 * RAW files and the corpus are test-image-corpus.c's, the thumbnail cache
 * test-image-cache.c's.
 *
 * Orientation is checked by pixels: a quadrant image (red, green, blue,
 * white from top-left to bottom-right) is tagged with each EXIF orientation
 * and the thumbnail's quadrant centres must show what the EXIF spec's "0th
 * row / 0th column" table says, computed here independently of the code
 * under test (image-test-util.c). */
#include "image-test-util.h"

/* -------------------------------------------------------- orientation */

static void
test_expected_table(void)
{
  /* The table above against what everyone knows: 6 is "rotate 90 CW". */
  char out[5];
  expected_display("RGBW", 1, out);
  g_assert_cmpstr(out, ==, "RGBW");
  expected_display("RGBW", 3, out);
  g_assert_cmpstr(out, ==, "WBGR");
  expected_display("RGBW", 6, out);
  g_assert_cmpstr(out, ==, "BRWG");
  expected_display("RGBW", 8, out);
  g_assert_cmpstr(out, ==, "GWRB");
  expected_display("RGBW", 2, out);
  g_assert_cmpstr(out, ==, "GRWB");
}

/* Each orientation of a @w x @h quadrant JPEG, thumbnailed at @size. */
static void
check_orientation_jpeg(int w, int h, int size)
{
  g_autofree char *dir = test_make_tmpdir();
  for (int k = 1; k <= 8; k++) {
    g_autofree char *name = g_strdup_printf("o%d.jpg", k);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    test_make_quadrant_image(path, w, h);
    set_orientation(path, k);

    DerushImageInfo info;
    g_autoptr(VipsImage) thumb = NULL;
    g_autoptr(GError) error = NULL;
    /* The @orientation argument is for RAW previews only: pass a wrong one
     * to prove JPEGs take theirs from the data. */
    g_assert_true(load_path(path, NULL, 1 + (k % 8), size, &info, &thumb, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(info.format, ==, "jpeg");
    g_assert_cmpstr(info.raw_format, ==, "");
    gboolean swapped = k >= 5;
    g_assert_cmpint(info.width, ==, swapped ? h : w);
    g_assert_cmpint(info.height, ==, swapped ? w : h);
    assert_thumb_ok(thumb, size);
    double scale = (double)size / MAX(w, h);
    g_assert_cmpint(thumb->Xsize, ==, (int)lround(scale * (swapped ? h : w)));
    g_assert_cmpint(thumb->Ysize, ==, (int)lround(scale * (swapped ? w : h)));

    char want[5], got[5];
    expected_display("RGBW", k, want);
    quadrant_colours(thumb, got);
    g_test_message("orientation %d: want %s got %s", k, want, got);
    g_assert_cmpstr(got, ==, want);
  }
  test_rmrf(dir);
}

static void
test_orientation_jpeg(void)
{
  check_orientation_jpeg(320, 200, 100);
}

/* At the cache's size a turn needs more rows than libvips's sequential
 * line cache holds: the decode must finish before the turn (orientations
 * 3-8 failed with "out of order read" until it did). */
static void
test_orientation_jpeg_cache_size(void)
{
  check_orientation_jpeg(450, 600, DERUSH_THUMB_CACHE_SIZE);
}

static void
test_orientation_in_memory(void)
{
  /* The path RAW previews take: the orientation applied by derush itself. */
  g_autoptr(VipsImage) stored = make_quadrants(64, 40, white);
  for (int k = 1; k <= 8; k++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VipsImage) lazy = _derush_image_orient(stored, k, &error);
    g_assert_no_error(error);
    g_autoptr(VipsImage) upright = vips_image_copy_memory(lazy);
    g_assert_nonnull(upright);
    g_assert_cmpint(upright->Xsize, ==, k >= 5 ? 40 : 64);
    g_assert_cmpint(upright->Ysize, ==, k >= 5 ? 64 : 40);
    char want[5], got[5];
    expected_display("RGBW", k, want);
    quadrant_colours(upright, got);
    g_assert_cmpstr(got, ==, want);
  }
}

/* ------------------------------------------------------------ formats */

typedef struct {
  const char *file;
  const char *format;
  const char *want; /* displayed quadrants */
} FormatCase;

/* Writes @img to @path with vips; FALSE when this libvips cannot. */
static gboolean
save_or_skip(VipsImage *img, const char *path, const char *what)
{
  if (vips_image_write_to_file(img, path, NULL) != 0) {
    g_autofree char *msg = g_strdup_printf("%s: cannot write here: %s", what, vips_error_buffer());
    vips_error_clear();
    g_test_skip(msg);
    return FALSE;
  }
  return TRUE;
}

static void
check_format_file(const char *path, const char *format, const char *want, int w, int h)
{
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(load_path(path, NULL, 1, 96, &info, &thumb, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(info.format, ==, format);
  g_assert_cmpint(info.width, ==, w);
  g_assert_cmpint(info.height, ==, h);
  assert_thumb_ok(thumb, 96);
  g_assert_cmpint(MAX(thumb->Xsize, thumb->Ysize), ==, 96);
  char got[5];
  quadrant_colours(thumb, got);
  g_test_message("%s: want %s got %s", path, want, got);
  g_assert_cmpstr(got, ==, want);
}

static void
test_format_simple(gconstpointer data)
{
  const FormatCase *c = data;
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, c->file, NULL);
  g_autoptr(VipsImage) img = make_quadrants(160, 120, white);
  if (save_or_skip(img, path, c->file))
    check_format_file(path, c->format, c->want, 160, 120);
  test_rmrf(dir);
}

static void
test_format_heif(gconstpointer data)
{
  gboolean av1 = GPOINTER_TO_INT(data);
  if (!vips_type_find("VipsOperation", "heifsave")) {
    g_test_skip("no heifsave in this libvips");
    return;
  }
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, av1 ? "q.avif" : "q.heic", NULL);
  g_autoptr(VipsImage) img = make_quadrants(160, 120, white);
  if (vips_heifsave(img, path, "compression",
                    av1 ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1 : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                    NULL) != 0) {
    vips_error_clear();
    g_test_skip(av1 ? "no AV1 encoder for heifsave" : "no HEVC encoder for heifsave");
  } else {
    check_format_file(path, av1 ? "avif" : "heif", "RGBW", 160, 120);
  }
  test_rmrf(dir);
}

/* 16 bits with a mid-grey quadrant: 128*257 must come out as 128 (scaled),
 * not 255 (clipped). */
static void
test_format_16bit(gconstpointer data)
{
  const char *ext = data;
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *name = g_strconcat("q16.", ext, NULL);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(VipsImage) img8 = make_quadrants(160, 120, grey);
  g_autoptr(VipsImage) scaled = NULL, img16 = NULL;
  g_assert_cmpint(vips_linear1(img8, &scaled, 257.0, 0.0, NULL), ==, 0);
  g_assert_cmpint(vips_cast(scaled, &img16, VIPS_FORMAT_USHORT, NULL), ==, 0);
  g_autoptr(VipsImage) typed = NULL;
  g_assert_cmpint(vips_copy(img16, &typed, "interpretation", VIPS_INTERPRETATION_RGB16, NULL), ==,
                  0);
  g_assert_cmpint(vips_image_write_to_file(typed, path, NULL), ==, 0);

  /* Make sure the file really holds 16-bit samples. */
  g_autoptr(VipsImage) back = vips_image_new_from_file(path, NULL);
  g_assert_nonnull(back);
  g_assert_cmpint(back->BandFmt, ==, VIPS_FORMAT_USHORT);

  check_format_file(path, strcmp(ext, "png") == 0 ? "png" : "tiff", "RGBX", 160, 120);
  test_rmrf(dir);
}

static void
test_format_grey_jpeg(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, "grey.jpg", NULL);
  g_autoptr(VipsImage) img = make_quadrants(160, 120, white);
  g_autoptr(VipsImage) bw = NULL;
  g_assert_cmpint(vips_colourspace(img, &bw, VIPS_INTERPRETATION_B_W, NULL), ==, 0);
  g_assert_cmpint(bw->Bands, ==, 1);
  g_assert_cmpint(vips_image_write_to_file(bw, path, NULL), ==, 0);

  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(load_path(path, NULL, 1, 96, &info, &thumb, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(info.format, ==, "jpeg");
  assert_thumb_ok(thumb, 96);
  /* Grey in three equal bands, luminance order white > green > red > blue. */
  double lum[4];
  int xs[4] = {24, 72, 24, 72}, ys[4] = {16, 16, 56, 56};
  for (int i = 0; i < 4; i++) {
    double *v = NULL;
    int n = 0;
    g_assert_cmpint(vips_getpoint(thumb, &v, &n, xs[i], ys[i], NULL), ==, 0);
    g_assert_cmpfloat(fabs(v[0] - v[1]), <, 8);
    g_assert_cmpfloat(fabs(v[1] - v[2]), <, 8);
    g_test_message("grey %d: %.0f %.0f %.0f", i, v[0], v[1], v[2]);
    lum[i] = v[0];
    g_free(v);
  }
  g_assert_cmpfloat(lum[3], >, lum[1] + 20);
  g_assert_cmpfloat(lum[1], >, lum[0] + 20);
  g_assert_cmpfloat(lum[0], >, lum[2] + 20);
  test_rmrf(dir);
}

static void
test_format_cmyk(gconstpointer data)
{
  gboolean with_profile = GPOINTER_TO_INT(data);
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, "cmyk.jpg", NULL);

  if (with_profile) {
    /* libvips: CMYK quadrants (in gamut, unlike sRGB's pure green) with
     * the CMYK profile embedded. */
    g_autoptr(VipsImage) cmyk = NULL, typed = NULL;
    g_autoptr(VipsImage) black = NULL;
    g_assert_cmpint(vips_black(&black, 80, 60, "bands", 4, NULL), ==, 0);
    const double inks[4][4] = {{0, 255, 255, 0}, {255, 0, 255, 0}, {255, 255, 0, 0}, {0, 0, 0, 0}};
    VipsImage *tiles[4];
    for (int i = 0; i < 4; i++) {
      double a[4] = {1, 1, 1, 1};
      g_assert_cmpint(vips_linear(black, &tiles[i], a, (double *)inks[i], 4, "uchar", TRUE, NULL),
                      ==, 0);
    }
    g_assert_cmpint(vips_arrayjoin(tiles, &cmyk, 4, "across", 2, NULL), ==, 0);
    for (int i = 0; i < 4; i++)
      g_object_unref(tiles[i]);
    g_assert_cmpint(vips_copy(cmyk, &typed, "interpretation", VIPS_INTERPRETATION_CMYK, NULL), ==,
                    0);
    g_assert_cmpint(vips_jpegsave(typed, path, "profile", "cmyk", NULL), ==, 0);
    g_autoptr(VipsImage) back = vips_image_new_from_file(path, NULL);
    g_assert_nonnull(back);
    g_assert_true(vips_image_get_typeof(back, VIPS_META_ICC_NAME) != 0);
  } else {
    /* ImageMagick: plain (Adobe-inverted) CMYK, no profile at all. */
    g_autofree char *convert = g_find_program_in_path("convert");
    if (!convert) {
      g_test_skip("ImageMagick convert not installed");
      test_rmrf(dir);
      return;
    }
    g_autofree char *rgb = g_build_filename(dir, "rgb.png", NULL);
    g_autoptr(VipsImage) img = make_quadrants(160, 120, white);
    g_assert_cmpint(vips_image_write_to_file(img, rgb, NULL), ==, 0);
    const char *argv[] = {convert, rgb, "-colorspace", "CMYK", "-strip", path, NULL};
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_autoptr(VipsImage) back = vips_image_new_from_file(path, NULL);
    g_assert_nonnull(back);
    g_assert_false(vips_image_get_typeof(back, VIPS_META_ICC_NAME) != 0);
  }
  g_autoptr(VipsImage) back = vips_image_new_from_file(path, NULL);
  g_assert_nonnull(back);
  g_assert_cmpint(back->Bands, ==, 4);
  g_assert_cmpint(back->Type, ==, VIPS_INTERPRETATION_CMYK);

  check_format_file(path, "jpeg", "RGBW", 160, 120);
  test_rmrf(dir);
}

static void
test_format_alpha(void)
{
  /* Opaque quadrants, plus a fully transparent bottom-right: flattened on
   * neutral grey, not on black. */
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, "alpha.png", NULL);
  g_autoptr(VipsImage) img = make_quadrants(160, 120, white);
  g_autoptr(VipsImage) alpha = NULL, rgba = NULL;
  /* alpha = 255 except where the pixel is white (the BR quadrant). */
  g_autoptr(VipsImage) r = NULL, g = NULL, b = NULL, rg = NULL, rgb_min = NULL;
  g_assert_cmpint(vips_extract_band(img, &r, 0, NULL), ==, 0);
  g_assert_cmpint(vips_extract_band(img, &b, 2, NULL), ==, 0);
  g_assert_cmpint(vips_extract_band(img, &g, 1, NULL), ==, 0);
  g_assert_cmpint(vips_andimage(r, g, &rg, NULL), ==, 0);
  g_assert_cmpint(vips_andimage(rg, b, &rgb_min, NULL), ==, 0);
  g_autoptr(VipsImage) inv = NULL, inv8 = NULL;
  g_assert_cmpint(vips_linear1(rgb_min, &inv, -1.0, 255.0, NULL), ==, 0);
  g_assert_cmpint(vips_cast_uchar(inv, &inv8, NULL), ==, 0);
  g_assert_cmpint(vips_bandjoin2(img, inv8, &rgba, NULL), ==, 0);
  g_assert_cmpint(rgba->Bands, ==, 4);
  g_assert_cmpint(vips_image_write_to_file(rgba, path, NULL), ==, 0);
  check_format_file(path, "png", "RGBX", 160, 120);

  /* Grey + alpha as well. */
  g_autofree char *path2 = g_build_filename(dir, "ga.png", NULL);
  g_autoptr(VipsImage) ga = NULL;
  g_assert_cmpint(vips_bandjoin2(r, inv8, &ga, NULL), ==, 0);
  g_assert_cmpint(vips_copy(ga, &alpha, "interpretation", VIPS_INTERPRETATION_B_W, NULL), ==, 0);
  g_assert_cmpint(vips_image_write_to_file(alpha, path2, NULL), ==, 0);
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(load_path(path2, NULL, 1, 96, &info, &thumb, &error));
  g_assert_no_error(error);
  assert_thumb_ok(thumb, 96);
  test_rmrf(dir);
}

/* ---------------------------------------------------------- bad input */

static void
assert_fails(const guint8 *data, gsize len, const char *name, int code1, int code2)
{
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false(_derush_image_load(data, len, name, 1, 128, &info, &thumb, &error));
  g_assert_nonnull(error);
  g_assert_null(thumb);
  g_test_message("%s: %s", name, error->message);
  g_assert_true(error->domain == DERUSH_ERROR);
  g_assert_true(error->code == code1 || error->code == code2);
  g_assert_cmpstr(error->message, !=, "");
}

static void
test_bad_empty_random_text(void)
{
  guint8 empty[1] = {0};
  assert_fails(empty, 0, "empty.jpg", DERUSH_ERROR_CORRUPT, DERUSH_ERROR_CORRUPT);
  assert_fails(NULL, 0, "empty.png", DERUSH_ERROR_CORRUPT, DERUSH_ERROR_CORRUPT);
  assert_fails(empty, 0, "empty.nef", DERUSH_ERROR_CORRUPT, DERUSH_ERROR_CORRUPT);

  GRand *rand = g_rand_new_with_seed(42);
  guint8 noise[4096];
  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = (guint8)g_rand_int_range(rand, 0, 256);
  g_rand_free(rand);
  assert_fails(noise, sizeof noise, "noise.jpg", DERUSH_ERROR_CORRUPT, DERUSH_ERROR_UNSUPPORTED);
  assert_fails(noise, sizeof noise, "noise.cr2", DERUSH_ERROR_CORRUPT, DERUSH_ERROR_UNSUPPORTED);

  const char *text = "This is not a photo.\nJust some text in a file named .jpg\n";
  assert_fails((const guint8 *)text, strlen(text), "text.jpg", DERUSH_ERROR_CORRUPT,
               DERUSH_ERROR_UNSUPPORTED);
  assert_fails((const guint8 *)text, strlen(text), "text.txt", DERUSH_ERROR_UNSUPPORTED,
               DERUSH_ERROR_UNSUPPORTED);

  /* JPEG magic and nothing else. */
  const guint8 soi[] = {0xff, 0xd8, 0xff, 0xe0, 0x00};
  assert_fails(soi, sizeof soi, "soi.jpg", DERUSH_ERROR_CORRUPT, DERUSH_ERROR_UNSUPPORTED);
}

static void
test_bad_truncated(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, "noise.jpg", NULL);
  /* Noise, so the entropy-coded data is most of the file. */
  g_autoptr(VipsImage) noise = NULL, noise8 = NULL, rgb = NULL;
  g_assert_cmpint(vips_gaussnoise(&noise, 640, 480, "mean", 128.0, "sigma", 60.0, NULL), ==, 0);
  g_assert_cmpint(vips_cast_uchar(noise, &noise8, NULL), ==, 0);
  VipsImage *three[3] = {noise8, noise8, noise8};
  g_assert_cmpint(vips_bandjoin(three, &rgb, 3, NULL), ==, 0);
  g_assert_cmpint(vips_image_write_to_file(rgb, path, NULL), ==, 0);

  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  g_assert_cmpuint(len, >, 10000);

  /* Whole: fine. */
  DerushImageInfo info;
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) whole = NULL;
  g_assert_true(_derush_image_load((guint8 *)data, len, "noise.jpg", 1, 64, &info, &whole, &error));
  g_assert_no_error(error);

  /* Half: the header still reads (header-only succeeds), pixels do not. */
  g_assert_true(
      _derush_image_load((guint8 *)data, len / 2, "noise.jpg", 1, 0, &info, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpint(info.width, ==, 640);
  gint64 decoded = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  g_autoptr(VipsImage) thumb = NULL;
  g_assert_false(
      _derush_image_load((guint8 *)data, len / 2, "noise.jpg", 1, 64, &info, &thumb, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
  g_test_message("truncated: %s", error->message);
  g_assert_null(thumb);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, decoded + 1);
  /* The vips error buffer is left clean for the next file. */
  g_assert_cmpstr(vips_error_buffer(), ==, "");
  test_rmrf(dir);
}

/* A PNG chunk: length, type, data, CRC over type and data. */
static void
png_chunk(GByteArray *out, const char *type, const guint8 *data, guint32 len)
{
  guint8 be[4] = {len >> 24, len >> 16, len >> 8, len};
  g_byte_array_append(out, be, 4);
  gsize start = out->len;
  g_byte_array_append(out, (const guint8 *)type, 4);
  if (len)
    g_byte_array_append(out, data, len);
  guint32 crc = 0xffffffffu;
  for (gsize i = start; i < out->len; i++) {
    crc ^= out->data[i];
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xffffffffu;
  guint8 c[4] = {crc >> 24, crc >> 16, crc >> 8, crc};
  g_byte_array_append(out, c, 4);
}

static void
test_bad_bomb(void)
{
  g_autoptr(GByteArray) png = g_byte_array_new();
  const guint8 sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  g_byte_array_append(png, sig, 8);
  const guint32 side = 50000;
  guint8 ihdr[13] = {side >> 24, side >> 16,  side >> 8, side & 0xff, side >> 24, side >> 16,
                     side >> 8,  side & 0xff, 8,         2,           0,          0,
                     0};
  png_chunk(png, "IHDR", ihdr, 13);
  /* A stored (uncompressed) zlib stream of a few bytes: far too little
   * data, which only a decode would notice. */
  const guint8 idat[] = {0x78, 0x01, 0x01, 0x01, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x01, 0x00, 0x01};
  png_chunk(png, "IDAT", idat, sizeof idat);
  png_chunk(png, "IEND", NULL, 0);

  gint64 decoded = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  gint64 headers = derush_counter_get(DERUSH_COUNTER_HEADERS_READ);
  gint64 t0 = g_get_monotonic_time();
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false(
      _derush_image_load(png->data, png->len, "bomb.png", 1, 256, &info, &thumb, &error));
  gint64 elapsed = g_get_monotonic_time() - t0;
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_TOO_LARGE);
  g_test_message("bomb: %s (%" G_GINT64_FORMAT " us)", error->message, elapsed);
  g_assert_null(thumb);
  g_assert_cmpint(elapsed, <, 200 * 1000);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, decoded);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_HEADERS_READ), ==, headers + 1);
}

static void
test_tiny_and_panorama(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *one = g_build_filename(dir, "one.png", NULL);
  test_make_quadrant_image(one, 1, 1);
  DerushImageInfo info;
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) thumb = NULL;
  g_assert_true(load_path(one, NULL, 1, 256, &info, &thumb, &error));
  g_assert_no_error(error);
  g_assert_cmpint(info.width, ==, 1);
  g_assert_cmpint(info.height, ==, 1);
  assert_thumb_ok(thumb, 256);
  /* Never upscaled. */
  g_assert_cmpint(thumb->Xsize, ==, 1);
  g_assert_cmpint(thumb->Ysize, ==, 1);
  g_clear_object(&thumb);

  /* 30000x2000, built lazily from four constant quadrants. */
  g_autofree char *pano = g_build_filename(dir, "pano.jpg", NULL);
  const double colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
  VipsImage *tiles[4];
  for (int i = 0; i < 4; i++) {
    g_autoptr(VipsImage) black = NULL, lin = NULL;
    double a[3] = {1, 1, 1};
    g_assert_cmpint(vips_black(&black, 15000, 1000, "bands", 3, NULL), ==, 0);
    g_assert_cmpint(vips_linear(black, &lin, a, (double *)colours[i], 3, "uchar", TRUE, NULL), ==,
                    0);
    tiles[i] = g_steal_pointer(&lin);
  }
  g_autoptr(VipsImage) joined = NULL;
  g_assert_cmpint(vips_arrayjoin(tiles, &joined, 4, "across", 2, NULL), ==, 0);
  for (int i = 0; i < 4; i++)
    g_object_unref(tiles[i]);
  g_assert_cmpint(vips_image_write_to_file(joined, pano, NULL), ==, 0);

  g_assert_true(load_path(pano, NULL, 1, 512, &info, &thumb, &error));
  g_assert_no_error(error);
  g_assert_cmpint(info.width, ==, 30000);
  g_assert_cmpint(info.height, ==, 2000);
  assert_thumb_ok(thumb, 512);
  g_assert_cmpint(thumb->Xsize, ==, 512);
  g_assert_cmpint(thumb->Ysize, >=, 33);
  g_assert_cmpint(thumb->Ysize, <=, 35);
  char got[5];
  quadrant_colours(thumb, got);
  g_assert_cmpstr(got, ==, "RGBW");
  test_rmrf(dir);
}

int
main(int argc, char **argv)
{
  image_test_init(&argc, &argv);

  g_test_add_func("/image/orientation/expected-table", test_expected_table);
  g_test_add_func("/image/orientation/jpeg-exif", test_orientation_jpeg);
  g_test_add_func("/image/orientation/jpeg-exif-cache-size", test_orientation_jpeg_cache_size);
  g_test_add_func("/image/orientation/in-memory", test_orientation_in_memory);

  static const FormatCase simple[] = {
      {"q.jpg", "jpeg", "RGBW"},  {"q.png", "png", "RGBW"}, {"q.tif", "tiff", "RGBW"},
      {"q.webp", "webp", "RGBW"}, {"q.gif", "gif", "RGBW"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(simple); i++) {
    g_autofree char *p = g_strconcat("/image/format/", simple[i].format, NULL);
    g_test_add_data_func(p, &simple[i], test_format_simple);
  }
  g_test_add_data_func("/image/format/tiff-16bit", "tif", test_format_16bit);
  g_test_add_data_func("/image/format/png-16bit", "png", test_format_16bit);
  g_test_add_data_func("/image/format/heif", GINT_TO_POINTER(FALSE), test_format_heif);
  g_test_add_data_func("/image/format/avif", GINT_TO_POINTER(TRUE), test_format_heif);
  g_test_add_func("/image/format/grey-jpeg", test_format_grey_jpeg);
  g_test_add_data_func("/image/format/cmyk-jpeg-profile", GINT_TO_POINTER(TRUE), test_format_cmyk);
  g_test_add_data_func("/image/format/cmyk-jpeg-bare", GINT_TO_POINTER(FALSE), test_format_cmyk);
  g_test_add_func("/image/format/alpha", test_format_alpha);

  g_test_add_func("/image/bad/empty-random-text", test_bad_empty_random_text);
  g_test_add_func("/image/bad/truncated", test_bad_truncated);
  g_test_add_func("/image/bad/bomb", test_bad_bomb);
  g_test_add_func("/image/size/tiny-and-panorama", test_tiny_and_panorama);
  return g_test_run();
}
