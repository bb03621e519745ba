/* test-util-units.c: counters, file types, the content hash, mapped files. */
#include "test-util.h"

static void
test_counters(void)
{
  derush_counters_reset();
  derush_counter_add(DERUSH_COUNTER_FILES_OPENED, 3);
  derush_counter_add(DERUSH_COUNTER_FILES_OPENED, 2);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 5);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, 0);
  gint64 snap[DERUSH_N_COUNTERS];
  derush_counters_snapshot(snap);
  g_assert_cmpint(snap[DERUSH_COUNTER_FILES_OPENED], ==, 5);
  /* Every counter has a distinct snake_case name: they are stored by name. */
  g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
  for (int i = 0; i < DERUSH_N_COUNTERS; i++) {
    const char *n = derush_counter_name(i);
    g_assert_nonnull(n);
    g_assert_false(g_hash_table_contains(names, n));
    g_hash_table_add(names, (gpointer)n);
  }
  derush_counters_reset();
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_FILES_OPENED), ==, 0);
}

static void
test_file_types(void)
{
  g_assert_true(derush_is_photo_name("a/IMG_0001.JPG"));
  g_assert_true(derush_is_photo_name("x.heic"));
  g_assert_true(derush_is_photo_name("x.CR3"));
  g_assert_true(derush_is_raw_name("x.NEF"));
  g_assert_false(derush_is_raw_name("x.jpg"));
  g_assert_false(derush_is_photo_name("notes.txt"));
  g_assert_false(derush_is_photo_name(".jpg"));
  g_assert_false(derush_is_photo_name("dir.jpg/file"));
  g_assert_false(derush_is_photo_name("noext"));
  char ext[8];
  _derush_file_ext("/a.b/c.TiFf", ext, sizeof ext);
  g_assert_cmpstr(ext, ==, "tiff");
  _derush_file_ext("/a/c.verylongextension", ext, sizeof ext);
  g_assert_cmpstr(ext, ==, "");
}

static void
check_hash_forms_agree(gsize len)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, "f.bin", NULL);
  g_autofree guint8 *data = g_malloc(MAX(len, 1));
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8)(i * 2654435761u >> 13);
  test_write_file(path, data, len);

  gint64 size = -1;
  guint64 h_path = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_content_hash_path(path, &size, &h_path, &error));
  g_assert_no_error(error);
  g_assert_cmpint(size, ==, (gint64)len);
  g_assert_cmpuint(h_path, ==, _derush_content_hash_buf(data, len));
  g_assert_cmpuint(h_path, !=, 0);

  DerushMappedFile mf;
  g_assert_true(_derush_mapped_file_open(&mf, path, &error));
  g_assert_cmpuint(mf.len, ==, len);
  g_assert_cmpuint(_derush_content_hash_buf(mf.data, mf.len), ==, h_path);
  _derush_mapped_file_close(&mf);

  /* A change in the middle sample changes the hash. */
  if (len > 0) {
    data[len / 2] ^= 0xff;
    g_assert_cmpuint(_derush_content_hash_buf(data, len), !=, h_path);
  }
  test_rmrf(dir);
}

static void
test_content_hash(void)
{
  check_hash_forms_agree(0);
  check_hash_forms_agree(1000);
  check_hash_forms_agree(3 * DERUSH_HASH_SAMPLE);
  check_hash_forms_agree(3 * DERUSH_HASH_SAMPLE + 1);
  check_hash_forms_agree(1000000);
}

static void
test_mapped_file_errors(void)
{
  DerushMappedFile mf;
  g_autoptr(GError) error = NULL;
  g_assert_false(_derush_mapped_file_open(&mf, "/nonexistent/x.jpg", &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_assert_false(_derush_mapped_file_open(&mf, "/", &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED);
}

static void
test_eta(void)
{
  const struct {
    double elapsed;
    gint64 done, total;
    const char *want; /* NULL: unknown */
  } cases[] = {
      {10, 100, 400, "0:30"}, {2, 1, 3601, "2:00:00"}, {59.4, 1, 2, "0:59"},
      {59.6, 1, 2, "1:00"},   {0, 10, 100, NULL},      {5, 0, 100, NULL},
      {5, 100, 100, NULL},    {5, 120, 100, NULL},     {1, 1, 3600 * 25 + 1, "25:00:00"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *got = derush_format_eta(cases[i].elapsed, cases[i].done, cases[i].total);
    g_assert_cmpstr(got, ==, cases[i].want);
  }
}

static char **given_argv;

/* The subprocess makes its runtime's threads idle passively by executing
 * itself again; the marker in the environment says it came through exec. */
static void
test_restart_idle_threads(void)
{
  if (g_test_subprocess()) {
    if (!g_getenv("DERUSH_TEST_RESTARTED")) {
      g_setenv("DERUSH_TEST_RESTARTED", "1", TRUE);
      g_unsetenv("OMP_WAIT_POLICY");
      g_unsetenv("GOMP_SPINCOUNT");
      derush_restart_with_idle_threads(given_argv);
      g_print("not restarted\n");
      return;
    }
    g_print("restarted policy=%s spin=%s\n", g_getenv("OMP_WAIT_POLICY"),
            g_getenv("GOMP_SPINCOUNT"));
    /* A policy or spin count the user set is left alone: no second exec. */
    g_setenv("OMP_WAIT_POLICY", "active", TRUE);
    derush_restart_with_idle_threads(given_argv);
    g_print("kept %s\n", g_getenv("OMP_WAIT_POLICY"));
    g_unsetenv("OMP_WAIT_POLICY");
    g_setenv("GOMP_SPINCOUNT", "5", TRUE);
    derush_restart_with_idle_threads(given_argv);
    g_print("kept spin %s\n", g_getenv("GOMP_SPINCOUNT"));
    return;
  }
  g_test_trap_subprocess(NULL, 0, 0);
  g_test_trap_assert_passed();
  g_test_trap_assert_stdout("*restarted policy=passive spin=10000\nkept active\nkept spin 5\n*");
  g_test_trap_assert_stdout_unmatched("*not restarted*");
}

/* The same restart with this program under valgrind (the way `make
 * valgrind` and a user run it): the exec must start the program again,
 * not valgrind's tool, which "/proc/self/exe" names there. Not with ASan,
 * which valgrind cannot run. */
static void
test_restart_under_valgrind(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  g_test_skip("valgrind cannot run a sanitizer build");
#else
  g_autofree char *valgrind = g_find_program_in_path("valgrind");
  if (!valgrind) {
    g_test_skip("valgrind is not installed");
    return;
  }
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  const char *argv[] = {valgrind, "-q", "--error-exitcode=99", self, NULL};
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_unsetenv(env, "OMP_WAIT_POLICY");
  env = g_environ_unsetenv(env, "GOMP_SPINCOUNT");
  env = g_environ_unsetenv(env, "DERUSH_TEST_RESTARTED");
  env = g_environ_setenv(env, "DERUSH_TEST_RESTART_ONLY", "1", TRUE);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &status, &error));
  g_assert_no_error(error);
  g_test_message("stdout: %s\nstderr: %s", out, err);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_assert_cmpstr(out, ==, "restarted policy=passive\n");
#endif
}

/* DERUSH_TEST_RESTART_ONLY: restart once, say so, and stop (the program
 * test_restart_under_valgrind() runs). */
static int
restart_only(char **argv)
{
  if (!g_getenv("DERUSH_TEST_RESTARTED")) {
    g_setenv("DERUSH_TEST_RESTARTED", "1", TRUE);
    derush_restart_with_idle_threads(argv);
    g_print("not restarted\n");
    return 1;
  }
  g_print("restarted policy=%s\n", g_getenv("OMP_WAIT_POLICY"));
  return 0;
}

int
main(int argc, char **argv)
{
  if (g_getenv("DERUSH_TEST_RESTART_ONLY"))
    return restart_only(argv);
  given_argv = g_strdupv(argv);
  test_init(&argc, &argv);
  g_test_add_func("/util/restart-idle-threads", test_restart_idle_threads);
  g_test_add_func("/util/restart-under-valgrind", test_restart_under_valgrind);
  g_test_add_func("/util/counters", test_counters);
  g_test_add_func("/util/eta", test_eta);
  g_test_add_func("/util/file-types", test_file_types);
  g_test_add_func("/util/content-hash", test_content_hash);
  g_test_add_func("/util/mapped-file-errors", test_mapped_file_errors);
  int status = g_test_run();
  g_strfreev(given_argv);
  return status;
}
