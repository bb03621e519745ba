/* test-gtk-apply.c: the apply dialog of derush-gtk: trash, move and XMP
 * sidecars after a dry run, and their undo.
 *
 * The app runs under the display of gtk-harness.c, driven by its --replay
 * option; checks read the catalog and the files with the library, never
 * what the app printed about them. */
#include "gtk-harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ apply */

/* The fixture's photos in the catalog, as a scan before the app would
 * leave them (no thumbnails: the app makes its own). */
static DerushCatalog *
scan_fixture(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(f->catalog, &error);
  g_assert_no_error(error);
  g_autofree char *cache = g_build_filename(f->tmp, "cache", "derush", NULL);
  derush_catalog_set_cache_dir(cat, cache);
  DerushScanOptions options;
  derush_scan_options_init(&options);
  options.thumbnails = FALSE;
  const char *roots[] = {f->photos, NULL};
  DerushScanSummary sum;
  g_assert_true(derush_catalog_scan(cat, roots, &options, &sum, &error));
  g_assert_no_error(error);
  return cat;
}

/* Labels photo @i; @stars < 0 leaves its stars alone. */
static void
set_label(DerushCatalog *cat, Fixture *f, int i, DerushLabel label, int stars)
{
  g_autoptr(DerushPhoto) p = photo(cat, f, i);
  DerushLabelChange change = {TRUE, label, stars >= 0, MAX(stars, 0)};
  g_autoptr(GError) error = NULL;
  g_assert_true(
      derush_catalog_set_labels(cat, &p->id, 1, &change, DERUSH_SOURCE_USER, NULL, &error));
  g_assert_no_error(error);
}

/* A darktable-style sidecar with an edit history the apply must carry
 * along byte for byte. */
static void
write_sidecar(const char *path)
{
  static const char xmp[] =
      "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
      " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "  <rdf:Description rdf:about=\"\" xmlns:darktable=\"http://darktable.sf.net/\"\n"
      "   darktable:history_end=\"2\"/>\n"
      " </rdf:RDF>\n"
      "</x:xmpmeta>\n"
      "<?xpacket end=\"w\"?>\n";
  test_write_file(path, xmp, strlen(xmp));
}

/* Every regular file of @dir (not below): name -> contents. */
static GHashTable *
read_folder(const char *dir)
{
  GHashTable *files =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *data = NULL;
    gsize len = 0;
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && g_file_get_contents(path, &data, &len, NULL))
      g_hash_table_insert(files, g_strdup(name), g_bytes_new_take(data, len));
  }
  return files;
}

/* @dir holds exactly the files of @want (names in @names, or all of
 * @want), byte for byte. */
static void
assert_folder(const char *dir, GHashTable *want, const char *const *names)
{
  g_autoptr(GHashTable) got = read_folder(dir);
  guint n = 0;
  GHashTableIter iter;
  gpointer name, bytes;
  g_hash_table_iter_init(&iter, want);
  while (g_hash_table_iter_next(&iter, &name, &bytes)) {
    if (names && !g_strv_contains(names, name))
      continue;
    GBytes *other = g_hash_table_lookup(got, name);
    if (!other || !g_bytes_equal(other, bytes))
      g_test_message("%s/%s: %s", dir, (char *)name, other ? "different bytes" : "missing");
    g_assert_nonnull(other);
    g_assert_true(g_bytes_equal(other, bytes));
    n++;
  }
  g_assert_cmpuint(g_hash_table_size(got), ==, n);
}

/* The files of @want not named in @names. */
static const char **
other_names(GHashTable *want, const char *const *names)
{
  GPtrArray *rest = g_ptr_array_new();
  GHashTableIter iter;
  gpointer name;
  g_hash_table_iter_init(&iter, want);
  while (g_hash_table_iter_next(&iter, &name, NULL))
    if (!g_strv_contains(names, name))
      g_ptr_array_add(rest, name);
  g_ptr_array_add(rest, NULL);
  return (const char **)g_ptr_array_free(rest, FALSE);
}

/* Script lines that open the apply dialog on @action ("trash", "move
 * DIR", "xmp darktable"), wait for its dry run and save the dialog as
 * @shot: each apply test starts so. */
static char *
dialog_lines(const char *action, const char *shot)
{
  return g_strdup_printf("apply-dialog %s\n"
                         "apply-dry-run\n"
                         "sleep 300\n"
                         "screenshot-dialog %s\n",
                         action, shot);
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The app's "dry-run VERB PATH..." lines (one per file), sorted, joined. */
static char *
dry_run_files(const char *out)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  g_autoptr(GPtrArray) files = g_ptr_array_new();
  for (int i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "dry-run ") && !g_str_has_prefix(lines[i], "dry-run photos ") &&
        !g_str_has_prefix(lines[i], "dry-run sidecars "))
      g_ptr_array_add(files, lines[i]);
  g_ptr_array_sort(files, compare_strings);
  g_ptr_array_add(files, NULL);
  return g_strjoinv("\n", (char **)files->pdata);
}

/* @lines (NULL-terminated) sorted and joined, as dry_run_files() does. */
static char *
sorted_lines(const char **lines)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();
  for (int i = 0; lines[i]; i++)
    g_ptr_array_add(sorted, (gpointer)lines[i]);
  g_ptr_array_sort(sorted, compare_strings);
  g_ptr_array_add(sorted, NULL);
  return g_strjoinv("\n", (char **)sorted->pdata);
}

static gint64
folder_bytes(GHashTable *files, const char *const *names)
{
  gint64 total = 0;
  for (int i = 0; names[i]; i++)
    total += g_bytes_get_size(g_hash_table_lookup(files, names[i]));
  return total;
}

static DerushPhoto *
photo_at(DerushCatalog *cat, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  DerushPhoto *p = derush_catalog_get_photo(cat, path, &error);
  g_assert_no_error(error);
  g_assert_nonnull(p);
  return p;
}

/* Trash from the dialog: the dry run lists exactly the photos labelled
 * trash (with a sidecar) and touches nothing; confirming puts them in the
 * isolated desktop trash and the grid shows them missing; Undo (the
 * toast's action) brings them back byte for byte. */
static void
test_apply_trash(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 12);
  g_autofree char *xmp = g_build_filename(f->photos, "p03.jpg.xmp", NULL);
  write_sidecar(xmp);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 3, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 7, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 0, DERUSH_LABEL_KEEP, -1); /* keepers stay */
  derush_catalog_close(cat);
  g_autoptr(GHashTable) before = read_folder(f->photos);
  g_assert_cmpuint(g_hash_table_size(before), ==, 13);

  g_autofree char *dry = g_build_filename(f->tmp, "dry", NULL);
  g_autofree char *go1 = g_build_filename(f->tmp, "go1", NULL);
  g_autofree char *applied = g_build_filename(f->tmp, "applied", NULL);
  g_autofree char *go2 = g_build_filename(f->tmp, "go2", NULL);
  g_autofree char *dialog = g_build_filename(f->shots, "gtk-apply-trash-dialog.png", NULL);
  g_autofree char *toast = g_build_filename(f->shots, "gtk-apply-trash-done.png", NULL);
  g_autofree char *open = dialog_lines("trash", dialog);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "sort name\n"
                                            "%s"
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "expect-shown 12\n" /* missing, still listed */
                                            "wait-thumbnails\n"
                                            "sleep 300\n"
                                            "screenshot %s\n"
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-undo\n"
                                            "wait-apply\n"
                                            "expect-shown 12\n"
                                            "quit\n",
                                            open, dry, go1, toast, applied, go2);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);

  /* The dry run is on screen: nothing moved, nothing in the trash. */
  await_app(proc, dry);
  g_autofree char *trash_files = g_build_filename(f->tmp, "data", "Trash", "files", NULL);
  g_autofree char *trash_info = g_build_filename(f->tmp, "data", "Trash", "info", NULL);
  assert_folder(f->photos, before, NULL);
  g_autoptr(GHashTable) empty = g_hash_table_new(g_str_hash, g_str_equal);
  assert_folder(trash_files, empty, NULL);
  resume_app(go1);

  /* Applied: exactly the trash-labelled photos and their sidecar are in
   * the trash, unchanged; the catalog marks the photos missing. */
  await_app(proc, applied);
  static const char *const gone[] = {"p01.jpg", "p03.jpg", "p03.jpg.xmp", "p07.jpg", NULL};
  g_autofree const char **kept = other_names(before, gone);
  assert_folder(f->photos, before, kept);
  assert_folder(trash_files, before, gone);
  g_autoptr(GHashTable) infos = read_folder(trash_info);
  g_assert_cmpuint(g_hash_table_size(infos), ==, 4);
  cat = derush_catalog_open(f->catalog, NULL);
  g_assert_nonnull(cat);
  for (int i = 0; i < 12; i++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, i);
    gboolean trashed = i == 1 || i == 3 || i == 7;
    g_assert_cmpint(p->status, ==, trashed ? DERUSH_PHOTO_MISSING : DERUSH_PHOTO_OK);
  }
  derush_catalog_close(cat);
  resume_app(go2);

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);
  /* The dry run listed exactly those files, with their total size. */
  g_autofree char *header = g_strdup_printf("dry-run photos 3 files 4 bytes %" G_GINT64_FORMAT "\n",
                                            folder_bytes(before, gone));
  g_assert_nonnull(strstr(out, header));
  g_autofree char *p01 = g_strdup_printf("dry-run trash %s/p01.jpg", f->photos);
  g_autofree char *p03 = g_strdup_printf("dry-run trash %s/p03.jpg", f->photos);
  g_autofree char *p03x = g_strdup_printf("dry-run trash %s/p03.jpg.xmp", f->photos);
  g_autofree char *p07 = g_strdup_printf("dry-run trash %s/p07.jpg", f->photos);
  const char *want_lines[] = {p01, p03, p03x, p07, NULL};
  g_autofree char *want = sorted_lines(want_lines);
  g_autofree char *got = dry_run_files(out);
  g_assert_cmpstr(got, ==, want);
  g_assert_nonnull(strstr(out, "toast: Moved 3 photos to the Trash [win.undo-apply]"));
  g_assert_nonnull(strstr(out, "toast: Restored 4 files\n"));
  check_dialog_screenshot(out, dialog);
  check_screenshot(out, toast);

  /* Undone: every file back, byte for byte; the trash is empty again. */
  assert_folder(f->photos, before, NULL);
  assert_folder(trash_files, empty, NULL);
  g_autoptr(GHashTable) infos_after = read_folder(trash_info);
  g_assert_cmpuint(g_hash_table_size(infos_after), ==, 0);
  cat = derush_catalog_open(f->catalog, NULL);
  for (int i = 0; i < 12; i++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, i);
    g_assert_cmpint(p->status, ==, DERUSH_PHOTO_OK);
    g_assert_cmpint(p->label, ==,
                    i == 0                         ? DERUSH_LABEL_KEEP
                    : (i == 1 || i == 3 || i == 7) ? DERUSH_LABEL_TRASH
                                                   : DERUSH_LABEL_NONE);
  }
  derush_catalog_close(cat);
}

/* Move to a folder whose name is taken for one photo: the dry run shows
 * the -1 suffix the apply then uses; the moved photos leave the grid and
 * keep their catalog rows (and labels) at the new paths; Undo puts them
 * back and leaves the folder's own file alone. */
static void
test_apply_move(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 12);
  g_autofree char *xmp = g_build_filename(f->photos, "p07.jpg.xmp", NULL);
  write_sidecar(xmp);
  g_autofree char *rejects = g_build_filename(f->tmp, "rejects", NULL);
  g_mkdir_with_parents(rejects, 0755);
  g_autofree char *taken = g_build_filename(rejects, "p03.jpg", NULL);
  g_autofree char *p05 = g_build_filename(f->photos, "p05.jpg", NULL);
  test_copy_file(p05, taken);
  g_autoptr(GHashTable) rejects_before = read_folder(rejects);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, 2);
  set_label(cat, f, 3, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 7, DERUSH_LABEL_TRASH, -1);
  g_autoptr(DerushPhoto) p03 = photo(cat, f, 3);
  gint64 p03_id = p03->id;
  derush_catalog_close(cat);
  g_autoptr(GHashTable) before = read_folder(f->photos);

  g_autofree char *moved = g_build_filename(f->tmp, "moved", NULL);
  g_autofree char *go = g_build_filename(f->tmp, "go", NULL);
  g_autofree char *dialog = g_build_filename(f->shots, "gtk-apply-move-dialog.png", NULL);
  g_autofree char *action = g_strdup_printf("move %s", rejects);
  g_autofree char *open = dialog_lines(action, dialog);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "%s"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "expect-shown 9\n" /* moved out of the folder */
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-undo\n"
                                            "wait-apply\n"
                                            "expect-shown 12\n"
                                            "quit\n",
                                            open, moved, go);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);

  await_app(proc, moved);
  static const char *const gone[] = {"p01.jpg", "p03.jpg", "p07.jpg", "p07.jpg.xmp", NULL};
  g_autofree const char **kept = other_names(before, gone);
  assert_folder(f->photos, before, kept);
  g_autoptr(GHashTable) rejects_now = read_folder(rejects);
  g_assert_cmpuint(g_hash_table_size(rejects_now), ==, 5);
  const struct {
    const char *from, *to;
  } renames[] = {{"p01.jpg", "p01.jpg"},
                 {"p03.jpg", "p03-1.jpg"},
                 {"p07.jpg", "p07.jpg"},
                 {"p07.jpg.xmp", "p07.jpg.xmp"}};
  for (gsize i = 0; i < G_N_ELEMENTS(renames); i++)
    g_assert_true(g_bytes_equal(g_hash_table_lookup(rejects_now, renames[i].to),
                                g_hash_table_lookup(before, renames[i].from)));
  g_assert_true(g_bytes_equal(g_hash_table_lookup(rejects_now, "p03.jpg"),
                              g_hash_table_lookup(rejects_before, "p03.jpg")));
  cat = derush_catalog_open(f->catalog, NULL);
  g_autoptr(DerushPhoto) moved03 = photo_at(cat, rejects, "p03-1.jpg");
  g_assert_cmpint(moved03->id, ==, p03_id);
  g_assert_cmpint(moved03->label, ==, DERUSH_LABEL_TRASH);
  g_autoptr(DerushPhoto) moved01 = photo_at(cat, rejects, "p01.jpg");
  g_assert_cmpint(moved01->stars, ==, 2);
  derush_catalog_close(cat);
  resume_app(go);

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);
  g_autofree char *header = g_strdup_printf("dry-run photos 3 files 4 bytes %" G_GINT64_FORMAT "\n",
                                            folder_bytes(before, gone));
  g_assert_nonnull(strstr(out, header));
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  for (gsize i = 0; i < G_N_ELEMENTS(renames); i++)
    g_ptr_array_add(lines, g_strdup_printf("dry-run move %s/%s -> %s/%s", f->photos,
                                           renames[i].from, rejects, renames[i].to));
  g_ptr_array_add(lines, NULL);
  g_autofree char *want = sorted_lines((const char **)lines->pdata);
  g_ptr_array_unref(lines);
  g_autofree char *got = dry_run_files(out);
  g_assert_cmpstr(got, ==, want);
  g_assert_nonnull(strstr(out, "toast: Moved 3 photos to rejects [win.undo-apply]"));
  check_dialog_screenshot(out, dialog);

  /* Undone: back where they were, the folder's own p03.jpg untouched. */
  assert_folder(f->photos, before, NULL);
  assert_folder(rejects, rejects_before, NULL);
  cat = derush_catalog_open(f->catalog, NULL);
  g_autoptr(DerushPhoto) back = photo(cat, f, 3);
  g_assert_cmpint(back->id, ==, p03_id);
  g_assert_cmpint(back->status, ==, DERUSH_PHOTO_OK);
  derush_catalog_close(cat);
}

/* The @nth "strip kind ..." line of @out (0-based): the side panel's
 * group strip as the replay's strip-state prints it. */
static char *
strip_line(const char *out, guint nth)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint seen = 0;
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], "strip kind ") && seen++ == nth)
      return g_strdup(lines[i]);
  g_test_message("no strip-state %u in:\n%s", nth, out);
  g_assert_not_reached();
}

/* The group strip follows the side panel's photo, none included: with no
 * photo shown (a filter nobody matches) it shows no group, and stays so
 * through an apply that moves one of the group away and the analysis of
 * the folder listed again. It used to keep the last photo and, when that
 * analysis came out, describe its group for no photo: derush-gtk crashed
 * there (a NULL item read, CI at 34c43b4, the move-undo test, when the
 * analysis beat the panel's idle update). */
static void
test_apply_strip(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 6); /* one scene: a near-duplicate set */
  g_autofree char *rejects = g_build_filename(f->tmp, "rejects", NULL);
  g_mkdir_with_parents(rejects, 0755);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, -1);
  derush_catalog_close(cat);

  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "wait-analyzed\n"
                                            "select 0\n"
                                            "strip-state\n" /* 0 */
                                            "filter keep\n" /* no keep: nothing shown */
                                            "wait-no-match 1\n"
                                            "strip-state\n" /* 1 */
                                            "apply-dialog move %s\n"
                                            "apply-dry-run\n"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "wait-analyzed\n"
                                            "strip-state\n" /* 2 */
                                            "filter all\n"
                                            "select 0\n"
                                            "strip-state\n" /* 3 */
                                            "print-current\n"
                                            "quit\n",
                                            rejects);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run_app(f, f->photos, script, &out, &err), ==, 0);

  g_autofree char *grouped = strip_line(out, 0);
  g_assert_true(g_str_has_prefix(grouped, "strip kind near-dup members 6 current p00.jpg"));
  g_autofree char *hidden = strip_line(out, 1);
  g_assert_cmpstr(hidden, ==, "strip kind none members 0 current none");
  g_autofree char *applied = strip_line(out, 2);
  g_assert_cmpstr(applied, ==, "strip kind none members 0 current none");
  /* The moved photo is gone from the folder and from the group. */
  g_autofree char *moved = g_build_filename(rejects, "p01.jpg", NULL);
  g_assert_true(g_file_test(moved, G_FILE_TEST_EXISTS));
  g_autofree char *after = strip_line(out, 3);
  g_assert_true(g_str_has_prefix(after, "strip kind near-dup members 5 current p00.jpg"));
  g_assert_null(strstr(strstr(out, after), "p01.jpg"));
}

/* XMP sidecars from the dialog: the dry run names the sidecars of the
 * labelled photos and writes none; confirming writes them, and a fresh
 * catalog scanning the folder reads the same decisions back. */
static void
test_apply_xmp(Fixture *f, gconstpointer data)
{
  if (!need_display())
    return;
  make_photos(f, 6);
  DerushCatalog *cat = scan_fixture(f);
  set_label(cat, f, 0, DERUSH_LABEL_KEEP, 3);
  set_label(cat, f, 1, DERUSH_LABEL_TRASH, -1);
  set_label(cat, f, 2, DERUSH_LABEL_NONE, 4);
  derush_catalog_close(cat);
  g_autoptr(GHashTable) before = read_folder(f->photos);

  g_autofree char *dry = g_build_filename(f->tmp, "dry", NULL);
  g_autofree char *go = g_build_filename(f->tmp, "go", NULL);
  g_autofree char *dialog = g_build_filename(f->shots, "gtk-apply-xmp-dialog.png", NULL);
  g_autofree char *open = dialog_lines("xmp darktable", dialog);
  g_autofree char *script = g_strdup_printf("wait-loaded\n"
                                            "%s"
                                            "touch %s\n"
                                            "wait-file %s\n"
                                            "apply-confirm\n"
                                            "wait-apply\n"
                                            "expect-shown 6\n"
                                            "quit\n",
                                            open, dry, go);
  g_autoptr(GSubprocess) proc = spawn_app(f, f->photos, script);
  await_app(proc, dry);
  assert_folder(f->photos, before, NULL); /* no sidecar yet */
  resume_app(go);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(finish_app(proc, &out, &err), ==, 0);

  g_assert_nonnull(strstr(out, "dry-run sidecars write 3 unchanged 0 conflicts 0\n"));
  g_autofree char *x0 = g_strdup_printf("dry-run write %s/p00.jpg.xmp", f->photos);
  g_autofree char *x1 = g_strdup_printf("dry-run write %s/p01.jpg.xmp", f->photos);
  g_autofree char *x2 = g_strdup_printf("dry-run write %s/p02.jpg.xmp", f->photos);
  const char *want_lines[] = {x0, x1, x2, NULL};
  g_autofree char *want = sorted_lines(want_lines);
  g_autofree char *got = dry_run_files(out);
  g_assert_cmpstr(got, ==, want);
  g_assert_nonnull(strstr(out, "toast: Wrote 3 sidecars (darktable), 0 already up to date\n"));
  check_dialog_screenshot(out, dialog);

  /* Photos untouched; exactly three sidecars added. */
  g_autoptr(GHashTable) after = read_folder(f->photos);
  g_assert_cmpuint(g_hash_table_size(after), ==, g_hash_table_size(before) + 3);
  static const char *const sidecars[] = {"p00.jpg.xmp", "p01.jpg.xmp", "p02.jpg.xmp", NULL};
  for (int i = 0; sidecars[i]; i++)
    g_assert_true(g_hash_table_contains(after, sidecars[i]));
  GHashTableIter iter;
  gpointer name, bytes;
  g_hash_table_iter_init(&iter, before);
  while (g_hash_table_iter_next(&iter, &name, &bytes))
    g_assert_true(g_bytes_equal(g_hash_table_lookup(after, name), bytes));

  /* Readable back: another catalog learns the decisions from them. */
  g_free(f->catalog);
  f->catalog = g_build_filename(f->tmp, "fresh.db", NULL);
  cat = scan_fixture(f);
  const struct {
    DerushLabel label;
    int stars;
  } want_labels[] = {{DERUSH_LABEL_KEEP, 3}, {DERUSH_LABEL_TRASH, 0}, {DERUSH_LABEL_NONE, 4},
                     {DERUSH_LABEL_NONE, 0}, {DERUSH_LABEL_NONE, 0},  {DERUSH_LABEL_NONE, 0}};
  for (int i = 0; i < 6; i++) {
    g_autoptr(DerushPhoto) p = photo(cat, f, i);
    g_test_message("p%02d from the sidecar: %s, %d stars", i, derush_label_name(p->label),
                   p->stars);
    g_assert_cmpint(p->label, ==, want_labels[i].label);
    g_assert_cmpint(p->stars, ==, want_labels[i].stars);
  }
  derush_catalog_close(cat);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add("/gtk/apply/trash-undo", Fixture, NULL, fixture_setup, test_apply_trash,
             fixture_teardown);
  g_test_add("/gtk/apply/move-undo", Fixture, NULL, fixture_setup, test_apply_move,
             fixture_teardown);
  g_test_add("/gtk/apply/strip", Fixture, NULL, fixture_setup, test_apply_strip, fixture_teardown);
  g_test_add("/gtk/apply/xmp", Fixture, NULL, fixture_setup, test_apply_xmp, fixture_teardown);
  int status = g_test_run();
  stop_display();
  return status;
}
