/* test-image-cache.c: the thumbnail cache (src/image/): its paths,
 * fitting and saving, the round trip through the cache, and
 * thumbnail-save with and without a catalog. */
#include "image-test-util.h"

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

int
main(int argc, char **argv)
{
  image_test_init(&argc, &argv);

  g_test_add_func("/image/cache/path", test_cache_path);
  g_test_add_func("/image/cache/fit-and-save", test_fit_and_save);
  g_test_add_func("/image/cache/round-trip", test_cache_round_trip);
  g_test_add_func("/image/thumbnail-save/no-catalog", test_thumbnail_save_no_catalog);
  g_test_add_func("/image/thumbnail-save/catalog", test_thumbnail_save_catalog);
  return g_test_run();
}
