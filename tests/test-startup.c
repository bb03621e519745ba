/* test-startup.c: the light `derush` front maps no heavy library.
 *
 * ls, label, undo and --version must start in milliseconds (README
 * "Start-up"), which they do by never mapping libvips, libraw, oneDNN,
 * XGBoost or protobuf-c (cli/cli-commands.h). The dynamic loader says what
 * it maps (LD_DEBUG=files into LD_DEBUG_OUTPUT): each test reads that
 * rather than timing anything. The positive cases (a decode loads the
 * decoders module, a heavy command runs derush-full) show the log is read
 * and the hand-off works.
 */
#include "test-util.h"
#include <glib/gstdio.h>
#include <sys/wait.h>

/* The libraries a light command must not map, by file-name prefix. */
static const char *const heavy_libraries[] = {
    "libvips.so",       "libraw_r.so",        "libdnnl.so",  "libxgboost.so",
    "libprotobuf-c.so", "derush-decoders.so", "derush-full", NULL,
};

typedef struct {
  char *tmp, *catalog, *photos, *known, *debug_dir;
  GStrv env;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->catalog = g_build_filename(f->tmp, "catalog.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->known = g_build_filename(f->photos, "known.jpg", NULL);
  f->debug_dir = g_build_filename(f->tmp, "ld", NULL);
  test_make_quadrant_image(f->known, 64, 48);
  f->env = test_isolated_env(f->tmp, f->catalog);
  /* The catalog knows known.jpg before any test runs a light command. */
  g_assert_cmpint(test_run_derush_on(f->catalog, (const char *const *)f->env, NULL, NULL, "scan",
                                     f->photos, NULL),
                  ==, 0);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->catalog);
  g_free(f->photos);
  g_free(f->known);
  g_free(f->debug_dir);
  g_strfreev(f->env);
}

/* Runs derush with @args (NULL-terminated, after --catalog) under
 * LD_DEBUG=files and returns the base names of every object the loader
 * mapped, across the exec into derush-full. */
static GHashTable *
run_and_list_mapped(Fixture *f, int expected_status, const char *const *args)
{
  test_rmrf(f->debug_dir);
  g_assert_cmpint(g_mkdir_with_parents(f->debug_dir, 0755), ==, 0);
  g_autofree char *output = g_build_filename(f->debug_dir, "ld", NULL);
  g_auto(GStrv) env = g_strdupv(f->env);
  env = g_environ_setenv(env, "LD_DEBUG", "files", TRUE);
  env = g_environ_setenv(env, "LD_DEBUG_OUTPUT", output, TRUE);

  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, "--catalog");
  g_ptr_array_add(argv, f->catalog);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add(argv, (gpointer)args[i]);
  g_ptr_array_add(argv, NULL);
  g_autofree char *err = NULL;
  int status =
      test_run_derush((const char *const *)argv->pdata, (const char *const *)env, NULL, &err);
  if (status != expected_status)
    g_test_message("stderr: %s", err);
  g_assert_cmpint(status, ==, expected_status);

  GHashTable *mapped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open(f->debug_dir, 0, NULL);
  g_assert_nonnull(dir);
  for (const char *name; (name = g_dir_read_name(dir));) {
    g_autofree char *path = g_build_filename(f->debug_dir, name, NULL);
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
    for (const char *p = log; (p = strstr(p, "file="));) {
      p += strlen("file=");
      gsize len = strcspn(p, " \t\n");
      g_autofree char *file = g_strndup(p, len);
      g_hash_table_add(mapped, g_path_get_basename(file));
    }
  }
  return mapped;
}

static gboolean
mapped_one(GHashTable *mapped, const char *prefix)
{
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init(&iter, mapped);
  while (g_hash_table_iter_next(&iter, &key, NULL))
    if (g_str_has_prefix(key, prefix))
      return TRUE;
  return FALSE;
}

static void
assert_light(GHashTable *mapped, const char *command)
{
  /* The log was read: every run maps GLib. */
  g_assert_true(mapped_one(mapped, "libglib-2.0.so"));
  for (int i = 0; heavy_libraries[i]; i++)
    if (mapped_one(mapped, heavy_libraries[i]))
      g_error("derush %s mapped %s", command, heavy_libraries[i]);
}

static void
test_light_commands(Fixture *f, gconstpointer data)
{
  const char *const version[] = {"--version", NULL};
  const char *const ls[] = {"ls", NULL};
  const char *const label[] = {"label", f->known, "keep", NULL};
  const char *const undo[] = {"undo", NULL};
  const char *const history[] = {"history", NULL};
  const char *const stats[] = {"stats", NULL};
  const struct {
    const char *name;
    const char *const *args;
  } commands[] = {
      {"--version", version}, {"ls", ls},           {"label", label},
      {"undo", undo},         {"history", history}, {"stats", stats},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
    g_autoptr(GHashTable) mapped = run_and_list_mapped(f, 0, commands[i].args);
    assert_light(mapped, commands[i].name);
  }
}

/* A label of a file the catalog has never seen decodes it: the front loads
 * the decoders module, and the photo is read as a scan would read it. */
static void
test_label_new_file_loads_decoders(Fixture *f, gconstpointer data)
{
  g_autofree char *fresh = g_build_filename(f->photos, "fresh.jpg", NULL);
  test_make_quadrant_image(fresh, 40, 30);
  const char *const label[] = {"label", fresh, "trash", NULL};
  g_autoptr(GHashTable) mapped = run_and_list_mapped(f, 0, label);
  g_assert_true(mapped_one(mapped, "derush-decoders.so"));
  g_assert_true(mapped_one(mapped, "libvips.so"));
  g_assert_false(mapped_one(mapped, "libdnnl.so"));

  g_autofree char *out = NULL;
  g_assert_cmpint(
      test_run_derush_on(f->catalog, (const char *const *)f->env, &out, NULL, "ls", "--json", NULL),
      ==, 0);
  /* Decoded, not only catalogued: its size, and its cached thumbnail. */
  const char *line = strstr(out, "fresh.jpg");
  g_assert_nonnull(line);
  g_autofree char *record = g_strndup(line, strcspn(line, "\n"));
  g_assert_nonnull(strstr(record, "\"width\":40,\"height\":30"));
  g_autofree char *cache = g_build_filename(f->tmp, "cache", "thumbs", NULL);
  g_assert_true(g_file_test(cache, G_FILE_TEST_IS_DIR));
}

/* A command the front does not carry runs in derush-full, with the same
 * arguments and exit status. */
static void
test_heavy_command_runs_full_program(Fixture *f, gconstpointer data)
{
  const char *const scan[] = {"scan", f->photos, NULL};
  g_autoptr(GHashTable) mapped = run_and_list_mapped(f, 0, scan);
  /* The loader names the program by its argv[0], which stays "derush":
   * derush-full shows in what only it needs (oneDNN), the module does not. */
  g_assert_true(mapped_one(mapped, "libdnnl.so"));
  g_assert_true(mapped_one(mapped, "libvips.so"));
  g_assert_false(mapped_one(mapped, "derush-decoders.so"));

  const char *const bad[] = {"scan", "--no-such-option", NULL};
  g_autoptr(GHashTable) mapped_bad = run_and_list_mapped(f, 2, bad);
  g_assert_true(mapped_one(mapped_bad, "libdnnl.so"));
}

/* A front whose module cannot be found says so on the first decode and
 * keeps the decision of a known photo working. */
static void
test_missing_module_is_an_error(Fixture *f, gconstpointer data)
{
  g_autofree char *alone_dir = g_build_filename(f->tmp, "alone", NULL);
  g_autofree char *alone = g_build_filename(alone_dir, "derush", NULL);
  test_copy_file(g_getenv("DERUSH_BIN"), alone);
  g_assert_cmpint(g_chmod(alone, 0755), ==, 0);
  g_autofree char *fresh = g_build_filename(f->photos, "other.jpg", NULL);
  test_make_quadrant_image(fresh, 20, 20);

  const char *const args[] = {alone, "--catalog", f->catalog, "label", fresh, "keep", NULL};
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_sync(NULL, (char **)args, f->env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
               &status, &error);
  g_assert_no_error(error);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    g_test_skip("an installed derush-decoders module was found");
    return;
  }
  g_assert_nonnull(strstr(err, "cannot find the image decoders"));
  /* A scan that cannot start its decoders is a fatal error (exit 2). */
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 2);

  const char *const known[] = {alone, "--catalog", f->catalog, "label", f->known, "keep", NULL};
  g_spawn_sync(NULL, (char **)known, f->env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
               &status, &error);
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/startup/light-commands", Fixture, NULL, fixture_setup, test_light_commands,
             fixture_teardown);
  g_test_add("/startup/label-new-file-loads-decoders", Fixture, NULL, fixture_setup,
             test_label_new_file_loads_decoders, fixture_teardown);
  g_test_add("/startup/heavy-command-runs-full-program", Fixture, NULL, fixture_setup,
             test_heavy_command_runs_full_program, fixture_teardown);
  g_test_add("/startup/missing-module-is-an-error", Fixture, NULL, fixture_setup,
             test_missing_module_is_an_error, fixture_teardown);
  return g_test_run();
}
