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
#include "test-util.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static struct {
  GPid xvfb;
  char *display;
  char *skip_reason;
  gboolean tried;
} disp;

/* Starts Xvfb on the first free display from :90, unless a display is
 * already there. Returns FALSE (with disp.skip_reason) when none can be had. */
static gboolean
ensure_display(void)
{
  if (disp.tried)
    return disp.display != NULL;
  disp.tried = TRUE;

  const char *bin = g_getenv("DERUSH_GTK_BIN");
  if (!bin || !g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE)) {
    disp.skip_reason = g_strdup("derush-gtk was not built (GTK 4 or libadwaita missing)");
    return FALSE;
  }
  const char *current = g_getenv("DISPLAY");
  if (current && *current) {
    disp.display = g_strdup(current);
    return TRUE;
  }
  g_autofree char *xvfb = g_find_program_in_path("Xvfb");
  if (!xvfb) {
    disp.skip_reason = g_strdup("no $DISPLAY and Xvfb is not installed");
    return FALSE;
  }
  for (int n = 90 + (getpid() % 50); n < 400; n++) {
    g_autofree char *lock = g_strdup_printf("/tmp/.X%d-lock", n);
    g_autofree char *sock = g_strdup_printf("/tmp/.X11-unix/X%d", n);
    if (g_file_test(lock, G_FILE_TEST_EXISTS) || g_file_test(sock, G_FILE_TEST_EXISTS))
      continue;
    g_autofree char *name = g_strdup_printf(":%d", n);
    const char *argv[] = {xvfb, name, "-screen", "0", "1600x1000x24", "-nolisten", "tcp", NULL};
    GPid pid;
    g_autoptr(GError) error = NULL;
    if (!g_spawn_async(NULL, (char **)argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                           G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, &pid, &error)) {
      disp.skip_reason = g_strdup_printf("cannot start Xvfb: %s", error->message);
      return FALSE;
    }
    /* Ready when its socket appears; gone when another server won the race. */
    for (int i = 0; i < 100; i++) {
      int status;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = 0;
        break;
      }
      if (g_file_test(sock, G_FILE_TEST_EXISTS)) {
        disp.xvfb = pid;
        disp.display = g_steal_pointer(&name);
        return TRUE;
      }
      g_usleep(50 * 1000);
    }
    if (pid) {
      kill(pid, SIGTERM);
      waitpid(pid, NULL, 0);
    }
  }
  disp.skip_reason = g_strdup("Xvfb did not start on any display");
  return FALSE;
}

static void
stop_display(void)
{
  if (disp.xvfb) {
    kill(disp.xvfb, SIGTERM);
    waitpid(disp.xvfb, NULL, 0);
    disp.xvfb = 0;
  }
}

static gboolean
need_display(void)
{
  if (ensure_display())
    return TRUE;
  g_test_skip(disp.skip_reason);
  return FALSE;
}

typedef struct {
  char *tmp;
  char *photos;
  char *catalog;
  char *shots; /* screenshot folder, kept after the test */
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->catalog = g_build_filename(f->tmp, "catalog.db", NULL);
  const char *build = g_getenv("G_TEST_BUILDDIR");
  f->shots = g_build_filename(build ? build : ".", "gtk-screenshots", NULL);
  g_mkdir_with_parents(f->shots, 0755);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->photos);
  g_free(f->catalog);
  g_free(f->shots);
}

static void
make_photos(Fixture *f, int n)
{
  g_mkdir_with_parents(f->photos, 0755);
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("p%02d.jpg", i);
    g_autofree char *path = g_build_filename(f->photos, name, NULL);
    /* Landscape and portrait shapes, so fitting is exercised. */
    if (i % 5 == 4)
      test_make_quadrant_image(path, 300, 400 + i);
    else
      test_make_quadrant_image(path, 480 + i, 320);
  }
}

/* Starts the app on @dir with @script; returns the subprocess (running). */
static GSubprocess *
spawn_app(Fixture *f, const char *dir, const char *script)
{
  g_autofree char *script_path = g_build_filename(f->tmp, "script.txt", NULL);
  test_write_file(script_path, script, strlen(script));
  g_autofree char *config = g_build_filename(f->tmp, "config", NULL);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", NULL);

  GSubprocessLauncher *launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv(launcher, "DISPLAY", disp.display, TRUE);
  g_subprocess_launcher_setenv(launcher, "GDK_BACKEND", "x11", TRUE);
  g_subprocess_launcher_setenv(launcher, "GSK_RENDERER", "cairo", TRUE);
  g_subprocess_launcher_setenv(launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv(launcher, "NO_AT_BRIDGE", "1", TRUE);
  g_subprocess_launcher_setenv(launcher, "GTK_A11Y", "none", TRUE);
  g_subprocess_launcher_setenv(launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv(launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_unsetenv(launcher, "DERUSH_CATALOG");
  g_subprocess_launcher_unsetenv(launcher, "DERUSH_CACHE_DIR");

  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  /* A private session bus quiets GApplication's D-Bus warnings. */
  g_autofree char *dbus = g_find_program_in_path("dbus-run-session");
  if (dbus) {
    g_ptr_array_add(argv, dbus);
    g_ptr_array_add(argv, "--");
  }
  g_ptr_array_add(argv, (char *)g_getenv("DERUSH_GTK_BIN"));
  g_ptr_array_add(argv, "--catalog");
  g_ptr_array_add(argv, f->catalog);
  g_ptr_array_add(argv, "--replay");
  g_ptr_array_add(argv, script_path);
  g_ptr_array_add(argv, (char *)dir);
  g_ptr_array_add(argv, NULL);

  g_autoptr(GError) error = NULL;
  GSubprocess *proc =
      g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error(error);
  g_object_unref(launcher);
  return proc;
}

/* Waits for the app; returns its exit status, with its output. */
static int
finish_app(GSubprocess *proc, char **out, char **err)
{
  g_autoptr(GError) error = NULL;
  g_subprocess_communicate_utf8(proc, NULL, NULL, out, err, &error);
  g_assert_no_error(error);
  g_test_message("app stdout:\n%s", *out);
  if (**err)
    g_test_message("app stderr:\n%s", *err);
  /* Criticals are bugs; warnings from the X server set-up are not ours. */
  g_assert_null(strstr(*err, "-CRITICAL"));
  g_assert_null(strstr(*err, "derush-gtk-WARNING"));
  g_assert_true(g_subprocess_get_if_exited(proc));
  return g_subprocess_get_exit_status(proc);
}

static int
run_app(Fixture *f, const char *dir, const char *script, char **out, char **err)
{
  g_autoptr(GSubprocess) proc = spawn_app(f, dir, script);
  return finish_app(proc, out, err);
}

/* The screenshot exists, has the size the app reported and is not blank. */
static void
check_screenshot(const char *out, const char *path)
{
  g_autofree char *key = g_strdup_printf("screenshot %s ", path);
  const char *line = strstr(out, key);
  g_assert_nonnull(line);
  int w = 0, h = 0;
  g_assert_cmpint(sscanf(line + strlen(key), "%dx%d", &w, &h), ==, 2);
  g_assert_cmpint(w, >=, 800);
  g_assert_cmpint(h, >=, 500);

  g_autoptr(VipsImage) image = vips_image_new_from_file(path, NULL);
  g_assert_nonnull(image);
  g_assert_cmpint(image->Xsize, ==, w);
  g_assert_cmpint(image->Ysize, ==, h);
  double deviation = 0;
  g_assert_cmpint(vips_deviate(image, &deviation, NULL), ==, 0);
  g_test_message("%s: %dx%d, pixel deviation %.1f", path, w, h, deviation);
  g_assert_cmpfloat(deviation, >, 8.0);
}

static gint64
counter_from(const char *out, const char *name)
{
  g_autofree char *key = g_strdup_printf("counter %s ", name);
  const char *line = strstr(out, key);
  g_assert_nonnull(line);
  return g_ascii_strtoll(line + strlen(key), NULL, 10);
}

static DerushPhoto *
photo(DerushCatalog *cat, Fixture *f, int i)
{
  g_autofree char *name = g_strdup_printf("p%02d.jpg", i);
  g_autofree char *path = g_build_filename(f->photos, name, NULL);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(cat, path, &error);
  g_assert_no_error(error);
  return p;
}

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
  g_test_add("/gtk/folder-vanishes", Fixture, NULL, fixture_setup, test_folder_vanishes,
             fixture_teardown);
  g_test_add("/gtk/demo-set", Fixture, NULL, fixture_setup, test_demo_set, fixture_teardown);
  g_test_add("/gtk/demo-analysis", Fixture, NULL, fixture_setup, test_demo_analysis,
             fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
