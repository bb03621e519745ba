/* test-gtk.c: derush-gtk under a display, driven by its --replay option.
 *
 * Each test starts the real app ($DERUSH_GTK_BIN) on a folder with a
 * script of actions (the same actions and key tables the user goes
 * through), then checks the catalog with the library: labels written for
 * the right photos, undo restored them, filter counts right. Screenshots of
 * the window are rendered by the app itself (GskRenderer to PNG) into
 * $G_TEST_BUILDDIR/gtk-screenshots/, checked for size and non-blankness,
 * and kept for a human to look at.
 *
 * Without $DISPLAY the test starts its own Xvfb on a free display number
 * and stops it at the end; without Xvfb (or the app) it skips, saying why.
 */
#include "gtk-harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void
test_label_undo_filter(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 30);
  g_autofree char *grid = g_build_filename(f->shots, "gtk-grid.png", NULL);
  g_autofree char *viewer = g_build_filename(f->shots, "gtk-viewer.png", NULL);
  g_autofree char *zoomed = g_build_filename(f->shots, "gtk-viewer-100.png", NULL);
  g_autofree char *filtered = g_build_filename(f->shots, "gtk-filter-trash.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "sort name\n"
                                            "expect-shown 30\n"
                                            "select 0\n"
                                            "key k\n"      /* p00 keep, advances to p01 */
                                            "key t\n"      /* p01 trash -> p02 */
                                            "key x\n"      /* p02 trash -> p03 */
                                            "key 4\n"      /* p03 four stars, stays */
                                            "select 5 3\n" /* p05 p06 p07 */
                                            "key k\n"      /* all three keep */
                                            "select 10\n"
                                            "key k\n"          /* p10 keep ... */
                                            "key <Control>z\n" /* ... undone */
                                            "select 12\n"
                                            "key t\n"
                                            "key <Control>z\n"
                                            "key <Control><Shift>z\n" /* p12 trash again */
                                            "filter keep\n"
                                            "expect-shown 4\n"
                                            "filter trash\n"
                                            "expect-shown 3\n"
                                            "wait-thumbnails\n"
                                            "screenshot %s\n"
                                            "filter unlabelled\n"
                                            "expect-shown 23\n"
                                            "filter all\n"
                                            "expect-shown 30\n"
                                            "select 0\n"
                                            "wait-thumbnails\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "select 1\n"
                                            "key space\n"
                                            "wait-viewer\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "key z\n"
                                            "wait-viewer\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "key z\n"
                                            "key Right\n" /* viewer: next photo, p02 */
                                            "key u\n"     /* p02 unlabelled, inside the viewer */
                                            "key Escape\n"
                                            "counters\n"
                                            "quit\n",
                                            filtered, grid, viewer, zoomed);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  check_screenshot(out, grid);
  check_screenshot(out, viewer);
  check_screenshot(out, zoomed);
  check_screenshot(out, filtered);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  const struct {
    int i;
    DerushLabel label;
    int stars;
  } want[] = {
      {0, DERUSH_LABEL_KEEP, 0},  {1, DERUSH_LABEL_TRASH, 0},  {2, DERUSH_LABEL_NONE, 0},
      {3, DERUSH_LABEL_NONE, 4},  {4, DERUSH_LABEL_NONE, 0},   {5, DERUSH_LABEL_KEEP, 0},
      {6, DERUSH_LABEL_KEEP, 0},  {7, DERUSH_LABEL_KEEP, 0},   {8, DERUSH_LABEL_NONE, 0},
      {10, DERUSH_LABEL_NONE, 0}, {12, DERUSH_LABEL_TRASH, 0}, {29, DERUSH_LABEL_NONE, 0},
  };
  for (gsize k = 0; k < G_N_ELEMENTS(want); k++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, want[k].i);
    g_test_message("p%02d: %s, %d stars", want[k].i, derush_label_name(p->label), p->stars);
    g_assert_cmpint(p->label, ==, want[k].label);
    g_assert_cmpint(p->stars, ==, want[k].stars);
  }
  /* p10 was labelled, then undone: it has history. */
  g_autoptr(DerushPhoto) p10 = photo(cat, f, 10);
  g_assert_true(p10->labelled);
  derush_catalog_close(cat);

  /* Cells are recycled: at most one live widget per photo here (all fit
   * on screen); filter changes may replace some, never pile them up. */
  g_assert_cmpint(counter_from(out, "cells_alive"), <=, 30);
  g_assert_cmpint(counter_from(out, "widgets_created"), <=, 4 * 30);
  g_assert_cmpint(counter_from(out, "textures_loaded"), >=, 1);
}

static gboolean
count_label_cb(const DerushPhoto *p, gpointer user_data)
{
  guint *counts = user_data;
  counts[p->label]++;
  return TRUE;
}

static void
test_demo_set(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *demo = test_demo_dir();
  g_autofree char *grid = g_build_filename(f->shots, "gtk-demo-grid.png", NULL);
  g_autofree char *viewer = g_build_filename(f->shots, "gtk-demo-viewer.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-thumbnails\n"
                                            "select 0\n"
                                            "key k\n"
                                            "key t\n"
                                            "key 5\n"
                                            "key 0\n"
                                            "key 3\n"
                                            "select 6\n"
                                            "key k\n"
                                            "key k\n"
                                            "select 3\n"
                                            "wait-thumbnails\n"
                                            "sleep 300\n"
                                            "screenshot %s\n"
                                            "key Return\n"
                                            "wait-viewer\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "key Escape\n"
                                            "counters\n"
                                            "quit\n",
                                            grid, viewer);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);
  check_screenshot(out, grid);
  check_screenshot(out, viewer);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  gint64 total = derush_catalog_count_photos(cat, demo, -1);
  guint counts[3] = {0, 0, 0};
  g_assert_true(derush_catalog_foreach_photo(cat, demo, count_label_cb, counts, &error));
  derush_catalog_close(cat);
  /* Three keeps and a trash (more when a RAW+JPEG partner came along). */
  g_assert_cmpuint(counts[DERUSH_LABEL_KEEP], >=, 3);
  g_assert_cmpuint(counts[DERUSH_LABEL_TRASH], >=, 1);
  g_test_message("demo: %" G_GINT64_FORMAT " photos, %" G_GINT64_FORMAT
                 " cell widgets created, %" G_GINT64_FORMAT " cells bound, %" G_GINT64_FORMAT
                 " drawn",
                 total, counter_from(out, "widgets_created"), counter_from(out, "cells_bound"),
                 counter_from(out, "cells_drawn"));
  /* Recycling: widgets grow with the window, not with the photos. */
  g_assert_cmpint(total, >, 100);
  g_assert_cmpint(counter_from(out, "cells_alive"), <, total / 2);
  g_assert_cmpint(counter_from(out, "widgets_created"), <, total);
}

static guint
shown_from(const char *out, const char *after)
{
  const char *from = strstr(out, after);
  g_assert_nonnull(from);
  const char *line = strstr(from, "shown ");
  g_assert_nonnull(line);
  return (guint)g_ascii_strtoull(line + strlen("shown "), NULL, 10);
}

/* Analysis after the scan: group badges and warnings in the grid, the
 * best-of-group filter and the group and sharpness sorts. */
static void
test_demo_analysis(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *demo = test_demo_dir();
  g_autofree char *groups = g_build_filename(f->shots, "gtk-demo-groups.png", NULL);
  g_autofree char *best = g_build_filename(f->shots, "gtk-demo-best.png", NULL);
  g_autofree char *sharp = g_build_filename(f->shots, "gtk-demo-sharpness.png", NULL);
  g_autofree char *compare = g_build_filename(f->shots, "gtk-demo-compare.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-analyzed\n"
                                            "print-analysis\n"
                                            "filter all\n"
                                            "print-shown\n"
                                            "sort group\n"
                                            "select 0\n"
                                            "key g\n"
                                            "wait-thumbnails\n"
                                            "sleep 300\n"
                                            "screenshot %s\n"
                                            /* compare the group G landed on: the
                                             * second pane is the keeper */
                                            "key c\n"
                                            "wait-compare\n"
                                            "key Right\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "key <Shift>k\n"
                                            "key Escape\n"
                                            "filter best\n"
                                            "print-shown\n"
                                            "wait-thumbnails\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "filter all\n"
                                            "sort sharpness\n"
                                            "select 0\n"
                                            "wait-thumbnails\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "quit\n",
                                            groups, compare, best, sharp);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);
  check_screenshot(out, groups);
  check_screenshot(out, best);
  check_screenshot(out, sharp);
  check_screenshot(out, compare);
  g_assert_nonnull(strstr(out, "toast: Kept "));
  /* No detector model in the app's folders (its XDG_DATA_HOME is the
   * test's; unless one is installed): one toast says how to add it, once
   * however many analyses ran. */
  g_autofree char *installed = derush_model_find(DERUSH_DETECTOR_MODEL);
  if (!installed) {
    const char *note = strstr(out, "toast: Object detection is off: add yolox_nano.onnx to ");
    g_assert_nonnull(note);
    g_assert_nonnull(strstr(note, "(docs/models.md)\n"));
    g_assert_null(strstr(note + 1, "toast: Object detection is off"));
  }

  /* Shift+K in compare: one keeper, the rest of the panes to trash. */
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  guint counts[3] = {0, 0, 0};
  g_assert_true(derush_catalog_foreach_photo(cat, demo, count_label_cb, counts, &error));
  derush_catalog_close(cat);
  g_assert_cmpuint(counts[DERUSH_LABEL_KEEP], >=, 1);
  g_assert_cmpuint(counts[DERUSH_LABEL_TRASH], >=, 1);

  const char *line = strstr(out, "analysis grouped ");
  g_assert_nonnull(line);
  guint grouped = 0, n_best = 0, flagged = 0;
  g_assert_cmpint(
      sscanf(line, "analysis grouped %u best %u flagged %u", &grouped, &n_best, &flagged), ==, 3);
  g_test_message("demo analysis: %u grouped, %u best picks, %u flagged", grouped, n_best, flagged);
  /* truth.csv has bursts and near-duplicate groups: some must be found. */
  g_assert_cmpuint(n_best, >=, 2);
  g_assert_cmpuint(grouped, >, n_best);

  guint all = shown_from(out, "analysis grouped");
  guint best_only = shown_from(out, "screenshot ");
  g_test_message("all: %u shown, best of each group: %u", all, best_only);
  /* Each group keeps one photo: exactly the non-best members leave. */
  g_assert_cmpuint(best_only, <, all);
  g_assert_cmpuint(best_only, ==, all - (grouped - n_best));
}

static void
test_empty_folder(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  g_mkdir_with_parents(f->photos, 0755);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-empty.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "expect-shown 0\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "quit\n",
                                            shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "toast: No photos"));
  check_screenshot(out, shot);
}

/* Writes zeros into @path until the disk says no. */
static void
fill_disk(const char *path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint(fd, >=, 0);
  static const char zeros[16384];
  while (write(fd, zeros, sizeof zeros) > 0)
    ;
  close(fd);
}

/* The catalog's disk is full: the catalog opens read-only holding its
 * lock, and the window says so at once (it used to show "Reading
 * Photos…" forever while its loader waited on that lock). */
static void
test_disk_full(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (getuid() != 0) {
    g_test_skip("needs root to mount a small tmpfs");
    return;
  }
  g_autofree char *mnt = g_build_filename(f->tmp, "mnt", NULL);
  g_mkdir(mnt, 0700);
  g_autofree char *mount_cmd = g_strdup_printf("mount -t tmpfs -o size=2m tmpfs '%s'", mnt);
  int status = 0;
  if (!g_spawn_command_line_sync(mount_cmd, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status(status, NULL)) {
    g_test_skip("cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)");
    return;
  }
  make_photos(f, 2);
  g_free(f->catalog);
  f->catalog = g_build_filename(mnt, "cat.db", NULL);
  g_autofree char *p0 = g_build_filename(f->photos, "p00.jpg", NULL);
  g_auto(GStrv) env = test_isolated_env(f->tmp, f->catalog);
  g_assert_cmpint(test_run_derush_on(f->catalog, (const char *const *)env, NULL, NULL, "label", p0,
                                     "keep", NULL),
                  ==, 0);
  g_autofree char *fill = g_build_filename(mnt, "fill", NULL);
  fill_disk(fill);

  g_autofree char *shot = g_build_filename(f->shots, "gtk-disk-full.png", NULL);
  g_autofree char *script =
      g_strdup_printf("print-message\nsleep 500\nscreenshot %s\nkey k\nquit\n", shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "message Disk Full\n"));
  check_screenshot(out, shot);

  /* Space back: the label made before is there. */
  g_unlink(fill);
  g_autofree char *ls = NULL;
  g_assert_cmpint(
      test_run_derush_on(f->catalog, (const char *const *)env, &ls, NULL, "ls", "--json", p0, NULL),
      ==, 0);
  g_assert_nonnull(strstr(ls, "\"label\":\"keep\""));
  g_autofree char *umount_cmd = g_strdup_printf("umount '%s'", mnt);
  g_spawn_command_line_sync(umount_cmd, NULL, NULL, NULL, NULL);
}

static void
test_missing_at_start(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  g_autofree char *gone = g_build_filename(f->tmp, "not-there", NULL);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-missing.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "expect-shown 0\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "quit\n",
                                            shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, gone, script, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "is not available"));
  check_screenshot(out, shot);
}

static void
test_folder_vanishes(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 30);
  g_autofree char *ready = g_build_filename(f->tmp, "ready", NULL);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-vanished.png", NULL);
  /* Half the thumbnails may still be pending when the folder goes: they
   * must end as markers, not as a crash. */
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "sort name\n"
                                            "select 0\n"
                                            "touch %s\n"
                                            "wait-missing\n"
                                            "key k\n"
                                            "key <Control>plus\n"
                                            "key space\n"
                                            "sleep 300\n"
                                            "key Escape\n"
                                            "wait-thumbnails\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "quit\n",
                                            ready, shot);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);
  for (int i = 0; i < 1200 && !g_file_test(ready, G_FILE_TEST_EXISTS); i++)
    g_usleep(50 * 1000);
  g_assert_true(g_file_test(ready, G_FILE_TEST_EXISTS));
  test_rmrf(f->photos);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "is no longer available"));
  check_screenshot(out, shot);

  /* The label made after the folder went is in the catalog. */
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) p = photo(cat, f, 0);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_KEEP);
  derush_catalog_close(cat);
}

/* ------------------------------------------------------------ apply */

/* The fixture's photos in the catalog, as a scan before the app would
 * leave them (no thumbnails: the app makes its own). */
static DerushCatalog *
scan_fixture(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", "derush", NULL);
  derush_catalog_set_cache_dir(cat, cache);
  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.thumbnails = FALSE;
  const char *roots[] = {f->photos, NULL};
  DerushScanSummary sum;
  g_assert_true(derush_catalog_scan(cat, roots, &options, &sum, &error));
  g_assert_no_error(error);
  return cat;
}

/* Labels photo @i; @stars < 0 leaves its stars alone. */
static void
set_label(DerushCatalog *cat, Fixture *f, int i, DerushLabel label, int stars)
{
  g_autoptr(DerushPhoto) p = photo(cat, f, i);
  DerushLabelChange change = {TRUE, label, stars >= 0, MAX(stars, 0)};
  g_autoptr(GError) error = NULL;
  g_assert_true(
      derush_catalog_set_labels(cat, &p->id, 1, &change, DERUSH_SOURCE_USER, NULL, &error));
  g_assert_no_error(error);
}

/* A darktable-style sidecar with an edit history the apply must carry
 * along byte for byte. */
static void
write_sidecar(const char *path)
{
  static const char xmp[] =
      "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
      " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "  <rdf:Description rdf:about=\"\" xmlns:darktable=\"http://darktable.sf.net/\"\n"
      "   darktable:history_end=\"2\"/>\n"
      " </rdf:RDF>\n"
      "</x:xmpmeta>\n"
      "<?xpacket end=\"w\"?>\n";
  test_write_file(path, xmp, strlen(xmp));
}

/* Every regular file of @dir (not below): name -> contents. */
static GHashTable *
read_folder(const char *dir)
{
  GHashTable *files =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *data = NULL;
    gsize len = 0;
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && g_file_get_contents(path, &data, &len, NULL))
      g_hash_table_insert(files, g_strdup(name), g_bytes_new_take(data, len));
  }
  return files;
}

/* @dir holds exactly the files of @want (names in @names, or all of
 * @want), byte for byte. */
static void
assert_folder(const char *dir, GHashTable *want, const char *const *names)
{
  g_autoptr(GHashTable) got = read_folder(dir);
  guint n = 0;
  GHashTableIter iter;
  gpointer name, bytes;
  g_hash_table_iter_init(&iter, want);
  while (g_hash_table_iter_next(&iter, &name, &bytes)) {
    if (names && !g_strv_contains(names, name))
      continue;
    GBytes *other = g_hash_table_lookup(got, name);
    if (!other || !g_bytes_equal(other, bytes))
      g_test_message("%s/%s: %s", dir, (char *)name, other ? "different bytes" : "missing");
    g_assert_nonnull(other);
    g_assert_true(g_bytes_equal(other, bytes));
    n++;
  }
  g_assert_cmpuint(g_hash_table_size(got), ==, n);
}

/* The files of @want not named in @names. */
static const char **
other_names(GHashTable *want, const char *const *names)
{
  GPtrArray *rest = g_ptr_array_new();
  GHashTableIter iter;
  gpointer name;
  g_hash_table_iter_init(&iter, want);
  while (g_hash_table_iter_next(&iter, &name, NULL))
    if (!g_strv_contains(names, name))
      g_ptr_array_add(rest, name);
  g_ptr_array_add(rest, NULL);
  return (const char **)g_ptr_array_free(rest, FALSE);
}

/* Waits until the app touches @path (it stopped at a `wait-file`); fails
 * with the app's output if it exits or hangs first. */
static void
await_app(GSubprocess *proc, const char *path)
{
  for (int i = 0;
       i < 2400 && !g_file_test(path, G_FILE_TEST_EXISTS) && g_subprocess_get_identifier(proc); i++)
    g_usleep(50 * 1000);
  if (g_file_test(path, G_FILE_TEST_EXISTS))
    return;
  g_subprocess_force_exit(proc);
  g_autofree char *out = NULL, *err = NULL;
  g_subprocess_communicate_utf8(proc, NULL, NULL, &out, &err, NULL);
  g_test_message("app stdout:\n%s\napp stderr:\n%s", out, err);
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* Lets the app go on past its `wait-file @path`. */
static void
resume_app(const char *path)
{
  test_write_file(path, "", 0);
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The app's "dry-run VERB PATH..." lines (one per file), sorted, joined. */
static char *
dry_run_files(const char *out)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  for (int i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "dry-run ") && !g_str_has_prefix(lines[i], "dry-run photos ") &&
        !g_str_has_prefix(lines[i], "dry-run sidecars "))
      g_ptr_array_add(files, lines[i]);
  g_ptr_array_sort(files, compare_strings);
  g_ptr_array_add(files, NULL);
  return g_strjoinv("\n", (char **)files->pdata);
}

/* @lines (NULL-terminated) sorted and joined, as dry_run_files() does. */
static char *
sorted_lines(const char **lines)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();
  for (int i = 0; lines[i]; i++)
    g_ptr_array_add(sorted, (gpointer)lines[i]);
  g_ptr_array_sort(sorted, compare_strings);
  g_ptr_array_add(sorted, NULL);
  return g_strjoinv("\n", (char **)sorted->pdata);
}

static gint64
folder_bytes(GHashTable *files, const char *const *names)
{
  gint64 total = 0;
  for (int i = 0; names[i]; i++)
    total += g_bytes_get_size(g_hash_table_lookup(files, names[i]));
  return total;
}

static DerushPhoto *
photo_at(DerushCatalog *cat, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(cat, path, &error);
  g_assert_no_error(error);
  g_assert_nonnull(p);
  return p;
}

/* The dialog's picture: a dialog's size, not blank. */
static void
check_dialog_screenshot(const char *out, const char *path)
{
  check_screenshot_size(out, path, 400, 400);
}

/* Trash from the dialog: the dry run lists exactly the photos labelled
 * trash (with a sidecar) and touches nothing; confirming puts them in the
 * isolated desktop trash and the grid shows them missing; Undo (the
 * toast's action) brings them back byte for byte. */
static void
test_apply_trash(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 12);
  g_autofree char *xmp = g_build_filename(f->photos, "p03.jpg.xmp", NULL);
  write_sidecar(xmp);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 3, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 7, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 0, DERUSH_LABEL_KEEP, -1); /* keepers stay */
  derush_catalog_close(cat);
  g_autoptr(GHashTable) before = read_folder(f->photos);
  g_assert_cmpuint(g_hash_table_size(before), ==, 13);

  g_autofree char *dry = g_build_filename(f->tmp, "dry", NULL);
  g_autofree char *go1 = g_build_filename(f->tmp, "go1", NULL);
  g_autofree char *applied = g_build_filename(f->tmp, "applied", NULL);
  g_autofree char *go2 = g_build_filename(f->tmp, "go2", NULL);
  g_autofree char *dialog = g_build_filename(f->shots, "gtk-apply-trash-dialog.png", NULL);
  g_autofree char *toast = g_build_filename(f->shots, "gtk-apply-trash-done.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "sort name\n"
                                            "apply-dialog trash\n"
                                            "apply-dry-run\n"
                                            "sleep 300\n"
                                            "screenshot-dialog %s\n"
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "expect-shown 12\n" /* missing, still listed */
                                            "wait-thumbnails\n"
                                            "sleep 300\n"
                                            "screenshot %s\n"
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-undo\n"
                                            "wait-apply\n"
                                            "expect-shown 12\n"
                                            "quit\n",
                                            dialog, dry, go1, toast, applied, go2);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);

  /* The dry run is on screen: nothing moved, nothing in the trash. */
  await_app(proc, dry);
  g_autofree char *trash_files = g_build_filename(f->tmp, "data", "Trash", "files", NULL);
  g_autofree char *trash_info = g_build_filename(f->tmp, "data", "Trash", "info", NULL);
  assert_folder(f->photos, before, NULL);
  g_autoptr(GHashTable) empty = g_hash_table_new(g_str_hash, g_str_equal);
  assert_folder(trash_files, empty, NULL);
  resume_app(go1);

  /* Applied: exactly the trash-labelled photos and their sidecar are in
   * the trash, unchanged; the catalog marks the photos missing. */
  await_app(proc, applied);
  static const char *const gone[] = {"p01.jpg", "p03.jpg", "p03.jpg.xmp", "p07.jpg", NULL};
  g_autofree const char **kept = other_names(before, gone);
  assert_folder(f->photos, before, kept);
  assert_folder(trash_files, before, gone);
  g_autoptr(GHashTable) infos = read_folder(trash_info);
  g_assert_cmpuint(g_hash_table_size(infos), ==, 4);
  cat = derush_catalog_open(f->catalog, NULL);
  g_assert_nonnull(cat);
  for (int i = 0; i < 12; i++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, i);
    gboolean trashed = i == 1 || i == 3 || i == 7;
    g_assert_cmpint(p->status, ==, trashed ? DERUSH_PHOTO_MISSING : DERUSH_PHOTO_OK);
  }
  derush_catalog_close(cat);
  resume_app(go2);

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);
  /* The dry run listed exactly those files, with their total size. */
  g_autofree char *header = g_strdup_printf("dry-run photos 3 files 4 bytes %" G_GINT64_FORMAT "\n",
                                            folder_bytes(before, gone));
  g_assert_nonnull(strstr(out, header));
  g_autofree char *p01 = g_strdup_printf("dry-run trash %s/p01.jpg", f->photos);
  g_autofree char *p03 = g_strdup_printf("dry-run trash %s/p03.jpg", f->photos);
  g_autofree char *p03x = g_strdup_printf("dry-run trash %s/p03.jpg.xmp", f->photos);
  g_autofree char *p07 = g_strdup_printf("dry-run trash %s/p07.jpg", f->photos);
  const char *want_lines[] = {p01, p03, p03x, p07, NULL};
  g_autofree char *want = sorted_lines(want_lines);
  g_autofree char *got = dry_run_files(out);
  g_assert_cmpstr(got, ==, want);
  g_assert_nonnull(strstr(out, "toast: Moved 3 photos to the Trash [win.undo-apply]"));
  g_assert_nonnull(strstr(out, "toast: Restored 4 files\n"));
  check_dialog_screenshot(out, dialog);
  check_screenshot(out, toast);

  /* Undone: every file back, byte for byte; the trash is empty again. */
  assert_folder(f->photos, before, NULL);
  assert_folder(trash_files, empty, NULL);
  g_autoptr(GHashTable) infos_after = read_folder(trash_info);
  g_assert_cmpuint(g_hash_table_size(infos_after), ==, 0);
  cat = derush_catalog_open(f->catalog, NULL);
  for (int i = 0; i < 12; i++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, i);
    g_assert_cmpint(p->status, ==, DERUSH_PHOTO_OK);
    g_assert_cmpint(p->label, ==,
                    i == 0                         ? DERUSH_LABEL_KEEP
                    : (i == 1 || i == 3 || i == 7) ? DERUSH_LABEL_TRASH
                                                   : DERUSH_LABEL_NONE);
  }
  derush_catalog_close(cat);
}

/* Move to a folder whose name is taken for one photo: the dry run shows
 * the -1 suffix the apply then uses; the moved photos leave the grid and
 * keep their catalog rows (and labels) at the new paths; Undo puts them
 * back and leaves the folder's own file alone. */
static void
test_apply_move(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 12);
  g_autofree char *xmp = g_build_filename(f->photos, "p07.jpg.xmp", NULL);
  write_sidecar(xmp);
  g_autofree char *rejects = g_build_filename(f->tmp, "rejects", NULL);
  g_mkdir_with_parents(rejects, 0755);
  g_autofree char *taken = g_build_filename(rejects, "p03.jpg", NULL);
  g_autofree char *p05 = g_build_filename(f->photos, "p05.jpg", NULL);
  test_copy_file(p05, taken);
  g_autoptr(GHashTable) rejects_before = read_folder(rejects);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, 2);
  set_label(cat, f, 3, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 7, DERUSH_LABEL_TRASH, -1);
  g_autoptr(DerushPhoto) p03 = photo(cat, f, 3);
  gint64 p03_id = p03->id;
  derush_catalog_close(cat);
  g_autoptr(GHashTable) before = read_folder(f->photos);

  g_autofree char *moved = g_build_filename(f->tmp, "moved", NULL);
  g_autofree char *go = g_build_filename(f->tmp, "go", NULL);
  g_autofree char *dialog = g_build_filename(f->shots, "gtk-apply-move-dialog.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "apply-dialog move %s\n"
                                            "apply-dry-run\n"
                                            "sleep 300\n"
                                            "screenshot-dialog %s\n"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "expect-shown 9\n" /* moved out of the folder */
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-undo\n"
                                            "wait-apply\n"
                                            "expect-shown 12\n"
                                            "quit\n",
                                            rejects, dialog, moved, go);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);

  await_app(proc, moved);
  static const char *const gone[] = {"p01.jpg", "p03.jpg", "p07.jpg", "p07.jpg.xmp", NULL};
  g_autofree const char **kept = other_names(before, gone);
  assert_folder(f->photos, before, kept);
  g_autoptr(GHashTable) rejects_now = read_folder(rejects);
  g_assert_cmpuint(g_hash_table_size(rejects_now), ==, 5);
  const struct {
    const char *from, *to;
  } renames[] = {{"p01.jpg", "p01.jpg"},
                 {"p03.jpg", "p03-1.jpg"},
                 {"p07.jpg", "p07.jpg"},
                 {"p07.jpg.xmp", "p07.jpg.xmp"}};
  for (gsize i = 0; i < G_N_ELEMENTS(renames); i++)
    g_assert_true(g_bytes_equal(g_hash_table_lookup(rejects_now, renames[i].to),
                                g_hash_table_lookup(before, renames[i].from)));
  g_assert_true(g_bytes_equal(g_hash_table_lookup(rejects_now, "p03.jpg"),
                              g_hash_table_lookup(rejects_before, "p03.jpg")));
  cat = derush_catalog_open(f->catalog, NULL);
  g_autoptr(DerushPhoto) moved03 = photo_at(cat, rejects, "p03-1.jpg");
  g_assert_cmpint(moved03->id, ==, p03_id);
  g_assert_cmpint(moved03->label, ==, DERUSH_LABEL_TRASH);
  g_autoptr(DerushPhoto) moved01 = photo_at(cat, rejects, "p01.jpg");
  g_assert_cmpint(moved01->stars, ==, 2);
  derush_catalog_close(cat);
  resume_app(go);

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);
  g_autofree char *header = g_strdup_printf("dry-run photos 3 files 4 bytes %" G_GINT64_FORMAT "\n",
                                            folder_bytes(before, gone));
  g_assert_nonnull(strstr(out, header));
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  for (gsize i = 0; i < G_N_ELEMENTS(renames); i++)
    g_ptr_array_add(lines, g_strdup_printf("dry-run move %s/%s -> %s/%s", f->photos,
                                           renames[i].from, rejects, renames[i].to));
  g_ptr_array_add(lines, NULL);
  g_autofree char *want = sorted_lines((const char **)lines->pdata);
  g_ptr_array_unref(lines);
  g_autofree char *got = dry_run_files(out);
  g_assert_cmpstr(got, ==, want);
  g_assert_nonnull(strstr(out, "toast: Moved 3 photos to rejects [win.undo-apply]"));
  check_dialog_screenshot(out, dialog);

  /* Undone: back where they were, the folder's own p03.jpg untouched. */
  assert_folder(f->photos, before, NULL);
  assert_folder(rejects, rejects_before, NULL);
  cat = derush_catalog_open(f->catalog, NULL);
  g_autoptr(DerushPhoto) back = photo(cat, f, 3);
  g_assert_cmpint(back->id, ==, p03_id);
  g_assert_cmpint(back->status, ==, DERUSH_PHOTO_OK);
  derush_catalog_close(cat);
}

/* XMP sidecars from the dialog: the dry run names the sidecars of the
 * labelled photos and writes none; confirming writes them, and a fresh
 * catalog scanning the folder reads the same decisions back. */
static void
test_apply_xmp(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 6);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 0, DERUSH_LABEL_KEEP, 3);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 2, DERUSH_LABEL_NONE, 4);
  derush_catalog_close(cat);
  g_autoptr(GHashTable) before = read_folder(f->photos);

  g_autofree char *dry = g_build_filename(f->tmp, "dry", NULL);
  g_autofree char *go = g_build_filename(f->tmp, "go", NULL);
  g_autofree char *dialog = g_build_filename(f->shots, "gtk-apply-xmp-dialog.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "apply-dialog xmp darktable\n"
                                            "apply-dry-run\n"
                                            "sleep 300\n"
                                            "screenshot-dialog %s\n"
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "expect-shown 6\n"
                                            "quit\n",
                                            dialog, dry, go);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);
  await_app(proc, dry);
  assert_folder(f->photos, before, NULL); /* no sidecar yet */
  resume_app(go);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);

  g_assert_nonnull(strstr(out, "dry-run sidecars write 3 unchanged 0 conflicts 0\n"));
  g_autofree char *x0 = g_strdup_printf("dry-run write %s/p00.jpg.xmp", f->photos);
  g_autofree char *x1 = g_strdup_printf("dry-run write %s/p01.jpg.xmp", f->photos);
  g_autofree char *x2 = g_strdup_printf("dry-run write %s/p02.jpg.xmp", f->photos);
  const char *want_lines[] = {x0, x1, x2, NULL};
  g_autofree char *want = sorted_lines(want_lines);
  g_autofree char *got = dry_run_files(out);
  g_assert_cmpstr(got, ==, want);
  g_assert_nonnull(strstr(out, "toast: Wrote 3 sidecars (darktable), 0 already up to date\n"));
  check_dialog_screenshot(out, dialog);

  /* Photos untouched; exactly three sidecars added. */
  g_autoptr(GHashTable) after = read_folder(f->photos);
  g_assert_cmpuint(g_hash_table_size(after), ==, g_hash_table_size(before) + 3);
  static const char *const sidecars[] = {"p00.jpg.xmp", "p01.jpg.xmp", "p02.jpg.xmp", NULL};
  for (int i = 0; sidecars[i]; i++)
    g_assert_true(g_hash_table_contains(after, sidecars[i]));
  GHashTableIter iter;
  gpointer name, bytes;
  g_hash_table_iter_init(&iter, before);
  while (g_hash_table_iter_next(&iter, &name, &bytes))
    g_assert_true(g_bytes_equal(g_hash_table_lookup(after, name), bytes));

  /* Readable back: another catalog learns the decisions from them. */
  g_free(f->catalog);
  f->catalog = g_build_filename(f->tmp, "fresh.db", NULL);
  cat = scan_fixture(f);
  const struct {
    DerushLabel label;
    int stars;
  } want_labels[] = {{DERUSH_LABEL_KEEP, 3}, {DERUSH_LABEL_TRASH, 0}, {DERUSH_LABEL_NONE, 4},
                     {DERUSH_LABEL_NONE, 0}, {DERUSH_LABEL_NONE, 0},  {DERUSH_LABEL_NONE, 0}};
  for (int i = 0; i < 6; i++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, i);
    g_test_message("p%02d from the sidecar: %s, %d stars", i, derush_label_name(p->label),
                   p->stars);
    g_assert_cmpint(p->label, ==, want_labels[i].label);
    g_assert_cmpint(p->stars, ==, want_labels[i].stars);
  }
  derush_catalog_close(cat);
}

/* The value of @key in the app's last "bench KIND key=value..." line. */
static double
bench_value(const char *out, const char *kind, const char *key)
{
  g_autofree char *tag = g_strdup_printf("bench %s ", kind);
  g_autofree char *want = g_strdup_printf(" %s=", key);
  const char *line = NULL;
  for (const char *at = strstr(out, tag); at; at = strstr(at + 1, tag))
    if (at == out || at[-1] == '\n')
      line = at;
  g_assert_nonnull(line);
  const char *end = strchr(line, '\n');
  const char *v = g_strstr_len(line, end ? end - line : -1, want);
  g_assert_nonnull(v);
  return g_ascii_strtod(v + strlen(want), NULL);
}

/* The benchmark mode (bench/app.sh runs it on 100,000 photos) on the demo
 * set, briefly: work counters only, no timing. Scrolling through every
 * photo creates no widgets beyond what the window shows (GtkGridView 4.8
 * keeps 30 rows of cells at most), and a refresh of every photo's
 * analysis redraws no more than the cells alive. */
static void
test_bench_mode(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *script = "bench-startup\n"
                       "bench-loaded\n"
                       "wait-thumbnails\n"
                       "bench-scroll 2 12000\n" /* the demo's 80 rows, down and back */
                       "bench-refresh\n"
                       "bench-refresh groups\n"
                       "bench-memory\n"
                       "counters\n"
                       "quit\n";
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, test_demo_dir(), script, &out, &err), ==, 0);

  double shown = bench_value(out, "scroll", "photos_shown");
  double columns = bench_value(out, "scroll", "columns");
  double alive = bench_value(out, "refresh", "cells_alive");
  gint64 widgets = counter_from(out, "widgets_created");
  g_test_message("%.0f photos, %.0f columns, %.0f frames, %.0f photos passed; %" G_GINT64_FORMAT
                 " widgets created, %.0f created while scrolling; refresh drew %.0f of %.0f "
                 "cells (%.0f on screen)",
                 shown, columns, bench_value(out, "scroll", "frames"),
                 bench_value(out, "scroll", "photos_passed"), widgets,
                 bench_value(out, "scroll", "widgets_created"),
                 bench_value(out, "refresh", "cells_drawn"), alive,
                 bench_value(out, "refresh", "cells_mapped"));
  g_assert_cmpfloat(bench_value(out, "startup", "grid_ms"), >, 0);
  g_assert_cmpfloat(bench_value(out, "scroll", "frames"), >, 0);
  g_assert_cmpfloat(bench_value(out, "memory", "vmhwm_kb"), >, 0);

  /* The window's 1400 px hold a few columns; GtkGridView 4.8 keeps cells
   * for 30 rows of them and recycles them, however many photos go by (a
   * model change while loading may replace them once: at 100,000 photos
   * bench/app.sh counts ~200 made for 130 alive). */
  g_assert_cmpfloat(columns, >=, 1);
  g_assert_cmpfloat(columns, <=, 1400 / (96 + 24));
  g_assert_cmpint(widgets, <=, (gint64)(2 * columns * (30 + 4)));
  g_assert_cmpfloat(bench_value(out, "scroll", "photos_passed"), >, shown);
  g_assert_cmpfloat(bench_value(out, "scroll", "widgets_created"), <=, 2 * columns);
  g_assert_cmpfloat(bench_value(out, "scroll", "cells_drawn"), >, 0);

  /* Every record changed, yet only cells redraw, and no more than exist;
   * only the items they show are told. */
  g_assert_cmpfloat(bench_value(out, "refresh", "items"), ==, shown);
  g_assert_cmpfloat(bench_value(out, "refresh", "cells_drawn"), >=, 1);
  g_assert_cmpfloat(bench_value(out, "refresh", "cells_drawn"), <=, alive);
  g_assert_cmpfloat(bench_value(out, "refresh", "items_notified"), <=, alive);
  g_assert_cmpfloat(bench_value(out, "refresh", "cells_bound"), ==, 0);
}

/* A folder the catalog knows is listed before its scan; what the scan
 * then finds (new photos, a changed one, a deleted one, a decision in a
 * new sidecar) replaces, joins or relabels what was shown, and labels go
 * to the right files afterwards. */
static void
test_known_folder_changes(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 30);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, "wait-loaded\nexpect-shown 30\nquit\n", &out, &err), ==, 0);
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);

  /* Two new photos, p03 rewritten at another size, p05 deleted. */
  for (int i = 30; i < 32; i++) {
    g_autofree char *name = g_strdup_printf("p%02d.jpg", i);
    g_autofree char *path = g_build_filename(f->photos, name, NULL);
    test_make_quadrant_image(path, 500, 300);
  }
  g_autofree char *p03 = g_build_filename(f->photos, "p03.jpg", NULL);
  g_autofree char *p05 = g_build_filename(f->photos, "p05.jpg", NULL);
  test_make_quadrant_image(p03, 640, 480);
  g_assert_cmpint(g_unlink(p05), ==, 0);
  /* Another program rejected p07: the scan reads it as a trash decision. */
  static const char reject[] =
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
      "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" "
      "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"-1\"/></rdf:RDF></x:xmpmeta>\n";
  g_autofree char *xmp = g_build_filename(f->photos, "p07.jpg.xmp", NULL);
  test_write_file(xmp, reject, strlen(reject));

  const char *script = "bench-startup\n"
                       "wait-loaded\n"
                       "sort name\n"
                       "expect-shown 32\n"
                       "select 3\n"
                       "key k\n" /* p03, the rewritten one */
                       "select 31\n"
                       "key t\n" /* p31, a new one */
                       "filter trash\n"
                       "expect-shown 2\n" /* p31, and p07 from its sidecar */
                       "print-shown\n"
                       "quit\n";
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "2 new, 1 changed, 1 gone"));
  /* The first frame already had photos, though the scan found new ones. */
  g_assert_cmpfloat(bench_value(out, "startup", "photos_shown"), >=, 30);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) a = photo(cat, f, 3);
  g_autoptr(DerushPhoto) b = photo(cat, f, 31);
  g_autoptr(DerushPhoto) gone = photo(cat, f, 5);
  g_autoptr(DerushPhoto) rejected = photo(cat, f, 7);
  g_assert_cmpint(rejected->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(a->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(a->width, ==, 640);
  g_assert_cmpint(b->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(gone->status, ==, DERUSH_PHOTO_MISSING);
  derush_catalog_close(cat);
}

/* ------------------------------------------------ compare zoom and group strip */

typedef struct {
  double zoom, scale, cx, cy;
} PaneState;

/* The panes of the @nth "compare-state" (0-based): a block starts at pane 0. */
static GArray *
compare_block(const char *out, guint nth)
{
  GArray *panes = g_array_new(FALSE, TRUE, sizeof(PaneState));
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  int block = -1;
  for (guint i = 0; lines[i]; i++) {
    g_auto(GStrv) w = g_strsplit(lines[i], " ", -1);
    if (g_strv_length(w) != 9 || !g_str_equal(w[0], "compare-pane"))
      continue;
    if (g_str_equal(w[1], "0"))
      block++;
    if (block != (int)nth)
      continue;
    PaneState p = {g_ascii_strtod(w[3], NULL), g_ascii_strtod(w[5], NULL),
                   g_ascii_strtod(w[7], NULL), g_ascii_strtod(w[8], NULL)};
    g_array_append_val(panes, p);
  }
  g_assert_cmpint(block, >=, (int)nth);
  return panes;
}

/* Compare: Z, +/- and a drag in one pane move every pane alike. */
static void
test_compare_sync(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *demo = test_demo_dir();
  g_autofree char *fit = g_build_filename(f->shots, "gtk-compare-fit.png", NULL);
  g_autofree char *zoomed = g_build_filename(f->shots, "gtk-compare-zoomed.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-analyzed\n"
                                            "sort group\n"
                                            "select 0\n"
                                            "key g\n"
                                            "key c\n"
                                            "wait-compare\n"
                                            "sleep 200\n"
                                            "compare-state\n" /* 0: fitted */
                                            "screenshot %s\n"
                                            "key z\n"
                                            "wait-compare\n"
                                            "compare-state\n" /* 1: 100%, centred */
                                            "key plus\n"
                                            "key plus\n"
                                            "compare-pan 1 150 90\n"
                                            "compare-state\n" /* 2: 200%, panned together */
                                            "compare-pan 0 -40 -30\n"
                                            "key minus\n"
                                            "compare-state\n" /* 3: 150%, still together */
                                            "wait-compare\n"
                                            "sleep 200\n"
                                            "screenshot %s\n"
                                            "key z\n"
                                            "compare-state\n" /* 4: fitted again */
                                            "key Escape\n"
                                            "quit\n",
                                            fit, zoomed);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);
  check_screenshot(out, fit);
  check_screenshot(out, zoomed);

  const double want_zoom[] = {0, 1, 2, 1.5, 0};
  for (guint b = 0; b < G_N_ELEMENTS(want_zoom); b++) {
    g_autoptr(GArray) panes = compare_block(out, b);
    g_assert_cmpuint(panes->len, >=, 2);
    g_assert_cmpuint(panes->len, <=, 4);
    PaneState *first = &g_array_index(panes, PaneState, 0);
    for (guint i = 0; i < panes->len; i++) {
      PaneState *p = &g_array_index(panes, PaneState, i);
      g_test_message("state %u pane %u: zoom %.3f scale %.4f centre %.4f %.4f", b, i, p->zoom,
                     p->scale, p->cx, p->cy);
      g_assert_cmpfloat_with_epsilon(p->zoom, want_zoom[b], 1e-6);
      /* The same relative spot in every pane, whatever the photo's size. */
      g_assert_cmpfloat_with_epsilon(p->cx, first->cx, 1e-4);
      g_assert_cmpfloat_with_epsilon(p->cy, first->cy, 1e-4);
      if (want_zoom[b] > 0)
        g_assert_cmpfloat_with_epsilon(p->scale, want_zoom[b], 1e-6); /* 100% is 1:1 */
      else
        g_assert_cmpfloat(p->scale, <, 1.0); /* the demo's photos are larger than a pane */
    }
    if (b == 0 || b == 1 || b == 4) {
      g_assert_cmpfloat_with_epsilon(first->cx, 0.5, 1e-4);
      g_assert_cmpfloat_with_epsilon(first->cy, 0.5, 1e-4);
    }
  }
  /* Dragging pane 1 right and down shows more of the top left: the
   * centre moved up and left in every pane (block 2 asserted equal). */
  g_autoptr(GArray) panned = compare_block(out, 2);
  g_assert_cmpfloat(g_array_index(panned, PaneState, 0).cx, <, 0.5 - 1e-3);
  g_assert_cmpfloat(g_array_index(panned, PaneState, 0).cy, <, 0.5 - 1e-3);
  /* Then pane 0 dragged back a little: the centre followed. */
  g_autoptr(GArray) back = compare_block(out, 3);
  g_assert_cmpfloat(g_array_index(back, PaneState, 0).cx, >,
                    g_array_index(panned, PaneState, 0).cx);
}

typedef struct {
  char *kind;
  char *current;
  GPtrArray *members; /* basenames, in strip order */
  GPtrArray *best;    /* basenames marked best */
  int current_index;
} StripState;

static void
strip_state_free(StripState *s)
{
  g_free(s->kind);
  g_free(s->current);
  g_ptr_array_unref(s->members);
  g_ptr_array_unref(s->best);
  g_free(s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(StripState, strip_state_free)

/* The @nth "strip-state" of @out (0-based). */
static StripState *
strip_block(const char *out, guint nth)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint seen = 0;
  for (guint i = 0; lines[i]; i++) {
    char kind[32], current[256];
    guint n;
    if (sscanf(lines[i], "strip kind %31s members %u current %255s", kind, &n, current) != 3 ||
        seen++ != nth)
      continue;
    StripState *s = g_new0(StripState, 1);
    s->kind = g_strdup(kind);
    s->current = g_strdup(current);
    s->members = g_ptr_array_new_with_free_func(g_free);
    s->best = g_ptr_array_new_with_free_func(g_free);
    s->current_index = -1;
    for (guint k = 0; k < n; k++) {
      const char *line = lines[i + 1 + k];
      g_assert_nonnull(line);
      g_autofree char *prefix = g_strdup_printf("strip-member %u ", k);
      g_assert_true(g_str_has_prefix(line, prefix));
      g_autofree char *name = g_strdup(line + strlen(prefix));
      if (g_str_has_suffix(name, " current")) {
        name[strlen(name) - strlen(" current")] = '\0';
        g_assert_cmpint(s->current_index, ==, -1);
        s->current_index = k;
      }
      if (g_str_has_suffix(name, " best")) {
        name[strlen(name) - strlen(" best")] = '\0';
        g_ptr_array_add(s->best, g_strdup(name));
      }
      g_ptr_array_add(s->members, g_steal_pointer(&name));
    }
    return s;
  }
  g_assert_not_reached();
}

typedef struct {
  const char *path; /* the photo whose smallest group is wanted */
  int rank;         /* of the group found: burst 0, near-duplicates 1, session 2 */
  char *kind;
  GPtrArray *members; /* basenames */
  char *best;
} FindGroup;

static gboolean
find_group_cb(const DerushGroup *group, gpointer user_data)
{
  FindGroup *find = user_data;
  int rank = group->kind == DERUSH_GROUP_BURST ? 0 : group->kind == DERUSH_GROUP_NEAR_DUP ? 1 : 2;
  if (group->n_members < 2 || rank >= find->rank)
    return TRUE;
  gboolean in = FALSE;
  for (guint i = 0; i < group->n_members && !in; i++)
    in = g_str_equal(group->member_paths[i], find->path);
  if (!in)
    return TRUE;
  find->rank = rank;
  g_free(find->kind);
  find->kind = g_strdup(rank == 0 ? "burst" : rank == 1 ? "near-dup" : "session");
  g_ptr_array_set_size(find->members, 0);
  for (guint i = 0; i < group->n_members; i++)
    g_ptr_array_add(find->members, g_path_get_basename(group->member_paths[i]));
  g_free(find->best);
  find->best = rank < 2 && group->best_path ? g_path_get_basename(group->best_path) : NULL;
  return TRUE;
}

static gboolean
find_path_cb(const DerushPhoto *p, gpointer user_data)
{
  char **found = ((char **)user_data);
  g_autofree char *base = g_path_get_basename(p->path);
  if (g_str_equal(base, found[0])) {
    g_assert_null(found[1]); /* the demo's names are unique */
    found[1] = g_strdup(p->path);
  }
  return TRUE;
}

static gpointer
copy_name(gconstpointer name, gpointer data)
{
  return g_strdup(name);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The strip shows exactly the members of the current photo's smallest
 * group in the catalog (burst, else near-duplicates, else session), its
 * best pick, and the current photo. */
static void
check_strip(DerushCatalog *cat, const char *demo, StripState *s)
{
  char *found[2] = {s->current, NULL};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_photo(cat, demo, find_path_cb, found, &error));
  g_assert_nonnull(found[1]);
  g_autofree char *path = found[1];
  FindGroup find = {path, 3, NULL, g_ptr_array_new_with_free_func(g_free), NULL};
  g_assert_true(derush_catalog_foreach_group(cat, demo, -1, find_group_cb, &find, &error));
  g_test_message("%s: strip %s of %u, catalog %s of %u", s->current, s->kind, s->members->len,
                 find.kind ? find.kind : "none", find.members->len);
  g_assert_cmpstr(s->kind, ==, find.kind ? find.kind : "none");
  if (!find.kind) { /* in no group: the strip is hidden */
    g_assert_cmpuint(s->members->len, ==, 0);
    g_ptr_array_unref(find.members);
    return;
  }
  g_ptr_array_sort(find.members, compare_names);
  /* A deep copy: the copy frees its strings as the original does. */
  g_autoptr(GPtrArray) shown = g_ptr_array_copy(s->members, copy_name, NULL);
  g_ptr_array_sort(shown, compare_names);
  g_assert_cmpuint(shown->len, ==, find.members->len);
  for (guint i = 0; i < shown->len; i++)
    g_assert_cmpstr(shown->pdata[i], ==, find.members->pdata[i]);
  if (find.best) {
    g_assert_cmpuint(s->best->len, ==, 1);
    g_assert_cmpstr(s->best->pdata[0], ==, find.best);
  } else {
    g_assert_cmpuint(s->best->len, ==, 0);
  }
  g_assert_cmpint(s->current_index, >=, 0);
  g_assert_cmpstr(s->members->pdata[s->current_index], ==, s->current);
  g_ptr_array_unref(find.members);
  g_free(find.kind);
  g_free(find.best);
}

static char *
current_from(const char *out, guint nth)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint seen = 0;
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "current ") && seen++ == nth)
      return g_strdup(lines[i] + strlen("current "));
  g_assert_not_reached();
}

/* The side panel's group strip: the right members for photos in a burst,
 * near-duplicates or only a session, and a click selects the member. */
static void
test_group_strip(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *demo = test_demo_dir();
  g_autofree char *grouped = g_build_filename(f->shots, "gtk-strip-group.png", NULL);
  g_autofree char *clicked = g_build_filename(f->shots, "gtk-strip-clicked.png", NULL);
  g_autofree char *session = g_build_filename(f->shots, "gtk-strip-session.png", NULL);
  GString *script = g_string_new("wait-loaded\n"
                                 "wait-analyzed\n"
                                 "sort group\n"
                                 "select 0\n"
                                 "key g\n"
                                 "sleep 100\n"
                                 "strip-state\n" /* 0 */
                                 "print-current\n"
                                 "wait-thumbnails\n"
                                 "sleep 300\n");
  g_string_append_printf(script, "screenshot %s\n", grouped);
  /* The first member, unless it is the current photo: then the last. */
  g_string_append(script, "strip-click 0\n"
                          "sleep 100\n"
                          "print-current\n"
                          "strip-state\n" /* 1 */
                          "sort time\n");
  g_string_append_printf(script, "wait-thumbnails\nsleep 300\nscreenshot %s\n", clicked);
  /* A spread of photos: bursts, near-duplicates and photos in neither. */
  for (guint pos = 0; pos < 320; pos += 23) {
    g_string_append_printf(script, "select %u\nsleep 50\nstrip-state\n", pos);
    /* For a human: 161 is a photo in no burst or near-duplicate set (the
     * demo set is generated the same each time), so the strip falls back
     * on its session. */
    if (pos == 161)
      g_string_append_printf(script, "wait-thumbnails\nsleep 300\nscreenshot %s\n", session);
  }
  g_string_append(script, "quit\n");
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script->str, &out, &err), ==, 0);
  g_string_free(script, TRUE);
  check_screenshot(out, grouped);
  check_screenshot(out, clicked);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);

  /* G lands on a group: the strip lists it, ringing the current photo. */
  g_autoptr(StripState) first = strip_block(out, 0);
  g_autofree char *current0 = current_from(out, 0);
  g_assert_cmpstr(first->kind, !=, "session");
  g_assert_cmpstr(first->current, ==, current0);
  check_strip(cat, demo, first);

  /* Clicking member 0 selects it in the grid (the grid's order and the
   * strip's differ, so it is another photo unless it was the current). */
  g_autofree char *current1 = current_from(out, 1);
  g_assert_cmpstr(current1, ==, first->members->pdata[0]);
  if (first->current_index != 0)
    g_assert_cmpstr(current1, !=, current0);
  g_autoptr(StripState) after = strip_block(out, 1);
  g_assert_cmpstr(after->current, ==, current1);
  g_assert_cmpint(after->current_index, ==, 0);
  g_assert_cmpuint(after->members->len, ==, first->members->len);

  guint kinds[4] = {0, 0, 0, 0}; /* burst, near-dup, session, none */
  g_auto(GStrv) blocks = g_strsplit(out, "strip kind ", -1);
  for (guint b = 2; b + 1 < g_strv_length(blocks); b++) {
    g_autoptr(StripState) s = strip_block(out, b);
    check_strip(cat, demo, s);
    kinds[g_str_equal(s->kind, "burst")      ? 0
          : g_str_equal(s->kind, "near-dup") ? 1
          : g_str_equal(s->kind, "session")  ? 2
                                             : 3]++;
  }
  derush_catalog_close(cat);
  g_test_message("strips checked: %u bursts, %u near-duplicate sets, %u sessions, %u none",
                 kinds[0], kinds[1], kinds[2], kinds[3]);
  /* The spread met a session-only photo and a group. */
  g_assert_cmpuint(kinds[2], >=, 1);
  g_assert_cmpuint(kinds[0] + kinds[1], >=, 1);
  check_screenshot(out, session);
}

/* ------------------------------------------------------------ search and preferences */

/* Every "shown N" line of the replay's output, in order. */
static GArray *
shown_all(const char *out)
{
  GArray *counts = g_array_new(FALSE, FALSE, sizeof(guint));
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "shown ")) {
      guint n = (guint)g_ascii_strtoull(lines[i] + strlen("shown "), NULL, 10);
      g_array_append_val(counts, n);
    }
  return counts;
}

typedef struct {
  const char *root;
  const char *needle; /* lower case ASCII; NULL: any */
  int label;          /* -1: any */
  guint n;
} NameCount;

/* The expectation, from the catalog and plain ASCII lower-casing (the demo
 * names are ASCII): not the app's own folding. */
static gboolean
count_names_cb(const DerushPhoto *p, gpointer user_data)
{
  NameCount *c = user_data;
  g_assert_true(g_str_has_prefix(p->path, c->root));
  const char *rel = p->path + strlen(c->root) + 1;
  g_assert_true(g_str_is_ascii(rel));
  g_autofree char *lower = g_ascii_strdown(rel, -1);
  if ((c->label < 0 || (int)p->label == c->label) && (!c->needle || strstr(lower, c->needle)))
    c->n++;
  return TRUE;
}

static guint
count_names(DerushCatalog *cat, const char *root, const char *needle, int label)
{
  NameCount c = {root, needle, label, 0};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_photo(cat, root, count_names_cb, &c, &error));
  g_assert_no_error(error);
  return c.n;
}

/* The search bar narrows the grid to the photos whose path below the
 * folder (subfolders, then the file name) holds the text, in any case,
 * together with the filter; Escape clears it. */
static void
test_search(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *demo = test_demo_dir();
  g_autofree char *shot = g_build_filename(f->shots, "gtk-search.png", NULL);
  g_autofree char *none_shot = g_build_filename(f->shots, "gtk-search-none.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "sort name\n"
                                            "print-shown\n" /* 0: all */
                                            "search IMG_42\n"
                                            "print-shown\n" /* 1 */
                                            "search img_421\n"
                                            "print-shown\n" /* 2: longer, stricter */
                                            "search img_42\n"
                                            "print-shown\n" /* 3: shorter again */
                                            "search Beach\n"
                                            "print-shown\n" /* 4: a folder's name */
                                            "select 0 4\n"
                                            "key t\n"
                                            "search img_42\n"
                                            "select 0 3\n"
                                            "key t\n"
                                            "search-stop\n" /* Escape in the entry */
                                            "search-state\n"
                                            "print-shown\n" /* 5: all again */
                                            "filter trash\n"
                                            "print-shown\n" /* 6 */
                                            "key <Control>f\n"
                                            "search-state\n"
                                            "search beach\n"
                                            "print-shown\n" /* 7 */
                                            "search img_4\n"
                                            "print-shown\n" /* 8 */
                                            "wait-thumbnails\n"
                                            "sleep 300\n"
                                            "screenshot %s\n"
                                            "key Escape\n" /* the window's Escape */
                                            "search-state\n"
                                            "print-shown\n" /* 9 */
                                            "filter all\n"
                                            "search walk/phone/\n"
                                            "print-shown\n" /* 10: a subfolder */
                                            "print-no-match\n"
                                            "search zzz-no-such-photo\n"
                                            /* Waits, not sleeps: the filter runs
                                             * late on a loaded machine. */
                                            "wait-no-match 1\n"
                                            "print-no-match\n"
                                            "screenshot %s\n"
                                            "search\n"
                                            "wait-no-match 0\n"
                                            "print-no-match\n"
                                            "quit\n",
                                            shot, none_shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);
  check_screenshot(out, shot);

  check_screenshot(out, none_shot);
  /* A search that matches nothing says so over the grid, and only then. */
  g_assert_nonnull(strstr(out, "no-match 0\nno-match 1\n"));
  g_assert_true(g_str_has_prefix(g_strrstr(out, "no-match"), "no-match 0\n"));

  g_autoptr(GArray) shown = shown_all(out);
  g_assert_cmpuint(shown->len, ==, 11);
  guint *s = (guint *)shown->data;
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(s[0], ==, count_names(cat, demo, NULL, -1));
  g_assert_cmpuint(s[1], ==, count_names(cat, demo, "img_42", -1));
  g_assert_cmpuint(s[2], ==, count_names(cat, demo, "img_421", -1));
  g_assert_cmpuint(s[3], ==, s[1]);
  g_assert_cmpuint(s[4], ==, count_names(cat, demo, "beach", -1));
  g_assert_cmpuint(s[5], ==, s[0]);
  guint trash = count_names(cat, demo, NULL, DERUSH_LABEL_TRASH);
  g_assert_cmpuint(s[6], ==, trash);
  g_assert_cmpuint(s[7], ==, count_names(cat, demo, "beach", DERUSH_LABEL_TRASH));
  g_assert_cmpuint(s[8], ==, count_names(cat, demo, "img_4", DERUSH_LABEL_TRASH));
  g_assert_cmpuint(s[9], ==, trash);
  g_assert_cmpuint(s[10], ==, count_names(cat, demo, "walk/phone/", -1));
  derush_catalog_close(cat);
  g_test_message("search: %u photos, img_42 %u, img_421 %u, beach %u; trash %u, of them beach %u, "
                 "img_4 %u; walk/phone/ %u",
                 s[0], s[1], s[2], s[4], s[6], s[7], s[8], s[10]);
  /* Each search narrowed, and the trash filter with it. */
  g_assert_cmpuint(s[2], >, 0);
  g_assert_cmpuint(s[2], <, s[1]);
  g_assert_cmpuint(s[1], <, s[0]);
  g_assert_cmpuint(s[7], >=, 4);
  g_assert_cmpuint(s[8], >=, 3);
  g_assert_cmpuint(s[7] + s[8], ==, s[6]);
  g_assert_cmpuint(s[10], >, 0);

  /* Escape in the entry and the window's Escape both closed and cleared
   * the search; Ctrl+F opened it. */
  g_assert_nonnull(strstr(out, "search mode 0 text \nshown"));
  g_assert_nonnull(strstr(out, "search mode 1 text \nshown"));
  const char *last = g_strrstr(out, "search mode");
  g_assert_true(g_str_has_prefix(last, "search mode 0 text \n"));
}

static void
make_photo_at(const char *root, const char *rel)
{
  g_autofree char *path = g_build_filename(root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  test_make_quadrant_image(path, 320, 240);
}

/* Names beyond ASCII: any case, composed or not (NFD, as macOS writes). */
static void
test_search_names(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  static const char *const names[] = {
      "Été 2024/IMG_0001.jpg",   "Été 2024/écureuil.jpg",
      "hiver/ÉCUREUIL roux.jpg", "hiver/e\u0301cureuil-nfd.jpg", /* e + combining acute */
      "hiver/IMG_0002.jpg",      "p00.jpg",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
    make_photo_at(f->photos, names[i]);
  const char *script = "wait-loaded\n"
                       "print-shown\n"
                       "search ÉCUREUIL\n"
                       "print-shown\n"
                       "search été\n"
                       "print-shown\n"
                       "search img_\n"
                       "print-shown\n"
                       "search 2024/IMG\n"
                       "print-shown\n"
                       "search zzz\n"
                       "print-shown\n"
                       "search\n"
                       "print-shown\n"
                       "quit\n";
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  g_autoptr(GArray) shown = shown_all(out);
  static const guint want[] = {6, 3, 2, 2, 1, 0, 6};
  g_assert_cmpuint(shown->len, ==, G_N_ELEMENTS(want));
  for (gsize i = 0; i < G_N_ELEMENTS(want); i++)
    g_assert_cmpuint(g_array_index(shown, guint, i), ==, want[i]);
}

/* The value of @key ("pref advance", "style-dark") in the replay's @nth
 * pref-state block. */
static char *
pref_value(const char *out, guint nth, const char *key)
{
  g_autofree char *text = g_strconcat("\n", out, NULL);
  const char *block = NULL;
  for (guint i = 0; i <= nth; i++) {
    block = strstr(block ? block + 1 : text, "\npref style ");
    g_assert_nonnull(block);
  }
  g_autofree char *prefix = g_strdup_printf("\n%s ", key);
  const char *at = strstr(block, prefix);
  g_assert_nonnull(at);
  at += strlen(prefix);
  return g_strndup(at, strcspn(at, "\n"));
}

static void
assert_prefs(const char *out, guint nth, const char *style, const char *advance,
             const char *thumb_size, const char *session_gap, const char *burst_gap,
             const char *dark)
{
  const char *keys[] = {"pref style",       "pref advance",   "pref thumb-size",
                        "pref session-gap", "pref burst-gap", "style-dark"};
  const char *want[] = {style, advance, thumb_size, session_gap, burst_gap, dark};
  for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
    g_autofree char *got = pref_value(out, nth, keys[i]);
    g_assert_cmpstr(got, ==, want[i]);
  }
}

/* The preferences window edits the window's settings, which persist in its
 * key file across a restart (the same XDG dirs), and the style reaches
 * AdwStyleManager. */
static void
test_preferences(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 12);
  g_autofree char *shot = g_build_filename(f->shots, "gtk-preferences.png", NULL);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "pref-state\n" /* 0: defaults */
                                            "action app.preferences\n"
                                            "sleep 300\n"
                                            "pref-screenshot %s\n"
                                            "pref style light\n"
                                            "pref-state\n" /* 1 */
                                            "pref style dark\n"
                                            "pref-state\n" /* 2 */
                                            "pref style light\n"
                                            "pref advance false\n"
                                            "pref thumb-size 160\n"
                                            "pref session-gap 45\n"
                                            "pref burst-gap 5.5\n"
                                            "pref-state\n" /* 3 */
                                            "pref-close\n"
                                            "quit\n",
                                            shot);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);
  check_dialog_screenshot(out, shot);
  /* Under Xvfb no portal asks for light: "follow" is dark. */
  assert_prefs(out, 0, "follow", "true", "200", "30", "2", "1");
  assert_prefs(out, 1, "light", "true", "200", "30", "2", "0");
  assert_prefs(out, 2, "dark", "true", "200", "30", "2", "1");
  assert_prefs(out, 3, "light", "false", "160", "45", "5.5", "0");

  /* One store: the app's key file. */
  g_autofree char *ini = g_build_filename(f->tmp, "config", "derush", "derush-gtk.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_NONE, &error));
  g_autofree char *style = g_key_file_get_string(kf, "derush-gtk", "style", &error);
  g_assert_cmpstr(style, ==, "light");
  g_assert_false(g_key_file_get_boolean(kf, "derush-gtk", "advance", &error));
  g_assert_cmpint(g_key_file_get_integer(kf, "derush-gtk", "thumb-size", &error), ==, 160);
  g_assert_cmpint(g_key_file_get_integer(kf, "derush-gtk", "session-gap-minutes", &error), ==, 45);
  g_assert_cmpfloat(g_key_file_get_double(kf, "derush-gtk", "burst-gap-seconds", &error), ==, 5.5);
  g_assert_no_error(error);
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);

  /* A restart reads them back, light from the first frame; without
   * advance, a keep stays on its photo. */
  const char *again = "wait-loaded\n"
                      "pref-state\n" /* 0 */
                      "sort name\n"
                      "select 0\n"
                      "key k\n"
                      "print-current\n"
                      "pref style follow\n"
                      "pref-state\n" /* 1 */
                      "quit\n";
  g_assert_cmpint(run_app(f, f->photos, again, &out, &err), ==, 0);
  assert_prefs(out, 0, "light", "false", "160", "45", "5.5", "0");
  g_assert_nonnull(strstr(out, "current p00.jpg\n"));
  assert_prefs(out, 1, "follow", "false", "160", "45", "5.5", "1");
}

typedef struct {
  GString *text;
  guint n[3];
} GroupList;

static gboolean
list_group_cb(const DerushGroup *group, gpointer user_data)
{
  GroupList *l = user_data;
  g_string_append_printf(l->text, "%" G_GINT64_FORMAT " %d %u %" G_GINT64_FORMAT ";", group->id,
                         group->kind, group->n_members, group->best_id);
  l->n[group->kind]++;
  return TRUE;
}

/* The stored groups, as text to compare, with their counts by kind. */
static char *
list_groups(DerushCatalog *cat, const char *root, guint n[3])
{
  GroupList l = {g_string_new(NULL), {0, 0, 0}};
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_foreach_group(cat, root, -1, list_group_cb, &l, &error));
  g_assert_no_error(error);
  memcpy(n, l.n, sizeof l.n);
  return g_string_free(l.text, FALSE);
}

/* New grouping gaps regroup the open folder (on the analyzer's worker):
 * the stored groups are exactly what the library makes with those gaps,
 * and not what it makes with the defaults. */
static void
test_preferences_regroup(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return;
  }
  const char *demo = test_demo_dir();
  const char *script = "wait-loaded\n"
                       "wait-analyzed\n"
                       "print-analysis\n"
                       "pref session-gap 5\n"
                       "pref burst-gap 30\n"
                       "wait-analyzed\n"
                       "print-analysis\n"
                       "quit\n";
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, demo, script, &out, &err), ==, 0);

  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  guint stored_n[3], defaults_n[3], again_n[3];
  g_autofree char *stored = list_groups(cat, demo, stored_n);

  g_assert_true(derush_catalog_update_groups(cat, NULL, NULL, &error));
  g_autofree char *defaults = list_groups(cat, demo, defaults_n);

  DerushGroupOptions options;
  derush_group_options_init(&options);
  options.session_gap_s = 5 * 60;
  options.burst_gap_s = 30;
  g_assert_true(derush_catalog_update_groups(cat, &options, NULL, &error));
  g_autofree char *again = list_groups(cat, demo, again_n);
  derush_catalog_close(cat);

  g_test_message("groups with 5 min / 30 s: %u sessions, %u bursts, %u near-dups; defaults: %u, "
                 "%u, %u",
                 stored_n[DERUSH_GROUP_SESSION], stored_n[DERUSH_GROUP_BURST],
                 stored_n[DERUSH_GROUP_NEAR_DUP], defaults_n[DERUSH_GROUP_SESSION],
                 defaults_n[DERUSH_GROUP_BURST], defaults_n[DERUSH_GROUP_NEAR_DUP]);
  g_assert_cmpstr(stored, ==, again);
  g_assert_cmpstr(stored, !=, defaults);
  /* Shorter pauses split more sessions. */
  g_assert_cmpuint(stored_n[DERUSH_GROUP_SESSION], >, defaults_n[DERUSH_GROUP_SESSION]);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk/label-undo-filter", Fixture, NULL, fixture_setup, test_label_undo_filter,
             fixture_teardown);
  g_test_add("/gtk/empty-folder", Fixture, NULL, fixture_setup, test_empty_folder,
             fixture_teardown);
  g_test_add("/gtk/missing-folder", Fixture, NULL, fixture_setup, test_missing_at_start,
             fixture_teardown);
  g_test_add("/gtk/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);
  g_test_add("/gtk/folder-vanishes", Fixture, NULL, fixture_setup, test_folder_vanishes,
             fixture_teardown);
  g_test_add("/gtk/demo-set", Fixture, NULL, fixture_setup, test_demo_set, fixture_teardown);
  g_test_add("/gtk/demo-analysis", Fixture, NULL, fixture_setup, test_demo_analysis,
             fixture_teardown);
  g_test_add("/gtk/apply/trash-undo", Fixture, NULL, fixture_setup, test_apply_trash,
             fixture_teardown);
  g_test_add("/gtk/apply/move-undo", Fixture, NULL, fixture_setup, test_apply_move,
             fixture_teardown);
  g_test_add("/gtk/apply/xmp", Fixture, NULL, fixture_setup, test_apply_xmp, fixture_teardown);
  g_test_add("/gtk/bench-mode", Fixture, NULL, fixture_setup, test_bench_mode, fixture_teardown);
  g_test_add("/gtk/known-folder-changes", Fixture, NULL, fixture_setup, test_known_folder_changes,
             fixture_teardown);
  g_test_add("/gtk/compare-sync", Fixture, NULL, fixture_setup, test_compare_sync,
             fixture_teardown);
  g_test_add("/gtk/group-strip", Fixture, NULL, fixture_setup, test_group_strip, fixture_teardown);
  g_test_add("/gtk/search", Fixture, NULL, fixture_setup, test_search, fixture_teardown);
  g_test_add("/gtk/search-names", Fixture, NULL, fixture_setup, test_search_names,
             fixture_teardown);
  g_test_add("/gtk/preferences", Fixture, NULL, fixture_setup, test_preferences, fixture_teardown);
  g_test_add("/gtk/preferences-regroup", Fixture, NULL, fixture_setup, test_preferences_regroup,
             fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
