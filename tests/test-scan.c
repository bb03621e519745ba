/* test-scan.c: the incremental scanner, through the library API, with the
 * work counters as the judge of "read once". */
#include "test-util.h"
#include "catalog/catalog-private.h"
#include <sqlite3.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *tmp;
  char *photos;
  char *cache;
  DerushCatalog *cat;
  GPtrArray *bad; /* "path\treason" reported by the scan */
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->cache = g_build_filename(f->tmp, "cache", NULL);
  g_autofree char *db = g_build_filename(f->tmp, "catalog.db", NULL);
  g_autoptr(GError) error = NULL;
  f->cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  derush_catalog_set_cache_dir(f->cat, f->cache);
  f->bad = g_ptr_array_new_with_free_func(g_free);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  derush_catalog_close(f->cat);
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->photos);
  g_free(f->cache);
  g_ptr_array_unref(f->bad);
}

static char *
photo_path(Fixture *f, const char *rel)
{
  return g_build_filename(f->photos, rel, NULL);
}

static void
make_photo(Fixture *f, const char *rel, int w, int h)
{
  g_autofree char *path = photo_path(f, rel);
  test_make_quadrant_image(path, w, h);
}

static void
on_bad(const char *path, const char *reason, gpointer data)
{
  Fixture *f = data;
  g_assert_nonnull(reason);
  g_assert_cmpstr(reason, !=, "");
  g_ptr_array_add(f->bad, g_strdup_printf("%s\t%s", path, reason));
}

/* Scans f->photos (or @root) with counters reset first; asserts success. */
static void
scan_ok(Fixture *f, const char *root, DerushScanOptions *opts, DerushScanSummary *sum)
{
  DerushScanOptions defaults;
  if (!opts) {
    derush_scan_options_init(&defaults);
    opts = &defaults;
  }
  opts->on_bad_file = on_bad;
  opts->user_data = f;
  g_ptr_array_set_size(f->bad, 0);
  derush_counters_reset();
  const char *roots[] = {root ? root : f->photos, NULL};
  g_autoptr(GError) error = NULL;
  gboolean ok = derush_catalog_scan(f->cat, roots, opts, sum, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  g_assert_true(derush_catalog_check_integrity(f->cat, &error));
}

static DerushPhoto *
get(Fixture *f, const char *rel)
{
  g_autofree char *path = photo_path(f, rel);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(f->cat, path, &error);
  g_assert_no_error(error);
  return p;
}

static gboolean
bad_reported(Fixture *f, const char *rel)
{
  g_autofree char *path = photo_path(f, rel);
  for (guint i = 0; i < f->bad->len; i++)
    if (g_str_has_prefix(f->bad->pdata[i], path) &&
        ((char *)f->bad->pdata[i])[strlen(path)] == '\t')
      return TRUE;
  return FALSE;
}

static void
set_mtime(const char *path, time_t t)
{
  struct timespec ts[2] = {{t, 0}, {t, 0}};
  g_assert_cmpint(utimensat(AT_FDCWD, path, ts, 0), ==, 0);
}

static void
test_incremental(Fixture *f, gconstpointer data)
{
  make_photo(f, "a/one.jpg", 320, 200);
  make_photo(f, "a/two.png", 200, 320);
  make_photo(f, "b/c/three.tif", 64, 48);
  g_autofree char *notes = photo_path(f, "a/notes.txt");
  test_write_file(notes, "not a photo", 11);

  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.files_seen, ==, 3);
  g_assert_cmpint(s.added, ==, 3);
  g_assert_cmpint(s.unreadable, ==, 0);
  g_assert_cmpint(s.metadata_parsed, ==, 3);
  g_assert_cmpint(s.thumbnails_written, ==, 3);
  /* Each photo opened once and decoded once; notes.txt never opened. */
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 3);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, 3);

  g_autoptr(DerushPhoto) one = get(f, "a/one.jpg");
  g_assert_cmpint(one->status, ==, DERUSH_PHOTO_OK);
  g_assert_cmpstr(one->format, ==, "jpeg");
  g_assert_cmpint(one->width, ==, 320);
  g_assert_cmpint(one->height, ==, 200);
  g_assert_cmpuint(one->content_hash, !=, 0);
  /* No EXIF date: the file's mtime, with the machine's offset. */
  g_assert_cmpint(one->meta.time_source, ==, DERUSH_TIME_FILE_MTIME);
  g_assert_cmpint(one->meta.capture_time_ns, ==, one->mtime_ns);

  /* Second scan of an unchanged tree: nothing opened, parsed or decoded. */
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.files_seen, ==, 3);
  g_assert_cmpint(s.unchanged, ==, 3);
  g_assert_cmpint(s.added + s.updated + s.moved + s.missing, ==, 0);
  g_assert_cmpint(s.metadata_parsed, ==, 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, 0);

  /* Touching one file re-reads exactly that one, keeping its id. */
  g_autofree char *two = photo_path(f, "a/two.png");
  set_mtime(two, 1000000000);
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.updated, ==, 1);
  g_assert_cmpint(s.unchanged, ==, 2);
  g_assert_cmpint(s.metadata_parsed, ==, 1);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 1);
  /* Same content: the cached thumbnail serves, nothing is decoded. */
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_THUMBNAIL_CACHE_HITS), ==, 1);
}

static void
test_move_and_missing(Fixture *f, gconstpointer data)
{
  make_photo(f, "x/p1.jpg", 100, 80);
  make_photo(f, "x/p2.jpg", 120, 80);
  make_photo(f, "x/p3.jpg", 140, 80);
  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_autoptr(DerushPhoto) before = get(f, "x/p1.jpg");

  /* Rename within the tree, into a new folder: re-linked, not re-read. */
  g_autofree char *from = photo_path(f, "x/p1.jpg");
  g_autofree char *newdir = photo_path(f, "y/z");
  g_autofree char *to = photo_path(f, "y/z/renamed.jpg");
  g_mkdir_with_parents(newdir, 0755);
  g_assert_cmpint(rename(from, to), ==, 0);
  /* And delete another. */
  g_autofree char *gone = photo_path(f, "x/p2.jpg");
  g_assert_cmpint(unlink(gone), ==, 0);

  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.moved, ==, 1);
  g_assert_cmpint(s.missing, ==, 1);
  g_assert_cmpint(s.added, ==, 0);
  g_assert_cmpint(s.metadata_parsed, ==, 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, 0);
  g_autoptr(DerushPhoto) after = get(f, "y/z/renamed.jpg");
  g_assert_cmpint(after->id, ==, before->id);
  g_assert_cmpint(after->status, ==, DERUSH_PHOTO_OK);
  g_autoptr(DerushPhoto) missing = get(f, "x/p2.jpg");
  g_assert_cmpint(missing->status, ==, DERUSH_PHOTO_MISSING);

  /* A copy is a new photo, not a move. */
  g_autofree char *copy = photo_path(f, "x/copy.jpg");
  test_copy_file(to, copy);
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.added, ==, 1);
  g_assert_cmpint(s.moved, ==, 0);
  g_autoptr(DerushPhoto) c = get(f, "x/copy.jpg");
  g_assert_cmpint(c->id, !=, before->id);

  /* The deleted file comes back: present again, its row kept. */
  make_photo(f, "x/p2.jpg", 120, 80);
  scan_ok(f, NULL, NULL, &s);
  g_autoptr(DerushPhoto) back = get(f, "x/p2.jpg");
  g_assert_cmpint(back->id, ==, missing->id);
  g_assert_cmpint(back->status, ==, DERUSH_PHOTO_OK);

  /* A whole folder removed: its photos are missing, not forgotten. */
  g_autofree char *ydir = photo_path(f, "y");
  test_rmrf(ydir);
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.missing, ==, 1);
  g_autoptr(DerushPhoto) gone2 = get(f, "y/z/renamed.jpg");
  g_assert_cmpint(gone2->status, ==, DERUSH_PHOTO_MISSING);
}

static void
test_bad_files(Fixture *f, gconstpointer data)
{
  make_photo(f, "good.jpg", 64, 64);
  g_autofree char *empty = photo_path(f, "empty.jpg");
  test_write_file(empty, "", 0);
  g_autofree char *text = photo_path(f, "text.jpg");
  test_write_file(text, "hello, I am not a JPEG\n", 23);
  g_autofree char *noise = photo_path(f, "noise.png");
  guint8 junk[4096];
  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (guint8)g_random_int();
  test_write_file(noise, junk, sizeof junk);
  /* A real JPEG cut in half. */
  make_photo(f, "whole.jpg", 400, 300);
  g_autofree char *whole = photo_path(f, "whole.jpg");
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(whole, &bytes, &len, NULL));
  g_autofree char *cut = photo_path(f, "truncated.jpg");
  test_write_file(cut, bytes, len / 2);
  g_assert_cmpint(unlink(whole), ==, 0);
  /* A name that is not UTF-8. */
  g_autofree char *latin1 = photo_path(f, "caf\xe9.jpg");
  test_make_quadrant_image(latin1, 32, 32);

  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.files_seen, ==, 6);
  for (guint i = 0; i < f->bad->len; i++)
    g_test_message("bad: %s", (char *)f->bad->pdata[i]);
  g_assert_cmpint(s.unreadable, ==, 4);
  const char *bad_names[] = {"empty.jpg", "text.jpg", "noise.png", "truncated.jpg"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad_names); i++) {
    g_assert_true(bad_reported(f, bad_names[i]));
    g_autoptr(DerushPhoto) p = get(f, bad_names[i]);
    g_assert_cmpint(p->status, ==, DERUSH_PHOTO_UNREADABLE);
    g_assert_nonnull(p->reason);
  }
  g_autoptr(DerushPhoto) good = get(f, "good.jpg");
  g_assert_cmpint(good->status, ==, DERUSH_PHOTO_OK);
  g_autoptr(DerushPhoto) l1 = get(f, "caf\xe9.jpg");
  g_assert_cmpint(l1->status, ==, DERUSH_PHOTO_OK);

  /* Bad files are a version like any other: not re-read when unchanged. */
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.unchanged, ==, 6);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 0);
}

/* A photo an older derush could not read is read again by the next scan,
 * though the file did not change (a decoder fix, DERUSH_READER_VERSION);
 * one recorded unreadable by this version is not. */
static void
test_reader_version_retry(Fixture *f, gconstpointer data)
{
  make_photo(f, "a.jpg", 600, 450);
  make_photo(f, "b.jpg", 600, 450);
  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.unreadable, ==, 0);
  /* As an older version would have left them: a unreadable by version 0,
   * b unreadable by this version. */
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *st = _derush_catalog_stmt(
      f->cat, "UPDATE photos SET status = 1, reason = 'old decoder', reader = ?1 WHERE name = ?2",
      &error);
  g_assert_no_error(error);
  const struct {
    const char *name;
    int reader;
  } rows[] = {{"a.jpg", 0}, {"b.jpg", DERUSH_READER_VERSION}};
  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    sqlite3_bind_int(st, 1, rows[i].reader);
    sqlite3_bind_text(st, 2, rows[i].name, -1, SQLITE_STATIC);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
    sqlite3_reset(st);
  }

  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.updated, ==, 1);
  g_assert_cmpint(s.unchanged, ==, 1);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 1);
  g_autoptr(DerushPhoto) a = get(f, "a.jpg");
  g_assert_cmpint(a->status, ==, DERUSH_PHOTO_OK);
  g_assert_null(a->reason);
  g_autoptr(DerushPhoto) b = get(f, "b.jpg");
  g_assert_cmpint(b->status, ==, DERUSH_PHOTO_UNREADABLE);
  g_assert_true(bad_reported(f, "b.jpg"));

  /* Read by this version now: unchanged from here on. */
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.unchanged, ==, 2);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 0);
}

static void
test_missing_root(Fixture *f, gconstpointer data)
{
  make_photo(f, "keep.jpg", 32, 32);
  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_autofree char *nowhere = g_build_filename(f->tmp, "does-not-exist", NULL);
  const char *roots[] = {f->photos, nowhere, NULL};
  g_autoptr(GError) error = NULL;
  g_assert_false(derush_catalog_scan(f->cat, roots, NULL, &s, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(error->message, "does-not-exist"));
  /* Nothing already in the catalog is lost. */
  g_autoptr(DerushPhoto) p = get(f, "keep.jpg");
  g_assert_cmpint(p->status, ==, DERUSH_PHOTO_OK);
}

static void
test_symlinks_hidden_excludes(Fixture *f, gconstpointer data)
{
  make_photo(f, "real/r.jpg", 32, 32);
  make_photo(f, ".hidden/h.jpg", 32, 32);
  make_photo(f, "skipme/s.jpg", 32, 32);
  make_photo(f, "real/x_draft.jpg", 32, 32);
  g_autofree char *loop = photo_path(f, "real/loop");
  g_assert_cmpint(symlink("..", loop), ==, 0);
  g_autofree char *self = photo_path(f, "real/self.jpg");
  g_assert_cmpint(symlink("self.jpg", self), ==, 0);

  DerushScanOptions o;
  derush_scan_options_init(&o);
  const char *exclude[] = {"skipme", "*_draft.jpg", NULL};
  o.exclude = exclude;
  o.follow_symlinks = TRUE;
  DerushScanSummary s;
  scan_ok(f, NULL, &o, &s);
  /* r.jpg only; the loop is detected and the self-link reported. */
  g_assert_cmpint(s.files_seen, ==, 1);
  g_assert_true(bad_reported(f, "real/self.jpg"));

  derush_scan_options_init(&o);
  o.include_hidden = TRUE;
  scan_ok(f, NULL, &o, &s);
  g_assert_cmpint(s.files_seen, ==, 4);
  g_assert_cmpint(s.added, ==, 3);
}

static void
test_raw_jpeg_pair_and_single_file(Fixture *f, gconstpointer data)
{
  make_photo(f, "IMG_0001.JPG", 64, 48);
  /* A TIFF named .dng: libraw refuses it, libvips reads it. */
  make_photo(f, "IMG_0001.tif", 64, 48);
  g_autofree char *tif = photo_path(f, "IMG_0001.tif");
  g_autofree char *dng = photo_path(f, "IMG_0001.DNG");
  g_assert_cmpint(rename(tif, dng), ==, 0);
  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_autoptr(DerushPhoto) jpg = get(f, "IMG_0001.JPG");
  g_autoptr(DerushPhoto) raw = get(f, "IMG_0001.DNG");
  g_assert_cmpstr(jpg->pair_path, ==, dng);
  g_assert_nonnull(raw->pair_path);
  g_assert_true(g_str_has_suffix(raw->pair_path, "IMG_0001.JPG"));

  /* A single file as root: only that file is looked at. */
  make_photo(f, "later.jpg", 16, 16);
  g_autofree char *later = photo_path(f, "later.jpg");
  scan_ok(f, later, NULL, &s);
  g_assert_cmpint(s.files_seen, ==, 1);
  g_assert_cmpint(s.added, ==, 1);
  g_assert_cmpint(s.missing, ==, 0);
}

static void
test_shared_corpus(Fixture *f, gconstpointer data)
{
  g_autofree char *near = test_shared_path("corpus/near_dups");
  g_autofree char *edge = test_shared_path("corpus/exif_edge");
  if (!near || !edge) {
    g_test_skip("../shared/corpus absent: corpus scan not run");
    return;
  }
  DerushScanOptions o;
  derush_scan_options_init(&o);
  DerushScanSummary s;
  scan_ok(f, near, &o, &s);
  g_assert_cmpint(s.files_seen, >, 30);
  /* The two random-bytes files named .jpg, reported with a reason. */
  int corrupt = 0;
  for (guint i = 0; i < f->bad->len; i++)
    if (strstr(f->bad->pdata[i], "ukbench09268_corrupt.jpg"))
      corrupt++;
  g_assert_cmpint(corrupt, ==, 2);
  g_assert_cmpint(s.unreadable, ==, 2);

  scan_ok(f, edge, &o, &s);
  gboolean truncated_reported = FALSE;
  for (guint i = 0; i < f->bad->len; i++)
    if (strstr(f->bad->pdata[i], "corrupted.jpg"))
      truncated_reported = TRUE;
  g_assert_true(truncated_reported);
  g_assert_cmpint(s.added, ==, s.files_seen);

  /* Rescanning both: nothing read again. */
  const char *roots[] = {near, edge, NULL};
  derush_counters_reset();
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_scan(f->cat, roots, &o, &s, &error));
  g_assert_cmpint(s.unchanged, ==, s.files_seen);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 0);
}

static void
test_thumbnail_from_cache(Fixture *f, gconstpointer data)
{
  make_photo(f, "t.jpg", 800, 600);
  DerushScanSummary s;
  scan_ok(f, NULL, NULL, &s);
  g_assert_cmpint(s.thumbnails_written, ==, 1);
  g_autofree char *src = photo_path(f, "t.jpg");
  g_autofree char *out = g_build_filename(f->tmp, "out.png", NULL);
  derush_counters_reset();
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_thumbnail_save(f->cat, src, 128, out, &error));
  g_assert_no_error(error);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, 0);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_THUMBNAIL_CACHE_HITS), ==, 1);
  VipsImage *img = vips_image_new_from_file(out, NULL);
  g_assert_nonnull(img);
  g_assert_cmpint(vips_image_get_width(img), ==, 128);
  g_assert_cmpint(vips_image_get_height(img), ==, 96);
  g_object_unref(img);
}

typedef struct {
  Fixture *f;
  int n;
} Deleter;

static gpointer
delete_worker(gpointer data)
{
  Deleter *d = data;
  for (int i = 0; i < d->n; i += 2) {
    g_autofree char *name = g_strdup_printf("v/%03d.jpg", i);
    g_autofree char *path = photo_path(d->f, name);
    unlink(path);
    g_usleep(500);
  }
  return NULL;
}

static void
test_files_vanishing(Fixture *f, gconstpointer data)
{
  /* Files deleted while the scan runs: whatever the timing, the scan
   * finishes, reports only vanished files, and the catalog stays sound. */
  const int n = 120;
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("v/%03d.jpg", i);
    make_photo(f, name, 300, 200);
  }
  Deleter d = {f, n};
  DerushScanOptions o;
  derush_scan_options_init(&o);
  o.threads = 1;
  GThread *t = g_thread_new("deleter", delete_worker, &d);
  DerushScanSummary s;
  scan_ok(f, NULL, &o, &s);
  g_thread_join(t);
  for (guint i = 0; i < f->bad->len; i++)
    g_assert_nonnull(strstr(f->bad->pdata[i], "vanished"));
  g_assert_cmpint(s.unreadable, ==, f->bad->len);
  /* A rescan settles it: exactly the surviving half is present. */
  scan_ok(f, NULL, &o, &s);
  g_assert_cmpint(s.files_seen, ==, n / 2);
  g_assert_cmpint(derush_catalog_count_photos(f->cat, f->photos, DERUSH_PHOTO_OK), ==, n / 2);
  g_assert_cmpint(s.unreadable, ==, 0);
}

static void
drop_privileges(gpointer data)
{
  /* Root reads everything: run the scan as nobody to see a permission error. */
  if (geteuid() == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0)
      _exit(99);
  }
}

static void
test_unreadable_permissions(Fixture *f, gconstpointer data)
{
  make_photo(f, "ok.jpg", 64, 64);
  make_photo(f, "locked.jpg", 64, 64);
  make_photo(f, "closed/inside.jpg", 64, 64);
  g_autofree char *locked = photo_path(f, "locked.jpg");
  g_autofree char *closed = photo_path(f, "closed");
  g_assert_cmpint(chmod(locked, 0), ==, 0);
  g_assert_cmpint(chmod(closed, 0), ==, 0);
  /* Everything else readable and writable by the unprivileged user. */
  g_autofree char *db = g_build_filename(f->tmp, "nobody", "catalog.db", NULL);
  g_autofree char *nobody_dir = g_path_get_dirname(db);
  g_mkdir_with_parents(nobody_dir, 0777);
  chmod(nobody_dir, 0777);
  chmod(f->tmp, 0755);
  chmod(f->photos, 0755);

  const char *bin = g_getenv("DERUSH_BIN");
  const char *argv[] = {bin, "--catalog", db, "scan", "--json", "--no-thumbnails", f->photos, NULL};
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, drop_privileges, NULL, &out, &err,
               &status, &error);
  g_assert_no_error(error);
  chmod(closed, 0755);
  g_assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) == 99) {
    g_test_skip("cannot drop privileges to test permission errors");
    return;
  }
  /* Done, with bad files: exit 1, both named on stderr with the reason. */
  g_assert_cmpint(WEXITSTATUS(status), ==, 1);
  g_assert_nonnull(strstr(err, "locked.jpg"));
  g_assert_nonnull(strstr(err, "closed"));
  g_assert_nonnull(strstr(err, "ermission denied"));
  DerushCatalog *cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, locked, &error);
  g_assert_no_error(error);
  g_assert_cmpint(p->status, ==, DERUSH_PHOTO_UNREADABLE);
  g_assert_nonnull(strstr(p->reason, "ermission denied"));
  g_autofree char *okp = photo_path(f, "ok.jpg");
  g_autoptr(DerushPhoto) ok = derush_catalog_get_photo(cat, okp, &error);
  g_assert_no_error(error);
  g_assert_cmpint(ok->status, ==, DERUSH_PHOTO_OK);
  derush_catalog_close(cat);
}

/* The CLI as nobody (drop_privileges) on @db: its exit status, 99 when
 * privileges could not be dropped; stderr in @err. */
static int
run_as_nobody(const char *db, const char *command, const char *dir, char **err)
{
  const char *argv[] = {g_getenv("DERUSH_BIN"), "--catalog", db, command, dir, NULL};
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, drop_privileges, NULL, NULL,
               err, &status, &error);
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* A catalog in a folder its user cannot write to (SQLite keeps the WAL and
 * its index beside the catalog): an existing catalog and a new one are
 * both refused with the folder named as the reason, not SQLite's "attempt
 * to write a readonly database", and the existing one is left intact. */
static void
test_catalog_folder_read_only(Fixture *f, gconstpointer data)
{
  make_photo(f, "a.jpg", 64, 64);
  g_autofree char *folder = g_build_filename(f->tmp, "ro", NULL);
  g_autofree char *db = g_build_filename(folder, "catalog.db", NULL);
  g_mkdir_with_parents(folder, 0755);
  chmod(f->tmp, 0755);
  chmod(f->photos, 0755);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  const char *roots[] = {f->photos, NULL};
  g_assert_true(derush_catalog_scan(cat, roots, NULL, NULL, &error));
  g_assert_no_error(error);
  derush_catalog_close(cat);
  g_assert_cmpint(chown(folder, 65534, 65534), ==, 0);
  g_assert_cmpint(chown(db, 65534, 65534), ==, 0);
  g_assert_cmpint(chmod(folder, 0555), ==, 0);
  g_autofree char *before = NULL;
  gsize before_len = 0;
  g_assert_true(g_file_get_contents(db, &before, &before_len, NULL));

  const char *commands[] = {"ls", "scan"};
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
    g_autofree char *err = NULL;
    int rc = run_as_nobody(db, commands[i], f->photos, &err);
    if (rc == 99) {
      g_test_skip("cannot drop privileges to test a read-only folder");
      return;
    }
    g_test_message("%s: exit %d: %s", commands[i], rc, err);
    g_assert_cmpint(rc, ==, 2);
    g_assert_nonnull(strstr(err, "cannot write in its folder"));
    g_assert_nonnull(strstr(err, folder));
    g_assert_null(strstr(err, "readonly database"));
  }
  g_autofree char *after = NULL;
  gsize after_len = 0;
  g_assert_true(g_file_get_contents(db, &after, &after_len, NULL));
  g_assert_cmpmem(before, before_len, after, after_len);

  /* No catalog there yet: the same reason, not "unable to open". */
  g_autofree char *fresh = g_build_filename(folder, "new.db", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint(run_as_nobody(fresh, "scan", f->photos, &err), ==, 2);
  g_assert_nonnull(strstr(err, "cannot write in its folder"));
  g_assert_false(g_file_test(fresh, G_FILE_TEST_EXISTS));
  chmod(folder, 0755);
}

/* The summary is optional: a caller that wants no counts passes NULL (it
 * used to crash on the memset). */
static void
test_no_summary(Fixture *f, gconstpointer data)
{
  make_photo(f, "one.jpg", 64, 48);
  scan_ok(f, NULL, NULL, NULL);
  g_autoptr(DerushPhoto) p = get(f, "one.jpg");
  g_assert_nonnull(p);
  g_assert_cmpint(p->width, ==, 64);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD("/scan/reader-version-retry", test_reader_version_retry);
  ADD("/scan/incremental", test_incremental);
  ADD("/scan/move-and-missing", test_move_and_missing);
  ADD("/scan/bad-files", test_bad_files);
  ADD("/scan/missing-root", test_missing_root);
  ADD("/scan/symlinks-hidden-excludes", test_symlinks_hidden_excludes);
  ADD("/scan/raw-jpeg-pair-and-single-file", test_raw_jpeg_pair_and_single_file);
  ADD("/scan/shared-corpus", test_shared_corpus);
  ADD("/scan/thumbnail-from-cache", test_thumbnail_from_cache);
  ADD("/scan/files-vanishing", test_files_vanishing);
  ADD("/scan/unreadable-permissions", test_unreadable_permissions);
  ADD("/scan/catalog-folder-read-only", test_catalog_folder_read_only);
  ADD("/scan/no-summary", test_no_summary);
#undef ADD
  return g_test_run();
}
