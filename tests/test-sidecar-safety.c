/* test-sidecar-safety.c: a sidecar derush cannot parse is never overwritten
 * (issue 16, defect 3).
 *
 * exiv2 reads malformed XML as an empty packet without an error; merging
 * into that lost another program's keywords. Each check reads the sidecar's
 * bytes back from disk. */
#include "test-util.h"
#include <fcntl.h>
#include <sys/stat.h>

typedef struct {
  char *tmp;
  char *catalog;
  char *photos;
  char *photo;
  char *xmp;
  GStrv env;
} Fixture;

static const char malformed[] =
    "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
    " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
    "<dc:subject><rdf:Bag><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>\n"
    "<rdf:Description unclosed\n"
    "</x:xmpmeta>\n";

static const char foreign_ok[] =
    "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
    " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
    " xmlns:darktable=\"http://darktable.sf.net/\" darktable:xmp_version=\"5\">"
    "<dc:subject><rdf:Bag><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
    "<?xpacket end=\"w\"?>\n";

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->catalog = g_build_filename(f->tmp, "cat.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->env = test_isolated_env(f->tmp, f->catalog);
  f->photo = g_build_filename(f->photos, "a.png", NULL);
  f->xmp = g_build_filename(f->photos, "a.png.xmp", NULL);
  test_make_quadrant_image(f->photo, 16, 16);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->catalog);
  g_free(f->photos);
  g_free(f->photo);
  g_free(f->xmp);
  g_strfreev(f->env);
}

#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

/* Not inlined: GCC 12 at -O3 otherwise takes the returned buffer for the
 * address of the local 'text' and warns (-Wdangling-pointer) wherever a
 * caller subtracts pointers into it. */
G_GNUC_NO_INLINE static char *
read_text(const char *path)
{
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return text;
}

/* export --xmp refuses @f's sidecar (holding @bytes): exit 1, one line on
 * stderr naming it once, nothing counted as written, bytes untouched. */
static void
assert_refused(Fixture *f, const char *bytes)
{
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "export", "--xmp", f->photos, NULL), ==, 1);
  g_assert_nonnull(strstr(out, "Wrote 0 sidecars"));
  g_assert_nonnull(strstr(out, "1 failed"));
  g_autofree char *prefix = g_strdup_printf("derush: %s: cannot parse this XMP sidecar (", f->xmp);
  g_assert_true(g_str_has_prefix(err, prefix));
  g_assert_true(g_str_has_suffix(err, "; left as it is; --force replaces it, keeping a .bak\n"));
  g_assert_cmpint(strchr(err, '\n') - err, ==, strlen(err) - 1);
  g_autofree char *now = read_text(f->xmp);
  g_assert_cmpstr(now, ==, bytes);
  g_autofree char *bak = g_strconcat(f->xmp, ".bak", NULL);
  g_assert_false(g_file_test(bak, G_FILE_TEST_EXISTS));
}

static void
test_foreign_malformed(Fixture *f, gconstpointer data)
{
  test_write_file(f->xmp, malformed, strlen(malformed));
  /* The scan reads it (and must not adopt it as ours). */
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "keep", NULL), ==, 0);
  assert_refused(f, malformed);
  /* Sidecar sync (every label writes the sidecar) takes the same path:
   * the label is saved, the sidecar left alone, and the exit code says so. */
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--sync", f->photos, NULL), ==, 1);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "label", f->photo, "trash", NULL), ==, 1);
  g_assert_nonnull(strstr(err, "cannot parse this XMP sidecar"));
  g_autofree char *now = read_text(f->xmp);
  g_assert_cmpstr(now, ==, malformed);
}

static void
test_truncated_ours(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "trash", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_autofree char *whole = read_text(f->xmp);
  /* What a crash in the middle of a non-atomic writer leaves: cut inside
   * the XML (the packet ends in kilobytes of padding). */
  const char *rating = strstr(whole, "Rating");
  g_assert_nonnull(rating);
  g_autofree char *half = g_strndup(whole, (gsize)(rating - whole));
  test_write_file(f->xmp, half, strlen(half));
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "keep", NULL), ==, 0);
  assert_refused(f, half);
}

static void
test_force_keeps_backup(Fixture *f, gconstpointer data)
{
  test_write_file(f->xmp, malformed, strlen(malformed));
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "trash", NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", "--force", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Wrote 1 sidecar"));
  g_autofree char *bak = g_strconcat(f->xmp, ".bak", NULL);
  g_autofree char *kept = read_text(bak);
  g_assert_cmpstr(kept, ==, malformed);
  /* The new sidecar says trash, and reads back as a decision. */
  g_autofree char *now = read_text(f->xmp);
  g_assert_nonnull(strstr(now, "Rating=\"-1\""));
  /* A second forced replace keeps the first backup. */
  test_write_file(f->xmp, "<x:xmpmeta", 10);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", "--force", f->photos, NULL), ==, 0);
  g_autofree char *bak1 = g_strconcat(f->xmp, ".bak.1", NULL);
  g_autofree char *kept1 = read_text(bak1);
  g_assert_cmpstr(kept1, ==, "<x:xmpmeta");
  g_autofree char *kept_again = read_text(bak);
  g_assert_cmpstr(kept_again, ==, malformed);
}

/* The check is not so strict that a good foreign sidecar is refused. */
static void
test_foreign_well_formed_merged(Fixture *f, gconstpointer data)
{
  test_write_file(f->xmp, foreign_ok, strlen(foreign_ok));
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "trash", NULL), ==, 0);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "export", "--xmp", f->photos, NULL), ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_autofree char *now = read_text(f->xmp);
  g_assert_nonnull(strstr(now, "beach"));
  g_assert_nonnull(strstr(now, "xmp_version"));
  g_assert_nonnull(strstr(now, "Rating=\"-1\""));
}

/* Unlabelling a photo whose sidecar holds only our fields left a 0-byte
 * sidecar (exiv2 generates nothing for a packet without properties), which
 * the next export then refused as unparsable. */
static void
test_unlabel_keeps_xmp(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "keep", "--stars", "3", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "none", "--stars", "0", NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "Wrote 1 sidecar"));
  g_autofree char *now = read_text(f->xmp);
  g_assert_nonnull(strstr(now, "<x:xmpmeta"));
  g_assert_null(strstr(now, "Rating"));
  g_autofree char *again = NULL, *err = NULL;
  g_assert_cmpint(run(f, &again, &err, "export", "--xmp", f->photos, NULL), ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_assert_nonnull(strstr(again, "1 already up to date"));
}

/* A sidecar older than the photo's last decision, found changed by a scan
 * (an export killed after writing it but before recording it, then a new
 * label): the scan must not put its stale decision over the newer label. */
static void
test_stale_sidecar_not_imported(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "keep", "--stars", "3", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  g_autofree char *old = read_text(f->xmp);
  struct stat st;
  g_assert_cmpint(stat(f->xmp, &st), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "label", f->photo, "trash", "--stars", "1", NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "export", "--xmp", f->photos, NULL), ==, 0);
  /* The first export's bytes and time back, unrecorded. */
  test_write_file(f->xmp, old, strlen(old));
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  g_assert_cmpint(utimensat(AT_FDCWD, f->xmp, times, 0), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "ls", "--json", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "\"label\":\"trash\""));
  g_assert_nonnull(strstr(out, "\"stars\":1"));
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/sidecar-safety/foreign-malformed", test_foreign_malformed);
  ADD("/sidecar-safety/truncated-ours", test_truncated_ours);
  ADD("/sidecar-safety/force-keeps-backup", test_force_keeps_backup);
  ADD("/sidecar-safety/foreign-well-formed-merged", test_foreign_well_formed_merged);
  ADD("/sidecar-safety/unlabel-keeps-xmp", test_unlabel_keeps_xmp);
  ADD("/sidecar-safety/stale-sidecar-not-imported", test_stale_sidecar_not_imported);
  return g_test_run();
}
