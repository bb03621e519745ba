/* gtk-harness.c: derush-gtk under a display, for the GUI test programs.
 *
 * test-gtk.c and test-gtk-ux.c start the real app ($DERUSH_GTK_BIN) on a
 * folder with a --replay script (derush-replay.c), on a display of their
 * own: without $DISPLAY the first test starts Xvfb on a free display number
 * and stop_display() stops it at the end; without Xvfb (or the app) the
 * tests skip, saying why.
 */
#include "gtk-harness.h"
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
gboolean
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

void
stop_display(void)
{
  if (disp.xvfb) {
    kill(disp.xvfb, SIGTERM);
    waitpid(disp.xvfb, NULL, 0);
    disp.xvfb = 0;
  }
}

gboolean
need_display(void)
{
  if (ensure_display())
    return TRUE;
  g_test_skip(disp.skip_reason);
  return FALSE;
}

const char *
need_demo(void)
{
  if (!need_display())
    return NULL;
  if (!g_file_test("/usr/share/backgrounds/mate/nature", G_FILE_TEST_IS_DIR)) {
    g_test_skip("the demo set needs mate-backgrounds (make run installs it)");
    return NULL;
  }
  return test_demo_dir();
}

void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->catalog = g_build_filename(f->tmp, "catalog.db", NULL);
  const char *build = g_getenv("G_TEST_BUILDDIR");
  f->shots = g_build_filename(build ? build : ".", "gtk-screenshots", NULL);
  g_mkdir_with_parents(f->shots, 0755);
}

void
fixture_teardown(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->photos);
  g_free(f->catalog);
  g_free(f->shots);
}

void
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
GSubprocess *
spawn_app(Fixture *f, const char *dir, const char *script)
{
  g_autofree char *script_path = g_build_filename(f->tmp, "script.txt", NULL);
  test_write_file(script_path, script, strlen(script));
  g_autofree char *config = g_build_filename(f->tmp, "config", NULL);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", NULL);
  g_autofree char *data = g_build_filename(f->tmp, "data", NULL);

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
  /* The desktop trash is $XDG_DATA_HOME/Trash when the file is on $HOME's
   * file system (GIO): both point into the test's folder. */
  g_subprocess_launcher_setenv(launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv(launcher, "HOME", f->tmp, TRUE);
  g_subprocess_launcher_unsetenv(launcher, "DERUSH_CATALOG");
  g_subprocess_launcher_unsetenv(launcher, "DERUSH_MODEL_DIR");
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
int
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

int
run_app(Fixture *f, const char *dir, const char *script, char **out, char **err)
{
  g_autoptr(GSubprocess) proc = spawn_app(f, dir, script);
  return finish_app(proc, out, err);
}

/* The screenshot exists, is at least @min_w x @min_h, has the size the app
 * reported and is not blank. */
static void
check_screenshot_size(const char *out, const char *path, int min_w, int min_h)
{
  g_autofree char *key = g_strdup_printf("screenshot %s ", path);
  const char *line = strstr(out, key);
  g_assert_nonnull(line);
  int w = 0, h = 0;
  g_assert_cmpint(sscanf(line + strlen(key), "%dx%d", &w, &h), ==, 2);
  g_assert_cmpint(w, >=, min_w);
  g_assert_cmpint(h, >=, min_h);

  g_autoptr(VipsImage) image = vips_image_new_from_file(path, NULL);
  g_assert_nonnull(image);
  g_assert_cmpint(image->Xsize, ==, w);
  g_assert_cmpint(image->Ysize, ==, h);
  double deviation = 0;
  g_assert_cmpint(vips_deviate(image, &deviation, NULL), ==, 0);
  g_test_message("%s: %dx%d, pixel deviation %.1f", path, w, h, deviation);
  g_assert_cmpfloat(deviation, >, 8.0);
}

/* The window's picture. */
void
check_screenshot(const char *out, const char *path)
{
  check_screenshot_size(out, path, 800, 500);
}

/* A dialog's picture (the apply dialog, the preferences). */
void
check_dialog_screenshot(const char *out, const char *path)
{
  check_screenshot_size(out, path, 400, 400);
}

gint64
counter_from(const char *out, const char *name)
{
  g_autofree char *key = g_strdup_printf("counter %s ", name);
  const char *line = strstr(out, key);
  g_assert_nonnull(line);
  return g_ascii_strtoll(line + strlen(key), NULL, 10);
}

DerushPhoto *
photo(DerushCatalog *cat, Fixture *f, int i)
{
  g_autofree char *name = g_strdup_printf("p%02d.jpg", i);
  g_autofree char *path = g_build_filename(f->photos, name, NULL);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(cat, path, &error);
  g_assert_no_error(error);
  return p;
}

/* Waits until the app touches @path (it stopped at a `wait-file`); fails
 * with the app's output if it exits or hangs first. */
void
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
void
resume_app(const char *path)
{
  test_write_file(path, "", 0);
}
