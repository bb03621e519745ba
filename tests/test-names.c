/* test-names.c: file names that try to forge output (issue 16, defect 6).
 *
 * A newline in a name must not start a line of its own in any text output,
 * two names that differ only in non-UTF-8 bytes must print differently,
 * and a path read from `ls --json` or `groups --json` must open the file. */
#include "test-util.h"
#include <json-glib/json-glib.h>

#define EVIL "evil\nmove FAKE -> FAKE.png"
#define CAF_E9 "caf\xe9.png"
#define CAF_E8 "caf\xe8.png"

typedef struct {
  char *tmp;
  char *catalog;
  char *photos;
  GStrv env;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->tmp = test_make_tmpdir();
  f->catalog = g_build_filename(f->tmp, "cat.db", NULL);
  f->photos = g_build_filename(f->tmp, "photos", NULL);
  f->env = test_isolated_env(f->tmp, f->catalog);
  g_autofree char *data_home = g_build_filename(f->tmp, "xdg-data", NULL);
  g_setenv("XDG_DATA_HOME", data_home, TRUE); /* the trash of apply --trash */
  /* Three copies of one image: a near-duplicate group for groups --json. */
  const char *names[] = {EVIL, CAF_E9, CAF_E8};
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *path = g_build_filename(f->photos, names[i], NULL);
    test_make_quadrant_image(path, 64, 48);
  }
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

#define run(f, out, err, ...)                                                                      \
  test_run_derush_on((f)->catalog, (const char *const *)(f)->env, out, err, __VA_ARGS__)

/* Every line of @text starts with one of @prefixes (NULL-terminated). */
static void
assert_lines_start_with(const char *text, const char *const *prefixes)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++) {
    if (!*lines[i])
      continue;
    gboolean ok = FALSE;
    for (int k = 0; prefixes[k] && !ok; k++)
      ok = g_str_has_prefix(lines[i], prefixes[k]);
    if (!ok)
      g_error("forged or unexpected line: '%s'", lines[i]);
  }
}

static void
test_text_output(Fixture *f, gconstpointer data)
{
  /* A bad file with a newline in its name, for stderr. */
  g_autofree char *bad = g_build_filename(f->photos, "bad\nderush: forged.jpg", NULL);
  test_write_file(bad, "", 0);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(run(f, &out, &err, "scan", f->photos, NULL), ==, 1);
  g_autofree char *bad_line = g_strdup_printf(
      "derush: '%s/bad'$'\\n''derush: forged.jpg': empty file (0 bytes)\n", f->photos);
  g_assert_cmpstr(err, ==, bad_line);

  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "ls", f->photos, NULL), ==, 0);
  /* One line per photo (4 rows), the names quoted as GNU ls does. */
  g_auto(GStrv) lines = g_strsplit(g_strchomp(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 4);
  g_assert_nonnull(strstr(out, "/caf'$'\\351''.png'"));
  g_assert_nonnull(strstr(out, "/caf'$'\\350''.png'"));
  g_assert_nonnull(strstr(out, "/evil'$'\\n''move FAKE -> FAKE.png'"));

  g_autofree char *evil = g_build_filename(f->photos, EVIL, NULL);
  g_autofree char *e9 = g_build_filename(f->photos, CAF_E9, NULL);
  g_assert_cmpint(run(f, NULL, NULL, "label", evil, e9, "trash", NULL), ==, 0);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "apply", "--trash", f->photos, NULL), ==, 0);
  const char *apply_lines[] = {"Will trash ", "trash '", "Done: ", NULL};
  assert_lines_start_with(out, apply_lines);
  g_assert_false(g_file_test(evil, G_FILE_TEST_EXISTS));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "undo-apply", NULL), ==, 0);
  const char *undo_lines[] = {"restore '", "Restored ", NULL};
  assert_lines_start_with(out, undo_lines);
  g_assert_true(g_file_test(evil, G_FILE_TEST_EXISTS));
}

/* The bytes of a path from a JSON object: @key_bytes (base64) when
 * present, else @key. */
static char *
path_from_json(JsonObject *o, const char *key)
{
  g_autofree char *bytes_key = g_strconcat(key, "_bytes", NULL);
  if (!json_object_has_member(o, bytes_key))
    return g_strdup(json_object_get_string_member(o, key));
  gsize len = 0;
  g_autofree guchar *raw = g_base64_decode(json_object_get_string_member(o, bytes_key), &len);
  return g_strndup((const char *)raw, len);
}

static void
assert_opens(const char *path)
{
  g_autofree char *data = NULL;
  g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
}

static void
test_json_paths(Fixture *f, gconstpointer data)
{
  g_assert_cmpint(run(f, NULL, NULL, "scan", f->photos, NULL), ==, 0);
  g_assert_cmpint(run(f, NULL, NULL, "analyze", f->photos, NULL), ==, 0);
  g_autofree char *out = NULL;
  g_assert_cmpint(run(f, &out, NULL, "ls", "--json", f->photos, NULL), ==, 0);
  g_auto(GStrv) lines = g_strsplit(g_strchomp(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 3);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; lines[i]; i++) {
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, lines[i], -1, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    char *path = path_from_json(o, "path");
    /* path_bytes only where the name is not UTF-8. */
    g_assert_cmpint(json_object_has_member(o, "path_bytes"), ==, !g_utf8_validate(path, -1, NULL));
    assert_opens(path);
    g_hash_table_add(seen, path);
  }
  g_assert_cmpuint(g_hash_table_size(seen), ==, 3);

  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run(f, &out, NULL, "groups", "--json", NULL), ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_auto(GStrv) groups = g_strsplit(g_strchomp(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(groups), >=, 1);
  g_assert_true(json_parser_load_from_data(parser, groups[0], -1, NULL));
  JsonObject *g = json_node_get_object(json_parser_get_root(parser));
  /* members: objects, each path lossless as the photo object's. */
  JsonArray *members = json_object_get_array_member(g, "members");
  g_assert_cmpuint(json_array_get_length(members), ==, 3);
  for (guint i = 0; i < 3; i++) {
    g_autofree char *path = path_from_json(json_array_get_object_element(members, i), "path");
    g_assert_true(g_hash_table_contains(seen, path));
    assert_opens(path);
  }
  /* paths: the old list of names, with its parallel paths_bytes. */
  JsonArray *paths = json_object_get_array_member(g, "paths");
  JsonArray *bytes = json_object_has_member(g, "paths_bytes")
                         ? json_object_get_array_member(g, "paths_bytes")
                         : NULL;
  g_assert_nonnull(bytes);
  g_assert_cmpuint(json_array_get_length(paths), ==, 3);
  g_assert_cmpuint(json_array_get_length(bytes), ==, 3);
  for (guint i = 0; i < 3; i++) {
    g_autofree char *path = NULL;
    if (json_array_get_null_element(bytes, i)) {
      path = g_strdup(json_array_get_string_element(paths, i));
    } else {
      gsize len = 0;
      g_autofree guchar *raw = g_base64_decode(json_array_get_string_element(bytes, i), &len);
      path = g_strndup((const char *)raw, len);
    }
    g_assert_true(g_hash_table_contains(seen, path));
    assert_opens(path);
  }
  g_autofree char *best = path_from_json(g, "best");
  assert_opens(best);
}

/* The other commands that print paths: stats (the catalog's own path) and
 * eval grouping (the unreadable files): quoted in text, lossless in JSON. */
static void
test_stats_and_eval(Fixture *f, gconstpointer data)
{
  g_autofree char *odd_catalog = g_build_filename(f->tmp, "cat\xe9\nFAKE.db", NULL);
  g_autofree char *out = NULL;
  g_assert_cmpint(test_run_derush_on(odd_catalog, (const char *const *)f->env, NULL, NULL, "scan",
                                     f->photos, NULL),
                  ==, 0);
  g_assert_cmpint(
      test_run_derush_on(odd_catalog, (const char *const *)f->env, &out, NULL, "stats", NULL), ==,
      0);
  g_assert_nonnull(strstr(out, "Catalog: '"));
  g_assert_null(strstr(out, "\nFAKE.db"));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(test_run_derush_on(odd_catalog, (const char *const *)f->env, &out, NULL, "stats",
                                     "--json", NULL),
                  ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  g_autofree char *catalog =
      path_from_json(json_node_get_object(json_parser_get_root(parser)), "catalog");
  g_assert_cmpstr(catalog, ==, odd_catalog);

  /* An empty file named in non-UTF-8 is unreadable; eval grouping lists it. */
  g_autofree char *bad = g_build_filename(f->photos, "bad\xe9.jpg", NULL);
  test_write_file(bad, "", 0);
  g_autofree char *csv = g_build_filename(f->photos, "truth.csv", NULL);
  /* The CSV cannot quote a newline in a name: that photo is left out. */
  g_autofree char *plain =
      g_strdup_printf("path,group\n%s,1\n%s,1\nbad\xe9.jpg,\n", CAF_E9, CAF_E8);
  test_write_file(csv, plain, strlen(plain));
  g_clear_pointer(&out, g_free);
  run(f, &out, NULL, "eval", "grouping", "--truth", csv, "--json", NULL);
  g_clear_object(&parser);
  parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  JsonArray *paths = json_object_get_array_member(o, "unreadable_paths");
  g_assert_cmpuint(json_array_get_length(paths), ==, 1);
  g_assert_true(json_object_has_member(o, "unreadable_paths_bytes"));
  JsonArray *bytes = json_object_get_array_member(o, "unreadable_paths_bytes");
  gsize len = 0;
  g_autofree guchar *raw = g_base64_decode(json_array_get_string_element(bytes, 0), &len);
  g_autofree char *decoded = g_strndup((const char *)raw, len);
  g_assert_cmpstr(decoded, ==, bad);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/names/text-output", test_text_output);
  ADD("/names/json-paths", test_json_paths);
  ADD("/names/stats-and-eval", test_stats_and_eval);
  return g_test_run();
}
