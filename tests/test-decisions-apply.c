/* test-decisions-apply.c: applying decisions (move, trash) and undoing
 * them, and a crash in the middle of an apply: each file ends up in one
 * place exactly. Every check reads the state back from the catalog or the
 * disk, never from what a command printed. */
#include "decisions-test-util.h"
#include <poll.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* -------------------------------------------------------------- apply */

static gboolean
file_exists(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void
test_apply_move_and_undo(Fixture *f, gconstpointer data)
{
  g_autofree char *keep = g_build_filename(f->tmp, "keepers", NULL);
  /* A RAW+JPEG pair (a TIFF renamed .dng pairs like a RAW). */
  g_autofree char *jpg = g_build_filename(f->photos, "PAIR.jpg", NULL);
  g_autofree char *tif = g_build_filename(f->photos, "PAIR.tif", NULL);
  g_autofree char *dng = g_build_filename(f->photos, "PAIR.dng", NULL);
  test_make_quadrant_image(jpg, 40, 30);
  test_make_quadrant_image(tif, 40, 30);
  g_assert_cmpint(rename(tif, dng), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", jpg, f->paths[0], "keep", "--stars", "3", NULL), ==,
                  0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", NULL), ==, 0);
  /* A name already taken at the destination. */
  g_autofree char *taken = g_build_filename(keep, "IMG_0000.png", NULL);
  test_make_quadrant_image(taken, 10, 10);
  g_autofree char *before = NULL;
  gsize before_len = 0;
  g_assert_true(g_file_get_contents(taken, &before, &before_len, NULL));

  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "apply", "--move-keepers-to", keep, "--dry-run", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Would move 3 photos (6 files with sidecars"));
  g_assert_true(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "apply", "--move-keepers-to", keep, NULL), ==, 0);
  g_assert_true(g_str_has_prefix(out, "Will move 3 photos"));
  g_clear_pointer(&out, g_free);
  g_autofree char *after = NULL;
  gsize after_len = 0;
  g_assert_true(g_file_get_contents(taken, &after, &after_len, NULL));
  g_assert_cmpmem(before, before_len, after, after_len); /* never overwritten */
  g_assert_true(file_exists(keep, "IMG_0000-1.png"));
  g_assert_true(file_exists(keep, "IMG_0000-1.png.xmp"));
  g_assert_true(file_exists(keep, "PAIR.jpg"));
  g_assert_true(file_exists(keep, "PAIR.dng"));
  g_assert_true(file_exists(keep, "PAIR.jpg.xmp"));
  g_assert_true(file_exists(keep, "PAIR.dng.xmp"));
  g_assert_false(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(dng, G_FILE_TEST_EXISTS));
  /* The rows followed the files: labels stay attached. */
  g_autofree char *moved = g_build_filename(keep, "IMG_0000-1.png", NULL);
  g_autoptr(DerushPhoto) pm = photo_at(f, moved);
  g_assert_cmpint(pm->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(pm->stars, ==, 3);
  g_autofree char *moved_dng = g_build_filename(keep, "PAIR.dng", NULL);
  g_autoptr(DerushPhoto) pd = photo_at(f, moved_dng);
  g_assert_cmpint(pd->label, ==, DERUSH_LABEL_KEEP);
  g_assert_nonnull(pd->pair_path);
  g_assert_true(g_str_has_suffix(pd->pair_path, "keepers/PAIR.jpg"));
  /* A rescan sees no missing photo and no new one. */
  g_assert_cmpint(run(f, &out, NULL, "scan", "--json", f->photos, keep, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "\"added\":1,\"updated\":0")); /* only the one in the way */
  g_assert_nonnull(strstr(out, "\"missing\":0"));
  g_clear_pointer(&out, g_free);

  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Restored 6 files"));
  g_clear_pointer(&out, g_free);
  g_assert_true(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_test(dng, G_FILE_TEST_EXISTS));
  g_assert_true(file_exists(f->photos, "IMG_0000.png.xmp"));
  g_assert_false(file_exists(keep, "IMG_0000-1.png"));
  g_assert_true(file_exists(keep, "IMG_0000.png"));
  g_autoptr(DerushPhoto) back = photo_at(f, f->paths[0]);
  g_assert_cmpint(back->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Nothing to undo"));
  g_clear_pointer(&out, g_free);

  /* Copies: the originals stay, undo removes only the copies. */
  g_autofree char *copies = g_build_filename(f->tmp, "copies", NULL);
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--copy-keepers-to", copies, NULL), ==, 0);
  g_assert_true(file_exists(copies, "PAIR.dng"));
  g_assert_true(g_file_test(dng, G_FILE_TEST_EXISTS));
  g_assert_cmpint(run(f, NULL, NULL, "undo-apply", NULL), ==, 0);
  g_assert_false(file_exists(copies, "PAIR.dng"));
  g_assert_true(g_file_test(dng, G_FILE_TEST_EXISTS));
  g_assert_cmpint(run(f, NULL, NULL, "apply", "--trash", "--move-trash-to", keep, NULL), ==, 2);
}

static void
test_apply_trash_and_restore(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[1], f->paths[2], "trash", NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Will trash 2 photos"));
  g_clear_pointer(&out, g_free);
  g_assert_false(g_file_test(f->paths[1], G_FILE_TEST_EXISTS));
  /* In this test's freedesktop trash, with its .trashinfo. */
  g_autofree char *trashed =
      g_build_filename(f->tmp, "xdg-data", "Trash", "files", "IMG_0001.png", NULL);
  g_autofree char *info =
      g_build_filename(f->tmp, "xdg-data", "Trash", "info", "IMG_0001.png.trashinfo", NULL);
  g_assert_true(g_file_test(trashed, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_test(info, G_FILE_TEST_EXISTS));
  g_autoptr(DerushPhoto) gone = photo_at(f, f->paths[1]);
  g_assert_cmpint(gone->status, ==, DERUSH_PHOTO_MISSING);
  g_assert_cmpint(gone->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Restored 2 files"));
  g_assert_true(g_file_test(f->paths[1], G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(trashed, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(info, G_FILE_TEST_EXISTS));
  g_autoptr(DerushPhoto) back = photo_at(f, f->paths[1]);
  g_assert_cmpint(back->status, ==, DERUSH_PHOTO_OK);
}

/* Runs derush in the background and kills it after @delay_ms. */
static void
run_and_kill(Fixture *f, int delay_ms, const char *const *args)
{
  test_run_derush_killed(f->catalog, NULL, delay_ms, NULL, NULL, args);
}

#define MANY 240

/* Each of the MANY photos (and its sidecar) exists exactly once: in the
 * source folder or in @dest, and the catalog row points to it. */
static void
check_each_once(Fixture *f, const char *src, const char *dest, int *n_moved)
{
  /* Opening the catalog repairs a half-done apply first. */
  g_assert_cmpint(run(f, NULL, NULL, "stats", NULL), ==, 0);
  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(derush_catalog_recover_file_ops(cat, &error), ==, 0);
  *n_moved = 0;
  for (int i = 0; i < MANY; i++) {
    g_autofree char *name = g_strdup_printf("m%03d.png", i);
    g_autofree char *xmp = g_strdup_printf("m%03d.png.xmp", i);
    int here = file_exists(src, name), there = file_exists(dest, name);
    if (here + there != 1)
      g_error("%s: %d copies", name, here + there);
    if (file_exists(src, xmp) + file_exists(dest, xmp) != 1)
      g_error("%s: lost or duplicated", xmp);
    g_autofree char *path = g_build_filename(here ? src : dest, name, NULL);
    g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
    *n_moved += there;
  }
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  derush_catalog_close(cat);
  g_autoptr(GDir) dir = g_dir_open(dest, 0, NULL);
  for (const char *name; dir && (name = g_dir_read_name(dir));)
    g_assert_false(strstr(name, ".derush-"));
}

static void
test_apply_killed(Fixture *f, gconstpointer data)
{
  g_autofree char *many = g_build_filename(f->tmp, "many", NULL);
  g_autofree char *dest = g_build_filename(f->tmp, "rejects", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(args, g_strdup("--catalog"));
  g_ptr_array_add(args, g_strdup(f->catalog));
  g_ptr_array_add(args, g_strdup("label"));
  for (int i = 0; i < MANY; i++) {
    g_autofree char *name = g_strdup_printf("m%03d.png", i);
    char *path = g_build_filename(many, name, NULL);
    test_make_quadrant_image(path, 8, 8);
    g_ptr_array_add(args, path);
  }
  g_ptr_array_add(args, g_strdup("trash"));
  g_ptr_array_add(args, NULL);
  g_assert_cmpint(run(f, NULL, NULL, "scan", "--no-thumbnails", many, NULL), ==, 0);
  g_autofree char *label_out = NULL;
  g_assert_cmpint(test_run_derush((const char *const *)args->pdata, (const char *const *)f->env,
                                  &label_out, NULL),
                  ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", many, NULL), ==, 0);

  GRand *r = g_rand_new_with_seed(3);
  int partial = 0;
  for (int round = 0; round < 10; round++) {
    const char *apply[] = {"apply", "--move-trash-to", dest, many, NULL};
    const char *undo[] = {"undo-apply", NULL};
    run_and_kill(f, g_rand_int_range(r, 25, 90), round % 2 ? undo : apply);
    int moved;
    check_each_once(f, many, dest, &moved);
    partial += moved > 0 && moved < MANY;
    /* Finish the job properly and check again. */
    if (round % 2) {
      /* Each undo-apply restores one apply (a killed apply was finished by
       * a second one): undo until nothing is left. */
      for (int k = 0; k < 10; k++) {
        g_autofree char *out = NULL;
        g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
        if (strstr(out, "Nothing to undo"))
          break;
      }
    } else {
      g_assert_cmpint(run(f, NULL, NULL, "apply", "--move-trash-to", dest, many, NULL), ==, 0);
    }
    check_each_once(f, many, dest, &moved);
    g_assert_cmpint(moved, ==, (round % 2) ? 0 : MANY);
  }
  g_test_message("%d of 10 kills left a half-done apply or undo", partial);
  g_rand_free(r);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/decisions/apply/move-and-undo", test_apply_move_and_undo);
  ADD("/decisions/apply/trash-and-restore", test_apply_trash_and_restore);
  ADD("/decisions/apply/killed", test_apply_killed);
#undef ADD
  return g_test_run();
}
