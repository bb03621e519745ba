/* image-test-util.c: what the image test programs share (test-image,
 * test-image-corpus, test-image-cache): quadrant images and their
 * expected orientation, computed here independently of the code under
 * test, and the log handlers that let libvips' harmless warnings pass. */
#include "image-test-util.h"
#include <gexiv2/gexiv2.h>

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
void
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
void
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
VipsImage *
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

/* Runs _derush_image_load on a file's bytes, as the scanner would. */
gboolean
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
void
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

void
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

/* libheif and libtiff warnings ("heifload: ignoring nclx profile") arrive
 * as structured VIPS warnings for files that decode fine; GTest makes
 * warnings fatal, and g_log_set_handler() does not see structured logs. */
static GLogWriterOutput
log_writer_cb(GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
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
fatal_cb(const char *log_domain, GLogLevelFlags log_level, const char *message, gpointer user_data)
{
  return !(g_strcmp0(log_domain, "VIPS") == 0 && (log_level & G_LOG_LEVEL_WARNING));
}

/* test_init(), then the log handlers above. */
void
image_test_init(int *argc, char ***argv)
{
  test_init(argc, argv);
  g_log_set_writer_func(log_writer_cb, NULL, NULL);
  g_test_log_set_fatal_handler(fatal_cb, NULL);
}
