/* test-cli.c: the `derush` command as scripts see it: exit codes, stderr
 * messages and the --json shapes documented in docs/cli.md.
 *
 * Every test runs the built binary against its own temporary catalog, cache
 * and XDG folders, and parses JSON with json-glib rather than comparing
 * whole outputs, so key order or spacing changes do not break it while a
 * missing key or a wrong type does.
 *
 * Over 600 lines: one program per area shares one fixture; the cases are
 * independent.
 */
#include "test-util.h"
#include <json-glib/json-glib.h>

/* The keys of `ls --json` / `info --json`, in their documented order. */
static const char *const photo_keys[] = {
    "path",
    "uri",
    "status",
    "reason",
    "format",
    "raw_format",
    "width",
    "height",
    "orientation",
    "capture_time",
    "capture_time_ns",
    "time_source",
    "make",
    "model",
    "lens",
    "iso",
    "exposure_time",
    "f_number",
    "focal_length_mm",
    "focal_length_35mm",
    "flash",
    "exposure_bias",
    "gps_lat",
    "gps_lon",
    "xmp_rating",
    "size",
    "mtime_ns",
    "content_hash",
    "pair",
    "label",
    "stars",
    "label_source",
    NULL,
};

static const char *const scan_keys[] = {
    "files_seen",      "dirs_walked",
    "added",           "updated",
    "unchanged",       "moved",
    "missing",         "unreadable",
    "metadata_parsed", "thumbnails_written",
    "bytes_read",      "seconds",
    "catalog",         NULL,
};

typedef struct {
  char *tmp;
  char *catalog;
  char *photos; /* a folder of generated images */
  GStrv env;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->catalog = g_build_filename(f->tmp, "cat.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->env = test_isolated_env(f->tmp, f->catalog);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  test_rmrf(f->tmp);
  g_free(f->tmp);
  g_free(f->catalog);
  g_free(f->photos);
  g_strfreev(f->env);
}

/* Runs derush on the fixture's catalog and environment. */
#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

static JsonObject *
parse_object(const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_data(parser, text, -1, &error);
  g_assert_no_error(error);
  JsonNode *root = json_parser_get_root(parser);
  g_assert_nonnull(root);
  g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
  return json_object_ref(json_node_get_object(root));
}

/* Parses JSON Lines: one object per non-empty line. */
static GPtrArray *
parse_lines(const char *text)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    if (!*lines[i]) {
      /* Only the very last "line" (after the final newline) may be empty. */
      g_assert_null(lines[i + 1]);
      continue;
    }
    g_ptr_array_add(objects, parse_object(lines[i]));
  }
  return objects;
}

static gint64
get_int(JsonObject *object, const char *key)
{
  g_assert_true(json_object_has_member(object, key));
  JsonNode *node = json_object_get_member(object, key);
  g_assert_cmpint(json_node_get_value_type(node), ==, G_TYPE_INT64);
  return json_object_get_int_member(object, key);
}

static void
assert_null(JsonObject *object, const char *key)
{
  g_assert_true(json_object_has_member(object, key));
  if (!json_object_get_null_member(object, key))
    g_error("%s is not null", key);
}

static void
make_photos(Fixture *f)
{
  g_autofree char *a = g_build_filename(f->photos, "a.jpg", NULL);
  g_autofree char *b = g_build_filename(f->photos, "b.jpg", NULL);
  g_autofree char *c = g_build_filename(f->photos, "sub", "c.png", NULL);
  test_make_quadrant_image(a, 640, 480);
  test_make_quadrant_image(b, 320, 200);
  test_make_quadrant_image(c, 100, 150);
}

/* Runs a JSON scan of @dir and returns its summary. */
static JsonObject *
scan_json(Fixture *f, const char *dir, int expected_status)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = run(f, &out, &err, "scan", "--json", dir, NULL);
  if (status != expected_status)
    g_error("scan exited %d, expected %d; stderr: %s", status, expected_status, err);
  /* Piped stderr: no progress bar, no escape codes, no carriage returns. */
  g_assert_null(strchr(err, '\033'));
  g_assert_null(strchr(err, '\r'));
  JsonObject *summary = parse_object(out);
  for (int i = 0; scan_keys[i]; i++)
    g_assert_true(json_object_has_member(summary, scan_keys[i]));
  return summary;
}

/* -------------------------------------------------------------------- tests */

static void
test_version(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "--version", NULL), ==, 0);
  g_assert_cmpstr(out, ==, "derush " DERUSH_VERSION "\n");
}

static void
test_help(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "--help", NULL), ==, 0);
  const char *const commands[] = {"scan", "ls", "info", "thumbnail", "stats", NULL};
  for (int i = 0; commands[i]; i++)
    g_assert_nonnull(strstr(out, commands[i]));
  g_assert_nonnull(strstr(out, "Exit status"));

  /* Each command's help names its own options and the exit codes. */
  const char *const options[][4] = {
      {"scan", "--json", "--exclude", "--threads"}, {"ls", "--json", "--catalog", NULL},
      {"info", "--json", "--catalog", NULL},        {"thumbnail", "--size", "--output", NULL},
      {"stats", "--json", "--catalog", NULL},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(options); i++) {
    g_autofree char *help = NULL;
    g_assert_cmpint(run(f, &help, NULL, options[i][0], "--help", NULL), ==, 0);
    for (int j = 1; j < 4 && options[i][j]; j++)
      if (!strstr(help, options[i][j]))
        g_error("derush %s --help does not mention %s", options[i][0], options[i][j]);
    g_assert_nonnull(strstr(help, "Exit status"));
  }
  g_autofree char *help_scan = NULL;
  g_assert_cmpint(run(f, &help_scan, NULL, "help", "scan", NULL), ==, 0);
  g_assert_nonnull(strstr(help_scan, "--exclude"));
  /* --help must not create a catalog. */
  g_assert_false(g_file_test(f->catalog, G_FILE_TEST_EXISTS));
}

static void
test_usage_errors(Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "frobnicate", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "frobnicate"));
  g_assert_nonnull(strstr(err, "Usage"));
  g_assert_null(strstr(err, "did you mean"));
  /* A near miss ends with the command meant (British spelling, a typo). */
  const char *typos[][2] = {{"analyse", "analyze"}, {"lable", "label"}, {"predcit", "predict"}};
  for (gsize i = 0; i < G_N_ELEMENTS(typos); i++) {
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(run(f, NULL, &err, typos[i][0], NULL), ==, 2);
    g_autofree char *hint = g_strdup_printf("did you mean '%s'?\n", typos[i][1]);
    g_assert_true(g_str_has_suffix(err, hint));
  }

  g_assert_cmpint(run(f, NULL, NULL, NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "scan", NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "scan", "--no-such-option", f->tmp, NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "stats", "extra", NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "thumbnail", "x.jpg", NULL), ==, 2);
  g_assert_cmpint(run(f, NULL, NULL, "thumbnail", "x.jpg", "-o", "y.png", "--size", "8", NULL), ==,
                  2);
  g_assert_cmpint(run(f, NULL, NULL, "thumbnail", "x.jpg", "-o", "y.png", "--size", "5000", NULL),
                  ==, 2);
}

static void
test_scan_twice(Fixture *f, gconstpointer data)
{
  make_photos(f);
  g_autoptr(JsonObject) first = scan_json(f, f->photos, 0);
  g_assert_cmpint(get_int(first, "files_seen"), ==, 3);
  g_assert_cmpint(get_int(first, "added"), ==, 3);
  g_assert_cmpint(get_int(first, "unreadable"), ==, 0);
  g_assert_cmpint(get_int(first, "missing"), ==, 0);
  g_assert_cmpint(get_int(first, "metadata_parsed"), ==, 3);
  g_assert_cmpstr(json_object_get_string_member(first, "catalog"), ==, f->catalog);

  /* stats reports the scan as the last command, with the same work. */
  g_autofree char *stats_text = NULL;
  g_assert_cmpint(run(f, &stats_text, NULL, "stats", "--json", NULL), ==, 0);
  g_autoptr(JsonObject) stats = parse_object(stats_text);
  JsonObject *last = json_object_get_object_member(stats, "last_command");
  g_assert_cmpstr(json_object_get_string_member(last, "command"), ==, "scan");
  g_assert_cmpint(get_int(last, "metadata_parsed"), ==, get_int(first, "metadata_parsed"));
  JsonObject *since = json_object_get_object_member(stats, "since_created");
  for (int c = 0; c < DERUSH_N_COUNTERS; c++) {
    g_assert_true(json_object_has_member(since, derush_counter_name(c)));
    g_assert_true(json_object_has_member(last, derush_counter_name(c)));
  }
  JsonObject *photos = json_object_get_object_member(stats, "photos");
  g_assert_cmpint(get_int(photos, "total"), ==, 3);
  g_assert_cmpint(get_int(photos, "ok"), ==, 3);

  /* Nothing changed: nothing is read again. */
  g_autoptr(JsonObject) second = scan_json(f, f->photos, 0);
  g_assert_cmpint(get_int(second, "files_seen"), ==, 3);
  g_assert_cmpint(get_int(second, "unchanged"), ==, 3);
  g_assert_cmpint(get_int(second, "added"), ==, 0);
  g_assert_cmpint(get_int(second, "metadata_parsed"), ==, 0);

  /* stats is not itself recorded: asking twice gives the same answer. */
  g_free(stats_text);
  g_assert_cmpint(run(f, &stats_text, NULL, "stats", "--json", NULL), ==, 0);
  g_autoptr(JsonObject) stats2 = parse_object(stats_text);
  last = json_object_get_object_member(stats2, "last_command");
  g_assert_cmpstr(json_object_get_string_member(last, "command"), ==, "scan");
  g_assert_cmpint(get_int(last, "metadata_parsed"), ==, 0);

  /* --catalog also works after the command name, and DERUSH_CATALOG (set
   * to the same file by the fixture) when it is not given at all. */
  const char *const after_argv[] = {"stats", "--json", "--catalog", f->catalog, NULL};
  g_autofree char *after = NULL;
  g_assert_cmpint(test_run_derush(after_argv, (const char *const *)f->env, &after, NULL), ==, 0);
  g_autoptr(JsonObject) after_stats = parse_object(after);
  g_assert_cmpstr(json_object_get_string_member(after_stats, "catalog"), ==, f->catalog);
  const char *const env_argv[] = {"stats", "--json", NULL};
  g_autofree char *from_env = NULL;
  g_assert_cmpint(test_run_derush(env_argv, (const char *const *)f->env, &from_env, NULL), ==, 0);
  g_autoptr(JsonObject) env_stats = parse_object(from_env);
  g_assert_cmpint(get_int(json_object_get_object_member(env_stats, "photos"), "total"), ==, 3);

  /* The human summary goes to stdout, also without escape codes. */
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "scan", f->photos, NULL), ==, 0);
  g_assert_nonnull(strstr(out, "unchanged"));
  g_assert_null(strchr(err, '\033'));
}

static void
test_ls_json(Fixture *f, gconstpointer data)
{
  make_photos(f);
  g_autoptr(JsonObject) summary = scan_json(f, f->photos, 0);
  g_assert_cmpint(get_int(summary, "added"), ==, 3);

  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "ls", "--json", NULL), ==, 0);
  g_autoptr(GPtrArray) rows = parse_lines(out);
  g_assert_cmpuint(rows->len, ==, 3);

  const char *previous = "";
  for (guint i = 0; i < rows->len; i++) {
    JsonObject *row = g_ptr_array_index(rows, i);
    /* Exactly the documented keys, in order. */
    g_autoptr(GList) members = json_object_get_members(row);
    GList *l = members;
    for (int k = 0; photo_keys[k]; k++, l = l->next) {
      g_assert_nonnull(l);
      g_assert_cmpstr(l->data, ==, photo_keys[k]);
    }
    g_assert_null(l);

    const char *path = json_object_get_string_member(row, "path");
    g_assert_true(g_path_is_absolute(path));
    g_assert_true(g_str_has_prefix(path, f->photos));
    g_assert_cmpint(strcmp(previous, path), <, 0); /* ordered by path */
    previous = path;
    g_autofree char *uri = g_filename_to_uri(path, NULL, NULL);
    g_assert_cmpstr(json_object_get_string_member(row, "uri"), ==, uri);
    g_assert_cmpstr(json_object_get_string_member(row, "status"), ==, "ok");
    assert_null(row, "reason");
    assert_null(row, "raw_format");
    assert_null(row, "pair");
    /* Never labelled: "none", 0 stars, no source. */
    g_assert_cmpstr(json_object_get_string_member(row, "label"), ==, "none");
    g_assert_cmpint(get_int(row, "stars"), ==, 0);
    assert_null(row, "label_source");
    /* Generated images carry no EXIF: absent is null, never 0 or "". */
    const char *const absent[] = {"make",
                                  "model",
                                  "lens",
                                  "iso",
                                  "exposure_time",
                                  "f_number",
                                  "focal_length_mm",
                                  "focal_length_35mm",
                                  "flash",
                                  "exposure_bias",
                                  "gps_lat",
                                  "gps_lon",
                                  "xmp_rating",
                                  NULL};
    for (int k = 0; absent[k]; k++)
      assert_null(row, absent[k]);
    g_assert_cmpint(get_int(row, "size"), >, 0);
    get_int(row, "mtime_ns");
    const char *hash = json_object_get_string_member(row, "content_hash");
    g_assert_cmpuint(strlen(hash), ==, 16);
    for (int k = 0; hash[k]; k++)
      g_assert_true(g_ascii_isxdigit(hash[k]));
    /* No EXIF date: the file's mtime may stand in, and then says so;
     * either way the three time keys agree. */
    if (json_object_get_null_member(row, "time_source")) {
      assert_null(row, "capture_time");
      assert_null(row, "capture_time_ns");
    } else {
      g_assert_cmpstr(json_object_get_string_member(row, "time_source"), ==, "file_mtime");
      get_int(row, "capture_time_ns");
      g_assert_nonnull(json_object_get_string_member(row, "capture_time"));
    }

    if (g_str_has_suffix(path, "/a.jpg")) {
      g_assert_cmpstr(json_object_get_string_member(row, "format"), ==, "jpeg");
      g_assert_cmpint(get_int(row, "width"), ==, 640);
      g_assert_cmpint(get_int(row, "height"), ==, 480);
    } else if (g_str_has_suffix(path, "/c.png")) {
      g_assert_cmpstr(json_object_get_string_member(row, "format"), ==, "png");
      g_assert_cmpint(get_int(row, "width"), ==, 100);
      g_assert_cmpint(get_int(row, "height"), ==, 150);
    }
  }

  /* A sub-folder, given relative to the working folder of the caller. */
  g_autofree char *sub = g_build_filename(f->photos, "sub", NULL);
  g_autofree char *sub_out = NULL;
  g_assert_cmpint(run(f, &sub_out, NULL, "ls", "--json", sub, NULL), ==, 0);
  g_autoptr(GPtrArray) sub_rows = parse_lines(sub_out);
  g_assert_cmpuint(sub_rows->len, ==, 1);

  /* An existing folder with nothing in the catalog: empty, not an error. */
  g_autofree char *empty = g_build_filename(f->tmp, "empty", NULL);
  g_mkdir(empty, 0755);
  g_autofree char *empty_out = NULL;
  g_assert_cmpint(run(f, &empty_out, NULL, "ls", "--json", empty, NULL), ==, 0);
  g_assert_cmpstr(empty_out, ==, "");

  /* A folder that does not exist and is not in the catalog: an error. */
  g_autofree char *nowhere = g_build_filename(f->tmp, "nowhere", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "ls", nowhere, NULL), ==, 2);
  g_assert_nonnull(strstr(err, nowhere));

  /* The human listing: one line per photo. */
  g_autofree char *text = NULL;
  g_assert_cmpint(run(f, &text, NULL, "ls", f->photos, NULL), ==, 0);
  g_auto(GStrv) lines = g_strsplit(g_strchomp(text), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 3);
}

/* A non-UTF-8 name stays reachable: "uri" escapes its bytes losslessly. */
static void
test_ls_non_utf8(Fixture *f, gconstpointer data)
{
  g_autofree char *odd = g_build_filename(f->photos, "caf\xe9.jpg", NULL);
  test_make_quadrant_image(odd, 64, 64);
  g_autoptr(JsonObject) summary = scan_json(f, f->photos, 0);
  g_assert_cmpint(get_int(summary, "added"), ==, 1);

  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "ls", "--json", NULL), ==, 0);
  g_autoptr(GPtrArray) rows = parse_lines(out);
  g_assert_cmpuint(rows->len, ==, 1);
  JsonObject *row = g_ptr_array_index(rows, 0);
  const char *path = json_object_get_string_member(row, "path");
  g_assert_true(g_utf8_validate(path, -1, NULL));
  g_autofree char *back =
      g_filename_from_uri(json_object_get_string_member(row, "uri"), NULL, NULL);
  g_assert_cmpstr(back, ==, odd);
}

static void
test_info(Fixture *f, gconstpointer data)
{
  make_photos(f);
  g_autofree char *a = g_build_filename(f->photos, "a.jpg", NULL);

  /* Not scanned before: info scans it itself. */
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "info", "--json", a, NULL), ==, 0);
  g_autoptr(JsonObject) photo = parse_object(out);
  g_assert_cmpstr(json_object_get_string_member(photo, "path"), ==, a);
  g_assert_cmpint(get_int(photo, "width"), ==, 640);
  for (int k = 0; photo_keys[k]; k++)
    g_assert_true(json_object_has_member(photo, photo_keys[k]));

  g_autofree char *text = NULL;
  g_assert_cmpint(run(f, &text, NULL, "info", a, NULL), ==, 0);
  g_assert_nonnull(strstr(text, "Dimensions:"));
  g_assert_nonnull(strstr(text, "640 x 480"));
  g_assert_nonnull(strstr(text, "Status:"));

  /* The second info reads nothing again. */
  g_autofree char *stats_text = NULL;
  g_assert_cmpint(run(f, &stats_text, NULL, "stats", "--json", NULL), ==, 0);
  g_autoptr(JsonObject) stats = parse_object(stats_text);
  JsonObject *last = json_object_get_object_member(stats, "last_command");
  g_assert_cmpstr(json_object_get_string_member(last, "command"), ==, "info");
  g_assert_cmpint(get_int(last, "metadata_parsed"), ==, 0);

  /* Missing files: 2 when nothing could be shown, 1 when some could. */
  g_autofree char *missing = g_build_filename(f->photos, "missing.jpg", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "info", missing, NULL), ==, 2);
  g_assert_nonnull(strstr(err, missing));
  g_autofree char *mixed = NULL;
  g_assert_cmpint(run(f, &mixed, NULL, "info", "--json", a, missing, NULL), ==, 1);
  g_autoptr(GPtrArray) rows = parse_lines(mixed);
  g_assert_cmpuint(rows->len, ==, 1);
}

static void
test_thumbnail(Fixture *f, gconstpointer data)
{
  make_photos(f);
  g_autofree char *a = g_build_filename(f->photos, "a.jpg", NULL);
  g_autofree char *png = g_build_filename(f->tmp, "thumb.png", NULL);
  g_assert_cmpint(run(f, NULL, NULL, "thumbnail", a, "--size", "64", "-o", png, NULL), ==, 0);

  VipsImage *image = vips_image_new_from_file(png, NULL);
  g_assert_nonnull(image);
  g_assert_cmpint(vips_image_get_width(image), ==, 64);
  g_assert_cmpint(vips_image_get_height(image), ==, 48);
  /* Top-left is red: the thumbnail is the photo, upright. */
  double *pixel = NULL;
  int n = 0;
  g_assert_cmpint(vips_getpoint(image, &pixel, &n, 4, 4, NULL), ==, 0);
  g_assert_cmpint(n, >=, 3);
  g_assert_cmpfloat(pixel[0], >, 200);
  g_assert_cmpfloat(pixel[1], <, 60);
  g_free(pixel);
  g_object_unref(image);

  g_autofree char *missing = g_build_filename(f->photos, "missing.jpg", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "thumbnail", missing, "-o", png, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "missing.jpg"));
}

static void
test_missing_root(Fixture *f, gconstpointer data)
{
  g_autofree char *nowhere = g_build_filename(f->tmp, "no-such-folder", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "scan", "--json", nowhere, NULL), ==, 2);
  g_assert_nonnull(strstr(err, nowhere));
  g_assert_true(g_str_has_prefix(err, "derush: "));
  g_assert_cmpstr(out, ==, "");
}

/* A folder the catalog has never seen: each command that works under a
 * folder says to scan it first (exit 2, nothing printed on stdout), where
 * `derush analyze DIR` used to print "Analyzed 0 photos" and exit 0. Once
 * scanned, the same command runs. */
static void
test_unscanned_folder(Fixture *f, gconstpointer data)
{
  make_photos(f);
  const char *commands[] = {"analyze", "detect", "groups", "predict", "cull"};
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
    g_autofree char *out = NULL, *err = NULL;
    int status = g_str_equal(commands[i], "cull")
                     ? run(f, &out, &err, "cull", "--bursts", "--dry-run", f->photos, NULL)
                     : run(f, &out, &err, commands[i], f->photos, NULL);
    g_assert_cmpint(status, ==, 2);
    g_autofree char *hint = g_strdup_printf("run 'derush scan %s' first", f->photos);
    g_assert_nonnull(strstr(err, hint));
    g_assert_cmpstr(out, ==, "");
  }
  g_autofree char *scanned = NULL;
  g_assert_cmpint(run(f, &scanned, NULL, "scan", f->photos, NULL), ==, 0);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "groups", "--json", f->photos, NULL), ==, 0);
  g_assert_null(strstr(err, "first"));
}

static void
test_bad_file(Fixture *f, gconstpointer data)
{
  make_photos(f);
  g_autofree char *bad = g_build_filename(f->photos, "notes.jpg", NULL);
  const char text[] = "this is not a JPEG\n";
  test_write_file(bad, text, sizeof text - 1);

  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "scan", "--json", f->photos, NULL), ==, 1);
  g_autoptr(JsonObject) summary = parse_object(out);
  g_assert_cmpint(get_int(summary, "unreadable"), ==, 1);
  g_assert_cmpint(get_int(summary, "files_seen"), ==, 4);
  /* "derush: PATH: REASON" */
  g_autofree char *prefix = g_strconcat("derush: ", bad, ": ", NULL);
  const char *line = strstr(err, prefix);
  g_assert_nonnull(line);
  g_assert_cmpint(line[strlen(prefix)], !=, '\n');

  g_autofree char *list = NULL;
  g_assert_cmpint(run(f, &list, NULL, "ls", "--json", NULL), ==, 0);
  g_autoptr(GPtrArray) rows = parse_lines(list);
  g_assert_cmpuint(rows->len, ==, 4);
  gboolean found = FALSE;
  for (guint i = 0; i < rows->len; i++) {
    JsonObject *row = g_ptr_array_index(rows, i);
    if (g_strcmp0(json_object_get_string_member(row, "path"), bad) != 0)
      continue;
    found = TRUE;
    g_assert_cmpstr(json_object_get_string_member(row, "status"), ==, "unreadable");
    g_assert_nonnull(json_object_get_string_member(row, "reason"));
    assert_null(row, "width");
  }
  g_assert_true(found);

  /* info shows it, with its reason, and says it is bad. */
  g_autofree char *info = NULL;
  g_assert_cmpint(run(f, &info, NULL, "info", bad, NULL), ==, 1);
  g_assert_nonnull(strstr(info, "unreadable"));
}

/* The demo set has EXIF: make, model and capture times come through. */
static void
test_demo_ls(Fixture *f, gconstpointer data)
{
  const char *gen = g_getenv("DERUSH_DEMO_GEN");
  g_autofree char *gen_out = NULL;
  int status = -1;
  /* Skip while tools/demo-gen is a placeholder that does not answer --help. */
  if (gen) {
    const char *argv[] = {gen, "--help", NULL};
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &gen_out, NULL,
                 &status, NULL);
  }
  if (!gen || !g_spawn_check_wait_status(status, NULL)) {
    g_test_skip("the demo set generator is not ready");
    return;
  }
  const char *demo = test_demo_dir();
  g_autofree char *out = NULL;
  /* The demo set may hold a deliberately bad file or two: 0 or 1. */
  int scan_status = run(f, &out, NULL, "scan", "--json", demo, NULL);
  g_assert_cmpint(scan_status, <=, 1);
  g_autoptr(JsonObject) summary = parse_object(out);
  g_assert_cmpint(get_int(summary, "files_seen"), >=, 300);

  g_autofree char *list = NULL;
  g_assert_cmpint(run(f, &list, NULL, "ls", "--json", demo, NULL), ==, 0);
  g_autoptr(GPtrArray) rows = parse_lines(list);
  g_assert_cmpint(rows->len, ==, get_int(summary, "files_seen"));
  guint with_make = 0, with_exif_time = 0;
  for (guint i = 0; i < rows->len; i++) {
    JsonObject *row = g_ptr_array_index(rows, i);
    if (!json_object_get_null_member(row, "make"))
      with_make++;
    if (g_strcmp0(json_object_get_string_member(row, "time_source"), "exif_original") == 0)
      with_exif_time++;
  }
  g_assert_cmpuint(with_make, >, rows->len / 2);
  g_assert_cmpuint(with_exif_time, >, rows->len / 2);
}

/* A file that is not a photo by its name (notes.txt) given to label: it
 * is said and skipped, never scanned into the catalog as an "unreadable
 * photo" carrying the label (a new user's `derush label * keep` in a
 * folder with notes did that, exit 0); a folder scan skips such names
 * too. The photos beside it are labelled. */
static void
test_label_not_a_photo(Fixture *f, gconstpointer data)
{
  g_autofree char *photo = g_build_filename(f->photos, "a.jpg", NULL);
  g_autofree char *notes = g_build_filename(f->photos, "notes.txt", NULL);
  test_make_quadrant_image(photo, 64, 48);
  test_write_file(notes, "not a photo\n", 12);
  g_autofree char *err = NULL;
  g_assert_cmpint(run(f, NULL, &err, "label", notes, photo, "keep", NULL), ==, 1);
  g_assert_nonnull(strstr(err, "notes.txt: not a photo format derush reads"));
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(run(f, NULL, &err, "info", notes, NULL), ==, 2);
  g_assert_nonnull(strstr(err, "notes.txt: not a photo format derush reads"));
  g_autofree char *list = NULL;
  g_assert_cmpint(run(f, &list, NULL, "ls", "--json", f->photos, NULL), ==, 0);
  g_autoptr(GPtrArray) rows = parse_lines(list);
  g_assert_cmpuint(rows->len, ==, 1);
  JsonObject *row = g_ptr_array_index(rows, 0);
  g_assert_cmpstr(json_object_get_string_member(row, "path"), ==, photo);
  g_assert_cmpstr(json_object_get_string_member(row, "label"), ==, "keep");
}

/* An unreadable photo given to a command that scans its FILEs first is
 * reported once, by that scan, not again by the command (features and
 * explain printed "empty file (0 bytes)" twice). */
static void
test_unreadable_said_once(Fixture *f, gconstpointer data)
{
  g_autofree char *empty = g_build_filename(f->photos, "empty.jpg", NULL);
  test_write_file(empty, "", 0);
  const char *commands[] = {"features", "explain", "info"};
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
    g_autofree char *err = NULL;
    g_assert_cmpint(run(f, NULL, &err, commands[i], empty, NULL), >=, 1);
    g_test_message("%s: %s", commands[i], err);
    const char *first = strstr(err, "empty.jpg: empty file");
    g_assert_nonnull(first);
    g_assert_null(strstr(first + 1, "empty.jpg: empty file"));
  }
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  const struct {
    const char *path;
    void (*func)(Fixture *, gconstpointer);
  } tests[] = {
      {"/cli/version", test_version},
      {"/cli/help", test_help},
      {"/cli/usage-errors", test_usage_errors},
      {"/cli/scan/twice", test_scan_twice},
      {"/cli/scan/missing-root", test_missing_root},
      {"/cli/scan/bad-file", test_bad_file},
      {"/cli/unscanned-folder", test_unscanned_folder},
      {"/cli/ls/json", test_ls_json},
      {"/cli/ls/non-utf8", test_ls_non_utf8},
      {"/cli/info", test_info},
      {"/cli/label-not-a-photo", test_label_not_a_photo},
      {"/cli/unreadable-said-once", test_unreadable_said_once},
      {"/cli/thumbnail", test_thumbnail},
      {"/cli/demo/ls", test_demo_ls},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(tests); i++)
    g_test_add(tests[i].path, Fixture, NULL, fixture_set_up, tests[i].func, fixture_tear_down);
  return g_test_run();
}
