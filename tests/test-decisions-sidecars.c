/* test-decisions-sidecars.c: decisions in XMP sidecars: merged into what
 * another tool wrote (darktable's history kept), round trips, read-only
 * folders and a full disk while writing. Every check reads the state back
 * from the catalog or the disk (exiftool), never from what a command
 * printed. */
#include "decisions-test-util.h"
#include <poll.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ sidecars */

static const char darktable_sidecar[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"XMP Core 4.4.0-Exiv2\">\n"
    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "  <rdf:Description rdf:about=\"\" xmlns:darktable=\"http://darktable.sf.net/\"\n"
    "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"2\"\n"
    "    darktable:xmp_version=\"5\" darktable:history_end=\"2\">\n"
    "   <darktable:history><rdf:Seq>\n"
    "     <rdf:li darktable:num=\"0\" darktable:operation=\"exposure\" darktable:enabled=\"1\""
    " darktable:params=\"0000803f\"/>\n"
    "     <rdf:li darktable:num=\"1\" darktable:operation=\"colorin\" darktable:enabled=\"1\""
    " darktable:params=\"gz12eJ\"/>\n"
    "   </rdf:Seq></darktable:history>\n"
    "  </rdf:Description>\n"
    " </rdf:RDF>\n"
    "</x:xmpmeta>\n";

static gboolean
have_exiftool(void)
{
  g_autofree char *path = g_find_program_in_path("exiftool");
  return path != NULL;
}

static int
exiftool(char **out, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, "exiftool");
  va_list ap;
  va_start(ap, out);
  for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, NULL,
               &status, &error);
  g_assert_no_error(error);
  return g_spawn_check_wait_status(status, NULL) ? 0 : 1;
}

/* exiftool -j -struct's object for @path. */
static JsonObject *
exif_json(const char *path)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(exiftool(&out, "-j", "-struct", path, NULL), ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_data(parser, out, -1, &error);
  g_assert_no_error(error);
  JsonArray *a = json_node_get_array(json_parser_get_root(parser));
  return json_object_ref(json_array_get_object_element(a, 0));
}

static void
test_sidecar_merge(Fixture *f, gconstpointer data)
{
  if (!have_exiftool()) {
    g_test_skip("exiftool is not installed");
    return;
  }
  /* A darktable sidecar with history, then keywords and a Lightroom field
   * added by exiftool: everything another program wrote. */
  g_autofree char *xmp = g_strconcat(f->paths[0], ".xmp", NULL);
  test_write_file(xmp, darktable_sidecar, strlen(darktable_sidecar));
  g_assert_cmpint(exiftool(NULL, "-q", "-overwrite_original", "-XMP-dc:Subject=beach",
                           "-XMP-dc:Subject=family", "-XMP-crs:Exposure2012=+0.5", xmp, NULL),
                  ==, 0);
  g_autofree char *out = NULL;
  /* The scan reads its rating as a sidecar decision. */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) p0 = photo_at(f, f->paths[0]);
  g_assert_cmpint(p0->stars, ==, 2);
  g_assert_cmpint(p0->label_source, ==, DERUSH_SOURCE_SIDECAR);

  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "trash", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[1], "keep", "--stars", "5", NULL), ==, 0);
  g_autofree char *before = NULL;
  g_assert_true(g_file_get_contents(xmp, &before, NULL, NULL));
  /* Dry run: says, writes nothing. */
  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", "--dry-run", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Would write 2 sidecars"));
  g_clear_pointer(&out, g_free);
  g_autofree char *xmp1 = g_strconcat(f->paths[1], ".xmp", NULL);
  g_assert_false(g_file_test(xmp1, G_FILE_TEST_EXISTS));
  g_autofree char *same = NULL;
  g_assert_true(g_file_get_contents(xmp, &same, NULL, NULL));
  g_assert_cmpstr(before, ==, same);

  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Wrote 2 sidecars (darktable)"));
  g_clear_pointer(&out, g_free);
  g_autoptr(JsonObject) j0 = exif_json(xmp);
  g_assert_cmpint(json_object_get_int_member(j0, "Rating"), ==, -1);
  g_assert_cmpint(json_object_get_int_member(j0, "PickLabel"), ==, 1);
  JsonArray *subject = json_object_get_array_member(j0, "Subject");
  g_assert_cmpuint(json_array_get_length(subject), ==, 2);
  g_assert_cmpstr(json_array_get_string_element(subject, 1), ==, "family");
  g_assert_cmpstr(json_object_get_string_member(j0, "Exposure2012"), ==, "+0.5");
  g_assert_cmpint(json_object_get_int_member(j0, "History_end"), ==, 2);
  JsonArray *history = json_object_get_array_member(j0, "History");
  g_assert_nonnull(history);
  g_assert_cmpuint(json_array_get_length(history), ==, 2);
  g_assert_cmpstr(
      json_object_get_string_member(json_array_get_object_element(history, 1), "Operation"), ==,
      "colorin");
  g_autoptr(JsonObject) j1 = exif_json(xmp1);
  g_assert_cmpint(json_object_get_int_member(j1, "Rating"), ==, 5);
  g_assert_cmpint(json_object_get_int_member(j1, "PickLabel"), ==, 3);
  /* No temporary file left behind. */
  g_autoptr(GDir) dir = g_dir_open(f->photos, 0, NULL);
  for (const char *name; (name = g_dir_read_name(dir));)
    g_assert_false(strstr(name, ".derush-"));

  /* Lightroom naming: NAME.xmp. Unlabelling removes our fields only. */
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--style", "lightroom", f->photos, NULL),
                  ==, 0);
  g_autofree char *lr = g_build_filename(f->photos, "IMG_0001.xmp", NULL);
  g_autoptr(JsonObject) jl = exif_json(lr);
  g_assert_cmpint(json_object_get_int_member(jl, "Rating"), ==, 5);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], "none", "--stars", "0", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_autoptr(JsonObject) jn = exif_json(xmp);
  g_assert_false(json_object_has_member(jn, "Rating"));
  g_assert_false(json_object_has_member(jn, "PickLabel"));
  g_assert_true(json_object_has_member(jn, "History"));
  g_assert_true(json_object_has_member(jn, "Subject"));
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--style", "nope", NULL), ==, 2);
}

static int
n_events_of(Fixture *f, const char *path, DerushLabelSource source)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "history", "--json", path, NULL), ==, 0);
  g_autoptr(GPtrArray) events = parse_lines(out);
  int n = 0;
  for (guint i = 0; i < events->len; i++)
    n += g_strcmp0(json_object_get_string_member(events->pdata[i], "source"),
                   derush_label_source_name(source)) == 0;
  return n;
}

static void
test_sidecar_round_trip(Fixture *f, gconstpointer data)
{
  if (!have_exiftool()) {
    g_test_skip("exiftool is not installed");
    return;
  }
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[2], "keep", "--stars", "3", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  /* Our own write never comes back as a decision. */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(n_events_of(f, f->paths[2], DERUSH_SOURCE_SIDECAR), ==, 0);
  /* Another program's later edit: an export does not overwrite it... */
  g_autofree char *xmp = g_strconcat(f->paths[2], ".xmp", NULL);
  g_usleep(20000);
  g_assert_cmpint(exiftool(NULL, "-q", "-overwrite_original", "-XMP-xmp:Rating=-1", xmp, NULL), ==,
                  0);
  /* (Not `label`: it scans its FILEs first, which reads the edit.) */
  g_assert_cmpint(run(f, NULL, NULL, "undo", NULL), ==, 0);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "export", "--xmp", f->photos, NULL), ==, 1);
  g_assert_nonnull(strstr(err, "changed by another program"));
  g_autoptr(JsonObject) j = exif_json(xmp);
  g_assert_cmpint(json_object_get_int_member(j, "Rating"), ==, -1);
  /* ...the next scan makes it a decision, once. */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[2]);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(p->label_source, ==, DERUSH_SOURCE_SIDECAR);
  g_assert_cmpint(n_events_of(f, f->paths[2], DERUSH_SOURCE_SIDECAR), ==, 1);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(n_events_of(f, f->paths[2], DERUSH_SOURCE_SIDECAR), ==, 1);
  /* Sidecar decisions are not undone (they are another program's). */
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "undo", NULL), ==, 0);
  g_autoptr(DerushPhoto) p2 = photo_at(f, f->paths[2]);
  g_assert_cmpint(p2->label, ==, DERUSH_LABEL_TRASH);

  /* Embedded XMP: a JPEG rejected in another program. */
  g_autofree char *jpg = g_build_filename(f->photos, "rated.jpg", NULL);
  test_make_quadrant_image(jpg, 32, 32);
  g_assert_cmpint(exiftool(NULL, "-q", "-overwrite_original", "-XMP-xmp:Rating=-1", jpg, NULL), ==,
                  0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) pj = photo_at(f, jpg);
  g_assert_cmpint(pj->label, ==, DERUSH_LABEL_TRASH);
  g_assert_cmpint(pj->label_source, ==, DERUSH_SOURCE_SIDECAR);
  /* Relabelled in derush: an unchanged file's rating does not win back. */
  g_assert_cmpint(run(f, NULL, NULL, "label", jpg, "keep", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autoptr(DerushPhoto) pj2 = photo_at(f, jpg);
  g_assert_cmpint(pj2->label, ==, DERUSH_LABEL_KEEP);
}

/* Runs derush as user "nobody" (root ignores file modes). */
static void
drop_to_nobody(gpointer data)
{
  if (setgid(65534) != 0 || setuid(65534) != 0)
    _exit(126);
}

static int
run_as_nobody(Fixture *f, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)g_getenv("DERUSH_BIN"));
  g_ptr_array_add(argv, "--catalog");
  g_ptr_array_add(argv, f->catalog);
  va_list ap;
  va_start(ap, err);
  for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  g_auto(GStrv) env = g_get_environ();
  for (int i = 0; f->env[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(f->env[i], "=", 2);
    env = g_environ_setenv(env, kv[0], kv[1], TRUE);
  }
  int status;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT,
               geteuid() == 0 ? drop_to_nobody : NULL, NULL, &out, err, &status, &error);
  g_assert_no_error(error);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_sidecar_read_only(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--sync", NULL), ==, 0);
  g_autofree char *out = NULL, *err = NULL;
  /* A read-only sidecar: the label is kept, the failure reported. */
  g_assert_cmpint(run(f, &out, NULL, "label", f->paths[3], "keep", NULL), ==, 0);
  g_autofree char *xmp = g_strconcat(f->paths[3], ".xmp", NULL);
  g_assert_true(g_file_test(xmp, G_FILE_TEST_EXISTS));
  g_assert_cmpint(chmod(xmp, 0444), ==, 0);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, &err, "label", f->paths[3], "trash", NULL), ==, 1);
  g_assert_nonnull(strstr(out, "Saved trash"));
  g_assert_nonnull(strstr(err, "read-only"));
  g_assert_nonnull(strstr(err, "saved in the catalog"));
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[3]);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  g_clear_pointer(&err, g_free);
  g_clear_pointer(&out, g_free);

  /* A read-only folder: the sidecar cannot be created. */
  if (geteuid() == 0) {
    const char *chown_argv[] = {"chown", "-R", "65534:65534", f->tmp, NULL};
    int st;
    g_spawn_sync(NULL, (char **)chown_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &st,
                 NULL);
    g_assert_true(g_spawn_check_wait_status(st, NULL));
  }
  g_assert_cmpint(chmod(f->photos, 0555), ==, 0);
  int status = run_as_nobody(f, &err, "label", f->paths[4], "keep", "--stars", "2", NULL);
  g_assert_cmpint(chmod(f->photos, 0755), ==, 0);
  g_assert_cmpint(status, ==, 1);
  g_assert_nonnull(strstr(err, "Permission denied"));
  g_autoptr(DerushPhoto) p4 = photo_at(f, f->paths[4]);
  g_assert_cmpint(p4->label, ==, DERUSH_LABEL_KEEP);
  g_assert_cmpint(p4->stars, ==, 2);
  g_autofree char *xmp4 = g_strconcat(f->paths[4], ".xmp", NULL);
  g_assert_false(g_file_test(xmp4, G_FILE_TEST_EXISTS));
}

/* Disk full while writing sidecars: each failure is reported, the old
 * sidecar is intact, no temporary file stays, the catalog is unharmed. */
static void
test_sidecar_disk_full(Fixture *f, gconstpointer data)
{
  if (test_running_on_valgrind()) {
    g_test_skip("the forked writer _exit()s on purpose: not a leak test");
    return;
  }
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], f->paths[1], "keep", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", NULL), ==, 0);
  g_autofree char *xmp0 = g_strconcat(f->paths[0], ".xmp", NULL);
  g_autofree char *before = NULL;
  g_assert_true(g_file_get_contents(xmp0, &before, NULL, NULL));
  g_assert_cmpint(run(f, NULL, NULL, "label", f->paths[0], f->paths[1], f->paths[2], "trash", NULL),
                  ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    DerushCatalog *cat = derush_catalog_open(f->catalog, NULL);
    if (!cat)
      _exit(3);
    /* Smaller than any packet: every sidecar write fails with EFBIG. */
    struct rlimit rl = {512, 512};
    setrlimit(RLIMIT_FSIZE, &rl);
    DerushSidecarSummary sum;
    GError *error = NULL;
    gboolean ok = derush_catalog_export_sidecars(cat, NULL, NULL, 0, DERUSH_XMP_DARKTABLE, 0, NULL,
                                                 NULL, &sum, &error);
    _exit(ok && sum.failed == 3 && sum.written == 0 ? 0 : 4);
  }
  int status;
  waitpid(pid, &status, 0);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_autofree char *after = NULL;
  g_assert_true(g_file_get_contents(xmp0, &after, NULL, NULL));
  g_assert_cmpstr(before, ==, after);
  g_autoptr(GDir) dir = g_dir_open(f->photos, 0, NULL);
  for (const char *name; (name = g_dir_read_name(dir));)
    g_assert_false(strstr(name, ".derush-"));
  g_autofree char *xmp2 = g_strconcat(f->paths[2], ".xmp", NULL);
  g_assert_false(g_file_test(xmp2, G_FILE_TEST_EXISTS));
  DerushCatalog *cat = open_catalog(f);
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_check_integrity(cat, &error));
  derush_catalog_close(cat);
  g_autoptr(DerushPhoto) p = photo_at(f, f->paths[0]);
  g_assert_cmpint(p->label, ==, DERUSH_LABEL_TRASH);
  /* Space again: the same export now succeeds. */
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Wrote 3 sidecars"));
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/decisions/sidecar/merge", test_sidecar_merge);
  ADD("/decisions/sidecar/round-trip", test_sidecar_round_trip);
  ADD("/decisions/sidecar/read-only", test_sidecar_read_only);
  ADD("/decisions/sidecar/disk-full", test_sidecar_disk_full);
#undef ADD
  return g_test_run();
}
