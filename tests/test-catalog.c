/* test-catalog.c: the SQLite catalog: open, migrations, rows, counters. */
#include "test-util.h"
#include "catalog/catalog-private.h"

typedef struct {
  char *dir;
  char *path;
  DerushCatalog *cat;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->dir = test_make_tmpdir();
  f->path = g_build_filename(f->dir, "sub", "catalog.db", NULL);
  g_autoptr(GError) error = NULL;
  f->cat = derush_catalog_open(f->path, &error);
  g_assert_no_error(error);
  g_assert_nonnull(f->cat);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  derush_catalog_close(f->cat);
  test_rmrf(f->dir);
  g_free(f->dir);
  g_free(f->path);
}

static void
insert(DerushCatalog *cat, const char *path, gint64 size, guint64 hash, gint64 *id)
{
  DerushMeta meta;
  derush_meta_init(&meta);
  meta.make = g_strdup("Canon");
  meta.iso = 400;
  meta.time_source = DERUSH_TIME_EXIF_ORIGINAL;
  meta.capture_time_ns = G_GINT64_CONSTANT(1300000000123000000);
  meta.has_offset = TRUE;
  meta.offset_minutes = -300;
  DerushImageInfo info = {.format = "jpeg", .width = 640, .height = 480};
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *name = g_path_get_basename(path);
  DerushPhotoRecord rec = {.path = path,
                           .dir = dir,
                           .name = name,
                           .dev = 1,
                           .ino = 2,
                           .size = size,
                           .mtime_ns = 3,
                           .content_hash = hash,
                           .status = DERUSH_PHOTO_OK,
                           .info = &info,
                           .meta = &meta};
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_begin(cat, &error));
  _derush_catalog_upsert_photo(cat, &rec, id, &error);
  g_assert_no_error(error);
  g_assert_true(_derush_catalog_commit(cat, &error));
  g_assert_no_error(error);
  derush_meta_clear(&meta);
}

static void
test_open_creates_and_reopens(Fixture *f, gconstpointer data)
{
  g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr(derush_catalog_get_path(f->cat), ==, f->path);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_check_integrity(f->cat, &error));
  gint64 id = 0;
  insert(f->cat, "/photos/a.jpg", 10, 0xfeedfacecafebeefULL, &id);
  derush_catalog_close(f->cat);
  f->cat = derush_catalog_open(f->path, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) p = derush_catalog_get_photo(f->cat, "/photos/a.jpg", &error);
  g_assert_no_error(error);
  g_assert_cmpint(p->id, ==, id);
  /* Unsigned 64-bit hashes survive SQLite's signed integers. */
  g_assert_cmpuint(p->content_hash, ==, 0xfeedfacecafebeefULL);
  g_assert_cmpstr(p->meta.make, ==, "Canon");
  g_assert_cmpfloat(p->meta.iso, ==, 400);
  g_assert_true(isnan(p->meta.f_number));
  g_assert_cmpint(p->meta.flash, ==, -1);
  g_assert_false(p->meta.has_orientation);
  g_assert_true(p->meta.has_offset);
  g_assert_cmpint(p->meta.offset_minutes, ==, -300);
  g_assert_cmpint(p->meta.capture_time_ns, ==, G_GINT64_CONSTANT(1300000000123000000));
  g_assert_cmpint(p->width, ==, 640);
  g_assert_cmpstr(p->format, ==, "jpeg");
  g_assert_null(p->raw_format);
  g_assert_null(p->pair_path);
}

static void
test_refuses_newer_schema_and_non_catalogs(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_exec(f->cat, "PRAGMA user_version=999", &error));
  derush_catalog_close(f->cat);
  f->cat = derush_catalog_open(f->path, &error);
  g_assert_null(f->cat);
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CATALOG);
  g_assert_nonnull(strstr(error->message, "newer"));
  g_clear_error(&error);

  g_autofree char *junk = g_build_filename(f->dir, "junk.db", NULL);
  test_write_file(junk, "this is not a database, just text that is long enough......", 60);
  DerushCatalog *c = derush_catalog_open(junk, &error);
  g_assert_null(c);
  g_assert_nonnull(error);
  /* The file is left as it was. */
  g_autofree char *after = NULL;
  g_file_get_contents(junk, &after, NULL, NULL);
  g_assert_true(g_str_has_prefix(after, "this is not a database"));
}

static gboolean
collect_paths(const DerushPhoto *photo, gpointer data)
{
  g_ptr_array_add(data, g_strdup(photo->path));
  return TRUE;
}

static void
test_foreach_under(Fixture *f, gconstpointer data)
{
  insert(f->cat, "/p/a/1.jpg", 1, 11, NULL);
  insert(f->cat, "/p/a/sub/2.jpg", 2, 12, NULL);
  insert(f->cat, "/p/ab/3.jpg", 3, 13, NULL); /* shares a prefix, not a folder */
  insert(f->cat, "/p/a.jpg", 4, 14, NULL);
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_photo(f->cat, "/p/a", collect_paths, got, &error));
  g_assert_cmpuint(got->len, ==, 2);
  g_assert_cmpstr(got->pdata[0], ==, "/p/a/1.jpg");
  g_assert_cmpstr(got->pdata[1], ==, "/p/a/sub/2.jpg");
  g_assert_cmpint(derush_catalog_count_photos(f->cat, "/p/a/", -1), ==, 2);
  g_assert_cmpint(derush_catalog_count_photos(f->cat, NULL, -1), ==, 4);
  g_assert_cmpint(derush_catalog_count_photos(f->cat, "/p", DERUSH_PHOTO_OK), ==, 4);
  g_ptr_array_set_size(got, 0);
  g_assert_true(derush_catalog_foreach_photo(f->cat, NULL, collect_paths, got, &error));
  g_assert_cmpuint(got->len, ==, 4);
}

static void
test_pairs_and_missing(Fixture *f, gconstpointer data)
{
  gint64 raw = 0, jpg = 0, other = 0;
  insert(f->cat, "/q/IMG_1.CR2", 1, 21, &raw);
  insert(f->cat, "/q/img_1.jpg", 2, 22, &jpg);
  insert(f->cat, "/q/IMG_2.jpg", 3, 23, &other);
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_catalog_update_pairs(f->cat, "/q", &error));
  g_autoptr(DerushPhoto) a = derush_catalog_get_photo(f->cat, "/q/IMG_1.CR2", &error);
  g_autoptr(DerushPhoto) b = derush_catalog_get_photo(f->cat, "/q/img_1.jpg", &error);
  g_autoptr(DerushPhoto) c = derush_catalog_get_photo(f->cat, "/q/IMG_2.jpg", &error);
  g_assert_cmpstr(a->pair_path, ==, "/q/img_1.jpg");
  g_assert_cmpstr(b->pair_path, ==, "/q/IMG_1.CR2");
  g_assert_null(c->pair_path);

  g_assert_true(_derush_catalog_mark_missing(f->cat, raw, &error));
  g_autoptr(DerushPhoto) m = derush_catalog_get_photo(f->cat, "/q/IMG_1.CR2", &error);
  g_assert_cmpint(m->status, ==, DERUSH_PHOTO_MISSING);
  g_assert_nonnull(m->reason);
  g_assert_cmpint(derush_catalog_count_photos(f->cat, "/q", DERUSH_PHOTO_MISSING), ==, 1);
  g_assert_true(
      _derush_catalog_relink(f->cat, raw, "/r/IMG_1.CR2", "/r", "IMG_1.CR2", 1, 9, 9, &error));
  g_autoptr(DerushPhoto) r = derush_catalog_get_photo(f->cat, "/r/IMG_1.CR2", &error);
  g_assert_no_error(error);
  g_assert_cmpint(r->id, ==, raw);
  g_assert_cmpint(r->status, ==, DERUSH_PHOTO_OK);
  g_assert_true(derush_catalog_check_integrity(f->cat, &error));
}

static void
test_counters_recorded(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  derush_counters_reset();
  derush_counter_add(DERUSH_COUNTER_METADATA_PARSED, 7);
  g_assert_true(derush_catalog_record_command(f->cat, "scan", &error));
  derush_counters_reset();
  derush_counter_add(DERUSH_COUNTER_METADATA_PARSED, 2);
  g_assert_true(derush_catalog_record_command(f->cat, "info", &error));
  gint64 total[DERUSH_N_COUNTERS], last[DERUSH_N_COUNTERS];
  g_autofree char *cmd = NULL;
  g_assert_true(derush_catalog_get_counters(f->cat, total, last, &cmd, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(cmd, ==, "info");
  g_assert_cmpint(total[DERUSH_COUNTER_METADATA_PARSED], ==, 9);
  g_assert_cmpint(last[DERUSH_COUNTER_METADATA_PARSED], ==, 2);
  derush_counters_reset();
}

typedef struct {
  const char *path;
  GError *error;
  gint *start; /* both threads spin on it, to open at the same moment */
} Opener;

static gpointer
open_worker(gpointer data)
{
  Opener *o = data;
  g_atomic_int_inc(o->start);
  while (g_atomic_int_get(o->start) < 2)
    ;
  DerushCatalog *cat = derush_catalog_open(o->path, &o->error);
  derush_catalog_close(cat);
  return NULL;
}

/* Two processes (here two connections) creating the same new catalog at
 * once: switching it to WAL is answered "database is locked" without the
 * busy handler, which made one of two concurrent first scans fail. */
static void
test_concurrent_first_open(void)
{
  g_autofree char *dir = test_make_tmpdir();
  for (int i = 0; i < 30; i++) {
    g_autofree char *name = g_strdup_printf("c%d.db", i);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    gint start = 0;
    Opener a = {path, NULL, &start}, b = {path, NULL, &start};
    GThread *ta = g_thread_new("a", open_worker, &a);
    GThread *tb = g_thread_new("b", open_worker, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    g_assert_no_error(a.error);
    g_assert_no_error(b.error);
  }
  test_rmrf(dir);
}

static void
test_path_range(void)
{
  char *lo, *hi;
  _derush_path_range("/a/b/", &lo, &hi);
  g_assert_cmpstr(lo, ==, "/a/b/");
  g_assert_cmpstr(hi, ==, "/a/b0");
  g_free(lo);
  g_free(hi);
  _derush_path_range("/", &lo, &hi);
  g_assert_cmpstr(lo, ==, "/");
  g_assert_cmpstr(hi, ==, "0");
  g_free(lo);
  g_free(hi);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/catalog/open-creates-and-reopens", Fixture, NULL, fixture_setup,
             test_open_creates_and_reopens, fixture_teardown);
  g_test_add("/catalog/refuses-newer-schema-and-non-catalogs", Fixture, NULL, fixture_setup,
             test_refuses_newer_schema_and_non_catalogs, fixture_teardown);
  g_test_add("/catalog/foreach-under", Fixture, NULL, fixture_setup, test_foreach_under,
             fixture_teardown);
  g_test_add("/catalog/pairs-and-missing", Fixture, NULL, fixture_setup, test_pairs_and_missing,
             fixture_teardown);
  g_test_add("/catalog/counters-recorded", Fixture, NULL, fixture_setup, test_counters_recorded,
             fixture_teardown);
  g_test_add_func("/catalog/path-range", test_path_range);
  g_test_add_func("/catalog/concurrent-first-open", test_concurrent_first_open);
  return g_test_run();
}
