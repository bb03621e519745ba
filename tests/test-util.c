/* test-util.c: see test-util.h. */
#include "test-util.h"
#include <errno.h>
#include <gexiv2/gexiv2.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void
test_init(int *argc, char ***argv)
{
  g_test_init(argc, argv, NULL);
  /* libvips warns (g_warning, in domain VIPS) about files it still decodes
   * or that it then reports as errors, such as a truncated JPEG: those
   * warnings are data, not test failures. Warnings stay fatal in our own
   * code and in GLib's domains. */
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  const char *strict[] = {NULL, "GLib", "GLib-GObject", "GLib-GIO", "derush"};
  for (gsize i = 0; i < G_N_ELEMENTS(strict); i++)
    g_log_set_fatal_mask(strict[i], G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
  g_autoptr(GError) error = NULL;
  if (!derush_init((*argv)[0], &error))
    g_error("derush_init: %s", error->message);
  /* Tests call libvips directly (test images, pixel checks). */
  if (!derush_init_decoders(&error))
    g_error("derush_init_decoders: %s", error->message);
}

char *
test_shared_path(const char *relative)
{
  const char *shared = g_getenv("DERUSH_SHARED_DIR");
  if (!shared)
    return NULL;
  g_autofree char *path = g_build_filename(shared, relative, NULL);
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return NULL;
  return g_steal_pointer(&path);
}

char *
test_make_tmpdir(void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp("derush-test-XXXXXX", &error);
  g_assert_no_error(error);
  return dir;
}

void
test_rmrf(const char *path)
{
  if (!path)
    return;
  const char *argv[] = {"rm", "-rf", "--", path, NULL};
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

void
test_copy_file(const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_get_contents(from, &data, &len, &error));
  g_assert_no_error(error);
  test_write_file(to, data, len);
}

void
test_write_file(const char *path, const void *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  g_file_set_contents(path, data, (gssize)len, &error);
  g_assert_no_error(error);
}

void
test_make_quadrant_image(const char *path, int width, int height)
{
  g_autofree guint8 *px = g_malloc((gsize)width * height * 3);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      guint8 *p = px + ((gsize)y * width + x) * 3;
      gboolean right = x >= width / 2, bottom = y >= height / 2;
      static const guint8 colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
      const guint8 *c = colours[(bottom ? 2 : 0) + (right ? 1 : 0)];
      p[0] = c[0];
      p[1] = c[1];
      p[2] = c[2];
    }
  VipsImage *img = vips_image_new_from_memory_copy(px, (gsize)width * height * 3, width, height, 3,
                                                   VIPS_FORMAT_UCHAR);
  g_assert_nonnull(img);
  g_autofree char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  g_assert_cmpint(vips_image_write_to_file(img, path, NULL), ==, 0);
  g_object_unref(img);
}

void
test_embed_exif_thumbnail(const char *path, int width, int height, const guint8 rgb[3], int bar)
{
  g_autofree guint8 *px = g_malloc0((gsize)width * height * 3);
  for (int y = bar; y < height - bar; y++)
    for (int x = 0; x < width; x++)
      memcpy(px + ((gsize)y * width + x) * 3, rgb, 3);
  g_autoptr(VipsImage) img = vips_image_new_from_memory_copy(px, (gsize)width * height * 3, width,
                                                             height, 3, VIPS_FORMAT_UCHAR);
  void *jpeg = NULL;
  size_t len = 0;
  g_assert_cmpint(vips_jpegsave_buffer(img, &jpeg, &len, "Q", 90, "strip", TRUE, NULL), ==, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GExiv2Metadata) md = gexiv2_metadata_new();
  g_assert_true(gexiv2_metadata_open_path(md, path, &error));
  g_assert_no_error(error);
  gexiv2_metadata_try_set_exif_thumbnail_from_buffer(md, jpeg, (gint)len, &error);
  g_assert_no_error(error);
  g_assert_true(gexiv2_metadata_save_file(md, path, &error));
  g_assert_no_error(error);
  g_free(jpeg);
}

int
test_run_derush(const char *const *argv, const char *const *envp, char **out, char **err)
{
  const char *bin = g_getenv("DERUSH_BIN");
  g_assert_nonnull(bin);
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, (gpointer)bin);
  for (int i = 0; argv[i]; i++)
    g_ptr_array_add(args, (gpointer)argv[i]);
  g_ptr_array_add(args, NULL);

  g_auto(GStrv) env = g_get_environ();
  for (int i = 0; envp && envp[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(envp[i], "=", 2);
    env = g_environ_setenv(env, kv[0], kv[1] ? kv[1] : "", TRUE);
  }
  int status = 0;
  g_autoptr(GError) error = NULL;
  /* Output nobody asked for goes to the log as TAP comments, not onto the
   * TAP stream itself (meson counted it as UNKNOWN lines). */
  g_autofree char *unwanted = NULL;
  g_spawn_sync(NULL, (char **)args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, out ? out : &unwanted,
               err, &status, &error);
  g_assert_no_error(error);
  if (unwanted && unwanted[0])
    g_test_message("%s", g_strchomp(unwanted));
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

const char *
test_demo_dir(void)
{
  static char *dir;
  if (dir)
    return dir;
  const char *build = g_getenv("G_TEST_BUILDDIR");
  g_assert_nonnull(build);
  dir = g_build_filename(build, "demo", NULL);
  g_autofree char *stamp = g_build_filename(dir, ".complete", NULL);
  if (g_file_test(stamp, G_FILE_TEST_EXISTS))
    return dir;
  const char *gen = g_getenv("DERUSH_DEMO_GEN");
  g_assert_nonnull(gen);
  const char *argv[] = {gen, "--out", dir, NULL};
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error(error);
  if (out && out[0]) /* a log comment, not a line on the TAP stream */
    g_test_message("%s", g_strchomp(out));
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_assert_true(g_file_test(stamp, G_FILE_TEST_EXISTS));
  return dir;
}

GStrv
test_demo_truth_lines(void)
{
  g_autofree char *csv = g_build_filename(test_demo_dir(), "truth.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
  return g_strsplit(text, "\n", -1);
}

gboolean
test_running_on_valgrind(void)
{
  const char *preload = g_getenv("LD_PRELOAD");
  return preload && strstr(preload, "vgpreload") != NULL;
}

GStrv
test_isolated_env(const char *tmp, const char *catalog)
{
  const struct {
    const char *var, *leaf;
  } dirs[] = {
      {"DERUSH_CACHE_DIR", "cache"},
      {"XDG_DATA_HOME", "xdg-data"},
      {"XDG_CACHE_HOME", "xdg-cache"},
      {"XDG_CONFIG_HOME", "xdg-config"},
  };
  GPtrArray *env = g_ptr_array_new();
  for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
    g_autofree char *dir = g_build_filename(tmp, dirs[i].leaf, NULL);
    g_ptr_array_add(env, g_strconcat(dirs[i].var, "=", dir, NULL));
  }
  g_ptr_array_add(env, g_strconcat("DERUSH_CATALOG=", catalog, NULL));
  g_ptr_array_add(env, NULL);
  return (GStrv)g_ptr_array_free(env, FALSE);
}

int
test_run_derush_on(const char *catalog, const char *const *envp, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, "--catalog");
  g_ptr_array_add(args, (gpointer)catalog);
  va_list ap;
  va_start(ap, err);
  for (const char *arg = va_arg(ap, const char *); arg; arg = va_arg(ap, const char *))
    g_ptr_array_add(args, (gpointer)arg);
  va_end(ap);
  g_ptr_array_add(args, NULL);
  g_autofree char *out_text = NULL, *err_text = NULL;
  int status = test_run_derush((const char *const *)args->pdata, envp, &out_text, &err_text);
  if (g_test_verbose() && err_text && *err_text)
    g_test_message("stderr: %s", err_text);
  if (out)
    *out = g_steal_pointer(&out_text);
  if (err)
    *err = g_steal_pointer(&err_text);
  return status;
}

int
test_run_derush_killed(const char *catalog, const char *const *envp, int delay_ms,
                       gboolean (*ready)(gpointer user_data), gpointer user_data,
                       const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("DERUSH_BIN"));
  g_ptr_array_add(argv, "--catalog");
  g_ptr_array_add(argv, (gpointer)catalog);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  g_auto(GStrv) env = g_get_environ();
  for (int i = 0; envp && envp[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(envp[i], "=", 2);
    env = g_environ_setenv(env, kv[0], kv[1] ? kv[1] : "", TRUE);
  }
  GPid pid;
  g_autoptr(GError) error = NULL;
  g_spawn_async(NULL, (char **)argv->pdata, env,
                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &pid, &error);
  g_assert_no_error(error);
  g_usleep((gulong)delay_ms * 1000);
  int status;
  gboolean ended = FALSE;
  while (ready && !(ended = waitpid(pid, &status, WNOHANG) == pid) && !ready(user_data))
    g_usleep(1000);
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  g_spawn_close_pid(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

DerushCatalog *
test_open_scanned(const char *db, const char *cache, const char *root)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  if (cache)
    derush_catalog_set_cache_dir(cat, cache);
  const char *roots[] = {root, NULL};
  g_assert_true(derush_catalog_scan(cat, roots, NULL, NULL, &error));
  g_assert_no_error(error);
  return cat;
}
