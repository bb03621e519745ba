/* test-trash.c: apply --trash and undo-apply against a trash that is not
 * empty (issue 16, defect 2).
 *
 * When the freedesktop trash already holds NAME.trashinfo, GIO stores the
 * photo as STEM.2.EXT: undo-apply must still find it, a step it cannot undo
 * must not block the others or older applies, and kill -9 during apply must
 * leave every photo exactly once. Each test has its own XDG_DATA_HOME, so
 * the user's trash is never touched. */
#include "test-util.h"
#include "export/export-private.h"
#include <sys/stat.h>
#include <unistd.h>

#define N 4

typedef struct {
  char *tmp;
  char *catalog;
  char *photos;
  char *trash; /* $XDG_DATA_HOME/Trash */
  GStrv env;
  char *paths[N];
  char *bytes[N]; /* each photo's content, to tell them apart once restored */
  gsize lens[N];
} Fixture;

static void
make_photos(Fixture *f, int n, char **paths, char **bytes, gsize *lens, const char *prefix)
{
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("%s%03d.png", prefix, i);
    paths[i] = g_build_filename(f->photos, name, NULL);
    test_make_quadrant_image(paths[i], 8 + i % 16, 8 + i / 16);
    g_assert_true(g_file_get_contents(paths[i], &bytes[i], &lens[i], NULL));
  }
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->catalog = g_build_filename(f->tmp, "cat.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->env = test_isolated_env(f->tmp, f->catalog);
  g_autofree char *data_home = g_build_filename(f->tmp, "xdg-data", NULL);
  /* GIO in this process (and in the children, which inherit it) trashes
   * into the test's own folder. */
  g_setenv("XDG_DATA_HOME", data_home, TRUE);
  f->trash = g_build_filename(data_home, "Trash", NULL);
  make_photos(f, N, f->paths, f->bytes, f->lens, "q");
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->catalog);
  g_free(f->photos);
  g_free(f->trash);
  g_strfreev(f->env);
  for (int i = 0; i < N; i++) {
    g_free(f->paths[i]);
    g_free(f->bytes[i]);
  }
}

#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

static void
put_in_trash(Fixture *f, const char *name, const char *info_text)
{
  g_autofree char *info = g_strdup_printf("%s/info/%s.trashinfo", f->trash, name);
  g_autofree char *file = g_strdup_printf("%s/files/%s", f->trash, name);
  test_write_file(info, info_text, strlen(info_text));
  test_write_file(file, "someone else's file", 19);
}

static void
assert_restored(Fixture *f, int i)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(f->paths[i], &data, &len, NULL));
  g_assert_cmpmem(data, len, f->bytes[i], f->lens[i]);
}

/* Labels photos 0 and 1 trash, trashes them, undoes: both come back and
 * the trash's other files stay where they were. */
static void
trash_and_undo(Fixture *f)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], f->paths[1], "trash", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  g_assert_false(g_file_test(f->paths[0], G_FILE_TEST_EXISTS));
  /* GIO took the next free name. */
  g_autofree char *second = g_build_filename(f->trash, "files", "q000.2.png", NULL);
  g_assert_true(g_file_test(second, G_FILE_TEST_EXISTS));
  g_autofree char *out = NULL, *err = NULL;
  int status = run(f, &out, &err, "undo-apply", NULL);
  g_assert_cmpstr(err, ==, "");
  g_assert_cmpint(status, ==, 0);
  g_assert_nonnull(strstr(out, "Restored 2 files, 0 failed"));
  assert_restored(f, 0);
  assert_restored(f, 1);
  g_assert_false(g_file_test(second, G_FILE_TEST_EXISTS));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Nothing to undo"));
}

static void
test_same_name_trashinfo(Fixture *f, gconstpointer data)
{
  /* An earlier trash of another q000.png (another folder). */
  put_in_trash(f, "q000.png",
               "[Trash Info]\nPath=/elsewhere/q000.png\n"
               "DeletionDate=2026-01-01T00:00:00\n");
  trash_and_undo(f);
  g_autofree char *foreign = g_build_filename(f->trash, "files", "q000.png", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(foreign, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "someone else's file");
}

static void
test_zero_byte_trashinfo(Fixture *f, gconstpointer data)
{
  /* What a process killed inside g_file_trash leaves: GIO creates the
   * .trashinfo (O_EXCL) before it writes it. */
  g_autofree char *info = g_build_filename(f->trash, "info", "q000.png.trashinfo", NULL);
  test_write_file(info, "", 0);
  trash_and_undo(f);
}

/* A step that cannot be undone (its file was removed from the trash) is
 * reported, and neither the other steps nor the apply before wait for it. */
static void
test_failed_step_does_not_block(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "trash", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[1], f->paths[2], "trash", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  /* The user empties photo 1 from the trash. */
  g_autofree char *gone = g_build_filename(f->trash, "files", "q001.png", NULL);
  g_autofree char *gone_info = g_build_filename(f->trash, "info", "q001.png.trashinfo", NULL);
  g_assert_cmpint(unlink(gone), ==, 0);
  g_assert_cmpint(unlink(gone_info), ==, 0);

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "undo-apply", NULL), ==, 1);
  g_assert_nonnull(strstr(out, "Restored 1 file, 1 failed"));
  assert_restored(f, 2);
  /* One line, naming the file once. */
  g_autofree char *expected = g_strdup_printf(
      "derush: %s: not found in the trash; restore it from the file manager\n", f->paths[1]);
  g_assert_cmpstr(err, ==, expected);
  g_clear_pointer(&out, g_free);
  g_clear_pointer(&err, g_free);
  /* The next run goes on to the apply before (and says again what it
   * still cannot restore). */
  g_assert_cmpint(run(f, &out, &err, "undo-apply", NULL), ==, 1);
  assert_restored(f, 0);
  g_assert_nonnull(strstr(err, "q001.png"));
  /* Once the file is back in the trash, the step is retried and done. */
  test_write_file(gone, f->bytes[1], f->lens[1]);
  g_autofree char *info_text = g_strdup_printf("[Trash Info]\nPath=%s\n", f->paths[1]);
  test_write_file(gone_info, info_text, strlen(info_text));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Restored 1 file, 0 failed"));
  assert_restored(f, 1);
}

#define MANY 120

typedef struct {
  char **paths;
  int gone_at_start;
  int more; /* kill once this many more photos left the folder */
} KillPoint;

static int
count_gone(char **paths)
{
  int gone = 0;
  for (int i = 0; i < MANY; i++)
    gone += !g_file_test(paths[i], G_FILE_TEST_EXISTS);
  return gone;
}

static gboolean
enough_gone_cb(gpointer user_data)
{
  KillPoint *k = user_data;
  return count_gone(k->paths) >= k->gone_at_start + k->more;
}

static void
test_killed_apply_trash(Fixture *f, gconstpointer data)
{
  char *paths[MANY], *bytes[MANY];
  gsize lens[MANY];
  make_photos(f, MANY, paths, bytes, lens, "m");
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, "--catalog");
  g_ptr_array_add(args, f->catalog);
  g_ptr_array_add(args, "label");
  for (int i = 0; i < MANY; i++)
    g_ptr_array_add(args, paths[i]);
  g_ptr_array_add(args, "trash");
  g_ptr_array_add(args, NULL);
  g_assert_cmpint(run(f, NULL, NULL, "scan", "--no-thumbnails", f->photos, NULL), ==, 0);
  g_assert_cmpint(
      test_run_derush((const char *const *)args->pdata, (const char *const *)f->env, NULL, NULL),
      ==, 0);

  /* A 0-byte .trashinfo for a name, as a kill inside GIO leaves. */
  g_autofree char *info = g_build_filename(f->trash, "info", "m000.png.trashinfo", NULL);
  test_write_file(info, "", 0);
  GRand *r = g_rand_new_with_seed(16);
  const char *apply[] = {"apply", "--trash", f->photos, NULL};
  int killed = 0;
  for (int round = 0; round < 8; round++) {
    /* Killed after a few photos went, a few milliseconds apart: in the
     * middle of GIO's trash or of the journal write that follows. */
    KillPoint k = {paths, count_gone(paths), g_rand_int_range(r, 1, 12)};
    killed +=
        test_run_derush_killed(f->catalog, (const char *const *)f->env, g_rand_int_range(r, 0, 4),
                               enough_gone_cb, &k, apply) == 128 + 9;
  }
  g_rand_free(r);
  /* Finish: what the kills left labelled trash goes now. */
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  for (int i = 0; i < MANY; i++)
    g_assert_false(g_file_test(paths[i], G_FILE_TEST_EXISTS));
  int runs = 0;
  for (; runs < 20; runs++) {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(run(f, &out, &err, "undo-apply", NULL), ==, 0);
    g_assert_cmpstr(err, ==, "");
    if (strstr(out, "Nothing to undo"))
      break;
  }
  g_assert_cmpint(runs, <, 20);
  g_test_message("%d of 8 applies killed; %d undo-apply runs", killed, runs);
  /* Every photo back with its own bytes, and none left in the trash. */
  for (int i = 0; i < MANY; i++) {
    g_autofree char *back = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(paths[i], &back, &len, NULL));
    g_assert_cmpmem(back, len, bytes[i], lens[i]);
    g_free(paths[i]);
    g_free(bytes[i]);
  }
  g_autofree char *files = g_build_filename(f->trash, "files", NULL);
  g_autoptr(GDir) dir = g_dir_open(files, 0, NULL);
  for (const char *name; dir && (name = g_dir_read_name(dir));)
    g_error("left in the trash: %s", name);
}

static void
test_info_names(void)
{
  g_assert_true(_derush_trash_info_name_fits("q.jpg", "q.jpg.trashinfo"));
  g_assert_true(_derush_trash_info_name_fits("q.jpg", "q.2.jpg.trashinfo"));
  g_assert_true(_derush_trash_info_name_fits("q.jpg", "q.17.jpg.trashinfo"));
  g_assert_true(_derush_trash_info_name_fits("a.b.jpg", "a.3.b.jpg.trashinfo"));
  g_assert_true(_derush_trash_info_name_fits("noext", "noext.2.trashinfo"));
  g_assert_false(_derush_trash_info_name_fits("q.jpg", "q.jpg.2.trashinfo"));
  g_assert_false(_derush_trash_info_name_fits("q.jpg", "qq.2.jpg.trashinfo"));
  g_assert_false(_derush_trash_info_name_fits("q.jpg", "q.2.png.trashinfo"));
  g_assert_false(_derush_trash_info_name_fits("q.jpg", "q..jpg.trashinfo"));
  g_assert_false(_derush_trash_info_name_fits("q.jpg", "q.jpg"));
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/trash/info-names", test_info_names);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/trash/same-name-trashinfo", test_same_name_trashinfo);
  ADD("/trash/zero-byte-trashinfo", test_zero_byte_trashinfo);
  ADD("/trash/failed-step-does-not-block", test_failed_step_does_not_block);
  ADD("/trash/killed-apply", test_killed_apply_trash);
  return g_test_run();
}
