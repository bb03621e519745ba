/* test-crops.c: off-centre crops of real photos are found, and nothing
 * else is (issue 21).
 *
 * The sets are made here, once per run, by tools/make-copy-sets.py from
 * camera JPEGs of ../shared/corpus/exif_cameras with ImageMagick: each
 * original with crops keeping 90-95% of each side at a random position,
 * alone and with a resize, a brightening, a small turn, a re-encode or
 * greyscale on top, plus a resized and a grey copy; the originals are
 * distinct photos, so every pair across sets is a negative. And two frames
 * of a burst seen from two corners (a small pan, not a copy) with a crop
 * of one of them. Skipped when ../shared, python3, ImageMagick or (for the
 * burst) exiftool is absent.
 */
#include "test-util.h"
#include <json-glib/json-glib.h>

/* Camera JPEGs of about 1 MP, none of those the windows were tuned on
 * (bench/crops/README.md). */
static const char *const originals[] = {
    "Olympus PEN E-P3.jpg", "Nikon E900 (1).jpg",   "FujiFilm FinePix2650.jpg",
    "Minolta DiMAGE X.jpg", "Panasonic NV-GX7.jpg", "Canon IXUS 400.jpg",
};

static const char kinds[] = "offcrop,offcrop+resize,offcrop+bright,offcrop+rotate,"
                            "offcrop+reencode,offcrop+grey,resize,grey";
#define N_KINDS 8

typedef struct {
  char *tmp, *sets, *db;
  gboolean ready, burst;
} Sets;

static Sets sets;

/* Makes the sets once; FALSE (the test skips) when a tool or the corpus is
 * missing. */
static gboolean
sets_ready(void)
{
  if (sets.ready)
    return TRUE;
  g_autofree char *corpus = test_shared_path("corpus/exif_cameras");
  g_autofree char *convert = g_find_program_in_path("convert");
  g_autofree char *python = g_find_program_in_path("python3");
  const char *why = !corpus    ? "../shared/corpus/exif_cameras is absent"
                    : !convert ? "ImageMagick's convert is not installed"
                    : !python  ? "python3 is not installed"
                               : NULL;
  if (why) {
    g_test_skip(why);
    return FALSE;
  }
  g_autofree char *exiftool = g_find_program_in_path("exiftool");
  g_autofree char *script =
      g_test_build_filename(G_TEST_DIST, "..", "tools", "make-copy-sets.py", NULL);
  sets.tmp = test_make_tmpdir();
  sets.sets = g_build_filename(sets.tmp, "sets", NULL);
  sets.db = g_build_filename(sets.tmp, "catalog.db", NULL);
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  const char *head[] = {python, script, sets.sets, "--max-side", "640", "--kinds", kinds};
  for (gsize i = 0; i < G_N_ELEMENTS(head); i++)
    g_ptr_array_add(argv, g_strdup(head[i]));
  if (exiftool) { /* a photo of no set: its frames are copies of nothing */
    g_ptr_array_add(argv, g_strdup("--burst"));
    g_ptr_array_add(argv, g_build_filename(corpus, "Sony DSC-P52.jpg", NULL));
  }
  for (gsize i = 0; i < G_N_ELEMENTS(originals); i++)
    g_ptr_array_add(argv, g_build_filename(corpus, originals[i], NULL));
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                             NULL, &status, &error));
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_ptr_array_unref(argv);
  sets.burst = exiftool != NULL;
  sets.ready = TRUE;
  return TRUE;
}

/* `derush eval grouping --truth CSV --json [@option]` on the sets' catalog,
 * parsed. */
static JsonObject *
eval_json(JsonParser *parser, const char *option)
{
  g_autofree char *csv = g_build_filename(sets.sets, "truth.csv", NULL);
  g_auto(GStrv) env = test_isolated_env(sets.tmp, sets.db);
  g_autofree char *out = NULL;
  g_assert_cmpint(test_run_derush_on(sets.db, (const char *const *)env, &out, NULL, "eval",
                                     "grouping", "--truth", csv, "--json", option, NULL),
                  ==, 0);
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  return json_node_get_object(json_parser_get_root(parser));
}

/* Every copy joins its original, cropped off-centre or not; no pair of
 * distinct photos is made; each kind of edit is reported on its own. */
static void
test_offcentre_sets(void)
{
  if (!sets_ready())
    return;
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *o = eval_json(parser, NULL);
  gint64 n = G_N_ELEMENTS(originals), members = N_KINDS + 1;
  g_assert_cmpint(json_object_get_int_member(o, "pairs_truth"), ==,
                  n * members * (members - 1) / 2);
  double f1 = json_object_get_double_member(o, "f1");
  g_test_message("off-centre crop sets: precision %.3f recall %.3f F1 %.3f",
                 json_object_get_double_member(o, "precision"),
                 json_object_get_double_member(o, "recall"), f1);
  g_assert_cmpint(json_object_get_int_member(o, "pairs_found"), ==,
                  json_object_get_int_member(o, "pairs_correct"));
  g_assert_cmpfloat(f1, >=, 0.95);
  JsonObject *by = json_object_get_object_member(o, "by_relation");
  g_assert_cmpuint(json_object_get_size(by), ==, N_KINDS);
  g_autoptr(GList) names = json_object_get_members(by);
  for (GList *l = names; l; l = l->next) {
    JsonObject *k = json_object_get_object_member(by, l->data);
    g_test_message("  %s: recall %.3f", (const char *)l->data,
                   json_object_get_double_member(k, "recall"));
    g_assert_cmpint(json_object_get_int_member(k, "pairs_truth"), ==, n);
  }
  /* The plain off-centre crop, the "1 of 7", is found in every set. */
  g_assert_cmpfloat(
      json_object_get_double_member(json_object_get_object_member(by, "offcrop"), "recall"), ==,
      1.0);

  /* Without the transforms (windows included) the crops fall out. */
  g_autoptr(JsonParser) p2 = json_parser_new();
  JsonObject *o2 = eval_json(p2, "--no-transforms");
  JsonObject *by2 = json_object_get_object_member(o2, "by_relation");
  g_assert_cmpfloat(
      json_object_get_double_member(json_object_get_object_member(by2, "offcrop"), "recall"), <,
      1.0);
}

/* Two frames of a burst seen from two corners overlap as much as a crop
 * does, but are two shots: whatever groups them, the one that is not the
 * best pick is its "burst" sibling, never an "edited" copy. */
static void
test_burst_frames_not_copies(void)
{
  if (!sets_ready())
    return;
  if (!sets.burst) {
    g_test_skip("exiftool is not installed: no burst to check");
    return;
  }
  g_autofree char *dir = g_build_filename(sets.sets, "burst", NULL);
  g_auto(GStrv) env = test_isolated_env(sets.tmp, sets.db);
  g_assert_cmpint(
      test_run_derush_on(sets.db, (const char *const *)env, NULL, NULL, "scan", dir, NULL), ==, 0);
  g_assert_cmpint(
      test_run_derush_on(sets.db, (const char *const *)env, NULL, NULL, "analyze", dir, NULL), ==,
      0);
  g_autofree char *out = NULL;
  g_assert_cmpint(
      test_run_derush_on(sets.db, (const char *const *)env, &out, NULL, "groups", "--json", NULL),
      ==, 0);
  guint frames_seen = 0;
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (int i = 0; lines[i] && lines[i][0]; i++) {
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, lines[i], -1, NULL));
    JsonObject *g = json_node_get_object(json_parser_get_root(p));
    const char *kind = json_object_get_string_member(g, "kind");
    if (g_str_equal(kind, "session"))
      continue;
    JsonArray *members = json_object_get_array_member(g, "members");
    for (guint k = 0; k < json_array_get_length(members); k++) {
      JsonObject *m = json_array_get_object_element(members, k);
      const char *path = json_object_get_string_member(m, "path");
      const char *rel = json_object_get_string_member(m, "relation");
      g_autofree char *base = g_path_get_basename(path);
      if (!strstr(path, "/burst/") || g_str_equal(rel, "best"))
        continue;
      g_test_message("%s %s: %s", kind, base, rel);
      /* A frame is never a copy of the other; frame 0's crop is a copy
       * of frame 0 only, so of the best pick only when frame 0 is it. */
      if (g_str_has_prefix(base, "frame1") || g_str_equal(base, "frame0.jpg")) {
        g_assert_cmpstr(rel, ==, "burst");
        frames_seen++;
      }
    }
  }
  /* The non-best frame was seen in its burst at least. */
  g_assert_cmpuint(frames_seen, >=, 1);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/crops/off-centre-sets", test_offcentre_sets);
  g_test_add_func("/crops/burst-frames-not-copies", test_burst_frames_not_copies);
  int rc = g_test_run();
  if (sets.tmp)
    test_rmrf(sets.tmp);
  g_free(sets.tmp);
  g_free(sets.sets);
  g_free(sets.db);
  return rc;
}
