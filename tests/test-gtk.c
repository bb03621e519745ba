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
 * This program: labels, undo and filters, the demo set and its analysis,
 * empty, missing and vanishing folders, a full disk, bench mode and a
 * known folder's changes. The apply dialog is test-gtk-apply.c's, compare
 * and the group strip test-gtk-groups.c's, search and preferences
 * test-gtk-settings.c's; the harness (display, app launcher) is
 * gtk-harness.c.
 *
 * Without $DISPLAY the test starts its own Xvfb on a free display number
 * and stops it at the end; without Xvfb (or the app) it skips, saying why.
 *
 * Over 600 lines: one program per area shares one app launch helper; the
 * cases are short scripts and their catalog checks.
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
  const char *demo = need_demo();
  if (!demo)
    return;
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
  const char *demo = need_demo();
  if (!demo)
    return;
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
  await_app(proc, ready);
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
static gboolean
count_raw_half_cb(const DerushPhoto *p, gpointer user_data)
{
  *(guint *)user_data += p->pair_path && derush_is_raw_name(p->path);
  return TRUE;
}

/* RAW halves of RAW+JPEG pairs in the app's catalog (not shown: their
 * JPEG's cell stands for the pair). */
static guint
raw_halves(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  guint n = 0;
  g_assert_true(derush_catalog_foreach_photo(cat, NULL, count_raw_half_cb, &n, &error));
  derush_catalog_close(cat);
  return n;
}

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
  /* (the records of every photo: the RAW halves of pairs too, which share
   * their JPEG's cell) */
  g_assert_cmpfloat(bench_value(out, "refresh", "items"), ==, shown + raw_halves(f));
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
  g_test_add("/gtk/bench-mode", Fixture, NULL, fixture_setup, test_bench_mode, fixture_teardown);
  g_test_add("/gtk/known-folder-changes", Fixture, NULL, fixture_setup, test_known_folder_changes,
             fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
