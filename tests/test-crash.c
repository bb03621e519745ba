/* test-crash.c: the catalog under abuse: kill -9 in the middle of a scan,
 * and two derush processes scanning into one catalog at once. */
#include "test-util.h"
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_PHOTOS 160

typedef struct {
  char *tmp;
  char *photos;
  char *db;
  char *env_cache;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->db = g_build_filename(f->tmp, "catalog.db", NULL);
  f->env_cache = g_strdup_printf("DERUSH_CACHE_DIR=%s/cache", f->tmp);
  /* Varied sizes so the decode work is real and the kill lands mid-way. */
  for (int i = 0; i < N_PHOTOS; i++) {
    g_autofree char *name = g_strdup_printf("d%d/img_%03d.jpg", i % 4, i);
    g_autofree char *path = g_build_filename(f->photos, name, NULL);
    test_make_quadrant_image(path, 600 + (i % 7) * 97, 400 + (i % 5) * 61);
  }
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->photos);
  g_free(f->db);
  g_free(f->env_cache);
}

static GPid
spawn_scan_out(Fixture *f, const char *threads, int *out_fd)
{
  const char *bin = g_getenv("DERUSH_BIN");
  const char *argv[] = {bin,         "--catalog", f->db,     "scan", "--json",
                        "--threads", threads,     f->photos, NULL};
  g_auto(GStrv) env = g_get_environ();
  g_auto(GStrv) kv = g_strsplit(f->env_cache, "=", 2);
  env = g_environ_setenv(env, kv[0], kv[1], TRUE);
  GPid pid = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_async_with_pipes(NULL, (char **)argv, env,
                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL |
                               (out_fd ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL),
                           NULL, NULL, &pid, NULL, out_fd, NULL, &error);
  g_assert_no_error(error);
  return pid;
}

static GPid
spawn_scan(Fixture *f, const char *threads)
{
  return spawn_scan_out(f, threads, NULL);
}

/* The JSON summary a scan printed on @fd (closed). */
static JsonObject *
read_summary(int fd, JsonParser *parser)
{
  g_autoptr(GString) text = g_string_new(NULL);
  char buf[4096];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0)
    g_string_append_len(text, buf, r);
  close(fd);
  g_autoptr(GError) error = NULL;
  g_assert_true(json_parser_load_from_data(parser, text->str, -1, &error));
  return json_node_get_object(json_parser_get_root(parser));
}

static int
wait_status(GPid pid)
{
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  return status;
}

static void
assert_catalog_sound(Fixture *f, gint64 expect_photos)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->db, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  g_assert_no_error(error);
  if (expect_photos >= 0)
    g_assert_cmpint(derush_catalog_count_photos(cat, f->photos, DERUSH_PHOTO_OK), ==,
                    expect_photos);
  derush_catalog_close(cat);
}

/* Photos committed so far by a scan running in another process. */
static gint64
committed_photos(Fixture *f)
{
  if (!g_file_test(f->db, G_FILE_TEST_EXISTS))
    return 0;
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->db, &error);
  if (!cat)
    return 0; /* being created right now */
  gint64 n = derush_catalog_count_photos(cat, f->photos, -1);
  derush_catalog_close(cat);
  return MAX(n, 0);
}

static JsonObject *
scan_json(Fixture *f, JsonParser *parser)
{
  const char *argv[] = {"--catalog", f->db, "scan", "--json", f->photos, NULL};
  const char *envp[] = {f->env_cache, NULL};
  g_autofree char *out = NULL, *err = NULL;
  int rc = test_run_derush(argv, envp, &out, &err);
  g_assert_cmpint(rc, ==, 0);
  g_autoptr(GError) error = NULL;
  g_assert_true(json_parser_load_from_data(parser, out, -1, &error));
  return json_node_get_object(json_parser_get_root(parser));
}

static void
test_kill_mid_scan(Fixture *f, gconstpointer data)
{
  /* Kill at several moments; each time the catalog must be intact and the
   * next scan must finish the job without re-reading what was committed.
   * The last kill waits until a first batch is committed, so the test does
   * not depend on how fast this machine starts a process. */
  const int delays_ms[] = {80, 250, -1};
  for (gsize i = 0; i < G_N_ELEMENTS(delays_ms); i++) {
    GPid pid = spawn_scan(f, "1");
    if (delays_ms[i] >= 0) {
      g_usleep(delays_ms[i] * 1000);
    } else {
      for (int waited = 0; waited < 20000 && committed_photos(f) == 0; waited += 20)
        g_usleep(20 * 1000);
    }
    kill(pid, SIGKILL);
    int status = wait_status(pid);
    g_spawn_close_pid(pid);
    if (WIFEXITED(status))
      g_test_message("scan finished before kill %" G_GSIZE_FORMAT, i);
    assert_catalog_sound(f, -1);
  }
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *o = scan_json(f, parser);
  gint64 seen = json_object_get_int_member(o, "files_seen");
  gint64 added = json_object_get_int_member(o, "added");
  gint64 unchanged = json_object_get_int_member(o, "unchanged");
  gint64 updated = json_object_get_int_member(o, "updated");
  g_assert_cmpint(seen, ==, N_PHOTOS);
  g_assert_cmpint(added + unchanged + updated, ==, N_PHOTOS);
  /* Work committed before the kills was kept. */
  g_assert_cmpint(unchanged, >, 0);
  assert_catalog_sound(f, N_PHOTOS);

  JsonObject *again = scan_json(f, parser);
  g_assert_cmpint(json_object_get_int_member(again, "unchanged"), ==, N_PHOTOS);
  g_assert_cmpint(json_object_get_int_member(again, "metadata_parsed"), ==, 0);
}

/* Two scans of one tree at once split the work: each file is opened and
 * added by one of them only (before scan claims, both added most files:
 * 1,800 + 2,000 for 2,000 rows). */
static void
test_two_processes(Fixture *f, gconstpointer data)
{
  int fa, fb;
  GPid a = spawn_scan_out(f, "2", &fa);
  GPid b = spawn_scan_out(f, "2", &fb);
  g_autoptr(JsonParser) pa = json_parser_new();
  g_autoptr(JsonParser) pb = json_parser_new();
  JsonObject *oa = read_summary(fa, pa), *ob = read_summary(fb, pb);
  int sa = wait_status(a), sb = wait_status(b);
  g_spawn_close_pid(a);
  g_spawn_close_pid(b);
  g_assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
  g_assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
  assert_catalog_sound(f, N_PHOTOS);
  gint64 added_a = json_object_get_int_member(oa, "added");
  gint64 added_b = json_object_get_int_member(ob, "added");
  g_test_message("scan A added %" G_GINT64_FORMAT ", scan B %" G_GINT64_FORMAT, added_a, added_b);
  g_assert_cmpint(added_a + added_b, ==, N_PHOTOS);
  g_assert_cmpint(json_object_get_int_member(oa, "files_seen"), ==, N_PHOTOS);
  g_assert_cmpint(json_object_get_int_member(ob, "files_seen"), ==, N_PHOTOS);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->db, &error);
  g_assert_no_error(error);
  gint64 total[DERUSH_N_COUNTERS], last[DERUSH_N_COUNTERS];
  g_autofree char *last_command = NULL;
  g_assert_true(derush_catalog_get_counters(cat, total, last, &last_command, &error));
  derush_catalog_close(cat);
  g_assert_cmpint(total[DERUSH_COUNTER_FILES_OPENED], ==, N_PHOTOS);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *o = scan_json(f, parser);
  g_assert_cmpint(json_object_get_int_member(o, "unchanged"), ==, N_PHOTOS);
}

/* Scan B has read a folder's rows when scan A, in another connection,
 * scans the whole tree, commits and releases its claims; B's claims are
 * then granted, and its rows are stale. B must look at the rows again
 * rather than read and add A's files a second time. Seen under TSan's
 * slowness in /crash/two-processes (198 added for 160 files); here the
 * window is opened on purpose: A runs from B's first bad-file report (a
 * broken link in d0), which comes after B read d0's rows and before it
 * claims d0's files. */
typedef struct {
  const char *db;
  const char *root;
  gboolean ran;
  DerushScanSummary a;
} InterleaveState;

/* One scan of @root without thumbnails, in its own connection to @db;
 * @on_bad_file (nullable) gets @user_data. */
static void
scan_alone(const char *db, const char *root,
           void (*on_bad_file)(const char *, const char *, gpointer), gpointer user_data,
           DerushScanSummary *sum)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.thumbnails = FALSE;
  options.on_bad_file = on_bad_file;
  options.user_data = user_data;
  const char *roots[] = {root, NULL};
  g_assert_true(derush_catalog_scan(cat, roots, &options, sum, &error));
  g_assert_no_error(error);
  derush_catalog_close(cat);
}

static void
scan_other_connection_cb(const char *path, const char *reason, gpointer user_data)
{
  InterleaveState *st = user_data;
  if (!st->ran) {
    st->ran = TRUE;
    scan_alone(st->db, st->root, NULL, NULL, &st->a);
  }
}

static void
test_stale_rows_after_claim(Fixture *f, gconstpointer data)
{
  g_autofree char *link = g_build_filename(f->photos, "d0", "zz-broken.jpg", NULL);
  g_assert_cmpint(symlink("nowhere.jpg", link), ==, 0);
  InterleaveState st = {f->db, f->photos, FALSE, {0}};
  DerushScanSummary b = {0};
  scan_alone(f->db, f->photos, scan_other_connection_cb, &st, &b);
  g_assert_true(st.ran);
  g_test_message("scan A added %" G_GINT64_FORMAT ", scan B %" G_GINT64_FORMAT
                 " (B: %" G_GINT64_FORMAT " updated, %" G_GINT64_FORMAT " unchanged)",
                 st.a.added, b.added, b.updated, b.unchanged);
  /* The broken link is recorded too (unreadable, with its reason); B
   * records it again from the rows it read before A, which opens no file. */
  g_assert_cmpint(st.a.added, ==, N_PHOTOS + 1);
  g_assert_cmpint(b.added + b.updated, ==, 1);
  g_assert_cmpint(b.unchanged, ==, N_PHOTOS);
  assert_catalog_sound(f, N_PHOTOS);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/crash/kill-mid-scan", Fixture, NULL, fixture_setup, test_kill_mid_scan,
             fixture_teardown);
  g_test_add("/crash/two-processes", Fixture, NULL, fixture_setup, test_two_processes,
             fixture_teardown);
  g_test_add("/crash/stale-rows-after-claim", Fixture, NULL, fixture_setup,
             test_stale_rows_after_claim, fixture_teardown);
  return g_test_run();
}
