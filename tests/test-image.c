/* test-image.c: decoding, orientation, formats, bad input and the thumbnail
 * cache (src/image/).
 *
 * Orientation is checked by pixels: a quadrant image (red, green, blue,
 * white from top-left to bottom-right) is tagged with each EXIF orientation
 * and the thumbnail's quadrant centres must show what the EXIF spec's "0th
 * row / 0th column" table says, computed here independently of the code
 * under test. */
#include "test-util.h"
#include <gexiv2/gexiv2.h>

/* ------------------------------------------------------------ helpers */

/* Classifies a pixel: R, G, B, W (white), X (mid grey), K (black) or ?.
 * Lenient (a CMYK round trip turns pure red into 237,28,36). */
static char
classify(const double *p)
{
  double r = p[0], g = p[1], b = p[2];
  if (r > 200 && g > 200 && b > 200)
    return 'W';
  if (r < 40 && g < 40 && b < 40)
    return 'K';
  if (fabs(r - g) < 25 && fabs(g - b) < 25 && fabs(r - b) < 25 && r > 90 && r < 170)
    return 'X';
  if (r > g + 60 && r > b + 60)
    return 'R';
  if (g > r + 60 && g > b + 60)
    return 'G';
  if (b > r + 60 && b > g + 60)
    return 'B';
  return '?';
}

/* The colours at the centres of the four quadrants: TL, TR, BL, BR. */
static void
quadrant_colours(VipsImage *image, char out[5])
{
  int w = image->Xsize, h = image->Ysize;
  int xs[4] = {w / 4, 3 * w / 4, w / 4, 3 * w / 4};
  int ys[4] = {h / 4, h / 4, 3 * h / 4, 3 * h / 4};
  for (int i = 0; i < 4; i++) {
    double *v = NULL;
    int n = 0;
    g_assert_cmpint(vips_getpoint(image, &v, &n, xs[i], ys[i], NULL), ==, 0);
    g_assert_cmpint(n, >=, 3);
    out[i] = classify(v);
    if (out[i] == '?')
      g_test_message("unclassified pixel %d,%d: %.0f %.0f %.0f", xs[i], ys[i], v[0], v[1], v[2]);
    g_free(v);
  }
  out[4] = '\0';
}

/* The sides of the displayed picture that the stored 0th row and 0th
 * column lie on, for EXIF orientation 1-8 (EXIF 2.3, tag 0x0112). */
static const char exif_row0_col0[9][2] = {
    {0, 0},     {'T', 'L'}, {'T', 'R'}, {'B', 'R'}, {'B', 'L'},
    {'L', 'T'}, {'R', 'T'}, {'R', 'B'}, {'L', 'B'},
};

static char
opposite(char side)
{
  switch (side) {
  case 'T':
    return 'B';
  case 'B':
    return 'T';
  case 'L':
    return 'R';
  default:
    return 'L';
  }
}

/* Where stored quadrants @stored (TL TR BL BR) appear once displayed with
 * EXIF @orientation. */
static void
expected_display(const char *stored, int orientation, char out[5])
{
  char row0 = exif_row0_col0[orientation][0], col0 = exif_row0_col0[orientation][1];
  for (int i = 0; i < 4; i++) {
    gboolean first_row = i < 2, first_col = i % 2 == 0;
    char a = first_row ? row0 : opposite(row0);
    char b = first_col ? col0 : opposite(col0);
    char vert = (a == 'T' || a == 'B') ? a : b;
    char horiz = (a == 'L' || a == 'R') ? a : b;
    int slot = (vert == 'B' ? 2 : 0) + (horiz == 'R' ? 1 : 0);
    out[slot] = stored[i];
  }
  out[4] = '\0';
}

/* A W x H uchar sRGB image: red, green, blue quadrants and @br bottom-right. */
static VipsImage *
make_quadrants(int width, int height, const guint8 br[3])
{
  g_autofree guint8 *px = g_malloc((gsize)width * height * 3);
  const guint8 colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {br[0], br[1], br[2]}};
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      const guint8 *c = colours[(y >= height / 2 ? 2 : 0) + (x >= width / 2 ? 1 : 0)];
      memcpy(px + ((gsize)y * width + x) * 3, c, 3);
    }
  g_autoptr(VipsImage) img = vips_image_new_from_memory_copy(px, (gsize)width * height * 3, width,
                                                             height, 3, VIPS_FORMAT_UCHAR);
  g_assert_nonnull(img);
  VipsImage *srgb = NULL;
  g_assert_cmpint(vips_copy(img, &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, NULL), ==, 0);
  return srgb;
}

static const guint8 white[3] = {255, 255, 255};
static const guint8 grey[3] = {128, 128, 128};

/* Runs _derush_image_load on a file's bytes, as the scanner would. */
static gboolean
load_path(const char *path, const char *name, int orientation, int size, DerushImageInfo *info,
          VipsImage **thumb, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  return _derush_image_load((const guint8 *)data, len, name ? name : path, orientation, size, info,
                            thumb, error);
}

/* What every thumbnail must be. */
static void
assert_thumb_ok(VipsImage *thumb, int size)
{
  g_assert_nonnull(thumb);
  g_assert_cmpint(thumb->Bands, ==, 3);
  g_assert_cmpint(thumb->BandFmt, ==, VIPS_FORMAT_UCHAR);
  g_assert_cmpint(thumb->Type, ==, VIPS_INTERPRETATION_sRGB);
  g_assert_cmpint(MAX(thumb->Xsize, thumb->Ysize), <=, size);
  g_assert_cmpint(MIN(thumb->Xsize, thumb->Ysize), >=, 1);
  /* In memory: readable twice. */
  double a = 0, b = 0;
  g_assert_cmpint(vips_avg(thumb, &a, NULL), ==, 0);
  g_assert_cmpint(vips_avg(thumb, &b, NULL), ==, 0);
  g_assert_cmpfloat(a, ==, b);
}

static void
set_orientation(const char *path, int orientation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GExiv2Metadata) md = gexiv2_metadata_new();
  g_assert_true(gexiv2_metadata_open_path(md, path, &error));
  g_assert_no_error(error);
  g_assert_true(
      gexiv2_metadata_try_set_tag_long(md, "Exif.Image.Orientation", orientation, &error));
  g_assert_no_error(error);
  g_assert_true(gexiv2_metadata_save_file(md, path, &error));
  g_assert_no_error(error);
}

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

/* ---------------------------------------------------------------- RAW */

static void
test_raw_corpus_orientation(void)
{
  g_autofree char *dng = test_shared_path("corpus/raw/canon_eos_6d.dng");
  if (!dng) {
    g_test_skip("shared corpus absent");
    return;
  }
  /* The @orientation argument turns a RAW preview (and its reported size). */
  DerushImageInfo up, side;
  g_autoptr(VipsImage) t1 = NULL, t6 = NULL, t8 = NULL;
  g_autoptr(GError) error = NULL;
  gint64 previews = derush_counter_get(DERUSH_COUNTER_RAW_PREVIEWS);
  g_assert_true(load_path(dng, NULL, 1, 200, &up, &t1, &error));
  g_assert_no_error(error);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_RAW_PREVIEWS), ==, previews + 1);
  g_assert_cmpstr(up.format, ==, "raw");
  g_assert_cmpstr(up.raw_format, ==, "dng");
  g_assert_cmpint(up.width, ==, 1224);
  g_assert_cmpint(up.height, ==, 816);
  assert_thumb_ok(t1, 200);
  g_assert_cmpint(t1->Xsize, ==, 200);

  g_assert_true(load_path(dng, NULL, 6, 200, &side, &t6, &error));
  g_assert_no_error(error);
  g_assert_cmpint(side.width, ==, 816);
  g_assert_cmpint(side.height, ==, 1224);
  assert_thumb_ok(t6, 200);
  g_assert_cmpint(t6->Xsize, ==, t1->Ysize);
  g_assert_cmpint(t6->Ysize, ==, t1->Xsize);
  g_assert_true(load_path(dng, NULL, 8, 200, &side, &t8, &error));
  g_assert_no_error(error);

  /* Pixels: t6 is t1 turned clockwise, t8 counter-clockwise. */
  g_autoptr(VipsImage) cw = NULL, ccw = NULL, d6 = NULL, d8 = NULL;
  g_assert_cmpint(vips_rot(t1, &cw, VIPS_ANGLE_D90, NULL), ==, 0);
  g_assert_cmpint(vips_rot(t1, &ccw, VIPS_ANGLE_D270, NULL), ==, 0);
  g_assert_cmpint(vips_subtract(cw, t6, &d6, NULL), ==, 0);
  g_assert_cmpint(vips_subtract(ccw, t8, &d8, NULL), ==, 0);
  double max6 = 0, max8 = 0, min6 = 0, min8 = 0;
  g_assert_cmpint(vips_max(d6, &max6, NULL), ==, 0);
  g_assert_cmpint(vips_min(d6, &min6, NULL), ==, 0);
  g_assert_cmpint(vips_max(d8, &max8, NULL), ==, 0);
  g_assert_cmpint(vips_min(d8, &min8, NULL), ==, 0);
  g_assert_cmpfloat(MAX(fabs(max6), fabs(min6)), ==, 0);
  g_assert_cmpfloat(MAX(fabs(max8), fabs(min8)), ==, 0);
}

static void
test_raw_thumbnail_save_rotated(void)
{
  /* End to end: a DNG tagged Orientation 6 comes out portrait, whether the
   * turn comes from EXIF (meta) or from libraw's flip. */
  g_autofree char *dng = test_shared_path("corpus/raw/canon_eos_6d.dng");
  g_autofree char *exiftool = g_find_program_in_path("exiftool");
  if (!dng || !exiftool) {
    g_test_skip(!dng ? "shared corpus absent" : "exiftool not installed");
    return;
  }
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *copy = g_build_filename(dir, "r.dng", NULL);
  test_copy_file(dng, copy);
  const char *argv[] = {exiftool, "-q", "-n", "-overwrite_original", "-Orientation=6", copy, NULL};
  int status = 0;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                             NULL, NULL, &status, NULL));
  g_assert_true(g_spawn_check_wait_status(status, NULL));

  g_autofree char *out = g_build_filename(dir, "r.png", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_thumbnail_save(NULL, copy, 120, out, &error));
  g_assert_no_error(error);
  g_autoptr(VipsImage) back = vips_image_new_from_file(out, NULL);
  g_assert_nonnull(back);
  g_assert_cmpint(back->Ysize, ==, 120);
  g_assert_cmpint(back->Xsize, ==, 80);

  DerushImageInfo info;
  g_assert_true(load_path(copy, NULL, 1, 0, &info, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpint(info.width, ==, 816);
  g_assert_cmpint(info.height, ==, 1224);
  test_rmrf(dir);
}

static void
test_raw_fallback(void)
{
  /* A JPEG or a TIFF with a RAW name: read by content. */
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *jpg = g_build_filename(dir, "fake.nef", NULL);
  g_autofree char *tif = g_build_filename(dir, "fake.dng", NULL);
  g_autoptr(VipsImage) img = make_quadrants(120, 80, white);
  g_assert_cmpint(vips_jpegsave(img, jpg, NULL), ==, 0);
  g_assert_cmpint(vips_tiffsave(img, tif, NULL), ==, 0);
  const char *paths[] = {jpg, tif};
  const char *formats[] = {"jpeg", "tiff"};
  for (int i = 0; i < 2; i++) {
    DerushImageInfo info;
    g_autoptr(VipsImage) thumb = NULL;
    g_autoptr(GError) error = NULL;
    g_assert_true(load_path(paths[i], NULL, 1, 60, &info, &thumb, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(info.format, ==, formats[i]);
    g_assert_cmpstr(info.raw_format, ==, "");
    g_assert_cmpint(info.width, ==, 120);
    assert_thumb_ok(thumb, 60);
    char got[5];
    quadrant_colours(thumb, got);
    g_assert_cmpstr(got, ==, "RGBW");
  }
  test_rmrf(dir);
}

/* ------------------------------------------------------------- corpus */

typedef struct {
  char *path;
  char *relative;
} CorpusFile;

static void
corpus_file_free(gpointer data)
{
  CorpusFile *f = data;
  g_free(f->path);
  g_free(f->relative);
  g_free(f);
}

static gboolean
is_data_file(const char *name)
{
  static const char *const skip[] = {".md", ".txt", ".csv", ".json", ".xmp", ".XMP", NULL};
  if (g_str_has_prefix(name, "README") || strcmp(name, "SHA256SUMS") == 0)
    return FALSE;
  for (int i = 0; skip[i]; i++)
    if (g_str_has_suffix(name, skip[i]))
      return FALSE;
  return TRUE;
}

static void
test_corpus_file(gconstpointer data)
{
  const CorpusFile *f = data;
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  gint64 previews = derush_counter_get(DERUSH_COUNTER_RAW_PREVIEWS);
  gint64 decoded = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  gboolean ok = load_path(f->path, NULL, 1, 256, &info, &thumb, &error);
  gint64 new_previews = derush_counter_get(DERUSH_COUNTER_RAW_PREVIEWS) - previews;
  gint64 new_decodes = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED) - decoded;
  g_test_message("%s: %s %s %dx%d %s", f->relative, ok ? "ok" : "FAILED", info.format, info.width,
                 info.height, error ? error->message : "");

  /* The known failures (corpus/MANIFEST.md) and what derush does not read. */
  if (g_str_has_suffix(f->relative, "jpg/corrupted.jpg")) {
    g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
    /* The header was fine: format and size are still known. */
    g_assert_cmpstr(info.format, ==, "jpeg");
    g_assert_cmpint(info.width, ==, 3648);
    return;
  }
  if (g_str_has_suffix(f->relative, ".jxl")) {
    g_assert_false(ok);
    g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED);
    return;
  }
  g_assert_no_error(error);
  g_assert_true(ok);
  g_assert_cmpint(new_decodes, ==, 1);
  g_assert_cmpint(new_previews, ==, strcmp(info.format, "raw") == 0 ? 1 : 0);
  g_assert_cmpint(info.width, >, 0);
  g_assert_cmpint(info.height, >, 0);
  assert_thumb_ok(thumb, 256);
  /* Thumbnail aspect follows the displayed size. */
  gboolean portrait = info.height > info.width;
  if (abs(info.width - info.height) > info.width / 10)
    g_assert_cmpint(thumb->Ysize > thumb->Xsize, ==, portrait);

  if (g_str_has_suffix(f->relative, "Issue 247-1.nef")) {
    g_assert_cmpstr(info.format, ==, "jpeg");
    g_assert_cmpstr(info.raw_format, ==, "");
  } else if (g_str_has_suffix(f->relative, ".KDC")) {
    g_assert_cmpstr(info.format, ==, "raw");
    g_assert_cmpstr(info.raw_format, ==, "kdc");
    g_assert_cmpint(info.width, ==, 768);
    g_assert_cmpint(info.height, ==, 512);
  } else if (g_str_has_suffix(f->relative, ".dng")) {
    g_assert_cmpstr(info.format, ==, "raw");
    g_assert_cmpint(info.width, ==, 1224);
    g_assert_cmpint(info.height, ==, 816);
  } else if (g_str_has_suffix(f->relative, "samsung-one-ui-6.heic")) {
    /* Stored with rotation 6: libheif turns it, derush must not again. */
    g_assert_cmpstr(info.format, ==, "heif");
    g_assert_cmpint(info.width, ==, 3000);
    g_assert_cmpint(info.height, ==, 4000);
    g_assert_cmpint(thumb->Ysize, >, thumb->Xsize);
  } else if (g_str_has_suffix(f->relative, ".avif")) {
    g_assert_cmpstr(info.format, ==, "avif");
  } else if (g_str_has_suffix(f->relative, "IMG_2682.heic")) {
    g_assert_cmpstr(info.format, ==, "heif");
    g_assert_cmpint(info.width, ==, 4032);
    g_assert_cmpint(info.height, ==, 3024);
  }
}

/* exif_edge/jpg/orientation: all 8 files of a set show one upright picture. */
static void
test_corpus_orientation_sets(void)
{
  g_autofree char *dir = test_shared_path("corpus/exif_edge/jpg/orientation");
  if (!dir) {
    g_test_skip("shared corpus absent");
    return;
  }
  const char *sets[] = {"landscape", "portrait"};
  for (int s = 0; s < 2; s++) {
    g_autoptr(VipsImage) ref = NULL;
    for (int k = 1; k <= 8; k++) {
      g_autofree char *name = g_strdup_printf("%s_%d.jpg", sets[s], k);
      g_autofree char *path = g_build_filename(dir, name, NULL);
      DerushImageInfo info;
      g_autoptr(VipsImage) thumb = NULL;
      g_autoptr(GError) error = NULL;
      /* At the cache's size: the first version failed 6 of these 16. */
      g_assert_true(load_path(path, NULL, 1, DERUSH_THUMB_CACHE_SIZE, &info, &thumb, &error));
      g_assert_no_error(error);
      if (!ref) {
        ref = g_object_ref(thumb);
        continue;
      }
      g_assert_cmpint(thumb->Xsize, ==, ref->Xsize);
      g_assert_cmpint(thumb->Ysize, ==, ref->Ysize);
      g_autoptr(VipsImage) diff = NULL, adiff = NULL;
      g_assert_cmpint(vips_subtract(thumb, ref, &diff, NULL), ==, 0);
      g_assert_cmpint(vips_abs(diff, &adiff, NULL), ==, 0);
      double mean = 0;
      g_assert_cmpint(vips_avg(adiff, &mean, NULL), ==, 0);
      g_test_message("%s: mean difference %.2f", name, mean);
      /* JPEG re-encodes differ a little; a wrong turn differs a lot. */
      g_assert_cmpfloat(mean, <, 12.0);
    }
  }
}

static void
test_corpus_absent(void)
{
  g_test_skip("shared corpus absent");
}

static void
add_corpus_tests(void)
{
  const char *folders[] = {"corpus/formats", "corpus/raw", "corpus/exif_edge"};
  gboolean any = FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(folders); i++) {
    g_autofree char *root = test_shared_path(folders[i]);
    if (!root)
      continue;
    any = TRUE;
    g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(stack, g_strdup(root));
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    while (stack->len) {
      g_autofree char *dir = g_ptr_array_steal_index(stack, stack->len - 1);
      g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
      if (!d)
        continue;
      const char *name;
      while ((name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR))
          g_ptr_array_add(stack, path);
        else if (is_data_file(name))
          g_ptr_array_add(files, path);
        else
          g_free(path);
      }
    }
    g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
    g_autofree char *base = test_shared_path("corpus");
    for (guint j = 0; j < files->len; j++) {
      CorpusFile *f = g_new0(CorpusFile, 1);
      f->path = g_strdup(files->pdata[j]);
      f->relative = g_strdup(f->path + strlen(base) + 1);
      g_autofree char *test_path = g_strconcat("/image/corpus/", f->relative, NULL);
      /* GTest paths: keep them ASCII and free of spaces. */
      for (char *p = test_path; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '/' && *p != '.' && *p != '_' && *p != '-')
          *p = '_';
      g_test_add_data_func_full(test_path, f, test_corpus_file, corpus_file_free);
    }
  }
  if (!any)
    g_test_add_func("/image/corpus/absent", test_corpus_absent);
}

/* -------------------------------------------------------------- cache */

static void
test_cache_path(void)
{
  g_autofree char *p = _derush_thumb_cache_path("/c", G_GUINT64_CONSTANT(0xab12000000000f0e));
  g_assert_cmpstr(p, ==, "/c/thumbs/ab/ab12000000000f0e.jpg");
  g_autofree char *q = _derush_thumb_cache_path("/c", 1);
  g_assert_cmpstr(q, ==, "/c/thumbs/00/0000000000000001.jpg");
}

static void
test_fit_and_save(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autoptr(VipsImage) img = make_quadrants(300, 200, white);
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) small = _derush_image_fit(img, 90, &error);
  g_assert_no_error(error);
  g_assert_cmpint(small->Xsize, ==, 90);
  g_assert_cmpint(small->Ysize, ==, 60);
  g_autoptr(VipsImage) same = _derush_image_fit(img, 1000, &error);
  g_assert_no_error(error);
  g_assert_cmpint(same->Xsize, ==, 300);

  g_autofree char *deep = g_build_filename(dir, "a", "b", "c.png", NULL);
  g_assert_true(_derush_image_save_atomic(small, deep, &error));
  g_assert_no_error(error);
  g_autofree char *jpg = g_build_filename(dir, "a", "c.JPG", NULL);
  g_assert_true(_derush_image_save_atomic(small, jpg, &error));
  g_assert_no_error(error);
  g_autoptr(VipsImage) back = vips_image_new_from_file(jpg, NULL);
  g_assert_nonnull(back);
  char got[5];
  quadrant_colours(back, got);
  g_assert_cmpstr(got, ==, "RGBW");

  /* No temporary files left behind. */
  g_autofree char *sub = g_build_filename(dir, "a", NULL);
  g_autoptr(GDir) d = g_dir_open(sub, 0, NULL);
  const char *name;
  int n = 0;
  while ((name = g_dir_read_name(d))) {
    g_assert_false(g_str_has_prefix(name, "."));
    n++;
  }
  g_assert_cmpint(n, ==, 2);

  g_autofree char *bad = g_build_filename(dir, "x.bmp", NULL);
  g_assert_false(_derush_image_save_atomic(small, bad, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED);
  g_clear_error(&error);
  /* A folder that cannot be made. */
  g_assert_false(_derush_image_save_atomic(small, "/proc/derush/x.png", &error));
  g_assert_nonnull(error);
  test_rmrf(dir);
}

static void
test_thumbnail_save_no_catalog(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *src = g_build_filename(dir, "o6.jpg", NULL);
  test_make_quadrant_image(src, 320, 200);
  set_orientation(src, 6);
  g_autofree char *out = g_build_filename(dir, "out", "t.png", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_thumbnail_save(NULL, src, 64, out, &error));
  g_assert_no_error(error);
  g_autoptr(VipsImage) back = vips_image_new_from_file(out, NULL);
  g_assert_nonnull(back);
  g_assert_cmpint(back->Xsize, ==, 40);
  g_assert_cmpint(back->Ysize, ==, 64);
  g_assert_cmpint(back->Bands, ==, 3);
  char want[5], got[5];
  expected_display("RGBW", 6, want);
  quadrant_colours(back, got);
  g_assert_cmpstr(got, ==, want);

  /* Errors carry the path. */
  g_autofree char *missing = g_build_filename(dir, "missing.jpg", NULL);
  g_assert_false(derush_thumbnail_save(NULL, missing, 64, out, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);
  g_autofree char *junk = g_build_filename(dir, "junk.jpg", NULL);
  test_write_file(junk, "junk", 4);
  g_assert_false(derush_thumbnail_save(NULL, junk, 64, out, &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "junk.jpg"));
  test_rmrf(dir);
}

static void
test_cache_round_trip(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *src = g_build_filename(dir, "big.jpg", NULL);
  test_make_quadrant_image(src, 1600, 1000);
  g_autofree char *cache = g_build_filename(dir, "cache", NULL);

  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(src, &data, &len, NULL));
  guint64 hash = _derush_content_hash_buf((guint8 *)data, len);

  /* What the scanner does for a new file: miss, decode once, store. */
  gint64 before[DERUSH_N_COUNTERS], after[DERUSH_N_COUNTERS];
  derush_counters_snapshot(before);
  g_assert_null(_derush_thumb_cache_lookup(cache, hash));
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_image_load((guint8 *)data, len, src, 1, DERUSH_THUMB_CACHE_SIZE, &info,
                                   &thumb, &error));
  g_assert_no_error(error);
  g_assert_true(_derush_thumb_cache_store(cache, hash, thumb, &error));
  g_assert_no_error(error);
  derush_counters_snapshot(after);
  g_assert_cmpint(after[DERUSH_COUNTER_IMAGES_DECODED] - before[DERUSH_COUNTER_IMAGES_DECODED], ==,
                  1);
  g_assert_cmpint(
      after[DERUSH_COUNTER_THUMBNAILS_WRITTEN] - before[DERUSH_COUNTER_THUMBNAILS_WRITTEN], ==, 1);
  g_assert_cmpint(after[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS] -
                      before[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS],
                  ==, 0);
  g_autofree char *cached = _derush_thumb_cache_path(cache, hash);
  g_assert_true(g_file_test(cached, G_FILE_TEST_IS_REGULAR));

  /* Second request: a hit, no decode. */
  derush_counters_snapshot(before);
  g_autoptr(VipsImage) hit = _derush_thumb_cache_lookup(cache, hash);
  g_assert_nonnull(hit);
  derush_counters_snapshot(after);
  g_assert_cmpint(after[DERUSH_COUNTER_IMAGES_DECODED], ==, before[DERUSH_COUNTER_IMAGES_DECODED]);
  g_assert_cmpint(after[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS] -
                      before[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS],
                  ==, 1);
  g_assert_cmpint(hit->Xsize, ==, DERUSH_THUMB_CACHE_SIZE);
  g_assert_cmpint(hit->Ysize, ==, thumb->Ysize);
  assert_thumb_ok(hit, DERUSH_THUMB_CACHE_SIZE);
  char got[5];
  quadrant_colours(hit, got);
  g_assert_cmpstr(got, ==, "RGBW");

  /* A larger thumbnail is shrunk to the cache size on store. */
  g_autoptr(VipsImage) big = make_quadrants(900, 600, white);
  g_assert_true(_derush_thumb_cache_store(cache, hash + 1, big, &error));
  g_assert_no_error(error);
  g_autoptr(VipsImage) hit2 = _derush_thumb_cache_lookup(cache, hash + 1);
  g_assert_nonnull(hit2);
  g_assert_cmpint(hit2->Xsize, ==, DERUSH_THUMB_CACHE_SIZE);

  /* A damaged cache file is a miss, and is removed. */
  g_autofree char *cached2 = _derush_thumb_cache_path(cache, hash + 1);
  test_write_file(cached2, "\xff\xd8\xff", 3);
  g_assert_null(_derush_thumb_cache_lookup(cache, hash + 1));
  g_assert_false(g_file_test(cached2, G_FILE_TEST_EXISTS));
  test_rmrf(dir);
}

static void
test_thumbnail_save_catalog(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *db = g_build_filename(dir, "catalog.db", NULL);
  g_autoptr(GError) error = NULL;
  DerushCatalog *catalog = derush_catalog_open(db, &error);
  if (!catalog) {
    g_autofree char *msg = g_strdup_printf("no catalog: %s", error->message);
    g_test_skip(msg);
    test_rmrf(dir);
    return;
  }
  g_autofree char *cache = g_build_filename(dir, "cache", NULL);
  derush_catalog_set_cache_dir(catalog, cache);

  g_autofree char *src = g_build_filename(dir, "o8.jpg", NULL);
  test_make_quadrant_image(src, 800, 500);
  set_orientation(src, 8);
  g_autofree char *out1 = g_build_filename(dir, "t1.png", NULL);
  g_autofree char *out2 = g_build_filename(dir, "t2.jpg", NULL);
  g_autofree char *out3 = g_build_filename(dir, "t3.png", NULL);

  gint64 c0[DERUSH_N_COUNTERS], c1[DERUSH_N_COUNTERS], c2[DERUSH_N_COUNTERS], c3[DERUSH_N_COUNTERS];
  derush_counters_snapshot(c0);
  g_assert_true(derush_thumbnail_save(catalog, src, 128, out1, &error));
  g_assert_no_error(error);
  derush_counters_snapshot(c1);
  g_assert_cmpint(c1[DERUSH_COUNTER_IMAGES_DECODED] - c0[DERUSH_COUNTER_IMAGES_DECODED], ==, 1);
  g_assert_cmpint(c1[DERUSH_COUNTER_THUMBNAILS_WRITTEN] - c0[DERUSH_COUNTER_THUMBNAILS_WRITTEN], ==,
                  1);

  g_assert_true(derush_thumbnail_save(catalog, src, 256, out2, &error));
  g_assert_no_error(error);
  derush_counters_snapshot(c2);
  g_assert_cmpint(c2[DERUSH_COUNTER_IMAGES_DECODED], ==, c1[DERUSH_COUNTER_IMAGES_DECODED]);
  g_assert_cmpint(c2[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS] - c1[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS],
                  ==, 1);

  /* Over the cache size: the original is decoded again. */
  g_assert_true(derush_thumbnail_save(catalog, src, 700, out3, &error));
  g_assert_no_error(error);
  derush_counters_snapshot(c3);
  g_assert_cmpint(c3[DERUSH_COUNTER_IMAGES_DECODED] - c2[DERUSH_COUNTER_IMAGES_DECODED], ==, 1);

  const char *outs[] = {out1, out2, out3};
  const int sizes[] = {128, 256, 700};
  char want[5];
  expected_display("RGBW", 8, want);
  for (int i = 0; i < 3; i++) {
    g_autoptr(VipsImage) back = vips_image_new_from_file(outs[i], NULL);
    g_assert_nonnull(back);
    g_assert_cmpint(back->Ysize, ==, sizes[i]);
    g_assert_cmpint(back->Xsize, <, back->Ysize);
    char got[5];
    quadrant_colours(back, got);
    g_assert_cmpstr(got, ==, want);
  }
  derush_catalog_close(catalog);
  test_rmrf(dir);
}

/* libheif and libtiff warnings ("heifload: ignoring nclx profile") arrive
 * as structured VIPS warnings for files that decode fine; GTest makes
 * warnings fatal, and g_log_set_handler() does not see structured logs. */
static GLogWriterOutput
test_log_writer_cb(GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
                   gpointer user_data)
{
  if (log_level & G_LOG_LEVEL_WARNING)
    for (gsize i = 0; i < n_fields; i++)
      if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0 &&
          g_strcmp0(fields[i].value, "VIPS") == 0)
        return G_LOG_WRITER_HANDLED;
  return g_log_writer_default(log_level, fields, n_fields, user_data);
}

/* The other half: g_logv() itself aborts on fatal warnings unless this says
 * no. */
static gboolean
test_fatal_cb(const char *log_domain, GLogLevelFlags log_level, const char *message,
              gpointer user_data)
{
  return !(g_strcmp0(log_domain, "VIPS") == 0 && (log_level & G_LOG_LEVEL_WARNING));
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_log_set_writer_func(test_log_writer_cb, NULL, NULL);
  g_test_log_set_fatal_handler(test_fatal_cb, NULL);

  g_test_add_func("/image/orientation/expected-table", test_expected_table);
  g_test_add_func("/image/orientation/jpeg-exif", test_orientation_jpeg);
  g_test_add_func("/image/orientation/jpeg-exif-cache-size", test_orientation_jpeg_cache_size);
  g_test_add_func("/image/orientation/in-memory", test_orientation_in_memory);
  g_test_add_func("/image/orientation/corpus-sets", test_corpus_orientation_sets);

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

  g_test_add_func("/image/raw/orientation", test_raw_corpus_orientation);
  g_test_add_func("/image/raw/fallback", test_raw_fallback);
  g_test_add_func("/image/raw/thumbnail-save-rotated", test_raw_thumbnail_save_rotated);

  g_test_add_func("/image/cache/path", test_cache_path);
  g_test_add_func("/image/cache/fit-and-save", test_fit_and_save);
  g_test_add_func("/image/cache/round-trip", test_cache_round_trip);
  g_test_add_func("/image/thumbnail-save/no-catalog", test_thumbnail_save_no_catalog);
  g_test_add_func("/image/thumbnail-save/catalog", test_thumbnail_save_catalog);

  add_corpus_tests();
  return g_test_run();
}
