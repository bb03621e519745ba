/* test-disk-full.c: a catalog on a disk with no space left.
 *
 * Runs the derush CLI on a small tmpfs it mounts (root only; skipped
 * otherwise, saying so): read-only commands still read, writes fail with
 * one plain "disk full" line and one "nothing was saved", and once space is
 * back everything works and nothing acknowledged is lost. */
#include "test-util.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

typedef struct {
  char *tmp;
  char *mnt; /* the tmpfs */
  char *catalog;
  char *fill;
  char *photos[3];
  GStrv env;
} Fixture;

static gboolean
run_quiet(const char *const *argv)
{
  int status = 0;
  return g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status(status, NULL);
}

/* Mounts a 2 MiB tmpfs; FALSE (test skipped) when this is not possible. */
static gboolean
fixture_set_up(Fixture *f)
{
  if (getuid() != 0) {
    g_test_skip("needs root to mount a small tmpfs");
    return FALSE;
  }
  f->tmp = test_make_tmpdir();
  f->mnt = g_build_filename(f->tmp, "mnt", NULL);
  g_mkdir(f->mnt, 0700);
  const char *argv[] = {"mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", f->mnt, NULL};
  if (!run_quiet(argv)) {
    g_test_skip("cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)");
    test_rmrf(f->tmp);
    g_clear_pointer(&f->tmp, g_free);
    return FALSE;
  }
  f->catalog = g_build_filename(f->mnt, "cat.db", NULL);
  f->fill = g_build_filename(f->mnt, "fill", NULL);
  for (int i = 0; i < 3; i++) {
    g_autofree char *name = g_strdup_printf("p/IMG_%d.png", i);
    f->photos[i] = g_build_filename(f->mnt, name, NULL);
    test_make_quadrant_image(f->photos[i], 24, 16);
  }
  f->env = test_isolated_env(f->mnt, f->catalog);
  return TRUE;
}

static void
fixture_tear_down(Fixture *f)
{
  if (!f->tmp)
    return;
  const char *argv[] = {"umount", "-l", f->mnt, NULL};
  run_quiet(argv);
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->mnt);
  g_free(f->catalog);
  g_free(f->fill);
  for (int i = 0; i < 3; i++)
    g_free(f->photos[i]);
  g_strfreev(f->env);
}

#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

/* Fills the tmpfs until a write fails, leaving @leave bytes free. */
static void
fill_disk(Fixture *f, gsize leave)
{
  int fd = open(f->fill, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint(fd, >=, 0);
  static char block[4096];
  while (write(fd, block, sizeof block) > 0)
    ;
  g_assert_cmpint(errno, ==, ENOSPC);
  struct stat st;
  g_assert_cmpint(fstat(fd, &st), ==, 0);
  g_assert_cmpint(ftruncate(fd, st.st_size > (off_t)leave ? st.st_size - (off_t)leave : 0), ==, 0);
  close(fd);
}

static int
count(const char *haystack, const char *needle)
{
  int n = 0;
  for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

/* `derush ls --json` reads the catalog and shows @labels, in path order. */
static void
assert_listed(Fixture *f, const char *const labels[3])
{
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "ls", "--json", NULL), ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_auto(GStrv) lines = g_strsplit(g_strstrip(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 3);
  for (int i = 0; i < 3; i++) {
    g_autofree char *want = g_strdup_printf("\"label\":\"%s\"", labels[i]);
    /* Keys may be printed with or without a space after the colon. */
    g_autoptr(GString) squeezed = g_string_new(NULL);
    for (const char *p = lines[i]; *p; p++)
      if (*p != ' ')
        g_string_append_c(squeezed, *p);
    if (!strstr(squeezed->str, want))
      g_error("photo %d: want %s in %s", i, want, lines[i]);
  }
}

/* A failed write says "disk full" plainly and "nothing was saved" once. */
static void
assert_refused(const char *err)
{
  g_test_message("stderr: %s", err);
  g_assert_nonnull(strstr(err, "disk full"));
  g_assert_cmpint(count(err, "nothing was saved"), ==, 1);
  g_assert_null(strstr(err, "disk I/O error"));
  g_assert_cmpint(count(err, "\n"), ==, 2);
}

static void
test_disk_full(void)
{
  Fixture fx = {0}, *f = &fx;
  if (!fixture_set_up(f))
    return;
  g_autofree char *photos = g_path_get_dirname(f->photos[0]);
  g_assert_cmpint(run(f, NULL, NULL, "scan", photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photos[0], "keep", NULL), ==, 0);

  /* Not a byte left: the catalog still reads (the WAL's -shm cannot even be
   * created), and a label is refused cleanly. */
  fill_disk(f, 0);
  const char *before[3] = {"keep", "none", "none"};
  assert_listed(f, before);
  g_autofree char *info = NULL, *info_err = NULL;
  g_assert_cmpint(run(f, &info, &info_err, "info", f->photos[0], NULL), ==, 0);
  g_assert_cmpstr(info_err, ==, "");
  g_assert_nonnull(strstr(info, "IMG_0.png"));
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "label", f->photos[1], "trash", NULL), ==, 2);
  assert_refused(err);

  /* A little space (40 KiB): whatever fails says so once. */
  g_assert_cmpint(unlink(f->fill), ==, 0);
  fill_disk(f, 40 * 1024);
  g_autofree char *err40 = NULL;
  if (run(f, NULL, &err40, "label", f->photos[1], "trash", NULL) != 0)
    assert_refused(err40);
  else
    g_assert_cmpstr(err40, ==, "");

  /* Space again: the refused label is saved now, the others are intact. */
  g_assert_cmpint(unlink(f->fill), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photos[1], "trash", NULL), ==, 0);
  const char *after[3] = {"keep", "trash", "none"};
  assert_listed(f, after);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  derush_catalog_close(cat);
  fixture_tear_down(f);
}

/* An apply whose destination is a full disk (photos and catalog
 * elsewhere): each photo that does not fit is named with "No space left",
 * exit 1, no partial copy is left there, the photo stays where it was byte
 * for byte with its decision, and the summary offers no undo-apply when
 * nothing was done. */
static void
test_apply_destination_full(void)
{
  Fixture fx = {0}, *f = &fx;
  if (!fixture_set_up(f))
    return;
  g_autofree char *home = g_build_filename(f->tmp, "home", NULL);
  g_autofree char *catalog = g_build_filename(home, "cat.db", NULL);
  g_autofree char *photos = g_build_filename(home, "p", NULL);
  g_autofree char *keep = g_build_filename(photos, "keep.png", NULL);
  g_autofree char *trash = g_build_filename(photos, "trash.png", NULL);
  test_make_quadrant_image(keep, 400, 300);
  test_make_quadrant_image(trash, 400, 300);
  g_auto(GStrv) env = test_isolated_env(home, catalog);
  g_autofree char *dest = g_build_filename(f->mnt, "dest", NULL);
  g_mkdir(dest, 0755);
  const char *const *envp = (const char *const *)env;
  g_assert_cmpint(test_run_derush_on(catalog, envp, NULL, NULL, "label", keep, "keep", NULL), ==,
                  0);
  g_assert_cmpint(test_run_derush_on(catalog, envp, NULL, NULL, "label", trash, "trash", NULL), ==,
                  0);
  g_autofree char *keep_bytes = NULL, *trash_bytes = NULL;
  gsize keep_len = 0, trash_len = 0;
  g_assert_true(g_file_get_contents(keep, &keep_bytes, &keep_len, NULL));
  g_assert_true(g_file_get_contents(trash, &trash_bytes, &trash_len, NULL));
  fill_disk(f, 0);

  const char *options[] = {"--copy-keepers-to", "--move-trash-to"};
  const char *sources[] = {keep, trash};
  for (gsize i = 0; i < G_N_ELEMENTS(options); i++) {
    g_autofree char *option = g_strdup_printf("%s=%s", options[i], dest);
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(test_run_derush_on(catalog, envp, &out, &err, "apply", option, photos, NULL),
                    ==, 1);
    g_test_message("%s: stdout: %sstderr: %s", options[i], out, err);
    g_assert_nonnull(strstr(err, sources[i]));
    g_assert_nonnull(strstr(err, "No space left on device"));
    g_assert_nonnull(strstr(out, "Done: 0 files, 1 failed"));
    g_assert_null(strstr(out, "undo-apply"));
    g_autoptr(GDir) d = g_dir_open(dest, 0, NULL);
    g_assert_null(g_dir_read_name(d)); /* no partial copy */
  }
  g_autofree char *keep_after = NULL, *trash_after = NULL;
  gsize keep_after_len = 0, trash_after_len = 0;
  g_assert_true(g_file_get_contents(keep, &keep_after, &keep_after_len, NULL));
  g_assert_true(g_file_get_contents(trash, &trash_after, &trash_after_len, NULL));
  g_assert_cmpmem(keep_bytes, keep_len, keep_after, keep_after_len);
  g_assert_cmpmem(trash_bytes, trash_len, trash_after, trash_after_len);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(catalog, &error);
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) p = derush_catalog_get_photo(cat, trash, &error);
  g_assert_no_error(error);
  g_assert_nonnull(p);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  derush_catalog_close(cat);
  fixture_tear_down(f);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/disk-full/cli", test_disk_full);
  g_test_add_func("/disk-full/apply-destination", test_apply_destination_full);
  return g_test_run();
}
