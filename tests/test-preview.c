/* test-preview.c: the public preview API (derush_photo_load_preview and its
 * async form), the one path the app, the CLI and the analysis share: cached
 * preview first, else one decode of the original that fills the cache. */
#include "test-util.h"
#include <glib/gstdio.h>
#include <math.h>

typedef struct {
  char *dir;
  char *src;
  DerushCatalog *catalog;
  DerushPhoto *photo;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->dir = test_make_tmpdir();
  g_autofree char *db = g_build_filename(f->dir, "catalog.db", NULL);
  g_autofree char *cache = g_build_filename(f->dir, "cache", NULL);
  g_autofree char *photos = g_build_filename(f->dir, "photos", NULL);
  g_assert_cmpint(g_mkdir(photos, 0755), ==, 0);
  f->src = g_build_filename(photos, "q.jpg", NULL);
  test_make_quadrant_image(f->src, 800, 500);
  g_autoptr(GError) error = NULL;
  f->catalog = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  derush_catalog_set_cache_dir(f->catalog, cache);
  /* No thumbnails at scan time: the first preview must make the cache. */
  DerushScanOptions opt;
  derush_scan_options_init(&opt);
  opt.thumbnails = FALSE;
  const char *roots[] = {photos, NULL};
  DerushScanSummary sum;
  g_assert_true(derush_catalog_scan(f->catalog, roots, &opt, &sum, &error));
  g_assert_no_error(error);
  f->photo = derush_catalog_get_photo(f->catalog, f->src, &error);
  g_assert_no_error(error);
  g_assert_nonnull(f->photo);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  derush_photo_free(f->photo);
  derush_catalog_close(f->catalog);
  test_rmrf(f->dir);
  g_free(f->dir);
  g_free(f->src);
}

/* 'R', 'G', 'B' or 'W' at the centres of the quadrants TL, TR, BL, BR. */
static void
quadrants(const DerushPreview *p, char out[5])
{
  const guint8 *px = g_bytes_get_data(p->pixels, NULL);
  int xs[4] = {p->width / 4, 3 * p->width / 4, p->width / 4, 3 * p->width / 4};
  int ys[4] = {p->height / 4, p->height / 4, 3 * p->height / 4, 3 * p->height / 4};
  for (int i = 0; i < 4; i++) {
    const guint8 *v = px + (gsize)ys[i] * p->stride + (gsize)xs[i] * 3;
    out[i] = v[0] > 200 && v[1] > 200 && v[2] > 200 ? 'W'
             : v[0] > 200                           ? 'R'
             : v[1] > 200                           ? 'G'
             : v[2] > 200                           ? 'B'
                                                    : '?';
  }
  out[4] = '\0';
}

static void
assert_preview(const DerushPreview *p, int long_edge)
{
  g_assert_nonnull(p);
  g_assert_cmpint(MAX(p->width, p->height), ==, long_edge);
  g_assert_cmpint(p->width, >, p->height); /* 800x500 stays landscape */
  g_assert_cmpuint(p->stride, ==, (gsize)p->width * 3);
  g_assert_cmpuint(g_bytes_get_size(p->pixels), ==, p->stride * p->height);
  char got[5];
  quadrants(p, got);
  g_assert_cmpstr(got, ==, "RGBW");
}

static void
test_cache_then_hit(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 c0[DERUSH_N_COUNTERS], c1[DERUSH_N_COUNTERS], c2[DERUSH_N_COUNTERS];

  /* A miss: the original is decoded once and the cache filled. */
  derush_counters_snapshot(c0);
  g_autoptr(DerushPreview) first =
      derush_photo_load_preview(f->catalog, f->photo, 128, NULL, &error);
  g_assert_no_error(error);
  derush_counters_snapshot(c1);
  assert_preview(first, 128);
  g_assert_cmpint(c1[DERUSH_COUNTER_IMAGES_DECODED] - c0[DERUSH_COUNTER_IMAGES_DECODED], ==, 1);
  g_assert_cmpint(c1[DERUSH_COUNTER_THUMBNAILS_WRITTEN] - c0[DERUSH_COUNTER_THUMBNAILS_WRITTEN], ==,
                  1);
  g_assert_cmpint(c1[DERUSH_COUNTER_FILES_OPENED] - c0[DERUSH_COUNTER_FILES_OPENED], ==, 1);

  /* A hit at another size: the original is not even opened. */
  g_autoptr(DerushPreview) second =
      derush_photo_load_preview(f->catalog, f->photo, 256, NULL, &error);
  g_assert_no_error(error);
  derush_counters_snapshot(c2);
  assert_preview(second, 256);
  g_assert_cmpint(c2[DERUSH_COUNTER_IMAGES_DECODED], ==, c1[DERUSH_COUNTER_IMAGES_DECODED]);
  g_assert_cmpint(c2[DERUSH_COUNTER_FILES_OPENED], ==, c1[DERUSH_COUNTER_FILES_OPENED]);
  g_assert_cmpint(c2[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS] - c1[DERUSH_COUNTER_THUMBNAIL_CACHE_HITS],
                  ==, 1);
}

static void
test_full_size(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 c0[DERUSH_N_COUNTERS], c1[DERUSH_N_COUNTERS];
  derush_counters_snapshot(c0);
  /* Past the cache's size (0: full size) the cache is neither read nor
   * written, and nothing is upscaled. */
  g_autoptr(DerushPreview) full = derush_photo_load_preview(f->catalog, f->photo, 0, NULL, &error);
  g_assert_no_error(error);
  assert_preview(full, 800);
  g_autoptr(DerushPreview) big = derush_photo_load_preview(NULL, f->photo, 4000, NULL, &error);
  g_assert_no_error(error);
  assert_preview(big, 800);
  derush_counters_snapshot(c1);
  g_assert_cmpint(c1[DERUSH_COUNTER_IMAGES_DECODED] - c0[DERUSH_COUNTER_IMAGES_DECODED], ==, 2);
  g_assert_cmpint(c1[DERUSH_COUNTER_THUMBNAILS_WRITTEN], ==, c0[DERUSH_COUNTER_THUMBNAILS_WRITTEN]);
}

static void
test_errors(Fixture *f, gconstpointer data)
{
  /* A photo the scan found unreadable: its reason, no decode. */
  DerushPhoto bad = {.path = f->src, .status = DERUSH_PHOTO_UNREADABLE, .reason = "truncated"};
  g_autoptr(GError) error = NULL;
  g_assert_null(derush_photo_load_preview(f->catalog, &bad, 128, NULL, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
  g_assert_cmpstr(error->message, ==, "truncated");
  g_clear_error(&error);

  /* Cancelled before the decode of a cache miss. */
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  g_cancellable_cancel(cancellable);
  g_assert_null(derush_photo_load_preview(f->catalog, f->photo, 128, cancellable, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error(&error);

  /* A file gone since the scan. */
  g_assert_cmpint(g_unlink(f->src), ==, 0);
  g_assert_null(derush_photo_load_preview(NULL, f->photo, 128, NULL, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
}

static void
loaded_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  DerushPreview **out = user_data;
  g_autoptr(GError) error = NULL;
  *out = derush_photo_load_preview_finish(result, &error);
  g_assert_no_error(error);
}

static void
test_async(Fixture *f, gconstpointer data)
{
  DerushPreview *preview = NULL;
  /* The photo is copied: freeing it at once must not matter. */
  g_autoptr(GError) error = NULL;
  DerushPhoto *copy = derush_catalog_get_photo(f->catalog, f->src, &error);
  g_assert_no_error(error);
  derush_photo_load_preview_async(f->catalog, copy, 200, NULL, loaded_cb, &preview);
  derush_photo_free(copy);
  while (!preview)
    g_main_context_iteration(NULL, TRUE);
  assert_preview(preview, 200);
  derush_preview_free(preview);
}

/* The colour at the preview's centre, and whether its top row is black. */
static void
centre_colour(const DerushPreview *p, guint8 out[3], gboolean *top_black)
{
  const guint8 *px = g_bytes_get_data(p->pixels, NULL);
  memcpy(out, px + (gsize)(p->height / 2) * p->stride + (gsize)(p->width / 2) * 3, 3);
  const guint8 *top = px + (gsize)(p->width / 2) * 3;
  *top_black = top[0] < 40 && top[1] < 40 && top[2] < 40;
}

/* The fast preview: the file's EXIF thumbnail (a placeholder) while the
 * cache has nothing, without decoding the photo; the cached thumbnail once
 * there is one. */
static void
test_fast(Fixture *f, gconstpointer data)
{
  /* A blue 160x120 thumbnail with 10 px black bands: the 800x500 photo
   * (1.6:1) letterboxed in 4:3 as cameras do; the photo itself is the
   * quadrants, so the two cannot be mistaken for each other. */
  static const guint8 blue[3] = {20, 40, 230};
  test_embed_exif_thumbnail(f->src, 160, 120, blue, 10);
  g_autoptr(GError) error = NULL;
  derush_photo_free(f->photo);
  const char *roots[] = {g_path_get_dirname(f->src), NULL};
  DerushScanOptions opt;
  derush_scan_options_init(&opt);
  opt.thumbnails = FALSE;
  g_assert_true(derush_catalog_scan(f->catalog, roots, &opt, NULL, &error));
  g_free((char *)roots[0]);
  f->photo = derush_catalog_get_photo(f->catalog, f->src, &error);
  g_assert_no_error(error);

  gint64 c0[DERUSH_N_COUNTERS], c1[DERUSH_N_COUNTERS], c2[DERUSH_N_COUNTERS];
  derush_counters_snapshot(c0);
  gboolean placeholder = FALSE;
  g_autoptr(DerushPreview) fast =
      derush_photo_load_preview_fast(f->catalog, f->photo, 128, &placeholder, NULL, &error);
  g_assert_no_error(error);
  derush_counters_snapshot(c1);
  g_assert_nonnull(fast);
  g_assert_true(placeholder);
  g_assert_cmpint(c1[DERUSH_COUNTER_EMBEDDED_PREVIEWS] - c0[DERUSH_COUNTER_EMBEDDED_PREVIEWS], ==,
                  1);
  g_assert_cmpint(c1[DERUSH_COUNTER_IMAGES_DECODED], ==, c0[DERUSH_COUNTER_IMAGES_DECODED]);
  g_assert_cmpint(c1[DERUSH_COUNTER_THUMBNAILS_WRITTEN], ==, c0[DERUSH_COUNTER_THUMBNAILS_WRITTEN]);
  guint8 c[3];
  gboolean top_black = TRUE;
  centre_colour(fast, c, &top_black);
  g_assert_cmpint(c[2], >, 180);
  g_assert_cmpint(c[0], <, 80);
  /* The bands are cut off: the photo's proportions, no black edge. */
  g_assert_false(top_black);
  g_assert_cmpfloat(fabs((double)fast->width / fast->height - 1.6), <, 0.05);

  /* Turned as the photo's orientation says (the thumbnail is stored as
   * the sensor saw it). */
  DerushPhoto turned = *f->photo;
  turned.meta.orientation = 6;
  turned.width = f->photo->height;
  turned.height = f->photo->width;
  g_autoptr(DerushPreview) upright =
      derush_photo_load_preview_fast(f->catalog, &turned, 128, &placeholder, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(upright->height, >, upright->width);

  /* Once the real thumbnail is made, it is the answer. */
  g_autoptr(DerushPreview) full =
      derush_photo_load_preview(f->catalog, f->photo, 128, NULL, &error);
  g_assert_no_error(error);
  derush_counters_snapshot(c1);
  g_autoptr(DerushPreview) cached =
      derush_photo_load_preview_fast(f->catalog, f->photo, 128, &placeholder, NULL, &error);
  g_assert_no_error(error);
  derush_counters_snapshot(c2);
  g_assert_false(placeholder);
  assert_preview(cached, 128);
  g_assert_cmpint(c2[DERUSH_COUNTER_EMBEDDED_PREVIEWS], ==, c1[DERUSH_COUNTER_EMBEDDED_PREVIEWS]);
  g_assert_cmpint(c2[DERUSH_COUNTER_IMAGES_DECODED], ==, c1[DERUSH_COUNTER_IMAGES_DECODED]);
}

/* No cache entry and no embedded preview: NOT_FOUND, and nothing decoded. */
static void
test_fast_none(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 c0[DERUSH_N_COUNTERS], c1[DERUSH_N_COUNTERS];
  derush_counters_snapshot(c0);
  g_assert_null(derush_photo_load_preview_fast(f->catalog, f->photo, 128, NULL, NULL, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  derush_counters_snapshot(c1);
  g_assert_cmpint(c1[DERUSH_COUNTER_IMAGES_DECODED], ==, c0[DERUSH_COUNTER_IMAGES_DECODED]);
  g_assert_cmpint(c1[DERUSH_COUNTER_EMBEDDED_PREVIEWS], ==, c0[DERUSH_COUNTER_EMBEDDED_PREVIEWS]);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/preview/cache-then-hit", Fixture, NULL, fixture_setup, test_cache_then_hit,
             fixture_teardown);
  g_test_add("/preview/full-size", Fixture, NULL, fixture_setup, test_full_size, fixture_teardown);
  g_test_add("/preview/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add("/preview/async", Fixture, NULL, fixture_setup, test_async, fixture_teardown);
  g_test_add("/preview/fast", Fixture, NULL, fixture_setup, test_fast, fixture_teardown);
  g_test_add("/preview/fast-none", Fixture, NULL, fixture_setup, test_fast_none, fixture_teardown);
  return g_test_run();
}
